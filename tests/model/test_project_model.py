"""The project model: names resolved across modules, read (never imported) once, bounded.

The end-to-end half runs real flake8 on the multi-package fixture project in
tests/fixtures/project and compares its output with the `# DDDxxx` markers there.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import flake8_ddd_events.syntax.parsing as parsing
from flake8_ddd_events.analysis.library_bases import chain_complete
from flake8_ddd_events.model import project_model as model_module
from flake8_ddd_events.model.views import MAX_CHAIN
from flake8_ddd_events.lint.pipeline import check_source
from flake8_ddd_events.model.project_model import ProjectModel
from flake8_ddd_events.model.views import ClassView, External, Unknown
from flake8_ddd_events.plugin import all_codes
from flake8_ddd_events.analysis.recognition import Kind, recognise
from flake8_ddd_events.config.settings import Settings

from ..conftest import expected_markers, write_file

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "project"


# -- the fixture project through real flake8 ----------------------------------------------------

def run_flake8(*args: str) -> subprocess.CompletedProcess[str]:
    # not --isolated: the fixture's own .flake8 must be found (and stops the search upwards)
    return subprocess.run([sys.executable, "-m", "flake8", "--select", "DDD", *args, "."],
                          cwd=FIXTURE, capture_output=True, text=True, timeout=300)


def reported(output: str) -> set[tuple[str, int, str]]:
    found = set()
    for line in output.splitlines():
        path, row, _column, message = line.split(":", 3)
        found.add((Path(path).as_posix().removeprefix("./"), int(row), message.split()[0]))
    return found


def marked() -> set[tuple[str, int, str]]:
    found = set()
    for path in sorted(FIXTURE.rglob("*.py")):
        relative = path.relative_to(FIXTURE).as_posix()
        found |= {(relative, line, code) for line, code in expected_markers(path.read_text())}
    return found


@pytest.fixture(scope="module")
def serial() -> subprocess.CompletedProcess[str]:
    return run_flake8("-j", "1")


def test_flake8_reports_exactly_the_marked_findings(serial):
    assert serial.stderr == ""  # also: shop/kernel/legacy.py raises if imported; it was only read
    assert reported(serial.stdout) == marked()


def test_the_fixture_shows_every_cross_module_finding_the_issue_asks_for():
    codes = {code for _, _, code in marked()}
    assert {"DDD101", "DDD102", "DDD103", "DDD109", "DDD302", "DDD501"} <= codes
    assert not codes & {"DDD105", "DDD106"}  # the kernel's DomainEvent provides id and timestamp


def test_two_jobs_give_the_same_output_as_one(serial):
    parallel = run_flake8("-j", "2")
    assert parallel.stderr == ""
    assert sorted(parallel.stdout.splitlines()) == sorted(serial.stdout.splitlines())
    assert parallel.stdout.count("\n") >= 7


def test_the_source_root_option_decides_what_resolves(serial):
    explicit = run_flake8("--ddd-source-roots=src")
    assert explicit.stdout == serial.stdout
    # with only '.' the package is `src.shop`: `shop.kernel` is no project module, the
    # billing base's chain ends in an external class, and the chain rules stay silent
    shallow = run_flake8("--ddd-source-roots=.")
    codes = {(Path(p).name, code) for p, _, code in reported(shallow.stdout)}
    assert ("invoice.py", "DDD109") not in codes
    assert ("invoice.py", "DDD103") not in codes


def test_the_fixture_is_not_collected_by_pytest():
    assert not list(FIXTURE.rglob("test_*.py")) and not list(FIXTURE.rglob("*_test.py"))


# -- resolution, unit by unit -------------------------------------------------------------------

def write(root: Path, files: dict[str, str]) -> None:
    for name, source in files.items():
        write_file(root, name, textwrap.dedent(source))


def make_model(root: Path, files: dict[str, str] | None = None) -> ProjectModel:
    write(root, files or {})
    return ProjectModel(Settings.from_values({"ddd-source-roots": [str(root)]}))


def named(resolved) -> str:
    if isinstance(resolved, ClassView):
        return f"{resolved.facts.module}.{resolved.cls.qualname}"
    return repr(resolved)


KERNEL = {
    "shop/__init__.py": "",
    "shop/kernel/__init__.py": "from .events import DomainEvent\nfrom .aggregates import *\n",
    "shop/kernel/events.py": """\
        from dataclasses import dataclass

        @dataclass(frozen=True)
        class DomainEvent:
            event_id: str

        class Outer:
            class Inner:
                pass
        """,
    "shop/kernel/aggregates.py": """\
        class AggregateRoot:
            pass

        class _Private:
            pass
        """,
    "shop/sales/__init__.py": "",
    "shop/sales/domain/__init__.py": "",
}


@pytest.mark.parametrize(("imports", "written"), [
    ("from shop.kernel.events import DomainEvent", "DomainEvent"),
    ("from shop.kernel.events import DomainEvent as Base", "Base"),
    ("from ...kernel.events import DomainEvent", "DomainEvent"),
    ("from ...kernel import DomainEvent", "DomainEvent"),  # __init__ re-export by name
    ("from ... import kernel", "kernel.DomainEvent"),
    ("from ...kernel import events", "events.DomainEvent"),
    ("import shop.kernel.events as kev", "kev.DomainEvent"),
    ("import shop.kernel.events", "shop.kernel.events.DomainEvent"),
    ("import shop.kernel", "shop.kernel.DomainEvent"),
])
def test_import_shapes_resolve_to_the_class(tmp_path, imports, written):
    model = make_model(tmp_path, {**KERNEL, "shop/sales/domain/model.py": f"{imports}\n"})
    facts = model.module("shop.sales.domain.model")
    assert named(model.resolve(facts, written)) == "shop.kernel.events.DomainEvent"


def test_from_dot_import_module_then_attribute(tmp_path):
    model = make_model(tmp_path, {**KERNEL, "shop/sales/domain/history.py": """\
        class OrderPlaced:
            pass
        """, "shop/sales/domain/order.py": "from . import history\n"})
    facts = model.module("shop.sales.domain.order")
    assert named(model.resolve(facts, "history.OrderPlaced")) == "shop.sales.domain.history.OrderPlaced"


def test_star_re_export_is_followed_for_public_names_only(tmp_path):
    model = make_model(tmp_path, {**KERNEL, "shop/sales/domain/model.py":
                                  "from shop.kernel import AggregateRoot, _Private\n"})
    facts = model.module("shop.sales.domain.model")
    assert named(model.resolve(facts, "AggregateRoot")) == "shop.kernel.aggregates.AggregateRoot"
    assert isinstance(model.resolve(facts, "_Private"), Unknown)


def test_star_import_in_the_module_itself_and_star_cycles_end(tmp_path):
    model = make_model(tmp_path, {
        **KERNEL,
        "shop/a.py": "from shop.b import *\nfrom shop.kernel.aggregates import *\n",
        "shop/b.py": "from shop.a import *\n",
    })
    facts = model.module("shop.a")
    assert named(model.resolve(facts, "AggregateRoot")) == "shop.kernel.aggregates.AggregateRoot"
    assert isinstance(model.resolve(facts, "Nowhere"), Unknown)
    assert model.resolve(facts, "ValueError") == External("builtins.ValueError")


def test_nested_classes_by_dotted_name_and_from_the_enclosing_body(tmp_path):
    model = make_model(tmp_path, {**KERNEL, "shop/sales/domain/model.py": """\
        from shop.kernel.events import Outer

        class Dog:
            class Registered:
                pass

            class Renamed(Registered):
                pass

        class Cat(Outer.Inner):
            pass
        """})
    facts = model.module("shop.sales.domain.model")
    assert named(model.resolve(facts, "Outer.Inner")) == "shop.kernel.events.Outer.Inner"
    renamed = model.view(facts, facts.classes["Dog.Renamed"])
    assert [named(b) for b in renamed.bases] == ["shop.sales.domain.model.Dog.Registered"]
    cat = model.view(facts, facts.classes["Cat"])
    assert [named(b) for b in cat.bases] == ["shop.kernel.events.Outer.Inner"]
    assert isinstance(model.resolve(facts, "Dog.missing"), Unknown)


def test_external_leaf_and_unknown(tmp_path):
    model = make_model(tmp_path, {**KERNEL, "shop/sales/domain/model.py": """\
        from dataclasses import dataclass
        from billing_sdk import Event
        from shop.kernel.events import Missing
        from shop.nowhere import Thing
        """})
    facts = model.module("shop.sales.domain.model")
    assert model.resolve(facts, "dataclass") == External("dataclasses.dataclass")
    assert model.resolve(facts, "dataclass").is_leaf
    assert model.resolve(facts, "Event") == External("billing_sdk.Event")
    assert not model.resolve(facts, "Event").is_leaf
    assert isinstance(model.resolve(facts, "Missing"), Unknown)  # the project module lacks it
    assert isinstance(model.resolve(facts, "Thing"), Unknown)  # inside the project package
    assert isinstance(model.resolve(facts, "undefined_name"), Unknown)


def test_relative_import_beyond_the_top_package_is_unknown(tmp_path):
    model = make_model(tmp_path, {"top.py": "from .... import kernel\nfrom ..x import Y\n"})
    facts = model.module("top")
    assert isinstance(model.resolve(facts, "kernel.DomainEvent"), Unknown)
    assert isinstance(model.resolve(facts, "Y"), Unknown)


def test_import_cycles_between_bases_terminate(tmp_path):
    model = make_model(tmp_path, {
        "a.py": "from b import B\nclass A(B):\n    pass\n",
        "b.py": "from a import A\nclass B(A):\n    pass\n",
    })
    view = model.view(model.module("a"), model.module("a").classes["A"])
    assert [named(r) for _, r in view.ancestors()] == ["b.B"]  # each class once, never itself
    assert [named(v) for v in view.mro] == ["a.A", "b.B"]
    assert chain_complete(view)
    assert recognise(view, model.settings).kind is Kind.OTHER


def test_alias_chains_end_at_the_depth_cap(tmp_path):
    files = {f"m{i}.py": f"from m{i + 1} import X\n" for i in range(40)}
    files["m40.py"] = "class X:\n    pass\n"
    model = make_model(tmp_path, files)
    assert isinstance(model.resolve(model.module("m0"), "X"), Unknown)
    assert named(model.resolve(model.module("m30"), "X")) == "m40.X"


def test_long_inheritance_chains_are_bounded(tmp_path):
    count = MAX_CHAIN + 20
    source = "class C0:\n    pass\n" + "".join(f"class C{i}(C{i - 1}):\n    pass\n" for i in range(1, count))
    model = make_model(tmp_path, {"deep.py": source})
    facts = model.module("deep")
    view = model.view(facts, facts.classes[f"C{count - 1}"])
    assert len(list(view.ancestors())) <= MAX_CHAIN + 2
    assert not chain_complete(view)
    assert len(view.mro) <= MAX_CHAIN + 2


# -- reading: once, re-read when edited, never outside, never executed ---------------------------

@pytest.fixture
def parses(monkeypatch) -> list[str]:
    """Every module the parser is asked for, by path (the model imports it lazily)."""
    seen: list[str] = []
    real = parsing.parse_facts

    def counting(source, path, module, is_package):
        seen.append(path)
        return real(source, path, module, is_package)

    monkeypatch.setattr(parsing, "parse_facts", counting)
    return seen


def test_each_module_is_parsed_at_most_once(tmp_path, parses):
    model = make_model(tmp_path, KERNEL)
    for index in range(5):
        write(tmp_path, {f"shop/sales/domain/e{index}.py": """\
            from ..domain import e0
            from shop.kernel import DomainEvent, AggregateRoot
            import shop.kernel.events as kev
            class Placed(kev.DomainEvent):
                pass
            """})
    for index in range(5):
        facts = model.module(f"shop.sales.domain.e{index}")
        for name in ("DomainEvent", "AggregateRoot", "kev.DomainEvent", "kev.Outer.Inner"):
            assert isinstance(model.resolve(facts, name), ClassView)
    assert len(parses) == len(set(parses))
    assert {Path(p).name for p in parses} >= {"events.py", "aggregates.py", "__init__.py"}


def test_checking_many_files_reads_each_imported_module_once(tmp_path, parses):
    write(tmp_path, KERNEL)
    settings = Settings.from_values({"ddd-source-roots": [str(tmp_path)]})
    model = ProjectModel(settings)
    source = textwrap.dedent("""\
        from dataclasses import dataclass
        from shop.kernel import DomainEvent

        @dataclass(frozen=True)
        class OrderPlaced(DomainEvent):
            occurred_on: str
        """)
    for index in range(20):
        path = tmp_path / "shop" / "sales" / "domain" / f"checked{index}.py"
        list(check_source(source, str(path), settings, set(all_codes()), model))
    read = [p for p in parses if "checked" not in p]  # check_source parses the checked files
    # DomainEvent is imported by name in kernel/__init__: the star-imported aggregates stay unread
    assert sorted(Path(p).name for p in read) == ["__init__.py", "events.py"]
    assert len(model._modules) == 2  # the cache grows with the modules read, not the files checked


def test_only_the_names_rules_need_are_resolved(tmp_path, parses):
    """A checked file importing many project modules: only the ones its classes use are read."""
    files = {**KERNEL}
    for index in range(6):
        files[f"shop/infra/adapter{index}.py"] = "class Adapter:\n    pass\n"
    write(tmp_path, files)
    settings = Settings.from_values({"ddd-source-roots": [str(tmp_path)]})
    source = "".join(f"from shop.infra.adapter{i} import Adapter as A{i}\n" for i in range(6)) + textwrap.dedent("""\
        from dataclasses import dataclass
        from shop.kernel.events import DomainEvent

        @dataclass(frozen=True)
        class OrderPlaced(DomainEvent):
            occurred_on: str

        def wire():
            return A0(), A1()
        """)
    path = tmp_path / "shop" / "sales" / "domain" / "model.py"
    list(check_source(source, str(path), settings, set(all_codes()), ProjectModel(settings)))
    assert [Path(p).name for p in parses] == ["model.py", "events.py"]  # the checked file, the base


def test_an_edited_file_is_read_again(tmp_path, parses):
    model = make_model(tmp_path, {"m.py": "class A:\n    pass\n", "user.py": "from m import A\n"})
    user = model.module("user")
    first = model.resolve(user, "A")
    assert isinstance(first, ClassView) and model.module("m") is first.facts
    (tmp_path / "m.py").write_text("class A:\n    pass\nclass B:\n    pass\n")  # size changes
    assert set(model.module("m").classes) == {"A", "B"}
    assert user.views == {} or all(v.facts is not first.facts for v in user.views.values())
    # same size, newer mtime: read again as well
    stat = os.stat(tmp_path / "m.py")
    (tmp_path / "m.py").write_text("class C:\n    pass\nclass D:\n    pass\n")
    os.utime(tmp_path / "m.py", ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert set(model.module("m").classes) == {"C", "D"}
    count = len(parses)
    model.module("m")
    assert len(parses) == count  # unchanged: served from the cache


def test_a_file_above_the_size_cap_is_not_read(tmp_path, parses, monkeypatch):
    monkeypatch.setattr(model_module, "MAX_MODULE_BYTES", 200)
    model = make_model(tmp_path, {
        "big.py": "class Big:\n    pass\n" + "# padding\n" * 40,
        "user.py": "from big import Big\n",
    })
    assert model.module("big") is None
    assert isinstance(model.resolve(model.module("user"), "Big"), Unknown)  # not External
    assert [Path(p).name for p in parses] == ["user.py"]


def test_the_real_size_cap_refuses_a_megabyte(tmp_path, parses):
    model = make_model(tmp_path, {"big.py": "class Big:\n    pass\n" + "x = 1\n" * 200_000})
    assert model.module("big") is None and parses == []


def test_symlinks_that_leave_the_roots_are_not_followed(tmp_path, parses):
    outside = tmp_path / "outside"
    write(outside, {"secret.py": "class Secret:\n    pass\n"})
    root = tmp_path / "root"
    model = make_model(root, {"user.py": "from escape import Secret\nfrom inside import Fine\n",
                              "real.py": "class Fine:\n    pass\n"})
    (root / "escape.py").symlink_to(outside / "secret.py")
    (root / "inside.py").symlink_to(root / "real.py")
    (root / "loop.py").symlink_to(root / "loop.py")
    user = model.module("user")
    assert isinstance(model.resolve(user, "Secret"), Unknown)
    assert named(model.resolve(user, "Fine")) == "real.Fine"  # named from its real path
    assert model.module("loop") is None
    assert not any("outside" in p for p in parses)


def test_modules_outside_the_roots_are_not_read(tmp_path, parses):
    write(tmp_path / "elsewhere", {"lib.py": "class Lib:\n    pass\n"})
    model = make_model(tmp_path / "root", {"user.py": "from lib import Lib\n"})
    assert model.resolve(model.module("user"), "Lib") == External("lib.Lib")
    assert not any("elsewhere" in p for p in parses)


def test_unreadable_and_unparsable_modules_are_unknown(tmp_path):
    model = make_model(tmp_path, {"user.py": "from bad import A\nfrom latin import B\n",
                                  "bad.py": "class A(:\n"})
    (tmp_path / "latin.py").write_bytes(b"class B:\n    x = '\xe9'\n")
    user = model.module("user")
    assert isinstance(model.resolve(user, "A"), Unknown)
    assert isinstance(model.resolve(user, "B"), Unknown)


# -- modules are decoded as Python decodes them -------------------------------------------------

LATIN_KERNEL = """\
# -*- coding: latin-1 -*-
# Événements du domaine
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class DomainEvent:
    occurred_on: datetime
    origine: str = "caisse enregistrée"
