"""The lock's history against the code: what changed for each event, and what breaks.

The compatibility modes have the Schema Registry's meanings (``structure`` says which
change breaks whom):

- ``forward``: consumers still on the old schema can read events produced with the new
  one;
- ``backward``: consumers on the new schema can read events produced with the old one
  (replayed from a store, say);
- ``full``: both.

An event's version is part of its contract. The code's version is compared with the
version locked last (the lock's ``current``): the same version is compared field by field
at every depth, and breaks in the mode's sense; a higher one is a bump (a new contract);
a lower one, a version whose type changed (``1`` to ``"1"``) or a version taken away is
a break in every mode. A format-1 lock holds only field names and type names: against it
the comparison goes as far as those (``legacy_changes``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

from .schema import EventSchema, FieldSchema, Version
from .structure import (
    ADDED,
    BACKWARD,
    FORWARD,
    FULL,
    MADE_NON_NULLABLE,
    MADE_NULLABLE,
    MADE_OPTIONAL,
    MADE_REQUIRED,
    REMOVED,
    RETYPED,
    Change,
    compare,
)

__all__ = ["FORWARD", "BACKWARD", "FULL", "Change", "History", "Difference", "differences",
           "event_changes", "legacy_changes", "version_problem"]


@dataclass(frozen=True)
class History:
    """Every locked version of one event; ``current``: the version locked last. A stored
    event's also says its framework (``eventsourcing``, ``protean``, ``configured``) and its
    topic (what the store keeps to find the class again: ``stored_events``)."""

    name: str
    current: Version
    versions: Mapping[Version, EventSchema]
    framework: str | None = None
    topic: str | None = None

    @property
    def latest(self) -> EventSchema:
        return self.versions[self.current]


def with_current(schema: EventSchema, kept: History | None) -> History:
    """The event's history with ``schema`` locked at its version, keeping every other
    version ``kept`` holds (the lock command writes it, the AsyncAPI export reads it)."""
    versions = {} if kept is None else {
        v: s for v, s in kept.versions.items()
        if not (v == schema.version and type(v) is type(schema.version))}
    versions[schema.version] = schema
    return History(schema.name, schema.version, versions)


def legacy_changes(old: Mapping[str, FieldSchema],
                   new: Mapping[str, FieldSchema]) -> list[Change]:
    """The changes from format-1 fields (by attribute, types by name) to the code's."""
    found = []
    for name in sorted(old.keys() | new.keys()):
        was, now = old.get(name), new.get(name)
        if now is None:
            found.append(Change(name, REMOVED, f"{_required(was)} field '{name}' removed",
                                was.required, False, was))
        elif was is None:
            found.append(Change(name, ADDED, f"{_required(now)} field '{name}' added",
                                False, now.required, None, now))
        else:
            if was.type != now.type:
                found.append(Change(name, RETYPED, f"field '{name}' changed type from "
                                    f"'{was.type}' to '{now.type}'", True, True, was, now))
            if was.nullable != now.nullable:
                found.append(Change(name, MADE_NULLABLE if now.nullable else MADE_NON_NULLABLE,
                                    f"field '{name}' may {'now' if now.nullable else 'no longer'}"
                                    " be None", now.nullable, was.nullable, was, now))
            if was.required != now.required:
                found.append(Change(name, MADE_REQUIRED if now.required else MADE_OPTIONAL,
                                    f"field '{name}' {'lost its' if now.required else 'got a'} "
                                    "default", False, False, was, now))
    return found


def _required(field: FieldSchema) -> str:
    return "required" if field.required else "optional"


def event_changes(locked: EventSchema, current: EventSchema) -> list[Change]:
    """Every change from a locked entry to the code's schema (by wire shape, or as far as
    a format-1 entry goes)."""
    if locked.shape is None or current.shape is None:
        return legacy_changes(locked.fields, current.fields)
    return compare(locked.shape, current.shape)


def _order(version: Version) -> tuple[int, ...] | None:
    """A version's place among versions of its type: ``2`` and ``"2.1"`` are ordered,
    other strings are not."""
    if isinstance(version, int):
        return (version,)
    if isinstance(version, str) and version and all(p.isdigit() for p in version.split(".")):
        return tuple(int(p) for p in version.split("."))
    return None


