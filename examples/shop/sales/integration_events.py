"""The published contract of the sales context.

Other contexts (billing, the warehouse, the data team) consume these from
Kafka. Payloads use identities and basic types only, so that sales can change
its model without breaking a consumer; a new shape gets a new ``V`` suffix.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from shop.sales.domain.value_objects import Address
from shop.shared_kernel.integration import IntegrationEvent


@dataclass(frozen=True, kw_only=True)
class OrderPlacedV1(IntegrationEvent):
    order_id: UUID
    customer_id: UUID
    skus: tuple[str, ...]
    total_amount: Decimal
    currency: str


@dataclass(frozen=True, kw_only=True)
class OrderCancelledV1(IntegrationEvent):
    order_id: UUID
    customer_id: UUID
    reason: str


@dataclass(frozen=True, kw_only=True)
class OrderShippedV1(IntegrationEvent):
    order_id: UUID
    tracking_number: str
    shipping_address: Address  # DDD205: leaks the sales Address value object; flatten to str fields


@dataclass(frozen=True, kw_only=True)
class OrderFinalizedV1(IntegrationEvent):  # DDD206: a table dump for the warehouse team, not one fact
    order_id: UUID
    customer_id: UUID
    customer_email: str
    customer_name: str
    shipping_street: str
    shipping_city: str
    shipping_postcode: str
    shipping_country: str
    subtotal_amount: Decimal
    discount_amount: Decimal
    tax_amount: Decimal
    total_amount: Decimal
    currency: str
    payment_method: str
    line_count: int
    shipped_at: datetime
