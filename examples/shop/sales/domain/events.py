"""Domain events of the sales context.

Every event inherits ``DomainEvent`` (id and timestamp), is frozen, names a
past fact and refers to other objects by identity or by value.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from shop.sales.domain.value_objects import Address, CustomerId, Money, OrderId, Sku
from shop.shared_kernel.domain.events import DomainEvent


class CancellationReason(str, Enum):
    CUSTOMER_REQUEST = "customer_request"
    PAYMENT_FAILED = "payment_failed"
    OUT_OF_STOCK = "out_of_stock"


@dataclass(frozen=True)
class OrderPlaced(DomainEvent):
    order_id: OrderId
    customer_id: CustomerId
    skus: tuple[Sku, ...]
    total: Money


@dataclass(frozen=True)
class OrderLineAdded(DomainEvent):
    order_id: OrderId
    sku: Sku
    quantity: int


@dataclass(frozen=True, kw_only=True)
class OrderItemsRemoved(DomainEvent):
    order_id: OrderId
    skus: list[Sku]  # DDD104: a list can be changed after the fact; tuple[Sku, ...] cannot


@dataclass(frozen=True, kw_only=True)
class ShippingAddressChanged(DomainEvent):
    order_id: OrderId
    new_address: Address


@dataclass(frozen=True, kw_only=True)
class OrderCancelled(DomainEvent):
    order_id: OrderId
    customer_id: CustomerId
    reason: CancellationReason


@dataclass(frozen=True, kw_only=True)
class ShipOrder(DomainEvent):  # DDD102: an order to the warehouse, not a fact; say OrderShipped
    order_id: OrderId
    tracking_number: str
