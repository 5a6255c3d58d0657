"""Whether the code can still read a stored event's history (DDD209, ``contracts check``).

A stored event (``stored_events``) is locked with every version it was stored at. The code
reads history written at version K when:

- K is the current version and the shape changed only in ways a reader of that framework
  fills in (``readable``); or
- the code can upcast K to the current version: eventsourcing calls
  ``upcast_vK_vK+1(state)`` for every step (a missing one fails with AttributeError);
  Protean follows its registered upcasters (``from_version`` → ``to_version``, a step
  may skip versions) and must reach the current version; a configured stored event is
  upcast by the project's own code, which this cannot see, so a raised version is trusted;
- and the store can find the class again: its topic is unchanged, or the old topic has
  an alias.

What a reader fills in, per framework (docs/stored-events.md):

- eventsourcing rebuilds an event with ``object.__new__`` and ``__dict__.update(state)``,
  without ``__init__``: a field missing from old state falls back to the class attribute,
  so a field added with a plain default is readable and one with a ``default_factory``
  (dataclasses leave no class attribute for it) is not; a removed field stays in the
  state unread (readable); values are not validated (a tightened constraint is readable,
  a changed type is not: the old value stays of the old type); whether a field is
  required does not matter (no ``__init__`` runs). An event the ``@event`` decorator
  generates takes the method's annotations but not its defaults
  (``MetaAggregate._define_event_class``, eventsourcing 9.5.6): a parameter added with a
  default leaves no class attribute, so an old event read after it raises
  ``AttributeError`` in any reader of the attribute (the aggregate itself still replays:
  the method is called with the state's values and fills in its default).
- Protean builds the event with its pydantic constructor: any default fills in (plain or
  factory); a removed field is an unknown key, which it rejects; values are validated.
- a configured stored event: as Protean (a missing field needs a default, a removed one
  is refused, values are checked).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Mapping

import libcst as cst

from ..analysis.dataclass_fields import field_call
from ..syntax.expressions import dotted, keywords_of
from ..analysis.stored_events import (
    CONFIGURED,
    EVENTSOURCING,
    PROTEAN,
    StoredEvent,
    module_stored_events,
    topic_aliases,
    topic_covered,
    upcast_steps,
    upcaster_places,
)
from .compare import History
from .schema import EventSchema, Version
from .shape import Shape, annotation_shape, class_shape
from .structure import (ADDED, LOOSENED, MADE_OPTIONAL, MADE_REQUIRED, REMOVED, TIGHTENED,
                        Change, compare)


@dataclass(frozen=True)
class Problem:
    """Why history of a stored event cannot be read, and what to write; ``node``: the
    changed field's line in the event's module, None for the event's class line."""

    message: str
    node: cst.CSTNode | None = None


@dataclass(frozen=True)
class CurrentShape:
    """A stored event's shape in the code now, with where each top-level field is
    written (its statement, or None when a base in another module declares it) and
    whether its default is a factory."""

    shape: Shape
    nodes: Mapping[str, cst.CSTNode | None]
    factories: Mapping[str, str]  # a field whose default is a factory -> the factory as written


def current_shape(event: StoredEvent) -> CurrentShape:
    if event.view is not None:
        shape, fields = class_shape(event.view)
        nodes = {f.wire: f.fact.node if f.owner is event.view else None for f in fields}
        factories = {f.wire: factory for f in fields if (factory := _factory(f.fact)) is not None}
        return CurrentShape(shape, nodes, factories)
    assert event.aggregate is not None and event.method is not None
    types: dict[str, Shape] = {}
    found = {}
    for param in event.fields:
        type_shape, nullable = annotation_shape(event.aggregate.model, event.aggregate.facts,
                                                event.aggregate.cls.qualname, param.annotation,
                                                types)
        # the generated event class takes no default from the method (see above)
        found[param.name] = {"nullable": nullable, "required": True, "type": type_shape}
    shape: Shape = {"fields": dict(sorted(found.items()))}
    if types:
        shape["types"] = dict(sorted(types.items()))
    return CurrentShape(shape, {name: None for name in found}, {})


def _factory(fact) -> str | None:
    """The default factory of a field as written (``tuple``), "" when it is not a name;
    None when the field has none."""
    call = field_call(fact)
    if call is None:
        return None
    keywords = keywords_of(call)
    factory = keywords.get("default_factory") or keywords.get("factory")
    return None if factory is None else dotted(factory)


def stored_schema(event: StoredEvent) -> EventSchema:
    """The event's entry in the lock's ``stored_events`` at its current version."""
    return EventSchema(event.name, event.version, {}, current_shape(event).shape)


