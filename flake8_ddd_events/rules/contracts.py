"""The published language as a contract: DDD208 (a change to an integration event that
breaks the locked contract at the same version). The lock is written and checked by
``ddd-events contracts`` (``contracts/``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from ..analysis.metadata import schema_version
from ..model.project_model import ClassView
from ..analysis.recognition import Kind
from .rule import Context, Example, Finding, rule
from ..config.settings import Settings

if TYPE_CHECKING:
    from ..contracts.compare import Change

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


def _compatible(kind: str) -> str:
    """What a way out looks like for a kind of change, beside bumping the version."""
    from ..contracts import compare

    return {
        compare.REMOVED: "keep the field (with a default if producers may leave it out)",
        compare.ADDED: "give the new field a default",
        compare.RETYPED: "add a field of the new type beside the old one",
        compare.MADE_NULLABLE: "keep it non-nullable",
        compare.MADE_NON_NULLABLE: "keep it Optional",
    }[kind]


def _way_out(view: ClassView, settings: Settings, change: Change) -> str:
    found = schema_version(view, settings)
    name = view.cls.name
    if found is not None and found.source == "class name" and isinstance(found.value, int) \
            and name.endswith(f"V{found.value}"):  # the version is in the event's own name
        renamed = f"{name[:-len(str(found.value))]}{found.value + 1}"
        return (f"publish the change as a new event '{renamed}' beside '{name}', or make the "
                f"change compatible: {_compatible(change.kind)}")
    if found is None:
        bump = f"give the event a version ('{settings.version_fields[0]}: int = 2')"
    elif isinstance(found.value, int) and found.name is not None:
        bump = f"bump the version ({found.name} = {found.value + 1})"
    else:
        bump = f"bump the version (in the {found.source})"
    return f"{bump}, a new contract, or make the change compatible: {_compatible(change.kind)}"


@rule(
    "DDD208", "breaking-contract-change",
    summary="integration event changed incompatibly with its locked contract",
    what="When a contract lock exists (`ddd-contracts.lock`, option `ddd-contracts-lock`, "
         "written by `ddd-events contracts lock`), reports an integration event whose fields "
         "changed incompatibly with its locked entry *at the same schema version*, under the "
         "compatibility mode of option `ddd-contract-compatibility`: `forward` (a required "
         "field removed, a type changed, a field made nullable), `backward` (a required field "
         "added, a type changed, a nullable field made non-nullable) or `full` (both; the "
         "default). Points at the changed field, or at the class for a removed or inherited "
         "field. Silent without a lock, for an event the lock does not name (a new one) and "
         "for an event whose version differs from the locked one (bumped). A lock that cannot "
         "be read is reported on the module's first integration event.",
    why="Integration events are a contract with other bounded contexts, often other teams, "
        "whose consumers upgrade on their own schedule. A field renamed, removed or retyped "
        "while the version stays the same breaks every consumer still reading that version, "
        "or makes it silently read garbage; events already published (in the outbox, in a "
        "store, in replays) no longer match the code that reads them. The version is the "
        "promise: the same version means the same shape.",
    use_instead="Bump the schema version for a breaking change (a new contract: consumers "
                "migrate, and the lock is written again with `ddd-events contracts lock`), or "
                "make the change compatible: a new field with a default, an old field kept.",
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
    ],
    valid=[
        Example(_LOCKED.replace("event_version: int = 1", "event_version: int = 2")
                .replace("    tracking_code: str\n", "    tracking_code: int\n"),
                "shop/sales/integration_events.py", before=_LOCKED),
        Example(_LOCKED + "    parcel_count: int = 1\n",
                "shop/sales/integration_events.py", before=_LOCKED),
        Example(_LOCKED.replace("    tracking_code: str\n", "    tracking_code: int\n"),
                "shop/sales/integration_events.py"),
    ],
    options=("ddd-contracts-lock", "ddd-contract-compatibility", "ddd-version-fields"),
)
def breaking_contract_change(context: Context) -> Iterator[Finding]:
    settings = context.settings
    views = [view for view, _ in context.of_kind(Kind.INTEGRATION_EVENT)]
    if not views:
        return
    path = settings.contracts_lock
    data = context.model.read_file(path)  # the result cache keys on what it read
    if data is None:
        return  # no lock: nothing to compare with (nor the contracts package to import)
    from ..contracts.compare import breaking_changes
    from ..contracts.lock import LockError, parse_lock
    from ..contracts.schema import event_name, event_schema, is_contract

    events = [view for view in views if is_contract(view, settings)]
    if not events:
        return
    try:
        lock = parse_lock(data, path)
    except LockError as error:
        yield Finding(events[0].cls.node, f"the contract lock cannot be read ({error}); no "
                      "integration event is checked against it — write it again with "
                      "'ddd-events contracts lock'")
        return
    mode = settings.contract_compatibility
    for view in events:
        locked = lock.events.get(event_name(view))
        if locked is None:
            continue
        current = event_schema(view, settings)
        at_class = []
        for change in breaking_changes(locked, current, mode):
            new = change.new
            if new is not None and new.owner is view and new.fact is not None:
                yield Finding(new.fact.node, _message(view, [change], locked.version, path)
                              + " — " + _way_out(view, settings, change))
            else:
                at_class.append(change)
        if at_class:
            yield Finding(view.cls.node, _message(view, at_class, locked.version, path)
                          + " — " + _way_out(view, settings, at_class[0]))


def _message(view: ClassView, found: list[Change], version, path: str) -> str:
    at = f"version {version}" if version is not None else "its unversioned contract"
    what = "; ".join(f"{_described(view, c)} ({path} has {_locked(c)})" for c in found)
    return f"integration event '{view.name}' breaks its contract at {at}: {what}; consumers break"


def _locked(change: Change) -> str:
    return f"'{change.old.shown()}'" if change.old is not None else f"no '{change.field}'"


def _described(view: ClassView, change: Change) -> str:
    text = change.describe()
    new = change.new
    if new is not None and new.owner is not None and new.owner is not view:
        text += f" in base '{new.owner.name}'"
    return text
