"""Shared helpers: run the checker on a source as if it were a file of a project."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from flake8_ddd_events.checker import check_source
from flake8_ddd_events.model import ProjectModel
from flake8_ddd_events.settings import Settings

MARKER = re.compile(r"#\s*(DDD\d{3}(?:\s*,\s*DDD\d{3})*)\s*(?::|$)")


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


@pytest.fixture
def lint():
    return findings
