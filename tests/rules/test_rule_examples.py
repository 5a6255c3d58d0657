"""Every documented example runs: invalid ones report exactly their marked
lines, valid ones report nothing, and the fixer makes of a fixable rule's invalid
example exactly the text it carries. Docs cannot drift from behaviour."""

from __future__ import annotations

import pytest

from flake8_ddd_events.fixes import FIXABLE, fix_source
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


FIX_CASES = [
    pytest.param(rule, example, id=f"{rule.code}-fix-{index}")
    for rule in RULES if rule.code in FIXABLE
    for index, example in enumerate(rule.invalid)
]


@pytest.mark.parametrize("rule, example", FIX_CASES)
def test_the_fixer_makes_exactly_the_fixed_text_of_an_invalid_example(rule, example, tmp_path):
    """As Fixit's ``expected_replacement``: the fixed text is the whole file after
    ``ddd-events fix``; an example without one is left as it is (the fixer says why)."""
    settings = example_settings(example, tmp_path)
    result = fix_source(example.source, str(tmp_path / example.filename), settings, {rule.code})
    assert result.source == (example.source if example.fixed is None else example.fixed)
    assert any(o.code == rule.code for o in result.outcomes)


def test_each_fixable_rule_shows_its_fix_and_no_other_rule_claims_one():
    for rule in RULES:
        fixed = [example for example in rule.invalid if example.fixed is not None]
        assert bool(fixed) == (rule.code in FIXABLE), rule.code
        assert not any(example.fixed for example in rule.valid), rule.code


def test_every_rule_has_examples_and_docs():
    for rule in RULES:
        assert rule.invalid and rule.valid, rule.code
        assert rule.what and rule.why and rule.use_instead and rule.summary, rule.code


def test_codes_are_unique_and_well_formed():
    codes = [rule.code for rule in RULES]
    assert len(codes) == len(set(codes))
    assert all(code.startswith("DDD") and len(code) == 6 for code in codes)
