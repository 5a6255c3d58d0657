"""The package layout: a folder is a stage, rule modules hold only rules (issue 24)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import flake8_ddd_events

PACKAGE = Path(flake8_ddd_events.__file__).parent
ENTRY_POINTS = {"__init__.py", "__main__.py", "plugin.py", "cli.py", "docs.py"}
RULE_FRAMEWORK = {"__init__.py", "rule.py"}  # the registry and what a rule is


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
