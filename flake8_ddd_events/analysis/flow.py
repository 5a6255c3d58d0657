"""The flow through one function, for the publishing rules (DDD401-DDD403, DDD406),
DDD407 and the event map: what a call or a ``with`` is (a commit, a transaction, a
transport receiver, an outbox mark) and each function's calls in order.

They read one function at a time, in straight-line source order: the calls it makes
(``ModuleFacts.calls``), the ``with``/``async with`` blocks it opens
(``ModuleFacts.withs``) and where it calls ``.commit()``. They do not follow
calls into other functions, and they do not know branches or loops: a call
that comes later in the text is taken to run later. Calls inside a nested
function or a lambda belong to that function or lambda, which runs at some
other time (``transaction.on_commit(lambda: producer.send(...))`` publishes
after the commit), so they are not part of the enclosing function's flow.
See docs/flow.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, Callable, Iterator

import libcst as cst

from ..config.settings import Settings
from ..syntax.expressions import dotted
from ..syntax.facts import CallFact, ModuleFacts, WithBlock
from .recognition import Kind
from .vocabulary import identifier_words

# (callee as written, enclosing class) -> (class view, recognition) or None
BuiltBy = Callable[[str, "str | None"], Any]

# What an aggregate's recorded events are called from outside it.
RECORDED_ATTRIBUTES = frozenset({"recorded_events", "domain_events", "events"})
RECORDED_CALLS = frozenset({"collect_new_events", "collect_events", "pull_events",
                            "pull_domain_events"})
_COPIES = frozenset({"list", "tuple", "iter", "sorted", "frozenset", "set"})
# Receivers that are the object itself: calling its own behaviour, not a bus.
_OWN_RECEIVERS = frozenset({"self", "cls", "super()"})


# -- names ---------------------------------------------------------------------
def words(part: str) -> tuple[str, ...]:
    """``_OrdersRepository()`` -> ("orders", "repository"): a name part as lower-case words."""
    return tuple(w.lower() for w in identifier_words(part.removesuffix("()")))


def has_word_run(text: str, name: str) -> bool:
    """Whether one dotted part of ``text`` holds ``name``'s words as a whole-word run
    (``self._uow`` holds ``uow``; ``SqlAlchemyUnitOfWork()`` holds ``unit_of_work``;
    ``self.report`` does not hold ``repo``). A plural of the last word counts
    (``self.repos``)."""
    wanted = words(name)
    if not wanted:
        return False
    plural = (*wanted[:-1], _plural(wanted[-1]))
    for part in text.split("."):
        found = words(part)
        for start in range(len(found) - len(wanted) + 1):
            if found[start:start + len(wanted)] in (wanted, plural):
                return True
    return False


def _plural(word: str) -> str:
    return f"{word[:-1]}ies" if word.endswith("y") else f"{word}s"


def _squashed(text: str) -> str:
    return text.replace("_", "").lower()


def is_own_receiver(receiver: str) -> bool:
    """``self.x()``, ``cls.x()``, ``super().x()``: the object's own behaviour."""
    return receiver in _OWN_RECEIVERS


def is_outbox(text: str) -> bool:
    return "outbox" in text.lower()


def root(text: str) -> str:
    """The object a dotted expression starts from: ``message.topic`` -> ``message``,
    ``self.order.id`` -> ``self.order``."""
    parts = text.split(".")
    if parts[0] in ("self", "cls") and len(parts) > 1:
        return ".".join(parts[:2])
    return parts[0]


def positional(call: CallFact) -> list[cst.Arg]:
    return [a for a in call.args if a.keyword is None and not a.star]


# -- what a call is ----------------------------------------------------------------
def is_transaction(block: WithBlock, settings: Settings) -> bool:
    """A ``with`` opens a transaction when one of its contexts has a configured
    transaction name as a whole-word run in any dotted part: ``self.uow``,
    ``self._uow.transaction()``, ``transaction.atomic()``, ``session.begin()``,
    ``SqlAlchemyUnitOfWork()``."""
    return any(has_word_run(context, name) for context in block.contexts
               for name in settings.transaction_contexts)


def is_transport_receiver(receiver: str, settings: Settings) -> bool:
    """``self._kafka_producer``, ``self.message_bus``, ``sns_client``; never an outbox."""
    if not receiver or is_outbox(receiver):
        return False
    squashed = _squashed(receiver)
    return any(_squashed(name) in squashed for name in settings.transport_receivers)


