"""The project's modules as the gate reads them (``ast``, never imported), through the
run's source files: can the chain of bases of a class reach one of a set of names?"""

from __future__ import annotations

import ast
from typing import Collection, NamedTuple

from ..analysis.known_bases import EVENT_BASE_PACKAGES
from ..analysis.vocabulary import DATA_BASES
from ..config.settings import Settings
from ..source.store import ModuleState, SourceFiles, Stamp, text_digest
from .ast_index import ModuleIndex, index_module


class Indexed(NamedTuple):
    """A module's file as the index read it."""

    stamp: Stamp
    index: ModuleIndex | None  # None: it cannot be parsed
    digest: str | None  # of the content


class Answer(NamedTuple):
    """Whether a class may have a name in its chain, and the modules that answer read."""

    may_match: bool
    consulted: frozenset[str]


class ProjectIndex:
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

    def __init__(self, settings: Settings, files: SourceFiles) -> None:
        self.files = files
        self.correlation_fields = frozenset(settings.correlation_fields)
        self.event_modules = frozenset({*settings.domain_event_modules,
                                        *settings.integration_event_modules})
        self._modules: dict[str, Indexed] = {}
        # the modules checked so far, by name: whether a package, the digest of their text,
        # their index (made of flake8's tree): a module checked before one that imports it
        # is not parsed again when its file holds the same text
        self._checked: dict[str, tuple[bool, str, ModuleIndex]] = {}
        # kept answers, with the modules each rests on
        self._answers: dict[tuple[str, frozenset[str], bool], Answer] = {}
        self._cuts = 0  # searches cut short by a cycle, so far
        self._states: dict[str, ModuleState] = {}  # by module name, as last consulted
        self.consulted: set[str] = set()  # names consulted since ``consulted`` was reset

    def states(self, names: Collection[str]) -> tuple[ModuleState, ...]:
        """The states of consulted modules, as the result cache records dependencies."""
        return tuple(self._states[name] for name in sorted(names))

    def index(self, tree: ast.Module, module: str, is_package: bool,
              nodes: list[ast.ClassDef] | None = None) -> ModuleIndex:
        return index_module(tree, module, is_package, self.correlation_fields,
                            not self.event_modules.isdisjoint(module.split(".")), nodes)

    def checked(self, tree: ast.Module, source: str, module: str, is_package: bool,
                nodes: list[ast.ClassDef]) -> ModuleIndex:
        """The index of the module being checked (``tree`` is its ``source`` parsed), kept
        for the modules that import it."""
        index = self.index(tree, module, is_package, nodes)
        self._checked[module] = (is_package, text_digest(source), index)
        return index

    def _parsed(self, module: str, path: str, text: str) -> ModuleIndex:
        """The index of a module's file: the one kept when the module was checked with the
        same text (the same tree, so the same index), else made of the text parsed."""
        is_package = path.endswith("__init__.py")
        kept = self._checked.get(module)
        if kept is not None and kept[0] == is_package and kept[1] == text_digest(text):
            return kept[2]
        return self.index(ast.parse(text, path), module, is_package)

    def module(self, module: str) -> ModuleIndex | None | bool:
        """The module's index; None when it is not a project module; True when unreadable."""
        self.consulted.add(module)
        path = self.files.find(module)
        if not isinstance(path, str):
            self._states[module] = (module, path, None)
            return None
        file = self.files.file(path)
        if file is None:
            self._states[module] = (module, path, None)
            return True
        cached = self._modules.get(path)
        if cached is None or cached.stamp != file.stamp:
            if cached is not None:
                self._answers.clear()  # the file changed: chains through it may differ
            index = None
            try:
                index = self._parsed(module, path, file.text)
            except (OSError, SyntaxError, ValueError, RecursionError):
                pass
            cached = self._modules[path] = Indexed(file.stamp, index, file.digest)
        self._states[module] = (module, path, cached.digest)
        return cached.index if cached.index is not None else True

    def qualified_may_match(self, qualified: str, names: frozenset[str], events: bool,
                            seen: set | None = None, depth: int = 0) -> bool:
        """Whether the class at an absolute dotted name can have one of ``names`` in its
        chain. Answers are kept (many modules ask about the same classes), unless a
        cycle cut the search short."""
        key = (qualified, names, events)
        kept = self._answers.get(key)
        if kept is not None:
            self.consulted.update(kept.consulted)
            return kept.may_match
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
            self._answers[key] = Answer(answer, frozenset(inner))
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

    def written_may_match(self, index: ModuleIndex, written: str, names: frozenset[str],
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
