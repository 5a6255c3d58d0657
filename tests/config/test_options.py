"""Options: every option with a wrong value stops flake8 at start-up, naming the option.

Through real flake8 processes: on the command line, in ``setup.cfg`` and in
``pyproject.toml``. A start-up failure is flake8's "critical error" (exit 1, the
message on stderr or stdout), never a traceback and never a run that goes on with a
default in place of the value the user wrote.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from flake8_ddd_events.config import settings as settings_module
from flake8_ddd_events.config.settings import OPTIONS, Settings, SettingsError

# A wrong value for each kind of option (by its parser).
BAD_VALUES = {
    settings_module._names: ["Order/Placed", "events;rm", "a b(c)"],
    settings_module._nonempty_names: ["", "Order/Placed"],
    settings_module._paths: [""],
    settings_module._positive_int: ["x", "0", "-3", "1.5", ""],
    settings_module._python_version: ["2.7", "banana", "3", "4.0"],
    settings_module._path: ["", "  "],
    settings_module._compatibility: ["sideways", "forwards", "none"],
    settings_module._boolean: ["banana", "2", "truth"],
    settings_module._folder: [" "],
    settings_module._pairs: ["OrderPlaced=", "a b=c"],
}

CASES = [(option.key, value) for option in OPTIONS for value in BAD_VALUES[option.parse]]


def flake8(cwd: Path, *args: str, isolated: bool = True) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "flake8", *(["--isolated"] if isolated else []), *args, "."]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)


def fails_naming(result: subprocess.CompletedProcess[str], key: str) -> None:
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback" not in output
    assert "critical error" in output and f"bad option --{key}: " in output
    assert ".py:" not in result.stdout  # no file was checked


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "events.py").write_text("from dataclasses import dataclass\n")
    return tmp_path


def test_every_option_has_a_bad_value_here():
    assert {option.parse for option in OPTIONS} <= set(BAD_VALUES)
    assert {key for key, _ in CASES} == {option.key for option in OPTIONS}


@pytest.mark.parametrize("key, value", CASES)
def test_bad_value_in_settings_names_the_option(key, value):
    with pytest.raises(SettingsError, match=f"^{key}: "):
        Settings.from_values({key: value})


@pytest.mark.parametrize("key, value", [(o.key, BAD_VALUES[o.parse][0]) for o in OPTIONS])
def test_bad_value_on_the_command_line_stops_flake8(project, key, value):
    fails_naming(flake8(project, f"--{key}={value}"), key)


@pytest.mark.parametrize("value", ["x", "0", "-1", "1.5", ""])
def test_bad_limit_on_the_command_line(project, value):
    fails_naming(flake8(project, f"--ddd-max-integration-fields={value}"), "ddd-max-integration-fields")


@pytest.mark.parametrize("value", ["2.7", "3", "three.ten", "3.10.1"])
def test_bad_target_version_on_the_command_line(project, value):
    fails_naming(flake8(project, f"--ddd-target-python={value}"), "ddd-target-python")


@pytest.mark.parametrize("key, value", [
    ("ddd-domain-modules", ""),  # an empty glob list where one is required
    ("ddd-timestamp-fields", ""),
    ("ddd-max-integration-fields", "many"),
    ("ddd-max-integration-fields", "0"),
    ("ddd-target-python", "2.7"),
    ("ddd-domain-event-bases", "Domain/Event"),  # a glob with an illegal character
    ("ddd-forbidden-domain-imports", "kafka, (celery)"),
    ("ddd-source-roots", ""),
    ("ddd-cache", "maybe"),
])
def test_bad_value_in_setup_cfg_stops_flake8(project, key, value):
    (project / "setup.cfg").write_text(f"[flake8]\n{key} = {value}\n")
    fails_naming(flake8(project, isolated=False), key)


@pytest.mark.parametrize("line", [
    'ddd-max-integration-fields = "x"',
    "ddd-max-integration-fields = 0",
    "ddd-domain-modules = []",
    'ddd-target-python = "2.7"',
    "ddd-target-python = 3.9",  # a number, not a string: 3.10 would read as 3.1
    'ddd-domain-event-bases = ["Domain Event"]',
    'ddd-cache = "sometimes"',
    "ddd-cache = 1.0",
])
def test_bad_value_in_pyproject_stops_flake8(project, line):
    key = line.split()[0]
    (project / "pyproject.toml").write_text(f"[tool.flake8-ddd-events]\n{line}\n")
    result = flake8(project, isolated=False)
    output = result.stdout + result.stderr
    assert result.returncode == 1 and "Traceback" not in output
    assert f"bad option {key}" in output and "pyproject.toml" in output


@pytest.mark.parametrize("text, named", [
    ("[tool.flake8-ddd-events]\nmax-integration-fields = 3\n", "max-integration-fields"),
    ("[tool.flake8-ddd-events\n", "pyproject.toml"),
])
def test_unknown_key_or_broken_pyproject_stops_flake8(project, text, named):
    (project / "pyproject.toml").write_text(text)
    result = flake8(project, isolated=False)
    output = result.stdout + result.stderr
    assert result.returncode == 1 and "Traceback" not in output and named in output


def test_good_values_for_every_option_start_fine(project):
    good = {
        settings_module._names: "OrderPlaced,shop.*",
        settings_module._nonempty_names: "domain,*.domain",
        settings_module._paths: ".",
        settings_module._positive_int: "3",
        settings_module._python_version: "3.11",
        settings_module._path: "contracts/events.lock",
        settings_module._compatibility: "backward",
        settings_module._boolean: "false",
        settings_module._folder: "cache",
        settings_module._pairs: "OrderPlaced=sales.order-placed",
    }
    args = [f"--{o.key}={good[o.parse]}" for o in OPTIONS]
    result = flake8(project, "--select", "DDD", *args)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""


@pytest.mark.parametrize("name", ["setup.cfg", "tox.ini", ".flake8"])
def test_unknown_ddd_key_in_flake8_section_stops_flake8(project, name):
    (project / name).write_text("[flake8]\nddd-domian-event-bases = Fact\n")
    result = flake8(project, "--select", "DDD", isolated=False)
    output = result.stdout + result.stderr
    assert result.returncode == 1 and "Traceback" not in output
    assert ("bad option ddd-domian-event-bases: unknown option in [flake8] of "
            f"{project / name} (did you mean 'ddd-domain-event-bases'?)") in output


def test_unknown_ddd_key_in_a_named_config_stops_flake8(project):
    (project / "custom.cfg").write_text("[flake8]\nddd_cach = false\n")
    result = flake8(project, "--config", "custom.cfg", isolated=False)
    output = result.stdout + result.stderr
    assert result.returncode == 1 and "ddd_cach: unknown option in [flake8] of custom.cfg" in output


def test_known_ddd_keys_in_flake8_section_start_fine(project):
    (project / ".flake8").write_text("[flake8]\nddd-domain-event-bases = Fact\nddd_cache = false\n"
                                     "max-line-length = 100\n")
    result = flake8(project, "--select", "DDD", isolated=False)
    assert result.returncode == 0, result.stdout + result.stderr
