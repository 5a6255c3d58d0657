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

from ..conftest import write_file

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
    assert '-       "carrier": {"nullable": false, "required": true, "type": {"name": "str"}}' in out
    assert '+       "carrier": {"nullable": false, "required": true, "type": {"name": "int"}}' in out
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
                   "shop.shipping.integration_events.OrderShipped (same version and wire shape)\n")


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
    assert lock.read_text().startswith('{\n  "format": 2,')


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
    assert "cannot read" in schema["properties"]["weird"]["description"]
    # producers write every field, defaults and default factories included
    assert sorted(schema["required"]) == sorted(schema["properties"])

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


# -- history: every locked version kept ------------------------------------------------
def locked(project) -> dict:
    return json.loads((project / "ddd-contracts.lock").read_text())


def ddd208(project, path=EVENTS, **values):
    from flake8_ddd_events.lint.pipeline import check_source
    from flake8_ddd_events.model.project_model import ProjectModel
    from flake8_ddd_events.config.settings import Settings

    settings = Settings.from_values({"ddd-source-roots": [str(project)], **values})
    text = (project / path).read_text()
    reports = check_source(text, str(project / path), settings, {"DDD208"},
                           ProjectModel(settings))
    return [(r.line, r.message) for r in reports]


def test_lock_keeps_every_version_and_prune_drops_the_older_ones(project, capsys):
    contracts(capsys, "lock")
    write_file(project, EVENTS, shipped("    carrier: int\n", version=2))
    assert contracts(capsys, "lock")[0] == 0
    entry = locked(project)["integration_events"]["shop.sales.integration_events.OrderShipped"]
    assert entry["current"] == 2 and sorted(entry["versions"]) == ["1", "2"]
    assert entry["versions"]["1"]["fields"]["carrier"]["type"] == {"name": "str"}
    assert entry["versions"]["2"]["fields"]["carrier"]["type"] == {"name": "int"}
    assert contracts(capsys, "lock", "--prune")[0] == 0
    entry = locked(project)["integration_events"]["shop.sales.integration_events.OrderShipped"]
    assert sorted(entry["versions"]) == ["2"]


@pytest.mark.parametrize("code, printed", [
    (shipped("    carrier: int\n", version=1), "its version went down from 2 to 1"),
    (shipped("    carrier: int\n", version=2).replace("int = 2", "str = '2'"),
     "its version changed type from int 2 to str '2'"),
    (shipped("    carrier: int\n", version=2).replace("int = 2", "int"),
     "its version was taken away (locked at 2)"),
])
def test_a_version_that_goes_down_changes_type_or_goes_away_breaks(project, capsys, code, printed):
    contracts(capsys, "lock")
    write_file(project, EVENTS, shipped("    carrier: int\n", version=2))
    contracts(capsys, "lock")
    before = (project / "ddd-contracts.lock").read_bytes()
    write_file(project, EVENTS, code)
    status, out, err = contracts(capsys, "check")
    assert status == 1 and printed in out and "1 breaking" in err, out
    [(line, message)] = ddd208(project)
    assert printed in message and "keep version 2" in message
    assert line == 8  # the version field
    status, out, err = contracts(capsys, "lock")
    assert status == 1 and "not written" in err
    assert (project / "ddd-contracts.lock").read_bytes() == before


def test_a_reused_old_version_is_compared_with_what_was_locked_for_it(project, capsys):
    contracts(capsys, "lock")
    write_file(project, EVENTS, shipped("    carrier: int\n", version=2))
    contracts(capsys, "lock")
    write_file(project, EVENTS, shipped("    carrier: int\n", version=1))
    status, out, _ = contracts(capsys, "check")
    assert "field 'carrier' changed type from 'str' to 'int'" in out  # v1 as locked


def test_lock_paths_replaces_only_the_events_under_them(project, capsys):
    write_file(project, "shop/billing/integration_events.py", shipped(name="InvoicePaid"))
    assert contracts(capsys, "lock")[0] == 0
    write_file(project, EVENTS, shipped("    carrier: str\n    note: str = ''\n"))
    write_file(project, "shop/billing/integration_events.py",
               shipped("    carrier: str\n    note: str = ''\n", name="InvoicePaid"))
    status, _, err = contracts(capsys, "lock", "shop/sales")
    assert status == 0 and "wrote 1 integration event (and kept 1 under other paths)" in err
    events = locked(project)["integration_events"]
    assert sorted(events) == ["shop.billing.integration_events.InvoicePaid",
                              "shop.sales.integration_events.OrderShipped"]
    assert "note" in events["shop.sales.integration_events.OrderShipped"]["versions"]["1"]["fields"]
    assert "note" not in events["shop.billing.integration_events.InvoicePaid"]["versions"]["1"][
        "fields"]
    status, out, _ = contracts(capsys, "check", "shop/sales")
    assert status == 0


