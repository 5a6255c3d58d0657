"""Parsing a source with libcst, turning every failure into a reason."""

from __future__ import annotations

import libcst as cst

from .collect import collect
from .facts import ModuleFacts


class Unparsable(Exception):
    """libcst could not read the source; the message says why."""


def parse(source: str) -> cst.Module:
    """Parse with libcst; raise Unparsable with a one-line reason on failure."""
    try:
        return cst.parse_module(source)
    except cst.ParserSyntaxError as error:
        reason = " ".join(str(error).strip().split("\n\n")[0].split())
        raise Unparsable(f"libcst cannot parse this file: {reason}") from None
    except RecursionError:
        raise Unparsable("libcst cannot parse this file: it is nested too deeply") from None
    except Exception as error:  # the native parser raises bare errors on some inputs
        raise Unparsable(f"libcst cannot parse this file: {type(error).__name__}: {error}") from None


def parse_facts(source: str, path: str, module: str, is_package: bool) -> tuple[cst.Module, ModuleFacts]:
    """Parse and collect; deep trees that exhaust recursion are Unparsable too."""
    tree = parse(source)
    try:
        return tree, collect(tree, path, module, is_package)
    except RecursionError:
        raise Unparsable("libcst cannot walk this file: it is nested too deeply") from None
