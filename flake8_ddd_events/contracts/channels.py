"""Where the integration events travel: the addresses (topic, subject, routing key, stream)
the code hands them to a transport with, and where it receives them, read from the facts.

A **send** site is a call that hands an integration event to a transport (the methods of
option ``ddd-transport-methods``, ``basic_publish``, ``xadd``, ``send_and_wait``), or
writes it to an outbox (a receiver or class named like an outbox); the event is an
argument: constructed there, the class itself, a parameter annotated with it, a
local name when the function constructs one event, or any of those serialised
(``event.model_dump_json()``, ``asdict(event)``). Its address, when the code gives it as a
constant:

- a keyword ``topic``, ``subject``, ``routing_key``, ``binding_key``, ``stream``,
  ``channel`` or ``queue`` (the first of them given);
- else the first positional string argument that is not the event (``producer.send(
  "orders.placed", …)``, ``broker.publish(event, "orders")``, ``nc.publish("orders", …)``);
  ``basic_publish``'s second positional argument (its routing key);
- a string literal or a module-level string constant (imported ones too).

Decorators: ``@broker.publisher("orders")`` (the event: the function's return
annotation) sends, ``@broker.subscriber("orders")``, ``@consume(binding_key="orders")``
and Faust's ``@app.agent(topic)``
(``topic = app.topic("orders", value_type=OrderPlaced)``) receive (the event: the first
parameter's annotation, or the topic's ``value_type``). A handler of an integration event
(a handler class, a registration: ``register(E, h)``, ``{E: [h]}``, ``@handle(E)``)
receives it on the channels it is sent on.

A site without an address takes the one the event class declares as a constant
(``topic: Literal["booking"] = "booking"``, ``TOPIC = "orders"``: what an outbox library
stores in its topic column). An address computed at run time (an f-string, an attribute)
is unresolved: the site is on
the event's own channel, whose address option ``ddd-channels`` gives.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterable, Iterator

import libcst as cst

from ..analysis.flow import is_outbox, is_own_receiver
from ..analysis.recognition import Kind, recognise
from ..analysis.subscriptions import declared_events, entry_point
from ..config.settings import Settings
from ..model.project_model import ProjectModel
from ..model.views import ClassView
from ..syntax.expressions import dotted, keywords_of, last_part, names_in
from ..syntax.facts import CallFact, Decorator, MethodFact, ModuleFacts
from .schema import event_name

SEND, RECEIVE = "send", "receive"
ADDRESS_KEYWORDS = ("topic", "subject", "routing_key", "binding_key", "stream", "channel",
                    "queue")
_EXTRA_SEND_METHODS = ("basic_publish", "xadd", "send_and_wait", "publish_batch")
_PUBLISHER_DECORATORS = ("publisher",)
_SUBSCRIBER_DECORATORS = ("subscriber", "agent", "consume", "consumer")
_MAX_DEPTH = 4
_DECLARED = ("topic", "TOPIC", "routing_key", "ROUTING_KEY", "subject", "SUBJECT")


@dataclass(frozen=True)
class Site:
    """One place an integration event is sent or received: the event's dotted name,
    ``send`` or ``receive``, the address (None: computed at run time), where (module and
    function) and how (the call or decorator as written)."""

    event: str
    action: str
    address: str | None
    module: str
    where: str
    how: str


def project_sites(modules: Iterable[ModuleFacts], model: ProjectModel,
                  settings: Settings) -> list[Site]:
    return [site for facts in modules for site in module_sites(facts, model, settings)]


def module_sites(facts: ModuleFacts, model: ProjectModel, settings: Settings) -> list[Site]:
    """The send and receive sites of one module, in source order; a send without an
    address is left out where the same function sends the event to one (an outbox record
    built with its topic, then added)."""
    reader = _Reader(facts, model, settings)
    found = [s if s.address is not None else replace(s, address=reader.declared(s.event))
             for s in dict.fromkeys(reader.sites())]
    addressed = {(s.event, s.where) for s in found if s.action == SEND and s.address}
    return [s for s in found if not (s.action == SEND and s.address is None
                                     and (s.event, s.where) in addressed)]


def _order(site: Site) -> tuple:
    return (site.event, site.action, site.address or "", site.module, site.where, site.how)


class _Reader:
    def __init__(self, facts: ModuleFacts, model: ProjectModel, settings: Settings) -> None:
        self.facts = facts
        self.model = model
        self.settings = settings
        self.calls_by_node = {id(c.node): c for c in facts.calls}

    def sites(self) -> Iterator[Site]:
        for call in self.facts.calls:
            yield from self.call_sites(call)
        for qualname, function in self._functions():
            yield from self.decorator_sites(qualname, function)
        for registration in self.facts.registrations:  # register(E, h), {E: [h]}, @handle(E)
            event = self.named(registration.event, registration.scope)
            if event is not None:
                where = registration.scope or registration.handler or "<module>"
                yield Site(event, RECEIVE, None, self.facts.module, where,
                           f"handler {registration.handler}")
        for cls in self.facts.classes.values():
            view = self.model.view(self.facts, cls)
            if recognise(view, self.settings).kind is not Kind.HANDLER:
                continue
            for event in self.handled(view):
                yield Site(event, RECEIVE, None, self.facts.module, cls.qualname,
                           f"handler {cls.qualname}")

    # -- what an expression is ------------------------------------------------------
    def event(self, resolved) -> str | None:
        if isinstance(resolved, ClassView):
            recognition = recognise(resolved, self.settings)
            if recognition.kind is Kind.INTEGRATION_EVENT and recognition.is_concrete_event:
                return event_name(resolved)
        return None

    def named(self, name: str, scope: str | None = None) -> str | None:
        return self.event(self.model.resolve(self.facts, name, scope=scope)) if name else None

    def params(self, call: CallFact) -> dict[str, cst.BaseExpression | None]:
        function = self._function_of(call)
        return {p.name: p.annotation for p in function.params} if function else {}

    def _function_of(self, call: CallFact) -> MethodFact | None:
        if call.function is None:
            return None
        if call.cls and call.function.startswith(f"{call.cls}."):
            return self.facts.classes[call.cls].method(call.function[len(call.cls) + 1:])
        return self.facts.functions.get(call.function)

    def constructed(self, call: CallFact) -> list[str]:
        """The integration events the call's function constructs."""
        found = []
        for other in self.facts.calls:
            if other.function == call.function and other.cls == call.cls:
                built = self.named(other.callee) or (
                    self.named(other.receiver) if other.receiver not in ("", "self", "cls")
                    else None)
                if built is not None:
                    found.append(built)
        return list(dict.fromkeys(found))

    def carried(self, node: cst.CSTNode, call: CallFact, depth: int = 0) -> list[str]:
        """The integration events an argument is, constructs or serialises."""
        if depth > _MAX_DEPTH:
            return []
        if isinstance(node, cst.Call):
            inner = self.calls_by_node.get(id(node))
            name = dotted(node.func)
            built = self.named(name) or (
                self.named(inner.receiver) if inner is not None and inner.receiver
                and inner.receiver not in ("self", "cls") and inner.method not in
                ("model_dump_json", "model_dump", "json", "dict", "to_json", "to_dict")
                else None)
            if built is not None:
                return [built]
            receiver = node.func.value if isinstance(node.func, cst.Attribute) else None
            found = self.carried(receiver, call, depth + 1) if receiver is not None else []
            for arg in node.args:
                found += self.carried(arg.value, call, depth + 1)
            return found
        if isinstance(node, cst.Attribute):  # the class, not an attribute of an object
            as_class = self.named(dotted(node))
            return [as_class] if as_class else []
        if isinstance(node, cst.Name):
            as_class = self.named(node.value)
            if as_class is not None:
                return [as_class]
            annotation = self.params(call).get(node.value)
            if annotation is not None:
                return [e for e in (self.named(n) for n in names_in(annotation)) if e]
            if node.value not in ("self", "cls"):
                built = self.constructed(call)
                return built if len(built) == 1 else []
        return []

    def address(self, node: cst.BaseExpression | None, depth: int = 0) -> str | None:
        """A constant string: a literal, or a module-level constant (imported too)."""
        if isinstance(node, cst.SimpleString):
            value = node.evaluated_value
            return value if isinstance(value, str) and value else None
        if isinstance(node, cst.ConcatenatedString) and depth < _MAX_DEPTH:
            left, right = self.address(node.left, depth + 1), self.address(node.right, depth + 1)
            return left + right if left is not None and right is not None else None
        if isinstance(node, (cst.Name, cst.Attribute)) and depth < _MAX_DEPTH:
            found = self.model.assigned(self.facts, dotted(node))
            if found is not None:
                owner, value = found
                return _Reader(owner, self.model, self.settings).address(value, depth + 1)
        return None

    def declared(self, event: str) -> str | None:
        """The address an event class declares as a constant: ``topic: Literal["booking"]
        = "booking"`` (what an outbox library stores in its topic column), ``TOPIC =
        "orders"``."""
        view = self.model.resolve_qualified(event)
        if not isinstance(view, ClassView):
            return None
        for owner in view.mro:
            values = {f.name: f.default for f in owner.cls.fields}
            values.update(owner.cls.assignments)
            for name in _DECLARED:
                if values.get(name) is not None:
                    found = _Reader(owner.facts, self.model, self.settings).address(values[name])
                    if found is not None:
                        return found
        return None

    # -- the sites -------------------------------------------------------------------
    def call_sites(self, call: CallFact) -> Iterator[Site]:
        method = call.method
        transport = (method in self.settings.transport_methods
                     or method in _EXTRA_SEND_METHODS) and bool(call.callee) \
            and not is_own_receiver(call.receiver)
        outbox = is_outbox(call.callee) and method not in self.settings.outbox_mark_methods \
            and method not in self.settings.clear_methods
        if not (transport or outbox):
            return
        events: list[str] = []
        for arg in call.args:
            events += self.carried(arg.value, call)
        events = list(dict.fromkeys(events))
        if not events:
            return
        address = self.call_address(call, transport)
        where = call.function or call.cls or "<module>"
        for event in events:
            yield Site(event, SEND, address, self.facts.module, where, call.callee)

    def call_address(self, call: CallFact, transport: bool) -> str | None:
        keywords = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
        for keyword in ADDRESS_KEYWORDS:
            if keyword in keywords:
                return self.address(keywords[keyword])
        if not transport:
            return None  # an outbox record: its topic column only
        positional = [a.value for a in call.args if a.keyword is None and not a.star]
        if call.method == "basic_publish":
            return self.address(positional[1]) if len(positional) > 1 else None
        for value in positional:
            found = self.address(value)
            if found is not None:
                return found
        return None

    def _functions(self) -> Iterator[tuple[str, MethodFact]]:
        yield from self.facts.functions.items()
        for cls in self.facts.classes.values():
            for method in cls.methods:
                yield f"{cls.qualname}.{method.name}", method

    def decorator_sites(self, qualname: str, function: MethodFact) -> Iterator[Site]:
        for decorator in function.decorators:
            kind = last_part(decorator.name)
            if kind in _PUBLISHER_DECORATORS:
                returns = function.node.returns if function.node is not None else None
                events = [e for e in (self.named(n) for n in names_in(
                    returns.annotation if returns is not None else None)) if e]
                action = SEND
            elif kind in _SUBSCRIBER_DECORATORS:
                first = function.params[0].annotation if function.params else None
                events = [e for e in (self.named(n) for n in names_in(first)) if e]
                action = RECEIVE
            else:
                continue
            address, typed = self.decorator_address(decorator)
            for event in events or typed:
                yield Site(event, action, address, self.facts.module, qualname,
                           f"@{decorator.name}")

    def decorator_address(self, decorator: Decorator) -> tuple[str | None, list[str]]:
        """The address a decorator names, and the event a Faust topic declares."""
        node = decorator.args[0] if decorator.args else next(
            (decorator.keywords[k] for k in ADDRESS_KEYWORDS if k in decorator.keywords), None)
        if isinstance(node, (cst.Name, cst.Attribute)):
            found = self.model.assigned(self.facts, dotted(node))
            if found is not None and isinstance(found[1], cst.Call) \
                    and last_part(dotted(found[1].func)) == "topic":
                owner, topic = found
                reader = _Reader(owner, self.model, self.settings)
                positional = [a.value for a in topic.args if a.keyword is None]
                typed = keywords_of(topic).get("value_type")
                events = [e for e in (reader.named(n) for n in names_in(typed)) if e]
                return (reader.address(positional[0]) if positional else None), events
        return self.address(node), []

    def handled(self, view: ClassView) -> list[str]:
        declared = declared_events(view, self.settings)
        names = list(declared[0]) if declared else []
        found = [e for e in (self.named(n, view.cls.parent) for n in names) if e]
        method = entry_point(view)
        if not found and method is not None and method.params:
            found = [e for e in (self.named(n) for n in names_in(method.params[0].annotation))
                     if e]
        return found


