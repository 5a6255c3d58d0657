"""The gate: never closed on a module where the checker reports something, and
closed on most ordinary code; derived from the settings; no libcst."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import sysconfig
from pathlib import Path

import hypothesis
import pytest
from hypothesis import strategies as st

from flake8_ddd_events.lint.pipeline import check_source
from flake8_ddd_events.lint.run import Run
from flake8_ddd_events.gate.look import Gate, codes_for, gate_for, may_hold_findings
from flake8_ddd_events.gate.needs import EVENTS, NEEDS, PER_FUNCTION
from flake8_ddd_events.gate.text import FOLDS_TO_ASCII, Words, word_run_found, word_run_pattern
from flake8_ddd_events.model.project_model import ProjectModel
from flake8_ddd_events.source.modules import module_path
from flake8_ddd_events.plugin import all_codes
from flake8_ddd_events.rules import RULES
from flake8_ddd_events.config.settings import Settings

from ..conftest import example_settings, examples

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def passes(source: str, filename: str, settings: Settings, codes=None) -> bool:
    """The gate's answer, checked against its text-only superset (``Gate.may_pass``)."""
    module, is_package = module_path(filename, settings.source_roots)
    codes = codes or frozenset(NEEDS)
    passed = may_hold_findings(source, module, settings, codes, ast.parse(source), is_package)
    assert not passed or gate_for(settings, frozenset(codes)).may_pass(source, module, is_package)
    return passed


def test_every_rule_declares_what_its_gate_needs():
    assert {rule.code for rule in RULES} <= set(NEEDS), "add the new rule's needs to gate.NEEDS"


def rule_examples():
    for rule in RULES:
        for example in (*rule.invalid, *rule.valid):
            yield pytest.param(rule.code, example, id=f"{rule.code}-{len(example.source)}")


@pytest.mark.parametrize(("code", "example"), list(rule_examples()))
def test_gate_passes_every_example_with_findings(code, example, tmp_path):
    settings = example_settings(example, tmp_path)  # with its contract lock, if any
    model = ProjectModel(settings)
    reports = list(check_source(example.source, example.filename, settings, set(all_codes()), model))
    module, is_package = module_path(example.filename, settings.source_roots)
    run = codes_for(example.source, module, settings, None, ast.parse(example.source), is_package)
    for report in reports:
        assert passes(example.source, example.filename, settings, {report.code}), report
        assert report.code in run, report
    if reports:
        assert passes(example.source, example.filename, settings)


def test_gate_passes_every_examples_module_with_findings(monkeypatch):
    monkeypatch.chdir(EXAMPLES)
    settings = Settings.from_values({"ddd-source-roots": ["."]})
    model = ProjectModel(settings)
    checked = 0
    for path in sorted(Path(".").rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        reports = list(check_source(source, str(path), settings, set(all_codes()), model))
        module, is_package = module_path(str(path), settings.source_roots)
        run = codes_for(source, module, settings, None, ast.parse(source), is_package)
        for report in reports:
            assert passes(source, str(path), settings, {report.code}), (path, report)
            assert report.code in run, (path, report)
            checked += 1
    assert checked >= 5


def test_a_configured_base_name_is_never_missed():
    source = "from x import Fact\n\nclass OrderPlaced(Fact):\n    items: list[str]\n"
    default = Settings.from_values({"ddd-source-roots": ["."]})
    custom = Settings.from_values({"ddd-source-roots": ["."], "ddd-domain-event-bases": ["Fact"]})
    assert not passes(source, "shop/app/model.py", default, {"DDD104"})
    assert passes(source, "shop/app/model.py", custom, {"DDD104"})
    assert ("DDD104" in {r.code for r in check_source(source, "shop/app/model.py", custom,
                                                       {"DDD104"}, ProjectModel(custom))})


def test_a_configured_module_glob_and_event_module_are_never_missed():
    source = "import kafka\n"
    settings = Settings.from_values({"ddd-source-roots": ["."], "ddd-domain-modules": ["core.*"]})
    assert passes(source, "core/order.py", settings, {"DDD501"})
    assert not passes(source, "shop/domain/order.py", settings, {"DDD501"})
    facts = Settings.from_values({"ddd-source-roots": ["."], "ddd-domain-event-modules": ["facts"]})
    data = "from dataclasses import dataclass\n\n@dataclass\nclass Placed:\n    id: int\n"
    assert passes(data, "shop/facts.py", facts, {"DDD101"})
    assert not passes(data, "shop/model.py", facts, {"DDD101"})


def test_configured_method_names_open_the_flow_gate():
    source = "def f(s, o):\n    with s.txn():\n        o.record_change(1)\n"
    custom = Settings.from_values({"ddd-source-roots": ["."], "ddd-record-methods": ["record_change"]})
    assert passes(source, "app/services.py", custom, {"DDD303"})
    assert not passes(source, "app/services.py", Settings.from_values(), {"DDD303"})


def test_a_base_from_another_project_module_is_followed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "kernel").mkdir()
    (tmp_path / "kernel" / "__init__.py").write_text("from .base import ShopEvent\n")
    (tmp_path / "kernel" / "base.py").write_text(
        "from lib import DomainEvent\n\nclass ShopEvent(DomainEvent):\n    pass\n")
    (tmp_path / "kernel" / "other.py").write_text("class Plain:\n    pass\n")
    settings = Settings.from_values({"ddd-source-roots": ["."]})
    event = "from kernel import ShopEvent\n\nclass OrderPlaced(ShopEvent):\n    items: list\n"
    plain = "from kernel.other import Plain\n\nclass Thing(Plain):\n    items: list\n"
    assert passes(event, "shop/model.py", settings, {"DDD104"})
    assert not passes(plain, "shop/model.py", settings, {"DDD104"})


