"""What a class is: domain event, integration event, event base, aggregate,
entity, handler, or none of these (docs/recognition.md)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from .english import states_past_fact
from ..syntax.expressions import last_part
from .library_bases import library_of, published
from .metadata import chain_fields, declares_only_metadata
from .vocabulary import DATA_BASES, is_abstract
from ..model.views import ClassView, External, Memo
from ..config.settings import Settings, with_base_variants

# Packages whose ``Event`` (and the like) is not a domain event.
_NON_DOMAIN_PACKAGES = frozenset({
    "threading", "asyncio", "multiprocessing", "_thread", "concurrent", "gevent", "eventlet",
    "trio", "anyio", "tkinter", "pygame", "pyglet", "arcade", "kivy", "wx", "PyQt5", "PyQt6",
    "PySide2", "PySide6", "curses", "sched", "selectors", "simpy", "sqlalchemy", "tornado",
    "twisted", "zmq", "watchdog", "locust", "sentry_sdk", "opentelemetry", "icalendar", "ics",
    "xml", "email", "ctypes", "win32event", "pyinotify",
})
_DATACLASS_DECORATORS = frozenset({"dataclass", "dataclasses.dataclass", "pydantic.dataclasses.dataclass"})
_ATTRS_DECORATORS = frozenset({"s", "attrs", "define", "frozen", "mutable", "dataclass", "attributes"})
# A class whose name ends in one of these is some other message or role, never an event
# (unless it names a configured event base itself): docs/recognition.md, "Not every message is an event".
# Handler words are ours: handlers live in ``events`` packages too.
NON_EVENT_ROLES = ("Command", "Query", "Request", "Response", "Result", "Dto", "DTO", "Payload",
                   "Error", "Exception", "Handler", "Listener", "Subscriber", "Consumer")
# Messages that ask for something rather than state what happened: never an event, even
# under an event base (a project whose ``Command`` inherits its ``DomainEvent`` sends
# commands on the event bus; they are not facts).
_IMPERATIVE_ROLES = ("Command", "Query")
# Value objects that event modules define next to the events that carry them.
VALUE_OBJECT_ROLES = ("Payload", "Data", "Info", "Item", "Line", "Dto", "DTO")
# Records of a message rather than the fact (an outbox's ``PublishedMessage``): a past
# participle in front does not make them an event by their correlation field.
_RECORD_NOUNS = ("Message", "Record", "Entry", "Envelope", "Row", "Model", "Log")
_NEVER_EVENT_BASES = frozenset({"Enum", "IntEnum", "StrEnum", "Flag", "IntFlag", "Protocol",
                                "Exception", "BaseException", "TypedDict"})


class Kind(enum.Enum):
    DOMAIN_EVENT = "domain event"
    INTEGRATION_EVENT = "integration event"
    AGGREGATE = "aggregate root"
    ENTITY = "entity"
    HANDLER = "event handler"
    OTHER = "other"


@dataclass(frozen=True)
class Recognition:
    kind: Kind
    is_base: bool = False  # an event base: exempt from the concrete-event rules
    library: str | None = None  # an installed library's event base it inherits (known_bases)

    @property
    def is_event(self) -> bool:
        return self.kind in (Kind.DOMAIN_EVENT, Kind.INTEGRATION_EVENT)

    @property
    def is_concrete_event(self) -> bool:
        return self.is_event and not self.is_base


def qualified_of(resolved) -> str:
    if isinstance(resolved, External):
        return resolved.qualified
    if isinstance(resolved, ClassView):
        return f"{resolved.facts.module}.{resolved.cls.qualname}"
    return ""


_DOMAIN_OBJECTS = (Kind.AGGREGATE, Kind.ENTITY, Kind.HANDLER)


def _matches(written: str, resolved, names: tuple[str, ...], settings: Settings,
             excluded: tuple[Kind, ...] = _DOMAIN_OBJECTS) -> bool:
    """A base matches a configured name by its last dotted part, or by the name it
    was imported under (``import Event as SdkEvent``), unless it is a non-domain
    import of the same name (``threading.Event``) or a project class of that name
    whose kind is ``excluded`` (an aggregate named ``Event`` is no event base)."""
    names = with_base_variants(names)
    if last_part(written) not in names and last_part(qualified_of(resolved)) not in names:
        return False
    if isinstance(resolved, External):
        return resolved.qualified.partition(".")[0] not in _NON_DOMAIN_PACKAGES
    if isinstance(resolved, ClassView) and excluded:
        return recognise(resolved, settings).kind not in excluded
    return True


def chain_matches(view: ClassView, names: tuple[str, ...], settings: Settings,
                  excluded: tuple[Kind, ...] = _DOMAIN_OBJECTS) -> bool:
    return any(_matches(written, resolved, names, settings, excluded)
               for written, resolved in view.ancestors())


def is_dataclass_like(view: ClassView) -> bool:
    for decorator in view.cls.decorators:
        qualified = view.facts.qualify(decorator.name)
        if qualified in _DATACLASS_DECORATORS or decorator.name == "dataclass":
            return True
        package, _, name = qualified.partition(".")
        if package in ("attr", "attrs") and last_part(qualified) in _ATTRS_DECORATORS:
            return True
    return False


def is_data_shaped(view: ClassView) -> bool:
    """dataclass, attrs, pydantic, NamedTuple, msgspec Struct, or a body of annotated fields."""
    if is_dataclass_like(view):
        return True
    if any(last_part(w) in DATA_BASES for w, _ in view.ancestors()):
        return True
    return bool(view.cls.fields) and all(m.name.startswith("__") or m.decorator_names & {"property"}
                                         for m in view.cls.methods)


def _never_event_shape(view: ClassView) -> bool:
    for written, _ in view.ancestors():
        name = last_part(written)
        if name in _NEVER_EVENT_BASES or name.endswith(("Error", "Exception")):
            return True
    return False


def _past_fact(name: str, settings: Settings) -> bool:
    return states_past_fact(name, frozenset(settings.past_tense_allow))


def _is_abstract(view: ClassView) -> bool:
    return is_abstract(view.cls.base_names, (d for m in view.cls.methods for d in m.decorator_names))


def looks_like_event_base(view: ClassView, settings: Settings) -> bool:
    """A marker or category base: named like a base and declaring no payload. A class
    named ``<Category>Event`` (not a past fact) that declares nothing but metadata (an id,
    a timestamp: ``NotificationEvent``) is a base too: it has no fact of its own."""
    name = view.cls.name
    if name.startswith(("Base", "Abstract")) or name.endswith(("EventBase", "BaseEvent")):
        return True
    if _is_abstract(view):
        return True
    if not name.endswith("Event") or view.cls.method("__init__") \
            or _past_fact(name, settings):
        return False
    return not view.cls.fields or declares_only_metadata(view, settings)


def _module_event_kind(module: str, settings: Settings) -> Kind | None:
    """The event kind a module's name gives its top-level data classes. The part nearest
    the module decides: ``contracts/events.py`` holds domain events,
    ``events/contracts.py`` integration events."""
    for part in reversed(module.split(".")):
        if part in settings.integration_event_modules:
            return Kind.INTEGRATION_EVENT
        if part in settings.domain_event_modules:
            return Kind.DOMAIN_EVENT
    return None


_RECOGNITION: Memo[Recognition] = Memo("recognition")


def recognise(view: ClassView, settings: Settings) -> Recognition:
    """Classify a class; the result is memoised on the view."""
    # an inheritance cycle asking again is told "none of these"
    return view.remembered(_RECOGNITION, lambda v: _recognise(v, settings), Recognition(Kind.OTHER))


def _is_inherited_locally(view: ClassView, settings: Settings) -> bool:
    """Whether another class of the same module inherits from this one."""
    for other in view.facts.classes.values():
        # only classes that name it are resolved: nothing else's imports are read
        if other is view.cls or not any(last_part(b) == view.cls.name for b in other.base_names):
            continue
        for base in view.model.view(view.facts, other).bases:
            if base is view:
                return True
    return False


def _names_event_base(view: ClassView, settings: Settings) -> bool:
    """Whether the class names a configured event base among its own bases."""
    names = (*settings.domain_event_bases, *settings.integration_event_bases)
    return any(_matches(written, resolved, names, settings)
               for written, resolved in zip(view.cls.base_names, view.bases))


def is_other_message(view: ClassView, settings: Settings) -> bool:
    """A command, query, response, DTO, handler...: a class that is not an event whatever
    module it is in or fields it declares; by its name, a command module, or an ancestor
    that is a command base or is named for such a role (``class JobSelectable(DTO)``). A
    class that names a configured event base itself is an event all the same, unless its
    name says it asks for something (``…Command``, ``…Query``)."""
    if view.cls.name.endswith(_IMPERATIVE_ROLES):
        return True
    if _names_event_base(view, settings):
        return False
    if view.cls.name.endswith(NON_EVENT_ROLES):
        return True
    if any(part in settings.command_modules for part in view.facts.module.split(".")):
        return True
    for written, resolved in view.ancestors():
        name = last_part(written) or last_part(qualified_of(resolved))
        if name in settings.command_bases or name.endswith(NON_EVENT_ROLES):
            return True
    return False


def _is_snapshot(view: ClassView) -> bool:
    """A snapshot of an aggregate's state (``Snapshot``, ``AggregateSnapshot`` and their
    subclasses), stored beside the events to load faster: a copy of state, not a fact,
    even where it inherits the event base (eventsourcing's ``Snapshot(DomainEvent)``)."""
    return any(name.endswith("Snapshot") for name in
               (view.cls.name, *(last_part(w) for w, _ in view.ancestors())))


def is_sentinel(view: ClassView) -> bool:
    """A class with an empty body (a docstring, ``pass``) that the code compares by
    identity (``if item is Stop``) and never builds in its module: the class object itself
    is the value, a marker, never an occurrence of a fact, even under an event base. (A
    base compared by identity, ``if cls is BaseEvent: raise ...``, has a body.)"""
    cls = view.cls
    return cls.is_top_level and not cls.fields and not cls.methods and not cls.assignments \
        and cls.name in view.facts.sentinels


def carries_events(view: ClassView, settings: Settings) -> bool:
    """An envelope, a batch or a stream of events: a class with a field, its own or a
    project base's, of the event base type itself (``event: Event``, ``events:
    list[DomainEvent]``). The facts are what it carries; it is no fact of its own."""
    bases = with_base_variants((*settings.domain_event_bases, *settings.integration_event_bases))
    return any(last_part(name) in bases for owner in view.mro
               for field in owner.cls.fields for name in field.annotation_names)


def _is_value_object(view: ClassView, settings: Settings) -> bool:
    """In an event module, a data class that inherits no event base and is not named like
    a fact is a value object when its name says so or another class there uses it as a
    field type (``line_items: tuple[OrderLineItemData, ...]``)."""
    name = view.cls.name
    if name.endswith("Event") or _past_fact(name, settings):
        return False
    if name.endswith(VALUE_OBJECT_ROLES):
        return True
    return bool(_field_type_users(view.facts).get(name, set()) - {view.cls.qualname})


def _field_type_users(facts) -> dict[str, set[str]]:
    """Per module: last name of each type its classes' fields mention -> those classes."""
    users = facts.memo.get("field-type-users")
    if users is None:
        users = facts.memo["field-type-users"] = {}
        for cls in facts.classes.values():
            for field in cls.fields:
                for name in field.annotation_names:
                    users.setdefault(last_part(name), set()).add(cls.qualname)
    return users


def _module_names_an_event(view: ClassView, settings: Settings) -> bool:
    """Whether a module named like an event module holds a class named like an event, or
    naming an event base, or named like a base (``Base…``, ``…Base``): a ``contracts``
    package of data classes none of which is named so (``Lock``, ``TypeRef``) holds
    something else."""
    facts, model = view.facts, view.model
    found = facts.memo.get("names-an-event")
    if found is None:
        found = facts.memo["names-an-event"] = any(
            _base_named(cls.name) or _event_looking(model.view(facts, cls), settings)
            or registered_as_event(model.view(facts, cls))
            or _names_event_base(model.view(facts, cls), settings)
            for cls in facts.classes.values() if cls.is_top_level)
    return found


def registered_as_event(view: ClassView) -> bool:
    """Decorated by a registration of event types (``@register_event``, ``@events.register``,
    ``@domain_event``): the code declares the class an event, whatever its name."""
    for decorator in view.cls.decorators:
        words = decorator.name.lower().replace(".", "_").split("_")
        if "event" in words or "events" in words and "register" in words:
            return not any(word in ("handler", "handlers", "listener", "subscriber")
                           for word in words)
    return False


def _base_named(name: str) -> bool:
    return name.startswith(("Base", "Abstract")) or name.endswith("Base")


def _event_looking(view: ClassView, settings: Settings) -> bool:
    """Named like an event: ending in ``Event``, or stating a past fact (``OrderPlaced``)
    without naming a record of a message (``PublishedMessage``)."""
    name = view.cls.name
    return name.endswith("Event") or (
        _past_fact(name, settings)
        and not name.endswith(_RECORD_NOUNS))


def _recognise(view: ClassView, settings: Settings) -> Recognition:
    if settings.is_test_module(view.facts.module):
        return Recognition(Kind.OTHER)  # a test double, whatever it inherits
    # an aggregate base may itself be an entity (AggregateRoot(Entity)): no exclusion here
    if chain_matches(view, settings.aggregate_bases, settings, excluded=()):
        return Recognition(Kind.AGGREGATE)
    if chain_matches(view, settings.entity_bases, settings, excluded=()):
        return Recognition(Kind.ENTITY)
    if chain_matches(view, settings.handler_bases, settings, excluded=()):
        return Recognition(Kind.HANDLER)
    if is_other_message(view, settings) or _is_snapshot(view) or carries_events(view, settings) \
            or is_sentinel(view):
        return Recognition(Kind.OTHER)
    library = library_of(view)
    kind = None
    if library == "protean" and published(view):
        kind = Kind.INTEGRATION_EVENT
    elif chain_matches(view, settings.integration_event_bases, settings):
        kind = Kind.INTEGRATION_EVENT
    elif chain_matches(view, settings.domain_event_bases, settings):
        kind = Kind.DOMAIN_EVENT
    elif library is not None:
        kind = Kind.DOMAIN_EVENT
    elif inherited := _inherited_event_kind(view, settings):
        kind = inherited
    elif view.cls.is_top_level and is_data_shaped(view) and not _never_event_shape(view):
        kind = _module_event_kind(view.facts.module, settings)
        if kind is not None and (not (_event_looking(view, settings) or _base_named(view.cls.name)
                                      or registered_as_event(view))
                                 or _is_value_object(view, settings)
                                 or not _module_names_an_event(view, settings)):
            kind = None  # only its place says so: no evidence, no judgement
    if kind is None and is_data_shaped(view) and not _never_event_shape(view) \
            and _event_looking(view, settings) \
            and any(name in settings.correlation_fields for name in chain_fields(view)):
        kind = Kind.INTEGRATION_EVENT
    if kind is None:
        if view.cls.name in with_base_variants((*settings.domain_event_bases,
                                                *settings.integration_event_bases)) \
                and _is_marker_or_data(view):
            base_kind = (Kind.INTEGRATION_EVENT
                         if view.cls.name in with_base_variants(settings.integration_event_bases)
                         else Kind.DOMAIN_EVENT)
            return Recognition(base_kind, is_base=True, library=library)
        return Recognition(Kind.OTHER)
    # a past fact that another event extends (``SubUsageRemoved(SubUsageAdded)``) is still
    # a concrete event itself
    is_base = (view.cls.name in (*settings.domain_event_bases, *settings.integration_event_bases)
               or looks_like_event_base(view, settings)
               or (_is_inherited_locally(view, settings)
                   and not _past_fact(view.cls.name, settings)))
    return Recognition(kind, is_base=is_base, library=library)


def _inherited_event_kind(view: ClassView, settings: Settings) -> Kind | None:
    """The kind of the nearest project ancestor recognised as an event, if any."""
    for _, resolved in view.ancestors():
        if isinstance(resolved, ClassView):
            found = recognise(resolved, settings)
            if found.is_event:
                return found.kind
    return None


def _is_marker_or_data(view: ClassView) -> bool:
    """A class named like a configured event base is one when it is a marker, data-shaped,
    or abstract (``class DomainEvent(ABC)`` with an ``__init__``): meant to be inherited.
    ``threading.Event``-like classes (state and methods, nothing abstract) are not."""
    cls = view.cls
    is_marker = not cls.fields and not cls.method("__init__")
    return (is_marker and not any(m.self_assignments for m in cls.methods)) \
        or _is_abstract(view) or is_data_shaped(view)
