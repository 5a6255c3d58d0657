"""Domain-model building blocks shared by every bounded context.

``DomainEvent`` is the immutable base of all domain events: every event gets an
id and a timezone-aware timestamp without the subclass having to declare them.
``Entity`` and ``AggregateRoot`` live here too, so that a context only imports
one module to build its model. Aggregates *record* events; the application
layer dispatches them before the transaction commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from uuid import UUID, uuid4


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    """Something that happened in the domain; named in the past tense."""

    event_id: UUID = field(default_factory=uuid4)
    occurred_on: datetime = field(default_factory=lambda: datetime.now(timezone.utc))


class Entity:
    """An object with a lifecycle, equal to another one by identity only."""

    def __init__(self, entity_id: UUID) -> None:
        self.id = entity_id

    def __eq__(self, other: object) -> bool:
        return isinstance(other, type(self)) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)


class AggregateRoot(Entity):
    """A consistency boundary that records the domain events it causes."""

    def __init__(self, entity_id: UUID) -> None:
        super().__init__(entity_id)
        self._recorded_events: list[DomainEvent] = []

    def record_event(self, event: DomainEvent) -> None:
        """Remember ``event``; the application service dispatches it later."""
        self._recorded_events.append(event)

    @property
    def recorded_events(self) -> tuple[DomainEvent, ...]:
        return tuple(self._recorded_events)

    def pull_recorded_events(self) -> tuple[DomainEvent, ...]:
        """Return the recorded events and forget them (for message-bus loops)."""
        events = tuple(self._recorded_events)
        self._recorded_events.clear()
        return events

    def clear_recorded_events(self) -> None:
        self._recorded_events.clear()
