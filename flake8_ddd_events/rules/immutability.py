"""Immutability: an event is a fact that happened; nobody may change it.

DDD101 (not frozen), DDD104 (mutable container field), DDD108 (a method that
mutates the event), DDD109 (a field order Python rejects at import).
"""

from __future__ import annotations

from typing import Iterator

from ..analysis.dataclass_fields import (Style, class_decorator, declares_instance_state, is_frozen,
                                         misordered_field, mutable_through_base, style)
from ..analysis.library_bases import chain_complete
from ..analysis.mutability import immutable_instead, mutable_default, mutable_name
from ..model.views import ClassView
from .rule import Context, Example, Finding, rule


@rule(
    "DDD101", "mutable-event",
    summary="event is not immutable",
    what="Reports an event (or event base) whose instances can be changed after creation: a "
         "dataclass or attrs class without `frozen=True`, a pydantic model without a frozen "
         "config, a msgspec Struct without `frozen=True`, or a plain subclass that adds state. "
         "A dataclass event under a frozen base that is not frozen itself is reported too: "
         "Python raises TypeError when the module is imported. Silent where immutability is "
         "decided at run time: a metaclass of the project's along the chain (eventsourcing's "
         "`MetaDomainEvent` makes each event a frozen dataclass) or a hand-written "
         "`__setattr__` (Protean's raises once the event is built); and on a plain base whose "
         "only attributes are class-level (`registry: Registry = Registry()`).",
    why="An event records something that already happened. A consumer, a handler or a retry "
        "that changes it rewrites history: other handlers, the outbox and the event store then "
        "disagree about what happened, and the bug surfaces far from where it was made.",
    use_instead="Declare the event frozen in whatever style the code base uses; markers such as "
                "`class Event: pass` carry no state and are never reported.",
    invalid=[
        """\
from dataclasses import dataclass
from uuid import UUID

from shop.kernel import DomainEvent


@dataclass
class OrderPlaced(DomainEvent):  # DDD101
    order_id: UUID
""",
        """\
from pydantic import BaseModel


class IntegrationEvent(BaseModel):  # DDD101
    correlation_id: str
    causation_id: str
    event_version: int
""",
        Example("""\
import dataclasses
from datetime import datetime
from uuid import UUID


@dataclasses.dataclass(frozen=False)
class StockReserved:  # DDD101
    event_id: UUID
    occurred_on: datetime
    sku: str
""", "shop/inventory/domain/events.py",
                fixed="""\
import dataclasses
from datetime import datetime
from uuid import UUID


@dataclasses.dataclass(frozen=True)
class StockReserved:  # DDD101
    event_id: UUID
    occurred_on: datetime
    sku: str
"""),
    ],
    valid=[
        """\
from dataclasses import dataclass
from uuid import UUID

from shop.kernel import DomainEvent


@dataclass(frozen=True)
class OrderPlaced(DomainEvent):
    order_id: UUID
""",
        """\
from datetime import datetime

from pydantic import BaseModel, ConfigDict


class IntegrationEvent(BaseModel):
    model_config = ConfigDict(frozen=True)
    event_id: str
    occurred_at: datetime
    correlation_id: str
    causation_id: str
    event_version: int


class OrderShipped(IntegrationEvent):
    order_id: str
""",
        """\
import attrs


@attrs.frozen
class DomainEvent:
    pass


class Event:
    \"\"\"A marker: no state, nothing to freeze.\"\"\"
""",
    ],
    fix="Safe: `ddd-events fix` adds `frozen=True` to a dataclass or attrs decorator (or turns "
        "`frozen=False` into `frozen=True`). Other styles are left to you. A class with no "
        "decorator or state of its own, mutable only through a dataclass base, is reported with "
        "that base's name and fixed there: Python refuses a frozen dataclass under a mutable one, "
        "so the subclass cannot be frozen alone.",
)
def mutable_event(context: Context) -> Iterator[Finding]:
    for view, recognition in context.events:
        if is_frozen(view) is not False:
            continue
        if recognition.is_base and not declares_instance_state(view):
            continue  # a marker base: nothing of its own to freeze
        base = _frozen_dataclass_base(view)
        through = mutable_through_base(view)
        if through is not None:
            yield Finding(view.cls.node, f"event '{view.name}' can be changed after it happened "
                          f"because its base '{through.name}' can; fix it there: make "
                          f"'{through.name}' immutable (frozen=True)")
        elif base is not None:
            yield Finding(view.cls.node, f"dataclass event '{view.name}' is not frozen under frozen "
                          f"base '{base.name}': Python raises TypeError at import; add frozen=True")
        else:
            yield Finding(view.cls.node, f"event '{view.name}' can be changed after it happened; "
                          "make it immutable (frozen=True)")


