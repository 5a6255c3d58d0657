"""``ddd-events fix`` on real files: paths, options, configuration, exit status."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from flake8_ddd_events.cli import main
from flake8_ddd_events.source.files import python_files

from ..conftest import write_file

MUTABLE = '''\
from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class OrderPlaced:
    lines: list[str]
    occurred_on: datetime = field(default_factory=datetime.utcnow)
'''
FIXED = '''\
from dataclasses import dataclass, field
from datetime import datetime, timezone


@dataclass(frozen=True)
class OrderPlaced:
    lines: tuple[str, ...]
    occurred_on: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
'''

# Python rejects this module at import: a field without a default after inherited defaults.
MISORDERED = '''\
from dataclasses import dataclass, field
from uuid import UUID, uuid4


@dataclass(frozen=True)
class DomainEvent:
    event_id: UUID = field(default_factory=uuid4)


@dataclass(frozen=True)
class OrderPlaced(DomainEvent):
    order_id: str
'''


@pytest.fixture
def project(tmp_path, monkeypatch):
    """An empty project directory, made the current directory (as flake8 runs)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_fixes_files_under_a_directory_and_reports_each_fix(project, capsys):
    events = write_file(project, "shop/domain/events.py", MUTABLE)
    hidden = write_file(project, ".venv/lib/shop/domain/events.py", MUTABLE)
    assert main(["fix", "shop", ".venv/../shop/domain"]) == 0
    assert events.read_text() == FIXED
    assert hidden.read_text() == MUTABLE
    err = capsys.readouterr().err
    assert "shop/domain/events.py:6: DDD101 fixed: frozen=True" in err
    assert "shop/domain/events.py:8: DDD107 fixed: lambda: datetime.now(timezone.utc)" in err
    assert "fixed 3 findings in 1 file" in err
    assert main(["fix", "--check", "shop"]) == 0  # idempotent: nothing left to do


# Every file of the layout holds an event flake8 reports (whatever the module's name), so
# that the files flake8 reports on are the files it checked.
EVENT = '''\
class DomainEvent:
    pass


class OrderPlaced(DomainEvent):
    pass
'''
LAYOUT = ("a.py", "pkg/b.py", "pkg/notes.txt", ".git/y.py", "pkg/__pycache__/z.py", "x.egg/e.py",
          ".venv/x.py", "build/c.py", "legacy/old.py", "src/legacy/deep/n.py", "src/gen/m_pb2.py",
          "src/gen/keep.py", "src/vendor/t.py", "src/vendor/lib/f.py", "tools/script.py")


def flake8_reported(root: Path, *args: str) -> set[str]:
    """The files a real flake8 run (configuration as found from ``root``) reports on."""
    result = subprocess.run([sys.executable, "-m", "flake8", "--select", "DDD", *args],
                            cwd=root, capture_output=True, text=True, timeout=120)
    assert result.returncode in (0, 1), result.stderr
    return {line.split(":", 1)[0] for line in result.stdout.splitlines()}


def layout(root: Path) -> None:
    for name in LAYOUT:
        write_file(root, name, EVENT)


def test_directories_skip_what_flake8_skips_by_default(project):
    layout(project)
    files = list(python_files(["."]))
    assert files == sorted(files)
    # flake8 checks build/; the commands walk past the tools' folders
    assert set(files) == flake8_reported(project, ".") - {"./build/c.py"}
    assert "./.git/y.py" not in files and "./x.egg/e.py" not in files
    assert "./pkg/__pycache__/z.py" not in files and "./pkg/notes.txt" not in files
    assert "./.venv/x.py" in files  # flake8 checks it unless told otherwise


@pytest.mark.parametrize("config", [".flake8", *(pytest.param(name, marks=pytest.mark.slow)
                                                  for name in ("setup.cfg", "tox.ini"))])
def test_exclude_and_extend_exclude_from_the_flake8_section(project, config):
    layout(project)
    write_file(project, config, "[flake8]\nexclude = .git,.venv,legacy,*_pb2.py\n"
               "extend-exclude =\n    src/vendor\n    build\n")
    files = set(python_files(["."]))
    # an exclude replaces flake8's default one; the commands still walk past __pycache__
    assert files == flake8_reported(project, ".") - {"./pkg/__pycache__/z.py"}
    assert files == {"./a.py", "./pkg/b.py", "./x.egg/e.py", "./src/gen/keep.py",
                     "./tools/script.py"}
    # a named file is excluded when its name or its whole path matches, as in flake8
    named = ["src", "src/gen/m_pb2.py", "legacy/old.py"]
    assert set(python_files(named)) == {"src/gen/keep.py", "legacy/old.py"} == flake8_reported(
        project, *named)


