"""What a cached answer is keyed by, and the states of the files it depended on.

No libcst here, nor anything that imports it: a module answered from the cache
costs a hash of its source and of the files its answer read.
"""

from __future__ import annotations

import dataclasses
import os
import sys

from .. import __version__
from ..source.store import digest, text_digest

FORMAT = "flake8-ddd-events result cache 2"  # changed with the layout of an entry


def run_key(settings: object, cwd: str, selection: str) -> str:
    """The part of every key that is the same for the whole run: the plugin and its parser,
    the interpreter, every ``ddd-*`` setting (a frozen dataclass: its repr lists every
    field), flake8's selection of codes, and the folder flake8 runs in (relative roots and
    module names depend on it). Not the baseline: it filters the findings after the cache,
    so that flake8 and ``ddd-events baseline`` (which runs without it) share the answers."""
    if getattr(settings, "baseline", None) is not None:
        settings = dataclasses.replace(settings, baseline=None)  # type: ignore[type-var]
    parts = (FORMAT, __version__, plugin_build(), _libcst_version(),
             "%d.%d" % sys.version_info[:2], repr(settings), selection, cwd)
    return digest("\0".join(parts).encode("utf-8", "surrogatepass"))


def module_key(run: str, filename: str, source: str) -> str:
    """The key of one module's answer: the run's key, where the module is and its content
    (what else the answer rests on, the gate's reading of other modules included, is in
    the entry's dependencies)."""
    parts = (run, os.path.abspath(filename), text_digest(source))
    return digest("\0".join(parts).encode("utf-8", "surrogatepass"))


PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def plugin_build(package: str = PACKAGE) -> str:
    """The plugin's own code as installed: the size and modification time of each of its
    modules. The version alone is not enough: an install from a git URL or a checkout
    changes the code without changing it, and the cache would answer with the old rules."""
    states = []
    for folder, subfolders, files in os.walk(package):
        subfolders[:] = sorted(d for d in subfolders if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                found = os.stat(os.path.join(folder, name))
                states.append(f"{os.path.relpath(os.path.join(folder, name), package)}"
                              f" {found.st_size} {found.st_mtime_ns}")
    return digest("\n".join(states).encode("utf-8", "surrogatepass"))


def _libcst_version() -> str:
    """libcst's version without importing it (its parser decides DDD000)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("libcst")
    except PackageNotFoundError:  # pragma: no cover - libcst is a dependency
        return "?"
