"""The ``ast`` shapes the failure rules need (``analysis/failure.py``), each a superset of
what the rule reads: for DDD408 a ``for`` loop named for a relay (its function, a class
around it, its iterable or what the iterable's name was bound to) that calls a publish (or
a function of the module, which may) in a module that marks something done; for DDD409 a
``for`` loop named for handlers that calls one inside a ``try`` with a broad ``except``,
or a ``commit`` method whose ``try`` wraps a dispatch and has a broad ``except``."""

from __future__ import annotations

import ast
from typing import Iterator, List, Optional, Tuple, Union

from ..analysis.vocabulary import (DONE_WORDS, HANDLER_WORDS, RELAY_WORDS, identifier_words,
                                   text_words)
from ..config.settings import Settings
from .statements import Statements

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_PUBLISH_PARTS = ("publish", "produce", "send")  # ``publish_message``, ``_send_one``
_BROAD = frozenset({"Exception", "BaseException"})
_TRIES = (ast.Try, *((ast.TryStar,) if hasattr(ast, "TryStar") else ()))  # type: ignore[attr-defined]


def _words(lines: list[str], first: int, last: int | None) -> frozenset[str]:
    """The words of whole source lines (comments and strings too): a superset of the
    words the rules read of an expression's source (``vocabulary.text_words``)."""
    return text_words("\n".join(lines[first - 1:last]))


def _method(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


_Loop = Tuple[Union[ast.For, ast.AsyncFor], Tuple[str, ...], Optional[ast.AST]]


def _loops(statements: Statements) -> List[_Loop]:
    """Every ``for`` loop, with the names of the classes and functions around it and its
    innermost function (None at module level)."""
    return statements.loops  # type: ignore[return-value]


def _is_broad(handler: ast.ExceptHandler) -> bool:
    return handler.type is None or any(
        (isinstance(n, ast.Name) and n.id in _BROAD)
        or (isinstance(n, ast.Attribute) and n.attr in _BROAD) for n in ast.walk(handler.type))


def _head(node: ast.AST) -> str:
    """The name an iterable starts from: ``result`` of ``(await result.scalars())[0]``."""
    while isinstance(node, (ast.Call, ast.Attribute, ast.Await, ast.Subscript)):
        node = node.func if isinstance(node, ast.Call) else (
            node.value if isinstance(node, (ast.Attribute, ast.Await, ast.Subscript))
            else node)
    return node.id if isinstance(node, ast.Name) else ""


def _bound_to(statements: Statements, function: ast.AST | None, name: str) -> Iterator[ast.expr]:
    """What ``name`` is assigned anywhere in the function."""
    if function is None or not name:
        return
    nodes = statements.nodes
    for node in map(nodes.__getitem__, statements.under(function)):
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == name for t in node.targets):
            yield node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None and \
                isinstance(node.target, ast.Name) and node.target.id == name:
            yield node.value


def may_relay(statements: Statements, lines: list[str], settings: Settings) -> bool:
    """DDD408: a loop named for a relay that calls a publish or a function of the module
    (a helper that may publish), in a module that publishes and marks something done (a
    mark method, a done field set or given by keyword)."""
    transport = frozenset(settings.transport_methods)
    marks = frozenset(settings.outbox_mark_methods)

    def publishes(call: ast.Call) -> bool:
        method = _method(call)
        return method in transport or any(p in method for p in _PUBLISH_PARTS)

    # the loops named for a relay first: statements and lines only, no expression walked
    relays = [loop for loop, names, function in _loops(statements)
              if _relay_named(statements, lines, loop, names, function)]
    if not relays or not any(publishes(c) for c in statements.all_calls()) or \
            not _marks_done(statements, marks):
        return False
    defined = {n.name for n in statements.nodes if isinstance(n, _FUNCTIONS)}
    return any(publishes(c) or _method(c) in defined
               for loop in relays for c in statements.calls_in(loop.body))


