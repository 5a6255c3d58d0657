"""The fixes, source in and source out, compared in full."""

from __future__ import annotations

import pytest

from flake8_ddd_events.fixes import FIXABLE, fix_source
from flake8_ddd_events.fixes.noqa import Noqa
from flake8_ddd_events.fixes.options import lowest_python
from flake8_ddd_events.rules import RULES
from flake8_ddd_events.config.settings import Settings

from ..conftest import example_settings, expected_markers, findings

SETTINGS = Settings.from_values({"ddd-source-roots": ["."]})
EVENTS = "shop/domain/events.py"


def fix(source: str, filename: str = EVENTS, **kwargs):
    return fix_source(source, filename, SETTINGS, **kwargs)


# -- before and after: (code, filename, before, after) ---------------------------------
CASES = [
    ("DDD101 bare dataclass", "shop/sales/domain/model.py", '''\
from dataclasses import dataclass
from uuid import UUID


class DomainEvent:
    """A marker: no state of its own."""


@dataclass
class OrderPlaced(DomainEvent):  # the order is in
    order_id: UUID
''', '''\
from dataclasses import dataclass
from uuid import UUID


class DomainEvent:
    """A marker: no state of its own."""


@dataclass(frozen=True)
class OrderPlaced(DomainEvent):  # the order is in
    order_id: UUID
'''),
    ("DDD101 frozen=False, kept arguments", EVENTS, '''\
import dataclasses


@dataclasses.dataclass(eq=True, frozen=False)
class StockReserved:
    sku: str
''', '''\
import dataclasses


@dataclasses.dataclass(eq=True, frozen=True)
class StockReserved:
    sku: str
'''),
    ("DDD101 attrs styles", EVENTS, '''\
import attr
import attrs


@attr.s
class Placed:
    order_id = attr.ib()


@attrs.define
class Shipped:
    order_id: str


@attrs.define(slots=True)
class Paid:
    order_id: str
''', '''\
import attr
import attrs


@attr.s(frozen=True)
class Placed:
    order_id = attr.ib()


@attrs.define(frozen=True)
class Shipped:
    order_id: str


@attrs.define(slots=True, frozen=True)
class Paid:
    order_id: str
'''),
    ("DDD101 one argument per line", EVENTS, '''\
from dataclasses import dataclass


@dataclass(
    eq=True,  # compare by value
)
class Placed:
    order_id: str


@dataclass(
    eq=True,
    order=False
)
class Paid:
    order_id: str
''', '''\
from dataclasses import dataclass


@dataclass(
    eq=True,  # compare by value
    frozen=True,
)
class Placed:
    order_id: str


@dataclass(
    eq=True,
    order=False,
    frozen=True
)
class Paid:
    order_id: str
'''),
    ("DDD101 not frozen under a frozen base", EVENTS, '''\
from dataclasses import dataclass


@dataclass(frozen=True)
class DomainEvent:
    event_id: str = ""


@dataclass
class Placed(DomainEvent):
    order_id: str = ""
''', '''\
from dataclasses import dataclass


@dataclass(frozen=True)
class DomainEvent:
    event_id: str = ""


@dataclass(frozen=True)
class Placed(DomainEvent):
    order_id: str = ""
'''),
    ("DDD104 builtins, typing, default factory", "shop/sales/domain/model.py", '''\
from dataclasses import dataclass, field
from typing import List, Optional

from shop.kernel import DomainEvent


@dataclass(frozen=True)
class OrderPlaced(DomainEvent):
    line_ids: list[str]
    coupons: Optional[List[str]] = None  # from the basket
    tags: tuple[str, ...] = field(default_factory=list)
''', '''\
from dataclasses import dataclass, field
from typing import Optional, Tuple

from shop.kernel import DomainEvent


@dataclass(frozen=True)
class OrderPlaced(DomainEvent):
    line_ids: tuple[str, ...]
    coupons: Optional[Tuple[str, ...]] = None  # from the basket
    tags: tuple[str, ...] = field(default_factory=tuple)
'''),
    ("DDD104 sets, typing module, unions, names still used elsewhere", EVENTS, '''\
from dataclasses import dataclass, field
from typing import (
    List,
    Optional,
    Set,
)
import typing as t


@dataclass(frozen=True)
class Placed:
    a: List[str]
    b: t.Set[int]
    c: list[str] | None = None
    d: Optional[Set[int]] = field(default_factory=set)
    e: set[str] = field(default_factory=set)


def lines(x: List[int]) -> None: ...
''', '''\
from dataclasses import dataclass, field
from typing import (
    List,
    Optional,
    FrozenSet,
    Tuple,
)
import typing as t


@dataclass(frozen=True)
class Placed:
    a: Tuple[str, ...]
    b: t.FrozenSet[int]
    c: tuple[str, ...] | None = None
    d: Optional[FrozenSet[int]] = field(default_factory=frozenset)
    e: frozenset[str] = field(default_factory=frozenset)


def lines(x: List[int]) -> None: ...
'''),
    ("DDD104 reuses imported names, string annotations, attrs factory, empty list", EVENTS, '''\
from dataclasses import dataclass
from typing import FrozenSet, Set, Tuple

import attr


@dataclass(frozen=True)
class Placed:
    a: Set[str]
    b: "list[Placed]"
    c: list[int] = []


@attr.s(frozen=True)
class Paid:
    ids = attr.ib(factory=list)
''', '''\
from dataclasses import dataclass
from typing import FrozenSet, Tuple

import attr


@dataclass(frozen=True)
class Placed:
    a: FrozenSet[str]
    b: "tuple[Placed, ...]"
    c: tuple[int, ...] = ()


@attr.s(frozen=True)
class Paid:
    ids = attr.ib(factory=tuple)
'''),
    ("DDD107 from datetime import datetime", "shop/sales/domain/model.py", '''\
from dataclasses import dataclass, field
from datetime import datetime

from shop.kernel import DomainEvent


@dataclass(frozen=True)
class OrderPlaced(DomainEvent):
    occurred_on: datetime = field(default_factory=datetime.utcnow)

    def delay(self, sent: float) -> float:
        return (datetime.fromtimestamp(sent) - self.occurred_on).total_seconds()


def place_order(order_id: str) -> OrderPlaced:
    return OrderPlaced(occurred_on=datetime.now())
''', '''\
from dataclasses import dataclass, field
from datetime import datetime, timezone

from shop.kernel import DomainEvent


@dataclass(frozen=True)
class OrderPlaced(DomainEvent):
    occurred_on: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    def delay(self, sent: float) -> float:
        return (datetime.fromtimestamp(sent, tz=timezone.utc) - self.occurred_on).total_seconds()


def place_order(order_id: str) -> OrderPlaced:
    return OrderPlaced(occurred_on=datetime.now(timezone.utc))
'''),
    ("DDD107 import datetime, composed with DDD110", EVENTS, '''\
import datetime
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Placed:
    at: datetime.datetime = field(default_factory=datetime.datetime.utcnow)
    on: datetime.datetime = datetime.datetime.today()
''', '''\
import datetime
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Placed:
    at: datetime.datetime = field(default_factory=lambda: datetime.datetime.now(datetime.timezone.utc))
    on: datetime.datetime = field(default_factory=lambda: datetime.datetime.now(datetime.timezone.utc))
'''),
    ("DDD107 aliases, timezone already imported, composed with DDD110", EVENTS, '''\
import datetime as dt
from dataclasses import dataclass
from datetime import datetime as DT, timezone as tz


@dataclass(frozen=True)
class Placed:
    at: DT = DT.today()
    when: DT = DT.utcfromtimestamp(0)
    then: dt.datetime = dt.datetime.now()
''', '''\
import datetime as dt
from dataclasses import dataclass, field
from datetime import datetime as DT, timezone as tz


@dataclass(frozen=True)
class Placed:
    at: DT = field(default_factory=lambda: DT.now(tz.utc))
    when: DT = DT.fromtimestamp(0, tz=tz.utc)
    then: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))
'''),
    ("DDD109 kw_only=True", EVENTS, '''\
from dataclasses import dataclass, field
from uuid import UUID, uuid4


@dataclass(frozen=True)
class DomainEvent:
    event_id: UUID = field(default_factory=uuid4)


@dataclass(frozen=True)
class OrderPlaced(DomainEvent):
    order_id: UUID
''', '''\
from dataclasses import dataclass, field
from uuid import UUID, uuid4


@dataclass(frozen=True)
class DomainEvent:
    event_id: UUID = field(default_factory=uuid4)


@dataclass(frozen=True, kw_only=True)
class OrderPlaced(DomainEvent):
    order_id: UUID
'''),
    ("DDD101 and DDD109 on one decorator", EVENTS, '''\
from dataclasses import dataclass


@dataclass
class OrderPlaced:
    note: str = ""
    order_id: str
''', '''\
from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class OrderPlaced:
    note: str = ""
    order_id: str
'''),
]


