"""The contract of integration events: the schema read from the code, DDD208 in every
compatibility mode, the lock's stability and its errors."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flake8_ddd_events.lint.pipeline import check_source
from flake8_ddd_events.contracts.compare import FORWARD, BACKWARD, FULL, legacy_changes
from flake8_ddd_events.contracts.lock import (FORMAT, LockError, LockRead, dump_lock, dumps, lock_read_by,
                                              loads, read_lock)
from flake8_ddd_events.contracts.project import project_events, source_events
from flake8_ddd_events.contracts.schema import FieldSchema
from flake8_ddd_events.analysis.metadata import schema_version
from flake8_ddd_events.model.project_model import ProjectModel
from flake8_ddd_events.config.settings import Settings

from ..conftest import write_file

EVENTS = "shop/sales/integration_events.py"

TEMPLATE = """\
from dataclasses import dataclass
from typing import List, Optional
from uuid import UUID


@dataclass(frozen=True, kw_only=True)
class OrderShipped:
    correlation_id: UUID
    event_version: int = {version}
{fields}"""
CLASS_LINE = 7
FIELD_LINE = 10  # the first line of {fields}


def source(fields: str, version: int = 1) -> str:
    return TEMPLATE.format(fields=fields, version=version)


def settings_for(root: Path, mode: str = FULL, **values) -> Settings:
    return Settings.from_values({"ddd-source-roots": [str(root)], "ddd-contract-compatibility": mode,
                                 "ddd-contracts-lock": str(root / "ddd-contracts.lock"), **values})


def lock_source(root: Path, text: str, filename: str = EVENTS) -> None:
    settings = settings_for(root)
    events = source_events(text, str(root / filename), settings)
    (root / "ddd-contracts.lock").write_text(dumps(events.schemas().values()), encoding="utf-8")


def ddd208(root: Path, text: str, mode: str = FULL, filename: str = EVENTS) -> list[tuple[int, str]]:
    settings = settings_for(root, mode)
    reports = check_source(text, str(root / filename), settings, {"DDD208"}, ProjectModel(settings))
    return [(r.line, r.message) for r in reports]


# (what, old fields, new fields, old version, new version, lines reported per mode)
F, C = FIELD_LINE, CLASS_LINE
CHANGES = [
    ("required field removed", "    carrier: str\n", "", 1, 1,
     {FORWARD: {C}, BACKWARD: set(), FULL: {C}}),
    ("optional field removed", "    note: str = ''\n", "", 1, 1,
     {FORWARD: set(), BACKWARD: set(), FULL: set()}),
    ("required field added", "", "    carrier: str\n", 1, 1,
     {FORWARD: set(), BACKWARD: {F}, FULL: {F}}),
    ("optional field added", "", "    note: str = ''\n", 1, 1,
     {FORWARD: set(), BACKWARD: set(), FULL: set()}),
    ("type changed", "    carrier: str\n", "    carrier: int\n", 1, 1,
     {FORWARD: {F}, BACKWARD: {F}, FULL: {F}}),
    ("made nullable", "    carrier: str\n", "    carrier: Optional[str]\n", 1, 1,
     {FORWARD: {F}, BACKWARD: set(), FULL: {F}}),
    ("made non-nullable", "    carrier: str | None\n", "    carrier: str\n", 1, 1,
     {FORWARD: set(), BACKWARD: {F}, FULL: {F}}),
    ("same type written another way", "    skus: Optional[List[str]]\n",
     "    skus: list[str] | None\n", 1, 1, {FORWARD: set(), BACKWARD: set(), FULL: set()}),
    ("default added", "    carrier: str\n", "    carrier: str = 'dhl'\n", 1, 1,
     {FORWARD: set(), BACKWARD: set(), FULL: set()}),
    ("default removed", "    carrier: str = 'dhl'\n", "    carrier: str\n", 1, 1,
     {FORWARD: set(), BACKWARD: set(), FULL: set()}),
    ("field renamed", "    carrier: str\n", "    shipper: str\n", 1, 1,
     {FORWARD: {C}, BACKWARD: {F}, FULL: {C, F}}),
    ("type changed with the version bumped", "    carrier: str\n", "    carrier: int\n", 1, 2,
     {FORWARD: set(), BACKWARD: set(), FULL: set()}),
    ("field removed with the version bumped", "    carrier: str\n", "", 1, 2,
     {FORWARD: set(), BACKWARD: set(), FULL: set()}),
]


@pytest.mark.parametrize("mode", [FORWARD, BACKWARD, FULL])
@pytest.mark.parametrize("what, old, new, old_version, new_version, expected",
                         CHANGES, ids=[c[0] for c in CHANGES])
def test_every_kind_of_change_in_each_mode(tmp_path, mode, what, old, new, old_version,
                                           new_version, expected):
    lock_source(tmp_path, source(old, old_version))
    found = ddd208(tmp_path, source(new, new_version), mode)
    assert {line for line, _ in found} == expected[mode], found
    assert all("OrderShipped" in message and "bump the version" in message
               for _, message in found)


def test_message_says_what_changed_what_the_lock_has_and_the_ways_out(tmp_path):
    lock_source(tmp_path, source("    carrier: str\n"))
    [(line, message)] = ddd208(tmp_path, source("    carrier: int\n"))
    assert line == FIELD_LINE
    assert "field 'carrier' changed type from 'str' to 'int'" in message
    assert "has 'carrier: str (required)'" in message
    assert "at version 1" in message
    assert "event_version = 2" in message and "add a field of the new type" in message


def test_message_names_the_lock_relative_to_the_current_folder(tmp_path, monkeypatch):
    """The lock is looked for from the current folder up; the finding names it as flake8 names
    files, relative, never with the absolute path of the machine that ran it."""
    lock_source(tmp_path, source("    carrier: str\n"))
    (tmp_path / "shop").mkdir(exist_ok=True)
    monkeypatch.chdir(tmp_path / "shop")
    settings = Settings.from_values({"ddd-source-roots": [str(tmp_path)]})  # the default lock name
    reports = check_source(source("    carrier: int\n"), str(tmp_path / EVENTS), settings, {"DDD208"},
                           ProjectModel(settings))
    [message] = [r.message for r in reports]
    assert f"({os.path.join('..', 'ddd-contracts.lock')} has 'carrier: str (required)')" in message
    assert str(tmp_path) not in message


def test_an_event_versioned_by_its_name_is_told_its_next_name(tmp_path):
    """OrderShippedV1's version is in its name: the way out is OrderShippedV2, not a field."""
    def named(fields: str) -> str:
        return source(fields).replace("OrderShipped", "OrderShippedV1").replace(
            "    event_version: int = 1\n", "")

    lock_source(tmp_path, named("    carrier: str\n"))
    [(_, message)] = ddd208(tmp_path, named("    carrier: int\n"))
    assert "publish the change as a new event 'OrderShippedV2' beside 'OrderShippedV1'" in message
    assert "version (" not in message and "= 2" not in message


