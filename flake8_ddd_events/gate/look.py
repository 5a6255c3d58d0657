"""The cheap first look: can this module hold anything a selected rule checks?

No libcst here. Each rule declares in ``NEEDS`` what a module must contain for
it to have anything to say; the gate for a set of selected codes is the union
of their needs, built once per (settings, codes) from the configured names, so
a configured base name, module name or method name is never missed. A module
that fails the gate is not parsed at all.

What the needs look at:

- ``EVENTS`` / ``AGGREGATES`` / ``HANDLERS``: the class statements of flake8's
  own ``ast`` tree (already parsed, free): a base whose last dotted name is a
  configured base of that kind, or a base followed (local, imported or
  star-imported; into project modules read with ``ast``, cached per module) to
  one. For events also: a class that is an event by a mark of its own (a
  correlation field, Protean's ``@<domain>.event``), met on the way too; a data
  class in a module named like an event module (``events``, ``contracts``), or
  inheriting from one; a class named like a configured event base that has a
  data shape (a marker base has nothing to report on itself).
- text needs: words that the rule's calls must contain, e.g. a transport
  receiver, a transport method and a transaction word (or ``commit``) for
  DDD401. Matched as identifiers (``\\bpublish\\b``), receivers and
  transaction names as runs of words in any case (``SqlAlchemyUnitOfWork``
  holds ``unit_of_work``) because the rules match them so. The flow rules read
  one function at a time, so their needs (``PER_FUNCTION``) must be met by the
  calls and ``with`` items of one function (or of the code outside functions).
- ``FUNCTION_HANDLER``: a handler function may be registered (``_Registration``):
  a registry call or handler decorator by name, or a mapping entry shaped
  ``Name: [name``.
- ``DOMAIN_IMPORT``: a domain-layer module (by the module globs) that imports.
- ``STORED``: a class whose chain may reach a configured stored-event base, or any class
  in a module named like a configured stored-event module (DDD209 also opens on
  ``EVENTS``, the frameworks' events, and ``AGGREGATES``, whose ``@event`` methods and
  ``__init__`` eventsourcing turns into events).

The gate is a superset of the rules: it may let through a module where no rule
reports, never the reverse (``tests/test_gate.py``).
"""

from __future__ import annotations

import ast
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Collection, Iterator, NamedTuple

from ..cache.keys import ModuleState, digest
from ..source.files import decode_source
from ..analysis.known_bases import EVENT_BASE_PACKAGES
from ..source.modules import absolute_import, find_module_file, real_roots
from ..config.settings import Settings, with_base_variants

# -- what each rule needs ---------------------------------------------------------

EVENTS = "events"
AGGREGATES = "aggregates"
HANDLERS = "handlers"
DOMAIN_IMPORT = "domain-import"
STORED = "stored"  # a class under a stored-event base, or any class of a stored-event module
# Text needs: names of settings-derived patterns that must all be found, the rarer and
# cheaper first (a module's answer for each pattern is kept, so shared ones cost once).
NAIVE_TIMESTAMP = ("datetime", "naive-keyword")
RECORD_CALL = ("record-method",)
PUBLISH_IN_TRANSACTION = ("transport-receiver", "transport-method", "transaction")
PUBLISH_EVENT_IN_TRANSACTION = ("transport-method", "transaction", "publish-constructs")
DISPATCH_AFTER_COMMIT = ("recorded-events", "publish-method", "transaction")
CLEAR_BEFORE_DISPATCH = ("clear-method", "recorded-events", "publish-method")
MARK_BEFORE_PUBLISH = ("mark-method", "transport-method")
DELETE_BEFORE_PUBLISH = ("outbox", "transport-method")
TWO_REPOSITORIES = ("repository", "transaction", "write-method")
FUNCTION_HANDLER = ("handler-registration",)
# Needs of the flow rules, which read one function at a time (the module body is one
# too): every word must be found in the text of a single function.
PER_FUNCTION = frozenset({
    PUBLISH_IN_TRANSACTION, PUBLISH_EVENT_IN_TRANSACTION, DISPATCH_AFTER_COMMIT,
    CLEAR_BEFORE_DISPATCH, MARK_BEFORE_PUBLISH, DELETE_BEFORE_PUBLISH, TWO_REPOSITORIES})

# A rule passes the gate when any one of its needs is met. A code missing here
# is gated by nothing (the module is always parsed): tests/test_gate.py fails
# until a new rule declares its needs.
NEEDS: dict[str, tuple] = {
    "DDD000": (),  # only reported on a module that is parsed for another rule
    **{code: (EVENTS,) for code in (
        "DDD101", "DDD102", "DDD103", "DDD104", "DDD105", "DDD106", "DDD108", "DDD109", "DDD110",
        "DDD201", "DDD202", "DDD203", "DDD204", "DDD205", "DDD206", "DDD208")},
    "DDD209": (EVENTS, AGGREGATES, STORED),
    "DDD107": (EVENTS, NAIVE_TIMESTAMP),
    "DDD301": (AGGREGATES,),
    "DDD302": (AGGREGATES,),
    "DDD303": (RECORD_CALL,),
    "DDD401": (PUBLISH_IN_TRANSACTION, PUBLISH_EVENT_IN_TRANSACTION),
    "DDD402": (DISPATCH_AFTER_COMMIT,),
    "DDD403": (CLEAR_BEFORE_DISPATCH,),
    "DDD404": (HANDLERS, FUNCTION_HANDLER),
    "DDD405": (HANDLERS, FUNCTION_HANDLER),
    "DDD406": (MARK_BEFORE_PUBLISH, DELETE_BEFORE_PUBLISH),
    "DDD407": (TWO_REPOSITORIES,),
    "DDD501": (DOMAIN_IMPORT,),
}

