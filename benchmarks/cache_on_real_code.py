"""The result cache on the development corpus: a cached answer equals a fresh one.

    python benchmarks/cache_on_real_code.py SNAPSHOTS [--only NAME] [--edits 3] [--seed 7]

For each repository of ``real_world.CORPUS`` (snapshots as ``real_world.py`` reads them),
its pinned sources are archived into a temporary folder and flake8 runs there three times:
with a cold cache, with the cache warm, and without it; the three outputs must be the same.
Then ``--edits`` times, a class picked at random (seeded) among those that classes of other
modules inherit from (so that the edit reaches findings the edited module's own entry does
not hold) is edited the ways a cache goes stale: a mutable field added, the class renamed,
its bases replaced by ``DomainEvent``; and the run with the cache must equal a run without
it. Prints one line per repository and every mismatch; exits 1 when there is one.

Not part of the test suite (it needs the snapshots); ``tests/cache/test_cache.py`` holds the
property on a project of its own.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys

from real_world import archived

_CLASS = re.compile(r"^class (\w+)(\([^\n]*\))?:[ \t]*\n", re.M)


def flake8(folder: str, *args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "flake8", "--select", "DDD", *args, "."],
                            cwd=folder, capture_output=True, text=True)
    if result.returncode not in (0, 1) or "Traceback" in result.stderr:
        raise SystemExit(f"flake8 failed in {folder} ({result.returncode}):\n{result.stderr[-3000:]}")
    return result.stdout


def edit(text: str, found: re.Match[str], kind: str) -> str:
    """The module's text with one class edited: ``field``, ``rename`` or ``base``."""
    if kind == "field":
        return f"{text[:found.end()]}    extra_note: list = []\n{text[found.end():]}"
    if kind == "rename":
        return f"{text[:found.end(1)]}Happened{text[found.end(1):]}"
    return f"{text[:found.start()]}class {found.group(1)}(DomainEvent):\n{text[found.end():]}"


def check(folder: str, edits: int, chooser: random.Random) -> list[str]:
    """The mismatches in one archived repository (empty: the cache answered right)."""
    cold, warm, fresh = flake8(folder), flake8(folder), flake8(folder, "--ddd-cache=false")
    problems = [] if cold == warm == fresh else ["cold, warm and fresh runs differ"]
    targets = inherited_elsewhere(folder)
    for _ in range(edits if targets else 0):
        path, name = chooser.choice(targets)
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
        found = next((m for m in _CLASS.finditer(text) if m.group(1) == name), None)
        if found is None:
            continue  # renamed by an earlier edit
        kind = chooser.choice(("field", "rename", "base"))
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(edit(text, found, kind))
        if flake8(folder) != flake8(folder, "--ddd-cache=false"):
            problems.append(f"after a {kind} edit of {name} in {os.path.relpath(path, folder)}: "
                            "the cached output differs from a fresh one")
    return problems


def inherited_elsewhere(folder: str) -> list[tuple[str, str]]:
    """(module path, class name) of the top-level classes that a class statement of
    another module names as a base (by its last dotted name: a cheap, generous match)."""
    defined: dict[str, list[str]] = {}
    bases: dict[str, set[str]] = {}
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(f for f in files if f.endswith(".py")):
            path = os.path.join(root, name)
            with open(path, encoding="utf-8", errors="replace") as handle:
                found = list(_CLASS.finditer(handle.read()))
            defined[path] = [m.group(1) for m in found]
            bases[path] = {b.strip().split("[")[0].rpartition(".")[2]
                           for m in found if m.group(2) for b in m.group(2)[1:-1].split(",")}
    return [(path, name) for path, names in defined.items() for name in names
            if any(name in used for other, used in bases.items() if other != path)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("snapshots", help="folder holding the repositories' snapshots")
    parser.add_argument("--only", help="only the repositories whose name contains this")
    parser.add_argument("--edits", type=int, default=3, help="random edits per repository")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    chooser = random.Random(args.seed)
    failed = False
    for repo, commit, _, folder in archived(args.snapshots, args.only):
        if folder is None:
            print(f"{repo}: no snapshot under {args.snapshots}")
            continue
        problems = check(folder, args.edits, chooser)
        failed = failed or bool(problems)
        print(f"{repo} @ {commit}: " + ("cached == fresh" if not problems else "MISMATCH"),
              flush=True)
        for problem in problems:
            print(f"  {problem}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
