"""Which events are stored (``stored_events``): their framework, version, topic,
upcasters and topic aliases, per framework."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from flake8_ddd_events.syntax.collect import collect
from flake8_ddd_events.model.project_model import ProjectModel
from flake8_ddd_events.config.settings import Settings
from flake8_ddd_events.analysis.stored_events import (
    module_stored_events,
    protean_class_name,
    topic_aliases,
    topic_covered,
    upcast_steps,
)

from .conftest import write_file


def stored(source: str, module: str = "pets.domain", root: str = "/nonexistent",
           **options) -> dict[str, tuple]:
    """name -> (framework, topic, version, fields of a generated event, upcast steps,
    topic aliases)."""
    settings = Settings.from_values({"ddd-source-roots": [root], **options})
    facts = collect(cst.parse_module(textwrap.dedent(source)), "x.py", module, False)
    model = ProjectModel(settings)
    return {e.name.removeprefix(module + "."): (
        e.framework, e.topic, e.version,
        tuple(p.name for p in e.fields) if e.generated else None,
        tuple(sorted(upcast_steps(e, model, settings))),
        tuple(sorted(topic_aliases(e, model, settings))))
        for e in module_stored_events(facts, model, settings)}


ESOURCING = """
    from eventsourcing.domain import Aggregate, event

    class Dog(Aggregate):
        class Registered(Aggregate.Created):
            name: str

        class TrickAdded(Aggregate.Event):
            class_version = 3
            trick: str

            @staticmethod
            def upcast_v1_v2(state):
                state["difficulty"] = 1

            @staticmethod
            def upcast_v2_v3(state):
                state["style"] = ""

        @event("Renamed")
        def rename(self, name: str, reason: str = "") -> None:
            self.name = name

        @event
        def fed_well(self, food: str, *args, **kwargs) -> None:
            pass

        @event(TrickAdded)
        def add_trick(self, trick: str) -> None:
            pass

        def bark(self) -> None:
            pass
"""


def test_eventsourcing_nested_events_and_the_events_the_decorator_generates():
    found = stored(ESOURCING)
    assert found == {
        "Dog.Registered": ("eventsourcing", "pets.domain:Dog.Registered", 1, None, (), ()),
        "Dog.TrickAdded": ("eventsourcing", "pets.domain:Dog.TrickAdded", 3, None,
                           ((1, 2), (2, 3)), ()),
        "Dog.Renamed": ("eventsourcing", "pets.domain:Dog.Renamed", 1, ("name", "reason"),
                        (), ()),
        "Dog.FedWell": ("eventsourcing", "pets.domain:Dog.FedWell", 1, ("food",), (), ()),
    }


def test_eventsourcing_created_event_from_init_unless_a_nested_class_is_it():
    found = stored("""
        from eventsourcing.domain import Aggregate, event

        class Cat(Aggregate):
            def __init__(self, name: str, id=None):
                self.name = name

        class Cow(Aggregate, created_event_name="Born"):
            def __init__(self, name: str):
                self.name = name

        class Owl(Aggregate):
            @event("Hatched")
            def __init__(self, name: str):
                self.name = name

        class Dog(Aggregate):
            class Registered(Aggregate.Created):
                name: str

            def __init__(self, name: str):
                self.name = name
    """)
    assert {name: value[3] for name, value in found.items()} == {
        "Cat.Created": ("name",), "Cow.Born": ("name",), "Owl.Hatched": ("name",),
        "Dog.Registered": None}


def test_eventsourcing_domain_event_subclass_outside_an_aggregate_and_inheritors():
    found = stored("""
        from eventsourcing.domain import Aggregate, DomainEvent

        class Dog(Aggregate):
            class Event(Aggregate.Event):
                pass

        class Barked(Dog.Event):
            volume: int

        class Audited(DomainEvent):
            note: str
    """)
    assert set(found) == {"Barked", "Audited"}
    assert found["Barked"][1] == "pets.domain:Barked"


def test_an_event_of_no_framework_is_not_stored_unless_configured():
    source = """
        from dataclasses import dataclass

        class StoredEvent:
            pass

        @dataclass(frozen=True)
        class OrderPlaced(StoredEvent):
            order_id: str
            event_version: int = 2
    """
    assert stored(source) == {}
    found = stored(source, **{"ddd-stored-event-bases": ["StoredEvent"]})
    assert found == {"OrderPlaced": ("configured", "pets.domain:OrderPlaced", 2, None, (), ())}


def test_events_of_a_configured_stored_module():
    found = stored("""
        from dataclasses import dataclass

        @dataclass(frozen=True)
        class OrderPlaced:
            order_id: str

        @dataclass(frozen=True)
        class Money:
            amount: int
    """, module="shop.history", **{"ddd-stored-event-modules": ["history"]})
    assert set(found) == {"OrderPlaced"}
    assert found["OrderPlaced"][2] is None  # no version: the lock says so


PROTEAN = """
    from protean import Domain
    from protean.core.event import BaseEvent

    domain = Domain(name="Shop")

    @domain.event(part_of="Order")
    class OrderPlaced:
        __version__ = "v2"
        order_id: str

    class OrderShipped(BaseEvent):
        order_id: str

    @domain.event(part_of="Order", version=3)
    class OrderPaid:
        order_id: str

    @domain.upcaster(event_type=OrderPlaced, from_version=1, to_version=2)
    class UpcastPlaced:
        def upcast(self, data):
            return data

    domain.register(UpcastPaid, event_type="Shop.OrderPaid", from_version=2, to_version=3)
    domain.register_external_event(OrderShipped, "Shop.OrderSent.v1")
