"""The consumer's side of the contract: what a consuming context reads of the events
another context publishes (``ddd-expectations.json``), and every producer version that
breaks it.

A **consumed event** is the consumer's own class for another context's event: an
integration event the project receives (a handler of it, a subscriber: ``channels``) or
decodes (``OrderPlaced.model_validate(…)``, ``msgspec.json.decode(…, type=OrderPlaced)``,
``converter.structure(data, OrderPlaced)``) but does not send, or a class option
``ddd-consumed-events`` names (``name=producer.Name`` gives the producer's event name; else
the class's own dotted name is expected of the producer). Its expectation: the producer's
event name, the version the class declares (None: any), and each field by its wire path
(``ship_to.postcode``; ``lines[].sku`` inside an array) with its type, whether the
consumer requires it (no default) or reads it if present, and whether it takes null.

The expectation file (JSON, sorted, ``\\n`` line ends)::

    {"format": 1, "consumer": "shipping", "events": {"sales.OrderPlaced": {
        "class": "shipping.inbound.OrderPlaced", "version": 2,
        "fields": {"ship_to.postcode": {"nullable": false, "required": true,
                                        "type": {"name": "str"}}, …}}}}

A producer version breaks an expectation when it does not send a field the consumer
requires, may leave it out or send null where the consumer cannot take it, sends a type
the consumer's type does not decode, or is not the version the consumer reads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from ..analysis.metadata import schema_version
from ..analysis.recognition import Kind, recognise
from ..config.settings import Settings
from ..model.project_model import ProjectModel
from ..model.views import ClassView
from ..syntax.expressions import dotted, keywords_of, last_part
from ..syntax.facts import ModuleFacts
from .channels import RECEIVE, SEND, Site
from .compare import History
from .schema import EventSchema, Version, event_name
from .shape import Shape, class_shape, render

FORMAT = 1
FILE = "ddd-expectations.json"
_DECODE_METHODS = frozenset({"model_validate", "model_validate_json", "parse_obj", "parse_raw",
                             "from_dict", "from_json", "validate_python", "validate_json"})
_DECODE_FUNCTIONS = frozenset({"decode", "structure", "convert", "from_dict", "TypeAdapter"})
_STRINGS_ON_THE_WIRE = frozenset({"uuid.UUID", "datetime.datetime", "datetime.date",
                                  "datetime.time"})
_ANY = frozenset({"typing.Any", "object"})


class ExpectationError(Exception):
    """An expectation file that cannot be read; the message names it and says why."""


@dataclass(frozen=True)
class Expectation:
    """What a consumer reads of one producer event."""

    producer_event: str
    cls: str
    version: Version
    fields: Mapping[str, Mapping[str, Any]]  # by wire path


# -- the consumer's side: what it reads ------------------------------------------------
def decoded(facts: ModuleFacts, model: ProjectModel, settings: Settings) -> list[str]:
    """The integration events a module decodes from a message."""
    found = []
    for call in facts.calls:
        names = []
        if call.method in _DECODE_METHODS and call.receiver:
            names.append(call.receiver)
        if last_part(call.callee) in _DECODE_FUNCTIONS:
            keywords = keywords_of(call.node)
            names += [dotted(v) for k, v in keywords.items() if k in ("type", "cl", "target")]
            names += [dotted(a.value) for a in call.args if a.keyword is None]
        for name in names:
            view = model.resolve(facts, name) if name else None
            if isinstance(view, ClassView) and recognise(view, settings).kind \
                    is Kind.INTEGRATION_EVENT:
                found.append(event_name(view))
    return found


def consumed(views: Mapping[str, ClassView], sites: Iterable[Site], decodes: Iterable[str],
             model: ProjectModel, settings: Settings) -> dict[str, tuple[ClassView, str]]:
    """The consumed events: the consumer's class and the producer's event name, by the
    class's dotted name."""
    sites = list(sites)
    sent = {s.event for s in sites if s.action == SEND}
    read = {s.event for s in sites if s.action == RECEIVE} | set(decodes)
    found = {name: (views[name], name) for name in sorted(read - sent) if name in views}
    for name, producer in settings.consumed_events:
        view = views.get(name) or model.resolve_qualified(name)
        if isinstance(view, ClassView):
            found[event_name(view)] = (view, producer or event_name(view))
    return found


def expectation(view: ClassView, producer_event: str, settings: Settings) -> Expectation:
    found = schema_version(view, settings)
    shape, _ = class_shape(view)
    fields: dict[str, dict[str, Any]] = {}
    _flatten(shape, shape.get("types", {}), "", fields, set())
    return Expectation(producer_event, event_name(view),
                       found.value if found is not None else None, fields)