# Handlers written as functions (docs/recognition.md, "Handlers written as functions"):
# the methods of a registry call ``bus.subscribe(OrderPlaced, send_mail)`` and the
# decorators ``@handles(OrderPlaced)`` / ``@bus.handler(OrderPlaced)``. The collection
# pass records them (``facts.Registration``); the event must resolve to an event class.
REGISTRY_METHODS = frozenset({"register", "subscribe", "add_handler", "register_handler",
                              "add_listener", "add_subscriber", "listen", "on"})
HANDLER_DECORATORS = frozenset({"handles", "handle", "handler", "subscribe", "subscribes_to",
                                "listen", "listens_to", "listener", "on", "event_handler"})
# Bases that make a class data-shaped (recognition reads them from here too).
DATA_BASES = frozenset({"BaseModel", "NamedTuple", "Struct", "TypedDict", "Record", "Schema"})
_NAIVE_CALLS = ("now", "today", "utcnow", "fromtimestamp", "utcfromtimestamp")
_RECORDED = ("events",)  # recorded_events, domain_events, events, collect_new_events, ...


class _Words:
    """Whether a source holds one of some names: a substring test first (C speed),
    then, for identifiers, a regex over the few names found."""

    def __init__(self, names: Collection[str], *, identifier: bool = True,
                 word_runs: bool = False) -> None:
        self.identifier = identifier
        self.word_runs = word_runs
        self.names = tuple(sorted(n for n in set(names) if n))
        self.variants = tuple((n, _variants(n)) for n in self.names)

    def found(self, source: str, lower: str) -> bool:
        if not self.identifier:  # any case, underscores optional (``_variants``)
            present = tuple(n for n, variants in self.variants
                            if any(v in lower for v in variants))
            return bool(present) and (not self.word_runs
                                      or _word_run_found(present, source, lower))
        present = [n for n in self.names if n in source]
        if not present:
            return False
        pattern = r"\b(?:" + "|".join(map(re.escape, present)) + r")\b"
        return re.search(pattern, source) is not None


class _KeywordCall:
    """Whether a source holds a call (``.now(``) given as the value of a keyword
    (``occurred_on=datetime.now()``): the calls are found first, then the text before
    each one is matched (a pattern that starts with the keyword would be tried at every
    character of the module)."""

    BEFORE = 400  # characters before the call where the keyword and receiver are looked for

    def __init__(self, call: str, before: str) -> None:
        self.call = re.compile(call)
        self.before = re.compile(before)

    def found(self, source: str, lower: str) -> bool:
        return any(self.before.search(source, max(0, m.start() - self.BEFORE), m.start())
                   for m in self.call.finditer(source))


class _Registration:
    """Whether a source may register a handler function (``facts.Registration``): a
    registry call with two arguments, the first a name (``subscribe(OrderPlaced, f``), a
    handler decorator called with a name (``@bus.handles(OrderPlaced``), or a mapping entry
    whose key is a name and whose value a list, tuple or set that starts with a name
    (``{OrderPlaced: [send_mail,``); comments allowed where a line may end."""

    _GAP = r"\s*(?:#[^\n]*\n\s*)*"  # white space and comments
    _NAME = r"[A-Za-z_][\w.]*"

    def __init__(self) -> None:
        gap, name = self._GAP, self._NAME
        self.pattern = re.compile("|".join((
            rf"\b(?:{_alternatives(REGISTRY_METHODS)})\s*\({gap}{name}{gap},{gap}[A-Za-z_]",
            rf"@[\w.]*\b(?:{_alternatives(HANDLER_DECORATORS)})\s*\({gap}[A-Za-z_]",
            rf"[{{,]{gap}{name}\s*:{gap}[\[({{]{gap}{name}\s*[,\]}})#]")))

    def found(self, source: str, lower: str) -> bool:
        return self.pattern.search(source) is not None


class _ConstructingCall:
    """A call of one of some methods (or functions) with an argument that is itself a
    call, ``bus.send(topic, OrderShipped(...))``: a shape of the calls of one function
    (``found_in``); the module's text says nothing of it, so ``found`` is always true."""

    def __init__(self, methods: Collection[str]) -> None:
        self.methods = frozenset(methods)

    def found(self, source: str, lower: str) -> bool:
        return True

    def found_in(self, calls: list[ast.AST]) -> bool:
        for call in calls:
            if not isinstance(call, ast.Call):
                continue
            func = call.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in self.methods and any(
                    isinstance(a.value if isinstance(a, (ast.Starred, ast.keyword)) else a,
                               ast.Call) for a in (*call.args, *call.keywords)):
                return True
        return False


