"""Integration events: the published contract between bounded contexts.

DDD201 (no correlation id), DDD202 (no causation id), DDD203 (no schema
version), DDD204 (a correlation id that may be left out), DDD205 (a field that
refers to a domain object), DDD206 (too many payload fields).
"""

from __future__ import annotations

from typing import Iterator

import libcst as cst

from ..analysis.dataclass_fields import declared_fields, has_default, is_classvar, own_fields
from ..analysis.holdings import domain_object_in, held_kind
from ..syntax.expressions import parse_forward_reference, dotted, last_part, names_in
from ..syntax.facts import FieldFact
from ..analysis.library_bases import chain_complete, library_supplies
from ..analysis.metadata import chain_fields, is_metadata_field, version_source
from ..model.views import ClassView
from ..analysis.recognition import Kind, recognise
from .rule import Context, Example, Finding, rule
from ..config.settings import Settings

# Fields that name the producing bounded context: envelope metadata, not payload (DDD206).
CONTEXT_NAME_FIELDS = ("source", "source_context", "context", "context_name", "bounded_context")

_DOMAIN_KINDS = (Kind.AGGREGATE, Kind.ENTITY, Kind.DOMAIN_EVENT)


def _integration_events(context: Context, *, concrete: bool) -> Iterator[ClassView]:
    """Integration events of the module; with ``concrete``, only those whose whole
    chain is known (a base we cannot read may provide the field) and that are not bases."""
    for view, recognition in context.of_kind(Kind.INTEGRATION_EVENT):
        if not concrete:
            yield view
        elif not recognition.is_base and chain_complete(view):
            yield view


def _forward(node: cst.BaseExpression) -> cst.BaseExpression | None:
    """A quoted annotation read as an expression (None when unreadable); others as they are."""
    return parse_forward_reference(node) if isinstance(node, cst.SimpleString) else node


def is_optional(annotation: cst.BaseExpression | None) -> bool:
    """``Optional[X]``, ``Union[X, None]``, ``X | None`` (also quoted, or inside ``Annotated``)."""
    node = _forward(annotation) if annotation is not None else None
    if node is None:
        return False
    if isinstance(node, cst.Name) and node.value == "None":
        return True
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
        return is_optional(node.left) or is_optional(node.right)
    if isinstance(node, cst.Subscript):
        name = last_part(dotted(node.value))
        elements = [e.slice.value for e in node.slice if isinstance(e.slice, cst.Index)]
        if name == "Optional":
            return True
        if name == "Union":
            return any(is_optional(e) for e in elements)
        if name == "Annotated" and elements:
            return is_optional(elements[0])
    return False


def _domain_import(view: ClassView, field: FieldFact, settings: Settings) -> tuple[str, str] | None:
    """(name, module) of the first annotation name imported from a domain-layer module,
    unless it is an integration-event type (part of the published language)."""
    facts = view.facts
    for name in names_in(field.annotation):
        if name.partition(".")[0] not in facts.aliases:
            continue
        module = facts.qualify(name).rpartition(".")[0]
        if not module or not settings.is_domain_module(module):
            continue
        resolved = view.model.resolve(facts, name, scope=view.cls.parent)
        if isinstance(resolved, ClassView) and recognise(resolved, settings).kind is Kind.INTEGRATION_EVENT:
            continue
        return name, module
    return None


_ENVELOPE = """\
from dataclasses import dataclass, field
from datetime import datetime, timezone
from uuid import UUID, uuid4


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


"""


def _missing_field_check(context: Context, names: tuple[str, ...],
                         supplied: str) -> Iterator[ClassView]:
    """The integration events whose chain has none of ``names`` and whose library base
    does not carry it either (``supplied``: the ``known_bases`` entry, Protean's message
    metadata)."""
    for view in _integration_events(context, concrete=True):
        fields = chain_fields(view)
        if not any(name in fields for name in names) and not library_supplies(view, supplied):
            yield view