def test_an_event_gone_while_another_appears_is_refused_unless_the_same_shape(project, capsys):
    contracts(capsys, "lock")
    write_file(project, EVENTS, shipped("    carrier: int\n", name="OrderDispatched"))
    status, out, err = contracts(capsys, "lock")
    assert status == 1 and "not written" in err
    assert "- shop.sales.integration_events.OrderShipped (version 1)" in out
    write_file(project, EVENTS, shipped(name="OrderDispatched"))  # renamed, same wire shape
    status, out, _ = contracts(capsys, "check")
    assert ("~ shop.sales.integration_events.OrderShipped moved to "
            "shop.sales.integration_events.OrderDispatched") in out
    assert contracts(capsys, "lock")[0] == 0
    entry = locked(project)["integration_events"]
    assert list(entry) == ["shop.sales.integration_events.OrderDispatched"]


def test_a_format_1_lock_is_checked_as_far_as_it_goes_and_upgraded_by_lock(project, capsys):
    lock = write_file(project, "ddd-contracts.lock", (
        '{\n  "format": 1,\n  "events": {\n    "shop.sales.integration_events.OrderShipped": {\n'
        '      "version": 1,\n      "fields": {\n'
        '        "carrier": {"nullable": false, "required": true, "type": "str"},\n'
        '        "correlation_id": {"nullable": false, "required": true, "type": "uuid.UUID"},\n'
        '        "event_version": {"nullable": false, "required": false, "type": "int"}\n'
        '      }\n    }\n  }\n}\n'))
    status, out, err = contracts(capsys, "check")
    assert status == 0 and err.count("'ddd-events contracts lock' upgrades it") == 1
    write_file(project, EVENTS, shipped("    carrier: int\n"))
    status, out, _ = contracts(capsys, "check")
    assert status == 1 and "field 'carrier' changed type from 'str' to 'int'" in out
    assert ddd208(project)
    write_file(project, EVENTS, shipped("    carrier: int\n", version=2))
    status, _, err = contracts(capsys, "lock")
    assert status == 0 and "upgraded to format 2" in err
    entry = json.loads(lock.read_text())["integration_events"][
        "shop.sales.integration_events.OrderShipped"]
    assert entry["versions"]["1"]["format"] == 1  # the old version kept as it was locked
    assert entry["versions"]["2"]["fields"]["carrier"]["type"] == {"name": "int"}
    assert contracts(capsys, "check")[0] == 0


def test_the_lock_is_found_above_the_current_folder(project, capsys, monkeypatch):
    contracts(capsys, "lock")
    write_file(project, EVENTS, shipped("    carrier: int\n"))
    monkeypatch.chdir(project / "shop")
    assert [m for _, m in ddd208(project)]  # flake8 run from a subfolder still sees it


def test_a_folder_in_place_of_the_lock_is_an_error_everywhere(project, capsys):
    (project / "ddd-contracts.lock").mkdir()
    [(_, message)] = ddd208(project)
    assert "ddd-contracts.lock: a folder, not a file" in message
    status, _, err = contracts(capsys, "check")
    assert status == 2 and "a folder, not a file" in err
    status, _, err = contracts(capsys, "lock")
    assert status == 2 and "nothing was overwritten" in err
    assert (project / "ddd-contracts.lock").is_dir()


def test_a_merge_conflict_in_the_lock_is_named_with_its_line(project, capsys):
    contracts(capsys, "lock")
    lock = project / "ddd-contracts.lock"
    lines = lock.read_text().splitlines(keepends=True)
    text = "".join(lines[:3] + ["<<<<<<< HEAD\n"] + lines[3:5] + ["=======\n", ">>>>>>> main\n"]
                   + lines[5:])
    lock.write_text(text)
    status, _, err = contracts(capsys, "check")
    assert status == 2 and "an unresolved merge conflict (a conflict marker at line 4)" in err
    [(_, message)] = ddd208(project)
    assert "merge conflict" in message and "contracts lock --force" in message
    assert contracts(capsys, "lock")[0] == 2 and lock.read_text() == text


def test_the_summary_says_a_bump_is_needed_only_when_something_breaks(project, capsys):
    contracts(capsys, "lock")
    write_file(project, EVENTS, shipped("    carrier: str\n    note: str = ''\n"))
    status, _, err = contracts(capsys, "check")
    assert status == 1 and "none breaking" in err and "version bump" not in err
    # nothing to do first, so no dangling "Then": the one step, said as one
    assert err.splitlines()[-1].endswith(
        "difference(s) between the code and the lock, none breaking: write the lock with "
        "'ddd-events contracts lock' and commit it.")
    assert "Then" not in err