def _alternatives(names: Collection[str]) -> str:
    return "|".join(map(re.escape, sorted(n for n in set(names) if n)))


def _variants(name: str) -> tuple[str, ...]:
    lowered = name.lower()
    return (lowered, lowered.replace("_", "")) if "_" in lowered else (lowered,)


_MAX_WINDOWS = 2000


def _word_run_found(names: tuple[str, ...], source: str, lower: str) -> bool:
    """Whether one of the names is in the source as a run of words: the pattern is tried
    only where a variant of a name was found (a run starts where its variant does), or
    over the whole source when its lower case does not keep the offsets (non-ASCII)."""
    pattern = _word_run_pattern(names)
    if not source.isascii():
        return pattern.search(source) is not None
    tried = 0
    for variant in {v for name in names for v in _variants(name)}:
        at = lower.find(variant)
        while at != -1:
            tried += 1
            if tried > _MAX_WINDOWS:
                return pattern.search(source) is not None
            if pattern.match(source, at, at + len(variant) + 3):
                return True
            at = lower.find(variant, at + 1)
    return False


@lru_cache(maxsize=256)
def _word_run_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    """Any of the names as a run of whole words in snake or camel case, any case
    (``self._uow``, ``SqlAlchemyUnitOfWork``, ``orders_repos``), as the flow rules
    match receivers and transaction contexts; a plural of the last word counts."""
    parts = []
    for name in names:
        words = [w for w in re.split(r"_|(?<=[a-z0-9])(?=[A-Z])", name) if w]
        last = words[-1]
        plural = f"{last[:-1]}ies" if last.endswith("y") else f"{last}s"
        body = "_*".join(f"(?i:{re.escape(w)})" for w in words[:-1])
        tail = f"(?i:{re.escape(last)}|{re.escape(plural)})"
        run = f"{body}_*{tail}" if body else tail
        parts.append(f"(?:(?<![A-Za-z])|(?=[A-Z])){run}(?![a-z])")
    return re.compile("|".join(parts))


def _text_patterns(settings: Settings) -> dict[str, _Words]:
    s = settings
    return {
        "datetime": _Words(["datetime"], identifier=False),
        # a keyword whose value is a naive datetime call (DDD107 outside events: a timestamp
        # keyword in any call, any keyword of a call that builds an event)
        "naive-keyword": _KeywordCall(
            rf"\.\s*(?:{_alternatives(_NAIVE_CALLS)})\s*\(",
            r"(?<![\w])\w+\s*=(?!=)\s*[\w.]+\Z"),
        "record-method": _Words(s.record_methods),
        "transaction": _Words([*s.transaction_contexts, "commit"], identifier=False,
                              word_runs=True),
        "transport-method": _Words(s.transport_methods),
        "transport-receiver": _Words(s.transport_receivers, identifier=False),
        # a transport method whose argument constructs a class: ``bus.send(OrderShipped(...))``
        "publish-constructs": _ConstructingCall(s.transport_methods),
        "publish-method": _Words({*s.aggregate_publish_methods, *s.transport_methods}),
        "recorded-events": _Words(_RECORDED, identifier=False),
        "clear-method": _Words(s.clear_methods),
        # a mark method that does not say "mark" (delete, remove) counts on an outbox only
        "mark-method": _Words([m for m in s.outbox_mark_methods if "mark" in m], identifier=False),
        "outbox": _Words(["outbox"] if any("mark" not in m for m in s.outbox_mark_methods)
                         else [], identifier=False),
        "write-method": _Words(s.repository_write_methods),
        "handler-registration": _Registration(),
        "repository": _Words(s.repository_receivers, identifier=False, word_runs=True),
    }


# -- reading class statements from an ast tree -----------------------------------------

def _dotted(node: ast.expr) -> str:
    """``a.b.C`` for a name or attribute chain (subscripts dropped), else ""."""
    if isinstance(node, ast.Subscript):
        node = node.value
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return ""
    parts.append(node.id)
    return ".".join(reversed(parts))


_NEWLINES = re.compile(r"\r\n|\r|\n")  # line ends as ast numbers lines

# the statement lists of each compound statement, in the order they are walked
_BODIES: dict[type, tuple[str, ...]] = {
    **{kind: ("body", "orelse") for kind in (ast.For, ast.AsyncFor, ast.While, ast.If)},
    **{kind: ("body",) for kind in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef,
                                    ast.With, ast.AsyncWith)},
    ast.Try: ("body", "orelse", "finalbody", "handlers"),
    **({ast.TryStar: ("body", "orelse", "finalbody", "handlers")}  # type: ignore[attr-defined]
       if hasattr(ast, "TryStar") else {}),
    ast.Match: ("cases",),
    ast.ExceptHandler: ("body",),
    ast.match_case: ("body",),
}