@rule(
    "DDD201", "integration-event-without-correlation-id",
    summary="integration event has no correlation id",
    what="Reports a concrete integration event whose whole chain (its own fields and its "
         "bases') has no correlation id field (`correlation_id`, option "
         "`ddd-correlation-fields`). A base that declares it satisfies every subclass, and so "
         "does a library base that carries it (Protean's message metadata: docs/recognition.md). "
         "Silent when a base cannot be resolved: it may provide the field.",
    why="An integration event leaves its bounded context and is handled by other teams' "
        "services, often asynchronously and much later. The correlation id is the thread that "
        "ties every message of one business transaction together across contexts: without it "
        "nobody can follow an order from the checkout request through billing and shipping, "
        "in the logs or in a tracing tool.",
    use_instead="Carry `correlation_id: UUID` on the integration-event base, copied from the "
                "command or message being handled.",
    invalid=[
        Example(_ENVELOPE + """\
@dataclass(frozen=True, kw_only=True)
class OrderShipped:  # DDD201
    event_id: UUID = field(default_factory=uuid4)
    occurred_on: datetime = field(default_factory=utc_now)
    causation_id: UUID
    event_version: int = 1
    order_id: UUID
""", "shop/sales/integration_events.py"),
    ],
    valid=[
        Example(_ENVELOPE + """\
@dataclass(frozen=True, kw_only=True)
class IntegrationEvent:
    event_id: UUID = field(default_factory=uuid4)
    occurred_on: datetime = field(default_factory=utc_now)
    correlation_id: UUID
    causation_id: UUID
    event_version: int = 1


@dataclass(frozen=True, kw_only=True)
class OrderShipped(IntegrationEvent):
    order_id: UUID
""", "shop/sales/integration_events.py"),
    ],
    options=("ddd-correlation-fields", "ddd-integration-event-bases",
             "ddd-integration-event-modules"),
)
def integration_event_without_correlation_id(context: Context) -> Iterator[Finding]:
    name = context.settings.correlation_fields[0]
    for view in _missing_field_check(context, context.settings.correlation_fields,
                                     "correlation_id"):
        yield Finding(view.cls.node, f"integration event '{view.name}' carries no {name}; "
                      "consumers cannot trace it back to the request that caused it — "
                      f"add '{name}: UUID'")


@rule(
    "DDD202", "integration-event-without-causation-id",
    summary="integration event has no causation id",
    what="Reports a concrete integration event whose whole chain has no causation id field "
         "(`causation_id`, option `ddd-causation-fields`). A base that declares it satisfies "
         "every subclass, and so does a library base that carries it (Protean's message "
         "metadata). Silent when a base cannot be resolved.",
    why="The correlation id says which business transaction a message belongs to; the "
        "causation id says which message directly caused this one. Across contexts that is "
        "what turns a pile of messages into a chain of cause and effect: which command made "
        "sales publish this, which event made billing react, where a loop between two "
        "contexts started.",
    use_instead="Carry `causation_id: UUID` on the integration-event base, set to the id of "
                "the command or event being handled.",
    invalid=[
        Example(_ENVELOPE + """\
@dataclass(frozen=True, kw_only=True)
class PaymentReceived:  # DDD202
    event_id: UUID = field(default_factory=uuid4)
    occurred_on: datetime = field(default_factory=utc_now)
    correlation_id: UUID
    schema_version: int = 1
    invoice_id: UUID
""", "shop/billing/contracts.py"),
    ],
    valid=[
        Example(_ENVELOPE + """\
@dataclass(frozen=True, kw_only=True)
class PaymentReceived:
    event_id: UUID = field(default_factory=uuid4)
    occurred_on: datetime = field(default_factory=utc_now)
    correlation_id: UUID
    causation_id: UUID
    schema_version: int = 1
    invoice_id: UUID
""", "shop/billing/contracts.py"),
    ],
    options=("ddd-causation-fields",),
)
def integration_event_without_causation_id(context: Context) -> Iterator[Finding]:
    name = context.settings.causation_fields[0]
    for view in _missing_field_check(context, context.settings.causation_fields,
                                     "causation_id"):
        yield Finding(view.cls.node, f"integration event '{view.name}' carries no {name}; "
                      "consumers cannot tell which command or event caused it — "
                      f"add '{name}: UUID'")


