"""Parsing a source with libcst, turning every failure into a reason."""

from __future__ import annotations

import libcst as cst

from .collect import collect
from .facts import ModuleFacts


_MAX_REASON = 120


class Unparsable(Exception):
    """libcst could not read the source; the message says why."""


def parse(source: str) -> cst.Module:
    """Parse with libcst; raise Unparsable with a one-line reason on failure."""
    try:
        return _parse_unvalidated(source)
    except cst.ParserSyntaxError as error:
        # error.message alone: str(error) adds an "@ line:column" that often disagrees with
        # the parser's own "error at line:column"; the list of expected tokens is cut short
        reason = " ".join(error.message.split())
        if len(reason) > _MAX_REASON:
            reason = reason[:_MAX_REASON].rsplit(",", 1)[0] + ", ..."
        raise Unparsable(f"libcst cannot parse this file: {reason}") from None
    except RecursionError:
        raise Unparsable("libcst cannot parse this file: it is nested too deeply") from None
    except Exception as error:  # the native parser raises bare errors on some inputs
        raise Unparsable(f"libcst cannot parse this file: {type(error).__name__}: {error}") from None


def _no_validation(node: cst.CSTNode) -> None:
    """Stands in for ``CSTNode.__post_init__`` while the native parser builds a tree."""


def _parse_unvalidated(source: str) -> cst.Module:
    """``cst.parse_module`` without libcst's check of each node as it is built
    (``CSTNode.__post_init__`` calls ``_validate``; a seventh of the parse): the native
    parser builds only what the grammar allows, which libcst's own PERF note on
    ``__post_init__`` says too. Nodes built after the parse (the fixer's edits) are
    checked as usual: the hook is put back before the tree is handed over. A libcst
    without that hook is parsed the ordinary way."""
    node_type = cst.CSTNode
    validate = node_type.__dict__.get("__post_init__")
    if validate is None:
        return cst.parse_module(source)
    node_type.__post_init__ = _no_validation  # type: ignore[method-assign]
    try:
        return cst.parse_module(source)
    finally:
        node_type.__post_init__ = validate  # type: ignore[method-assign]


def parse_facts(source: str, path: str, module: str, is_package: bool) -> tuple[cst.Module, ModuleFacts]:
    """Parse and collect; deep trees that exhaust recursion are Unparsable too."""
    tree = parse(source)
    try:
        return tree, collect(tree, path, module, is_package)
    except RecursionError:
        raise Unparsable("libcst cannot walk this file: it is nested too deeply") from None
