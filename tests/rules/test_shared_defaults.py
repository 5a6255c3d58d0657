"""DDD110: a clock or id generator called once as an event field's default;
what counts as one, where it is reported, and its fix."""

from __future__ import annotations

import libcst as cst
import pytest

from flake8_ddd_events.syntax.facts import ModuleFacts
from flake8_ddd_events.fixes import FIXABLE, fix_source
from flake8_ddd_events.analysis.fresh_values import Fresh, fresh_call, fresh_calls
from flake8_ddd_events.syntax.parsing import parse_facts
from flake8_ddd_events.config.settings import Settings

from ..conftest import findings

SETTINGS = Settings.from_values({"ddd-source-roots": ["."]})
EVENTS = "shop/domain/events.py"


def fix(source: str, filename: str = EVENTS, **kwargs):
    return fix_source(source, filename, SETTINGS, **kwargs)


def ddd110(source: str, filename: str = EVENTS) -> list[int]:
    return [line for line, code in findings(source, filename) if code == "DDD110"]


# -- what a clock and an id generator are -------------------------------------------
IMPORTS = """\
import datetime as dt
import time
import uuid
from datetime import date, datetime
from time import monotonic
from uuid import UUID, uuid4, uuid5

import arrow
import pendulum
import ulid
from bson import ObjectId
from django.utils import timezone
from sqlalchemy import func
from ulid import ULID
"""


def _facts() -> ModuleFacts:
    return parse_facts(IMPORTS, "shop/domain/events.py", "shop.domain.events", False)[1]


@pytest.mark.parametrize(("expression", "expected"), [
    ("datetime.now()", Fresh.TIMESTAMP),
    ("datetime.utcnow()", Fresh.TIMESTAMP),
    ("dt.datetime.now(tz=dt.timezone.utc)", Fresh.TIMESTAMP),
    ("date.today()", Fresh.TIMESTAMP),
    ("time.time()", Fresh.TIMESTAMP),
    ("monotonic()", Fresh.TIMESTAMP),
    ("pendulum.now('UTC')", Fresh.TIMESTAMP),
    ("arrow.utcnow()", Fresh.TIMESTAMP),
    ("timezone.now()", Fresh.TIMESTAMP),
    ("utc_now()", Fresh.TIMESTAMP),
    ("get_current_datetime()", Fresh.TIMESTAMP),
    ("clock.current_time()", Fresh.TIMESTAMP),
    ("func.now()", None),
    ("current_user()", None),
    ("uuid4()", Fresh.ID),
    ("uuid.uuid1()", Fresh.ID),
    ("uuid.uuid7()", Fresh.ID),
    ("ulid.new()", Fresh.ID),
    ("ULID()", Fresh.ID),
    ("ObjectId()", Fresh.ID),
    ("new_id()", Fresh.ID),
    ("next_id()", Fresh.ID),
    ("generate_event_uuid()", Fresh.ID),
    ("OrderId.new()", Fresh.ID),
    ("datetime(2020, 1, 1)", None),
    ("datetime.fromtimestamp(0)", None),
    ("date.fromisoformat('2020-01-01')", None),
    ("UUID('12345678123456781234567812345678')", None),
    ("uuid5(uuid.NAMESPACE_URL, 'orders')", None),
    ("uuid.uuid3(uuid.NAMESPACE_URL, 'orders')", None),
    ("ULID.from_str('01ARZ3NDEKTSV4RRFFQ69G5FAV')", None),
    ("ObjectId('5f1d7f1b9b1e8a1b2c3d4e5f')", None),
    ("OrderId.new('o-1')", None),
    ("time.sleep(1)", None),
    ("identity()", None),
    ("new_order()", None),
    ("str(order_id)", None),
    ("(lambda: uuid4())()", None),
])
def test_what_a_clock_or_id_generator_is(expression, expected):
    assert fresh_call(_facts(), cst.parse_expression(expression)) is expected


def test_calls_inside_a_lambda_are_not_made_when_the_expression_is():
    facts = _facts()
    found = list(fresh_calls(facts, cst.parse_expression("(lambda: uuid4(), str(uuid4()).upper())")))
    assert [(cst.Module([]).code_for_node(call), kind) for call, kind in found] == [("uuid4()", Fresh.ID)]


