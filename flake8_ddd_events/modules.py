"""Dotted module paths from file names and source roots."""

from __future__ import annotations

import os
from typing import Iterable


def module_path(filename: str, roots: Iterable[str]) -> tuple[str, bool]:
    """The dotted module path of a file and whether it is a package ``__init__``.

    The deepest source root that contains the file wins; a file outside every
    root is named from the current directory.
    """
    path = os.path.abspath(filename)
    candidates = [os.path.abspath(root) for root in roots]
    containing = [r for r in candidates if path.startswith(r.rstrip(os.sep) + os.sep)]
    root = max(containing, key=len) if containing else os.getcwd()
    relative = os.path.relpath(path, root)
    if relative.startswith(".."):
        relative = os.path.basename(path)
    stem, _ = os.path.splitext(relative)
    parts = [p for p in stem.split(os.sep) if p not in ("", ".")]
    is_package = bool(parts) and parts[-1] == "__init__"
    if is_package:
        parts.pop()
    return ".".join(parts), is_package


BEYOND_TOP = "<beyond-top-level-package>"


def absolute_import(module: str, is_package: bool, level: int, target: str) -> str:
    """Resolve ``from <level dots><target> import …`` inside ``module``.

    A relative import that climbs above the top-level package (an ImportError at
    run time, or source roots set deeper than the package root) gives
    ``BEYOND_TOP``, which is not a module name: what it imports is unknown.
    """
    if level == 0:
        return target
    parts = module.split(".") if module else []
    if not is_package:
        parts = parts[:-1]
    if level - 1 >= len(parts):
        return BEYOND_TOP
    parts = parts[: len(parts) - (level - 1)]
    if target:
        parts.append(target)
    return ".".join(parts)
