"""The project model: what a name used in a module refers to, across modules.

Names resolve through the module's own classes and import statements; an
imported project module (under a source root) is read and collected, never
imported or executed, once per process and cached by path, size and mtime.
Anything else is an external class (known by its qualified name) or unknown.
"""

from __future__ import annotations

import builtins
import os
from dataclasses import dataclass
from functools import cached_property
from typing import Iterator, Union

from .facts import ClassFact, ModuleFacts
from .settings import Settings

MAX_MODULE_BYTES = 1_000_000
MAX_RESOLUTION_DEPTH = 24

# Libraries whose classes add no event fields: a chain ending in them is complete.
_LEAF_LIBRARIES = frozenset({
    "builtins", "typing", "typing_extensions", "abc", "enum", "dataclasses", "collections",
    "pydantic", "msgspec", "attr", "attrs", "uuid", "datetime", "decimal",
})


@dataclass(frozen=True)
class External:
    """A class from outside the project, by its qualified dotted name."""

    qualified: str

    @property
    def is_leaf(self) -> bool:
        return self.qualified.partition(".")[0] in _LEAF_LIBRARIES


@dataclass(frozen=True)
class Unknown:
    """A name that cannot be resolved: rules that need the chain stay silent."""

    name: str


Resolved = Union["ClassView", External, Unknown]


class ClassView:
    """A class together with what its bases resolve to."""

    def __init__(self, model: ProjectModel, facts: ModuleFacts, cls: ClassFact) -> None:
        self.model = model
        self.facts = facts
        self.cls = cls
        self.memo: dict[str, object] = {}  # per-class results of recognition

    def __repr__(self) -> str:
        return f"<ClassView {self.facts.module}.{self.cls.qualname}>"

    @property
    def name(self) -> str:
        return self.cls.name

    @cached_property
    def bases(self) -> tuple[Resolved, ...]:
        """Each written base, resolved in the scope the class statement runs in."""
        return tuple(self.model.resolve(self.facts, name, scope=self.cls.parent) if name
                     else Unknown("<expression>") for name in self.cls.base_names)

    def ancestors(self) -> Iterator[tuple[str, Resolved]]:
        """Every base along the chain, depth first, each once: (written name, resolution)."""
        seen = {id(self)}
        stack = [self]
        while stack:
            view = stack.pop(0)
            for written, resolved in zip(view.cls.base_names, view.bases):
                if isinstance(resolved, ClassView):
                    if id(resolved) in seen:
                        continue
                    seen.add(id(resolved))
                    stack.append(resolved)
                yield written, resolved

    @cached_property
    def mro(self) -> tuple[ClassView, ...]:
        """The project classes of the chain, self first, in C3-like order."""
        return tuple(_linearize(self, set()))

    @cached_property
    def chain_known(self) -> bool:
        """Whether every base along the chain is a project class or a leaf library class."""
        return all(isinstance(r, ClassView) or (isinstance(r, External) and r.is_leaf)
                   for _, r in self.ancestors())


def _linearize(view: ClassView, active: set[int]) -> list[ClassView]:
    if id(view) in active:
        return []
    active = active | {id(view)}
    result: list[ClassView] = [view]
    for base in view.bases:
        if isinstance(base, ClassView):
            for item in _linearize(base, active):
                if item in result:
                    result.remove(item)
                result.append(item)
    return result


class ProjectModel:
    """Reads, caches and resolves the project's modules for one process."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.roots = tuple(os.path.realpath(r) for r in settings.source_roots if os.path.isdir(r))
        self._modules: dict[str, tuple[tuple[int, int], ModuleFacts | None]] = {}

    # -- modules ---------------------------------------------------------------
    def _candidates(self, module: str) -> Iterator[str]:
        relative = module.replace(".", os.sep)
        for root in self.roots:
            yield os.path.join(root, relative + ".py")
            yield os.path.join(root, relative, "__init__.py")

    def _inside_roots(self, path: str) -> bool:
        real = os.path.realpath(path)
        return any(real.startswith(root.rstrip(os.sep) + os.sep) for root in self.roots)

    def module(self, module: str) -> ModuleFacts | None:
        """The facts of a project module, read at most once per version of the file."""
        if not module or not all(part.isidentifier() for part in module.split(".")):
            return None
        for path in self._candidates(module):
            try:
                stat = os.stat(path)
            except OSError:
                continue
            if not self._inside_roots(path):
                return None
            key = (stat.st_mtime_ns, stat.st_size)
            cached = self._modules.get(path)
            if cached is not None and cached[0] == key:
                return cached[1]
            facts = self._read(path, module, stat.st_size)
            self._modules[path] = (key, facts)
            return facts
        return None

    def _read(self, path: str, module: str, size: int) -> ModuleFacts | None:
        from .parsing import Unparsable, parse_facts

        if size > MAX_MODULE_BYTES:
            return None
        try:
            with open(path, "rb") as handle:
                data = handle.read()
            source = data.decode("utf-8-sig")
            _, facts = parse_facts(source, path, module, path.endswith("__init__.py"))
        except (OSError, UnicodeDecodeError, Unparsable):
            return None
        return facts

    # -- classes ---------------------------------------------------------------
    def view(self, facts: ModuleFacts, cls: ClassFact) -> ClassView:
        view = facts.views.get(cls.qualname)
        if view is None:
            view = facts.views[cls.qualname] = ClassView(self, facts, cls)
        return view

    def resolve(self, facts: ModuleFacts, name: str, scope: str | None = None, depth: int = 0) -> Resolved:
        """What ``name`` (dotted, as written in ``facts``' module) refers to."""
        if depth > MAX_RESOLUTION_DEPTH:
            return Unknown(name)
        while scope:
            cls = facts.classes.get(f"{scope}.{name}")
            if cls is not None:
                return self.view(facts, cls)
            scope = scope.rpartition(".")[0]
        cls = facts.classes.get(name)
        if cls is not None:
            return self.view(facts, cls)
        head = name.partition(".")[0]
        if head in facts.classes:
            return Unknown(name)  # an attribute of a local class that is not a class
        if head in facts.aliases:
            return self.resolve_qualified(facts.qualify(name), depth + 1)
        if hasattr(builtins, head):
            return External(f"builtins.{name}")
        return Unknown(name)

    def resolve_qualified(self, qualified: str, depth: int = 0) -> Resolved:
        """What an absolute dotted name refers to: a project class, or external."""
        parts = qualified.split(".")
        for split in range(len(parts) - 1, 0, -1):
            module = self.module(".".join(parts[:split]))
            if module is None:
                continue
            return self.resolve(module, ".".join(parts[split:]), depth=depth + 1)
        return External(qualified)
