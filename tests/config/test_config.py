"""pyproject.toml's [tool.flake8-ddd-events] table: read by the plugin and the CLI, with a
documented precedence (command line > [flake8] > pyproject > defaults)."""

from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from flake8_ddd_events.config.sources import (ConfigError, find_flake8_config, find_pyproject,
                                              flake8_values, load_settings, merge, pyproject_values)
from flake8_ddd_events.config.settings import Settings, SettingsError

# An event whose event-ness comes only from a base named `Fact` (not a default base name,
# and `order` is not an event module): silent by default, reported once `Fact` is configured.
ORDER = textwrap.dedent("""\
    from dataclasses import dataclass


    class Fact:
        pass


    @dataclass
    class OrderPlaced(Fact):
        order_id: str
""")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    module = tmp_path / "shop" / "sales" / "domain" / "order.py"
    module.parent.mkdir(parents=True)
    module.write_text(ORDER)
    return tmp_path


def flake8(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """flake8 run in this process as a user runs it in ``cwd`` (the ``plugin_state`` fixture
    restores the plugin's class-level settings after the test)."""
    from flake8.main.cli import main as flake8_main

    argv = ["--select", "DDD", *args, "."]
    out, err = (io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True) for _ in "oe")
    saved = os.getcwd(), sys.argv
    os.chdir(cwd)
    sys.argv = ["flake8", *argv]
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = flake8_main(["--jobs", "1", *argv])
    finally:
        os.chdir(saved[0])
        sys.argv = saved[1]
    return subprocess.CompletedProcess(argv, status, out.buffer.getvalue().decode(),
                                       err.buffer.getvalue().decode())


def codes(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line.split(":", 3)[3].split()[0] for line in result.stdout.splitlines()]


def pyproject(directory: Path, body: str) -> None:
    (directory / "pyproject.toml").write_text(
        '[project]\nname = "shop"\n\n[tool.flake8-ddd-events]\n' + textwrap.dedent(body))


# --- through flake8, as a user runs it ----------------------------------------------------

def test_defaults_do_not_know_fact(project):
    assert flake8(project).stdout == ""


def test_pyproject_array_is_honoured_by_the_plugin(project):
    pyproject(project, 'ddd-domain-event-bases = ["DomainEvent", "Fact"]\n')
    result = flake8(project)
    assert codes(result) == ["DDD101", "DDD105", "DDD106"], result.stderr
    assert "event 'OrderPlaced'" in result.stdout


def test_pyproject_comma_separated_string_works_too(project):
    pyproject(project, 'ddd-domain-event-bases = "DomainEvent, Fact"\n')
    assert codes(flake8(project)) == ["DDD101", "DDD105", "DDD106"]


def test_pyproject_is_found_from_a_subdirectory(project):
    pyproject(project, 'ddd-domain-event-bases = ["Fact"]\n')
    result = subprocess.run([sys.executable, "-m", "flake8", "--select", "DDD",
                             "--ddd-source-roots", "..", "domain/order.py"],
                            cwd=project / "shop" / "sales", capture_output=True, text=True)
    assert codes(result) == ["DDD101", "DDD105", "DDD106"], result.stderr


def test_flake8_section_wins_over_pyproject(project):
    pyproject(project, 'ddd-domain-event-bases = ["Fact"]\n')
    (project / "setup.cfg").write_text("[flake8]\nddd-domain-event-bases = DomainEvent\n")
    assert flake8(project).stdout == ""


def test_precedence_is_per_option(project):
    # [flake8] sets another option; the pyproject table still supplies the base name.
    pyproject(project, 'ddd-domain-event-bases = ["Fact"]\nddd-event-id-fields = ["order_id"]\n')
    (project / ".flake8").write_text("[flake8]\nddd-timestamp-fields = order_id\n")
    # order_id counts as the timestamp (from [flake8]) and the id (from pyproject)
    assert codes(flake8(project)) == ["DDD101"]


def test_command_line_wins_over_both(project):
    pyproject(project, 'ddd-domain-event-bases = ["DomainEvent"]\n')
    (project / "tox.ini").write_text("[flake8]\nddd-domain-event-bases = DomainEvent\n")
    assert codes(flake8(project, "--ddd-domain-event-bases", "Fact")) == ["DDD101", "DDD105", "DDD106"]


def test_isolated_ignores_pyproject(project):
    pyproject(project, 'ddd-domain-event-bases = ["Fact"]\n')
    assert flake8(project, "--isolated").stdout == ""


