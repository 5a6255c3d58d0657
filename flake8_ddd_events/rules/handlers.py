"""Event handlers: async, and exactly the one event they declare (DDD404, DDD405).

A handler is a class recognised through the handler bases (option
``ddd-handler-bases``), bare or subscripted: ``DomainEventHandler[OrderConfirmed]``.
Its entry point is ``handle``, or ``__call__`` when neither it nor a project
base defines ``handle``. A handler is also a function of the module that the module
registers for an event class (``facts.Registration``: ``{OrderPlaced: [send_mail]}``,
``bus.subscribe(OrderPlaced, send_mail)``, ``@handles(OrderPlaced)``).
"""

from __future__ import annotations

from typing import Iterator

from ..syntax.expressions import last_part, names_in
from ..syntax.facts import MethodFact
from ..model.views import ClassView
from ..analysis.recognition import Kind, recognise
from ..analysis.subscriptions import declared_events, entry_point
from .rule import Context, Example, Finding, rule


def _app(source: str) -> Example:
    """Handlers live in the application layer."""
    return Example(source, "shop/sales/application/handlers.py")


@rule(
    "DDD404", "sync-event-handler",
    summary="event handler is not async",
    what="Reports an event handler whose `handle` method (or `__call__`, where the class and "
         "its project bases have no `handle`) is a plain `def`. Points at the `def` line. Only "
         "methods the handler class defines itself are checked; an inherited one is checked "
         "at the class that defines it, if that class is a handler too. Silent when a project "
         "base declares the entry point as a plain `def` (an abstract `def __call__(self, "
         "event)`): the project's dispatcher calls handlers synchronously, and an `async` "
         "override would return a coroutine nobody awaits. A function the same "
         "module registers for an event class is a handler too: a mapping entry "
         "(`{OrderPlaced: [send_confirmation]}`), a registry call "
         "(`bus.subscribe(OrderPlaced, send_confirmation)`) or a decorator "
         "(`@handles(OrderPlaced)`, `@bus.handler(OrderPlaced)`); see the recognition guide. "
         "A plain `def` handler function is reported only when the module registers an "
         "`async def` one too (the dispatcher awaits its handlers): a module whose handler "
         "functions are all plain (a synchronous message bus, as in *Architecture Patterns "
         "with Python*) is left alone.",
    why="Handlers run in the event loop of the dispatcher or the consumer. A synchronous handler "
        "blocks every other handler and request while it waits on I/O (SMTP, HTTP, the "
        "database), and it cannot take part in the async unit of work the dispatcher runs it in.",
    use_instead="`async def handle(self, event: X) -> None`, awaiting async clients; run a "
                "blocking library through `asyncio.to_thread`.",
    invalid=[
        _app("""\
from shop.kernel import EventHandler
from shop.sales.domain.events import InvoicePaid


class SendPaymentReceipt(EventHandler[InvoicePaid]):
    def handle(self, event: InvoicePaid) -> None:  # DDD404
        self.mailer.send_receipt(event.invoice_id)
"""),
        _app("""\
from dataclasses import dataclass

from shop.kernel import DomainEvent


@dataclass(frozen=True)
class InvoicePaid(DomainEvent):
    invoice_id: str


def send_payment_receipt(event: InvoicePaid) -> None:  # DDD404
    mailer.send_receipt(event.invoice_id)


async def book_payment(event: InvoicePaid) -> None:
    await ledger.book(event.invoice_id)


EVENT_HANDLERS = {InvoicePaid: [send_payment_receipt, book_payment]}
"""),
    ],
    valid=[
        _app("""\
import asyncio

from shop.kernel import EventHandler
from shop.sales.domain.events import InvoicePaid


class SendPaymentReceipt(EventHandler[InvoicePaid]):
    async def handle(self, event: InvoicePaid) -> None:
        await asyncio.to_thread(self.mailer.send_receipt, event.invoice_id)


class NotifyWarehouse(EventHandler[InvoicePaid]):
    async def __call__(self, event: InvoicePaid) -> None:
        await self.warehouse.notify(event.invoice_id)
"""),
    ],
    options=("ddd-handler-bases",),
)
def sync_event_handler(context: Context) -> Iterator[Finding]:
    for view, _ in context.of_kind(Kind.HANDLER):
        method = entry_point(view)
        if method is not None and not method.is_async and not _sync_contract(view, method):
            yield Finding(method.node, f"handler '{view.name}' handles its event synchronously; "
                          f"make '{method.name}' async (async def {method.name}) so that while it "
                          "waits on I/O the other handlers still run")
    handlers = function_handlers(context).values()
    if not any(function.is_async for function, _ in handlers):
        return  # a synchronous message bus: no event loop to block
    for function, events in handlers:
        if not function.is_async:
            yield Finding(function.node, f"handler '{function.name}' handles "
                          f"'{events[0].name}' synchronously beside async handlers; make it "
                          f"async (async def {function.name}) so that while it waits on I/O "
                          "the other handlers still run")


def function_handlers(context: Context) -> dict[str, tuple[MethodFact, list[ClassView]]]:
    """By qualname, the module's own functions that it registers as handlers, with the
    events each is registered for (first registration first): only a registration whose
    event resolves to a recognised event counts, and only a function defined here (a
    handler imported from another module is checked there only if registered there)."""
    facts = context.facts
    found: dict[str, tuple[MethodFact, list[ClassView]]] = {}
    for registration in facts.registrations:
        function = facts.functions.get(registration.handler)
        if function is None:
            continue
        resolved = context.model.resolve(facts, registration.event, scope=registration.scope)
        if isinstance(resolved, ClassView) and recognise(resolved, context.settings).is_event:
            events = found.setdefault(registration.handler, (function, []))[1]
            if resolved not in events:
                events.append(resolved)
    return found