def test_silent_without_a_lock_and_for_an_event_the_lock_does_not_name(tmp_path):
    assert ddd208(tmp_path, source("    carrier: int\n")) == []
    lock_source(tmp_path, source("    carrier: str\n").replace("OrderShipped", "OrderPacked"))
    assert ddd208(tmp_path, source("    carrier: int\n")) == []


def test_a_lock_that_cannot_be_read_is_reported_once_not_raised(tmp_path):
    (tmp_path / "ddd-contracts.lock").write_text("{not json")
    [(line, message)] = ddd208(tmp_path, source("    carrier: int\n"))
    assert line == CLASS_LINE
    assert "cannot be read" in message and "not valid JSON" in message
    assert "ddd-events contracts lock" in message


def test_the_lock_is_read_one_way_for_the_rules_and_the_fixer(tmp_path):
    """``lock_read_by``: none, a folder, a file that is no lock, a lock; what it read is
    read through the model (the result cache keys on it)."""
    model = ProjectModel(Settings.from_values({"ddd-source-roots": [str(tmp_path)]}))
    path = str(tmp_path / "ddd-contracts.lock")
    assert lock_read_by(model, path) == LockRead(None, None, None)
    os.mkdir(path)
    assert lock_read_by(model, path) == LockRead(path, None, "a folder, not a file")
    assert lock_read_by(model, path).problem("shown") == "shown: a folder, not a file"
    os.rmdir(path)
    Path(path).write_text("[]", encoding="utf-8")
    found = lock_read_by(model, path)
    assert found.lock is None and found.problem() == f"{path}: not a contract lock: its first key must be \"format\""
    Path(path).write_text(dumps([]), encoding="utf-8")
    assert lock_read_by(model, path) == LockRead(path, loads(dumps([]), path), None)


