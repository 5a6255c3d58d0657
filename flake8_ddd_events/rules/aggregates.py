"""Aggregates and entities: they record events, hold other aggregates by identity,
and are the only ones who decide what happened to them (DDD301-DDD303).

What the rules see: calls as written inside one class body, resolved names of
annotations. They do not follow calls into other functions.
"""

from __future__ import annotations

from typing import Iterable, Iterator

import libcst as cst

from ..syntax.expressions import dotted, last_part, names_in
from ..syntax.facts import CallFact, ClassFact, FieldFact
from ..model.views import ClassView, External
from ..analysis.recognition import Kind, recognise
from ..analysis.flow import is_own_receiver
from ..analysis.holdings import identity_name
from .rule import Context, Finding, rule

# Name parts that make a receiver a messaging component (besides ddd-transport-receivers).
_MESSAGING_WORDS = ("bus", "publisher", "dispatcher", "broker", "producer", "emitter", "mediator",
                    "messenger", "messaging", "notifier", "outbox", "transport", "queue", "channel",
                    "hub", "event", "events", "signal")
_MESSAGING_SUFFIXES = ("bus", "publisher", "dispatcher", "broker", "producer", "emitter",
                       "mediator", "messenger", "notifier")  # eventbus, kafkaproducer


def enclosing_classes(context: Context, qualname: str | None) -> Iterator[ClassFact]:
    """The class a call stands in and every class around it, innermost first."""
    parts = qualname.split(".") if qualname else []
    while parts:
        cls = context.facts.classes.get(".".join(parts))
        if cls is not None:
            yield cls
        parts.pop()


def _is_messaging_name(name: str, context: Context) -> bool:
    text = last_part(name).lower().strip("_")
    words = text.split("_")
    if any(word in _MESSAGING_WORDS or word.endswith(_MESSAGING_SUFFIXES) for word in words):
        return True
    return any(part in text for part in context.settings.transport_receivers)


def _event_argument(context: Context, call: CallFact, cls: ClassFact) -> bool:
    """Whether an argument is an event: built from a recognised event class, or named so."""
    for arg in call.args:
        value = arg.value
        if isinstance(value, cst.Call):
            resolved = context.model.resolve(context.facts, dotted(value.func), scope=cls.parent)
            if isinstance(resolved, ClassView) and recognise(resolved, context.settings).is_event:
                return True
        elif isinstance(value, (cst.Name, cst.Attribute)) and "event" in last_part(dotted(value)).lower():
            return True
    return False


def publishes(context: Context, call: CallFact, cls: ClassFact) -> bool:
    """A publish/dispatch call that hands an event to something outside the aggregate.

    Counted: a bare function (``dispatch(event)``, ``emit(event)``); a call on a
    messaging receiver (``self._bus.publish``, ``self.publisher.publish_all``);
    a call whose argument is an event (``notifier.publish(OrderPlaced(...))``).
    Not counted: the object's own methods (``self.publish()`` is the aggregate's
    business method of that name), and calls on other objects with no event
    argument (``post.publish()`` on an entity of the boundary).
    """
    if call.method not in context.settings.aggregate_publish_methods:
        return False
    if is_own_receiver(call.receiver):
        return False
    if not call.callee:
        return False  # called on an expression (``self.posts[0].publish()``)
    if not call.receiver:
        return True
    return _is_messaging_name(call.receiver, context) or _event_argument(context, call, cls)