@rule(
    "DDD203", "integration-event-without-schema-version",
    summary="integration event has no schema version",
    what="Reports a concrete integration event whose whole chain says no schema version "
         "anywhere: no version field (`event_version`, `schema_version`, `version`, option "
         "`ddd-version-fields`), no class attribute that is not a field (`class_version = 2`, "
         "`version: ClassVar[int] = 1`, `__version__ = \"2\"`), no `v1`/`v2`… package in its "
         "module path (`contracts/v2/orders.py`) and no version suffix in its class name "
         "(`OrderPlacedV2`). An aggregate sequence number such as eventsourcing's "
         "`originator_version` numbers the aggregate's changes, not the contract's shape, and "
         "does not count. Silent when a base cannot be resolved.",
    why="An integration event is a published contract. Its consumers live in other contexts "
        "and upgrade on their own schedule, so old and new shapes of the same event are on the "
        "wire, in the outbox and in replays at the same time. A schema version in the message "
        "lets a consumer pick the right reader or upcaster instead of guessing from the fields "
        "it happens to find.",
    use_instead="Carry `event_version: int` (or `schema_version`) on the integration event, and "
                "raise it whenever the shape changes in a way consumers must know about.",
    invalid=[
        Example(_ENVELOPE + """\
@dataclass(frozen=True, kw_only=True)
class IntegrationEvent:
    event_id: UUID = field(default_factory=uuid4)
    occurred_on: datetime = field(default_factory=utc_now)
    correlation_id: UUID
    causation_id: UUID


@dataclass(frozen=True, kw_only=True)
class StockReserved(IntegrationEvent):  # DDD203
    sku: str
    originator_version: int
""", "shop/inventory/integration_events.py"),
    ],
    valid=[
        Example(_ENVELOPE + """\
from typing import ClassVar


@dataclass(frozen=True, kw_only=True)
class IntegrationEvent:
    event_id: UUID = field(default_factory=uuid4)
    occurred_on: datetime = field(default_factory=utc_now)
    correlation_id: UUID
    causation_id: UUID


@dataclass(frozen=True, kw_only=True)
class StockReserved(IntegrationEvent):
    event_version: int = 2
    sku: str


@dataclass(frozen=True, kw_only=True)
class StockReleased(IntegrationEvent):
    schema_version: ClassVar[int] = 1
    sku: str
""", "shop/inventory/integration_events.py"),
    ],
    options=("ddd-version-fields",),
)
def integration_event_without_schema_version(context: Context) -> Iterator[Finding]:
    settings = context.settings
    name = settings.version_fields[0]
    for view in _integration_events(context, concrete=True):
        if version_source(view, settings) is not None:
            continue
        fields = chain_fields(view)
        sequence = next((n for n in fields if n.endswith(("_version", "_sequence", "_seq"))), None)
        note = (f" ('{sequence}' numbers the aggregate's changes, not the contract's shape)"
                if sequence else "")
        yield Finding(view.cls.node, f"integration event '{view.name}' carries no schema "
                      f"version{note}; consumers that upgrade on their own schedule cannot tell "
                      f"which shape they received — add '{name}: int'")


