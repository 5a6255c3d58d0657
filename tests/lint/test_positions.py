"""Findings are placed from flake8's ast exactly where a libcst position
pass would, and falls back to that pass for nodes it cannot match."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from flake8_ddd_events.lint import positions
from flake8_ddd_events.lint.pipeline import check_source
from flake8_ddd_events.model.project_model import ProjectModel
from flake8_ddd_events.plugin import all_codes
from flake8_ddd_events.rules import RULES
from flake8_ddd_events.config.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))


def both_ways(source: str, filename: str, settings: Settings, monkeypatch) -> tuple[list, list]:
    codes = set(all_codes())
    fast = list(check_source(source, filename, settings, codes, ProjectModel(settings),
                             ast.parse(source)))
    with monkeypatch.context() as patch:
        patch.setattr(positions._AstPlacer, "position", lambda self, node: None)
        slow = list(check_source(source, filename, settings, codes, ProjectModel(settings)))
    return fast, slow


def corpus():
    for rule in RULES:
        for number, example in enumerate(rule.invalid):
            yield pytest.param(example.source, example.filename, id=f"{rule.code}-{number}")


@pytest.mark.parametrize(("source", "filename"), list(corpus()))
def test_rule_examples_are_placed_as_a_position_pass_places_them(source, filename, monkeypatch):
    fast, slow = both_ways(source, filename, Settings.from_values({"ddd-source-roots": ["."]}),
                           monkeypatch)
    assert fast == slow


def test_examples_project_and_generated_code_are_placed_the_same(tmp_path, monkeypatch):
    from generate_ddd import generate

    paths = [*map(str, sorted((ROOT / "examples").rglob("*.py"))),
             *generate(str(tmp_path / "gen"), modules=24, classes=2)]
    settings = Settings.from_values({"ddd-source-roots": [str(ROOT / "examples"), str(tmp_path / "gen")]})
    placed = 0
    for path in paths:
        source = Path(path).read_text(encoding="utf-8")
        fast, slow = both_ways(source, path, settings, monkeypatch)
        assert fast == slow, path
        placed += len(fast)
    assert placed > 50


HARD = '''\
from dataclasses import dataclass, field
from datetime import datetime

from shop.kernel import DomainEvent


@dataclass
class Caf\u00e9Opened(DomainEvent):  # DDD101
    na\u00efve: datetime = field(default_factory=datetime.utcnow)  # DDD107
    items: list[str] = field(default_factory=list); tags: set[str] = field(default_factory=set)  # DDD104


if True:
    x = 1
elif False:
    try:
        y = f(g(h()))(k())
    except* ValueError:
        pass
    finally:
        z = 2
else:
    match x:
        case 1:
            @dataclass
            class Closed(DomainEvent):  # DDD101
                when: datetime = field(default_factory=lambda: datetime.now())  # DDD107
'''


def test_non_ascii_semicolons_nesting_and_lambdas_are_placed_the_same(monkeypatch):
    settings = Settings.from_values({"ddd-source-roots": ["."]})
    fast, slow = both_ways(HARD, "shop/sales/domain/events.py", settings, monkeypatch)
    assert fast == slow
    assert len(fast) >= 4


def test_a_node_the_ast_cannot_match_falls_back_to_the_position_pass():
    import libcst as cst

    tree = cst.parse_module("x = 1\n")
    name = tree.body[0].body[0].targets[0].target
    facts = type("F", (), {"calls": []})()
    reports = list(positions._place(tree, facts, "x = 1\n", None, [(name, "DDD999", "m")]))
    assert [(r.line, r.column) for r in reports] == [(1, 0)]


def test_without_a_tree_the_placer_parses_one_and_survives_a_bad_one():
    placer = positions._AstPlacer(None, None, "def (:\n", None)
    assert placer.tree() is None
    assert placer.statements() == {}
    assert placer.calls() == {}


def test_ast_calls_finds_every_call_ast_walk_finds():
    root = Path(__file__).resolve().parents[2]
    sources = [path.read_text(encoding="utf-8")
               for path in sorted((root / "flake8_ddd_events").rglob("*.py"))]
    sources.append(
        "def f():\n    global g\n    x = {**a(), 'k': b()}\n    def h():\n        nonlocal x\n"
        "    match p():\n        case C(q=1, r=[2]) if d():\n            e(*f(), **{g(): h()})\n"
        "    return [i() for i in j() if k()] or (lambda: l())() or m[n()]\n")
    for source in sources:
        tree = ast.parse(source)
        expected = {id(node) for node in ast.walk(tree) if isinstance(node, ast.Call)}
        found = positions._ast_calls(tree)
        assert len(found) == len(expected) and {id(node) for node in found} == expected