def _flatten(shape: Shape, types: Mapping[str, Shape], prefix: str,
             out: dict[str, dict[str, Any]], seen: set[str]) -> None:
    for wire, spec in sorted(shape.get("fields", {}).items()):
        path = prefix + wire
        kind = spec.get("type", {})
        inner, suffix = kind, ""
        if "array" in kind:
            inner, suffix = kind["array"], "[]"
        if "ref" in inner and inner["ref"] not in seen:
            shown = {"object": True} if not suffix else {"array": {"object": True}}
            out[path] = _spec(spec, shown)
            _flatten(types.get(inner["ref"], {}), types, f"{path}{suffix}.", out,
                     seen | {inner["ref"]})
        else:
            out[path] = _spec(spec, kind)


def _spec(spec: Shape, kind: Shape) -> dict[str, Any]:
    return {"nullable": bool(spec.get("nullable")),
            "required": bool(spec.get("required")) and not spec.get("omittable"),
            "type": _plain(kind)}


def _plain(kind: Any) -> Any:
    """A type without what the wire does not see (aliases, enum class names)."""
    if isinstance(kind, dict):
        return {k: _plain(v) for k, v in kind.items() if k not in ("alias", "class")}
    if isinstance(kind, list):
        return [_plain(v) for v in kind]
    return kind


