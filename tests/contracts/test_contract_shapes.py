"""The wire shape the lock holds (issue 26): changes inside value objects, enums, aliases,
wire names, positional formats, omitted defaults and constraints break what they break,
in the mode they break it; changes that leave the wire alone are silent."""

from __future__ import annotations

import pytest

from flake8_ddd_events.lint.pipeline import check_source
from flake8_ddd_events.cli import main
from flake8_ddd_events.model.project_model import ProjectModel
from flake8_ddd_events.config.settings import Settings

from ..conftest import write_file

EVENTS = "shop/sales/integration_events.py"
VALUES = "shop/shared/values.py"

VALUES_TEXT = """\
from dataclasses import dataclass
from enum import Enum, IntEnum, auto
from typing import Annotated, NewType, Optional, TypeAlias
from uuid import UUID

from annotated_types import Gt

Sku = str
Quantity: TypeAlias = Annotated[int, Gt(0)]
CustomerId = NewType("CustomerId", UUID)


class Channel(Enum):
    STORE = "store"
    WEB = "web"


class Priority(IntEnum):
    LOW = auto()
    HIGH = auto()


@dataclass(frozen=True)
class Address:
    street: str
    postcode: str
"""

EVENTS_TEXT = """\
from dataclasses import dataclass
from uuid import UUID

from shop.shared.values import Address, Channel, CustomerId, Priority, Quantity, Sku


@dataclass(frozen=True)
class Parcel:
    weight: int
    ship_to: Address


@dataclass(frozen=True, kw_only=True)
class OrderShipped:
    correlation_id: UUID
    event_version: int = 1
    ship_to: Address
    parcels: tuple[Parcel, ...]
    channel: Channel
    priority: Priority
    customer_id: CustomerId
    sku: Sku
    quantity: Quantity
"""

PYDANTIC_TEXT = """\
from typing import Annotated
from uuid import UUID

from annotated_types import Gt
from pydantic import BaseModel, ConfigDict, Field


class InvoicePaid(BaseModel):
    model_config = ConfigDict(frozen=True)

    correlation_id: UUID
    event_version: int = 1
    invoice_id: UUID = Field(alias="invoiceId")
    amount: Annotated[int, Gt(0)]
    note: str = Field(max_length=200)
    total_cents: int = Field(ge=0)
"""

MSGSPEC_TEXT = """\
import msgspec


class ParcelSent(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    correlation_id: str
    event_version: int = 1
    parcel_no: str = msgspec.field(name="parcel")
    carrier_name: str
    weight: int
"""

POSITIONAL_TEXT = """\
from typing import NamedTuple

import msgspec


class Line(NamedTuple):
    sku: str
    quantity: int


class LinesAdded(msgspec.Struct, frozen=True, array_like=True):
    correlation_id: str
    event_version: int = 1
    first: str
    second: str
    lines: tuple[Line, ...]
"""

ATTRS_TEXT = """\
import attr
import attrs


@attr.s(frozen=True)
class RefundIssued:
    correlation_id = attr.ib(type=str)
    event_version = attr.ib(type=int, default=1)
    refund_id = attr.ib(type=str)
    note: str = "not a field: attr.s reads only attr.ib"


@attrs.frozen
class RefundPaid:
    correlation_id: str
    event_version: int = 1
    amount: int = attrs.field(default=0, converter=int)
"""

# Protean's own field functions; ``published=True`` makes it the context's published language
PROTEAN_TEXT = """\
from protean import BaseValueObject, Domain
from protean.fields import Float, Identifier, List, String, ValueObject

sales = Domain(name="Sales")


@sales.value_object
class Money(BaseValueObject):
    amount = Float(required=True)
    currency = String(max_length=3)


@sales.event(part_of="Order", published=True)
class OrderConfirmed:
    order_id: Identifier(required=True)
    total = Float(required=True)
    skus = List(content_type=String)
    price = ValueObject(Money)
"""

BASE = {VALUES: VALUES_TEXT, EVENTS: EVENTS_TEXT}
ATTRS = {EVENTS: ATTRS_TEXT}
PROTEAN = {EVENTS: PROTEAN_TEXT}
PYDANTIC = {EVENTS: PYDANTIC_TEXT}
MSGSPEC = {EVENTS: MSGSPEC_TEXT}
POSITIONAL = {EVENTS: POSITIONAL_TEXT}

