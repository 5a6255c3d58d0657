"""The shared domain model: DomainEvent, Entity and AggregateRoot."""
