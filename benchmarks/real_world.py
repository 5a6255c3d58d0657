"""Run flake8 --select DDD on the development corpus: real open-source DDD code.

    python benchmarks/real_world.py SNAPSHOTS [--only NAME] [--holdout | --dev] [--quiet] [--json OUT]

``SNAPSHOTS`` is the folder that holds the repositories' git snapshots, one per
repository, as ``owner+name/repo`` (the layout of the workplace's ``fetch``) or
``owner/name`` or ``owner+name``, each a git directory (bare or not). For each
repository the pinned commit's sources and packaging files are archived into a
temporary folder (``git archive``; nothing of theirs is kept or copied into this
repository), flake8 runs there with only this plugin's codes selected, and the
script prints the findings per repository and per code, then every finding
(``--quiet``: only the counts), and the totals of the development corpus and of the
hold-out apart (``--holdout``: only the hold-out; ``--dev``: only the rest). It also counts the files and the event classes
the plugin recognises there (domain and integration, concrete and bases), so
that a change in recognition shows up next to the findings.

Not part of the test suite: the suite must pass without the snapshots.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
from typing import Iterator

# (owner/name, commit, event style) as named in the issue that introduced the corpus
CORPUS = (
    ("Run1e/STRIKER", "09aba5b2d5cc", "dataclass-frozen"),
    ("Migorithm/business_transaction_in_msa", "40745de13847", "dataclass-mutable"),
    ("JYC11/fastapi-bug-tracker", "caec45f1cb7d", "dataclass-mutable"),
    ("subgate-microservice/subgate", "666dde43dfa0", "pydantic"),
    ("MicroTeam-4-0-no-monoliticos/entrega-final", "67006b4e1b4d", "dataclass-mutable, plain-class"),
    ("filipsnastins/transactional-messaging-patterns-with-aws-dynamodb-streams-sns-sqs-lambda",
     "f1047db7ff8c", "dataclass-mutable"),
    ("javierparadadev/python-ddd-example", "8625e876052a", "plain-class"),
    ("LettuceTurnipTheBeets/python-eventsourcing-tutorial", "2c2a997b9e85",
     "framework (eventsourcing)"),
    ("vadikko2/scada-api", "77163fad7372", "pydantic, framework (python-cqrs, vendored)"),
    ("Forgot-0/vpn_tg_bot", "f5a4028a5e35", "dataclass-frozen"),
    # the widened corpus (issue 25): styles the first ten lack
    ("pgorecki/python-ddd", "429cd4b1ffed", "pydantic, FastAPI modular monolith"),
    ("returnnullptr/event-outbox-example", "ae44fdb145b6", "pydantic, FastAPI, broker and outbox"),
    ("cosmicpython/code", "14c84797ffa7", "dataclass-mutable, Flask, message bus"),
    ("lucassus/python-ddd-sandbox", "48757a099ab4", "dataclass-frozen, FastAPI, message bus"),
    ("NormanColoma/python-ddd-example", "62a4eccba07e", "plain-class, Flask, Kafka"),
    ("fdelgados/python-ddd-skeleton", "9c48588929d8", "plain-class, Flask, event store, RabbitMQ"),
    ("taller-semana-2/SistemaTickets", "1a299d44fa69", "dataclass-frozen, Django, RabbitMQ"),
    ("Hellzed/aioevsourcing", "cb5f28cf12d5", "event-sourced, hand-written event store"),
    ("pyeventsourcing/eventsourcing", "dc9b7e4fa553", "framework's own repository (eventsourcing)"),
    ("proteanhq/protean", "ca7379c154ea", "framework's own repository (protean)"),
    # the third group (issue 30): root layouts, framework fields and event styles the twenty lack
    ("greedWizard/ddd-fastapi-kafka-chat", "b37e9eba0085", "dataclass, FastAPI, Kafka, rooted in app/"),
    ("proteanhq/shopstream", "9688fde419f8", "framework (Protean), application"),
    ("dianamatkava/cosmicpython-fastapi", "7edfe7848259", "pydantic, FastAPI, RabbitMQ and Redis"),
    ("menu-planning/backend", "698b2b729fb6", "attrs"),
    ("mtth/git-draft", "fb2900b7ce69", "msgspec"),
)

# issue 30's hold-out: five more, never tuned on; their precision is reported apart (--holdout)
HOLDOUT = (
    ("HardMax71/Integr8sCode", "1f59759ad72f", "pydantic, Kafka, rooted in backend/"),
    ("proteanhq/library-cqrs", "492b104a9168", "framework (Protean), application"),
    ("StartupCorporation/order-app", "f6682b4ef584", "pydantic, RabbitMQ"),
    ("fbraem/kwai", "a0cf7051b099", "rooted in backend/src, FastStream (Redis, RabbitMQ)"),
    ("advishnuprasad/protean-realworld", "877dcdd80979", "framework (Protean, 2019 API), application"),
)

# what a check reads: Python sources and the files that configure packaging and flake8
_KEPT_SUFFIXES = (".py", ".pyi", "pyproject.toml", "setup.py", "setup.cfg", "tox.ini", ".flake8")

_COUNT_EVENTS = """\
import json, sys
from flake8_ddd_events.config.settings import Settings
from flake8_ddd_events.model.project_model import ProjectModel
from flake8_ddd_events.syntax.project_modules import ReadModule, project_modules
from flake8_ddd_events.analysis.recognition import recognise
settings = Settings.from_values()
model = ProjectModel(settings)
counts = {"files": len(sys.argv) - 1, "domain events": 0, "integration events": 0, "event bases": 0}
for read in project_modules(sys.argv[1:], settings):
    if not isinstance(read, ReadModule):
        continue
    for cls in read.facts.classes.values():
        found = recognise(model.view(read.facts, cls), settings)
        if found.is_event:
            key = "event bases" if found.is_base else found.kind.value + "s"
            counts[key] += 1
