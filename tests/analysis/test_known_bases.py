"""The table of installed libraries' event bases: every entry, findings as it says."""

from __future__ import annotations

import textwrap

import pytest

from flake8_ddd_events.analysis.known_bases import KNOWN_BASES, KnownBase
from flake8_ddd_events.config.settings import Settings

from ..conftest import findings, write_file

EVENTS = "shop/sales/domain/events.py"
CODES = ("DDD101", "DDD105", "DDD106")


def _event_under(path: str, base: KnownBase) -> str:
    """An event importing the base the way the path says: ``from <module> import <head>``."""
    module = path[: -len(base.name) - 1]
    head = base.name.partition(".")[0]
    return textwrap.dedent(f"""\
        from {module} import {head}


        class OrderPlaced({base.name}):
            order_id: str
        """)


def _codes(source: str, tmp_path, **options) -> set[str]:
    settings = Settings.from_values({"ddd-source-roots": [str(tmp_path)], **options})
    return {code for _, code in findings(source, EVENTS, settings=settings, codes=CODES,
                                         root=tmp_path)}


@pytest.mark.parametrize("path", sorted(KNOWN_BASES))
def test_an_event_under_each_known_base_is_reported_as_the_table_says(path, tmp_path):
    base = KNOWN_BASES[path]
    expected = {code for code, missing in (("DDD101", not base.immutable),
                                           ("DDD105", base.timestamp is None),
                                           ("DDD106", base.event_id is None)) if missing}
    assert _codes(_event_under(path, base), tmp_path) == expected


@pytest.mark.parametrize("path", sorted(p for p, b in KNOWN_BASES.items()
                                        if p.partition(".")[0] not in ("pydantic",)))
def test_with_the_table_off_a_library_base_is_unknown_and_the_rules_stay_silent(path, tmp_path):
    source = _event_under(path, KNOWN_BASES[path])
    assert _codes(source, tmp_path, **{"ddd-known-bases": False}) == set()


def test_lato_events_are_mutable_have_an_id_and_no_timestamp(tmp_path):
    source = """\
from lato import Event


class OrderPlaced(Event):
    order_id: str
"""
    assert _codes(source, tmp_path) == {"DDD101", "DDD105"}
    frozen = source.replace("    order_id: str", "    model_config = {'frozen': True}\n"
                                                 "    order_id: str")
    assert _codes(frozen, tmp_path) == {"DDD105"}


def test_a_project_base_under_a_library_base_carries_what_the_library_supplies(tmp_path):
    write_file(tmp_path, "shop/kernel.py", """\
from cqrs import NotificationEvent


class ShopEvent(NotificationEvent):
    shop_id: str
""")
    source = """\
from shop.kernel import ShopEvent


class OrderPlaced(ShopEvent):
    order_id: str
"""
    assert _codes(source, tmp_path) == set()
    write_file(tmp_path, "shop/kernel.py", """\
from cqrs import DomainEvent


class ShopEvent(DomainEvent):
    shop_id: str
""")
    assert _codes(source, tmp_path) == {"DDD105", "DDD106"}


def test_an_unknown_base_beside_a_known_one_keeps_the_rules_silent(tmp_path):
    source = """\
from cqrs import DomainEvent
from vendor.mixins import Stamped


class OrderPlaced(DomainEvent, Stamped):
    order_id: str
"""
    assert _codes(source, tmp_path) == set()


def test_the_projects_own_package_named_like_a_library_is_checked_like_any_other(tmp_path):
    write_file(tmp_path, "eventsourcing/__init__.py", "")
    write_file(tmp_path, "eventsourcing/domain.py", """\
class DomainEvent:
    pass
""")
    source = """\
from dataclasses import dataclass

from eventsourcing.domain import DomainEvent


@dataclass
class OrderPlaced(DomainEvent):
    order_id: str
"""
    assert _codes(source, tmp_path) == {"DDD101", "DDD105", "DDD106"}


INTEGRATION = """\
from uuid import UUID

from {module} import {name}


class IntegrationEvent({name}):
    correlation_id: UUID
    causation_id: UUID


class StockReserved(IntegrationEvent):
    sku: str
"""


@pytest.mark.parametrize("module, name, reported", [
    ("eventsourcing.domain", "DomainEvent", False),  # class_version, 1 when absent
    ("protean.core.event", "BaseEvent", False),  # __version__
    ("cqrs", "NotificationEvent", True),
    ("diator.events", "ECSTEvent", True),
])
def test_ddd203_follows_the_schema_version_a_library_base_supplies(module, name, reported, tmp_path):
    settings = Settings.from_values({"ddd-source-roots": [str(tmp_path)]})
    source = INTEGRATION.format(module=module, name=name)
    found = findings(source, "shop/inventory/integration_events.py", settings=settings,
                     codes={"DDD203"}, root=tmp_path)
    assert bool(found) is reported


def test_ddd109_counts_the_defaults_a_library_dataclass_base_ends_with(tmp_path):
    source = """\
import dataclasses

from cqrs import DCDomainEvent, DCNotificationEvent


@dataclasses.dataclass(frozen=True)
class UserRegistered(DCNotificationEvent[dict]):
    user_id: str


@dataclasses.dataclass(frozen=True)
class UserRenamed(DCDomainEvent):
    user_id: str
"""
    settings = Settings.from_values({"ddd-source-roots": [str(tmp_path)]})
    assert findings(source, EVENTS, settings=settings, codes={"DDD109"}, root=tmp_path) == [
        (8, "DDD109")]
