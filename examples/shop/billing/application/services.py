"""Billing use cases.

Each runs in one ``uow.transaction()``: the invoice is changed through its own
methods, its domain events are dispatched and cleared inside the transaction,
and the integration event is written to the outbox, never sent directly.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from datetime import date
from decimal import Decimal
from typing import Protocol
from uuid import UUID

from shop.billing.domain.events import InvoiceDueDateExtended
from shop.billing.domain.invoice import Invoice
from shop.billing.integration_events import InvoiceIssuedV1, InvoicePaidV1
from shop.shared_kernel.application import EventDispatcher, MessageBus, Outbox


class InvoiceRepository(Protocol):
    async def get(self, invoice_id: UUID) -> Invoice: ...

    async def get_by_order(self, order_id: UUID) -> Invoice: ...

    async def add(self, invoice: Invoice) -> None: ...


class BillingUnitOfWork(Protocol):
    invoices: InvoiceRepository
    outbox: Outbox

    def transaction(self) -> AbstractAsyncContextManager[None]: ...


class InvoiceService:
    def __init__(
        self, uow: BillingUnitOfWork, dispatcher: EventDispatcher, message_bus: MessageBus
    ) -> None:
        self.uow = uow
        self.dispatcher = dispatcher
        self.message_bus = message_bus

    async def issue_invoice(self, invoice_id: UUID, command_id: UUID, correlation_id: UUID) -> None:
        async with self.uow.transaction():
            invoice = await self.uow.invoices.get(invoice_id)
            invoice.issue()
            await self.dispatcher.dispatch_events(invoice.recorded_events)
            invoice.clear_recorded_events()
            await self.uow.outbox.add(
                InvoiceIssuedV1(
                    correlation_id=correlation_id,
                    causation_id=command_id,
                    invoice_id=invoice.id,
                    order_id=invoice.order_id,
                    customer_id=invoice.customer_id,
                    total_amount=invoice.total,
                    currency=invoice.currency,
                    due_on=invoice.due_on,
                )
            )

    async def record_payment(
        self, invoice_id: UUID, amount: Decimal, command_id: UUID, correlation_id: UUID
    ) -> None:
        async with self.uow.transaction():
            invoice = await self.uow.invoices.get(invoice_id)
            invoice.register_payment(amount)
            await self.dispatcher.dispatch_events(invoice.recorded_events)
            invoice.clear_recorded_events()
            await self.message_bus.publish(  # DDD401: sales hears "paid" even if this rolls back
                InvoicePaidV1(
                    correlation_id=correlation_id,
                    causation_id=command_id,
                    invoice_id=invoice.id,
                    order_id=invoice.order_id,
                    amount=amount,
                    currency=invoice.currency,
                )
            )

    async def extend_due_date(self, invoice_id: UUID, new_due_on: date) -> None:
        async with self.uow.transaction():
            invoice = await self.uow.invoices.get(invoice_id)
            invoice.due_on = new_due_on
            invoice.record_event(  # DDD303: the service decides what happened; add Invoice.extend_due_date
                InvoiceDueDateExtended(invoice_id=invoice.id, new_due_on=new_due_on)
            )
            await self.dispatcher.dispatch_events(invoice.recorded_events)
            invoice.clear_recorded_events()
