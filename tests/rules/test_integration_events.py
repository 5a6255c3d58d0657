"""Integration events (DDD201–DDD206) across modules, frameworks and options."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from flake8_ddd_events.config.settings import Settings

from ..conftest import expected_markers, findings, write_file

INTEGRATION = {"DDD201", "DDD202", "DDD203", "DDD204", "DDD205", "DDD206"}
EVERY_EVENT_RULE = INTEGRATION | {"DDD101", "DDD102", "DDD103", "DDD104", "DDD105", "DDD106",
                                  "DDD107", "DDD108", "DDD109"}

ENVELOPE = """\
from dataclasses import dataclass, field
from datetime import datetime, timezone
from uuid import UUID, uuid4


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True, kw_only=True)
class IntegrationEvent:
    event_id: UUID = field(default_factory=uuid4)
    occurred_on: datetime = field(default_factory=utc_now)
    correlation_id: UUID
    causation_id: UUID
    schema_version: int = 1
"""


def write(root: Path, files: dict[str, str]) -> None:
    for name, source in files.items():
        path = write_file(root, name, textwrap.dedent(source))
        for parent in path.relative_to(root).parents:
            if str(parent) != ".":
                (root / parent / "__init__.py").touch()


def check(root: Path, name: str, codes=EVERY_EVENT_RULE, **options) -> set[tuple[int, str]]:
    source = (root / name).read_text()
    settings = Settings.from_values({"ddd-source-roots": [str(root)], **options})
    return set(findings(source, name, settings=settings, codes=codes, root=root))


def marked(root: Path, name: str) -> set[tuple[int, str]]:
    return expected_markers((root / name).read_text())


# -- inherited metadata ------------------------------------------------------------------
def test_a_base_in_another_module_satisfies_every_subclass(tmp_path):
    write(tmp_path, {
        "shop/shared_kernel/integration.py": ENVELOPE,
        "shop/sales/integration_events.py": """\
            from dataclasses import dataclass
            from uuid import UUID

            from shop.shared_kernel.integration import IntegrationEvent


            @dataclass(frozen=True, kw_only=True)
            class OrderShipped(IntegrationEvent):
                order_id: UUID


            @dataclass(frozen=True, kw_only=True)
            class OrderCancelled(OrderShipped):
                reason: str
        """,
    })
    assert check(tmp_path, "shop/sales/integration_events.py") == set()
    assert check(tmp_path, "shop/shared_kernel/integration.py") == set()


def test_an_envelope_recognised_by_its_correlation_field_passes_it_on(tmp_path):
    """A base not named like an integration-event base, recognised because it declares
    ``correlation_id``: its subclasses elsewhere are integration events and inherit it."""
    write(tmp_path, {
        "shop/messaging/envelope.py": """\
            from dataclasses import dataclass
            from datetime import datetime
            from uuid import UUID


            @dataclass(frozen=True, kw_only=True)
            class Envelope:
                event_id: UUID
                occurred_on: datetime
                correlation_id: UUID
        """,
        "shop/sales/published.py": """\
            from dataclasses import dataclass
            from uuid import UUID

            from shop.messaging.envelope import Envelope


            @dataclass(frozen=True, kw_only=True)
            class OrderShipped(Envelope):  # DDD202, DDD203
                order_id: UUID
        """,
    })
    assert check(tmp_path, "shop/sales/published.py") == marked(tmp_path, "shop/sales/published.py")


def test_each_missing_field_is_reported_alone(tmp_path):
    write(tmp_path, {"shop/sales/contracts.py": """\
        from dataclasses import dataclass
        from datetime import datetime
        from uuid import UUID


        @dataclass(frozen=True, kw_only=True)
        class OrderShipped:  # DDD201, DDD202, DDD203
            event_id: UUID
            occurred_on: datetime
            originator_version: int
            order_id: UUID
    """})
    assert check(tmp_path, "shop/sales/contracts.py") == marked(tmp_path, "shop/sales/contracts.py")


def test_unknown_base_keeps_the_chain_rules_silent(tmp_path):
    write(tmp_path, {"shop/sales/integration_events.py": """\
        from dataclasses import dataclass
        from uuid import UUID

        from messaging_lib import IntegrationEvent


        @dataclass(frozen=True, kw_only=True)
        class OrderShipped(IntegrationEvent):
            order_id: UUID
            a: int
            b: int
            c: int
    """})
    assert check(tmp_path, "shop/sales/integration_events.py", max_integration_fields=2) == set()


def test_event_bases_are_exempt_from_the_chain_rules(tmp_path):
    write(tmp_path, {"shop/sales/integration_events.py": """\
        from dataclasses import dataclass
        from datetime import datetime
        from uuid import UUID


        @dataclass(frozen=True, kw_only=True)
        class SalesIntegrationEvent:
            event_id: UUID
            occurred_on: datetime


        @dataclass(frozen=True, kw_only=True)
        class OrderShipped(SalesIntegrationEvent):  # DDD201, DDD202, DDD203
            order_id: UUID
    """})
    assert check(tmp_path, "shop/sales/integration_events.py") == \
        marked(tmp_path, "shop/sales/integration_events.py")


def test_a_correlation_id_with_a_default_in_the_base_is_reported_there_once(tmp_path):
    write(tmp_path, {
        "shop/shared_kernel/integration.py": ENVELOPE.replace(
            "    correlation_id: UUID\n",
            "    correlation_id: UUID | None = None  # DDD204\n"),
        "shop/sales/integration_events.py": """\
            from dataclasses import dataclass
            from uuid import UUID

            from shop.shared_kernel.integration import IntegrationEvent


            @dataclass(frozen=True, kw_only=True)
            class OrderShipped(IntegrationEvent):
                order_id: UUID
        """,
    })
    base = "shop/shared_kernel/integration.py"
    assert check(tmp_path, base) == marked(tmp_path, base)
    assert check(tmp_path, "shop/sales/integration_events.py") == set()


# -- pydantic and attrs ----------------------------------------------------------------
PYDANTIC = """\
from datetime import datetime
from typing import Optional
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field