# -- where it fires ----------------------------------------------------------------------
def test_reported_at_the_call_in_every_style():
    source = '''\
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import NamedTuple
from uuid import UUID, uuid4

import attr
import attrs
from pydantic import BaseModel, ConfigDict, Field


@dataclass(frozen=True)
class OrderPlaced:
    event_id: str = field(
        default=str(uuid4()),
    )
    occurred_on: datetime = datetime.now(UTC)


class OrderShipped(BaseModel):
    model_config = ConfigDict(frozen=True)
    event_id: UUID = Field(uuid4(), description="the id")
    occurred_on: datetime = datetime.now(tz=UTC)


@attrs.frozen
class OrderPaid:
    event_id: UUID = attrs.field(default=uuid4())


@attr.s(frozen=True)
class OrderRefunded:
    event_id = attr.ib(default=uuid4().hex)


class OrderCancelled(NamedTuple):
    event_id: UUID = uuid4()
'''
    assert [(line, code) for line, code in findings(source, EVENTS) if code == "DDD110"] == [
        (14, "DDD110"), (16, "DDD110"), (21, "DDD110"), (22, "DDD110"), (27, "DDD110"),
        (32, "DDD110"), (36, "DDD110")]
    assert findings(source, EVENTS).count((14, "DDD110")) == 1


def test_message_says_what_is_shared_and_what_to_write():
    from flake8_ddd_events.lint.pipeline import check_source
    from flake8_ddd_events.model.project_model import ProjectModel

    source = '''\
from dataclasses import dataclass
from datetime import datetime, timezone
from uuid import UUID, uuid4


@dataclass(frozen=True)
class OrderPlaced:
    event_id: UUID = uuid4()
    occurred_on: datetime = datetime.now(timezone.utc)
'''
    messages = [r.message for r in check_source(source, EVENTS, SETTINGS, {"DDD110"}, ProjectModel(SETTINGS))]
    assert messages == [
        "DDD110 event field 'event_id' defaults to uuid4(), called once when 'OrderPlaced' is defined: "
        "every event gets the same id; use default_factory=uuid4",
        "DDD110 event field 'occurred_on' defaults to datetime.now(timezone.utc), called once when "
        "'OrderPlaced' is defined: every event gets the same timestamp; use "
        "default_factory=lambda: datetime.now(timezone.utc)"]


def test_an_event_base_in_another_module_is_followed():
    source = '''\
from datetime import datetime
from uuid import uuid4

from shop.kernel import DomainEvent


class OrderPlaced(DomainEvent):
    order_id: str = str(uuid4())
'''
    assert ddd110(source, "shop/sales/domain/model.py") == [8]


# -- where it does not ---------------------------------------------------------------------
def test_constants_factories_and_lambdas_are_not_reported():
    source = '''\
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import ClassVar
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from pydantic import BaseModel, Field
from sqlalchemy import func
from sqlalchemy.orm import mapped_column


@dataclass(frozen=True)
class OrderPlaced:
    epoch: datetime = datetime(2020, 1, 1, tzinfo=timezone.utc)
    schema: UUID = UUID("12345678123456781234567812345678")
    kind: UUID = uuid5(NAMESPACE_URL, "order-placed")
    event_id: UUID = field(default_factory=uuid4)
    occurred_on: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    loaded_at: ClassVar[datetime] = datetime.now(timezone.utc)
    make_id = uuid4()

    recorded_at: datetime = mapped_column(server_default=func.now())

    def delayed(self, at: datetime = datetime.now(timezone.utc)) -> "OrderPlaced":
        return self


class OrderShipped(BaseModel):
    event_id: str = Field(default_factory=lambda: str(uuid4()))
    reference: str = Field("ref", description=str(uuid4()))
'''
    assert ddd110(source) == []


def test_a_class_that_is_not_an_event_is_not_reported():
    source = '''\
from dataclasses import dataclass
from datetime import datetime, timezone
from uuid import UUID, uuid4


@dataclass
class ReportSettings:
    started: datetime = datetime.now(timezone.utc)
    run_id: UUID = uuid4()
'''
    assert ddd110(source, "shop/reporting/settings.py") == []


def test_a_plain_class_attribute_set_again_in_init_is_not_shared():
    source = '''\
from datetime import datetime, timezone
from uuid import UUID, uuid4

from shop.kernel import DomainEvent


class OrderPlaced(DomainEvent):
    event_id: UUID = uuid4()
    occurred_on: datetime = datetime.now(timezone.utc)

    def __init__(self, order_id: str) -> None:
        self.order_id = order_id
        self.event_id = uuid4()
'''
    assert ddd110(source, "shop/sales/domain/model.py") == [9]


