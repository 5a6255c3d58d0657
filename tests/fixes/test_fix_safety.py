"""What ``ddd-events fix`` must not fix: a fix that would make working code fail.

``frozen=True`` on a class whose instances are assigned to after construction makes
that assignment raise ``FrozenInstanceError``; ``kw_only=True`` on a class built with
positional arguments makes that call raise ``TypeError``. In each case the file is left
as it was, the finding stays, and the fixer says why (with and without ``--check``).
Each case has a twin that differs only in what makes it unsafe, and is fixed: the
silence comes from the safety check, not from a fixer that stopped working.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest

from flake8_ddd_events.cli import main

from ..conftest import write_file


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_file(tmp_path, "shop/__init__.py", "")
    return tmp_path


def fix(files: dict[str, str], root, capsys) -> tuple[dict[str, str], str]:
    """Run ``fix --check`` then ``fix`` on a project; the files after, and what was said."""
    for name, text in files.items():
        write_file(root, name, textwrap.dedent(text))
    main(["fix", "--check", "."])
    checked = capsys.readouterr().err
    assert main(["fix", "."]) == 0
    said = capsys.readouterr().err
    assert checked.replace("would fix", "fixed") == said.replace("would fix", "fixed")
    return {name: (root / name).read_text() for name in files}, said


def assert_left(files: dict[str, str], root, capsys, name: str, reason: str) -> None:
    after, said = fix(files, root, capsys)
    assert after == {n: textwrap.dedent(t) for n, t in files.items()}
    assert f"{name}" in said and f"not fixed: {reason}" in said, said


SETTER = """\
    from dataclasses import dataclass
    from uuid import UUID, uuid4


    @dataclass
    class OrderPlaced:
        order_id: str
        _id: UUID | None = None

        @property
        def id(self) -> UUID:
            return self._id

        @id.setter
        def id(self, value: UUID) -> None:
            self._id = value
"""


def test_a_property_setter_assigning_the_instance_is_not_frozen(project, capsys):
    assert_left({"shop/orders/events.py": SETTER}, project, capsys, "events.py:6: DDD101",
                "'id' setter assigns self._id, which a frozen instance refuses")


def test_frozen_would_make_the_setter_raise(project):
    """What the safety check prevents, shown on Python itself."""
    frozen = textwrap.dedent(SETTER).replace("@dataclass\n", "@dataclass(frozen=True)\n")
    namespace: dict = {"__name__": __name__}
    exec(compile(frozen, "<events>", "exec"), namespace)
    with pytest.raises(FrozenInstanceError):
        namespace["OrderPlaced"]("o-1").id = namespace["uuid4"]()


POST_INIT = """\
    from dataclasses import dataclass


    @dataclass
    class OrderPlaced:
        order_id: str
        prices: tuple[int, ...]
        total: int = 0

        def __post_init__(self) -> None:
            self.total = sum(self.prices)
"""


def test_post_init_assigning_the_instance_is_not_frozen(project, capsys):
    assert_left({"shop/orders/events.py": POST_INIT}, project, capsys, "events.py:5: DDD101",
                "__post_init__ assigns self.total, which a frozen instance refuses")


def test_post_init_through_object_setattr_is_frozen(project, capsys):
    safe = POST_INIT.replace("self.total = sum(self.prices)",
                             'object.__setattr__(self, "total", sum(self.prices))')
    after, said = fix({"shop/orders/events.py": safe}, project, capsys)
    assert "@dataclass(frozen=True)\nclass OrderPlaced" in after["shop/orders/events.py"]
    assert "not fixed" not in said


def test_a_method_that_changes_the_event_is_not_frozen(project, capsys):
    source = """\
        from dataclasses import dataclass


        @dataclass
        class OrderPlaced:
            order_id: str
            published: bool = False

            def mark_published(self) -> None:
                self.published = True  # DDD108
    """
    assert_left({"shop/orders/events.py": source}, project, capsys, "events.py:5: DDD101",
                "method 'mark_published' assigns self.published, which a frozen instance refuses")


EVENT_BASE = """\
    from dataclasses import dataclass


    @dataclass
    class OrderEvent:
        order_id: str
"""


def test_a_subclass_in_another_module_assigning_the_instance_is_not_frozen(project, capsys):
    files = {
        "shop/orders/events.py": EVENT_BASE,
        "shop/orders/legacy.py": """\
            from shop.orders.events import OrderEvent


            class OrderMoved(OrderEvent):
                def move(self, order_id: str) -> None:
                    self.order_id = order_id
        """,
    }
    assert_left(files, project, capsys, "events.py:5: DDD101",
                "method 'move' of its subclass 'OrderMoved' assigns self.order_id, which a "
                "frozen instance refuses")


def test_an_unfrozen_dataclass_subclass_elsewhere_keeps_its_base_unfrozen(project, capsys):
    files = {
        "shop/orders/events.py": EVENT_BASE,
        "shop/orders/other.py": """\
            from dataclasses import dataclass

            from shop.orders.events import OrderEvent


            @dataclass
            class OrderNoted(OrderEvent):  # noqa: DDD101
                note: str = ""
        """,
    }
    assert_left(files, project, capsys, "events.py:5: DDD101",
                "its subclass 'OrderNoted' is a dataclass that is not frozen")


PLAIN_SUBCLASS = """\
    from shop.orders.events import OrderEvent


    class OrderCancelled(OrderEvent):
        pass
