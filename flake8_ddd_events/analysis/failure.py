"""What happens when a publish or a handler fails, for DDD408, DDD409, the relay exemption
of DDD401/DDD406 and the event map: outbox relays (a loop that publishes records and marks
them done) and the ``try``/``except`` around their publish; handler loops and what their
``except`` does with a failure.

Read one module at a time, from the collected loops, tries and steps
(``ModuleFacts.blocks``, ``ModuleFacts.steps``): a relay may be split into helpers of the
same module (``self._publish_one(record)``), which are followed by name; anything the
module does not define (a repository's fetch query) is unknown, and the rules that need it
stay silent. One exception, from the caller's side: a dispatch inside a transaction is
followed through the project model to a dispatcher of a module this one imports, whose
handler loops are read the same way (``swallowers``, parsed again once per version of the
file). See docs/flow.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable, Iterator

import libcst as cst

from libcst.metadata import MetadataWrapper, PositionProvider

from ..config.settings import Settings
from ..model.project_model import ProjectModel
from ..model.views import ClassView
from ..syntax.expressions import dotted, names_in
from ..syntax.facts import Block, CallFact, ModuleFacts, Step
from .flow import flows, is_commit, is_outbox, is_publish_or_dispatch, outbox_marked, root
from .vocabulary import DONE_WORDS, HANDLER_WORDS, RELAY_WORDS, text_words

# A field that counts failed attempts: ``retry_count``, ``attempts``, ``failed_attempts``.
COUNTER_WORDS = frozenset({"retry", "retries", "attempt", "attempts", "tries", "failures"})
# A call that records a failure: ``mark_failed``, ``move_to_dead_letter``, ``park``, ``nack``.
FAILURE_WORDS = frozenset({"fail", "failed", "failure", "failures", "dead", "dlq", "park",
                           "parked", "poison", "quarantine", "retry", "retries", "reject",
                           "nack", "attempt", "attempts", "errored", "backoff"})
# Receivers and calls that only tell someone: they record nothing on the record.
_LOG_WORDS = frozenset({"log", "logger", "logging", "structlog", "sentry", "traceback",
                        "warnings", "console", "tracer", "span", "metrics", "statsd"})
_LOG_CALLS = frozenset({"print", "capture_exception", "capture_message", "print_exc"})
# A bounded retry around a publish: (decorator or call name, the keywords that bound it).
BOUNDED_RETRIES = {"retry": ("stop",), "Retrying": ("stop",), "AsyncRetrying": ("stop",),
                   "on_exception": ("max_tries", "max_time"),
                   "on_predicate": ("max_tries", "max_time"),
                   "task": ("max_retries",), "shared_task": ("max_retries",),
                   "actor": ("max_retries",)}
# Handlers handed to something that runs them later: their failure is not the caller's.
SCHEDULERS = frozenset({"create_task", "ensure_future", "submit", "apply_async", "delay",
                        "send_task", "add_task", "spawn", "start_soon", "run_in_executor",
                        "call_soon", "enqueue"})
_BROAD = frozenset({"Exception", "BaseException"})
# Transport words that everyday objects use too (``mailer.send``, ``websocket.send``,
# ``tracer.emit``): on a receiver not named for a transport they publish only a record.
_EVERYDAY_SENDS = frozenset({"send", "emit"})


def code(node: cst.CSTNode | None) -> str:
    return cst.Module([]).code_for_node(node) if node is not None else ""


def is_log_call(call: CallFact) -> bool:
    """``logger.exception(...)``, ``print(...)``, ``sentry_sdk.capture_exception()``."""
    return call.callee in _LOG_CALLS or call.method in _LOG_CALLS or bool(
        text_words(call.receiver) & _LOG_WORDS)


def is_broad(block: Block) -> bool:
    """A bare ``except``, ``except Exception``, ``except BaseException``."""
    return not block.catches or any(c.rpartition(".")[2] in _BROAD for c in block.catches)


# -- one function, as the failure rules read it ------------------------------------------
@dataclass(eq=False)
class Function:
    """One function's calls, steps and blocks, and the module around it."""

    facts: ModuleFacts
    qualname: str
    calls: list[CallFact] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)

    @property
    def cls(self) -> str | None:
        head, dot, _ = self.qualname.rpartition(".")
        return head if dot and head in self.facts.classes else None

    @cached_property
    def params(self) -> tuple[str, ...]:
        name = self.qualname.rpartition(".")[2]
        if self.cls is not None:
            method = self.facts.classes[self.cls].method(name)
        else:
            method = self.facts.functions.get(self.qualname)
        return tuple(p.name for p in method.params) if method is not None else ()

    @cached_property
    def decorators(self):
        name = self.qualname.rpartition(".")[2]
        method = (self.facts.classes[self.cls].method(name) if self.cls is not None
                  else self.facts.functions.get(self.qualname))
        return method.decorators if method is not None else ()

    def inside(self, block: int) -> Iterator[CallFact]:
        return (c for c in self.calls if block in c.blocks)

    def steps_inside(self, block: int) -> Iterator[Step]:
        return (s for s in self.steps if block in s.blocks)

    def blocks(self, kind: str) -> Iterator[tuple[int, Block]]:
        return ((i, b) for i, b in enumerate(self.facts.blocks)
                if b.function == self.qualname and b.kind == kind)

    def excepts(self, try_index: int) -> list[tuple[int, Block]]:
        return [(i, b) for i, b in self.blocks("except") if b.owner == try_index]

    def assigned(self, name: str, before: int) -> cst.BaseExpression | None:
        """What the local ``name`` was last bound to before call index ``before``."""
        value = None
        for step in self.steps:
            if step.kind == "assign" and step.after_call <= before and name in step.targets:
                value = step.value
        return value