def test_inherited_fields_from_a_base_in_another_module(tmp_path):
    base = tmp_path / "shop" / "kernel" / "base.py"
    base.parent.mkdir(parents=True)
    base.write_text("from dataclasses import dataclass\nfrom decimal import Decimal\n"
                    "from uuid import UUID\n\n\n@dataclass(frozen=True, kw_only=True)\n"
                    "class IntegrationEvent:\n    correlation_id: UUID\n    event_version: int = 1\n"
                    "    amount: Decimal\n")
    events = tmp_path / EVENTS
    events.parent.mkdir(parents=True)
    events.write_text("from dataclasses import dataclass\n\nfrom shop.kernel.base import "
                      "IntegrationEvent\n\n\n@dataclass(frozen=True, kw_only=True)\n"
                      "class OrderShipped(IntegrationEvent):\n    carrier: str\n")
    settings = settings_for(tmp_path)
    found = project_events([str(tmp_path)], settings)
    [(name, schema)] = found.schemas().items()
    assert name == "shop.sales.integration_events.OrderShipped"
    assert schema.version == 1
    assert {n: f.type for n, f in schema.fields.items()} == {
        "amount": "decimal.Decimal", "carrier": "str", "correlation_id": "uuid.UUID",
        "event_version": "int"}
    (tmp_path / "ddd-contracts.lock").write_text(dumps(found.schemas().values()))
    base.write_text(base.read_text().replace("amount: Decimal", "amount: float"))
    [(line, message)] = ddd208(tmp_path, events.read_text())
    assert line == 7  # the event's class line: the field is declared in the base
    assert "field 'amount' changed type from 'decimal.Decimal' to 'float'" in message
    assert "in base 'IntegrationEvent'" in message


def test_schema_reads_every_style_and_normalises_types(tmp_path):
    text = """\
import typing
from typing import Annotated, ClassVar, Literal, Optional, Union
from uuid import UUID

import attr
from pydantic import BaseModel, Field


class OrderShipped(BaseModel):
    correlation_id: UUID
    schema_version: ClassVar[int] = 3
    a: typing.List[typing.Dict[str, int]]
    b: "Optional[UUID]" = None
    c: Union[None, int, str]
    d: Annotated[str, "meta"] = Field(...)
    e: Literal["b", "a"] = Field(default="a")
    _private: int = 0


@attr.s(frozen=True)
class OrderPacked:
    correlation_id = attr.ib(type=UUID)
    note = attr.ib(default="")
"""
    found = source_events(text, str(tmp_path / "shop/sales/contracts.py"), settings_for(tmp_path))
    schemas = found.schemas()
    shipped = schemas["shop.sales.contracts.OrderShipped"]
    assert shipped.version == 3
    assert {n: (f.type, f.required, f.nullable) for n, f in shipped.fields.items()} == {
        "a": ("list[dict[str, int]]", True, False),
        "b": ("uuid.UUID", False, True),
        "c": ("int | str", True, True),
        "correlation_id": ("uuid.UUID", True, False),
        "d": ("str", True, False),
        "e": ("typing.Literal['a', 'b']", False, False),
    }
    packed = schemas["shop.sales.contracts.OrderPacked"]
    assert {n: (f.type, f.required) for n, f in packed.fields.items()} == {
        "correlation_id": ("uuid.UUID", True), "note": ("typing.Any", False)}


@pytest.mark.parametrize("declaration, filename, expected", [
    ("class OrderShipped(IntegrationEvent):\n    event_version: int = 4\n", EVENTS, 4),
    ("class OrderShipped(IntegrationEvent):\n    schema_version = '2.1'\n", EVENTS, "2.1"),
    ("class OrderShipped(IntegrationEvent):\n    event_version: int = field(default=5)\n",
     EVENTS, 5),
    ("class OrderShippedV2(IntegrationEvent):\n    carrier: str\n", EVENTS, 2),
    ("class OrderShipped(IntegrationEvent):\n    carrier: str\n",
     "shop/sales/contracts/v3/events.py", 3),
    ("class OrderShipped(IntegrationEvent):\n    carrier: str\n", EVENTS, None),
])
def test_schema_version_as_ddd203_sees_it(tmp_path, declaration, filename, expected):
    text = ("from dataclasses import dataclass, field\n\n\nclass IntegrationEvent:\n"
            "    correlation_id: str\n\n\n@dataclass(frozen=True)\n" + declaration)
    found = source_events(text, str(tmp_path / filename), settings_for(tmp_path))
    [view] = [v for n, v in found.views.items() if "OrderShipped" in n]
    version = schema_version(view, settings_for(tmp_path))
    assert (version.value if version else None) == expected