@rule(
    "DDD301", "aggregate-publishes-event",
    summary="aggregate or entity publishes an event itself",
    what="Reports a call, in a method of an entity or aggregate root, that publishes or "
         "dispatches an event (`publish`, `publish_all`, `publish_event(s)`, `dispatch`, "
         "`dispatch_event(s)`, `emit`; option `ddd-aggregate-publish-methods`): a bare function "
         "(`dispatch(event)`), a call on a messaging receiver (`self._bus.publish(...)`, "
         "`self._publisher.publish_all(...)`: a name with bus, publisher, dispatcher, broker, "
         "producer, emitter, notifier, outbox, queue, channel, event(s) ... or one of "
         "`ddd-transport-receivers`), or a call whose argument is an event. Never reported: "
         "calls on the object itself (`self.publish()`, `super().publish()`: an aggregate may "
         "well have a business method named `publish`), and `publish()` on another object "
         "without an event argument (`post.publish()` on an entity of the boundary). "
         "Recording (`self.record_event(...)`, `self._events.append(...)`) is what the rule "
         "asks for and never fires. Calls through helper functions are not followed.",
    why="An aggregate that publishes announces a change before anything is saved: if the "
        "transaction then fails, the world has heard of something that never happened, and if "
        "it succeeds the aggregate has coupled the domain model to a bus. Recording the event "
        "and letting the application layer dispatch it inside the transaction (or write it to "
        "an outbox) keeps the fact and the state change together.",
    use_instead="Record the event on the aggregate (`self.record_event(OrderConfirmed(...))`); "
                "the application service dispatches the recorded events inside the transaction "
                "and clears them.",
    invalid=[
        """\
from dataclasses import dataclass

from shop.kernel import AggregateRoot, DomainEvent


@dataclass(frozen=True)
class OrderConfirmed(DomainEvent):
    order_id: str


class Order(AggregateRoot):
    def __init__(self, order_id: str, bus) -> None:
        super().__init__(order_id)
        self._bus = bus
        self.confirmed = False

    def confirm(self) -> None:
        self.confirmed = True
        self._bus.publish(OrderConfirmed(order_id=self.id))  # DDD301
""",
        """\
from shop.kernel import Entity
from shop.messaging import dispatch


class OrderLine(Entity):
    def cancel(self, event) -> None:
        self.cancelled = True
        dispatch(event)  # DDD301
""",
    ],
    valid=[
        """\
from dataclasses import dataclass

from shop.kernel import AggregateRoot, DomainEvent


@dataclass(frozen=True)
class OrderConfirmed(DomainEvent):
    order_id: str


class Order(AggregateRoot):
    def confirm(self) -> None:
        self.confirmed = True
        self.record_event(OrderConfirmed(order_id=self.id))
""",
        """\
from dataclasses import dataclass

from shop.kernel import AggregateRoot, DomainEvent


@dataclass(frozen=True)
class ListingPublished(DomainEvent):
    listing_id: str


class Listing(AggregateRoot):
    def publish(self) -> None:
        self.status = "published"
        self._events.append(ListingPublished(listing_id=self.id))

    def relist(self) -> None:
        self.status = "draft"
        self.publish()
""",
    ],
    options=("ddd-aggregate-publish-methods", "ddd-transport-receivers", "ddd-aggregate-bases",
             "ddd-entity-bases"),
)
def aggregate_publishes_event(context: Context) -> Iterator[Finding]:
    kinds = {view.cls.qualname: recognition.kind for view, recognition in context.classes}
    for call in context.facts.calls:
        if call.cls is None or call.function is None or not call.function.startswith(call.cls + "."):
            continue
        kind = kinds.get(call.cls)
        if kind not in (Kind.AGGREGATE, Kind.ENTITY):
            continue
        cls = context.facts.classes[call.cls]
        if publishes(context, call, cls):
            what = "aggregate" if kind is Kind.AGGREGATE else "entity"
            yield Finding(call.node, f"{what} '{cls.name}' publishes through '{call.callee}()'; "
                          "record the event (self.record_event(...)) and let the application "
                          "layer dispatch it inside the transaction")


def _held_aggregate(view: ClassView, annotation: cst.BaseExpression | None) -> ClassView | None:
    for name in names_in(annotation):
        resolved = view.model.resolve(view.facts, name, scope=view.cls.parent)
        if isinstance(resolved, ClassView) \
                and recognise(resolved, view.model.settings).kind is Kind.AGGREGATE:
            return resolved
    return None


# Calls that put what they are given into a container: ``self._lines.append(line)``.
_CONTAINER_ADDS = frozenset({"append", "appendleft", "add", "insert", "extend", "update", "setdefault"})
# Calls that build a container of what they are given: ``self.lines = list(lines)``.
_CONTAINER_BUILDS = frozenset({"list", "tuple", "set", "frozenset", "dict", "sorted", "deque",
                               "OrderedDict"})


def _stored_names(value: cst.BaseExpression | None) -> Iterator[str]:
    """The names whose objects ``value`` stores as they are: the name itself, inside a
    container display or container call, either side of ``or``/``if … else``. An
    attribute of one (``customer.id``) or any other call's result is not the object."""
    if isinstance(value, cst.Name):
        yield value.value
    elif isinstance(value, (cst.List, cst.Tuple, cst.Set)):
        for element in value.elements:
            yield from _stored_names(element.value)
    elif isinstance(value, cst.Dict):
        for element in value.elements:
            if isinstance(element, cst.DictElement):
                yield from _stored_names(element.value)
    elif isinstance(value, cst.Call) and last_part(dotted(value.func)) in _CONTAINER_BUILDS:
        for arg in value.args:
            yield from _stored_names(arg.value)
    elif isinstance(value, cst.BooleanOperation):
        yield from _stored_names(value.left)
        yield from _stored_names(value.right)
    elif isinstance(value, cst.IfExp):
        yield from _stored_names(value.body)
        yield from _stored_names(value.orelse)


