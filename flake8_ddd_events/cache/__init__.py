"""The result cache: a module that has not changed, nor anything its findings rest on,
is answered from the last run without importing libcst.

- ``keys.py``: what a key is made of (plugin and libcst versions, the plugin's own modules as installed, Python, every
  ``ddd-*`` setting, flake8's selection, the folder of the run, the module's path and
  the digest of its text) and the current state of a dependency;
- ``folder.py``: the folder on disk, one entry per module, written atomically;
- ``results.py``: answering a module from its entry, storing a fresh answer;
- ``roots.py``: the default source roots, kept with what each folder searched looked like.

What an answer depends on is recorded by the project model (``ProjectModel.record``,
``ProjectModel.dependencies``) and by the gate (``Gate.rests_on``): a module is looked up
before the gate, so an answer stands for the gate's decision too. ``ddd-events fix``
never reads the cache: the fixer reads the files it changes.
"""

from __future__ import annotations

import os
from typing import Any

from ..source.store import SourceFiles
from .folder import Folder
from .results import Finding, Lookup, ResultCache

__all__ = ["Finding", "Folder", "Lookup", "ResultCache", "results_for"]


def results_for(settings: Any, selection: str, files: SourceFiles) -> ResultCache | None:
    """The run's result cache; None when turned off (``ddd-cache = false``). ``selection``:
    flake8's choice of codes, as text (a different choice is a different key); ``files``:
    the run's source files."""
    return ResultCache(settings, os.getcwd(), selection, files) if settings.cache else None