def test_unselected_rules_add_nothing():
    source = "def f(uow, broker):\n    uow.commit()\n    broker.publish(1)\n"
    settings = Settings.from_values()
    assert passes(source, "app/x.py", settings, {"DDD401"})
    assert not passes(source, "app/x.py", settings, {"DDD101", "DDD404"})
    assert not gate_for(settings, frozenset()).passes(ast.parse(source), source, "app.x")


def test_an_undeclared_code_keeps_the_gate_open():
    assert gate_for(Settings.from_values(), frozenset({"DDD999"})).passes(None, "", "x")


def test_importing_the_plugin_and_the_gate_does_not_import_libcst():
    code = ("import sys, ast\nimport flake8_ddd_events.plugin, flake8_ddd_events.gate.look as g\n"
            "from flake8_ddd_events.config.settings import Settings\n"
            "src = 'import os\\nclass A(object):\\n    pass\\n'\n"
            "assert not g.may_hold_findings(src, 'a', Settings.from_values(), None, ast.parse(src))\n"
            "print('libcst' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(EXAMPLES.parent)})
    assert out.stdout.strip() == "False", out.stderr


FLOW_ONLY = """\
from shop.kernel.base import Base


class Service(Base):
    def place(self, uow, producer):
        with self.uow:
            producer.send("orders.paid", {"id": 1})
            self.uow.commit()
"""


def test_each_module_runs_only_the_rules_whose_needs_it_meets():
    settings = Settings.from_values({"ddd-source-roots": ["."]})
    run = codes_for(FLOW_ONLY, "shop.app.services", settings, None, ast.parse(FLOW_ONLY))
    # DDD409: a publish inside the transaction may run another module's handler loop
    assert run == {"DDD401", "DDD409", "DDD000"}
    assert codes_for(FLOW_ONLY, "shop.app.services", settings, {"DDD101", "DDD301"}) == set()
    # class needs are told apart by kind: an aggregate opens the aggregate rules only
    aggregate = "from lib import AggregateRoot\n\nclass Order(AggregateRoot):\n    pass\n"
    run = codes_for(aggregate, "shop.sales.domain.model", settings)
    assert {"DDD301", "DDD302"} <= run
    assert not run & {"DDD101", "DDD104", "DDD404", "DDD401"}
    handler = "from lib import EventHandler\n\nclass OnPlaced(EventHandler):\n    pass\n"
    run = codes_for(handler, "shop.sales.app.handlers", settings)
    assert {"DDD404", "DDD405"} <= run and not run & {"DDD101", "DDD301"}
    # undeclared codes always run; a source that does not parse runs every class rule
    assert "DDD999" in codes_for("x = 1\n", "x", settings, {"DDD999", "DDD101"})
    assert "DDD101" in codes_for("class (:\n", "x", settings, {"DDD101"})


def test_each_need_is_evaluated_once_per_module(monkeypatch):
    settings = Settings.from_values({"ddd-source-roots": ["."]})
    gate = gate_for(settings, frozenset(NEEDS))
    evaluated = []
    real = type(gate)._evaluate

    def counting(self, need, look):
        evaluated.append(need)
        return real(self, need, look)

    monkeypatch.setattr(type(gate), "_evaluate", counting)
    gate.codes_for(ast.parse(FLOW_ONLY), FLOW_ONLY, "shop.app.services")
    assert len(evaluated) == len(set(evaluated))
    # every code's first need is looked at (later alternatives only when it fails)
    assert {needs[0] for needs in NEEDS.values() if needs} <= set(evaluated)


def test_a_module_passing_only_a_flow_need_runs_only_that_rule(tmp_path, monkeypatch):
    """No class is recognised and no imported module is read for a flow rule alone."""
    import flake8_ddd_events.rules.rule as rule_module
    from flake8_ddd_events.plugin import Plugin

    monkeypatch.chdir(tmp_path)
    (tmp_path / "shop" / "kernel").mkdir(parents=True)
    (tmp_path / "shop" / "kernel" / "base.py").write_text("class Base:\n    pass\n")
    path = tmp_path / "shop" / "app" / "services.py"
    path.parent.mkdir(parents=True)
    path.write_text(FLOW_ONLY)
    recognised, read, ran = [], [], []
    real_recognise, real_read = rule_module.recognise, ProjectModel._read
    monkeypatch.setattr(rule_module, "recognise",
                        lambda view, s: recognised.append(view) or real_recognise(view, s))
    monkeypatch.setattr(ProjectModel, "_read",
                        lambda self, file: read.append(file.path) or real_read(self, file))
    real_run = rule_module.Rule.run

    def counting(self, context):
        ran.append(self.code)
        return real_run(self, context)

    monkeypatch.setattr(rule_module.Rule, "run", counting)
    monkeypatch.setattr(Plugin, "state", Run(Settings.from_values({"ddd-source-roots": ["."]}), NEEDS))
    reports = list(Plugin(ast.parse(FLOW_ONLY), "shop/app/services.py",
                          FLOW_ONLY.splitlines(keepends=True)).run())
    assert [r[2].split()[0] for r in reports] == ["DDD401"]
    # DDD409 runs too (a publish inside the transaction), and reads nothing: the
    # producer's class is not named, so there is no dispatcher of another module to follow
    assert sorted(ran) == ["DDD401", "DDD409"]
    assert recognised == [] and read == []


def test_flow_needs_follow_the_shapes_the_rules_report(tmp_path, monkeypatch):
    """DDD401 through an integration event built in the call (no transport word) and
    DDD107 through a naive timestamp keyword spread over lines both pass the gate and
    are reported; the same words used otherwise do not open it."""
    monkeypatch.chdir(tmp_path)
    settings = Settings.from_values({"ddd-source-roots": ["."]})
    publish = (
        "from shop.contracts import IntegrationEvent\n\n"
        "class OrderShipped(IntegrationEvent):\n    order_id: str\n\n"
        "def ship(uow, notifier, order_id):\n"
        "    with uow.transaction():\n"
        "        notifier.send(\n            OrderShipped(order_id=order_id))\n"
    )
    naive = ("import datetime\n\ndef stamp(log):\n"
             "    log.write(occurred_on =\n        datetime.datetime.now())\n")
    for source, code in ((publish, "DDD401"), (naive, "DDD107")):
        assert passes(source, "shop/app/services.py", settings, {code})
        found = check_source(source, "shop/app/services.py", settings, {code}, ProjectModel(settings))
        assert [r.code for r in found] == [code]
    smtp_like = ("def run(conn):\n    conn.commit()\n    conn.send(b'QUIT')\n"
                 "    log(created_at=clock.now)\n")
    assert not passes(smtp_like, "mail/client.py", settings, {"DDD401", "DDD107"})


def test_a_naive_call_opens_the_gate_as_a_keyword_argument_not_as_an_assignment(
        tmp_path, monkeypatch):
    """DDD107 outside events reads keyword arguments of calls: those pass the gate and
    are reported, however written; ``dt = datetime.now()`` and a keyword in a docstring
    (seven standard-library modules) do not pass."""
    monkeypatch.chdir(tmp_path)
    settings = Settings.from_values({"ddd-source-roots": ["."]})
    head = ("import datetime\nfrom shop.kernel import DomainEvent\n\n"
            "class OrderShipped(DomainEvent):\n    order_id: str\n    shipped: object\n\n")
    reported = [
        "def stamp(log):\n    log.write(occurred_on=datetime.datetime.now())\n",
        "def ship(o):\n    return OrderShipped(o, shipped=datetime.datetime.now())\n",
        "def ship(o):\n    return OrderShipped(  # the fact\n        order_id=o,  # its id\n"
        "        # when\n        shipped=datetime.datetime.utcnow())\n",
        "def ship(o):\n    return OrderShipped(order_id=o, \\\n"
        "        shipped=datetime.datetime.today())\n",
    ]
    for body in reported:
        source = head.replace("class OrderShipped(DomainEvent)", "class OrderShipped") + body
        assert passes(source, "shop/app/services.py", settings, {"DDD107"}), body
        found = check_source(head + body, "shop/app/services.py", settings, {"DDD107"},
                             ProjectModel(settings))
        assert [r.code for r in found] == ["DDD107"], body
    for statement in ("    dt = datetime.datetime.now()\n", "    dt=datetime.datetime.utcnow()\n",
                      "    a = 1; dt = datetime.datetime.fromtimestamp(t)\n",
                      '    """log.write(occurred_on=datetime.datetime.now())"""\n'):
        source = "import datetime\n\ndef stamp(t):\n" + statement
        assert not passes(source, "shop/app/services.py", settings, {"DDD107"}), statement
    # a module the ast cannot read passes (libcst says why: DDD000)
    assert may_hold_findings("import datetime\nf(x=datetime.now()\n", "shop.app.services",
                             settings, frozenset({"DDD107"}), None, False)


# -- soundness and precision of the class following and the per-function flow needs --------

FLOW_CODES = frozenset(code for code, needs in NEEDS.items() if needs and set(needs) <= PER_FUNCTION)
EVENT_CODES = frozenset(code for code, needs in NEEDS.items() if EVENTS in needs)
APPLICATION = "shop/sales/application/services.py"


def project(tmp_path, monkeypatch, files: dict[str, str]) -> Settings:
    monkeypatch.chdir(tmp_path)
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return Settings.from_values({"ddd-source-roots": ["."]})


def reported_and_passed(source: str, filename: str, settings: Settings) -> set[str]:
    """The codes the checker reports on a module, each of them asserted to pass the gate."""
    reported = {r.code for r in check_source(source, filename, settings, set(all_codes()),
                                             ProjectModel(settings))}
    module, is_package = module_path(filename, settings.source_roots)
    run = codes_for(source, module, settings, None, ast.parse(source), is_package)
    assert reported <= run, reported - run
    for code in reported:
        assert passes(source, filename, settings, {code}), code
    return reported


def closed_and_silent(source: str, filename: str, settings: Settings, codes) -> None:
    module, is_package = module_path(filename, settings.source_roots)
    assert not codes_for(source, module, settings, None, ast.parse(source), is_package) & codes
    assert not passes(source, filename, settings, codes)
    assert not list(check_source(source, filename, settings, set(all_codes()),
                                 ProjectModel(settings)))


KERNEL = """\
from dataclasses import dataclass


@dataclass(frozen=True)
class DomainEvent:
    pass


class ShopEvent(DomainEvent):
    pass
"""


def test_a_base_from_a_star_import_is_followed(tmp_path, monkeypatch):
    settings = project(tmp_path, monkeypatch, {"shop/kernel.py": KERNEL})
    orders = ("from dataclasses import dataclass\nfrom shop.kernel import *\n\n\n"
              "@dataclass\nclass OrderPlaced(ShopEvent):\n    items: list\n")
    assert {"DDD101", "DDD104"} <= reported_and_passed(orders, "shop/orders.py", settings)


def test_a_data_class_imported_from_an_event_module_is_an_event_base(tmp_path, monkeypatch):
    events = ("from dataclasses import dataclass\n\n\n"
              "@dataclass(frozen=True)\nclass Base:\n    event_id: str\n")
    settings = project(tmp_path, monkeypatch, {"shop/events.py": events})
    orders = ("from dataclasses import dataclass\nfrom shop.events import Base\n\n\n"
              "@dataclass\nclass OrderPlaced(Base):\n    items: list\n")
    assert "DDD104" in reported_and_passed(orders, "shop/orders.py", settings)


def test_a_base_marked_by_a_correlation_field_in_another_module_is_followed(tmp_path, monkeypatch):
    message = ("from dataclasses import dataclass\n\n\n"
               "@dataclass(frozen=True)\nclass Message:\n    correlation_id: str\n")
    settings = project(tmp_path, monkeypatch, {"shop/kernel/messages.py": message})
    notify = ("from dataclasses import dataclass\nfrom shop.kernel.messages import Message\n\n\n"
              "@dataclass\nclass OrderShipped(Message):\n    items: list\n")
    assert {"DDD104", "DDD202"} <= reported_and_passed(notify, "shop/app/notify.py", settings)


@pytest.mark.parametrize("source", [
    pytest.param("def pay(uow, producer):\n    with uow:\n        producer.send('orders.paid', b'1')\n",
                 id="one-function"),
    # the rules group calls by qualified name: a property and its setter are one flow
    pytest.param("""\
class Order:
    @property
    def state(self):
        self.producer.send("orders.state", b"1")
        return self._state

    @state.setter
    def state(self, value):
        self._state = value
        self.session.commit()
""", id="property-and-setter"),
    pytest.param("with uow:\n    producer.send('orders.paid', b'1')\n", id="outside-functions"),
    # a decorator's calls belong to the decorated function
    pytest.param("""\
@publishes(kafka_producer.send("orders.paid", b"1"))
def pay_order(session, order):
    order.pay()
    session.commit()
""", id="decorator"),
])
def test_a_flow_the_rules_read_as_one_passes_the_flow_gate(source):
    settings = Settings.from_values({"ddd-source-roots": ["."]})
    assert reported_and_passed(source, APPLICATION, settings) == {"DDD401"}


def test_flow_words_in_docstrings_and_string_data_do_not_open_the_flow_gate():
    source = '''\
"""Commits the transaction, then publishes the recorded events with the producer."""

HELP = {
    "commit": "the unit of work commits the transaction",
    "publish": "publish the events: producer.send(topic, payload)",
    "dispatch": "dispatch the recorded events after the commit",
}


def main(out):
    """Send the events to the broker and publish them after the transaction commits."""
    out.write(HELP["commit"])
'''
    for word in ("transaction", "commit", "publish", "dispatch", "send", "producer", "events"):
        assert word in source
    settings = Settings.from_values({"ddd-source-roots": ["."]})
    closed_and_silent(source, APPLICATION, settings, FLOW_CODES)


def test_a_transaction_and_a_publish_in_two_functions_do_not_open_the_flow_gate():
    save = "def save(uow, order):\n    with uow:\n        uow.orders.add(order)\n        uow.commit()\n"
    notify = "def notify(producer, order):\n    producer.send('orders', order.id)\n"
    settings = Settings.from_values({"ddd-source-roots": ["."]})
    closed_and_silent(f"{save}\n\n{notify}", APPLICATION, settings, {"DDD401"})
    together = save.replace("uow.commit()", "producer.send('orders', order.id)")
    assert reported_and_passed(together, APPLICATION, settings) == {"DDD401"}


def test_a_class_named_event_without_a_data_shape_does_not_open_the_event_gate():
    source = """\
class Event:
    def __init__(self):
        self._cond = Condition(Lock())
        self._flag = False

    def is_set(self):
        return self._flag
"""
    settings = Settings.from_values({"ddd-source-roots": ["."]})
    closed_and_silent(source, "lib/sync.py", settings, EVENT_CODES)
    # a marker base (tkinter's Event) has nothing to report on itself either
    closed_and_silent("class Event:\n    def __repr__(self):\n        return 'Event'\n",
                      "lib/sync.py", settings, EVENT_CODES)
    data = "from dataclasses import dataclass\n\n\n@dataclass\nclass Event:\n    items: list\n"
    assert "DDD104" in reported_and_passed(data, "lib/sync.py", settings)


def test_plain_classes_in_an_event_module_do_not_open_the_event_gate():
    source = """\
class Listener:
    __slots__ = ()

    def notify(self, event):
        return event


class Registry(object):
    __slots__ = ()

    def register(self, listener):
        pass


class Hub(Registry):
    __slots__ = ()
"""
    settings = Settings.from_values({"ddd-source-roots": ["."]})
    closed_and_silent(source, "pkg/events.py", settings, EVENT_CODES)
    data = "from dataclasses import dataclass\n\n\n@dataclass\nclass OrderPlaced:\n    id: str\n"
    assert "DDD101" in reported_and_passed(f"{data}\n\n{source}", "pkg/events.py", settings)


def test_a_cycle_between_function_local_classes_ends_and_does_not_open_the_gate():
    source = """\
def test_a():
    class A(C):
        x: int
    return A


def test_b():
    class C(A):
        y: int
    return C
"""
    settings = Settings.from_values({"ddd-source-roots": ["."]})
    closed_and_silent(source, "tests/test_cycle.py", settings, frozenset(NEEDS))
    assert passes(source.replace("class C(A)", "class C(A, DomainEvent)"), "tests/test_cycle.py",
                  settings, EVENT_CODES)


def test_a_function_local_class_does_not_hide_an_imported_base_of_the_same_name(
        tmp_path, monkeypatch):
    settings = project(tmp_path, monkeypatch, {"shop/kernel.py": KERNEL})
    orders = ("from dataclasses import dataclass\nfrom shop.kernel import ShopEvent\n\n\n"
              "def helper():\n    class ShopEvent:\n        pass\n    return ShopEvent\n\n\n"
              "@dataclass\nclass OrderPlaced(ShopEvent):\n    items: list\n")
    assert "DDD104" in reported_and_passed(orders, "shop/orders.py", settings)


@pytest.mark.parametrize("call", [
    "notifier.send(topic_for(order_id), OrderShippedV1(order_id=order_id, correlation_id='c'))",
    "notifier.send(order_shipped_v1(order_id=order_id, correlation_id='c'))",
])
def test_an_integration_event_built_in_any_argument_opens_the_flow_gate(call):
    name = "order_shipped_v1" if "order_shipped" in call else "OrderShippedV1"
    source = (f"from dataclasses import dataclass\n\n\n@dataclass(frozen=True)\nclass {name}:\n"
              "    order_id: str\n    correlation_id: str\n\n\n"
              f"def ship(uow, notifier, order_id):\n    with uow.transaction():\n        {call}\n")
    settings = Settings.from_values({"ddd-source-roots": ["."]})
    assert "DDD401" in reported_and_passed(source, APPLICATION, settings)


@hypothesis.settings(max_examples=examples(300), deadline=None)
@hypothesis.given(st.lists(st.sampled_from(
    ["uow", "Uow", "UOW", "unit", "Unit", "_of_", "Of", "work", "Work", "s", "_", ".", " ",
     "repo", "Repo", "sitory", "ies", "Sql", "alchemy", "x", "(", ")", "é", "\n"]), max_size=12))
@hypothesis.example(["unit", "_", "_of_", "work"])  # unit__of_work: no variant of the name
@hypothesis.example(["Unit", "_", "Of", "Work"])  # Unit_OfWork
def test_the_windowed_word_run_search_answers_as_the_whole_search(parts):
    names = ("unit_of_work", "uow", "repo", "repository")
    text = "".join(parts)
    found = bool(word_run_pattern(names).search(text))
    assert word_run_found(names, text, text.lower()) == found
    assert Words(names, identifier=False, word_runs=True).found(text, text.lower()) == found


@hypothesis.given(st.lists(st.sampled_from(
    ["uow", "Uow", "UOW", "unit", "Unit", "_of_", "Of", "work", "Work", "s", "_", ".", " ",
     "repo", "Repo", "sitory", "sitor", "ies", "Sql", "alchemy", "x", "(", ")", "é", "\n",
     "Émile", "session", "SESSIONS", "ession",
     "\u0130", "\u0131", "\u017f", "\u212a", "ß", "Σ", "ς", "ﬁ"]), min_size=1, max_size=12))
@hypothesis.example(["Unit", "Of", "Work"])
@hypothesis.example([" ", "repo", "sitor", "ies"])
@hypothesis.example(["x", "Repo", "sitory", "_", "Sql"])
@hypothesis.example(["\u017f", "ession"])
@hypothesis.example(["SESSIONS", "é"])
def test_outside_ascii_the_word_run_search_answers_as_the_whole_search(parts):
    names = ("unit_of_work", "uow", "repo", "repository", "session")
    text = "é" + "".join(parts)
    found = bool(word_run_pattern(names).search(text))
    assert word_run_found(names, text, text.lower()) == found
    assert Words(names, identifier=False, word_runs=True).found(text, text.lower()) == found


def test_the_characters_outside_ascii_that_match_an_ascii_letter_are_known():
    """``text.word_run_found`` looks for a run by its lower case only in a text without them."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    cased = [chr(code) for code in range(128, sys.maxunicode + 1)
             if any(c in letters for c in (chr(code).lower() + chr(code).upper()
                                           + chr(code).casefold()).lower())]
    matching = {char for char in cased for letter in letters
                if re.fullmatch(f"(?i:{letter})", char)}
    any_letter = re.compile("(?i:[a-z])")
    matching |= {chr(code) for code in range(128, sys.maxunicode + 1)
                 if any_letter.fullmatch(chr(code))}
    assert matching == set(FOLDS_TO_ASCII)


# -- the newer kinds of recognition do not widen the gate for code without events ---------

NO_EVENT_REGISTERED = """\
import selectors
from multiprocessing import reduction


class Connection:
    pass


def reduce_connection(connection):
    return connection


reduction.register(Connection, reduce_connection)
_REDUCERS = {Connection: [reduce_connection], int: (float, complex)}


class Lock:
    def __repr__(self):
        return f"<{type(self).__name__}, value:{self._value}, waiters:{self._waiters}>"

    def watch(self, selector, fd, callback):
        selector.register(fd, selectors.EVENT_READ, (callback, None))


@selectors.on(Connection)
def opened(connection):
    pass
"""


def test_registrations_of_classes_that_are_no_events_do_not_open_the_handler_gate(
        tmp_path, monkeypatch):
    # asyncio/locks.py (the f-string) and asyncio/selector_events.py (selector.register)
    # passed it, text only
    settings = project(tmp_path, monkeypatch, {"shop/kernel.py": KERNEL})
    closed_and_silent(NO_EVENT_REGISTERED, "shop/io.py", settings, {"DDD404", "DDD405"})


@pytest.mark.parametrize("registration", [
    "bus.subscribe(OrderPlaced, send_mail)\nbus.subscribe(OrderPlaced, book)\n",
    "bus.register(events.OrderPlaced, send_mail)\nbus.register(events.OrderPlaced, book)\n",
    "HANDLERS = {\n    OrderPlaced: [send_mail, book],  # the mail\n}\n",
])
def test_a_registration_of_an_event_class_opens_the_handler_gate(registration, tmp_path,
                                                                  monkeypatch):
    settings = project(tmp_path, monkeypatch, {
        "shop/__init__.py": "", "shop/kernel.py": KERNEL,
        "shop/events.py": "from shop.kernel import ShopEvent\n\n\n"
                          "class OrderPlaced(ShopEvent):\n    order_id: str\n"})
    source = ("from shop import events\nfrom shop.events import OrderPlaced\n\n\n"
              "def send_mail(event: OrderPlaced) -> None:\n    pass\n\n\n"
              "async def book(event: OrderPlaced) -> None:\n    pass\n\n\n" + registration)
    assert "DDD404" in reported_and_passed(source, "shop/wiring.py", settings)  # a sync handler
    # the same registration of a class that is no event: closed
    plain = source.replace("from shop.events import OrderPlaced", "from shop.kernel import "
                           "dataclass as OrderPlaced").replace("events.OrderPlaced", "OrderPlaced")
    closed_and_silent(plain, "shop/wiring.py", settings, {"DDD404", "DDD405"})


def test_a_handler_decorator_opens_the_handler_gate_for_an_event_class_only(tmp_path,
                                                                          monkeypatch):
    settings = project(tmp_path, monkeypatch, {"shop/kernel.py": KERNEL})
    event = ("from shop.kernel import ShopEvent\n\n\nclass OrderPlaced(ShopEvent):\n"
             "    order_id: str\n\n\n@bus.handles(OrderPlaced)\n"
             "def send_mail(event: OrderPlaced) -> None:\n    pass\n")
    assert passes(event, "shop/wiring.py", settings, {"DDD404", "DDD405"})
    startup = ("import app\n\n\nclass Settings:\n    pass\n\n\n@app.on('startup')\n"
               "def start():\n    pass\n\n\n@app.handler(Settings)\ndef changed():\n    pass\n")
    closed_and_silent(startup, "shop/wiring.py", settings, {"DDD404", "DDD405"})


def test_library_bases_outside_the_known_bases_table_do_not_open_the_event_gate(
        tmp_path, monkeypatch):
    settings = project(tmp_path, monkeypatch, {})
    source = ("import enum\nfrom threading import Thread\nfrom typing import NamedTuple\n\n"
              "from pydantic import BaseModel\n\n\nclass Config(BaseModel):\n    host: str\n\n\n"
              "class Worker(Thread):\n    pass\n\n\nclass Colour(enum.Enum):\n    RED = 1\n\n\n"
              "class Point(NamedTuple):\n    x: int\n")
    closed_and_silent(source, "app/config.py", settings, frozenset(NEEDS))


def test_stored_event_bases_do_not_open_the_gate_for_classes_outside_them(tmp_path,
                                                                         monkeypatch):
    project(tmp_path, monkeypatch, {})
    settings = Settings.from_values({"ddd-source-roots": ["."],
                                     "ddd-stored-event-bases": ["StoredEvent"],
                                     "ddd-stored-event-modules": ["stored"]})
    plain = ("from dataclasses import dataclass\n\n\n@dataclass\nclass Row:\n    id: int\n\n\n"
             "class Repository:\n    def add(self, row: Row) -> None:\n        pass\n")
    closed_and_silent(plain, "app/rows.py", settings, {"DDD209"})
    stored = plain.replace("class Row:", "class Row(StoredEvent):").replace(
        "from dataclasses", "from app.store import StoredEvent\nfrom dataclasses")
    assert passes(stored, "app/rows.py", settings, {"DDD209"})
    assert passes(plain, "app/stored.py", settings, {"DDD209"})  # a stored-event module


def test_failure_words_without_their_loops_do_not_open_the_failure_gate():
    """DDD408/DDD409 words (a relay, a done mark, a publish; handlers, an ``except``, a
    commit) open their gate only with the loop and ``try`` the rules read."""
    settings = Settings.from_values({"ddd-source-roots": ["."]})
    relay = ("def relay_pending(outbox, producer):\n"
             "    for message in outbox.pending():\n"
             "        producer.send(message.topic, message.payload)\n"
             "        outbox.mark_as_sent(message.id)\n")
    loop = ("def publish(session, handlers, event):\n"
            "    for handler in handlers:\n"
            "        try:\n            handler(event)\n"
            "        except Exception:\n            pass\n"
            "    session.commit()\n")
    assert "DDD408" in reported_and_passed(relay, "shop/infrastructure/relay.py", settings)
    assert "DDD409" in reported_and_passed(loop, APPLICATION, settings)
    # the same words, no relay loop: one pending record sent and marked
    single = relay.replace("    for message in outbox.pending():\n",
                           "    message = outbox.pending()\n    if message:\n")
    closed_and_silent(single, "shop/infrastructure/relay.py", settings, {"DDD408"})
    # the handlers called outside the ``try``, or under an ``except`` that is not broad
    outside = loop.replace("            handler(event)\n", "            pass\n").replace(
        "    session.commit()", "        handler(event)\n    session.commit()")
    closed_and_silent(outside, APPLICATION, settings, {"DDD409"})
    narrow = loop.replace("except Exception", "except KeyError")
    closed_and_silent(narrow, APPLICATION, settings, {"DDD409"})


@pytest.mark.slow  # the standard library
def test_no_standard_library_module_passes_the_gate():
    """No module of the standard library (its test packages aside: test code is not
    checked) has a sign of events, aggregates or handlers: none reaches libcst, for any rule."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    settings = Settings.from_values({"ddd-source-roots": [str(stdlib)]})
    checked, passed = 0, []
    for path in sorted(stdlib.rglob("*.py")):
        if {"site-packages", "dist-packages", "test", "tests"} & set(path.parts):
            continue
        source = path.read_text(encoding="utf-8", errors="replace")
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError):
            continue
        module, is_package = module_path(str(path), settings.source_roots)
        if settings.is_test_module(module):
            continue
        checked += 1
        if may_hold_findings(source, module, settings, frozenset(NEEDS), tree, is_package):
            passed.append(str(path.relative_to(stdlib)))
    assert checked > 500
    assert passed == []