def constructs_integration_event(call: CallFact, built_by: BuiltBy) -> str | None:
    """The name of a recognised integration event an argument constructs; ``built_by``:
    the project class a callee constructs, with its recognition (``Context.built_by``)."""
    for arg in call.args:
        value = arg.value
        if not isinstance(value, cst.Call):
            continue
        built = built_by(dotted(value.func), call.cls)
        if built is not None and built[1].kind is Kind.INTEGRATION_EVENT:
            return built[0].name
    return None


def is_transport_publish(call: CallFact, settings: Settings, built_by: BuiltBy) -> bool:
    """A transport method on a transport receiver, or a transport method (not on an
    outbox) whose argument constructs a recognised integration event."""
    if call.method not in settings.transport_methods or is_outbox(call.receiver):
        return False
    return (is_transport_receiver(call.receiver, settings)
            or constructs_integration_event(call, built_by) is not None)


def is_commit(call: CallFact, settings: Settings) -> bool:
    """``session.commit()``, ``await self.uow.commit()``: a ``.commit()`` with no
    positional argument that is not a message consumer's offset commit or a
    transport's own commit."""
    if call.method != "commit" or call.callee == "commit" or positional(call):
        return False
    receiver = call.receiver
    return "consumer" not in receiver.lower() and not is_transport_receiver(receiver, settings)


def is_publish_or_dispatch(call: CallFact, settings: Settings) -> bool:
    return call.method in settings.aggregate_publish_methods or call.method in settings.transport_methods


def recorded_events_owner(call: CallFact) -> str | None:
    """``order`` when an argument is ``order.recorded_events`` (also ``.domain_events``,
    ``.events``, ``order.collect_new_events()``, ``list(order.recorded_events)``,
    ``*order.events``)."""
    for arg in call.args:
        value = arg.value
        if (isinstance(value, cst.Call) and dotted(value.func) in _COPIES
                and len(value.args) == 1):
            value = value.args[0].value
        if isinstance(value, cst.Attribute) and value.attr.value in RECORDED_ATTRIBUTES:
            owner = dotted(value.value)
        elif (isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute)
              and value.func.attr.value in RECORDED_CALLS and not value.args):
            owner = dotted(value.func.value)
        else:
            continue
        if owner:
            return owner
    return None


def outbox_marked(call: CallFact, settings: Settings) -> bool:
    """An outbox mark: a configured mark method; one whose name does not say
    ``mark`` (``delete``, ``remove``) only on an outbox receiver or with an
    argument that names the outbox (``session.delete(outbox_message)``)."""
    if call.method not in settings.outbox_mark_methods:
        return False
    if "mark" in call.method:
        return True
    return is_outbox(call.receiver) or any(is_outbox(dotted(a.value)) for a in call.args)


# -- one function's flow -------------------------------------------------------------
@dataclass
class Flow:
    """The calls of one function (or of the module body) in source order."""

    facts: ModuleFacts
    settings: Settings
    function: str | None
    calls: list[CallFact]

    @cached_property
    def commits(self) -> list[int]:
        return [c.index for c in self.calls if is_commit(c, self.settings)]

    def transaction(self, call: CallFact) -> int | None:
        """The outermost transaction ``with`` of this function around ``call``."""
        for index in call.withs:
            block = self.facts.withs[index]
            if block.function == self.function and is_transaction(block, self.settings):
                return index
        return None

    @cached_property
    def transactions(self) -> list[WithBlock]:
        return [b for b in self.facts.withs
                if b.function == self.function and is_transaction(b, self.settings)]

    def commits_between(self, start: int, end: int) -> list[int]:
        return [i for i in self.commits if start <= i < end]

    @cached_property
    def is_relay(self) -> bool:
        """An outbox relay marks records; its transaction only marks them, so
        publishing inside it is at-least-once delivery, not DDD401."""
        return any(outbox_marked(c, self.settings) for c in self.calls)

    def context_of(self, index: int) -> str:
        return " ".join(self.facts.withs[index].contexts).strip() or "with"


def flows(facts: ModuleFacts, settings: Settings) -> Iterator[Flow]:
    """Each function's flow (the module body is one too); lambda calls left out."""
    by_function: dict[str | None, list[CallFact]] = {}
    for call in facts.calls:
        if not call.in_lambda:
            by_function.setdefault(call.function, []).append(call)
    for function, calls in by_function.items():
        yield Flow(facts, settings, function, calls)
