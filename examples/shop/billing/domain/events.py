"""Domain events of the billing context."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from uuid import UUID, uuid4

import attrs

from shop.sales.domain.order import Order
from shop.shared_kernel.domain.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class InvoiceIssued(DomainEvent):
    invoice_id: UUID
    order_id: UUID
    customer_id: UUID
    total_amount: Decimal
    currency: str
    due_on: date


@dataclass(frozen=True, kw_only=True)
class InvoicePaid(DomainEvent):
    invoice_id: UUID
    order_id: UUID
    amount: Decimal
    currency: str


@dataclass(frozen=True, kw_only=True)
class InvoiceVoided(DomainEvent):
    invoice_id: UUID
    reason: str


@dataclass(frozen=True, kw_only=True)
class InvoiceDueDateExtended(DomainEvent):
    invoice_id: UUID
    new_due_on: date


@dataclass(frozen=True, kw_only=True)
class InvoiceDisputed(DomainEvent):
    """The customer disputes an invoice; support wanted the order next to it."""

    invoice_id: UUID
    order: Order  # DDD103: the sales Order aggregate inside a billing event; carry order_id
    reason: str


@attrs.define
class PaymentReceived:  # DDD101: attrs.define is mutable; @attrs.frozen is what events want
    """Ported from the payments prototype, which used attrs."""

    invoice_id: UUID
    amount: Decimal
    bank_reference: str
    event_id: UUID = attrs.field(factory=uuid4)
    occurred_on: datetime = attrs.field(factory=lambda: datetime.now(timezone.utc))
    reconciled: bool = False

    # Called by the nightly bank-statement reconciliation.
    def mark_reconciled(self) -> None: self.reconciled = True  # DDD108: rewrites a recorded fact


@attrs.frozen(kw_only=True)
class PaymentRefunded:
    """The attrs form done right: frozen, with id and timestamp of its own."""

    invoice_id: UUID
    amount: Decimal
    event_id: UUID = attrs.field(factory=uuid4)
    occurred_on: datetime = attrs.field(factory=lambda: datetime.now(timezone.utc))


@dataclass(frozen=True)
class PaymentReminderSent:  # DDD105, DDD106: no DomainEvent base, so no occurred_on and no event_id
    invoice_id: UUID
    reminder_number: int
    sent_to: str
