"""Fields a plain class declares in its ``__init__`` (docs/recognition.md, "Metadata is
recognised by shape"): the collected facts, the helper, and the rules that read them."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from flake8_ddd_events.analysis.dataclass_fields import declared_fields, fields_set_in_init
from flake8_ddd_events.model.project_model import ProjectModel
from flake8_ddd_events.syntax.parsing import parse_facts
from flake8_ddd_events.config.settings import Settings

from ..conftest import findings

EVENTS = "shop/sales/domain/events.py"
BASE = """\
from datetime import datetime, timezone
from uuid import UUID, uuid4


class DomainEvent:
    pass
"""


def code(node: cst.CSTNode | None) -> str | None:
    return None if node is None else cst.Module([]).code_for_node(node)


def own_fields(source: str, name: str, fields=fields_set_in_init) -> list[tuple[str, str | None, str | None]]:
    """(name, annotation, default) of the fields ``fields`` gives for class ``name``."""
    _, facts = parse_facts(textwrap.dedent(source), "m.py", "m", False)
    model = ProjectModel(Settings.from_values({}))
    view = model.view(facts, facts.classes[name])
    return [(f.name, code(f.annotation), code(f.default)) for f in fields(view)]


def line_of(text: str, source: str) -> int:
    """The line of the module ``codes`` checks that holds ``text``."""
    lines = (BASE + textwrap.dedent(source)).splitlines()
    return next(n for n, line in enumerate(lines, 1) if text in line)


def codes(source: str, tmp_path, wanted: str) -> list[int]:
    return [line for line, c in findings(BASE + textwrap.dedent(source), EVENTS, root=tmp_path)
            if c == wanted]


# -- the facts and the helper ---------------------------------------------------------
def test_init_assignments_are_fields_with_annotation_and_default():
    source = """
        class OrderPlaced:
            def __init__(self, order_id: str, when: "datetime", lines, *, note=None):
                self.event_id = uuid4()
                self.order_id = order_id
                self.occurred_on: datetime = when
                self.placed_at = when
                self.lines = lines or ()
                self.first, self.second = 1, order_id
                self.a, *self.rest = lines
                self.x = self.y = 0
                self.event_id = None  # assigned again: the first assignment declares it
                self.counter += 1
                del self.note
                setattr(self, "z", 1)
                self.hint: int
                helper.attr = 2

            def later(self):
                self.late = 1
    """
    assert own_fields(source, "OrderPlaced") == [
        ("event_id", None, "uuid4()"),
        ("order_id", "str", None),  # a parameter: no default, the parameter's annotation
        ("occurred_on", "datetime", None),
        ("placed_at", '"datetime"', None),
        ("lines", None, "lines or ()"),
        ("first", None, "1"),
        ("second", "str", None),
        ("a", None, None),  # unpacked from one value: bound, value unknown
        ("rest", None, None),
        ("x", None, "0"),
        ("y", None, "0"),
        ("z", None, "1"),  # setattr with a literal name sets it like ``self.z = 1``
    ]


def test_every_way_python_offers_to_set_an_attribute_in_init_is_a_field():
    source = """
        class DomainEvent:
            def __init__(self, name, **kwargs):
                object.__setattr__(self, "event_id", uuid4())
                setattr(self, name, 1)  # a name not written: no field
                self.__dict__["occurred_on"] = datetime.now(timezone.utc)
                self.__dict__.update(kwargs)  # names not written: no field
                self.__dict__.update(source="billing", **{"ignored": 1})
                self.__dict__.update({"trace": None})

            def __post_init__(self):
                object.__setattr__(self, "recorded_at", now())

        class OrderPlaced(DomainEvent):
            def __init__(self, order_id):
                super().__init__("placed", correlation_id=uuid4(), order_id=order_id)
    """
    assert own_fields(source, "DomainEvent") == [
        ("event_id", None, "uuid4()"),
        ("occurred_on", None, "datetime.now(timezone.utc)"),
        ("source", None, '"billing"'),
        ("trace", None, "None"),
        ("recorded_at", None, "now()"),
    ]
    assert own_fields(source, "OrderPlaced") == [
        ("correlation_id", None, "uuid4()"),  # handed to the base's __init__, which sets it
        ("order_id", None, None),
    ]


def test_body_fields_come_first_and_win_over_init_assignments():
    source = """
        class OrderPlaced:
            order_id: str
            def __init__(self, order_id):
                self.order_id = order_id
                self.event_id = uuid4()
        class NoInit:
            x: int
    """
    assert own_fields(source, "OrderPlaced", declared_fields) == [
        ("order_id", "str", None), ("event_id", None, "uuid4()")]
    assert own_fields(source, "NoInit", fields_set_in_init) == []


def test_compact_facts_keep_what_other_modules_need():
    from flake8_ddd_events.syntax.facts import compact

    _, facts = parse_facts("class A:\n    def __init__(self):\n        self.event_id = uuid4()\n",
                           "m.py", "m", False)
    [assignment] = compact(facts).classes["A"].methods[0].self_assignments
    assert assignment.node is None and assignment.binds and code(assignment.value) == "uuid4()"


# -- the rules that read fields ------------------------------------------------------------
def test_a_plain_event_with_id_and_timestamp_set_in_init_is_not_reported(tmp_path):
    source = """

        class OrderPlaced(DomainEvent):
            def __init__(self, order_id: str, occurred_on: datetime):
                self.order_id = order_id
                self.event_id = uuid4()
                self.occurred_on = occurred_on
    """
    assert codes(source, tmp_path, "DDD105") == []
    assert codes(source, tmp_path, "DDD106") == []
    assert codes(source, tmp_path, "DDD101") == [9]  # still a mutable plain class


def test_a_plain_event_without_them_is_still_reported(tmp_path):
    source = """

        class OrderPlaced(DomainEvent):
            def __init__(self, order_id: str):
                self.order_id = order_id
                self.counter += 1  # not a declaration
                del self.event_id
    """
    assert codes(source, tmp_path, "DDD105") == [9]
    assert codes(source, tmp_path, "DDD106") == [9]


def test_a_timestamp_typed_by_its_parameter(tmp_path):
    source = """

        class OrderPaid(DomainEvent):
            def __init__(self, order_id: str, event_id: UUID, when: datetime):
                self.order_id = order_id
                self.event_id = event_id
                self.paid_at = when
    """
    assert codes(source, tmp_path, "DDD105") == []


def test_an_id_and_a_timestamp_set_in_init_are_recognised_by_shape(tmp_path):
    source = """

        class OrderPaid(DomainEvent):
            def __init__(self, order_id: str):
                self.order_id = order_id
                self.ident = str(uuid4())
                self.recorded = datetime.now(timezone.utc)
    """
    assert codes(source, tmp_path, "DDD105") == codes(source, tmp_path, "DDD106") == []
    assert codes(source.replace("str(uuid4())", "order_id"), tmp_path, "DDD106") == [9]


def test_fields_set_in_a_base_init_count_for_the_subclass(tmp_path):
    source = """

        class Recorded(DomainEvent):
            def __init__(self):
                self.event_id = uuid4()
                self.occurred_on = datetime.now(timezone.utc)


        class OrderPlaced(Recorded):
            def __init__(self, order_id: str):
                super().__init__()
                self.order_id = order_id
    """
    assert codes(source, tmp_path, "DDD105") == codes(source, tmp_path, "DDD106") == []


@pytest.mark.parametrize("sets", [
    'object.__setattr__(self, "event_id", uuid4())\n'
    '                object.__setattr__(self, "occurred_on", datetime.now(timezone.utc))',
    'setattr(self, "event_id", uuid4())\n'
    '                setattr(self, "occurred_on", datetime.now(timezone.utc))',
    'self.__dict__["event_id"] = uuid4()\n'
    '                self.__dict__["occurred_on"] = datetime.now(timezone.utc)',
    'self.__dict__.update(event_id=uuid4(), occurred_on=datetime.now(timezone.utc))',
    'self.__dict__.update({"event_id": uuid4(), "occurred_on": datetime.now(timezone.utc)})',
])
@pytest.mark.parametrize("method", ["__init__", "__post_init__"])
def test_metadata_a_base_sets_by_any_means_counts(tmp_path, sets, method):
    source = f"""
        from dataclasses import dataclass

        @dataclass
        class BaseRecorded(DomainEvent):
            def {method}(self):
                {sets}


        class OrderPlaced(BaseRecorded):
            def __init__(self, order_id: str):
                super().__init__()
                self.order_id = order_id
    """
    assert codes(source, tmp_path, "DDD105") == codes(source, tmp_path, "DDD106") == []
    unnamed = source.replace('"event_id"', "name").replace("event_id=uuid4()", "**extra")
    assert codes(unnamed, tmp_path, "DDD106") == [line_of("class OrderPlaced", unnamed)]


def test_metadata_handed_to_the_base_init_counts(tmp_path):
    source = """

        class BaseRecorded(DomainEvent):
            def __init__(self, **kwargs):
                self.__dict__.update(kwargs)


        class OrderPlaced(BaseRecorded):
            def __init__(self, order_id: str):
                super().__init__(order_id=order_id, event_id=uuid4(),
                                 occurred_on=datetime.now(timezone.utc))
    """
    assert codes(source, tmp_path, "DDD105") == codes(source, tmp_path, "DDD106") == []
    assert codes(source.replace("event_id=uuid4(),", ""), tmp_path, "DDD106") == [14]


def test_a_mutable_container_set_in_init_is_not_ddd104(tmp_path):
    source = """

        class OrderPlaced(DomainEvent):
            def __init__(self, lines: list[str]):
                self.lines = lines
                self.items = []
                self.tags: set[str] = set()
    """
    assert codes(source, tmp_path, "DDD104") == []


def test_integration_metadata_set_in_init(tmp_path):
    def integration(extra: str) -> str:
        return textwrap.dedent("""\
            class IntegrationEvent:
                pass


            class OrderShipped(IntegrationEvent):
                def __init__(self, order_id: str, correlation_id: str):
                    self.order_id = order_id
                    self.event_id = uuid4()
                    self.occurred_on = datetime.now(timezone.utc)
                    self.correlation_id = correlation_id
            """) + extra

    full = integration("        self.causation_id = None\n        self.event_version = 1\n")
    bare = integration("")
    for wanted in ("DDD201", "DDD202", "DDD203"):
        assert codes(full, tmp_path, wanted) == []
    assert codes(bare, tmp_path, "DDD201") == []
    assert codes(bare, tmp_path, "DDD202") == codes(bare, tmp_path, "DDD203") == [11]
