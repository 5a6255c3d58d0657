"""The path one file takes through the stages (``Pipeline.check``): the result cache,
the gate, the project model, the parse and the rules, the positions, the baseline.
``ddd-events fix`` takes the same steps up to the rules, then edits the nodes the
findings point at.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any, Collection, Iterator, NamedTuple, Sequence

from ..config.settings import Settings
from ..source.modules import module_path
from .positions import Report, place
from .run import Run

if TYPE_CHECKING:  # libcst is imported only once a module passes the gate
    from ..model.project_model import ProjectModel
    from ..rules.rule import Context, Finding
    from ..syntax.facts import ModuleFacts


class RuleFindings(NamedTuple):
    """The selected rules' findings in one module, before they are placed or fixed."""

    tree: Any  # the module's libcst tree
    facts: ModuleFacts
    context: Context
    found: list[tuple[str, Finding]]  # (code, finding), rule by rule in code order


def run_rules(source: str, filename: str, module: str, is_package: bool, settings: Settings,
              codes: Collection[str], model: ProjectModel, share: bool = True) -> RuleFindings:
    """Parse one module (or take the model's parse of the same file) and run the selected
    rules on its facts. With ``share``, the module is parsed once for the rules and the
    model: the model's tree is taken when it has read this very file already, and the
    facts are handed to the model otherwise (both only when the file on disk holds
    exactly ``source``; False for a buffer that is not a file, e.g. stdin). Raises
    ``parsing.Unparsable``."""
    from ..rules import RULES
    from ..rules.rule import Context
    from ..syntax.parsing import parse_facts

    shared = model.take(filename, source, module, is_package) if share else None
    if shared is not None:
        tree, facts = shared
    else:
        tree, facts = parse_facts(source, filename, module, is_package)
        if share:
            model.register(filename, source, facts)
    context = Context(facts, settings, model)
    try:
        found = [(rule.code, finding) for rule in RULES if rule.code in codes
                 for finding in rule.run(context)]
    except BaseException:
        facts.views.clear()  # see ``placed_findings``
        raise
    return RuleFindings(tree, facts, context, found)


def placed_findings(source: str, filename: str, module: str, is_package: bool, settings: Settings,
                    codes: Collection[str], model: ProjectModel, tree: ast.AST | None = None,
                    share: bool = True) -> list[Report]:
    """The rules and the positions: every finding of the selected rules (``codes``) in one
    module, placed, in order; a module libcst cannot read is one DDD000 (when selected).
    ``tree`` is the module's ``ast`` (flake8's), parsed when needed and not given."""
    from ..syntax.parsing import Unparsable

    try:
        cst_tree, facts, _, rule_findings = run_rules(source, filename, module, is_package, settings,
                                                      codes, model, share)
    except Unparsable as error:
        return [Report(1, 0, "DDD000", f"DDD000 {error}")] if "DDD000" in codes else []
    # the views refer back to the facts: without this cycle the module's facts and
    # libcst tree are freed by reference counting, not left to the cyclic GC
    facts.views.clear()
    found = [(finding.node, code, finding.message) for code, finding in rule_findings]
    if not found:
        return []
    try:
        return place(cst_tree, facts, source, tree, found)
    except RecursionError:
        if "DDD000" in codes:
            return [Report(1, 0, "DDD000", "DDD000 libcst cannot place findings in this file: "
                           "it is nested too deeply")]
        return []


def check_source(source: str, filename: str, settings: Settings, codes: Collection[str],
                 model: ProjectModel | None = None, tree: ast.AST | None = None,
                 share: bool = True) -> Iterator[Report]:
    """The selected rules' placed findings in one module, without the cache, the gate
    and the baseline (for tests and measurements); test code has none. ``model``: the
    project model to use (a fresh one when None)."""
    module, is_package = module_path(filename, settings.source_roots)
    if settings.is_test_module(module):
        return  # test code: its classes are test doubles, its flows fixtures
    if model is None:
        from ..model.project_model import ProjectModel

        model = ProjectModel(settings)
    yield from placed_findings(source, filename, module, is_package, settings, codes, model, tree,
                               share)


class Pipeline:
    """The steps one file takes in a ``Run``."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.settings = run.settings

    @property
    def model(self) -> ProjectModel:
        return self.run.model

    def check(self, filename: str, source: str, tree: ast.AST | None,
              lines: Sequence[str] | None = None) -> list[Report]:
        """The module's findings, as flake8 shows them (before ``# noqa``): third-party
        and test code skipped, then the result cache's answer, or the gate, the model and
        the rules, the positions, and the answer kept in the cache; then the findings the
        baseline holds dropped (after the cache, which keeps them all: ``ddd-events
        baseline`` shares its answers). ``tree``: flake8's ``ast`` of the module;
        ``lines``: flake8's lines of it, for ``# noqa`` (``source``'s when None)."""
        run = self.run
        if not run.codes or run.third_party.holds_file(filename):
            return []
        place = self.module_of(filename)
        if place is None:
            return []
        module, is_package = place
        results = run.results
        # the cache first: an answer kept stands for the gate's too (its entry rests on
        # the modules the gate consulted as well as on those the check read)
        lookup = results.lookup(filename, source) if results is not None else None
        cached = lookup.findings if lookup is not None else None
        if cached is not None:
            reports = [Report(*finding) for finding in cached]
        else:  # not cached, or what it rested on has changed
            module_tree = tree if isinstance(tree, ast.Module) else None
            # only the rules whose needs this module meets run on it (empty: not parsed)
            codes = self.gate_codes(module_tree, source, module, is_package)
            if not codes:  # kept too: the gate is most of what a warm run would redo
                if results is not None and lookup is not None:
                    results.store(lookup, [], ((), ()), run.gate.rests_on())
                return []
            consulted = run.gate.rests_on()
            model = run.model
            if lookup is not None:
                model.record()
            reports = placed_findings(source, filename, module, is_package, self.settings,
                                      codes | run.undeclared, model, module_tree, run.share)
            if results is not None and lookup is not None:
                results.store(lookup, reports, model.dependencies(), consulted)
        return self._not_baselined(reports, filename, tree, source, lines)

    def _not_baselined(self, reports: list[Report], filename: str, tree: ast.AST | None,
                       source: str, lines: Sequence[str] | None) -> list[Report]:
        baseline = self.run.baseline
        if baseline is None or not reports:
            return reports
        kept = baseline.not_baselined([(r.line, r.column, r.message, r) for r in reports], filename,
                                      tree, source.splitlines(keepends=True) if lines is None else lines,
                                      self.run.disable_noqa)
        return [report for *_, report in kept]

    def module_of(self, filename: str) -> tuple[str, bool] | None:
        """The module a file is (dotted name, whether a package); None for test code,
        whose classes are test doubles and whose flows are fixtures: it is not checked."""
        module, is_package = module_path(filename, self.settings.source_roots)
        return None if self.settings.is_test_module(module) else (module, is_package)

    def gate_codes(self, tree: ast.Module | None, source: str, module: str,
                   is_package: bool) -> frozenset[str]:
        """The selected codes whose needs the module meets (empty: do not parse it)."""
        return self.run.gate.codes_for(tree, source, module, is_package)

    def passes(self, source: str, module: str, is_package: bool) -> bool:
        """Whether any selected rule can have anything to say about the module."""
        return self.run.gate.passes(None, source, module, is_package)

    def rule_findings(self, source: str, filename: str, module: str, is_package: bool,
                      codes: Collection[str], share: bool = True) -> RuleFindings:
        """``run_rules`` with the run's model."""
        return run_rules(source, filename, module, is_package, self.settings, codes, self.model,
                         share)
