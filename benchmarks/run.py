"""The figures of the performance table in one run: flake8 with flake8-ddd-events against
flake8 alone on the same files, interleaved, as ratios (median of ``--repeat`` rounds).

    python benchmarks/run.py [--app PATH] [--against REF ...] [--repeat 5] [--only ROW ...]

Rows (``--only`` picks some): ``dense``: the dense DDD corpus (``generate_ddd.py``,
345 files by default) cold and warm; ``stdlib``: a standard-library sample (asyncio,
concurrent, email, json, logging; ``--stdlib all`` for the whole of it) cold; ``app``: a
real application cold and warm (``--app``: a folder, or a git directory whose HEAD is
archived into a temporary folder, e.g. ``/work/.mirror/proteanhq+shopstream/repo``; the row
is skipped, and the script says so, without it); ``editor``: an editor's run on one
application-service module of the dense corpus read from stdin, "cold" with the buffer
edited (the module itself is checked, its imports come from the cache) and "warm" with
the buffer unchanged.

"Cold" runs with its cache folder removed before each run, "warm" with one filled once and
nothing changed since. "Without" runs the same flake8 through a runner that drops this
plugin from flake8's plugin finder. Every round runs each mode once, in an order that
rotates; each ratio is the run's CPU time (user+sys of the child, steadier than wall time
on a shared machine) over that of the round's run without the plugin, and the table gives
their median and range.

``--against REF`` (repeatable) times another build of the plugin in the same rounds: the
git ref of this repository is archived and installed, with the same flake8 and libcst
versions, into a virtual environment under ``--venvs`` (a temporary folder unless given;
an environment already there for the same commit is reused). So "the last round's main"
and today's code are measured on the same machine at the same time. ``--extras`` also
prints the floor (libcst's parse of the modules that pass the gate) and the editor's run at
the top of a tree of 4,000 folders.
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
REPOSITORY = os.path.dirname(HERE)
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

STDLIB_SAMPLE = ("asyncio", "concurrent", "email", "json", "logging")
ROWS = ("dense", "stdlib", "app", "editor")


def run_once(args: list[str], cwd: str, python: str | None,
             stdin: str | None = None) -> tuple[float, float, int]:
    """(cpu seconds, wall seconds, peak RSS in KiB) of one flake8 child process: with the
    plugin of ``python``'s environment, or without the plugin when ``python`` is None."""
    command = [python, "-m", "flake8"] if python else [sys.executable, "-c", WITHOUT]
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


