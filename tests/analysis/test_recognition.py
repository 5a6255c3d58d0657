"""Recognition (docs/recognition.md): what is an event, an aggregate, a handler."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from flake8_ddd_events.syntax.collect import collect
from flake8_ddd_events.model.project_model import ProjectModel
from flake8_ddd_events.analysis.recognition import Kind, recognise
from flake8_ddd_events.config.settings import Settings


def recognised(source: str, module: str = "shop.sales.domain.model", **options) -> dict[str, tuple]:
    settings = Settings.from_values({"ddd-source-roots": ["/nonexistent"], **options})
    facts = collect(cst.parse_module(textwrap.dedent(source)), "x.py", module, False)
    model = ProjectModel(settings)
    result = {}
    for qualname, cls in facts.classes.items():
        r = recognise(model.view(facts, cls), settings)
        result[qualname] = (r.kind, r.is_base, r.library)
    return result


def test_domain_event_through_a_local_category_base():
    kinds = recognised("""
        class DomainEvent: pass
        class SalesEvent(DomainEvent): pass
        class OrderPlaced(SalesEvent):
            order_id: str
    """)
    assert kinds["DomainEvent"] == (Kind.DOMAIN_EVENT, True, None)
    assert kinds["SalesEvent"] == (Kind.DOMAIN_EVENT, True, None)
    assert kinds["OrderPlaced"] == (Kind.DOMAIN_EVENT, False, None)


@pytest.mark.parametrize("imported", ["from threading import Event", "from asyncio import Event",
                                      "from multiprocessing.synchronize import Event"])
def test_synchronisation_primitives_are_not_events(imported):
    kinds = recognised(f"""
        {imported}
        class Shutdown(Event):
            pass
    """)
    assert kinds["Shutdown"][0] is Kind.OTHER


def test_a_class_that_merely_shares_the_name_is_not_an_event():
    kinds = recognised("""
        class Event:
            def __init__(self):
                self._flag = False
            def set(self):
                self._flag = True
    """)
    assert kinds["Event"][0] is Kind.OTHER


def test_aggregate_named_event_is_a_concert_not_a_domain_event():
    kinds = recognised("""
        from shop.kernel import AggregateRoot
        class Event(AggregateRoot):
            title: str
        class Festival(Event):
            pass
    """)
    assert kinds["Event"][0] is Kind.AGGREGATE
    assert kinds["Festival"][0] is Kind.AGGREGATE


def test_entities_and_handlers():
    kinds = recognised("""
        from shop.kernel import Entity, DomainEventHandler
        class OrderLine(Entity):
            sku: str
        class OnOrderPlaced(DomainEventHandler["OrderPlaced"]):
            async def handle(self, event): ...
    """)
    assert kinds["OrderLine"][0] is Kind.ENTITY
    assert kinds["OnOrderPlaced"][0] is Kind.HANDLER


def test_event_module_counts_only_data_shaped_top_level_classes():
    kinds = recognised("""
        import enum
        from dataclasses import dataclass
        from typing import NamedTuple, Protocol

        @dataclass(frozen=True)
        class OrderPlaced:
            order_id: str

        class OrderShipped(NamedTuple):
            order_id: str

        class Status(enum.Enum):
            OPEN = 1

        class OrderError(Exception):
            code: int

        class Publisher(Protocol):
            def publish(self, event) -> None: ...

        class Helper:
            def run(self): ...
    """, module="shop.sales.domain.events")
    assert kinds["OrderPlaced"][0] is Kind.DOMAIN_EVENT
    assert kinds["OrderShipped"][0] is Kind.DOMAIN_EVENT
    assert kinds["Status"][0] is Kind.OTHER
    assert kinds["OrderError"][0] is Kind.OTHER
    assert kinds["Publisher"][0] is Kind.OTHER
    assert kinds["Helper"][0] is Kind.OTHER


def test_event_package_counts_too():
    kinds = recognised("""
        from dataclasses import dataclass
        @dataclass(frozen=True)
        class OrderPlaced:
            order_id: str
    """, module="shop.sales.domain.events.order_placed")
    assert kinds["OrderPlaced"][0] is Kind.DOMAIN_EVENT


def test_integration_events_by_base_module_and_correlation_field():
    kinds = recognised("""
        from dataclasses import dataclass
        from shop.kernel import IntegrationEvent, DomainEvent
        class OrderShipped(IntegrationEvent):
            order_id: str
        @dataclass(frozen=True)
        class PaymentTaken:
            correlation_id: str
        class OrderPlaced(DomainEvent):
            correlation_id: str
    """)
    assert kinds["OrderShipped"][0] is Kind.INTEGRATION_EVENT
    assert kinds["PaymentTaken"][0] is Kind.INTEGRATION_EVENT
    assert kinds["OrderPlaced"][0] is Kind.DOMAIN_EVENT
    in_contracts = recognised("""
        from dataclasses import dataclass
        @dataclass(frozen=True)
        class OrderShipped:
            order_id: str
    """, module="shop.sales.contracts")
    assert in_contracts["OrderShipped"][0] is Kind.INTEGRATION_EVENT


def test_eventsourcing_nested_events_are_domain_events_supplied_by_the_framework():
    kinds = recognised("""
        from eventsourcing.domain import Aggregate
        class Dog(Aggregate):
            class Registered(Aggregate.Created):
                name: str
            class TrickAdded(Aggregate.Event):
                trick: str
    """)
    assert kinds["Dog"][0] is Kind.AGGREGATE
    assert kinds["Dog.Registered"] == (Kind.DOMAIN_EVENT, False, "eventsourcing")
    assert kinds["Dog.TrickAdded"] == (Kind.DOMAIN_EVENT, False, "eventsourcing")


def test_protean_decorated_events():
    kinds = recognised("""
        from protean import Domain
        domain = Domain(__file__)
        @domain.event(part_of="Order", published=True)
        class OrderPlaced:
            order_id: str
        @domain.event(part_of="Order")
        class OrderPacked:
            order_id: str
    """)
    # ``published=True``: the context's published language (Protean sends it to every
    # external broker), an integration event
    assert kinds["OrderPlaced"] == (Kind.INTEGRATION_EVENT, False, "protean")
    assert kinds["OrderPacked"] == (Kind.DOMAIN_EVENT, False, "protean")


def test_nested_class_resolves_sibling_base():
    kinds = recognised("""
        class Events:
            class DomainEvent: pass
            class OrderPlaced(DomainEvent):
                order_id: str
    """)
    assert kinds["Events.OrderPlaced"][0] is Kind.DOMAIN_EVENT


def test_configured_names_replace_the_defaults():
    kinds = recognised("""
        from shop.kernel import Fact
        class OrderPlaced(Fact):
            order_id: str
    """, **{"ddd-domain-event-bases": "Fact"})
    assert kinds["OrderPlaced"][0] is Kind.DOMAIN_EVENT


def test_inheritance_cycles_terminate():
    kinds = recognised("""
        class A(B): pass
        class B(A): pass
    """)
    assert kinds["A"][0] is Kind.OTHER
