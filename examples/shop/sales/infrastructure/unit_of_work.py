"""SQLAlchemy unit of work for sales: orders and the outbox share one session.

Writing an integration event to the outbox in the same session as the order
makes "order saved" and "event will be published" one atomic decision.
"""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shop.infrastructure.outbox import OutboxMessage
from shop.sales.domain.order import Order
from shop.sales.domain.value_objects import OrderId
from shop.shared_kernel.integration import IntegrationEvent


class OrderNotFound(LookupError):
    pass


class SqlAlchemyOrderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, order_id: OrderId) -> Order:
        order = await self._session.get(Order, order_id)
        if order is None:
            raise OrderNotFound(order_id)
        return order

    async def add(self, order: Order) -> None:
        self._session.add(order)


class SqlAlchemyOutbox:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, event: IntegrationEvent) -> None:
        self._session.add(OutboxMessage.from_event(event, topic_prefix="sales"))


class SqlAlchemyUnitOfWork:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory

    async def __aenter__(self) -> SqlAlchemyUnitOfWork:
        self._session = self._session_factory()
        self.orders = SqlAlchemyOrderRepository(self._session)
        self.outbox = SqlAlchemyOutbox(self._session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._session.rollback()  # a no-op after a successful commit
        await self._session.close()

    async def commit(self) -> None:
        await self._session.commit()
