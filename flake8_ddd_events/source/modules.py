"""Dotted module paths from file names and source roots."""

from __future__ import annotations

import os
import stat as stat_module
from typing import Callable, Iterable, Iterator, Mapping, Sequence

from .thirdparty import ENVIRONMENT_MARKER, PACKAGE_FOLDERS, TOOL_FOLDERS


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


PROJECT_FILES = ("pyproject.toml", "setup.py", "setup.cfg")
# folders never searched for packages: tools' caches, environments, installed packages
_NOT_PROJECTS = PACKAGE_FOLDERS | TOOL_FOLDERS | {"venv", "env", "CVS"}
MAX_ROOT_DEPTH = 6  # folders below the run's root searched for a package's project file


def _is_test_folder(name: str) -> bool:
    """``tests``, ``test``, ``integration_tests``, ``fixtures``: the projects inside are test
    data (a fixture project's ``pyproject.toml`` makes no source root)."""
    return name == "fixtures" or not {"test", "tests"}.isdisjoint(name.lower().split("_"))


def discover_roots(start: str = ".") -> tuple[str, ...]:
    """Default source roots: ``start``, its ``src`` when present, and every folder below
    it that holds a ``pyproject.toml``, ``setup.py`` or ``setup.cfg`` (with its ``src``; not
    inside test folders),
    so that a monorepo's packages (``platform/foundation/foundation/events.py`` imported as
    ``foundation.events``) resolve without configuration. Sorted, relative to ``start``."""
    return roots_of(search_folders(start))


# What the search for roots reads of one folder: whether it holds a project file, and the
# sub-folders it enters (or names, when linked), sorted, as (name, is a link).
Signature = tuple[bool, tuple[tuple[str, bool], ...]]


def folder_signature(path: str, depth: int) -> Signature | None:
    """One folder's ``Signature`` at ``depth`` below the start (deeper than
    ``MAX_ROOT_DEPTH``, no sub-folder is entered); None when it cannot be listed. A virtual
    environment below the start (its ``pyvenv.cfg``) is no project and is not entered."""
    project, environment, folders = False, False, []
    try:
        with os.scandir(path) as entries:
            for entry in entries:
                try:
                    is_folder = entry.is_dir()
                except OSError:
                    is_folder = False
                if not is_folder:
                    project = project or entry.name in PROJECT_FILES
                    environment = environment or entry.name == ENVIRONMENT_MARKER
                elif depth < MAX_ROOT_DEPTH and _searched(entry.name):
                    folders.append((entry.name, entry.is_symlink()))
    except OSError:
        return None
    if environment and depth > 0:
        return False, ()
    return project, tuple(sorted(folders))


def _searched(name: str) -> bool:
    return not (name.startswith(".") or name in _NOT_PROJECTS or name.endswith(".egg-info")
                or _is_test_folder(name))


def search_folders(start: str = ".", before: Callable[[str, str], object] | None = None,
                   ) -> dict[str, Signature]:
    """Every folder the search lists, by path relative to ``start``, with its signature,
    top-down with sub-folders in sorted order (os.walk's order; a linked folder is named,
    not entered). ``before(relative, path)`` is called before each folder is listed."""
    found: dict[str, Signature] = {}

    def search(relative: str) -> None:
        path = start if relative == "." else os.path.join(start, relative)
        if before is not None:
            before(relative, path)
        signature = folder_signature(path, folder_depth(relative))
        if signature is None:
            return
        found[relative] = signature
        for name, is_link in signature[1]:
            if not is_link:
                search(_below(relative, name))

    search(".")
    return found


def _below(relative: str, name: str) -> str:
    return name if relative == "." else os.path.join(relative, name)


def folder_depth(relative: str) -> int:
    """How deep below the start a folder of ``search_folders`` is."""
    return 0 if relative == "." else relative.count(os.sep) + 1


def roots_of(folders: Mapping[str, Signature]) -> tuple[str, ...]:
    """The source roots ``search_folders`` found (in its order): each folder with a project
    file, and each ``src`` named by a folder."""
    found = ["."]
    for relative, (project, subfolders) in folders.items():
        if relative != "." and project:
            found.append(relative)
        if any(name == "src" for name, _ in subfolders):
            found.append(_below(relative, "src"))
    return tuple(dict.fromkeys(os.path.normpath(p) for p in found))


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


def real_roots(roots: Iterable[str]) -> tuple[str, ...]:
    """The existing source roots as real paths, each once, in order."""
    return tuple(dict.fromkeys(os.path.realpath(r) for r in roots if os.path.isdir(r)))


def module_files(module: str, roots: Iterable[str]) -> Iterator[str]:
    """Where a dotted module could live under the roots: ``a/b.py``, then
    ``a/b/__init__.py``, root by root; nothing for a name that is not dotted identifiers."""
    if not module or not all(part.isidentifier() for part in module.split(".")):
        return
    relative = module.replace(".", os.sep)
    for root in roots:
        yield os.path.join(root, relative + ".py")
        yield os.path.join(root, relative, "__init__.py")


def inside_roots(real: str, roots: Iterable[str]) -> bool:
    """Whether a real path lies below one of the (real) roots."""
    return any(real.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


def find_module_file(module: str, roots: Sequence[str]) -> str | bool:
    """The real path of a dotted module's file under the (real) roots; True when the file
    exists but must not be read (not a regular file, or a symlink that leaves the roots);
    False when no root holds it."""
    for path in module_files(module, roots):
        try:
            stat = os.stat(path)  # follows symlinks; a loop is an OSError
        except OSError:
            continue
        if not stat_module.S_ISREG(stat.st_mode):
            return True  # a FIFO, device or directory: opening it could block
        real = os.path.realpath(path)
        if not inside_roots(real, roots):
            return True  # a symlink that leaves the roots
        return real
    return False
