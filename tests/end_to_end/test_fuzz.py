"""Fuzzing: generated programs through the plugin and the fixer raise nothing.

Three sources of programs:

- ``hypothesmith.from_grammar()``: any text the Python grammar derives (most do not
  compile; the checker must still answer, with DDD000 at worst);
- ``hypothesmith.from_node()``: libcst-built modules, which always parse;
- ``event_modules()``: event-shaped modules assembled from the pieces the rules read
  (decorators, bases, fields, defaults, handlers), so that rules fire and the fixer
  edits; hypothesmith's programs seldom hold an event.

Besides "no exception", the event-shaped programs check two "never lie" properties:
findings placed from flake8's ``ast`` sit where libcst's own position pass puts them,
and a fixed module compiles and is a fixed point (fixing it again changes nothing).
"""

from __future__ import annotations

import ast

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flake8_ddd_events.lint import positions
from flake8_ddd_events.lint.pipeline import check_source
from flake8_ddd_events.fixes import FIXABLE, fix_source
from flake8_ddd_events.lint.run import Run
from flake8_ddd_events.model.project_model import ProjectModel
from flake8_ddd_events.syntax.parsing import Unparsable
from flake8_ddd_events.plugin import Plugin, all_codes
from flake8_ddd_events.config.settings import Settings

from ..conftest import examples

pytestmark = pytest.mark.slow

SETTINGS = Settings.from_values({"ddd-source-roots": ["."]})
CODES = frozenset(all_codes())
FILENAMES = ("shop/sales/domain/events.py", "shop/sales/application/handlers.py",
             "shop/billing/integration_events.py")


def fuzz(count: int) -> settings:
    """Moderate example counts in CI, a few locally (``examples``); a failure prints its seed."""
    return settings(max_examples=examples(count), deadline=None, database=None, print_blob=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])


def ast_of(source: str) -> ast.AST | None:
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def check(source: str, filename: str = FILENAMES[0], tree: ast.AST | None = None) -> list:
    reports = list(check_source(source, filename, SETTINGS, CODES, ProjectModel(SETTINGS), tree))
    lines = max(1, len(source.splitlines()))
    for report in reports:
        assert report.code in CODES
        assert report.message.startswith(report.code + " ")
        assert 1 <= report.line <= lines + 1 and report.column >= 0
    assert reports == sorted(reports)
    return reports


def through_plugin(source: str, filename: str) -> list:
    tree = ast_of(source)
    if tree is None:
        return []  # flake8 reports E999 and never calls the plugin
    plugin = Plugin(tree, filename, source.splitlines(keepends=True))
    return list(plugin.run())


# -- hypothesmith ----------------------------------------------------------------------
@fuzz(150)
@given(source=hypothesmith.from_grammar(), filename=st.sampled_from(FILENAMES))
def test_grammar_programs_never_raise(source, filename):
    reports = check(source, filename)
    if any(r.code == "DDD000" for r in reports):
        assert len(reports) == 1
    check(source, filename, ast_of(source))
    through_plugin(source, filename)


@fuzz(40)
@given(source=hypothesmith.from_node(), filename=st.sampled_from(FILENAMES))
def test_node_programs_never_raise(source, filename):
    reports = check(source, filename, ast_of(source))
    assert all(r.code != "DDD000" or "nested too deeply" in r.message for r in reports)
    through_plugin(source, filename)


# -- event-shaped modules ---------------------------------------------------------------
HEADER = """\
from __future__ import annotations
import dataclasses
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import NamedTuple, Optional
from uuid import UUID, uuid4
import attr, attrs
from attrs import define, frozen
from pydantic import BaseModel, ConfigDict
import msgspec
from shop.kernel import DomainEvent, IntegrationEvent, AggregateRoot, Entity, EventHandler
"""
DECORATORS = ("", "@dataclass", "@dataclass(frozen=True)", "@dataclass(frozen=False)",
              "@dataclass(frozen=True, kw_only=True)", "@dataclass(slots=True)",
              "@dataclasses.dataclass(frozen=True)", "@attr.s", "@attr.s(frozen=True)",
              "@attrs.define", "@define(frozen=True)", "@frozen", "@dataclass(frozen=FLAG)",
              "@(lambda cls: cls)", "@registry[0].add")
BASES = ("", "DomainEvent", "IntegrationEvent", "AggregateRoot", "Entity", "EventHandler",
         "BaseModel", "NamedTuple", "msgspec.Struct", "msgspec.Struct, frozen=True",
         "DomainEvent, frozen=True", "Generic[T]", "Order", "OrderPlaced")
NAMES = ("OrderPlaced", "PlaceOrder", "Order", "PaymentFailed", "OrderShippedIntegrationEvent",
         "OnOrderPlaced", "Customer", "Event")
FIELD_NAMES = ("event_id", "occurred_on", "occurred_at", "line_ids", "customer", "order",
               "correlation_id", "causation_id", "version", "tags", "amount", "id")