def test_exclude_paths_are_relative_to_the_configuration_file(project, monkeypatch):
    layout(project)
    write_file(project, "setup.cfg", "[flake8]\nextend-exclude = src/legacy,./tools\n")
    monkeypatch.chdir(project / "src")
    files = set(python_files(["."]))
    assert files == flake8_reported(project / "src", ".")
    assert "./legacy/deep/n.py" not in files and "./gen/keep.py" in files


def test_the_command_line_wins_over_the_configuration(project):
    layout(project)
    write_file(project, ".flake8", "[flake8]\nextend-exclude = build\n")
    files = set(python_files(["."], exclude="*.egg,.git,__pycache__", extend_exclude=".venv,src"))
    assert files == flake8_reported(project, "--exclude=*.egg,.git,__pycache__",
                                    "--extend-exclude=.venv,src", ".") - {"./build/c.py"}
    assert "./legacy/old.py" in files and "./src/gen/keep.py" not in files


def test_fix_skips_excluded_files(project, capsys):
    events = write_file(project, "shop/domain/events.py", MUTABLE)
    legacy = write_file(project, "shop/legacy/events.py", MUTABLE)
    generated = write_file(project, "shop/gen/events.py", MUTABLE)
    write_file(project, "setup.cfg", "[flake8]\nextend-exclude = legacy\n")
    assert main(["fix", "--extend-exclude", "legacy,gen", "--check", "shop"]) == 1
    assert "shop/gen" not in capsys.readouterr().err
    assert main(["fix", "shop"]) == 0
    assert events.read_text() == FIXED
    assert legacy.read_text() == MUTABLE
    assert generated.read_text() == FIXED
    other = write_file(project, "shop/other/events.py", MUTABLE)
    # --exclude replaces flake8's default list, not the configured extend-exclude
    assert main(["fix", "--exclude", "other", "--check", "shop"]) == 0
    # --extend-exclude replaces the configured one, as on flake8's command line
    assert main(["fix", "--extend-exclude", "other", "shop"]) == 0
    assert legacy.read_text() == FIXED and other.read_text() == MUTABLE


def test_fix_reports_a_bad_flake8_configuration(project, capsys):
    write_file(project, "a.py", MUTABLE)
    write_file(project, "setup.cfg", "[flake8]\nextend-ignore = not a code\n")
    assert main(["fix", "."]) == 2
    assert "bad flake8 configuration" in capsys.readouterr().err


