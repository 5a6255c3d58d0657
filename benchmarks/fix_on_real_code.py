"""Run ``ddd-events fix`` on the development corpus and check that the fixed code still works.

    python benchmarks/fix_on_real_code.py SNAPSHOTS [--only NAME] [--python PYTHON]
    python benchmarks/fix_on_real_code.py --tree FOLDER [--python PYTHON]

For each repository of ``benchmarks/real_world.py``'s corpus (archived from its pinned
commit into a temporary folder, nothing kept), the fixer runs on a copy; then

- every changed module must still compile;
- every class the fix changed is built, in a subprocess, the way the project builds it:
  each call of the class found in the project (``OrderPlaced(a, b=…)``, ``cls(…)`` in its
  own body) gives a shape (how many positional arguments, which keywords), filled with
  placeholders; the module is imported and each shape built once from the original tree
  and once from the fixed tree, and the outcomes must agree (a module that cannot be
  imported here, for a dependency that is not installed, is imported with stand-ins for
  the missing packages; a shape that fails on the original too says nothing).

- every module of the repository (not only the changed ones: freezing a base breaks the
  modules of its subclasses) is imported, in a subprocess, from the original tree and from
  the fixed tree, with the repository's source roots (as the plugin finds them) on
  ``sys.path``; a module that imports before must import after. A module that does not
  import before (a dependency missing, a service it connects to at import) says nothing.

The imports run under ``--python`` (default: this interpreter). To make them meaningful,
give it an environment with the corpus's usual dependencies, used only by this script::

    python3 -m venv /tmp/corpus-deps
    /tmp/corpus-deps/bin/pip install pydantic sqlalchemy fastapi eventsourcing attrs \
        protean msgspec motor aiokafka dependency-injector punq httpx
    python benchmarks/fix_on_real_code.py /work/.mirror --python /tmp/corpus-deps/bin/python

It prints, per repository, what the fixer fixed and left (with its reasons), then the
checks, and exits 1 when a check fails. Not a test: it needs the snapshots, and it runs
the corpus code (the plugin never does; this script is the developer's).
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from real_world import archived  # noqa: E402

_FIX = "import sys; from flake8_ddd_events.cli import main; sys.exit(main(['fix', '.']))"

# Builds the classes of the changed modules in one tree; prints each outcome as JSON.
_BUILD = r'''
import importlib, importlib.abc, importlib.machinery, json, os, sys, types

from flake8_ddd_events.source.modules import discover_roots

class _Stub:
    """Stands in for anything of a package that is not installed here."""
    def __init__(self, *args, **kwargs): pass
    def __call__(self, *args, **kwargs):
        return args[0] if len(args) == 1 and callable(args[0]) and not kwargs else _Stub()
    def __getattr__(self, name): return _Stub()
    def __class_getitem__(cls, item): return cls
    def __iter__(self): return iter(())
    def __mro_entries__(self, bases): return (_Stub,)

class _Module(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return type(name, (_Stub,), {})

class _Missing(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def __init__(self, stubbed, wanted): self.stubbed, self.wanted = stubbed, wanted
    def find_spec(self, name, path, target=None):
        if name.partition(".")[0] not in self.wanted:  # only what the project imports
            return None
        if importlib.machinery.PathFinder.find_spec(name, path) is not None:
            return None
        self.stubbed.add(name.partition(".")[0])
        return importlib.machinery.ModuleSpec(name, self, is_package=True)
    def create_module(self, spec):
        module = _Module(spec.name)
        module.__path__ = []
        return module
    def exec_module(self, module): pass

plan = json.loads(sys.stdin.read())
sys.path[:0] = [os.path.abspath(r) for r in discover_roots(".")]
stubbed = set()
sys.meta_path.append(_Missing(stubbed, set(plan["external"])))
out = {}
for module, classes in plan["modules"].items():
    try:
        loaded = importlib.import_module(module)
    except BaseException as error:
        out[module] = {"import": f"{type(error).__name__}: {str(error)[:120]}"}
        continue
    result = {"import": "ok", "built": {}}
    for name, shapes in classes.items():
        cls = loaded
        try:
            for part in name.split("."):
                cls = getattr(cls, part)
        except AttributeError as error:
            result["built"][name] = [f"AttributeError: {error}"]
            continue
        outcomes = []
        for positional, keywords in shapes:
            try:
                cls(*([None] * positional), **{k: None for k in keywords})
                outcomes.append("built")
            except BaseException as error:
                outcomes.append(f"{type(error).__name__}: {str(error)[:120]}")
        result["built"][name] = outcomes
    out[module] = result
out["__stubbed__"] = sorted(stubbed)
print(json.dumps(out))
'''


# Imports each module of one tree, each given at most ``_IMPORT_SECONDS``; writes each
# outcome as JSON to the file named by argv[1] (the modules may print anything).
_IMPORT_SECONDS = 20
_IMPORT_ALL = r'''
import importlib, json, os, signal, sys

out_path, plan = sys.argv[1], json.loads(sys.stdin.read())
sys.path[:0] = plan["roots"]

def stop(signum, frame):
    raise TimeoutError("import took too long")

signal.signal(signal.SIGALRM, stop)
outcomes = {}
for module in plan["modules"]:
    signal.alarm(plan["seconds"])
    try:
        importlib.import_module(module)
        outcomes[module] = "ok"
    except BaseException as error:
        outcomes[module] = f"{type(error).__name__}: {str(error)[:160]}"
    finally:
        signal.alarm(0)
with open(out_path, "w") as handle:
    json.dump(outcomes, handle)
os._exit(0)
'''


def import_all(tree: str, roots: list[str], modules: list[str], python: str) -> dict[str, str]:
    """Each module's import outcome in a fresh interpreter run in ``tree``: "ok" or the error."""
    out = os.path.join(tempfile.mkdtemp(prefix="ddd-imports-"), "outcomes.json")
    plan = {"roots": [os.path.join(tree, root) for root in roots], "modules": modules,
            "seconds": _IMPORT_SECONDS}
    try:
        subprocess.run([python, "-c", _IMPORT_ALL, out], cwd=tree, input=json.dumps(plan),
                       capture_output=True, text=True, timeout=_IMPORT_SECONDS * len(modules) + 60)
        with open(out, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError, subprocess.TimeoutExpired) as error:
        return {"__error__": f"{type(error).__name__}: {error}"}
    finally:
        shutil.rmtree(os.path.dirname(out), ignore_errors=True)


