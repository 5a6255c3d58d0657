"""What changed between a locked schema and the code, and what breaks.

The compatibility modes have the Schema Registry's meanings:

- ``forward``: consumers still on the old schema can read events produced with the new
  one. A required field removed, a field's type changed, or a non-nullable field made
  nullable breaks them; a field added, or an optional field removed, does not.
- ``backward``: consumers on the new schema can read events produced with the old one
  (replayed from a store, say). A required field added, a field's type changed, or a
  nullable field made non-nullable breaks them; a field removed does not.
- ``full``: both.

A field is required when it has no default: a reader cannot fill it in when a message
lacks it. A default added to (or taken from) a field that stays is a change to lock, not
a break: producers write every field, with a default or not, so no message lacks it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from .schema import EventSchema, FieldSchema

FORWARD, BACKWARD, FULL = "forward", "backward", "full"

REMOVED = "removed"
ADDED = "added"
RETYPED = "retyped"
MADE_NULLABLE = "made nullable"
MADE_NON_NULLABLE = "made non-nullable"
MADE_OPTIONAL = "made optional"
MADE_REQUIRED = "made required"


@dataclass(frozen=True)
class Change:
    """One change of one field between the lock (``old``) and the code (``new``)."""

    kind: str
    old: FieldSchema | None
    new: FieldSchema | None

    @property
    def field(self) -> str:
        return (self.new or self.old).name  # type: ignore[union-attr]

    def breaks(self, mode: str) -> bool:
        """Whether consumers break under ``mode`` (forward, backward or full)."""
        forward = (self.kind == RETYPED or self.kind == MADE_NULLABLE
                   or (self.kind == REMOVED and self.old is not None and self.old.required))
        backward = (self.kind == RETYPED or self.kind == MADE_NON_NULLABLE
                    or (self.kind == ADDED and self.new is not None and self.new.required))
        return {FORWARD: forward, BACKWARD: backward, FULL: forward or backward}[mode]

    def describe(self) -> str:
        """What changed, in a few words: ``field 'amount' changed type from 'int' to 'str'``."""
        old, new = self.old, self.new
        if self.kind == REMOVED:
            return f"{'required' if old.required else 'optional'} field '{old.name}' removed"
        if self.kind == ADDED:
            return f"{'required' if new.required else 'optional'} field '{new.name}' added"
        if self.kind == RETYPED:
            return f"field '{new.name}' changed type from '{old.type}' to '{new.type}'"
        if self.kind == MADE_NULLABLE:
            return f"field '{new.name}' may now be None"
        if self.kind == MADE_NON_NULLABLE:
            return f"field '{new.name}' may no longer be None"
        if self.kind == MADE_OPTIONAL:
            return f"field '{new.name}' got a default"
        return f"field '{new.name}' lost its default"


def changes(old: Mapping[str, FieldSchema], new: Mapping[str, FieldSchema]) -> list[Change]:
    """Every change from ``old`` fields to ``new`` fields, by field name."""
    found = []
    for name in sorted(old.keys() | new.keys()):
        before, after = old.get(name), new.get(name)
        if after is None:
            found.append(Change(REMOVED, before, None))
        elif before is None:
            found.append(Change(ADDED, None, after))
        else:
            if before.type != after.type:
                found.append(Change(RETYPED, before, after))
            if before.nullable != after.nullable:
                found.append(Change(MADE_NULLABLE if after.nullable else MADE_NON_NULLABLE,
                                    before, after))
            if before.required != after.required:
                found.append(Change(MADE_REQUIRED if after.required else MADE_OPTIONAL,
                                    before, after))
    return found


def breaking_changes(locked: EventSchema, current: EventSchema, mode: str) -> list[Change]:
    """The changes that break consumers at the same version; none after a version bump."""
    if locked.version != current.version:
        return []
    return [c for c in changes(locked.fields, current.fields) if c.breaks(mode)]


# -- the whole lock against the whole code ---------------------------------------------
NEW = "new"
GONE = "gone"
MOVED = "moved"
BUMPED = "bumped"
CHANGED = "changed"


@dataclass(frozen=True)
class Difference:
    """One event whose lock entry and code differ."""

    kind: str  # new, gone, moved, bumped, changed
    old: EventSchema | None
    new: EventSchema | None
    changes: tuple[Change, ...] = ()
    breaking: tuple[Change, ...] = ()

    @property
    def name(self) -> str:
        return (self.new or self.old).name  # type: ignore[union-attr]


def differences(locked: Mapping[str, EventSchema], current: Mapping[str, EventSchema],
                mode: str) -> list[Difference]:
    """Every difference between the lock and the code, by dotted name.

    An event gone from the lock's name and an event new in the code are one event moved
    to another module when they have the same class name, the same version and the same
    fields, and neither has another such partner; anything else is a removal and an
    addition."""
    gone = [locked[n] for n in sorted(locked.keys() - current.keys())]
    new = [current[n] for n in sorted(current.keys() - locked.keys())]
    moves = {}
    for old in gone:
        partners = [e for e in new if e.class_name == old.class_name and e.same_contract(old)]
        if len(partners) == 1 and [o for o in gone if o.class_name == old.class_name
                                   and o.same_contract(partners[0])] == [old]:
            moves[old.name] = partners[0]
    moved_to = {e.name for e in moves.values()}
    found = [Difference(MOVED, old, moves[old.name]) if old.name in moves
             else Difference(GONE, old, None) for old in gone]
    found += [Difference(NEW, None, event) for event in new if event.name not in moved_to]
    for name in sorted(locked.keys() & current.keys()):
        old, event = locked[name], current[name]
        if old.same_contract(event):
            continue
        field_changes = tuple(changes(old.fields, event.fields))
        if old.version != event.version:
            found.append(Difference(BUMPED, old, event, field_changes))
        else:
            found.append(Difference(CHANGED, old, event, field_changes,
                                    tuple(c for c in field_changes if c.breaks(mode))))
    return sorted(found, key=lambda d: d.name)