@pytest.mark.parametrize("body, names", [
    ('ddd-domain-event-base = ["Fact"]\n', ["ddd-domain-event-base", "did you mean 'ddd-domain-event-bases'"]),
    ('ddd-domain-event-bases = ["Fact", 3]\n', ["ddd-domain-event-bases", "got 3"]),
    ('ddd-max-integration-fields = "many"\n', ["ddd-max-integration-fields", "whole number"]),
    ("ddd-max-integration-fields = 0\n", ["ddd-max-integration-fields", "at least 1"]),
    ("ddd-target-python = 3.10\n", ["ddd-target-python", '"3.10"']),
    ('ddd-domain-modules = []\n', ["ddd-domain-modules", "at least one"]),
    ("ddd-domain-event-bases = [\n", ["not valid TOML"]),
])
def test_bad_pyproject_value_fails_at_start_naming_option_and_file(project, body, names):
    pyproject(project, body)
    result = flake8(project)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Traceback" not in output
    assert "pyproject.toml" in output
    for name in names:
        assert name in output


# --- the functions the CLI uses -------------------------------------------------------------

def test_load_settings_applies_the_same_precedence(project):
    pyproject(project, """\
        ddd-domain-event-bases = ["Fact"]
        ddd-max-integration-fields = 20
        ddd-target-python = "3.12"
    """)
    (project / "setup.cfg").write_text("[metadata]\nname = shop\n\n[flake8]\nmax-line-length = 100\n"
                                       "ddd-max-integration-fields = 15\n"
                                       "ddd_event_id_fields =\n    event_id\n    message_id\n")
    settings = load_settings(str(project))
    assert settings.domain_event_bases == ("Fact",)  # pyproject
    assert settings.max_integration_fields == 15  # [flake8] over pyproject
    assert settings.event_id_fields == ("event_id", "message_id")  # newline-separated, as flake8 reads it
    assert settings.target_python == (3, 12)
    assert settings.timestamp_fields == Settings.from_values().timestamp_fields  # default
    overridden = load_settings(str(project), {"ddd-max-integration-fields": "9",
                                              "ddd-domain-event-bases": None})
    assert overridden.max_integration_fields == 9  # the command line over both
    assert overridden.domain_event_bases == ("Fact",)  # None means "not given"


def test_load_settings_without_any_file_gives_defaults(tmp_path):
    assert load_settings(str(tmp_path)) == Settings.from_values()


def test_the_nearest_file_with_the_section_wins(tmp_path):
    pyproject(tmp_path, 'ddd-entity-bases = ["Outer"]\n')
    inner = tmp_path / "services" / "billing"
    inner.mkdir(parents=True)
    (inner / "pyproject.toml").write_text('[project]\nname = "billing"\n')  # no table: keep looking
    assert find_pyproject(str(inner)) == str(tmp_path / "pyproject.toml")
    assert load_settings(str(inner)).entity_bases == ("Outer",)
    (tmp_path / "setup.cfg").write_text("[metadata]\nname = x\n")  # no [flake8]: not flake8's file
    (inner / "tox.ini").write_text("[flake8]\nddd-entity-bases = Inner\n")
    assert find_flake8_config(str(inner)) == str(inner / "tox.ini")
    assert find_flake8_config(str(tmp_path)) is None
    assert load_settings(str(inner)).entity_bases == ("Inner",)


def test_flake8_files_other_plugins_and_bad_values(tmp_path):
    (tmp_path / ".flake8").write_text("[flake8]\nselect = DDD\nmax-complexity = 10\n")
    assert flake8_values(str(tmp_path)) == {}
    (tmp_path / ".flake8").write_text("[flake8:local-plugins]\nextension =\n")
    assert flake8_values(str(tmp_path)) == {}
    (tmp_path / ".flake8").write_text("[flake8]\nddd-max-integration-fields = lots\n")
    with pytest.raises(ConfigError, match=r"ddd-max-integration-fields.*\.flake8"):
        flake8_values(str(tmp_path))
    (tmp_path / ".flake8").write_text("[flake8]\nddd-aggregate-base = Root\n")
    with pytest.raises(ConfigError, match="did you mean 'ddd-aggregate-bases'"):
        flake8_values(str(tmp_path))


def test_pyproject_rejects_values_of_the_wrong_toml_type(tmp_path):
    for body, expected in [("ddd-domain-event-bases = true\n", "a boolean"),
                           ("ddd-domain-event-bases = {a = 1}\n", "a table"),
                           ('ddd-max-integration-fields = ["1"]\n', "an array")]:
        pyproject(tmp_path, body)
        with pytest.raises(ConfigError, match=expected):
            pyproject_values(str(tmp_path))
    (tmp_path / "pyproject.toml").write_text('[tool]\nflake8-ddd-events = "no"\n')
    with pytest.raises(ConfigError, match="expected a table"):
        pyproject_values(str(tmp_path))


