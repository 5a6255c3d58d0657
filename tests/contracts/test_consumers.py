"""Both ends of the wire: ``ddd-events contracts expect`` in a consumer's repository, and
``contracts check --consumers`` (the producer's) and ``--producer`` (the consumer's)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flake8_ddd_events.cli import main

from ..conftest import write_file

PRODUCER_EVENTS = '''\
from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True)
class Address:
    street: str
    postcode: str


@dataclass(frozen=True, kw_only=True)
class OrderPlaced:
    correlation_id: UUID
    event_version: int = 2
    order_id: UUID
    carrier: str
    ship_to: Address
    gift_note: str = ""
'''

UPSTREAM = '''\
from uuid import UUID

from pydantic import BaseModel


class Address(BaseModel):
    postcode: str


class OrderPlaced(BaseModel):
    """Sales' OrderPlaced as shipping reads it."""

    event_version: int = 2
    order_id: UUID
    carrier: str
    ship_to: Address
    gift_note: str | None = None
'''

CONSUMER_EVENTS = '''\
from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True, kw_only=True)
class InvoicePaid:
    correlation_id: UUID
    invoice_id: UUID
    amount: float


@dataclass(frozen=True, kw_only=True)
class ParcelShipped:
    correlation_id: UUID
    parcel_id: UUID
'''

SUBSCRIBERS = '''\
from faststream.kafka import KafkaBroker

from shipping.integration_events import InvoicePaid, ParcelShipped
from shipping.upstream.sales import OrderPlaced

broker = KafkaBroker()


@broker.subscriber("sales.order-placed")
async def on_order_placed(body: bytes) -> None:
    order = OrderPlaced.model_validate_json(body)
    await broker.publish(ParcelShipped(correlation_id=order.order_id, parcel_id=order.order_id),
                         "shipping.parcel-shipped")


@broker.subscriber("billing.invoice-paid")
async def on_invoice_paid(event: InvoicePaid) -> None:
    ...
'''

CONFIG = '''\
[project]
name = "shipping"

