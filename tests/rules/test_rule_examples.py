"""Every documented example runs: invalid ones report exactly their marked
lines, valid ones report nothing. Docs cannot drift from behaviour."""

from __future__ import annotations

import pytest

from flake8_ddd_events.rules import RULES

from ..conftest import example_settings, expected_markers, findings

CASES = [
    pytest.param(rule, example, kind, id=f"{rule.code}-{kind}-{index}")
    for rule in RULES
    for kind, examples in (("invalid", rule.invalid), ("valid", rule.valid))
    for index, example in enumerate(examples)
]


@pytest.mark.parametrize("rule, example, kind", CASES)
def test_example(rule, example, kind, tmp_path):
    settings = example_settings(example, tmp_path)
    found = set(findings(example.source, example.filename, settings, root=tmp_path))
    expected = expected_markers(example.source)
    assert found == expected
    if kind == "invalid":
        assert any(code == rule.code for _, code in expected), "an invalid example marks its rule"


def test_every_rule_has_examples_and_docs():
    for rule in RULES:
        assert rule.invalid and rule.valid, rule.code
        assert rule.what and rule.why and rule.use_instead and rule.summary, rule.code


def test_codes_are_unique_and_well_formed():
    codes = [rule.code for rule in RULES]
    assert len(codes) == len(set(codes))
    assert all(code.startswith("DDD") and len(code) == 6 for code in codes)