def functions(facts: ModuleFacts) -> dict[str, Function]:
    """Every function of the module that calls or does something, by qualname."""
    found: dict[str, Function] = {}
    for call in facts.calls:
        if call.function is not None and not call.in_lambda:
            found.setdefault(call.function, Function(facts, call.function)).calls.append(call)
    for step in facts.steps:
        found.setdefault(step.function, Function(facts, step.function)).steps.append(step)
    return found


def helper(funcs: dict[str, Function], caller: Function, call: CallFact) -> Function | None:
    """The module's own function a call runs: ``self._publish_one(r)`` in a method of the
    same class (or ``cls.``), ``_publish_one(r)`` at module level; None for anything else."""
    receiver, method = call.receiver, call.method
    if receiver in ("self", "cls") and caller.cls is not None:
        return funcs.get(f"{caller.cls}.{method}")
    if not receiver and call.callee:
        return funcs.get(call.callee)
    return None


def bounded_retry(function: Function) -> bool:
    """A tenacity ``@retry(stop=...)``, backoff ``@on_exception(..., max_tries=...)``,
    Celery ``@shared_task(max_retries=...)`` on the function, or such a call inside it."""
    for decorator in function.decorators:
        bound = BOUNDED_RETRIES.get(decorator.name.rpartition(".")[2])
        if bound and any(k in decorator.keywords for k in bound):
            return True
    for call in function.calls:
        bound = BOUNDED_RETRIES.get(call.method)
        if bound and any(call.keyword(k) is not None for k in bound):
            return True
    return False


# -- relays (DDD408, DDD401, DDD406, the event map) --------------------------------------
@dataclass(frozen=True)
class Failure:
    """One way a relay mishandles a failed publish, at a node: ``kind`` is ``swallowed``
    (an ``except`` that neither re-raises nor records), ``unbounded`` (a retry counter that
    nothing bounds) or ``uncaught`` (a publish nothing catches)."""

    kind: str
    node: cst.CSTNode
    what: str  # the publish call or the counter, as written


@dataclass
class Relay:
    """A loop over records that publishes each one and marks it done."""

    function: Function
    loop: int  # index into ModuleFacts.blocks
    publishes: list[tuple[Function, CallFact, frozenset[str]]]  # where, what, record names
    sites: list[CallFact]  # the calls in the loop that publish, themselves or by a helper
    failures: list[Failure] = field(default_factory=list)

    @property
    def node(self) -> cst.CSTNode:
        return self.function.facts.blocks[self.loop].node