def _class_body(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements of a class body, in its ``if``/``try`` blocks too, not in its
    methods or nested classes."""
    for node in body:
        yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for part in _BODIES.get(type(node), ()):
                yield from _class_body(getattr(node, part))


def _statements(body: list[ast.stmt]) -> list[ast.stmt]:
    """Every statement, nested ones too, each before the statements inside it."""
    found: list = []
    stack = [iter(body)]
    while stack:
        for node in stack[-1]:
            parts = _BODIES.get(type(node))
            if parts is None:
                found.append(node)
                continue
            if not isinstance(node, (ast.ExceptHandler, ast.match_case)):
                found.append(node)
            inner = [child for part in parts for child in getattr(node, part)]
            stack.append(iter(inner))
            break
        else:
            stack.pop()
    return found


class _ClassHead(NamedTuple):
    """A class statement as the gate sees it (a tuple of atoms: the cyclic garbage
    collector stops tracking it, and the cached indexes of many modules cost it nothing)."""

    bases: tuple[str, ...]  # dotted as written ("" for an expression)
    marked: bool  # a correlation field or a Protean ``@<domain>.event``: an event by itself
    data: bool  # in an event module, top-level, decorated or with fields: an event


@dataclass
class _ModuleIndex:
    """What the gate knows of a module: its classes (every statement defining each
    qualified name) and what its imports bind."""

    module: str
    classes: dict[str, tuple[_ClassHead, ...]]
    aliases: dict[str, str]  # local name -> absolute dotted name
    stars: tuple[str, ...]  # absolute modules it star-imports from


def _index(tree: ast.Module, module: str, is_package: bool, correlation_fields: frozenset[str],
           event_module: bool, nodes: list[ast.ClassDef] | None = None) -> _ModuleIndex:
    """The module's index; ``nodes`` receives its class statements, nested ones too."""
    builder = _IndexBuilder(module, is_package, correlation_fields, event_module, nodes)
    builder.walk(tree.body, "", False)
    return _ModuleIndex(module, {name: tuple(heads) for name, heads in builder.classes.items()},
                        builder.aliases, tuple(builder.stars))


class _IndexBuilder:
    """One walk over a module's statements (not its expressions), in source order, as
    imports bind at run time (the later binding wins)."""

    __slots__ = ("module", "is_package", "correlation_fields", "event_module", "nodes",
                 "classes", "aliases", "stars")

    def __init__(self, module: str, is_package: bool, correlation_fields: frozenset[str],
                 event_module: bool, nodes: list[ast.ClassDef] | None) -> None:
        self.module = module
        self.is_package = is_package
        self.correlation_fields = correlation_fields
        self.event_module = event_module
        self.nodes = nodes
        self.classes: dict[str, list[_ClassHead]] = {}
        self.aliases: dict[str, str] = {}
        self.stars: list[str] = []

    def walk(self, body: list, prefix: str, nested: bool) -> None:
        for node in body:
            kind = type(node)
            if kind is ast.ClassDef:
                qualname = f"{prefix}{node.name}"
                if self.nodes is not None:
                    self.nodes.append(node)
                self.classes.setdefault(qualname, []).append(_ClassHead(
                    tuple(_dotted(b) for b in node.bases),
                    _marked(node, self.correlation_fields),
                    self.event_module and not nested and _has_data(node)))
                self.walk(node.body, f"{qualname}.", True)
            elif kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:
                self.walk(node.body, "", True)
            elif kind is ast.Import:
                for alias in node.names:
                    if alias.asname:
                        self.aliases[alias.asname] = alias.name
                    else:
                        head = alias.name.partition(".")[0]
                        self.aliases.setdefault(head, head)
            elif kind is ast.ImportFrom:
                base = absolute_import(self.module, self.is_package, node.level,
                                       node.module or "")
                for alias in node.names:
                    if alias.name == "*":
                        self.stars.append(base)
                    else:
                        self.aliases[alias.asname or alias.name] = (
                            f"{base}.{alias.name}" if base else alias.name)
            else:
                for part in _BODIES.get(kind, ()):
                    self.walk(getattr(node, part), prefix, nested)


def _has_data(node: ast.ClassDef) -> bool:
    """Decorated or with fields of its own: maybe a data class (by its bases too)."""
    return bool(node.decorator_list) or any(
        (isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name))
        or (isinstance(s, ast.Assign) and isinstance(s.value, ast.Call))  # attrs: x = attr.ib()
        for s in _class_body(node.body))


def _marked(node: ast.ClassDef, correlation_fields: frozenset[str]) -> bool:
    """A class that is an event by a mark of its own: a correlation field (with a data
    shape, an integration event) or Protean's ``@<domain>.event``."""
    for decorator in node.decorator_list:
        written = _dotted(decorator.func if isinstance(decorator, ast.Call) else decorator)
        if written.endswith(".event") and written.count(".") == 1:
            return True
    return any(isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)
               and s.target.id in correlation_fields for s in node.body)


