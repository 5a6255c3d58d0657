"""Time flake8 with and without flake8-ddd-events on the same files, in one run.

    python benchmarks/run.py [--quick] [--repeat 5] [--jobs 1] [--only stdlib|ddd]

Corpora: the standard library of the running interpreter (``sysconfig``'s
``stdlib``, without ``site-packages``), linted from its own folder with the
default checks; and a dense DDD code base written by ``generate_ddd.py`` to a
temporary folder. "Without" runs the same flake8 through a runner that drops
this plugin from flake8's plugin finder; "with" is plain ``python -m flake8``.
The two are interleaved, each ``--repeat`` times; the script prints the medians
of CPU time (user+sys of the child, steadier than wall time on a shared
machine), of wall time, and the peak RSS of each child, and the ratios.
``--quick`` lints a subset (asyncio, email, json and 150 generated files) for
development; reported figures come from full runs. For each corpus it also prints
the floor: the CPU time libcst takes to parse (and free) the modules that pass the
gate, the least the plugin can cost while it reads them with libcst.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

WITHOUT = """\
import sys
from flake8.plugins import finder
_find = finder.find_plugins
finder.find_plugins = lambda cfg, opts: [p for p in _find(cfg, opts)
                                         if p.package != "flake8-ddd-events"]
from flake8.main.cli import main
sys.exit(main())
"""


def run_once(args: list[str], cwd: str, plugin: bool) -> tuple[float, float, int]:
    """(cpu seconds, wall seconds, peak RSS in KiB) of one flake8 child process."""
    command = [sys.executable, "-m", "flake8"] if plugin else [sys.executable, "-c", WITHOUT]
    start = time.perf_counter()
    # wait4 gives this child's own rusage (RUSAGE_CHILDREN's maxrss is the max over all).
    process = subprocess.Popen(command + args, cwd=cwd, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read().decode() if process.stderr else ""
    if process.returncode not in (0, 1) or "Traceback" in stderr:
        raise SystemExit(f"flake8 failed ({process.returncode}): {stderr[-2000:]}")
    return usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss


def bench(name: str, args: list[str], cwd: str, repeat: int) -> dict:
    samples: dict[bool, list[tuple[float, float, int]]] = {False: [], True: []}
    run_once(args, cwd, True)  # warm the page cache and the .pyc files
    for index in range(repeat):
        order = (False, True) if index % 2 == 0 else (True, False)
        for plugin in order:
            samples[plugin].append(run_once(args, cwd, plugin))
        print(f"  {name} {index + 1}/{repeat}: without {samples[False][-1][0]:.2f}s cpu, "
              f"with {samples[True][-1][0]:.2f}s cpu", flush=True)
    result = {}
    for plugin, label in ((False, "without"), (True, "with")):
        cpu, wall, rss = zip(*samples[plugin])
        result[label] = {"cpu": statistics.median(cpu), "wall": statistics.median(wall),
                         "rss": max(rss)}
    result["cpu_ratio"] = result["with"]["cpu"] / result["without"]["cpu"]
    result["wall_ratio"] = result["with"]["wall"] / result["without"]["wall"]
    return result


def parse_floor(folder: str, targets: list[str], repeat: int) -> tuple[int, float]:
    """(modules, CPU seconds): libcst's parse, and freeing, of the modules that pass the
    gate: the least the plugin can cost on them while it reads them with libcst (best
    of ``repeat``, the cyclic GC paused as in the plugin)."""
    import ast
    import gc

    import libcst

    from flake8_ddd_events.gate import NEEDS, gate_for
    from flake8_ddd_events.modules import module_path
    from flake8_ddd_events.settings import Settings

    here = os.getcwd()
    os.chdir(folder)
    try:
        settings = Settings.from_values()
        gate = gate_for(settings, frozenset(NEEDS))
        sources = []
        for target in targets:
            for root, dirs, names in os.walk(target):
                dirs[:] = [d for d in dirs if d not in ("site-packages", "dist-packages")]
                for name in names:
                    if not name.endswith(".py"):
                        continue
                    path = os.path.join(root, name)
                    try:
                        with open(path, encoding="utf-8") as handle:
                            source = handle.read()
                        tree = ast.parse(source)
                    except (SyntaxError, UnicodeDecodeError, ValueError):
                        continue
                    module, package = module_path(path, settings.source_roots)
                    if gate.codes_for(tree, source, module, package):
                        sources.append(source)
    finally:
        os.chdir(here)
    best = float("inf")
    for _ in range(repeat):
        gc.disable()
        start = time.process_time()
        for source in sources:
            try:
                libcst.parse_module(source)
            except Exception:  # noqa: BLE001 - DDD000 material; the floor skips it
                pass
        best = min(best, time.process_time() - start)
        gc.enable()
    return len(sources), best


def stdlib_case(quick: bool) -> tuple[list[str], str, int]:
    stdlib = sysconfig.get_paths()["stdlib"]
    if quick:
        targets = ["asyncio", "email", "json"]
    else:
        targets = ["."]
    files = sum(1 for t in targets for root, dirs, names in os.walk(os.path.join(stdlib, t))
                if "site-packages" not in root for n in names if n.endswith(".py"))
    return ["-j", "1", "--exit-zero", "--extend-exclude", "site-packages,dist-packages",
            *targets], stdlib, files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a subset, for development")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--jobs", default="1")
    parser.add_argument("--only", choices=("stdlib", "ddd"))
    parser.add_argument("--modules", type=int, default=300, help="generated files")
    parser.add_argument("--classes", type=int, default=4, help="events/aggregates per file")
    args = parser.parse_args(argv)

    import flake8
    import libcst  # noqa: F401

    from importlib.metadata import version

    print(f"machine: {os.cpu_count()} cpus, {_cpu_model()}, load {os.getloadavg()[0]:.2f}")
    print(f"python {platform.python_version()}, flake8 {flake8.__version__}, "
          f"libcst {version('libcst')}, repeat {args.repeat}, -j {args.jobs}")
    results = {}
    if args.only in (None, "stdlib"):
        flake8_args, cwd, files = stdlib_case(args.quick)
        flake8_args[1] = args.jobs
        print(f"stdlib: {files} files under {cwd}", flush=True)
        results["stdlib"] = bench("stdlib", flake8_args, cwd, args.repeat)
        targets = flake8_args[5:]  # after -j N --exit-zero --extend-exclude X
        results["stdlib"]["floor"] = parse_floor(cwd, targets, args.repeat)
    if args.only in (None, "ddd"):
        from generate_ddd import generate

        with tempfile.TemporaryDirectory() as folder:
            modules = 150 if args.quick else args.modules
            paths = generate(folder, modules, args.classes)
            lines = sum(open(p, encoding="utf-8").read().count("\n") for p in paths)
            print(f"dense DDD: {len(paths)} files, {lines} lines "
                  f"({args.classes} events/aggregates per module)", flush=True)
            results["ddd"] = bench("ddd", ["-j", args.jobs, "--exit-zero", "gen"], folder,
                                   args.repeat)
            results["ddd"]["floor"] = parse_floor(folder, ["gen"], args.repeat)
    print()
    for name, r in results.items():
        modules, seconds = r["floor"]
        print(f"{name}: {modules} modules pass the gate; libcst parses them in {seconds:.2f}s "
              f"cpu = {seconds / r['without']['cpu']:.3f} of flake8 without the plugin "
              f"(the least the plugin can add while it reads them with libcst)")
    print()
    print(f"{'corpus':8} {'cpu without':>12} {'cpu with':>10} {'ratio':>6}   "
          f"{'wall without':>12} {'wall with':>10} {'ratio':>6}   {'peak RSS without/with (MiB)':>28}")
    for name, r in results.items():
        print(f"{name:8} {r['without']['cpu']:11.2f}s {r['with']['cpu']:9.2f}s "
              f"{r['cpu_ratio']:6.3f}   {r['without']['wall']:11.2f}s {r['with']['wall']:9.2f}s "
              f"{r['wall_ratio']:6.3f}   {r['without']['rss'] / 1024:13.0f} / "
              f"{r['with']['rss'] / 1024:.0f}")
    return 0


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown cpu"


if __name__ == "__main__":
    raise SystemExit(main())
