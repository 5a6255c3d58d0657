"""The ``ddd-events baseline`` command's side: what flake8 reports now, fingerprinted.

flake8 itself runs (its options, configuration files, selection, ``# noqa``, excludes and
per-file-ignores), with this plugin's checks only and no baseline applied; a formatter
collects what it would print.
"""

from __future__ import annotations

import ast
from collections import Counter
from dataclasses import dataclass, field
from typing import Sequence

from flake8.formatting.base import BaseFormatter

from .fingerprint import Fingerprint, Scopes, relative_path, subject

# flake8's own codes for a file it could not check: its entries are kept as they are
UNCHECKED = ("E902", "E999")


@dataclass
class Found:
    """The findings flake8 reports now, and which files it checked."""

    counts: Counter[Fingerprint] = field(default_factory=Counter)
    checked: set[str] = field(default_factory=set)  # paths relative to the root
    unchecked: list[str] = field(default_factory=list)  # files.unreadable messages


def collect(paths: Sequence[str], root: str) -> Found:
    """Run flake8 on the files of ``paths`` (none: flake8's default), as the commands list
    them (``files.python_files``), from the current folder; raises
    flake8's ``Flake8Exception`` for a bad option, RuntimeError when a check crashed."""
    from flake8.main.application import Application
    from flake8.options.parse_args import parse_args

    from ..source.files import check_python, python_files, unreadable

    argv = [*paths, "--ddd-baseline=none"]
    app = Application()
    app.plugins, app.options = parse_args(argv)
    # the files as the commands list them (flake8's, less third-party code: flake8 would
    # walk a virtual environment, and read every module in it for nothing)
    app.options.filenames = list(python_files(app.options.filenames or ["."]))
    if not app.options.filenames:
        return Found()
    checkers = app.plugins.checkers
    ours = [p for p in checkers.tree if p.plugin.entry_point.value.startswith("flake8_ddd_events")]
    app.plugins = app.plugins._replace(checkers=type(checkers)(ours, [], []))
    collector = app.formatter = _Collector(app.options)
    app.make_guide()
    app.make_file_checker_manager(argv)
    app.run_checks()
    if app.catastrophic_failure:
        raise RuntimeError("a check failed; run flake8 on the same paths to see where")
    app.report_errors()
    found = Found()
    skipped = set()
    for filename, results, _ in app.file_checker_manager.results:
        reasons = [(line, column, text) for code, line, column, text, _ in results
                   if code in UNCHECKED]
        if reasons:
            skipped.add(filename)
            line, column, text = reasons[0]
            # Python's own wording, as every command words it; flake8's if the file has
            # changed since
            found.unchecked.append(check_python(filename) or unreadable(
                filename, SyntaxError(text, (filename, line, column + 1, None))))
        else:
            found.checked.add(relative_path(filename, root))
    by_file: dict[str, list] = {}
    for violation in collector.violations:
        if violation.filename not in skipped and violation.code.startswith("DDD"):
            by_file.setdefault(violation.filename, []).append(violation)
    for filename, violations in by_file.items():
        path = relative_path(filename, root)
        scopes = Scopes(_tree(filename))
        for violation in violations:
            found.counts[Fingerprint(path, violation.code, scopes.at(violation.line_number),
                                     subject(violation.text))] += 1
    return found


def _tree(filename: str) -> ast.AST | None:
    """The module's ``ast``, as flake8 parsed it for the plugin."""
    from ..source.files import read_source

    try:
        return ast.parse(read_source(filename)[0])
    except (OSError, UnicodeError, SyntaxError, ValueError, RecursionError, MemoryError):
        return None


class _Collector(BaseFormatter):
    """A flake8 formatter that keeps what flake8 would print, and prints nothing (it is
    neither started nor stopped: only flake8's reporting of the results is run)."""

    def after_init(self) -> None:
        self.violations: list = []

    def handle(self, error) -> None:
        self.violations.append(error)