def importable_modules(tree: str, files: list[str], roots: tuple[str, ...]) -> list[str]:
    """The dotted name of every module of the tree (setup scripts and ``__main__`` left out:
    importing them runs them), each once, in file order."""
    from flake8_ddd_events.source.modules import module_path

    cwd = os.getcwd()
    os.chdir(tree)
    try:
        names = [module_path(name, roots)[0] for name in files
                 if os.path.basename(name) not in ("setup.py", "__main__.py", "conftest.py")]
    finally:
        os.chdir(cwd)
    return list(dict.fromkeys(n for n in names if n and all(p.isidentifier() for p in n.split("."))))


def imports_kept(original: str, fixed: str, files: list[str], python: str) -> int:
    """Import every module of both trees; the failures: a module that imported before and
    does not after."""
    from flake8_ddd_events.source.modules import discover_roots

    roots = discover_roots(original)
    modules = importable_modules(original, files, roots)
    before = import_all(original, list(roots), modules, python)
    after = import_all(fixed, list(roots), modules, python)
    if "__error__" in before or "__error__" in after:
        print(f"    FAIL  the import step did not finish: {before.get('__error__') or after.get('__error__')}")
        return 1
    imported = [m for m in modules if before.get(m) == "ok"]
    broken = [m for m in imported if after.get(m) != "ok"]
    for module in broken:
        print(f"    FAIL  {module} imported before the fix and not after: {after.get(module)}")
    print(f"  import check: {len(imported) - len(broken)}/{len(imported)} modules that imported "
          f"before import after ({len(modules) - len(imported)} of {len(modules)} did not import "
          f"before; roots {', '.join(roots)})")
    why = Counter(_reason(before[m]) for m in modules if before.get(m) != "ok")
    if why:
        print("    did not import before: " + "; ".join(f"{count} {reason}"
                                                       for reason, count in why.most_common(4)))
    return len(broken)


