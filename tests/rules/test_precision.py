"""Precision on real code: each kind of wrong finding met on the development corpus
(``benchmarks/real_world.py``, ``docs/real-world.md``), reduced to a project of our own.

Every test writes a small project and compares what the checker reports in one module
with the ``# DDDxxx`` markers written in it: a module without markers must be silent.
Where a kind of class must stay silent, the test also shows the rule still reporting the
real event next to it, so that silence does not come from a rule that stopped working.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from flake8_ddd_events.lint.pipeline import check_source
from flake8_ddd_events.model.project_model import ProjectModel
from flake8_ddd_events.plugin import all_codes
from flake8_ddd_events.config.settings import Settings

from ..conftest import expected_markers

ENVELOPE = """\
from dataclasses import dataclass, field
from datetime import datetime, timezone
from uuid import UUID, uuid4


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    event_id: UUID = field(default_factory=uuid4)
    occurred_on: datetime = field(default_factory=lambda: datetime.now(timezone.utc))


@dataclass(frozen=True, kw_only=True)
class IntegrationEvent(DomainEvent):
    correlation_id: UUID
    causation_id: UUID
    event_version: int = 1
"""


def project(root: Path, files: dict[str, str]) -> None:
    for name, source in {"shop/__init__.py": "", "shop/kernel.py": ENVELOPE, **files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))


def reported(root: Path, name: str, **options) -> set[tuple[int, str]]:
    settings = Settings.from_values(options)
    path = root / name
    reports = check_source(path.read_text(), str(path), settings, set(all_codes()),
                           ProjectModel(settings))
    return {(r.line, r.code) for r in reports}


def marked(root: Path, name: str) -> set[tuple[int, str]]:
    return expected_markers((root / name).read_text())


@pytest.fixture(autouse=True)
def in_project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # default source roots are found from the run's folder


def assert_as_marked(root: Path, *names: str, **options) -> None:
    for name in names:
        assert reported(root, name, **options) == marked(root, name), name


# -- commands, queries, responses, payloads are not events ---------------------------------


def test_commands_with_a_correlation_id_are_not_integration_events(tmp_path):
    project(tmp_path, {
        "shop/orders/commands.py": """\
            import uuid
            from dataclasses import dataclass, field


            @dataclass(kw_only=True)
            class Command:
                correlation_id: uuid.UUID = field(default_factory=uuid.uuid4)


            @dataclass(kw_only=True)
            class CreateOrderCommand(Command):
                customer_id: uuid.UUID
        """,
        "shop/orders/application/commands/approve.py": """\
            from dataclasses import dataclass
            from uuid import UUID

            from shop.messaging import Message


            @dataclass
            class ApproveOrder(Message):
                order_id: UUID
                correlation_id: UUID
        """,
        "shop/messaging.py": "class Message:\n    pass\n",
        "shop/orders/integration_events.py": """\
            from dataclasses import dataclass
            from uuid import UUID


            @dataclass
            class OrderApproved:  # DDD101, DDD105, DDD106, DDD201, DDD202, DDD203
                order_id: UUID
        """,
    })
    assert_as_marked(tmp_path, "shop/orders/commands.py", "shop/orders/application/commands/approve.py",
                     "shop/orders/integration_events.py")


def test_responses_results_and_errors_with_a_correlation_id_are_not_events(tmp_path):
    project(tmp_path, {
        "shop/api/errors.py": """\
            from uuid import UUID

            from pydantic import BaseModel


            class ErrorResponse(BaseModel):
                detail: str
                correlation_id: UUID


            class ValidationError(BaseModel):
                field: str
                correlation_id: UUID
        """,
        "shop/orders/events.py": """\
            from dataclasses import dataclass
            from uuid import UUID


            @dataclass(frozen=True)
            class PlacementResult:
                order_id: UUID
                accepted: bool


            @dataclass(frozen=True)
            class OrderPlaced:  # DDD105, DDD106
                order_id: UUID
        """,
    })
    assert_as_marked(tmp_path, "shop/api/errors.py", "shop/orders/events.py")


def test_a_base_shared_by_events_and_commands_is_not_reported_by_the_field_rules(tmp_path):
    project(tmp_path, {
        "shop/contracts.py": """\
            from dataclasses import dataclass
            from uuid import UUID


            @dataclass(frozen=True, kw_only=True)
            class IntegrationMessage:
                message_id: UUID


            @dataclass(frozen=True, kw_only=True)
            class IntegrationEvent(IntegrationMessage):
                pass


            @dataclass(frozen=True, kw_only=True)
            class IntegrationCommand(IntegrationMessage):
                pass


            @dataclass(frozen=True, kw_only=True)
            class ShipOrder(IntegrationCommand):
                order_id: UUID


            @dataclass(frozen=True, kw_only=True)
            class OrderShipped(IntegrationEvent):  # DDD105, DDD201, DDD202, DDD203
                order_id: UUID
        """,
    })
    assert_as_marked(tmp_path, "shop/contracts.py")


def test_payloads_and_value_objects_in_event_modules_are_not_events(tmp_path):
    project(tmp_path, {
        "shop/orders/events.py": """\
            from dataclasses import dataclass
            from decimal import Decimal
            from uuid import UUID

            from shop.kernel import DomainEvent


            @dataclass(frozen=True)
            class CustomerPayload:
                name: str


            @dataclass(frozen=True)
            class OrderLineItemData:
                sku: str
                quantity: int


            @dataclass(frozen=True)
            class Money:
                amount: Decimal
                currency: str


            @dataclass(frozen=True)
            class OrderPlaced(DomainEvent):
                order_id: UUID
                customer: CustomerPayload
                line_items: tuple[OrderLineItemData, ...]
                total: Money


            @dataclass
            class OrderCancelled(DomainEvent):  # DDD101
                order_id: UUID
        """,
    })
    assert_as_marked(tmp_path, "shop/orders/events.py")


def test_classes_under_a_dto_base_are_not_events_even_when_the_dto_is_an_event(tmp_path):
    project(tmp_path, {
        "shop/messages/events.py": """\
            from dataclasses import dataclass
            from uuid import UUID


            class Event:
                pass


            class DTO(Event):
                pass


            @dataclass(frozen=True)
            class JobSelectable(DTO):
                job_id: UUID


            @dataclass(frozen=True)
            class JobFailed(Event):  # DDD105, DDD106
                job_id: UUID
        """,
    })
    assert_as_marked(tmp_path, "shop/messages/events.py")


def test_handlers_in_an_events_package_are_not_events(tmp_path):
    project(tmp_path, {
        "shop/application/__init__.py": "",
        "shop/application/events/__init__.py": "",
        "shop/application/events/base.py": """\
            from abc import ABC
            from typing import Generic, TypeVar

            E = TypeVar("E")


            class BaseEventHandler(ABC, Generic[E]):
                pass
        """,
        "shop/application/events/notify.py": """\
            from dataclasses import dataclass

            from shop.application.events.base import BaseEventHandler
            from shop.orders.events import OrderPaid


            @dataclass(frozen=True)
            class SendReceiptEventHandler(BaseEventHandler[OrderPaid]):
                mailer: object

                async def handle(self, event: OrderPaid) -> None:
                    await self.mailer.send(event)
        """,
        "shop/orders/events.py": """\
            from dataclasses import dataclass
            from uuid import UUID

            from shop.kernel import DomainEvent


            @dataclass(frozen=True)
            class OrderPaid(DomainEvent):
                order_id: UUID
        """,
    })
    assert_as_marked(tmp_path, "shop/application/events/notify.py", "shop/orders/events.py")


def test_an_outbox_record_with_a_correlation_id_is_not_an_event(tmp_path):
    project(tmp_path, {
        "shop/outbox.py": """\
            import datetime
            import uuid
            from dataclasses import dataclass


            @dataclass
            class PublishedMessage:
                message_id: uuid.UUID
                correlation_id: uuid.UUID
                created_at: datetime.datetime
                is_dispatched: bool = False


            @dataclass
            class PaymentCaptured:  # DDD101, DDD202, DDD203
                message_id: uuid.UUID
                correlation_id: uuid.UUID
                created_at: datetime.datetime
        """,
    })
    assert_as_marked(tmp_path, "shop/outbox.py")


# -- test code is not checked ---------------------------------------------------------------


TEST_LIKE = {
    "shop/sales/domain/events.py": """\
        from dataclasses import dataclass

        from shop.sales.infrastructure.bus import Bus  # DDD501


        @dataclass
        class OrderPlaced:  # DDD101, DDD105, DDD106
            order_id: str


        def stamp(log, datetime):
            log.write(starts_at=datetime.datetime.utcnow())
    """,
    "shop/sales/infrastructure/__init__.py": "",
    "shop/sales/infrastructure/bus.py": "class Bus:\n    pass\n",
}


@pytest.mark.parametrize("folder", ["tests/sales", "test", "shop/old_tests_v1", "shop/integration_tests",
                                    "shop/sales/domain/tests"])
def test_events_fakes_and_domain_tests_under_test_folders_are_not_checked(tmp_path, folder):
    project(tmp_path, TEST_LIKE)
    source = (tmp_path / "shop/sales/domain/events.py").read_text()
    fake = tmp_path / folder / "test_fakes.py"
    fake.parent.mkdir(parents=True, exist_ok=True)
    fake.write_text(source)
    assert reported(tmp_path, str(fake.relative_to(tmp_path))) == set()
    # the same source outside the tests is reported as marked
    assert_as_marked(tmp_path, "shop/sales/domain/events.py")


@pytest.mark.parametrize("name", ["test_orders.py", "orders_test.py", "conftest.py"])
def test_test_files_are_not_checked_wherever_they_are(tmp_path, name):
    project(tmp_path, {
        f"shop/sales/domain/{name}": """\
            from datetime import datetime

            from shop.sales.infrastructure.repositories import OrderRepository


            def fixture(uow, order_repo, invoice_repo, make_event):
                with uow.transaction():
                    order_repo.save(1)
                    invoice_repo.save(2)
                make_event(occurred_on=datetime.utcnow())
        """,
    })
    assert reported(tmp_path, f"shop/sales/domain/{name}") == set()
    # the option set empty checks tests too
    assert {code for _, code in reported(tmp_path, f"shop/sales/domain/{name}",
                                         **{"ddd-test-modules": ""})} == {"DDD107", "DDD407", "DDD501"}


def test_test_ness_is_read_under_the_source_root_not_above_it(tmp_path):
    root = tmp_path / "test_project0"  # pytest's own tmp_path folders look like this
    root.mkdir()
    project(root, {"shop/orders/events.py": "from dataclasses import dataclass\n\n\n"
                                            "@dataclass\nclass OrderPlaced:  # DDD101, DDD105, DDD106\n"
                                            "    order_id: str\n"})
    settings = Settings.from_values({"ddd-source-roots": [str(root)]})
    path = root / "shop/orders/events.py"
    found = {(r.line, r.code) for r in check_source(path.read_text(), str(path), settings,
                                                    set(all_codes()), ProjectModel(settings))}
    assert found == expected_markers(path.read_text())


# -- metadata recognised by shape -----------------------------------------------------------


def test_ids_under_other_names_are_recognised_by_shape(tmp_path):
    project(tmp_path, {
        "shop/orders/events.py": """\
            from dataclasses import dataclass, field
            from datetime import datetime
            from uuid import UUID, uuid4

            from shop.ids import new_id


            @dataclass(frozen=True, kw_only=True)
            class Event:
                event_uuid: UUID = field(default_factory=uuid4)
                occurred_on: datetime


            @dataclass(frozen=True, kw_only=True)
            class TrackedEvent:
                ref: str = field(default_factory=lambda: str(uuid4()))
                occurred_on: datetime


            @dataclass(frozen=True, kw_only=True)
            class KeyedEvent:
                key: str = field(default_factory=new_id)
                occurred_on: datetime


            @dataclass(frozen=True)
            class OrderPlaced(Event):
                order_id: UUID


            @dataclass(frozen=True)
            class OrderPaid(TrackedEvent):
                order_id: UUID


            @dataclass(frozen=True)
            class OrderShipped(KeyedEvent):
                order_id: UUID


        """,
        "shop/ids.py": "import uuid\n\n\ndef new_id() -> str:\n    return uuid.uuid4().hex\n",
    })
    assert reported(tmp_path, "shop/orders/events.py") == set()
    # without the factory the same field is no id
    source = (tmp_path / "shop/orders/events.py").read_text().replace(
        "ref: str = field(default_factory=lambda: str(uuid4()))", "ref: str = ''")
    (tmp_path / "shop/orders/events.py").write_text(source)
    line = source.splitlines().index("class OrderPaid(TrackedEvent):") + 1
    assert (line, "DDD106") in reported(tmp_path, "shop/orders/events.py")


def test_an_id_behind_a_property_counts(tmp_path):
    project(tmp_path, {
        "shop/orders/events.py": """\
            from datetime import datetime
            from uuid import UUID, uuid4


            class DomainEvent:
                def __init__(self, occurred_on: datetime) -> None:
                    self._id = uuid4()
                    self.occurred_on = occurred_on

                @property
                def id(self) -> UUID:
                    return self._id


            class OrderPlaced(DomainEvent):  # DDD101
                def __init__(self, order_id: str, occurred_on: datetime) -> None:
                    super().__init__(occurred_on)
                    self.order_id = order_id


        """,
        "shop/billing/events.py": """\
            from datetime import datetime


            class DomainEvent:
                def __init__(self, occurred_on: datetime) -> None:
                    self.occurred_on = occurred_on


            class InvoiceSent(DomainEvent):  # DDD101, DDD106
                def __init__(self, invoice_id: str, occurred_on: datetime) -> None:
                    super().__init__(occurred_on)
                    self.invoice_id = invoice_id
        """,
    })
    assert_as_marked(tmp_path, "shop/orders/events.py", "shop/billing/events.py")


def test_timestamps_under_other_names_are_recognised_by_shape(tmp_path):
    project(tmp_path, {
        "shop/orders/events.py": """\
            import time
            from dataclasses import dataclass, field
            from datetime import datetime, timezone
            from uuid import UUID

            from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

            from shop.clock import utc_now


            @dataclass(frozen=True, kw_only=True)
            class Misspelled:
                id: UUID
                ocurred: datetime = field(default_factory=utc_now)


            class Stamped(BaseModel):
                model_config = ConfigDict(frozen=True)
                id: UUID
                event_timestamp: AwareDatetime


            @dataclass(frozen=True, kw_only=True)
            class Epoch:
                id: UUID
                at: float = field(default_factory=time.time)


            @dataclass(frozen=True)
            class OrderPlaced(Misspelled):
                order_id: UUID


            class OrderPaid(Stamped):
                order_id: UUID


            @dataclass(frozen=True)
            class OrderShipped(Epoch):
                order_id: UUID


            @dataclass(frozen=True)
            class OrderLost:  # DDD105
                id: UUID
                lost: bool
        """,
        "shop/clock.py": "from datetime import datetime, timezone\n\n\ndef utc_now():\n"
                         "    return datetime.now(timezone.utc)\n",
    })
    assert_as_marked(tmp_path, "shop/orders/events.py")


def suggested(root: Path, name: str) -> dict[str, str]:
    """DDD105's and DDD106's message in a module, by code."""
    settings = Settings.from_values({"ddd-source-roots": [str(root)]})
    path = root / name
    reports = check_source(path.read_text(), str(path), settings, {"DDD105", "DDD106"},
                           ProjectModel(settings))
    return {r.code: r.message for r in reports}


SALES_EVENTS = """\
    from dataclasses import dataclass
    from datetime import datetime
    from uuid import UUID


    @dataclass(frozen=True)
    class OrderPaid:
        message_id: UUID
        occurred_at: datetime


    @dataclass(frozen=True)
    class OrderShipped:
        message_id: UUID
        occurred_at: datetime
