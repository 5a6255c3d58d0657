"""DDD404/DDD405: handlers are async and handle exactly the one event they declare."""

from __future__ import annotations

import textwrap

from flake8_ddd_events.config.settings import Settings

from ..conftest import expected_markers, findings

CODES = {"DDD404", "DDD405"}
EVENTS = """\
from dataclasses import dataclass

from shop.kernel import DomainEvent


@dataclass(frozen=True)
class OrderEvent(DomainEvent):
    order_id: str


@dataclass(frozen=True)
class OrderPlaced(OrderEvent):
    pass


@dataclass(frozen=True)
class OrderCancelled(OrderEvent):
    pass
"""


def check(source: str, tmp_path, filename: str = "shop/sales/application/handlers.py", **options):
    events = tmp_path / "shop" / "sales" / "domain" / "events.py"
    events.parent.mkdir(parents=True, exist_ok=True)
    events.write_text(EVENTS)
    source = textwrap.dedent(source)
    settings = Settings.from_values({"ddd-source-roots": [str(tmp_path)], **options})
    found = set(findings(source, filename, settings=settings, codes=CODES, root=tmp_path))
    assert found == {(line, code) for line, code in expected_markers(source) if code in CODES}


# -- DDD404 -------------------------------------------------------------------------------------

def test_sync_handle_or_call_fires_at_the_def_line(tmp_path):
    check("""\
        from typing import override

        from shop.kernel import EventHandler, IntegrationEventHandler
        from shop.sales.domain.events import OrderPlaced


        class SendReceipt(EventHandler[OrderPlaced]):
            @override
            def handle(self, event: OrderPlaced) -> None:  # DDD404
                self.mailer.send(event.order_id)


        class Notify(IntegrationEventHandler):
            def __call__(self, event) -> None:  # DDD404
                self.client.post(event)
        """, tmp_path)


def test_the_message_says_what_to_do_and_why_without_assuming_an_event_loop(tmp_path):
    from flake8_ddd_events.lint.pipeline import check_source
    from flake8_ddd_events.model.project_model import ProjectModel

    source = ("from shop.kernel import EventHandler\n\n\n"
              "class SendReceipt(EventHandler):\n    def handle(self, event) -> None:\n"
              "        self.mailer.send(event.order_id)\n")
    settings = Settings.from_values({"ddd-source-roots": [str(tmp_path)]})
    [report] = check_source(source, str(tmp_path / "shop/sales/application/handlers.py"),
                            settings, {"DDD404"}, ProjectModel(settings))
    assert report.message == (
        "DDD404 handler 'SendReceipt' handles its event synchronously; make 'handle' async "
        "(async def handle) so that while it waits on I/O the other handlers still run")


def test_async_handlers_and_non_entry_points_are_quiet(tmp_path):
    check("""\
        from shop.kernel import EventHandler
        from shop.sales.domain.events import OrderPlaced


        class SendReceipt(EventHandler[OrderPlaced]):
            async def handle(self, event: OrderPlaced) -> None:
                await self.mailer.send(event.order_id)

            def __call__(self, event: OrderPlaced) -> None:
                self.sync_fallback(event)

            def format(self, event: OrderPlaced) -> str:
                return str(event.order_id)


        class RetryingReceipt(SendReceipt):
            def __call__(self, event: OrderPlaced) -> None:
                self.retry(event)


        class ReportBuilder:
            def handle(self, request) -> None:
                pass
        """, tmp_path)


def test_handler_bases_are_an_option(tmp_path):
    check("""\
        from shop.kernel import EventHandler, Subscriber


        class Notify(Subscriber):
            def handle(self, event) -> None:  # DDD404
                pass


        class Other(EventHandler):
            def handle(self, event) -> None:
                pass
        """, tmp_path, **{"ddd-handler-bases": "Subscriber"})


# -- DDD405 -------------------------------------------------------------------------------------

def test_union_declared_is_reported_at_the_class(tmp_path):
    check("""\
        from typing import Union
        import typing

        from shop.kernel import DomainEventHandler, register
        from shop.sales.domain.events import OrderCancelled, OrderPlaced


        @register
        class Release(DomainEventHandler[Union[OrderPlaced, OrderCancelled]]):  # DDD405
            async def handle(self, event: OrderPlaced) -> None:
                pass


        class Audit(DomainEventHandler[typing.Union[OrderPlaced, OrderCancelled, None]]):  # DDD405
            async def handle(self, event) -> None:
                pass


        class Optional(DomainEventHandler[OrderPlaced | None]):
            async def handle(self, event: OrderPlaced) -> None:
                pass
        """, tmp_path)


def test_handle_taking_another_event_is_reported_at_the_def(tmp_path):
    check("""\
        from shop.kernel import DomainEventHandler
        from shop.sales.domain.events import OrderCancelled, OrderEvent, OrderPlaced


        class Release(DomainEventHandler[OrderPlaced]):
            async def handle(self, event: OrderCancelled) -> None:  # DDD405
                pass


        class Both(DomainEventHandler[OrderPlaced]):
            async def handle(self, event: OrderPlaced | OrderCancelled) -> None:  # DDD405
                pass


        class Narrowed(DomainEventHandler[OrderEvent]):
            async def __call__(self, event: OrderPlaced) -> None:  # DDD405
                pass
        """, tmp_path)


