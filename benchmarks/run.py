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

The result cache: "with" runs in three states, each with its own cache folder,
interleaved with the others: cold (the folder removed before each run), warm (filled
once, nothing changed since) and, on the dense code base, warm after one edit (a
comment added to one domain module that only its application service imports, a
different one each run, removed afterwards). On the dense code base it also times
an editor's run: one application-service module read from stdin, with and without
the plugin, warm (nothing changed) and with the buffer edited (the module itself
is checked, its imports are not changed); the same warm run at the top of a large
tree of 4,000 folders (where the default source roots are looked for); and it
prints the size of the cache.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
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


# Installed packages come with their bytecode (pip compiles it), and an editable install
# writes it on first import; a machine with PYTHONDONTWRITEBYTECODE set would instead
# compile the plugin's modules again in every timed run (about 0.04 s), so the children run
# without it and the warm-up run of each mode writes the plugin's .pyc files.
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run_once(args: list[str], cwd: str, plugin: bool,
             stdin: str | None = None) -> tuple[float, float, int]:
    """(cpu seconds, wall seconds, peak RSS in KiB) of one flake8 child process."""
    command = [sys.executable, "-m", "flake8"] if plugin else [sys.executable, "-c", WITHOUT]
    start = time.perf_counter()
    # wait4 gives this child's own rusage (RUSAGE_CHILDREN's maxrss is the max over all).
    process = subprocess.Popen(command + args, cwd=cwd, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, env=CHILD_ENV,
                               stdin=subprocess.PIPE if stdin is not None else None)
    if stdin is not None:
        process.stdin.write(stdin.encode("utf-8"))
        process.stdin.close()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read().decode() if process.stderr else ""
    if process.returncode not in (0, 1) or "Traceback" in stderr:
        raise SystemExit(f"flake8 failed ({process.returncode}): {stderr[-2000:]}")
    return usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss


class Mode:
    """One way of running flake8: without the plugin, or with it and a cache in a state."""

    def __init__(self, label: str, plugin: bool = True, args: tuple[str, ...] = (),
                 before=None, after=None) -> None:
        self.label, self.plugin, self.args = label, plugin, list(args)
        self.before, self.after = before, after

    def run(self, args: list[str], cwd: str, index: int, stdin=None):
        """One run; ``stdin``: the text to send, or a function of the run's index."""
        if self.before is not None:
            self.before(index)
        try:
            text = stdin(index) if callable(stdin) else stdin
            return run_once(self.args + args, cwd, self.plugin, text)
        finally:
            if self.after is not None:
                self.after(index)


def cache_modes(folder: str, edit: str | None = None) -> list[Mode]:
    """Without the plugin; with it, cold and warm; and warm after one edit to ``edit``."""
    cold = os.path.join(folder, "cold")
    modes = [Mode("without", plugin=False),
             Mode("cold", args=("--ddd-cache-dir", cold),
                  before=lambda index: shutil.rmtree(cold, ignore_errors=True)),
             Mode("warm", args=("--ddd-cache-dir", os.path.join(folder, "warm")))]
    if edit is not None:
        with open(edit, encoding="utf-8") as handle:
            original = handle.read()

        def change(index: int) -> None:
            with open(edit, "w", encoding="utf-8") as handle:
                handle.write(f"{original}# edit {index} {time.time_ns()}\n")

        def restore(index: int) -> None:
            with open(edit, "w", encoding="utf-8") as handle:
                handle.write(original)

        modes.append(Mode("edited", args=("--ddd-cache-dir", os.path.join(folder, "edited")),
                          before=change, after=restore))
    return modes


