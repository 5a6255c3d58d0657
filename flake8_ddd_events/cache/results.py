"""Answering a module from the cache, and storing a fresh answer.

An entry holds the module's key, its dependencies as the project model and the gate
recorded them (each module looked up or followed: where its file was and a digest of
its content, or that there was none; each other file read), and the findings (before
``# noqa``, which flake8 applies afterwards). It answers when the key is the same and
every dependency is still in the recorded state; otherwise the module is checked
afresh and its entry replaced.
"""

from __future__ import annotations

import os
from functools import cached_property
from typing import Any, NamedTuple, Sequence

from ..source.store import FileState, ModuleState, SourceFiles
from .folder import Folder
from .keys import FORMAT, module_key, run_key

Finding = tuple[int, int, str, str]  # line, column, code, message (as ``lint.positions.Report``)


class Lookup(NamedTuple):
    """A module's key, and its cached findings when the entry answers (else None)."""

    filename: str
    key: str
    findings: list[Finding] | None


class ResultCache:
    """One run's view of the cache folder (dependency states are read once per run,
    through the run's source files: the gate and the project model read the same)."""

    def __init__(self, settings: Any, cwd: str, selection: str,
                 files: SourceFiles | None = None) -> None:
        self.folder = Folder(os.path.join(cwd, settings.cache_dir))
        self.files = files if files is not None else SourceFiles(settings.source_roots)
        self._key_parts = (settings, cwd, selection)
        self._modules: dict[str, list] = {}  # dotted name -> [where, digest] now
        self._files: dict[str, str | None] = {}  # absolute path -> digest now

    @cached_property
    def run(self) -> str:
        """The run's part of every key (made at the first lookup)."""
        return run_key(*self._key_parts)

    def lookup(self, filename: str, source: str) -> Lookup:
        """Looked up before the gate: an answer stands for the gate's too."""
        key = module_key(self.run, filename, source)
        entry = self.folder.read(filename)
        findings = None
        if entry is not None and entry.get("format") == FORMAT and entry.get("key") == key:
            findings = self._answer(entry)
        return Lookup(filename, key, findings)

    def store(self, lookup: Lookup, findings: Sequence[Finding],
              dependencies: tuple[tuple[ModuleState, ...], tuple[FileState, ...]],
              gate: Sequence[ModuleState] = ()) -> None:
        """Keep a fresh answer with what it rests on: the modules and files the check read
        (``ProjectModel.dependencies``) and the modules the gate consulted. A module the
        two saw in different states changed during the run: nothing is kept."""
        modules, files = dependencies
        states = {state[0]: state for state in modules}
        for state in gate:
            if states.setdefault(state[0], state) != state:
                return
        self.folder.write(lookup.filename, {
            "format": FORMAT, "key": lookup.key,
            "modules": [list(states[name]) for name in sorted(states)],
            "files": [list(state) for state in files],
            "findings": [list(finding) for finding in findings]})

    def _answer(self, entry: dict[str, Any]) -> list[Finding] | None:
        """The entry's findings when every dependency is as recorded; None otherwise
        (or when the entry is not of the expected shape)."""
        modules, files, findings = entry.get("modules"), entry.get("files"), entry.get("findings")
        if not (isinstance(modules, list) and isinstance(files, list)
                and isinstance(findings, list)):
            return None
        for state in modules:
            if not (isinstance(state, list) and len(state) == 3 and isinstance(state[0], str)
                    and self._module_now(state[0]) == state[1:]):
                return None
        for state in files:
            if not (isinstance(state, list) and len(state) == 2 and isinstance(state[0], str)
                    and self._file_now(state[0]) == state[1]):
                return None
        answer = []
        for finding in findings:
            if not (isinstance(finding, list) and len(finding) == 4
                    and all(type(v) is int for v in finding[:2])
                    and all(isinstance(v, str) for v in finding[2:])):
                return None
            answer.append((finding[0], finding[1], finding[2], finding[3]))
        return answer

    def _module_now(self, module: str) -> list:
        state = self._modules.get(module)
        if state is None:
            where = self.files.find(module)
            content = self.files.digest(where) if isinstance(where, str) else None
            state = self._modules[module] = [where, content]
        return state

    def _file_now(self, path: str) -> str | None:
        if path not in self._files:
            self._files[path] = self.files.digest(path)
        return self._files[path]