"""


def test_a_subclass_mutable_through_its_base_names_the_base_it_cannot_be_frozen_without(
        project, capsys):
    base = EVENT_BASE + ("\n        def correct(self, order_id: str) -> None:\n"
                         "            self.order_id = order_id\n")
    files = {"shop/orders/events.py": base, "shop/orders/cancelled.py": PLAIN_SUBCLASS}
    assert_left(files, project, capsys, "cancelled.py:4: DDD101",
                "it is mutable through its base 'OrderEvent', the place to fix: a frozen "
                "dataclass cannot inherit from a mutable one, so this class cannot be frozen alone")


def test_a_subclass_mutable_through_a_base_frozen_in_the_same_run_needs_nothing(project, capsys):
    files = {"shop/orders/events.py": EVENT_BASE, "shop/orders/cancelled.py": PLAIN_SUBCLASS}
    after, said = fix(files, project, capsys)
    assert "@dataclass(frozen=True)\nclass OrderEvent" in after["shop/orders/events.py"]
    assert after["shop/orders/cancelled.py"] == textwrap.dedent(PLAIN_SUBCLASS)
    assert ("cancelled.py:4: DDD101 not fixed: nothing to change here: freezing its base "
            "'OrderEvent' in this run makes it immutable") in said


def test_a_base_and_its_subclasses_in_other_modules_are_frozen_together(project, capsys):
    files = {
        "shop/orders/__init__.py": "",
        "shop/orders/events.py": EVENT_BASE,
        "shop/orders/other.py": """\
            from dataclasses import dataclass

            from shop.orders.events import OrderEvent


            @dataclass
            class OrderNoted(OrderEvent):
                note: str = ""
        """,
    }
    after, said = fix(files, project, capsys)
    assert "@dataclass(frozen=True)\nclass OrderEvent" in after["shop/orders/events.py"]
    assert "@dataclass(frozen=True)\nclass OrderNoted" in after["shop/orders/other.py"]
    assert "not fixed" not in said
    built = subprocess.run([sys.executable, "-c", "from shop.orders.other import OrderNoted; "
                            "print(OrderNoted('o-1', 'n'))"], cwd=project, capture_output=True,
                           text=True, timeout=60)
    assert built.stdout.strip() == "OrderNoted(order_id='o-1', note='n')", built.stderr


def test_a_base_outside_the_project_is_not_known_to_be_safe(project, capsys):
    source = """\
        from dataclasses import dataclass

        from eventlib import BaseEvent


        @dataclass
        class OrderPlaced(BaseEvent):
            order_id: str
    """
    assert_left({"shop/orders/events.py": source}, project, capsys, "events.py:7: DDD101",
                "its base 'eventlib.BaseEvent' is outside the project")


MISORDERED = """\
    from dataclasses import dataclass, field
    from uuid import UUID, uuid4


    @dataclass(frozen=True)
    class DomainEvent:
        event_id: UUID = field(default_factory=uuid4)


    @dataclass(frozen=True)
    class OrderPlaced(DomainEvent):
        order_id: str