def bench(name: str, args: list[str], cwd: str, repeat: int, modes: list[Mode],
          stdin=None) -> dict:
    """Medians of each mode's runs, interleaved (the order rotates each round)."""
    samples: dict[str, list[tuple[float, float, int]]] = {m.label: [] for m in modes}
    for mode in modes:  # warm the page cache and the .pyc files; fill the warm caches
        mode.run(args, cwd, -1, stdin)
    for index in range(repeat):
        shift = index % len(modes)
        for mode in modes[shift:] + modes[:shift]:
            samples[mode.label].append(mode.run(args, cwd, index, stdin))
        print(f"  {name} {index + 1}/{repeat}: " + ", ".join(
            f"{label} {runs[-1][0]:.2f}s" for label, runs in samples.items()), flush=True)
    result = {}
    for label, runs in samples.items():
        cpu, wall, rss = zip(*runs)
        result[label] = {"cpu": statistics.median(cpu), "wall": statistics.median(wall),
                         "rss": max(rss)}
    return result


def reported_without(args: list[str], cwd: str) -> set[str]:
    """The files flake8 without the plugin reports something in (as it names them)."""
    result = subprocess.run([sys.executable, "-c", WITHOUT, *args], cwd=cwd, env=CHILD_ENV,
                            capture_output=True, text=True)
    return {os.path.normpath(line.split(":", 1)[0]) for line in result.stdout.splitlines()
            if ":" in line}


def parse_floor(folder: str, targets: list[str], repeat: int,
                reported: set[str]) -> tuple[int, float, int, float]:
    """(modules, CPU seconds, modules, CPU seconds): the plugin's libcst parse, and
    freeing, of the modules that pass the gate (``parsing.parse``: libcst's native parser,
    its per-node validation skipped), the least the plugin can cost on them while it reads
    them with libcst; and tokenizing again those of them flake8 alone reports nothing in
    (``reported`` holds the others): flake8 tokenizes each file that has a finding a
    second time, to map ``# noqa`` comments to lines, whoever reports it, so a finding of
    the plugin's costs that only in a file flake8 would have left alone. Best of
    ``repeat``, the cyclic GC paused as in the plugin."""
    import ast
    import gc
    import io
    import tokenize

    from flake8_ddd_events.gate.look import NEEDS, gate_for
    from flake8_ddd_events.source.modules import module_path
    from flake8_ddd_events.syntax.parsing import Unparsable, parse
    from flake8_ddd_events.config.settings import Settings

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
                    if settings.is_test_module(module):
                        continue  # the plugin leaves test code alone
                    if gate.codes_for(tree, source, module, package):
                        sources.append((source, os.path.normpath(path) not in reported))
    finally:
        os.chdir(here)
    best = best_tokens = float("inf")
    for _ in range(repeat):
        gc.disable()
        start = time.process_time()
        for source, _ in sources:
            try:
                parse(source)
            except Unparsable:  # DDD000 material; the floor skips it
                pass
        best = min(best, time.process_time() - start)
        start = time.process_time()
        silent = [source for source, unreported in sources if unreported]
        for source in silent:
            list(tokenize.generate_tokens(io.StringIO(source).readline))
        best_tokens = min(best_tokens, time.process_time() - start)
        gc.enable()
    return len(sources), best, len(silent), best_tokens


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
    floors = {}
    with tempfile.TemporaryDirectory() as caches:
        if args.only in (None, "stdlib"):
            flake8_args, cwd, files = stdlib_case(args.quick)
            flake8_args[1] = args.jobs
            print(f"stdlib: {files} files under {cwd}", flush=True)
            results["stdlib"] = bench("stdlib", flake8_args, cwd, args.repeat,
                                      cache_modes(os.path.join(caches, "stdlib")))
            targets = flake8_args[5:]  # after -j N --exit-zero --extend-exclude X
            floors["stdlib"] = parse_floor(cwd, targets, args.repeat,
                                           reported_without(flake8_args, cwd))
        if args.only in (None, "ddd"):
            from generate_ddd import generate

            with tempfile.TemporaryDirectory() as folder:
                modules = 150 if args.quick else args.modules
                paths = generate(folder, modules, args.classes)
                lines = sum(open(p, encoding="utf-8").read().count("\n") for p in paths)
                print(f"dense DDD: {len(paths)} files, {lines} lines "
                      f"({args.classes} events/aggregates per module)", flush=True)
                leaf = os.path.join(folder, "gen", "ctx0", "domain", "model0.py")
                ddd = os.path.join(caches, "ddd")
                ddd_args = ["-j", args.jobs, "--exit-zero", "gen"]
                results["ddd"] = bench("ddd", ddd_args, folder, args.repeat,
                                       cache_modes(ddd, edit=leaf))
                floors["ddd"] = parse_floor(folder, ["gen"], args.repeat,
                                            reported_without(ddd_args, folder))
                size = _cache_size(os.path.join(ddd, "warm"))
                results["one file"] = one_file(folder, caches, args.repeat)
                results["big tree"] = big_tree(folder, args.repeat)
    print()
    for name, (modules, seconds, silent, tokens) in floors.items():
        base = results[name]["without"]["cpu"]
        print(f"{name}: {modules} modules pass the gate; libcst parses them in {seconds:.2f}s "
              f"cpu = {seconds / base:.3f} of flake8 without the plugin (the least the plugin "
              f"can add while it reads them with libcst); {silent} of them have no finding "
              f"of flake8's own, and tokenizing them again, as flake8 does in each file with "
              f"a finding, takes {tokens:.2f}s = {tokens / base:.3f}")
    if "ddd" in results:
        print(f"ddd: the result cache holds {size / 1024:.0f} KiB")
    print()
    print("CPU seconds (medians), ratio to flake8 without the plugin, peak RSS (MiB):")
    for name, r in results.items():
        base = r["without"]["cpu"]
        print(f"{name:9} without {base:7.2f}s {r['without']['rss'] / 1024:4.0f} MiB   " + "   ".join(
            f"{label} {m['cpu']:6.2f}s {m['cpu'] / base:5.3f} {m['rss'] / 1024:4.0f} MiB"
            for label, m in r.items() if label != "without"))
    return 0


