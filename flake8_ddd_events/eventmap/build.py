"""Building the event map from the facts of each module and the project model.

What is read, module by module (``ModuleFacts``: classes, calls with their
enclosing class and function; recognition through the ``ProjectModel``):

- **events, aggregates, handlers**: the classes recognition names so (event bases,
  handler bases and abstract handlers are left out);
- **records**: ``self.events.append(...)`` in a class (any own attribute named for
  events), or a recording call (option ``ddd-record-methods``, or an alias: a
  method of the aggregate or of a project base whose parameter is annotated
  with an event, a method of the same module that passes its parameter on to a
  recording call, a class attribute ``raise_event = record_event``) whose
  argument is an event: constructed there (``OrderPlaced(...)``,
  ``OrderPlaced.create(...)``), the class itself, a parameter annotated with the
  event, or a local name when the function constructs the event;
- **handles**: the handler base's type argument (``EventHandler[OrderPlaced]``),
  else the annotation of ``handle``'s (or ``__call__``'s) parameter; and the
  registrations the collection pass records (``facts.Registration``): a registry
  call ``register(OrderPlaced, SendReceipt)`` (also ``subscribe``, ``add_handler``,
  ...), a mapping ``{OrderPlaced: [send_mail, log]}`` and a decorator
  ``@handles(OrderPlaced)`` on a function, whose event is an event class and whose
  handler names a class or function (or constructs a class);
- **builds**: an integration event constructed in a handler (built from the
  events it handles) or in a function or method with a parameter annotated with
  an event (a factory, ``OrderPlacedV1.from_domain(event: OrderPlaced)``);
- **publishes / outbox**: a call handing an event to a transport (options
  ``ddd-transport-methods``, ``ddd-aggregate-publish-methods``) or to a receiver
  named like an outbox;
- **relays**: the outbox relays ``analysis.failure`` finds, each with whether a failed
  publish has a path (DDD408).

Calls are not followed into other functions, and a variable's value is not
tracked beyond "the events this function constructs".
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Iterable

import libcst as cst

from ..syntax.expressions import dotted, last_part, names_in
from ..syntax.facts import CallFact, ClassFact, ModuleFacts, Param, Registration
from ..model.project_model import ProjectModel
from ..model.views import ClassView
from ..syntax.project_modules import Skipped, project_modules
from ..analysis.flow import is_outbox, is_own_receiver
from ..analysis.recognition import Kind, recognise
from ..analysis.subscriptions import declared_events, entry_point, handles_by_shape
from ..rules.rule import Context as RuleContext
from ..config.settings import Settings
from . import graph
from .checks import find
from .contexts import assign, display_names

_STRINGS = (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)


def _appends_to_own_events(call: CallFact) -> bool:
    """``self.events.append(OrderPlaced(...))`` in a class (``self._domain_events``, ...):
    recording into the object's own list, the style of *Architecture Patterns with Python*."""
    receiver = call.receiver
    return (call.method == "append" and call.cls is not None and receiver.startswith("self.")
            and receiver.count(".") == 1 and "events" in receiver.lower())


def display_path(path: str, base: str | None = None) -> str:
    """The path as the map shows it: relative to ``base`` (default: the current
    directory), with slashes."""
    relative = os.path.relpath(path, base)
    return (path if relative.startswith("..") else relative).replace(os.sep, "/")


def build_map(paths: Iterable[str], settings: Settings, model: ProjectModel | None = None,
              base: str | None = None) -> tuple[graph.EventMap, list[str]]:
    """The event map of the Python files under ``paths``, and the messages of the files
    skipped (``files.unreadable``);
    file names are shown relative to ``base`` (default: the current directory)."""
    builder = _Builder(settings, model or ProjectModel(settings), base)
    for read in project_modules(paths, settings):
        if isinstance(read, Skipped):
            builder.skipped.append(read.message)
        else:
            _Module(builder, read.facts, read.tree, display_path(read.path, base)).run()
    return builder.finish(), builder.skipped


class _Builder:
    def __init__(self, settings: Settings, model: ProjectModel, base: str | None) -> None:
        self.base = base
        self.settings = settings
        self.model = model
        self.nodes: dict[str, graph.Node] = {}  # defined by a class statement read here
        self.referenced: dict[str, graph.Node] = {}  # named only: no statement read here
        self.edges: set[graph.Edge] = set()
        self.relays: list[graph.Relay] = []
        self.skipped: list[str] = []

    def define(self, node: graph.Node) -> None:
        self.nodes.setdefault(node.id, node)

    def reference(self, node: graph.Node) -> None:
        self.referenced.setdefault(node.id, node)

    def finish(self) -> graph.EventMap:
        nodes = dict(self.referenced)
        nodes.update(self.nodes)
        packages = assign((n.module for n in nodes.values()), self.settings.context_modules)
        names = display_names(p for p in packages.values() if p is not None)
        placed = sorted(replace(n, context=names.get(packages[n.module]))  # type: ignore[arg-type]
                        for n in nodes.values())
        contexts = tuple(graph.Context(names[p], p) for p in sorted(names, key=names.get))
        edges = tuple(sorted(self.edges))
        # a relay is in the context whose package holds its module (outside any: None)
        by_length = sorted(names, key=len, reverse=True)
        relays = tuple(sorted(replace(r, context=next(
            (names[p] for p in by_length if f"{r.module}.".startswith(f"{p}.")), None))
            for r in self.relays))
        unlinked = graph.EventMap(contexts, tuple(placed), edges, relays=relays)
        return replace(unlinked, links=_links(unlinked), findings=find(unlinked))


