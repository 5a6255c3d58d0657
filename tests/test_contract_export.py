"""The exported JSON Schema against what real producers write: pydantic
(``model_dump(mode="json", by_alias=True)``), msgspec (``msgspec.json.encode``) and attrs
through cattrs. Their output validates; a wrong nested field or an unknown enum value
does not."""

from __future__ import annotations

import importlib
import json
import sys
from datetime import datetime, time
from decimal import Decimal
from uuid import UUID

import cattrs.preconf.json as cattrs_json
import jsonschema
import msgspec
import pytest

from flake8_ddd_events.cli import main

from .conftest import write_file

VALUES = """\
from decimal import Decimal
from enum import Enum, IntEnum, auto
from typing import NamedTuple, NewType
from uuid import UUID

from typing_extensions import NotRequired, TypedDict  # pydantic's TypedDict before 3.12

CustomerId = NewType("CustomerId", UUID)
Sku = str


class Channel(str, Enum):
    STORE = "store"
    WEB = "web"


class Priority(IntEnum):
    LOW = auto()
    HIGH = auto()


class Money(NamedTuple):
    amount: Decimal
    currency: str


class Label(TypedDict):
    text: str
    colour: NotRequired[str]
"""

PYDANTIC_EVENTS = """\
from datetime import datetime, time
from decimal import Decimal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from shop.shared.values import Channel, CustomerId, Label, Money, Priority, Sku


class Address(BaseModel):
    street: str
    postcode: str


class InvoicePaid(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    correlation_id: UUID
    event_version: int = 1
    invoice_id: UUID = Field(alias="invoice")
    customer_id: CustomerId
    sku: Sku
    channel: Channel
    priority: Priority
    amount: Decimal
    paid_at: datetime
    due_time: time
    ship_to: Address
    total: Money
    label: Label
    tags: list[str] = Field(default_factory=list)
    blob: bytes
    secret: str = Field(default="x", exclude=True)
"""

MSGSPEC_EVENTS = """\
from decimal import Decimal
from uuid import UUID

import msgspec

from shop.shared.values import Channel, Sku


class Box(msgspec.Struct, frozen=True, array_like=True):
    width: int
    height: int


class ParcelSent(msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True):
    correlation_id: UUID
    event_version: int = 1
    parcel_no: Sku = msgspec.field(name="parcel")
    weight: Decimal
    channel: Channel
    box: Box
    blob: bytes
    note: str = ""
"""

ATTRS_EVENTS = """\
from datetime import datetime

import attrs

from shop.shared.values import Channel, CustomerId


@attrs.frozen
class Address:
    street: str
    postcode: str


@attrs.frozen(kw_only=True)
class OrderShipped:
    correlation_id: str
    event_version: int = 1
    customer_id: CustomerId
    channel: Channel
    shipped_at: datetime
    ship_to: Address
    parcels: tuple[Address, ...] = ()
"""


@pytest.fixture
def exported(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    write_file(tmp_path, "shop/__init__.py", "")
    write_file(tmp_path, "shop/shared/__init__.py", "")
    write_file(tmp_path, "shop/sales/__init__.py", "")
    write_file(tmp_path, "shop/shared/values.py", VALUES)
    write_file(tmp_path, "shop/sales/billing.py", PYDANTIC_EVENTS)
    write_file(tmp_path, "shop/sales/parcels.py", MSGSPEC_EVENTS)
    write_file(tmp_path, "shop/sales/shipping.py", ATTRS_EVENTS)
    assert main(["contracts", "export", "--out", "out"]) == 0
    capsys.readouterr()
    monkeypatch.syspath_prepend(str(tmp_path))
    yield lambda name: jsonschema.Draft202012Validator(
        json.loads((tmp_path / "out" / f"shop.sales.{name}.v1.schema.json").read_text()))
    for module in [n for n in sys.modules if n == "shop" or n.startswith("shop.")]:
        del sys.modules[module]


def _invalid(validator, instance, *paths_and_values) -> None:
    for path, value in paths_and_values:
        changed = json.loads(json.dumps(instance))
        target = changed
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        assert not validator.is_valid(changed), (path, value)


def test_pydantic_output_validates(exported):
    billing = importlib.import_module("shop.sales.billing")
    values = importlib.import_module("shop.shared.values")
    event = billing.InvoicePaid(
        correlation_id=UUID(int=1), invoice_id=UUID(int=2), customer_id=UUID(int=3), sku="A-1",
        channel=values.Channel.WEB, priority=values.Priority.HIGH, amount=Decimal("1E-7"),
        paid_at=datetime(2024, 5, 1, 12), due_time=time(10, 30),
        ship_to=billing.Address(street="Main 1", postcode="1234"),
        total=values.Money(Decimal("12.50"), "EUR"), label={"text": "gift"}, blob=b"abc")
    instance = event.model_dump(mode="json", by_alias=True)
    assert instance["invoice"] and instance["total"] == ["12.50", "EUR"]  # what is checked
    validator = exported("billing.InvoicePaid")
    validator.validate(instance)
    assert "secret" not in validator.schema["properties"]
    assert "tags" in validator.schema["required"]  # a default factory is always written
    _invalid(validator, instance, (["shipTo", "postcode"], 1234), (["channel"], "fax"),
             (["priority"], 3), (["total"], {"amount": "1", "currency": "EUR"}),
             (["label", "colour"], 5), (["amount"], "12,5"), (["customerId"], 3))
    del instance["invoice"]
    assert not validator.is_valid(instance)


def test_msgspec_output_validates(exported):
    parcels = importlib.import_module("shop.sales.parcels")
    values = importlib.import_module("shop.shared.values")
    event = parcels.ParcelSent(correlation_id=UUID(int=1), parcel_no="P-1",
                               weight=Decimal("0.0000001"), channel=values.Channel.STORE,
                               box=parcels.Box(3, 4), blob=b"\x00\x01")
    instance = json.loads(msgspec.json.encode(event))
    assert "note" not in instance and "eventVersion" not in instance  # omitted defaults
    validator = exported("parcels.ParcelSent")
    validator.validate(instance)
    _invalid(validator, instance, (["box"], {"width": 3, "height": 4}), (["box", 0], "3"),
             (["channel"], "fax"), (["parcel"], 1))


def test_attrs_output_through_cattrs_validates(exported):
    shipping = importlib.import_module("shop.sales.shipping")
    values = importlib.import_module("shop.shared.values")
    address = shipping.Address("Main 1", "1234")
    event = shipping.OrderShipped(correlation_id="c-1", customer_id=UUID(int=3),
                                  channel=values.Channel.STORE, shipped_at=datetime(2024, 5, 1),
                                  ship_to=address, parcels=(address,))
    converter = cattrs_json.make_converter()
    converter.register_unstructure_hook(UUID, str)
    instance = json.loads(converter.dumps(event))
    validator = exported("shipping.OrderShipped")
    validator.validate(instance)
    _invalid(validator, instance, (["ship_to", "street"], None), (["parcels", 0, "postcode"], 9),
             (["channel"], "fax"))
