"""What the gate reads of a module's ``ast``: its class statements (bases as written,
marks, data shape) and what its imports bind, in one walk over its statements; and the
names its handler registrations give."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Iterator, NamedTuple

from ..analysis.vocabulary import HANDLER_DECORATORS, REGISTRY_METHODS
from ..source.modules import absolute_import


def dotted_name(node: ast.expr) -> str:
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


# fields that hold only leaves no question of the gate reads (a context, an operator)
LEAF_FIELDS = frozenset({"ctx", "op", "ops"})
_CHILDREN: dict[type, tuple[str, ...]] = {ast.Name: (), ast.Constant: ()}  # by node type


def walk(node: ast.AST) -> list[ast.AST]:
    """The nodes of a tree in the order ``ast.walk`` yields them (breadth first), less the
    leaves in ``LEAF_FIELDS``; a faster walk, without its generators."""
    found = [node]
    children = _CHILDREN
    for node in found:  # grows as it goes
        kind = type(node)
        fields = children.get(kind)
        if fields is None:
            fields = children[kind] = tuple(f for f in kind._fields if f not in LEAF_FIELDS)
        for field in fields:
            child = getattr(node, field, None)
            if type(child) is list:
                found.extend([c for c in child if isinstance(c, ast.AST)])
            elif isinstance(child, ast.AST):
                found.append(child)
    return found


def registered_names(tree: ast.AST) -> Iterator[str]:
    """The names handler registrations give as the event, as written: a registry call's
    first of two or more positional arguments (``bus.subscribe(OrderPlaced, send_mail)``),
    a handler decorator's positional arguments (``@handles(OrderPlaced)``), a mapping key
    whose value is a list, tuple or set of names (``{OrderPlaced: [send_mail]}``). A
    superset of what the collection pass records as ``facts.Registration``."""
    for node in walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            method = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            positional = [a for a in node.args if not isinstance(a, ast.Starred)]
            if method in REGISTRY_METHODS and len(positional) >= 2:
                yield dotted_name(positional[0])
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in node.decorator_list:
                if isinstance(decorator, ast.Call) and \
                        dotted_name(decorator.func).rpartition(".")[2] in HANDLER_DECORATORS:
                    yield from (dotted_name(a) for a in decorator.args)
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values):
                if key is not None and isinstance(value, (ast.List, ast.Tuple, ast.Set)) \
                        and any(dotted_name(item) for item in value.elts):
                    yield dotted_name(key)


# the statement lists of each compound statement, in the order they are walked
BODIES: dict[type, tuple[str, ...]] = {
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


def class_body(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements of a class body, in its ``if``/``try`` blocks too, not in its
    methods or nested classes."""
    for node in body:
        yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for part in BODIES.get(type(node), ()):
                yield from class_body(getattr(node, part))


class ClassHead(NamedTuple):
    """A class statement as the gate sees it (a tuple of atoms: the cyclic garbage
    collector stops tracking it, and the cached indexes of many modules cost it nothing)."""

    bases: tuple[str, ...]  # dotted as written ("" for an expression)
    marked: bool  # a correlation field or a Protean ``@<domain>.event``: an event by itself
    data: bool  # in an event module, top-level, decorated or with fields: an event


@dataclass
class ModuleIndex:
    """What the gate knows of a module: its classes (every statement defining each
    qualified name) and what its imports bind."""

    module: str
    classes: dict[str, tuple[ClassHead, ...]]
    aliases: dict[str, str]  # local name -> absolute dotted name
    stars: tuple[str, ...]  # absolute modules it star-imports from


def index_module(tree: ast.Module, module: str, is_package: bool, correlation_fields: frozenset[str],
                 event_module: bool, nodes: list[ast.ClassDef] | None = None) -> ModuleIndex:
    """The module's index; ``nodes`` receives its class statements, nested ones too."""
    builder = IndexBuilder(module, is_package, correlation_fields, event_module, nodes)
    builder.walk(tree.body, "", False)
    return ModuleIndex(module, {name: tuple(heads) for name, heads in builder.classes.items()},
                       builder.aliases, tuple(builder.stars))


class IndexBuilder:
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
        self.classes: dict[str, list[ClassHead]] = {}
        self.aliases: dict[str, str] = {}
        self.stars: list[str] = []

    def walk(self, body: list, prefix: str, nested: bool) -> None:
        for node in body:
            kind = type(node)
            if kind not in _READ:
                continue  # a simple statement that binds no class nor import
            if kind is ast.ClassDef:
                qualname = f"{prefix}{node.name}"
                if self.nodes is not None:
                    self.nodes.append(node)
                self.classes.setdefault(qualname, []).append(ClassHead(
                    tuple(dotted_name(b) for b in node.bases),
                    marked(node, self.correlation_fields),
                    self.event_module and not nested and has_data(node)))
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
                for part in BODIES.get(kind, ()):
                    self.walk(getattr(node, part), prefix, nested)


# the statements the index reads: classes, imports, and those holding statements
_READ = frozenset({ast.Import, ast.ImportFrom, *BODIES})


def has_data(node: ast.ClassDef) -> bool:
    """Decorated or with fields of its own: maybe a data class (by its bases too)."""
    return bool(node.decorator_list) or any(
        (isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name))
        or (isinstance(s, ast.Assign) and isinstance(s.value, ast.Call))  # attrs: x = attr.ib()
        for s in class_body(node.body))


def marked(node: ast.ClassDef, correlation_fields: frozenset[str]) -> bool:
    """A class that is an event by a mark of its own: a correlation field (with a data
    shape, an integration event) or Protean's ``@<domain>.event``."""
    for decorator in node.decorator_list:
        written = dotted_name(decorator.func if isinstance(decorator, ast.Call) else decorator)
        if written.endswith(".event") and written.count(".") == 1:
            return True
    return any(isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)
               and s.target.id in correlation_fields for s in node.body)
