"""The default source roots, kept between runs with what each folder looked like.

Finding the default source roots (``modules.discover_roots``) lists every folder of the
project down to ``modules.MAX_ROOT_DEPTH``: on a tree of a few thousand folders a tenth
of a second, paid by every flake8 run, an editor's one-file run included. The entry keeps
each folder the search listed with its modification time and a digest of its
``Signature`` (project file or not, the sub-folders searched, the modules it holds), and
the roots found, each with why it was taken. A later run stats each
folder: one whose time is unchanged has the same entries, so the same signature; one
whose time changed (an editor saving by rename changes it) is listed again, and only a
different signature means a new search. As git does with its index, a folder modified
within ``RACY_NS`` before it was listed is listed again every time until it is quiet:
file times are coarse, and a change in the same tick would keep the time.

The roots the project's imports show (``modules.import_roots``; the search then reads the
searched folders' modules for their import lines, 17 ms for protean's 257) are kept the same way: a
module added, removed or renamed changes its folder's signature and the search runs
again; an import statement edited inside an existing module does not (``ddd-events cache
clear`` forgets the roots).
"""

from __future__ import annotations

import os
import time

from .. import __version__
from ..source.modules import (Signature, explained_roots, folder_depth,
                              folder_signature, search_folders)
from ..source.store import digest
from .folder import ROOTS, Folder

FORMAT = "flake8-ddd-events source roots 2"
RACY_NS = 2_000_000_000  # a folder modified this shortly before it was listed is re-listed

Kept = list  # [modification time in ns or None, racy, signature digest]


def source_roots(cache_dir: str | None, start: str = ".") -> tuple[str, ...]:
    """The default source roots under ``start``, kept in the cache folder ``cache_dir``
    (relative to ``start``; None: the cache is off, and the folders are searched)."""
    return tuple(explained_source_roots(cache_dir, start))


def explained_source_roots(cache_dir: str | None, start: str = ".") -> dict[str, str]:
    """``source_roots`` with why each root was taken (``modules.explained_roots``)."""
    if cache_dir is None:
        return explained_roots(search_folders(start), start)
    folder = Folder(os.path.join(start, cache_dir))
    here = os.path.abspath(start)
    entry = folder.read_named(ROOTS)
    folders = _folders(entry, here)
    if folders is not None:
        checked = _recheck(here, folders)
        if checked is not None:
            if checked:  # re-listed folders, unchanged: keep their new times
                folder.write_named(ROOTS, {**entry, "folders": folders})  # type: ignore[dict-item]
            return dict(entry["roots"])  # type: ignore[index]
    times: dict[str, tuple[int | None, bool]] = {}

    def timed(relative: str, path: str) -> None:  # each folder's time, before it is listed
        times[relative] = _time(path)

    signatures = search_folders(start, timed)
    roots = explained_roots(signatures, start)
    folder.write_named(ROOTS, {
        "format": FORMAT, "version": __version__, "start": here,
        "roots": [[root, why] for root, why in roots.items()],
        "folders": {relative: [*times[relative], _digest(signature)]
                    for relative, signature in signatures.items()}})
    return roots


def _time(path: str) -> tuple[int | None, bool]:
    """(modification time, racy) of a folder about to be listed."""
    try:
        modified = os.stat(path).st_mtime_ns
    except OSError:
        return None, True
    return modified, time.time_ns() - modified < RACY_NS


def _digest(signature: Signature) -> str:
    return digest(repr(signature).encode("utf-8", "surrogatepass"))


def _folders(entry: dict | None, here: str) -> dict[str, Kept] | None:
    """The entry's folders when it is one of ours, for this folder and this version."""
    if entry is None or entry.get("format") != FORMAT or entry.get("version") != __version__ \
            or entry.get("start") != here:
        return None
    folders, roots = entry.get("folders"), entry.get("roots")
    if not (isinstance(roots, list) and all(
                isinstance(r, list) and len(r) == 2 and all(isinstance(p, str) for p in r)
                for r in roots)
            and isinstance(folders, dict) and all(
                isinstance(kept, list) and len(kept) == 3 for kept in folders.values())):
        return None
    return folders


def _recheck(here: str, folders: dict[str, Kept]) -> bool | None:
    """None when a folder's signature changed (the roots may differ); else whether a
    folder had to be listed again (its kept time and racy flag are updated in place)."""
    relisted = False
    for relative, kept in folders.items():
        path = os.path.join(here, relative)
        modified, racy = _time(path)
        if modified is not None and modified == kept[0] and not kept[1]:
            continue
        signature = folder_signature(path, folder_depth(relative))
        if signature is None or _digest(signature) != kept[2]:
            return None
        kept[0], kept[1] = modified, racy
        relisted = True
    return relisted