class IntegrationEvent(BaseModel):
    model_config = ConfigDict(frozen=True)

    event_id: UUID = Field(default_factory=uuid4)
    occurred_at: datetime
    correlation_id: UUID = Field(..., description="the request that started it all")
    causation_id: UUID
    event_version: int = 1


class PaymentCaptured(IntegrationEvent):
    payment_id: UUID


class PaymentRefunded(BaseModel):  # DDD202, DDD203
    model_config = ConfigDict(frozen=True)

    event_id: UUID = Field(default_factory=uuid4)
    occurred_at: datetime
    correlation_id: Optional[UUID] = Field(None)  # DDD204
    payment_id: UUID
"""

ATTRS = """\
from datetime import datetime
from uuid import UUID, uuid4

import attrs


@attrs.frozen(kw_only=True)
class IntegrationEvent:
    event_id: UUID = attrs.field(factory=uuid4)
    occurred_at: datetime
    correlation_id: UUID = attrs.field()
    causation_id: UUID
    event_version: int = 1


@attrs.frozen(kw_only=True)
class ParcelDispatched(IntegrationEvent):
    parcel_id: UUID


@attrs.frozen(kw_only=True)
class ParcelReturned:  # DDD202, DDD203
    event_id: UUID = attrs.field(factory=uuid4)
    occurred_at: datetime
    correlation_id: UUID = attrs.field(factory=uuid4)  # DDD204
    parcel_id: UUID
