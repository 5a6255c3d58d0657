"""The event map (``ddd-events map``): what it reads, how it renders, what it finds wrong."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest

from flake8_ddd_events import docs
from flake8_ddd_events.cli import main
from flake8_ddd_events.eventmap import graph, markdown, mermaid
from flake8_ddd_events.eventmap.build import build_map
from flake8_ddd_events.eventmap.contexts import assign, display_names
from flake8_ddd_events.config.settings import Settings

from ..conftest import write_file

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
EXPECTED = ROOT / "tests" / "data" / "eventmap"

KERNEL = """\
from dataclasses import dataclass
from typing import Generic, TypeVar

E = TypeVar("E")


@dataclass(frozen=True)
class DomainEvent:
    pass


@dataclass(frozen=True)
class IntegrationEvent:
    pass


class AggregateRoot:
    def record_event(self, event: DomainEvent) -> None:
        self._events.append(event)


class EventHandler(Generic[E]):
    async def handle(self, event: E) -> None:
        raise NotImplementedError
"""


def write(root: Path, files: dict[str, str]) -> None:
    for name, source in {"kernel.py": KERNEL, **files}.items():
        path = write_file(root, name, textwrap.dedent(source))
        for package in path.relative_to(root).parents:
            if str(package) != ".":
                (root / package / "__init__.py").touch()


def project_map(root: Path, files: dict[str, str], **options) -> graph.EventMap:
    write(root, files)
    settings = Settings.from_values({"ddd-source-roots": str(root), **options})
    event_map, skipped = build_map([str(root)], settings, base=str(root))
    assert skipped == []
    return event_map


def edges(event_map: graph.EventMap, kind: str) -> set[tuple[str, str]]:
    names = {n.id: n.name for n in event_map.nodes}
    return {(names[e.source], names[e.target]) for e in event_map.edges if e.kind == kind}


def run_map(monkeypatch, capsys, directory: Path, *args: str) -> tuple[int, str, str]:
    monkeypatch.chdir(directory)
    status = main(["map", *args])
    out, err = capsys.readouterr()
    return status, out, err


# -- the example project, in every format ---------------------------------------------------
@pytest.mark.parametrize("name, args", [
    ("examples.mermaid.txt", ()), ("examples.markdown.txt", ("--format", "markdown")),
    ("examples.dot.txt", ("--format", "dot")), ("examples.json.txt", ("--format", "json")),
    ("examples.contexts.mermaid.txt", ("--level", "contexts")),
    ("examples.billing.dot.txt", ("--context", "billing", "--format", "dot")),
])
def test_map_of_examples_matches_the_committed_output(monkeypatch, capsys, name, args):
    status, out, err = run_map(monkeypatch, capsys, EXAMPLES, *args)
    assert (status, err) == (0, "")
    assert out == (EXPECTED / name).read_text(), (
        f"the map of examples/ changed; if intended: cd examples && ddd-events map {' '.join(args)} "
        f"> ../tests/data/eventmap/{name}")
    assert run_map(monkeypatch, capsys, EXAMPLES, *args)[1] == out  # byte-identical again


def test_map_of_examples_reads_the_flow_the_example_is_written_with():
    event_map = docs.examples_map(str(ROOT))
    assert [c.name for c in event_map.contexts] == ["billing", "loyalty", "sales"]
    assert ("Order", "OrderPlaced") in edges(event_map, graph.RECORDS)  # in the classmethod factory
    assert ("InvoiceService", "InvoiceDueDateExtended") in edges(event_map, graph.RECORDS)  # DDD303
    assert ("OrderPlaced", "OrderPlacedV1") in edges(event_map, graph.BUILDS)
    assert ("WriteOrderPlacedToOutbox", "OrderPlacedV1") in edges(event_map, graph.OUTBOX)
    assert ("InvoiceService", "InvoicePaidV1") in edges(event_map, graph.PUBLISHES)
    assert ("Customer", "CustomerCreditLimitChanged") in edges(event_map, graph.PUBLISHES)  # DDD301
    # DDD405: registered for its base's OrderPlaced, whatever its handle takes
    assert ("OrderPlaced", "ReleaseStockOnOrderCancelled") in edges(event_map, graph.HANDLES)
    assert [(k.source, k.target, k.events) for k in event_map.links] == [
        ("sales", "billing", ("shop.sales.integration_events.OrderCancelledV1",
                              "shop.sales.integration_events.OrderPlacedV1"))]
    subjects = {f.subject.rpartition(".")[2]: f.code for f in event_map.findings}
    assert subjects["ShipOrder"] == "unhandled-domain-event"
    assert subjects["OrderShippedV1"] == "unconsumed-integration-event"
    assert "InvoicePaidV1" not in subjects  # published: someone outside may consume it
    assert "OrderPlaced" not in subjects


def test_event_map_page_holds_the_generated_map_of_examples():
    page = (ROOT / "docs" / "event-map.md").read_text()
    block = markdown.render(docs.examples_map(str(ROOT)), heading="###")
    assert f"{docs.MAP_START}\n{block}" in page
    assert "](event-map.md)" in (ROOT / "docs" / "index.md").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "```mermaid\nflowchart LR\n    c_billing[\"billing\"]" in readme


# -- Mermaid syntax ---------------------------------------------------------------------------
RESERVED = {"end", "graph", "subgraph", "flowchart", "style", "class", "classDef", "click",
            "linkStyle", "direction", "default", "call", "href"}
_ID = r"[A-Za-z0-9_]+"
_LABEL = r'"[^"]*"'
_SHAPES = [r"\[" + _LABEL + r"\]", r"\(" + _LABEL + r"\)", r"\(\[" + _LABEL + r"\]\)",
           r"\{\{" + _LABEL + r"\}\}", r"\[/" + _LABEL + r"/\]", r"\[\[" + _LABEL + r"\]\]"]
NODE = re.compile(rf"^\s*({_ID})(?:{'|'.join(_SHAPES)})$")
EDGE = re.compile(rf'^\s*({_ID}) (?:-->|==>|-\.->)(?:\|{_LABEL}\|)? ({_ID})$')
SUBGRAPH = re.compile(rf"^\s*subgraph ({_ID})\[{_LABEL}\]$")


def check_mermaid(text: str) -> None:
    """The subset of Mermaid the map writes, checked line by line: ids of ``[A-Za-z0-9_]``
    never reserved nor starting an o/x edge, labels quoted, subgraphs closed, each id defined
    once and every edge between defined nodes."""
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    defined, used, depth = [], [], 0
    for line in lines[1:]:
        if line.startswith("%%"):
            assert "\n" not in line
            continue
        if line.strip() == "end":
            depth -= 1
            assert depth >= 0, "an 'end' without its subgraph"
            continue
        match = SUBGRAPH.match(line) or NODE.match(line)
        if match:
            if line.lstrip().startswith("subgraph"):
                depth += 1
            defined.append(match.group(1))
            continue
        match = EDGE.match(line)
        assert match, f"not valid map Mermaid: {line!r}"
        used += [match.group(1), match.group(2)]
    assert depth == 0
    assert len(defined) == len(set(defined)), "an id defined twice"
    assert set(used) <= set(defined), "an edge to an undefined node"
    for node_id in defined:
        assert node_id.lower() not in {r.lower() for r in RESERVED}
        assert node_id[0] not in "ox" and re.fullmatch(_ID, node_id)


def test_examples_map_is_valid_mermaid():
    event_map = docs.examples_map(str(ROOT))
    check_mermaid(mermaid.render(event_map))
    check_mermaid(mermaid.render(event_map, "contexts"))
    check_mermaid(mermaid.render(event_map.around("sales")))


def test_ids_are_escaped_uniquely_and_labels_quoted():
    assert mermaid.escape_id("a_b.c") != mermaid.escape_id("a.b_c")
    assert mermaid.escape_id("a._b") != mermaid.escape_id("a_.b")
    assert re.fullmatch(_ID, mermaid.escape_id("café.Événement"))
    assert mermaid.node_id("end") == "n_end" and mermaid.context_id("graph") == "c_graph"
    assert mermaid.label('say "hi" #1') == "say #quot;hi#quot; #35;1"


def test_large_graph_with_reserved_names_is_valid_mermaid_and_stable(tmp_path):
    files = {}
    names = ["end", "graph", "subgraph", "style", "click", "flowchart", "default", "o", "x"]
    names += [f"ctx{i}" for i in range(21)]
    for index, context in enumerate(names):
        other = names[(index + 1) % len(names)]
        files[f"{context}/domain/events.py"] = """\
            from kernel import DomainEvent, IntegrationEvent, AggregateRoot
            class end(DomainEvent):
                x: int
            class Placed(DomainEvent):
                x: int
            class PlacedV1(IntegrationEvent):
                correlation_id: str
            class Order(AggregateRoot):
                def place(self) -> None:
                    self.record_event(end(x=1))
                    self.record_event(Placed(x=1))
            """
        files[f"{context}/application/handlers.py"] = f"""\
            from kernel import EventHandler
            from {context}.domain.events import Placed, PlacedV1, end
            from {other}.domain.events import PlacedV1 as TheirsV1
            class style(EventHandler[Placed]):
                async def handle(self, event: Placed) -> None:
                    await self.outbox.add(PlacedV1(correlation_id="c"))
            class click(EventHandler[TheirsV1]):
                async def handle(self, event) -> None:
                    pass
            """
    event_map = project_map(tmp_path, files)
    assert len(event_map.contexts) == 30 and len(event_map.links) == 30
    text = mermaid.render(event_map)
    check_mermaid(text)
    check_mermaid(mermaid.render(event_map, "contexts"))
    assert len(text.splitlines()) > 400
    settings = Settings.from_values({"ddd-source-roots": str(tmp_path)})
    assert mermaid.render(build_map([str(tmp_path)], settings, base=str(tmp_path))[0]) == text


# -- what is read ----------------------------------------------------------------------------
EVENTS = """\
from kernel import DomainEvent, IntegrationEvent
class OrderPlaced(DomainEvent):
    order_id: str