"""


def test_protean_events_versions_upcasters_and_external_type_strings():
    found = stored(PROTEAN, module="shop.orders")
    assert found == {
        "OrderPlaced": ("protean", "OrderPlaced", 2, None, ((1, 2),), ("OrderSent",)),
        "OrderShipped": ("protean", "OrderShipped", 1, None, (), ("OrderSent",)),
        "OrderPaid": ("protean", "OrderPaid", 3, None, ((2, 3),), ("OrderSent",)),
    }


def test_upcasters_are_found_in_an_upcaster_module_of_a_package_above(tmp_path):
    write_file(tmp_path, "shop/__init__.py", "")
    write_file(tmp_path, "shop/orders/__init__.py", "")
    write_file(tmp_path, "shop/upcasters.py", textwrap.dedent("""
        from shop.orders.events import OrderPlaced
        from shop.domain import domain

        @domain.upcaster(event_type=OrderPlaced, from_version=1, to_version=2)
        class UpcastPlaced:
            pass

        register_topic("shop.old_orders", OrderPlaced)
    """))
    source = """
        from shop.domain import domain

        @domain.event(part_of="Order")
        class OrderPlaced:
            __version__ = 2
            order_id: str
    """
    write_file(tmp_path, "shop/orders/events.py", textwrap.dedent(source))
    found = stored(source, module="shop.orders.events", root=str(tmp_path))
    assert found["OrderPlaced"][4:] == (((1, 2),), ("shop.old_orders",))
    elsewhere = stored(source, module="shop.orders.events", root=str(tmp_path),
                       **{"ddd-upcaster-modules": ["migrations"]})
    assert elsewhere["OrderPlaced"][4:] == ((), ())


def test_test_modules_hold_no_stored_events():
    assert stored(ESOURCING, module="tests.test_dog") == {}


@pytest.mark.parametrize("old, aliases, covered", [
    ("old.pets:Dog.Registered", {"old.pets:Dog.Registered"}, True),
    ("old.pets:Dog.Registered", {"old.pets:Dog"}, True),
    ("old.pets:Dog.Registered", {"old.pets"}, True),
    ("old.pets:Dog.Registered", {"old"}, True),
    ("old.pets:Dog.Registered", {"old.pe"}, False),
    ("old.pets:Dog.Registered", {"old.pets:Do"}, False),
    ("old.pets:Dog.Registered", {"old.pets:Dog.Registered.X"}, False),
])
def test_a_topic_alias_covers_what_eventsourcing_resolves_through_it(old, aliases, covered):
    assert topic_covered(old, frozenset(aliases)) is covered


@pytest.mark.parametrize("type_string, name", [
    ("Shop.OrderSent.v1", "OrderSent"), ("Shop.OrderSent", "OrderSent"), ("OrderSent", "OrderSent"),
])
def test_the_class_name_in_a_protean_type_string(type_string, name):
    assert protean_class_name(type_string) == name


def test_only_protean_events_are_stored_not_every_class_under_a_protean_base():
    found = stored("""
        from protean.core.value_object import BaseValueObject
        from protean.core.event import BaseEvent

        class Money(BaseValueObject):
            amount: int

        class PaymentTaken(BaseEvent):
            amount: int

        class RefundIssued(PaymentTaken):
            reason: str
    """, module="shop.payments")
    assert set(found) == {"PaymentTaken", "RefundIssued"}
