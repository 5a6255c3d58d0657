"""Third-party code is never the project's: a virtual environment (``pyvenv.cfg``) and
installed packages (``site-packages``, ``dist-packages``) are not checked by the plugin,
not searched for source roots, and not walked by the ``ddd-events`` commands."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from flake8_ddd_events.baseline.store import read
from flake8_ddd_events.cli import main
from flake8_ddd_events.source.files import python_files
from flake8_ddd_events.source.modules import discover_roots
from flake8_ddd_events.source.thirdparty import ThirdParty

from ..conftest import write_file

SITE = ".venv/lib/python3.11/site-packages"

# PyYAML's yaml/events.py, in short: a module named events whose classes end in Event
YAML_EVENTS = '''\
class Event(object):
    def __init__(self, start_mark=None, end_mark=None):
        self.start_mark = start_mark
        self.end_mark = end_mark


class NodeEvent(Event):
    def __init__(self, anchor, start_mark=None, end_mark=None):
        self.anchor = anchor


class StreamStartEvent(Event):
    pass


class DocumentStartEvent(Event):
    tags: list = []
'''

INTEGRATION = '''\
from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True, kw_only=True)
class DocumentParsed:
    correlation_id: UUID
    event_version: int = 1
    name: str
'''

OWN_EVENTS = '''\
from dataclasses import dataclass
from uuid import UUID


class DomainEvent:
    pass


@dataclass
class OrderPlaced(DomainEvent):
    order_id: UUID
'''


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A shop project with its virtualenv at the root: 300 modules of installed packages,
    PyYAML's events among them."""
    monkeypatch.chdir(tmp_path)
    write_file(tmp_path, "shop/sales/domain/events.py", OWN_EVENTS)
    write_file(tmp_path, "shop/sales/integration_events.py", INTEGRATION.replace(
        "DocumentParsed", "OrderShipped"))
    write_file(tmp_path, ".venv/pyvenv.cfg", "home = /usr/bin\nversion = 3.11.7\n")
    write_file(tmp_path, f"{SITE}/yaml/events.py", YAML_EVENTS)
    write_file(tmp_path, f"{SITE}/yaml/integration_events.py", INTEGRATION)
    for number in range(298):
        write_file(tmp_path, f"{SITE}/package{number // 20}/module{number}.py", YAML_EVENTS)
    return tmp_path


def flake8(cwd: Path, *paths: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "flake8", "--select", "DDD", *paths], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_flake8_reports_only_the_projects_own_findings(project):
    result = flake8(project, ".")
    reported = {line.split(":")[0] for line in result.stdout.splitlines()}
    assert reported == {"./shop/sales/domain/events.py", "./shop/sales/integration_events.py"}, \
        result.stdout + result.stderr


def test_flake8_reports_nothing_in_installed_packages_whatever_path_it_is_given(project):
    named = flake8(project, f"{SITE}/yaml/events.py", str(project / SITE / "yaml"))
    assert named.returncode == 0 and named.stdout == "", named.stdout + named.stderr


@pytest.mark.parametrize("folder", ["tools/env", "vendor/lib/dist-packages"])
def test_other_environments_and_dist_packages_are_third_party_too(tmp_path, folder):
    write_file(tmp_path, f"{folder}/yaml/events.py", YAML_EVENTS)
    if "packages" not in folder:
        write_file(tmp_path, f"{folder}/pyvenv.cfg", "home = /usr/bin\n")
    result = flake8(tmp_path, ".", f"{folder}/yaml/events.py")
    assert result.stdout == "", result.stdout
    write_file(tmp_path, "vendored/yaml/events.py", YAML_EVENTS)  # not installed: the project's
    assert "vendored/yaml/events.py" in flake8(tmp_path, ".").stdout


def test_baseline_records_nothing_from_the_virtualenv(project, capsys):
    assert main(["baseline"]) == 0
    frozen = read(str(project / ".ddd-baseline.json"))
    paths = {entry.path for entry in frozen}
    assert paths == {"shop/sales/domain/events.py", "shop/sales/integration_events.py"}, paths


def test_contracts_lock_locks_nothing_from_the_virtualenv(project, capsys):
    assert main(["contracts", "lock"]) == 0
    lock = (project / "ddd-contracts.lock").read_text()
    assert "OrderShipped" in lock and "DocumentParsed" not in lock


def test_the_commands_walk_past_environments_packages_and_tool_folders(project):
    for folder in (".tox", ".nox", ".git", "node_modules", "build", "dist", ".eggs",
                   "__pycache__", "lib/site-packages", "other/dist-packages"):
        write_file(project, f"{folder}/events.py", YAML_EVENTS)
    write_file(project, "setup.cfg", "[flake8]\nexclude = docs\n")  # replaces flake8's defaults
    assert sorted(python_files(["."])) == ["./shop/sales/domain/events.py",
                                           "./shop/sales/integration_events.py"]


def test_a_file_named_on_the_command_line_is_still_read(project):
    named = f"{SITE}/yaml/events.py"
    assert list(python_files([named, ".venv"])) == [named]


def test_source_roots_are_never_found_in_an_environment(tmp_path):
    write_file(tmp_path, "tools/pyvenv.cfg", "home = /usr/bin\n")
    write_file(tmp_path, "tools/src/tool/pyproject.toml", "")
    write_file(tmp_path, "tools/lib/package/setup.py", "")
    write_file(tmp_path, "service/pyproject.toml", "")
    assert discover_roots(str(tmp_path)) == (".", "service")


def test_the_folder_a_run_starts_in_is_never_an_environment(tmp_path, monkeypatch):
    """``python3 -m venv .``: the project's code sits beside pyvenv.cfg."""
    monkeypatch.chdir(tmp_path)
    write_file(tmp_path, "pyvenv.cfg", "home = /usr/bin\n")
    write_file(tmp_path, "shop/events.py", YAML_EVENTS)
    assert not ThirdParty().holds_file("shop/events.py")
    assert list(python_files(["."])) == ["./shop/events.py"]


def test_each_folder_is_asked_once_per_run(tmp_path, monkeypatch):
    asked = []
    real_isfile = os.path.isfile
    monkeypatch.setattr(os.path, "isfile", lambda path: asked.append(path) or real_isfile(path))
    third_party = ThirdParty(str(tmp_path / "elsewhere"))
    for name in ("a.py", "b.py", "sub/c.py", "sub/d.py"):
        assert not third_party.holds_file(str(tmp_path / "project" / name))
    assert len(asked) == len(set(asked)) == 2  # project/ and project/sub/
