"""DDD101, DDD104, DDD108, DDD109 across the immutability styles docs/rules/DDD101.md lists."""

from __future__ import annotations

import textwrap

import pytest

from ..conftest import findings

EVENTS = "shop/sales/domain/events.py"
HEADER = "from datetime import datetime\nfrom uuid import UUID\n"


def codes(source: str, tmp_path, code: str) -> list[int]:
    return [line for line, c in findings(textwrap.dedent(source), EVENTS, root=tmp_path) if c == code]


FROZEN = [
    # dataclass, however imported or aliased
    "from dataclasses import dataclass\n@dataclass(frozen=True)\nclass OrderPlaced:\n    x: int\n",
    "import dataclasses\n@dataclasses.dataclass(frozen=True)\nclass OrderPlaced:\n    x: int\n",
    "from dataclasses import dataclass as dc\n@dc(frozen=True, slots=True)\nclass OrderPlaced:\n    x: int\n",
    "from pydantic.dataclasses import dataclass\n@dataclass(frozen=True)\nclass OrderPlaced:\n    x: int\n",
    # attrs
    "import attr\n@attr.s(frozen=True)\nclass OrderPlaced:\n    x: int = attr.ib()\n",
    "import attr\n@attr.frozen\nclass OrderPlaced:\n    x: int\n",
    "import attrs\n@attrs.frozen\nclass OrderPlaced:\n    x: int\n",
    "from attrs import frozen\n@frozen\nclass OrderPlaced:\n    x: int\n",
    "import attrs\n@attrs.define(frozen=True)\nclass OrderPlaced:\n    x: int\n",
    "import attrs\n@attrs.frozen\nclass Base:\n    x: int\n@attrs.define\nclass OrderPlaced(Base):\n    y: int\n",
    # pydantic v2 and v1
    "from pydantic import BaseModel, ConfigDict\nclass OrderPlaced(BaseModel):\n"
    "    model_config = ConfigDict(frozen=True)\n    x: int\n",
    "from pydantic import BaseModel\nclass OrderPlaced(BaseModel):\n    model_config = {'frozen': True}\n    x: int\n",
    "from pydantic import BaseModel\nclass OrderPlaced(BaseModel, frozen=True):\n    x: int\n",
    "from pydantic import BaseModel\nclass OrderPlaced(BaseModel):\n    x: int\n    class Config:\n        frozen = True\n",
    "from pydantic import BaseModel\nclass OrderPlaced(BaseModel):\n    x: int\n"
    "    class Config:\n        allow_mutation = False\n",
    "from pydantic import BaseModel, ConfigDict\nclass Base(BaseModel):\n    model_config = ConfigDict(frozen=True)\n"
    "class OrderPlaced(Base):\n    x: int\n",
    # NamedTuple, msgspec
    "from typing import NamedTuple\nclass OrderPlaced(NamedTuple):\n    x: int\n",
    "import msgspec\nclass OrderPlaced(msgspec.Struct, frozen=True):\n    x: int\n",
    "import msgspec\nclass Base(msgspec.Struct, frozen=True):\n    pass\nclass OrderPlaced(Base):\n    x: int\n",
    # a subclass that adds no state inherits immutability
    "from dataclasses import dataclass\n@dataclass(frozen=True)\nclass Base:\n    x: int\n"
    "class OrderPlaced(Base):\n    pass\n",
]

