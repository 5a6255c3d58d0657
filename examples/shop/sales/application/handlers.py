"""Handlers of the sales context.

Domain-event handlers run inside the use case's transaction and turn domain
events into the published contract by writing to the outbox. The loyalty
handler consumes the published contract later, in a transaction of its own.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from shop.sales.application.services import CustomerRepository
from shop.sales.domain.events import OrderCancelled, OrderPlaced
from shop.sales.domain.value_objects import CustomerId, OrderId
from shop.sales.integration_events import OrderCancelledV1, OrderPlacedV1
from shop.shared_kernel.application import (
    DomainEventHandler,
    IntegrationEventHandler,
    Outbox,
    current_correlation_id,
)


class WriteOrderPlacedToOutbox(DomainEventHandler[OrderPlaced]):
    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox

    async def handle(self, event: OrderPlaced) -> None:
        await self.outbox.add(
            OrderPlacedV1(
                occurred_at=event.occurred_on,
                correlation_id=current_correlation_id(),
                causation_id=event.event_id,
                order_id=event.order_id,
                customer_id=event.customer_id,
                skus=tuple(event.skus),
                total_amount=event.total.amount,
                currency=event.total.currency,
            )
        )


class WriteOrderCancelledToOutbox(DomainEventHandler[OrderCancelled]):
    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox

    async def handle(self, event: OrderCancelled) -> None:
        await self.outbox.add(
            OrderCancelledV1(
                occurred_at=datetime.now(),  # DDD107: server-local wall time; pass event.occurred_on
                correlation_id=current_correlation_id(),
                causation_id=event.event_id,
                order_id=event.order_id,
                customer_id=event.customer_id,
                reason=event.reason.value,
            )
        )


class StockReservations(Protocol):
    async def release_all(self, order_id: OrderId) -> None: ...


class ReleaseStockOnOrderCancelled(DomainEventHandler[OrderPlaced]):
    """Copied from the reservation handler; the declared event was never updated."""

    def __init__(self, reservations: StockReservations) -> None:
        self.reservations = reservations

    async def handle(self, event: OrderCancelled) -> None:  # DDD405: registered for OrderPlaced
        await self.reservations.release_all(event.order_id)


class AwardLoyaltyPoints(IntegrationEventHandler[OrderPlacedV1]):
    """One point per currency unit, in a transaction that touches only the customer."""

    def __init__(self, session: AsyncSession, customers_repository: CustomerRepository) -> None:
        self.session = session
        self.customers_repository = customers_repository

    async def handle(self, event: OrderPlacedV1) -> None:
        async with self.session.begin():
            customer = await self.customers_repository.get(CustomerId(event.customer_id))
            customer.award_loyalty_points(int(event.total_amount))
            await self.customers_repository.save(customer)
