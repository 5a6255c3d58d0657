"""The flake8 entry point: options in, findings out."""

from __future__ import annotations

import ast
import os
import sys
from typing import Any, ClassVar, Iterator, Sequence

from . import __version__
from .settings import OPTIONS, Settings, SettingsError

def all_codes() -> tuple[str, ...]:
    from .rules import RULES

    return ("DDD000", *(rule.code for rule in RULES))


class Plugin:
    """flake8-ddd-events: Domain-Driven-Design event rules."""

    name = "flake8-ddd-events"
    version = __version__

    settings: ClassVar[Settings] = Settings.from_values()
    selected: ClassVar[frozenset[str] | None] = None  # None: every code
    model: ClassVar[Any] = None

    def __init__(self, tree: ast.AST, filename: str, lines: Sequence[str]) -> None:
        self.filename = filename
        self.lines = lines

    @classmethod
    def add_options(cls, manager: Any) -> None:
        for option in OPTIONS:
            manager.add_option(
                option.flag,
                parse_from_config=True,
                comma_separated_list=option.is_list,
                default=None,
                help=f"flake8-ddd-events: {option.help} (default: {_default_text(option)})",
            )

    @classmethod
    def parse_options(cls, options: Any) -> None:
        from flake8.exceptions import ExecutionError
        from flake8.style_guide import Decision, DecisionEngine

        from .config import ConfigError, merge, pyproject_values

        values = {o.key: getattr(options, o.key.replace("-", "_"), None) for o in OPTIONS}
        try:
            if not _isolated(options):  # command line and [flake8] win over pyproject
                values = merge(values, pyproject_values(os.getcwd()))
            cls.settings = Settings.from_values(values)
        except ConfigError as error:
            raise ExecutionError(f"flake8-ddd-events: bad option {error}") from None
        except SettingsError as error:
            raise ExecutionError(f"flake8-ddd-events: bad option --{error}") from None
        engine = DecisionEngine(options)
        cls.selected = frozenset(c for c in all_codes()
                                 if engine.decision_for(c) is Decision.Selected)
        cls.model = None

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        from .checker import check_source
        from .gate import may_hold_findings
        from .modules import module_path

        settings = self.settings
        codes = self.selected if self.selected is not None else frozenset(all_codes())
        if not codes:
            return
        source = "".join(self.lines)
        module, _ = module_path(self.filename, settings.source_roots)
        if not may_hold_findings(source, module, settings):
            return
        if Plugin.model is None:
            from .model import ProjectModel

            Plugin.model = ProjectModel(settings)
        for report in check_source(source, self.filename, settings, codes, Plugin.model):
            yield report.line, report.column, report.message, type(self)


def _isolated(options: Any) -> bool:
    """Whether flake8 runs with ``--isolated`` (its first-stage parser keeps the flag to itself)."""
    return bool(getattr(options, "isolated", False)) or "--isolated" in sys.argv[1:]


def _default_text(option) -> str:
    if option.default is None:
        return "see docs"
    if isinstance(option.default, tuple):
        return ", ".join(option.default) or "none"
    return str(option.default)
