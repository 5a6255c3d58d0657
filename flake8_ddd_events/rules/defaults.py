"""Field defaults: a default is computed once, when the class is defined.

DDD110 (a clock or id generator called as a plain default, so every event
shares one timestamp or one id).
"""

from __future__ import annotations

from typing import Iterator

import libcst as cst

from ..analysis.fresh_values import Fresh
from ..analysis.shared_defaults import factory_keyword, shared_defaults
from ..syntax.expressions import dotted
from .rule import Context, Example, Finding, rule


def factory_text(value: cst.BaseExpression) -> str:
    """What the default factory is: the function itself for a call without
    arguments (``uuid4``), else a lambda around the expression."""
    if isinstance(value, cst.Call) and not value.args and not value.lpar and dotted(value.func):
        return dotted(value.func)
    code = cst.Module([]).code_for_node(value)
    return f"lambda: {code}" if len(code) <= 60 and "\n" not in code else "a lambda around it"


@rule(
    "DDD110", "shared-event-default",
    summary="clock or id generator called once as a field default",
    what="Reports an event field (of an event or event base) whose default calls a clock or an "
         "id generator: `occurred_on: datetime = datetime.now(UTC)`, `event_id: UUID = uuid4()`, "
         "`field(default=datetime.now())`, `Field(default=uuid4())`, `attr.ib(default=...)`, "
         "also inside an expression (`str(uuid4())`, `uuid4().hex`). Clocks are `datetime.now`/"
         "`utcnow`/`today`, `date.today`, the `time` module's clocks, and any function or method "
         "named `now`/`utcnow`/`today` or with `now` as a word (`pendulum.now`, `arrow.utcnow`, "
         "`utc_now`) or named like `get_current_datetime`; not SQLAlchemy's `func.now()`, which "
         "the database evaluates. Id generators are `uuid1`/`uuid4`/`uuid6`/`uuid7`, `ulid.new()`, `ULID()`, "
         "`bson.ObjectId()`, `secrets.token_*`, and project functions named like `new_id`, "
         "`next_id`, `generate_id`. Constants are not reported: `datetime(2020, 1, 1)`, "
         "`UUID(\"...\")`, `uuid5(namespace, name)` (a hash: the same arguments give the same "
         "id). Neither are default factories and lambdas, `ClassVar` attributes or a method's "
         "parameter defaults. Points at the clock or generator call.",
    why="A default is evaluated once, when Python runs the class statement, and then reused for "
        "every instance: every event created without the field gets the same id and the same "
        "timestamp, the moment the module was imported. Consumers then drop all but the first "
        "event as duplicates, and ordering by time is meaningless. Pydantic, attrs and msgspec "
        "behave the same way; only a default factory runs for each event.",
    use_instead="A default factory: `field(default_factory=uuid4)` for dataclasses, "
                "`Field(default_factory=...)` for pydantic, `attrs.field(factory=...)` for attrs, "
                "with a lambda when the call takes arguments "
                "(`default_factory=lambda: datetime.now(timezone.utc)`).",
    invalid=[
        Example("""\
from dataclasses import dataclass, field
from datetime import datetime, timezone
from uuid import UUID, uuid4


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    event_id: UUID = uuid4()  # DDD110
    occurred_on: datetime = field(default=datetime.now(timezone.utc))  # DDD110
""", fixed="""\
from dataclasses import dataclass, field
from datetime import datetime, timezone
from uuid import UUID, uuid4


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    event_id: UUID = field(default_factory=uuid4)  # DDD110
    occurred_on: datetime = field(default_factory=lambda: datetime.now(timezone.utc))  # DDD110
"""),
        Example("""\
from datetime import datetime, timezone
from uuid import uuid4

from pydantic import BaseModel, ConfigDict, Field


class IntegrationEvent(BaseModel):
    model_config = ConfigDict(frozen=True)
    event_id: str = Field(default=str(uuid4()))  # DDD110
    occurred_at: datetime = datetime.now(timezone.utc)  # DDD110
    correlation_id: str
    causation_id: str
    event_version: int = 1
""", fixed="""\
from datetime import datetime, timezone
from uuid import uuid4

from pydantic import BaseModel, ConfigDict, Field


class IntegrationEvent(BaseModel):
    model_config = ConfigDict(frozen=True)
    event_id: str = Field(default_factory=lambda: str(uuid4()))  # DDD110
    occurred_at: datetime = Field(default_factory=lambda: datetime.now(timezone.utc))  # DDD110
    correlation_id: str
    causation_id: str
    event_version: int = 1
"""),
    ],
    valid=[
        """\
from dataclasses import dataclass, field
from datetime import datetime, timezone
from uuid import UUID, uuid4


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    event_id: UUID = field(default_factory=uuid4)
    occurred_on: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
""",
        """\
from datetime import datetime, timezone
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from pydantic import BaseModel, ConfigDict, Field


class IntegrationEvent(BaseModel):
    model_config = ConfigDict(frozen=True)
    event_id: str = Field(default_factory=lambda: str(uuid4()))
    epoch: datetime = datetime(2020, 1, 1, tzinfo=timezone.utc)
    schema_id: UUID = uuid5(NAMESPACE_URL, "https://shop.example/schemas/order")
    correlation_id: str
    causation_id: str
    event_version: int = 1
""",
    ],
    fix="Safe: `ddd-events fix` turns the default into a default factory, keeping the call's "
        "arguments: `uuid4()` → `field(default_factory=uuid4)`, `datetime.now(timezone.utc)` → "
        "`field(default_factory=lambda: datetime.now(timezone.utc))`, `Field(default=...)` → "
        "`Field(default_factory=...)`, `attr.ib(default=...)` → `attr.ib(factory=...)`, adding "
        "the import of `field`/`Field` when it is missing. NamedTuple fields and plain classes "
        "have no default factory: those are left to you.",
)
def shared_event_default(context: Context) -> Iterator[Finding]:
    for view, _ in context.events:
        for default in shared_defaults(view):
            what = "timestamp" if default.fresh is Fresh.TIMESTAMP else "id"
            code = cst.Module([]).code_for_node(default.call)
            factory = factory_text(default.value)
            yield Finding(default.call, f"event field '{default.field.name}' defaults to {code}, "
                          f"called once when '{view.name}' is defined: every event gets the same "
                          f"{what}; use {factory_keyword(view, default)}={factory}")
