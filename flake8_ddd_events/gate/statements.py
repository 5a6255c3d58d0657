"""A module's ``ast`` as the gate's shapes read it: its statements in order (each ``for``
loop with the classes and functions around it), walked once; and what the expressions of
each statement hold (calls, ``with`` items, keywords, stored attributes), walked at the
first question about that statement. The shapes then ask about a function, a loop or a ``try``
by the range of statements under it, not by walking its nodes again
(``failure_shapes.py``, ``look.py``).

Statements hold statements only in their bodies (``BODIES``) and expressions hold no
statements, so the statements are found without walking an expression, and each
expression is walked at most once, for the statement it belongs to.
"""

from __future__ import annotations

import ast
from typing import Iterator, List, Optional, Sequence, Tuple

from .ast_index import BODIES, LEAF_FIELDS

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
# by node type: the fields that may hold nodes walked (names and constants are leaves)
_FIELDS: dict[type, Tuple[str, ...]] = {ast.Name: (), ast.Constant: ()}


def _fields(kind: type) -> Tuple[str, ...]:
    """The fields of a node type that may hold nodes walked: a statement's own
    expressions (not its bodies), every field of an expression but its leaves."""
    fields = _FIELDS.get(kind)
    if fields is None:
        bodies = BODIES.get(kind, ())
        fields = _FIELDS[kind] = tuple(f for f in kind._fields
                                       if f not in bodies and f not in LEAF_FIELDS)
    return fields


# a ``for`` loop, the names of the classes and functions around it, its innermost function
Loop = Tuple[ast.AST, Tuple[str, ...], Optional[ast.AST]]
# what the expressions of one statement hold: calls and ``with`` items, keywords, stored
# attributes (empty ones shared)
Walked = Tuple[Sequence[ast.AST], Sequence[ast.keyword], Sequence[ast.Attribute]]
_NOTHING: Walked = ((), (), ())


class Statements:
    """Every statement of a module (and ``except`` and ``case`` clauses), each before the
    statements inside it, in source order; ``end[i]``: the position after the last one
    inside ``nodes[i]``; ``loops``: each ``for`` loop with the names of the classes and
    functions around it and its innermost function (None at module level). The
    expressions of a statement are walked at the first question about them."""

    __slots__ = ("nodes", "end", "loops", "_at", "_walked", "_module")

    def __init__(self, tree: ast.Module) -> None:
        self.nodes: List[ast.AST] = []
        self.end: List[int] = []
        self.loops: List[Loop] = []
        self._at: dict[int, int] = {}  # id of a node -> its position
        self._walk(tree.body, (), None)
        self._walked: List[Walked | None] = [None] * len(self.nodes)
        self._module: Walked | None = None  # the whole module's

    def _walk(self, body: list, names: Tuple[str, ...], function: ast.AST | None) -> None:
        """Recursive: statements nest no deeper than blocks are indented (100 levels)."""
        nodes, end = self.nodes, self.end
        for node in body:
            position = len(nodes)
            self._at[id(node)] = position
            nodes.append(node)
            end.append(position + 1)
            kind = type(node)
            parts = BODIES.get(kind)
            if parts is None:
                continue
            if kind is ast.For or kind is ast.AsyncFor:
                self.loops.append((node, names, function))
                inner_names, inner_function = names, function
            elif kind is ast.ClassDef:
                inner_names, inner_function = (*names, node.name), function
            elif kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:
                inner_names, inner_function = (*names, node.name), node
            else:
                inner_names, inner_function = names, function
            for part in parts:
                self._walk(getattr(node, part), inner_names, inner_function)
            end[position] = len(nodes)

    def walked(self, position: int) -> Walked:
        """What the expressions of one statement hold (not those of the statements in it)."""
        walked = self._walked[position]
        if walked is None:
            walked = self._walked[position] = _walk_expressions(self.nodes[position])
        return walked

    def _whole(self) -> Walked:
        if self._module is None:
            every = [self.walked(i) for i in range(len(self.nodes))]
            self._module = ([n for w in every for n in w[0] if type(n) is ast.Call],
                            [n for w in every for n in w[1]], [n for w in every for n in w[2]])
        return self._module

    def all_calls(self) -> Sequence[ast.Call]:
        """Every call of the module."""
        return self._whole()[0]  # type: ignore[return-value]

    def keywords(self) -> Sequence[ast.keyword]:
        """Every keyword of the module (of calls and class statements)."""
        return self._whole()[1]

    def stored(self) -> Sequence[ast.Attribute]:
        """Every attribute assigned to (``x.done = True``, ``for x.y in``...)."""
        return self._whole()[2]

    def under(self, node: ast.AST) -> range:
        """The positions of the node and of the statements inside it."""
        at = self._at[id(node)]
        return range(at, self.end[at])

    def within(self, body: list) -> Iterator[ast.AST]:
        """The statements of ``body`` and those inside them (as ``ast.walk`` finds them,
        in another order)."""
        nodes = self.nodes
        for statement in body:
            for i in self.under(statement):
                yield nodes[i]

    def calls_in(self, body: list) -> List[ast.Call]:
        """The calls in the statements of ``body`` (as ``ast.walk`` finds them, in
        another order)."""
        return [n for n in self.under_all(body) if type(n) is ast.Call]

    def under_all(self, body: list) -> List[ast.AST]:
        """The calls and ``with`` items in the statements of ``body``."""
        walked = self.walked
        return [n for statement in body for i in self.under(statement) for n in walked(i)[0]]

    def outside_functions(self) -> List[ast.AST]:
        """The calls and ``with`` items of the module outside its functions (in class
        bodies too, not in methods)."""
        nodes, end = self.nodes, self.end
        found: List[ast.AST] = []
        i = 0
        while i < len(nodes):
            if isinstance(nodes[i], _FUNCTIONS):
                i = end[i]
            else:
                found.extend(self.walked(i)[0])
                i += 1
        return found


def _walk_expressions(statement: ast.AST) -> Walked:
    """The calls and ``with`` items, keywords and stored attributes in the expressions of
    a statement (its own fields, not its bodies), breadth first."""
    found: List[ast.AST] = []
    keywords: List[ast.keyword] = []
    stored: List[ast.Attribute] = []
    table = _FIELDS
    todo: list = [statement]
    for node in todo:  # grows as it goes
        kind = type(node)
        if kind is ast.Call or kind is ast.withitem:
            found.append(node)
        elif kind is ast.keyword:
            keywords.append(node)
        elif kind is ast.Attribute and type(node.ctx) is ast.Store:
            stored.append(node)
        fields = table.get(kind)
        for field in fields if fields is not None else _fields(kind):
            child = getattr(node, field, None)
            if type(child) is list:
                todo.extend([c for c in child if isinstance(c, ast.AST)])
            elif isinstance(child, ast.AST):
                todo.append(child)
    if not (found or keywords or stored):
        return _NOTHING
    return found, keywords, stored