# (what, project, file, old text, new text, what check prints, modes it breaks in)
BREAKING = [
    ("nested field retyped", BASE, VALUES, "    postcode: str\n", "    postcode: int\n",
     "field 'ship_to.postcode' changed type from 'str' to 'int'", {"forward", "backward"}),
    ("nested field inside tuple[...] items", BASE, VALUES, "    postcode: str\n",
     "    postcode: int\n", "field 'parcels[].ship_to.postcode' changed type", {"forward", "backward"}),
    ("nested required field removed", BASE, VALUES, "    street: str\n", "",
     "required field 'ship_to.street' removed", {"forward"}),
    ("nested required field added", BASE, VALUES, "    postcode: str\n",
     "    postcode: str\n    city: str\n", "required field 'ship_to.city' added", {"backward"}),
    ("nested field made nullable", BASE, VALUES, "    postcode: str\n",
     "    postcode: Optional[str]\n", "field 'ship_to.postcode' may now be None", {"forward"}),
    ("value object in the same module", BASE, EVENTS, "    weight: int\n", "    weight: str\n",
     "field 'parcels[].weight' changed type from 'int' to 'str'", {"forward", "backward"}),
    ("enum member removed", BASE, VALUES, '    WEB = "web"\n', "",
     "field 'channel' lost values \"web\"", {"backward"}),
    ("enum member added", BASE, VALUES, '    WEB = "web"\n', '    WEB = "web"\n    APP = "app"\n',
     "field 'channel' has new values \"app\"", {"forward"}),
    ("enum value changed", BASE, VALUES, '    STORE = "store"\n', '    STORE = "shop"\n',
     "field 'channel' has new values \"shop\"", {"forward", "backward"}),
    ("enum values str to int", BASE, VALUES, '    STORE = "store"\n    WEB = "web"\n',
     "    STORE = 1\n    WEB = 2\n", "field 'channel' has new values 1, 2", {"forward", "backward"}),
    ("auto() enum member inserted", BASE, VALUES, "    LOW = auto()\n",
     "    NONE = auto()\n    LOW = auto()\n", "field 'priority' has new values 3",
     {"forward"}),
    ("auto() numbers made strings by a str mixin", BASE, VALUES, "class Priority(IntEnum):",
     "class Priority(str, Enum):", "field 'priority' has new values \"1\", \"2\"",
     {"forward", "backward"}),
    ("alias retargeted", BASE, VALUES, "Sku = str\n", "Sku = int\n",
     "field 'sku' changed type from 'str' to 'int'", {"forward", "backward"}),
    ("NewType retargeted", BASE, VALUES, 'NewType("CustomerId", UUID)', 'NewType("CustomerId", int)',
     "field 'customer_id' changed type from 'uuid.UUID' to 'int'", {"forward", "backward"}),
    ("alias made Optional", BASE, VALUES, "Sku = str\n", "Sku = Optional[str]\n",
     "field 'sku' may now be None", {"forward"}),
    ("constraint tightened through an alias", BASE, VALUES, "Gt(0)", "Gt(100)",
     "field 'quantity' constraint tightened: gt 0 -> 100", {"backward"}),
    ("constraint loosened", BASE, VALUES, "Annotated[int, Gt(0)]", "int",
     "field 'quantity' constraint loosened: gt 0 removed", {"forward"}),
    ("pydantic alias changed", PYDANTIC, EVENTS, 'alias="invoiceId"', 'alias="invoice"',
     "field 'invoice_id' is sent as 'invoice' instead of 'invoiceId'", {"forward", "backward"}),
    ("pydantic alias removed", PYDANTIC, EVENTS, ' = Field(alias="invoiceId")', "",
     "field 'invoice_id' is sent as 'invoice_id' instead of 'invoiceId'", {"forward", "backward"}),
    ("pydantic alias_generator added", PYDANTIC, EVENTS, "ConfigDict(frozen=True)",
     "ConfigDict(frozen=True, alias_generator=to_camel)\n",
     "field 'total_cents' is sent as 'totalCents' instead of 'total_cents'", {"forward", "backward"}),
    ("pydantic Field(exclude=True)", PYDANTIC, EVENTS, "Field(max_length=200)",
     "Field(max_length=200, exclude=True)", "required field 'note' removed", {"forward"}),
    ("pydantic: a required Field(...) added", PYDANTIC, EVENTS, "    total_cents: int = Field(ge=0)\n",
     "    total_cents: int = Field(ge=0)\n    payer: str = Field(..., alias=\"payerId\")\n",
     "required field 'payerId' added", {"backward"}),
    ("pydantic Field bound tightened", PYDANTIC, EVENTS, "Field(ge=0)", "Field(ge=1)",
     "field 'total_cents' constraint tightened: ge 0 -> 1", {"backward"}),
    ("pydantic max_length tightened", PYDANTIC, EVENTS, "max_length=200", "max_length=100",
     "field 'note' constraint tightened: max_length 200 -> 100", {"backward"}),
    ("Annotated Gt raised", PYDANTIC, EVENTS, "Annotated[int, Gt(0)]", "Annotated[int, Gt(100)]",
     "field 'amount' constraint tightened: gt 0 -> 100", {"backward"}),
    ("msgspec rename policy", MSGSPEC, EVENTS, 'rename="camel"', 'rename="pascal"',
     "field 'carrier_name' is sent as 'CarrierName' instead of 'carrierName'",
     {"forward", "backward"}),
    ("msgspec field(name=...)", MSGSPEC, EVENTS, 'name="parcel"', 'name="parcelNumber"',
     "field 'parcel_no' is sent as 'parcelNumber' instead of 'parcel'", {"forward", "backward"}),
    ("msgspec omit_defaults and a default", MSGSPEC, EVENTS, "    weight: int\n",
     "    weight: int = 0\n", "field 'weight' got a default", {"forward"}),
    ("msgspec array_like reorder", POSITIONAL, EVENTS, "    first: str\n    second: str\n",
     "    second: str\n    first: str\n", "field 'first' moved from position 2 to 3",
     {"forward", "backward"}),
    ("attr.ib(type=) retyped", ATTRS, EVENTS, "refund_id = attr.ib(type=str)",
     "refund_id = attr.ib(type=int)", "field 'refund_id' changed type from 'str' to 'int'",
     {"forward", "backward"}),
    ("attr.ib required field added", ATTRS, EVENTS, "    refund_id = attr.ib(type=str)\n",
     "    refund_id = attr.ib(type=str)\n    reason = attr.ib(type=str)\n",
     "required field 'reason' added", {"backward"}),
    ("Protean assignment style: a required field added", PROTEAN, EVENTS,
     "    total = Float(required=True)\n",
     "    total = Float(required=True)\n    currency = String(required=True)\n",
     "required field 'currency' added", {"backward"}),
    ("Protean annotation style: made required", PROTEAN, EVENTS,
     "    skus = List(content_type=String)\n",
     "    skus = List(content_type=String)\n    customer_id: Identifier(required=True)\n",
     "required field 'customer_id' added", {"backward"}),
    ("Protean: a required field removed", PROTEAN, EVENTS, "    total = Float(required=True)\n", "",
     "required field 'total' removed", {"forward"}),
    ("Protean: a List's content type changed", PROTEAN, EVENTS, "List(content_type=String)",
     "List(content_type=Float)", "field 'skus[]' changed type from 'str' to 'float'",
     {"forward", "backward"}),
    ("Protean: a field added inside a ValueObject", PROTEAN, EVENTS,
     "    currency = String(max_length=3)\n",
     "    currency = String(max_length=3)\n    rate = Float(required=True)\n",
     "required field 'price.rate' added", {"backward"}),
    ("Protean: max_length tightened", PROTEAN, EVENTS, "String(max_length=3)",
     "String(max_length=2)", "field 'price.currency' constraint tightened: max_length 3 -> 2",
     {"backward"}),
    ("NamedTuple reorder", POSITIONAL, EVENTS, "    sku: str\n    quantity: int\n",
     "    quantity: int\n    sku: str\n", "field 'lines[].sku' moved from position 0 to 1",
     {"forward", "backward"}),
]

