"""Metadata every event carries: an id and a timezone-aware timestamp.

DDD105 (no timestamp), DDD106 (no event id), DDD107 (naive or deprecated
datetime calls).
"""

from __future__ import annotations

from collections import Counter
from typing import Callable, Iterator

import libcst as cst

from ..analysis.library_bases import chain_complete
from ..analysis.metadata import (ChainField, chain_fields, has_event_id, has_timestamp,
                                 is_event_id, is_timestamp)
from ..analysis.recognition import recognise
from ..config.settings import Settings
from ..model.views import ClassView
from ..syntax.expressions import dotted, last_part
from ..syntax.facts import CallFact, ModuleFacts
from .rule import Context, Example, Finding, rule


def _concrete_events_with_known_chain(context: Context):
    for view, recognition in context.events:
        if recognition.is_concrete_event and chain_complete(view):
            yield view


@rule(
    "DDD105", "event-without-timestamp",
    summary="event has no timestamp",
    what="Reports a concrete event whose whole chain (its own fields and its bases') has no "
         "timestamp: no field named like `occurred_on`, `occurred_at` or `timestamp`, no "
         "date-time field (`datetime`, pydantic `AwareDatetime`, `pendulum.DateTime`) whose "
         "name ends in `_at` or `_on` or contains `time`, and no field whose default makes the "
         "current time (`datetime.now`, `time.time`, a lambda around one, a project function "
         "named like `utc_now`), whatever its name, also as the fallback of a base's "
         "`__init__` (`occurred_on or datetime.now(timezone.utc)`; a base's `__init__` counts "
         "while each `__init__` below it calls it), and nothing in a metadata envelope "
         "(`metadata.headers.time`). Names count behind underscores and spelt with a single or "
         "doubled letter (`self.__ocurred_on`). Silent when a base cannot be resolved: it "
         "may provide the field. The message suggests the timestamp name the other events of "
         "the module and of the modules it imports use most, else `occurred_on` (the first of "
         "`ddd-timestamp-fields`).",
    why="When something happened is part of the fact. Without it consumers cannot order events, "
        "reason about late arrivals, or rebuild state as of a moment; the time the message was "
        "received is not the time the business fact occurred.",
    use_instead="Give the event base an `occurred_on: datetime` set to a timezone-aware now, "
                "so every event carries it.",
    invalid=[
        """\
from dataclasses import dataclass, field
from uuid import UUID, uuid4


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    event_id: UUID = field(default_factory=uuid4)


@dataclass(frozen=True)
class OrderPlaced(DomainEvent):  # DDD105
    order_id: UUID
""",
    ],
    valid=[
        """\
from dataclasses import dataclass, field
from datetime import datetime, timezone
from uuid import UUID, uuid4


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    event_id: UUID = field(default_factory=uuid4)
    occurred_on: datetime = field(default_factory=lambda: datetime.now(timezone.utc))


@dataclass(frozen=True)
class OrderPlaced(DomainEvent):
    order_id: UUID
""",
    ],
    options=("ddd-timestamp-fields",),
)
def event_without_timestamp(context: Context) -> Iterator[Finding]:
    name = None
    for view in _concrete_events_with_known_chain(context):
        if not has_timestamp(view, context.settings):
            name = name or _usual_name(context, is_timestamp, context.settings.timestamp_fields[0])
            yield Finding(view.cls.node, f"event '{view.name}' does not say when it happened; add "
                          f"'{name}: datetime' (timezone-aware)")


