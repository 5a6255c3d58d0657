"""The lock file: the integration events' schemas as the team has agreed them.

JSON, UTF-8, ``\\n`` line ends; the first key is the format version; events sorted by
dotted name, fields by name, one field per line; nothing machine- or run-dependent, so
the same code gives the same bytes anywhere and a review diff shows exactly what changed
in the contract::

    {
      "format": 1,
      "events": {
        "shop.sales.integration_events.OrderShipped": {
          "version": 1,
          "fields": {
            "carrier": {"nullable": false, "required": true, "type": "str"},
            "order_id": {"nullable": false, "required": true, "type": "uuid.UUID"}
          }
        }
      }
    }

``read_lock`` reads a lock for the commands; DDD208 reads the file through the project
model (``ProjectModel.read_file``, so that the result cache keys on its content) and
parses it with ``parse_lock``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from .schema import EventSchema, FieldSchema

FORMAT = 1


class LockError(Exception):
    """A lock that cannot be read; the message names the file and says why."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass(frozen=True)
class Lock:
    events: Mapping[str, EventSchema]


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def field_line(schema: FieldSchema) -> str:
    """A field as the lock writes it, on one line."""
    return _json(schema.name) + ": " + _json(
        {"nullable": schema.nullable, "required": schema.required, "type": schema.type})


def dumps(events: Iterable[EventSchema]) -> str:
    """The lock's text for these events."""
    entries = []
    for event in sorted(events, key=lambda e: e.name):
        fields = [field_line(f) for _, f in sorted(event.fields.items())]
        body = ("{\n" + ",\n".join(f"        {line}" for line in fields) + "\n      }"
                if fields else "{}")
        entries.append(f"    {_json(event.name)}: {{\n      \"version\": {_json(event.version)},\n"
                       f"      \"fields\": {body}\n    }}")
    events_text = "{\n" + ",\n".join(entries) + "\n  }" if entries else "{}"
    return f"{{\n  \"format\": {FORMAT},\n  \"events\": {events_text}\n}}\n"


def loads(text: str, path: str) -> Lock:
    """Read a lock's text; LockError says what is wrong with it."""
    try:
        pairs = json.loads(text, object_pairs_hook=_Pairs)
    except json.JSONDecodeError as error:
        raise LockError(path, f"not valid JSON ({error.msg} at line {error.lineno})") from None
    except RecursionError:
        raise LockError(path, "nested too deeply") from None
    if not isinstance(pairs, _Pairs) or not pairs or pairs[0][0] != "format":
        raise LockError(path, "not a contract lock: its first key must be \"format\"")
    top = dict(pairs)
    version = top["format"]
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise LockError(path, f"format {version!r} is not a format version")
    if version > FORMAT:
        raise LockError(path, f"written in format {version} by a newer flake8-ddd-events; this "
                              f"one reads format {FORMAT}: upgrade flake8-ddd-events")
    events = _mapping(top.get("events"), path, "\"events\"")
    return Lock({name: _event(name, entry, path) for name, entry in sorted(events.items())})


class _Pairs(list):
    """A JSON object's items in their order (to tell which key comes first)."""


def _mapping(pairs: Any, path: str, what: str) -> dict[str, Any]:
    if not isinstance(pairs, _Pairs):
        raise LockError(path, f"{what} must be an object")
    return dict(pairs)


def _event(name: str, entry: Any, path: str) -> EventSchema:
    where = f"event {name!r}"
    values = _mapping(entry, path, where)
    version = values.get("version")
    if isinstance(version, bool) or not isinstance(version, (int, str, type(None))):
        raise LockError(path, f"{where}: \"version\" must be a number, a string or null")
    fields = {}
    for field_name, spec in _mapping(values.get("fields"), path, f"{where}: \"fields\"").items():
        spec = _mapping(spec, path, f"{where}, field {field_name!r}")
        kind, required, nullable = spec.get("type"), spec.get("required"), spec.get("nullable")
        if not isinstance(kind, str) or not isinstance(required, bool) \
                or not isinstance(nullable, bool):
            raise LockError(path, f"{where}, field {field_name!r}: needs \"type\" (a string), "
                                  "\"required\" and \"nullable\" (true or false)")
        fields[field_name] = FieldSchema(field_name, kind, required, nullable)
    return EventSchema(name, version, dict(sorted(fields.items())))


_READ: dict[str, tuple[bytes, Lock]] = {}  # by real path: the last text read and its lock


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
    if cached is not None and cached[0] == data:
        return cached[1]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise LockError(path, "not UTF-8 text") from None
    lock = loads(text, path)
    _READ[real] = (data, lock)
    return lock


def write_lock(path: str, events: Iterable[EventSchema]) -> bool:
    """Write the lock; False when the file already holds exactly this text."""
    text = dumps(events)
    data = text.encode("utf-8")
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
