"""Identity: a domain event references other aggregates by their id (DDD103)."""

from __future__ import annotations

from typing import Iterator

from ..syntax.expressions import names_in
from ..syntax.facts import FieldFact
from ..analysis.dataclass_fields import declared_fields
from ..model.project_model import ClassView
from ..analysis.recognition import Kind, recognise
from .rule import Context, Finding, rule

_CONTAINERS = frozenset({"tuple", "Tuple", "frozenset", "FrozenSet", "list", "List", "set", "Set",
                         "Sequence", "Iterable", "Collection", "AbstractSet"})


def domain_object_in(view: ClassView, field: FieldFact, kinds: tuple[Kind, ...]) -> ClassView | None:
    """The first class of one of ``kinds`` that a field's annotation mentions."""
    settings = view.model.settings
    for name in names_in(field.annotation):
        resolved = view.model.resolve(view.facts, name, scope=view.cls.parent)
        if not isinstance(resolved, ClassView):
            continue
        if recognise(resolved, settings).kind in kinds or _is_domain_base(resolved, kinds, settings):
            return resolved
    return None


def held_kind(view: ClassView, settings) -> str:
    """What a held domain class is, in words: "aggregate root", "entity", "domain event"
    (the project's own ``AggregateRoot``/``Entity`` base is what it names)."""
    kind = recognise(view, settings).kind
    if kind is Kind.OTHER:
        kind = Kind.AGGREGATE if view.cls.name in settings.aggregate_bases else Kind.ENTITY
    return kind.value


def _is_domain_base(view: ClassView, kinds: tuple[Kind, ...], settings) -> bool:
    """The project's own ``AggregateRoot``/``Entity`` base, held as "any aggregate"."""
    name = view.cls.name
    return ((Kind.AGGREGATE in kinds and name in settings.aggregate_bases)
            or (Kind.ENTITY in kinds and name in settings.entity_bases))


def identity_name(field: FieldFact) -> str:
    """``customer`` -> ``customer_id``; ``lines`` held in a collection -> ``line_ids``."""
    outer = names_in(field.annotation)[:1]
    if outer and outer[0].rpartition(".")[2] in _CONTAINERS:
        singular = field.name[:-1] if field.name.endswith("s") else field.name
        return f"{singular}_ids"
    return f"{field.name}_id"


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