@rule(
    "DDD204", "optional-correlation-id",
    summary="correlation id has a default or is optional",
    what="Reports an integration event's correlation id field (`correlation_id`, option "
         "`ddd-correlation-fields`) that has a default (a value, `field(default=...)`, "
         "`default_factory=`, attrs `factory=`, pydantic `Field(None)`) or an Optional type "
         "(`Optional[UUID]`, `UUID | None`, `Union[UUID, None]`). Points at the field. "
         "`Field(...)` and `field(kw_only=True)` without a default are required and pass.",
    why="A correlation id is only useful when it is the caller's: the id of the request or "
        "message that started the business transaction. A default invents a fresh trace (or "
        "none) whenever someone forgets to pass it, and the forgotten cases are exactly the "
        "ones you later need to follow across contexts. Requiring it makes every publisher "
        "decide where the trace comes from.",
    use_instead="Declare `correlation_id: UUID` with no default, and pass it from the command "
                "or message being handled (start a new one only at the system's edge, "
                "explicitly).",
    invalid=[
        Example(_ENVELOPE + """\
from typing import Optional


@dataclass(frozen=True, kw_only=True)
class RefundIssued:
    event_id: UUID = field(default_factory=uuid4)
    occurred_on: datetime = field(default_factory=utc_now)
    correlation_id: UUID = field(default_factory=uuid4)  # DDD204
    causation_id: UUID
    event_version: int = 1
    refund_id: UUID


@dataclass(frozen=True, kw_only=True)
class RefundFailed:
    event_id: UUID = field(default_factory=uuid4)
    occurred_on: datetime = field(default_factory=utc_now)
    correlation_id: Optional[UUID]  # DDD204
    causation_id: UUID
    event_version: int = 1
    refund_id: UUID
""", "shop/billing/integration_events.py"),
    ],
    valid=[
        Example(_ENVELOPE + """\
@dataclass(frozen=True, kw_only=True)
class RefundIssued:
    event_id: UUID = field(default_factory=uuid4)
    occurred_on: datetime = field(default_factory=utc_now)
    correlation_id: UUID
    causation_id: UUID
    event_version: int = 1
    refund_id: UUID
""", "shop/billing/integration_events.py"),
    ],
    options=("ddd-correlation-fields",),
)
def optional_correlation_id(context: Context) -> Iterator[Finding]:
    names = context.settings.correlation_fields
    for view in _integration_events(context, concrete=False):
        for field in own_fields(view):
            if field.name not in names or is_classvar(field):
                continue
            if has_default(field):
                why = "has a default"
            elif is_optional(field.annotation):
                why = "is Optional"
            else:
                continue
            yield Finding(field.node, f"'{field.name}' of integration event '{view.name}' {why}; "
                          "a forgotten id silently breaks the trace across contexts — require it "
                          f"('{field.name}: UUID', no default) and pass the caller's")


@rule(
    "DDD205", "integration-event-leaks-domain",
    summary="integration event field refers to a domain object",
    what="Reports an integration-event field whose annotation mentions, at any depth, an "
         "entity, an aggregate root or a domain event (resolved across the project's modules), "
         "or any type imported from a domain-layer module (option `ddd-domain-modules`). One "
         "finding per field. Other types (value objects defined elsewhere, unknown names, "
         "integration-event types) are not reported. On integration events this replaces "
         "DDD103.",
    why="Integration events are the published language between bounded contexts: other teams "
        "build against them and upgrade on their own schedule. A domain type inside the "
        "contract couples every consumer to the producer's internal model: renaming a field of "
        "an aggregate or a value object becomes a breaking change for services that should "
        "never have known it existed, and the consumers start speaking the producer's "
        "ubiquitous language instead of their own.",
    use_instead="Publish identities and basic types (str, int, float, bool, bytes, Decimal, "
                "UUID, date and time types, enums and tuples or frozensets of these), or "
                "other integration-event types; translate the domain object into them where "
                "the event is built.",
    invalid=[
        Example(_ENVELOPE + """\
from shop.sales.domain.order import Order
from shop.sales.domain.value_objects import Address


@dataclass(frozen=True, kw_only=True)
class IntegrationEvent:
    event_id: UUID = field(default_factory=uuid4)
    occurred_on: datetime = field(default_factory=utc_now)
    correlation_id: UUID
    causation_id: UUID
    event_version: int = 1


@dataclass(frozen=True, kw_only=True)
class OrderShipped(IntegrationEvent):
    order: Order  # DDD205
    shipping_address: Address | None = None  # DDD205
""", "shop/sales/integration_events.py"),
    ],
    valid=[
        Example(_ENVELOPE + """\
@dataclass(frozen=True, kw_only=True)
class IntegrationEvent:
    event_id: UUID = field(default_factory=uuid4)
    occurred_on: datetime = field(default_factory=utc_now)
    correlation_id: UUID
    causation_id: UUID
    event_version: int = 1


@dataclass(frozen=True, kw_only=True)
class OrderShipped(IntegrationEvent):
    order_id: UUID
    skus: tuple[str, ...]
    shipping_street: str
    shipping_city: str
""", "shop/sales/integration_events.py"),
    ],
    options=("ddd-domain-modules", "ddd-aggregate-bases", "ddd-entity-bases",
             "ddd-domain-event-bases"),
)
def integration_event_leaks_domain(context: Context) -> Iterator[Finding]:
    settings = context.settings
    for view in _integration_events(context, concrete=False):
        for field in declared_fields(view):
            held = domain_object_in(view, field, _DOMAIN_KINDS)
            if held is not None:
                kind = held_kind(held, settings)
                yield Finding(field.node, f"integration event '{view.name}' field '{field.name}' "
                              f"holds {kind} '{held.name}'; publish its id and the values "
                              "consumers need as basic types, not the domain object")
                continue
            imported = _domain_import(view, field, settings)
            if imported is not None:
                name, module = imported
                yield Finding(field.node, f"integration event '{view.name}' field '{field.name}' "
                              f"uses '{last_part(name)}' from the domain layer ({module}); "
                              "publish ids and basic types so consumers do not couple to the "
                              "domain model")


