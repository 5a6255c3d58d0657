"""The published language as a contract: DDD208 (a change to an integration event that
breaks the locked contract at the same version). The lock is written and checked by
``ddd-events contracts`` (``contracts/``)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Iterator

from ..analysis.metadata import schema_version
from ..model.views import ClassView
from ..analysis.recognition import Kind
from .rule import Context, Example, Finding, rule
from ..config.settings import Settings

if TYPE_CHECKING:
    from ..contracts.structure import Change

_LOCKED = """\
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID, uuid4


@dataclass(frozen=True, kw_only=True)
class OrderShipped:
    event_id: UUID = field(default_factory=uuid4)
    occurred_on: datetime
    correlation_id: UUID
    causation_id: UUID
    event_version: int = 1
    order_id: UUID
    carrier: str
    tracking_code: str
"""

_NESTED = """\
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from uuid import UUID, uuid4


class Carrier(Enum):
    DHL = "dhl"
    UPS = "ups"


@dataclass(frozen=True)
class Address:
    street: str
    postcode: str


@dataclass(frozen=True, kw_only=True)
class OrderShipped:
    event_id: UUID = field(default_factory=uuid4)
    occurred_on: datetime
    correlation_id: UUID
    causation_id: UUID
    event_version: int = 1
    carrier: Carrier
    ship_to: Address
"""


def _compatible(kind: str) -> str:
    """What a way out looks like for a kind of change, beside bumping the version."""
    from ..contracts import structure as s

    return {
        s.REMOVED: "keep the field (with a default if producers may leave it out)",
        s.ADDED: "give the new field a default",
        s.RETYPED: "add a field of the new type beside the old one",
        s.MADE_NULLABLE: "keep it non-nullable",
        s.MADE_NON_NULLABLE: "keep it Optional",
        s.VALUES_ADDED: "send only the values consumers know",
        s.VALUES_REMOVED: "keep the value",
        s.TIGHTENED: "keep the old constraint",
        s.LOOSENED: "keep the old constraint",
        s.MOVED: "keep the fields' order (add new fields at the end)",
        s.RENAMED: "keep the wire name (an alias)",
        s.OMITTED: "keep sending the field",
        s.MADE_OPTIONAL: "keep sending the field (no default, or no omit_defaults)",
        s.MADE_REQUIRED: "keep the default",
    }.get(kind, "undo the change")


def _bump(view: ClassView, settings: Settings, above=None) -> str:
    found = schema_version(view, settings)
    if found is None:
        return f"give the event a version ('{settings.version_fields[0]}: int = 2')"
    if isinstance(above, int) and found.name is not None:
        return f"bump the version ({found.name} = {above + 1})"
    if isinstance(found.value, int) and found.name is not None:
        return f"bump the version ({found.name} = {found.value + 1})"
    return f"bump the version (in the {found.source})"


def _way_out(view: ClassView, settings: Settings, change: Change) -> str:
    found = schema_version(view, settings)
    name = view.cls.name
    if found is not None and found.source == "class name" and isinstance(found.value, int) \
            and name.endswith(f"V{found.value}"):  # the version is in the event's own name
        renamed = f"{name[:-len(str(found.value))]}{found.value + 1}"
        return (f"publish the change as a new event '{renamed}' beside '{name}', or make the "
                f"change compatible: {_compatible(change.kind)}")
    return (f"{_bump(view, settings)}, a new contract, or make the change compatible: "
            f"{_compatible(change.kind)}")


@rule(
    "DDD208", "breaking-contract-change",
    summary="integration event changed incompatibly with its locked contract",
    what="When a contract lock exists (`ddd-contracts.lock`, option `ddd-contracts-lock`, "
         "written by `ddd-events contracts lock`; found in the current folder or the nearest "
         "folder above it that has one, as `pyproject.toml` is), reports an integration event "
         "whose wire shape changed incompatibly with what was locked for its version, under "
         "the compatibility mode of option `ddd-contract-compatibility`: `forward` (a "
         "required field removed or left out by producers, a type changed, a field made "
         "nullable, an enum member or union member added, a constraint loosened), `backward` "
         "(a required field added, a type changed, a nullable field made non-nullable, an "
         "enum member removed, a constraint tightened) or `full` (both; the default). The "
         "shape is compared at every depth: a change inside a value object is reported at "
         "its path (`ship_to.postcode`); fields are matched by their wire name (aliases, "
         "alias generators, msgspec `rename`), and their order matters in a positional format "
         "(NamedTuple, msgspec `array_like`). Also reports a version that went down, changed "
         "type (`1` to `\"1\"`) or was taken away since the lock: consumers tell the "
         "versions apart by it. Points at the changed field (or the version field), or at "
         "the class for a removed or inherited field. Silent without a lock, for an event "
         "the lock does not name (a new one), for a bumped version, and for a change that "
         "leaves the wire alone (a value object moved, an alias replaced by its target, an "
         "attribute renamed behind its alias). A lock that cannot be read is reported on "
         "the module's first integration event.",
    why="Integration events are a contract with other bounded contexts, often other teams, "
        "whose consumers upgrade on their own schedule. A field renamed, removed or retyped "
        "while the version stays the same breaks every consumer still reading that version, "
        "or makes it silently read garbage; events already published (in the outbox, in a "
        "store, in replays) no longer match the code that reads them. The wire is what "
        "consumers read: a postcode retyped inside an address, an enum value renamed, an "
        "alias changed break them as surely as a field of the event itself. The version is "
        "the promise: the same version means the same shape.",
    use_instead="Bump the schema version for a breaking change (a new contract: consumers "
                "migrate, and the lock, which keeps every version, is written again with "
                "`ddd-events contracts lock`), or make the change compatible: a new field "
                "with a default, an old field kept, an old enum value kept.",
    invalid=[
        Example("""\
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID, uuid4


