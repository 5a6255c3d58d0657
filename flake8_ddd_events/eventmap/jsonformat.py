"""The map as JSON, for other tools; its shape is docs/event-map.schema.json."""

from __future__ import annotations

import json
from dataclasses import asdict

from . import graph

VERSION = 1


def as_data(event_map: graph.EventMap, level: str = "classes") -> dict:
    detailed = level != "contexts"
    return {
        "version": VERSION,
        "level": level,
        "focus": event_map.focus,
        "contexts": [asdict(c) for c in event_map.contexts],
        "nodes": [asdict(n) for n in event_map.nodes] if detailed else [],
        "edges": [asdict(e) for e in event_map.edges] if detailed else [],
        "links": [{**asdict(k), "events": list(k.events)} for k in event_map.links],
        "relays": [asdict(r) for r in event_map.relays] if detailed else [],
        "findings": [asdict(f) for f in event_map.findings],
    }


def render(event_map: graph.EventMap, level: str = "classes", findings: bool = True) -> str:
    data = as_data(event_map, level)
    if not findings:
        data["findings"] = []
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
