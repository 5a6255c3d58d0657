"""Dotted module paths from file names and source roots."""

from __future__ import annotations

import os
import re
import stat as stat_module
import sys
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
    ``foundation.events``) resolve without configuration; then the roots the project's own
    imports show (``import_roots``). Relative to ``start``."""
    return tuple(explained_roots(search_folders(start), start))


# What the search for roots reads of one folder: whether it holds a project file, the
# sub-folders it enters (or names, when linked), sorted, as (name, is a link), and the
# names of the Python modules it holds, sorted.
Signature = tuple[bool, tuple[tuple[str, bool], ...], tuple[str, ...]]


def folder_signature(path: str, depth: int) -> Signature | None:
    """One folder's ``Signature`` at ``depth`` below the start (deeper than
    ``MAX_ROOT_DEPTH``, no sub-folder is entered); None when it cannot be listed. A virtual
    environment below the start (its ``pyvenv.cfg``) is no project and is not entered."""
    project, environment, folders, modules = False, False, [], []
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
                    stem, dot, extension = entry.name.rpartition(".")
                    if dot and extension == "py" and stem.isidentifier():
                        modules.append(stem)
                elif depth < MAX_ROOT_DEPTH and _searched(entry.name):
                    folders.append((entry.name, entry.is_symlink()))
    except OSError:
        return None
    if environment and depth > 0:
        return False, (), ()
    return project, tuple(sorted(folders)), tuple(sorted(modules))


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


def explained_roots(folders: Mapping[str, Signature], start: str = ".") -> dict[str, str]:
    """The source roots ``search_folders`` found (in its order), each with why it was
    taken: the start, each folder with a project file, each ``src`` named by a folder;
    then the roots the project's imports show (``import_roots``), after them."""
    found = {".": "the folder the run starts in"}
    for relative, (project, subfolders, _) in folders.items():
        if relative != "." and project:
            found.setdefault(os.path.normpath(relative), "holds a project file "
                             "(pyproject.toml, setup.py or setup.cfg)")
        if any(name == "src" for name, _ in subfolders):
            found.setdefault(os.path.normpath(_below(relative, "src")),
                             "a 'src' folder" + ("" if relative == "." else f" of {relative}"))
    taken, dropped = import_roots(folders, tuple(found), start)
    for root in dropped:
        del found[root]
    return {**found, **taken}


STANDARD_LIBRARY = frozenset(sys.stdlib_module_names)  # never a project's module, if shadowed
# what an import statement names: ``from a.b import c`` gives ``a.b`` and ``c``, ``import a.b``
# gives ``a.b`` (its other names are not read)
_IMPORT = re.compile(rb"[ \t]*(?:from[ \t]+([A-Za-z_][\w.]*)[ \t]+import[ \t(\\]*([A-Za-z_]\w*)?"
                     rb"|import[ \t]+([A-Za-z_][\w.]*))")
MAX_SCANNED_BYTES = 1_000_000  # a module larger than this is not read for its imports


def import_roots(folders: Mapping[str, Signature], roots: Sequence[str],
                 start: str = ".") -> tuple[dict[str, str], set[str]]:
    """The source roots the project's own absolute imports show, with why each was taken,
    and the ``src`` roots they replace. An import of a module whose top-level name no root
    holds (``from domain.events.base import BaseEvent``, run from ``app/``) makes a root of
    the folder that holds its whole dotted path (``app``, for ``app/domain/events/base.py``);
    when several folders do, the one nearest the importing file. A package's folder (with
    an ``__init__.py``) is never one, and a standard library name is never the project's
    (``logging.py`` in a package is imported as ``import logging`` by the stdlib's own
    modules, not the project's). A ``src`` root (taken
    only for its name) is dropped when such a root imports it as a package
    (``services/orders`` for ``from src.events import …``). The modules of the searched
    folders are read for their import statements (text only, never run)."""
    held = {relative: {name for name, _ in signature[1]} | set(signature[2])
            for relative, signature in folders.items()}
    at_roots = set().union(*(held.get(root, set()) for root in roots))
    holders: dict[str, list[str]] = {}
    for relative, names in held.items():
        if "__init__" in folders[relative][2]:
            continue  # a package's folder is no root
        for name in names - at_roots - STANDARD_LIBRARY:
            holders.setdefault(name, []).append(relative)
    taken: dict[str, str] = {}
    dropped: set[str] = set()
    holds: dict[tuple[str, str], bool] = {}
    if not holders:
        return taken, dropped  # no folder could be a root: no file needs reading
    for relative, signature in folders.items():
        for stem in signature[2]:
            importer = _below(relative, stem + ".py")
            for imported in _imported(os.path.join(start, importer)):
                module, candidates = imported[0], []
                for module in imported:  # ``a.b.c`` when it is a module, else ``a.b``
                    candidates = [
                        folder for folder in holders.get(module.partition(".")[0], ())
                        if folder not in roots and _holds(folders, start, folder, module, holds)]
                    if candidates:
                        break
                if not candidates:
                    continue
                root = _nearest(relative, candidates)
                taken.setdefault(root, f"{importer} imports '{module}', "
                                         "which this folder holds and no other root does")
                package = os.path.normpath(_below(root, "src"))
                if module.partition(".")[0] == "src" and package in roots \
                        and not folders.get(package, (False,))[0]:
                    dropped.add(package)
    return taken, dropped