def test_matching_widened_unknown_and_undeclared_are_quiet(tmp_path):
    check("""\
        from typing import Generic, TypeVar

        from shop.external import ThirdPartyEvent
        from shop.kernel import DomainEvent, DomainEventHandler
        from shop.sales.domain.events import OrderEvent, OrderPlaced

        E = TypeVar("E", bound=DomainEvent)


        class Exact(DomainEventHandler[OrderPlaced]):
            async def handle(self, event: OrderPlaced) -> None:
                pass


        class Widened(DomainEventHandler[OrderPlaced]):
            async def handle(self, event: OrderEvent) -> None:
                pass


        class Generic_(DomainEventHandler[E], Generic[E]):
            async def handle(self, event: E) -> None:
                pass


        class External(DomainEventHandler[ThirdPartyEvent]):
            async def handle(self, event: OrderPlaced) -> None:
                pass


        class Undeclared(DomainEventHandler):
            async def handle(self, event: OrderPlaced) -> None:
                pass


        class NoParameters(DomainEventHandler[OrderPlaced]):
            async def handle(self) -> None:
                pass
        """, tmp_path)


def test_declared_event_through_a_project_handler_base(tmp_path):
    check("""\
        from typing import Generic, TypeVar

        from shop.kernel import DomainEventHandler
        from shop.sales.domain.events import OrderCancelled, OrderPlaced

        E = TypeVar("E")


        class TransactionalHandler(DomainEventHandler[E], Generic[E]):
            async def handle(self, event: E) -> None:
                pass


        class Release(TransactionalHandler[OrderPlaced]):
            async def handle(self, event: OrderCancelled) -> None:  # DDD405
                pass
        """, tmp_path)


# -- handlers written as functions ----------------------------------------------------------

def test_functions_in_an_event_handler_mapping_are_handlers(tmp_path):
    check("""\
        from typing import Callable, Dict, List, Type

        from shop.kernel import DomainEvent
        from shop.sales.domain import events
        from shop.sales.domain.events import OrderCancelled, OrderPlaced


        def send_confirmation(event: OrderPlaced) -> None:  # DDD404
            ...


        async def add_to_ledger(event: events.OrderEvent) -> None:
            ...


        async def release_stock(event: OrderPlaced) -> None:  # DDD405
            ...


        EVENT_HANDLERS = {
            OrderPlaced: [send_confirmation, add_to_ledger],
            # cancellations
            events.OrderCancelled: [release_stock],
        }
        MORE: Dict[Type[DomainEvent], List[Callable]] = {OrderCancelled: [add_to_ledger]}
        """, tmp_path)


def test_functions_registered_by_a_call_or_a_decorator_are_handlers(tmp_path):
    check("""\
        from shop.kernel import bus, handles
        from shop.sales.domain.events import OrderCancelled, OrderPlaced


        def notify(event: OrderPlaced) -> None:  # DDD404
            ...


        @handles(OrderPlaced)
        def audit(event: OrderCancelled) -> None:  # DDD404, DDD405
            ...


        @bus.handle(OrderCancelled)
        async def refund(event: OrderCancelled) -> None:
            ...


        @bus.subscribe(OrderPlaced, priority=1)
        async def reserve(event) -> None:
            ...


        bus.subscribe(OrderPlaced, notify)
        """, tmp_path)


def test_registrations_of_things_that_are_not_events_make_no_handler(tmp_path):
    check("""\
        import atexit

        from shop.kernel import bus, handles
        from shop.sales.application.commands import PlaceOrder
        from shop.sales.domain.events import OrderPlaced


        def place_order(command: PlaceOrder) -> None:
            ...


        def flush(size: int) -> None:
            ...


        def on_placed(event: OrderPlaced) -> None:
            ...


        COMMAND_HANDLERS = {PlaceOrder: [place_order]}
        ROUTES = {"order.placed": [on_placed]}
        atexit.register(flush, 10)
        bus.subscribe("order.placed", on_placed)


        @handles("order.placed")
        def logged(event) -> None:
            ...
        """, tmp_path)


def test_a_handler_function_registered_in_another_module_is_not_checked_here(tmp_path):
    check("""\
        from shop.sales.domain.events import OrderPlaced


        def notify(event: OrderPlaced) -> None:
            ...
        """, tmp_path)


def test_a_synchronous_message_bus_has_no_event_loop_to_block(tmp_path):
    check("""\
        from shop.sales.domain.events import OrderCancelled, OrderPlaced


        def send_confirmation(event: OrderPlaced) -> None:
            ...


        def release_stock(event: OrderPlaced) -> None:  # DDD405
            ...


        EVENT_HANDLERS = {OrderPlaced: [send_confirmation], OrderCancelled: [release_stock]}
        """, tmp_path)