# -- the lock file ---------------------------------------------------------------------
def test_lock_round_trips_and_starts_with_its_format(tmp_path):
    text = source("    carrier: str | None = None\n    skus: tuple[str, ...]\n")
    schemas = source_events(text, str(tmp_path / EVENTS), settings_for(tmp_path)).schemas()
    written = dumps(schemas.values())
    assert written.startswith('{\n  "format": 2,\n  "integration_events": {\n')
    assert ('            "carrier": {"nullable": true, "required": false, "type": {"name": "str"}},'
            '\n') in written
    read = loads(written, "x").events
    assert {n: h.latest.shape for n, h in read.items()} == {
        n: s.shape for n, s in schemas.items()}
    assert dump_lock(loads(written, "x")) == written
    assert dumps([]) == '{\n  "format": 2,\n  "integration_events": {}\n}\n'


@pytest.mark.parametrize("text, reason", [
    ("{not json", "not valid JSON (Expecting property name enclosed in double quotes, line 1"),
    ('{"format": 2, "integration_events": {"a": "b', "(Unterminated string starting, line 1"),
    ("[]", 'first key must be "format"'),
    ('{"events": {}, "format": 1}', 'first key must be "format"'),
    ('{"format": "one", "events": {}}', "is not a format version"),
    (f'{{"format": {FORMAT + 1}, "events": {{}}}}', "newer flake8-ddd-events"),
    ('{"format": 1, "events": []}', '"events" must be an object'),
    ('{"format": 1, "events": {"a.B": {"version": true, "fields": {}}}}', "version must be"),
    ('{"format": 1, "events": {"a.B": {"version": 1, "fields": {"x": {"type": 1}}}}}',
     "field 'x': needs"),
    ('{"format": 1, "events": {"a.B": {"version": 1, "fields": {}}, "a.B": {"version": 2, '
     '"fields": {}}}}', "\"events\" has 'a.B' twice"),
    ('{\n  "format": 2,\n<<<<<<< HEAD\n  "integration_events": {}\n=======\n>>>>>>> main\n}',
     "an unresolved merge conflict (a conflict marker at line 3)"),
    ('{"format": 2, "integration_events": {"a.B": {"current": 2, "versions": {"1": {"fields": '
     '{}}}}}}', '"current" names version 2'),
    ('{"format": 2, "integration_events": {"a.B": {"current": 1, "versions": {"x": {}}}}}',
     "version 'x' is not a number"),
])
def test_a_bad_lock_is_named_with_its_reason(tmp_path, text, reason):
    path = tmp_path / "ddd-contracts.lock"
    path.write_bytes(text.encode())
    with pytest.raises(LockError) as error:
        read_lock(str(path))
    assert str(error.value).startswith(f"{path}: ") and reason in str(error.value)
    assert "at at" not in str(error.value)


def test_read_lock_sees_a_rewrite_of_the_same_size_at_once(tmp_path):
    path = tmp_path / "ddd-contracts.lock"
    assert read_lock(str(path)) is None
    one = dumps([_event("a.B", 1)])
    path.write_text(one)
    assert read_lock(str(path)).events["a.B"].current == 1
    path.write_text(one.replace('"current": 1', '"current": 2').replace('"1": {', '"2": {'))
    assert read_lock(str(path)).events["a.B"].current == 2


def _event(name, version):
    from flake8_ddd_events.contracts.schema import EventSchema

    return EventSchema(name, version, {"x": FieldSchema("x", "str", True, False)},
                       {"fields": {"x": {"nullable": False, "required": True,
                                         "type": {"name": "str"}}}})


def test_format_1_changes_are_listed_by_field():
    old = {"a": FieldSchema("a", "str", True, False), "b": FieldSchema("b", "int", True, False)}
    new = {"a": FieldSchema("a", "int", False, True), "c": FieldSchema("c", "int", False, False)}
    found = legacy_changes(old, new)
    assert [(c.field, c.kind) for c in found] == [
        ("a", "retyped"), ("a", "made nullable"), ("a", "made optional"), ("b", "removed"),
        ("c", "added")]
    assert not found[-1].breaks(FULL)  # optional: a reader fills it in