print(json.dumps(counts))
"""


def snapshot_dir(root: str, repo: str) -> str | None:
    owner, name = repo.split("/")
    for candidate in (os.path.join(root, f"{owner}+{name}", "repo"), os.path.join(root, owner, name),
                      os.path.join(root, f"{owner}+{name}")):
        if os.path.isdir(candidate):
            return candidate
    return None


def archive(git_dir: str, commit: str, target: str) -> None:
    """The commit's sources and packaging files, written under ``target``."""
    names = subprocess.run(["git", "--git-dir", _git_dir(git_dir), "ls-tree", "-r", "--name-only",
                            "-z", commit], check=True, capture_output=True).stdout.split(b"\0")
    kept = [n.decode() for n in names if n and n.decode(errors="replace").endswith(_KEPT_SUFFIXES)]
    tar = subprocess.run(["git", "--git-dir", _git_dir(git_dir), "archive", "--format=tar", commit,
                          "--", *kept], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", target], input=tar, check=True)


def archived(snapshots: str, only: str | None = None,
             repositories: tuple[tuple[str, str, str], ...] = CORPUS + HOLDOUT,
             ) -> Iterator[tuple[str, str, str, str | None]]:
    """(repository, commit, event style, folder) for each of ``repositories`` (those whose
    name contains ``only``): the folder holds its archived sources while the loop is on it,
    and is None when there is no snapshot."""
    for repo, commit, style in repositories:
        if only and only.lower() not in repo.lower():
            continue
        git_dir = snapshot_dir(snapshots, repo)
        if git_dir is None:
            yield repo, commit, style, None
            continue
        with tempfile.TemporaryDirectory(prefix="ddd-real-world-") as folder:
            archive(git_dir, commit, folder)
            yield repo, commit, style, folder


def _git_dir(path: str) -> str:
    dot_git = os.path.join(path, ".git")
    return dot_git if os.path.exists(dot_git) else path


def flake8(folder: str) -> list[str]:
    result = subprocess.run([sys.executable, "-m", "flake8", "--select", "DDD", "-j", "1", "."],
                            cwd=folder, capture_output=True, text=True)
    if result.returncode not in (0, 1) or "Traceback" in result.stderr:
        raise SystemExit(f"flake8 failed in {folder} ({result.returncode}):\n{result.stderr[-3000:]}")
    return sorted(line.removeprefix("./") for line in result.stdout.splitlines() if line.strip())


def event_counts(folder: str) -> dict[str, int]:
    files = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        files += [os.path.relpath(os.path.join(dirpath, f), folder)
                  for f in sorted(filenames) if f.endswith(".py")]
    result = subprocess.run([sys.executable, "-c", _COUNT_EVENTS, *files], cwd=folder,
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def code_of(line: str) -> str:
    return line.split(": ", 1)[1].split(" ", 1)[0] if ": " in line else "?"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("snapshots", help="folder holding the repositories' snapshots")
    parser.add_argument("--only", help="only the repositories whose name contains this")
    parser.add_argument("--quiet", action="store_true", help="counts only, not every finding")
    split = parser.add_mutually_exclusive_group()
    split.add_argument("--holdout", action="store_true", help="only the hold-out repositories")
    split.add_argument("--dev", action="store_true", help="only the development repositories")
    parser.add_argument("--json", help="also write the findings to this file")
    args = parser.parse_args()
    repositories = HOLDOUT if args.holdout else CORPUS if args.dev else CORPUS + HOLDOUT
    held_out = {repo for repo, _, _ in HOLDOUT}
    totals: collections.Counter[str] = collections.Counter()
    parts: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    everything = {}
    for repo, commit, style, folder in archived(args.snapshots, args.only, repositories):
        if folder is None:
            print(f"## {repo}: no snapshot under {args.snapshots}\n")
            continue
        findings = flake8(folder)
        counts = event_counts(folder)
        per_code = collections.Counter(code_of(f) for f in findings)
        totals.update(per_code)
        parts["hold-out" if repo in held_out else "dev"].update(per_code)
        everything[repo] = findings
        summary = ", ".join(f"{c} {n}" for c, n in sorted(per_code.items())) or "none"
        events = ", ".join(f"{n} {k}" for k, n in counts.items() if k != "files")
        print(f"## {repo} @ {commit} ({style}){' [hold-out]' if repo in held_out else ''}")
        print(f"{counts['files']} files; {events}")
        print(f"{len(findings)} findings: {summary}")
        if not args.quiet:
            for finding in findings:
                print(f"  {finding}")
        print()
    for part, counts in sorted(parts.items()):
        print(f"## {part}: {sum(counts.values())} findings: "
              + (", ".join(f"{c} {n}" for c, n in sorted(counts.items())) or "none"))
    print(f"## all: {sum(totals.values())} findings: "
          + (", ".join(f"{c} {n}" for c, n in sorted(totals.items())) or "none"))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(everything, handle, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
