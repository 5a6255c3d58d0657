"""Editors lint the unsaved buffer: `flake8 --stdin-display-name PATH -` with the buffer on stdin.

The plugin must take the module path from the display name (flake8 hands it to plugins as
``filename``), resolve the buffer's imports through the project model (reading the other
modules from disk), and report against the display name.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

KERNEL = textwrap.dedent("""\
    class DomainEvent:
        pass


    class AggregateRoot:
        pass
""")

CUSTOMER = textwrap.dedent("""\
    from ...kernel import AggregateRoot


    class Customer(AggregateRoot):
        def __init__(self, customer_id: str) -> None:
            self.customer_id = customer_id
""")

SAVED = textwrap.dedent("""\
    from dataclasses import dataclass
    from datetime import datetime
    from uuid import UUID

    from ...kernel import DomainEvent


    @dataclass(frozen=True)
    class OrderPlaced(DomainEvent):
        event_id: UUID
        occurred_on: datetime
        customer_id: str
""")

# The buffer as the user is typing it: the field now holds the aggregate itself, and the
# aggregate is known only through a relative import two packages away.
BUFFER = textwrap.dedent("""\
    from dataclasses import dataclass
    from datetime import datetime
    from uuid import UUID

    from ...customers.domain.customer import Customer
    from ...kernel import DomainEvent


    @dataclass(frozen=True)
    class OrderPlaced(DomainEvent):
        event_id: UUID
        occurred_on: datetime
        customer: Customer
""")

DISPLAY = "src/shop/sales/domain/order.py"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    files = {
        "src/shop/__init__.py": "",
        "src/shop/kernel.py": KERNEL,
        "src/shop/customers/__init__.py": "",
        "src/shop/customers/domain/__init__.py": "",
        "src/shop/customers/domain/customer.py": CUSTOMER,
        "src/shop/sales/__init__.py": "",
        "src/shop/sales/domain/__init__.py": "",
        DISPLAY: SAVED,
    }
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def editor_lint(cwd: Path, buffer: str, *args: str) -> subprocess.CompletedProcess[str]:
    """What an editor runs: the project's flake8, in the project root, the buffer on stdin."""
    return subprocess.run([sys.executable, "-m", "flake8", "--select", "DDD", *args, "-"],
                          cwd=cwd, input=buffer, capture_output=True, text=True, timeout=120)


def test_saved_file_is_clean(project):
    result = subprocess.run([sys.executable, "-m", "flake8", "--select", "DDD", "src"],
                            cwd=project, capture_output=True, text=True, timeout=120)
    assert result.stdout == "" and result.returncode == 0, result.stderr


def test_buffer_is_linted_under_its_display_name_with_imports_resolved(project):
    result = editor_lint(project, BUFFER, "--stdin-display-name", DISPLAY)
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines() == [
        f"{DISPLAY}:13:5: DDD103 event field 'customer' holds aggregate 'Customer'; "
        "reference it by identity (customer_id)",
    ]


def test_buffer_is_read_not_the_file_on_disk(project):
    # The saved file is clean; findings come from the buffer only.
    (project / DISPLAY).write_text(BUFFER)
    result = editor_lint(project, SAVED, "--stdin-display-name", DISPLAY)
    assert result.stdout == ""


def test_absolute_display_name_works_too(project):
    result = editor_lint(project, BUFFER, "--stdin-display-name", str(project / DISPLAY))
    assert [line.split(": ")[1].split()[0] for line in result.stdout.splitlines()] == ["DDD103"]


def test_without_a_display_name_the_module_path_is_unknown(project):
    # `stdin` is no module of the project: the relative import cannot be resolved, so the
    # rule stays silent rather than guess. This is why editors pass --stdin-display-name.
    assert editor_lint(project, BUFFER).stdout == ""


def test_pyproject_table_applies_to_the_buffer(project):
    (project / "pyproject.toml").write_text('[tool.flake8-ddd-events]\n'
                                            'ddd-aggregate-bases = ["Root"]\n')
    result = editor_lint(project, BUFFER, "--stdin-display-name", DISPLAY)
    assert result.stdout == ""  # AggregateRoot is no longer an aggregate base