class Relays:
    """The relays of one module and what each does when a publish fails. ``is_publish``:
    whether a call hands a message to a transport (the rules' transport publish)."""

    def __init__(self, facts: ModuleFacts, settings: Settings,
                 is_publish: Callable[[CallFact], bool]) -> None:
        self.facts = facts
        self.settings = settings
        self.is_publish = is_publish
        self.funcs = functions(facts)

    # what a call is, around records
    def publishes(self, call: CallFact, records: frozenset[str]) -> bool:
        """In a relay's loop: a transport publish, a transport method on any receiver but an
        outbox or a logger (``nc.publish(subject, payload)``, ``publish(subject, body)``), or
        a method named for one (``publish_message``) that takes a record."""
        if self.is_publish(call):
            return True
        if self.marks(call) or is_log_call(call) or is_outbox(call.receiver):
            return False
        if call.method in self.settings.transport_methods and call.callee \
                and call.method not in _EVERYDAY_SENDS:
            return True
        return any(word in call.method for word in ("publish", "produce", "send")) and any(
            root(dotted(a.value)) in records for a in call.args)

    def _helper_publishes(self, function: Function, call: CallFact,
                          depth: int = 0) -> list[tuple[Function, CallFact, frozenset[str]]]:
        """The publishes a call of one of the module's functions makes (one level down,
        and the helpers it calls in turn, up to three)."""
        target = helper(self.funcs, function, call)
        if target is None or target is function or depth > 2:
            return []
        names = frozenset(target.params)
        found = [(target, c, names) for c in target.calls
                 if helper(self.funcs, target, c) is None and self.publishes(c, names)]
        for inner in target.calls:
            if not found:
                found += self._helper_publishes(target, inner, depth + 1)
        return found

    def marks(self, call: CallFact) -> bool:
        """An outbox mark, a ``mark...processed/published/sent`` call, or a call that sets a
        done field by keyword (``.values(published_at=now)``, ``update(processed=True)``)."""
        if outbox_marked(call, self.settings):
            return True
        words = text_words(call.method)
        if "mark" in words and words & DONE_WORDS:
            return True
        return any(a.keyword is not None and text_words(a.keyword.value) & DONE_WORDS
                   for a in call.args)

    def _marks_done(self, function: Function, loop: int, records: frozenset[str]) -> bool:
        """The loop marks each record (a mark call, a done field set on it, a delete of it,
        a helper of the module that does) or collects them for a bulk mark after it."""
        end = self.facts.blocks[loop].end_call
        for step in function.steps_inside(loop):
            if step.kind == "assign" and any(
                    root(t) in records and text_words(t.rpartition(".")[2]) & DONE_WORDS
                    for t in step.targets if "." in t):
                return True
        for call in function.inside(loop):
            if self.marks(call):
                return True
            target = helper(self.funcs, function, call)
            if target is not None and target is not function and (
                    any(self.marks(c) for c in target.calls)
                    or any(s.kind == "assign" and any(text_words(t.rpartition(".")[2])
                                                      & DONE_WORDS for t in s.targets if "." in t)
                           for s in target.steps)):
                return True
        collects = any(c.method in ("append", "add", "extend") and any(
            root(dotted(a.value)) in records for a in c.args) for c in function.inside(loop))
        return collects and any(c.index >= end and self.marks(c)
                                for c in function.calls)

    def _named(self, function: Function, block: Block) -> bool:
        """The function, its class or what the loop iterates over is named for an outbox,
        a relay or pending records (the local the iterable was bound to included)."""
        text = f"{function.qualname} {source_text(function, block.iterable, block.first_call)}"
        return bool(text_words(text) & RELAY_WORDS)

    @cached_property
    def relays(self) -> list[Relay]:
        found = []
        for function in self.funcs.values():
            for index, block in function.blocks("loop"):
                records = frozenset(n for n in block.target.split(",") if n)
                if not records or not self._named(function, block):
                    continue
                publishes, sites = [], []
                for call in function.inside(index):
                    if helper(self.funcs, function, call) is None and self.publishes(call,
                                                                                    records):
                        publishes.append((function, call, records))
                        sites.append(call)
                    else:
                        through = self._helper_publishes(function, call)
                        publishes += through
                        sites += [call] if through else []
                if publishes and self._marks_done(function, index, records):
                    found.append(Relay(function, index, publishes, sites))
        for relay in found:
            relay.failures = list(self._failures(relay))
        return found

    def relay_functions(self) -> frozenset[str]:
        return frozenset(r.function.qualname for r in self.relays)

    def marked_after_publish(self, mark: CallFact) -> bool:
        """Whether a mark is a relay's, in its loop after the publish of the record."""
        return any(mark.function == r.function.qualname and r.loop in mark.blocks
                   and any(site.index < mark.index for site in r.sites) for r in self.relays)

    # what a relay does when a publish fails
    def _exempt(self, relay: Relay) -> bool:
        """Bounded retries, broker dead letters, ``gather`` batches, serverless handlers."""
        function = relay.function
        involved = {function, *(where for where, _, _ in relay.publishes)}
        if any(bounded_retry(f) for f in involved):
            return True
        for f in involved:
            for call in f.calls:
                if call.method == "gather":
                    return True
                if call.method in ("reject", "nack", "basic_reject", "basic_nack") and (
                        dotted(call.keyword("requeue")) == "False"):
                    return True
        loop = self.facts.blocks[relay.loop]
        if "Records" in code(loop.iterable) or {"event", "context"} <= set(function.params):
            return True
        return False

    def _records_failure(self, where: Function, handler: int, records: frozenset[str]) -> bool:
        """The ``except`` re-raises, halts (``break``, ``return``), counts, writes a field of
        the record, or calls something with the record or named for a failure."""
        for step in where.steps_inside(handler):
            if step.kind in ("raise", "break", "return", "augment"):
                return True
            if step.kind == "assign":
                return True  # a flag or a field: what follows reads it
        for call in where.inside(handler):
            if is_log_call(call):
                continue
            if text_words(call.method) & FAILURE_WORDS:
                return True
            if root(call.receiver) in records or any(
                    root(dotted(a.value)) in records for a in call.args):
                return True
            if helper(self.funcs, where, call) is not None:
                return True  # the module's own failure handling: not judged here
        return False

    def _failures(self, relay: Relay) -> Iterator[Failure]:
        if self._exempt(relay):
            return
        function = relay.function
        reported: set[int] = set()
        for where, publish, records in relay.publishes:
            # the tries that catch a failure in the loop: inside it, or in the helper
            if where is function:
                tries = self._tries_in(publish.blocks, relay.loop)
            else:
                tries = self._tries_in(publish.blocks, None)
                site = next((c for c in function.inside(relay.loop)
                             if helper(self.funcs, function, c) is where), None)
                if site is not None:
                    tries += self._tries_in(site.blocks, relay.loop)
            if not tries:
                if publish.index not in reported:
                    reported.add(publish.index)
                    yield Failure("uncaught", publish.node, publish.callee or publish.method)
                continue
            for try_index in tries:
                owner = self.funcs.get(self.facts.blocks[try_index].function or "")
                if owner is None:
                    continue
                names = records if owner is function else frozenset(owner.params) | records
                for handler, block in owner.excepts(try_index):
                    if handler not in reported and not self._records_failure(owner, handler,
                                                                              names):
                        reported.add(handler)
                        yield Failure("swallowed", block.node, publish.callee or publish.method)
        yield from self._unbounded(relay)

    def _tries_in(self, blocks: tuple[int, ...], loop: int | None) -> list[int]:
        """The ``try`` blocks among ``blocks`` (outermost first) inside ``loop``."""
        inner = blocks[blocks.index(loop) + 1:] if loop is not None and loop in blocks else blocks
        return [i for i in inner if self.facts.blocks[i].kind == "try"]

    def _unbounded(self, relay: Relay) -> Iterator[Failure]:
        """A counter on the record raised on failure, that nothing bounds."""
        function = relay.function
        involved = [function, *(where for where, _, _ in relay.publishes if where is not function)]
        for where in involved:
            for step in where.steps:
                counter = self._counter(step)
                if counter is None:
                    continue
                if self._bounded(involved, counter) or not self._fetch_visible(relay):
                    continue
                yield Failure("unbounded", step.node, counter)

    @staticmethod
    def _counter(step: Step) -> str | None:
        """``record.attempts += 1``, ``record.retry_count = record.retry_count + 1``."""
        if step.kind not in ("augment", "assign") or len(step.targets) != 1:
            return None
        target = step.targets[0]
        if "." not in target or not text_words(target.rpartition(".")[2]) & COUNTER_WORDS:
            return None
        if step.kind == "assign" and target not in code(step.value):
            return None
        return target

    def _bounded(self, involved: list[Function], counter: str) -> bool:
        """A comparison with the counter or a maximum (in the relay, its helpers, or any
        query of the module), a mark failed, or a maximum handed on."""
        attr = counter.rpartition(".")[2]
        for step in self.facts.steps:
            if step.kind != "compare":
                continue
            if any(o.rpartition(".")[2] == attr for o in step.targets):
                return True
            if step.function in {f.qualname for f in involved} and any(
                    text_words(o) & (COUNTER_WORDS | {"max", "maximum", "limit"})
                    for o in step.targets):
                return True
        for call in self.facts.calls:
            if any(a.keyword is not None and a.keyword.value.startswith(f"{attr}__")
                   for a in call.args):
                return True  # Django: ``filter(attempts__lt=MAX_ATTEMPTS)``
        for where in involved:
            for call in where.calls:
                if text_words(call.method) & {"fail", "failed", "dead", "dlq", "park", "poison"}:
                    return True
                if any(text_words((a.keyword.value if a.keyword else "") + " "
                                  + dotted(a.value)) & {"max", "maximum"} for a in call.args):
                    return True
        return False

    def _fetch_visible(self, relay: Relay) -> bool:
        """The records come from a query written in this module (``select``, ``filter``,
        ``.objects``) or from one of its own functions; a repository elsewhere is unseen."""
        function = relay.function
        loop = self.facts.blocks[relay.loop]
        text = source_text(function, loop.iterable, loop.first_call)
        if text_words(text) & {"select", "query", "filter", "objects", "where", "scan"}:
            return True
        calls = [c for c in function.calls if c.index < loop.first_call
                 and code(c.node) in text]
        return any(helper(self.funcs, function, c) is not None for c in calls)