"""


@pytest.mark.parametrize("source", [PYDANTIC, ATTRS], ids=["pydantic", "attrs"])
def test_pydantic_and_attrs_integration_events(source, tmp_path):
    write(tmp_path, {"shop/payments/integration_events.py": source})
    name = "shop/payments/integration_events.py"
    assert check(tmp_path, name) == marked(tmp_path, name)


@pytest.mark.parametrize("annotation, default, reported", [
    ("UUID", None, False),
    ("UUID", "field(kw_only=True)", False),
    ("UUID", "Field(...)", False),
    ("UUID", "Field(description='x')", False),
    ("UUID", "attr.ib()", False),
    ("ClassVar[UUID]", "uuid4()", False),
    ("UUID", "uuid4()", True),
    ("UUID", "field(default=None)", True),
    ("UUID", "Field(None)", True),
    ("UUID", "attr.ib(factory=uuid4)", True),
    ("Optional[UUID]", None, True),
    ("typing.Optional[UUID]", None, True),
    ("Union[UUID, None]", None, True),
    ("Union[UUID, str]", None, False),
    ("UUID | None", None, True),
    ("None | UUID", None, True),
    ("'UUID | None'", None, True),
    ("'UUID |'", None, False),
    ("Annotated[Optional[UUID], 'trace']", None, True),
    ("Annotated[UUID, 'trace']", None, False),
])
def test_correlation_id_defaults_and_optional_types(annotation, default, reported, tmp_path):
    line = f"    correlation_id: {annotation}" + (f" = {default}" if default else "")
    source = ENVELOPE.replace("    correlation_id: UUID\n", line + "\n")
    write(tmp_path, {"shop/sales/integration_events.py": source})
    found = check(tmp_path, "shop/sales/integration_events.py", codes={"DDD204"})
    assert found == ({(source.splitlines().index(line) + 1, "DDD204")} if reported else set())


# -- the same name, domain and integration ------------------------------------------------
def test_domain_and_integration_events_with_the_same_name_are_not_confused(tmp_path):
    write(tmp_path, {
        "shop/shared_kernel/integration.py": ENVELOPE,
        "shop/sales/domain/events.py": """\
            from dataclasses import dataclass, field
            from datetime import datetime, timezone
            from uuid import UUID, uuid4


            @dataclass(frozen=True, kw_only=True)
            class DomainEvent:
                event_id: UUID = field(default_factory=uuid4)
                occurred_on: datetime = field(default_factory=lambda: datetime.now(timezone.utc))


            @dataclass(frozen=True, kw_only=True)
            class OrderPlaced(DomainEvent):
                order_id: UUID
                lines: tuple[str, ...]
        """,
        "shop/sales/integration_events.py": """\
            from dataclasses import dataclass
            from uuid import UUID

            from shop.sales.domain import events
            from shop.shared_kernel.integration import IntegrationEvent


            @dataclass(frozen=True, kw_only=True)
            class OrderPlaced(IntegrationEvent):
                order_id: UUID


            @dataclass(frozen=True, kw_only=True)
            class OrderPlacedV2(IntegrationEvent):
                order_id: UUID
                previous: OrderPlaced
                raw: events.OrderPlaced  # DDD205
        """,
        "shop/sales/contracts/events.py": """\
            from dataclasses import dataclass
            from uuid import UUID


            @dataclass(frozen=True, kw_only=True)
            class OrderPlaced:  # DDD105, DDD106, DDD201, DDD202, DDD203
                order_id: UUID
        """,
    })
    # The domain event is not an integration event: no DDD2xx, though the names are equal.
    assert check(tmp_path, "shop/sales/domain/events.py") == set()
    # The integration module: its own OrderPlaced is a contract type, the domain one leaks.
    name = "shop/sales/integration_events.py"
    assert check(tmp_path, name) == marked(tmp_path, name)
    # A module named ``events`` inside a ``contracts`` package: the nearest name decides.
    # Here ``events`` is nearer than ``contracts``: a domain event, so no DDD2xx ...
    contracts = "shop/sales/contracts/events.py"
    assert {code for _, code in check(tmp_path, contracts)} == {"DDD105", "DDD106"}


def test_a_domain_event_in_an_integration_event_is_reported_as_ddd205_only(tmp_path):
    write(tmp_path, {
        "shop/shared_kernel/integration.py": ENVELOPE,
        "shop/sales/domain/order.py": """\
            class AggregateRoot:
                pass


            class Entity:
                pass


            class Order(AggregateRoot):
                def __init__(self, order_id: str) -> None:
                    self.order_id = order_id


            class OrderLine(Entity):
                def __init__(self, sku: str) -> None:
                    self.sku = sku
        """,
        "shop/sales/integration_events.py": """\
            from dataclasses import dataclass
            from typing import Optional
            from uuid import UUID

            from shop.sales.domain.order import Order, OrderLine
            from shop.sales.domain.published import OrderRef
            from shop.shared_kernel.integration import IntegrationEvent
            from shop.sales.contracts import CustomerSnapshot


            @dataclass(frozen=True, kw_only=True)
            class OrderShipped(IntegrationEvent):
                order: Optional[Order]  # DDD205
                lines: tuple[OrderLine, ...]  # DDD205
                customer: CustomerSnapshot
                unknown: SomethingElse
                replaces: OrderRef | None = None
        """,
        "shop/sales/domain/published.py": """\
            from shop.shared_kernel.integration import IntegrationEvent


            class OrderRef(IntegrationEvent):
                pass
        """,
    })
    name = "shop/sales/integration_events.py"
    found = set(findings((tmp_path / name).read_text(), name, root=tmp_path))
    assert found == marked(tmp_path, name)


def test_ddd205_messages_say_what_leaks(tmp_path):
    write(tmp_path, {
        "shop/shared_kernel/integration.py": ENVELOPE,
        "shop/sales/domain/order.py": """\
            class AggregateRoot:
                pass


            class Order(AggregateRoot):
                pass
        """,
        "shop/sales/integration_events.py": """\
            from dataclasses import dataclass

            from shop.sales.domain.order import Order
            from shop.sales.domain.value_objects import Money
            from shop.shared_kernel.integration import IntegrationEvent


            @dataclass(frozen=True, kw_only=True)
            class OrderShipped(IntegrationEvent):
                order: Order
                total: Money
        """,
    })
    from flake8_ddd_events.lint.pipeline import check_source
    from flake8_ddd_events.model.project_model import ProjectModel

    name = tmp_path / "shop/sales/integration_events.py"
    settings = Settings.from_values({"ddd-source-roots": [str(tmp_path)]})
    messages = [r.message for r in check_source(name.read_text(), str(name), settings, {"DDD205"},
                                                ProjectModel(settings))]
    assert messages == [
        "DDD205 integration event 'OrderShipped' field 'order' holds aggregate root 'Order'; "
        "publish its id and the values consumers need as basic types, not the domain object",
        "DDD205 integration event 'OrderShipped' field 'total' uses 'Money' from the domain "
        "layer (shop.sales.domain.value_objects); publish ids and basic types so consumers do "
        "not couple to the domain model",
    ]


# -- options -------------------------------------------------------------------------------
CUSTOM = """\
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