class Build:
    """A build of the plugin: the one installed beside this interpreter, or a git ref
    installed into its own environment."""

    def __init__(self, label: str, python: str) -> None:
        self.label, self.python = label, python

    @classmethod
    def of_ref(cls, ref: str, venvs: str) -> Build:
        commit = subprocess.run(["git", "-C", REPOSITORY, "rev-parse", "--verify",
                                 f"{ref}^{{commit}}"], capture_output=True, text=True,
                                check=True).stdout.strip()
        home = os.path.join(venvs, commit[:12])
        python = os.path.join(home, "bin", "python")
        if not os.path.exists(os.path.join(home, "installed")):
            from importlib.metadata import version

            print(f"installing {ref} ({commit[:12]}) into {home}", flush=True)
            shutil.rmtree(home, ignore_errors=True)
            source = os.path.join(home, "source")
            os.makedirs(source)
            archive = subprocess.run(["git", "-C", REPOSITORY, "archive", commit],
                                     capture_output=True, check=True).stdout
            subprocess.run(["tar", "-x", "-C", source], input=archive, check=True)
            subprocess.run([sys.executable, "-m", "venv", home], check=True)
            pins = [f"flake8=={version('flake8')}", f"libcst=={version('libcst')}"]
            for packages in (pins, ["--no-deps", source]):
                subprocess.run([python, "-m", "pip", "install", "-q", *packages], check=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            open(os.path.join(home, "installed"), "w").close()
        return cls(f"{ref} ({commit[:7]})", python)


class Mode:
    """One way of running flake8: without the plugin, or one build's with a cache in a
    state (``before``/``after``: what to do around each run, by the run's index)."""

    def __init__(self, label: str, build: Build | None = None, args: tuple[str, ...] = (),
                 before=None, after=None) -> None:
        self.label, self.build, self.args = label, build, list(args)
        self.before, self.after = before, after

    def run(self, args: list[str], cwd: str, index: int, stdin=None):
        """One run; ``stdin``: the text to send, or a function of the run's index."""
        if self.before is not None:
            self.before(index)
        try:
            text = stdin(index) if callable(stdin) else stdin
            return run_once(self.args + args, cwd, self.build.python if self.build else None,
                            text)
        finally:
            if self.after is not None:
                self.after(index)


def cache_modes(folder: str, builds: list[Build], states=("cold", "warm")) -> list[Mode]:
    """Without the plugin; with each build, a cache folder cold and/or warm."""
    modes = [Mode("without")]
    for number, build in enumerate(builds):
        for state in states:
            cache = os.path.join(folder, f"{number}-{state}")
            before = ((lambda index, cache=cache: shutil.rmtree(cache, ignore_errors=True))
                      if state == "cold" else None)
            modes.append(Mode(f"{build.label} {state}", build, ("--ddd-cache-dir", cache),
                              before=before))
    return modes


def bench(name: str, args: list[str], cwd: str, repeat: int, modes: list[Mode],
          stdin=None) -> dict[str, list[tuple[float, float, int]]]:
    """Each mode's runs, interleaved (the order rotates each round), after one warm-up
    run of each (the page cache, the .pyc files, the warm caches)."""
    samples: dict[str, list[tuple[float, float, int]]] = {m.label: [] for m in modes}
    for mode in modes:
        mode.run(args, cwd, -1, stdin)
    for index in range(repeat):
        shift = index % len(modes)
        for mode in modes[shift:] + modes[:shift]:
            samples[mode.label].append(mode.run(args, cwd, index, stdin))
        print(f"  {name} {index + 1}/{repeat}: " + ", ".join(
            f"{label} {runs[-1][0]:.2f}s" for label, runs in samples.items()), flush=True)
    return samples


def ratios(samples: dict[str, list[tuple[float, float, int]]], baseline: str = "without"
           ) -> dict[str, tuple[float, float, float, float]]:
    """Per mode: (median CPU seconds, median ratio, lowest ratio, highest ratio), each
    ratio that of a run to the same round's run of ``baseline``."""
    base = [cpu for cpu, _, _ in samples[baseline]]
    result = {}
    for label, runs in samples.items():
        each = [cpu / b for (cpu, _, _), b in zip(runs, base)]
        result[label] = (statistics.median(c for c, _, _ in runs), statistics.median(each),
                         min(each), max(each))
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

    from flake8_ddd_events.gate.look import gate_for
    from flake8_ddd_events.gate.needs import NEEDS
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


def _floor(name: str, cwd: str, flake8_args: list[str], repeat: int) -> str:
    targets = [a for a in flake8_args[2:] if not a.startswith("-") and "," not in a]
    modules, seconds, silent, tokens = parse_floor(cwd, targets, repeat,
                                                   reported_without(flake8_args, cwd))
    return (f"{name}: {modules} modules pass the gate; libcst parses them in {seconds:.2f}s cpu; "
            f"{silent} of them have no finding of flake8's own (tokenizing them again, as flake8 "
            f"does in each file with a finding: {tokens:.2f}s)")


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def stdlib_case(whole: bool) -> tuple[list[str], str, int]:
    stdlib = sysconfig.get_paths()["stdlib"]
    targets = ["."] if whole else list(STDLIB_SAMPLE)
    files = sum(1 for t in targets for root, dirs, names in os.walk(os.path.join(stdlib, t))
                if "site-packages" not in root for n in names if n.endswith(".py"))
    return ["-j", "1", "--exit-zero", "--extend-exclude", "site-packages,dist-packages",
            *targets], stdlib, files


def app_folder(path: str, into: str) -> str:
    """The application's folder: ``path`` itself, or its HEAD archived when it is a git
    directory (a bare one, as the workplace's snapshots are)."""
    if not (os.path.isfile(os.path.join(path, "HEAD"))
            and os.path.isdir(os.path.join(path, "objects"))):
        return path
    folder = os.path.join(into, "app")
    os.makedirs(folder)
    archive = subprocess.run(["git", "--git-dir", path, "archive", "HEAD"], capture_output=True,
                             check=True).stdout
    subprocess.run(["tar", "-x", "-C", folder], input=archive, check=True)
    return folder


def count_files(folder: str) -> int:
    return sum(1 for root, _, names in os.walk(folder) for n in names if n.endswith(".py"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app", help="a real application: a folder or a bare git directory")
    parser.add_argument("--against", action="append", default=[], metavar="REF",
                        help="a git ref of this repository to time in the same rounds")
    parser.add_argument("--venvs", help="where --against builds are installed (kept)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--jobs", default="1")
    parser.add_argument("--only", action="append", choices=ROWS, help="some rows only")
    parser.add_argument("--stdlib", choices=("sample", "all"), default="sample")
    parser.add_argument("--modules", type=int, default=300, help="generated files")
    parser.add_argument("--classes", type=int, default=4, help="events/aggregates per file")
    parser.add_argument("--extras", action="store_true",
                        help="also the parse floor and the editor's run atop a big tree")
    args = parser.parse_args(argv)
    rows = args.only or list(ROWS)

    import flake8
    from importlib.metadata import version

    started = time.perf_counter()
    print(f"machine: {os.cpu_count()} cpus, {_cpu_model()}, load {_load()}")
    print(f"python {platform.python_version()}, flake8 {flake8.__version__}, "
          f"libcst {version('libcst')}, repeat {args.repeat}, -j {args.jobs}")
    if "app" in rows and not args.app:
        print("app: no application given (--app PATH, e.g. a Protean application's folder "
              "or git directory): that row is skipped")
        rows.remove("app")
    table: list[tuple[str, dict]] = []
    extras: list[str] = []
    with tempfile.TemporaryDirectory() as scratch:
        venvs = args.venvs or os.path.join(scratch, "venvs")
        builds = [Build("this", sys.executable),
                  *(Build.of_ref(ref, venvs) for ref in args.against)]
        caches = os.path.join(scratch, "caches")
        if "stdlib" in rows:
            flake8_args, cwd, files = stdlib_case(args.stdlib == "all")
            flake8_args[1] = args.jobs
            name = f"standard library ({'whole' if args.stdlib == 'all' else 'sample'}, " \
                   f"{files} files)"
            print(f"{name} under {cwd}", flush=True)
            table.append((name, ratios(bench("stdlib", flake8_args, cwd, args.repeat,
                                             cache_modes(os.path.join(caches, "stdlib"),
                                                         builds, ("cold",))))))
            if args.extras:
                extras.append(_floor("stdlib", cwd, flake8_args, args.repeat))
        if "app" in rows:
            folder = app_folder(os.path.abspath(args.app), scratch)
            name = f"application ({count_files(folder)} files)"
            print(f"{name} in {folder}", flush=True)
            app_args = ["-j", args.jobs, "--exit-zero", "."]
            table.append((name, ratios(bench("app", app_args, folder, args.repeat,
                                             cache_modes(os.path.join(caches, "app"),
                                                         builds)))))
        if "dense" in rows or "editor" in rows:
            from generate_ddd import generate

            folder = os.path.join(scratch, "dense")
            paths = generate(folder, args.modules, args.classes)
            if "dense" in rows:
                name = f"dense DDD ({len(paths)} files)"
                print(name, flush=True)
                dense_args = ["-j", args.jobs, "--exit-zero", "gen"]
                table.append((name, ratios(bench("dense", dense_args, folder, args.repeat,
                                                 cache_modes(os.path.join(caches, "dense"),
                                                             builds)))))
                if args.extras:
                    extras.append(_floor("dense", folder, dense_args, args.repeat))
            if "editor" in rows:
                table.append(("editor, one file (cold: buffer edited)",
                              ratios(one_file(folder, caches, args.repeat, builds))))
                if args.extras:
                    found = ratios(big_tree(folder, args.repeat))
                    extras.append(f"big tree: the editor's run (buffer unchanged, cache warm) "
                                  f"atop 4,000 folders: {found['warm'][1]:.3f}")
    print()
    print(f"CPU seconds (medians) and ratio to flake8 without the plugin, median (range) of "
          f"{args.repeat} interleaved rounds; load {_load()}, "
          f"{time.perf_counter() - started:.0f} s in all")
    print("| corpus | flake8 alone | build | cold | warm |")
    print("| --- | --- | --- | --- | --- |")
    for name, found in table:
        base = f"{found['without'][0]:.2f} s"
        for build in builds:
            cells = []
            for state in ("cold", "warm"):
                cell = found.get(f"{build.label} {state}")
                cells.append(f"{cell[0]:.2f} s, **{cell[1]:.3f}** ({cell[2]:.3f}–{cell[3]:.3f})"
                             if cell else "")
            print(f"| {name} | {base} | {build.label} | {' | '.join(cells)} |")
            name = base = ""
    for line in extras:
        print(line)
    return 0


# the module an editor's run checks: an application service importing the kernel and a
# domain module
SERVICE = os.path.join("gen", "ctx0", "application", "services0.py")


def _service(folder: str) -> str:
    with open(os.path.join(folder, SERVICE), encoding="utf-8") as handle:
        return handle.read()


def one_file(folder: str, caches: str, repeat: int, builds: list[Build]) -> dict:
    """An editor's run on one application-service module read from stdin, each build and
    state with its own cache folder, filled by the warm-up run: "cold" with the buffer
    edited (a new edit each run: the module is checked, its imports are cached), "warm"
    with the buffer unchanged."""
    buffer = _service(folder)
    args = ["--exit-zero", "--stdin-display-name", SERVICE, "-"]
    print(f"editor: {SERVICE} from stdin", flush=True)
    modes = [Mode("without")]
    for number, build in enumerate(builds):
        # a folder each: the cache keeps one entry per module, which an edited buffer's
        # run replaces
        modes += [Mode(f"{build.label} {state}", build,
                       ("--ddd-cache-dir", os.path.join(caches, f"editor-{number}-{state}")))
                  for state in ("cold", "warm")]

    def text(index: int, edited: bool) -> str:
        return f"{buffer}# edit {index} {time.time_ns()}\n" if edited else buffer

    samples: dict[str, list] = {m.label: [] for m in modes}
    for mode in modes:
        mode.run(args, folder, -1, text(-1, False))
    for index in range(repeat):
        shift = index % len(modes)
        for mode in modes[shift:] + modes[:shift]:
            samples[mode.label].append(
                mode.run(args, folder, index, text(index, mode.label.endswith("cold"))))
        print(f"  editor {index + 1}/{repeat}: " + ", ".join(
            f"{label} {runs[-1][0]:.2f}s" for label, runs in samples.items()), flush=True)
    return samples


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
                     repeat, [Mode("without"), Mode("warm", Build("this", sys.executable))],
                     stdin=buffer)


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
