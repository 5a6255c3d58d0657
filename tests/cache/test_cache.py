"""The result cache: a cached answer equals a fresh one, always.

Through real flake8 processes on a small project whose findings cross modules
(an event's base in the kernel, a field typed by an aggregate defined in another
module, a handler of an event imported from the domain), edited the ways a cache
can go stale; and through the cache's own pieces for what a process cannot show.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flake8_ddd_events.cache import Folder, ResultCache
from flake8_ddd_events.cache.folder import CACHEDIR_TAG, NAMED, ROOTS
from flake8_ddd_events.cache.roots import source_roots
from flake8_ddd_events.lint.pipeline import check_source
from flake8_ddd_events.model.project_model import ProjectModel
from flake8_ddd_events.source.modules import discover_roots
from flake8_ddd_events.config.settings import Settings

from ..conftest import examples, write_file

PROJECT = {
    "setup.cfg": "[flake8]\nddd-domain-event-bases = Message\nddd-aggregate-bases = Aggregate\n"
                 "ddd-handler-bases = Handler\n",
    "shop/__init__.py": "",
    "shop/domain/__init__.py": "",
    "shop/app/__init__.py": "",
    "shop/kernel.py": """\
from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class Message:
    event_id: str = ""
    occurred_on: str = ""


class Aggregate:
    def record_event(self, event) -> None:
        pass


class Handler:
    async def handle(self, event) -> None:
        pass
""",
    "shop/domain/customers.py": """\
from shop.kernel import Aggregate


class Customer(Aggregate):
    name: str
""",
    "shop/domain/orders.py": """\
from dataclasses import dataclass

from shop.domain.customers import Customer
from shop.kernel import Aggregate, Message


@dataclass
class OrderPlaced(Message):
    lines: list[str]
    customer: Customer


class Order(Aggregate):
    def place(self) -> None:
        self.record_event(OrderPlaced(lines=[], customer=None))
""",
    "shop/app/handlers.py": """\
from shop.domain.orders import OrderPlaced
from shop.kernel import Handler


class OnOrderPlaced(Handler):
    def handle(self, event: OrderPlaced) -> None:
        print(event)
""",
    # two modules that reach the kernel only through orders.py: whichever is checked
    # second finds OrderPlaced's base resolved already, in what the model kept of orders.py
    **{f"shop/app/{name}.py": f"""\
from dataclasses import dataclass

from shop.domain.orders import OrderPlaced


@dataclass
class {event}(OrderPlaced):
    notes: str
""" for name, event in (("reports", "OrderReported"), ("audits", "OrderAudited"))},
    "shop/other.py": "class Unrelated:\n    pass\n",
    # a base only the gate follows: flows.py is checked for DDD501 alone while Thing is
    # plain, so no rule reads base.py; made an event, Thing lets the event rules in
    "shop/base.py": "from shop.kernel import Message\n\n\nclass Thing:\n    pass\n",
    "shop/domain/flows.py": """\
from dataclasses import dataclass

import kafka

from shop.base import Thing


@dataclass
class OrderShipped(Thing):
    lines: list[str]
""",
}
FINDINGS = ["DDD101", "DDD404", "DDD101", "DDD501", "DDD101", "DDD104", "DDD103"]  # in order
CHECKED = 12  # the modules looked up (each has an entry): the seven that pass the gate,
# and the three __init__s, other.py and base.py, which it stops


def write_project(root: Path) -> None:
    for name, text in PROJECT.items():
        write_file(root, name, text)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write_project(tmp_path)
    return tmp_path


def start(root: Path, *args: str, stdin: str | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "flake8", "--select", "DDD", *args],
                            cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.PIPE if stdin is not None else None, text=True)


def finish(process: subprocess.Popen[str], stdin: str | None = None) -> str:
    out, err = process.communicate(stdin, timeout=300)
    assert process.returncode in (0, 1) and err == "", err
    return out


def flake8(root: Path, *args: str, stdin: str | None = None) -> str:
    return finish(start(root, *args, stdin=stdin), stdin)


def cached_and_fresh(root: Path, *args: str, jobs: str = "1") -> tuple[str, str]:
    """The output with the project's cache and without any cache, run side by side."""
    cached = start(root, "-j", jobs, *args, ".")
    fresh = start(root, "--ddd-cache=false", *args, ".")
    return finish(cached), finish(fresh)