class OrderShipped(DomainEvent):
    order_id: str
class OrderPlacedV1(IntegrationEvent):
    correlation_id: str
"""


def test_handlers_through_generic_base_handle_annotation_and_registry(tmp_path):
    event_map = project_map(tmp_path, {
        "sales/domain/events.py": EVENTS,
        "sales/application/handlers.py": """\
            from kernel import EventHandler
            from sales.domain.events import OrderPlaced, OrderShipped
            class ByBase(EventHandler[OrderPlaced]):
                async def handle(self, event: OrderPlaced) -> None: ...
            class ByAnnotation(EventHandler):
                async def handle(self, event: OrderShipped) -> None: ...
            class Audit:
                async def __call__(self, event) -> None: ...
            async def send_mail(event) -> None: ...
            def wire(bus) -> None:
                bus.register(OrderPlaced, send_mail)
                bus.subscribe(OrderShipped, Audit())
                bus.register("order.placed", send_mail)
                bus.register(OrderPlaced)
            """,
    })
    assert edges(event_map, graph.HANDLES) == {
        ("OrderPlaced", "ByBase"), ("OrderShipped", "ByAnnotation"),
        ("OrderPlaced", "send_mail"), ("OrderShipped", "Audit")}
    handler = event_map.node("sales.application.handlers.send_mail")
    assert (handler.kind, handler.file, handler.line) == (graph.HANDLER, "sales/application/handlers.py", 11)


def test_handler_classes_without_a_base_are_recognised_by_shape(tmp_path):
    event_map = project_map(tmp_path, {
        "sales/domain/events.py": EVENTS,
        "sales/application/handlers.py": """\
            from sales.domain.events import OrderPlaced, OrderShipped
            class SendConfirmation:
                def handle(self, event: OrderPlaced) -> None: ...
            class NotifyCarrier:
                async def __call__(self, event: "OrderShipped | None") -> None: ...
            class Untyped:
                def handle(self, event) -> None: ...
            class Formatter:
                def __call__(self, text: str) -> str: ...
            """,
    })
    assert edges(event_map, graph.HANDLES) == {
        ("OrderPlaced", "SendConfirmation"), ("OrderShipped", "NotifyCarrier")}
    assert event_map.node("sales.application.handlers.SendConfirmation").kind == graph.HANDLER


def test_events_recorded_through_alias_methods(tmp_path):
    event_map = project_map(tmp_path, {
        "sales/domain/events.py": EVENTS + """\
