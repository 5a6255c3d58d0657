"""DDD301-DDD303: aggregates record events, hold others by identity, decide their own facts."""

from __future__ import annotations

import textwrap

from flake8_ddd_events.lint.pipeline import check_source
from flake8_ddd_events.model.project_model import ProjectModel
from flake8_ddd_events.config.settings import Settings

from ..conftest import expected_markers, findings

CODES = {"DDD301", "DDD302", "DDD303"}


def check(source: str, tmp_path, filename: str = "shop/sales/domain/order.py", **options):
    source = textwrap.dedent(source)
    settings = Settings.from_values({"ddd-source-roots": [str(tmp_path)], **options})
    found = set(findings(source, filename, settings=settings, codes=CODES, root=tmp_path))
    expected = {(line, code) for line, code in expected_markers(source) if code in CODES}
    assert found == expected
    return found


def messages(source: str, tmp_path, filename: str = "shop/sales/domain/order.py") -> list[str]:
    settings = Settings.from_values({"ddd-source-roots": [str(tmp_path)]})
    reports = check_source(textwrap.dedent(source), str(tmp_path / filename), settings, CODES,
                           ProjectModel(settings))
    return [r.message for r in reports]


# -- DDD301 -------------------------------------------------------------------------------------

def test_publisher_receivers_and_bare_dispatch_fire(tmp_path):
    check("""\
        from shop.kernel import AggregateRoot, Entity, DomainEvent
        from shop.messaging import emit


        class OrderPlaced(DomainEvent):
            pass


        class Order(AggregateRoot):
            def place(self, notifier) -> None:
                self._publisher.publish_all(self._pending)  # DDD301
                self.event_bus.dispatch_events()  # DDD301
                notifier.publish(OrderPlaced())  # DDD301
                self.portal.publish(OrderPlaced())  # DDD301: the argument is an event
                self.portal.publish(event=self.pending_event)  # DDD301
                self.buses[0].dispatch(self)
                get_bus().publish(self)  # DDD301
                (self._bus or self.fallback).publish(self)
                self.portal.publish(self.id, str(self))
                emit(self._pending)  # DDD301

                def later() -> None:
                    self.kafka_producer.emit(self)  # DDD301
                later()


        class OrderLine(Entity):
            def cancel(self, event) -> None:
                self.hub.publish_event(event)  # DDD301
        """, tmp_path)


def test_own_business_method_named_publish_and_recording_are_quiet(tmp_path):
    check("""\
        from shop.kernel import AggregateRoot, Entity


        class Post(Entity):
            def publish(self) -> None:
                self.status = "published"


        class Listing(AggregateRoot):
            def publish(self) -> None:
                self.status = "published"
                self.record_event(self.status)
                self._events.append(self.status)

            def relist(self) -> None:
                self.publish()
                self.posts[0].publish()
                for post in self.posts:
                    post.publish()


        class FeaturedListing(Listing):
            def publish(self) -> None:
                super().publish()

            @classmethod
            def create(cls) -> "FeaturedListing":
                listing = cls()
                cls.publish(listing)
                return listing
        """, tmp_path)


def test_publishing_outside_aggregates_is_not_ddd301(tmp_path):
    check("""\
        class OrderService:
            def place(self, order) -> None:
                self.message_bus.publish(order.recorded_events)


        def place(bus, event) -> None:
            bus.publish(event)
        """, tmp_path, filename="shop/sales/application/services.py")


def test_publish_methods_are_an_option(tmp_path):
    check("""\
        from shop.kernel import AggregateRoot


        class Order(AggregateRoot):
            def place(self) -> None:
                self._bus.announce(self.id)  # DDD301
                self._bus.publish(self.id)
        """, tmp_path, **{"ddd-aggregate-publish-methods": "announce"})


def test_ddd301_message_says_record_instead(tmp_path):
    [message] = messages("""\
        from shop.kernel import AggregateRoot


        class Customer(AggregateRoot):
            def change_limit(self, event) -> None:
                self._bus.publish(event)
        """, tmp_path)
    assert "aggregate 'Customer' publishes through 'self._bus.publish()'" in message
    assert "record the event" in message


# -- DDD302 -------------------------------------------------------------------------------------

def test_aggregate_stored_as_field_self_attribute_or_in_a_container_on_self(tmp_path):
    check("""\
        from dataclasses import dataclass
        from typing import Optional

        from shop.kernel import AggregateRoot, Entity


        class Customer(AggregateRoot):
            pass


        class OrderLine(Entity):
            pass


        @dataclass
        class Cart(AggregateRoot):
            owner: Optional[Customer]  # DDD302
            lines: tuple[OrderLine, ...]


        class Order(AggregateRoot):
            def __init__(
                self,
                customer: "Customer",
                lines: list[OrderLine],
                referrers: dict[str, list[Customer]],
                backup: Customer | None = None,
            ) -> None:
                self.customer: Customer = customer  # DDD302
                self.lines = lines
                self.referrers = dict(referrers)  # DDD302
                self.contacts = [backup or customer]  # DDD302
                self.watchers = {}

            def assign(self, agent) -> None:
                self.agent: Customer | None = agent  # DDD302

            def watch(self, watcher: Customer) -> None:
                self.watchers.setdefault(watcher.id, watcher)  # DDD302
        """, tmp_path)


