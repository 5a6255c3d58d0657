"""The run's source files: each file read from disk once per run (issue 24)."""

from __future__ import annotations

import ast
import builtins
import collections
import io
import os

from flake8_ddd_events.cache import results_for
from flake8_ddd_events.config.settings import Settings
from flake8_ddd_events.gate.needs import NEEDS
from flake8_ddd_events.lint.run import Run
from flake8_ddd_events.plugin import Plugin
from flake8_ddd_events.source.store import SourceFiles

from ..conftest import write_file

KERNEL = """\
from dataclasses import dataclass


class DomainEvent:
    pass


@dataclass(frozen=True)
class Fact(DomainEvent):
    pass
"""
EVENTS = """\
from dataclasses import dataclass

from shop.kernel.events import Fact


@dataclass
class OrderPlaced(Fact):
    lines: list
"""


def check(path: str) -> list[str]:
    with io.open(path, encoding="utf-8") as handle:  # as flake8 reads it (not counted)
        source = handle.read()
    found = Plugin(ast.parse(source), path, source.splitlines(keepends=True)).run()
    return [message.split()[0] for _, _, message, _ in found]


def test_each_file_is_read_once_per_run_by_the_gate_the_model_and_the_cache(tmp_path, monkeypatch):
    """The checked module imports its base from another module: the gate follows the
    base there (ast), the model resolves it (libcst), the cache keys hash it; the file
    is read from disk once, and so is each checked file, checked twice."""
    monkeypatch.chdir(tmp_path)
    write_file(tmp_path, "shop/kernel/events.py", KERNEL)
    write_file(tmp_path, "shop/sales/events.py", EVENTS)
    settings = Settings.from_values({"ddd-source-roots": ["."], "ddd-cache-dir": ".cache"})
    files = SourceFiles(settings.source_roots)
    monkeypatch.setattr(Plugin, "state", Run(settings, NEEDS, files=files,
                                             results=results_for(settings, "all", files)))
    opened: collections.Counter[str] = collections.Counter()
    real_open = builtins.open

    def counting_open(file, *args, **kwargs):
        if isinstance(file, str) and file.endswith(".py"):
            opened[os.path.realpath(file)] += 1
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", counting_open)
    checked = os.path.join("shop", "sales", "events.py")
    assert "DDD101" in check(checked)  # the base was followed: OrderPlaced is an event
    assert "DDD101" in check(checked)  # answered from the cache
    check(os.path.join("shop", "kernel", "events.py"))
    kernel = os.path.realpath(os.path.join("shop", "kernel", "events.py"))
    monkeypatch.setattr(builtins, "open", real_open)
    assert files.reads[kernel] == 1
    assert set(files.reads.values()) == {1}
    assert opened == files.reads  # nothing reads a project file around the store


def test_an_edited_file_is_read_again(tmp_path):
    path = tmp_path / "a.py"
    path.write_text("x = 1\n")
    files = SourceFiles([str(tmp_path)])
    assert files.file(str(path)).text == "x = 1\n"
    assert files.file(str(path)) is files.file(str(path))
    path.write_text("x = 22\n")
    assert files.file(str(path)).text == "x = 22\n"
    assert files.reads[str(path)] == 2
    assert files.digest(str(path)) == files.file(str(path)).digest
    assert files.file(str(tmp_path)) is None and files.digest(str(tmp_path / "b.py")) is None
