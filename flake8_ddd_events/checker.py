"""Check one source: gate, parse, collect, run the selected rules, place findings."""

from __future__ import annotations

from typing import Collection, Iterator, NamedTuple

from .modules import module_path
from .settings import Settings


class Report(NamedTuple):
    line: int
    column: int
    code: str
    message: str


def check_source(source: str, filename: str, settings: Settings, codes: Collection[str],
                 model=None) -> Iterator[Report]:
    """Every finding of the selected rules (``codes``) in one module, in order."""
    from .parsing import Unparsable, parse_facts
    from .rule import Context
    from .rules import RULES

    module, is_package = module_path(filename, settings.source_roots)
    try:
        tree, facts = parse_facts(source, filename, module, is_package)
    except Unparsable as error:
        if "DDD000" in codes:
            yield Report(1, 0, "DDD000", f"DDD000 {error}")
        return
    if model is None:
        from .model import ProjectModel

        model = ProjectModel(settings)
    context = Context(facts, settings, model)
    found = []
    for rule in RULES:
        if rule.code in codes:
            for finding in rule.run(context):
                found.append((finding.node, rule.code, finding.message))
    if not found:
        return
    try:
        reports = {(r.line, r.code): r for r in reversed(list(_place(tree, found)))}
    except RecursionError:
        if "DDD000" in codes:
            yield Report(1, 0, "DDD000", "DDD000 libcst cannot place findings in this file: "
                         "it is nested too deeply")
        return
    yield from sorted(reports.values())


def _place(tree, found) -> Iterator[Report]:
    """Lines and columns for the reported nodes (one position pass, only when needed)."""
    from libcst.metadata import MetadataWrapper, PositionProvider

    positions = MetadataWrapper(tree, unsafe_skip_copy=True).resolve(PositionProvider)
    for node, code, message in found:
        start = positions[node].start
        yield Report(start.line, start.column, code, f"{code} {message}")
