"""The flake8 entry point: options in, findings out."""

from __future__ import annotations

import ast
import gc
import os
import sys
from typing import TYPE_CHECKING, Any, ClassVar, Sequence

from . import __version__
from .config.settings import OPTIONS, Settings, SettingsError

if TYPE_CHECKING:  # the stages are imported when flake8 reads the options
    from .lint.run import Run


def all_codes() -> tuple[str, ...]:
    from .rules import RULES

    return ("DDD000", *(rule.code for rule in RULES))


class Plugin:
    """flake8-ddd-events: Domain-Driven-Design event rules."""

    name = "flake8-ddd-events"
    version = __version__

    # made by parse_options; without it (the plugin run in-process), the defaults (which
    # look for source roots on disk) are read when the first module is checked
    state: ClassVar[Run | None] = None
    gc_frozen: ClassVar[bool] = False  # whether libcst's objects are out of the GC's way (gc.freeze)

    def __init__(self, tree: ast.AST, filename: str, lines: Sequence[str]) -> None:
        self.tree = tree
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

        from .cache.roots import source_roots
        from .config.sources import ConfigError, check_flake8_keys, merge, pyproject_values

        values = {o.key: getattr(options, o.key.replace("-", "_"), None) for o in OPTIONS}
        try:
            for path in _flake8_config_files(options):
                check_flake8_keys(path)
            if not _isolated(options):  # command line and [flake8] win over pyproject
                values = merge(values, pyproject_values(os.getcwd()))
            settings = Settings.from_values(values, kept_roots=source_roots)
        except ConfigError as error:
            raise ExecutionError(f"flake8-ddd-events: bad option {error}") from None
        except SettingsError as error:
            raise ExecutionError(f"flake8-ddd-events: bad option --{error}") from None
        from .cache import results_for
        from .gate.needs import NEEDS
        from .lint.run import Run
        from .source.store import SourceFiles

        # The gate's codes come from gate.NEEDS, so that start-up does not import the
        # rules (and libcst); the rules' own codes are read once a module passes the gate.
        engine = DecisionEngine(options)

        def selects(code: str) -> bool:
            return engine.decision_for(code) is Decision.Selected

        # the run's source files: the cache's keys, the gate and the model read through them
        files = SourceFiles(settings.source_roots)
        cls.state = Run(
            settings, frozenset(c for c in NEEDS if selects(c)), selects, files,
            results=results_for(settings, _selection(engine), files),
            baseline=_baseline(settings),
            disable_noqa=bool(getattr(options, "disable_noqa", False)),
            # a buffer read from stdin may differ from the file it is named after: its
            # facts are never shared with the project model
            share="-" not in (getattr(options, "filenames", None) or ()),
            before_model=_gc_freeze_imports)

    def run(self) -> list[tuple[int, int, str, type]]:
        """The module's findings. Python's cyclic garbage collector is paused meanwhile:
        a libcst tree is many small acyclic objects, freed by reference counting when
        the module is done, and collections started by its allocations would walk them
        (and every object flake8 holds) again and again for nothing."""
        paused = gc.isenabled()
        gc.disable()
        try:
            found = _state().pipeline.check(self.filename, "".join(self.lines), self.tree, self.lines)
            return [(report.line, report.column, report.message, type(self)) for report in found]
        finally:
            if paused:
                gc.enable()


def _state() -> Run:
    """The run's state: parse_options's, else the defaults, made at the first module."""
    if Plugin.state is None:
        from .gate.needs import NEEDS
        from .lint.run import Run

        Plugin.state = Run(Settings.from_values(), frozenset(NEEDS), before_model=_gc_freeze_imports)
    return Plugin.state


def _gc_freeze_imports() -> None:
    """Once per process, when the first module is checked: import libcst and the rules,
    then move every object alive to the cyclic garbage collector's permanent generation
    (``gc.freeze``). Those imports are some 30,000 objects that live as long as the
    process, and each full collection while flake8 works on the next files would walk
    them again (a fifth of a second over the dense benchmark). What is alive then is
    otherwise flake8's start-up state and the file at hand; reference counting still
    frees all of it, only a reference cycle among those objects would now wait for the
    end of the process.

    Then the young generation's threshold is raised to ``YOUNG_THRESHOLD`` allocations
    (unless set higher, or to 0: collections off), as mypy does: the project model keeps
    facts and trees for modules flake8 has not reached yet, and each young collection
    walks whatever is young and alive (a third less collector time over the dense
    benchmark); what is left for the collector, cyclic garbage, waits a little longer."""
    if not Plugin.gc_frozen:
        from . import rules  # noqa: F401 - imported before gc.freeze
        from .lint import positions  # noqa: F401 - imported before gc.freeze
        from .syntax import parsing  # noqa: F401 - imported before gc.freeze

        Plugin.gc_frozen = True
        gc.freeze()
        young, *older = gc.get_threshold()
        if 0 < young < YOUNG_THRESHOLD:
            gc.set_threshold(YOUNG_THRESHOLD, *older)


YOUNG_THRESHOLD = 10_000


def _baseline(settings: Settings) -> Any:
    """The baseline in use, read once per process; a file that cannot be used stops flake8."""
    from flake8.exceptions import ExecutionError

    from .baseline.matching import Baseline
    from .baseline.store import BaselineError

    try:
        return Baseline.load(settings.baseline, os.getcwd())
    except BaselineError as error:
        raise ExecutionError(f"flake8-ddd-events: {error}") from None


def _selection(engine: Any) -> str:
    """flake8's selection, as the decision engine read it: with the gate's codes for a
    module, it decides the codes run there (the rules' own are not imported before a
    module is checked, as that imports libcst), so the result cache keys on it."""
    return repr([sorted(getattr(engine, name, ())) for name in (
        "selected_explicitly", "ignored_explicitly", "selected", "ignored")])


def _flake8_config_files(options: Any) -> list[str]:
    """The files whose ``[flake8]`` section flake8 read in this run: ``--config`` or the one
    it found from the current folder, then ``--append-config`` (none with ``--isolated``).
    flake8's first-stage parser keeps these flags to itself, so they are read again."""
    from flake8.main.options import stage1_arg_parser

    from .config.sources import find_flake8_config

    parser = stage1_arg_parser()
    parser.allow_abbrev = False
    try:
        first, _ = parser.parse_known_args(sys.argv[1:])
    except SystemExit:  # not flake8's command line (flake8 run in-process)
        first = parser.parse_known_args([])[0]
    if first.isolated or _isolated(options):
        return []
    found = first.config or find_flake8_config(os.getcwd())
    return [path for path in (found, *first.append_config) if path]


def _isolated(options: Any) -> bool:
    """Whether flake8 runs with ``--isolated`` (its first-stage parser keeps the flag to itself)."""
    return bool(getattr(options, "isolated", False)) or "--isolated" in sys.argv[1:]


def _default_text(option) -> str:
    if option.default is None:
        return "see docs"
    if isinstance(option.default, tuple):
        return ", ".join(option.default) or "none"
    if isinstance(option.default, bool):
        return str(option.default).lower()
    return str(option.default)