@dataclass(frozen=True, kw_only=True)
class ShipmentDelivered:{marker}
    event_id: UUID
    occurred_on: datetime
    trace_id: UUID
    parent_message_id: UUID
    contract_revision: int
    shipment_id: UUID
"""


def test_custom_metadata_field_names(tmp_path):
    write(tmp_path, {"shop/shipping/integration_events.py": CUSTOM.format(marker="")})
    name = "shop/shipping/integration_events.py"
    custom = {"ddd-correlation-fields": "trace_id", "ddd-causation-fields": "parent_message_id",
              "ddd-version-fields": "contract_revision"}
    assert check(tmp_path, name, **custom) == set()
    write(tmp_path, {name: CUSTOM.format(marker="  # DDD201, DDD202, DDD203")})
    assert check(tmp_path, name) == marked(tmp_path, name)


def test_custom_correlation_name_in_messages_and_ddd204(tmp_path):
    from flake8_ddd_events.lint.pipeline import check_source
    from flake8_ddd_events.model.project_model import ProjectModel

    source = CUSTOM.format(marker="").replace("    trace_id: UUID\n", "    trace_id: UUID = None\n")
    path = tmp_path / "shop/shipping/integration_events.py"
    write(tmp_path, {"shop/shipping/integration_events.py": source})
    settings = Settings.from_values({"ddd-source-roots": [str(tmp_path)],
                                     "ddd-correlation-fields": ["trace_id"],
                                     "ddd-causation-fields": ["cause_id"],
                                     "ddd-version-fields": ["contract_revision"]})
    reports = list(check_source(source, str(path), settings, INTEGRATION, ProjectModel(settings)))
    assert [(r.line, r.code) for r in reports] == [(7, "DDD202"), (10, "DDD204")]
    assert "add 'cause_id: UUID'" in reports[0].message
    assert reports[1].message.startswith("DDD204 'trace_id' of integration event "
                                         "'ShipmentDelivered' has a default")


def wide_event(payload: int, extra: str = "") -> str:
    fields = "".join(f"    field_{n}: str\n" for n in range(payload))
    return ENVELOPE + f"""