# -- the fix ---------------------------------------------------------------------------------
CASES = [
    ("dataclass, field imported", '''\
from dataclasses import dataclass
from datetime import datetime, timezone
from uuid import UUID, uuid4


@dataclass(frozen=True)
class OrderPlaced:
    event_id: UUID = uuid4()
    occurred_on: datetime = datetime.now(timezone.utc)
    reference: str = str(uuid4())
''', '''\
from dataclasses import dataclass, field
from datetime import datetime, timezone
from uuid import UUID, uuid4


@dataclass(frozen=True)
class OrderPlaced:
    event_id: UUID = field(default_factory=uuid4)
    occurred_on: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    reference: str = field(default_factory=lambda: str(uuid4()))
'''),
    ("dataclasses module, field(default=...) kept in place", '''\
import dataclasses
import uuid


@dataclasses.dataclass(frozen=True)
class OrderPlaced:
    event_id: str = dataclasses.field(
        default=uuid.uuid4().hex,  # hex, for the wire
        repr=False,
    )
    other_id: uuid.UUID = uuid.uuid4()
''', '''\
import dataclasses
import uuid


@dataclasses.dataclass(frozen=True)
class OrderPlaced:
    event_id: str = dataclasses.field(
        default_factory=lambda: uuid.uuid4().hex,  # hex, for the wire
        repr=False,
    )
    other_id: uuid.UUID = dataclasses.field(default_factory=uuid.uuid4)
'''),
    ("pydantic, Field added to the pydantic import", '''\
from datetime import UTC, datetime
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict


class OrderShipped(BaseModel):
    model_config = ConfigDict(frozen=True)
    event_id: UUID = uuid4()
    occurred_on: datetime = datetime.now(UTC)
''', '''\
from datetime import UTC, datetime
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field


class OrderShipped(BaseModel):
    model_config = ConfigDict(frozen=True)
    event_id: UUID = Field(default_factory=uuid4)
    occurred_on: datetime = Field(default_factory=lambda: datetime.now(UTC))
'''),
    ("pydantic Field(default) and Field(positional)", '''\
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field


class OrderShipped(BaseModel):
    model_config = ConfigDict(frozen=True)
    event_id: UUID = Field(uuid4(), description="the id")
    message_id: str = Field(default=str(uuid4()))
''', '''\
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field


class OrderShipped(BaseModel):
    model_config = ConfigDict(frozen=True)
    event_id: UUID = Field(default_factory=uuid4, description="the id")
    message_id: str = Field(default_factory=lambda: str(uuid4()))
'''),
    ("attrs: attrs.field(factory=...), attr.ib(factory=...)", '''\
from datetime import datetime, timezone
from uuid import UUID, uuid4

import attr
import attrs


@attrs.frozen
class OrderPaid:
    event_id: UUID = uuid4()
    occurred_on: datetime = attrs.field(default=datetime.now(timezone.utc))


@attr.s(frozen=True, auto_attribs=True)
class OrderRefunded:
    event_id: UUID = uuid4()


@attr.s(frozen=True)
class OrderReturned:
    return_id = attr.ib(uuid4())
''', '''\
from datetime import datetime, timezone
from uuid import UUID, uuid4

import attr
import attrs


@attrs.frozen
class OrderPaid:
    event_id: UUID = attrs.field(factory=uuid4)
    occurred_on: datetime = attrs.field(factory=lambda: datetime.now(timezone.utc))


@attr.s(frozen=True, auto_attribs=True)
class OrderRefunded:
    event_id: UUID = attr.ib(factory=uuid4)


@attr.s(frozen=True)
class OrderReturned:
    return_id = attr.ib(factory=uuid4)
'''),
    ("msgspec, an unparenthesized tuple", '''\
from uuid import UUID, uuid4

import msgspec


class OrderPlaced(msgspec.Struct, frozen=True):
    event_ids: tuple[UUID, UUID] = uuid4(), uuid4()
''', '''\
from uuid import UUID, uuid4

import msgspec


class OrderPlaced(msgspec.Struct, frozen=True):
    event_ids: tuple[UUID, UUID] = msgspec.field(default_factory=lambda: (uuid4(), uuid4()))
'''),
    ("composed with DDD107: utcnow as a default", '''\
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class OrderPlaced:
    occurred_on: datetime = datetime.utcnow()
    shipped_on: datetime = field(default=datetime.now())
''', '''\
from dataclasses import dataclass, field
from datetime import datetime, timezone


@dataclass(frozen=True)
class OrderPlaced:
    occurred_on: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    shipped_on: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
'''),
]


@pytest.mark.parametrize(("title", "before", "after"), CASES, ids=[c[0] for c in CASES])
def test_fix(title, before, after):
    result = fix(before)
    assert result.source == after
    assert result.outcomes and all(o.fixed for o in result.outcomes)
    assert "DDD110" in {o.code for o in result.outcomes}


