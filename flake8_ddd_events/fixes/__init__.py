"""Safe automatic fixes, as libcst transformations (``ddd-events fix``).

The fixer runs the linter's pipeline (``lint.pipeline``: the same gate, project model,
parse and rules), keeps the findings flake8 would show (selected codes, ``# noqa``
honoured), and turns each into an edit of the node it points at:

- ``per_rule.py``: one fix per rule (``FIXES``: DDD101 frozen=True, DDD104 immutable
  containers, DDD107 aware timestamps, DDD109 kw_only=True, DDD110 default
  factories, DDD209 a version and an upcaster for an obvious value); ``FIXABLE`` is
  read from it, and each fixable rule's invalid examples say what the fix makes of them
  (``Example.fixed``, checked by tests/rules/test_rule_examples.py);
- ``plan.py``: the edits of one module, applied in one transformation;
- ``edits.py``: comma-list and decorator edits that keep the formatting;
- ``noqa.py``: flake8's ``# noqa`` semantics;
- ``uses.py``: what the rest of the project does with a class (subclasses, positional
  calls), so that a fix never breaks code that works: ``frozen=True`` only where
  nothing assigns to the instance, ``kw_only=True`` only where nothing builds it
  positionally; otherwise the finding stays and the fixer says why.

Everything outside the edited nodes is printed back unchanged; a fixed module
has no finding left that the fixer could fix, so a second run changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Collection

from ..config.settings import Settings
from .per_rule import FIXES

if TYPE_CHECKING:
    from ..lint.pipeline import Pipeline

FIXABLE = tuple(sorted(FIXES))  # the codes with a fix
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
               target_python: tuple[int, int] = DEFAULT_TARGET_PYTHON, uses=None) -> FixResult:
    """The fixed source of one module and what happened to each finding. ``pipeline``:
    the run's (``lint.pipeline.Pipeline`` for the fixable codes selected), made here
    when None. ``uses``: what the project does with its classes (``uses.ProjectUses``);
    by default the module's own.

    Raises ``parsing.Unparsable`` when libcst cannot read the source.
    """
    if pipeline is None:
        pipeline = _pipeline(settings, codes)
    found = _findings(source, filename, codes, pipeline)
    if found is None:
        return FixResult(source, source)
    tree, context, todo = found
    if uses is None:
        from .uses import ProjectUses

        uses = ProjectUses.of_module(pipeline.model, context.facts)
    return _fix(tree, context, source, todo, target_python, uses)


def frozen_findings(source: str, filename: str, settings: Settings, codes: Collection[str],
                    pipeline: Pipeline | None = None) -> list:
    """The classes of a module whose DDD101 finding the fixer would try to fix (selected,
    not silenced), as the model's views: what a run freezes is planned over the whole
    project first, so that a base and its subclasses in other modules are frozen together
    or not at all. Raises ``parsing.Unparsable`` as ``fix_source``."""
    if pipeline is None:
        pipeline = _pipeline(settings, codes)
    found = _findings(source, filename, [c for c in codes if c == "DDD101"], pipeline)
    if found is None:
        return []
    _, context, todo = found
    model = pipeline.model
    kept = model.module(context.facts.module)
    views = []
    for _, _, node in todo:
        cls = next(c for c in context.facts.classes.values() if c.node is node)
        known = kept.classes.get(cls.qualname) if kept is not None else None
        views.append(model.view(kept, known) if known is not None else context.view(cls))
    return views


def _pipeline(settings: Settings, codes: Collection[str]) -> Pipeline:
    from ..lint.run import Run

    return Run(settings, frozenset(code for code in FIXABLE if code in codes)).pipeline


def _findings(source: str, filename: str, codes: Collection[str], pipeline: Pipeline):
    """(tree, context, [(line, code, node)]) of the findings to fix in one module, in
    order, as flake8 would show them; None when there is nothing to fix (test code
    included, as the linter leaves it)."""
    from libcst.metadata import MetadataWrapper, PositionProvider

    from .noqa import Noqa, file_is_silenced

    selected = [code for code in FIXABLE if code in codes]
    module = pipeline.module_of(filename)
    if not selected or module is None:
        return None
    if not pipeline.passes(source, *module) or file_is_silenced(source):
        return None
    tree, _, context, found = pipeline.rule_findings(source, filename, *module, selected,
                                                     share=False)
    if not found:
        return None
    positions = MetadataWrapper(tree, unsafe_skip_copy=True).resolve(PositionProvider)
    silenced = Noqa(source)
    todo, seen = [], set()
    for code, finding in found:
        node = finding.node
        line = positions[node].start.line
        if (code, id(node)) not in seen and not silenced(line, code):
            seen.add((code, id(node)))
            todo.append((line, code, node))
    todo.sort(key=lambda item: (item[0], item[1]))
    return (tree, context, todo) if todo else None


def _fix(tree, context, source: str, todo, target_python, uses) -> FixResult:
    from .per_rule import frozen_candidates
    from .plan import Plan, Unfixable

    plan = Plan(tree, context, target_python, uses)
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