ANNOTATIONS = ("str", "int", "UUID", "datetime", "list[str]", "dict[str, int]", "set[int]",
               "tuple[str, ...]", "Optional[list[int]]", "'Order'", "Customer", "int | None",
               "frozenset[str]", "list", "Order", "bytearray")
DEFAULTS = ("", " = None", " = 0", " = field(default_factory=list)",
            " = field(default_factory=datetime.utcnow)", " = field(default_factory=uuid4)",
            " = datetime.now()", " = datetime.now(timezone.utc)", " = attr.ib()", " = []",
            " = field(default=1, kw_only=True)")
STATEMENTS = (
    "self.record_event(OrderPlaced(order_id=self.id))",
    "self.bus.publish(OrderPlaced())",
    "self.status = 'placed'",
    "with self.uow.transaction():\n            self.repo.save(self)\n            self.bus.publish(e)",
    "self.message_bus.publish(OrderShippedIntegrationEvent(id=1))",
    "self.clear_recorded_events()",
    "for e in self.events:\n            self.producer.send(e)",
    "self.line_ids.append(1)",
    "return [e async for e in self.stream()]",
    "match self.status:\n            case 'x':\n                self.emit(Order())",
)


@st.composite
def event_modules(draw) -> str:
    parts = [HEADER]
    for _ in range(draw(st.integers(1, 4))):
        decorator = draw(st.sampled_from(DECORATORS))
        bases = draw(st.sampled_from(BASES))
        name = draw(st.sampled_from(NAMES))
        lines = [decorator] if decorator else []
        lines.append(f"class {name}({bases}):" if bases else f"class {name}:")
        body = []
        for field_name in draw(st.lists(st.sampled_from(FIELD_NAMES), max_size=5, unique=True)):
            annotation = draw(st.sampled_from(ANNOTATIONS))
            default = draw(st.sampled_from(DEFAULTS))
            body.append(f"    {field_name}: {annotation}{default}")
        if draw(st.booleans()):
            body.append("    model_config = ConfigDict(frozen=True)")
        for method in range(draw(st.integers(0, 2))):
            is_async = draw(st.booleans())
            choices = STATEMENTS if is_async else [s for s in STATEMENTS if "async" not in s]
            statements = draw(st.lists(st.sampled_from(choices), min_size=1, max_size=3))
            body.append(f"    {'async ' if is_async else ''}def method{method}(self, event):")
            body += [f"        {statement}" for statement in statements]
        lines += body or ["    pass"]
        parts.append("\n\n" + "\n".join(lines) + "\n")
    return "".join(parts)


def libcst_positions(source: str, filename: str) -> list:
    """The reports placed by libcst's own position pass only."""
    original = positions._AstPlacer.position
    positions._AstPlacer.position = lambda self, node: None
    try:
        return check(source, filename)
    finally:
        positions._AstPlacer.position = original


@fuzz(150)
@given(source=event_modules(), filename=st.sampled_from(FILENAMES))
def test_event_modules_never_raise_and_are_placed_truthfully(source, filename):
    tree = ast_of(source)
    reports = check(source, filename, tree)
    assert all(r.code != "DDD000" for r in reports)
    if tree is not None:
        assert reports == libcst_positions(source, filename)
        assert [(r.line, r.column + 1, r.message) for r in reports] == [
            (line, column + 1, message) for line, column, message, _ in through_plugin(source, filename)]


def test_event_modules_do_fire_rules():
    """The strategy is worth its time: its programs trigger many different codes."""
    seen: set[str] = set()

    @fuzz(120)
    @given(source=event_modules(), filename=st.sampled_from(FILENAMES))
    def sample(source, filename):
        seen.update(r.code for r in check(source, filename))

    sample()
    assert len(seen) >= 8, sorted(seen)


# -- the fixer --------------------------------------------------------------------------
def fix(source: str, filename: str):
    try:
        return fix_source(source, filename, SETTINGS, FIXABLE, Run(SETTINGS, FIXABLE).pipeline)
    except Unparsable:
        return None


@fuzz(120)
@given(source=event_modules(), filename=st.sampled_from(FILENAMES))
def test_fixer_on_event_modules_compiles_and_is_a_fixed_point(source, filename):
    result = fix(source, filename)
    assert result is not None and result.original == source
    if not result.changed:
        return
    compile(source, filename, "exec", dont_inherit=True)  # the strategy writes valid Python
    compile(result.source, filename, "exec", dont_inherit=True)
    again = fix(result.source, filename)
    assert again is not None and not again.changed, (result.source, again.source)


@fuzz(60)
@given(source=hypothesmith.from_grammar(), filename=st.sampled_from(FILENAMES))
def test_fixer_on_grammar_programs_never_raises(source, filename):
    result = fix(source, filename)
    if result is not None and result.changed and ast_of(source) is not None:
        compile(result.source, filename, "exec", dont_inherit=True)


@fuzz(20)
@given(source=hypothesmith.from_node(), filename=st.sampled_from(FILENAMES))
def test_fixer_on_node_programs_never_raises(source, filename):
    fix(source, filename)