def _reason(error: str) -> str:
    """An import error, shortened to its kind (the missing package, for a missing module)."""
    kind, _, message = error.partition(": ")
    if kind == "ModuleNotFoundError" and "'" in message:
        return f"no module {message.split(chr(39))[1].partition('.')[0]}"
    return kind


def python_files(root: str) -> list[str]:
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        found += [os.path.relpath(os.path.join(dirpath, f), root) for f in sorted(filenames)
                  if f.endswith(".py")]
    return found


def read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError):
        return None


def classes_changed(before: str, after: str) -> list[str]:
    """Qualified names of the classes whose code the fix changed."""
    def dumps(source: str) -> dict[str, str]:
        found: dict[str, str] = {}

        def walk(body, prefix: str) -> None:
            for node in body:
                if isinstance(node, ast.ClassDef):
                    name = f"{prefix}{node.name}"
                    found[name] = ast.dump(node)
                    walk(node.body, f"{name}.")
        walk(ast.parse(source).body, "")
        return found
    old, new = dumps(before), dumps(after)
    return sorted(name for name in new if old.get(name) != new[name])


def call_shapes(root: str, files: list[str], names: set[str]) -> dict[str, set[tuple[int, tuple[str, ...]]]]:
    """For each class name, the shapes of the calls that build it in the project: by its
    name anywhere, or ``cls(…)`` in its own body. Calls that unpack arguments are skipped."""
    shapes: dict[str, set[tuple[int, tuple[str, ...]]]] = {name: set() for name in names}

    def shape(call: ast.Call) -> tuple[int, tuple[str, ...]] | None:
        if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
            return None
        return len(call.args), tuple(sorted(k.arg for k in call.keywords))

    for name in files:
        source = read(os.path.join(root, name))
        try:
            tree = ast.parse(source or "")
        except SyntaxError:
            continue
        for cls in [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and n.name in names]:
            for node in ast.walk(cls):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "cls":
                    found = shape(node)
                    if found:
                        shapes[cls.name].add(found)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                called = node.func.id if isinstance(node.func, ast.Name) else \
                    node.func.attr if isinstance(node.func, ast.Attribute) else None
                if called in names:
                    found = shape(node)
                    if found:
                        shapes[called].add(found)
    return shapes


