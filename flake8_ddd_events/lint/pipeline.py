"""The path one file takes through the stages, shared by flake8's plugin and
``ddd-events fix``: the gate (which selected rules can have anything to say about it),
the project model (made once per run, reading through the run's source files), the
parse (or the model's parse of this very file), the rules.

The plugin looks in the result cache before the gate and places the findings after
(``checker.check_source``); the fixer edits the nodes the findings point at.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any, Callable, Collection, NamedTuple

from ..config.settings import Settings
from ..gate.look import gate_for
from ..source.modules import module_path
from ..source.store import SourceFiles

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
        facts.views.clear()  # see ``checker.check_source``
        raise
    return RuleFindings(tree, facts, context, found)


class Pipeline:
    """One run's stages for the selected ``codes``: the run's source files (``files``,
    shared with the result cache; the pipeline's own when None), the gate, and the
    project model once a module passes it (``before_model`` runs then, once)."""

    def __init__(self, settings: Settings, codes: Collection[str], files: SourceFiles | None = None,
                 before_model: Callable[[], None] | None = None) -> None:
        self.settings = settings
        self.codes = frozenset(codes)
        self.files = files if files is not None else SourceFiles(settings.source_roots)
        self.gate = gate_for(settings, self.codes, self.files)
        self._before_model = before_model
        self._model: ProjectModel | None = None

    @property
    def model(self) -> ProjectModel:
        """The project model: it reads through the run's files, and keeps the libcst tree
        of a module it reads for the rules to take, unless the gate's look at its text
        shows the gate will stop it."""
        if self._model is None:
            if self._before_model is not None:
                self._before_model()
            from ..model.project_model import ProjectModel

            self._model = ProjectModel(self.settings, self.files, will_check=self.gate.may_pass)
        return self._model

    def module_of(self, filename: str) -> tuple[str, bool] | None:
        """The module a file is (dotted name, whether a package); None for test code,
        whose classes are test doubles and whose flows are fixtures: it is not checked."""
        module, is_package = module_path(filename, self.settings.source_roots)
        return None if self.settings.is_test_module(module) else (module, is_package)

    def gate_codes(self, tree: ast.Module | None, source: str, module: str,
                   is_package: bool) -> frozenset[str]:
        """The selected codes whose needs the module meets (empty: do not parse it)."""
        return self.gate.codes_for(tree, source, module, is_package)

    def passes(self, source: str, module: str, is_package: bool) -> bool:
        """Whether any selected rule can have anything to say about the module."""
        return self.gate.passes(None, source, module, is_package)

    def rule_findings(self, source: str, filename: str, module: str, is_package: bool,
                      codes: Collection[str], share: bool = True) -> RuleFindings:
        """``run_rules`` with the run's model."""
        return run_rules(source, filename, module, is_package, self.settings, codes, self.model,
                         share)
