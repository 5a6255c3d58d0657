"""Placing findings: the ``ast`` positions of the libcst nodes the rules reported.

Placing a finding needs the line (and column) of a libcst node. libcst computes
positions by regenerating the whole module's code, which costs about twice the
parse; instead the reported nodes are matched with the nodes of the ``ast`` tree
that flake8 has already parsed (statements by their order in the tree, calls by
their order in the source, arguments inside their call), and only a node that
cannot be matched so falls back to one libcst position pass.
"""

from __future__ import annotations

import ast
import re
from typing import Any, Iterator, NamedTuple


class Report(NamedTuple):
    """A placed finding; ``message`` starts with the code, as flake8 shows it."""

    line: int
    column: int
    code: str
    message: str


def place(cst_tree, facts, source: str, tree: ast.AST | None, found) -> list[Report]:
    """The reports of the rules' findings (``found``: (libcst node, code, message)), one
    per line and code (the first), in order. ``tree`` is the module's ``ast`` (flake8's),
    parsed here when needed and not given. Raises RecursionError on a tree nested too
    deeply for libcst's position pass."""
    reports = {(r.line, r.code): r for r in reversed(list(_place(cst_tree, facts, source, tree, found)))}
    return sorted(reports.values())


def _place(cst_tree, facts, source: str, tree: ast.AST | None, found) -> Iterator[Report]:
    """Lines and columns for the reported nodes: from the ast where they can be matched,
    else from one libcst position pass."""
    placer = _AstPlacer(cst_tree, facts, source, tree)
    positions = None
    for node, code, message in found:
        place = placer.position(node)
        if place is None:
            if positions is None:
                from libcst.metadata import MetadataWrapper, PositionProvider

                positions = MetadataWrapper(cst_tree, unsafe_skip_copy=True).resolve(PositionProvider)
            start = positions[node].start
            place = (start.line, start.column)
        yield Report(place[0], place[1], code, f"{code} {message}")


_NEWLINES = re.compile(r"\r\n|\r|\n")


class _AstPlacer:
    """Positions of libcst nodes read from the matching ``ast`` nodes."""

    def __init__(self, cst_tree, facts, source: str, tree: ast.AST | None) -> None:
        self.cst_tree = cst_tree
        self.facts = facts
        self.source = source
        self._tree = tree
        self._statements: dict[int, ast.AST] | None = None
        self._calls: dict[int, ast.Call] | None = None
        self._args: dict[int, ast.AST] | None = None
        self._lines: list[str] | None = None

    # -- the ast -----------------------------------------------------------------------
    def tree(self) -> ast.AST | None:
        if self._tree is None:
            try:
                self._tree = ast.parse(self.source)
            except (SyntaxError, ValueError, RecursionError):
                self._tree = False  # type: ignore[assignment]
        return self._tree or None

    def column(self, line: int, byte_offset: int) -> int:
        """ast columns count UTF-8 bytes; libcst's (and flake8's) count characters."""
        if self._lines is None:
            self._lines = _NEWLINES.split(self.source)
        text = self._lines[line - 1] if 0 < line <= len(self._lines) else ""
        if text.isascii():
            return byte_offset
        return len(text.encode("utf-8")[:byte_offset].decode("utf-8", "replace"))

    def at(self, node: ast.AST) -> tuple[int, int]:
        return node.lineno, self.column(node.lineno, node.col_offset)  # type: ignore[attr-defined]

    # -- matching ----------------------------------------------------------------------
    def position(self, node: Any) -> tuple[int, int] | None:
        import libcst as cst

        if isinstance(node, cst.Call):
            match = self.calls().get(id(node))
            return self.at(match) if match is not None else None
        if isinstance(node, cst.Decorator):
            statements = self.statements()
            match = statements.get(id(node)) if statements else None
            if match is None:
                return None
            line = match.lineno  # type: ignore[attr-defined]
            text = self.column_text(line)
            return line, len(text) - len(text.lstrip())
        if isinstance(node, (cst.BaseStatement, cst.BaseSmallStatement, cst.ExceptHandler)):
            statements = self.statements()
            match = statements.get(id(node)) if statements else None
            return self.at(match) if match is not None else None
        match = self.args().get(id(node))
        return self.at(match) if match is not None else None

    def column_text(self, line: int) -> str:
        if self._lines is None:
            self._lines = _NEWLINES.split(self.source)
        return self._lines[line - 1] if 0 < line <= len(self._lines) else ""

    def statements(self) -> dict[int, ast.AST]:
        """libcst statement (and decorator) ids -> ast nodes, matched in tree order."""
        if self._statements is None:
            self._statements = {}
            tree = self.tree()
            if tree is not None:
                cst_nodes = list(_cst_statements(self.cst_tree.body))
                ast_nodes = list(_ast_statements(tree.body))  # type: ignore[attr-defined]
                if len(cst_nodes) == len(ast_nodes) and all(
                        _same_kind(c, a) for c, a in zip(cst_nodes, ast_nodes)):
                    for c, a in zip(cst_nodes, ast_nodes):
                        self._statements[id(c)] = a
                        decorators = getattr(c, "decorators", ())
                        if decorators and len(decorators) == len(a.decorator_list):
                            for d, e in zip(decorators, a.decorator_list):
                                self._statements[id(d)] = e
        return self._statements

    def calls(self) -> dict[int, ast.Call]:
        """libcst call ids -> ast calls, matched by their order in the source."""
        if self._calls is None:
            self._calls = {}
            tree = self.tree()
            if tree is not None:
                ast_calls = sorted(_ast_calls(tree),
                                   key=lambda n: (n.lineno, n.col_offset,
                                                  -(n.end_lineno or 0), -(n.end_col_offset or 0)))
                cst_calls = self.facts.calls
                if len(ast_calls) == len(cst_calls):
                    self._calls = {id(c.node): a for c, a in zip(cst_calls, ast_calls)}
        return self._calls

    def args(self) -> dict[int, ast.AST]:
        """Argument values of calls (``default_factory=datetime.utcnow``) -> ast values."""
        if self._args is None:
            self._args = {}
            calls = self.calls()
            for fact in self.facts.calls:
                match = calls.get(id(fact.node))
                if match is None:
                    continue
                positional = iter(match.args)
                keywords = {k.arg: k.value for k in match.keywords if k.arg}
                double = iter(k.value for k in match.keywords if k.arg is None)
                for arg in fact.args:
                    if arg.keyword is not None:
                        value = keywords.get(arg.keyword.value)
                    elif arg.star == "**":
                        value = next(double, None)
                    else:
                        value = next(positional, None)
                        if isinstance(value, ast.Starred):
                            value = value.value
                    if value is not None:
                        self._args[id(arg.value)] = value
        return self._args


