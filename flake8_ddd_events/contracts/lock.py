"""The lock file: the events' contracts as the team has agreed them, every version.

JSON, UTF-8, ``\\n`` line ends; the first key is the format version; then one section per
kind of event (``integration_events``; ``stored_events`` for the events an
event-sourced aggregate stores), each event by dotted name with the version locked last
(``current``) and every version locked (``versions``, keyed by the version as JSON:
``"1"`` is the number 1, ``"\\"1\\""`` the string "1", ``"null"`` no version); each
version's wire shape (``shape``) with one field per line; everything sorted, nothing
machine- or run-dependent, so the same code gives the same bytes anywhere and a review
diff shows exactly what changed in the contract::

    {
      "format": 2,
      "integration_events": {
        "shop.sales.integration_events.OrderShipped": {
          "current": 1,
          "versions": {
            "1": {
              "fields": {
                "carrier": {"nullable": false, "required": true, "type": {"name": "str"}},
                "ship_to": {"nullable": false, "required": true, "type": {"ref": "shop.shared.Address"}}
              },
              "types": {
                "shop.shared.Address": {
                  "fields": {
                    "postcode": {"nullable": false, "required": true, "type": {"name": "str"}}
                  }
                }
              }
            }
          }
        }
      }
    }

A stored event's entry also holds its ``"framework"`` and ``"topic"`` beside
``"current"`` (docs/stored-events.md).

Format 1 (``"events"``: one version per event, fields with type names) is still read;
writing always writes format 2. A version read from format 1 and kept (an older version)
is written as it was read, marked ``"format": 1``.

The lock is found as ``pyproject.toml`` is (``find_lock``): the path as configured,
relative to the current folder or to the nearest folder above it that has one.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, NamedTuple

from ..config.sources import folders_up
from .compare import History
from .schema import EventSchema, FieldSchema, Version

FORMAT = 2
SECTIONS = ("integration_events", "stored_events")


class LockError(Exception):
    """A lock that cannot be read; the message names the file and says why."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass(frozen=True)
class Lock:
    """The events of each section (``integration_events``, ``stored_events``), by dotted
    name; ``format``: the format it was read in."""

    events: Mapping[str, History]
    stored_events: Mapping[str, History] = field(default_factory=dict)
    format: int = FORMAT

    def section(self, name: str) -> Mapping[str, History]:
        return self.events if name == SECTIONS[0] else self.stored_events


def find_lock(path: str, start: str = ".") -> str:
    """Where the lock is: an absolute path as it is; a relative one in ``start`` or the
    nearest folder above it that has it (as ``pyproject.toml`` is found); else in
    ``start`` (where ``lock`` writes it)."""
    if os.path.isabs(path):
        return path
    for folder in folders_up(start):
        candidate = os.path.join(folder, path)
        if os.path.lexists(candidate):
            return path if start == "." and folder == os.path.abspath(start) else candidate
    return path if start == "." else os.path.join(start, path)


def candidates(path: str, start: str = ".") -> list[str]:
    """Every place ``find_lock`` looks, nearest first (a lock appearing in one of them
    changes which one is read)."""
    if os.path.isabs(path):
        return [path]
    return [os.path.join(folder, path) for folder in folders_up(start)]


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def field_line(name: str, spec: Mapping[str, Any]) -> str:
    """A field as the lock writes it, on one line."""
    return _json(name) + ": " + _json(spec)


def legacy_spec(schema: FieldSchema) -> dict[str, Any]:
    """A field as format 1 holds it."""
    return {"nullable": schema.nullable, "required": schema.required, "type": schema.type}


def version_key(version: Version) -> str:
    """The version as the lock's key: its JSON (``1``, ``"1"``, ``null``)."""
    return _json(version)


def _version_order(version: Version) -> tuple:
    if isinstance(version, int):
        return (0, version, "")
    if isinstance(version, str):
        return (1, 0, version)
    return (2, 0, "")


def _block(items: list[tuple[str, list[str]]], indent: int) -> list[str]:
    """A JSON object whose values are given as lines (the first opening the value)."""
    if not items:
        return ["{}"]
    pad = " " * (indent + 2)
    lines = ["{"]
    for index, (key, value) in enumerate(items):
        comma = "," if index < len(items) - 1 else ""
        lines.append(f"{pad}{_json(key)}: {value[0]}")
        lines.extend(value[1:])
        lines[-1] += comma
    lines.append(" " * indent + "}")
    return lines


def _shape_lines(shape: Mapping[str, Any], indent: int) -> list[str]:
    pad = " " * (indent + 4)
    items: list[tuple[str, list[str]]] = []
    fields = [f"{pad}{field_line(n, s)}" for n, s in sorted(shape.get("fields", {}).items())]
    items.append(("fields", ["{", *_commas(fields), " " * (indent + 2) + "}"] if fields
                  else ["{}"]))
    for key in sorted(k for k in shape if k not in ("fields", "types")):
        items.append((key, [_json(shape[key])]))
    if shape.get("types"):
        items.append(("types", _block([(name, _shape_lines(t, indent + 4))
                                       for name, t in sorted(shape["types"].items())],
                                      indent + 2)))
    return _block(items, indent)


