"""The distribution as users get it: build the wheel, install it into a fresh virtual
environment (flake8 and libcst come from the package index), run flake8 there."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from flake8_ddd_events import __version__

from .test_examples_project import marked_findings, reported_findings

ROOT = Path(__file__).resolve().parents[2]

EVENTS = textwrap.dedent("""\
    from dataclasses import dataclass
    from datetime import datetime
    from uuid import UUID


    class Fact:
        pass


    @dataclass
    class OrderPlaced(Fact):
        event_id: UUID
        occurred_on: datetime
""")


def run(*args: str | Path, cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True,
                            timeout=timeout)
    assert result.returncode == 0, f"{args}: {result.stdout}\n{result.stderr}"
    return result


@pytest.mark.slow
def test_wheel_installs_into_a_fresh_venv_and_lints(tmp_path):
    # Build from a copy of what the distribution is made of, so the checkout stays untouched
    # and a file the build needs but the copy lacks shows up here.
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "flake8_ddd_events", source / "flake8_ddd_events",
                    ignore=shutil.ignore_patterns("__pycache__"))
    dist = tmp_path / "dist"
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", dist, source,
        cwd=tmp_path)
    wheel = next(dist.glob("flake8_ddd_events-*.whl"))

    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = archive.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
        entry_points = archive.read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert "flake8_ddd_events/rules/__init__.py" in names
    assert "flake8_ddd_events/commands/explain.py" in names
    assert all(name.startswith(("flake8_ddd_events/", "flake8_ddd_events-")) for name in names)
    assert not any(name.startswith(("tests/", "benchmarks/", "examples/", "docs/")) for name in names)
    assert "Classifier: Framework :: Flake8" in metadata
    assert "License-Expression: MIT" in metadata
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in names)
    assert "Project-URL: Documentation, " in metadata
    assert "Project-URL: Changelog, " in metadata
    assert "Requires-Dist: tomli>=1.1; python_version < \"3.11\"" in metadata
    assert "DDD = flake8_ddd_events.plugin:Plugin" in entry_points

    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    bin_dir = venv / ("Scripts" if sys.platform == "win32" else "bin")
    run(bin_dir / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check", wheel,
        cwd=tmp_path)

    version = run(bin_dir / "flake8", "--version", cwd=tmp_path).stdout
    assert f"flake8-ddd-events: {__version__}" in version

    project = tmp_path / "project"
    (project / "shop" / "sales" / "domain").mkdir(parents=True)
    (project / "shop" / "sales" / "domain" / "order.py").write_text(EVENTS)
    (project / "pyproject.toml").write_text('[tool.flake8-ddd-events]\n'
                                            'ddd-domain-event-bases = ["Fact"]\n')
    lint = subprocess.run([bin_dir / "flake8", "--select", "DDD", "."], cwd=project,
                          capture_output=True, text=True, timeout=120)
    assert lint.returncode == 1, lint.stderr
    assert lint.stdout.splitlines() == [
        "./shop/sales/domain/order.py:11:1: DDD101 event 'OrderPlaced' can be changed after it "
        "happened; make it immutable (frozen=True)",
    ]

    explain = run(bin_dir / "ddd-events", "explain", "DDD101", cwd=project).stdout
    assert explain.startswith("# mutable-event (DDD101)")

    # the bundled example project, linted by the installed plugin: every deliberate violation
    installed = reported_findings(str(bin_dir / "flake8"))
    assert len(installed) > 20
    assert installed == marked_findings()