def _ast_calls(tree: ast.AST) -> list[ast.Call]:
    """Every call in the tree (``ast.walk`` does the same, slower): each node type's
    fields are read by name (``ctx`` left out: a ``Load`` on every name is no place for
    a call), and anything that is not a node (a string, None) has no fields."""
    calls = []
    stack = [tree]
    pop, push, extend = stack.pop, stack.append, stack.extend
    fields = _AST_FIELDS
    while stack:
        node = pop()
        kind = type(node)
        if kind is ast.Call:
            calls.append(node)
        names = fields.get(kind)
        if names is None:
            names = fields[kind] = tuple(f for f in kind._fields if f != "ctx") \
                if issubclass(kind, ast.AST) else ()
        for name in names:
            value = getattr(node, name, None)
            if type(value) is list:
                extend(value)
            elif isinstance(value, ast.AST):
                push(value)
    return calls


_AST_FIELDS: dict[type, tuple[str, ...]] = {}


def _same_kind(cst_node, ast_node) -> bool:
    name = type(ast_node).__name__
    if name == "ExceptHandler":  # ``except*`` too: libcst's ExceptStarHandler
        return type(cst_node).__name__ in ("ExceptHandler", "ExceptStarHandler")
    return type(cst_node).__name__ == _AST_NAMES.get(name, name)


# ast statements whose libcst node is named differently
_AST_NAMES = {"AsyncFunctionDef": "FunctionDef", "AsyncFor": "For", "AsyncWith": "With"}


def _cst_statements(body) -> Iterator[Any]:
    """libcst statements in source order: small statements one by one, compound ones
    followed by their bodies (``elif`` as a nested ``If``, like ast)."""
    import libcst as cst

    for statement in body:
        if isinstance(statement, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            yield from statement.body
            continue
        yield statement
        yield from _cst_blocks(statement)


def _cst_blocks(statement) -> Iterator[Any]:
    import libcst as cst

    if not isinstance(statement, cst.Match):  # a match has cases, no body
        yield from _cst_block(statement.body)
    for handler in getattr(statement, "handlers", ()):
        yield handler  # ``except``: DDD408 and DDD409 report there
        yield from _cst_block(handler.body)
    for case in getattr(statement, "cases", ()):
        yield from _cst_block(case.body)
    orelse = getattr(statement, "orelse", None)
    if isinstance(orelse, cst.If):
        yield orelse
        yield from _cst_blocks(orelse)
    elif orelse is not None:
        yield from _cst_block(orelse.body)
    final = getattr(statement, "finalbody", None)
    if final is not None:
        yield from _cst_block(final.body)


def _cst_block(block) -> Iterator[Any]:
    import libcst as cst

    if isinstance(block, cst.SimpleStatementSuite):
        yield from block.body
    else:
        yield from _cst_statements(block.body)


def _ast_statements(body) -> Iterator[ast.AST]:
    for node in body:
        yield node
        yield from _ast_statements(getattr(node, "body", ()) if isinstance(node, ast.stmt) else ())
        for handler in getattr(node, "handlers", ()):
            yield handler
            yield from _ast_statements(handler.body)
        for case in getattr(node, "cases", ()):
            yield from _ast_statements(case.body)
        yield from _ast_statements(getattr(node, "orelse", ()))
        yield from _ast_statements(getattr(node, "finalbody", ()))