@dataclass(frozen=True, kw_only=True)
class OrderShipped:  # DDD208: tracking_code removed
    event_id: UUID = field(default_factory=uuid4)
    occurred_on: datetime
    correlation_id: UUID
    causation_id: UUID
    event_version: int = 1
    order_id: str  # DDD208: was UUID
    carrier: str | None  # DDD208: consumers of version 1 do not expect None
    parcel_count: int  # DDD208: events published at version 1 lack it
""", "shop/sales/integration_events.py", before=_LOCKED),
        Example(_NESTED.replace('    UPS = "ups"\n', "")
                .replace("    postcode: str\n", "    postcode: int\n")
                .replace("    carrier: Carrier\n", "    carrier: Carrier  # DDD208: 'ups' removed\n")
                .replace("    ship_to: Address\n",
                         "    ship_to: Address  # DDD208: ship_to.postcode retyped\n"),
                "shop/sales/integration_events.py", before=_NESTED),
        Example(_NESTED.replace("event_version: int = 1",
                                "event_version: int = 1  # DDD208: locked at 2 already"),
                "shop/sales/integration_events.py",
                before=_NESTED.replace("event_version: int = 1", "event_version: int = 2")),
    ],
    valid=[
        Example(_LOCKED.replace("event_version: int = 1", "event_version: int = 2")
                .replace("    tracking_code: str\n", "    tracking_code: int\n"),
                "shop/sales/integration_events.py", before=_LOCKED),
        Example(_LOCKED + "    parcel_count: int = 1\n",
                "shop/sales/integration_events.py", before=_LOCKED),
        Example(_LOCKED.replace("    tracking_code: str\n", "    tracking_code: int\n"),
                "shop/sales/integration_events.py"),
        Example(_NESTED.replace("@dataclass(frozen=True)\nclass Address:",
                                "@dataclass(frozen=True)\nclass ShippingAddress:")
                .replace("ship_to: Address", "ship_to: ShippingAddress"),
                "shop/sales/integration_events.py", before=_NESTED),
    ],
    options=("ddd-contracts-lock", "ddd-contract-compatibility", "ddd-version-fields"),
)
def breaking_contract_change(context: Context) -> Iterator[Finding]:
    settings = context.settings
    views = [view for view, _ in context.of_kind(Kind.INTEGRATION_EVENT)]
    if not views:
        return
    from ..contracts.lock import lock_read_by

    found = lock_read_by(context.model, settings.contracts_lock)  # the cache keys on what it read
    if found.path is None:
        return  # no lock: nothing to compare with
    from ..contracts.compare import CHANGED, difference
    from ..contracts.schema import event_name, event_schema, is_contract

    events = [view for view in views if is_contract(view, settings)]
    if not events:
        return
    shown = _shown_path(found.path, settings.contracts_lock)
    lock = found.lock
    if lock is None:
        yield Finding(events[0].cls.node, f"the contract lock cannot be read ({found.problem(shown)}); "
                      "no integration event is checked against it — fix it, or write it again "
                      "from the code with 'ddd-events contracts lock --force'")
        return
    mode = settings.contract_compatibility
    for view in events:
        history = lock.events.get(event_name(view))
        if history is None:
            continue
        current = event_schema(view, settings)
        found = difference(history, current, mode)
        if found is None:
            continue
        if found.problem is not None:
            yield _version_finding(view, settings, history, found.problem)
            continue
        if found.kind != CHANGED:
            continue
        at_class = []
        for change in found.breaking:
            fact, owner = current.places.get(change.field, (None, None))
            if owner is view and fact is not None:
                yield Finding(fact.node, _message(view, [change], found.old, shown,
                                                  current) + " — " + _way_out(view, settings, change))
            else:
                at_class.append(change)
        if at_class:
            yield Finding(view.cls.node, _message(view, at_class, found.old, shown,
                                                  current)
                          + " — " + _way_out(view, settings, at_class[0]))


def _shown_path(path: str, configured: str) -> str:
    """The lock as the findings show their paths, relative to the current folder (a runner's
    absolute path means nothing in a CI log), unless the configuration names it absolute."""
    if os.path.isabs(configured):
        return path
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive
        return path


def _version_finding(view: ClassView, settings: Settings, history, problem: str) -> Finding:
    from ..contracts.compare import shown_version

    found = schema_version(view, settings)
    node = view.cls.node
    if found is not None and found.name is not None:
        fact = next((f for owner in view.mro for f in owner.cls.fields if f.name == found.name
                     and owner is view), None)
        node = fact.node if fact is not None and fact.node is not None else node
    numbers = [v for v in history.versions if isinstance(v, int) and not isinstance(v, bool)]
    return Finding(node, f"integration event '{view.name}' breaks its contract: {problem}; "
                   "consumers tell the versions apart by it — keep version "
                   f"{shown_version(history.current)}, or "
                   f"{_bump(view, settings, max(numbers) if numbers else None)}")


def _message(view: ClassView, found: list[Change], locked, path: str, current) -> str:
    version = locked.version
    at = f"version {version}" if version is not None else "its unversioned contract"
    what = "; ".join(f"{_described(view, c, current)} ({path} has {_locked(c, locked)})"
                     for c in found)
    return f"integration event '{view.name}' breaks its contract at {at}: {what}; consumers break"


def _locked(change: Change, locked) -> str:
    """What the lock has where the change is: the field, or the type inside one."""
    from ..contracts.schema import FieldSchema
    from ..contracts.shape import render
    from ..contracts.structure import field_text

    old = change.old
    name = change.path.rpartition(".")[2]
    if change.path == change.field and locked.shape is not None:
        old = locked.shape["fields"].get(change.field)
    if isinstance(old, FieldSchema):
        return f"'{old.shown()}'"
    if old is None:
        return f"no '{name}'"
    if "type" in old:
        return f"'{field_text(name, old)}'"
    return f"'{render(old)}'"


def _described(view: ClassView, change: Change, current) -> str:
    text = change.describe()
    _, owner = current.places.get(change.field, (None, None))
    if owner is not None and owner is not view:
        text += f" in base '{owner.name}'"
    return text
