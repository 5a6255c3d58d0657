"""Layering: the domain layer does not depend on the application layer, the
infrastructure or a messaging client (DDD501).

How a forbidden-import glob matches a dotted module path: the glob is matched
(``fnmatch``, case-sensitive, ``*`` spanning dots) against the module and each
of its dotted prefixes, so ``kafka`` matches ``kafka.producer``; a leading
``*.`` also matches no parts at all, so ``*.application*`` matches
``shop.sales.application.services`` and a top-level ``application``; a
version suffix of a part is ignored (``google.cloud.pubsub_v1`` matches
``google.cloud.pubsub``). A module that is itself in the domain layer
(``ddd-domain-modules``) is never forbidden: ``lending.domain.application`` is
the model of a loan application, not the application layer.
"""

from __future__ import annotations

import fnmatch
import re
from functools import lru_cache
from typing import Iterable, Iterator

from .rule import Context, Example, Finding, rule
from ..config.settings import Settings

_VERSION_SUFFIX = re.compile(r"_v\d+$")


def _prefixes(module: str) -> Iterator[str]:
    parts = module.split(".")
    for end in range(1, len(parts) + 1):
        yield ".".join(parts[:end])
    unversioned = [_VERSION_SUFFIX.sub("", part) for part in parts]
    if unversioned != parts:
        for end in range(1, len(parts) + 1):
            yield ".".join(unversioned[:end])


@lru_cache(maxsize=4096)  # the same modules are imported by many files
def forbidden_glob(module: str, globs: tuple[str, ...]) -> str | None:
    """The first glob that forbids importing ``module``, or None."""
    if not module:
        return None
    for glob in globs:
        variants = (glob, glob[2:]) if glob.startswith("*.") else (glob,)
        for prefix in _prefixes(module):
            if any(fnmatch.fnmatchcase(prefix, variant) for variant in variants):
                return glob
    return None


def forbidden_import(candidates: Iterable[str], settings: Settings) -> tuple[str, str] | None:
    """(module, glob) for the first imported module the domain layer must not import."""
    for module in candidates:
        if settings.is_domain_module(module):
            continue
        glob = forbidden_glob(module, settings.forbidden_domain_imports)
        if glob is not None:
            return module, glob
    return None


@rule(
    "DDD501", "domain-imports-outer-layer",
    summary="domain layer imports the application/infrastructure layer or a messaging client",
    what="Reports, in a domain-layer module (its dotted path, from the file name and the source "
         "roots, matches `ddd-domain-modules`), an import statement of a module that matches "
         "`ddd-forbidden-domain-imports`: the application, infrastructure or adapters layer, or "
         "a messaging client (kafka, aiokafka, confluent_kafka, pika, aio_pika, kombu, celery, "
         "dramatiq, nats, boto3, redis, google.cloud.pubsub). A glob matches the module or any "
         "of its dotted prefixes (`kafka` matches `kafka.producer`), a leading `*.` also "
         "matches nothing (`*.application*` matches a top-level `application`), and a version "
         "suffix is ignored (`pubsub_v1`). `from shop.sales import infrastructure` is reported "
         "too: each imported name is checked as a possible submodule. Relative imports are "
         "resolved first. Modules of the domain layer itself are never forbidden. The own code "
         "of a library of the known-bases table (`protean.domain` in Protean's repository, the "
         "framework's registry) is not an application's domain layer. One finding "
         "per import statement, also under `if TYPE_CHECKING:` (a type is a dependency too).",
    why="The domain model states business rules; it must be testable and reusable without a "
        "broker, a database or a use case around it. A domain module that imports the transport "
        "publishes by itself (before anything is saved) and drags infrastructure into every "
        "test; importing the application layer turns the dependency direction upside down.",
    use_instead="Record events on the aggregate and let the application layer publish them. Where "
                "the domain needs a service, declare a port (a `Protocol`) in the domain and "
                "implement it in the infrastructure.",
    invalid=[
        """\
from kafka import KafkaProducer  # DDD501

from shop.kernel import AggregateRoot
""",
        Example("""\
from shop.sales import infrastructure  # DDD501
from ..application.services import OrderService  # DDD501
import redis.asyncio  # DDD501
""", "shop/sales/domain/order.py"),
    ],
    valid=[
        """\
from typing import Protocol

from shop.kernel import AggregateRoot
from shop.sales.domain.value_objects import Money


class PriceList(Protocol):
    def price_of(self, sku: str) -> Money: ...
""",
        Example("""\
from kafka import KafkaProducer

from shop.sales.domain.order import Order
""", "shop/sales/infrastructure/message_bus.py"),
        Example("""\
from lending.domain.application import LoanApplication
""", "lending/domain/underwriting.py"),
    ],
    options=("ddd-domain-modules", "ddd-forbidden-domain-imports", "ddd-source-roots"),
)
def domain_imports_outer_layer(context: Context) -> Iterator[Finding]:
    if not context.is_domain_layer:
        return
    for statement in context.facts.imports:
        found = forbidden_import((*statement.modules, *statement.names), context.settings)
        if found is not None:
            module, glob = found
            yield Finding(statement.node, f"domain module '{context.facts.module}' imports "
                          f"'{module}' (forbidden by '{glob}'); keep the domain free of the "
                          "outer layers: record events and let the application layer publish "
                          "them, or depend on a port declared in the domain")
