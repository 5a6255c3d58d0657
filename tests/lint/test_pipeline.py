"""``Pipeline.check``: the path of one file, in order (third-party and test code, the
result cache, the gate, the rules, the positions, the cache store, the baseline)."""

from __future__ import annotations

import ast
from collections import Counter

from flake8_ddd_events.baseline.fingerprint import Fingerprint, Scopes, subject
from flake8_ddd_events.baseline.matching import Baseline
from flake8_ddd_events.cache import results_for
from flake8_ddd_events.config.settings import Settings
from flake8_ddd_events.gate.look import Gate
from flake8_ddd_events.gate.needs import NEEDS
from flake8_ddd_events.lint.run import Run

from ..conftest import write_file

EVENTS = """\
from dataclasses import dataclass
from datetime import datetime


@dataclass
class OrderPlaced:
    occurred_on: datetime
"""


def run_in(root, cache: bool = False, baseline: Baseline | None = None) -> Run:
    settings = Settings.from_values({"ddd-source-roots": [str(root)], "ddd-cache": cache,
                                     "ddd-cache-dir": str(root / ".cache")})
    results = results_for(settings, "all", Run(settings, NEEDS).files) if cache else None
    return Run(settings, NEEDS, results=results, baseline=baseline)


def check(run: Run, path) -> list[str]:
    source = path.read_text()
    return [r.code for r in run.pipeline.check(str(path), source, ast.parse(source))]


def test_a_domain_module_is_checked_and_its_findings_placed(tmp_path):
    path = write_file(tmp_path, "shop/sales/domain/events.py", EVENTS)
    found = run_in(tmp_path).pipeline.check(str(path), EVENTS, ast.parse(EVENTS))
    assert [(r.line, r.code) for r in found] == [(6, "DDD101"), (6, "DDD106")]


def test_test_code_and_third_party_code_are_not_checked(tmp_path):
    run = run_in(tmp_path)
    assert check(run, write_file(tmp_path, "tests/test_events.py", EVENTS)) == []
    (tmp_path / "venv").mkdir()
    (tmp_path / "venv" / "pyvenv.cfg").write_text("home = /usr\n")
    assert check(run, write_file(tmp_path, "venv/lib/shop/events.py", EVENTS)) == []


def test_a_cached_answer_stands_for_the_gate_and_the_rules(tmp_path, monkeypatch):
    path = write_file(tmp_path, "shop/sales/domain/events.py", EVENTS)
    first = check(run_in(tmp_path, cache=True), path)
    assert first
    monkeypatch.setattr(Gate, "codes_for", lambda *args: (_ for _ in ()).throw(AssertionError))
    assert check(run_in(tmp_path, cache=True), path) == first


def test_a_module_the_gate_stops_is_answered_by_its_entry_until_what_the_gate_read_changes(
        tmp_path, monkeypatch):
    """No rule can say anything of it, and a warm run knows that without the gate (the
    gate is most of what a warm run would redo); its entry rests on the base the gate
    followed, so that base made an event lets the event rules in."""
    write_file(tmp_path, "shop/kernel.py", "class Thing:\n    pass\n")
    path = write_file(tmp_path, "shop/sales/notes.py", "from dataclasses import dataclass\n\n"
                      "from shop.kernel import Thing\n\n\n@dataclass\nclass OrderNoted(Thing):\n"
                      "    lines: list[str]\n")
    assert check(run_in(tmp_path, cache=True), path) == []
    codes_for = Gate.codes_for
    monkeypatch.setattr(Gate, "codes_for", lambda *args: (_ for _ in ()).throw(AssertionError))
    assert check(run_in(tmp_path, cache=True), path) == []
    monkeypatch.setattr(Gate, "codes_for", codes_for)
    write_file(tmp_path, "shop/kernel.py", "class DomainEvent:\n    pass\n\n\n"
               "class Thing(DomainEvent):\n    pass\n")
    after = check(run_in(tmp_path, cache=True), path)
    assert after == check(run_in(tmp_path), path) and "DDD104" in after  # lines: list[str]


def test_the_baseline_drops_its_findings_after_the_cache_kept_them_all(tmp_path):
    path = write_file(tmp_path, "shop/sales/domain/events.py", EVENTS)
    relative = "shop/sales/domain/events.py"
    scopes = Scopes(ast.parse(EVENTS))
    text = "event 'OrderPlaced' has no id"  # the subject is read from the message
    held = Counter({Fingerprint(relative, "DDD101", scopes.at(6), subject(text)): 1})
    baseline = Baseline(str(tmp_path / ".ddd-baseline.json"), held)
    assert check(run_in(tmp_path, cache=True, baseline=baseline), path) == ["DDD106"]
    assert check(run_in(tmp_path, cache=True), path) == ["DDD101", "DDD106"]