# the module an editor's run checks: an application service importing the kernel and a
# domain module
SERVICE = os.path.join("gen", "ctx0", "application", "services0.py")


def _service(folder: str) -> str:
    with open(os.path.join(folder, SERVICE), encoding="utf-8") as handle:
        return handle.read()


def one_file(folder: str, caches: str, repeat: int) -> dict:
    """An editor's run on one application-service module read from stdin: the cache warm
    and the buffer unchanged, or the buffer edited (its imports unchanged)."""
    buffer = _service(folder)
    args = ["--exit-zero", "--stdin-display-name", SERVICE, "-"]
    cache = ("--ddd-cache-dir", os.path.join(caches, "editor"))
    print(f"one file: {SERVICE} from stdin", flush=True)
    plain = bench("one file", args, folder, repeat, [
        Mode("without", plugin=False), Mode("warm", args=cache)], stdin=buffer)
    # an edited buffer, a new edit each run: the module is checked, its imports are cached
    edited = bench("one file", args, folder, repeat, [Mode("edited", args=cache)],
                   stdin=lambda index: f"{buffer}# edit {index} {time.time_ns()}\n")
    return {**plain, **edited}


def big_tree(folder: str, repeat: int, packages: int = 40, modules: int = 100) -> dict:
    """The editor's run of ``one_file`` (buffer unchanged, cache warm) at the top of a large
    tree: ``packages`` × ``modules`` folders of three files each, where the default source
    roots are looked for (and, with the cache, kept)."""
    buffer = _service(folder)
    with tempfile.TemporaryDirectory() as tree:
        for package in range(packages):
            for module in range(modules):
                path = os.path.join(tree, f"pkg{package}", f"mod{module}")
                os.makedirs(path)
                for file in ("__init__.py", "a.py", "b.py"):
                    open(os.path.join(path, file), "w").close()
        print(f"big tree: {packages * modules} folders, one file from stdin", flush=True)
        return bench("big tree", ["--exit-zero", "--stdin-display-name", SERVICE, "-"], tree,
                     repeat, [Mode("without", plugin=False), Mode("warm")], stdin=buffer)


def _cache_size(folder: str) -> int:
    sys.path.insert(0, os.path.dirname(HERE))
    from flake8_ddd_events.cache import Folder

    return Folder(folder).usage().size


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