# (what, project, edits [(file, old, new)]): the wire is the same
HARMLESS = [
    ("Protean: a field moved from annotation to assignment style", PROTEAN, [
        (EVENTS, "    order_id: Identifier(required=True)\n",
         "    order_id = Identifier(required=True)\n")], {}),
    ("attrs: a converter added", ATTRS, [
        (EVENTS, "    refund_id = attr.ib(type=str)\n",
         "    refund_id = attr.ib(type=str, converter=str)\n")], {}),
    ("attrs: a bare annotation in an attr.s class", ATTRS, [
        (EVENTS, '    note: str = "not a field', '    other: int = 1\n    note: str = "not a field')],
     {}),
    ("msgspec: kw_only and an option that leaves the wire alone", MSGSPEC, [
        (EVENTS, "frozen=True, rename", "frozen=True, kw_only=True, rename")], {}),
    ("pydantic: a Field description added", PYDANTIC, [
        (EVENTS, "Field(ge=0)", 'Field(ge=0, description="in cents")')], {}),
    ("value object moved", BASE, [
        (VALUES, "@dataclass(frozen=True)\nclass Address:\n    street: str\n    postcode: str\n", ""),
        (EVENTS, "from shop.shared.values import Address, ",
         "from shop.shared.address import Address\nfrom shop.shared.values import ")],
     {"shop/shared/address.py": "from dataclasses import dataclass\n\n\n@dataclass(frozen=True)\n"
                                "class Address:\n    street: str\n    postcode: str\n"}),
    ("alias replaced by its target", BASE, [(EVENTS, "    sku: Sku\n", "    sku: str\n")], {}),
    ("NewType replaced by its target", BASE, [
        (EVENTS, "    customer_id: CustomerId\n", "    customer_id: UUID\n")], {}),
    ("fields reordered in a keyword format", BASE, [
        (EVENTS, "    channel: Channel\n    priority: Priority\n",
         "    priority: Priority\n    channel: Channel\n")], {}),
    ("enum replaced by a Literal of its values", BASE, [
        (EVENTS, "    channel: Channel\n", "    channel: Literal['store', 'web']\n"),
        (EVENTS, "from uuid import UUID\n", "from typing import Literal\nfrom uuid import UUID\n")],
     {}),
]


