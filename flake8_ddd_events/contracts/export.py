"""One JSON Schema (draft 2020-12) per integration event, for consumers in any language,
and one per version of each stored event (``write_stored_schemas``, from the lock's shapes:
older versions are no longer in the code), for replay tools and data teams reading the store;
made from the same wire shape the lock holds (``shape``), so that it describes what
producers write:

- properties by wire name (aliases, alias generators, rename policies); a positional
  format (NamedTuple, msgspec ``array_like``) is an array with ``prefixItems``;
- ``required``: every field producers always write (all but those they may leave out:
  msgspec ``omit_defaults`` with a default, a TypedDict key that is not required), defaults
  and ``default_factory`` fields included; a nullable field also admits ``null``;
- ``$id`` is ``urn:ddd-events:<dotted name>:v<version>``; the version field, when it
  gives the version, is a ``const``;
- str, int, float, bool; Decimal as a number or a string in decimal or exponent notation
  (``"12.50"``, ``"1E-7"``: what pydantic and msgspec write); UUID; date; datetime and
  time with or without an offset (naive ones are sent as they are); timedelta; bytes as
  pydantic sends them (UTF-8 text) or base64 (msgspec, others); enums and ``Literal`` by
  their values; aliases and ``NewType`` as their targets; tuples, arrays, sets, mappings,
  unions; constraints (bounds, lengths, patterns); a project value object is a ``$defs``
  entry with its own fields;
- a type that cannot be read accepts any value (``{}``) and says so in its
  ``description``. Extra properties are allowed: a consumer must tolerate fields added by
  a compatible change.
"""

from __future__ import annotations

import json
import os
from typing import Any, Mapping

from ..analysis.dataclass_fields import Style, style
from ..analysis.metadata import schema_version
from ..model.project_model import ProjectModel
from ..model.views import ClassView
from ..config.settings import Settings
from .compare import History
from .schema import Version, event_name
from .shape import Shape, class_shape, render

DRAFT = "https://json-schema.org/draft/2020-12/schema"
DECIMAL = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"
_CLOCK = r"\d{2}:\d{2}(:\d{2}(\.\d+)?)?([zZ]|[+-]\d{2}:?\d{2})?"
_SIMPLE: dict[str, dict[str, Any]] = {
    "str": {"type": "string"},
    "int": {"type": "integer"},
    "float": {"type": "number"},
    "bool": {"type": "boolean"},
    "decimal.Decimal": {"type": ["number", "string"], "pattern": DECIMAL},
    "uuid.UUID": {"type": "string", "format": "uuid"},
    "datetime.datetime": {"type": "string", "pattern": rf"^\d{{4}}-\d{{2}}-\d{{2}}[Tt ]{_CLOCK}$"},
    "datetime.date": {"type": "string", "format": "date"},
    "datetime.time": {"type": "string", "pattern": rf"^{_CLOCK}$"},
    "datetime.timedelta": {"type": ["string", "number"]},
    "typing.Any": {},
    "object": {},
    "None": {"type": "null"},
}
_BYTES = {True: {"type": "string"},  # pydantic: UTF-8 text
          False: {"type": "string", "contentEncoding": "base64"}}
_KEYWORDS = {"gt": "exclusiveMinimum", "ge": "minimum", "lt": "exclusiveMaximum",
             "le": "maximum", "multiple_of": "multipleOf", "pattern": "pattern"}


def file_name(view: ClassView, settings: Settings) -> str:
    version = schema_version(view, settings)
    suffix = f".v{version.value}" if version and version.value is not None else ""
    return f"{event_name(view)}{suffix}.schema.json"


def event_json_schema(view: ClassView, settings: Settings) -> dict[str, Any]:
    """The JSON Schema of one integration event."""
    found = schema_version(view, settings)
    version = found.value if found is not None else None
    shape, _ = class_shape(view)
    writer = _Writer(view.model, shape.get("types", {}))
    schema = writer.object(shape, view)
    if version is not None and found.name is not None and "properties" in schema:
        wire = next((w for w, spec in shape["fields"].items()
                     if spec.get("attribute", w) == found.name), None)
        if wire is not None:
            schema["properties"][wire] = {**schema["properties"][wire], "const": version}
    name = event_name(view)
    shown = f"version {version}" if version is not None else "no version"
    out = {"$schema": DRAFT,
           "$id": f"urn:ddd-events:{name}:v{version}" if version is not None
           else f"urn:ddd-events:{name}",
           "title": view.name,
           "description": f"Integration event {name}, schema {shown}.",
           **schema}
    if writer.defs:
        out["$defs"] = dict(sorted(writer.defs.items()))
    return out