@dataclass(frozen=True)
class Channel:
    """A channel of the document: its key, its address (None: unresolved), the events on
    it, the sites that send and receive there, and what left it unresolved."""

    key: str
    address: str | None
    events: tuple[str, ...]
    sends: tuple[Site, ...]
    receives: tuple[Site, ...]
    unresolved: tuple[Site, ...] = ()


def channels(sites: Iterable[Site], known: Iterable[str],
             configured: dict[str, str]) -> list[Channel]:
    """The channels of the sites, by address; a site without one is on its event's own
    channel (keyed by the event's name), whose address ``configured`` (option
    ``ddd-channels``, by dotted or class name) may give. Only events in ``known`` (the
    locked and current integration events) are placed."""
    known = set(known)
    sites = sorted((s for s in set(sites) if s.event in known), key=_order)
    sent_to: dict[str, set[str]] = {}
    for site in sites:
        if site.action == SEND and site.address is not None:
            sent_to.setdefault(site.event, set()).add(site.address)
    placed: dict[tuple[str, str | None], list[Site]] = {}
    for site in sites:
        if site.address is not None:
            placed.setdefault(("address", site.address), []).append(site)
        elif site.action == RECEIVE and sent_to.get(site.event):
            for address in sorted(sent_to[site.event]):
                placed.setdefault(("address", address), []).append(site)
        else:
            address = configured.get(site.event) or configured.get(last_part(site.event))
            key = ("address", address) if address else ("event", site.event)
            placed.setdefault(key, []).append(site)
    found: list[Channel] = []
    taken: set[str] = set()
    for (kind, value), members in sorted(placed.items(), key=lambda item: str(item[0])):
        events = tuple(sorted({s.event for s in members}))
        key = _key(value or "")
        for suffix in range(2, len(placed) + 2):
            if key not in taken:
                break
            key = f"{_key(value or '')}_{suffix}"
        taken.add(key)
        found.append(Channel(
            key=key, address=value if kind == "address" else None, events=events,
            sends=tuple(s for s in members if s.action == SEND),
            receives=tuple(s for s in members if s.action == RECEIVE),
            unresolved=tuple(s for s in members if s.address is None)
            if kind == "event" else ()))
    return found


def _key(address: str) -> str:
    """A channel key from its address or event (keys are ``[A-Za-z0-9._-]``)."""
    return "".join(c if c.isalnum() and c.isascii() or c in "._-" else "_" for c in address)
