"""Source roots from the project's own imports (``modules.import_roots``): a folder that holds
the dotted path of an absolute import no other root resolves is where the code runs from."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from flake8_ddd_events.cache.roots import explained_source_roots, source_roots
from flake8_ddd_events.source.modules import (discover_roots, explained_roots, module_path,
                                              search_folders)

from ..conftest import write_file

CHAT = Path(__file__).resolve().parents[1] / "fixtures" / "chat_service"


@pytest.fixture
def chat(tmp_path) -> Path:
    """A copy of the chat service fixture: its code in ``app/``, imported from there."""
    shutil.copytree(CHAT, tmp_path / "chat")
    return tmp_path / "chat"


def test_a_folder_the_imports_run_from_is_a_root(chat):
    roots = explained_roots(search_folders(str(chat)), str(chat))
    assert tuple(roots) == (".", "app")
    assert roots["app"].startswith("app/") and "imports '" in roots["app"], roots
    assert module_path(str(chat / "app/domain/events/base.py"),
                       [str(chat / r) for r in roots]) == ("domain.events.base", False)


def test_without_the_imports_the_folder_is_no_root(chat):
    for path in (chat / "app").rglob("*.py"):
        if path.name != "__init__.py":
            path.write_text("")
    assert discover_roots(str(chat)) == (".",)


def test_the_folder_nearest_the_importing_file_wins(tmp_path):
    for folder in ("app", "legacy"):
        write_file(tmp_path, f"{folder}/domain/__init__.py", "")
        write_file(tmp_path, f"{folder}/domain/events.py", "")
    write_file(tmp_path, "legacy/main.py", "from domain.events import OrderPlaced\n")
    assert discover_roots(str(tmp_path)) == (".", "legacy")
    write_file(tmp_path, "app/main.py", "from domain.events import OrderPlaced\n")
    assert discover_roots(str(tmp_path)) == (".", "app", "legacy")


@pytest.mark.parametrize("layout", ["services/orders", "services/billing", "backend"])
def test_services_that_import_their_src_package_are_rooted_above_it(tmp_path, layout):
    """``services/<name>/src`` imported as ``from src.events import …`` from each service (and
    the same from ``backend/``): the service folder is the root, and its ``src`` is a package,
    no longer a root of its own."""
    for service in ("services/orders", "services/billing", "backend"):
        write_file(tmp_path, f"{service}/src/__init__.py", "")
        write_file(tmp_path, f"{service}/src/events.py", "class Placed:\n    pass\n")
        write_file(tmp_path, f"{service}/src/main.py", "from src.events import Placed\n")
    roots = discover_roots(str(tmp_path))
    assert set(roots) == {".", "services/orders", "services/billing", "backend"}
    assert module_path(str(tmp_path / layout / "src/events.py"),
                       [str(tmp_path / r) for r in roots]) == ("src.events", False)


@pytest.mark.parametrize("files", [
    # a package's folder is not where code runs from
    {"shop/__init__.py": "", "shop/domain/events.py": "", "main.py": "from domain.events import A\n"},
    # one name is no evidence: a project module named like a library
    {"tools/yaml.py": "", "main.py": "import yaml\n"},
    # the standard library's names are never the project's
    {"infra/logging/handlers.py": "", "main.py": "from logging.handlers import X\n"},
    # resolved under a root already
    {"domain/events.py": "", "app/domain/events.py": "", "app/main.py": "from domain.events import A\n"},
    # a relative import says nothing about roots
    {"app/domain/events.py": "", "app/domain/main.py": "from .events import A\n"},
])
def test_no_root_without_evidence(tmp_path, files):
    for name, text in files.items():
        write_file(tmp_path, name, text)
    assert discover_roots(str(tmp_path)) == (".",)


def test_the_roots_are_kept_with_their_reasons_and_follow_a_new_module(chat):
    cache = ".ddd_events_cache"
    (chat / cache).mkdir()
    assert explained_source_roots(cache, str(chat)) == explained_roots(
        search_folders(str(chat)), str(chat))
    assert source_roots(cache, str(chat)) == (".", "app")
    write_file(chat, "worker/jobs/__init__.py", "")
    write_file(chat, "worker/jobs/sweep.py", "")
    write_file(chat, "worker/run.py", "from jobs.sweep import main\n")
    assert source_roots(cache, str(chat)) == (".", "app", "worker")


def test_a_module_name_two_roots_hold_is_taken_from_neither(tmp_path):
    """Each service imports its own ``src.events``: which file an import means depends on the
    service it runs in, so a name two roots hold is refused (unknown: the rules stay silent)
    rather than read from the first root; a name one root holds is found."""
    from flake8_ddd_events.source.modules import find_module_file, real_roots

    for service in ("services/orders", "services/billing"):
        write_file(tmp_path, f"{service}/src/__init__.py", "")
        write_file(tmp_path, f"{service}/src/events.py", "")
        write_file(tmp_path, f"{service}/src/main.py", "from src.events import Placed\n")
    write_file(tmp_path, "services/orders/src/orders.py", "")
    roots = real_roots(str(tmp_path / r) for r in discover_roots(str(tmp_path)))
    assert find_module_file("src.events", roots) is True
    assert find_module_file("src.orders", roots) == str(
        (tmp_path / "services/orders/src/orders.py").resolve())