@rule(
    "DDD106", "event-without-id",
    summary="event has no id",
    what="Reports a concrete event whose whole chain has no event id: no field named like one "
         "(`id`, `event_id`, `event_uuid`, `uuid`, `message_id`), no field whose default or "
         "default factory makes a new identifier (`uuid4`, `str(uuid4())`, `ulid`, a lambda "
         "around one, a project function named like `new_id`; also as the fallback of a "
         "base's `__init__`: `event_id if event_id else uuid4()`), no `id` property, no stream "
         "id and position (`originator_id` with `originator_version`: an event-sourced event's "
         "place in its stream), and nothing in a metadata envelope (`metadata.headers.id`). "
         "Silent when a base cannot be resolved. The message suggests the id name the other "
         "events of the module and of the modules it imports use most, else `event_id`.",
    why="Messaging delivers at least once. An id is what lets a consumer recognise a duplicate, "
        "an outbox mark a record, and a log or trace point at one occurrence of a fact.",
    use_instead="Give the event base an `event_id: UUID` with a `uuid4` default factory.",
    invalid=[
        """\
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class DomainEvent:
    pass


@dataclass(frozen=True)
class OrderPlaced(DomainEvent):  # DDD106
    order_id: str
    occurred_on: datetime
""",
    ],
    valid=[
        """\
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


@dataclass(frozen=True)
class DomainEvent:
    pass


@dataclass(frozen=True)
class OrderPlaced(DomainEvent):
    event_id: UUID
    order_id: str
    occurred_on: datetime
""",
    ],
    options=("ddd-event-id-fields",),
)
def event_without_id(context: Context) -> Iterator[Finding]:
    name = None
    for view in _concrete_events_with_known_chain(context):
        if not has_event_id(view, context.settings):
            name = name or _usual_name(context, is_event_id, _id_field_name(context.settings))
            yield Finding(view.cls.node, f"event '{view.name}' has no id to tell occurrences apart; "
                          f"add '{name}: UUID'")


def _usual_name(context: Context, is_kind: Callable[[ChainField, Settings], bool],
                default: str) -> str:
    """The name the project's other events give a field of this kind (a timestamp, an id):
    the most common among the events of the module and of the project modules it imports
    (the default wins a tie, then the first in alphabetical order); ``default`` when none
    has one."""
    counts: Counter[str] = Counter()
    for view in _events_around(context):
        counts.update({f.name for f in chain_fields(view).values() if is_kind(f, context.settings)})
    if not counts:
        return default
    return min(counts, key=lambda name: (-counts[name], name != default, name))


def _events_around(context: Context) -> Iterator[ClassView]:
    """The events the model knows in the module and in the project modules it imports."""
    yield from (view for view, _ in context.events)
    seen = {context.facts.module}
    for imported in context.facts.imports:
        for module in (*imported.modules, *imported.names):
            if module in seen:
                continue
            seen.add(module)
            facts = context.model.module(module, within=context.facts)
            if facts is None:
                continue
            for cls in facts.classes.values():
                view = context.model.view(facts, cls)
                if recognise(view, context.settings).is_event:
                    yield view


def _id_field_name(settings) -> str:
    """The id field to suggest: ``event_id`` when configured, else the first name."""
    names = settings.event_id_fields
    return "event_id" if "event_id" in names else names[0]


_NAIVE = {"now": "without a timezone", "today": "without a timezone",
          "utcnow": "is naive and deprecated", "utcfromtimestamp": "is naive and deprecated",
          "fromtimestamp": "without a timezone"}


def _datetime_method(facts: ModuleFacts, callee: str) -> str | None:
    """``now``/``utcnow``/… when ``callee`` names a ``datetime.datetime`` classmethod."""
    receiver, _, method = callee.rpartition(".")
    if method not in _NAIVE or not receiver:
        return None
    qualified = facts.qualify(receiver)
    return method if qualified in ("datetime.datetime",) else None


def naive_call(facts: ModuleFacts, call: CallFact) -> str | None:
    """Why a call makes a naive or deprecated timestamp, or None."""
    method = _datetime_method(facts, call.callee)
    if method is None:
        return None
    if method in ("now", "fromtimestamp"):
        positional = [a for a in call.args if a.keyword is None and not a.star]
        needed = 1 if method == "now" else 2
        if call.keyword("tz") is not None or len(positional) >= needed:
            return None
    return f"datetime.{method}() {_NAIVE[method]}"


def _constructs_event(context: Context, call: CallFact) -> bool:
    """Whether the call builds a recognised event: ``OrderPlaced(...)``."""
    built = context.built_by(call.callee, call.cls)
    return built is not None and built[1].is_event