def source_text(function: Function, expression: cst.BaseExpression | None, before: int) -> str:
    """An expression's source, with what the local it starts from was bound to before
    call index ``before`` (``result.scalars()`` after ``result = session.execute(...)``)."""
    text = code(expression)
    head = expression
    while isinstance(head, (cst.Call, cst.Attribute, cst.Await, cst.Subscript)):
        head = {cst.Call: lambda n: n.func, cst.Attribute: lambda n: n.value,
                cst.Await: lambda n: n.expression, cst.Subscript: lambda n: n.value}[type(head)](head)
    if isinstance(head, cst.Name):
        text += " " + code(function.assigned(head.value, before))
    return text


# -- handler loops (DDD409) ----------------------------------------------------------------
@dataclass(frozen=True)
class Swallow:
    """An ``except`` that swallows a domain event handler's failure, in ``function``."""

    function: str
    node: cst.CSTNode
    handler: str  # the loop variable or the dispatch call, as written


@dataclass(frozen=True)
class ForeignSwallow:
    """A dispatch inside the transaction (``node``, the call ``what`` as written) of a
    function of another module (``swallower``) that swallows a handler's failure at
    ``where`` (``shop/bus.py:42``)."""

    node: cst.CSTNode
    what: str
    swallower: str
    where: str


