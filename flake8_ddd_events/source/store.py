"""One run's source files: each module's file found once, each file read, decoded and
hashed once per version (its size and mtime), for the gate's ``ast`` look, the project
model's libcst parse and the result cache's keys alike. Standard library only.

A file is stat'ed at every use, so an edit between two uses in one long run (an editor's
server) is read; the content is kept for the last files read (``MAX_KEPT_BYTES``), which
is when the gate and the model ask for it: the gate reads a checked module's imports,
the model resolves them right after. Its digest is kept for the whole run.
"""

from __future__ import annotations

import hashlib
import os
import stat as stat_module
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from typing import Iterable

from .files import decode_source
from .modules import find_module_file, real_roots

MAX_KEPT_BYTES = 4_000_000  # of content, over the files read last

Stamp = tuple[int, int]  # (mtime in ns, size): a file's version

# A module's dependency as recorded: (dotted name, where the model found its file: the real
# path, True when refused, False when absent; the content digest of that file or None).
ModuleState = tuple[str, "str | bool", "str | None"]
# A file any rule read: (absolute path, content digest or None when it is absent).
FileState = tuple[str, "str | None"]


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def text_digest(text: str) -> str:
    """The digest of a text as UTF-8, a lone surrogate kept (flake8 may hand one over in a
    buffer; no text decoded from a file holds one, so such a digest matches no file's)."""
    return digest(text.encode("utf-8", "surrogatepass"))


@dataclass(frozen=True)
class SourceFile:
    """One version of a file: its bytes (None when they could not be read) and their digest."""

    path: str
    stamp: Stamp
    data: bytes | None = field(repr=False)

    @cached_property
    def digest(self) -> str | None:
        return digest(self.data) if self.data is not None else None

    @cached_property
    def text(self) -> str:
        """The text as Python decodes the file; raises UnicodeError (or OSError when the
        file could not be read)."""
        if self.data is None:
            raise OSError(f"{self.path} could not be read")
        return decode_source(self.data)[0]


class SourceFiles:
    """The run's files. ``roots`` (the source roots, as configured) are made real at the
    first lookup; ``reads`` counts the reads from disk, by path."""

    def __init__(self, roots: Iterable[str]) -> None:
        self.configured = roots
        self._places: dict[str, str | bool] = {}
        self._kept: dict[str, SourceFile] = {}  # the last files read, oldest first
        self._digests: dict[str, tuple[Stamp, str | None]] = {}
        self.reads: Counter[str] = Counter()

    @cached_property
    def roots(self) -> tuple[str, ...]:
        return real_roots(self.configured)

    def find(self, module: str) -> str | bool:
        """The real path of a dotted module's file under the roots, found once per run;
        True when the file exists but is refused; False when no root holds it
        (``modules.find_module_file``)."""
        found = self._places.get(module)
        if found is None:
            found = self._places[module] = find_module_file(module, self.roots)
        return found

    def file(self, path: str) -> SourceFile | None:
        """The file's current version, read from disk only when it is not the version
        kept; None when it is absent or not a regular file (never opened: a FIFO blocks)."""
        stamp = _stamp(path)
        if stamp is None:
            return None
        kept = self._kept.get(path)
        if kept is not None and kept.stamp == stamp:
            return kept
        try:
            with open(path, "rb") as handle:
                data: bytes | None = handle.read()
        except (OSError, ValueError):
            data = None
        self.reads[path] += 1
        found = SourceFile(path, stamp, data)
        self._kept.pop(path, None)
        self._kept[path] = found
        self._digests[path] = (stamp, found.digest)
        total = sum(len(f.data or b"") for f in self._kept.values())
        while total > MAX_KEPT_BYTES and len(self._kept) > 1:
            oldest = self._kept.pop(next(iter(self._kept)))
            total -= len(oldest.data or b"")
        return found

    def digest(self, path: str) -> str | None:
        """The digest of the file's current content; None when it is absent or unreadable."""
        stamp = _stamp(path)
        if stamp is None:
            return None
        known = self._digests.get(path)
        if known is not None and known[0] == stamp:
            return known[1]
        found = self.file(path)
        return found.digest if found is not None else None


def _stamp(path: str) -> Stamp | None:
    try:
        status = os.stat(path)
    except (OSError, ValueError):
        return None
    if not stat_module.S_ISREG(status.st_mode):
        return None
    return status.st_mtime_ns, status.st_size