class _ProjectIndex:
    """Project modules read with ``ast`` (never imported), cached by path, size and mtime.

    Answers one question: can the chain of bases of a class reach one of a set of
    names? Local, imported and star-imported bases are followed; with ``events``, a
    class that is an event by a mark of its own or by its module's name counts too.
    Anything unreadable answers yes.

    Every module consulted, found or not, is noted in ``consulted`` (with the state the
    result cache compares: where the file was, the digest of what was read), kept answers
    included: a gate's answer for a module rests on them, as its findings do on what the
    project model read.
    """

    MAX_DEPTH = 24

    def __init__(self, settings: Settings) -> None:
        self.roots = real_roots(settings.source_roots)
        self.correlation_fields = frozenset(settings.correlation_fields)
        self.event_modules = frozenset({*settings.domain_event_modules,
                                        *settings.integration_event_modules})
        self._modules: dict[str, tuple[tuple[int, int], _ModuleIndex | None, str | None]] = {}
        self._paths: dict[str, str | bool] = {}
        # kept answers, with the modules each rests on
        self._answers: dict[tuple[str, frozenset[str], bool], tuple[bool, frozenset[str]]] = {}
        self._cuts = 0  # searches cut short by a cycle, so far
        self._states: dict[str, ModuleState] = {}  # by module name, as last consulted
        self.consulted: set[str] = set()  # names consulted since ``consulted`` was reset

    def states(self, names: Collection[str]) -> tuple[ModuleState, ...]:
        """The states of consulted modules, as the result cache records dependencies."""
        return tuple(self._states[name] for name in sorted(names))

    def _path(self, module: str) -> str | bool:
        """The module's real path (``modules.find_module_file``, the project model's
        finder), found once per run; True when refused, False when absent."""
        found = self._paths.get(module)
        if found is None:
            found = self._paths[module] = find_module_file(module, self.roots)
        return found

    def index(self, tree: ast.Module, module: str, is_package: bool,
              nodes: list[ast.ClassDef] | None = None) -> _ModuleIndex:
        return _index(tree, module, is_package, self.correlation_fields,
                      not self.event_modules.isdisjoint(module.split(".")), nodes)

    def module(self, module: str) -> _ModuleIndex | None | bool:
        """The module's index; None when it is not a project module; True when unreadable."""
        self.consulted.add(module)
        path = self._path(module)
        if not isinstance(path, str):
            self._states[module] = (module, path, None)
            return None
        try:
            stat = os.stat(path)
        except OSError:
            self._states[module] = (module, path, None)
            return True
        key = (stat.st_mtime_ns, stat.st_size)
        cached = self._modules.get(path)
        if cached is None or cached[0] != key:
            if cached is not None:
                self._answers.clear()  # the file changed: chains through it may differ
            index = content = None
            try:
                with open(path, "rb") as handle:
                    data = handle.read()
                content = digest(data)
                tree = ast.parse(decode_source(data)[0], path)
                index = self.index(tree, module, path.endswith("__init__.py"))
            except (OSError, SyntaxError, ValueError, RecursionError):
                pass
            cached = self._modules[path] = (key, index, content)
        self._states[module] = (module, path, cached[2])
        return cached[1] if cached[1] is not None else True

    def qualified_may_match(self, qualified: str, names: frozenset[str], events: bool,
                            seen: set | None = None, depth: int = 0) -> bool:
        """Whether the class at an absolute dotted name can have one of ``names`` in its
        chain. Answers are kept (many modules ask about the same classes), unless a
        cycle cut the search short."""
        key = (qualified, names, events)
        kept = self._answers.get(key)
        if kept is not None:
            self.consulted.update(kept[1])
            return kept[0]
        if depth > self.MAX_DEPTH:
            return True
        cuts = self._cuts
        outer, self.consulted = self.consulted, set()
        try:
            answer = self._qualified_may_match(qualified, names, events, seen or set(), depth)
        finally:
            inner, self.consulted = self.consulted, outer
            outer.update(inner)
        if answer or cuts == self._cuts:
            self._answers[key] = (answer, frozenset(inner))
        return answer

    def _qualified_may_match(self, qualified: str, names: frozenset[str], events: bool,
                             seen: set, depth: int) -> bool:
        if events and qualified.partition(".")[0] in EVENT_BASE_PACKAGES:
            return True
        parts = qualified.split(".")
        for split in range(len(parts) - 1, 0, -1):
            index = self.module(".".join(parts[:split]))
            if index is None:
                continue
            if index is True:
                return True
            return self.written_may_match(index, ".".join(parts[split:]), names, events,
                                          seen, depth + 1, defined=True)
        return False

    def written_may_match(self, index: _ModuleIndex, written: str, names: frozenset[str],
                          events: bool, seen: set | None = None, depth: int = 0,
                          defined: bool = False) -> bool:
        """Whether the class a dotted name written in a module refers to can have one of
        ``names`` in its chain; ``defined``: the name is looked up as defined in (or
        imported into) that module, so the written name itself is not a base's name.
        A class met again on the way adds nothing (a cycle)."""
        if depth > self.MAX_DEPTH:
            return True
        if not defined and written.rpartition(".")[2] in names:
            return True
        seen = set() if seen is None else seen
        key = (index.module, written, names, events)
        if key in seen:
            self._cuts += 1
            return False
        seen.add(key)
        # every binding the name may have at run time counts: a class of that name
        # anywhere in the module (one in a function does not hide an import), an import
        # or a star import
        heads = index.classes.get(written, ())
        if events and any(h.marked for h in heads):
            return True
        if events and heads and not self.event_modules.isdisjoint(index.module.split(".")) \
                and any(h.data or any(self.written_may_match(index, b, DATA_BASES, False, seen,
                                                             depth + 1) for b in h.bases if b)
                        for h in heads):
            return True  # a data class in an event module is an event
        if any(self.written_may_match(index, base, names, events, seen, depth + 1)
               for head in heads for base in head.bases if base):
            return True
        head, dot, rest = written.partition(".")
        target = index.aliases.get(head)
        if target is not None:
            return self.qualified_may_match(f"{target}{dot}{rest}", names, events, seen,
                                            depth + 1)
        return any(self.qualified_may_match(f"{star}.{written}", names, events, seen, depth + 1)
                   for star in index.stars)


