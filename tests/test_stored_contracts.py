"""``ddd-events contracts lock|check`` on stored events: locked beside the integration
events, every version kept, a change history cannot be read through refused and reported,
a stored event gone from the code reported."""

from __future__ import annotations

import json

from flake8_ddd_events.cli import main

from .conftest import write_file
from .test_stored_rule import ES_FILE, es


def contracts(capsys, *args: str) -> tuple[int, str, str]:
    status = main(["contracts", *args])
    out, err = capsys.readouterr()
    return status, out, err


def test_lock_keeps_every_stored_version_with_framework_and_topic(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    write_file(tmp_path, ES_FILE, es())
    status, _, err = contracts(capsys, "lock")
    assert status == 0 and "3 stored events" in err
    write_file(tmp_path, ES_FILE, es("        class_version = 2\n        difficulty: int\n\n"
                                     "        @staticmethod\n        def upcast_v1_v2(state):\n"
                                     "            state['difficulty'] = 1\n"))
    assert contracts(capsys, "lock")[0] == 0
    entry = json.loads((tmp_path / "ddd-contracts.lock").read_text())["stored_events"][
        "pets.domain.Dog.TrickAdded"]
    assert entry["framework"] == "eventsourcing"
    assert entry["topic"] == "pets.domain:Dog.TrickAdded"
    assert entry["current"] == 2 and sorted(entry["versions"]) == ["1", "2"]
    assert contracts(capsys, "check")[0] == 0


def test_check_reports_an_unreadable_change_and_lock_refuses_it(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    write_file(tmp_path, ES_FILE, es())
    contracts(capsys, "lock")
    write_file(tmp_path, ES_FILE, es("        difficulty: int\n"))
    status, out, err = contracts(capsys, "check")
    assert status == 1
    assert "! pets.domain.Dog.TrickAdded (stored, version 1): history cannot be read" in out
    assert "add 'class_version = 2' and a static 'upcast_v1_v2(state)' that sets " \
           "'difficulty'" in out
    assert "stored history can no longer be read" in err
    status, _, err = contracts(capsys, "lock")
    assert status == 1 and "not written" in err
    assert contracts(capsys, "lock", "--force")[0] == 0


def test_check_reports_a_stored_event_gone_from_the_code(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    write_file(tmp_path, ES_FILE, es())
    contracts(capsys, "lock")
    write_file(tmp_path, ES_FILE, es().replace(
        "    class TrickAdded(Aggregate.Event):\n        trick: str\n", ""))
    status, out, _ = contracts(capsys, "check")
    assert status == 1
    assert ("- pets.domain.Dog.TrickAdded (stored, version 1): in the lock, no longer in the "
            "code; history holding it can no longer be read") in out


def test_a_readable_change_is_a_difference_to_lock_not_a_break(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    write_file(tmp_path, ES_FILE, es())
    contracts(capsys, "lock")
    write_file(tmp_path, ES_FILE, es("        difficulty: int = 1\n"))
    status, out, err = contracts(capsys, "check")
    assert status == 1
    assert "~ pets.domain.Dog.TrickAdded (stored, version 1): readable from its stored " \
           "history, not locked yet" in out
    assert "none breaking" in err
    assert contracts(capsys, "lock")[0] == 0 and contracts(capsys, "check")[0] == 0
