"""DDD501: the domain layer imports neither the outer layers nor a messaging client."""

from __future__ import annotations

import textwrap

import pytest

from flake8_ddd_events.rules.layering import forbidden_glob
from flake8_ddd_events.config.settings import Settings

from ..conftest import expected_markers, findings

DEFAULTS = Settings.from_values({}).forbidden_domain_imports


def check(source: str, tmp_path, filename: str = "shop/sales/domain/order.py", **options):
    source = textwrap.dedent(source)
    settings = Settings.from_values({"ddd-source-roots": [str(tmp_path)], **options})
    found = set(findings(source, filename, settings=settings, codes={"DDD501"}, root=tmp_path))
    assert found == {(line, code) for line, code in expected_markers(source) if code == "DDD501"}


@pytest.mark.parametrize("module, glob", [
    ("kafka", "kafka"),
    ("kafka.producer", "kafka"),
    ("application", "*.application*"),
    ("application.services", "*.application*"),
    ("shop.sales.application.services", "*.application*"),
    ("shop.infrastructure", "*.infrastructure*"),
    ("shop.adapters.sql", "*.adapters*"),
    ("google.cloud.pubsub", "google.cloud.pubsub"),
    ("google.cloud.pubsub_v1.publisher", "google.cloud.pubsub"),
    ("redis.asyncio", "redis"),
])
def test_forbidden_globs_match_the_module_or_a_prefix(module, glob):
    assert forbidden_glob(module, DEFAULTS) == glob


@pytest.mark.parametrize("module", ["kafkaesque", "shop.sales.domain.order", "typing", "google.cloud",
                                    "google.cloud.storage", "redistribution", "pikachu", ""])
def test_other_modules_are_not_forbidden(module):
    assert forbidden_glob(module, DEFAULTS) is None


def test_each_forbidden_import_statement_is_reported_once(tmp_path):
    check("""\
        from __future__ import annotations

        import kafka, redis  # DDD501: one statement, one finding
        import application.services  # DDD501
        from aiokafka import AIOKafkaProducer  # DDD501
        from google.cloud import pubsub_v1  # DDD501
        from shop.sales import infrastructure  # DDD501
        from .. import adapters  # DDD501
        from ..application.services import (  # DDD501
            OrderService,
        )
        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            from shop.billing.application.ports import Billing  # DDD501

        from shop.sales.domain.value_objects import Money
        from . import events
        from dataclasses import dataclass
        """, tmp_path)


def test_domain_modules_are_never_forbidden(tmp_path):
    check("""\
        from lending.domain.application import LoanApplication
        from lending.domain import application
        from . import application_policy
        """, tmp_path, filename="lending/domain/underwriting.py")


def test_outside_the_domain_layer_nothing_is_reported(tmp_path):
    check("""\
        import kafka
        from shop.sales.application.services import OrderService
        """, tmp_path, filename="shop/sales/infrastructure/message_bus.py")


def test_package_init_of_the_domain_is_domain_layer(tmp_path):
    check("""\
        from shop.sales.infrastructure.orm import Base  # DDD501
        """, tmp_path, filename="shop/sales/domain/__init__.py")


def test_forbidden_imports_and_domain_modules_are_options(tmp_path):
    check("""\
        import requests  # DDD501
        import kafka
        """, tmp_path, filename="core/model.py",
          **{"ddd-forbidden-domain-imports": "requests", "ddd-domain-modules": "core, core.*"})


def test_a_librarys_own_domain_package_is_not_an_applications_domain(tmp_path):
    # Protean's repository: protean.domain is the framework's Domain registry, which wires
    # its adapters; the layering of an application does not apply to the library itself
    check("""\
        from protean.adapters import Brokers
        from protean.core.application_service import BaseApplicationService
        """, tmp_path, filename="protean/domain/__init__.py")


def test_an_applications_domain_beside_a_library_is_still_checked(tmp_path):
    check("""\
        from protean import Domain
        from shopstream.infrastructure.db import Session  # DDD501
        """, tmp_path, filename="shopstream/domain/__init__.py")