def codes(output: str) -> list[str]:
    return [line.split()[1] for line in output.splitlines()]


def entries(root: Path) -> list[Path]:
    """The modules' entries (not the source roots kept beside them)."""
    return sorted(p for p in (root / ".ddd_events_cache").glob("*.json") if p.name not in NAMED)


# -- the property: random edits, cached == fresh -------------------------------------

def toggle(path: Path, old: str, new: str) -> None:
    if not path.exists():
        return  # renamed or deleted by an earlier edit
    text = path.read_text()
    path.write_text(text.replace(old, new) if old in text else text.replace(new, old))


def move(root: Path, name: str, other: str) -> None:
    source, target = root / name, root / other
    if source.exists():
        source.rename(target)
    elif target.exists():
        target.rename(source)


def delete_or_restore(root: Path, name: str) -> None:
    path = root / name
    if path.exists():
        path.unlink()
    else:
        path.write_text(PROJECT[name])


EDITS = {
    # the checked module itself
    "freeze the event": lambda r: toggle(r / "shop/domain/orders.py", "@dataclass\nclass",
                                         "@dataclass(frozen=True)\nclass"),
    "noqa on a finding": lambda r: toggle(r / "shop/domain/orders.py", "lines: list[str]\n",
                                          "lines: list[str]  # noqa: DDD104\n"),
    # a module the checked module imports, and one that module imports (two hops)
    "customer stops being an aggregate": lambda r: toggle(
        r / "shop/domain/customers.py", "class Customer(Aggregate):", "class Customer:"),
    "rename the event base": lambda r: toggle(r / "shop/kernel.py", "class Message:",
                                              "class Envelope:"),
    "unfreeze the event base": lambda r: toggle(r / "shop/kernel.py", "(frozen=True, kw_only=True)",
                                                "(kw_only=True)"),
    "make the handler base an event": lambda r: toggle(
        r / "shop/kernel.py", "class Handler:", "class Handler(Message):"),
    # a module only the gate reads (a base it follows from flows.py)
    "make a plain base an event": lambda r: toggle(r / "shop/base.py", "class Thing:",
                                                   "class Thing(Message):"),
    # a module nothing imports
    "edit an unrelated module": lambda r: toggle(r / "shop/other.py", "pass", "x: int = 1"),
    # renames and deletions: an imported module disappears, then appears again
    "rename the customers module": lambda r: move(r, "shop/domain/customers.py",
                                                  "shop/domain/clients.py"),
    "delete the kernel": lambda r: delete_or_restore(r, "shop/kernel.py"),
    # settings
    "change a setting": lambda r: toggle(r / "setup.cfg", "ddd-aggregate-bases = Aggregate\n",
                                         "ddd-aggregate-bases = Root\n"),
    "change the event bases": lambda r: toggle(r / "setup.cfg", "bases = Message\n",
                                               "bases = Envelope\n"),
}


@pytest.mark.slow
@settings(max_examples=examples(6), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.sampled_from(sorted(EDITS)), min_size=1, max_size=4),
       jobs=st.sampled_from(["1", "2"]))
def test_a_cached_answer_equals_a_fresh_one_after_any_edits(edits, jobs):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_project(root)
        cached, fresh = cached_and_fresh(root, jobs=jobs)
        assert codes(fresh) == FINDINGS and cached == fresh
        for edit in edits:
            EDITS[edit](root)
            cached, fresh = cached_and_fresh(root, jobs=jobs)
            assert cached == fresh, edit
        assert entries(root)  # the cache was there to be used
        assert flake8(root, ".") == fresh  # answered from the cache once more: the same


@pytest.mark.slow  # flake8 processes, several
def test_every_edit_of_the_property_changes_what_some_run_reports(project):
    """Each edit the property applies matters to the findings (or, for an unrelated module,
    touches a file the checked modules do not read): none is a no-op."""
    base = flake8(project, "--ddd-cache=false", ".")
    for name, edit in EDITS.items():
        edit(project)
        changed = flake8(project, "--ddd-cache=false", ".")
        edit(project)  # and back
        assert (changed == base) == (name == "edit an unrelated module"), name
    assert flake8(project, "--ddd-cache=false", ".") == base


