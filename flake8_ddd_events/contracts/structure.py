"""What changed between two wire shapes (``shape``), at its path, and whom it breaks.

``compare(old, new)`` walks two shapes (each with its own ``types``) side by side and
gives every change with its path (``ship_to.postcode``; ``lines[]`` for the items of an
array, ``tags{}`` for a map's values, ``pair[0]`` for a tuple's items) and two flags:

- ``forward``: it breaks consumers still on the old shape reading what is produced with
  the new one (a required field removed or left out by producers, a type changed, a
  field made nullable, a value (enum member, literal, union member) added, a
  constraint loosened);
- ``backward``: it breaks consumers on the new shape reading what was produced with the
  old one (a required field added, a type changed, a nullable field made non-nullable,
  a value removed, a constraint tightened).

Names are not part of the wire: a value object compared with its moved copy, an alias
with its target, an enum with a ``Literal`` of the same values, are the same. A class
one side could not read (``unread``) and the other read under the same name (a value
object, an enum, an alias) is no change: which one it is cannot be told. A field is
matched by its wire name, so an attribute renamed behind an unchanged alias is no change,
and a field's position matters only in a positional shape. Nothing here knows about
integration events: any two shapes compare.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Mapping

from .shape import Shape, render

FORWARD, BACKWARD, FULL = "forward", "backward", "full"

REMOVED = "removed"
ADDED = "added"
RETYPED = "retyped"
MADE_NULLABLE = "made nullable"
MADE_NON_NULLABLE = "made non-nullable"
MADE_OPTIONAL = "made optional"
MADE_REQUIRED = "made required"
VALUES_ADDED = "values added"
VALUES_REMOVED = "values removed"
TIGHTENED = "constraint tightened"
LOOSENED = "constraint loosened"
MOVED = "position changed"
RENAMED = "wire name changed"
OMITTED = "omitted by producers"
SENT = "always sent"

_LOWER_BOUNDS = ("gt", "ge", "min_length")
_UPPER_BOUNDS = ("lt", "le", "max_length")


@dataclass(frozen=True)
class Change:
    """One change at ``path`` (a field's dotted path from the top shape) from ``old`` to
    ``new`` (the field's or type's JSON, None when absent)."""

    path: str
    kind: str
    text: str
    forward: bool
    backward: bool
    old: Any = None
    new: Any = None
    was: str | None = None  # the old path, when the field is sent under another name

    @property
    def field(self) -> str:
        """The top-level field the change is in."""
        return self.path.split(".")[0].split("[")[0].split("{")[0]

    def breaks(self, mode: str) -> bool:
        """Whether consumers break under ``mode`` (forward, backward or full)."""
        return {FORWARD: self.forward, BACKWARD: self.backward,
                FULL: self.forward or self.backward}[mode]

    def describe(self) -> str:
        return self.text


def compare(old: Shape, new: Shape) -> list[Change]:
    """Every change from the ``old`` shape to the ``new`` one, by path."""
    return _Walk(old.get("types", {}), new.get("types", {})).object(old, new, "")


def field_text(name: str, spec: Mapping[str, Any] | None) -> str:
    """``carrier: str (required)``, as a message quotes a field."""
    if spec is None:
        return f"no '{name}'"
    nullable = " | None" if spec.get("nullable") else ""
    return (f"{name}: {render(spec.get('type'))}{nullable} "
            f"({'required' if spec.get('required') else 'optional'})")


class _Walk:
    def __init__(self, old_types: Mapping[str, Shape], new_types: Mapping[str, Shape]) -> None:
        self.old_types, self.new_types = old_types, new_types
        self.active: set[tuple[str, str]] = set()  # the pairs of types being compared

    def object(self, old: Shape, new: Shape, path: str) -> list[Change]:
        found = []
        positional = bool(old.get("positional")), bool(new.get("positional"))
        if positional[0] != positional[1]:
            how = "an array (by position)" if positional[1] else "an object (by name)"
            found.append(Change(path, RETYPED, f"'{path or 'the event'}' is now sent as {how}",
                                True, True, old, new))
        before, after = old.get("fields", {}), new.get("fields", {})
        for name in sorted(before.keys() | after.keys()):
            where = f"{path}.{name}" if path else name
            was, now = before.get(name), after.get(name)
            if now is None:
                required = "required" if was.get("required") else "optional"
                found.append(Change(where, REMOVED, f"{required} field '{where}' removed",
                                    bool(was.get("required") or positional[1]),
                                    positional[1], was, None))
            elif was is None:
                required = "required" if now.get("required") else "optional"
                found.append(Change(where, ADDED, f"{required} field '{where}' added",
                                    positional[0], bool(now.get("required")) or positional[0],
                                    None, now))
            else:
                found += self.field(was, now, where)
        return _renames(found, path)

    def field(self, was: Shape, now: Shape, where: str) -> list[Change]:
        found = []
        if "position" in was and "position" in now and was["position"] != now["position"]:
            found.append(Change(where, MOVED, f"field '{where}' moved from position "
                                f"{was['position']} to {now['position']}", True, True, was, now))
        found += self.type(was.get("type"), now.get("type"), where)
        if was.get("nullable") != now.get("nullable"):
            if now.get("nullable"):
                found.append(Change(where, MADE_NULLABLE, f"field '{where}' may now be None",
                                    True, False, was, now))
            else:
                found.append(Change(where, MADE_NON_NULLABLE,
                                    f"field '{where}' may no longer be None", False, True, was, now))
        if was.get("required") != now.get("required"):
            if now.get("required"):
                found.append(Change(where, MADE_REQUIRED, f"field '{where}' lost its default",
                                    False, bool(was.get("omittable")), was, now))
            else:
                found.append(Change(where, MADE_OPTIONAL, f"field '{where}' got a default",
                                    bool(now.get("omittable")) and not was.get("omittable"),
                                    False, was, now))
        elif was.get("omittable") != now.get("omittable"):
            if now.get("omittable"):
                found.append(Change(where, OMITTED, f"field '{where}' may now be left out by "
                                    "producers", bool(was.get("required")), False, was, now))
            else:
                found.append(Change(where, SENT, f"field '{where}' is now always sent",
                                    False, False, was, now))
        return found

    def type(self, old: Shape | None, new: Shape | None, path: str) -> list[Change]:
        old, new = old or {}, new or {}
        if _unread_here(old, new) or _unread_here(new, old):
            return []  # one side could not be read where the other was: cannot tell
        if "ref" in old and "ref" in new:
            found = self._constraints(old, new, path)
            pair = (old["ref"], new["ref"])
            if pair in self.active:  # a type that holds itself: compared once on the way
                return found
            self.active.add(pair)
            found += self.object(self.old_types.get(old["ref"], {}),
                                 self.new_types.get(new["ref"], {}), path)
            self.active.discard(pair)
            return found
        if "union" in old or "union" in new:
            return self._union(old, new, path)
        values = _values(old), _values(new)
        if values[0] is not None and values[1] is not None:
            return self._values(values[0], values[1], old, new, path) \
                + self._constraints(old, new, path)
        found = self._constraints(old, new, path)
        kinds = _kind(old), _kind(new)
        if kinds[0] != kinds[1] or values[0] is not None or values[1] is not None:
            return [self._retyped(old, new, path)]
        if "array" in old:
            if bool(old.get("unique")) != bool(new.get("unique")):
                found.append(self._retyped(old, new, path))
            return found + self.type(old["array"], new["array"], f"{path}[]")
        if "tuple" in old:
            if len(old["tuple"]) != len(new["tuple"]):
                return [self._retyped(old, new, path)]
            for index, (a, b) in enumerate(zip(old["tuple"], new["tuple"])):
                found += self.type(a, b, f"{path}[{index}]")
            return found
        if "map" in old:
            return (found + self.type(old["map"][0], new["map"][0], f"{path}{{key}}")
                    + self.type(old["map"][1], new["map"][1], f"{path}{{}}"))
        return found

    def _retyped(self, old: Shape, new: Shape, path: str) -> Change:
        return Change(path, RETYPED, f"field '{path}' changed type from '{render(old)}' to "
                      f"'{render(new)}'", True, True, old, new)

    def _union(self, old: Shape, new: Shape, path: str) -> list[Change]:
        before, after = _members(old), _members(new)
        found = []
        added = [after[k] for k in after if k not in before]
        removed = [before[k] for k in before if k not in after]
        if added:
            found.append(Change(path, VALUES_ADDED, f"field '{path}' may now be "
                                f"{' or '.join(render(m) for m in added)}", True, False, old, new))
        if removed:
            found.append(Change(path, VALUES_REMOVED, f"field '{path}' may no longer be "
                                f"{' or '.join(render(m) for m in removed)}", False, True, old, new))
        for key in sorted(before.keys() & after.keys()):
            found += self.type(before[key], after[key], path)
        return found

    def _values(self, before: list, after: list, old: Shape, new: Shape,
                path: str) -> list[Change]:
        keys = {_key(v): v for v in before}, {_key(v): v for v in after}
        added = [keys[1][k] for k in sorted(keys[1].keys() - keys[0].keys())]
        removed = [keys[0][k] for k in sorted(keys[0].keys() - keys[1].keys())]
        found = []
        if added:
            found.append(Change(path, VALUES_ADDED, f"field '{path}' has new values "
                                f"{', '.join(map(_shown, added))}", True, False, old, new))
        if removed:
            found.append(Change(path, VALUES_REMOVED, f"field '{path}' lost values "
                                f"{', '.join(map(_shown, removed))}", False, True, old, new))
        return found

    def _constraints(self, old: Shape, new: Shape, path: str) -> list[Change]:
        before, after = old.get("constraints", {}), new.get("constraints", {})
        found = []
        for key in sorted(before.keys() | after.keys()):
            was, now = before.get(key), after.get(key)
            if was == now:
                continue
            tighter = _tighter(key, was, now)
            looser = _tighter(key, now, was)
            if not tighter and not looser:  # a pattern, a multiple: both
                tighter = looser = True
            kind = TIGHTENED if tighter and not looser else LOOSENED if looser and not tighter \
                else TIGHTENED
            shown = (f"{key} {_shown(was)} -> {_shown(now)}" if was is not None and now is not None
                     else f"{key} {_shown(now)} added" if now is not None
                     else f"{key} {_shown(was)} removed")
            word = "tightened" if tighter and not looser else "loosened" if looser and not tighter \
                else "changed"
            found.append(Change(path, kind, f"field '{path}' constraint {word}: {shown}",
                                looser, tighter, old, new))
        return found


def _renames(found: list[Change], path: str) -> list[Change]:
    """A field removed and one added for the same attribute: one field sent under
    another wire name (an alias, a generator, a rename policy changed)."""
    def attribute(change: Change) -> str:
        spec = change.old if change.kind == REMOVED else change.new
        return spec.get("attribute", change.path.rpartition(".")[2])

    removed = {attribute(c): c for c in found if c.kind == REMOVED}
    added = {attribute(c): c for c in found if c.kind == ADDED}
    pairs = {name: (removed[name], added[name]) for name in removed.keys() & added.keys()}
    if not pairs:
        return found
    paired = [id(c) for pair in pairs.values() for c in pair]
    kept = [c for c in found if id(c) not in paired]
    for name, (gone, new) in pairs.items():
        where = f"{path}.{name}" if path else name
        kept.append(Change(new.path, RENAMED, f"field '{where}' is sent as "
                           f"'{new.path.rpartition('.')[2]}' instead of "
                           f"'{gone.path.rpartition('.')[2]}'",
                           gone.forward or new.forward, gone.backward or new.backward,
                           gone.old, new.new, gone.path))
    return sorted(kept, key=lambda c: c.path)


def _unread_here(one: Shape, other: Shape) -> bool:
    """``one`` is a class not read (its module out of reach in this run, say) that
    ``other`` read: a value object, an enum or an alias of that name."""
    return bool(one.get("unread") is True and one.get("name") is not None and one["name"] in (
        other.get("ref"), other.get("class"), other.get("alias")) and not other.get("unread"))


def _tighter(key: str, was: Any, now: Any) -> bool:
    """Whether ``now`` admits fewer values than ``was`` (None: no constraint)."""
    if now is None:
        return False
    if was is None:
        return True
    if isinstance(was, (int, float)) and isinstance(now, (int, float)):
        if key in _LOWER_BOUNDS:
            return now > was
        if key in _UPPER_BOUNDS:
            return now < was
    return False


def _values(shape: Shape) -> list | None:
    """The values an enum or a Literal admits; None for another type."""
    if "literal" in shape:
        return shape["literal"]
    if "enum" in shape and shape["enum"] is not None:
        return shape["enum"]
    return None


def _kind(shape: Shape) -> str:
    for key in ("array", "tuple", "map", "ref", "enum", "literal"):
        if key in shape:
            return key
    if "name" in shape:
        return f"name:{shape['name']}"
    return f"unread:{shape.get('unread')}"


def _members(shape: Shape) -> dict[str, Shape]:
    """A union's members by what they are on the wire (one object, or objects by name)."""
    members = shape.get("union", [shape])
    objects = [m for m in members if "ref" in m]
    found = {}
    for member in members:
        if "ref" in member:
            key = "object" if len(objects) == 1 else f"object:{member['ref'].rpartition('.')[2]}"
        elif _values(member) is not None:
            key = "values"
        else:
            key = _kind(member)
        found[key] = member
    return found


def _key(value: Any) -> str:
    return json.dumps(value)


def _shown(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
