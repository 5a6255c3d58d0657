"""The package layout: a folder is a stage, a stage imports only the stages below it
(issue 35), rule modules hold only rules (issue 24)."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

import flake8_ddd_events

PACKAGE = Path(flake8_ddd_events.__file__).parent
ENTRY_POINTS = {"__init__.py", "__main__.py", "plugin.py", "cli.py", "docs.py"}
RULE_FRAMEWORK = {"__init__.py", "rule.py"}  # the registry and what a rule is
ARCHITECTURE = PACKAGE.parent / "docs" / "architecture.md"

# The stages, from the bottom up: a module imports its own stage and those of earlier
# layers only (the folders of one layer do not import each other). The folders table of
# docs/architecture.md lists them in this order.
STAGES = (
    ("source",),
    ("config",),
    ("gate",),
    ("syntax",),
    ("model",),
    ("analysis",),
    ("contracts",),
    ("rules",),
    ("cache", "baseline"),
    ("lint",),
    ("eventmap", "fixes"),
    ("docs.py",),
    ("commands",),
    ("plugin.py", "cli.py"),
)
# Standard library only, read by the gate and the collection pass below them: the words
# that make a handler or a data class, and the known event base classes.
READ_FROM_BELOW = {"flake8_ddd_events.analysis.vocabulary", "flake8_ddd_events.analysis.known_bases"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> set[str]:
    """The modules (and, for ``from X import name``, the X.name candidates) a file imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def layer_of(name: str) -> int | None:
    """The layer of a module of the package (by dotted name); None for the package itself
    (its version) and for names that are not modules (``from .. import __version__``)."""
    parts = name.split(".")
    if len(parts) < 2:
        return None
    for layer, stages in enumerate(STAGES):
        if parts[1] in stages or f"{parts[1]}.py" in stages:
            return layer
    return None


def upward_imports() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        me = module_name(path)
        mine = layer_of(me)
        if mine is None:
            continue
        for name in sorted(imported(path)):
            if not name.startswith("flake8_ddd_events.") or name.rpartition(".")[0] in READ_FROM_BELOW \
                    or name in READ_FROM_BELOW:
                continue
            theirs = layer_of(name)
            if theirs is None or name.split(".")[1] == me.split(".")[1]:
                continue
            if theirs >= mine:
                found.append(f"{path.relative_to(PACKAGE)} imports {name}")
    return found


def test_every_stage_has_its_place_in_the_order():
    placed = {stage.removesuffix(".py") for stages in STAGES for stage in stages}
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    entry_points = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__"}
    assert placed == folders | entry_points


def test_no_stage_imports_one_above_it():
    """A stage imports only the stages below it (docs/architecture.md), lazily or not."""
    assert upward_imports() == []


def test_a_stage_importing_one_above_it_is_seen(tmp_path, monkeypatch):
    """The check reads imports inside functions too (the lazy ones that keep libcst out)."""
    (tmp_path / "flake8_ddd_events" / "source").mkdir(parents=True)
    (tmp_path / "flake8_ddd_events" / "source" / "up.py").write_text(
        "def late():\n    from ..lint.pipeline import Pipeline\n", encoding="utf-8")
    monkeypatch.setitem(globals(), "PACKAGE", tmp_path / "flake8_ddd_events")
    assert upward_imports() == ["source/up.py imports flake8_ddd_events.lint.pipeline",
                                "source/up.py imports flake8_ddd_events.lint.pipeline.Pipeline"]


def test_the_modules_read_from_below_import_nothing_of_the_package():
    for name in READ_FROM_BELOW:
        path = PACKAGE.joinpath(*name.split(".")[1:]).with_suffix(".py")
        assert not {n for n in imported(path) if n.startswith("flake8_ddd_events")}, name


def test_the_architecture_lists_the_stages_in_this_order():
    """docs/architecture.md's folders table names the stages from the bottom up."""
    rows = re.findall(r"^\| (`[^|]*`) \|", ARCHITECTURE.read_text(encoding="utf-8"), re.MULTILINE)
    listed = [tuple(re.findall(r"`([^`]+?)/?`", row)) for row in rows]
    assert listed == list(STAGES)


def rule_modules() -> set[str]:
    return {module_name(p) for p in (PACKAGE / "rules").glob("*.py") if p.name not in RULE_FRAMEWORK}


def test_the_rule_modules_are_found():
    assert {"flake8_ddd_events.rules.publishing", "flake8_ddd_events.rules.immutability"} <= rule_modules()


def test_no_module_imports_from_a_rule_module():
    """Helpers that other rules, the event map or the fixer use live in ``analysis/``;
    only the registry (``rules/__init__.py``) imports the rule modules."""
    rules = rule_modules()
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == PACKAGE / "rules" / "__init__.py":
            continue
        for name in sorted(imported(path) & (rules - {module_name(path)})):
            offenders.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert offenders == []


@pytest.mark.parametrize("stage", ["config", "source", "syntax", "model", "analysis", "rules"])
def test_no_stage_below_the_gate_imports_it(stage):
    """Recognition and the rest read the shared vocabulary from ``analysis.vocabulary``;
    nothing the gate runs before calls back up into it."""
    offenders = [f"{path.relative_to(PACKAGE)} imports {name}"
                 for path in sorted((PACKAGE / stage).rglob("*.py"))
                 for name in sorted(imported(path)) if name.startswith("flake8_ddd_events.gate")]
    assert offenders == []


def test_the_package_top_holds_only_entry_points_and_stage_folders():
    modules = {p.name for p in PACKAGE.glob("*.py")}
    assert modules <= ENTRY_POINTS
    assert {"plugin.py", "cli.py"} <= modules


def test_importing_the_analysis_and_syntax_packages_imports_no_libcst():
    code = ("import sys\nimport flake8_ddd_events.analysis, flake8_ddd_events.syntax\n"
            "print('libcst' in sys.modules)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