def _stored_parameter(annotations: dict[str, cst.BaseExpression],
                      values: Iterable[cst.BaseExpression | None]) -> cst.BaseExpression | None:
    """The annotation of the first annotated parameter whose object the values store."""
    for value in values:
        for name in _stored_names(value):
            if name in annotations:
                return annotations[name]
    return None


def _holdings(context: Context, cls: ClassFact) -> Iterator[FieldFact]:
    """What the class stores on ``self``, as fields at the line that stores it: class
    annotations, annotated ``self.`` assignments, ``self.x = <parameter>`` (also inside a
    container) and ``self.x.append(<parameter>)``, typed with the parameter's annotation;
    one per attribute name (the first place that stores it)."""
    seen: set[str] = set()
    candidates: list[FieldFact] = list(cls.fields)
    adds: dict[str, list[CallFact]] = {}
    for call in context.facts.calls:
        if (call.method in _CONTAINER_ADDS and call.receiver.startswith("self.")
                and call.function and call.function.rpartition(".")[0] == cls.qualname):
            adds.setdefault(call.function.rpartition(".")[2], []).append(call)
    for method in cls.methods:
        annotations = {p.name: p.annotation for p in method.params if p.annotation is not None}
        for assignment in method.self_assignments:
            if not assignment.attr or assignment.through_base:
                continue
            annotation = assignment.annotation or (_stored_parameter(
                annotations, (assignment.value,)) if assignment.binds else None)
            if annotation is not None:
                candidates.append(FieldFact(assignment.attr, annotation, None, assignment.node))
        for call in adds.get(method.name, ()):
            annotation = _stored_parameter(annotations, (arg.value for arg in call.args))
            if annotation is not None:
                attr = call.receiver.split(".")[1]
                candidates.append(FieldFact(attr, annotation, None, call.node))
    for candidate in candidates:
        if candidate.name not in seen:
            seen.add(candidate.name)
            yield candidate


@rule(
    "DDD302", "aggregate-holds-aggregate",
    summary="aggregate root holds another aggregate root",
    what="Reports an aggregate root that stores another aggregate root on itself instead of "
         "its identity: a class annotation, an annotated `self.` assignment, or "
         "`self.x = <parameter>` / `self.x.append(<parameter>)` (also inside a list, tuple, set "
         "or dict) where the annotation or the parameter's annotation mentions, at any depth "
         "(`list[Invoice]`, `Optional[Customer]`), a class recognised as an aggregate root, "
         "here or in another project module. Reported at the line that stores it, so that "
         "`# noqa` goes there, once per attribute name. Not reported: a parameter that is only "
         "read (`self.customer_id = customer.id` keeps the identity), and entities, which live "
         "inside the aggregate's boundary.",
    why="An aggregate is a consistency boundary: one transaction changes one aggregate. Holding "
        "another aggregate lets this one change it (two boundaries in one transaction), loads and "
        "locks the other's whole graph whenever this one is loaded, and turns concurrent updates "
        "of the two into conflicts.",
    use_instead="Hold the other aggregate's identity (`customer_id: CustomerId`) and load it "
                "through its repository when a use case needs it; keep entities of your own "
                "boundary as objects.",
    invalid=[
        """\
from uuid import UUID

from shop.kernel import AggregateRoot


class Invoice(AggregateRoot):
    def __init__(self, invoice_id: UUID) -> None:
        super().__init__(invoice_id)


class BillingAccount(AggregateRoot):
    def __init__(self, account_id: UUID, open_invoices: list[Invoice]) -> None:
        super().__init__(account_id)
        self.open_invoices = open_invoices  # DDD302
""",
    ],
    valid=[
        """\
from uuid import UUID

from shop.kernel import AggregateRoot, Entity


class InvoiceLine(Entity):
    pass


class Invoice(AggregateRoot):
    def __init__(self, invoice_id: UUID, lines: list[InvoiceLine]) -> None:
        super().__init__(invoice_id)
        self.lines = lines


class BillingAccount(AggregateRoot):
    def __init__(self, account_id: UUID, open_invoice_ids: list[UUID]) -> None:
        super().__init__(account_id)
        self.open_invoice_ids = open_invoice_ids

    def settle(self, invoice: Invoice) -> None:
        self.last_settled_invoice_id = invoice.id
""",
    ],
    options=("ddd-aggregate-bases", "ddd-entity-bases"),
)
def aggregate_holds_aggregate(context: Context) -> Iterator[Finding]:
    for view, _ in context.of_kind(Kind.AGGREGATE):
        for holding in _holdings(context, view.cls):
            held = _held_aggregate(view, holding.annotation)
            if held is not None:
                yield Finding(holding.node, f"aggregate '{view.name}' holds aggregate "
                              f"'{held.name}' in '{holding.name}'; reference it by identity "
                              f"({identity_name(holding)})")