MUTABLE = [
    ("from dataclasses import dataclass\n@dataclass\nclass OrderPlaced:\n    x: int\n", 3),
    ("from dataclasses import dataclass\n@dataclass(frozen=False)\nclass OrderPlaced:\n    x: int\n", 3),
    ("import attr\n@attr.s\nclass OrderPlaced:\n    x: int = attr.ib()\n", 3),
    ("import attrs\n@attrs.define\nclass OrderPlaced:\n    x: int\n", 3),
    ("import attrs\n@attrs.mutable\nclass OrderPlaced:\n    x: int\n", 3),
    ("from pydantic import BaseModel\nclass OrderPlaced(BaseModel):\n    x: int\n", 2),
    ("from pydantic import BaseModel\nclass OrderPlaced(BaseModel, frozen=False):\n    x: int\n", 2),
    ("import msgspec\nclass OrderPlaced(msgspec.Struct):\n    x: int\n", 2),
    # a non-frozen dataclass under a frozen one: TypeError at import
    ("from dataclasses import dataclass\n@dataclass(frozen=True)\nclass Base:\n    x: int\n"
     "@dataclass\nclass OrderPlaced(Base):\n    y: int\n", 6),
    # a plain subclass adding state under a frozen dataclass is mutable for its own fields
    ("from dataclasses import dataclass\n@dataclass(frozen=True)\nclass Base:\n    x: int\n"
     "class OrderPlaced(Base):\n    def __init__(self):\n        self.y = 1\n", 5),
]


@pytest.mark.parametrize("source", FROZEN)
def test_frozen_styles_are_recognised(source, tmp_path):
    assert codes(HEADER + source, tmp_path, "DDD101") == []


@pytest.mark.parametrize("source, line", MUTABLE)
def test_mutable_styles_are_reported_at_the_class_line(source, line, tmp_path):
    assert codes(HEADER + source, tmp_path, "DDD101") == [line + 2]


def test_non_frozen_dataclass_under_frozen_base_says_typeerror(tmp_path):
    source = HEADER + MUTABLE[8][0]
    from flake8_ddd_events.lint.pipeline import check_source
    from flake8_ddd_events.config.settings import Settings
    settings = Settings.from_values({"ddd-source-roots": [str(tmp_path)]})
    messages = [r.message for r in check_source(source, str(tmp_path / EVENTS), settings, {"DDD101"})]
    assert len(messages) == 1 and "TypeError" in messages[0] and "'Base'" in messages[0]


def test_a_subclass_mutable_only_through_its_base_is_told_to_fix_the_base(tmp_path):
    """Freezing such a subclass alone fails at import: the message names the base to fix."""
    source = HEADER + textwrap.dedent("""\
        from dataclasses import dataclass


        @dataclass
        class DomainEvent:
            event_id: UUID


        class Marker(DomainEvent):
            pass


        class OrderCancelled(Marker):
            pass


        @dataclass
        class OrderPlaced(DomainEvent):
            order_id: str
    """)
    from flake8_ddd_events.lint.pipeline import check_source
    from flake8_ddd_events.config.settings import Settings
    settings = Settings.from_values({"ddd-source-roots": [str(tmp_path)]})
    messages = {r.line: r.message for r in check_source(source, str(tmp_path / EVENTS), settings,
                                                         {"DDD101"})}
    base = ("can be changed after it happened because its base 'DomainEvent' can; fix it there: "
            "make 'DomainEvent' immutable (frozen=True)")
    assert messages[15] == f"DDD101 event 'OrderCancelled' {base}"  # through Marker, down to DomainEvent
    # a dataclass of its own is frozen with its base: the usual message
    assert messages[20] == ("DDD101 event 'OrderPlaced' can be changed after it happened; make it "
                            "immutable (frozen=True)")


def test_unknown_base_keeps_a_plain_subclass_quiet(tmp_path):
    source = """
        from vendor.events import SomeBase
        class OrderPlaced(SomeBase):
            order_id: str
    """
    assert codes(source, tmp_path, "DDD101") == []


def test_frameworks_that_supply_immutability_are_quiet(tmp_path):
    source = """
        from eventsourcing.domain import Aggregate
        class Dog(Aggregate):
            class Registered(Aggregate.Created):
                name: str
                tricks: list[str]
    """
    assert codes(source, tmp_path, "DDD101") == []
    assert codes(source, tmp_path, "DDD105") == []
    assert codes(source, tmp_path, "DDD104") == [6]


