"""The bundled example project: flake8 reports exactly the deliberate violations.

Each deliberate violation in examples/ carries a trailing `# DDDxxx: why` comment on the line
where the finding is reported; every other line must stay quiet.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .conftest import expected_markers

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def marked_findings() -> set[tuple[str, int, str]]:
    found = set()
    for path in sorted(EXAMPLES.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        found |= {(relative, line, code) for line, code in expected_markers(path.read_text())}
    return found


def reported_findings(*flake8: str) -> set[tuple[str, int, str]]:
    """What flake8 (this environment's, or the command ``flake8``) reports on examples/."""
    result = subprocess.run([*(flake8 or (sys.executable, "-m", "flake8")), "--select", "DDD", "examples/"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.stderr == ""
    found = set()
    for line in result.stdout.splitlines():
        path, row, _column, message = line.split(":", 3)
        found.add((Path(path).as_posix(), int(row), message.split()[0]))
    return found


def test_flake8_reports_exactly_the_marked_violations():
    assert reported_findings() == marked_findings()


def test_every_code_is_shown_by_the_examples():
    from flake8_ddd_events.rules import RULES

    shown = {code for _, _, code in marked_findings()}
    assert {rule.code for rule in RULES} <= shown
