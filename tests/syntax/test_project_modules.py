"""The modules a command reads: each file once, test code left out, failures named."""

from __future__ import annotations

from flake8_ddd_events.syntax.project_modules import ReadModule, Skipped, project_modules
from flake8_ddd_events.config.settings import Settings


def test_each_module_once_tests_left_out_and_failures_named(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "shop/tests").mkdir(parents=True)
    (tmp_path / "shop/events.py").write_text("class OrderPlaced:\n    pass\n")
    (tmp_path / "shop/tests/test_events.py").write_text("class Fake:\n    pass\n")
    (tmp_path / "shop/broken.py").write_bytes(b"# -*- coding: nonsense -*-\nx = 1\n")
    read = list(project_modules(["shop", "shop/events.py"], Settings.from_values()))
    modules = [r for r in read if isinstance(r, ReadModule)]
    skipped = [r for r in read if isinstance(r, Skipped)]
    assert [m.facts.module for m in modules] == ["shop.events"]
    assert list(modules[0].facts.classes) == ["OrderPlaced"]
    assert [s.path for s in skipped] == ["shop/broken.py"] and skipped[0].message == (
        "shop/broken.py:1:1: cannot read this file: unknown encoding: nonsense; it was skipped")