@pytest.mark.parametrize("annotation", [
    "list[str]", "dict[str, int]", "set[str]", "bytearray", "typing.List[str]", "typing.Dict[str, int]",
    "typing.Set[str]", "typing.DefaultDict[str, int]", "typing.Deque[int]", "typing.MutableMapping[str, int]",
    "typing.MutableSequence[int]", "typing.MutableSet[int]", "collections.deque", "collections.defaultdict",
    "collections.OrderedDict", "collections.Counter", "typing.Optional[typing.List[str]]",
    "tuple[list[int], ...]", "'list[str]'",
])
def test_mutable_containers_at_any_depth(annotation, tmp_path):
    source = f"""
        import collections
        import typing
        from dataclasses import dataclass
        @dataclass(frozen=True)
        class OrderPlaced:
            items: {annotation}
    """
    assert codes(source, tmp_path, "DDD104") == [7]


@pytest.mark.parametrize("annotation", ["tuple[str, ...]", "frozenset[str]", "typing.Mapping[str, int]",
                                        "typing.Sequence[int]", "Counter"])
def test_immutable_containers_and_lookalikes_are_quiet(annotation, tmp_path):
    source = f"""
        import typing
        from dataclasses import dataclass
        class Counter:
            pass
        @dataclass(frozen=True)
        class OrderPlaced:
            items: {annotation}
    """
    assert codes(source, tmp_path, "DDD104") == []


@pytest.mark.parametrize("mutation", ["self.x = 1", "self.x += 1", "del self.x", "setattr(self, 'x', 1)",
                                      "object.__setattr__(self, 'x', 1)", "self.a, self.b = 1, 2"])
def test_every_kind_of_self_mutation(mutation, tmp_path):
    source = f"""
        from dataclasses import dataclass
        @dataclass(frozen=True)
        class OrderPlaced:
            x: int
            def touch(self):
                {mutation}
    """
    assert codes(source, tmp_path, "DDD108") == [7]


def test_mutation_of_another_object_is_not_the_events(tmp_path):
    source = """
        from dataclasses import dataclass
        @dataclass(frozen=True)
        class OrderPlaced:
            x: int
            def apply(self, order):
                order.status = "placed"
            @staticmethod
            def build(self):
                self.x = 1
    """
    assert codes(source, tmp_path, "DDD108") == []


def test_field_order_through_kw_only_marker_and_field_kw_only(tmp_path):
    source = """
        from dataclasses import KW_ONLY, dataclass, field
        @dataclass(frozen=True)
        class Base:
            _: KW_ONLY
            event_id: str = "x"
        @dataclass(frozen=True)
        class OrderPlaced(Base):
            order_id: str
        @dataclass(frozen=True)
        class OrderShipped:
            a: int = field(default=1, kw_only=True)
            b: int
        @dataclass(frozen=True)
        class OrderPaid:
            a: int = field(default=1)
            b: int
            c: int
    """
    assert codes(source, tmp_path, "DDD109") == [17]


def test_field_order_redefined_field_keeps_its_place(tmp_path):
    source = """
        from dataclasses import dataclass, field
        @dataclass(frozen=True)
        class Base:
            a: int
            b: int = field(default_factory=int)
        @dataclass(frozen=True)
        class OrderPlaced(Base):
            b: int
            a: int = 1
    """
    # fields in order a (default now 1), b (no default: a base's default_factory leaves
    # no class attribute to inherit): b follows a defaulted field
    assert codes(source, tmp_path, "DDD109") == [9]
    # a plain base default is a class attribute, which the redeclared b keeps
    assert codes(source.replace("field(default_factory=int)", "0"), tmp_path, "DDD109") == []


def test_attrs_field_order(tmp_path):
    source = """
        import attr
        @attr.s(frozen=True)
        class OrderPlaced:
            a = attr.ib(default=1)
            b: int = attr.ib()
    """
    assert codes(source, tmp_path, "DDD109") == [6]