# -- the gate ---------------------------------------------------------------------------

@dataclass(frozen=True)
class _ClassNeed:
    names: frozenset[str]  # configured base names (last dotted part)
    events: bool  # the event extras: names, correlation fields, frameworks, event modules


class _Look:
    """One module under the gate: what has been worked out of it so far, so that each
    need is evaluated at most once and the ``ast`` work is shared between needs."""

    __slots__ = ("tree", "source", "module", "is_package", "_lower", "_classes", "_index",
                 "_functions", "_calls", "_lines", "met")

    def __init__(self, tree: ast.Module | None, source: str, module: str, is_package: bool) -> None:
        self.tree = tree
        self.source = source
        self.module = module
        self.is_package = is_package
        self._lower: str | None = None
        self._classes: list[ast.ClassDef] | None | bool = None  # False: the ast does not parse
        self._index: _ModuleIndex | None = None
        self._functions: list[tuple[str, list[ast.AST]]] | None = None
        self._calls: dict[int, tuple[str, list[ast.AST]]] = {}
        self._lines: list[str] | None = None
        self.met: dict = {}

    @property
    def lower(self) -> str:
        if self._lower is None:
            self._lower = self.source.lower()
        return self._lower

    def parses(self) -> bool:
        if self.tree is None and self._classes is None:
            try:
                self.tree = ast.parse(self.source)
            except (SyntaxError, ValueError, RecursionError):
                self._classes = False
        return self._classes is not False

    def classes(self, project: _ProjectIndex) -> list[ast.ClassDef] | bool:
        """The class statements (nested ones too); False when the source does not parse."""
        if self._classes is None and self.parses():
            self.index(project)
        return self._classes  # type: ignore[return-value]

    def index(self, project: _ProjectIndex) -> _ModuleIndex:
        """The module's own index (read with its class statements, in one walk)."""
        if self._index is None:
            assert self.tree is not None
            self._classes = []
            self._index = project.index(self.tree, self.module, self.is_package, self._classes)
        return self._index

    def functions(self) -> list[tuple[str, list[ast.AST]]]:
        """The text of each function as the flow rules group calls, with its nodes: by
        name (a superset of their grouping by qualified name; a property and its setter
        share one), from its first decorator to its end, nested functions included; and
        the lines of the calls and ``with`` items outside functions as one more (not the
        module's data and docstrings). The whole source when it does not parse."""
        if self._functions is None:
            if not self.parses():
                self._functions = [(self.source, [])]
                return self._functions
            assert self.tree is not None
            lines = self.lines()
            groups: dict[str, list[ast.AST]] = {}
            for node in _statements(self.tree.body):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    groups.setdefault(node.name, []).append(node)
            self._functions = [
                (_text(lines, [(min([n.lineno, *(d.lineno for d in n.decorator_list)]),
                                n.end_lineno) for n in nodes]), nodes)  # type: ignore[attr-defined]
                for nodes in groups.values()]
            outside = _calls(self.tree.body, False)
            text = _text(lines, _spans(outside))
            self._calls[len(self._functions)] = (text, outside)
            self._functions.append((text, []))
        return self._functions

    def has(self, words) -> bool:
        """Whether the whole source holds ``words`` (one pattern), kept per module."""
        found = self.met.get(words)
        if found is None:
            found = self.met[words] = words.found(self.source, self.lower)
        return found

    def calls(self, group: int) -> tuple[str, list[ast.AST]]:
        """The calls and ``with`` items of one group of ``functions()`` and their lines."""
        found = self._calls.get(group)
        if found is None:  # a function group (outside functions: made with the groups)
            nodes = self.functions()[group][1]
            calls = _calls(nodes, True) if nodes else []  # none when it does not parse
            found = self._calls[group] = (_text(self.lines(), _spans(calls)), calls)
        return found

    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = _NEWLINES.split(self.source)
        return self._lines


def _text(lines: list[str], spans: list[tuple[int, int]]) -> str:
    return "\n".join(line for start, end in spans for line in lines[start - 1:end])