@dataclass(frozen=True, kw_only=True)
class OrderExported(IntegrationEvent):
{extra}{fields}"""


@pytest.mark.parametrize("limit, payload, reported", [
    (12, 12, False), (12, 13, True), (3, 3, False), (3, 4, True), (1, 2, True)])
def test_max_integration_fields(limit, payload, reported, tmp_path):
    source = wide_event(payload)
    write(tmp_path, {"shop/export/integration_events.py": source})
    found = check(tmp_path, "shop/export/integration_events.py", codes={"DDD206"},
                  **{"ddd-max-integration-fields": limit})
    line = source.splitlines().index("class OrderExported(IntegrationEvent):") + 1
    assert found == ({(line, "DDD206")} if reported else set())


def test_metadata_and_context_name_fields_are_not_payload(tmp_path):
    extra = ("    source: str = 'sales'\n    bounded_context: str = 'sales'\n"
             "    SCHEMA: ClassVar[str] = 'x'\n    timestamp: datetime\n")
    source = "from typing import ClassVar\n" + wide_event(3, extra)
    write(tmp_path, {"shop/export/integration_events.py": source})
    found = check(tmp_path, "shop/export/integration_events.py", codes={"DDD206"},
                  **{"ddd-max-integration-fields": 3})
    assert found == set()
    # ... but a business datetime such as shipped_at is payload.
    source = source.replace("    timestamp: datetime\n", "    shipped_at: datetime\n")
    write(tmp_path, {"shop/export/integration_events.py": source})
    found = check(tmp_path, "shop/export/integration_events.py", codes={"DDD206"},
                  **{"ddd-max-integration-fields": 3})
    assert {code for _, code in found} == {"DDD206"}


def test_ddd206_counts_the_payload_of_the_whole_chain(tmp_path):
    source = ENVELOPE + """

@dataclass(frozen=True, kw_only=True)
class OrderEvent(IntegrationEvent):
    order_id: UUID
    customer_id: UUID


@dataclass(frozen=True, kw_only=True)
class OrderPaid(OrderEvent):
    amount: str
"""
    write(tmp_path, {"shop/sales/integration_events.py": source})
    found = check(tmp_path, "shop/sales/integration_events.py", codes={"DDD206"},
                  **{"ddd-max-integration-fields": 2})
    line = source.splitlines().index("class OrderPaid(OrderEvent):") + 1
    assert found == {(line, "DDD206")}


def test_ddd203_accepts_a_class_constant_and_names_a_sequence_number(tmp_path):
    from flake8_ddd_events.lint.pipeline import check_source
    from flake8_ddd_events.model.project_model import ProjectModel

    source = ENVELOPE.replace("    schema_version: int = 1\n", "") + """

@dataclass(frozen=True, kw_only=True)
class OrderPaid(IntegrationEvent):
    originator_version: int
    order_id: UUID


@dataclass(frozen=True, kw_only=True)
class OrderRefunded(IntegrationEvent):
    order_id: UUID


class OrderClosed(IntegrationEvent):
    version = 3
