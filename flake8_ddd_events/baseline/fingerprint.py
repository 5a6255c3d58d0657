"""A finding's fingerprint: what survives edits elsewhere in the file.

The path (relative to the baseline's folder, ``/``-separated), the code, the scope (the
dotted name of the innermost class or function around the finding, from flake8's ``ast``
tree; empty at module level) and the subject (the names the message quotes in its first
clause: the field, the call, the imported module, the event). Never the line.
"""

from __future__ import annotations

import ast
import os
import posixpath
import re
from bisect import bisect_right
from typing import NamedTuple


class Fingerprint(NamedTuple):
    path: str
    code: str
    scope: str
    subject: str


_CLAUSE_END = re.compile(r";| — ")
# a quoted name: the quotes stand apart from words, so "handlers' changes" is no name
_QUOTED = re.compile(r"(?<![\w'])'([^'\s](?:[^']*[^'\s])?)'(?![\w'])")
_NUMBER = re.compile(r"\d+")


def subject(text: str) -> str:
    """What a finding is about, from its message (without the code): the names quoted in
    its first clause (before the advice), else that clause with its numbers masked."""
    clause = _CLAUSE_END.split(text, 1)[0]
    names = _QUOTED.findall(clause)
    if names:
        return ", ".join(dict.fromkeys(names))
    return " ".join(_NUMBER.sub("#", clause).split())


def normal_path(path: str) -> str:
    """A path as the baseline stores it: ``/``-separated, without ``./`` (``\\`` accepted)."""
    path = posixpath.normpath(path.replace("\\", "/"))
    return "" if path == "." else path


def relative_path(filename: str, root: str) -> str:
    """``filename`` (as flake8 names it) relative to the folder ``root``."""
    try:
        path = os.path.relpath(os.path.abspath(filename), root)
    except ValueError:  # another drive on Windows
        path = os.path.abspath(filename)
    return normal_path(path.replace(os.sep, "/"))


_SCOPES = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


class Scopes:
    """The classes and functions of a module by line span, for the scope at a line."""

    def __init__(self, tree: ast.AST | None) -> None:
        spans: list[tuple[int, int, str]] = []
        stack: list[tuple[ast.AST, str]] = [(tree, "")] if tree is not None else []
        while stack:
            node, prefix = stack.pop()
            for child in ast.iter_child_nodes(node):
                if isinstance(child, _SCOPES):
                    name = f"{prefix}.{child.name}" if prefix else child.name
                    start = min([child.lineno, *(d.lineno for d in child.decorator_list)])
                    spans.append((start, child.end_lineno or child.lineno, name))
                    stack.append((child, name))
                else:
                    stack.append((child, prefix))
        spans.sort()
        self._spans = spans
        self._starts = [start for start, _, _ in spans]

    def at(self, line: int) -> str:
        """The dotted name of the innermost class or function holding ``line`` ('' if none):
        of the spans that start at or before the line, the last one that still holds it
        (spans nest, so a later start is an inner scope)."""
        for index in range(bisect_right(self._starts, line) - 1, -1, -1):
            start, end, name = self._spans[index]
            if end >= line:
                return name
        return ""