def _sync_contract(view: ClassView, method: MethodFact) -> bool:
    """Whether a project base declares the entry point as a plain ``def`` (an abstract
    ``def __call__(self, event)``): the project's dispatcher calls handlers without
    awaiting them, and an ``async`` override would return a coroutine nobody runs."""
    return any(not found.is_async for owner in view.mro[1:]
               if (found := owner.cls.method(method.name)) is not None)


def _event(context: Context, view: ClassView, name: str) -> ClassView | None:
    resolved = context.model.resolve(view.facts, name, scope=view.cls.parent)
    if isinstance(resolved, ClassView) and recognise(resolved, context.settings).is_event:
        return resolved
    return None


@rule(
    "DDD405", "handler-event-mismatch",
    summary="handler does not handle exactly its one declared event",
    what="Reports an event handler that declares a union of events in its base "
         "(`DomainEventHandler[OrderPlaced | OrderCancelled]`, `Union[...]`; at the class), and "
         "a handler whose `handle` (or `__call__`) parameter is annotated with a recognised "
         "event other than the one declared in the base subscript (at the `def`). Silent when "
         "the declared name is not a recognised event (a type variable, an unresolved import), "
         "when the parameter is annotated with a base of the declared event (wider is "
         "type-safe), and for handlers without a subscript. A handler function (registered in "
         "its module for an event class, see DDD404) is reported when its first parameter is "
         "annotated with a recognised event that is none of the events it is registered for "
         "nor a base of one.",
    why="A handler is registered for the event its base declares. A handle that takes another "
        "event is never called with it (or crashes on the fields it expects); a handler for "
        "several events mixes reactions that change for different reasons and cannot be "
        "retried, ordered or monitored one event at a time.",
    use_instead="One handler class per event, whose `handle` takes exactly the declared event.",
    invalid=[
        _app("""\
from shop.kernel import DomainEventHandler
from shop.sales.domain.events import OrderCancelled, OrderPlaced


class ReleaseStock(DomainEventHandler[OrderCancelled | OrderPlaced]):  # DDD405
    async def handle(self, event) -> None:
        await self.reservations.release_all(event.order_id)
"""),
        _app("""\
from dataclasses import dataclass

from shop.kernel import DomainEvent, DomainEventHandler


@dataclass(frozen=True)
class OrderPlaced(DomainEvent):
    order_id: str


@dataclass(frozen=True)
class OrderCancelled(DomainEvent):
    order_id: str


class ReleaseStockOnOrderCancelled(DomainEventHandler[OrderPlaced]):
    async def handle(self, event: OrderCancelled) -> None:  # DDD405
        await self.reservations.release_all(event.order_id)
"""),
        _app("""\
from dataclasses import dataclass

from shop.kernel import DomainEvent, handles


@dataclass(frozen=True)
class OrderPlaced(DomainEvent):
    order_id: str


@dataclass(frozen=True)
class OrderCancelled(DomainEvent):
    order_id: str


@handles(OrderPlaced)
async def release_stock(event: OrderCancelled) -> None:  # DDD405
    await reservations.release_all(event.order_id)
"""),
    ],
    valid=[
        _app("""\
from dataclasses import dataclass

from shop.kernel import DomainEvent, DomainEventHandler


@dataclass(frozen=True)
class OrderCancelled(DomainEvent):
    order_id: str


class ReleaseStockOnOrderCancelled(DomainEventHandler[OrderCancelled]):
    async def handle(self, event: OrderCancelled) -> None:
        await self.reservations.release_all(event.order_id)


class AuditOrderCancelled(DomainEventHandler):
    async def handle(self, event: OrderCancelled) -> None:
        await self.audit.write(event.order_id)
"""),
    ],
    options=("ddd-handler-bases",),
)
def handler_event_mismatch(context: Context) -> Iterator[Finding]:
    for view, _ in context.of_kind(Kind.HANDLER):
        declared = declared_events(view, context.settings)
        if declared is None:
            continue
        names, union = declared
        if union:
            yield Finding(view.cls.node, f"handler '{view.name}' declares several events "
                          f"({' | '.join(map(last_part, names))}); write one handler per event")
            continue
        expected = _event(context, view, names[0]) if len(names) == 1 else None
        method = entry_point(view)
        if expected is None or method is None or not method.params:
            continue
        for name in names_in(method.params[0].annotation):
            taken = _event(context, view, name)
            if taken is not None and taken is not expected and taken not in expected.mro:
                yield Finding(method.node, f"handler '{view.name}' is declared for "
                              f"'{expected.name}' but its {method.name} takes '{taken.name}'; "
                              f"handle '{expected.name}' here and '{taken.name}' in a handler of "
                              "its own")
                break
    for function, events in function_handlers(context).values():
        if not function.params:
            continue
        for name in names_in(function.params[0].annotation):
            resolved = context.model.resolve(context.facts, name)
            taken = resolved if isinstance(resolved, ClassView) and recognise(
                resolved, context.settings).is_event else None
            if taken is not None and not any(taken is e or taken in e.mro for e in events):
                registered = events[0].name
                yield Finding(function.node, f"handler '{function.name}' is registered for "
                              f"'{registered}' but takes '{taken.name}'; handle '{registered}' "
                              f"here and '{taken.name}' in a handler of its own")
                break
