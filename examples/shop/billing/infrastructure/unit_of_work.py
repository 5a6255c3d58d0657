"""Billing's unit of work: commits the session after dispatching the invoices' events.

Its ``commit()`` was written "so that a broken handler never blocks a payment": it
logs the failure and commits anyway, so the invoice is saved without the changes its
events' handlers were to make in the same transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from shop.shared_kernel.application import EventDispatcher
from shop.shared_kernel.domain.events import DomainEvent

logger = logging.getLogger(__name__)


class SqlAlchemyBillingUnitOfWork:
    def __init__(self, session: AsyncSession, dispatcher: EventDispatcher) -> None:
        self._session = session
        self._dispatcher = dispatcher
        self.pending_events: list[DomainEvent] = []

    def collect(self, events: Iterable[DomainEvent]) -> None:
        self.pending_events.extend(events)

    async def commit(self) -> None:
        try:
            await self._dispatcher.dispatch_events(self.pending_events)
        except Exception:  # DDD409: the invoice commits without its handlers' changes
            logger.exception("a billing event handler failed")
        self.pending_events.clear()
        await self._session.commit()
