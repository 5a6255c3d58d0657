"""``phases.py`` for several builds of the plugin, interleaved: where a change moved the time.

    python benchmarks/phases_against.py --against REF [--against REF ...] [--repeat 5]
        [--corpus FOLDER] [-- flake8 arguments]

Each build runs its own ``benchmarks/phases.py`` (the steps it names are its own: the
modules moved between rounds) on the same corpus, one build after the other in an order
that rotates each round; the script prints each step's median over the rounds, per build,
and the last build's difference from the first. "this" is the build installed beside this
interpreter, run with this checkout's ``phases.py``; ``--against`` builds are installed as
``run.py`` installs them (``--venvs`` keeps them). The corpus is the dense DDD corpus
(``generate_ddd.py``, written to a temporary folder) unless ``--corpus`` names a folder; the
flake8 arguments default to ``-j 1 --exit-zero --ddd-cache=false gen``.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from run import CHILD_ENV, Build  # noqa: E402

_TOTAL = re.compile(r"flake8 with the plugin: ([\d.]+)s cpu; the rules together: ([\d.]+)s")
_STEP = re.compile(r"\s*([\d.]+)s\s+\d+\s+(.*)")


def phases(build: Build, script: str, cwd: str, args: list[str]) -> dict[str, float]:
    """One run of a build's ``phases.py``: exclusive CPU seconds by step."""
    result = subprocess.run([build.python, script, *args], cwd=cwd, env=CHILD_ENV,
                            capture_output=True, text=True)
    steps: dict[str, float] = {}
    for line in result.stderr.splitlines():
        total = _TOTAL.match(line)
        if total:
            steps["flake8 with the plugin, in all"] = float(total[1])
            steps["the rules together"] = float(total[2])
        elif step := _STEP.match(line):
            steps[step[2]] = float(step[1])
    if not steps:
        raise SystemExit(f"{build.label}: phases.py failed: {result.stderr[-2000:]}")
    return steps


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", action="append", default=[], metavar="REF", required=True)
    parser.add_argument("--venvs", help="where --against builds are installed (kept)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--corpus", help="a folder to run in (default: the dense corpus)")
    parser.add_argument("flake8", nargs="*", help="flake8's arguments (after --)")
    args = parser.parse_args(argv)
    flake8_args = args.flake8 or ["-j", "1", "--exit-zero", "--ddd-cache=false", "gen"]
    with tempfile.TemporaryDirectory() as scratch:
        venvs = args.venvs or os.path.join(scratch, "venvs")
        builds = [(Build.of_ref(ref, venvs), ref) for ref in args.against]
        runs = [(build, os.path.join(os.path.dirname(build.python), os.pardir, "source",
                                     "benchmarks", "phases.py")) for build, _ in builds]
        runs.append((Build("this", sys.executable), os.path.join(HERE, "phases.py")))
        corpus = args.corpus
        if corpus is None:
            from generate_ddd import generate

            corpus = os.path.join(scratch, "dense")
            generate(corpus)
        samples: dict[str, dict[str, list[float]]] = {b.label: collections.defaultdict(list)
                                                      for b, _ in runs}
        for index in range(args.repeat):
            shift = index % len(runs)
            for build, script in runs[shift:] + runs[:shift]:
                for step, seconds in phases(build, script, corpus, flake8_args).items():
                    samples[build.label][step].append(seconds)
            print(f"round {index + 1}/{args.repeat}: " + ", ".join(
                f"{label} {steps['flake8 with the plugin, in all'][-1]:.2f}s"
                for label, steps in samples.items()), flush=True)
    labels = list(samples)
    medians = {label: {step: statistics.median(values) for step, values in steps.items()}
               for label, steps in samples.items()}
    order = sorted({step for steps in medians.values() for step in steps},
                   key=lambda step: -max(m.get(step, 0.0) for m in medians.values()))
    print(f"\nexclusive CPU seconds, medians of {args.repeat} interleaved rounds (steps a "
          "build does not name: 0)")
    print("| step | " + " | ".join(labels) + " | difference |")
    print("| --- |" + " --- |" * (len(labels) + 1))
    for step in order:
        values = [medians[label].get(step, 0.0) for label in labels]
        print(f"| {step} | " + " | ".join(f"{v:.3f}" for v in values)
              + f" | {values[-1] - values[0]:+.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