[tool.flake8-ddd-events]
ddd-consumed-events = ["shipping.upstream.sales.OrderPlaced=shop.sales.integration_events.OrderPlaced"]
'''


@pytest.fixture
def consumer(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "shipping-repo"
    write_file(root, "shipping/upstream/sales.py", UPSTREAM)
    write_file(root, "shipping/integration_events.py", CONSUMER_EVENTS)
    write_file(root, "shipping/subscribers.py", SUBSCRIBERS)
    write_file(root, "pyproject.toml", CONFIG)
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def producer(tmp_path, monkeypatch, capsys) -> Path:
    root = tmp_path / "sales-repo"
    write_file(root, "shop/sales/integration_events.py", PRODUCER_EVENTS)
    write_file(root, "pyproject.toml", '[tool.flake8-ddd-events]\n'
                                       'ddd-contract-compatibility = "backward"\n')
    monkeypatch.chdir(root)
    assert main(["contracts", "lock"]) == 0
    capsys.readouterr()
    return root


def expected(consumer: Path, capsys) -> dict:
    assert main(["contracts", "expect"]) == 0
    capsys.readouterr()
    return json.loads((consumer / "ddd-expectations.json").read_text(encoding="utf-8"))


def test_expect_writes_what_the_consumer_reads_of_each_consumed_event(consumer, capsys):
    data = expected(consumer, capsys)
    assert data["format"] == 1 and data["consumer"] == "shipping"
    # OrderPlaced: named by the option and decoded; InvoicePaid: an integration event the
    # project receives; ParcelShipped is sent, not consumed
    assert sorted(data["events"]) == ["shipping.integration_events.InvoicePaid",
                                      "shop.sales.integration_events.OrderPlaced"]
    placed = data["events"]["shop.sales.integration_events.OrderPlaced"]
    assert placed["class"] == "shipping.upstream.sales.OrderPlaced"
    assert placed["version"] == 2
    assert placed["fields"] == {
        "carrier": {"nullable": False, "required": True, "type": {"name": "str"}},
        "event_version": {"nullable": False, "required": False, "type": {"name": "int"}},
        "gift_note": {"nullable": True, "required": False, "type": {"name": "str"}},
        "order_id": {"nullable": False, "required": True, "type": {"name": "uuid.UUID"}},
        "ship_to": {"nullable": False, "required": True, "type": {"object": True}},
        "ship_to.postcode": {"nullable": False, "required": True, "type": {"name": "str"}},
    }
    assert main(["contracts", "expect"]) == 0
    assert "ddd-expectations.json: unchanged 2 consumed events" in capsys.readouterr().err


def check_consumers(producer: Path, consumer: Path, capsys) -> tuple[int, str]:
    import os

    os.chdir(producer)
    status = main(["contracts", "check", "--consumers", str(consumer)])
    out, _ = capsys.readouterr()
    return status, out


def test_a_compatible_change_that_breaks_a_consumer_is_reported(producer, consumer, capsys):
    expected(consumer, capsys)
    text = (producer / "shop/sales/integration_events.py").read_text()
    # backward compatible (consumers on the new schema read the old events), yet shipping
    # requires the carrier and an order id that is never null
    write_file(producer, "shop/sales/integration_events.py",
               text.replace("    carrier: str\n", "")
               .replace("order_id: UUID", "order_id: UUID | None"))
    status, out = check_consumers(producer, consumer, capsys)
    assert status == 1
    assert out.splitlines() == [
        "consumer 'shipping' requires 'carrier' (str) of sales.OrderPlaced v2; the producer "
        "does not send it since this change",
        "consumer 'shipping' requires 'order_id' (uuid.UUID) of sales.OrderPlaced v2; the "
        "producer may send null since this change",
    ]  # InvoicePaid is billing's: another producer's event, not checked here
    # the lock accepts the change: it is inside the compatibility mode
    assert main(["contracts", "lock"]) == 0
    status, out = check_consumers(producer, consumer, capsys)
    assert status == 1
    assert out.splitlines()[0] == (
        "consumer 'shipping' requires 'carrier' (str) of sales.OrderPlaced v2; the producer "
        "does not send it (locked)")


def test_a_harmless_change_is_not_reported(producer, consumer, capsys):
    expected(consumer, capsys)
    text = (producer / "shop/sales/integration_events.py").read_text()
    # an optional field added; a field the consumer does not read (the street) removed
    write_file(producer, "shop/sales/integration_events.py",
               text.replace("    street: str\n", "")
               + "    priority: int = 0\n")
    status, out = check_consumers(producer, consumer, capsys)
    assert (status, out) == (0, "")


@pytest.mark.parametrize("change, message", [
    (("class OrderPlaced:", "class OrderSent:"),
     "consumer 'shipping' reads sales.OrderPlaced v2; the producer no longer sends it since "
     "this change"),
    (("gift_note: str = \"\"", "gift_note: int = 0"),
     "consumer 'shipping' reads 'gift_note' (str) if present of sales.OrderPlaced v2; the "
     "producer sends it as int since this change"),
    (("order_id: UUID", "order_id: UUID | None"),
     "consumer 'shipping' requires 'order_id' (uuid.UUID) of sales.OrderPlaced v2; the "
     "producer may send null since this change"),
    (("event_version: int = 2", "event_version: int = 3"),
     "consumer 'shipping' reads sales.OrderPlaced v2; the producer sends v3 since this change"),
])
def test_each_kind_of_break(producer, consumer, capsys, change, message):
    expected(consumer, capsys)
    text = (producer / "shop/sales/integration_events.py").read_text()
    write_file(producer, "shop/sales/integration_events.py", text.replace(*change))
    status, out = check_consumers(producer, consumer, capsys)
    assert status == 1
    assert message in out.splitlines()


def test_the_consumer_checks_the_producers_lock(producer, consumer, capsys, monkeypatch):
    lock = producer / "ddd-contracts.lock"
    monkeypatch.chdir(consumer)
    assert main(["contracts", "check", "--producer", str(lock)]) == 0
    assert "no break of what consumers read (2 consumed event(s) against" in \
        capsys.readouterr().err
    monkeypatch.chdir(producer)
    text = (producer / "shop/sales/integration_events.py").read_text()
    write_file(producer, "shop/sales/integration_events.py",
               text.replace("postcode: str", "postcode: int"))
    assert main(["contracts", "lock", "--force"]) == 0
    monkeypatch.chdir(consumer)
    capsys.readouterr()
    assert main(["contracts", "check", "--producer", str(lock)]) == 1
    out, _ = capsys.readouterr()
    assert out.splitlines() == [
        "consumer 'shipping' requires 'ship_to.postcode' (str) of sales.OrderPlaced v2; the "
        "producer sends it as int (locked)"]


def test_a_bad_expectation_file_is_named(producer, tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": 7}')
    assert main(["contracts", "check", "--consumers", str(bad)]) == 2
    assert f"{bad}: not an expectation file of format 1" in capsys.readouterr().err
