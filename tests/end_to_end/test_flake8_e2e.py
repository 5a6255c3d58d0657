"""End to end through a real flake8 subprocess: codes, lines, noqa, select/ignore."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

EVENTS = textwrap.dedent("""\
    from dataclasses import dataclass, field
    from datetime import datetime
    from uuid import UUID, uuid4


    @dataclass
    class OrderPlaced:
        event_id: UUID
        occurred_on: datetime
        line_ids: list[str]


    @dataclass  # the finding is on the class line, so noqa goes there
    class OrderPaid:  # noqa: DDD101
        event_id: UUID
        occurred_on: datetime = field(default_factory=datetime.utcnow)
""")


def flake8(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "flake8", "--isolated", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def codes_at(output: str) -> list[tuple[str, int, str]]:
    found = []
    for line in output.splitlines():
        path, row, _col, message = line.split(":", 3)
        found.append((Path(path).name, int(row), message.split()[0]))
    return found


@pytest.fixture
def project(tmp_path: Path) -> Path:
    events = tmp_path / "shop" / "sales" / "domain" / "events.py"
    events.parent.mkdir(parents=True)
    events.write_text(EVENTS)
    return tmp_path


def test_codes_and_lines(project):
    result = flake8(project, "--select", "DDD", ".")
    assert result.returncode == 1, result.stderr
    assert codes_at(result.stdout) == [
        ("events.py", 7, "DDD101"),
        ("events.py", 10, "DDD104"),
        ("events.py", 16, "DDD107"),
    ]


def test_extend_ignore_drops_a_code(project):
    result = flake8(project, "--select", "DDD", "--extend-ignore", "DDD104,DDD107", ".")
    assert codes_at(result.stdout) == [("events.py", 7, "DDD101")]


def test_disable_noqa_shows_the_silenced_finding(project):
    result = flake8(project, "--select", "DDD", "--disable-noqa", ".")
    assert ("events.py", 14, "DDD101") in codes_at(result.stdout)


def test_plugin_is_registered():
    result = subprocess.run([sys.executable, "-m", "flake8", "--version"], capture_output=True, text=True)
    assert "flake8-ddd-events" in result.stdout


def test_syntax_error_yields_nothing_from_the_plugin(tmp_path):
    (tmp_path / "events.py").write_text("@dataclass\nclass Broken(:\n    x: list[int]\n")
    result = flake8(tmp_path, "--select", "DDD,E999", ".")
    found = codes_at(result.stdout)
    assert [code for _, _, code in found] == ["E999"]


def test_a_deep_string_concatenation_is_walked_not_ddd000(tmp_path):
    # libcst parses 3000 implicitly concatenated strings into a deep chain; collect walks
    # it with an explicit stack (it used to exhaust recursion and give DDD000)
    strings = "\n".join(f"    'part{i}'" for i in range(3000))
    (tmp_path / "events.py").write_text(f"from dataclasses import dataclass\nTEXT = (\n{strings}\n)\n")
    result = flake8(tmp_path, "--select", "DDD", ".")
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stdout == ""


def test_bad_option_value_fails_at_start_naming_the_option(tmp_path):
    (tmp_path / "a.py").write_text("x = 1\n")
    result = flake8(tmp_path, "--ddd-max-integration-fields", "many", ".")
    assert result.returncode != 0
    assert "--ddd-max-integration-fields" in result.stdout + result.stderr


def test_options_from_setup_cfg(project):
    (project / "setup.cfg").write_text("[flake8]\nddd-domain-event-modules = happenings\n")
    result = subprocess.run([sys.executable, "-m", "flake8", "--select", "DDD", "."], cwd=project,
                            capture_output=True, text=True)
    assert result.stdout == ""  # `events` is no longer an event module
