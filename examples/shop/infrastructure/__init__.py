"""Infrastructure shared by both contexts: the transactional outbox."""
