"""Calls that make a new value each time they run: clocks and id generators.

A clock is a call that reads the current time: any callee whose last name is
``now``, ``utcnow`` or ``today`` or has ``now`` as an underscore-separated word
(``datetime.now``, ``date.today``, ``pendulum.now``, ``arrow.utcnow``, Django's
``timezone.now``, a project's ``utc_now``), or says ``current`` and ends in
``time``/``datetime``/``timestamp``/``date`` (``get_current_datetime``), and the
clocks of the ``time`` module (``time.time``, ``time_ns``, ``monotonic``,
``perf_counter``, and their ``_ns`` forms) however imported. SQLAlchemy's
``func.now()`` is not one: it is SQL, evaluated by the database for each row.

An id generator is a call that returns a new identifier: ``uuid1``, ``uuid4``,
``uuid6``, ``uuid7`` and, without arguments, ``uuid8`` (from ``uuid`` or a
backport); ``ulid.new()`` and ``ULID()`` without arguments; ``bson.ObjectId()``
without arguments; ``secrets.token_hex/token_urlsafe/token_bytes``;
``shortuuid.uuid()`` and ``nanoid.generate()``; a project function named like
``new_id``, ``next_id``, ``generate_id``, ``make_event_uuid`` (first word
new/next/generate/gen/make/create, last word id/uuid/ulid/guid/identifier/
identity); and ``new()``, ``generate()``, ``next()``, ``create()`` or
``random()`` without arguments on a class named like an id (``OrderId.new()``).

Not generators: ``uuid3``/``uuid5`` (they hash a name, so the same arguments
give the same id), ``UUID("…")``, ``datetime(2020, 1, 1)``,
``datetime.fromtimestamp(0)``: constants, whenever they are computed.
"""

from __future__ import annotations

import enum
from typing import Iterator

import libcst as cst

from ..syntax.expressions import dotted, last_part
from ..syntax.facts import ModuleFacts


class Fresh(enum.Enum):
    TIMESTAMP = "timestamp"
    ID = "id"


_TIME_CLOCKS = frozenset({"time.time", "time.time_ns", "time.monotonic", "time.monotonic_ns",
                          "time.perf_counter", "time.perf_counter_ns"})
_CLOCK_NAMES = frozenset({"now", "utcnow", "today"})
_CURRENT_WHAT = frozenset({"time", "datetime", "timestamp", "date"})
_UUIDS = frozenset({"uuid1", "uuid4", "uuid6", "uuid7"})
_UUID_PACKAGES = frozenset({"uuid", "uuid6", "uuid_utils", "uuid_extensions"})
_ID_CALLS = frozenset({"secrets.token_hex", "secrets.token_urlsafe", "secrets.token_bytes",
                       "shortuuid.uuid", "nanoid.generate", "ulid.new", "ulid.create",
                       "ulid.ulid"})
_ID_FIRST_WORDS = frozenset({"new", "next", "generate", "gen", "make", "create"})
_ID_LAST_WORDS = frozenset({"id", "uuid", "ulid", "guid", "identifier", "identity"})
_ID_CLASS_SUFFIXES = ("Id", "ID", "Uuid", "UUID", "Ulid", "ULID", "Identity", "Identifier")
_ID_CLASS_METHODS = frozenset({"new", "generate", "next", "create", "random", "new_id", "next_id"})


def fresh_call(facts: ModuleFacts, call: cst.Call) -> Fresh | None:
    """Whether ``call`` reads a clock or generates an id (see the module docstring)."""
    callee = dotted(call.func)
    return fresh_callee(facts.qualify(callee), callee, not call.args) if callee else None


def fresh_callee(qualified: str, written: str, no_arguments: bool) -> Fresh | None:
    """Whether calling this function (``written`` as in the source, ``qualified`` through
    the module's imports) reads a clock or makes a new id; ``no_arguments``: the call
    passes none (a default factory is called so)."""
    name = last_part(written)
    words = name.lower().split("_")
    root = qualified.partition(".")[0]
    if root == "sqlalchemy":
        return None
    if (qualified in _TIME_CLOCKS or name in _CLOCK_NAMES or "now" in words
            or ("current" in words and words[-1] in _CURRENT_WHAT)):
        return Fresh.TIMESTAMP
    if name in _UUIDS or (name == "uuid8" and no_arguments):
        return Fresh.ID if root in _UUID_PACKAGES or "." not in qualified else None
    if qualified in _ID_CALLS:
        return Fresh.ID
    if no_arguments and ((root == "ulid" and name == "ULID") or (root == "bson" and name == "ObjectId")):
        return Fresh.ID
    if len(words) > 1 and words[0] in _ID_FIRST_WORDS and words[-1] in _ID_LAST_WORDS:
        return Fresh.ID
    receiver = last_part(written.rpartition(".")[0])
    if no_arguments and name in _ID_CLASS_METHODS and receiver.endswith(_ID_CLASS_SUFFIXES):
        return Fresh.ID
    return None


def fresh_calls(facts: ModuleFacts, expression: cst.BaseExpression) -> Iterator[tuple[cst.Call, Fresh]]:
    """The clock and id-generator calls an expression makes when it is evaluated, in
    source order: not those inside a lambda, which run only when the lambda is called."""
    stack: list[cst.CSTNode] = [expression]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Lambda):
            continue
        if isinstance(node, cst.Call):
            kind = fresh_call(facts, node)
            if kind is not None:
                yield node, kind
        stack.extend(reversed(node.children))