def payload_fields(view: ClassView, settings: Settings) -> list[str]:
    """The chain's fields that are payload: not event id, timestamp, correlation, causation,
    version or context-name fields, not class variables, not private attributes."""
    return [name for name, field in chain_fields(view).items()
            if name not in CONTEXT_NAME_FIELDS and not field.is_classvar
            and not is_metadata_field(field, settings)]


@rule(
    "DDD206", "integration-event-too-large",
    summary="integration event carries too many fields",
    what="Reports a concrete integration event with more than `ddd-max-integration-fields` "
         "(default 12) payload fields along its whole chain. Metadata does not count: the "
         "event id, the timestamp, correlation, causation and version fields (by their "
         "options' names) and a field naming the producing context (`source`, "
         "`source_context`, `context`, `context_name`, `bounded_context`). Other datetime "
         "fields such as `shipped_at` are payload. Silent when a base cannot be resolved.",
    why="Every field of an integration event is a promise to every consumer in every other "
        "context. A wide event is usually a table row or an aggregate dump published 'in case "
        "someone needs it': it couples consumers to the producer's model, makes every change a "
        "negotiation between teams, and hides which fact actually happened.",
    use_instead="Publish one fact with the ids and the few values consumers need to react; "
                "split unrelated facts into separate events and let consumers that need more "
                "ask the owning context (or keep their own projection).",
    invalid=[
        Example(_ENVELOPE + """\
@dataclass(frozen=True, kw_only=True)
class CustomerRegistered:  # DDD206
    event_id: UUID = field(default_factory=uuid4)
    occurred_on: datetime = field(default_factory=utc_now)
    correlation_id: UUID
    causation_id: UUID
    event_version: int = 1
    customer_id: UUID
    email: str
    first_name: str
    last_name: str
    street: str
    city: str
    postcode: str
    country: str
    phone: str
    birth_date: str
    loyalty_tier: str
    newsletter: bool
    referrer_id: UUID
""", "shop/crm/integration_events.py"),
    ],
    valid=[
        Example(_ENVELOPE + """\
@dataclass(frozen=True, kw_only=True)
class CustomerRegistered:
    event_id: UUID = field(default_factory=uuid4)
    occurred_on: datetime = field(default_factory=utc_now)
    correlation_id: UUID
    causation_id: UUID
    event_version: int = 1
    source: str = "crm"
    customer_id: UUID
    email: str
    country: str
""", "shop/crm/integration_events.py"),
    ],
    options=("ddd-max-integration-fields",),
)
def integration_event_too_large(context: Context) -> Iterator[Finding]:
    limit = context.settings.max_integration_fields
    for view in _integration_events(context, concrete=True):
        payload = payload_fields(view, context.settings)
        if len(payload) > limit:
            yield Finding(view.cls.node, f"integration event '{view.name}' carries "
                          f"{len(payload)} payload fields (at most {limit}); every field is a "
                          "promise to every consumer — publish one fact with ids and the values "
                          "consumers need")
