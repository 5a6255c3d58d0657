"""Sales use cases and the handlers that react to sales events."""