PROJECT = {
    "shop/__init__.py": "",
    "shop/kernel/base.py": "from dataclasses import dataclass\nfrom uuid import UUID\n\n\n"
                           "@dataclass(frozen=True, kw_only=True)\nclass IntegrationEvent:\n"
                           "    correlation_id: UUID\n    event_version: int = 1\n",
    EVENTS: "from dataclasses import dataclass\nfrom datetime import datetime\nfrom typing import "
            "FrozenSet, Optional\n\nfrom shop.kernel.base import IntegrationEvent\n\n\n"
            + "".join(f"@dataclass(frozen=True, kw_only=True)\nclass Event{i}Happened"
                      f"(IntegrationEvent):\n    at: datetime\n    tags: FrozenSet[str]\n"
                      f"    note: Optional[str] = None\n    n{i}: int\n\n\n" for i in range(12)),
    "shop/billing/contracts.py": "from dataclasses import dataclass\n\n"
                                 "from shop.shared.values import Address, Channel, Sku\n\n\n"
                                 "@dataclass(frozen=True)\n"
                                 "class InvoicePaid:\n    correlation_id: str\n    amount: int\n"
                                 "    bill_to: Address\n    channel: Channel\n"
                                 "    skus: frozenset[Sku]\n",
    "shop/shared/values.py": "from dataclasses import dataclass\nfrom enum import Enum, auto\n"
                             "from typing import Literal, Optional\n\nSku = str\n\n\n"
                             "class Channel(Enum):\n    WEB = auto()\n    STORE = auto()\n\n\n"
                             "@dataclass(frozen=True)\nclass Address:\n    lines: list[str]\n"
                             "    kind: Literal['home', 'work', 'other']\n"
                             "    previous: Optional['Address'] = None\n",
    "tests/test_events.py": "from dataclasses import dataclass\n\n\n@dataclass(frozen=True)\n"
                            "class FakeHappened:\n    correlation_id: str\n",
}


def write_project(root: Path) -> None:
    for relative, text in PROJECT.items():
        write_file(root, relative, text)


@pytest.mark.slow  # processes with several hash seeds
def test_lock_is_the_same_bytes_across_runs_folders_and_hash_seeds(tmp_path):
    outputs = []
    for folder, seed in (("one", "1"), ("two", "2"), ("one", "3")):
        root = tmp_path / folder
        if not root.exists():
            write_project(root)
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run([sys.executable, "-m", "flake8_ddd_events.cli", "contracts", "lock"],
                             cwd=root, env=env, capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr
        outputs.append((root / "ddd-contracts.lock").read_bytes())
    assert outputs[0] == outputs[1] == outputs[2]
    text = outputs[0].decode()
    assert "shop.billing.contracts.InvoicePaid" in text and "Event11Happened" in text
    assert "FakeHappened" not in text  # test modules are left out
    assert str(tmp_path) not in text
    assert '"shop.shared.values.Address": {' in text and '"enum": [1, 2]' in text


def test_a_copied_project_keeps_its_lock(tmp_path):
    write_project(tmp_path / "a")
    settings = Settings.from_values({"ddd-source-roots": ["."]})
    cwd = os.getcwd()
    try:
        os.chdir(tmp_path / "a")
        first = dumps(project_events(["."], settings).schemas().values())
        shutil.copytree(tmp_path / "a", tmp_path / "b")
        os.chdir(tmp_path / "b")
        second = dumps(project_events(["."], settings).schemas().values())
    finally:
        os.chdir(cwd)
    assert first == second


def test_a_lock_with_many_versions_is_written_the_same_whatever_their_order():
    from flake8_ddd_events.contracts.compare import History
    from flake8_ddd_events.contracts.lock import Lock

    versions = {v: _event("a.B", v) for v in (10, "1", 2, None)}
    texts = set()
    for order in (list(versions), list(reversed(versions))):
        history = History("a.B", 10, {v: versions[v] for v in order})
        texts.add(dump_lock(Lock({"a.B": history})))
    [text] = texts
    keys = [line.strip().split(":")[0] for line in text.splitlines()
            if line.startswith("        \"") and line.rstrip().endswith("{")]
    assert keys == ['"2"', '"10"', '"\\"1\\""', '"null"']
    assert dump_lock(loads(text, "x")) == text
    assert set(loads(text, "x").events["a.B"].versions) == {10, "1", 2, None}
