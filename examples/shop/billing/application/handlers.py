"""Billing's reactions: to the sales contract, and to its own domain events.

Sales integration events arrive at least once from Kafka, so the handlers
are idempotent; each runs one transaction on one invoice.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Protocol

from shop.billing.application.services import BillingUnitOfWork
from shop.billing.domain.events import InvoicePaid
from shop.billing.domain.invoice import Invoice
from shop.sales.integration_events import OrderCancelledV1, OrderPlacedV1
from shop.shared_kernel.application import (
    EventDispatcher,
    EventHandler,
    IntegrationEventHandler,
)

PAYMENT_TERMS = timedelta(days=14)


class DraftInvoiceOnOrderPlaced(IntegrationEventHandler[OrderPlacedV1]):
    def __init__(self, uow: BillingUnitOfWork) -> None:
        self.uow = uow

    async def handle(self, event: OrderPlacedV1) -> None:
        async with self.uow.transaction():
            invoice = Invoice.draft(
                order_id=event.order_id,
                customer_id=event.customer_id,
                amount=event.total_amount,
                currency=event.currency,
                due_on=event.occurred_at.date() + PAYMENT_TERMS,
            )
            await self.uow.invoices.add(invoice)


class VoidInvoiceOnOrderCancelled(IntegrationEventHandler[OrderCancelledV1]):
    def __init__(self, uow: BillingUnitOfWork, dispatcher: EventDispatcher) -> None:
        self.uow = uow
        self.dispatcher = dispatcher

    async def handle(self, event: OrderCancelledV1) -> None:
        async with self.uow.transaction():
            invoice = await self.uow.invoices.get_by_order(event.order_id)
            invoice.void(reason=f"order cancelled: {event.reason}")
            await self.dispatcher.dispatch_events(invoice.recorded_events)
            invoice.clear_recorded_events()


class Mailer(Protocol):
    def send_receipt(self, invoice_id: object, on: date) -> None: ...


class SendPaymentReceipt(EventHandler[InvoicePaid]):
    def __init__(self, mailer: Mailer) -> None:
        self.mailer = mailer

    def handle(self, event: InvoicePaid) -> None:  # DDD404: the SMTP call blocks the event loop
        self.mailer.send_receipt(event.invoice_id, on=event.occurred_on.date())