def dumps(consumer: str, expectations: Iterable[Expectation]) -> str:
    events = {e.producer_event: {"class": e.cls, "version": e.version,
                                 "fields": dict(sorted(e.fields.items()))}
              for e in expectations}
    return json.dumps({"format": FORMAT, "consumer": consumer,
                       "events": dict(sorted(events.items()))},
                      indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def read(path: str) -> tuple[str, list[Expectation]]:
    """The consumer's name and expectations in an expectation file."""
    try:
        with open(path, encoding="utf-8") as file:
            data = json.load(file)
    except OSError as error:
        raise ExpectationError(f"{path}: {error.strerror or error}") from None
    except (ValueError, UnicodeError) as error:
        raise ExpectationError(f"{path}: not valid JSON ({error})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT \
            or not isinstance(data.get("events"), dict):
        raise ExpectationError(f"{path}: not an expectation file of format {FORMAT} (write it "
                               "with 'ddd-events contracts expect')")
    found = []
    for name, entry in sorted(data["events"].items()):
        if not isinstance(entry, dict) or not isinstance(entry.get("fields"), dict):
            raise ExpectationError(f"{path}: event {name!r} needs \"fields\" (an object)")
        found.append(Expectation(name, str(entry.get("class", name)), entry.get("version"),
                                 entry["fields"]))
    return str(data.get("consumer") or path), found


# -- the comparison -------------------------------------------------------------------
@dataclass(frozen=True)
class Break:
    consumer: str
    message: str


def producer_event(name: str, events: Iterable[str]) -> str | None:
    """The producer's event a consumer names: the same dotted name, else the one event
    of the same class name."""
    events = list(events)
    if name in events:
        return name
    same = [e for e in events if last_part(e) == last_part(name)]
    return same[0] if len(same) == 1 else None


def breaks(consumer: str, expectations: Iterable[Expectation], locked: Mapping[str, History],
           code: Mapping[str, EventSchema] | None = None) -> list[Break]:
    """Every break of the consumer's expectations of this producer's events (the others are
    other producers'): by the versions ``locked`` holds, and by what the code sends now
    (``code``; None on the consumer's side, which has only the producer's lock)."""
    found: list[Break] = []
    for expected in expectations:
        names = set(locked) | set(code or {})
        name = producer_event(expected.producer_event, names)
        if name is None:
            continue  # another producer's event
        shown = _short(expected.producer_event)
        history = locked.get(name)
        now = (code or {}).get(name)
        if code is not None and now is None:
            found.append(Break(consumer, f"consumer '{consumer}' reads {shown}"
                                         f"{_v(expected.version)}; the producer no longer "
                                         "sends it since this change"))
            continue
        sent = now if now is not None else (history.latest if history else None)
        since = " since this change" if now is not None else ""
        if expected.version is not None and sent is not None \
                and not _same(sent.version, expected.version):
            found.append(Break(consumer, f"consumer '{consumer}' reads {shown}"
                                         f"{_v(expected.version)}; the producer sends"
                                         f"{_v(sent.version)}{since}"))
        version = expected.version if expected.version is not None else (
            sent.version if sent is not None else None)
        old = _version(history, version) if history else None
        old_problems = set(_problems(expected, old)) if old is not None else set()
        for problem in sorted(old_problems):
            found.append(Break(consumer, f"consumer '{consumer}' {problem[0]} of {shown}"
                                         f"{_v(version)}; the producer {problem[1]} (locked)"))
        if now is not None and _same(now.version, version):
            for problem in _problems(expected, now):
                if problem not in old_problems:
                    found.append(Break(consumer, f"consumer '{consumer}' {problem[0]} of "
                                                 f"{shown}{_v(version)}; the producer "
                                                 f"{problem[1]} since this change"))
    return found


def _short(name: str) -> str:
    """``sales.OrderPlaced`` for ``shop.sales.integration_events.OrderPlaced``: the
    context (the first part) and the class."""
    parts = name.split(".")
    return name if len(parts) <= 2 else f"{parts[0] if len(parts) < 4 else parts[1]}.{parts[-1]}"


def _v(version: Version) -> str:
    return "" if version is None else f" v{version}"


def _same(one: Version, other: Version) -> bool:
    return one == other and type(one) is type(other)


def _version(history: History, version: Version) -> EventSchema | None:
    return next((s for v, s in history.versions.items() if _same(v, version)), None)


def _problems(expected: Expectation, schema: EventSchema) -> list[tuple[str, str]]:
    """(what the consumer does, what the producer does) for each field that breaks."""
    if schema.shape is None:
        return []  # a format-1 lock: no wire shape to compare
    types = schema.shape.get("types", {})
    found = []
    missing: list[str] = []
    for path, want in sorted(expected.fields.items()):
        if any(path.startswith(m + ".") or path.startswith(m + "[].") for m in missing):
            continue
        what = (f"requires '{path}' ({render(want['type'])})" if want.get("required")
                else f"reads '{path}' ({render(want['type'])}) if present")
        have = _field(schema.shape, types, path)
        if have is None:
            missing.append(path)
            if want.get("required"):
                found.append((what, "does not send it"))
            continue
        if want.get("required") and have.get("omittable"):
            found.append((what, "may leave it out"))
        if have.get("nullable") and not want.get("nullable"):
            found.append((what, "may send null"))
        if not _decodes(have.get("type", {}), want.get("type", {}), types):
            found.append((what, f"sends it as {render(_plain(have.get('type', {})))}"))
    return found


def _field(shape: Shape, types: Mapping[str, Shape], path: str) -> Shape | None:
    """The producer's field at a wire path (``ship_to.postcode``, ``lines[].sku``)."""
    fields = shape.get("fields", {})
    parts = path.split(".")
    for index, part in enumerate(parts):
        name = part.removesuffix("[]")
        spec = fields.get(name)
        if spec is None or index == len(parts) - 1:
            return spec
        kind = spec.get("type", {})
        if part.endswith("[]"):
            kind = kind.get("array") or {}
        if "ref" not in kind:
            return None
        fields = types.get(kind["ref"], {}).get("fields", {})
    return None


def _decodes(have: Shape, want: Shape, types: Mapping[str, Shape]) -> bool:
    """Whether the consumer's type reads what the producer's type sends."""
    if want.get("object"):
        return "ref" in have
    if "array" in want and want["array"].get("object"):
        return "array" in have and "ref" in have["array"]
    if want.get("unread") or want.get("name") in _ANY or have.get("unread"):
        return True
    if "union" in have:
        return all(_decodes(m, want, types) for m in have["union"])
    if "union" in want:
        return any(_decodes(have, m, types) for m in want["union"])
    values = want.get("literal") or want.get("enum")
    if values is not None:
        sent = have.get("literal") or have.get("enum")
        return sent is not None and set(map(repr, sent)) <= set(map(repr, values))
    if "array" in want:
        inner = have.get("array") or ({"union": have["tuple"]} if "tuple" in have else None)
        return inner is not None and _decodes(inner, want["array"], types)
    if "tuple" in want:
        return "tuple" in have and len(have["tuple"]) == len(want["tuple"]) and all(
            _decodes(h, w, types) for h, w in zip(have["tuple"], want["tuple"]))
    if "map" in want:
        return "map" in have and _decodes(have["map"][1], want["map"][1], types)
    name, sent = want.get("name"), have.get("name")
    if name is None:
        return False
    if have.get("enum") or have.get("literal"):  # values: read as their own type
        kinds = {type(v).__name__ for v in have.get("enum") or have.get("literal")}
        return kinds <= {name} or (name == "float" and kinds <= {"int", "float"})
    if sent is None:
        return False
    if name == sent:
        return True
    return (name == "float" and sent == "int") or (
        name == "str" and sent in _STRINGS_ON_THE_WIRE) or (
        name == "decimal.Decimal" and sent in ("int", "float"))