def _imported(path: str) -> list[tuple[str, ...]]:
    """The absolute dotted modules a Python file's import statements may name, of two parts
    or more (``import yaml`` may be a project's ``yaml.py`` or the library: no evidence),
    each as its candidates, longest first: ``from a.b import c`` gives (``a.b.c``, ``a.b``).
    Only the lines that hold ``import`` are matched."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_SCANNED_BYTES + 1)
    except OSError:
        return []
    if len(data) > MAX_SCANNED_BYTES:
        return []
    found: dict[tuple[str, ...], None] = {}
    at = data.find(b"import")
    while at != -1:
        begin = data.rfind(b"\n", 0, at) + 1
        end = data.find(b"\n", at)
        end = len(data) if end == -1 else end
        match = _IMPORT.match(data, begin, end)
        at = data.find(b"import", end)
        if match is None:
            continue
        module, name, plain = (b.decode("ascii") if b else "" for b in match.groups())
        module = (module or plain).rstrip(".")
        names = (f"{module}.{name}", module) if name else (module,)
        names = tuple(n for n in names if "." in n)
        if names:
            found[names] = None
    return list(found)


def _holds(folders: Mapping[str, Signature], start: str, folder: str, module: str,
           known: dict[tuple[str, str], bool]) -> bool:
    """Whether ``folder`` holds the dotted module: its file, its package, or a folder of
    Python modules (a namespace package)."""
    found = known.get((folder, module))
    if found is None:
        relative = os.path.normpath(os.path.join(folder, *module.split(".")))
        path = os.path.join(start, relative)
        found = known[folder, module] = bool(folders.get(relative, (False, (), ()))[2]) or any(
            os.path.isfile(p) for p in (path + ".py", os.path.join(path, "__init__.py")))
    return found


def _nearest(importer: str, candidates: Sequence[str]) -> str:
    """The candidate folder sharing the most leading folders with the importer's folder;
    then the shallowest; then the first by name."""
    parts = [] if importer == "." else importer.split(os.sep)

    def distance(candidate: str) -> tuple[int, int, str]:
        theirs = candidate.split(os.sep)
        common = 0
        for mine, other in zip(parts, theirs):
            if mine != other:
                break
            common += 1
        return -common, len(theirs), candidate
    return min(candidates, key=distance)


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
    exists but must not be read (not a regular file, or a symlink that leaves the roots), or
    when two roots hold different files of that name (``src.events`` of two services: which
    one an import means depends on where the code runs, so neither is taken); False when no
    root holds it."""
    found: str | None = None
    for root in roots:
        for path in module_files(module, (root,)):
            try:
                stat = os.stat(path)  # follows symlinks; a loop is an OSError
            except OSError:
                continue
            if not stat_module.S_ISREG(stat.st_mode):
                return True  # a FIFO, device or directory: opening it could block
            real = os.path.realpath(path)
            if not inside_roots(real, roots):
                return True  # a symlink that leaves the roots
            if found is not None and real != found:
                return True
            found = real
            break
    return found if found is not None else False
