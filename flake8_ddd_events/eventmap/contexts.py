"""Which bounded context a module belongs to.

With option ``ddd-context-modules``, each glob is a context: a module belongs to
the first glob it matches, or whose package it lies under (``shop.sales`` and
``shop.sales.*`` both hold ``shop.sales.domain.order``); the context is named by
the glob up to its first wildcard (``shop.sales.*`` is ``shop.sales``). A module
no glob matches belongs to no context.

Without it, a context is the package that holds the layers: the dotted path
before the first part that names a layer (``domain``, ``application``,
``infrastructure``, ...): ``shop.sales.domain.order`` is in ``shop.sales``,
``sales.domain.events`` in ``sales``, ``app.ordering.application.handlers`` in
``app.ordering``. A module without a layer part belongs to the deepest such
context that contains it (``shop.sales.integration_events`` to ``shop.sales``),
else to the package one level below the common root of every mapped module
(``app.ordering.events`` to ``app.ordering`` when everything is under ``app``;
``ordering.events`` to ``ordering`` when there are several top-level packages).
A project with nothing before its layers (``domain/``, ``application/`` at the
top) is one context, named ``app``.

Contexts are shown without the root all of them share: ``shop.sales`` is
``sales`` when every context lies under ``shop``.
"""

from __future__ import annotations

import fnmatch
import os
from typing import Iterable

LAYERS = frozenset({"domain", "application", "infrastructure", "adapters", "ports", "api",
                    "entrypoints", "service_layer", "interfaces", "presentation", "web"})
SINGLE = "app"  # the one context of a project whose layers are its top-level packages


def _layer_package(module: str) -> str | None:
    parts = module.split(".")
    for index, part in enumerate(parts):
        if part in LAYERS:
            return ".".join(parts[:index]) or SINGLE
    return None


def _common_root(modules: Iterable[str]) -> list[str]:
    """The packages every module lies in (a module's own name never counts)."""
    paths = [m.split(".")[:-1] for m in modules]
    if not paths:
        return []
    root = os.path.commonprefix(paths)
    return list(root)


def _glob_package(glob: str) -> str:
    parts = []
    for part in glob.split("."):
        if any(c in part for c in "*?["):
            break
        parts.append(part)
    return ".".join(parts) or glob


def assign(modules: Iterable[str], globs: tuple[str, ...]) -> dict[str, str | None]:
    """module -> the package (or glob package) of its context, or None."""
    modules = sorted(set(modules))
    if globs:
        found: dict[str, str | None] = {}
        for module in modules:
            found[module] = next((_glob_package(g) for g in globs
                                  if fnmatch.fnmatchcase(module, g)
                                  or fnmatch.fnmatchcase(module, f"{g}.*")), None)
        return found
    layered = {m: _layer_package(m) for m in modules}
    known = sorted({p for p in layered.values() if p and p != SINGLE}, key=len, reverse=True)
    root = _common_root(modules)
    found = {}
    for module, package in layered.items():
        if package is None:
            package = next((k for k in known if module.startswith(f"{k}.")), None)
        if package is None:
            parts = module.split(".")
            package = ".".join(parts[:len(root) + 1]) if len(parts) > len(root) + 1 \
                else ".".join(parts[:max(len(root), 1)])
        found[module] = package
    return found


def display_names(packages: Iterable[str]) -> dict[str, str]:
    """package -> the name shown: without the root every package shares."""
    packages = sorted(set(packages))
    if len(packages) < 2:
        return {p: p.rpartition(".")[2] for p in packages}
    root = os.path.commonprefix([p.split(".") for p in packages])
    names = {}
    for package in packages:
        rest = package.split(".")[len(root):]
        names[package] = ".".join(rest) or package
    if len(set(names.values())) < len(names):  # a root context and a child of the same name
        return {p: p for p in packages}
    return names
