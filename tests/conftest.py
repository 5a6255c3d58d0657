"""Shared helpers: run the checker on a source as if it were a file of a project; the
plugin's class-level state restored after every test; hypothesis's profiles."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from flake8_ddd_events.lint.pipeline import check_source
from flake8_ddd_events.model.project_model import ProjectModel
from flake8_ddd_events.config.settings import Settings

# Few examples on a contributor's machine, many in CI (.ci/run sets CI=true). A property that
# asks for a count of its own gets it in CI and at most the local profile's count here:
# see ``examples``.
hypothesis_settings.register_profile("local", max_examples=10, deadline=None)
hypothesis_settings.register_profile("ci", max_examples=100, deadline=None, print_blob=True,
                                     suppress_health_check=[HealthCheck.too_slow])
IN_CI = os.environ.get("CI", "").lower() not in ("", "0", "false", "no")
hypothesis_settings.load_profile("ci" if IN_CI else "local")


def examples(count: int) -> int:
    """A property's example count: ``count`` in CI, at most the local profile's count here."""
    return count if IN_CI else min(count, hypothesis_settings.default.max_examples)


MARKER = re.compile(r"#\s*(DDD\d{3}(?:\s*,\s*DDD\d{3})*)\s*(?::|$)")


def write_file(root: Path, relative: str, text: str) -> Path:
    """Write a file of a test project, making its folders."""
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def expected_markers(source: str) -> set[tuple[int, str]]:
    """(line, code) for every ``# DDDxxx`` marker comment in a source."""
    found = set()
    for number, line in enumerate(source.splitlines(), start=1):
        match = MARKER.search(line)
        if match:
            found.update((number, code.strip()) for code in match.group(1).split(","))
    return found


def findings(source: str, filename: str = "shop/sales/domain/model.py", settings: Settings | None = None,
             codes=None, root: Path | None = None) -> list[tuple[int, str]]:
    """(line, code) of every finding, as flake8 would report them."""
    from flake8_ddd_events.plugin import all_codes

    settings = settings or Settings.from_values({"ddd-source-roots": [str(root or ".")]})
    path = str((root / filename) if root else filename)
    reports = check_source(source, path, settings, set(codes or all_codes()), ProjectModel(settings))
    return [(r.line, r.code) for r in reports]


def example_settings(example, root: Path) -> Settings:
    """Settings to run a rule example under ``root``: with a contract lock written from
    ``example.before`` (its file before the change) when it has one."""
    from flake8_ddd_events.contracts.lock import dump_lock
    from flake8_ddd_events.contracts.project import source_events

    values = {"ddd-source-roots": [str(root)]}
    if example.before is not None:
        lock = root / "ddd-contracts.lock"
        events = source_events(example.before, str(root / example.filename),
                               Settings.from_values(values))
        lock.write_text(dump_lock(events.lock()), encoding="utf-8")
        values["ddd-contracts-lock"] = str(lock)
    return Settings.from_values(values)


@pytest.fixture
def lint():
    return findings


@pytest.fixture(autouse=True)
def plugin_state():
    """The ``Plugin`` class's run state (every class-level setting flake8's ``parse_options``
    and the first check set), restored after each test so that an in-process flake8 run
    cannot leak into the next test."""
    from flake8_ddd_events.plugin import Plugin

    saved = {name: getattr(Plugin, name) for name in Plugin.__annotations__}
    yield Plugin
    for name, value in saved.items():
        setattr(Plugin, name, value)
