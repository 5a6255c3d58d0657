"""A module's ``ast`` as the gate's shapes read it, walked once: its statements in order,
each with the classes and functions around it, and (at the first question about calls)
the calls, ``with`` items, keywords and stored attributes of each statement's own
expressions. The shapes then ask about a function, a loop or a ``try`` by the range of
statements under it, not by walking its nodes again (``failure_shapes.py``, ``look.py``).

Statements hold statements only in their bodies (``BODIES``) and expressions hold no
statements, so the statements are found without walking an expression, and each
expression is walked once, for the statement it belongs to.
"""

from __future__ import annotations

import ast
from typing import Iterator, List, Optional, Tuple

from .ast_index import BODIES, LEAF_FIELDS

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_SCOPES = (*_FUNCTIONS, ast.ClassDef)
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


Scope = Tuple[Tuple[str, ...], Optional[ast.AST]]  # names of the classes and functions around, the innermost function


class Statements:
    """Every statement of a module (and ``except`` and ``case`` clauses), each before the
    statements inside it, in source order; ``end[i]``: the position after the last one
    inside ``nodes[i]``; ``scopes[i]``: the names of the classes and functions around it
    (itself included) and its innermost function (None at module level)."""

    __slots__ = ("nodes", "end", "scopes", "_at", "_own", "_calls", "_keywords", "_stored")

    def __init__(self, tree: ast.Module) -> None:
        self.nodes: List[ast.AST] = []
        self.end: List[int] = []
        self.scopes: List[Scope] = []
        self._at: dict[int, int] = {}  # id of a node -> its position
        # filled by ``_walk_expressions``, at the first question about calls
        self._own: List[List[ast.AST]] | None = None  # each node's calls and ``with`` items
        self._calls: List[ast.Call] = []
        self._keywords: List[ast.keyword] = []
        self._stored: List[ast.Attribute] = []
        self._walk(tree.body)

    def _walk(self, body: list) -> None:
        nodes, end, scopes, at = self.nodes, self.end, self.scopes, self._at
        stack: list = [(iter(body), (), None, -1)]  # statements left, scope, opened at
        while stack:
            remaining, names, function, opened = stack[-1]
            node = next(remaining, None)
            if node is None:
                stack.pop()
                if opened >= 0:
                    end[opened] = len(nodes)
                continue
            position = len(nodes)
            at[id(node)] = position
            nodes.append(node)
            end.append(position + 1)
            if isinstance(node, _SCOPES):
                names = (*names, node.name)
                if isinstance(node, _FUNCTIONS):
                    function = node
            scopes.append((names, function))
            parts = BODIES.get(type(node))
            if parts:
                stack.append((iter([s for part in parts for s in getattr(node, part)]),
                              names, function, position))

    def _walk_expressions(self) -> List[List[ast.AST]]:
        """Each statement's own calls and ``with`` items; the module's calls, keywords and
        stored attributes, in one walk of every expression."""
        own: List[List[ast.AST]] = []
        calls, keywords, stored, table = self._calls, self._keywords, self._stored, _FIELDS
        call, withitem, keyword, attribute, store = (ast.Call, ast.withitem, ast.keyword,
                                                     ast.Attribute, ast.Store)
        for statement in self.nodes:
            found: List[ast.AST] = []
            todo: list = [statement]
            for node in todo:  # grows as it goes, breadth first
                kind = type(node)
                if kind is call:
                    found.append(node)
                    calls.append(node)
                elif kind is withitem:
                    found.append(node)
                elif kind is keyword:
                    keywords.append(node)
                elif kind is attribute and type(node.ctx) is store:
                    stored.append(node)
                fields = table.get(kind)
                for field in fields if fields is not None else _fields(kind):
                    child = getattr(node, field, None)
                    if type(child) is list:
                        todo.extend([c for c in child if isinstance(c, ast.AST)])
                    elif isinstance(child, ast.AST):
                        todo.append(child)
            own.append(found)
        self._own = own
        return own

    def own(self) -> List[List[ast.AST]]:
        """The calls and ``with`` items of each statement's own expressions, by position."""
        return self._own if self._own is not None else self._walk_expressions()

    def all_calls(self) -> List[ast.Call]:
        """Every call of the module."""
        self.own()
        return self._calls

    def keywords(self) -> List[ast.keyword]:
        """Every keyword of the module (of calls and class statements)."""
        self.own()
        return self._keywords

    def stored(self) -> List[ast.Attribute]:
        """Every attribute assigned to (``x.done = True``, ``for x.y in``...)."""
        self.own()
        return self._stored

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
        own = self.own()
        return [n for statement in body for i in self.under(statement) for n in own[i]]

    def outside_functions(self) -> List[ast.AST]:
        """The calls and ``with`` items of the module outside its functions (in class
        bodies too, not in methods)."""
        own, nodes, end = self.own(), self.nodes, self.end
        found: List[ast.AST] = []
        i = 0
        while i < len(nodes):
            if isinstance(nodes[i], _FUNCTIONS):
                i = end[i]
            else:
                found.extend(own[i])
                i += 1
        return found