@pytest.mark.parametrize(("title", "before", "after"), CASES, ids=[c[0] for c in CASES])
def test_fix_is_idempotent(title, before, after):
    again = fix(after)
    assert again.source == after and again.outcomes == ()
    assert not [code for _, code in findings(after, EVENTS) if code in FIXABLE]


def test_pydantic_event_under_a_project_base_gets_a_new_import(tmp_path):
    from flake8_ddd_events.lint.run import Run

    before = '''\
"""Orders."""

from datetime import UTC, datetime

from shop.contracts.base import IntegrationEvent


class OrderShipped(IntegrationEvent):
    occurred_on: datetime = datetime.now(UTC)
'''
    (tmp_path / "shop" / "contracts").mkdir(parents=True)
    (tmp_path / "shop" / "contracts" / "base.py").write_text(
        "from pydantic import BaseModel, ConfigDict\n\n\nclass IntegrationEvent(BaseModel):\n"
        "    model_config = ConfigDict(frozen=True)\n", encoding="utf-8")
    settings = Settings.from_values({"ddd-source-roots": [str(tmp_path)]})
    result = fix_source(before, str(tmp_path / "shop" / "orders.py"), settings,
                        pipeline=Run(settings, FIXABLE).pipeline)
    assert result.source == before.replace(
        "from shop.contracts.base import IntegrationEvent\n",
        "from shop.contracts.base import IntegrationEvent\nfrom pydantic import Field\n").replace(
        "= datetime.now(UTC)", "= Field(default_factory=lambda: datetime.now(UTC))")


def test_noqa_is_honoured_and_each_fix_stands_alone():
    source = '''\
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4


@dataclass(frozen=True)
class OrderPlaced:
    event_id: UUID = uuid4()  # noqa: DDD110
    placed_on: datetime = datetime.utcnow()  # noqa: DDD107
    shipped_on: datetime = datetime.utcnow()  # noqa: DDD110
'''
    result = fix(source)
    assert [(o.line, o.code) for o in result.outcomes] == [(9, "DDD110"), (10, "DDD107")]
    assert result.source == '''\
from dataclasses import dataclass, field
from datetime import datetime, timezone
from uuid import UUID, uuid4


@dataclass(frozen=True)
class OrderPlaced:
    event_id: UUID = uuid4()  # noqa: DDD110
    placed_on: datetime = field(default_factory=datetime.utcnow)  # noqa: DDD107
    shipped_on: datetime = datetime.now(timezone.utc)  # noqa: DDD110
'''
    assert fix(result.source).source == result.source
    assert fix(source, codes={"DDD107"}).source == source.replace(
        "from datetime import datetime\n", "from datetime import datetime, timezone\n").replace(
        "shipped_on: datetime = datetime.utcnow()", "shipped_on: datetime = datetime.now(timezone.utc)")


@pytest.mark.parametrize(("source", "why"), [
    ('''\
from typing import NamedTuple
from uuid import UUID, uuid4


class OrderPlaced(NamedTuple):
    event_id: UUID = uuid4()
''', "a NamedTuple field has no default factory"),
    ('''\
from uuid import UUID, uuid4

from shop.kernel import DomainEvent


class OrderPlaced(DomainEvent):
    event_id: UUID = uuid4()
''', "a plain class attribute has no default factory"),
    ('''\
from dataclasses import dataclass
from uuid import UUID, uuid4


@dataclass(frozen=True)
class OrderPlaced:
    field: str
    event_id: UUID = uuid4()
''', "'field' already names something else in this module"),
    ('''\
from pydantic import BaseModel, ConfigDict, Field
from uuid import UUID, uuid4


class OrderShipped(BaseModel):
    model_config = ConfigDict(frozen=True)
    event_id: UUID = Field(default=uuid4(), default_factory=uuid4)
''', "a default factory as well as a default"),
    ('''\
import attr
from uuid import uuid4


@attr.s(frozen=True)
class OrderPlaced:
    event_id = attr.ib(uuid4(), attr.validators.instance_of(str))
''', "other positional arguments follow the default"),
    ('''\
class OrderShipped(BaseModel):
    model_config = ConfigDict(frozen=True)
    event_id: str = str(uuid4())
''', "no import statement to put 'from pydantic import Field' after"),
    ('''\
import json

Field = json.dumps


class OrderShipped(BaseModel):
    model_config = ConfigDict(frozen=True)
    event_id: str = str(uuid4())
''', "'Field' already names something else in this module"),
])
def test_what_is_left_to_the_user_and_why(source, why):
    result = fix(source)
    assert result.source == source
    assert [(o.code, o.fixed) for o in result.outcomes if o.code == "DDD110"] == [("DDD110", False)]
    assert why in next(o.note for o in result.outcomes if o.code == "DDD110")