def setup(root, monkeypatch, files) -> None:
    monkeypatch.chdir(root)
    for path, text in files.items():
        write_file(root, path, text)
    write_file(root, "shop/__init__.py", "")


def contracts(capsys, *args):
    status = main(["contracts", *args])
    out, err = capsys.readouterr()
    return status, out, err


def edit(root, path, old, new) -> None:
    text = (root / path).read_text()
    assert old in text, old
    (root / path).write_text(text.replace(old, new, 1))


def ddd208(root, path, mode="full"):
    settings = Settings.from_values({"ddd-source-roots": [str(root)],
                                     "ddd-contract-compatibility": mode})
    text = (root / path).read_text()
    return [r.message for r in check_source(text, str(root / path), settings, {"DDD208"},
                                            ProjectModel(settings))]


@pytest.mark.parametrize("what, files, path, old, new, printed, modes", BREAKING,
                         ids=[c[0] for c in BREAKING])
def test_a_wire_change_breaks_in_its_modes(tmp_path, monkeypatch, capsys, what, files, path,
                                           old, new, printed, modes):
    setup(tmp_path, monkeypatch, files)
    assert contracts(capsys, "lock")[0] == 0
    if "to_camel" in new:
        edit(tmp_path, EVENTS, "from pydantic import", "from pydantic.alias_generators import "
                                                       "to_camel\nfrom pydantic import")
    edit(tmp_path, path, old, new)
    for mode in ("forward", "backward", "full"):
        status, out, _ = contracts(capsys, "check", "--compatibility", mode)
        assert status == 1 and printed in out, out
        breaks = mode in modes or (mode == "full" and bool(modes))
        assert ("breaking (" in out) is breaks, (mode, out)
        assert bool(ddd208(tmp_path, EVENTS, mode)) is breaks, mode