@pytest.mark.parametrize(("title", "filename", "before", "after"), CASES, ids=[c[0] for c in CASES])
def test_fix(title, filename, before, after):
    result = fix(before, filename)
    assert result.source == after
    assert all(outcome.fixed for outcome in result.outcomes)
    code = title.split()[0]
    assert {o.code for o in result.outcomes} >= {code}


@pytest.mark.parametrize(("title", "filename", "before", "after"), CASES, ids=[c[0] for c in CASES])
def test_fix_is_idempotent_and_leaves_no_fixable_finding(title, filename, before, after):
    again = fix(after, filename)
    assert again.source == after and again.outcomes == ()
    assert not [code for _, code in findings(after, filename) if code in FIXABLE]


FIXED_RULE_EXAMPLES = [(r, e) for r in RULES if r.code in FIXABLE for e in r.invalid]


@pytest.mark.parametrize(("rule", "example"), FIXED_RULE_EXAMPLES,
                         ids=[f"{r.code}-{i}" for i, (r, _) in enumerate(FIXED_RULE_EXAMPLES)])
def test_every_invalid_rule_example_is_fixed_or_explained(rule, example, tmp_path):
    """The documented examples (with their contract lock, if any): each finding is fixed, or
    the fixer says why not."""
    settings, path, root = SETTINGS, example.filename, None
    if example.before is not None:
        settings, root = example_settings(example, tmp_path), tmp_path
        path = str(tmp_path / example.filename)
    result = fix_source(example.source, path, settings)
    marked = {line for line, code in expected_markers(example.source) if code == rule.code}
    assert {o.line for o in result.outcomes if o.code == rule.code} == marked
    left = {o.line for o in result.left if o.code == rule.code}
    remaining = {line for line, code in findings(result.source, example.filename, settings,
                                                  root=root) if code == rule.code}
    assert remaining == left
    assert fix_source(result.source, path, settings).source == result.source


