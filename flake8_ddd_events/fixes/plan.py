"""The edits planned for one module, applied in one libcst transformation.

Fixes never edit the tree directly: each registers replacements for the nodes
a finding points at (and names it needs imported); ``Plan.apply`` runs one
transformer over the tree, so nested edits compose and every other node,
comment and blank line is printed exactly as it was.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Callable

import libcst as cst

from ..rules.rule import Context
from .edits import import_names, local_name, set_keywords
from .uses import ClassKey, ProjectUses


class Unfixable(Exception):
    """A finding the fixer leaves alone; the message says why."""


Edit = Callable[[cst.CSTNode], cst.CSTNode]

_KEYWORD_ORDER = ("frozen", "kw_only")


class Plan:
    def __init__(self, tree: cst.Module, context: Context, target_python: tuple[int, int],
                 uses: ProjectUses) -> None:
        self.tree = tree
        self.context = context
        self.project = uses  # subclasses and positional builders, across the project
        self.facts = context.facts
        self.target_python = target_python
        self.edits: dict[int, list[Edit]] = {}
        self.decorators: dict[int, tuple[cst.Decorator, dict[str, str]]] = {}
        self.additions: dict[int, tuple[cst.ImportFrom, list[tuple[str, str]]]] = {}  # (new, replacing)
        self.bound: dict[str, str] = dict(self.facts.aliases)  # local name -> qualified
        self.replaced: Counter[str] = Counter()  # local names whose uses were rewritten
        self.frozen_classes: set[ClassKey] = set()  # the classes DDD101 freezes in this run
        self.upcast_classes: set[int] = set()  # ClassDefs DDD209 gives an upcaster in this run
        self.new_imports: dict[str, list[str]] = {}  # module -> names of a new ``from … import``
        self._uses: _NameUses | None = None

    def _names(self) -> _NameUses:
        if self._uses is None:
            self._uses = _NameUses()
            self.tree.visit(self._uses)
        return self._uses

    @property
    def uses(self) -> Counter[str]:
        """How often each name is used in the module, outside import statements."""
        return self._names().uses

    # -- transactions: one finding's edits all happen, or none -----------------------
    def checkpoint(self) -> tuple:
        return (
            {k: list(v) for k, v in self.edits.items()},
            {k: (d, dict(v)) for k, (d, v) in self.decorators.items()},
            {k: (n, list(v)) for k, (n, v) in self.additions.items()},
            dict(self.bound), Counter(self.replaced),
            {k: list(v) for k, v in self.new_imports.items()})

    def restore(self, saved: tuple) -> None:
        self.edits, self.decorators, self.additions, self.bound, self.replaced, self.new_imports = saved

    # -- registering edits ------------------------------------------------------------
    def replace(self, node: cst.CSTNode, edit: Edit) -> None:
        """Rewrite ``node`` (after the edits inside it) with ``edit``."""
        self.edits.setdefault(id(node), []).append(edit)

    def decorator_keyword(self, decorator: cst.Decorator, name: str, value: str = "True") -> None:
        """Call ``decorator`` with ``name=value`` (one edit per decorator, whatever the rules)."""
        self.decorators.setdefault(id(decorator), (decorator, {}))[1][name] = value

    def binding_import(self, local: str) -> cst.ImportFrom | None:
        """The ``from … import`` statement that binds ``local``."""
        for fact in self.facts.imports:
            node = fact.node
            if isinstance(node, cst.ImportFrom) and not isinstance(node.names, cst.ImportStar):
                if any(local_name(alias) == local for alias in node.names):
                    return node
        return None

    def local_name(self, qualified: str, preferred: str, via: cst.ImportFrom | None,
                   replacing: str = "") -> str:
        """A local name for ``qualified`` (``typing.Tuple``): one the module already
        binds to it, else ``preferred`` added to the ``via`` import statement (in
        the place of ``replacing`` if that name is no longer used)."""
        for local, target in self.bound.items():
            if target == qualified and "." not in local:
                return local
        if preferred in self.bound or self.uses[preferred]:
            raise Unfixable(f"'{preferred}' already names something else in this module")
        if via is None:
            raise Unfixable(f"no 'from … import' statement to add '{preferred}' to")
        self.additions.setdefault(id(via), (via, []))[1].append((preferred, replacing))
        self.bound[preferred] = qualified
        return preferred

    def import_name(self, qualified: str) -> str:
        """How this module spells ``qualified`` (``dataclasses.field``): a name it binds
        to it, or through the module it imports (``dataclasses.field``), or a name added
        to its ``from dataclasses import …``, else to a new such statement placed after
        the module's last top-level import."""
        module, _, name = qualified.rpartition(".")
        for local, target in self.bound.items():
            if target == qualified and "." not in local:
                return local
        for local, target in self.bound.items():
            if target == module and "." not in local:
                return f"{local}.{name}"
        via = next((fact.node for fact in self.facts.imports
                    if isinstance(fact.node, cst.ImportFrom) and not fact.star
                    and not fact.node.relative and fact.modules[0] == module), None)
        if via is not None:
            return self.local_name(qualified, name, via)
        if name in self.bound or self.uses[name]:
            raise Unfixable(f"'{name}' already names something else in this module")
        if self._last_import() is None:
            raise Unfixable(f"no import statement to put 'from {module} import {name}' after")
        self.new_imports.setdefault(module, []).append(name)
        self.bound[name] = qualified
        return name

    def _last_import(self) -> cst.SimpleStatementLine | None:
        lines = [line for line in self.tree.body if isinstance(line, cst.SimpleStatementLine)
                 and any(isinstance(s, (cst.Import, cst.ImportFrom)) for s in line.body)]
        return lines[-1] if lines else None

    # -- applying ------------------------------------------------------------------------
    def apply(self, tree: cst.Module) -> cst.Module:
        edits = {key: list(value) for key, value in self.edits.items()}
        for key, (_, values) in self.decorators.items():
            ordered = dict(sorted(values.items(), key=lambda kv: _KEYWORD_ORDER.index(kv[0])))
            edits.setdefault(key, []).append(lambda node, v=ordered: set_keywords(node, v))
        unused = self._unused_after_edits()
        imports = {key: (node, names) for key, (node, names) in self.additions.items()}
        for name in unused:
            node = self.binding_import(name)
            if node is not None:
                imports.setdefault(id(node), (node, []))
        for key, (node, names) in imports.items():
            remove = [n for n in unused if self.binding_import(n) is node]
            edits.setdefault(key, []).append(
                lambda n, add=tuple(names), gone=tuple(remove): import_names(n, add, gone))
        if self.new_imports:
            new = [cst.parse_statement(f"from {module} import {', '.join(names)}\n")
                   for module, names in sorted(self.new_imports.items())]
            last = self._last_import()
            edits.setdefault(id(last), []).append(lambda line: cst.FlattenSentinel([line, *new]))
        return tree.visit(_Apply(edits))

    def _unused_after_edits(self) -> list[str]:
        """Imported names whose every use was rewritten (``List`` after ``List`` → ``Tuple``)."""
        if not self.replaced:
            return []
        strings = self._names().strings
        return [name for name, count in self.replaced.items()
                if self.uses[name] == count and not re.search(rf"\b{re.escape(name)}\b", strings)]


class _NameUses(cst.CSTVisitor):
    """How often each name is used outside import statements, and all string text."""

    def __init__(self) -> None:
        super().__init__()
        self.uses: Counter[str] = Counter()
        self.text: list[str] = []

    @property
    def strings(self) -> str:
        return "\n".join(self.text)

    def visit_Import(self, node: cst.Import) -> bool:
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        node.value.visit(self)  # ``t.Set`` does not use the name ``Set``
        return False

    def visit_Name(self, node: cst.Name) -> None:
        self.uses[node.value] += 1

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        self.text.append(node.value)

    def visit_FormattedStringText(self, node: cst.FormattedStringText) -> None:
        self.text.append(node.value)


class _Apply(cst.CSTTransformer):
    def __init__(self, edits: dict[int, list[Edit]]) -> None:
        super().__init__()
        self.edits = edits

    def on_leave(self, original_node, updated_node):
        updated = super().on_leave(original_node, updated_node)
        for edit in self.edits.get(id(original_node), ()):
            updated = edit(updated)
        return updated