def imported_packages(root: str, files: list[str]) -> set[str]:
    """The top-level packages the project's files import by absolute name."""
    found = set()
    for name in files:
        try:
            tree = ast.parse(read(os.path.join(root, name)) or "")
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found.update(alias.name.partition(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                found.add(node.module.partition(".")[0])
    return found - set(sys.stdlib_module_names)


def build(tree: str, plan: dict) -> dict:
    result = subprocess.run([sys.executable, "-c", _BUILD], cwd=tree, input=json.dumps(plan),
                            capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        return {"__error__": result.stderr[-2000:]}
    return json.loads(result.stdout.splitlines()[-1])


def check(repo: str, folder: str, python: str = sys.executable) -> int:
    from flake8_ddd_events.source.modules import discover_roots, module_path

    with tempfile.TemporaryDirectory(prefix="ddd-fix-") as work:
        original, fixed = os.path.join(work, "original"), os.path.join(work, "fixed")
        shutil.copytree(folder, original)
        shutil.copytree(folder, fixed)
        run = subprocess.run([sys.executable, "-c", _FIX], cwd=fixed, capture_output=True, text=True)
        said = [line.removeprefix("./") for line in run.stderr.splitlines()]
        fixed_lines = [line for line in said if " fixed: " in line and " not fixed: " not in line]
        left = [line for line in said if " not fixed: " in line]
        print(f"  fixer: exit {run.returncode}; {len(fixed_lines)} fixed, {len(left)} left")
        for line in left:
            print(f"    left  {line}")
        if "Traceback" in run.stderr:
            print(run.stderr[-3000:])
            return 1
        files = python_files(original)
        changed = [f for f in files if read(os.path.join(original, f)) != read(os.path.join(fixed, f))]
        failures = 0
        classes: dict[str, list[str]] = {}
        for name in changed:
            after = read(os.path.join(fixed, name)) or ""
            try:
                compile(after, name, "exec")
            except SyntaxError as error:
                print(f"    FAIL  {name} no longer compiles: {error}")
                failures += 1
                continue
            classes[name] = classes_changed(read(os.path.join(original, name)) or "", after)
        print(f"  {len(changed)} modules changed, all compile" if not failures else
              f"  {len(changed)} modules changed, {failures} do not compile")
        if not changed:
            return failures
        failures += imports_kept(original, fixed, files, python)
        roots = discover_roots(original)
        names = {c.rpartition(".")[2] for found in classes.values() for c in found}
        shapes = call_shapes(original, files, names)
        cwd = os.getcwd()
        os.chdir(original)
        try:
            modules = {module_path(name, roots)[0]: {
                c: sorted(shapes.get(c.rpartition(".")[2], ())) for c in found}
                for name, found in classes.items()}
        finally:
            os.chdir(cwd)
        plan = {"modules": modules, "external": sorted(imported_packages(original, files))}
        before, after = build(original, plan), build(fixed, plan)
        for report in (before, after):
            if "__error__" in report:
                print(f"    FAIL  the build step crashed:\n{report['__error__']}")
                return failures + 1
        stubbed = after.pop("__stubbed__")
        before.pop("__stubbed__")
        built = same = 0
        for module, result in sorted(after.items()):
            was = before.get(module, {})
            if result["import"] != "ok" or was.get("import") != "ok":
                status = "same" if result["import"] == was.get("import") else "DIFFERENT"
                print(f"    {'FAIL' if status != 'same' else 'skip'}  {module}: import "
                      f"{was.get('import')!r} -> {result['import']!r}")
                failures += status != "same"
                continue
            for cls, outcomes in sorted(result["built"].items()):
                previous = was["built"].get(cls, [])
                count = len(outcomes)
                for shape, old, new in zip(modules[module][cls], previous, outcomes):
                    if old != new:
                        print(f"    FAIL  {module}.{cls}{tuple(shape)}: {old} -> {new}")
                        failures += 1
                    else:
                        same += 1
                built += count
                print(f"    ok    {module}.{cls}: imports; {count} call shape"
                      f"{'s' * (count != 1)} found in the project, "
                      f"{sum(o == 'built' for o in outcomes)} built on both trees")
        print(f"  build check: {same}/{built} call shapes behave as before"
              + (f" (stand-ins for: {', '.join(stubbed)})" if stubbed else ""))
        return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("snapshots", nargs="?", help="folder holding the repositories' snapshots")
    parser.add_argument("--tree", help="check this one folder (a checkout of any project) "
                                       "instead of the corpus")
    parser.add_argument("--only", help="only the repositories whose name contains this")
    parser.add_argument("--python", default=sys.executable,
                        help="the interpreter that imports the repositories' modules (an "
                             "environment with their dependencies: see above)")
    args = parser.parse_args()
    failures = 0
    if args.tree:
        print(f"## {args.tree}")
        failures = check(args.tree, args.tree, args.python)
        print(f"\n{failures} failed check{'s' * (failures != 1)}")
        return 1 if failures else 0
    if not args.snapshots:
        parser.error("give SNAPSHOTS or --tree")
    for repo, commit, style, folder in archived(args.snapshots, args.only):
        print(f"## {repo} @ {commit} ({style})")
        if folder is None:
            print("  no snapshot")
            continue
        failures += check(repo, folder, args.python)
    print(f"\n{failures} failed check{'s' * (failures != 1)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
