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
- ``FUNCTION_HANDLER``: a handler function may be registered (``text.Registration``):
  a registry call or handler decorator by name, or a mapping entry shaped
  ``Name: [name``; then, in the ``ast``, a name a registration gives as the event
  (``ast_index.registered_names``) must lead to a class that may be an event, as a base
  must for ``EVENTS`` (``selector.register(fd, EVENT_READ, callback)`` registers no
  event, nor does an f-string's ``, value:{self._value}``).
- ``RELAY``, ``HANDLER_LOOP``, ``COMMIT_SWALLOWS_DISPATCH`` (DDD408, DDD409): after their
  words, the loop and ``try`` their rules read, in the ``ast`` (``failure_shapes.py``): a
  loop named for a relay that calls a publish or a function of the module, in a module that
  marks something done; a loop named for handlers that calls one inside a ``try`` with a
  broad ``except``, or a ``commit`` whose broad ``except`` wraps its dispatch.
- ``DOMAIN_IMPORT``: a domain-layer module (by the module globs) that imports.
- ``STORED``: a class whose chain may reach a configured stored-event base, or any class
  in a module named like a configured stored-event module (DDD209 also opens on
  ``EVENTS``, the frameworks' events, and ``AGGREGATES``, whose ``@event`` methods and
  ``__init__`` eventsourcing turns into events).

The gate is a superset of the rules: it may let through a module where no rule
reports, never the reverse (``tests/gate/test_gate.py``).

Beside this module: ``needs.py`` (the table), ``text.py`` (the text matchers),
``failure_shapes.py`` (the failure rules' loops and tries), ``statements.py`` (a
module's statements and their expressions, walked once for the shapes),
``ast_index.py`` (a module's class statements and imports), ``project_index.py``
(other project modules, read through the run's source files).
"""

from __future__ import annotations

import ast
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Collection

from ..analysis.vocabulary import DATA_BASES, is_abstract
from ..config.settings import Settings, with_base_variants
from ..source.store import ModuleState, SourceFiles
from .ast_index import ModuleIndex, dotted_name, has_data, marked, registered_names
from .failure_shapes import may_dispatch_in_transaction, may_relay, may_swallow_handler_failure
from .needs import (AGGREGATES, COMMIT_SWALLOWS_DISPATCH, DISPATCH_IN_TRANSACTION,
                    DOMAIN_IMPORT, EVENTS, FUNCTION_HANDLER, HANDLER_LOOP, HANDLERS,
                    NAIVE_TIMESTAMP, NEEDS, RELAY, STORED, Need, TextNeed)
from .project_index import ProjectIndex
from .statements import Statements
from .text import NAIVE_CALLS, ConstructingCall, Words, text_patterns

_NEWLINES = re.compile(r"\r\n|\r|\n")  # line ends as ast numbers lines


@dataclass(frozen=True)
class _ClassNeed:
    names: frozenset[str]  # configured base names (last dotted part)
    events: bool  # the event extras: names, correlation fields, frameworks, event modules


class _Look:
    """One module under the gate: what has been worked out of it so far, so that each
    need is evaluated at most once and the ``ast`` work is shared between needs."""

    __slots__ = ("tree", "source", "module", "is_package", "_lower", "_classes", "_index",
                 "_statements", "_functions", "_calls", "_lines", "met")

    def __init__(self, tree: ast.Module | None, source: str, module: str, is_package: bool) -> None:
        self.tree = tree
        self.source = source
        self.module = module
        self.is_package = is_package
        self._lower: str | None = None
        self._classes: list[ast.ClassDef] | None | bool = None  # False: the ast does not parse
        self._index: ModuleIndex | None = None
        self._statements: Statements | None = None
        self._functions: list[tuple[_Text, list[ast.AST]]] | None = None
        self._calls: dict[int, tuple[_Text, list[ast.AST]]] = {}
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

    def classes(self, project: ProjectIndex) -> list[ast.ClassDef] | bool:
        """The class statements (nested ones too); False when the source does not parse."""
        if self._classes is None and self.parses():
            self.index(project)
        return self._classes  # type: ignore[return-value]

    def index(self, project: ProjectIndex) -> ModuleIndex:
        """The module's own index (read with its class statements, in one walk)."""
        if self._index is None:
            assert self.tree is not None
            self._classes = []
            self._index = project.checked(self.tree, self.source, self.module, self.is_package,
                                          self._classes)
        return self._index

    def statements(self) -> Statements:
        """The module's statements and their calls, for the ``ast`` shapes (it parses)."""
        if self._statements is None:
            assert self.tree is not None
            self._statements = Statements(self.tree)
        return self._statements

    def functions(self) -> list[tuple[_Text, list[ast.AST]]]:
        """The text of each function as the flow rules group calls, with its nodes: by
        name (a superset of their grouping by qualified name; a property and its setter
        share one), from its first decorator to its end, nested functions included; and
        the lines of the calls and ``with`` items outside functions as one more (not the
        module's data and docstrings). The whole source when it does not parse."""
        if self._functions is None:
            if not self.parses():
                self._functions = [(_Text(self.source), [])]
                return self._functions
            lines = self.lines()
            statements = self.statements()
            groups: dict[str, list[ast.AST]] = {}
            for node in statements.nodes:
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    groups.setdefault(node.name, []).append(node)
            self._functions = [
                (_text(lines, [(min([n.lineno, *(d.lineno for d in n.decorator_list)]),
                                n.end_lineno) for n in nodes]), nodes)  # type: ignore[attr-defined]
                for nodes in groups.values()]
            outside = statements.outside_functions()
            text = _text(lines, _spans(outside))  # one text for the group and its calls
            self._calls[len(self._functions)] = (text, outside)
            self._functions.append((text, []))
        return self._functions

    def has(self, words) -> bool:
        """Whether the whole source holds ``words`` (one pattern), kept per module."""
        found = self.met.get(words)
        if found is None:
            found = self.met[words] = words.found(self.source, self.lower)
        return found

    def calls(self, group: int) -> tuple[_Text, list[ast.AST]]:
        """The calls and ``with`` items of one group of ``functions()`` and their lines."""
        found = self._calls.get(group)
        if found is None:  # a function group (outside functions: made with the groups)
            nodes = self.functions()[group][1]
            calls = self.statements().under_all(nodes) if nodes else []  # none: no parse
            found = self._calls[group] = (_text(self.lines(), _spans(calls)), calls)
        return found

    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = _NEWLINES.split(self.source)
        return self._lines


class _Text:
    """The text of a function group or of its calls, and which words it holds, kept (the
    flow needs share words)."""

    __slots__ = ("text", "_lower", "_found")

    def __init__(self, text: str) -> None:
        self.text = text
        self._lower: str | None = None
        self._found: dict = {}

    def holds(self, words: tuple[Words, ...]) -> bool:
        return all(self._has(w) for w in words)

    def _has(self, words: Words) -> bool:
        found = self._found.get(words)
        if found is None:
            if self._lower is None:
                self._lower = self.text.lower()
            found = self._found[words] = words.found(self.text, self._lower)
        return found


def _text(lines: list[str], spans: list[tuple[int, int]]) -> _Text:
    return _Text("\n".join(line for start, end in spans for line in lines[start - 1:end]))


def _spans(calls: list[ast.AST]) -> list[tuple[int, int]]:
    """Their lines, in order."""
    return sorted((n.lineno, n.end_lineno) if isinstance(n, ast.Call)  # type: ignore[misc]
                  else (n.context_expr.lineno, n.context_expr.end_lineno)  # type: ignore[attr-defined]
                  for n in calls)


def _group_meets(words: tuple[Words, ...], calls_text: _Text, calls: list[ast.AST],
                 nodes: list) -> bool:
    """Whether the calls of one function group meet every word and shape of a need (the
    group outside functions has its calls' text only, already tested)."""
    return ((not nodes or calls_text.holds(words))
            and all(w.found_in(calls) for w in words if isinstance(w, ConstructingCall)))


def _naive_keyword(statements: Statements) -> bool:
    """Whether a keyword argument is given a ``.now()``-like call (``occurred_on=
    datetime.now()``), as DDD107 reads them outside events: ``dt = datetime.now()``
    and an example in a docstring match the text need, not this."""
    return any(node.arg is not None and type(node.value) is ast.Call
               and type(node.value.func) is ast.Attribute and node.value.func.attr in NAIVE_CALLS
               for node in statements.keywords())


class Gate:
    """The selected rules' needs, ready to test modules: which of the selected codes
    can have anything to say about a module (``codes_for``), or whether any can
    (``passes``)."""

    def __init__(self, settings: Settings, codes: Collection[str],
                 files: SourceFiles | None = None) -> None:
        self.settings = settings
        s = settings
        codes = frozenset(codes)
        # A code missing from NEEDS is gated by nothing; a code with no needs of its own
        # (DDD000) runs whenever the module is parsed for another rule.
        self.always_codes = frozenset(c for c in codes if c not in NEEDS)
        self.parsed_codes = frozenset(c for c in codes if c in NEEDS and not NEEDS[c])
        self.always = bool(self.always_codes)
        self.gated: tuple[tuple[str, tuple[Need, ...]], ...] = tuple(
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
        patterns = text_patterns(settings)
        self.text_needs: dict[TextNeed, tuple[Words, ...]] = {
            need: tuple(patterns[key] for key in need.words) for need in needs
            if isinstance(need, TextNeed)}
        self.event_bases = with_base_variants((*s.domain_event_bases, *s.integration_event_bases))
        self.event_modules = frozenset({*s.domain_event_modules, *s.integration_event_modules})
        self.correlation_fields = frozenset(s.correlation_fields)
        self.project = ProjectIndex(
            settings, files if files is not None else SourceFiles(settings.source_roots))
        self.empty = not (self.always or self.gated)
        # for ``passes``: the cheap needs first (text, then domain imports, then classes)
        self._ordered = sorted(needs, key=lambda n: (0, n) if isinstance(n, TextNeed)
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

    def _may_meet(self, need: Need, look: _Look) -> bool:
        if isinstance(need, TextNeed):
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

    def _met(self, need: Need, look: _Look) -> bool:
        met = look.met.get(need)
        if met is None:
            met = look.met[need] = self._evaluate(need, look)
        return met

    def _evaluate(self, need: Need, look: _Look) -> bool:
        if isinstance(need, TextNeed):
            words = self.text_needs[need]
            if not all(look.has(w) for w in words):
                return False
            if need == NAIVE_TIMESTAMP:  # the text can be a statement, a docstring
                return not look.parses() or _naive_keyword(look.statements())
            if need == FUNCTION_HANDLER:  # the text can be a string, a call of another kind
                return not look.parses() or self._registers_event(look)
            if look.parses() and not self._failure_shape(need, look):
                return False  # words of a relay or a handler loop, not their loop and try
            return not need.per_function or any(
                text.holds(words) and _group_meets(words, *look.calls(i), nodes)
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

    def _failure_shape(self, need: TextNeed, look: _Look) -> bool:
        """The ``ast`` shape the failure rules need (``failure_shapes``); True for the rest."""
        if need == RELAY:
            return may_relay(look.statements(), look.lines(), self.settings)
        if need in (HANDLER_LOOP, COMMIT_SWALLOWS_DISPATCH):
            return may_swallow_handler_failure(look.statements(), look.lines(), self.settings)
        if need == DISPATCH_IN_TRANSACTION:
            return may_dispatch_in_transaction(look.statements(), look.lines(), self.settings)
        return True

    def _classes_may_match(self, classes: list[ast.ClassDef], look: _Look, need: _ClassNeed) -> bool:
        index = look.index(self.project)
        event_module = need.events and not self.event_modules.isdisjoint(look.module.split("."))
        for node in classes:
            if need.events and (marked(node, self.correlation_fields) or (
                    node.name in self.event_bases
                    and (self._may_be_data(node, index) or _is_abstract(node)))):
                return True  # a marker base (no data shape) has nothing to report on itself
            if event_module and self._may_be_data(node, index):
                return True  # a data class in an event module is an event
            for base in node.bases:
                written = dotted_name(base)
                if written and self.project.written_may_match(index, written, need.names,
                                                              need.events):
                    return True
        return False

    def _registers_event(self, look: _Look) -> bool:
        """Whether a name a registration gives (``registered_names``) may be an event
        class: named like a configured event base, or a class of the module or imported
        whose chain may reach one, or an event by a mark of its own or its module's name."""
        index = look.index(self.project)
        assert look.tree is not None
        return any(self.project.written_may_match(index, written, self.event_bases, True)
                   for written in dict.fromkeys(registered_names(look.tree)) if written)

    def _may_be_data(self, node: ast.ClassDef, index: ModuleIndex) -> bool:
        """Whether recognition may find the class data-shaped: decorated, with fields,
        or with a data base (pydantic, NamedTuple, …) along its chain."""
        return has_data(node) or any(
            self.project.written_may_match(index, written, DATA_BASES, False)
            for written in map(dotted_name, node.bases) if written)


def _is_abstract(node: ast.ClassDef) -> bool:
    return is_abstract(map(dotted_name, node.bases), (
        dotted_name(d.func if isinstance(d, ast.Call) else d)
        for item in node.body if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
        for d in item.decorator_list))


def gate_for(settings: Settings, codes: frozenset[str], files: SourceFiles | None = None) -> Gate:
    """The gate for these settings and selected codes, reading project modules through
    ``files`` (the run's, shared with the project model; the gate's own when None). Built
    once per process; source roots are relative to the working folder."""
    return _gate_for(settings, codes, os.getcwd(), files)


@lru_cache(maxsize=16)
def _gate_for(settings: Settings, codes: frozenset[str], cwd: str, files: SourceFiles | None) -> Gate:
    return Gate(settings, codes, files)


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