"""
CHILD = """\
from dataclasses import dataclass

from shop.kernel.events import DomainEvent


@dataclass(frozen=True)
class OrderPlaced(DomainEvent):  # DDD106: the kernel base has a timestamp, no id
    order_id: str  # DDD109: after the base's field with a default
"""


@pytest.mark.parametrize("data", [
    LATIN_KERNEL.encode("latin-1"),
    b"\xef\xbb\xbf" + LATIN_KERNEL.replace("latin-1", "utf-8").encode("utf-8"),  # BOM and cookie
    b"\xef\xbb\xbf" + LATIN_KERNEL.split("\n", 1)[1].encode("utf-8"),  # BOM alone
], ids=["latin-1 cookie", "BOM and cookie", "BOM"])
def test_an_imported_module_is_decoded_by_its_coding_cookie_and_bom(tmp_path, lint, data):
    (tmp_path / "shop" / "kernel").mkdir(parents=True)
    (tmp_path / "shop" / "kernel" / "events.py").write_bytes(data)
    model = make_model(tmp_path)
    kernel = model.module("shop.kernel.events")
    assert [f.name for f in kernel.classes["DomainEvent"].fields] == ["occurred_on", "origine"]
    # the base resolves and its fields count: a timestamp (no DDD105), no id, a default
    assert set(lint(CHILD, "shop/sales/domain/events.py", root=tmp_path)) == expected_markers(CHILD)


@pytest.mark.parametrize("data", [
    LATIN_KERNEL.replace("latin-1", "no-such-codec").encode("latin-1"),
    LATIN_KERNEL.replace("latin-1", "utf-8").encode("latin-1"),  # declared UTF-8, is not
    b"\xef\xbb\xbf" + LATIN_KERNEL.encode("utf-8"),  # a BOM, and a latin-1 cookie
], ids=["unknown codec", "not the declared encoding", "cookie contradicts BOM"])
def test_a_wrongly_declared_module_is_unknown_and_crashes_nothing(tmp_path, lint, data):
    (tmp_path / "shop" / "kernel").mkdir(parents=True)
    (tmp_path / "shop" / "kernel" / "events.py").write_bytes(data)
    model = make_model(tmp_path)
    assert model.module("shop.kernel.events") is None
    assert lint(CHILD, "shop/sales/domain/events.py", root=tmp_path) == []  # an unknown base


def test_a_checked_latin_1_module_is_shared_with_the_model(tmp_path, parses):
    write(tmp_path, SHARED)
    events = tmp_path / "shop" / "sales" / "domain" / "events.py"
    source = "# -*- coding: latin-1 -*-\n# café\n" + events.read_text(encoding="utf-8")
    events.write_bytes(source.encode("latin-1"))
    settings = Settings.from_values({"ddd-source-roots": [str(tmp_path)]})
    model = ProjectModel(settings)
    check_file(events, settings, model, source=source)  # as flake8 decodes it
    found = check_file(tmp_path / "shop" / "sales" / "application" / "handlers.py", settings, model)
    assert [Path(p).name for p in parses].count("events.py") == 2  # the checked one, the kernel's
    assert "DDD104" in {r.code for r in found}  # the subclass of the latin-1 event is an event
    assert str(events) in model._modules


def test_checked_code_is_read_never_imported(tmp_path):
    model = make_model(tmp_path, {
        "boom.py": "raise SystemExit('imported!')\nclass Base:\n    pass\n",
        "user.py": "from boom import Base\nclass Child(Base):\n    pass\n",
    })
    user = model.module("user")
    view = model.view(user, user.classes["Child"])
    assert [named(b) for b in view.bases] == ["boom.Base"]
    assert "boom" not in sys.modules and "user" not in sys.modules


def test_fixture_module_that_raises_on_import_is_resolved_without_import():
    settings = Settings.from_values({"ddd-source-roots": [str(FIXTURE / "src")]})
    model = ProjectModel(settings)
    facts = model.module("shop.kernel.legacy")
    assert named(model.resolve(facts, "DomainEvent")) == "shop.kernel.events.DomainEvent"
    assert "shop.kernel.legacy" not in sys.modules and "shop" not in sys.modules


# -- source roots -------------------------------------------------------------------------------

def test_default_roots_are_the_current_directory_and_src(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert Settings.from_values().source_roots == (".",)
    (tmp_path / "src").mkdir()
    assert Settings.from_values().source_roots == (".", "src")
    model = ProjectModel(Settings.from_values())
    assert model.roots == (str(tmp_path.resolve()), str((tmp_path / "src").resolve()))


def test_relative_roots_are_relative_to_the_current_directory(tmp_path, monkeypatch):
    write(tmp_path / "code", {"shop/kernel.py": "class DomainEvent:\n    pass\n",
                              "shop/user.py": "from shop.kernel import DomainEvent\n"})
    monkeypatch.chdir(tmp_path)
    model = ProjectModel(Settings.from_values({"ddd-source-roots": ["code", "missing"]}))
    assert model.roots == (str((tmp_path / "code").resolve()),)
    assert named(model.resolve(model.module("shop.user"), "DomainEvent")) == "shop.kernel.DomainEvent"


def test_a_module_under_two_roots_is_named_from_the_deepest(tmp_path):
    write(tmp_path, {"src/shop/a.py": "from .b import B\n", "src/shop/b.py": "class B:\n    pass\n"})
    model = ProjectModel(Settings.from_values({"ddd-source-roots": [str(tmp_path), str(tmp_path / "src")]}))
    facts = model.module("src.shop.a")
    assert facts.module == "shop.a"
    assert named(model.resolve(facts, "B")) == "shop.b.B"


# -- rules that need the whole chain ------------------------------------------------------------

def test_metadata_rules_see_fields_across_modules_and_stay_silent_on_unknowns(tmp_path, lint):
    write(tmp_path, {
        "shop/kernel/events.py": """\
            from dataclasses import dataclass
            from datetime import datetime

            @dataclass(frozen=True)
            class DomainEvent:
                occurred_on: datetime
            """,
    })
    source = textwrap.dedent("""\
        from dataclasses import dataclass

        from shop.kernel.events import DomainEvent
        from shop.kernel.gone import BaseEvent


        @dataclass(frozen=True)
        class OrderPlaced(DomainEvent):  # DDD106: the kernel base has a timestamp, no id
            order_id: str


        @dataclass(frozen=True)
        class OrderPaid(BaseEvent):
            order_id: str
        """)
    assert set(lint(source, "shop/sales/domain/model.py", root=tmp_path)) == expected_markers(source)


# -- one parse per module: the checker and the model share it --------------------------------------

SHARED = {
    **KERNEL,
    "shop/sales/domain/events.py": """\
        from dataclasses import dataclass
        from shop.kernel import DomainEvent

        @dataclass(frozen=True)
        class OrderPlaced(DomainEvent):
            order_id: str
        """,
    "shop/sales/application/__init__.py": "",
    "shop/sales/application/handlers.py": """\
        from dataclasses import dataclass
        from shop.sales.domain.events import OrderPlaced

        @dataclass(frozen=True)
        class OrderShipped(OrderPlaced):
            items: list
        """,
}


def check_file(path: Path, settings: Settings, model: ProjectModel, source: str | None = None,
               share: bool = True) -> list:
    source = path.read_text(encoding="utf-8") if source is None else source
    return list(check_source(source, str(path), settings, set(all_codes()), model, share=share))


def test_a_checked_module_is_not_parsed_again_when_imported(tmp_path, parses):
    write(tmp_path, SHARED)
    settings = Settings.from_values({"ddd-source-roots": [str(tmp_path)]})
    model = ProjectModel(settings)
    events = tmp_path / "shop" / "sales" / "domain" / "events.py"
    handlers = tmp_path / "shop" / "sales" / "application" / "handlers.py"
    check_file(events, settings, model)
    found = check_file(handlers, settings, model)
    assert [Path(p).name for p in parses].count("events.py") == 2  # the checked one, the kernel's
    assert len(parses) == len(set(parses))
    assert "DDD104" in {r.code for r in found}  # the subclass of the shared event is an event
    assert str(events) in model._modules  # registered under its real path, as if read


def test_a_module_the_model_read_is_not_parsed_again_when_checked(tmp_path, parses):
    write(tmp_path, SHARED)
    settings = Settings.from_values({"ddd-source-roots": [str(tmp_path)]})
    model = ProjectModel(settings)
    events = tmp_path / "shop" / "sales" / "domain" / "events.py"
    handlers = tmp_path / "shop" / "sales" / "application" / "handlers.py"
    check_file(handlers, settings, model)
    fresh = check_file(events, settings, ProjectModel(settings))
    del parses[:]
    assert check_file(events, settings, model) == fresh  # the model's facts and tree, reused
    assert parses == []
    assert str(events) not in model._trees  # handed over, not kept
    check_file(events, settings, model)  # checked again: parsed again (the tree is gone)
    assert [Path(p).name for p in parses] == ["events.py"]


def test_a_source_that_is_not_the_file_on_disk_is_never_shared(tmp_path, parses):
    write(tmp_path, SHARED)
    settings = Settings.from_values({"ddd-source-roots": [str(tmp_path)]})
    events = tmp_path / "shop" / "sales" / "domain" / "events.py"
    handlers = tmp_path / "shop" / "sales" / "application" / "handlers.py"
    disk = events.read_text(encoding="utf-8")
    edited = disk.replace("order_id", "order_no")  # an unsaved buffer of the same size
    model = ProjectModel(settings)
    check_file(events, settings, model, source=edited)
    assert str(events) not in model._modules
    check_file(handlers, settings, model)  # reads the file on disk itself
    assert model.module("shop.sales.domain.events").classes["OrderPlaced"].fields[0].name == "order_id"
    # and a module the model read is not reused for a different buffer, nor for stdin
    del parses[:]
    check_file(events, settings, model, source=edited)
    check_file(events, settings, model, share=False)
    assert [Path(p).name for p in parses] == ["events.py", "events.py"]
    other = ProjectModel(settings)
    check_file(events, settings, other, share=False)
    assert str(events) not in other._modules


def test_sharing_keeps_memory_bounded_by_the_modules_read(tmp_path, monkeypatch):
    """Checked modules nobody imports never enter the cache; kept trees and recently
    checked facts are bounded."""
    monkeypatch.setattr(model_module, "MAX_RECENTLY_CHECKED", 3)
    monkeypatch.setattr(model_module, "MAX_KEPT_TREES", 2)
    files = {**SHARED}
    for index in range(8):
        files[f"shop/sales/domain/e{index}.py"] = SHARED["shop/sales/domain/events.py"]
    write(tmp_path, files)
    settings = Settings.from_values({"ddd-source-roots": [str(tmp_path)]})
    model = ProjectModel(settings)
    for index in range(8):
        check_file(tmp_path / "shop" / "sales" / "domain" / f"e{index}.py", settings, model)
    assert len(model._checked) == 3
    assert sorted(model._modules) == sorted(
        str(tmp_path / "shop" / "kernel" / name) for name in ("__init__.py", "events.py"))
    for index in range(8):  # read by the model (the last three were checked just before)
        model.module(f"shop.sales.domain.e{index}")
    assert len(model._trees) <= 2
    assert len(model._modules) == 2 + 8
    model = ProjectModel(settings, will_check=lambda source, module, is_package: module.endswith("e0"))
    for index in range(3):
        model.module(f"shop.sales.domain.e{index}")
    assert list(model._trees) == [str(tmp_path / "shop" / "sales" / "domain" / "e0.py")]
    monkeypatch.setattr(model_module, "MAX_KEPT_BYTES", 10)  # a budget of source bytes too
    model._checked.clear()
    check_file(tmp_path / "shop" / "sales" / "domain" / "e1.py", settings, ProjectModel(settings))
    checker_model = ProjectModel(settings)
    check_file(tmp_path / "shop" / "sales" / "domain" / "e1.py", settings, checker_model)
    assert checker_model._checked == {} and checker_model._trees == {}


def test_a_checked_module_is_freed_by_reference_counting(tmp_path):
    """No reference cycle keeps a checked module's libcst nodes alive once it is checked:
    the cyclic garbage collector (paused here, as during the plugin's run) is not needed."""
    import gc

    import libcst as cst

    write(tmp_path, KERNEL)
    source = textwrap.dedent("""\
        from dataclasses import dataclass
        from shop.kernel import DomainEvent

        @dataclass
        class OrderPlaced(DomainEvent):
            lines: list

        @dataclass
        class OrderShipped(OrderPlaced):
            carrier: str
        """)
    settings = Settings.from_values({"ddd-source-roots": [str(tmp_path)]})
    model = ProjectModel(settings)
    path = tmp_path / "shop" / "sales" / "domain" / "events.py"
    list(check_source(source, str(path), settings, set(all_codes()), model))  # reads the kernel

    def class_nodes() -> int:
        return sum(1 for o in gc.get_objects() if type(o) is cst.ClassDef)

    gc.collect()
    before = class_nodes()
    gc.disable()
    try:
        reports = list(check_source(source, str(path), settings, set(all_codes()), model))
        assert {r.code for r in reports} >= {"DDD101", "DDD104"}  # the rules did look
        assert class_nodes() == before
    finally:
        gc.enable()


def test_the_model_keeps_compact_facts_of_the_modules_it_read(tmp_path):
    """Classes, their fields and imports, without flow facts or statement nodes."""
    write(tmp_path, KERNEL)
    settings = Settings.from_values({"ddd-source-roots": [str(tmp_path)]})
    model = ProjectModel(settings)
    facts = model.module("shop.kernel.events")
    assert facts is not None and facts.classes
    assert facts.calls == [] and facts.withs == []
    for cls in facts.classes.values():
        assert cls.node is None
        assert all(f.node is None for f in cls.fields)
        assert all(m.node is None and all(d.node is None for d in m.decorators)
                   for m in cls.methods)
        assert all(d.node is None for d in cls.decorators)
    assert all(i.node is None for i in facts.imports)


FROZEN = """\
import gc, sys
from flake8.main.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print("libcst:", "libcst" in sys.modules, "young:", gc.get_threshold()[0],
      "frozen:", gc.get_freeze_count(), file=sys.stderr)
"""


def test_libcst_and_the_rules_are_moved_out_of_the_collectors_way_once(tmp_path):
    """The first module checked imports libcst and the rules, then freezes what is alive
    (gc.freeze): later full collections do not walk those objects again; and young
    collections come less often. A run that checks no module imports nothing, freezes
    nothing and leaves the collector's thresholds alone."""
    write(tmp_path, KERNEL)
    (tmp_path / "plain.py").write_text("x = 1\n")

    def run(*names: str) -> str:
        result = subprocess.run([sys.executable, "-c", FROZEN, "--select", "DDD", "-j", "1",
                                 "--ddd-cache=false", *names], cwd=tmp_path,
                                capture_output=True, text=True, timeout=300)
        assert "Traceback" not in result.stderr, result.stderr
        return result.stderr.strip().splitlines()[-1]

    assert run("plain.py") == "libcst: False young: 700 frozen: 0"
    libcst, frozen = run(".").split(" frozen: ")
    # libcst's classes and more; the young generation collected less often
    assert libcst == "libcst: True young: 10000" and int(frozen) > 20_000
