"""parsing.parse skips libcst's per-node validation while the native parser builds the
tree: the tree must be the one libcst builds, and validation must be back afterwards."""

from __future__ import annotations

from pathlib import Path

import libcst
import pytest

from flake8_ddd_events.syntax.parsing import Unparsable, parse
from flake8_ddd_events.rules import RULES

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [
    *(example.source for rule in RULES for example in (*rule.invalid, *rule.valid)),
    *(path.read_text(encoding="utf-8") for path in sorted((ROOT / "examples").rglob("*.py"))),
    "async def f[T](x: T, /, *a, k=1, **kw) -> T:\n    return [y async for y in x if (z := y)]\n",
    "match p:\n    case Point(x=0, y=0) | [1, *_] | {'k': v, **r} if v:\n        pass\n",
    "x = f'{a!r:>{w}} {b=}'\ntype Alias[T] = list[T]\n",
    "x = 1\r\nif x: y = 2; z = 3\r\n",
]


def test_the_tree_is_the_one_libcst_builds():
    assert len(SOURCES) > 100
    for source in SOURCES:
        tree = parse(source)
        assert tree.deep_equals(libcst.parse_module(source)), source[:200]
        assert tree.code == source


@pytest.mark.slow  # 13,000 lines, parsed twice
def test_the_tree_of_the_plugins_own_modules_is_the_one_libcst_builds():
    for path in sorted((ROOT / "flake8_ddd_events").rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        assert parse(source).deep_equals(libcst.parse_module(source)), path


def _validation_is_on() -> bool:
    try:
        libcst.Name("")  # an empty name is refused by libcst's validation
    except libcst.CSTValidationError:
        return True
    return False


def test_validation_is_back_after_a_parse_and_after_a_failed_one():
    assert _validation_is_on()
    parse("class OrderPlaced:\n    order_id: str\n")
    assert _validation_is_on()
    with pytest.raises(Unparsable):
        parse("class Broken(:\n")
    assert _validation_is_on()
    # nodes built from a parsed tree (the fixer's edits) are validated
    tree = parse("x = 1\n")
    with pytest.raises(libcst.CSTValidationError):
        tree.body[0].body[0].targets[0].with_changes(target=libcst.Name(""))