def stored_history(event: StoredEvent, kept: History | None) -> History:
    """The event's history with its current version locked (the versions locked before
    are kept)."""
    schema = stored_schema(event)
    versions = dict(kept.versions) if kept is not None else {}
    versions[event.version] = schema
    return History(event.name, event.version, versions, framework=event.framework,
                   topic=event.topic)


# -- what cannot be read -----------------------------------------------------------------

def unreadable(event: StoredEvent, changes: list[Change], current: CurrentShape) -> list[Change]:
    """The changes that keep history written with the old shape from being read into the
    current one, under the event's framework."""
    found = []
    for change in changes:
        top = "." not in change.path and "[" not in change.path and "{" not in change.path
        if event.framework == EVENTSOURCING:
            if change.kind in (REMOVED, TIGHTENED, LOOSENED, MADE_REQUIRED, MADE_OPTIONAL):
                continue
            if change.kind == ADDED and top and change.path in current.factories:
                found.append(change)  # no class attribute to fall back on
                continue
        elif change.kind == REMOVED:
            found.append(change)  # an unknown key: refused
            continue
        if change.backward:
            found.append(change)
    return found


def history_problems(event: StoredEvent, history: History, model, settings) -> list[Problem]:
    """Every reason history locked for this event cannot be read by the code now."""
    problems = []
    current = current_shape(event)
    version = event.version
    locked = _locked(history, version)
    if locked is not None and locked.shape is not None:
        broken = unreadable(event, compare(locked.shape, current.shape), current)
        if broken:
            problems += _changed_in_place(event, broken, current, version)
    older, newer = _around(history, version)
    if newer:
        problems.append(Problem(
            f"stored event '{event.class_name}' is at {_version_text(event, version)}, below "
            f"the locked version {_shown(newer[-1])}: events stored at "
            f"{', '.join(map(_shown, newer))} cannot be read into it; raise the version back"))
    if older and event.framework != CONFIGURED:
        missing = _missing_steps(event, older, version, model, settings)
        if missing:
            problems.append(Problem(_missing_message(event, history, missing, current,
                                                     settings)))
    return problems


def _locked(history: History, version: Version) -> EventSchema | None:
    for key, schema in history.versions.items():
        if key == version and type(key) is type(version):
            return schema
    return None


def _around(history: History, version: Version) -> tuple[list[int], list[int]]:
    """The locked versions below and above the current one (whole numbers only)."""
    if not isinstance(version, int) or isinstance(version, bool):
        return [], []
    numbers = sorted(v for v in history.versions if isinstance(v, int) and not isinstance(v, bool))
    return [v for v in numbers if v < version], [v for v in numbers if v > version]


def _missing_steps(event: StoredEvent, older: list[int], version: int, model,
                   settings) -> list[tuple[int, int]]:
    steps = upcast_steps(event, model, settings)
    if event.framework == EVENTSOURCING:
        return [(k, k + 1) for k in range(min(older), version) if (k, k + 1) not in steps]
    edges = dict(steps)  # Protean: one upcaster per from_version
    missing = []
    for start in older:
        at, seen = start, set()
        while at in edges and at not in seen and at != version:
            seen.add(at)
            at = edges[at]
        if at != version:
            missing.append((at, version))
    return sorted(set(missing))


def _changed_in_place(event: StoredEvent, broken: list[Change], current: CurrentShape,
                      version: Version) -> list[Problem]:
    way = _way_out(event, version, broken)
    at_field: dict[str, list[Change]] = {}
    at_class: list[Change] = []
    for change in broken:
        node = current.nodes.get(change.field) if change.new is not None else None
        if node is not None:
            at_field.setdefault(change.field, []).append(change)
        else:
            at_class.append(change)
    head = (f"stored event '{event.class_name}' changed at {_version_text(event, version)} so "
            "that events stored before cannot be read")
    problems = [Problem(f"{head} ({'; '.join(c.describe() for c in changes)}): {way}",
                        current.nodes[name]) for name, changes in at_field.items()]
    if at_class:
        problems.append(Problem(f"{head} ({'; '.join(c.describe() for c in at_class)}): {way}"))
    return problems