"""
    path = tmp_path / "shop/sales/integration_events.py"
    write(tmp_path, {"shop/sales/integration_events.py": source})
    settings = Settings.from_values({"ddd-source-roots": [str(tmp_path)]})
    reports = list(check_source(source, str(path), settings, {"DDD203"}, ProjectModel(settings)))
    assert [r.message for r in reports] == [
        "DDD203 integration event 'OrderPaid' carries no schema version ('originator_version' "
        "numbers the aggregate's changes, not the contract's shape); consumers that upgrade on "
        "their own schedule cannot tell which shape they received — add 'event_version: int'",
        "DDD203 integration event 'OrderRefunded' carries no schema version; consumers that "
        "upgrade on their own schedule cannot tell which shape they received — add "
        "'event_version: int'",
    ]


# -- recognition ---------------------------------------------------------------------------
def test_nearest_module_name_decides_the_kind(tmp_path):
    """``contracts/events.py`` holds domain events; ``events/contracts.py`` integration events."""
    event = """\
        from dataclasses import dataclass
        from datetime import datetime
        from uuid import UUID


        @dataclass(frozen=True, kw_only=True)
        class OrderPlaced:{marker}
            event_id: UUID
            occurred_on: datetime
            order_id: UUID
    """
    write(tmp_path, {"shop/sales/contracts/events.py": event.format(marker=""),
                     "shop/sales/events/contracts.py":
                         event.format(marker="  # DDD201, DDD202, DDD203")})
    assert check(tmp_path, "shop/sales/contracts/events.py") == set()
    name = "shop/sales/events/contracts.py"
    assert check(tmp_path, name) == marked(tmp_path, name)


def test_a_correlation_field_makes_only_data_shaped_classes_integration_events(tmp_path):
    write(tmp_path, {"shop/sales/application/tracing.py": """\
        from dataclasses import dataclass
        from uuid import UUID


        class RequestContext:
            correlation_id: UUID

            def child(self) -> "RequestContext":
                return RequestContext()


        @dataclass(frozen=True, kw_only=True)
        class PaymentCaptured:  # DDD105, DDD106, DDD202, DDD203
            correlation_id: UUID
            payment_id: UUID
    """})
    name = "shop/sales/application/tracing.py"
    assert check(tmp_path, name) == marked(tmp_path, name)


PROTEAN_PUBLISHED = """\
from protean import Domain
from protean.fields import Float, Identifier

sales = Domain(name="Sales")


@sales.event(part_of="Order", published={published})
class OrderConfirmed:
    order_id: Identifier(required=True)
    total = Float(required=True)
"""


@pytest.mark.parametrize("table", ["true", "false"])
def test_a_protean_published_event_is_an_integration_event_whose_metadata_protean_supplies(
        tmp_path, table):
    """Protean's message metadata carries the correlation and causation ids and the version
    (``known_bases``): DDD201-DDD203 stay silent; with the table off the chain is unknown."""
    from flake8_ddd_events.analysis.recognition import Kind, recognise
    from flake8_ddd_events.contracts.project import source_events

    settings = Settings.from_values({"ddd-known-bases": table,
                                     "ddd-source-roots": [str(tmp_path)]})
    source = PROTEAN_PUBLISHED.format(published="True")
    found = source_events(source, "shop/sales/events.py", settings)
    view = found.views["shop.sales.events.OrderConfirmed"]
    assert recognise(view, settings).kind is Kind.INTEGRATION_EVENT
    assert findings(source, "shop/sales/events.py", settings, codes=INTEGRATION,
                    root=tmp_path) == []
    unpublished = PROTEAN_PUBLISHED.format(published="False")
    assert source_events(unpublished, "shop/sales/events.py", settings).views == {}


def test_a_published_event_still_reports_what_protean_does_not_supply(tmp_path):
    settings = Settings.from_values({"ddd-source-roots": [str(tmp_path)],
                                     "ddd-max-integration-fields": "1"})
    source = PROTEAN_PUBLISHED.format(published="True").replace(
        "class OrderConfirmed:", "class OrderConfirmed:  # DDD206")
    found = findings(source, "shop/sales/events.py", settings, codes=INTEGRATION, root=tmp_path)
    assert set(found) == expected_markers(source)
