"""The flake8 entry point: options in, findings out."""

from __future__ import annotations

import ast
import gc
import os
import sys
from typing import Any, ClassVar, Iterator, Sequence

from . import __version__
from .config.settings import OPTIONS, Settings, SettingsError


def all_codes() -> tuple[str, ...]:
    from .rules import RULES

    return ("DDD000", *(rule.code for rule in RULES))


class Plugin:
    """flake8-ddd-events: Domain-Driven-Design event rules."""

    name = "flake8-ddd-events"
    version = __version__

    # set by parse_options; the defaults (which look for source roots on disk) are
    # read only when a module is checked without it, not when flake8 imports the plugin
    settings: ClassVar[Settings | None] = None
    selected: ClassVar[frozenset[str] | None] = None  # None: every code
    pipeline: ClassVar[Any] = None  # the run's stages (lint.pipeline.Pipeline), made at the first module
    engine: ClassVar[Any] = None  # flake8's DecisionEngine, for the codes once libcst is in
    stdin: ClassVar[bool] = False  # whether flake8 reads a buffer from stdin in this run
    undeclared: ClassVar[frozenset[str] | None] = None  # selected codes the gate does not know
    baseline: ClassVar[Any] = None  # the baselined findings (baseline.matching.Baseline), if any
    disable_noqa: ClassVar[bool] = False
    results: ClassVar[Any] = None  # the run's result cache (cache.ResultCache); None: off
    gc_frozen: ClassVar[bool] = False  # whether libcst's objects are out of the GC's way (gc.freeze)
    third_party: ClassVar[Any] = None  # the run's thirdparty.ThirdParty (folders asked once)

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
            cls.settings = Settings.from_values(values, kept_roots=source_roots)
        except ConfigError as error:
            raise ExecutionError(f"flake8-ddd-events: bad option {error}") from None
        except SettingsError as error:
            raise ExecutionError(f"flake8-ddd-events: bad option --{error}") from None
        from .gate.needs import NEEDS

        # The gate's codes come from gate.NEEDS, so that start-up does not import the
        # rules (and libcst); the rules' own codes are read once a module passes the gate.
        engine = cls.engine = DecisionEngine(options)
        cls.selected = frozenset(c for c in NEEDS if engine.decision_for(c) is Decision.Selected)
        cls.pipeline = None
        cls.undeclared = None
        from .cache import results_for
        from .source.store import SourceFiles

        # the run's source files: the cache's keys, the gate and the model read through them
        cls.results = results_for(cls.settings, _selection(engine), SourceFiles(cls.settings.source_roots))
        # a buffer read from stdin may differ from the file it is named after: its facts
        # are never shared with the project model
        cls.stdin = "-" in (getattr(options, "filenames", None) or ())
        cls.baseline = _baseline(cls.settings)
        cls.disable_noqa = bool(getattr(options, "disable_noqa", False))
        cls.third_party = None

    def run(self) -> list[tuple[int, int, str, type]]:
        """The module's findings. Python's cyclic garbage collector is paused meanwhile:
        a libcst tree is many small acyclic objects, freed by reference counting when
        the module is done, and collections started by its allocations would walk them
        (and every object flake8 holds) again and again for nothing."""
        paused = gc.isenabled()
        gc.disable()
        try:
            return self._not_baselined(list(self._findings()))
        finally:
            if paused:
                gc.enable()

    def _not_baselined(self, found: list[tuple[int, int, str, type]]) -> list[tuple[int, int, str, type]]:
        """The findings less those the baseline holds (applied last, to the findings
        however they were produced)."""
        if Plugin.baseline is None or not found:
            return found
        return Plugin.baseline.not_baselined(found, self.filename, self.tree, self.lines,
                                             Plugin.disable_noqa)

    def _findings(self) -> Iterator[tuple[int, int, str, type]]:
        from .gate.needs import NEEDS

        if Plugin.settings is None:
            Plugin.settings = Settings.from_values()
        settings = Plugin.settings
        codes = self.selected if self.selected is not None else frozenset(NEEDS)
        if not codes or self._third_party():
            return
        pipeline = _pipeline(settings, codes)
        place = pipeline.module_of(self.filename)
        if place is None:
            return  # test code
        module, is_package = place
        source = "".join(self.lines)
        results = Plugin.results
        # the cache first: an answer kept stands for the gate's too (its entry rests on
        # the modules the gate consulted as well as on those the check read)
        lookup = results.lookup(self.filename, source) if results is not None else None
        reports = lookup.findings if lookup is not None else None
        if reports is None:  # not cached, or what it rested on has changed
            tree = self.tree if isinstance(self.tree, ast.Module) else None
            # only the rules whose needs this module meets run on it (empty: not parsed)
            codes = pipeline.gate_codes(tree, source, module, is_package)
            if not codes:
                return
            consulted = pipeline.gate.rests_on()
            reports = self._check(pipeline, source, tree, codes, record=lookup is not None)
            if lookup is not None:
                results.store(lookup, reports, pipeline.model.dependencies(), consulted)
        for line, column, _, message in reports:
            yield line, column, message, type(self)

    def _third_party(self) -> bool:
        """Whether the module lies in a virtual environment or installed packages: not the
        project's code, whatever path flake8 was given (decided from the path, before any parse)."""
        if Plugin.third_party is None:
            from .source.thirdparty import ThirdParty

            Plugin.third_party = ThirdParty()
        return Plugin.third_party.holds_file(self.filename)

    def _check(self, pipeline: Any, source: str, tree: ast.Module | None, codes: frozenset[str],
               record: bool) -> list[tuple[int, int, str, str]]:
        from .lint.checker import check_source

        codes = _rule_codes(codes)
        model = pipeline.model
        if record:
            model.record()
        return list(check_source(source, self.filename, pipeline.settings, codes, model,
                                 tree, share=not Plugin.stdin))


def _pipeline(settings: Settings, codes: frozenset[str]) -> Any:
    """The run's pipeline, made at the first module checked (for the settings and codes
    of the run; reading through the result cache's files when the cache is on)."""
    pipeline = Plugin.pipeline
    if pipeline is None or pipeline.settings is not settings or pipeline.codes != codes:
        from .lint.pipeline import Pipeline

        files = Plugin.results.files if Plugin.results is not None else None
        pipeline = Plugin.pipeline = Pipeline(settings, codes, files, before_model=_gc_freeze_imports)
    return pipeline


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
        from .lint import checker  # noqa: F401 - imported before gc.freeze
        from .syntax import parsing  # noqa: F401 - imported before gc.freeze

        Plugin.gc_frozen = True
        gc.freeze()
        young, *older = gc.get_threshold()
        if 0 < young < YOUNG_THRESHOLD:
            gc.set_threshold(YOUNG_THRESHOLD, *older)


YOUNG_THRESHOLD = 10_000


def _rule_codes(gate_codes: frozenset[str]) -> frozenset[str]:
    """The codes to run on a module: the gate's for it, and the selected codes of rules
    not in gate.NEEDS (found once per options, when the rules are first needed)."""
    if Plugin.undeclared is None:
        from flake8.style_guide import Decision

        from .gate.needs import NEEDS

        engine = Plugin.engine
        Plugin.undeclared = frozenset(
            c for c in all_codes() if c not in NEEDS
            and (engine is None or engine.decision_for(c) is Decision.Selected))
    return gate_codes | Plugin.undeclared


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
