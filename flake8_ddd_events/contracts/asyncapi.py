"""The project's integration events as one AsyncAPI 3.0 document: what the context
publishes, for EventCatalog, AsyncAPI Studio, code generators and the ``@asyncapi/cli``
validator.

- ``components.messages``: one message per integration event and version (every locked
  version, and the code's current one), its payload the event's JSON Schema
  (``export``), its value objects in ``components.schemas``; ``correlationId`` points at
  the correlation field by its wire name;
- ``channels`` and ``operations``: the send and receive sites ``channels`` reads; a send
  operation carries the event's current version, a receive operation every version;
- a channel whose address the code computes at run time is keyed by the event's name,
  has no address, and says so in ``x-ddd-unresolved`` (option ``ddd-channels`` gives it).

The document is a plain dict: ``dump`` writes it as JSON, or as YAML through PyYAML (the
``[asyncapi]`` extra).
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Mapping

from ..analysis.metadata import schema_version
from ..config.settings import Settings
from ..model.project_model import ProjectModel
from ..model.views import ClassView
from .channels import Channel, Site, channels
from .compare import History
from .export import event_json_schema, shape_json_schema
from .schema import Version
from .shape import class_shape

VERSION = "3.0.0"
EXTENSION_UNRESOLVED = "x-ddd-unresolved"


class YamlMissing(Exception):
    """PyYAML is not installed: ``pip install 'flake8-ddd-events[asyncapi]'``, or JSON."""


def message_key(name: str, version: Version) -> str:
    """``shop.sales.integration_events.OrderPlaced.v1`` (no version: the name)."""
    return name if version is None else safe_key(f"{name}.v{version}")


def safe_key(text: str) -> str:
    """A key of the document's maps (``[A-Za-z0-9._-]``)."""
    return "".join(c if c.isalnum() and c.isascii() or c in "._-" else "_" for c in text)


def document(title: str, api_version: str, histories: Mapping[str, History],
             views: Mapping[str, ClassView], sites: Iterable[Site], model: ProjectModel,
             settings: Settings, description: str | None = None) -> dict[str, Any]:
    """The AsyncAPI document of ``histories`` (each integration event's locked versions
    and current one), ``views`` (the events the code has) and ``sites``."""
    schemas: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for name in sorted(histories):
        history = histories[name]
        view = views.get(name)
        current = _code_version(view, settings) if view is not None else None
        for version in sorted(history.versions, key=_order):
            if view is not None and version == current and type(version) is type(current):
                payload = event_json_schema(view, settings)
            elif history.versions[version].shape is not None:
                payload = shape_json_schema(history.versions[version].shape, model)
            else:
                continue  # locked in format 1: no wire shape
            messages[message_key(name, version)] = _message(
                name, version, _payload(payload, schemas), view, settings, history)
    found = channels(sites, histories, dict(settings.channels))
    channel_objects: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for channel in found:
        channel_objects[channel.key] = _channel(channel, histories, messages)
        operations.update(_operations(channel, histories, messages, set(operations)))
    info: dict[str, Any] = {"title": title, "version": api_version}
    if description:
        info["description"] = description
    out: dict[str, Any] = {"asyncapi": VERSION, "info": info,
                           "defaultContentType": "application/json"}
    if channel_objects:
        out["channels"] = channel_objects
    if operations:
        out["operations"] = dict(sorted(operations.items()))
    components: dict[str, Any] = {}
    if schemas:
        components["schemas"] = dict(sorted(schemas.items()))
    if messages:
        components["messages"] = messages
    if components:
        out["components"] = components
    return out


def _order(version: Version) -> tuple:
    return (0, version, "") if isinstance(version, int) else (1, 0, str(version))


def _code_version(view: ClassView, settings) -> Version:
    found = schema_version(view, settings)
    return found.value if found is not None else None


def _message(name: str, version: Version, payload: dict[str, Any], view: ClassView | None,
             settings, history: History) -> dict[str, Any]:
    shown = f"{name.rpartition('.')[2]}" + (f" v{version}" if version is not None else "")
    message: dict[str, Any] = {"name": name.rpartition(".")[2], "title": shown,
                               "contentType": "application/json"}
    docstring = _docstring(view)
    if docstring:
        message["description"] = docstring
    correlation = _correlation_field(history.versions[version].shape, view, version, settings)
    if correlation is not None:
        message["correlationId"] = {"location": f"$message.payload#/{correlation}"}
    message["payload"] = payload
    if version is not None:
        message["x-ddd-version"] = version
    message["x-ddd-event"] = name
    return message


def _docstring(view: ClassView | None) -> str | None:
    node = view.cls.node if view is not None else None
    return node.get_docstring() if node is not None else None