@rule(
    "DDD107", "naive-event-timestamp",
    summary="naive or deprecated timestamp",
    what="Reports `datetime.now()`/`today()` without a timezone, `utcnow()`, "
         "`utcfromtimestamp()` and `fromtimestamp(x)` without a timezone inside an event class "
         "(defaults, default factories such as `default_factory=datetime.utcnow`, methods); "
         "in any call as a keyword argument named in `ddd-timestamp-fields` "
         "(`occurred_on=datetime.now()`); and as any keyword argument of a call that builds a "
         "recognised event (`OrderShipped(shipped=datetime.now())`). Other keywords of other "
         "calls (`created_at=` of an ORM row) are not events' timestamps and are left alone. "
         "Points at the call or the factory.",
    why="Events cross processes, hosts and time zones. A naive datetime is read in whatever zone "
        "the reader assumes, so ordering and 'as of' questions silently go wrong; "
        "`utcnow()` returns a naive value and is deprecated since Python 3.12.",
    use_instead="`datetime.now(timezone.utc)` (or `datetime.fromtimestamp(x, tz=timezone.utc)`).",
    invalid=[
        Example("""\
from dataclasses import dataclass, field
from datetime import datetime

from shop.kernel import DomainEvent


@dataclass(frozen=True)
class OrderPlaced(DomainEvent):
    occurred_on: datetime = field(default_factory=datetime.utcnow)  # DDD107


def place_order(order_id: str) -> OrderPlaced:
    return OrderPlaced(occurred_on=datetime.now())  # DDD107
""", fixed="""\
from dataclasses import dataclass, field
from datetime import datetime, timezone

from shop.kernel import DomainEvent


@dataclass(frozen=True)
class OrderPlaced(DomainEvent):
    occurred_on: datetime = field(default_factory=lambda: datetime.now(timezone.utc))  # DDD107


def place_order(order_id: str) -> OrderPlaced:
    return OrderPlaced(occurred_on=datetime.now(timezone.utc))  # DDD107
"""),
    ],
    valid=[
        """\
from dataclasses import dataclass, field
from datetime import datetime, timezone

from shop.kernel import DomainEvent


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class OrderPlaced(DomainEvent):
    occurred_on: datetime = field(default_factory=utc_now)


def place_order(order_id: str) -> OrderPlaced:
    return OrderPlaced(occurred_on=datetime.now(tz=timezone.utc))
""",
    ],
    options=("ddd-timestamp-fields",),
    fix="Safe: `ddd-events fix` rewrites the call to `datetime.now(timezone.utc)`, adding or "
        "reusing the `timezone` import.",
)
def naive_event_timestamp(context: Context) -> Iterator[Finding]:
    facts, settings = context.facts, context.settings
    event_classes = {view.cls.qualname for view, _ in context.events}
    by_node = {id(call.node): call for call in facts.calls}
    for call in facts.calls:
        reason = None
        if call.cls in event_classes:
            reason = naive_call(facts, call)
            if reason is None:
                for arg in call.args:
                    if arg.keyword and arg.keyword.value in ("default_factory", "factory"):
                        method = _datetime_method(facts, dotted(arg.value))
                        if method in ("now", "today", "utcnow"):
                            yield Finding(arg.value, f"default factory datetime.{method} makes "
                                          "naive timestamps; use a factory returning "
                                          "datetime.now(timezone.utc)")
        builds_event = None  # known once a keyword's value is a call
        for arg in call.args:
            if not arg.keyword or not isinstance(arg.value, cst.Call):
                continue
            if arg.keyword.value not in settings.timestamp_fields:
                if builds_event is None:
                    builds_event = _constructs_event(context, call)
                if not builds_event:
                    continue
            inner = by_node.get(id(arg.value))
            if inner is not None and inner.cls not in event_classes:
                why = naive_call(facts, inner)
                if why:
                    yield Finding(inner.node, f"{why}: timestamp '{arg.keyword.value}' must "
                                  "be timezone-aware; use datetime.now(timezone.utc)")
        if reason:
            yield Finding(call.node, f"{reason} in event '{last_part(call.cls or '')}'; "
                          "use datetime.now(timezone.utc)")