"""


@pytest.mark.parametrize("call", ['OrderPlaced(uuid4(), "o-1")', "OrderPlaced(*row)"])
def test_a_class_built_positionally_somewhere_does_not_become_keyword_only(project, capsys, call):
    files = {
        "shop/orders/events.py": MISORDERED,
        "shop/orders/services.py": f"""\
            from uuid import uuid4

            from shop.orders.events import OrderPlaced


            def place(row):
                return {call}
        """,
    }
    assert_left(files, project, capsys, "events.py:12: DDD109",
                "'OrderPlaced(...)' in ./shop/orders/services.py builds it with positional arguments")


def test_a_class_built_by_keyword_becomes_keyword_only(project, capsys):
    files = {
        "shop/orders/events.py": MISORDERED,
        "shop/orders/services.py": """\
            from shop.orders.events import OrderPlaced


            def place():
                return OrderPlaced(order_id="o-1")
        """,
    }
    after, said = fix(files, project, capsys)
    assert "@dataclass(frozen=True, kw_only=True)\nclass OrderPlaced" in after["shop/orders/events.py"]
    assert "not fixed" not in said


def test_a_redeclared_field_that_keeps_its_default_gets_no_kw_only(project, capsys):
    """The class imports fine (the base left ``kind``'s default as a class attribute):
    there is nothing to fix, and positional callers keep working."""
    source = """\
        from dataclasses import dataclass


        @dataclass(frozen=True)
        class ShipmentEvent:
            source: str = "warehouse"
            kind: str = "shipment"


        @dataclass(frozen=True)
        class ShipmentDispatched(ShipmentEvent):
            carrier: str = "post"
            kind: str
    """
    after, said = fix({"shop/shipping/events.py": source}, project, capsys)
    assert after["shop/shipping/events.py"] == textwrap.dedent(source)
    assert "DDD109" not in said


def test_test_modules_are_not_fixed_since_flake8_does_not_check_them(project, capsys):
    """The fixer fixes what flake8 reports, and flake8 does not check test code."""
    source = """\
        from datetime import datetime


        def make(**fields):
            return fields


        def test_placed():
            assert make(occurred_on=datetime.now())
    """
    after, said = fix({"tests/test_orders.py": source, "shop/orders/service.py": source},
                      project, capsys)
    assert after["tests/test_orders.py"] == textwrap.dedent(source)
    assert "datetime.now(timezone.utc)" in after["shop/orders/service.py"]
    assert "tests/test_orders.py" not in said


# -- no fix on a guess: every class a change touches must be known ---------------------------
CHAT = Path(__file__).resolve().parents[1] / "fixtures" / "chat_service"


@pytest.fixture
def chat(tmp_path, monkeypatch):
    """A copy of the chat service fixture (code in ``app/``, imported from there), as the
    working folder."""
    shutil.copytree(CHAT, tmp_path / "chat")
    monkeypatch.chdir(tmp_path / "chat")
    return tmp_path / "chat"


def _runs(app: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "main.py"], cwd=app, capture_output=True, text=True,
                          timeout=60)


def test_a_base_whose_subclasses_resolve_through_the_import_roots_is_frozen_with_them(chat, capsys):
    assert main(["fix", "."]) == 0
    said = capsys.readouterr().err
    assert "not fixed" not in said, said
    assert "@dataclass(frozen=True)\nclass BaseEvent" in (chat / "app/domain/events/base.py").read_text()
    events = (chat / "app/domain/events/chats.py").read_text()
    assert events.count("@dataclass(frozen=True)\n") == 2, events
    ran = _runs(chat / "app")
    assert ran.returncode == 0 and "message in c-1: hello" in ran.stdout, ran.stderr


def test_a_base_with_a_subclass_the_fixer_cannot_follow_is_not_frozen(chat, capsys):
    """With the start folder as the only root, ``from domain.events.base import BaseEvent``
    resolves to nothing: the subclasses are found by name, cannot be followed, and the base
    is left as it was (freezing it alone broke a real service: a non-frozen dataclass cannot
    inherit from a frozen one)."""
    (chat / "setup.cfg").write_text("[flake8]\nddd-source-roots = .\n")
    before = {path: path.read_text() for path in chat.rglob("*.py")}
    assert main(["fix", "."]) == 0
    said = capsys.readouterr().err
    assert {path: path.read_text() for path in before} == before
    assert ("base.py:11: DDD101 not fixed: could not follow its subclass 'ChatOpened' "
            "(app/domain/events/chats.py)") in said, said
    assert _runs(chat / "app").returncode == 0


def test_a_subclass_frozen_already_or_in_the_same_run_is_no_guess(project, capsys):
    files = {
        "shop/orders/events.py": EVENT_BASE,
        "app/orders.py": """\
            from dataclasses import dataclass

            from orders.events import OrderEvent


            @dataclass(frozen=True)
            class OrderNoted(OrderEvent):
                note: str = ""
        """,
    }
    after, said = fix(files, project, capsys)
    assert "@dataclass(frozen=True)\nclass OrderEvent" in after["shop/orders/events.py"], said


def test_a_class_of_the_same_name_elsewhere_is_not_its_subclass(project, capsys):
    files = {
        "shop/orders/events.py": EVENT_BASE,
        "shop/billing.py": """\
            from dataclasses import dataclass


            class OrderEvent:
                pass


            @dataclass
            class InvoiceNoted(OrderEvent):  # noqa: DDD101
                note: str = ""
        """,
        "shop/audit.py": """\
            from eventlib.orders import OrderEvent


            class Audited(OrderEvent):
                pass
        """,
    }
    after, said = fix(files, project, capsys)
    assert "@dataclass(frozen=True)\nclass OrderEvent" in after["shop/orders/events.py"], said


def test_kw_only_waits_for_a_subclass_it_cannot_follow(project, capsys):
    files = {
        "shop/orders/events.py": MISORDERED,
        "app/orders.py": """\
            from dataclasses import dataclass

            from orders.events import OrderPlaced


            @dataclass(frozen=True)
            class OrderPlacedAgain(OrderPlaced):
                again: bool = True
        """,
    }
    assert_left(files, project, capsys, "events.py:12: DDD109",
                "could not follow its subclass 'OrderPlacedAgain' (app/orders.py)")


def test_kw_only_waits_for_a_positional_call_of_its_name_that_does_not_resolve(project, capsys):
    files = {
        "shop/orders/events.py": MISORDERED,
        "scripts/replay.py": """\
            from orders.events import OrderPlaced


            def replay(row):
                return OrderPlaced(row[0], row[1])
        """,
    }
    assert_left(files, project, capsys, "events.py:12: DDD109",
                "'OrderPlaced(...)' in ./scripts/replay.py builds it with positional arguments")