def test_pyproject_accepts_underscore_keys_and_integers(tmp_path):
    pyproject(tmp_path, "ddd_max_integration_fields = 7\n")
    assert pyproject_values(str(tmp_path)) == {"ddd-max-integration-fields": 7}


def test_merge_takes_the_first_value_that_is_given():
    assert merge({"ddd-entity-bases": None, "ddd-aggregate-bases": "A"},
                 {"ddd-entity-bases": ["E"], "ddd-aggregate-bases": ["B"]}) == {
        "ddd-entity-bases": ["E"], "ddd-aggregate-bases": "A"}


# --- in-process, through flake8's own option parsing ----------------------------------------

def run_flake8_in_process(project: Path, monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    from flake8.main.cli import main as flake8_main

    monkeypatch.chdir(project)
    monkeypatch.setattr(sys, "argv", ["flake8", *args])
    status = flake8_main(["--jobs", "1", "--select", "DDD", *args, "."])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_parse_options_layers_pyproject_under_flake8(project, monkeypatch, capsys, plugin_state):
    pyproject(project, 'ddd-domain-event-bases = ["Fact"]\nddd-max-integration-fields = 20\n')
    (project / "setup.cfg").write_text("[flake8]\nddd-max-integration-fields = 15\n")
    status, out, _ = run_flake8_in_process(project, monkeypatch, capsys)
    assert status == 1
    assert [line.split()[1] for line in out.splitlines()] == ["DDD101", "DDD105", "DDD106"]
    assert plugin_state.state.settings.domain_event_bases == ("Fact",)
    assert plugin_state.state.settings.max_integration_fields == 15
    status, out, _ = run_flake8_in_process(project, monkeypatch, capsys, "--isolated")
    assert (status, out) == (0, "")
    assert plugin_state.state.settings.domain_event_bases == Settings.from_values().domain_event_bases


def test_parse_options_names_the_file_of_a_bad_value(project, monkeypatch, capsys, plugin_state):
    pyproject(project, "ddd-max-integration-fields = 0\n")
    status, out, err = run_flake8_in_process(project, monkeypatch, capsys)
    assert status == 1
    assert re.search(r"ddd-max-integration-fields: .*at least 1.*pyproject\.toml", out + err)


def test_unreadable_files_are_handled_like_flake8_does(tmp_path):
    (tmp_path / "setup.cfg").write_text("no section header\n")  # flake8 ignores it, so do we
    (tmp_path / "tox.ini").write_bytes(b"[flake8]\nddd-entity-bases = \xff\n")  # not UTF-8: ignored
    (tmp_path / ".flake8").write_text("[flake8]\nddd-entity-bases = Thing\n")
    assert find_flake8_config(str(tmp_path)) == str(tmp_path / ".flake8")
    (tmp_path / "pyproject.toml").write_text("[tool.flake8-ddd-events\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(str(tmp_path))
    pyproject(tmp_path, 'ddd-target-python = ["3.10"]\n')
    with pytest.raises(ConfigError, match='a string such as "3.10"'):
        pyproject_values(str(tmp_path))


def test_the_plugins_whole_class_level_state_is_restored_after_each_test():
    """conftest's plugin_state restores every annotated class attribute of ``Plugin``: a
    setting added without its annotation would leak from one in-process flake8 run into
    the next test."""
    from flake8_ddd_events.plugin import Plugin

    state = {name for name, value in vars(Plugin).items()
             if not name.startswith("__") and not callable(value)
             and not isinstance(value, (classmethod, staticmethod, property))}
    assert state - {"name", "version"} == set(Plugin.__annotations__)


@pytest.mark.parametrize("value, expected", [
    ("OrderPlaced=orders.placed, shop.Refunded = refunds",
     (("OrderPlaced", "orders.placed"), ("shop.Refunded", "refunds"))),
    (["OrderPlaced=orders.placed"], (("OrderPlaced", "orders.placed"),)),
])
def test_channels_are_event_address_pairs(value, expected):
    assert Settings.from_values({"ddd-channels": value}).channels == expected


@pytest.mark.parametrize("key, value", [
    ("ddd-channels", "OrderPlaced"), ("ddd-channels", "OrderPlaced="),
    ("ddd-consumed-events", "not a name=x"),
])
def test_a_bad_pair_names_the_option(key, value):
    with pytest.raises(SettingsError, match=f"{key}: '.*' is not name=value"):
        Settings.from_values({key: value})


def test_a_consumed_event_may_name_its_producers_event():
    settings = Settings.from_values({"ddd-consumed-events": "up.OrderPlaced, up.Paid=sales.Paid"})
    assert settings.consumed_events == (("up.OrderPlaced", ""), ("up.Paid", "sales.Paid"))
