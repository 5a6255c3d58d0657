"""The cheap first look: can this source hold anything a selected rule checks?

A text scan, derived from the settings so that a configured name is never
missed. Sources that fail it are not parsed at all.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .settings import Settings

_ALWAYS = ("dataclass", "attr", "pydantic", "NamedTuple", "msgspec", "Struct", "BaseModel",
           "eventsourcing", "protean", "commit", "record", "publish", "dispatch")


@lru_cache(maxsize=8)
def _pattern(settings: Settings) -> re.Pattern[str]:
    words = {
        *_ALWAYS,
        *settings.domain_event_bases, *settings.integration_event_bases,
        *settings.aggregate_bases, *settings.entity_bases, *settings.handler_bases,
        *settings.correlation_fields, *settings.record_methods, *settings.clear_methods,
        *settings.transaction_contexts, *settings.outbox_mark_methods,
    }
    return re.compile("|".join(sorted(map(re.escape, words), key=len, reverse=True)))


def may_hold_findings(source: str, module: str, settings: Settings) -> bool:
    """False only when no rule can have anything to say about this source."""
    if settings.is_domain_module(module):
        return True
    parts = set(module.split("."))
    if parts & {*settings.domain_event_modules, *settings.integration_event_modules}:
        return True
    return _pattern(settings).search(source) is not None

