"""The sales domain model: Order and Customer aggregates, value objects, events."""
