"""Module paths from file names and source roots; relative imports made absolute."""

from __future__ import annotations

import os

import pytest

from flake8_ddd_events.source.modules import BEYOND_TOP, absolute_import, discover_roots, module_path


def test_module_path_under_a_root(tmp_path):
    assert module_path(str(tmp_path / "shop" / "sales" / "domain" / "order.py"), [str(tmp_path)]) == \
        ("shop.sales.domain.order", False)


def test_package_init_is_the_package(tmp_path):
    assert module_path(str(tmp_path / "shop" / "kernel" / "__init__.py"), [str(tmp_path)]) == \
        ("shop.kernel", True)


def test_the_deepest_root_wins(tmp_path):
    path = str(tmp_path / "src" / "shop" / "events.py")
    roots = [str(tmp_path), str(tmp_path / "src")]
    assert module_path(path, roots) == ("shop.events", False)
    assert module_path(path, list(reversed(roots))) == ("shop.events", False)


def test_a_root_is_a_folder_not_a_prefix(tmp_path):
    # tmp/src is not inside tmp/sr: the file is named from the current directory instead
    path = str(tmp_path / "src" / "shop" / "events.py")
    assert module_path(path, [str(tmp_path / "sr"), str(tmp_path)]) == ("src.shop.events", False)


def test_relative_file_names_and_roots_use_the_current_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert module_path("./src/shop/events.py", [".", "src"]) == ("shop.events", False)
    assert module_path("src/shop/events.py", ["."]) == ("src.shop.events", False)


def test_outside_every_root_named_from_the_current_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert module_path(str(tmp_path / "a" / "b.py"), [str(tmp_path / "elsewhere")]) == ("a.b", False)


def test_outside_the_roots_and_the_current_directory_only_the_file_name(tmp_path, monkeypatch):
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    assert module_path(str(tmp_path / "other" / "events.py"), ["."]) == ("events", False)


def test_stdin_display_name_is_named_like_the_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert module_path(os.path.join("src", "shop", "sales", "domain", "order.py"), [".", "src"]) == \
        ("shop.sales.domain.order", False)


@pytest.mark.parametrize(("module", "is_package", "level", "target", "expected"), [
    ("shop.sales.domain.order", False, 0, "shop.kernel", "shop.kernel"),
    ("shop.sales.domain.order", False, 1, "", "shop.sales.domain"),
    ("shop.sales.domain.order", False, 1, "events", "shop.sales.domain.events"),
    ("shop.sales.domain.order", False, 2, "application", "shop.sales.application"),
    ("shop.sales.domain.order", False, 3, "kernel", "shop.kernel"),
    ("shop.sales.domain.order", False, 4, "", BEYOND_TOP),
    ("shop.sales.domain", True, 1, "order", "shop.sales.domain.order"),
    ("shop.sales.domain", True, 2, "", "shop.sales"),
    ("shop.sales.domain.order", False, 5, "x", BEYOND_TOP),
    ("shop", True, 2, "x", BEYOND_TOP),
    ("top", False, 1, "sibling", BEYOND_TOP),  # no parent package
])
def test_absolute_import(module, is_package, level, target, expected):
    assert absolute_import(module, is_package, level, target) == expected


def test_default_roots_are_the_packages_of_a_monorepo(tmp_path):
    for folder, marker in [("platform/foundation", "setup.py"), ("services/orders", "pyproject.toml"),
                           ("services/orders/src", None), ("libs/kit", "setup.cfg"),
                           ("node_modules/pkg", "setup.py"), (".venv/lib/pkg", "setup.py"),
                           ("tests/fixtures/project", "pyproject.toml"), ("src", None)]:
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
        if marker:
            (tmp_path / folder / marker).write_text("")
    assert discover_roots(str(tmp_path)) == (
        ".", "src", "libs/kit", "platform/foundation", "services/orders", "services/orders/src")