def _correlation_field(shape, view: ClassView | None, version: Version,
                       settings) -> str | None:
    """The wire name of the correlation field (option ``ddd-correlation-fields``)."""
    if view is not None and version == _code_version(view, settings):
        shape = class_shape(view)[0]
    fields = (shape or {}).get("fields", {})
    for wire, spec in sorted(fields.items()):
        if spec.get("attribute", wire) in settings.correlation_fields:
            return wire
    return None


def _payload(schema: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    """The JSON Schema as an AsyncAPI Schema Object (a superset of draft 07): its value
    objects moved to ``components.schemas`` (a ``$ref`` resolves from the document's root),
    tuples as draft 07 writes them, no ``$schema`` or ``$id``."""
    schema = dict(schema)
    schema.pop("$schema", None)
    schema.pop("$id", None)
    renamed: dict[str, str] = {}
    defs = schema.pop("$defs", {})
    for name, value in defs.items():
        key, suffix = name, 2
        while key in schemas and schemas[key] != _draft7(value, renamed):
            key, suffix = f"{name}_{suffix}", suffix + 1
        renamed[name] = key
    for name, value in defs.items():
        schemas[renamed[name]] = _draft7(value, renamed)
    return _draft7(schema, renamed)


def _draft7(value: Any, renamed: Mapping[str, str]) -> Any:
    if isinstance(value, list):
        return [_draft7(v, renamed) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, item in value.items():
        if key == "$ref" and isinstance(item, str) and item.startswith("#/$defs/"):
            name = item[len("#/$defs/"):]
            out[key] = f"#/components/schemas/{renamed.get(name, name)}"
        elif key == "prefixItems":
            out["items"] = _draft7(item, renamed)
        elif key in ("properties", "$defs") and isinstance(item, dict):
            out[key] = {k: _draft7(v, renamed) for k, v in item.items()}
        else:
            out[key] = _draft7(item, renamed)
    if "prefixItems" in value and "maxItems" not in value:
        out["additionalItems"] = True
    return out


def _channel(channel: Channel, histories: Mapping[str, History],
             messages: Mapping[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {"address": channel.address}
    if channel.address is None:
        found["title"] = channel.key.rpartition(".")[2]
        parts = []
        for action, verb in (("send", "sent"), ("receive", "received")):
            where = ", ".join(sorted({f"{s.module}.{s.where} ({s.how})"
                                      for s in channel.unresolved if s.action == action}))
            if where:
                parts.append(f"{verb} at {where}")
        found[EXTENSION_UNRESOLVED] = (
            f"no constant address in the code ({'; '.join(parts)}); give it with option "
            f"ddd-channels = {channel.key}=ADDRESS")
    found["messages"] = {key: {"$ref": f"#/components/messages/{key}"}
                         for event in channel.events for key in _keys(event, histories,
                                                                      messages)}
    return found


def _keys(event: str, histories: Mapping[str, History], messages: Mapping[str, Any]) -> list[str]:
    history = histories[event]
    return [k for k in (message_key(event, v) for v in sorted(history.versions, key=_order))
            if k in messages]


def _operations(channel: Channel, histories: Mapping[str, History],
                messages: Mapping[str, Any], taken: set[str]) -> dict[str, Any]:
    """The channel's send and receive operations, keyed by action, event and function
    (made longer where two would have the same key: ``taken``)."""
    found = {}
    for action, sites in (("send", channel.sends), ("receive", channel.receives)):
        for site in sites:
            keys = _keys(site.event, histories, messages)
            if action == "send":
                current = message_key(site.event, histories[site.event].current)
                keys = [current] if current in keys else keys[-1:]
            if not keys:
                continue
            name = f"{action}{site.event.rpartition('.')[2]}.{site.where}"
            for name in (name, f"{name}.{site.module}", f"{name}.{site.module}.{channel.key}"):
                name = safe_key(name)
                if name not in taken:
                    break
            taken.add(name)
            found[name] = {
                "action": action,
                "channel": {"$ref": f"#/channels/{channel.key}"},
                "summary": f"{site.module}.{site.where}: {site.how}",
                "messages": [{"$ref": f"#/channels/{channel.key}/messages/{k}"} for k in keys],
            }
    return found


def dump(doc: Mapping[str, Any], as_json: bool) -> str:
    """The document's text: JSON, or YAML through PyYAML (YamlMissing without it)."""
    if as_json:
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    try:
        import yaml
    except ImportError:
        raise YamlMissing() from None

    class Dumper(yaml.SafeDumper):
        def ignore_aliases(self, data: Any) -> bool:  # no anchors: a schema read by itself
            return True

    return yaml.dump(dict(doc), Dumper=Dumper, sort_keys=False, allow_unicode=True, width=100)
