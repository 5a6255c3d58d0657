"""Safe automatic fixes, as libcst transformations (``ddd-events fix``).

The fixer runs the linter's pipeline (``lint.pipeline``: the same gate, project model,
parse and rules), keeps the findings flake8 would show (selected codes, ``# noqa``
honoured), and turns each into an edit of the node it points at:

- ``per_rule.py``: one fix per rule (DDD101 frozen=True, DDD104 immutable
  containers, DDD107 aware timestamps, DDD109 kw_only=True, DDD110 default
  factories);
- ``plan.py``: the edits of one module, applied in one transformation;
- ``edits.py``: comma-list and decorator edits that keep the formatting;
- ``noqa.py``: flake8's ``# noqa`` semantics.

Everything outside the edited nodes is printed back unchanged; a fixed module
has no finding left that the fixer could fix, so a second run changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Collection

from ..config.settings import Settings

if TYPE_CHECKING:
    from ..lint.pipeline import Pipeline

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
               pipeline: Pipeline | None = None,
               target_python: tuple[int, int] = DEFAULT_TARGET_PYTHON) -> FixResult:
    """The fixed source of one module and what happened to each finding. ``pipeline``:
    the run's (``lint.pipeline.Pipeline`` for the fixable codes selected), made here
    when None.

    Raises ``parsing.Unparsable`` when libcst cannot read the source.
    """
    from ..lint.pipeline import Pipeline
    from ..source.modules import module_path
    from .noqa import file_is_silenced

    selected = [code for code in FIXABLE if code in codes]
    unchanged = FixResult(source, source)
    if not selected:
        return unchanged
    if pipeline is None:
        pipeline = Pipeline(settings, selected)
    module, is_package = module_path(filename, settings.source_roots)
    if not pipeline.passes(source, module, is_package) or file_is_silenced(source):
        return unchanged
    tree, _, context, found = pipeline.rule_findings(source, filename, module, is_package, selected,
                                                     share=False)
    if not found:
        return unchanged
    return _fix(tree, context, source, [(code, finding.node) for code, finding in found],
                target_python)


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
