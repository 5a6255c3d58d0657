"""Third-party code: the folders that are never the project's own.

A virtual environment (a folder holding ``pyvenv.cfg``) and an installation's
``site-packages`` or ``dist-packages`` hold other people's code: the plugin reports
nothing in a module under one, the search for source roots never enters one, and the
``ddd-events`` commands skip them, and the tools' folders too, when they walk a folder.
The folder a run starts in and its parents are never taken for an environment: a
project made with ``python3 -m venv .`` keeps its own code beside ``pyvenv.cfg``.

Standard library only: the plugin asks before it parses anything.
"""

from __future__ import annotations

import os

ENVIRONMENT_MARKER = "pyvenv.cfg"  # what ``python3 -m venv`` (and virtualenv) writes
PACKAGE_FOLDERS = frozenset({"site-packages", "dist-packages"})
# the tools' own folders, never walked by the commands (flake8's default exclude names
# most of them, but a project's own ``exclude`` replaces that default)
TOOL_FOLDERS = frozenset({".tox", ".nox", ".git", "node_modules", "build", "dist", ".eggs",
                          "__pycache__"})


def walked_past(name: str) -> bool:
    """Whether a command's walk passes a folder of this name by: a tool's, or installed packages."""
    return name in TOOL_FOLDERS or name in PACKAGE_FOLDERS


class ThirdParty:
    """Which folders hold third-party code, each folder asked once per run (one stat of
    its ``pyvenv.cfg``), relative to the folder the run starts in (``start``)."""

    def __init__(self, start: str | None = None) -> None:
        here = os.path.abspath(start if start is not None else os.getcwd())
        self._folders: dict[str, bool] = {}
        self._start_and_parents = set()
        while True:
            self._start_and_parents.add(here)
            parent = os.path.dirname(here)
            if parent == here:
                break
            here = parent

    def holds_file(self, path: str) -> bool:
        """Whether a file lies in a third-party folder (whatever path it is named by)."""
        return self.is_third_party(os.path.dirname(os.path.abspath(path)))

    def is_third_party(self, folder: str) -> bool:
        """Whether a folder is, or lies in, an environment or an installation's packages."""
        folder = os.path.abspath(folder)
        known = self._folders.get(folder)
        if known is None:
            parent = os.path.dirname(folder)
            known = (os.path.basename(folder) in PACKAGE_FOLDERS
                     or (parent != folder and self.is_third_party(parent))
                     or (folder not in self._start_and_parents
                         and os.path.isfile(os.path.join(folder, ENVIRONMENT_MARKER))))
            self._folders[folder] = known
        return known