def _frozen_dataclass_base(view: ClassView) -> ClassView | None:
    if style(view) is not Style.DATACLASS:
        return None
    return next((a for a in view.mro[1:] if class_decorator(a) and is_frozen(a)), None)


@rule(
    "DDD104", "mutable-event-field",
    summary="event field holds a mutable container",
    what="Reports an event field whose annotation contains a mutable container at any depth "
         "(`list`, `dict`, `set`, `bytearray`, `collections.deque`/`defaultdict`/`OrderedDict`/"
         "`Counter`, `typing.List`/`Dict`/`Set`/`DefaultDict`/`Deque`/`MutableMapping`/"
         "`MutableSequence`/`MutableSet`), or whose default is one (`field(default_factory=list)`, "
         "`= []`). One finding per field.",
    why="`frozen=True` stops reassignment of the field, not changes inside it: "
        "`event.lines.append(...)` still rewrites a published fact, and every handler that "
        "received the same object sees the change.",
    use_instead="Use immutable containers: `tuple[X, ...]` for sequences, `frozenset[X]` for "
                "sets, a tuple of pairs or a frozen value object for mappings.",
    invalid=[
        Example("""\
from dataclasses import dataclass, field
from typing import List, Optional

from shop.kernel import DomainEvent


@dataclass(frozen=True)
class OrderPlaced(DomainEvent):
    line_ids: list[str]  # DDD104
    coupons: Optional[List[str]] = None  # DDD104
    tags: tuple[str, ...] = field(default_factory=list)  # DDD104
""", fixed="""\
from dataclasses import dataclass, field
from typing import Optional, Tuple

from shop.kernel import DomainEvent


@dataclass(frozen=True)
class OrderPlaced(DomainEvent):
    line_ids: tuple[str, ...]  # DDD104
    coupons: Optional[Tuple[str, ...]] = None  # DDD104
    tags: tuple[str, ...] = field(default_factory=tuple)  # DDD104
"""),
    ],
    valid=[
        """\
from dataclasses import dataclass

from shop.kernel import DomainEvent


@dataclass(frozen=True)
class OrderPlaced(DomainEvent):
    line_ids: tuple[str, ...]
    coupons: frozenset[str] = frozenset()
""",
    ],
    fix="Safe: `ddd-events fix` rewrites `list[X]` to `tuple[X, ...]`, `List[X]` to "
        "`Tuple[X, ...]`, `set`/`Set` to `frozenset`/`FrozenSet` and `default_factory=list` to "
        "`default_factory=tuple`. Mappings are left to you.",
)
def mutable_event_field(context: Context) -> Iterator[Finding]:
    for view, _ in context.events:
        for field in view.cls.fields:
            in_annotation = (mutable_name(view, n) for n in field.annotation_names)
            found = next((m for m in in_annotation if m), None) or mutable_default(view, field.default)
            if found is None:
                continue
            instead = immutable_instead(found)
            yield Finding(field.node, f"event field '{field.name}' holds a mutable {found}; "
                          f"use {instead} so the fact cannot change")


_CONSTRUCTORS = frozenset({"__init__", "__new__", "__post_init__", "__attrs_post_init__",
                           "model_post_init"})


def _construction_helpers(context: Context, view: ClassView) -> frozenset[str]:
    """The class's private methods that only its constructors call (``self._build_metadata(
    incoming)`` in ``__init__``): they run while the event is being built."""
    qualname = view.cls.qualname
    callers: dict[str, set[str]] = {}
    for call in context.facts.calls:
        if call.receiver == "self" and call.method.startswith("_") and call.function \
                and call.function.startswith(f"{qualname}."):
            callers.setdefault(call.method, set()).add(call.function[len(qualname) + 1:])
    return frozenset(name for name, functions in callers.items() if functions <= _CONSTRUCTORS)