"""


def test_timestamp_and_id_suggestions_use_the_names_the_other_events_use(tmp_path):
    project(tmp_path, {
        "shop/sales/events.py": SALES_EVENTS,
        "shop/sales/domain_events.py": """\
            from dataclasses import dataclass
            from datetime import datetime
            from uuid import UUID

            from shop.sales.events import OrderPaid


            @dataclass(frozen=True)
            class OrderRefunded:
                event_id: UUID
                occurred_at: datetime


            @dataclass(frozen=True)
            class OrderLost:
                order_id: UUID
        """,
        "shop/billing/events.py": """\
            from dataclasses import dataclass
            from uuid import UUID


            @dataclass(frozen=True)
            class InvoiceLost:
                invoice_id: UUID
        """,
    })
    # in the module and the module it imports: occurred_at three times, message_id twice
    found = suggested(tmp_path, "shop/sales/domain_events.py")
    assert "add 'occurred_at: datetime' (timezone-aware)" in found["DDD105"]
    assert "add 'message_id: UUID'" in found["DDD106"]
    # a module that neither holds nor imports another event: the defaults
    found = suggested(tmp_path, "shop/billing/events.py")
    assert "add 'occurred_on: datetime' (timezone-aware)" in found["DDD105"]
    assert "add 'event_id: UUID'" in found["DDD106"]


def test_schema_versions_outside_fields_are_recognised(tmp_path):
    project(tmp_path, {
        "shop/schema/__init__.py": "",
        "shop/schema/v1/__init__.py": "",
        "shop/schema/v1/events.py": """\
            from dataclasses import dataclass
            from uuid import UUID

            from shop.kernel import IntegrationEvent


            @dataclass(frozen=True, kw_only=True)
            class OrderShipped(IntegrationEvent):
                order_id: UUID
        """,
        "shop/contracts.py": """\
            from dataclasses import dataclass
            from typing import ClassVar
            from uuid import UUID

            from shop.kernel import IntegrationEvent


            @dataclass(frozen=True, kw_only=True)
            class OrderShipped(IntegrationEvent):
                class_version = 2
                order_id: UUID


            @dataclass(frozen=True, kw_only=True)
            class OrderPaid(IntegrationEvent):
                version: ClassVar[int] = 3
                order_id: UUID


            @dataclass(frozen=True, kw_only=True)
            class OrderPlacedV2(IntegrationEvent):
                order_id: UUID


            @dataclass(frozen=True, kw_only=True)
            class OrderLost(IntegrationEvent):  # DDD203
                order_id: UUID
        """,
    })
    (tmp_path / "shop/kernel.py").write_text(ENVELOPE.replace("    event_version: int = 1\n", ""))
    assert reported(tmp_path, "shop/schema/v1/events.py") == set()
    assert_as_marked(tmp_path, "shop/contracts.py")


# -- DDD107 only where the spec puts it -----------------------------------------------------


def test_naive_datetimes_outside_events_are_reported_only_for_timestamps_and_events(tmp_path):
    project(tmp_path, {
        "shop/orders/events.py": """\
            from dataclasses import dataclass
            from datetime import datetime
            from uuid import UUID

            from shop.kernel import DomainEvent


            @dataclass(frozen=True, kw_only=True)
            class OrderShipped(DomainEvent):
                order_id: UUID
                shipped: datetime
        """,
        "shop/orders/service.py": """\
            from datetime import datetime

            from shop.orders.events import OrderShipped


            def ship(inbox, log, order_id):
                inbox.add(Entry(processed_at=datetime.now(), created_at=datetime.now()))
                log.write(occurred_on=datetime.now())  # DDD107
                return OrderShipped(order_id=order_id,
                                    shipped=datetime.utcnow())  # DDD107
        """,
    })
    assert_as_marked(tmp_path, "shop/orders/service.py")


# -- monorepos: each package under its own project file -------------------------------------


def test_a_monorepos_packages_resolve_without_configuration(tmp_path):
    project(tmp_path, {
        "platform/foundation/setup.py": "from setuptools import setup\nsetup()\n",
        "platform/foundation/foundation/__init__.py": "",
        "platform/foundation/foundation/events.py": """\
            from dataclasses import dataclass, field
            from uuid import UUID, uuid4


            @dataclass(frozen=True, kw_only=True)
            class DomainEvent:
                event_id: UUID = field(default_factory=uuid4)
        """,
        "services/orders/pyproject.toml": "[project]\nname = 'orders'\n",
        "services/orders/src/orders/__init__.py": "",
        "services/orders/src/orders/events.py": """\
            from dataclasses import dataclass

            from foundation.events import DomainEvent


            @dataclass(frozen=True)
            class OrderPlaced(DomainEvent):  # DDD105
                order_id: str
        """,
    })
    assert_as_marked(tmp_path, "services/orders/src/orders/events.py")


# -- bases: markers, categories, and past facts that others extend --------------------------


def test_marker_and_metadata_only_bases_are_not_reported_as_events(tmp_path):
    project(tmp_path, {
        "shop/cqrs/events.py": """\
            import datetime
            import uuid

            import pydantic


            class Event(pydantic.BaseModel):
                ...


            class DomainEvent(Event):
                \"\"\"The base class for domain events.\"\"\"


            class NotificationEvent(Event):  # DDD101
                event_id: uuid.UUID = pydantic.Field(default_factory=uuid.uuid4)
                event_timestamp: datetime.datetime = pydantic.Field(
                    default_factory=lambda: datetime.datetime.now(datetime.timezone.utc))


            class IndicatorsUpdated(NotificationEvent):  # DDD101
                payload: dict  # DDD104
        """,
    })
    assert_as_marked(tmp_path, "shop/cqrs/events.py")


def test_a_past_fact_that_another_event_extends_is_still_checked(tmp_path):
    project(tmp_path, {
        "shop/billing/events.py": """\
            from datetime import datetime
            from uuid import UUID

            from pydantic import BaseModel, ConfigDict


            class Event(BaseModel):
                model_config = ConfigDict(frozen=True)
                occurred_at: datetime


            class UsageAdded(Event):  # DDD106
                subscription_id: UUID


            class UsageRemoved(UsageAdded):  # DDD106
                pass
        """,
    })
    assert_as_marked(tmp_path, "shop/billing/events.py")


# -- recall: what the corpus showed a rule should have caught -------------------------------


def test_an_abstract_base_named_like_the_event_base_is_checked_as_a_base(tmp_path):
    project(tmp_path, {
        "shop/shared/domain/DomainEvent.py": """\
            from abc import ABC, abstractmethod
            from datetime import datetime


            class DomainEvent(ABC):  # DDD101
                def __init__(self, aggregate_id: str) -> None:
                    self.aggregate_id = aggregate_id
                    self.created_at = datetime.now()  # DDD107

                @abstractmethod
                def to_primitives(self) -> dict:
                    raise NotImplementedError
        """,
        "shop/sync.py": """\
            class Event:
                def __init__(self) -> None:
                    self._flag = False

                def set(self) -> None:
                    self._flag = True
        """,
    })
    assert_as_marked(tmp_path, "shop/shared/domain/DomainEvent.py", "shop/sync.py")


def test_a_field_typed_with_the_aggregate_base_itself_holds_an_aggregate(tmp_path):
    project(tmp_path, {
        "shop/shared/domain/AggregateRoot.py": """\
            class AggregateRoot:
                def __init__(self) -> None:
                    self._events = []
        """,
        "shop/users/domain/events.py": """\
            from dataclasses import dataclass

            from shop.kernel import DomainEvent
            from shop.shared.domain.AggregateRoot import AggregateRoot


            @dataclass(frozen=True)
            class UserCreated(DomainEvent):
                entity: AggregateRoot  # DDD103
        """,
    })
    assert_as_marked(tmp_path, "shop/users/domain/events.py")


def test_a_projects_own_base_version_of_a_configured_base_counts(tmp_path):
    project(tmp_path, {
        "shop/application/handlers.py": """\
            from abc import ABC
            from typing import Generic, TypeVar

            from shop.orders.events import OrderPaid

            E = TypeVar("E")


            class BaseEventHandler(ABC, Generic[E]):
                pass


            class SendReceipt(BaseEventHandler[OrderPaid]):
                def handle(self, event: OrderPaid) -> None:  # DDD404
                    print(event)
        """,
        "shop/orders/events.py": """\
            from dataclasses import dataclass
            from uuid import UUID

            from shop.kernel import DomainEvent


            @dataclass
            class AbstractIntegrationEvent:  # DDD101
                correlation_id: UUID


            @dataclass(frozen=True)
            class OrderPaid(DomainEvent):
                order_id: UUID
        """,
    })
    assert_as_marked(tmp_path, "shop/application/handlers.py", "shop/orders/events.py")


def test_a_plain_event_holding_an_aggregate_through_init_is_reported(tmp_path):
    project(tmp_path, {
        "shop/shared/domain/AggregateRoot.py": "class AggregateRoot:\n    pass\n",
        "shop/users/domain/events.py": """\
            from shop.kernel import DomainEvent
            from shop.shared.domain.AggregateRoot import AggregateRoot


            class UserCreatedDomainEvent(DomainEvent):  # DDD101
                def __init__(self, aggregate_id: str, entity: AggregateRoot) -> None:
                    self.aggregate_id = aggregate_id
                    self.entity = entity  # DDD103
        """,
    })
    assert_as_marked(tmp_path, "shop/users/domain/events.py")


# -- issue 25: the last wrong kinds ----------------------------------------------------------

def _imports(source: str) -> bool:
    """Whether Python accepts the module: run here, in the test only (the plugin never
    runs the code it checks), to show that the rule agrees with Python."""
    try:
        exec(compile(textwrap.dedent(source), "<events>", "exec"), {"__name__": __name__})
    except TypeError:
        return False
    return True


def test_a_redeclared_field_keeps_a_plain_default_its_base_gave_it(tmp_path):
    kept = """\
        from dataclasses import dataclass, field
        from datetime import datetime, timezone
        from uuid import UUID, uuid4


        @dataclass(frozen=True)
        class ShipmentEvent:
            event_id: UUID = field(default_factory=uuid4)
            occurred_on: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
            kind: str = "shipment"
            revision: int = field(default=1)


        @dataclass(frozen=True)
        class ShipmentDispatched(ShipmentEvent):
            carrier: str = "post"
            kind: str
            revision: int
    """
    lost = """\
        from dataclasses import dataclass, field
        from datetime import datetime, timezone
        from uuid import UUID, uuid4


        @dataclass(frozen=True)
        class ShipmentEvent:
            event_id: UUID = field(default_factory=uuid4)
            occurred_on: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
            kind: str = "shipment"
            tags: tuple[str, ...] = field(default_factory=tuple)


        @dataclass(frozen=True)
        class ShipmentTagged(ShipmentEvent):
            note: str = ""
            tags: tuple[str, ...]  # DDD109
    """
    assert _imports(kept) and not _imports(lost)  # what Python says; the rule must agree
    project(tmp_path, {"shop/shipping/kept/events.py": kept, "shop/shipping/lost/events.py": lost})
    assert_as_marked(tmp_path, "shop/shipping/kept/events.py", "shop/shipping/lost/events.py")


def test_an_aggregate_given_to_another_is_held_only_where_it_is_stored(tmp_path):
    project(tmp_path, {
        "shop/shared/domain.py": "class AggregateRoot:\n    pass\n",
        "shop/customers/domain/customer.py": """\
            from shop.shared.domain import AggregateRoot


            class Customer(AggregateRoot):
                def __init__(self, customer_id: str) -> None:
                    self.id = customer_id
        """,
        "shop/orders/domain/order.py": """\
            from shop.customers.domain.customer import Customer
            from shop.shared.domain import AggregateRoot


            class Order(AggregateRoot):
                def __init__(self, order_id: str, customer: Customer) -> None:
                    self.order_id = order_id
                    self.customer_id = customer.id


            class Invoice(AggregateRoot):
                def __init__(self, invoice_id: str, customer: Customer) -> None:
                    self.invoice_id = invoice_id
                    self.payer = customer  # DDD302
        """,
    })
    assert_as_marked(tmp_path, "shop/orders/domain/order.py")


def test_registering_a_handler_for_an_event_class_records_nothing(tmp_path):
    project(tmp_path, {
        "shop/shared/domain.py": "class AggregateRoot:\n    pass\n",
        "shop/orders/domain/events.py": """\
            from dataclasses import dataclass

            from shop.kernel import DomainEvent


            @dataclass(frozen=True)
            class OrderPlaced(DomainEvent):
                order_id: str
        """,
        "shop/orders/domain/order.py": """\
            from shop.shared.domain import AggregateRoot


            class Order(AggregateRoot):
                pass
        """,
        "shop/orders/registry.py": """\
            class HandlerRegistry:
                def register_event(self, event_type, handler) -> None:
                    print(event_type, handler)

                def record_event(self, event) -> None:
                    print(event)
        """,
        "shop/orders/wiring.py": """\
            from shop.orders.domain.events import OrderPlaced
            from shop.orders.domain.order import Order
            from shop.orders.registry import HandlerRegistry


            def notify(event: OrderPlaced) -> None:
                print(event)


            def wire(registry, order: Order, placed: OrderPlaced) -> None:
                registry.register_event(OrderPlaced, notify)
                order.record_event(placed)  # DDD303


            def audit(registry: HandlerRegistry, placed: OrderPlaced) -> None:
                registry.record_event(placed)


            class Wiring:
                def __init__(self) -> None:
                    self.handlers = HandlerRegistry()

                def wire(self, placed: OrderPlaced) -> None:
                    self.handlers.record_event(placed)
        """,
    })
    assert_as_marked(tmp_path, "shop/orders/wiring.py")


# -- the widened corpus (issue 25) ----------------------------------------------------------


def test_metadata_a_base_fills_in_init_conditionally_counts_where_it_runs(tmp_path):
    project(tmp_path, {
        "shop/orders/events.py": """\
            from abc import ABC
            from datetime import datetime, timezone
            from uuid import UUID, uuid4


            class DomainEvent(ABC):  # DDD101
                def __init__(self, aggregate_id: str, event_id=None, ocurred_on=None) -> None:
                    self.__aggregate_id = aggregate_id
                    self.__event_id = event_id if event_id else uuid4()
                    self.__ocurred_on = ocurred_on if ocurred_on else datetime.now().isoformat()  # DDD107


            class BaseEvent:
                def __init__(self, event_id=None, occurred_on=None) -> None:
                    self._event_id = event_id or str(uuid4())
                    self._occurred_on = occurred_on or datetime.now(timezone.utc)


            class Event:
                def __init__(self, event_id: UUID, ocurred_on: str) -> None:
                    self.__event_id = event_id
                    self.__ocurred_on = ocurred_on


            class OrderPlaced(DomainEvent):  # DDD101
                def __init__(self, aggregate_id: str, total: int) -> None:
                    super().__init__(aggregate_id)
                    self.total = total


            class OrderPaid(BaseEvent):  # DDD101
                def __init__(self, order_id: str) -> None:
                    BaseEvent.__init__(self)
                    self.order_id = order_id


            class OrderPacked(Event):  # DDD101
                def __init__(self, order_id: str, event_id: UUID, ocurred_on: str) -> None:
                    super(OrderPacked, self).__init__(event_id, ocurred_on)
                    self.order_id = order_id


            class OrderShipped(BaseEvent):  # DDD101, DDD105, DDD106
                def __init__(self, order_id: str) -> None:
                    self.order_id = order_id
        """,
    })
    assert_as_marked(tmp_path, "shop/orders/events.py")


def test_in_a_frameworks_own_repository_its_classes_are_the_projects(tmp_path):
    project(tmp_path, {
        "protean/__init__.py": "",
        "protean/port/broker.py": """\
            class BaseBroker:
                def __init__(self, name: str) -> None:
                    self.name = name
        """,
        "protean/adapters/broker.py": """\
            from protean.port.broker import BaseBroker


            class InlineBroker(BaseBroker):
                def publish(self, message: dict) -> None:
                    print(message)
        """,
        "protean/core/event.py": """\
            from dataclasses import dataclass
            from datetime import datetime
            from uuid import UUID


            @dataclass
            class BaseEvent:  # DDD101
                event_id: UUID
                occurred_at: datetime
        """,
        "protean/examples/events.py": """\
            from dataclasses import dataclass

            from protean.core.event import BaseEvent


            @dataclass
            class Registered(BaseEvent):  # DDD101
                user_id: str
        """,
    })
    assert_as_marked(tmp_path, "protean/adapters/broker.py", "protean/core/event.py",
                     "protean/examples/events.py")


def test_envelopes_batches_and_streams_of_events_are_not_events(tmp_path):
    project(tmp_path, {
        "shop/bus/events.py": """\
            from dataclasses import dataclass, field
            from typing import List

            from shop.kernel import DomainEvent


            class Event(DomainEvent):
                pass


            @dataclass
            class EventStream:
                version: int = 0
                events: List[Event] = field(default_factory=list)


            @dataclass
            class Message:
                aggregate_id: str
                event: Event


            class CompositeDomainEvent(DomainEvent):
                events: list[DomainEvent]


            class OrderEvents(CompositeDomainEvent):
                order_id: str


            @dataclass
            class OrderPlaced(DomainEvent):  # DDD101
                order_id: str
        """,
    })
    assert_as_marked(tmp_path, "shop/bus/events.py")


def test_snapshots_are_not_events_even_under_the_event_base(tmp_path):
    project(tmp_path, {
        "shop/orders/domain.py": """\
            from dataclasses import dataclass
            from typing import Any, Dict

            from shop.kernel import DomainEvent


            @dataclass(frozen=True)
            class Snapshot(DomainEvent):
                topic: str
                state: Dict[str, Any]


            @dataclass(frozen=True)
            class OrderSnapshot(Snapshot):
                pass


            @dataclass(frozen=True)
            class OrderPlaced(DomainEvent):
                lines: Dict[str, int]  # DDD104
        """,
    })
    assert_as_marked(tmp_path, "shop/orders/domain.py")


def test_a_plain_marker_bases_class_level_registry_is_nothing_to_freeze(tmp_path):
    project(tmp_path, {
        "shop/orders/events.py": """\
            from abc import ABC
            from dataclasses import dataclass
            from typing import Dict


            class Registry(Dict[str, type]):
                pass


            class SelfRegisteringEvent(ABC):
                registry: Registry = Registry()

                def __init_subclass__(cls) -> None:
                    cls.registry[cls.__name__] = cls


            class StatefulEvent(ABC):  # DDD101
                topic: str


            @dataclass(frozen=True)
            class OrderPlaced(SelfRegisteringEvent):  # DDD105, DDD106
                order_id: str
        """,
    })
    assert_as_marked(tmp_path, "shop/orders/events.py")


def test_handlers_of_a_synchronous_handler_contract_may_be_synchronous(tmp_path):
    project(tmp_path, {
        "shop/bus.py": """\
            import abc


            class EventHandler(metaclass=abc.ABCMeta):
                @abc.abstractmethod
                def __call__(self, event) -> None:
                    raise NotImplementedError


            class BaseEventHandler(metaclass=abc.ABCMeta):
                @abc.abstractmethod
                async def __call__(self, event) -> None:
                    raise NotImplementedError
        """,
        "shop/application/handlers.py": """\
            from shop.bus import BaseEventHandler, EventHandler


            class SendWelcomeEmail(EventHandler):
                def __call__(self, event) -> None:
                    print(event)


            class NotifyWarehouse(BaseEventHandler):
                def __call__(self, event) -> None:  # DDD404
                    print(event)
        """,
    })
    assert_as_marked(tmp_path, "shop/application/handlers.py")


def test_a_metaclass_that_remakes_events_leaves_their_frozenness_unknown(tmp_path):
    project(tmp_path, {
        "shop/domain.py": """\
            import abc
            from dataclasses import dataclass
            from datetime import datetime
            from uuid import UUID


            class MetaDomainEvent(type):
                def __new__(cls, name, bases, namespace):
                    return dataclass(frozen=True)(super().__new__(cls, name, bases, namespace))


            class DomainEvent(metaclass=MetaDomainEvent):
                event_id: UUID
                timestamp: datetime


            class OrderPlaced(DomainEvent):
                order_id: UUID


            class Event(metaclass=abc.ABCMeta):  # DDD101
                event_id: UUID
                timestamp: datetime


            class OrderPaid(Event):  # DDD101
                order_id: UUID
        """,
    })
    assert_as_marked(tmp_path, "shop/domain.py")


def test_an_event_sourced_event_is_told_apart_by_its_stream_and_position(tmp_path):
    project(tmp_path, {
        "shop/dogs/domainmodel.py": """\
            from dataclasses import dataclass
            from datetime import datetime
            from uuid import UUID


            @dataclass(frozen=True)
            class DomainEvent:
                originator_id: UUID
                originator_version: int
                timestamp: datetime


            @dataclass(frozen=True)
            class BaseEvent:
                stream_id: UUID
                timestamp: datetime


            @dataclass(frozen=True)
            class DogRegistered(DomainEvent):
                name: str


            @dataclass(frozen=True)
            class TrickAdded(BaseEvent):  # DDD106
                trick: str
        """,
    })
    assert_as_marked(tmp_path, "shop/dogs/domainmodel.py")


def test_an_event_base_guarding_setattr_by_hand_may_be_immutable(tmp_path):
    project(tmp_path, {
        "shop/messages.py": """\
            from typing import Any

            from pydantic import BaseModel


            class BaseMessageType(BaseModel):
                def __setattr__(self, name: str, value: Any) -> None:
                    if getattr(self, "_initialized", False):
                        raise AttributeError("messages are immutable")
                    super().__setattr__(name, value)
        """,
        "shop/orders/events.py": """\
            from datetime import datetime
            from uuid import UUID

            from pydantic import BaseModel

            from shop.messages import BaseMessageType


            class BaseEvent(BaseMessageType):
                event_id: UUID
                occurred_at: datetime


            class OrderPlaced(BaseEvent):
                order_id: UUID


            class Event(BaseModel):  # DDD101
                event_id: UUID
                occurred_at: datetime


            class OrderPaid(Event):  # DDD101
                order_id: UUID
        """,
    })
    assert_as_marked(tmp_path, "shop/orders/events.py")


def test_metadata_kept_in_an_envelope_counts(tmp_path):
    project(tmp_path, {
        "shop/orders/events.py": """\
            from dataclasses import dataclass, field
            from datetime import datetime, timezone
            from typing import Any
            from uuid import UUID, uuid4


            @dataclass(frozen=True)
            class Headers:
                id: UUID = field(default_factory=uuid4)
                time: datetime = field(default_factory=lambda: datetime.now(timezone.utc))


            @dataclass(frozen=True)
            class Metadata:
                headers: Headers = field(default_factory=Headers)


            @dataclass(frozen=True)
            class TraceInfo:
                kind: str = "trace"


            @dataclass(frozen=True, kw_only=True)
            class BaseEvent:
                metadata: Metadata = field(default_factory=Metadata)


            @dataclass(frozen=True, kw_only=True)
            class DomainEvent:
                _metadata: Any = None


            @dataclass(frozen=True, kw_only=True)
            class Event:
                metadata: TraceInfo = field(default_factory=TraceInfo)
                headers: str = ""


            @dataclass(frozen=True)
            class OrderPlaced(BaseEvent):
                order_id: UUID


            @dataclass(frozen=True)
            class OrderPaid(DomainEvent):
                order_id: UUID


            @dataclass(frozen=True)
            class OrderShipped(Event):  # DDD105, DDD106
                order_id: UUID
        """,
    })
    assert_as_marked(tmp_path, "shop/orders/events.py")


def test_a_private_helper_only_the_constructor_calls_builds_the_event(tmp_path):
    project(tmp_path, {
        "shop/orders/events.py": """\
            from typing import Any

            from shop.kernel import DomainEvent


            class OrderPlaced(DomainEvent):  # DDD101
                def __init__(self, order_id: str, **metadata: Any) -> None:
                    self.order_id = order_id
                    self._build_metadata(metadata)

                def _build_metadata(self, metadata: dict) -> None:
                    self._metadata = dict(metadata)

                def _touch(self) -> None:
                    self._touched = True  # DDD108

                def refresh(self) -> None:
                    self._touch()
        """,
    })
    assert_as_marked(tmp_path, "shop/orders/events.py")


def test_a_relay_that_published_the_record_before_marking_it_is_right(tmp_path):
    project(tmp_path, {
        "shop/relay.py": """\
            class Relay:
                def __init__(self, outbox, producer, emitter) -> None:
                    self.outbox = outbox
                    self.producer = producer
                    self.emitter = emitter

                async def relay_one(self, message) -> None:
                    await self._publish_message(message)
                    message.mark_published()
                    self.emitter.emit(event="outbox.published", message_id=message.message_id)

                async def relay_early(self, message) -> None:
                    message.mark_published()  # DDD406
                    await self.producer.publish(message.topic, message.payload)

                async def _publish_message(self, message) -> None:
                    await self.producer.publish(message.topic, message.payload)
        """,
    })
    assert_as_marked(tmp_path, "shop/relay.py")


# -- issue 30: events by evidence ----------------------------------------------------------
def test_a_class_that_only_sits_in_an_events_module_is_not_judged(tmp_path):
    """A serialisable error shape and a stream-metadata row in a module named ``events``:
    nothing names them like an event or a base, nothing inherits an event base. Their
    neighbour, named like a fact, is still judged."""
    project(tmp_path, {
        "shop/orders/events.py": """\
            from dataclasses import dataclass
            from datetime import datetime


            @dataclass
            class ValidationErrorDetail:
                loc: list[str]
                msg: str
                type: str


            @dataclass
            class StreamMetadata:
                stream_name: str
                position: int
                written_at: datetime
                tags: dict


            @dataclass
            class OrderPlaced:  # DDD101, DDD105, DDD106
                order_id: str
        """,
    })
    assert_as_marked(tmp_path, "shop/orders/events.py")


def test_a_sentinel_compared_by_identity_is_no_event(tmp_path):
    """A class put on a queue as itself (``queue.put(Shutdown)``, ``if item is Shutdown``)
    and never built is a marker, even under the event base. A base compared by identity
    (``if cls is BaseEvent``: it has a body) is still a base, and a built one an event."""
    project(tmp_path, {
        "shop/orders/events.py": """\
            from dataclasses import dataclass

            from shop.kernel import DomainEvent


            class Shutdown(DomainEvent):
                \"\"\"Put on the queue to stop the consumer.\"\"\"


            @dataclass
            class BaseOrderEvent(DomainEvent):  # DDD101
                order_id: str

                def __post_init__(self):
                    if type(self) is BaseOrderEvent:
                        raise TypeError("abstract")


            @dataclass
            class OrderPlaced(BaseOrderEvent):  # DDD101
                total: int


            def consume(queue, handle):
                while (item := queue.get()) is not Shutdown:
                    handle(item)
        """,
    })
    assert_as_marked(tmp_path, "shop/orders/events.py")
    built = (tmp_path / "shop/orders/events.py").read_text().replace(
        "def consume", "STOP = Shutdown()\n\n\ndef consume")
    (tmp_path / "shop/orders/events.py").write_text(built)
    assert (6, "DDD102") in reported(tmp_path, "shop/orders/events.py")  # built: an event


def test_a_command_base_under_the_event_base_is_no_event(tmp_path):
    """``class Command(DomainEvent)``: the project sends its commands on the event bus; the
    base of its commands asks for something and states no fact."""
    project(tmp_path, {
        "shop/shared/messages.py": """\
            from pydantic import BaseModel


            class DomainEvent(BaseModel):  # DDD101
                aggregate_id: str = "NaN"


            class Command(DomainEvent):
                pass


            class AllocateCommand(DomainEvent):
                sku: str


            class OutOfStock(DomainEvent):  # DDD101, DDD102, DDD105, DDD106
                sku: str
        """,
    })
    assert_as_marked(tmp_path, "shop/shared/messages.py")


def test_a_class_registered_as_an_event_type_is_judged_whatever_its_name(tmp_path):
    """``@register_event`` on a data class of an events module is evidence: the code declares
    it an event (business_transaction_in_msa's ``ThreeDaysAheadOfOrderConfirmation``)."""
    project(tmp_path, {
        "shop/orders/events.py": """\
            from dataclasses import dataclass

            from shop.orders.registry import register_event


            @register_event
            @dataclass
            class ThreeDaysAheadOfConfirmation:  # DDD101, DDD102, DDD105, DDD106
                order_id: str


            @dataclass
            class ConfirmationWindow:
                days: int
        """,
        "shop/orders/registry.py": """\
            EVENTS = {}


            def register_event(cls):
                EVENTS[cls.__name__] = cls
                return cls
        """,
    })
    assert_as_marked(tmp_path, "shop/orders/events.py")
