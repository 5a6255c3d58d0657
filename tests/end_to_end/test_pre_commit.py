"""The pre-commit hooks, driven through the real pre-commit.

``pre-commit try-repo`` installs this repository (its committed state plus uncommitted
changes to tracked files) into a fresh environment, as users get it, and runs a hook from
``.pre-commit-hooks.yaml`` on a temporary git repository. The two configurations of
docs/pre-commit.md, taken from the page itself, run end to end: ``pre-commit install`` in a
throwaway repository, a commit blocked by a finding, the same commit allowed after
``ddd-events fix``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]

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
    lint = hooks["ddd-events-flake8"]
    assert (lint["entry"], lint["language"], lint["args"]) == ("flake8", "python", ["--select=DDD"])
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


# -- docs/pre-commit.md, end to end ---------------------------------------------------------
REPOSITORY = "https://github.com/flake8-ddd-events/flake8-ddd-events"
MUTABLE = """\
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


@dataclass
class OrderPlaced:
    event_id: UUID
    occurred_on: datetime
    order_id: str
"""


def documented_config(containing: str) -> dict:
    """The one .pre-commit-config.yaml example of docs/pre-commit.md that has ``containing``."""
    page = (ROOT / "docs" / "pre-commit.md").read_text()
    blocks = [b for b in re.findall(r"```yaml\n(.*?)```", page, flags=re.S)
              if containing in b and "ddd-events-flake8" in b]
    assert len(blocks) == 1, blocks
    return yaml.safe_load(blocks[0])


def mirror_of_this_checkout(path: Path) -> str:
    """A git repository holding this checkout as it is now (uncommitted and new files too),
    as an internal mirror would; its one commit's sha."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, check=True, capture_output=True, text=True).stdout
    for name in filter(None, listed.split("\0")):
        if (ROOT / name).is_file():
            (path / name).parent.mkdir(parents=True, exist_ok=True)
            (path / name).write_bytes((ROOT / name).read_bytes())
    _git(path, "init", "-q")
    _git(path, "add", "-A")
    _git(path, "commit", "-q", "-m", "mirror")
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=path, check=True, capture_output=True,
                          text=True).stdout.strip()


def commit_blocked_then_allowed_after_fix(repo: Path, config: dict, env: dict) -> None:
    events = repo / "shop" / "sales" / "domain" / "events.py"
    events.parent.mkdir(parents=True)
    events.write_text(MUTABLE)
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    _git(repo, "init", "-q")
    installed = subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=repo, env=env,
                               capture_output=True, text=True)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    _git(repo, "add", "-A")

    def commit(**extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["git", "-c", "user.name=test", "-c", "user.email=test@example.com",
                               "-c", "commit.gpgsign=false", "commit", "-m", "events"],
                              cwd=repo, env={**env, **extra}, capture_output=True, text=True,
                              timeout=900)

    # flake8's hook alone (the fixer skipped): the finding blocks the commit
    blocked = commit(SKIP="ddd-events-fix")
    output = blocked.stdout + blocked.stderr
    assert blocked.returncode == 1, output
    assert ("shop/sales/domain/events.py:7:1: DDD101 event 'OrderPlaced' can be changed after it "
            "happened; make it immutable (frozen=True)") in output
    assert events.read_text() == MUTABLE
    assert subprocess.run(["git", "rev-parse", "--verify", "-q", "HEAD"], cwd=repo,
                          capture_output=True).returncode != 0  # nothing committed

    fixed = subprocess.run([sys.executable, "-m", "flake8_ddd_events.cli", "fix", "."], cwd=repo,
                           env=env, capture_output=True, text=True)
    assert "shop/sales/domain/events.py:7: DDD101 fixed: frozen=True" in fixed.stderr
    _git(repo, "add", "-A")
    allowed = commit()
    output = allowed.stdout + allowed.stderr
    assert allowed.returncode == 0, output
    assert re.search(r"ddd-events fix\.+Passed", output) and re.search(
        r"flake8 \(flake8-ddd-events\)\.+Passed", output), output
    committed = subprocess.run(["git", "show", "HEAD:shop/sales/domain/events.py"], cwd=repo,
                               check=True, capture_output=True, text=True).stdout
    assert "@dataclass(frozen=True)\nclass OrderPlaced:" in committed


def hook_env(tmp_path: Path) -> dict:
    return {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "PRE_COMMIT_COLOR": "never",
            # `language: system` runs what is installed where one commits: this environment's
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}


@pytest.mark.slow
def test_documented_local_hooks_block_a_commit_until_ddd_events_fix(tmp_path):
    """`repo: local`, `language: system`: no repository to reach, nothing to download."""
    config = documented_config("repo: local")
    assert {hook["language"] for repo in config["repos"] for hook in repo["hooks"]} == {"system"}
    commit_blocked_then_allowed_after_fix(tmp_path / "project", config, hook_env(tmp_path))


@pytest.mark.slow
def test_documented_repository_hooks_block_a_commit_until_ddd_events_fix(tmp_path):
    """The released form, with the repository's address replaced by a local mirror of this
    checkout and ``rev:`` by its commit: pre-commit installs the hooks from it as from the
    repository (flake8 and libcst come from the package index)."""
    config = documented_config(f"repo: {REPOSITORY}")
    [entry] = config["repos"]
    assert entry["rev"] == "<commit>"  # the page says: a commit until the first release tag
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    entry["repo"], entry["rev"] = str(mirror), mirror_of_this_checkout(mirror)
    commit_blocked_then_allowed_after_fix(tmp_path / "project", config, hook_env(tmp_path))