def _calls(nodes: list, into_functions: bool) -> list[ast.AST]:
    """The calls and ``with`` items in ``nodes``, in functions too or not."""
    found = []
    stack: list[ast.AST] = list(nodes)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not into_functions:
            continue
        if isinstance(node, (ast.Call, ast.withitem)):
            found.append(node)
        stack.extend(ast.iter_child_nodes(node))
    return found


def _spans(calls: list[ast.AST]) -> list[tuple[int, int]]:
    """Their lines, in order."""
    return sorted((n.lineno, n.end_lineno) if isinstance(n, ast.Call)  # type: ignore[misc]
                  else (n.context_expr.lineno, n.context_expr.end_lineno)  # type: ignore[attr-defined]
                  for n in calls)


def _group_meets(words: tuple, calls_text: str, calls: list[ast.AST], nodes: list) -> bool:
    """Whether the calls of one function group meet every word and shape of a need (the
    group outside functions has its calls' text only, already tested)."""
    return ((not nodes or _all_found(words, calls_text))
            and all(w.found_in(calls) for w in words if isinstance(w, _ConstructingCall)))


def _naive_keyword(tree: ast.AST) -> bool:
    """Whether a keyword argument is given a ``.now()``-like call (``occurred_on=
    datetime.now()``), as DDD107 reads them outside events: ``dt = datetime.now()``
    and an example in a docstring match the text need, not this."""
    return any(type(node) is ast.keyword and node.arg is not None
               and type(node.value) is ast.Call and type(node.value.func) is ast.Attribute
               and node.value.func.attr in _NAIVE_CALLS
               for node in ast.walk(tree))


def _all_found(words: tuple[_Words, ...], text: str) -> bool:
    lower = text.lower()
    return all(w.found(text, lower) for w in words)


class Gate:
    """The selected rules' needs, ready to test modules: which of the selected codes
    can have anything to say about a module (``codes_for``), or whether any can
    (``passes``)."""

    def __init__(self, settings: Settings, codes: Collection[str]) -> None:
        self.settings = settings
        s = settings
        codes = frozenset(codes)
        # A code missing from NEEDS is gated by nothing; a code with no needs of its own
        # (DDD000) runs whenever the module is parsed for another rule.
        self.always_codes = frozenset(c for c in codes if c not in NEEDS)
        self.parsed_codes = frozenset(c for c in codes if c in NEEDS and not NEEDS[c])
        self.always = bool(self.always_codes)
        self.gated: tuple[tuple[str, tuple], ...] = tuple(
            (code, NEEDS[code]) for code in sorted(codes) if NEEDS.get(code))
        needs = {need for _, code_needs in self.gated for need in code_needs}
        kinds = {
            EVENTS: _ClassNeed(with_base_variants((*s.domain_event_bases,
                                                   *s.integration_event_bases)), True),
            AGGREGATES: _ClassNeed(with_base_variants((*s.aggregate_bases, *s.entity_bases)),
                                   False),
            HANDLERS: _ClassNeed(with_base_variants(s.handler_bases), False),
            STORED: _ClassNeed(with_base_variants(s.stored_event_bases), False),
        }
        self.stored_modules = frozenset(s.stored_event_modules)
        self.class_needs = {kind: need for kind, need in kinds.items() if kind in needs}
        patterns = _text_patterns(settings)
        self.text_needs: dict[tuple, tuple[_Words, ...]] = {
            need: tuple(patterns[key] for key in need) for need in needs if isinstance(need, tuple)}
        self.event_bases = with_base_variants((*s.domain_event_bases, *s.integration_event_bases))
        self.event_modules = frozenset({*s.domain_event_modules, *s.integration_event_modules})
        self.correlation_fields = frozenset(s.correlation_fields)
        self.project = _ProjectIndex(settings)
        self.empty = not (self.always or self.gated)
        # for ``passes``: the cheap needs first (text, then domain imports, then classes)
        self._ordered = sorted(needs, key=lambda n: (0, n) if isinstance(n, tuple)
                               else (1, ()) if n == DOMAIN_IMPORT else (2, (n,)))
        self._results: dict[frozenset[str], frozenset[str]] = {}

    def passes(self, tree: ast.Module | None, source: str, module: str,
               is_package: bool = False) -> bool:
        """False only when no selected rule can have anything to say about this module."""
        return self._any_need(_Look(tree, source, module, is_package), self._met)

    def may_pass(self, source: str, module: str, is_package: bool = False) -> bool:
        """Whether the module may pass, from its text alone: each need's words anywhere
        in it (not within one function), a class statement for a class need. A superset
        of ``passes`` that parses nothing, for the project model to decide whether the
        tree of a module it reads is worth keeping for the checker."""
        return self._any_need(_Look(None, source, module, is_package), self._may_meet)

    def _any_need(self, look: _Look, meets) -> bool:
        if self.always:
            return True
        if self.empty:
            return False
        return any(meets(need, look) for need in self._ordered)

    def _may_meet(self, need, look: _Look) -> bool:
        if isinstance(need, tuple):
            return all(look.has(w) for w in self.text_needs[need])
        if need == DOMAIN_IMPORT:
            return self._evaluate(need, look)
        return "class" in look.source

    def codes_for(self, tree: ast.Module | None, source: str, module: str,
                  is_package: bool = False) -> frozenset[str]:
        """The selected codes whose needs this module meets (each need evaluated at most
        once), the undeclared codes, and DDD000 when any other code runs; empty when the
        module need not be parsed at all. ``rests_on`` then tells the other modules
        the answer was worked out from."""
        self.project.consulted = set()
        if self.empty:
            return frozenset()
        look = _Look(tree, source, module, is_package)
        found = set(self.always_codes)
        for code, needs in self.gated:
            if any(self._met(need, look) for need in needs):
                found.add(code)
        if not found:
            return frozenset()
        found.update(self.parsed_codes)
        result = frozenset(found)
        return self._results.setdefault(result, result)  # one set object per combination

    def rests_on(self) -> tuple[ModuleState, ...]:
        """The project modules the last ``codes_for`` consulted, in the states it read
        them (the result cache keeps an answer only while they stay so)."""
        return self.project.states(self.project.consulted)

    def _met(self, need, look: _Look) -> bool:
        met = look.met.get(need)
        if met is None:
            met = look.met[need] = self._evaluate(need, look)
        return met

    def _evaluate(self, need, look: _Look) -> bool:
        if isinstance(need, tuple):
            words = self.text_needs[need]
            if not all(look.has(w) for w in words):
                return False
            if need == NAIVE_TIMESTAMP:  # the text can be a statement, a docstring
                return not look.parses() or _naive_keyword(look.tree)
            return need not in PER_FUNCTION or any(
                _all_found(words, text) and _group_meets(words, *look.calls(i), nodes)
                for i, (text, nodes) in enumerate(look.functions()))
        if need == DOMAIN_IMPORT:
            return "import" in look.source and self.settings.is_domain_module(look.module)
        kind = self.class_needs[need]
        if "class" not in look.source:
            return False
        if need == STORED and not self.stored_modules.isdisjoint(look.module.split(".")):
            return True
        if not kind.names and not kind.events:
            return False  # no stored-event base configured
        classes = look.classes(self.project)
        if classes is False:
            return True  # let the parser say why (DDD000)
        return self._classes_may_match(classes, look, kind)

    def _classes_may_match(self, classes: list[ast.ClassDef], look: _Look, need: _ClassNeed) -> bool:
        index = look.index(self.project)
        event_module = need.events and not self.event_modules.isdisjoint(look.module.split("."))
        for node in classes:
            if need.events and (_marked(node, self.correlation_fields) or (
                    node.name in self.event_bases
                    and (self._may_be_data(node, index) or _is_abstract(node)))):
                return True  # a marker base (no data shape) has nothing to report on itself
            if event_module and self._may_be_data(node, index):
                return True  # a data class in an event module is an event
            for base in node.bases:
                written = _dotted(base)
                if written and self.project.written_may_match(index, written, need.names,
                                                              need.events):
                    return True
        return False

    def _may_be_data(self, node: ast.ClassDef, index: _ModuleIndex) -> bool:
        """Whether recognition may find the class data-shaped: decorated, with fields,
        or with a data base (pydantic, NamedTuple, …) along its chain."""
        return _has_data(node) or any(
            self.project.written_may_match(index, written, DATA_BASES, False)
            for written in map(_dotted, node.bases) if written)


