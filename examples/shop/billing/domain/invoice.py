"""The Invoice aggregate, and the BillingAccount that groups a customer's invoices.

An invoice refers to its order and customer by id: they belong to sales.
Invoice lines are entities inside the invoice's boundary.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import Enum
from uuid import UUID, uuid4

from shop.billing.domain.events import InvoiceIssued, InvoicePaid, InvoiceVoided
from shop.shared_kernel.domain.events import AggregateRoot, Entity


class InvoiceStatus(Enum):
    DRAFT = "draft"
    ISSUED = "issued"
    PAID = "paid"
    VOID = "void"


class InvoiceLine(Entity):
    def __init__(self, line_id: UUID, description: str, amount: Decimal) -> None:
        super().__init__(line_id)
        self.description = description
        self.amount = amount


class Invoice(AggregateRoot):
    def __init__(
        self,
        invoice_id: UUID,
        order_id: UUID,
        customer_id: UUID,
        lines: list[InvoiceLine],
        currency: str,
        due_on: date,
    ) -> None:
        super().__init__(invoice_id)
        self.order_id = order_id
        self.customer_id = customer_id
        self.lines = lines
        self.currency = currency
        self.due_on = due_on
        self.status = InvoiceStatus.DRAFT

    @classmethod
    def draft(
        cls, order_id: UUID, customer_id: UUID, amount: Decimal, currency: str, due_on: date
    ) -> Invoice:
        line = InvoiceLine(uuid4(), f"Order {order_id}", amount)
        return cls(uuid4(), order_id, customer_id, [line], currency, due_on)

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))

    def issue(self) -> None:
        if self.status is not InvoiceStatus.DRAFT:
            raise ValueError("only a draft can be issued")
        self.status = InvoiceStatus.ISSUED
        self.record_event(
            InvoiceIssued(
                invoice_id=self.id,
                order_id=self.order_id,
                customer_id=self.customer_id,
                total_amount=self.total,
                currency=self.currency,
                due_on=self.due_on,
            )
        )

    def register_payment(self, amount: Decimal) -> None:
        if self.status is not InvoiceStatus.ISSUED or amount != self.total:
            raise ValueError("payment does not settle this invoice")
        self.status = InvoiceStatus.PAID
        self.record_event(
            InvoicePaid(
                invoice_id=self.id, order_id=self.order_id, amount=amount, currency=self.currency
            )
        )

    def void(self, reason: str) -> None:
        if self.status is InvoiceStatus.PAID:
            raise ValueError("a paid invoice is refunded, not voided")
        self.status = InvoiceStatus.VOID
        self.record_event(InvoiceVoided(invoice_id=self.id, reason=reason))


class BillingAccount(AggregateRoot):
    """A customer's payment terms and dunning level."""

    def __init__(
        self,
        account_id: UUID,
        customer_id: UUID,
        open_invoices: list[Invoice],
        dunning_level: int = 0,
    ) -> None:
        super().__init__(account_id)
        self.customer_id = customer_id
        self.open_invoices = open_invoices  # DDD302: loads and locks every open invoice; keep their ids
        self.dunning_level = dunning_level
