"""The plugin's side: a module's findings less the baselined ones."""

from __future__ import annotations

import ast
import os
from collections import Counter
from typing import Sequence, TypeVar

from .fingerprint import Fingerprint, Scopes, relative_path, subject
from .store import locate, read

Report = TypeVar("Report", bound=tuple)  # (line, column, message, type), as flake8 takes it


class Baseline:
    """The baselined findings of one baseline file, by path."""

    def __init__(self, path: str, counts: Counter[Fingerprint]) -> None:
        self.path = path
        self.root = os.path.dirname(os.path.abspath(path))
        self._by_path: dict[str, dict[tuple[str, str, str], int]] = {}
        for fingerprint, count in counts.items():
            key = (fingerprint.code, fingerprint.scope, fingerprint.subject)
            self._by_path.setdefault(fingerprint.path, {})[key] = count

    @classmethod
    def load(cls, setting: str | None, start: str) -> Baseline | None:
        """The baseline in use (see ``store.locate``), or None; raises BaselineError."""
        path = locate(setting, start)
        return None if path is None else cls(path, read(path))

    def not_baselined(self, reports: list[Report], filename: str, tree: ast.AST | None,
                      lines: Sequence[str], disable_noqa: bool = False) -> list[Report]:
        """The reports of one module that the baseline does not hold: each entry holds
        at most its count of matching reports, in line order; the rest are reported. A
        report that ``# noqa`` silences is left to flake8 and takes no entry's count."""
        baselined = self._by_path.get(relative_path(filename, self.root))
        if not baselined:
            return reports
        left = dict(baselined)
        scopes = None
        kept = []
        for report in reports:
            line, message = report[0], report[2]
            code, _, text = message.partition(" ")
            if _silenced(code, line, message, lines, disable_noqa):
                kept.append(report)
                continue
            if scopes is None:
                scopes = Scopes(tree if isinstance(tree, ast.Module) else _parse(lines))
            key = (code, scopes.at(line), subject(text))
            if left.get(key, 0) > 0:
                left[key] -= 1
            else:
                kept.append(report)
        return kept


def _silenced(code: str, line: int, message: str, lines: Sequence[str], disable_noqa: bool) -> bool:
    """Whether ``# noqa`` on the report's line silences it, as flake8 decides."""
    from flake8.violation import Violation

    physical = lines[line - 1] if 0 < line <= len(lines) else ""
    return Violation(code, "", line, 0, message, physical).is_inline_ignored(disable_noqa)


def _parse(lines: Sequence[str]) -> ast.AST | None:
    try:
        return ast.parse("".join(lines))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