class _Writer:
    def __init__(self, model: ProjectModel, types: Mapping[str, Shape]) -> None:
        self.model = model
        self.types = types
        self.defs: dict[str, Any] = {}

    def object(self, shape: Shape, view: ClassView | None) -> dict[str, Any]:
        utf8_bytes = view is not None and style(view) is Style.PYDANTIC
        fields = shape.get("fields", {})
        if shape.get("positional"):
            ordered = sorted(fields.items(), key=lambda item: item[1].get("position", 0))
            items = [self.field(spec, utf8_bytes) for _, spec in ordered]
            sent = 0
            for _, spec in ordered:
                if spec.get("omittable"):
                    break
                sent += 1
            return {"type": "array", "prefixItems": items, "minItems": sent}
        properties = {wire: self.field(spec, utf8_bytes) for wire, spec in fields.items()}
        required = [wire for wire, spec in fields.items() if not spec.get("omittable")]
        return {"type": "object", "properties": properties, "required": required}

    def field(self, spec: Shape, utf8_bytes: bool) -> dict[str, Any]:
        schema = self.type(spec.get("type", {}), utf8_bytes)
        if spec.get("nullable"):
            schema = {"anyOf": [schema, {"type": "null"}]}
        return schema

    def type(self, shape: Shape, utf8_bytes: bool) -> dict[str, Any]:
        schema = self._type(shape, utf8_bytes)
        constraints = shape.get("constraints")
        if constraints:
            schema = {**schema, **_constraints(constraints, schema)}
        return schema

    def _type(self, shape: Shape, utf8_bytes: bool) -> dict[str, Any]:
        if "union" in shape:
            return {"anyOf": [self.type(m, utf8_bytes) for m in shape["union"]]}
        if "literal" in shape:
            return {"enum": list(shape["literal"])}
        if "enum" in shape and shape["enum"] is not None:
            return {"enum": list(shape["enum"])}
        if "array" in shape:
            schema = {"type": "array", "items": self.type(shape["array"], utf8_bytes)}
            if shape.get("unique"):
                schema["uniqueItems"] = True
            return schema
        if "tuple" in shape:
            items = [self.type(m, utf8_bytes) for m in shape["tuple"]]
            return {"type": "array", "prefixItems": items, "minItems": len(items),
                    "maxItems": len(items)}
        if "map" in shape:
            values = self.type(shape["map"][1], utf8_bytes)
            return {"type": "object", "additionalProperties": values}
        if "ref" in shape:
            return self._ref(shape["ref"])
        name = shape.get("name")
        if not shape.get("unread") and name in ("bytes", "bytearray"):
            return dict(_BYTES[utf8_bytes])
        if not shape.get("unread") and name in _SIMPLE:
            return dict(_SIMPLE[name])
        return {"description": f"'{render(shape)}': a type flake8-ddd-events cannot read; "
                               "any value is accepted"}

    def _ref(self, name: str) -> dict[str, Any]:
        if name not in self.defs:
            self.defs[name] = {}  # a type that holds itself ends here
            resolved = self.model.resolve_qualified(name)
            view = resolved if isinstance(resolved, ClassView) else None
            self.defs[name] = {"title": name.rpartition(".")[2],
                               **self.object(self.types.get(name, {}), view)}
        return {"$ref": f"#/$defs/{name}"}


def _constraints(constraints: Mapping[str, Any], schema: Mapping[str, Any]) -> dict[str, Any]:
    found = {}
    sized = "minItems" if schema.get("type") == "array" else "minLength"
    for key, value in constraints.items():
        if key in _KEYWORDS:
            found[_KEYWORDS[key]] = value
        elif key == "min_length":
            found[sized] = value
        elif key == "max_length":
            found[sized.replace("min", "max")] = value
    return found


def shape_json_schema(shape: Shape, model: ProjectModel) -> dict[str, Any]:
    """The JSON Schema of a locked wire shape (its value objects in ``$defs``), without
    ``$schema``, ``$id`` or title: a locked version whose class the code no longer has."""
    writer = _Writer(model, shape.get("types", {}))
    out = writer.object(shape, None)
    if writer.defs:
        out["$defs"] = dict(sorted(writer.defs.items()))
    return out


def stored_json_schema(history: History, version: Version,
                       model: ProjectModel) -> dict[str, Any] | None:
    """The JSON Schema of one stored event at one locked version: what the store holds for
    events written at that version, for a replay tool or a data team (None for a version
    locked in format 1, which holds no wire shape)."""
    shape = history.versions[version].shape
    if shape is None:
        return None
    writer = _Writer(model, shape.get("types", {}))
    name = history.name
    topic = f", topic '{history.topic}'" if history.topic else ""
    out = {"$schema": DRAFT, "$id": f"urn:ddd-events:stored:{name}:v{version}",
           "title": name.rpartition(".")[2],
           "description": f"Stored event {name} ({history.framework or 'stored'}{topic}) as "
                          f"events written at version {version} hold it.",
           **writer.object(shape, None)}
    if writer.defs:
        out["$defs"] = dict(sorted(writer.defs.items()))
    return out


def write_stored_schemas(histories: Mapping[str, History], model: ProjectModel,
                         folder: str) -> list[str]:
    """Write one schema per stored event and version into ``folder``; the paths written."""
    written = []
    for name in sorted(histories):
        history = histories[name]
        for version in history.versions:
            schema = stored_json_schema(history, version, model)
            if schema is None:
                continue
            suffix = f".v{version}" if version is not None else ""
            written.append(_write(os.path.join(folder, f"{name}{suffix}.schema.json"), schema))
    return sorted(written)


def _write(path: str, schema: Mapping[str, Any]) -> str:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as file:
        file.write(json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    return path


def write_schemas(views: Mapping[str, ClassView], settings: Settings, folder: str) -> list[str]:
    """Write each event's schema into ``folder``; the paths written, sorted."""
    os.makedirs(folder, exist_ok=True)
    return [_write(os.path.join(folder, file_name(views[name], settings)),
                   event_json_schema(views[name], settings)) for name in sorted(views)]
