"""``ddd-events contracts export --format asyncapi``: the document's channels, operations and
messages as the code shows them, and its structure valid under the AsyncAPI 3.0 JSON Schema
(vendored from ``@asyncapi/specs``, tests/data/asyncapi). The official parser reads the
same documents in the slow tier (test_asyncapi_parser.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from flake8_ddd_events.cli import main

from ..conftest import write_file

DATA = Path(__file__).parent.parent / "data" / "asyncapi"
EXAMPLES = Path(__file__).parent.parent.parent / "examples"
VALIDATOR = jsonschema.Draft7Validator(
    json.loads((DATA / "asyncapi-3.0.0.schema.json").read_text(encoding="utf-8")))

EVENTS = '''\
from dataclasses import dataclass, field
from uuid import UUID


@dataclass(frozen=True)
class Address:
    street: str
    postcode: str


@dataclass(frozen=True, kw_only=True)
class OrderPlaced:
    """An order was placed: the basket is now a commitment to pay."""

    correlation_id: UUID
    event_version: int = 2
    order_id: UUID
    ship_to: Address


@dataclass(frozen=True, kw_only=True)
class OrderCancelled:
    correlation_id: UUID
    event_version: int = 1
    order_id: UUID


@dataclass(frozen=True, kw_only=True)
class InvoicePaid:
    correlation_id: UUID
    event_version: int = 1
    invoice_id: UUID


@dataclass(frozen=True, kw_only=True)
class ParcelShipped:
    correlation_id: UUID
    event_version: int = 1
    parcel_id: UUID


@dataclass(frozen=True, kw_only=True)
class RefundIssued:
    correlation_id: UUID
    event_version: int = 1
    topic: str = "sales.refund-issued"


@dataclass(frozen=True, kw_only=True)
class StockReserved:
    correlation_id: UUID
    event_version: int = 1
    sku: str
'''

PUBLISHING = '''\
import json
from dataclasses import asdict
from uuid import UUID

import faust
from faststream.kafka import KafkaBroker
from outbox import consume

from shop.sales.integration_events import (
    InvoicePaid, OrderCancelled, OrderPlaced, ParcelShipped, RefundIssued, StockReserved)
from shop.sales.topics import PAID_ROUTING_KEY

broker = KafkaBroker()
PREFIX = "shop"


class Publisher:
    def __init__(self, producer, channel, outbox):
        self.producer = producer
        self.channel = channel
        self.outbox = outbox

    def placed(self, event: OrderPlaced) -> None:
        self.producer.send("sales.order-placed", value=json.dumps(asdict(event)).encode())

    def paid(self, invoice_id: UUID, correlation_id: UUID) -> None:
        event = InvoicePaid(invoice_id=invoice_id, correlation_id=correlation_id)
        self.channel.basic_publish("", PAID_ROUTING_KEY, json.dumps(asdict(event)))

    async def cancelled(self, event: OrderCancelled) -> None:
        await broker.publish(event, "sales.order-cancelled")

    def shipped(self, event: ParcelShipped) -> None:
        self.producer.send(f"{PREFIX}.{type(event).__name__}", value=event)

    def refunded(self, event: RefundIssued) -> None:
        self.producer.send(event.topic, value=event)

    def reserved(self, event: StockReserved) -> None:
        self.outbox.add(OutboxRecord(topic="sales.stock-reserved", payload=asdict(event)))


class OutboxRecord:
    def __init__(self, topic: str, payload: dict) -> None:
        self.topic = topic
        self.payload = payload


@broker.subscriber("sales.order-placed")
async def on_order_placed(event: OrderPlaced) -> None:
    ...


@broker.publisher("sales.order-cancelled")
async def cancel_order(order_id: UUID) -> OrderCancelled:
    ...


app = faust.App("sales")
placed_topic = app.topic("sales.order-placed", value_type=OrderPlaced)


@app.agent(placed_topic)
async def count_orders(stream) -> None:
    ...


def notify_warehouse(event: StockReserved) -> None:
    ...


HANDLERS = {StockReserved: [notify_warehouse]}


@consume(binding_key="billing.invoice-paid", queue="sales-on-invoice-paid")
async def on_invoice_paid(event: InvoicePaid, routing_key: str) -> None:
    ...
'''

TOPICS = 'PAID_ROUTING_KEY = "billing.invoice-paid"\n'


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_file(tmp_path, "shop/sales/integration_events.py", EVENTS)
    write_file(tmp_path, "shop/sales/publishing.py", PUBLISHING)
    write_file(tmp_path, "shop/sales/topics.py", TOPICS)
    write_file(tmp_path, "pyproject.toml",
               '[project]\nname = "sales"\nversion = "2.3.0"\ndescription = "The sales context"\n')
    return tmp_path


def export(capsys, *args: str) -> tuple[int, dict, str]:
    status = main(["contracts", "export", "--format", "asyncapi", "--json", "--out", "-", *args])
    out, err = capsys.readouterr()
    return status, json.loads(out) if status == 0 else {}, err


def errors(document: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}"
            for e in VALIDATOR.iter_errors(document)]


def addresses(document: dict) -> dict[str, str | None]:
    """Each event's channels' addresses, by event class name."""
    found: dict[str, set] = {}
    for channel in document["channels"].values():
        for key in channel["messages"]:
            event = key.split(".")[-2] if key.split(".")[-1].startswith("v") else key
            found.setdefault(event, set()).add(channel["address"])
    return {event: sorted(a or "" for a in values) for event, values in found.items()}


def test_channels_come_from_the_transport_calls_and_decorators(project, capsys):
    status, document, _ = export(capsys)
    assert status == 0
    assert addresses(document) == {
        "OrderPlaced": ["sales.order-placed"],            # producer.send("…"), a subscriber
        "InvoicePaid": ["billing.invoice-paid"],          # basic_publish's routing key, imported
        "OrderCancelled": ["sales.order-cancelled"],      # broker.publish(event, "…")
        "StockReserved": ["sales.stock-reserved"],        # an outbox record's topic column
        "RefundIssued": ["sales.refund-issued"],          # the topic the event declares
        "ParcelShipped": [""],                            # computed at run time
    }
    operations = {key: (op["action"], op["channel"]["$ref"]) for key, op in
                  document["operations"].items()}
    assert operations["sendOrderPlaced.Publisher.placed"] == (
        "send", "#/channels/sales.order-placed")
    assert operations["receiveOrderPlaced.on_order_placed"] == (
        "receive", "#/channels/sales.order-placed")
    assert operations["receiveInvoicePaid.on_invoice_paid"] == (
        "receive", "#/channels/billing.invoice-paid")
    assert operations["sendOrderCancelled.cancel_order"] == (
        "send", "#/channels/sales.order-cancelled")       # @broker.publisher, its return
    assert operations["receiveOrderPlaced.count_orders"] == (
        "receive", "#/channels/sales.order-placed")       # Faust: the topic's value_type
    assert operations["receiveStockReserved.notify_warehouse"] == (
        "receive", "#/channels/sales.stock-reserved")     # a registration, where it is sent
    assert errors(document) == []


def test_an_address_computed_at_run_time_is_named_after_the_event_and_marked(project, capsys):
    _, document, _ = export(capsys)
    channel = document["channels"]["shop.sales.integration_events.ParcelShipped"]
    assert channel["address"] is None
    assert "shop.sales.publishing.Publisher.shipped (self.producer.send)" in \
        channel["x-ddd-unresolved"]
    assert "ddd-channels = shop.sales.integration_events.ParcelShipped=ADDRESS" in \
        channel["x-ddd-unresolved"]
    write_file(project, "pyproject.toml", '[project]\nname = "sales"\nversion = "2.3.0"\n\n'
               '[tool.flake8-ddd-events]\nddd-channels = ["ParcelShipped=shop.parcel-shipped"]\n')
    _, document, _ = export(capsys)
    assert addresses(document)["ParcelShipped"] == ["shop.parcel-shipped"]
    assert "shop.sales.integration_events.ParcelShipped" not in document["channels"]
    assert errors(document) == []


def test_messages_carry_the_json_schema_correlation_id_and_docstring(project, capsys):
    status, document, _ = export(capsys)
    info = document["info"]
    assert (info["title"], info["version"], info["description"]) == (
        "sales", "2.3.0", "The sales context")
    assert document["defaultContentType"] == "application/json"
    message = document["components"]["messages"]["shop.sales.integration_events.OrderPlaced.v2"]
    assert message["name"] == "OrderPlaced"
    assert message["title"] == "OrderPlaced v2"
    assert message["description"] == "An order was placed: the basket is now a commitment to pay."
    assert message["correlationId"] == {"location": "$message.payload#/correlation_id"}
    payload = message["payload"]
    assert payload["properties"]["event_version"]["const"] == 2
    assert payload["properties"]["ship_to"] == {
        "$ref": "#/components/schemas/shop.sales.integration_events.Address"}
    assert set(document["components"]["schemas"]["shop.sales.integration_events.Address"]
               ["properties"]) == {"street", "postcode"}
    assert "$schema" not in payload and "$defs" not in payload


def test_every_locked_version_is_a_message_and_a_send_carries_the_current_one(project, capsys):
    assert main(["contracts", "lock"]) == 0
    old = (project / "shop/sales/integration_events.py").read_text()
    write_file(project, "shop/sales/integration_events.py",
               old.replace("event_version: int = 2\n    order_id: UUID\n",
                           "event_version: int = 3\n    order_id: UUID\n    channel: str\n"))
    assert main(["contracts", "lock"]) == 0
    capsys.readouterr()
    _, document, _ = export(capsys)
    messages = document["components"]["messages"]
    assert "shop.sales.integration_events.OrderPlaced.v2" in messages
    assert "channel" not in messages["shop.sales.integration_events.OrderPlaced.v2"]["payload"][
        "properties"]
    assert "channel" in messages["shop.sales.integration_events.OrderPlaced.v3"]["payload"][
        "properties"]
    send = document["operations"]["sendOrderPlaced.Publisher.placed"]
    assert send["messages"] == [{"$ref": "#/channels/sales.order-placed/messages/"
                                         "shop.sales.integration_events.OrderPlaced.v3"}]
    receive = document["operations"]["receiveOrderPlaced.on_order_placed"]
    assert len(receive["messages"]) == 2
    assert errors(document) == []


def test_yaml_is_the_same_document_and_needs_the_extra(project, capsys, monkeypatch):
    _, document, _ = export(capsys)
    assert main(["contracts", "export", "--format", "asyncapi"]) == 0
    assert "contracts/asyncapi.yaml: wrote AsyncAPI 3.0.0: 6 message(s), 6 channel(s)" in \
        capsys.readouterr().err
    text = (project / "contracts" / "asyncapi.yaml").read_text(encoding="utf-8")
    assert yaml.safe_load(text) == document
    assert "&id" not in text  # no anchors: each schema reads by itself
    monkeypatch.setitem(sys.modules, "yaml", None)
    assert main(["contracts", "export", "--format", "asyncapi"]) == 2
    assert "pip install 'flake8-ddd-events[asyncapi]', or write JSON with --json" in \
        capsys.readouterr().err


def test_the_examples_document_is_valid(capsys, monkeypatch):
    monkeypatch.chdir(EXAMPLES)
    status, document, _ = export(capsys)
    assert status == 0
    assert len(document["components"]["messages"]) == 8
    assert errors(document) == []
    broken = json.loads(json.dumps(document))
    next(iter(broken["operations"].values()))["action"] = "publish"
    del broken["info"]["version"]
    assert len(errors(broken)) == 2  # the schema does reject a wrong document