class OrderCancelled(DomainEvent):
    order_id: str
class OrderPaid(DomainEvent):
    order_id: str
""",
        "sales/domain/base.py": """\
            from kernel import AggregateRoot, DomainEvent
            class Base(AggregateRoot):
                def _raise(self, event: DomainEvent) -> None:
                    self.record_event(event)
            """,
        "sales/domain/order.py": """\
            from kernel import AggregateRoot
            from sales.domain.base import Base
            from sales.domain.events import OrderCancelled, OrderPaid, OrderPlaced, OrderShipped
            class Order(Base):
                emit_fact = AggregateRoot.record_event
                def _note(self, what):
                    self.record_event(what)
                def place(self) -> None:
                    self._raise(OrderPlaced(order_id="1"))
                def ship(self) -> None:
                    self._note(OrderShipped(order_id="1"))
                def cancel(self) -> None:
                    self.emit_fact(OrderCancelled(order_id="1"))
                def pay(self) -> None:
                    fact = OrderPaid(order_id="1")
                    self.record_event(fact)
                def audit(self) -> None:
                    self.log("OrderPaid")
            """,
    })
    assert edges(event_map, graph.RECORDS) == {
        ("Order", "OrderPlaced"), ("Order", "OrderShipped"), ("Order", "OrderCancelled"),
        ("Order", "OrderPaid")}
    assert event_map.node("sales.domain.order.Order").kind == graph.AGGREGATE


def test_integration_events_built_by_handlers_and_factories_and_where_published(tmp_path):
    event_map = project_map(tmp_path, {
        "sales/domain/events.py": EVENTS + """\