def _commas(lines: list[str]) -> list[str]:
    return [line + ("," if i < len(lines) - 1 else "") for i, line in enumerate(lines)]


def _schema_lines(schema: EventSchema, indent: int) -> list[str]:
    if schema.shape is not None:
        return _shape_lines(schema.shape, indent)
    pad = " " * (indent + 4)
    fields = [f"{pad}{field_line(n, legacy_spec(f))}" for n, f in sorted(schema.fields.items())]
    return _block([("fields", ["{", *_commas(fields), " " * (indent + 2) + "}"] if fields
                    else ["{}"]), ("format", ["1"])], indent)


def _history_lines(history: History, indent: int) -> list[str]:
    versions = sorted(history.versions.items(), key=lambda item: _version_order(item[0]))
    stored = [(key, [_json(value)]) for key, value in (("framework", history.framework),
                                                       ("topic", history.topic))
              if value is not None]
    return _block([("current", [_json(history.current)]), *stored,
                   ("versions", _block([(version_key(v), _schema_lines(s, indent + 4))
                                        for v, s in versions], indent + 2))], indent)


def dump_lock(lock: Lock) -> str:
    """The lock's text (always format 2)."""
    sections = [("format", [str(FORMAT)])]
    for name in SECTIONS:
        events = lock.section(name)
        if events or name == SECTIONS[0]:
            sections.append((name, _block([(n, _history_lines(events[n], 4))
                                           for n in sorted(events)], 2)))
    return "\n".join(_block(sections, 0)) + "\n"


def histories(events: Iterable[EventSchema]) -> dict[str, History]:
    """Each event's history holding only its current version."""
    return {e.name: History(e.name, e.version, {e.version: e}) for e in events}


def dumps(events: Iterable[EventSchema]) -> str:
    """The text of a lock holding these integration events at their current versions."""
    return dump_lock(Lock(histories(events)))


# -- reading ----------------------------------------------------------------------------
class _Pairs(list):
    """A JSON object's items in their order (to tell which key comes first, and to find
    a key given twice)."""


def _conflict(text: str) -> int | None:
    """The line of a merge conflict marker, if the text has one."""
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith(("<<<<<<< ", ">>>>>>> ")) or line in ("<<<<<<<", ">>>>>>>", "======="):
            return number
    return None


def loads(text: str, path: str) -> Lock:
    """Read a lock's text; LockError says what is wrong with it."""
    conflict = _conflict(text)
    if conflict is not None:
        raise LockError(path, f"an unresolved merge conflict (a conflict marker at line "
                              f"{conflict}); resolve it, or write the lock again from the "
                              "code with 'ddd-events contracts lock --force'")
    try:
        pairs = json.loads(text, object_pairs_hook=_Pairs)
    except json.JSONDecodeError as error:
        message = error.msg.replace(" at", "") if error.msg.endswith(" at") else error.msg
        raise LockError(path, f"not valid JSON ({message}, line {error.lineno} column "
                              f"{error.colno})") from None
    except RecursionError:
        raise LockError(path, "nested too deeply") from None
    if not isinstance(pairs, _Pairs) or not pairs or pairs[0][0] != "format":
        raise LockError(path, "not a contract lock: its first key must be \"format\"")
    top = _mapping(pairs, path, "the lock")
    version = top["format"]
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise LockError(path, f"format {version!r} is not a format version")
    if version > FORMAT:
        raise LockError(path, f"written in format {version} by a newer flake8-ddd-events; this "
                              f"one reads formats 1 to {FORMAT}: upgrade flake8-ddd-events")
    if version == 1:
        events = _mapping(top.get("events"), path, "\"events\"")
        return Lock({name: _legacy_history(name, entry, path)
                     for name, entry in sorted(events.items())}, format=1)
    found = {}
    for section in SECTIONS:
        events = _mapping(top.get(section, _Pairs()), path, f"\"{section}\"")
        found[section] = {name: _history(name, entry, path)
                          for name, entry in sorted(events.items())}
    return Lock(found[SECTIONS[0]], found[SECTIONS[1]])


def _mapping(pairs: Any, path: str, what: str) -> dict[str, Any]:
    if not isinstance(pairs, _Pairs):
        raise LockError(path, f"{what} must be an object")
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise LockError(path, f"{what} has {key!r} twice; keep one (a merge may have "
                                  "doubled it)")
        found[key] = value
    return found


def _version(value: Any, path: str, where: str) -> Version:
    if isinstance(value, bool) or not isinstance(value, (int, str, type(None))):
        raise LockError(path, f"{where}: a version must be a number, a string or null")
    return value


