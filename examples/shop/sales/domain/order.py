"""The Order aggregate: what a customer buys, from cart checkout to shipment.

Order lines are entities inside the aggregate's boundary. The customer is
referenced by its id only; the aggregate records events and never publishes.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from uuid import UUID, uuid4

from shop.sales.domain.events import (
    CancellationReason,
    OrderCancelled,
    OrderItemsRemoved,
    OrderLineAdded,
    OrderPlaced,
    ShipOrder,
    ShippingAddressChanged,
)
from shop.sales.domain.value_objects import Address, CustomerId, Money, OrderId, Sku
from shop.shared_kernel.domain.events import AggregateRoot, Entity


class OrderStatus(Enum):
    PLACED = "placed"
    SHIPPED = "shipped"
    CANCELLED = "cancelled"


class OrderLine(Entity):
    def __init__(self, line_id: UUID, sku: Sku, quantity: int, unit_price: Money) -> None:
        super().__init__(line_id)
        self.sku = sku
        self.quantity = quantity
        self.unit_price = unit_price

    @property
    def subtotal(self) -> Money:
        return self.unit_price.times(self.quantity)


class Order(AggregateRoot):
    def __init__(
        self,
        order_id: OrderId,
        customer_id: CustomerId,
        shipping_address: Address,
        lines: list[OrderLine],
        status: OrderStatus = OrderStatus.PLACED,
    ) -> None:
        super().__init__(order_id)
        self.customer_id = customer_id
        self.shipping_address = shipping_address
        self.lines = lines
        self.status = status

    @classmethod
    def place(
        cls,
        customer_id: CustomerId,
        shipping_address: Address,
        items: Iterable[tuple[Sku, int, Money]],
    ) -> Order:
        lines = [OrderLine(uuid4(), sku, qty, price) for sku, qty, price in items]
        if not lines:
            raise ValueError("an order needs at least one line")
        order = cls(OrderId(uuid4()), customer_id, shipping_address, lines)
        order.record_event(
            OrderPlaced(
                order_id=order.id,
                customer_id=customer_id,
                skus=tuple(line.sku for line in lines),
                total=order.total,
            )
        )
        return order

    @property
    def total(self) -> Money:
        total = Money.zero(self.lines[0].unit_price.currency)
        for line in self.lines:
            total = total + line.subtotal
        return total

    def add_line(self, sku: Sku, quantity: int, unit_price: Money) -> None:
        self._ensure_status(OrderStatus.PLACED)
        self.lines.append(OrderLine(uuid4(), sku, quantity, unit_price))
        self.record_event(OrderLineAdded(order_id=self.id, sku=sku, quantity=quantity))

    def remove_items(self, skus: Iterable[Sku]) -> None:
        self._ensure_status(OrderStatus.PLACED)
        removed = set(skus)
        self.lines = [line for line in self.lines if line.sku not in removed]
        self.record_event(OrderItemsRemoved(order_id=self.id, skus=sorted(removed)))

    def change_shipping_address(self, new_address: Address) -> None:
        self._ensure_status(OrderStatus.PLACED)
        self.shipping_address = new_address
        self.record_event(ShippingAddressChanged(order_id=self.id, new_address=new_address))

    def cancel(self, reason: CancellationReason) -> None:
        self._ensure_status(OrderStatus.PLACED)
        self.status = OrderStatus.CANCELLED
        self.record_event(
            OrderCancelled(order_id=self.id, customer_id=self.customer_id, reason=reason)
        )

    def ship(self, tracking_number: str) -> None:
        self._ensure_status(OrderStatus.PLACED)
        self.status = OrderStatus.SHIPPED
        self.record_event(ShipOrder(order_id=self.id, tracking_number=tracking_number))

    def _ensure_status(self, expected: OrderStatus) -> None:
        if self.status is not expected:
            raise ValueError(f"order {self.id} is {self.status.value}, not {expected.value}")
