"""The cache's folder on disk: one entry file per checked module, written atomically.

An entry is named by a digest of the module's absolute path, so a module has one
entry, replaced when its answer changes: the folder grows with the modules checked,
never with the runs. Writes go to a temporary file in the folder and are renamed
over the entry (``os.replace`` is atomic), so parallel jobs and interrupted runs
never leave half an entry; anything unreadable is a miss. The folder holds a
``.gitignore`` (``*``: it ignores itself) and a ``CACHEDIR.TAG``, so that version
control and backup tools leave it alone.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from typing import Any, NamedTuple

from ..source.store import digest


GITIGNORE = "# created by flake8-ddd-events\n*\n"
# https://bford.info/cachedir/: the first line is the standard signature
CACHEDIR_TAG = ("Signature: 8a477f597d28d172789f06886806bc55\n"
                "# This file is a cache directory tag created by flake8-ddd-events.\n"
                "# For information about cache directory tags, see https://bford.info/cachedir/\n")
MARKERS = {".gitignore": GITIGNORE, "CACHEDIR.TAG": CACHEDIR_TAG}
TEMPORARY = ".tmp-"
_ENTRY = re.compile(r"[0-9a-f]{32}\.json")
MAX_ENTRY_BYTES = 4_000_000  # a larger file is not an entry of ours
ROOTS = "source-roots.json"  # the default source roots, kept (``roots.py``)
NAMED = frozenset({ROOTS})  # entries that are not a module's


class Usage(NamedTuple):
    """What ``ddd-events cache info`` reports."""

    entries: int  # modules answered
    size: int  # bytes: entries (the ``NAMED`` ones too) and leftover temporary files
    leftovers: int  # temporary files of interrupted writes


class Folder:
    """The entries under one folder; every failure to read is a miss, to write a no-op."""

    def __init__(self, path: str) -> None:
        self.path = os.path.abspath(path)
        self._ready: bool | None = None  # made, with its markers (None: not tried yet)

    def entry_path(self, filename: str) -> str:
        name = digest(os.path.abspath(filename).encode("utf-8", "surrogatepass"))
        return os.path.join(self.path, f"{name}.json")

    def read(self, filename: str) -> dict[str, Any] | None:
        """The entry of a module, or None: absent, unreadable, truncated or not ours."""
        return _load(self.entry_path(filename))

    def read_named(self, name: str) -> dict[str, Any] | None:
        """One of the ``NAMED`` entries, or None, as ``read``."""
        return _load(os.path.join(self.path, name))

    def write(self, filename: str, entry: dict[str, Any]) -> bool:
        """Replace a module's entry; False when the folder cannot be written (read-only,
        a file in its place): the run goes on without storing."""
        return self._store(self.entry_path(filename), entry)

    def write_named(self, name: str, entry: dict[str, Any]) -> bool:
        """Replace one of the ``NAMED`` entries, as ``write``."""
        return self._store(os.path.join(self.path, name), entry)

    def _store(self, path: str, entry: dict[str, Any]) -> bool:
        data = json.dumps(entry, separators=(",", ":")).encode("utf-8")
        if len(data) > MAX_ENTRY_BYTES:
            return False  # it could not be read back
        return self._prepare() and _write_atomically(path, data)

    def _prepare(self) -> bool:
        if self._ready is None:
            try:
                os.makedirs(self.path, exist_ok=True)
            except OSError:
                self._ready = False
                return False
            self._ready = all(
                os.path.isfile(os.path.join(self.path, name))
                or _write_atomically(os.path.join(self.path, name), text.encode("utf-8"))
                for name, text in MARKERS.items())
        return self._ready

    # -- for ``ddd-events cache`` ------------------------------------------------------
    def _ours(self) -> list[str]:
        """Names of the entries and leftover temporary files in the folder."""
        try:
            names = os.listdir(self.path)
        except OSError:
            return []
        return sorted(n for n in names
                      if _ENTRY.fullmatch(n) or n in NAMED or n.startswith(TEMPORARY))

    def usage(self) -> Usage:
        entries = size = leftovers = 0
        for name in self._ours():
            try:
                size += os.stat(os.path.join(self.path, name)).st_size
            except OSError:
                continue
            if name.startswith(TEMPORARY):
                leftovers += 1
            elif name not in NAMED:
                entries += 1
        return Usage(entries, size, leftovers)

    def clear(self) -> int:
        """Remove every entry and leftover temporary file (nothing else: the folder may
        be set to one that holds other files); the number removed."""
        removed = 0
        for name in self._ours():
            try:
                os.remove(os.path.join(self.path, name))
                removed += 1
            except OSError:
                continue
        return removed


def _load(path: str) -> dict[str, Any] | None:
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_ENTRY_BYTES + 1)
        entry = json.loads(data) if len(data) <= MAX_ENTRY_BYTES else None
    except (OSError, ValueError, RecursionError):
        return None
    return entry if isinstance(entry, dict) else None


def _write_atomically(path: str, data: bytes) -> bool:
    folder = os.path.dirname(path)
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=TEMPORARY)
    except OSError:
        return False
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, 0o644)  # mkstemp's 0600 would keep a shared CI cache from others
        os.replace(temporary, path)
        return True
    except OSError:
        try:
            os.remove(temporary)
        except OSError:
            pass
        return False