def _way_out(event: StoredEvent, version: Version, broken: list[Change]) -> str:
    """What to write: the version raised and an upcaster that does what the change needs."""
    work = _upcaster_work(broken)
    number = version if isinstance(version, int) and not isinstance(version, bool) else None
    if event.framework == EVENTSOURCING and number is not None:
        upcast = f"a static 'upcast_v{number}_v{number + 1}(state)'{work}"
        if event.generated:
            added = all(c.kind == ADDED for c in broken)
            return (f"declare the event as a class nested in '{event.aggregate.name}' with "
                    f"'class_version = {number + 1}' and {upcast}, and decorate the method "
                    f"'@event({event.class_name})'" + (
                        "; or declare it so at this version with a plain default on each added "
                        "field (the method's defaults do not reach the event)" if added else ""))
        return f"add 'class_version = {number + 1}' and {upcast}"
    if event.framework == PROTEAN and number is not None:
        domain = _protean_domain(event)
        return (f"add '__version__ = {number + 1}' and an upcaster "
                f"'@{domain}.upcaster(event_type={event.class_name}, from_version={number}, "
                f"to_version={number + 1})'{work} (in this module or an upcasters module)")
    field = event.version_source
    return f"raise its version ({field}) and upcast events stored at {_shown(version)}{work}"


def _upcaster_work(broken: list[Change]) -> str:
    sets = sorted({c.field for c in broken if c.kind == ADDED})
    converts = sorted({c.field for c in broken if c.kind not in (ADDED, REMOVED)})
    drops = sorted({c.field for c in broken if c.kind == REMOVED})
    parts = [f"{verb} {', '.join(repr(n) for n in names)}" for verb, names in
             (("sets", sets), ("converts", converts), ("drops", drops)) if names]
    return f" that {' and '.join(parts)}" if parts else ""


def _missing_message(event: StoredEvent, history: History, missing: list[tuple[int, int]],
                     current: CurrentShape, settings) -> str:
    version = event.version
    older, _ = _around(history, version)
    stuck = [v for v in older if v <= max(a for a, _ in missing)] or [a for a, _ in missing]
    head = (f"stored event '{event.class_name}' is at {_version_text(event, version)} but "
            f"events stored at version {', '.join(map(str, stuck))} cannot be upcast to it")
    if event.framework == EVENTSOURCING:
        methods = []
        for start, end in missing:
            locked = _locked(history, start)
            work = ""
            if locked is not None and locked.shape is not None:
                fields = unreadable(event, compare(locked.shape, current.shape), current)
                if end == version:
                    work = _upcaster_work(fields)
                elif fields:  # what the steps after it do is not known here
                    work = (" (events stored at version "
                            f"{start} differ in {', '.join(sorted({repr(c.field) for c in fields}))})")
            methods.append(f"a static 'upcast_v{start}_v{end}(state)'{work}")
        return f"{head}: add {' and '.join(methods)}"
    domain = _protean_domain(event)
    steps = " and ".join(f"'@{domain}.upcaster(event_type={event.class_name}, "
                         f"from_version={start}, to_version={end})'" for start, end in missing)
    return f"{head}: register {steps} ({upcaster_places(event, settings)})"


def _protean_domain(event: StoredEvent) -> str:
    if event.view is not None:
        for decorator in event.view.cls.decorators:
            if decorator.name.endswith(".event"):
                return decorator.name.rpartition(".")[0]
    return "domain"


def _version_text(event: StoredEvent, version: Version) -> str:
    if event.framework == EVENTSOURCING:
        return f"class_version {version}"
    if event.framework == PROTEAN:
        return f"__version__ {version}"
    return f"version {_shown(version)}" if version is not None else "no version"


def _shown(version: Version) -> str:
    return repr(version) if isinstance(version, str) else str(version)


# -- what a fix may write --------------------------------------------------------------

# the value a factory makes, where it is obvious: what an upcaster sets for old events
OBVIOUS_VALUES = {"tuple": "()", "list": "[]", "dict": "{}", "set": "set()",
                  "frozenset": "frozenset()", "str": '""', "int": "0", "float": "0.0",
                  "bool": "False"}


def obvious_upcast(event: StoredEvent, history: History, model,
                   settings) -> dict[str, str] | None:
    """What an upcaster from the current version must set, when that is obvious and it is
    all that is missing: an eventsourcing event class whose only unreadable change at its
    locked current version is fields of its own added with a default factory of an obvious
    value (``field(default_factory=tuple)``: old events get ``()``), its versions complete
    otherwise; the fields and their values, or None."""
    version = event.version
    if event.framework != EVENTSOURCING or event.view is None or isinstance(version, bool) \
            or not isinstance(version, int) or history_problems(event, history, model,
                                                                settings) == []:
        return None
    older, newer = _around(history, version)
    locked = _locked(history, version)
    if newer or (older and _missing_steps(event, older, version, model, settings)) \
            or locked is None or locked.shape is None:
        return None
    current = current_shape(event)
    broken = unreadable(event, compare(locked.shape, current.shape), current)
    values = {}
    for change in broken:
        value = OBVIOUS_VALUES.get(current.factories.get(change.path, ""))
        if change.kind != ADDED or value is None or current.nodes.get(change.path) is None:
            return None
        values[change.path] = value
    return values or None