@pytest.mark.parametrize("body, passes_for_ddd409", [
    ("with uow:\n        bus.dispatch(order.events)\n        uow.commit()", True),
    ("with self.session.begin():\n        bus.publish(order.events)", True),
    ("bus.dispatch(order.events)\n    uow.commit()", True),  # before the commit
    ("uow.commit()\n    bus.dispatch(order.events)", False),  # after it
    ("with open(path):\n        bus.dispatch(order.events)\n    uow.commit_frame", False),
])
def test_a_dispatch_passes_for_ddd409_only_inside_a_transaction(body, passes_for_ddd409):
    """DDD409 at a caller (a dispatcher of another module): the dispatch must be in a
    transaction ``with`` or before a ``.commit()`` of its function, in the ``ast`` too."""
    source = f"from shop.bus import bus\n\n\ndef place(uow, order, path):\n    {body}\n"
    settings = Settings.from_values({"ddd-source-roots": ["."]})
    run = codes_for(source, "shop.app.services", settings, {"DDD409"}, ast.parse(source))
    assert (run == {"DDD409"}) is passes_for_ddd409


def test_a_module_checked_before_it_is_imported_is_not_parsed_again(tmp_path, monkeypatch):
    """The gate keeps the index of each module it checks (made of flake8's tree): a module
    that imports it later reads that index, unless the file holds another text."""
    settings = project(tmp_path, monkeypatch, {"shop/kernel.py": KERNEL})
    orders = "from shop.kernel import ShopEvent\n\n\nclass OrderPlaced(ShopEvent):\n    pass\n"
    edited = KERNEL.replace("class ShopEvent(DomainEvent):", "class ShopEvent:")
    parse = ast.parse
    parsed: list[str] = []

    def counting_parse(source, filename="<unknown>", *args, **kwargs):
        parsed.append(filename)
        return parse(source, filename, *args, **kwargs)

    def orders_after(kernel: str | None):
        gate = Gate(settings, frozenset({"DDD101"}))
        if kernel is not None:
            gate.codes_for(parse(kernel), kernel, "shop.kernel")
        parsed.clear()
        codes = gate.codes_for(parse(orders), orders, "shop.orders")
        return codes, gate.rests_on(), [name for name in parsed if name.endswith("kernel.py")]

    monkeypatch.setattr(ast, "parse", counting_parse)
    alone, rests_on, kernel_parsed = orders_after(None)
    assert "DDD101" in alone and kernel_parsed
    assert orders_after(KERNEL) == (alone, rests_on, [])  # the same answer, no parse
    assert orders_after(edited) == (alone, rests_on, kernel_parsed)  # an edited buffer
