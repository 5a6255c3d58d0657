"""Stored events as a contract with the past: DDD209 (a stored event changed so that the
history already in the event store cannot be read). The lock is written and checked by
``ddd-events contracts``; what is readable is decided in ``contracts/history.py``."""

from __future__ import annotations

from typing import Iterator

from ..analysis.stored_events import module_stored_events
from .rule import Context, Example, Finding, rule

_DOG = """\
from eventsourcing.domain import Aggregate


class Dog(Aggregate):
    class Registered(Aggregate.Created):
        name: str

    class TrickAdded(Aggregate.Event):
        trick: str
"""

_ORDER = """\
from protean import Domain

shop = Domain(name="Shop")


@shop.event(part_of="Order")
class OrderPlaced:
    order_id: str
    total: int
"""


@rule(
    "DDD209", "stored-event-changed-without-upcast",
    summary="stored event changed so that the history already stored cannot be read",
    what="When a contract lock exists (`ddd-contracts.lock`, written by `ddd-events contracts "
         "lock`), reports a **stored** event (one an event store keeps: eventsourcing "
         "`Aggregate` events and the events its `@event` decorator generates, Protean events, "
         "classes under `ddd-stored-event-bases` or in `ddd-stored-event-modules`; see "
         "docs/stored-events.md) that the code can no longer read from its locked history: "
         "its shape changed so that events stored at the same version do not fit it (a field "
         "added without a default, a field retyped at any depth, for Protean and configured "
         "events a field removed or renamed), or its version was raised but some step from a "
         "locked version to the current one has no upcaster (eventsourcing "
         "`upcast_vK_vK+1` on the class; Protean `@domain.upcaster(event_type=..., "
         "from_version=..., to_version=...)`), or it was renamed or moved (its topic changed) "
         "without an alias for the old topic (eventsourcing `register_topic`, Protean "
         "`register_external_event`). Points at the changed field, else at the class (or at "
         "the method an eventsourcing event is generated from). Silent without a lock and for "
         "an event the lock does not hold. Upcasters and aliases are looked for in the event's "
         "module and in the modules named in `ddd-upcaster-modules` of its package or a "
         "package above it.",
    why="An event-sourced aggregate is rebuilt from its events every time it is loaded, and "
        "the event store keeps every event every past version of the code wrote. A class "
        "changed without a new version and an upcaster does not fail in tests, which write "
        "fresh events; it fails in production, on the first replay of an aggregate whose "
        "history holds the old shape, possibly months later.",
    use_instead="Raise the event's version and add an upcaster for every step (eventsourcing: "
                "`class_version = 2` and a static `upcast_v1_v2(state)` that fills in the new "
                "field; Protean: `__version__ = 2` and an upcaster class from version 1 to 2); "
                "or make the change readable: a new field with a plain default. Register the "
                "old topic when a class is renamed or moved. Then lock again with `ddd-events "
                "contracts lock`, which keeps every locked version.",
    invalid=[
        Example(_DOG.replace("        trick: str\n",
                             "        trick: str\n        difficulty: int  # DDD209\n"),
                "pets/domain.py", before=_DOG),
        Example(_DOG.replace("""\
    class TrickAdded(Aggregate.Event):
        trick: str
""", """\
    class TrickAdded(Aggregate.Event):  # DDD209: events stored at version 1 need upcast_v1_v2
        class_version = 3
        trick: str
        difficulty: int
        style: str

        @staticmethod
        def upcast_v2_v3(state):
            state["style"] = "plain"
"""), "pets/domain.py", before=_DOG),
        Example(_ORDER.replace("    total: int\n", "    total: int\n    currency: str  # DDD209\n"),
                "shop/orders/events.py", before=_ORDER),
        Example("from dataclasses import field\n\n" + _DOG.replace(
            "        trick: str\n",
            "        trick: str\n        tags: tuple = field(default_factory=tuple)  # DDD209\n"),
                "pets/domain.py", before=_DOG, fixed="""\
from dataclasses import field

from eventsourcing.domain import Aggregate


class Dog(Aggregate):
    class Registered(Aggregate.Created):
        name: str

    class TrickAdded(Aggregate.Event):
        class_version = 2
        trick: str
        tags: tuple = field(default_factory=tuple)  # DDD209

        @staticmethod
        def upcast_v1_v2(state):
            state["tags"] = ()
"""),
    ],
    valid=[
        Example(_DOG.replace("        trick: str\n", """\
        class_version = 2
        trick: str
        difficulty: int

        @staticmethod
        def upcast_v1_v2(state):
            state["difficulty"] = 1
"""), "pets/domain.py", before=_DOG),
        Example(_DOG.replace("        trick: str\n", "        trick: str\n        difficulty: int = 1\n"),
                "pets/domain.py", before=_DOG),
        Example(_ORDER.replace("""\
    order_id: str
    total: int
""", """\
    __version__ = 2
    order_id: str
    total: int
    currency: str


@shop.upcaster(event_type=OrderPlaced, from_version=1, to_version=2)
class AddCurrency:
    def upcast(self, data: dict) -> dict:
        return {**data, "currency": "EUR"}
"""), "shop/orders/events.py", before=_ORDER),
        Example(_DOG.replace("        trick: str\n", "        trick: str\n        difficulty: int\n"),
                "pets/domain.py"),
    ],
    options=("ddd-contracts-lock", "ddd-stored-event-bases", "ddd-stored-event-modules",
             "ddd-upcaster-modules"),
    fix="Safe where the value is obvious: for an eventsourcing event class whose only "
        "unreadable change is fields added with a default factory of an obvious value "
        "(`field(default_factory=tuple)`, `list`, `dict`, `set`, `frozenset`, `str`, `int`, "
        "`float`, `bool`), `ddd-events fix` raises `class_version` and adds a static "
        "`upcast_vN_vN+1(state)` that sets those fields to that value (`()`, `[]`, ...). "
        "Anything else (a required field, a retyped one, a missing step, a rename) is left to "
        "you: what old events mean is the domain's to say, and the message names what to "
        "write.",
)
def stored_event_changed_without_upcast(context: Context) -> Iterator[Finding]:
    settings, model = context.settings, context.model
    events = module_stored_events(context.facts, model, settings)
    if not events:
        return
    from ..contracts.lock import lock_read_by

    found = lock_read_by(model, settings.contracts_lock)
    if found.path is None:
        return  # no lock: nothing to compare with
    if found.lock is None:
        node = events[0].node
        if node is not None:
            yield Finding(node, f"the contract lock cannot be read ({found.problem()}); no stored "
                          "event is checked against it — write it again with 'ddd-events "
                          "contracts lock'")
        return
    from ..contracts.history import former_entry, history_problems, topic_problem

    stored = found.lock.stored_events
    for event in events:
        history = stored.get(event.name)
        problems = []
        if history is None:
            history = former_entry(event, stored, model)
            if history is None:
                continue  # a new stored event
            moved = topic_problem(event, history, model, settings)
            problems += [moved] if moved is not None else []
        problems += history_problems(event, history, model, settings)
        for problem in problems:
            node = problem.node or event.node
            if node is not None:
                yield Finding(node, problem.message)