# -- topics --------------------------------------------------------------------------

def former_entry(event: StoredEvent, stored: Mapping[str, History], model) -> History | None:
    """The locked stored event this one was before it was renamed or moved: an entry the
    lock holds under another name, of the same framework, whose class the code no longer
    has, with the same class name (moved) or else the same shape at the same version
    (renamed); None when there is none or more than one."""
    if event.name in stored:
        return None
    candidates = [h for name, h in stored.items()
                  if h.framework == event.framework and _gone(name, model)]
    moved = [h for h in candidates if h.name.rpartition(".")[2] == event.class_name]
    if len(moved) == 1:
        return moved[0]
    if moved:
        return None
    shape = current_shape(event).shape
    renamed = [h for h in candidates if (locked := _locked(h, event.version)) is not None
               and locked.shape is not None and not compare(locked.shape, shape)]
    return renamed[0] if len(renamed) == 1 else None


def _gone(name: str, model) -> bool:
    """Whether the code no longer defines the stored event of this dotted name (looked up
    through the project model: the result cache notes each module asked for)."""
    parts = name.split(".")
    for split in range(len(parts) - 1, 0, -1):
        facts = model.module(".".join(parts[:split]))
        if facts is None:
            continue
        return not any(e.name == name for e in module_stored_events(facts, model,
                                                                    model.settings))
    return True


def topic_problem(event: StoredEvent, former: History, model, settings) -> Problem | None:
    """A renamed or moved stored event whose old topic nothing makes resolve."""
    old = former.topic
    if old is None or old == event.topic:
        return None
    aliases = topic_aliases(event, model, settings)
    if event.framework == PROTEAN:
        if old in aliases:
            return None
        domain = _protean_domain(event)
        return Problem(
            f"stored event '{event.class_name}' was stored as '{old}' (Protean type string "
            f"'<Domain>.{old}.v<N>'); events stored under the old name can no longer be read: "
            f"keep the class name, or add '{domain}.register_external_event({event.class_name}, "
            f"\"<Domain>.{old}.v{_shown(former.current)}\")'")
    if topic_covered(old, aliases):
        return None
    return Problem(
        f"stored event '{event.class_name}' was stored under topic '{old}' and is now "
        f"'{event.topic}' (renamed or moved); events stored under the old topic can no longer "
        f"be read: add 'register_topic(\"{old}\", {event.name.removeprefix(event.facts.module + '.')})' "
        f"({upcaster_places(event, settings)})")


def gone_entries(stored: Mapping[str, History], current: Mapping[str, StoredEvent],
                 model) -> Iterator[History]:
    """Locked stored events the code no longer has, not even renamed or moved."""
    formers = {id(f) for e in current.values()
               if (f := former_entry(e, stored, model)) is not None}
    for name in sorted(stored):
        if name not in current and id(stored[name]) not in formers:
            yield stored[name]


# -- the whole lock against the whole code -------------------------------------------

NEW = "new"
GONE = "gone"
UNREADABLE = "unreadable"
CHANGED = "changed"  # readable, not locked yet


@dataclass(frozen=True)
class StoredDifference:
    """One stored event whose lock entry and code differ: ``problems`` when history
    cannot be read (``UNREADABLE``)."""

    kind: str
    name: str
    history: History | None
    event: StoredEvent | None
    problems: tuple[Problem, ...] = ()


def stored_differences(locked: Mapping[str, History], current: Mapping[str, StoredEvent],
                       model, settings) -> list[StoredDifference]:
    """Every difference between the lock's stored events and the code's, by name."""
    found = []
    for name in sorted(current):
        event = current[name]
        history = locked.get(name)
        problems: list[Problem] = []
        if history is None:
            history = former_entry(event, locked, model)
            if history is None:
                found.append(StoredDifference(NEW, name, None, event))
                continue
            moved = topic_problem(event, history, model, settings)
            problems += [moved] if moved is not None else []
        problems += history_problems(event, history, model, settings)
        if problems:
            found.append(StoredDifference(UNREADABLE, name, history, event, tuple(problems)))
        elif history.name != name or not _same_as_locked(event, history):
            found.append(StoredDifference(CHANGED, name, history, event))
    found += [StoredDifference(GONE, h.name, h, None) for h in gone_entries(locked, current,
                                                                          model)]
    return sorted(found, key=lambda d: d.name)


def _same_as_locked(event: StoredEvent, history: History) -> bool:
    locked = _locked(history, event.version)
    return (history.current == event.version and type(history.current) is type(event.version)
            and history.topic == event.topic and locked is not None
            and locked.shape is not None and locked.shape == current_shape(event).shape)