class OrderShippedV1(IntegrationEvent):
    correlation_id: str
    @classmethod
    def from_domain(cls, event: OrderShipped) -> "OrderShippedV1":
        return cls(correlation_id="c")
""",
        "sales/application/handlers.py": """\
            from kernel import EventHandler
            from sales.domain.events import OrderPlaced, OrderPlacedV1, OrderShipped, OrderShippedV1
            def to_contract(event: OrderPlaced) -> OrderPlacedV1:
                return OrderPlacedV1(correlation_id="c")
            class Forward(EventHandler[OrderPlaced]):
                async def handle(self, event: OrderPlaced) -> None:
                    await self.producer.publish(OrderPlacedV1(correlation_id="c"))
            class Ship(EventHandler[OrderShipped]):
                async def handle(self, event: OrderShipped) -> None:
                    await self.uow.outbox.add(OrderShippedV1.from_domain(event))
            """,
    })
    assert edges(event_map, graph.BUILDS) == {("OrderPlaced", "OrderPlacedV1"),
                                              ("OrderShipped", "OrderShippedV1")}
    vias = {e.via for e in event_map.edges if e.kind == graph.BUILDS}
    assert vias == {"sales.application.handlers.to_contract", "sales.application.handlers.Forward",
                    "sales.domain.events.OrderShippedV1.from_domain",
                    "sales.application.handlers.Ship"}
    assert edges(event_map, graph.PUBLISHES) == {("Forward", "OrderPlacedV1")}
    assert edges(event_map, graph.OUTBOX) == {("Ship", "OrderShippedV1")}


CYCLE = {
    "sales/domain/events.py": """\
        from kernel import IntegrationEvent
        class OrderPlacedV1(IntegrationEvent):
            correlation_id: str
        """,
    "billing/domain/events.py": """\
        from kernel import IntegrationEvent
        class InvoicePaidV1(IntegrationEvent):
            correlation_id: str
        """,
    "sales/application/handlers.py": """\
        from kernel import EventHandler
        from billing.domain.events import InvoicePaidV1
        from sales.domain.events import OrderPlacedV1
        class MarkPaid(EventHandler[InvoicePaidV1]):
            async def handle(self, event: InvoicePaidV1) -> None:
                await self.outbox.add(OrderPlacedV1(correlation_id=event.correlation_id))
        """,
    "billing/application/handlers.py": """\
        from kernel import EventHandler
        from billing.domain.events import InvoicePaidV1
        from sales.domain.events import OrderPlacedV1
        class Invoice(EventHandler[OrderPlacedV1]):
            async def handle(self, event: OrderPlacedV1) -> None:
                await self.message_bus.publish(InvoicePaidV1(correlation_id="c"))
        """,
}


def test_cycles_between_contexts_are_drawn_both_ways(tmp_path, monkeypatch, capsys):
    event_map = project_map(tmp_path, CYCLE)
    assert [(k.source, k.target) for k in event_map.links] == [("billing", "sales"),
                                                               ("sales", "billing")]
    assert edges(event_map, graph.BUILDS) == {("InvoicePaidV1", "OrderPlacedV1"),
                                              ("OrderPlacedV1", "InvoicePaidV1")}
    assert event_map.findings == ()
    status, out, _ = run_map(monkeypatch, capsys, tmp_path, "--level", "contexts")
    assert status == 0
    assert 'c_billing ==>|"InvoicePaidV1"| c_sales' in out
    assert 'c_sales ==>|"OrderPlacedV1"| c_billing' in out
    check_mermaid(out)
    around = event_map.around("sales")
    assert {n.context for n in around.nodes} == {"sales", "billing"}


# -- what the map shows that is wrong -----------------------------------------------------------
def test_checks_report_each_with_file_and_line(tmp_path, monkeypatch, capsys):
    write(tmp_path, {
        "sales/domain/events.py": EVENTS + """\