def _is_abstract(node: ast.ClassDef) -> bool:
    """An ``ABC`` base or an abstract method: a class meant to be inherited."""
    return any(_dotted(b).rpartition(".")[2] == "ABC" for b in node.bases) or any(
        _dotted(d.func if isinstance(d, ast.Call) else d).rpartition(".")[2] == "abstractmethod"
        for item in node.body if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
        for d in item.decorator_list)


def gate_for(settings: Settings, codes: frozenset[str]) -> Gate:
    """The gate for these settings and selected codes (built once per process;
    source roots are relative to the working folder)."""
    return _gate_for(settings, codes, os.getcwd())


@lru_cache(maxsize=16)
def _gate_for(settings: Settings, codes: frozenset[str], cwd: str) -> Gate:
    return Gate(settings, codes)


def may_hold_findings(source: str, module: str, settings: Settings,
                      codes: Collection[str] | None = None, tree: ast.Module | None = None,
                      is_package: bool = False) -> bool:
    """False only when no selected rule (all rules when ``codes`` is None) can
    have anything to say about this source."""
    if codes is None:
        codes = frozenset(NEEDS)
    return gate_for(settings, frozenset(codes)).passes(tree, source, module, is_package)


def codes_for(source: str, module: str, settings: Settings, codes: Collection[str] | None = None,
              tree: ast.Module | None = None, is_package: bool = False) -> frozenset[str]:
    """The selected codes (all when ``codes`` is None) that can have anything to say
    about this source: the rules to run on it (empty: do not parse it)."""
    if codes is None:
        codes = frozenset(NEEDS)
    return gate_for(settings, frozenset(codes)).codes_for(tree, source, module, is_package)


def needs_of(code: str) -> tuple | None:
    """What a rule needs of a module to pass the gate (None: not declared)."""
    return NEEDS.get(code)