@pytest.mark.parametrize("what, files, edits, added", HARMLESS, ids=[c[0] for c in HARMLESS])
def test_a_change_that_leaves_the_wire_alone_is_silent(tmp_path, monkeypatch, capsys, what,
                                                       files, edits, added):
    setup(tmp_path, monkeypatch, files)
    assert contracts(capsys, "lock")[0] == 0
    for path, old, new in edits:
        edit(tmp_path, path, old, new)
    for path, text in added.items():
        write_file(tmp_path, path, text)
    status, out, err = contracts(capsys, "check")
    assert status == 0, out + err
    assert ddd208(tmp_path, EVENTS) == []


def test_an_attribute_renamed_behind_its_alias_breaks_nothing(tmp_path, monkeypatch, capsys):
    setup(tmp_path, monkeypatch, PYDANTIC)
    contracts(capsys, "lock")
    edit(tmp_path, EVENTS, "    invoice_id: UUID", "    invoice: UUID")
    assert contracts(capsys, "check")[0] == 0  # the attribute is not on the wire
    assert ddd208(tmp_path, EVENTS) == []
    assert contracts(capsys, "lock")[0] == 0
    assert '"invoiceId": {"attribute": "invoice", ' in (tmp_path / "ddd-contracts.lock").read_text()


def test_ddd208_points_at_the_field_that_holds_the_nested_change(tmp_path, monkeypatch, capsys):
    setup(tmp_path, monkeypatch, BASE)
    contracts(capsys, "lock")
    edit(tmp_path, VALUES, "    postcode: str\n", "    postcode: int\n")
    found = ddd208(tmp_path, EVENTS)
    assert len(found) == 2  # ship_to, and parcels through Parcel.ship_to
    assert any("field 'ship_to.postcode' changed type from 'str' to 'int'" in m
               and "has 'str'" in m for m in found), found


def test_the_shape_reads_type_statements_constrained_types_typed_dicts_and_library_classes(
        tmp_path, monkeypatch, capsys):
    setup(tmp_path, monkeypatch, {EVENTS: """\
from dataclasses import dataclass

from money import Money
from pydantic import conint, constr
from typing_extensions import NotRequired, TypedDict

type Code = constr(max_length=8)


class Label(TypedDict):
    text: str
    colour: NotRequired[str]


@dataclass(frozen=True)
class Node:
    children: list["Node"]


@dataclass(frozen=True, kw_only=True)
class OrderShipped:
    correlation_id: str
    event_version: int = 1
    code: Code
    count: conint(ge=1)
    label: Label
    price: Money
    tree: Node
"""})
    assert contracts(capsys, "lock")[0] == 0
    import json

    entry = json.loads((tmp_path / "ddd-contracts.lock").read_text())["integration_events"][
        "shop.sales.integration_events.OrderShipped"]["versions"]["1"]
    fields, types = entry["fields"], entry["types"]
    assert fields["code"]["type"] == {"alias": "shop.sales.integration_events.Code",
                                      "constraints": {"max_length": 8}, "name": "str"}
    assert fields["count"]["type"] == {"constraints": {"ge": 1}, "name": "int"}
    assert fields["price"]["type"] == {"name": "money.Money", "unread": True}
    assert types["shop.sales.integration_events.Label"]["fields"]["colour"] == {
        "nullable": False, "omittable": True, "required": False, "type": {"name": "str"}}
    assert types["shop.sales.integration_events.Node"]["fields"]["children"]["type"] == {
        "array": {"ref": "shop.sales.integration_events.Node"}}


def test_a_type_read_on_one_side_only_is_not_a_change():
    from flake8_ddd_events.contracts.structure import compare

    def event(kind):
        return {"fields": {"ship_to": {"nullable": False, "required": True, "type": kind}},
                "types": {"a.Address": {"fields": {}}}}

    unread = {"name": "a.Address", "unread": True}
    assert compare(event({"ref": "a.Address"}), event(unread)) == []
    assert compare(event({"name": "str", "alias": "a.Address"}), event(unread)) == []
    assert compare(event(unread), event({"class": "a.Address", "enum": ["x"]})) == []
    [change] = compare(event({"name": "str"}), event(unread))  # a library class: a change
    assert change.text == "field 'ship_to' changed type from 'str' to 'a.Address'"


