"""The pre-commit hook, driven through the real ``pre-commit try-repo``.

pre-commit installs this repository (its committed state plus uncommitted
changes to tracked files) into a fresh environment, as users get it, and runs
the ``ddd-events-fix`` hook from ``.pre-commit-hooks.yaml`` on a temporary git
repository.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]

BEFORE = '''\
from dataclasses import dataclass
from datetime import datetime


@dataclass
class OrderPlaced:
    order_id: str
    occurred_on: datetime = datetime.utcnow()  # naive, computed once
'''
AFTER = '''\
from dataclasses import dataclass, field
from datetime import datetime, timezone


@dataclass(frozen=True)
class OrderPlaced:
    order_id: str
    occurred_on: datetime = field(default_factory=lambda: datetime.now(timezone.utc))  # naive, computed once
'''


def test_hook_manifest():
    hooks = {hook["id"]: hook for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert hooks["ddd-events-fix"]["entry"] == "ddd-events fix"
    assert hooks["ddd-events-fix"]["language"] == "python"
    assert hooks["ddd-events-fix"]["types"] == ["python"]
    contracts = hooks["ddd-events-contracts"]
    assert contracts["entry"] == "ddd-events contracts check"
    assert contracts["pass_filenames"] is False  # the whole project against the lock
    assert re.search(contracts["files"], "shop/integration_events.py")
    assert re.search(contracts["files"], "ddd-contracts.lock")


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=test", "-c", "user.email=test@example.com",
                    "-c", "commit.gpgsign=false", *args], cwd=repo, check=True, capture_output=True)


@pytest.mark.slow
def test_try_repo_fixes_the_file(tmp_path):
    repo = tmp_path / "repo"
    events = repo / "shop" / "domain" / "events.py"
    events.parent.mkdir(parents=True)
    events.write_text(BEFORE)
    (repo / "shop" / "domain" / "other.py").write_text("VALUE = 1\n")
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "events")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "PRE_COMMIT_COLOR": "never"}
    run = subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "ddd-events-fix",
                          "--all-files"], cwd=repo, env=env, capture_output=True, text=True)
    output = run.stdout + run.stderr
    # pre-commit fails a hook that modified files, so that the fix is reviewed and staged
    assert run.returncode == 1, output
    assert "files were modified by this hook" in output
    assert "shop/domain/events.py:6: DDD101 fixed: frozen=True" in output
    assert events.read_text() == AFTER
    assert (repo / "shop" / "domain" / "other.py").read_text() == "VALUE = 1\n"


EVENT = """\
from dataclasses import dataclass


@dataclass(frozen=True)
class OrderShipped:
    correlation_id: str
    event_version: int = 1
    carrier: str
"""


@pytest.mark.slow
def test_try_repo_contracts_check_fails_on_a_breaking_change(tmp_path):
    repo = tmp_path / "repo"
    events = repo / "shop" / "integration_events.py"
    events.parent.mkdir(parents=True)
    events.write_text(EVENT)
    subprocess.run([sys.executable, "-m", "flake8_ddd_events.cli", "contracts", "lock"], cwd=repo,
                   check=True, capture_output=True)
    events.write_text(EVENT.replace("carrier: str", "carrier: int"))
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "events")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "PRE_COMMIT_COLOR": "never"}
    run = subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(ROOT),
                          "ddd-events-contracts", "--all-files"], cwd=repo, env=env,
                         capture_output=True, text=True)
    output = run.stdout + run.stderr
    assert run.returncode == 1, output
    assert "field 'carrier' changed type from 'str' to 'int'" in output
    assert "1 breaking their contract" in output