def _legacy_fields(name: str, entry: dict[str, Any], path: str,
                   where: str) -> dict[str, FieldSchema]:
    fields = {}
    for field_name, spec in _mapping(entry.get("fields"), path, f"{where}: \"fields\"").items():
        spec = _mapping(spec, path, f"{where}, field {field_name!r}")
        kind, required, nullable = spec.get("type"), spec.get("required"), spec.get("nullable")
        if not isinstance(kind, str) or not isinstance(required, bool) \
                or not isinstance(nullable, bool):
            raise LockError(path, f"{where}, field {field_name!r}: needs \"type\" (a string), "
                                  "\"required\" and \"nullable\" (true or false)")
        fields[field_name] = FieldSchema(field_name, kind, required, nullable)
    return dict(sorted(fields.items()))


def _legacy_history(name: str, entry: Any, path: str) -> History:
    where = f"event {name!r}"
    values = _mapping(entry, path, where)
    version = _version(values.get("version"), path, where)
    schema = EventSchema(name, version, _legacy_fields(name, values, path, where))
    return History(name, version, {version: schema})


def _history(name: str, entry: Any, path: str) -> History:
    where = f"event {name!r}"
    values = _mapping(entry, path, where)
    current = _version(values.get("current"), path, where)
    versions = {}
    for key, spec in _mapping(values.get("versions"), path, f"{where}: \"versions\"").items():
        try:
            version = json.loads(key)
        except json.JSONDecodeError:
            raise LockError(path, f"{where}: version {key!r} is not a number, a quoted "
                                  "string or null") from None
        version = _version(version, path, f"{where}, version {key}")
        at = f"{where}, version {key}"
        spec = _mapping(spec, path, at)
        if spec.get("format") == 1:
            versions[version] = EventSchema(name, version, _legacy_fields(name, spec, path, at))
        else:
            versions[version] = EventSchema(name, version, {}, _plain(spec, path, at))
    if not any(v == current and type(v) is type(current) for v in versions):
        raise LockError(path, f"{where}: \"current\" names version {_json(current)}, which "
                              "\"versions\" does not hold")
    stored = {key: values.get(key) for key in ("framework", "topic")}
    for key, value in stored.items():
        if value is not None and not isinstance(value, str):
            raise LockError(path, f"{where}: \"{key}\" must be a string")
    return History(name, current, versions, **stored)


def _plain(value: Any, path: str, where: str) -> Any:
    """A shape read with _Pairs turned into dicts (a key given twice is an error)."""
    if isinstance(value, _Pairs):
        value = _mapping(value, path, where)
    if isinstance(value, dict):
        return {k: _plain(v, path, where) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v, path, where) for v in value]
    return value


class _Parsed(NamedTuple):
    data: bytes  # the last content read
    lock: Lock


_READ: dict[str, _Parsed] = {}  # by real path


def read_lock(path: str) -> Lock | None:
    """The lock at ``path`` (relative to the current directory), None when there is none;
    LockError when it cannot be read. The one place a lock is read: a cache of findings
    must key on this file's content. The file is read every time (a timestamp may not
    change when it is rewritten), and parsed again only when its bytes changed."""
    try:
        with open(path, "rb") as file:
            data = file.read()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise LockError(path, "a folder, not a file") from None
    except OSError as error:
        raise LockError(path, error.strerror or str(error)) from None
    return parse_lock(data, path)


def parse_lock(data: bytes, path: str) -> Lock:
    """The lock held in ``data`` (the content of the file at ``path``); LockError when it
    is not one. Parsed again only when the bytes changed since the last call for ``path``."""
    real = os.path.realpath(path)
    cached = _READ.get(real)
    if cached is not None and cached.data == data:
        return cached.lock
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise LockError(path, "not UTF-8 text") from None
    lock = loads(text, path)
    _READ[real] = _Parsed(data, lock)
    return lock


class LockRead(NamedTuple):
    """What looking for the lock found: where it is (``path``; None: there is none), the
    lock, or why it cannot be read (``reason``)."""

    path: str | None
    lock: Lock | None
    reason: str | None

    def problem(self, shown: str | None = None) -> str:
        """Why the lock cannot be read, after its path (``shown`` instead, when given)."""
        return str(LockError(shown or self.path or "", self.reason or ""))


def lock_read_by(model, setting: str) -> LockRead:
    """The lock a rule (or a fix) reads: the nearest of ``candidates(setting)``, read
    through the project model (``ProjectModel.read_file``) so that the result cache keys on
    every place looked at."""
    for path in candidates(setting):
        data = model.read_file(path)
        if data is None and not os.path.isdir(path):
            continue
        if data is None:
            return LockRead(path, None, "a folder, not a file")
        try:
            return LockRead(path, parse_lock(data, path), None)
        except LockError as error:
            return LockRead(path, None, error.reason)
    return LockRead(None, None, None)


def write_lock(path: str, lock: Lock) -> bool:
    """Write the lock; False when the file already holds exactly this text."""
    data = dump_lock(lock).encode("utf-8")
    try:
        with open(path, "rb") as file:
            if file.read() == data:
                return False
    except OSError:
        pass
    directory = os.path.dirname(path)
    if directory:
        os.makedirs(directory, exist_ok=True)
    with open(path, "wb") as file:
        file.write(data)
    return True
