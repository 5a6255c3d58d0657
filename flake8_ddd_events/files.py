"""Which files a ``ddd-events`` command reads: the named files, and the Python files
under the named directories, as flake8 would find them."""

from __future__ import annotations

import os
from typing import Iterator

SKIPPED_DIRECTORIES = frozenset({
    ".git", ".hg", ".svn", ".bzr", "CVS", ".venv", "venv", ".tox", ".nox", ".eggs", "__pycache__",
    ".mypy_cache", ".pytest_cache", ".ruff_cache", "node_modules", "build", "dist", "site-packages",
})


def python_files(paths: list[str]) -> Iterator[str]:
    """The named files, and every *.py file under the named directories (sorted)."""
    for path in paths:
        if not os.path.isdir(path):
            yield path
            continue
        for root, directories, files in os.walk(path):
            directories[:] = sorted(d for d in directories if d not in SKIPPED_DIRECTORIES
                                    and not d.endswith((".egg-info", ".egg")))
            yield from (os.path.join(root, f) for f in sorted(files) if f.endswith(".py"))
