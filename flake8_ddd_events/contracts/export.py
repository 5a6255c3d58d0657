"""One JSON Schema (draft 2020-12) per integration event, for consumers in any language.

``$id`` is ``urn:ddd-events:<dotted name>:v<version>``; ``required`` lists the fields
without a default; a nullable field also admits ``null``; the version field, when it
gives the version, is a ``const``. Types are mapped from the annotations: str, int,
float, bool, bytes, Decimal, UUID, date and time types, enums (their literal values),
Literal, tuples, lists, sets and frozensets, mappings, unions; a project data class
(a value type or another integration event) becomes a ``$defs`` entry with its own
fields. A type that cannot be mapped accepts any value (``{}``) and says so in its
``description``. Extra properties are allowed: a consumer must tolerate fields added
by a compatible change.
"""

from __future__ import annotations

import json
import os
from typing import Any, Mapping

from ..syntax.expressions import last_part
from ..model.project_model import ClassView
from ..analysis.recognition import is_data_shaped
from ..config.settings import Settings
from ..analysis.metadata import schema_version
from .schema import contract_fields, event_name
from .typenames import LITERAL, NONE, UNION, UNREAD, TypeRef, literal

DRAFT = "https://json-schema.org/draft/2020-12/schema"

_SIMPLE: dict[str, dict[str, Any]] = {
    "str": {"type": "string"},
    "int": {"type": "integer"},
    "float": {"type": "number"},
    "bool": {"type": "boolean"},
    "bytes": {"type": "string", "contentEncoding": "base64"},
    "decimal.Decimal": {"type": ["number", "string"], "pattern": r"^-?\d+(\.\d+)?$"},
    "uuid.UUID": {"type": "string", "format": "uuid"},
    "datetime.datetime": {"type": "string", "format": "date-time"},
    "datetime.date": {"type": "string", "format": "date"},
    "datetime.time": {"type": "string", "format": "time"},
    "datetime.timedelta": {"type": "string", "format": "duration"},
    "typing.Any": {},
    "object": {},
}
_ARRAYS = {"list": False, "tuple": False, "set": True, "frozenset": True,
           "collections.abc.Sequence": False, "collections.abc.Set": True,
           "collections.abc.Collection": False, "collections.abc.Iterable": False,
           "collections.deque": False}
_OBJECTS = ("dict", "collections.abc.Mapping", "collections.OrderedDict",
            "collections.defaultdict")
_ENUM_BASES = frozenset({"Enum", "IntEnum", "StrEnum", "Flag", "IntFlag"})


def file_name(view: ClassView, settings: Settings) -> str:
    version = schema_version(view, settings)
    suffix = f".v{version.value}" if version and version.value is not None else ""
    return f"{event_name(view)}{suffix}.schema.json"


def event_json_schema(view: ClassView, settings: Settings) -> dict[str, Any]:
    """The JSON Schema of one integration event."""
    found = schema_version(view, settings)
    version = found.value if found is not None else None
    defs: dict[str, Any] = {}
    schema = _object_schema(view, defs)
    if version is not None and found.name in schema["properties"]:
        schema["properties"][found.name] = {**schema["properties"][found.name], "const": version}
    name = event_name(view)
    shown = f"version {version}" if version is not None else "no version"
    out = {"$schema": DRAFT,
           "$id": f"urn:ddd-events:{name}:v{version}" if version is not None
           else f"urn:ddd-events:{name}",
           "title": view.name,
           "description": f"Integration event {name}, schema {shown}.",
           **schema}
    if defs:
        out["$defs"] = dict(sorted(defs.items()))
    return out


def _object_schema(view: ClassView, defs: dict[str, Any]) -> dict[str, Any]:
    properties, required = {}, []
    for name, field in contract_fields(view).items():
        schema = _type_schema(field.ref or TypeRef(UNREAD, value=field.type), view, defs)
        if field.nullable:
            schema = {"anyOf": [schema, {"type": "null"}]}
        properties[name] = schema
        if field.required:
            required.append(name)
    return {"type": "object", "properties": properties, "required": required}


def _type_schema(ref: TypeRef, view: ClassView, defs: dict[str, Any]) -> dict[str, Any]:
    name = ref.name
    if name == UNION:
        return {"anyOf": [_type_schema(a, view, defs) for a in ref.args]}
    if name == NONE:
        return {"type": "null"}
    if name == LITERAL:
        return {"enum": [a.value for a in ref.args]}
    if name in _SIMPLE:
        return dict(_SIMPLE[name])
    if name in _ARRAYS:
        return _array(ref, _ARRAYS[name], view, defs)
    if name in _OBJECTS:
        values = _type_schema(ref.args[1], view, defs) if len(ref.args) == 2 else {}
        return {"type": "object", "additionalProperties": values}
    if name != UNREAD:
        resolved = view.model.resolve_qualified(name)
        if isinstance(resolved, ClassView):
            found = _project_class(name, resolved, defs)
            if found is not None:
                return found
    return {"description": f"'{ref}': a type flake8-ddd-events cannot map; any value is "
                           "accepted"}


def _array(ref: TypeRef, unique: bool, view: ClassView, defs: dict[str, Any]) -> dict[str, Any]:
    args = ref.args
    schema: dict[str, Any] = {"type": "array"}
    if ref.name == "tuple" and args and not (len(args) == 2 and args[1].name == "..."):
        items = [_type_schema(a, view, defs) for a in args]
        schema.update(prefixItems=items, minItems=len(items), maxItems=len(items))
    elif args:
        schema["items"] = _type_schema(args[0], view, defs)
    if unique:
        schema["uniqueItems"] = True
    return schema


def _project_class(name: str, view: ClassView, defs: dict[str, Any]) -> dict[str, Any] | None:
    """An enum's values, or a ``$ref`` to a data class's schema in ``defs``."""
    if any(last_part(w) in _ENUM_BASES for w, _ in view.ancestors()):
        values = [_value(node) for node in view.cls.assignments.values()]
        if values and all(v is not None for v in values):
            return {"enum": values}
        return None
    if not is_data_shaped(view):
        return None
    if name not in defs:
        defs[name] = {}  # a class that refers to itself ends here
        defs[name] = {"title": view.name, **_object_schema(view, defs)}
    return {"$ref": f"#/$defs/{name}"}


def _value(node) -> str | int | None:
    found = literal(node)
    return found.value if found is not None and isinstance(found.value, (str, int)) else None


def write_schemas(views: Mapping[str, ClassView], settings: Settings, folder: str) -> list[str]:
    """Write each event's schema into ``folder``; the paths written, sorted."""
    os.makedirs(folder, exist_ok=True)
    written = []
    for name in sorted(views):
        view = views[name]
        path = os.path.join(folder, file_name(view, settings))
        text = json.dumps(event_json_schema(view, settings), indent=2, sort_keys=True,
                          ensure_ascii=False) + "\n"
        with open(path, "w", encoding="utf-8", newline="\n") as file:
            file.write(text)
        written.append(path)
    return written