def test_entities_and_non_aggregates_may_hold_aggregates(tmp_path):
    check("""\
        from shop.kernel import AggregateRoot, Entity


        class Customer(AggregateRoot):
            pass


        class OrderLine(Entity):
            customer: Customer


        class CustomerView:
            def __init__(self, customer: Customer) -> None:
                self.customer = customer


        class Order(AggregateRoot):
            def __init__(self, customer_id: str, line: OrderLine) -> None:
                self.customer_id = customer_id
                self.line = line

            def reassign(self, customer: Customer) -> None:
                self.customer_id = customer.id
        """, tmp_path)


def test_aggregate_in_another_module_is_resolved(tmp_path):
    customer = tmp_path / "shop" / "customers" / "domain" / "customer.py"
    customer.parent.mkdir(parents=True)
    customer.write_text("from shop.kernel import AggregateRoot\n\n\n"
                        "class Customer(AggregateRoot):\n    pass\n")
    source = """\
        from shop.customers.domain.customer import Customer
        from shop.kernel import AggregateRoot


        class Order(AggregateRoot):
            customers: tuple[Customer, ...]  # DDD302
        """
    check(source, tmp_path)
    [message] = messages(source, tmp_path)
    assert message.endswith("aggregate 'Order' holds aggregate 'Customer' in 'customers'; "
                            "reference it by identity (customer_ids)")


# -- DDD303 -------------------------------------------------------------------------------------

def test_recording_from_services_and_functions_fires(tmp_path):
    check("""\
        class InvoiceService:
            def extend(self, invoice, event) -> None:
                invoice.record_event(event)  # DDD303
                self.invoice.add_domain_event(event)  # DDD303


        def extend(invoice, event) -> None:
            invoice.record_event(  # DDD303: reported at the call's first line
                event,
            )
        """, tmp_path, filename="shop/billing/application/services.py")


def test_recording_inside_the_aggregate_or_the_recorder_is_fine(tmp_path):
    check("""\
        from shop.kernel import AggregateRoot


        class EventRecorder:
            def record_event(self, event) -> None:
                self._events.append(event)

            def record_from(self, other, event) -> None:
                other.record_event(event)


        class Saga(EventRecorder):
            def step(self, other, event) -> None:
                other.record_event(event)


        class Invoice(AggregateRoot):
            @classmethod
            def draft(cls, event) -> "Invoice":
                invoice = cls()
                invoice.record_event(event)
                return invoice

            @staticmethod
            def copy(invoice, event) -> None:
                invoice.record_event(event)

            class Lines:
                def add(self, invoice, event) -> None:
                    invoice.record_event(event)


        def record(event) -> None:
            record_event(event)
        """, tmp_path)


def test_analytics_look_alikes_are_quiet(tmp_path):
    check("""\
        import analytics
        from shop.telemetry import Tracker


        def checkout(tracker, cart) -> None:
            tracker.record_event("checkout", cart_id=cart.id)
            tracker.record_event(f"checkout-{cart.id}")
            analytics.record_event(cart)
            Tracker.record_event(cart)
        """, tmp_path, filename="shop/sales/application/checkout.py")


def test_record_methods_are_an_option(tmp_path):
    check("""\
        def extend(invoice, event) -> None:
            invoice.note_fact(event)  # DDD303
            invoice.record_event(event)
        """, tmp_path, **{"ddd-record-methods": ["note_fact"]})


def test_a_class_name_bound_by_an_import_is_never_an_event_instance(tmp_path):
    """``mediator.register_event(ChatOpened, [handler])`` registers a class, whether or not its
    module resolves (here nothing does: ``domain.events`` is under no source root); a name
    bound by an import that is not a class name, or a local value, is still an instance."""
    check("""\
        from domain import events
        from domain.events import DEFAULT_EVENT, ChatOpened
        from logic.mediator import Mediator


        class Ping:
            pass


        def wire(mediator: Mediator, chat, event) -> None:
            mediator.register_event(ChatOpened, [print])
            mediator.register_event(events.MessagePosted, [print])
            mediator.register_event(Ping, [print])
            chat.register_event(DEFAULT_EVENT)  # DDD303
            chat.register_event(event)  # DDD303
            chat.register_event(ChatOpened(chat_id="c-1"))  # DDD303
        """, tmp_path, filename="logic/init.py")


def test_the_chat_service_registrations_are_quiet_with_its_roots_found_or_not(tmp_path):
    """The fixture's code in ``app/``, imported from there: with the roots the imports show,
    ``Mediator`` and the events resolve; with the start folder as the only root, nothing
    does; DDD303 is silent either way."""
    import shutil
    from pathlib import Path

    from flake8_ddd_events.source.modules import discover_roots

    chat = tmp_path / "chat"
    shutil.copytree(Path(__file__).resolve().parents[1] / "fixtures" / "chat_service", chat)
    wiring = chat / "app/logic/init.py"
    found_roots = [str(chat / root) for root in discover_roots(str(chat))]
    assert found_roots == [str(chat / "."), str(chat / "app")]
    for roots in (found_roots, [str(chat)]):
        settings = Settings.from_values({"ddd-source-roots": roots})
        reports = check_source(wiring.read_text(), str(wiring), settings, CODES,
                               ProjectModel(settings))
        assert [r.code for r in reports] == [], roots