def shown_version(version: Version) -> str:
    """``1``, ``"1"`` (a string), ``no version``."""
    if version is None:
        return "no version"
    return repr(version) if isinstance(version, str) else str(version)


def version_problem(history: History, version: Version) -> str | None:
    """Why the code's version cannot follow what was locked: it went down, its type
    changed, or it was taken away; None when it may."""
    locked = history.current
    if locked is None or version == locked and type(version) is type(locked):
        return None
    if version is None:
        return f"its version was taken away (locked at {shown_version(locked)})"
    if type(version) is not type(locked):
        return (f"its version changed type from {type(locked).__name__} "
                f"{shown_version(locked)} to {type(version).__name__} {shown_version(version)}")
    order = _order(version), _order(locked)
    if order[0] is not None and order[1] is not None and order[0] < order[1]:
        return f"its version went down from {shown_version(locked)} to {shown_version(version)}"
    return None


def locked_at(history: History, version: Version) -> EventSchema | None:
    """The entry locked for exactly this version (its type included)."""
    for key, schema in history.versions.items():
        if key == version and type(key) is type(version):
            return schema
    return None


# -- the whole lock against the whole code ---------------------------------------------
NEW = "new"
GONE = "gone"
MOVED = "moved"
BUMPED = "bumped"
CHANGED = "changed"
VERSION = "version"


@dataclass(frozen=True)
class Difference:
    """One event whose lock entry and code differ; ``problem``: why its version cannot
    follow the lock (a break in every mode)."""

    kind: str  # new, gone, moved, bumped, changed, version
    old: EventSchema | None
    new: EventSchema | None
    changes: tuple[Change, ...] = ()
    breaking: tuple[Change, ...] = ()
    problem: str | None = None

    @property
    def name(self) -> str:
        return (self.new or self.old).name  # type: ignore[union-attr]

    @property
    def breaks(self) -> bool:
        return bool(self.breaking) or self.problem is not None


def same_contract(old: EventSchema, new: EventSchema) -> bool:
    return (old.version == new.version and type(old.version) is type(new.version)
            and not event_changes(old, new))


def difference(history: History, current: EventSchema, mode: str) -> Difference | None:
    """How the code's schema of a locked event differs from its history; None when it
    matches the entry locked last."""
    problem = version_problem(history, current.version)
    if problem is not None:
        before = locked_at(history, current.version) or history.latest
        return Difference(VERSION, before, current, tuple(event_changes(before, current)),
                          problem=problem)
    same = locked_at(history, current.version)
    if same is None:
        return Difference(BUMPED, history.latest, current,
                          tuple(event_changes(history.latest, current)))
    found = tuple(event_changes(same, current))
    if not found:
        return None
    return Difference(CHANGED, same, current, found, tuple(c for c in found if c.breaks(mode)))


def moves(gone: Iterable[History], new: Iterable[EventSchema]) -> dict[str, EventSchema]:
    """Locked events (by name) that are one new event of the same version and the same
    wire shape, each the other's only such partner: moved or renamed, not removed."""
    gone, new = list(gone), list(new)

    def alike(history: History, event: EventSchema) -> bool:
        latest = history.latest
        return same_contract(latest, event) and (
            latest.shape is not None or latest.class_name == event.class_name)

    found = {}
    for history in gone:
        partners = [e for e in new if alike(history, e)]
        if len(partners) == 1 and [h for h in gone if alike(h, partners[0])] == [history]:
            found[history.name] = partners[0]
    return found


def differences(locked: Mapping[str, History], current: Mapping[str, EventSchema],
                mode: str) -> list[Difference]:
    """Every difference between the lock and the code, by dotted name. A locked event gone
    from the code while a new one has its version and wire shape is a move."""
    gone = [locked[n] for n in sorted(locked.keys() - current.keys())]
    new = [current[n] for n in sorted(current.keys() - locked.keys())]
    moved = moves(gone, new)
    moved_to = {e.name for e in moved.values()}
    found = [Difference(MOVED, history.latest, moved[history.name]) if history.name in moved
             else Difference(GONE, history.latest, None) for history in gone]
    found += [Difference(NEW, None, event) for event in new if event.name not in moved_to]
    for name in sorted(locked.keys() & current.keys()):
        changed = difference(locked[name], current[name], mode)
        if changed is not None:
            found.append(changed)
    return sorted(found, key=lambda d: d.name)