# -- what a warm run costs --------------------------------------------------------------

WARM = """\
import sys
from flake8.main.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print("libcst imported:", "libcst" in sys.modules, file=sys.stderr)
"""


def imports_libcst(root: Path, *args: str) -> tuple[bool, str]:
    result = subprocess.run([sys.executable, "-c", WARM, "--select", "DDD", "-j", "1", *args],
                            cwd=root, capture_output=True, text=True, timeout=300)
    assert "Traceback" not in result.stderr, result.stderr
    return "libcst imported: True" in result.stderr, result.stdout


def test_an_unchanged_project_is_answered_without_importing_libcst(project):
    cold, first = imports_libcst(project, ".")
    warm, second = imports_libcst(project, ".")
    assert cold and not warm
    assert second == first and codes(first) == FINDINGS


def test_only_the_modules_that_rest_on_an_edit_are_checked_again(project):
    flake8(project, ".")
    toggle(project / "shop/other.py", "pass", "x: int = 1")  # read by no checked module
    assert imports_libcst(project, ".")[0] is False
    toggle(project / "shop/domain/customers.py", "name: str", "name: str = ''")
    assert imports_libcst(project, "shop/app/handlers.py")[0] is False  # does not read it
    assert imports_libcst(project, "shop/domain/orders.py")[0] is True  # reads it


@pytest.mark.slow  # flake8 processes, several
def test_a_module_that_appears_where_a_lookup_found_none_invalidates(project):
    (project / "shop/domain/orders.py").write_text(
        PROJECT["shop/domain/orders.py"].replace("shop.domain.customers", "shop.domain.people"))
    before = flake8(project, ".")
    assert "DDD103" not in before  # Customer is unknown: no such module
    (project / "shop/domain/people.py").write_text(PROJECT["shop/domain/customers.py"])
    after = flake8(project, ".")
    assert after == flake8(project, "--ddd-cache=false", ".") and "DDD103" in after


@pytest.mark.slow  # flake8 processes, several
def test_a_module_only_the_gate_read_invalidates(project):
    """The cache is read before the gate, so an entry rests on the modules the gate
    followed too: here base.py, which no rule reads while flows.py is checked for DDD501."""
    flake8(project, ".")
    EDITS["make a plain base an event"](project)
    after = flake8(project, "shop/domain/flows.py")
    assert after == flake8(project, "--ddd-cache=false", "shop/domain/flows.py")
    assert codes(after) == ["DDD501", "DDD101", "DDD104"]


@pytest.mark.slow  # flake8 processes, several
def test_a_noqa_change_is_honoured_on_a_cached_module(project):
    flake8(project, ".")
    toggle(project / "shop/domain/orders.py", "lines: list[str]\n",
           "lines: list[str]  # noqa: DDD104\n")
    assert "DDD104" not in flake8(project, ".")
    toggle(project / "shop/domain/orders.py", "lines: list[str]\n",
           "lines: list[str]  # noqa: DDD104\n")
    assert codes(flake8(project, ".")) == FINDINGS


@pytest.mark.slow  # flake8 processes, several
def test_an_editor_buffer_is_answered_by_what_the_editor_sent(project):
    flake8(project, ".")  # the file on disk is cached
    buffer = PROJECT["shop/domain/orders.py"].replace("@dataclass\n", "@dataclass(frozen=True)\n")
    args = ("--stdin-display-name", "shop/domain/orders.py", "-")
    for _ in range(2):  # cold, then answered from the cache
        output = flake8(project, *args, stdin=buffer)
        assert output == flake8(project, "--ddd-cache=false", *args, stdin=buffer)
        assert "DDD101" not in output and "DDD104" in output
    assert "DDD101" in flake8(project, "shop/domain/orders.py")  # the file is not the buffer


# -- concurrency, and folders that cannot serve ------------------------------------------

