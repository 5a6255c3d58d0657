"""The gate's decisions on a set of corpora, as digests and counts, to show that a change to
the gate (``flake8_ddd_events/gate``) decides every module as before.

    python benchmarks/gate_decisions.py [--per-code] [--time] [CORPUS ...]

A corpus is a folder: each is read with its folder as the working directory (source roots
are relative to it; ``Settings.from_values()``'s default settings, all the plugin's codes)
and every ``.py`` file under it that ``ast`` parses is decided, in sorted order, with
flake8's ``ast`` tree (``ast.parse``). Without arguments: the dense DDD corpus
(``/tmp/dense_gate``, made by ``generate_ddd.py --modules 345``), the whole standard
library (not its ``site-packages``) and the 30 repositories under ``/tmp/corp``.

For each corpus it prints the files decided and passed, how many modules each code was
given, and three digests: of ``Gate.codes_for``'s answer for each file; of the project
modules each answer rests on (``Gate.rests_on``, what the result cache records); and of
``Gate.passes`` and ``Gate.may_pass`` (the project model's text-only look). ``--per-code``
also decides each code alone (a gate per code: every need evaluated, not only the first
met), a slower and finer check. Then one digest of everything. ``--time`` adds the CPU
seconds spent in the gate per corpus (to stderr, not part of the output to compare).
"""

from __future__ import annotations

import argparse
import ast
import collections
import glob
import hashlib
import os
import sys
import sysconfig
import time
import warnings

from flake8_ddd_events.config.settings import Settings
from flake8_ddd_events.gate.look import gate_for
from flake8_ddd_events.gate.needs import NEEDS
from flake8_ddd_events.source.modules import module_path

DEFAULT = ["/tmp/dense_gate", sysconfig.get_paths()["stdlib"], *sorted(glob.glob("/tmp/corp/*"))]


def sources(folder: str):
    """The (relative path, source, tree) of each .py file under ``folder`` that parses."""
    for root, dirs, names in os.walk("."):
        dirs[:] = sorted(d for d in dirs if d != "site-packages")
        for name in sorted(names):
            if not name.endswith(".py"):
                continue
            path = os.path.join(root, name)
            try:
                with open(path, "rb") as handle:
                    data = handle.read()
                source = data.decode("utf-8")
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    tree = ast.parse(source)
            except (OSError, UnicodeDecodeError, SyntaxError, ValueError, RecursionError):
                continue
            yield path, source, tree


def decide(folder: str, per_code: bool, timing: dict) -> dict[str, hashlib._Hash]:
    os.chdir(folder)
    settings = Settings.from_values()
    codes = frozenset(NEEDS)
    gate = gate_for(settings, codes)
    singles = {code: gate_for(settings, frozenset({code})) for code in sorted(codes)} \
        if per_code else {}
    digests = {name: hashlib.sha256() for name in ("codes", "rests-on", "passes", "per-code")}
    given: collections.Counter = collections.Counter()
    files = passed = 0
    spent = 0.0
    for path, source, tree in sources(folder):
        module, is_package = module_path(path, settings.source_roots)
        start = time.process_time()
        found = gate.codes_for(tree, source, module, is_package)
        spent += time.process_time() - start
        rests = sorted(state[0] for state in gate.rests_on())
        passes = gate.passes(tree, source, module, is_package)
        may = gate.may_pass(source, module, is_package)
        files += 1
        passed += bool(found)
        given.update(found)
        digests["codes"].update(f"{path}\0{' '.join(sorted(found))}\n".encode())
        digests["rests-on"].update(f"{path}\0{' '.join(rests)}\n".encode())
        digests["passes"].update(f"{path}\0{passes}\0{may}\n".encode())
        for code, single in singles.items():
            alone = single.codes_for(tree, source, module, is_package)
            digests["per-code"].update(f"{path}\0{code}\0{' '.join(sorted(alone))}\n".encode())
    timing[folder] = spent
    print(f"{folder}: {files} files, {passed} passed")
    print("  given: " + " ".join(f"{code}={given[code]}" for code in sorted(given)))
    for name, digest in digests.items():
        if name != "per-code" or per_code:
            print(f"  {name}: {digest.hexdigest()[:16]}")
    return digests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpora", nargs="*", default=DEFAULT)
    parser.add_argument("--per-code", action="store_true")
    parser.add_argument("--time", action="store_true")
    args = parser.parse_args()
    total = hashlib.sha256()
    timing: dict[str, float] = {}
    for folder in args.corpora:
        for digest in decide(os.path.abspath(folder), args.per_code, timing).values():
            total.update(digest.digest())
    print(f"all: {total.hexdigest()[:16]}")
    if args.time:
        for folder, spent in timing.items():
            print(f"{spent:7.2f} s  {folder}", file=sys.stderr)
        print(f"{sum(timing.values()):7.2f} s  gate CPU, in all", file=sys.stderr)


if __name__ == "__main__":
    main()
