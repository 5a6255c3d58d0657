"""A file a ``ddd-events`` command cannot read: one message shape from one function
(``files.unreadable``), Python's own wording, and an exit status that says so."""

from __future__ import annotations

import pytest

from flake8_ddd_events.cli import main
from flake8_ddd_events.source.files import unreadable
from flake8_ddd_events.syntax.parsing import Unparsable

from .conftest import write_file

BROKEN = "from dataclasses import dataclass\n\n\nclass OrderPlaced(\n    order_id: str\n"
PYTHON_SAYS = "shop/broken.py:4:18: cannot read this file: '(' was never closed; it was skipped"


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_file(tmp_path, "shop/events.py", "class OrderPlaced:\n    pass\n")
    write_file(tmp_path, "shop/broken.py", BROKEN)
    return tmp_path


@pytest.mark.parametrize("argv", [["fix", "shop"], ["fix", "--diff", "shop"],
                                  ["contracts", "lock", "shop"], ["contracts", "export", "shop"],
                                  ["map", "shop"], ["baseline", "shop"]])
def test_every_command_reports_a_syntax_error_in_pythons_words(project, capsys, argv):
    status = main(argv)
    err = capsys.readouterr().err
    assert PYTHON_SAYS in err.splitlines()
    assert "expected one of" not in err  # libcst's wording never reaches the user
    assert status == 2


def test_baseline_check_says_a_file_was_not_checked(project, capsys):
    assert main(["baseline", "shop"]) == 2
    assert main(["baseline", "--check", "shop"]) == 2
    assert PYTHON_SAYS in capsys.readouterr().err


def test_a_file_that_cannot_be_decoded(project, capsys):
    write_file(project, "shop/broken.py", "")
    (project / "shop/broken.py").write_bytes(b"# -*- coding: nonesuch -*-\nx = 1\n")
    assert main(["map", "shop"]) == 2
    assert ("shop/broken.py:1:1: cannot read this file: unknown encoding: nonesuch; "
            "it was skipped") in capsys.readouterr().err.splitlines()


def test_valid_python_that_libcst_cannot_read_keeps_libcsts_reason():
    error = Unparsable("libcst cannot parse this file: it is nested too deeply")
    assert unreadable("shop/deep.py", error, "x = 1\n") == (
        "shop/deep.py:1:1: cannot read this file: libcst cannot parse this file: it is nested "
        "too deeply; it was skipped")
    assert unreadable("shop/broken.py", error, BROKEN) == PYTHON_SAYS