def swallowers(model: ProjectModel, facts: ModuleFacts, settings: Settings) -> dict[str, tuple[str, str]]:
    """The functions of a module the model read (compact facts) that swallow a handler's
    failure (``Dispatchers.swallowers``), by qualname: the loop's function and where its
    ``except`` is (``shop/bus.py:42``). Read once per version of the module: parsed again
    only when its text has an ``except`` and a handler word."""
    found = facts.memo.get("handler-swallowers")
    if found is None:
        found = facts.memo["handler-swallowers"] = _swallowers(model, facts, settings)
    return found


def _swallowers(model: ProjectModel, facts: ModuleFacts,
                settings: Settings) -> dict[str, tuple[str, str]]:
    parsed = model.parsed(facts, lambda text: "except" in text and bool(
        text_words(text) & HANDLER_WORDS))
    if parsed is None:
        return {}
    tree, full = parsed
    found = Dispatchers(full, settings).swallowers()
    if not found:
        return {}
    positions = MetadataWrapper(tree, unsafe_skip_copy=True).resolve(PositionProvider)
    path = facts.module.replace(".", "/") + ("/__init__.py" if facts.is_package else ".py")
    return {qualname: (loop, f"{path}:{positions[node].start.line}")
            for qualname, (loop, node) in found.items() if node in positions}


