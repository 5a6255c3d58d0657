"""Sales use cases.

One use case, one transaction, one aggregate. Recorded domain events are
dispatched to the in-process handlers *inside* the transaction, before the
commit, then cleared; the handlers write integration events to the outbox.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from shop.sales.domain.customer import Customer
from shop.sales.domain.events import CancellationReason
from shop.sales.domain.order import Order
from shop.sales.domain.value_objects import Address, CustomerId, Money, OrderId, Sku
from shop.shared_kernel.application import EventDispatcher, Outbox


class OrderRepository(Protocol):
    async def get(self, order_id: OrderId) -> Order: ...

    async def add(self, order: Order) -> None: ...


class SalesUnitOfWork(Protocol):
    orders: OrderRepository
    outbox: Outbox

    async def __aenter__(self) -> SalesUnitOfWork: ...

    async def __aexit__(self, *exc_info: object) -> None: ...

    async def commit(self) -> None: ...


class OrderService:
    def __init__(self, uow: SalesUnitOfWork, dispatcher: EventDispatcher) -> None:
        self.uow = uow
        self.dispatcher = dispatcher

    async def place_order(
        self,
        customer_id: CustomerId,
        shipping_address: Address,
        items: Iterable[tuple[Sku, int, Money]],
    ) -> OrderId:
        async with self.uow:
            order = Order.place(customer_id, shipping_address, items)
            await self.uow.orders.add(order)
            await self.dispatcher.dispatch_events(order.recorded_events)
            order.clear_recorded_events()
            await self.uow.commit()
        return order.id

    async def cancel_order(self, order_id: OrderId, reason: CancellationReason) -> None:
        async with self.uow:
            order = await self.uow.orders.get(order_id)
            order.cancel(reason)
            await self.uow.commit()
        # "handlers only run once the cancellation is safely stored"
        await self.dispatcher.dispatch_events(order.recorded_events)  # DDD402: outbox rows written after the commit
        order.clear_recorded_events()

    async def change_shipping_address(self, order_id: OrderId, new_address: Address) -> None:
        async with self.uow:
            order = await self.uow.orders.get(order_id)
            order.change_shipping_address(new_address)
            order.clear_recorded_events()  # DDD403: the address change never reaches the warehouse
            await self.dispatcher.dispatch_events(order.recorded_events)
            await self.uow.commit()


class CustomerRepository(Protocol):
    async def get(self, customer_id: CustomerId) -> Customer: ...

    async def save(self, customer: Customer) -> None: ...


class LoyaltyOrderService:
    """Express checkout for members, written against the repositories directly.

    Awarding points belongs in ``AwardLoyaltyPoints``, which reacts to
    ``OrderPlacedV1`` in its own transaction.
    """

    def __init__(
        self,
        session: AsyncSession,
        orders_repository: OrderRepository,
        customers_repository: CustomerRepository,
    ) -> None:
        self.session = session
        self.orders_repository = orders_repository
        self.customers_repository = customers_repository

    async def express_checkout(
        self, customer_id: CustomerId, address: Address, items: list[tuple[Sku, int, Money]]
    ) -> OrderId:
        async with self.session.begin():
            customer = await self.customers_repository.get(customer_id)
            order = Order.place(customer_id, address, items)
            customer.award_loyalty_points(int(order.total.amount))
            await self.orders_repository.add(order)
            await self.customers_repository.save(customer)  # DDD407: order and customer locked together
        return order.id
