"""Building blocks every bounded context shares: event bases, aggregate base, handler bases."""
