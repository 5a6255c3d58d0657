"""``ddd-events contracts lock|check|export``: exit codes, the printed differences, moves,
bad locks, and JSON Schemas that validate what the events produce."""

from __future__ import annotations

import dataclasses
import enum
import importlib
import json
import sys
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

import jsonschema
import pytest

from flake8_ddd_events.cli import main

from .conftest import write_file

EVENTS = "shop/sales/integration_events.py"
HEAD = ("from dataclasses import dataclass\nfrom uuid import UUID\n\n\n"
        "@dataclass(frozen=True, kw_only=True)\n")


def shipped(fields: str = "    carrier: str\n", version: int = 1, name: str = "OrderShipped") -> str:
    return (HEAD + f"class {name}:\n    correlation_id: UUID\n    event_version: int = {version}\n"
            + fields)


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_file(tmp_path, EVENTS, shipped())
    return tmp_path


def contracts(capsys, *args: str) -> tuple[int, str, str]:
    status = main(["contracts", *args])
    out, err = capsys.readouterr()
    return status, out, err


def test_lock_then_check_matches(project, capsys):
    status, _, err = contracts(capsys, "lock")
    assert status == 0 and "wrote 1 integration event" in err
    lock = (project / "ddd-contracts.lock").read_text()
    assert '"shop.sales.integration_events.OrderShipped"' in lock
    assert contracts(capsys, "check")[0] == 0
    status, _, err = contracts(capsys, "lock")
    assert status == 0 and "unchanged" in err


def test_check_prints_a_breaking_change_like_a_diff(project, capsys):
    contracts(capsys, "lock")
    write_file(project, EVENTS, shipped("    carrier: int\n"))
    status, out, err = contracts(capsys, "check")
    assert status == 1
    assert "~ shop.sales.integration_events.OrderShipped (version 1): breaking (full compatibility)" in out
    assert "  ! field 'carrier' changed type from 'str' to 'int'" in out
    assert '-       "carrier": {"nullable": false, "required": true, "type": "str"}' in out
    assert '+       "carrier": {"nullable": false, "required": true, "type": "int"}' in out
    assert "1 breaking" in err and "version bump" in err


@pytest.mark.parametrize("change, expected", [
    (shipped("    carrier: str\n    note: str = ''\n"), "compatible (full compatibility), not locked yet"),
    (shipped("    carrier: int\n", version=2), "version 1 -> 2"),
    (shipped() + "\n\n" + HEAD + "class OrderPacked:\n    correlation_id: UUID\n",
     "+ shop.sales.integration_events.OrderPacked (unversioned): new, not in the lock"),
])
def test_check_fails_on_any_difference(project, capsys, change, expected):
    contracts(capsys, "lock")
    write_file(project, EVENTS, change)
    status, out, _ = contracts(capsys, "check")
    assert status == 1 and expected in out
    assert contracts(capsys, "lock")[0] == 0  # nothing breaking at the same version
    assert contracts(capsys, "check")[0] == 0


def test_a_lock_naming_events_that_no_longer_exist(project, capsys):
    contracts(capsys, "lock")
    write_file(project, EVENTS, "VALUE = 1\n")
    status, out, _ = contracts(capsys, "check")
    assert status == 1
    assert ("- shop.sales.integration_events.OrderShipped (version 1): in the lock, no longer in "
            "the code") in out


def test_an_event_moved_to_another_module_is_a_move(project, capsys):
    contracts(capsys, "lock")
    (project / EVENTS).unlink()
    write_file(project, "shop/shipping/integration_events.py", shipped())
    status, out, _ = contracts(capsys, "check")
    assert status == 1
    assert out == ("~ shop.sales.integration_events.OrderShipped moved to "
                   "shop.shipping.integration_events.OrderShipped (same name, version and fields)\n")


def test_a_move_with_a_change_is_a_removal_and_an_addition(project, capsys):
    contracts(capsys, "lock")
    (project / EVENTS).unlink()
    write_file(project, "shop/shipping/integration_events.py", shipped("    carrier: int\n"))
    status, out, _ = contracts(capsys, "check")
    assert status == 1 and "moved" not in out
    assert "- shop.sales.integration_events.OrderShipped" in out
    assert "+ shop.shipping.integration_events.OrderShipped" in out


def test_lock_refuses_a_breaking_change_unless_forced(project, capsys):
    contracts(capsys, "lock")
    before = (project / "ddd-contracts.lock").read_bytes()
    write_file(project, EVENTS, shipped("    carrier: str | None\n"))
    status, out, err = contracts(capsys, "lock")
    assert status == 1 and "not written" in err and "field 'carrier' may now be None" in out
    assert (project / "ddd-contracts.lock").read_bytes() == before
    assert contracts(capsys, "lock", "--compatibility", "backward")[0] == 0  # not a backward break
    assert b'"nullable": true' in (project / "ddd-contracts.lock").read_bytes()


def test_lock_force_writes_over_a_bad_lock(project, capsys):
    lock = write_file(project, "ddd-contracts.lock", "{not json")
    status, _, err = contracts(capsys, "lock", "--force")
    assert status == 0 and "it is written again (--force)" in err
    assert contracts(capsys, "check")[0] == 0
    assert lock.read_text().startswith('{\n  "format": 1,')


def test_lock_force_writes_over_a_breaking_change(project, capsys):
    contracts(capsys, "lock")
    write_file(project, EVENTS, shipped("    carrier: int\n"))
    assert contracts(capsys, "lock", "--force")[0] == 0
    assert contracts(capsys, "check")[0] == 0


