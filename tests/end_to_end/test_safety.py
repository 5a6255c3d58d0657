"""Safety: checked code is read, never imported or executed; nothing outside the source
roots is read; symlinks out of the roots are not followed; loops, FIFOs, directories
named like modules and unreadable files are survived.

The in-process checks run in a fresh interpreter with an audit hook (PEP 578) that
records every ``open``, ``import`` and ``exec`` while the checker runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from flake8_ddd_events.lint.pipeline import check_source
from flake8_ddd_events.model.project_model import ProjectModel
from flake8_ddd_events.plugin import all_codes
from flake8_ddd_events.config.settings import Settings

BOOM = 'raise SystemExit("imported!")\n'

# ``Happening`` is an event only because its base, in another module, is a DomainEvent:
# a finding on it proves the model read (and only read) that module.
KERNEL = BOOM + textwrap.dedent("""\
    class DomainEvent:
        pass


    class Happening(DomainEvent):
        pass
""")
MODEL = textwrap.dedent("""\
    from dataclasses import dataclass

    from {module} import Happening


    @dataclass(frozen=True)
    class OrderPlaced(Happening):
        line_ids: list[str]
""")
FIELD_LINE = 8

PROBE = textwrap.dedent("""\
    import json, os, sys
    from flake8_ddd_events.lint.pipeline import check_source
    from flake8_ddd_events.model.project_model import ProjectModel
    from flake8_ddd_events.plugin import all_codes
    from flake8_ddd_events.config.settings import Settings

    root, filename = sys.argv[1], sys.argv[2]
    settings = Settings.from_values({"ddd-source-roots": [root]})
    codes = set(all_codes())
    list(check_source("from dataclasses import dataclass\\n@dataclass\\nclass OrderPlaced:\\n"
                      "    x: list[int]\\n", "warm/events.py", settings, codes))  # lazy imports
    events = {"open": [], "exec": [], "import": [], "listdir": []}
    recording = False

    def hook(event, args):
        if not recording:
            return
        if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
            events["open"].append(os.path.realpath(os.fsdecode(args[0])))
        elif event == "exec":
            events["exec"].append(getattr(args[0], "co_filename", "?"))
        elif event == "import":
            events["import"].append(args[0])
        elif event in ("os.listdir", "os.scandir"):
            events["listdir"].append(os.fsdecode(args[0]) if args[0] is not None else ".")

    sys.addaudithook(hook)
    with open(filename, encoding="utf-8") as handle:
        source = handle.read()
    recording = True
    reports = [(r.line, r.code) for r in check_source(source, filename, settings, codes,
                                                        ProjectModel(settings))]
    recording = False
    print(json.dumps({"reports": reports, **events}))
