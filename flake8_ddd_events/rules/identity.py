"""Identity: a domain event references other aggregates by their id (DDD103)."""

from __future__ import annotations

from typing import Iterator

from ..analysis.dataclass_fields import declared_fields
from ..analysis.holdings import domain_object_in, held_kind, identity_name
from ..analysis.recognition import Kind
from .rule import Context, Finding, rule


@rule(
    "DDD103", "event-holds-aggregate",
    summary="domain event holds an entity or aggregate",
    what="Reports a domain-event field whose annotation mentions, at any depth "
         "(`Optional[Customer]`, `tuple[OrderLine, ...]`), a class recognised as an entity or "
         "an aggregate root. On integration events the same is reported as DDD205.",
    why="An event is a snapshot of a fact; an aggregate is a living object with its own "
        "lifecycle and consistency boundary. Holding the object couples the event to that "
        "aggregate's current state (which changes after the event), drags its whole graph into "
        "serialisation, and tempts handlers to modify another aggregate through the event.",
    use_instead="Reference the aggregate by its identity, and copy the few values the consumers "
                "need as basic types or value objects.",
    invalid=[
        """\
from dataclasses import dataclass

from shop.kernel import AggregateRoot, DomainEvent


class Customer(AggregateRoot):
    def __init__(self, customer_id: str) -> None:
        self.customer_id = customer_id


@dataclass(frozen=True)
class OrderPlaced(DomainEvent):
    customer: Customer  # DDD103
""",
    ],
    valid=[
        """\
from dataclasses import dataclass

from shop.kernel import AggregateRoot, DomainEvent


class Customer(AggregateRoot):
    def __init__(self, customer_id: str) -> None:
        self.customer_id = customer_id


@dataclass(frozen=True)
class OrderPlaced(DomainEvent):
    customer_id: str
""",
    ],
    options=("ddd-aggregate-bases", "ddd-entity-bases"),
)
def event_holds_aggregate(context: Context) -> Iterator[Finding]:
    for view, _ in context.of_kind(Kind.DOMAIN_EVENT):
        for field in declared_fields(view):
            held = domain_object_in(view, field, (Kind.AGGREGATE, Kind.ENTITY))
            if held is not None:
                kind = held_kind(held, context.settings).replace(" root", "")
                yield Finding(field.node, f"event field '{field.name}' holds {kind} "
                              f"'{held.name}'; reference it by identity ({identity_name(field)})")