def _links(event_map: graph.EventMap) -> tuple[graph.Link, ...]:
    """For each handler, the contexts its event comes from (those that record or publish
    it, else the context that defines it), when they are not the handler's own."""
    flows: dict[tuple[str, str], set[str]] = {}
    for edge in event_map.edges:
        if edge.kind != graph.HANDLES:
            continue
        event, handler = event_map.node(edge.source), event_map.node(edge.target)
        producers = {event_map.node(e.source).context for e in event_map.edges_to(
            event.id, graph.RECORDS, graph.PUBLISHES, graph.OUTBOX)} or {event.context}
        for source in producers:
            if source and handler.context and source != handler.context:
                flows.setdefault((source, handler.context), set()).add(event.id)
    return tuple(graph.Link(s, t, tuple(sorted(e))) for (s, t), e in sorted(flows.items()))


class _Module:
    """The map's part of one module."""

    def __init__(self, builder: _Builder, facts: ModuleFacts, tree: cst.Module, file: str) -> None:
        self.builder = builder
        self.settings = builder.settings
        self.model = builder.model
        self.facts = facts
        self.tree = tree
        self.file = file
        self.context = RuleContext(facts, builder.settings, builder.model)
        self._positions = None
        self.handled: dict[str, list[str]] = {}  # handler class qualname -> event ids
        self.calls_by_node = {id(c.node): c for c in facts.calls}
        self._recording: dict[str | None, set[str]] = {}
        inline = {id(a.value) for c in facts.calls for a in c.args}
        # per function, the event classes it constructs that are not passed on directly
        self.local_events: dict[str | None, list[ClassView]] = {}
        for call in facts.calls:
            if id(call.node) not in inline:
                built = self.construction(call)
                if built is not None:
                    self.local_events.setdefault(call.function, []).append(built)

    # -- positions, ids --------------------------------------------------------------
    def line(self, node: cst.CSTNode) -> int:
        if self._positions is None:
            from libcst.metadata import MetadataWrapper, PositionProvider

            self._positions = MetadataWrapper(self.tree, unsafe_skip_copy=True).resolve(
                PositionProvider)
        return self._positions[node].start.line

    def node_of(self, view: ClassView, kind: str) -> graph.Node:
        """The node of a class: defined when its statement is in this module, else named."""
        node_id = f"{view.facts.module}.{view.cls.qualname}"
        if view.facts is self.facts and view.cls.node is not None:
            node = graph.Node(node_id, kind, view.cls.qualname, self.facts.module, self.file,
                              self.line(view.cls.node))
            self.builder.define(node)
        else:
            node = graph.Node(node_id, kind, view.cls.qualname, view.facts.module,
                              display_path(view.facts.path, self.builder.base), None)
            self.builder.reference(node)
        return node

    def event_node(self, view: ClassView) -> graph.Node:
        kind = recognise(view, self.settings).kind
        return self.node_of(view, graph.DOMAIN_EVENT if kind is Kind.DOMAIN_EVENT
                            else graph.INTEGRATION_EVENT)

    def edge(self, source: str, target: str, kind: str, call: CallFact, via: str | None = None) -> None:
        self.builder.edges.add(graph.Edge(source, target, kind, self.file, self.line(call.node), via))

    # -- what names are ----------------------------------------------------------------
    def concrete_event(self, resolved) -> ClassView | None:
        if isinstance(resolved, ClassView) and recognise(resolved, self.settings).is_concrete_event:
            return resolved
        return None

    def construction(self, call: CallFact) -> ClassView | None:
        """The event class a call constructs: ``OrderPlaced(...)``, a factory on it
        (``OrderPlacedV1.from_domain(...)``), ``cls(...)`` inside the event class."""
        name = call.callee
        if not name:
            return None
        if name == "cls" and call.cls:
            return self.concrete_event(self.context.view(self.facts.classes[call.cls]))
        found = self.concrete_event(self.model.resolve(self.facts, name))
        if found is None and call.receiver and call.receiver not in ("self", "cls"):
            found = self.concrete_event(self.model.resolve(self.facts, call.receiver))
        return found

    def params(self, call: CallFact) -> tuple[Param, ...]:
        """The parameters of the function a call stands in."""
        if call.function is None:
            return ()
        if call.cls and call.function.startswith(f"{call.cls}."):
            method = self.facts.classes[call.cls].method(call.function[len(call.cls) + 1:])
            return method.params if method is not None else ()
        function = self.facts.functions.get(call.function)
        return function.params if function is not None else ()

    def annotated_events(self, param: Param) -> list[ClassView]:
        found = (self.concrete_event(self.model.resolve(self.facts, n))
                 for n in names_in(param.annotation))
        return [f for f in found if f is not None]

    def argument_events(self, call: CallFact) -> list[ClassView]:
        """The events a call's arguments are, or construct."""
        found: list[ClassView] = []
        params = {p.name: p for p in self.params(call)}
        for arg in call.args:
            value = arg.value
            if isinstance(value, cst.Call):
                built = self.construction_of(value)
                found.extend([built] if built is not None else [])
            elif isinstance(value, (cst.Name, cst.Attribute)):
                name = dotted(value)
                as_class = self.concrete_event(self.model.resolve(self.facts, name))
                if as_class is not None:
                    found.append(as_class)
                elif name in params:
                    found.extend(self.annotated_events(params[name]))
                elif isinstance(value, cst.Name):
                    found.extend(self.local_events.get(call.function, ()))
        return list({id(v): v for v in found}.values())

    def construction_of(self, node: cst.Call) -> ClassView | None:
        inner = self.calls_by_node.get(id(node))
        return self.construction(inner) if inner is not None else None

    # -- who acts ----------------------------------------------------------------------
    def actor(self, call: CallFact) -> graph.Node:
        """The aggregate, entity or handler a call stands in, else the service: the
        top-level class or function around it (the module itself for module code)."""
        parts = call.cls.split(".") if call.cls else []
        while parts:
            cls = self.facts.classes.get(".".join(parts))
            parts.pop()
            if cls is None:
                continue
            kind = recognise(self.context.view(cls), self.settings).kind
            if kind in (Kind.AGGREGATE, Kind.ENTITY, Kind.HANDLER):
                return self.node_of(self.context.view(cls), {
                    Kind.AGGREGATE: graph.AGGREGATE, Kind.ENTITY: graph.ENTITY,
                    Kind.HANDLER: graph.HANDLER}[kind])
        top = (call.cls or call.function or "").split(".")[0]
        cls = self.facts.classes.get(top)
        line = self.line(cls.node) if cls is not None and cls.node is not None else self.line(call.node)
        node_id = f"{self.facts.module}.{top}" if top else self.facts.module
        node = graph.Node(node_id, graph.SERVICE, top or last_part(self.facts.module),
                          self.facts.module, self.file, line)
        self.builder.define(node)
        return self.builder.nodes[node_id]

    def recording_methods(self, call: CallFact) -> set[str]:
        """``ddd-record-methods`` and the aliases of the class around the call."""
        found = self._recording.get(call.cls)
        if found is None:
            found = self._recording[call.cls] = self._recording_methods(call.cls)
        return found

    def _recording_methods(self, qualname: str | None) -> set[str]:
        names = set(self.settings.record_methods)
        if not qualname or qualname not in self.facts.classes:
            return names
        view = self.context.view(self.facts.classes[qualname])
        for owner in view.mro:
            names |= {k for k, v in owner.cls.assignments.items()
                      if last_part(dotted(v)) in self.settings.record_methods}
            for method in owner.cls.methods:
                if method.name not in ("__init__", "handle", "__call__") and any(
                        self._takes_event(owner, p) for p in method.params):
                    names.add(method.name)
            if owner.facts is self.facts:
                names |= self.passing_aliases(owner.cls)
        return names

    def _takes_event(self, owner: ClassView, param: Param) -> bool:
        return any(isinstance(r, ClassView) and recognise(r, self.settings).is_event
                   for r in (self.model.resolve(owner.facts, n) for n in names_in(param.annotation)))

    def passing_aliases(self, cls: ClassFact) -> set[str]:
        """Methods of ``cls`` that pass a parameter of theirs to ``self.<record method>``."""
        found = set()
        for call in self.facts.calls:
            if (call.cls == cls.qualname and call.receiver == "self" and call.function
                    and call.method in self.settings.record_methods):
                method = cls.method(call.function.rpartition(".")[2])
                names = {p.name for p in method.params} if method is not None else set()
                if any(dotted(a.value) in names for a in call.args):
                    found.add(method.name)  # type: ignore[union-attr]
        return found

    # -- the passes --------------------------------------------------------------------
    def run(self) -> None:
        for view, recognition in self.context.classes:
            if recognition.is_concrete_event and not view.cls.in_function:
                self.event_node(view)
            elif recognition.kind is Kind.AGGREGATE and view.name not in self.settings.aggregate_bases:
                self.node_of(view, graph.AGGREGATE)
            elif recognition.kind is Kind.HANDLER and view.name not in self.settings.handler_bases \
                    or handles_by_shape(view, self.settings):
                self.handler(view)
        for registration in self.facts.registrations:
            self.registration(registration)
        for call in self.facts.calls:
            self.call(call)
        self.relays()

    def relays(self) -> None:
        """The module's outbox relays, and whether each has a path for a failed publish."""
        for relay in self.context.relays.relays:
            name = relay.function.qualname
            self.builder.relays.append(graph.Relay(
                f"{self.facts.module}.{name}", name, self.facts.module, self.file,
                self.line(relay.node), not relay.failures))

    def handled_events(self, view: ClassView) -> list[ClassView]:
        declared = declared_events(view, self.settings)
        names = list(declared[0]) if declared else []
        found = [self.concrete_event(self.model.resolve(view.facts, n, scope=view.cls.parent))
                 for n in names]
        events = [f for f in found if f is not None]
        method = entry_point(view)
        if not events and method is not None and method.params:
            events = self.annotated_events(method.params[0])
        return events

    def handler(self, view: ClassView) -> None:
        events = self.handled_events(view)
        if not events:
            return
        node = self.node_of(view, graph.HANDLER)
        ids = self.handled.setdefault(view.cls.qualname, [])
        for event in events:
            target = self.event_node(event)
            ids.append(target.id)
            self.builder.edges.add(graph.Edge(target.id, node.id, graph.HANDLES, self.file,
                                              node.line or 0))

    def call(self, call: CallFact) -> None:
        method = call.method
        built = self.construction(call)
        if built is not None and recognise(built, self.settings).kind is Kind.INTEGRATION_EVENT:
            self.translation(call, built)
        recording = (method in self.recording_methods(call) and call.receiver != "") \
            or _appends_to_own_events(call)
        first = call.args[0].value if call.args else None
        if recording and isinstance(first, _STRINGS):
            return  # analytics (``tracker.record_event("checkout")``), not a domain event
        outbox = is_outbox(call.receiver) and method not in self.settings.outbox_mark_methods \
            and method not in self.settings.clear_methods
        publish = (method in self.settings.transport_methods
                   or method in self.settings.aggregate_publish_methods) \
            and bool(call.callee) and not is_own_receiver(call.receiver)
        if not (recording or outbox or publish):
            return
        events = self.argument_events(call)
        if not events:
            return
        actor = self.actor(call)
        for event in events:
            target = self.event_node(event)
            if recording and target.kind == graph.DOMAIN_EVENT:
                self.edge(actor.id, target.id, graph.RECORDS, call)
            elif outbox:
                self.edge(actor.id, target.id, graph.OUTBOX, call)
            elif publish or recording:
                self.edge(actor.id, target.id, graph.PUBLISHES, call)

    def translation(self, call: CallFact, built: ClassView) -> None:
        target = self.event_node(built)
        sources: list[str] = []
        actor = None
        if call.cls is not None:
            outer = call.cls.split(".")[0]
            if outer in self.handled:
                sources = list(self.handled[outer])
                actor = f"{self.facts.module}.{outer}"
        for param in self.params(call):
            sources.extend(self.event_node(e).id for e in self.annotated_events(param))
        if not sources:
            return
        via = actor or f"{self.facts.module}.{call.function or call.cls or ''}".rstrip(".")
        for source in dict.fromkeys(sources):
            if source != target.id:
                self.edge(source, target.id, graph.BUILDS, call, via)

    def registration(self, registration: Registration) -> None:
        """``bus.register(OrderPlaced, SendReceipt)``, ``{OrderPlaced: [send_mail]}``,
        ``@handles(OrderPlaced)``: a handler read from a registration (``facts.Registration``)."""
        event = self.concrete_event(self.model.resolve(self.facts, registration.event,
                                                       scope=registration.scope))
        if event is None:
            return
        name = registration.handler
        resolved = self.model.resolve(self.facts, name, scope=registration.scope)
        line = self.line(registration.node)
        if isinstance(resolved, ClassView):
            node = self.node_of(resolved, graph.HANDLER)
        else:
            qualified = self.facts.qualify(name)
            node_id = qualified if qualified != name else f"{self.facts.module}.{name}"
            node = graph.Node(node_id, graph.HANDLER, last_part(name),
                              node_id.rpartition(".")[0] or self.facts.module, self.file, line)
            self.builder.define(node)
        target = self.event_node(event)
        self.builder.edges.add(graph.Edge(target.id, node.id, graph.HANDLES, self.file, line))