""")


def probe(root: Path, filename: Path) -> dict:
    result = subprocess.run([sys.executable, "-c", PROBE, str(root), str(filename)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "imported!" not in result.stdout + result.stderr
    return json.loads(result.stdout)


def package(path: Path, init: str = BOOM) -> None:
    """A package whose __init__ would stop the interpreter if it were ever imported."""
    path.mkdir(parents=True, exist_ok=True)
    (path / "__init__.py").write_text(init)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    for folder in ("shop", "shop/kernel", "shop/sales", "shop/sales/domain"):
        package(root / folder)
    (root / "shop" / "kernel" / "events.py").write_text(KERNEL)
    (root / "shop" / "sales" / "domain" / "model.py").write_text(MODEL.format(module="shop.kernel.events"))
    return root


def flake8(cwd: Path, *paths: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "flake8", "--isolated", "--select", "DDD",
                           "--ddd-source-roots", ".", *paths], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


def lint(root: Path, relative: str) -> list[tuple[int, str]]:
    settings = Settings.from_values({"ddd-source-roots": [str(root)]})
    path = root / relative
    return [(r.line, r.code) for r in check_source(path.read_text(), str(path), settings,
                                                   set(all_codes()), ProjectModel(settings))]


# -- never import or execute -------------------------------------------------------------
def test_flake8_reads_the_loud_modules_without_running_them(project):
    result = flake8(project, ".")
    assert "imported!" not in result.stdout + result.stderr
    assert result.stderr == ""
    assert f"model.py:{FIELD_LINE}:5: DDD104" in result.stdout  # resolved through the kernel


def test_the_model_resolves_through_a_loud_module_without_importing_it(project):
    seen = probe(project, project / "shop" / "sales" / "domain" / "model.py")
    assert [FIELD_LINE, "DDD104"] in seen["reports"]
    assert not [name for name in seen["import"] if name.startswith("shop")]
    assert not [f for f in seen["exec"] if str(project) in f]
    opened = set(seen["open"])
    assert str((project / "shop" / "kernel" / "events.py").resolve()) in opened
    assert "shop" not in sys.modules and "shop.kernel.events" not in sys.modules


def test_checked_source_is_never_executed_in_process(project):
    assert (FIELD_LINE, "DDD104") in lint(project, "shop/sales/domain/model.py")
    assert all(code != "DDD000" for _, code in lint(project, "shop/kernel/events.py"))
    assert not [name for name in sys.modules if name == "shop" or name.startswith("shop.")]


# -- nothing outside the source roots ------------------------------------------------------
@pytest.fixture
def escape(tmp_path: Path, project: Path) -> Path:
    """Symlinks inside the project that lead out of it, to modules that would make
    OrderPlaced an event if they were read."""
    outside = tmp_path / "outside"
    package(outside / "pkg", init="")
    (outside / "evil.py").write_text(KERNEL)
    (outside / "pkg" / "events.py").write_text(KERNEL)
    (project / "shop" / "kernel" / "linked.py").symlink_to(outside / "evil.py")
    (project / "shop" / "external").symlink_to(outside / "pkg", target_is_directory=True)
    domain = project / "shop" / "sales" / "domain"
    (domain / "via_file.py").write_text(MODEL.format(module="shop.kernel.linked"))
    (domain / "via_folder.py").write_text(MODEL.format(module="shop.external.events"))
    (domain / "via_dots.py").write_text(MODEL.format(module="outside.evil").replace(
        "from outside.evil", "from .....outside.evil"))
    return outside


@pytest.mark.parametrize("module", ["via_file.py", "via_folder.py", "via_dots.py"])
def test_symlinks_and_relative_imports_out_of_the_roots_are_not_followed(project, escape, module):
    seen = probe(project, project / "shop" / "sales" / "domain" / module)
    assert seen["reports"] == []  # the base is unknown: no rule claims anything
    leaked = [path for path in seen["open"] + seen["listdir"] if path.startswith(str(escape))]
    assert leaked == []
    assert all(path.startswith(str(project.resolve())) or not path.startswith(str(escape.parent))
               for path in seen["open"])


def test_a_root_given_as_a_symlink_is_read_as_its_target(tmp_path, project):
    link = tmp_path / "link"
    link.symlink_to(project, target_is_directory=True)
    assert (FIELD_LINE, "DDD104") in lint(link, "shop/sales/domain/model.py")


# -- loops, FIFOs, folders named like modules, unreadable files -----------------------------
@pytest.fixture
def hostile(project: Path) -> Path:
    kernel = project / "shop" / "kernel"
    (kernel / "loop.py").symlink_to(kernel / "loop.py")  # a link to itself
    (kernel / "ping.py").symlink_to(kernel / "pong.py")
    (kernel / "pong.py").symlink_to(kernel / "ping.py")
    (kernel / "cycle").symlink_to(kernel, target_is_directory=True)  # a folder loop
    os.mkfifo(kernel / "pipe.py")  # opening it for reading would block forever
    (kernel / "folder.py").mkdir()
    (kernel / "binary.py").write_bytes(bytes(range(256)) * 4)
    (kernel / "latin.py").write_bytes(b"# caf\xe9\n" + KERNEL.encode())  # not UTF-8, no cookie
    (kernel / "huge.py").write_text(KERNEL + "X = 1\n" * 200_000)  # larger than the model reads
    return project


HOSTILE_MODULES = ["loop", "ping", "pipe", "folder", "binary", "latin", "huge", "missing"]


@pytest.mark.parametrize("name", HOSTILE_MODULES)
def test_hostile_modules_resolve_to_unknown(hostile, name):
    module = hostile / "shop" / "sales" / "domain" / f"uses_{name}.py"
    module.write_text(MODEL.format(module=f"shop.kernel.{name}"))
    assert probe(hostile, module)["reports"] == []


def test_a_folder_loop_reaches_a_real_module_once(hostile):
    module = hostile / "shop" / "sales" / "domain" / "uses_cycle.py"
    module.write_text(MODEL.format(module="shop.kernel.cycle.cycle.cycle.events"))
    seen = probe(hostile, module)
    assert [FIELD_LINE, "DDD104"] in seen["reports"]
    kernel_events = str((hostile / "shop" / "kernel" / "events.py").resolve())
    assert seen["open"].count(kernel_events) == 1


def test_flake8_survives_the_hostile_project(hostile):
    files = [str(p.relative_to(hostile)) for p in (hostile / "shop" / "sales").rglob("*.py")]
    for name in HOSTILE_MODULES:  # modules importing each hostile one
        (hostile / "shop" / "sales" / f"uses_{name}.py").write_text(
            MODEL.format(module=f"shop.kernel.{name}"))
        files.append(f"shop/sales/uses_{name}.py")
    result = flake8(hostile, *files)  # not the FIFO itself: flake8 would block reading it
    assert result.stderr == "" and "imported!" not in result.stdout
    reported = {line.split(":")[0] for line in result.stdout.splitlines()}
    assert reported == {"shop/sales/domain/model.py"}  # only where the base could be read
    assert f"model.py:{FIELD_LINE}:5: DDD104" in result.stdout


def test_open_raising_permission_error_is_survived(project, monkeypatch):
    import builtins

    real_open = builtins.open

    def refusing_open(file, *args, **kwargs):
        if str(file).startswith(str(project.resolve())):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    source = (project / "shop" / "sales" / "domain" / "model.py").read_text()
    monkeypatch.setattr(builtins, "open", refusing_open)
    settings = Settings.from_values({"ddd-source-roots": [str(project)]})
    reports = list(check_source(source, str(project / "shop/sales/domain/model.py"), settings,
                                set(all_codes()), ProjectModel(settings)))
    assert reports == []  # the base could not be read: unknown, so silence