class OrderRenamed(DomainEvent):
    order_id: str
class OrderShippedV1(IntegrationEvent):
    correlation_id: str
class OrderPaidV1(IntegrationEvent):
    correlation_id: str
""",
        "sales/domain/order.py": """\
            from kernel import AggregateRoot
            from sales.domain.events import OrderPlaced, OrderShipped
            class Order(AggregateRoot):
                def place(self) -> None:
                    self.record_event(OrderPlaced(order_id="1"))
                def ship(self) -> None:
                    self.record_event(OrderShipped(order_id="1"))
            """,
        "sales/application/handlers.py": """\
            from kernel import EventHandler
            from sales.domain.events import OrderPaidV1, OrderPlaced, OrderRenamed
            class OnPlaced(EventHandler[OrderPlaced]):
                async def handle(self, event: OrderPlaced) -> None:
                    await self.bus.publish(OrderPaidV1(correlation_id="c"))
            class OnRenamed(EventHandler[OrderRenamed]):
                async def handle(self, event: OrderRenamed) -> None: ...
            """,
    })
    status, out, err = run_map(monkeypatch, capsys, tmp_path, "--check", "--format", "json")
    assert status == 1
    assert err.splitlines() == [
        "sales/application/handlers.py:6: handler-without-producer: handler 'OnRenamed' handles "
        "'OrderRenamed', but nothing in the code records, publishes or builds 'OrderRenamed': "
        "dead code, or a subscriber a rename missed; subscribe it to the event that is raised "
        "now, or delete it.",
        "sales/domain/events.py:4: unhandled-domain-event: domain event 'OrderShipped' is "
        "recorded (by Order) but no handler handles it and no integration event is built from "
        "it: often a missing subscription; if nothing needs to react to it yet, this may be "
        "intended",
        "sales/domain/events.py:6: unconsumed-integration-event: integration event "
        "'OrderPlacedV1' is never published (no transport publish, no outbox write) and no "
        "context handles it: publish it where it is built, or delete the contract if no "
        "consumer needs it",
        "sales/domain/events.py:10: unconsumed-integration-event: integration event "
        "'OrderShippedV1' is never published (no transport publish, no outbox write) and no "
        "context handles it: publish it where it is built, or delete the contract if no "
        "consumer needs it",
    ]
    data = json.loads(out)
    assert [f["code"] for f in data["findings"]] == [
        "handler-without-producer", "unhandled-domain-event", "unconsumed-integration-event",
        "unconsumed-integration-event"]
    validate(data, json.loads((ROOT / "docs" / "event-map.schema.json").read_text()))
    assert run_map(monkeypatch, capsys, tmp_path)[0] == 0  # without --check: the map only
    (tmp_path / "sales" / "application" / "handlers.py").unlink()
    (tmp_path / "sales" / "domain" / "events.py").write_text(
        "from kernel import DomainEvent\nclass OrderPlaced(DomainEvent):\n    order_id: str\n"
        "class OrderShipped(DomainEvent):\n    order_id: str\n")
    (tmp_path / "sales" / "application" / "more.py").write_text(
        "from kernel import EventHandler\nfrom sales.domain.events import OrderPlaced, OrderShipped\n"
        "class A(EventHandler[OrderPlaced | OrderShipped]):\n    async def handle(self, e) -> None: ...\n")
    assert run_map(monkeypatch, capsys, tmp_path, "--check")[0] == 0


def test_handler_of_an_integration_event_from_elsewhere_says_so(tmp_path):
    event_map = project_map(tmp_path, {
        "billing/domain/events.py": "from kernel import IntegrationEvent\n"
                                    "class PaymentFailedV1(IntegrationEvent):\n    correlation_id: str\n",
        "sales/application/handlers.py": """\
            from kernel import EventHandler
            from billing.domain.events import PaymentFailedV1
            class OnFailed(EventHandler[PaymentFailedV1]):
                async def handle(self, event: PaymentFailedV1) -> None: ...
            """,
    })
    [finding] = event_map.findings
    assert finding.code == "handler-without-producer" and "another service publishes" in finding.message


# -- the JSON Schema ------------------------------------------------------------------------------
_TYPES = {"object": dict, "array": list, "string": str, "integer": int, "null": type(None),
          "boolean": bool}


def validate(value, schema: dict, root: dict | None = None, where: str = "$") -> None:
    """The part of JSON Schema docs/event-map.schema.json uses: $ref, type, const, enum,
    required, properties, additionalProperties, items, minimum, minItems."""
    root = root or schema
    if "$ref" in schema:
        schema = root["$defs"][schema["$ref"].rpartition("/")[2]]
    types = schema.get("type")
    if types is not None:
        types = [types] if isinstance(types, str) else types
        assert any(isinstance(value, _TYPES[t]) and (t == "boolean") == isinstance(value, bool)
                   for t in types), \
            f"{where}: {value!r} is not {types}"
    assert "const" not in schema or value == schema["const"], where
    assert "enum" not in schema or value in schema["enum"], f"{where}: {value!r}"
    if isinstance(value, dict):
        assert set(schema.get("required", ())) <= set(value), f"{where}: missing fields"
        properties = schema.get("properties", {})
        if schema.get("additionalProperties") is False:
            assert set(value) <= set(properties), f"{where}: {set(value) - set(properties)}"
        for key, item in value.items():
            if key in properties:
                validate(item, properties[key], root, f"{where}.{key}")
    if isinstance(value, list):
        assert len(value) >= schema.get("minItems", 0), where
        for index, item in enumerate(value):
            validate(item, schema.get("items", {}), root, f"{where}[{index}]")
    if isinstance(value, int) and "minimum" in schema:
        assert value >= schema["minimum"], where


def test_json_output_of_examples_validates_against_the_schema():
    schema = json.loads((ROOT / "docs" / "event-map.schema.json").read_text())
    data = json.loads((EXPECTED / "examples.json.txt").read_text())
    validate(data, schema)
    assert data["nodes"] and data["edges"] and data["findings"]
    with pytest.raises(AssertionError):
        validate({**data, "nodes": [{**data["nodes"][0], "kind": "saga"}]}, schema)
    with pytest.raises(AssertionError):
        validate({**data, "extra": 1}, schema)


# -- contexts ------------------------------------------------------------------------------------
def test_default_contexts_on_common_layouts():
    assert assign(["shop.sales.domain.order", "shop.sales.integration_events",
                   "shop.billing.application.handlers"], ()) == {
        "shop.sales.domain.order": "shop.sales", "shop.sales.integration_events": "shop.sales",
        "shop.billing.application.handlers": "shop.billing"}
    assert set(assign(["sales.domain.events", "billing.domain.events"], ()).values()) == {
        "sales", "billing"}
    assert assign(["app.ordering.events", "app.billing.handlers"], ()) == {
        "app.ordering.events": "app.ordering", "app.billing.handlers": "app.billing"}
    assert set(assign(["domain.order", "application.handlers"], ()).values()) == {"app"}
    assert display_names(["shop.sales", "shop.billing"]) == {"shop.sales": "sales",
                                                             "shop.billing": "billing"}
    assert display_names(["shop"]) == {"shop": "shop"}


def test_context_modules_option(tmp_path, monkeypatch, capsys):
    write(tmp_path, CYCLE)
    (tmp_path / "setup.cfg").write_text("[flake8]\nddd-context-modules = sales.*\n")
    status, out, _ = run_map(monkeypatch, capsys, tmp_path, "--format", "json")
    data = json.loads(out)
    assert status == 0 and data["contexts"] == [{"name": "sales", "package": "sales"}]
    assert {n["context"] for n in data["nodes"]} == {"sales", None}
    check_mermaid(run_map(monkeypatch, capsys, tmp_path)[1])
    (tmp_path / "setup.cfg").write_text("[flake8]\nddd-context-modules = sales/domain\n")
    status, _, err = run_map(monkeypatch, capsys, tmp_path)
    assert status == 2 and "ddd-context-modules" in err


# -- the command -----------------------------------------------------------------------------------
def test_command_writes_markdown_pages_and_files(tmp_path, monkeypatch, capsys):
    out_dir = tmp_path / "events"
    status, out, _ = run_map(monkeypatch, capsys, EXAMPLES, "--format", "markdown",
                             "--out", str(out_dir))
    assert (status, out) == (0, "")
    assert sorted(p.name for p in out_dir.iterdir()) == ["billing.md", "index.md", "loyalty.md", "sales.md"]
    index = (out_dir / "index.md").read_text()
    assert "- [sales](sales.md)" in index and "## What the map shows that is wrong" in index
    sales = (out_dir / "sales.md").read_text()
    assert sales.startswith("# sales\n") and "| OrderPlaced | Order |" in sales
    assert "DraftInvoiceOnOrderPlaced (billing)" in sales
    target = tmp_path / "map.dot"
    assert run_map(monkeypatch, capsys, EXAMPLES, "--format", "dot", "--out", str(target))[0] == 0
    assert target.read_text() == (EXPECTED / "examples.dot.txt").read_text()


def test_command_rejects_unknown_context_and_reports_unreadable_files(tmp_path, monkeypatch, capsys):
    status, _, err = run_map(monkeypatch, capsys, EXAMPLES, "--context", "shipping")
    assert status == 2 and "no context 'shipping'; the contexts are: billing, loyalty, sales" in err
    write(tmp_path, {"sales/domain/broken.py": "class (:\n"})
    status, _, err = run_map(monkeypatch, capsys, tmp_path)
    assert status == 2
    assert "sales/domain/broken.py:1:7: cannot read this file: invalid syntax; it was skipped" in err


def test_test_modules_are_left_out(tmp_path):
    event_map = project_map(tmp_path, {
        "sales/domain/events.py": EVENTS,
        "tests/test_order.py": """\
            from kernel import EventHandler
            from sales.domain.events import OrderPlaced
            class FakeHandler(EventHandler[OrderPlaced]):
                async def handle(self, event: OrderPlaced) -> None: ...
            """,
    })
    assert not [n for n in event_map.nodes if n.kind == graph.HANDLER]


def test_handler_functions_of_a_mapping_and_of_decorators(tmp_path):
    event_map = project_map(tmp_path, {
        "sales/domain/events.py": EVENTS,
        "sales/application/handlers.py": """\
            from kernel import handles
            from sales.domain.events import OrderShipped
            async def send_mail(event) -> None: ...
            async def add_to_ledger(event) -> None: ...
            @handles(OrderShipped)
            async def notify_carrier(event) -> None: ...
            """,
        "sales/application/messagebus.py": """\
            from sales.application import handlers
            from sales.domain import events
            EVENT_HANDLERS = {
                events.OrderPlaced: [handlers.send_mail, handlers.add_to_ledger],
            }
            """,
    })
    assert edges(event_map, graph.HANDLES) == {
        ("OrderPlaced", "send_mail"), ("OrderPlaced", "add_to_ledger"),
        ("OrderShipped", "notify_carrier")}
    assert event_map.node("sales.application.handlers.send_mail").kind == graph.HANDLER
    assert event_map.node("sales.application.handlers.notify_carrier").kind == graph.HANDLER


def test_map_check_reports_a_dead_handler_function(tmp_path, monkeypatch, capsys):
    write(tmp_path, {
        "sales/domain/events.py": EVENTS,
        "sales/application/handlers.py": """\
            from kernel import handles
            from sales.domain.events import OrderShipped
            @handles(OrderShipped)
            async def notify_carrier(event) -> None: ...
            """,
    })
    status, _, err = run_map(monkeypatch, capsys, tmp_path, "--check")
    assert status == 1
    assert ("sales/application/handlers.py:3: handler-without-producer: handler "
            "'notify_carrier' handles 'OrderShipped'") in err


def test_appending_to_the_objects_own_events_records_them(tmp_path):
    event_map = project_map(tmp_path, {
        "sales/domain/events.py": EVENTS,
        "sales/domain/model.py": """\
            from sales.domain import events
            class Product:
                def __init__(self) -> None:
                    self.events = []
                    self.log = []
                def allocate(self) -> None:
                    self.events.append(events.OrderPlaced(order_id="1"))
                    self.log.append(events.OrderShipped(order_id="1"))
            """,
    })
    assert edges(event_map, graph.RECORDS) == {("Product", "OrderPlaced")}


# -- outbox relays ------------------------------------------------------------------------------
def test_the_map_marks_relays_that_have_no_failure_path(tmp_path):
    event_map = project_map(tmp_path, {"shop/infrastructure/outbox.py": """\
        class OutboxRelay:
            def __init__(self, outbox, producer) -> None:
                self.outbox = outbox
                self.producer = producer

            def relay_once(self) -> None:
                for message in self.outbox.fetch_unpublished():
                    try:
                        self.producer.send(message.topic, message.payload)
                    except Exception:
                        self.outbox.mark_failed(message.id)
                        continue
                    self.outbox.mark_as_sent(message.id)

            def relay_fast(self) -> None:
                for message in self.outbox.fetch_unpublished():
                    self.producer.send(message.topic, message.payload)
                    self.outbox.mark_as_sent(message.id)
        """})
    assert [(r.name, r.line, r.failure_path) for r in event_map.relays] == [
        ("OutboxRelay.relay_fast", 16, False), ("OutboxRelay.relay_once", 7, True)]
    assert [(f.code, f.line, f.subject) for f in event_map.findings] == [
        ("relay-without-failure-path", 16, "shop.infrastructure.outbox.OutboxRelay.relay_fast")]