@rule(
    "DDD108", "event-mutates-itself",
    summary="event method mutates the event",
    what="Reports an assignment, augmented assignment or `del` on `self.<attr>`, or "
         "`setattr(self, ...)` / `object.__setattr__(self, ...)`, in an event method other than "
         "`__init__`, `__new__` and `__post_init__`, and other than a private helper only they "
         "call (`self._build_metadata()` in `__init__`). Points at the mutating statement.",
    why="A method that changes an event after it was created turns a fact into state. "
        "`object.__setattr__` even defeats `frozen=True` on purpose.",
    use_instead="Compute derived values in `__post_init__` or as properties; to express a new "
                "fact, record a new event.",
    invalid=[
        """\
from dataclasses import dataclass

from shop.kernel import DomainEvent


@dataclass(frozen=True)
class PaymentReceived(DomainEvent):
    amount_cents: int

    def refund(self) -> None:
        object.__setattr__(self, "amount_cents", 0)  # DDD108
""",
    ],
    valid=[
        """\
from dataclasses import dataclass

from shop.kernel import DomainEvent


@dataclass(frozen=True)
class PaymentReceived(DomainEvent):
    amount_cents: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount_cents", int(self.amount_cents))

    @property
    def amount(self) -> float:
        return self.amount_cents / 100
""",
    ],
)
def event_mutates_itself(context: Context) -> Iterator[Finding]:
    for view, _ in context.events:
        helpers = _construction_helpers(context, view)
        for method in view.cls.methods:
            if method.name in _CONSTRUCTORS or method.name in helpers:
                continue
            for assignment in method.self_assignments:
                if assignment.through_base:
                    continue
                what = f"'{assignment.attr}'" if assignment.attr else "an attribute"
                yield Finding(assignment.node, f"event method '{method.name}' changes {what} of "
                              f"event '{view.name}'; events are facts: record a new event instead")


@rule(
    "DDD109", "dataclass-field-order",
    summary="dataclass event field order fails at import",
    what="Reports the first own field of a dataclass (or attrs) event or event base that has no "
         "default, is not keyword-only, and comes after a positional field with a default, "
         "counting the fields the bases contribute in MRO order. Python raises TypeError "
         "(attrs: ValueError) when such a module is imported. A dataclass field redeclared with "
         "only an annotation keeps a plain default (or `field(default=...)`) a base gave it, "
         "since dataclasses read the default from the class attribute the base left, and is "
         "not reported; a base's `field(default_factory=...)` leaves no class attribute, so "
         "that default is lost and the field is reported. Stays silent when a base cannot "
         "be resolved.",
    why="Event bases usually give `event_id` and `occurred_on` defaults; every concrete event "
        "that adds a required field after them breaks at import time, in production if the "
        "module is imported lazily.",
    use_instead="Make the base's (or the event's) fields keyword-only with `kw_only=True` "
                "(Python 3.10+), or give the new field a default.",
    invalid=[
        Example("""\
from dataclasses import dataclass, field
from datetime import datetime, timezone
from uuid import UUID, uuid4


@dataclass(frozen=True)
class DomainEvent:
    event_id: UUID = field(default_factory=uuid4)
    occurred_on: datetime = field(default_factory=lambda: datetime.now(timezone.utc))


@dataclass(frozen=True)
class OrderPlaced(DomainEvent):
    order_id: UUID  # DDD109
""", fixed="""\
from dataclasses import dataclass, field
from datetime import datetime, timezone
from uuid import UUID, uuid4


@dataclass(frozen=True)
class DomainEvent:
    event_id: UUID = field(default_factory=uuid4)
    occurred_on: datetime = field(default_factory=lambda: datetime.now(timezone.utc))


@dataclass(frozen=True, kw_only=True)
class OrderPlaced(DomainEvent):
    order_id: UUID  # DDD109
"""),
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
    options=("ddd-target-python",),
    fix="Safe where the target Python is 3.10 or newer: `ddd-events fix` adds `kw_only=True` "
        "to the event's decorator.",
)
def dataclass_field_order(context: Context) -> Iterator[Finding]:
    for view, recognition in context.events:
        if class_decorator(view) is None or not chain_complete(view):
            continue
        field = misordered_field(view)
        if field is not None:
            yield Finding(field.fact.node, f"field '{field.name}' has no default but follows a "
                          f"field with one; Python rejects '{view.name}' at import: add kw_only=True")