def test_diff_prints_and_changes_nothing(project, capsys):
    events = write_file(project, "shop/domain/events.py", MUTABLE)
    assert main(["fix", "--diff", "shop"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("--- a/shop/domain/events.py\n+++ b/shop/domain/events.py\n")
    assert "-@dataclass\n+@dataclass(frozen=True)\n" in out
    assert events.read_text() == MUTABLE


@pytest.mark.parametrize("given", [".", "./shop", "shop/", "absolute"])
def test_diff_applies_with_git_whatever_path_was_given(given, project, capsys):
    """``fix --diff PATH > fix.patch; git apply fix.patch``: git refuses ``a/./shop/...``."""
    events = write_file(project, "shop/domain/events.py", MUTABLE)
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    assert main(["fix", "--diff", str(project / "shop") if given == "absolute" else given]) == 0
    patch = capsys.readouterr().out
    assert patch.startswith("--- a/shop/domain/events.py\n+++ b/shop/domain/events.py\n")
    (project / "fix.patch").write_text(patch)
    for args in (["--check"], []):
        applied = subprocess.run(["git", "apply", *args, "fix.patch"], cwd=project,
                                 capture_output=True, text=True)
        assert applied.returncode == 0, applied.stderr
    assert events.read_text() == FIXED


def test_check_exits_1_when_something_would_change(project, capsys):
    events = write_file(project, "shop/domain/events.py", MUTABLE)
    assert main(["fix", "--check", "shop"]) == 1
    assert events.read_text() == MUTABLE
    assert "would fix 3 findings in 1 file" in capsys.readouterr().err
    write_file(project, "shop/domain/events.py", FIXED)
    assert main(["fix", "--check", "shop"]) == 0


def test_syntax_errors_are_reported_and_skipped_with_status_2(project, capsys):
    broken = write_file(project, "shop/domain/broken.py", "class (:\n")
    events = write_file(project, "shop/domain/events.py", MUTABLE)
    assert main(["fix", "shop"]) == 2
    assert events.read_text() == FIXED
    assert broken.read_text() == "class (:\n"
    err = capsys.readouterr().err
    assert "shop/domain/broken.py:1:7: cannot read this file: invalid syntax; it was skipped" in err
    assert main(["fix", "missing.py"]) == 2
    write_file(project, "shop/domain/declared.py", "# -*- coding: nonesuch -*-\n")
    assert main(["fix", "shop/domain/declared.py"]) == 2
    err = capsys.readouterr().err
    assert "shop/domain/declared.py:1:1: cannot read this file: unknown encoding: nonesuch" in err


def test_select_and_ignore(project):
    events = write_file(project, "shop/domain/events.py", MUTABLE)
    assert main(["fix", "--select", "DDD107", "shop"]) == 0
    assert "lambda: datetime.now(timezone.utc)" in events.read_text()
    assert "@dataclass\n" in events.read_text() and "list[str]" in events.read_text()
    assert main(["fix", "--ignore", "DDD104", "shop"]) == 0
    assert "@dataclass(frozen=True)" in events.read_text() and "list[str]" in events.read_text()


def test_settings_and_selection_come_from_the_flake8_config(project):
    write_file(project, "setup.cfg", textwrap.dedent("""\
        [flake8]
        extend-ignore = DDD104
        ddd-domain-event-bases = Fact
    """))
    write_file(project, "shop/kernel.py", "class Fact:\n    pass\n")
    events = write_file(project, "shop/sales/model.py", MUTABLE.replace(
        "class OrderPlaced:", "class OrderPlaced(Fact):").replace(
        "from datetime import datetime\n", "from datetime import datetime\n\nfrom shop.kernel import Fact\n"))
    assert main(["fix", "shop"]) == 0
    text = events.read_text()
    assert "@dataclass(frozen=True)" in text and "list[str]" in text


def test_bad_option_is_an_error(project, capsys):
    assert main(["fix", "--target-python", "2.7", "."]) == 2
    assert "ddd-target-python" in capsys.readouterr().err


def test_fixed_module_imports_where_the_original_raised_type_error(project):
    original = write_file(project, "shop/domain/events.py", MISORDERED)
    copy = write_file(project, "copy/shop/domain/events.py", MISORDERED)
    with pytest.raises(TypeError, match="non-default argument 'order_id' follows default argument"):
        _import(original, "misordered_original")
    assert main(["fix", str(copy)]) == 0
    assert "@dataclass(frozen=True, kw_only=True)\nclass OrderPlaced" in copy.read_text()
    module = _import(copy, "misordered_fixed")
    placed = module.OrderPlaced(order_id="o-1")
    assert placed.order_id == "o-1" and placed.event_id is not None


def _import(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("requires", "option", "fixed"), [
    (">=3.9", None, False),
    (">=3.10", None, True),
    (">=3.9", "3.10", True),
    (None, None, True),
    (None, "3.9", False),
])
def test_kw_only_follows_the_target_python(project, capsys, requires, option, fixed):
    if requires:
        write_file(project, "pyproject.toml", f'[project]\nname = "shop"\nrequires-python = "{requires}"\n')
    events = write_file(project, "shop/domain/events.py", MISORDERED)
    assert main(["fix", "shop", *(["--target-python", option] if option else [])]) == 0
    assert ("kw_only=True" in events.read_text()) is fixed
    if not fixed:
        err = capsys.readouterr().err
        assert "DDD109 not fixed: kw_only=True needs Python 3.10 and the target is 3.9" in err


def test_encoding_and_line_endings_are_kept(project):
    source = "# -*- coding: latin-1 -*-\n" + MUTABLE.replace("lines: list[str]", "lines: list[str]  # café")
    events = project / "shop/domain/events.py"
    events.parent.mkdir(parents=True)
    events.write_bytes(source.replace("\n", "\r\n").encode("latin-1"))
    assert main(["fix", "shop"]) == 0
    data = events.read_bytes()
    assert b"  # caf\xe9\r\n" in data and b"\r\n@dataclass(frozen=True)\r\n" in data
    assert b"\n" not in data.replace(b"\r\n", b"")


def _flake8(root: Path) -> list[str]:
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-m", "flake8", "--select", "DDD", "."], cwd=root,
                         capture_output=True, text=True)
    return sorted(run.stdout.splitlines())


def test_the_example_project_is_fixed_and_nothing_else_changes(project, capsys, monkeypatch):
    import shutil

    shutil.copytree(Path(__file__).resolve().parents[2] / "examples", project / "examples")
    root = project / "examples"
    (root / "setup.cfg").write_text("[flake8]\nddd-source-roots = .\n")
    before = _flake8(root)
    fixable = [line for line in before if any(f" {code} " in line for code in
                                              ("DDD101", "DDD104", "DDD107", "DDD109", "DDD110"))]
    assert len(fixable) >= 4
    monkeypatch.chdir(root)
    assert main(["fix", "."]) == 0
    # PaymentReceived.mark_reconciled assigns to the event (its DDD108): frozen=True would
    # make that call raise, so the DDD101 finding stays, with the reason
    left = [line for line in fixable if "billing/domain/events.py:56:" in line and " DDD101 " in line]
    assert len(left) == 1
    err = capsys.readouterr().err
    assert ("events.py:56: DDD101 not fixed: method 'mark_reconciled' assigns self.reconciled, "
            "which a frozen instance refuses") in err
    assert f"fixed {len(fixable) - 1} findings" in err
    assert main(["fix", "--check", "."]) == 0
    assert _flake8(root) == [line for line in before if line not in fixable or line in left]