def _relay_named(statements: Statements, lines: list[str], loop: ast.For | ast.AsyncFor,
                 names: tuple[str, ...], function: ast.AST | None) -> bool:
    """A loop named for a relay: a class or function around it, its iterable, or what
    the iterable's name was bound to in its function."""
    return any(w.lower() in RELAY_WORDS for n in names for w in identifier_words(n)) \
        or not RELAY_WORDS.isdisjoint(_words(lines, loop.iter.lineno, loop.iter.end_lineno)) \
        or any(not RELAY_WORDS.isdisjoint(_words(lines, value.lineno, value.end_lineno))
               for value in _bound_to(statements, function, _head(loop.iter)))


def _marks_done(statements: Statements, marks: frozenset[str]) -> bool:
    """A mark method or a done word called, a done word given by keyword or set."""
    return any(_method(c) in marks or _done(_method(c)) for c in statements.all_calls()) \
        or any(k.arg and _done(k.arg) for k in statements.keywords()) \
        or any(_done(a.attr) for a in statements.stored())


def _done(name: str) -> bool:
    return any(w.lower() in DONE_WORDS for w in identifier_words(name))


def may_swallow_handler_failure(statements: Statements, lines: list[str],
                                settings: Settings) -> bool:
    """DDD409: a loop named for handlers that calls one (a call through a loop variable)
    inside a ``try`` with a broad ``except``, or a ``commit`` that swallows its dispatch."""
    return _handler_loop(statements, lines) or _commit_swallows(statements, settings)


def _handler_loop(statements: Statements, lines: list[str]) -> bool:
    for loop, _, _ in _loops(statements):
        if not _words(lines, loop.lineno, loop.iter.end_lineno) & HANDLER_WORDS:
            continue
        targets = {n.id for n in ast.walk(loop.target) if isinstance(n, ast.Name)}
        for node in statements.within(loop.body):
            if isinstance(node, _TRIES) and any(_is_broad(h) for h in node.handlers) and any(
                    targets & {n.id for n in ast.walk(c.func) if isinstance(n, ast.Name)}
                    for c in statements.calls_in(node.body)):
                return True
    return False


def _commit_swallows(statements: Statements, settings: Settings) -> bool:
    """A ``commit`` function whose ``try`` wraps a dispatch (a publish method, a
    ``dispatch`` or ``handle`` call) with a broad ``except``, and that calls ``.commit()``."""
    publish = frozenset(settings.aggregate_publish_methods)
    for function in statements.nodes:
        if not isinstance(function, _FUNCTIONS) or function.name != "commit":
            continue
        if not any(isinstance(c.func, ast.Attribute) and c.func.attr == "commit"
                   for c in statements.calls_in(function.body)):
            continue
        for node in statements.within([function]):
            if isinstance(node, _TRIES) and any(_is_broad(h) for h in node.handlers) and any(
                    _method(c) in publish or "dispatch" in _method(c) or "handle" in _method(c)
                    for c in statements.calls_in(node.body)):
                return True
    return False


def may_dispatch_in_transaction(statements: Statements, lines: list[str],
                                settings: Settings) -> bool:
    """DDD409 at a caller: a publish or dispatch method called on something (another
    module's dispatcher, maybe) in a ``with`` whose context names a transaction, or before a
    ``.commit()`` of its function."""
    methods = frozenset((*settings.aggregate_publish_methods, *settings.transport_methods))
    contexts = [name.replace("_", "").lower() for name in settings.transaction_contexts]
    for function in statements.nodes:
        if not isinstance(function, _FUNCTIONS):
            continue
        calls = statements.calls_in(function.body)
        dispatches = [c for c in calls if _method(c) in methods]
        if not dispatches:
            continue
        commits = [c for c in calls if isinstance(c.func, ast.Attribute)
                   and c.func.attr == "commit"]
        if any((d.lineno, d.col_offset) < (c.lineno, c.col_offset)
               for d in dispatches for c in commits):
            return True
        for block in statements.within([function]):
            if not isinstance(block, (ast.With, ast.AsyncWith)):
                continue
            written = "".join(line for item in block.items for line in lines[
                item.context_expr.lineno - 1:item.context_expr.end_lineno])
            squashed = written.replace("_", "").lower()
            if any(c in squashed for c in contexts) and any(
                    _method(c) in methods for c in statements.calls_in(block.body)):
                return True
    return False
