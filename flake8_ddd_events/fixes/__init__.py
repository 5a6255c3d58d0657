"""Safe automatic fixes, as libcst transformations (``ddd-events fix``).

The fixer runs the same rules as the linter on the same facts, keeps the
findings flake8 would show (selected codes, ``# noqa`` honoured), and turns
each into an edit of the node it points at:

- ``rules.py``: one fix per rule (DDD101 frozen=True, DDD104 immutable
  containers, DDD107 aware timestamps, DDD109 kw_only=True, DDD110 default
  factories);
- ``plan.py``: the edits of one module, applied in one transformation;
- ``syntax.py``: comma-list and decorator edits that keep the formatting;
- ``noqa.py``: flake8's ``# noqa`` semantics.

Everything outside the edited nodes is printed back unchanged; a fixed module
has no finding left that the fixer could fix, so a second run changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Collection

from ..config.settings import Settings

FIXABLE = ("DDD101", "DDD104", "DDD107", "DDD109", "DDD110")
DEFAULT_TARGET_PYTHON = (3, 10)


@dataclass(frozen=True)
class Outcome:
    """What became of one finding: fixed (and how) or left alone (and why)."""

    line: int
    code: str
    fixed: bool
    note: str


@dataclass(frozen=True)
class FixResult:
    original: str
    source: str
    outcomes: tuple[Outcome, ...] = ()

    @property
    def changed(self) -> bool:
        return self.source != self.original

    @property
    def fixed(self) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if o.fixed)

    @property
    def left(self) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if not o.fixed)


def fix_source(source: str, filename: str, settings: Settings, codes: Collection[str] = FIXABLE,
               model=None, target_python: tuple[int, int] = DEFAULT_TARGET_PYTHON) -> FixResult:
    """The fixed source of one module and what happened to each finding.

    Raises ``parsing.Unparsable`` when libcst cannot read the source.
    """
    from ..gate.look import may_hold_findings
    from ..source.modules import module_path
    from ..syntax.parsing import parse_facts
    from .noqa import file_is_silenced

    selected = [code for code in FIXABLE if code in codes]
    module, is_package = module_path(filename, settings.source_roots)
    unchanged = FixResult(source, source)
    if not selected or not may_hold_findings(source, module, settings) or file_is_silenced(source):
        return unchanged
    tree, facts = parse_facts(source, filename, module, is_package)
    if model is None:
        from ..model.project_model import ProjectModel

        model = ProjectModel(settings)
    from ..rules.rule import Context
    from ..rules import RULES

    context = Context(facts, settings, model)
    found = [(rule.code, finding.node) for rule in RULES if rule.code in selected
             for finding in rule.run(context)]
    if not found:
        return unchanged
    return _fix(tree, context, source, found, target_python)


def _fix(tree, context, source: str, found, target_python) -> FixResult:
    from libcst.metadata import MetadataWrapper, PositionProvider

    from .noqa import Noqa
    from .plan import Plan, Unfixable
    from .per_rule import FIXES, frozen_candidates

    positions = MetadataWrapper(tree, unsafe_skip_copy=True).resolve(PositionProvider)
    silenced = Noqa(source)
    todo, seen = [], set()
    for code, node in found:
        line = positions[node].start.line
        if (code, id(node)) not in seen and not silenced(line, code):
            seen.add((code, id(node)))
            todo.append((line, code, node))
    todo.sort(key=lambda item: (item[0], item[1]))
    plan = Plan(tree, context, target_python)
    plan.frozen_classes = frozen_candidates(plan, [node for _, code, node in todo if code == "DDD101"])
    outcomes = []
    for line, code, node in todo:
        saved = plan.checkpoint()
        try:
            note = FIXES[code](plan, node)
        except Unfixable as why:
            plan.restore(saved)
            outcomes.append(Outcome(line, code, False, str(why)))
        else:
            outcomes.append(Outcome(line, code, True, note))
    fixed = plan.apply(tree).code if any(o.fixed for o in outcomes) else source
    return FixResult(source, fixed, tuple(outcomes))