# -- what is left alone, and why ---------------------------------------------------------
def test_pydantic_event_is_reported_not_fixed():
    source = '''\
from pydantic import BaseModel


class IntegrationEvent(BaseModel):
    correlation_id: str
'''
    result = fix(source, "shop/contracts.py")
    assert result.source == source
    assert [(o.code, o.fixed) for o in result.outcomes] == [("DDD101", False)]
    assert "no dataclass or attrs decorator" in result.outcomes[0].note


def test_a_dataclass_under_an_unfrozen_dataclass_base_stays_unfrozen():
    source = '''\
from dataclasses import dataclass

from shop.kernel import DomainEvent


@dataclass
class Audited:
    note: str = ""


@dataclass
class Placed(Audited, DomainEvent):
    order_id: str = ""
'''
    result = fix(source, "shop/domain/model.py")
    assert result.source == source
    assert "base 'Audited' is a dataclass that is not frozen" in result.outcomes[0].note


def test_mappings_and_other_containers_are_left_to_the_user():
    source = '''\
from collections import deque
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Placed:
    a: dict[str, list[int]]
    b: list[str] = field(default_factory=dict)
    c: deque[int] = field(default_factory=deque)
    d: list[int] = field(default_factory=list)
    e: list[int] = [1]
'''
    result = fix(source)
    assert [(o.line, o.fixed) for o in result.outcomes] == [
        (7, False), (8, False), (9, False), (10, True), (11, False)]
    assert result.source == source.replace(
        "d: list[int] = field(default_factory=list)", "d: tuple[int, ...] = field(default_factory=tuple)")