@pytest.mark.slow  # flake8 processes, several
def test_two_flake8_processes_share_one_cache(project):
    fresh = flake8(project, "--ddd-cache=false", ".")
    for _ in range(2):  # both cold, then both warm
        runs = [start(project, "-j", "2", "."), start(project, "-j", "2", ".")]
        assert [finish(r) for r in runs] == [fresh, fresh]
    assert len(entries(project)) == CHECKED
    assert not list((project / ".ddd_events_cache").glob(".tmp-*"))
    assert imports_libcst(project, ".") == (False, fresh)


@pytest.mark.slow  # flake8 processes, several
def test_a_cache_full_of_garbage_is_a_miss_and_is_replaced(project):
    fresh = flake8(project, ".")
    garbage = [b"", b"\x00\xff" * 50, b'{"format": 1', b"[" * 100_000 + b"]" * 100_000,
               b'{"format": "flake8-ddd-events result cache 1", "key": 3}']
    for number, path in enumerate(entries(project)):
        data = path.read_bytes()
        path.write_bytes(garbage[number % len(garbage)] if number < len(garbage)
                         else data[: len(data) // 2])
    (project / ".ddd_events_cache" / "0123456789abcdef0123456789abcdef.json").write_text("{}")
    assert flake8(project, ".") == fresh
    assert imports_libcst(project, ".") == (False, fresh)  # every entry was written anew


@pytest.mark.slow  # flake8 processes, several
def test_an_entry_of_the_right_key_with_bad_parts_is_a_miss(project):
    fresh = flake8(project, ".")
    for path in entries(project):
        entry = json.loads(path.read_text())
        entry["modules"] = [["shop.kernel", 3]] if entry["modules"] else "x"
        entry["findings"] = [[1, "x", "DDD101", "m"]]
        path.write_text(json.dumps(entry))
    assert flake8(project, ".") == fresh


@pytest.mark.slow  # flake8 processes, several
def test_a_file_in_place_of_the_cache_folder_is_left_alone(project):
    (project / ".ddd_events_cache").write_text("not a folder")
    fresh = flake8(project, "--ddd-cache=false", ".")
    assert flake8(project, ".") == fresh and flake8(project, "-j", "2", ".") == fresh
    assert (project / ".ddd_events_cache").read_text() == "not a folder"


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs /proc (Linux)")
@pytest.mark.slow  # flake8 processes, several
def test_a_cache_folder_that_cannot_be_made_or_written_is_no_error(project):
    fresh = flake8(project, "--ddd-cache=false", ".")
    assert flake8(project, "--ddd-cache-dir", "/proc/self/ddd-cache", ".") == fresh


def test_a_read_only_cache_still_answers(project, monkeypatch):
    """In-process: writing fails (as in a read-only folder, which root could still write),
    reading does not; nothing is left behind."""
    monkeypatch.chdir(project)
    settings = Settings.from_values({"ddd-source-roots": ["."]})
    source = (project / "shop/domain/customers.py").read_text()
    cache = ResultCache(settings, str(project), "selection")
    lookup = cache.lookup("shop/domain/customers.py", source)
    cache.store(lookup, [(1, 0, "DDD101", "DDD101 m")], ((), ()))

    def refuse(*args, **kwargs):
        raise PermissionError("read-only")

    monkeypatch.setattr("tempfile.mkstemp", refuse)
    again = ResultCache(settings, str(project), "selection")
    lookup = again.lookup("shop/domain/customers.py", source)
    assert lookup.findings == [(1, 0, "DDD101", "DDD101 m")]
    other = again.lookup("shop/other.py", "x = 1\n")
    again.store(other, [], ((), ()))  # a no-op, not an error
    assert again.lookup("shop/other.py", "x = 1\n").findings is None
    assert sorted(p.name for p in (project / ".ddd_events_cache").iterdir()) == sorted(
        [".gitignore", "CACHEDIR.TAG", Path(cache.folder.entry_path("shop/domain/customers.py")).name])


# -- keys and dependencies ----------------------------------------------------------------

def test_the_cache_folder_is_marked_and_ignores_itself(project):
    flake8(project, ".")
    folder = project / ".ddd_events_cache"
    assert (folder / ".gitignore").read_text().splitlines()[-1] == "*"
    assert (folder / "CACHEDIR.TAG").read_text() == CACHEDIR_TAG
    assert CACHEDIR_TAG.startswith("Signature: 8a477f597d28d172789f06886806bc55\n")


def test_settings_selection_and_text_are_part_of_the_key(project):
    settings = Settings.from_values({"ddd-source-roots": ["."]})
    other = Settings.from_values({"ddd-source-roots": ["."], "ddd-entity-bases": "Thing"})
    source = PROJECT["shop/other.py"]
    keys = {ResultCache(s, str(project), selection).lookup(name, text).key
            for s, selection, name, text in [
                (settings, "x", "a.py", source), (other, "x", "a.py", source),
                (settings, "y", "a.py", source), (settings, "x", "a.py", source + "\n"),
                (settings, "x", "b.py", source)]}
    assert len(keys) == 5


def test_a_file_a_rule_reads_is_a_dependency_present_or_absent(project, monkeypatch):
    monkeypatch.chdir(project)
    settings = Settings.from_values({"ddd-source-roots": ["."]})
    model = ProjectModel(settings)
    lock = project / "contracts.lock"
    model.record()
    assert model.read_file(str(lock)) is None
    lock.write_text("v1")
    assert model.read_file(str(project / "shop/other.py")) == PROJECT["shop/other.py"].encode()
    modules, files = model.dependencies()
    assert modules == () and [digest is None for _, digest in files] == [True, False]
    cache = ResultCache(settings, str(project), "s")
    lookup = cache.lookup("shop/other.py", "x")
    cache.store(lookup, [], (modules, files))
    # the lock file now exists: the entry that recorded it absent no longer answers
    assert ResultCache(settings, str(project), "s").lookup("shop/other.py", "x").findings is None
    lock.unlink()
    assert ResultCache(settings, str(project), "s").lookup("shop/other.py", "x").findings == []


def test_a_module_reached_through_views_made_for_an_earlier_check_is_still_a_dependency(project):
    """The kernel is looked up once, while the first module is checked (resolving the base
    of an event it imports); the second reaches that event's base through the views kept
    from then, looks nothing up in the kernel, and depends on it all the same."""
    settings = Settings.from_values({"ddd-source-roots": [str(project)],
                                     "ddd-domain-event-bases": "Message",
                                     "ddd-aggregate-bases": "Aggregate"})
    model = ProjectModel(settings)
    for name, event in (("amended", "OrderAmended"), ("revoked", "OrderRevoked")):
        (project / f"shop/domain/{name}.py").write_text(
            "from dataclasses import dataclass\n\nfrom shop.domain.orders import OrderPlaced\n"
            f"\n\n@dataclass(frozen=True)\nclass {event}(OrderPlaced):\n    notes: list[str]\n")
    dependencies = []
    for name in ("amended", "revoked"):
        path = project / f"shop/domain/{name}.py"
        model.record()
        reports = list(check_source(path.read_text(), str(path), settings, {"DDD104"}, model))
        assert [r.code for r in reports] == ["DDD104"]  # an event through the kernel's base
        looked_up = set(model._recorded)
        dependencies.append({state[0]: state for state in model.dependencies()[0]})
    assert "shop.kernel" not in looked_up  # the second check reached it through kept views
    for found in dependencies:
        assert {"shop.domain.orders", "shop.kernel"} <= set(found)
        assert found["shop.kernel"][1] == os.path.realpath(project / "shop/kernel.py")
        assert "shop.domain.customers" not in found  # DDD104 never asks what Customer is


# -- the fixer and the command --------------------------------------------------------------

@pytest.mark.slow  # flake8 processes, several
def test_the_fixer_never_reads_the_cache(project):
    flake8(project, ".")
    for path in entries(project):  # every entry says: nothing to report
        entry = json.loads(path.read_text())
        entry["findings"] = []
        path.write_text(json.dumps(entry))
    assert "DDD101" not in flake8(project, ".")  # the poisoned cache answers flake8
    result = subprocess.run([sys.executable, "-m", "flake8_ddd_events.cli", "fix", "--diff",
                             "shop"], cwd=project, capture_output=True, text=True, timeout=300)
    assert "frozen=True" in result.stdout, result.stdout + result.stderr


def test_cache_info_and_clear(project):
    def command(*args: str) -> str:
        result = subprocess.run([sys.executable, "-m", "flake8_ddd_events.cli", "cache", *args],
                                cwd=project, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        return result.stdout

    folder = project / ".ddd_events_cache"
    assert "entries: 0" in command("info")
    flake8(project, ".")
    (folder / "keep.txt").write_text("not ours")
    (folder / ".tmp-interrupted").write_text("half")
    info = command("info")
    roots = folder / ROOTS  # the source roots found, kept beside the modules' entries
    size = sum(p.stat().st_size for p in [*entries(project), roots]) + len("half")
    assert f"result cache: {folder} (on)" in info and f"entries: {CHECKED}," in info
    assert "one per module checked" in info and "passed the gate" not in info
    assert f"size: {size / 1024:.1f} KiB" in info and "temporary files of interrupted runs: 1" in info
    assert command("clear") == f"removed {CHECKED + 2} entries from {folder}\n"
    assert entries(project) == [] and not roots.exists() and (folder / "keep.txt").exists()
    (project / "setup.cfg").write_text("[flake8]\nddd-cache = false\nddd-cache-dir = elsewhere\n")
    assert f"result cache: {project / 'elsewhere'} (off" in command("info")


def test_ddd_cache_false_in_pyproject_turns_it_off(project):
    (project / "pyproject.toml").write_text("[tool.flake8-ddd-events]\nddd-cache = false\n")
    assert codes(flake8(project, ".")) == FINDINGS
    assert not (project / ".ddd_events_cache").exists()


def test_a_missing_folder_is_an_empty_cache(tmp_path):
    folder = Folder(str(tmp_path / "nowhere"))
    assert folder.usage() == (0, 0, 0) and folder.clear() == 0
    assert not (tmp_path / "nowhere").exists()


def test_an_entry_too_large_to_be_read_back_is_not_written(tmp_path, monkeypatch):
    """A kept search of a huge tree (or any entry) over MAX_ENTRY_BYTES would be a miss on
    every read, and written again on every run: it is not written at all."""
    monkeypatch.setattr("flake8_ddd_events.cache.folder.MAX_ENTRY_BYTES", 100)
    folder = Folder(str(tmp_path / "cache"))
    assert folder.write_named(ROOTS, {"roots": ["."]}) is True
    assert folder.read_named(ROOTS) == {"roots": ["."]}
    assert folder.write_named(ROOTS, {"roots": ["x" * 200]}) is False
    assert folder.read_named(ROOTS) == {"roots": ["."]}


@pytest.mark.slow  # flake8 processes, several
def test_a_changed_contract_lock_is_never_answered_from_the_cache(tmp_path):
    """DDD208 reads the lock through the project model: its content is part of the key."""
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop/__init__.py").write_text("")
    (tmp_path / "shop/integration_events.py").write_text(
        "from dataclasses import dataclass\n\n\n"
        "@dataclass(frozen=True, kw_only=True)\nclass OrderShipped:\n"
        "    event_id: str\n    occurred_on: str\n    correlation_id: str\n    causation_id: str\n"
        "    event_version: int = 1\n    order_id: str\n")
    locked = subprocess.run([sys.executable, "-m", "flake8_ddd_events.cli", "contracts", "lock", "."],
                            cwd=tmp_path, capture_output=True, text=True)
    assert locked.returncode == 0, locked.stderr
    assert codes(flake8(tmp_path, ".")) == []
    lock = tmp_path / "ddd-contracts.lock"
    text = lock.read_text()
    changed = text.replace('"order_id": {"nullable": false, "required": true, '
                           '"type": {"name": "str"}}',
                           '"order_id": {"nullable": false, "required": true, '
                           '"type": {"name": "int"}}')
    assert changed != text
    lock.write_text(changed)
    cached, fresh = cached_and_fresh(tmp_path)
    assert codes(cached) == codes(fresh) == ["DDD208"]


# -- the source roots, kept between runs ---------------------------------------------------

MONOREPO = [("platform/foundation", "setup.py"), ("services/orders", "pyproject.toml"),
            ("services/orders/src", None), ("libs/kit", "setup.cfg"), ("src", None),
            ("node_modules/pkg", "setup.py"), ("tests/fixtures/project", "pyproject.toml")]


def quiet(root: Path, seconds_ago: int) -> None:
    """Every folder's modification time set to some time ago, as a tree nobody touches now
    (a different time each call, as a real change would make)."""
    moment = time.time() - seconds_ago
    for folder in [root, *(p for p in root.rglob("*") if p.is_dir() and not p.is_symlink())]:
        os.utime(folder, (moment, moment))


def test_kept_source_roots_are_read_back_without_listing_a_folder(tmp_path, monkeypatch):
    for folder, marker in MONOREPO:
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
        if marker:
            (tmp_path / folder / marker).write_text("")
    (tmp_path / ".ddd_events_cache").mkdir()
    quiet(tmp_path, 100)
    expected = discover_roots(str(tmp_path))
    assert expected == (".", "src", "libs/kit", "platform/foundation", "services/orders",
                        "services/orders/src")
    assert source_roots(".ddd_events_cache", str(tmp_path)) == expected

    def listed(*args):
        raise AssertionError("a folder was listed again")

    monkeypatch.setattr("flake8_ddd_events.cache.roots.folder_signature", listed)
    monkeypatch.setattr("flake8_ddd_events.cache.roots.search_folders", listed)
    assert source_roots(".ddd_events_cache", str(tmp_path)) == expected
    # a new project file changes its folder's time: that folder is listed again
    (tmp_path / "libs/kit/pyproject.toml").write_text("")
    with pytest.raises(AssertionError, match="listed again"):
        source_roots(".ddd_events_cache", str(tmp_path))


def test_a_folder_changed_in_the_tick_it_was_listed_is_listed_again(tmp_path):
    """File times are coarse on many systems: a change right after a folder was listed can
    keep its time. A folder modified shortly before it was listed is listed again until it
    is quiet (git's racy-timestamp rule)."""
    (tmp_path / ".ddd_events_cache").mkdir()
    (tmp_path / "pkg").mkdir()
    assert source_roots(".ddd_events_cache", str(tmp_path)) == (".",)
    kept = (tmp_path / "pkg").stat()
    (tmp_path / "pkg" / "setup.py").write_text("")
    os.utime(tmp_path / "pkg", ns=(kept.st_atime_ns, kept.st_mtime_ns))  # the same tick
    assert source_roots(".ddd_events_cache", str(tmp_path)) == (".", "pkg")


FOLDERS = ["a", "a/b", "a/b/c", "src", "a/src", "a/tests", "a/.hidden", "a/node_modules", "d"]


@settings(max_examples=examples(40), deadline=None)
@given(steps=st.lists(st.tuples(st.sampled_from(["mkdir", "rmdir", "project", "unproject",
                                                 "link", "touch"]),
                                st.sampled_from(FOLDERS), st.booleans()),
                      min_size=1, max_size=12))
def test_kept_source_roots_follow_every_change_of_the_tree(steps):
    """After any change (a folder made or removed, a project file added or removed, a
    linked folder, an unrelated file), the kept roots are the roots a search finds; with the
    tree left quiet in between (the kept times are trusted) or not (folders re-listed)."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        assert source_roots(".ddd_events_cache", folder) == discover_roots(folder)
        for index, (action, name, settle) in enumerate(steps):
            path = root / name
            if action == "mkdir":
                path.mkdir(parents=True, exist_ok=True)
            elif action == "rmdir" and path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            elif action == "project" and path.is_dir():
                (path / "setup.cfg").write_text("")
            elif action == "unproject" and (path / "setup.cfg").exists():
                (path / "setup.cfg").unlink()
            elif action == "link" and not path.exists() and path.parent.is_dir():
                path.symlink_to(root, target_is_directory=True)
            elif action == "touch" and path.is_dir():
                (path / "notes.txt").write_text(str(index))
            if settle:
                quiet(root, 1000 - index)
            assert source_roots(".ddd_events_cache", folder) == discover_roots(folder), steps


def test_ddd209_answers_follow_the_lock_and_an_upcaster_module_appearing(tmp_path):
    """DDD209 reads the lock through the project model, and looks its upcaster modules up by
    name (present or absent): a changed lock, or an upcasters module written next to the
    event, is never answered from a cache entry made before."""
    (tmp_path / "shop/orders").mkdir(parents=True)
    (tmp_path / "shop/__init__.py").write_text("")
    (tmp_path / "shop/orders/__init__.py").write_text("")
    events = tmp_path / "shop/orders/events.py"
    head = "from protean import Domain\n\nshop = Domain(name='Shop')\n\n\n@shop.event(part_of='Order')\n"
    events.write_text(head + "class OrderPlaced:\n    order_id: str\n")
    locked = subprocess.run([sys.executable, "-m", "flake8_ddd_events.cli", "contracts", "lock", "."],
                            cwd=tmp_path, capture_output=True, text=True)
    assert locked.returncode == 0, locked.stderr
    assert codes(flake8(tmp_path, "--select", "DDD209", ".")) == []
    events.write_text(head + "class OrderPlaced:\n    __version__ = 2\n    order_id: str\n"
                      "    currency: str\n")
    cached, fresh = cached_and_fresh(tmp_path, "--select", "DDD209")
    assert codes(cached) == codes(fresh) == ["DDD209"]
    (tmp_path / "shop/orders/upcasters.py").write_text(
        "from shop.orders.events import OrderPlaced, shop\n\n\n"
        "@shop.upcaster(event_type=OrderPlaced, from_version=1, to_version=2)\n"
        "class AddCurrency:\n    pass\n")
    cached, fresh = cached_and_fresh(tmp_path, "--select", "DDD209")
    assert codes(cached) == codes(fresh) == []
    lock = tmp_path / "ddd-contracts.lock"
    text = lock.read_text()  # now version 2 is locked without 'currency'
    lock.write_text(text.replace('"current": 1', '"current": 2').replace('"1": {', '"2": {'))
    cached, fresh = cached_and_fresh(tmp_path, "--select", "DDD209")
    assert codes(cached) == codes(fresh) == ["DDD209"]


def test_the_run_key_follows_the_plugins_own_code(tmp_path):
    """An install from a git URL or a checkout changes the code, not the version: the cache
    must not answer with the rules of the code before."""
    from flake8_ddd_events.cache.keys import plugin_build

    package = tmp_path / "flake8_ddd_events"
    rule = write_file(package, "rules/naming.py", "RULE = 1\n")
    write_file(package, "__pycache__/x.py", "ignored = 1\n")
    before = plugin_build(str(package))
    assert plugin_build(str(package)) == before
    rule.write_text("RULE = 22\n")
    assert plugin_build(str(package)) != before
    edited = plugin_build(str(package))
    os.utime(rule, ns=(1, 1))
    assert plugin_build(str(package)) != edited


@pytest.mark.slow  # flake8 processes, several
def test_editing_a_dispatcher_in_another_module_re_reports_its_caller(tmp_path):
    """DDD409 at a dispatch inside a transaction rests on the dispatcher's module, which
    the caller imports: whether that module swallows a handler's failure is part of the
    caller's entry."""
    swallowing = """\
class MessageBus:
    def __init__(self, handlers, logger) -> None:
        self.handlers = handlers
        self.logger = logger

    def dispatch(self, event) -> None:
        for handler in self.handlers[type(event)]:
            try:
                handler(event)
            except Exception:
                self.logger.exception("handler failed")
"""
    write_file(tmp_path, "shop/__init__.py", "")
    write_file(tmp_path, "shop/bus.py", swallowing)
    write_file(tmp_path, "shop/services.py", """\
from shop.bus import MessageBus


def place_order(uow, order, bus: MessageBus) -> None:
    with uow:
        uow.orders.add(order)
        bus.dispatch(order.recorded_events)
        uow.commit()
""")
    assert codes(flake8(tmp_path, ".")) == ["DDD409"]
    (tmp_path / "shop/bus.py").write_text(swallowing.replace(
        'self.logger.exception("handler failed")', "raise"))
    assert flake8(tmp_path, ".") == flake8(tmp_path, "--ddd-cache=false", ".") == ""
    (tmp_path / "shop/bus.py").write_text(swallowing)
    after = flake8(tmp_path, ".")
    assert after == flake8(tmp_path, "--ddd-cache=false", ".")
    assert codes(after) == ["DDD409"] and "shop/services.py:7:" in after
