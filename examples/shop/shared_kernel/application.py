"""Application-layer contracts shared by the bounded contexts.

Handlers are async and handle exactly the one event type they declare.
Domain-event handlers run in-process, inside the transaction that recorded
the event; integration-event handlers consume other contexts' contracts at
least once, so they must be idempotent.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from contextvars import ContextVar
from typing import Generic, Protocol, TypeVar
from uuid import UUID, uuid4

from shop.shared_kernel.domain.events import DomainEvent
from shop.shared_kernel.integration import IntegrationEvent

E = TypeVar("E")
DE = TypeVar("DE", bound=DomainEvent)
IE = TypeVar("IE", bound=IntegrationEvent)

_correlation: ContextVar[UUID | None] = ContextVar("correlation", default=None)


def use_correlation_id(value: UUID) -> None:
    """Set by the HTTP middleware and the consumers from the incoming request."""
    _correlation.set(value)


def current_correlation_id() -> UUID:
    value = _correlation.get()
    return value if value is not None else uuid4()


class EventHandler(ABC, Generic[E]):
    """Reacts to one type of event."""

    @abstractmethod
    async def handle(self, event: E) -> None:
        """Handle ``event``."""


class DomainEventHandler(EventHandler[DE], ABC):
    """Runs inside the transaction that recorded the event."""


class IntegrationEventHandler(EventHandler[IE], ABC):
    """Consumes another context's published event; must be idempotent."""


class EventDispatcher(Protocol):
    async def dispatch_events(self, events: Iterable[DomainEvent]) -> None: ...


class Outbox(Protocol):
    async def add(self, event: IntegrationEvent) -> None: ...


class MessageBus(Protocol):
    async def publish(self, event: IntegrationEvent) -> None: ...