class Dispatchers:
    """The module's loops over domain event handlers whose ``except`` swallows a handler's
    failure inside the transaction, and ``commit()`` methods that swallow their dispatch."""

    def __init__(self, facts: ModuleFacts, settings: Settings,
                 model: ProjectModel | None = None) -> None:
        self.facts = facts
        self.settings = settings
        self.model = model  # to follow a dispatch into another module (``foreign``)
        self.funcs = functions(facts)
        self.flows = {f.function: f for f in flows(facts, settings)}
        self._entered: dict[tuple[str, int], bool] = {}

    def _swallows(self, function: Function, handler: int, block: Block, loop: Block | None) -> bool:
        """A broad ``except`` that neither re-raises, nor rolls back, nor collects the error
        to raise after the loop (or to return it to the caller, who may)."""
        if not is_broad(block):
            return False
        if any(s.kind == "raise" for s in function.steps_inside(handler)):
            return False
        calls = list(function.inside(handler))
        if any("rollback" in c.method for c in calls):
            return False
        collects = any(c.method in ("append", "add", "extend") for c in calls)
        end = loop.end_call if loop is not None else block.end_call
        return not (collects and any(
            s.after_call >= end and (s.kind == "raise" or (
                s.kind == "return" and getattr(s.node, "value", None) is not None))
            for s in function.steps))  # raised after the loop, or handed to the caller

    def _in_transaction(self, function: Function, call: CallFact, depth: int = 0) -> bool:
        """The call runs inside a transaction: in a transaction ``with`` of its function
        (no commit in it before the call), before a ``.commit()`` of its function, or in a
        function of the module called from such a place (up to three calls up)."""
        flow = self.flows.get(function.qualname)
        if flow is not None:
            block = flow.transaction(call)
            if block is not None and not flow.commits_between(self.facts.withs[block].first_call,
                                                              call.index):
                return True
            if any(i > call.index for i in flow.commits) and not any(
                    i < call.index for i in flow.commits):
                return True
        return self._called_in_transaction(function, depth)

    def _called_in_transaction(self, function: Function, depth: int) -> bool:
        """A function of the module calls ``function`` inside a transaction (kept)."""
        key = (function.qualname, depth)
        if key not in self._entered:
            self._entered[key] = depth <= 2 and any(
                caller is not function and self._runs(caller, site, function)
                and self._in_transaction(caller, site, depth + 1)
                for caller in self.funcs.values() for site in caller.calls)
        return self._entered[key]

    def _runs(self, caller: Function, site: CallFact, function: Function) -> bool:
        """Whether a call runs ``function``: a helper call (``self._dispatch(e)``), or a call
        of its method on an attribute named for its class (``self.dispatcher.dispatch(e)``
        runs ``Dispatcher.dispatch``, ``self.bus.publish(e)`` runs ``MessageBus.publish``)."""
        if helper(self.funcs, caller, site) is function:
            return True
        owner = function.cls
        name = function.qualname.rpartition(".")[2]
        if owner is None or site.method != name or not site.receiver:
            return False
        attribute = site.receiver.rpartition(".")[2].lstrip("_")
        return bool(text_words(attribute) & text_words(owner.rpartition(".")[2]))

    def _loop_swallows(self) -> Iterator[tuple[Function, CallFact, int, Block, Block]]:
        """Every handler loop's call whose broad ``except`` swallows its failure, wherever
        the loop runs: (function, the handler's call, the except's index, the except, the
        loop)."""
        for function in self.funcs.values():
            for index, loop in function.blocks("loop"):
                handlers = frozenset(n for n in loop.target.split(",") if n)
                if not text_words(loop.target + " " + code(loop.iterable)) & HANDLER_WORDS:
                    continue
                for call in function.inside(index):
                    if root(call.callee) not in handlers or self._scheduled(function, call):
                        continue
                    position = call.blocks.index(index)
                    for try_index in call.blocks[position + 1:]:
                        if self.facts.blocks[try_index].kind != "try":
                            continue
                        for handler, block in function.excepts(try_index):
                            if self._swallows(function, handler, block, loop):
                                yield function, call, handler, block, loop

    @cached_property
    def swallows(self) -> list[Swallow]:
        found: list[Swallow] = []
        seen: set[int] = set()
        for function, call, handler, block, loop in self._loop_swallows():
            if handler not in seen and self._in_transaction(function, call):
                seen.add(handler)
                found.append(Swallow(function.qualname, block.node, call.callee or loop.target))
        for function in self.funcs.values():
            if function.qualname.rpartition(".")[2] == "commit":
                found += self._commit_swallows(function, seen)
        return found

    def swallowers(self) -> dict[str, tuple[str, cst.CSTNode]]:
        """The module's functions that run a handler loop swallowing a handler's failure,
        themselves or through the module's own functions (up to three calls down): by
        qualname, the loop's function and its ``except``."""
        found: dict[str, tuple[str, cst.CSTNode]] = {}
        for function, _, _, block, _ in self._loop_swallows():
            found.setdefault(function.qualname, (function.qualname, block.node))
        for _ in range(3):
            for caller in self.funcs.values():
                for site in caller.calls:
                    ran = next((found[f.qualname] for f in self.funcs.values()
                                if f.qualname in found and f is not caller
                                and self._runs(caller, site, f)), None)
                    if ran is not None:
                        found.setdefault(caller.qualname, ran)
        return found

    @cached_property
    def foreign(self) -> list[ForeignSwallow]:
        """Dispatches inside this module's transactions of a function of another project
        module that swallows a handler's failure (read through the project model)."""
        if self.model is None:
            return []
        found = []
        for function in self.funcs.values():
            for call in function.calls:
                if not is_publish_or_dispatch(call, self.settings) \
                        or helper(self.funcs, function, call) is not None \
                        or not self._in_transaction(function, call):
                    continue
                target = self._target(function, call)
                if target is None:
                    continue
                facts, qualname = target
                swallower = swallowers(self.model, facts, self.settings).get(qualname)
                if swallower is not None:
                    found.append(ForeignSwallow(call.node, call.callee or call.method,
                                                swallower[0], swallower[1]))
        return found

    def _target(self, function: Function, call: CallFact) -> tuple[ModuleFacts, str] | None:
        """The function of another project module a call runs, through forward imports:
        an imported function (``dispatch(e)``, ``bus.dispatch(e)`` of a module ``bus``), a
        method of a module-level instance imported (``bus = MessageBus()``), or of a class
        a parameter or an attribute of ``self`` is annotated with or built from."""
        model = self.model
        assert model is not None
        head, _, rest = call.callee.partition(".")
        if not rest and head not in self.facts.aliases:
            return None
        if head in self.facts.aliases:
            parts = self.facts.qualify(call.callee).split(".")
            for split in range(len(parts) - 1, 0, -1):
                found = model.module(".".join(parts[:split]), within=self.facts)
                if found is None:
                    continue
                owner, _, method = ".".join(parts[split:]).rpartition(".")
                if not owner:
                    return (found, method) if found.module != self.facts.module else None
                if owner in found.classes:
                    return self._method(model.view(found, found.classes[owner]), method)
                bound = model.assigned(found, owner)
                if bound is not None and isinstance(bound[1], cst.Call):
                    return self._method(model.resolve(bound[0], dotted(bound[1].func)), method)
                return None
            return None
        receiver, method = call.receiver, call.method
        for name in self._receiver_classes(function, receiver):
            target = self._method(model.resolve(self.facts, name, scope=function.cls), method)
            if target is not None:
                return target
        return None

    def _receiver_classes(self, function: Function, receiver: str) -> list[str]:
        """The class names (as written here) a receiver is annotated with or built from:
        a parameter of ``function`` (``bus: MessageBus``), or ``self.bus`` set in a method of
        the class (``self.bus: MessageBus``, ``self.bus = bus`` of such a parameter,
        ``self.bus = MessageBus()``) or declared as a field of it."""
        def of(name: str, params) -> list[str]:
            return [n for p in params if p.name == name for n in names_in(p.annotation)]

        if "." not in receiver:
            return of(receiver, self._params(function.qualname))
        head, _, attr = receiver.partition(".")
        if head != "self" or "." in attr or function.cls is None:
            return []
        cls = self.facts.classes[function.cls]
        names = [n for f in cls.fields if f.name == attr for n in names_in(f.annotation)]
        for method in cls.methods:
            for assignment in method.self_assignments:
                if assignment.attr == attr:
                    value = assignment.value
                    names += list(names_in(assignment.annotation))
                    names += ([dotted(value.func)] if isinstance(value, cst.Call)
                              else of(dotted(value) if value is not None else "", method.params))
        return names

    def _params(self, qualname: str):
        head, _, name = qualname.rpartition(".")
        method = (self.facts.classes[head].method(name) if head in self.facts.classes
                  else self.facts.functions.get(qualname))
        return method.params if method is not None else ()

    def _method(self, resolved, method: str) -> tuple[ModuleFacts, str] | None:
        """A project class's method (along its chain), in another module than this one."""
        if not isinstance(resolved, ClassView):
            return None
        for owner in resolved.mro:
            if owner.cls.method(method) is not None:
                if owner.facts.module == self.facts.module:
                    return None  # the module's own dispatcher: read by ``swallows``
                return owner.facts, f"{owner.cls.qualname}.{method}"
        return None

    def _scheduled(self, function: Function, call: CallFact) -> bool:
        """``asyncio.create_task(handler(event))``: handed to a scheduler, run later."""
        return any(c.method in SCHEDULERS and any(a.value is call.node or (
            isinstance(a.value, cst.Await) and a.value.expression is call.node) for a in c.args)
                   for c in function.calls)

    def _commit_swallows(self, function: Function, seen: set[int]) -> Iterator[Swallow]:
        """``def commit(self)``: a ``try`` around the dispatch whose ``except`` swallows the
        failure, and a ``.commit()`` after it that commits anyway."""
        for try_index, block in function.blocks("try"):
            dispatch = next((c for c in function.inside(try_index)
                             if c.method in self.settings.aggregate_publish_methods
                             or "dispatch" in c.method or "handle" in c.method), None)
            if dispatch is None:
                continue
            commits_after = any(is_commit(c, self.settings) and c.index >= block.end_call
                                for c in function.calls)
            for handler, except_block in function.excepts(try_index):
                if handler not in seen and commits_after and self._swallows(
                        function, handler, except_block, None):
                    seen.add(handler)
                    yield Swallow(function.qualname, except_block.node,
                                  dispatch.callee or dispatch.method)