def test_kw_only_is_not_added_for_python_before_3_10():
    source = CASES[-2][2]
    result = fix(source, target_python=(3, 9))
    assert result.source == source
    assert "needs Python 3.10 and the target is 3.9" in result.outcomes[0].note
    assert fix(source, target_python=(3, 10)).source == CASES[-2][3]


def test_attrs_kw_only_does_not_depend_on_the_python_version():
    source = '''\
import attr


@attr.s(frozen=True)
class DomainEvent:
    event_id = attr.ib(default="")


@attr.s(frozen=True)
class Placed(DomainEvent):
    order_id = attr.ib()
'''
    result = fix(source, target_python=(3, 8))
    assert result.source == source.replace("@attr.s(frozen=True)\nclass Placed",
                                           "@attr.s(frozen=True, kw_only=True)\nclass Placed")


def test_a_name_taken_by_something_else_is_not_imported_over():
    source = '''\
from dataclasses import dataclass
from datetime import datetime

timezone = "Europe/Paris"


@dataclass(frozen=True)
class Placed:
    at: datetime = datetime.now()
'''
    result = fix(source, codes={"DDD107"})
    assert result.source == source
    assert result.outcomes[0].note == "'timezone' already names something else in this module"


# -- noqa and selection --------------------------------------------------------------------
NOQA = '''\
from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class Placed:  # noqa: DDD101
    at: datetime = field(
        default_factory=datetime.utcnow
    )  # noqa: DDD107
    b: datetime = datetime.now()  # noqa: DDD1
    c: datetime = datetime.now()  # noqa:E501
    d: list[str] = field(default_factory=list)  # NOQA
    e: str = """
    """; f: datetime = datetime.now()  # noqa
'''


def test_noqa_is_honoured_like_flake8():
    result = fix(NOQA)
    assert [(o.line, o.code) for o in result.outcomes] == [(8, "DDD107"), (11, "DDD107"), (11, "DDD110")]
    assert result.source == NOQA.replace("from datetime import datetime\n",
                                         "from datetime import datetime, timezone\n").replace(
        "default_factory=datetime.utcnow", "default_factory=lambda: datetime.now(timezone.utc)").replace(
        "c: datetime = datetime.now()",
        "c: datetime = field(default_factory=lambda: datetime.now(timezone.utc))")
    assert fix("# flake8: noqa\n" + NOQA).source == "# flake8: noqa\n" + NOQA


def test_noqa_reader():
    noqa = Noqa("x = 1  # noqa: DDD104,DDD107\ny = 2  # noqa\nz = 3\n")
    assert noqa(1, "DDD104") and noqa(1, "DDD107") and not noqa(1, "DDD101")
    assert noqa(2, "DDD101") and not noqa(3, "DDD101") and not noqa(9, "DDD101")
    assert Noqa("x = (\n")(1, "DDD101") is False  # untokenizable: the physical line decides


def test_only_selected_codes_are_fixed():
    source = CASES[-1][2]
    assert fix(source, codes={"DDD101"}).source == source.replace("@dataclass\n", "@dataclass(frozen=True)\n")
    assert fix(source, codes=set()).source == source


def test_sources_without_anything_to_fix_are_returned_as_they_are():
    assert fix("x = 1\n", "tools/script.py").outcomes == ()
    clean = CASES[0][3]
    assert fix(clean, CASES[0][1]).outcomes == ()


def test_lowest_python_of_requires_python():
    assert lowest_python(">=3.9") == (3, 9)
    assert lowest_python(">=3.8, <4") == (3, 8)
    assert lowest_python("~=3.11") == (3, 11)
    assert lowest_python("==3.12.*") == (3, 12)
    assert lowest_python("<3.13") is None
