"""Stored events: the events an event store keeps, which every later version of the code
must still read (docs/rules/DDD209.md, docs/stored-events.md).

Which events are stored:

- **eventsourcing**: every concrete event class whose chain reaches the library's event
  classes (``Aggregate.Event``, ``Aggregate.Created``, ``DomainEvent``, ``AggregateEvent``),
  nested in an aggregate or not; and the events its ``Aggregate`` metaclass generates: one
  per method decorated ``@event("Name")`` (or bare ``@event``: the method's name in
  CamelCase), whose fields are the method's parameters, and ``Created`` (or the class
  keyword ``created_event_name``) from an ``__init__`` when no nested class is the created
  event. Version: ``class_version`` (none means 1); topic ``module:Qualified.Name``.
- **Protean**: every event (``@<domain>.event`` or a ``BaseEvent`` subclass). Protean's
  unit of work appends every event an aggregate raises to the event store, event-sourced
  aggregate or not, and handlers and projections read them back from there, so all of them
  are history. Version: ``__version__`` or the decorator's ``version=`` (none means 1);
  topic: the class name (Protean's type string is ``<Domain>.<Class>.v<version>``).
- **configured**: a concrete class under a base named in ``ddd-stored-event-bases``, or an
  event in a module named in ``ddd-stored-event-modules``. Version: a version field or
  class attribute as DDD203 reads it; topic ``module:Qualified.Name``.

Upcasters: eventsourcing's are static methods ``upcast_vK_vK+1(state)`` on the class (or
a base). Protean's are ``@<domain>.upcaster(event_type=E, from_version=K, to_version=M)``
classes or ``<domain>.register(U, event_type=E, from_version=K, to_version=M)`` calls;
topic aliases are eventsourcing's ``register_topic("old:Topic", Cls)`` and Protean's
``<domain>.register_external_event(Cls, "Domain.OldName.v1")``. Both are looked for in the
event's own module and in the modules named in ``ddd-upcaster-modules`` (default
``upcasters``, ``upcasting``) of its package and every package above it: places looked up
by name, so that the result cache, which keys on every module looked up (found or not),
stays right when one of them appears.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

import libcst as cst

from ..config.settings import Settings, with_base_variants
from ..model.views import ClassView, External
from ..syntax.expressions import dotted, last_part
from ..syntax.facts import MethodFact, ModuleFacts, Param
from .english import states_past_fact
from .metadata import schema_version
from .recognition import (Kind, chain_matches, is_data_shaped, is_other_message, qualified_of,
                          recognise)

EVENTSOURCING = "eventsourcing"
PROTEAN = "protean"
CONFIGURED = "configured"

_UPCAST = re.compile(r"upcast_v(\d+)_v(\d+)\Z")
_PROTEAN_VERSION = re.compile(r"v?(\d+)\Z")
_CREATED_BASES = frozenset({"Created", "AggregateCreated"})


@dataclass(frozen=True)
class StoredEvent:
    """One stored event class as the code defines it now."""

    name: str  # dotted: ``module.Dog.Registered`` (the lock's key)
    framework: str  # eventsourcing, protean, configured
    topic: str  # what the store keeps to find the class again
    version: int | str | None  # None: a configured event without a version
    version_source: str  # ``class_version``, ``__version__``, ``field 'event_version'``
    view: ClassView | None  # the class; None for an event eventsourcing generates
    aggregate: ClassView | None = None  # the aggregate that generates it
    method: MethodFact | None = None  # the method whose parameters are its fields

    @property
    def class_name(self) -> str:
        return self.name.rpartition(".")[2]

    @property
    def generated(self) -> bool:
        return self.view is None

    @property
    def fields(self) -> tuple[Param, ...]:
        """A generated event's fields: the method's parameters (``id`` of ``__init__`` is
        the aggregate's, not the event's)."""
        assert self.method is not None
        return tuple(p for p in self.method.params if not p.star
                     and not (self.method.name == "__init__" and p.name == "id"))

    @property
    def node(self) -> cst.CSTNode | None:
        """Where a finding about the whole event points: its class, or the method that
        generates it."""
        if self.view is not None:
            return self.view.cls.node
        return self.method.node if self.method is not None else None

    @property
    def facts(self) -> ModuleFacts:
        owner = self.view or self.aggregate
        assert owner is not None
        return owner.facts


# -- which classes ------------------------------------------------------------------

def stored_event(view: ClassView, settings: Settings) -> StoredEvent | None:
    """The class as a stored event, or None when it is not one."""
    framework = _framework(view, settings)
    if framework is None:
        return None
    name = f"{view.facts.module}.{view.cls.qualname}"
    topic = f"{view.facts.module}:{view.cls.qualname}"
    if framework == EVENTSOURCING:
        version = _class_attribute(view, "class_version")
        return StoredEvent(name, framework, topic, 1 if version is None else version,
                           "class_version", view)
    if framework == PROTEAN:
        return StoredEvent(name, framework, view.cls.name, protean_version(view),
                           "__version__", view)
    found = schema_version(view, settings)
    return StoredEvent(name, framework, topic, found.value if found else None,
                       found.source if found else "no version", view)


def _framework(view: ClassView, settings: Settings) -> str | None:
    recognition = recognise(view, settings)
    if recognition.is_concrete_event and (
            recognition.library == EVENTSOURCING
            or (recognition.library == PROTEAN and is_protean_event(view))):
        return recognition.library
    if recognition.kind in (Kind.AGGREGATE, Kind.ENTITY, Kind.HANDLER) or recognition.is_base:
        return None
    if settings.stored_event_bases and view.cls.name not in with_base_variants(
            settings.stored_event_bases) and chain_matches(view, settings.stored_event_bases,
                                                           settings):
        return CONFIGURED
    if settings.stored_event_modules and any(
            part in settings.stored_event_modules for part in view.facts.module.split(".")):
        if recognition.is_concrete_event or (
                view.cls.is_top_level and is_data_shaped(view)
                and not is_other_message(view, settings) and _named_like_event(view, settings)):
            return CONFIGURED
    return None


def is_protean_event(view: ClassView) -> bool:
    """A Protean event: decorated ``@<domain>.event`` or inheriting Protean's
    ``BaseEvent`` (not every class under a Protean base: value objects, repositories and
    the framework's own classes are not events)."""
    return any(d.name.endswith(".event") and d.name.count(".") == 1
               for owner in view.mro for d in owner.cls.decorators) or any(
        qualified_of(resolved).startswith(f"{PROTEAN}.") and last_part(written) == "BaseEvent"
        for written, resolved in view.ancestors())


def _named_like_event(view: ClassView, settings: Settings) -> bool:
    name = view.cls.name
    return name.endswith("Event") or states_past_fact(name, frozenset(settings.past_tense_allow))


# the aggregates whose metaclass generates events from methods (eventsourcing 9 and later;
# version 8's ``eventsourcing.domain.model.aggregate.AggregateRoot`` does not)
_GENERATING_AGGREGATES = frozenset({"eventsourcing.domain.Aggregate",
                                    "eventsourcing.domain.BaseAggregate"})


def generates_events(view: ClassView, settings: Settings) -> bool:
    """Whether eventsourcing defines events from this aggregate class's methods."""
    return recognise(view, settings).kind is Kind.AGGREGATE and any(
        qualified_of(resolved) in _GENERATING_AGGREGATES for _, resolved in view.ancestors())


def generated_events(view: ClassView, settings: Settings) -> Iterator[StoredEvent]:
    """The events eventsourcing's ``Aggregate`` metaclass defines from the methods of an
    aggregate class: ``@event("Name")``, bare ``@event`` and ``__init__``."""
    if not generates_events(view, settings):
        return
    nested = {view.facts.classes[q].name: view.facts.classes[q] for q in view.cls.inner_classes
              if q in view.facts.classes}
    for method in view.cls.methods:
        name = _generated_name(view, method, nested)
        if name is None or name in nested:
            continue  # a nested class of that name is the event (eventsourcing refuses both)
        qualname = f"{view.cls.qualname}.{name}"
        yield StoredEvent(f"{view.facts.module}.{qualname}", EVENTSOURCING,
                          f"{view.facts.module}:{qualname}", 1, "class_version", None,
                          view, method)


def _generated_name(view: ClassView, method: MethodFact, nested: dict) -> str | None:
    decorator = next((d for d in method.decorators
                      if last_part(view.facts.qualify(d.name)) == "event"
                      and view.facts.qualify(d.name).partition(".")[0] in (EVENTSOURCING, "event")),
                     None)
    if decorator is not None:
        if decorator.args:
            spec = decorator.args[0]
            if isinstance(spec, cst.SimpleString) and isinstance(spec.evaluated_value, str):
                return spec.evaluated_value or None
            return None  # ``@event(Registered)``: the nested class is the event
        if method.name != "__init__":
            return "".join(part.capitalize() for part in method.name.split("_"))
    elif method.name != "__init__":
        return None
    if any(_CREATED_BASES & {last_part(b) for b in cls.base_names} for cls in nested.values()) \
            or "_created_event_class" in view.cls.assignments:
        return None  # a nested class is the created event
    keyword = view.cls.keywords.get("created_event_name")
    if isinstance(keyword, cst.SimpleString) and isinstance(keyword.evaluated_value, str):
        return keyword.evaluated_value
    return "Created"


def module_stored_events(facts: ModuleFacts, model, settings: Settings) -> list[StoredEvent]:
    """Every stored event a module defines, classes and generated events, by name."""
    found: dict[str, StoredEvent] = {}
    for cls in facts.classes.values():
        view = model.view(facts, cls)
        event = stored_event(view, settings)
        if event is not None:
            found.setdefault(event.name, event)
        for generated in generated_events(view, settings):
            found.setdefault(generated.name, generated)
    return [found[name] for name in sorted(found)]


# -- versions -----------------------------------------------------------------------

def _class_attribute(view: ClassView, name: str) -> int | str | None:
    """A literal class attribute along the chain (``class_version = 2``)."""
    for owner in view.mro:
        value = owner.cls.assignments.get(name)
        if value is None:
            value = next((f.default for f in owner.cls.fields if f.name == name), None)
        if value is not None:
            return _literal(value)
    return None


def protean_version(view: ClassView) -> int | str | None:
    """``__version__`` along the chain or the decorator's ``version=``; 1 when neither.
    ``"v2"`` (older Protean) and ``2`` are the same version."""
    for owner in view.mro:
        for decorator in owner.cls.decorators:
            if decorator.name.endswith(".event") and "version" in decorator.keywords:
                return _protean_number(_literal(decorator.keywords["version"]))
        value = owner.cls.assignments.get("__version__")
        if value is not None:
            return _protean_number(_literal(value))
    return 1


def _protean_number(value: int | str | None) -> int | str | None:
    if isinstance(value, str):
        match = _PROTEAN_VERSION.fullmatch(value)
        return int(match.group(1)) if match else value
    return value


def _literal(node: cst.BaseExpression | None) -> int | str | None:
    if isinstance(node, cst.Integer):
        return int(node.value.replace("_", ""), 0) if node.value.strip("0_") else 0
    if isinstance(node, cst.SimpleString) and isinstance(node.evaluated_value, str):
        return node.evaluated_value
    return None


# -- upcasters and topic aliases -----------------------------------------------------

def upcast_steps(event: StoredEvent, model, settings: Settings) -> frozenset[tuple[int, int]]:
    """The (from, to) version steps the code can upcast this event through."""
    if event.view is None:
        return frozenset()
    if event.framework == EVENTSOURCING:
        return frozenset((int(m.group(1)), int(m.group(2)))
                         for owner in event.view.mro for method in owner.cls.methods
                         if (m := _UPCAST.fullmatch(method.name)))
    if event.framework != PROTEAN:
        return frozenset()
    steps = set()
    for facts in searched_modules(event, model, settings):
        for cls in facts.classes.values():
            for decorator in cls.decorators:
                if last_part(decorator.name) == "upcaster":
                    steps.update(_protean_step(event, facts, model, decorator.keywords))
        for registration in facts.store_registrations:
            if registration.method in ("register", "register_upcaster"):
                steps.update(_protean_step(event, facts, model, registration.keywords))
    return frozenset(steps)


def _protean_step(event: StoredEvent, facts: ModuleFacts, model, keywords) -> list[tuple[int, int]]:
    target = keywords.get("event_type") or keywords.get("event_base_type")
    if not _names_event(event, facts, model, target):
        return []
    start = _protean_number(_literal(keywords.get("from_version")))
    end = _protean_number(_literal(keywords.get("to_version")))
    return [(start, end)] if isinstance(start, int) and isinstance(end, int) else []


def _names_event(event: StoredEvent, facts: ModuleFacts, model, node) -> bool:
    """Whether an expression names the event: its class (resolved in ``facts``) or a
    string holding its class name (``"OrderPlaced"``, ``"Shop.OrderPlaced"``)."""
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return isinstance(value, str) and value.rpartition(".")[2] == event.class_name
    written = dotted(node)
    if not written:
        return False
    resolved = model.resolve(facts, written)
    if isinstance(resolved, (ClassView, External)):
        return qualified_of(resolved) == event.name
    return last_part(written) == event.class_name


def topic_aliases(event: StoredEvent, model, settings: Settings) -> frozenset[str]:
    """The old topics registered as aliases where this event's upcasters are looked for:
    eventsourcing ``register_topic("old:Topic", …)`` (any topic registered there: a class,
    an outer class or a module may be registered), Protean
    ``register_external_event(Cls, "Domain.Old.v1")`` (as the class name, ``Old``)."""
    found = set()
    for facts in searched_modules(event, model, settings):
        for registration in facts.store_registrations:
            strings = [a.evaluated_value for a in registration.args
                       if isinstance(a, cst.SimpleString) and isinstance(a.evaluated_value, str)]
            if registration.method == "register_topic" and strings:
                found.add(strings[0])
            elif registration.method == "register_external_event" and strings:
                found.add(protean_class_name(strings[0]))
    return frozenset(found)


def protean_class_name(type_string: str) -> str:
    """The class name in a Protean type string: ``Shop.OrderPlaced.v1`` → ``OrderPlaced``."""
    parts = type_string.split(".")
    if len(parts) > 1 and _PROTEAN_VERSION.fullmatch(parts[-1]) and parts[-1].startswith("v"):
        parts = parts[:-1]
    return parts[-1]


def topic_covered(old_topic: str, aliases: frozenset[str]) -> bool:
    """Whether an alias makes an old topic resolve: the topic itself, or (eventsourcing's
    ``resolve_topic``) an outer class of it or its module or a package above it."""
    if old_topic in aliases:
        return True
    module, colon, qualname = old_topic.partition(":")
    for alias in aliases:
        if ":" in alias:
            if colon and old_topic.startswith(alias + "."):
                return True
        elif module == alias or module.startswith(alias + "."):
            return True
    return False


def searched_modules(event: StoredEvent, model, settings: Settings) -> list[ModuleFacts]:
    """The event's module and the upcaster modules of its packages (docs/rules/DDD209.md):
    each looked up by name, so the result cache notes it present or absent."""
    own = event.facts
    found = [own]
    parts = own.module.split(".")
    packages = [".".join(parts[:end]) for end in range(len(parts) - 1, -1, -1)]
    if own.is_package:
        packages.insert(0, own.module)
    for package in packages:
        for name in settings.upcaster_modules:
            module = f"{package}.{name}" if package else name
            if module == own.module:
                continue
            facts = model.module(module, own)
            if facts is not None:
                found.append(facts)
    return found


def upcaster_places(event: StoredEvent, settings: Settings) -> str:
    """Where upcasters are looked for, for a message: ``this module or shop.upcasters``."""
    parts = event.facts.module.split(".")
    package = ".".join(parts[:-1])
    name = settings.upcaster_modules[0] if settings.upcaster_modules else None
    if name is None:
        return "this module"
    return f"this module or {package + '.' if package else ''}{name}"