def _may_record(context: Context, cls: ClassFact, method: str) -> bool:
    """Whether a call inside ``cls`` may record: it is an entity/aggregate, or it
    (or a project base of it) defines the recording method."""
    view = context.view(cls)
    if recognise(view, context.settings).kind in (Kind.AGGREGATE, Kind.ENTITY):
        return True
    return any(owner.cls.method(method) is not None for owner in view.mro)


def records_from_outside(context: Context, call: CallFact) -> bool:
    if call.method not in context.settings.record_methods or not call.receiver:
        return False
    if is_own_receiver(call.receiver) or call.receiver.partition(".")[0] in context.facts.aliases:
        return False  # the object itself, or a module/class function (``telemetry.record_event``)
    first = call.args[0].value if call.args else None
    if isinstance(first, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
        return False  # an analytics call: events of the domain are objects, not strings
    if isinstance(first, (cst.Name, cst.Attribute)) and _names_a_class(context, dotted(first),
                                                                       call.cls):
        return False  # a class, not an instance: a registration (``register_event(OrderPlaced, f)``)
    receivers = _receiver_classes(context, call)
    if receivers and not any(recognise(view, context.settings).kind in (Kind.AGGREGATE, Kind.ENTITY)
                             for view in receivers):
        return False  # a registry, a mapper, a bus: known, and not what records
    return not any(_may_record(context, cls, call.method)
                   for cls in enclosing_classes(context, call.cls))


def _names_a_class(context: Context, name: str, scope: str | None) -> bool:
    """Whether a bare name (not called) is a class: one the model resolves, or, resolved or
    not, a class name (``NewChatCreatedEvent``, not a constant) bound by an import or a class
    statement of the module (``from domain.events import NewChatCreatedEvent``)."""
    if isinstance(context.model.resolve(context.facts, name, scope=scope), ClassView):
        return True
    last = name.rpartition(".")[2]
    head = name.partition(".")[0]
    return last[:1].isupper() and not last.isupper() and (
        head in context.facts.aliases or head in context.facts.classes)


def _receiver_classes(context: Context, call: CallFact) -> list[ClassView]:
    """The project classes the receiver of a call is declared as, where that is written
    down: a parameter of the enclosing function (``registry: EventRegistry``), or an
    attribute of the enclosing class (``self.registry: EventRegistry``, ``self.registry =
    EventRegistry()``, ``self.registry = registry`` from an annotated parameter); empty
    when unknown."""
    params = _parameters(context, call.function)
    head, _, rest = call.receiver.partition(".")
    if head not in ("self", "cls") or not call.cls:
        return _classes_named(context, params.get(call.receiver), call.cls)
    if not rest or "." in rest:
        return []
    cls = context.facts.classes[call.cls]
    for field in cls.fields:
        if field.name == rest and field.annotation is not None:
            return _classes_named(context, field.annotation, call.cls)
    for method in cls.methods:
        annotations = {p.name: p.annotation for p in method.params}
        for assignment in method.self_assignments:
            if assignment.attr != rest or assignment.through_base:
                continue
            value = assignment.value
            if assignment.annotation is not None:
                return _classes_named(context, assignment.annotation, call.cls)
            if isinstance(value, cst.Name) and annotations.get(value.value) is not None:
                return _classes_named(context, annotations[value.value], call.cls)
            if isinstance(value, cst.Call):
                return _classes_named(context, value.func, call.cls)
    return []


def _parameters(context: Context, function: str | None) -> dict[str, cst.BaseExpression | None]:
    """The parameters of the function a call stands in, by name."""
    if function is None:
        return {}
    if function in context.facts.functions:
        return {p.name: p.annotation for p in context.facts.functions[function].params}
    owner, _, name = function.rpartition(".")
    cls = context.facts.classes.get(owner)
    method = cls.method(name) if cls is not None else None
    return {p.name: p.annotation for p in method.params} if method is not None else {}


def _classes_named(context: Context, annotation: cst.BaseExpression | None,
                   scope: str | None) -> list[ClassView]:
    """The project classes an annotation names, when every name in it that is not
    ``typing``'s is one (``Optional[EventRegistry]``); empty when any is unknown."""
    found = []
    for name in names_in(annotation):
        resolved = context.model.resolve(context.facts, name, scope=scope)
        if isinstance(resolved, ClassView):
            found.append(resolved)
        elif not (isinstance(resolved, External) and resolved.is_leaf) and name != "None":
            return []
    return found


@rule(
    "DDD303", "event-recorded-from-outside",
    summary="event recorded on an aggregate from outside it",
    what="Reports a recording call on another object (`order.record_event(...)`; option "
         "`ddd-record-methods`) outside the class body of an entity or aggregate root and of "
         "the class that defines the recording method: in an application service, a handler, "
         "a module-level function. Inside those classes it is fine, including a classmethod "
         "factory that records an event on the instance it just built. Not reported: "
         "`self.record_event(...)`, calls on an imported module or class, calls whose "
         "first argument is a string (analytics: `tracker.record_event(\"checkout\")`), "
         "calls whose first argument is an event class rather than an instance (a handler "
         "registration: `registry.register_event(OrderPlaced, notify)`; a class name bound by "
         "an import or a class statement and not called is a class, whether or not its module "
         "is resolved), and calls on a "
         "receiver declared as a project class that is neither an entity nor an aggregate root "
         "(`registry: EventRegistry` as a parameter, `self.registry = EventRegistry()`).",
    why="What happened to an aggregate is the aggregate's decision: the method that changes its "
        "state is the one that knows which fact occurred and records it in the same step. A "
        "service that records events for it can record a fact that the state does not show, "
        "or change the state and forget the fact.",
    use_instead="Add a method to the aggregate that changes the state and records the event, "
                "and call that method from the service.",
    invalid=[
        """\
from dataclasses import dataclass
from datetime import date

from shop.kernel import AggregateRoot, DomainEvent


@dataclass(frozen=True)
class InvoiceDueDateExtended(DomainEvent):
    invoice_id: str
    due_on: date


class Invoice(AggregateRoot):
    pass


def extend_due_date(invoice: Invoice, due_on: date) -> None:
    invoice.due_on = due_on
    invoice.record_event(InvoiceDueDateExtended(invoice_id=invoice.id, due_on=due_on))  # DDD303
""",
    ],
    valid=[
        """\
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from shop.kernel import AggregateRoot, DomainEvent


@dataclass(frozen=True)
class InvoiceDrafted(DomainEvent):
    invoice_id: str


@dataclass(frozen=True)
class InvoiceDueDateExtended(DomainEvent):
    invoice_id: str
    due_on: date


class Invoice(AggregateRoot):
    @classmethod
    def draft(cls, invoice_id: str) -> Invoice:
        invoice = cls(invoice_id)
        invoice.record_event(InvoiceDrafted(invoice_id=invoice_id))
        return invoice

    def extend_due_date(self, due_on: date) -> None:
        self.due_on = due_on
        self.record_event(InvoiceDueDateExtended(invoice_id=self.id, due_on=due_on))


def extend_due_date(invoice: Invoice, due_on: date) -> None:
    invoice.extend_due_date(due_on)
""",
        """\
from dataclasses import dataclass

from shop.kernel import DomainEvent


@dataclass(frozen=True)
class InvoicePaid(DomainEvent):
    invoice_id: str


class EventRegistry:
    def register_event(self, event_type: type, handler) -> None:
        print(event_type, handler)


def send_receipt(event: InvoicePaid) -> None:
    print(event.invoice_id)


def wire(registry: EventRegistry) -> None:
    registry.register_event(InvoicePaid, send_receipt)
""",
    ],
    options=("ddd-record-methods", "ddd-aggregate-bases", "ddd-entity-bases"),
)
def event_recorded_from_outside(context: Context) -> Iterator[Finding]:
    for call in context.facts.calls:
        if records_from_outside(context, call):
            yield Finding(call.node, f"'{call.callee}()' records an event on "
                          f"'{call.receiver}' from outside it; add a method to the aggregate "
                          "that changes its state and records the event, and call that")
