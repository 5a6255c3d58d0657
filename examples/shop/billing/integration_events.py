"""The published contract of the billing context.

Sales listens to these to move an order forward (paid, payment failed,
refunded). Ids and basic types only; tracing fields come from the envelope.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field

from shop.shared_kernel.integration import IntegrationEvent


@dataclass(frozen=True, kw_only=True)
class InvoiceIssuedV1(IntegrationEvent):
    invoice_id: UUID
    order_id: UUID
    customer_id: UUID
    total_amount: Decimal
    currency: str
    due_on: date


@dataclass(frozen=True, kw_only=True)
class InvoicePaidV1(IntegrationEvent):
    invoice_id: UUID
    order_id: UUID
    amount: float  # DDD208: locked as Decimal at version 1; sales still parses a Decimal string
    currency: str


class PaymentFailed(BaseModel):  # DDD201, DDD202, DDD203: hand-rolled, no correlation, causation or version
    """Emitted by the payment-provider webhook, which predates the shared envelope."""

    model_config = ConfigDict(frozen=True)

    event_id: UUID = Field(default_factory=uuid4)
    occurred_at: datetime = Field(default_factory=lambda: datetime.now(timezone.utc))
    invoice_id: UUID
    provider_code: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class RefundIssuedV1(IntegrationEvent):
    """Refunds can also be started by hand from the back office."""

    correlation_id: UUID | None = None  # DDD204: manual refunds become untraceable; pass a fresh id
    invoice_id: UUID
    amount: Decimal
    currency: str