COMPATIBLE = [
    ("pydantic: a field given Field(default=...) added", PYDANTIC, EVENTS,
     "    total_cents: int = Field(ge=0)\n",
     "    total_cents: int = Field(ge=0)\n    payer: str = Field(default=\"\", alias=\"payerId\")\n"),
    ("Protean: an optional Identifier added", PROTEAN, EVENTS, "    total = Float(required=True)\n",
     "    total = Float(required=True)\n    customer_id: Identifier()\n"),
    ("Protean: an optional field added inside a ValueObject", PROTEAN, EVENTS,
     "    currency = String(max_length=3)\n",
     "    currency = String(max_length=3)\n    rate = Float()\n"),
    ("attrs: attrs.field(converter=) loses its default (producers always send it)", ATTRS,
     EVENTS, "attrs.field(default=0, converter=int)", "attrs.field(converter=int)"),
    ("attrs: an optional attr.ib added", ATTRS, EVENTS, "    refund_id = attr.ib(type=str)\n",
     "    refund_id = attr.ib(type=str)\n    reason = attr.ib(type=str, default='')\n"),
]


@pytest.mark.parametrize("what, files, path, old, new", COMPATIBLE, ids=[c[0] for c in COMPATIBLE])
def test_a_compatible_change_is_a_difference_not_a_break(tmp_path, monkeypatch, capsys, what,
                                                         files, path, old, new):
    setup(tmp_path, monkeypatch, files)
    assert contracts(capsys, "lock")[0] == 0
    edit(tmp_path, path, old, new)
    status, out, err = contracts(capsys, "check")
    assert status == 1 and "none breaking" in err, out + err
    assert ddd208(tmp_path, EVENTS) == []


def test_protean_published_events_are_locked_as_integration_events(tmp_path, monkeypatch,
                                                                   capsys):
    setup(tmp_path, monkeypatch, PROTEAN)
    status, _, err = contracts(capsys, "lock")
    assert status == 0 and "wrote 1 integration event " in err
    lock = (tmp_path / "ddd-contracts.lock").read_text()
    assert '"shop.sales.integration_events.OrderConfirmed"' in lock
    edit(tmp_path, EVENTS, ", published=True", "")
    status, _, err = contracts(capsys, "lock", "--force")
    assert status == 0 and "wrote 0 integration events" in err


def test_attrs_reads_bare_annotations_only_without_an_unannotated_field_call(
        tmp_path, monkeypatch):
    """``@attrs.frozen`` with one un-annotated ``attr.ib`` takes only the field calls as
    fields (attrs' ``auto_attribs=None`` detection, checked on attrs 26.1); ``@attr.s``
    never takes a bare annotation."""
    from flake8_ddd_events.contracts.project import project_events

    setup(tmp_path, monkeypatch, ATTRS)
    edit(tmp_path, EVENTS, "    amount: int = attrs.field(default=0, converter=int)\n",
         "    amount = attr.ib(type=int, default=0)\n")
    settings = Settings.from_values({"ddd-source-roots": [str(tmp_path)]})
    schemas = project_events([str(tmp_path)], settings).schemas()
    paid = schemas["shop.sales.integration_events.RefundPaid"].shape["fields"]
    assert sorted(paid) == ["amount"]
    issued = schemas["shop.sales.integration_events.RefundIssued"].shape["fields"]
    assert sorted(issued) == ["correlation_id", "event_version", "refund_id"]


@pytest.mark.parametrize("declared, version", [
    ("", 1), ("    __version__ = 2\n", 2), ('    __version__ = "v2"\n', 2)])
def test_a_protean_integration_event_is_locked_at_protean_s_version(tmp_path, monkeypatch, capsys,
                                                                    declared, version):
    """``__version__`` an int (Protean 0.15 and later) or ``"vN"`` (up to 0.14), 1 unless
    declared: the version Protean stamps on the message."""
    import json

    setup(tmp_path, monkeypatch, {EVENTS: PROTEAN_TEXT.replace(
        "class OrderConfirmed:\n", f"class OrderConfirmed:\n{declared}")})
    assert contracts(capsys, "lock")[0] == 0
    lock = json.loads((tmp_path / "ddd-contracts.lock").read_text())
    entry = lock["integration_events"]["shop.sales.integration_events.OrderConfirmed"]
    assert entry["current"] == version