@pytest.mark.parametrize("text, reason", [
    ("{not json", "not valid JSON"),
    ('{"format": 99, "events": {}}', "written in format 99 by a newer flake8-ddd-events"),
])
def test_a_bad_lock_exits_2_and_is_not_overwritten(project, capsys, text, reason):
    lock = write_file(project, "ddd-contracts.lock", text)
    for action in ("check", "lock"):
        status, _, err = contracts(capsys, action)
        assert status == 2
        assert f"bad lock ddd-contracts.lock: {reason}" in err and "nothing was overwritten" in err
        assert lock.read_text() == text


def test_check_without_a_lock_says_how_to_write_one(project, capsys):
    status, _, err = contracts(capsys, "check")
    assert status == 2 and "ddd-events contracts lock" in err


def test_an_unreadable_file_stops_lock_and_check(project, capsys):
    write_file(project, "shop/sales/broken.py", "class (:\n")
    status, _, err = contracts(capsys, "lock")
    assert status == 2 and "shop/sales/broken.py:1:7: cannot read this file: invalid syntax" in err
    assert not (project / "ddd-contracts.lock").exists()


def test_the_lock_path_and_mode_come_from_the_configuration(project, capsys):
    write_file(project, "pyproject.toml", '[tool.flake8-ddd-events]\nddd-contracts-lock = '
               '"contracts/events.lock"\nddd-contract-compatibility = "forward"\n')
    assert contracts(capsys, "lock")[0] == 0
    assert (project / "contracts" / "events.lock").exists()
    write_file(project, EVENTS, shipped("    carrier: str\n    parcels: int\n"))  # backward only
    status, out, _ = contracts(capsys, "check")
    assert status == 1 and "compatible (forward compatibility)" in out


def test_a_bad_compatibility_in_the_configuration_names_the_option(project, capsys):
    write_file(project, "setup.cfg", "[flake8]\nddd-contract-compatibility = sideways\n")
    status, _, err = contracts(capsys, "check")
    assert status == 2 and "ddd-contract-compatibility: expected one of forward, backward, full" in err


# -- export ------------------------------------------------------------------------------
EXPORTED = '''\
import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import FrozenSet, Optional
from uuid import UUID, uuid4


class Carrier(enum.Enum):
    DHL = "dhl"
    UPS = "ups"


@dataclass(frozen=True)
class Parcel:
    weight_grams: int
    fragile: bool = False


@dataclass(frozen=True, kw_only=True)
class OrderShipped:
    event_id: UUID = field(default_factory=uuid4)
    correlation_id: UUID
    event_version: int = 2
    occurred_on: datetime
    delivery_on: date
    total: Decimal
    carrier: Carrier
    parcels: tuple[Parcel, ...]
    tags: FrozenSet[str] = frozenset()
    note: Optional[str] = None
    pair: tuple[int, str]
    extra: dict[str, float]
    weird: "SomethingElse" = None
'''


def _wire(value):
    """What a JSON serialiser of the events would send."""
    if dataclasses.is_dataclass(value):
        return {f.name: _wire(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, frozenset):
        return sorted(_wire(v) for v in value)
    if isinstance(value, (tuple, list)):
        return [_wire(v) for v in value]
    if isinstance(value, dict):
        return {k: _wire(v) for k, v in value.items()}
    if isinstance(value, (UUID, Decimal)):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def test_export_writes_json_schemas_that_validate_the_events(project, capsys, monkeypatch):
    write_file(project, "shop/__init__.py", "")
    write_file(project, "shop/sales/__init__.py", "")
    write_file(project, "shop/sales/contracts.py", EXPORTED)
    status, _, err = contracts(capsys, "export", "--format", "jsonschema", "--out", "out")
    # the fixture's OrderShipped and this one (Parcel is a value type, not an event)
    assert status == 0 and "wrote 2 JSON Schemas" in err
    path = project / "out" / "shop.sales.contracts.OrderShipped.v2.schema.json"
    schema = json.loads(path.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$id"] == "urn:ddd-events:shop.sales.contracts.OrderShipped:v2"
    assert schema["properties"]["event_version"]["const"] == 2
    assert schema["properties"]["carrier"] == {"enum": ["dhl", "ups"]}
    assert schema["properties"]["parcels"]["items"] == {"$ref": "#/$defs/shop.sales.contracts.Parcel"}
    assert "cannot map" in schema["properties"]["weird"]["description"]
    assert sorted(schema["required"]) == ["carrier", "correlation_id", "delivery_on", "extra",
                                          "occurred_on", "pair", "parcels", "total"]

    monkeypatch.syspath_prepend(str(project))
    module = importlib.import_module("shop.sales.contracts")
    try:
        event = module.OrderShipped(
            correlation_id=UUID(int=1), occurred_on=datetime(2024, 5, 1, 12), delivery_on=date(2024, 5, 3),
            total=Decimal("12.50"), carrier=module.Carrier.DHL, parcels=(module.Parcel(1200),),
            tags=frozenset({"gift"}), pair=(1, "a"), extra={"x": 1.5})
    finally:
        for name in [n for n in sys.modules if n == "shop" or n.startswith("shop.")]:
            del sys.modules[name]
    validator = jsonschema.Draft202012Validator(schema)
    instance = _wire(event)
    validator.validate(instance)
    validator.validate({**instance, "note": None, "added_later": 1})  # compatible additions
    for required in schema["required"]:
        assert not validator.is_valid({k: v for k, v in instance.items() if k != required}), required
    for wrong in ({"carrier": "fedex"}, {"total": "12,50"}, {"event_version": 1},
                  {"pair": [1, "a", 2]}, {"parcels": [{"fragile": True}]}, {"note": 3}):
        assert not validator.is_valid({**instance, **wrong}), wrong
    # the same code exports the same bytes
    first = path.read_bytes()
    contracts(capsys, "export", "--out", "out")
    assert path.read_bytes() == first
