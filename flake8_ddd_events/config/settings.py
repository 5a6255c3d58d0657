"""The plugin's settings: every option, its default, and one frozen object.

Defaults live here and only here. ``OPTIONS`` drives the flake8 option
registration, the pyproject reader and the documentation's configuration page.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Any, Callable, Iterable, Mapping


class SettingsError(ValueError):
    """A bad option value; the message names the option."""


def _names(option: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, (list, tuple)):
        raise SettingsError(f"{option}: expected a comma-separated list of names, got {value!r}")
    items = tuple(str(item).strip() for item in value if str(item).strip())
    for item in items:
        if not re.fullmatch(r"[\w.*?\[\]!-]+", item):
            raise SettingsError(f"{option}: {item!r} is not a name or a dotted glob")
    return items


def _nonempty_names(option: str, value: Any) -> tuple[str, ...]:
    items = _names(option, value)
    if not items:
        raise SettingsError(f"{option}: needs at least one name")
    return items


def _paths(option: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, (list, tuple)):
        raise SettingsError(f"{option}: expected a comma-separated list of folders, got {value!r}")
    items = tuple(str(item).strip() for item in value if str(item).strip())
    if not items:
        raise SettingsError(f"{option}: needs at least one folder")
    return items


def _pairs(option: str, value: Any) -> tuple[tuple[str, str], ...]:
    """``name=value`` items, comma-separated; ``option`` ``ddd-consumed-events`` also takes a
    bare name (its value: "")."""
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, (list, tuple)):
        raise SettingsError(f"{option}: expected a comma-separated list of name=value, got "
                            f"{value!r}")
    found = []
    for item in (str(i).strip() for i in value):
        if not item:
            continue
        name, equals, target = (part.strip() for part in item.partition("="))
        if not re.fullmatch(r"[\w.]+", name) or (equals and not target) or (
                not equals and option != "ddd-consumed-events"):
            raise SettingsError(f"{option}: {item!r} is not name=value")
        found.append((name, target))
    return tuple(found)


def _positive_int(option: str, value: Any) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise SettingsError(f"{option}: expected a whole number, got {value!r}") from None
    if number < 1:
        raise SettingsError(f"{option}: expected a number of at least 1, got {number}")
    return number


def _path(option: str, value: Any) -> str:
    text = str(value).strip()
    if not text:
        raise SettingsError(f"{option}: expected a file path, got {value!r}")
    return text


COMPATIBILITY_MODES = ("forward", "backward", "full")


def _compatibility(option: str, value: Any) -> str:
    text = str(value).strip().lower()
    if text not in COMPATIBILITY_MODES:
        raise SettingsError(f"{option}: expected one of {', '.join(COMPATIBILITY_MODES)}, "
                            f"got {value!r}")
    return text


def _python_version(option: str, value: Any) -> tuple[int, int] | None:
    if value in (None, ""):
        return None
    match = re.fullmatch(r"\s*3\.(\d+)\s*", str(value))
    if not match or int(match.group(1)) < 6:
        raise SettingsError(f"{option}: expected a Python version such as 3.10, got {value!r}")
    return (3, int(match.group(1)))


_TRUE = ("true", "yes", "on", "1")
_FALSE = ("false", "no", "off", "0")


def _boolean(option: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise SettingsError(f"{option}: expected true or false, got {value!r}")


def _folder(option: str, value: Any) -> str:
    text = str(value).strip()
    if not text or "\0" in text:
        raise SettingsError(f"{option}: expected a folder, got {value!r}")
    return text


@dataclass(frozen=True)
class Option:
    """One configurable setting: its key, default, parser and help text."""

    key: str
    default: Any
    parse: Callable[[str, Any], Any]
    help: str
    kind: str = ""  # what the value is, for the docs ("" : read from the parser)

    @property
    def attr(self) -> str:
        return self.key.removeprefix("ddd-").replace("-", "_")

    @property
    def flag(self) -> str:
        return f"--{self.key}"

    @property
    def is_list(self) -> bool:
        return self.parse in (_names, _nonempty_names, _paths, _pairs)

    @property
    def is_boolean(self) -> bool:
        return self.parse is _boolean


# test folders and files: ``tests``/``test`` as a package or an underscore-separated word of
# one (``integration_tests``, ``old_tests_v1``), ``test_*.py``, ``*_test.py``, ``conftest.py``
TEST_MODULES = tuple(
    glob for word in ("test", "tests")
    for glob in (word, f"{word}.*", f"*.{word}", f"*.{word}.*", f"{word}_*", f"*.{word}_*",
                 f"*_{word}", f"*_{word}.*", f"*_{word}_*")) + ("conftest", "*.conftest")


OPTIONS: tuple[Option, ...] = (
    Option("ddd-domain-event-bases", ("DomainEvent", "Event", "BaseEvent"), _names,
           "base classes whose subclasses are domain events"),
    Option("ddd-domain-event-modules", ("events", "domain_events"), _names,
           "module names whose top-level data classes are domain events"),
    Option("ddd-integration-event-bases", ("IntegrationEvent",), _names,
           "base classes whose subclasses are integration events"),
    Option("ddd-integration-event-modules", ("integration_events", "contracts"), _names,
           "module names whose top-level data classes are integration events"),
    Option("ddd-aggregate-bases", ("AggregateRoot", "Aggregate"), _names,
           "base classes of aggregate roots"),
    Option("ddd-entity-bases", ("Entity",), _names, "base classes of entities"),
    Option("ddd-handler-bases", ("DomainEventHandler", "IntegrationEventHandler", "EventHandler"),
           _names, "base classes of event handlers"),
    Option("ddd-domain-modules", ("domain", "domain.*", "*.domain", "*.domain.*"), _nonempty_names,
           "globs over dotted module paths that make up the domain layer"),
    Option("ddd-timestamp-fields", ("occurred_on", "occurred_at", "timestamp"), _nonempty_names,
           "field names that hold an event's timestamp"),
    Option("ddd-event-id-fields", ("id", "event_id", "event_uuid", "uuid", "message_id"),
           _nonempty_names,
           "field names that hold an event's id"),
    Option("ddd-version-fields", ("event_version", "schema_version", "version"), _nonempty_names,
           "field names that hold an integration event's schema version"),
    Option("ddd-correlation-fields", ("correlation_id",), _nonempty_names,
           "field names that hold a correlation id"),
    Option("ddd-causation-fields", ("causation_id",), _nonempty_names,
           "field names that hold a causation id"),
    Option("ddd-max-integration-fields", 12, _positive_int,
           "most payload fields an integration event may carry"),
    Option("ddd-past-tense-allow", (), _names,
           "words or whole event names accepted as past facts"),
    Option("ddd-record-methods", ("record_event", "add_domain_event", "register_event",
                                  "raise_event", "queue_event", "append_event"), _names,
           "methods an aggregate uses to record a domain event"),
    Option("ddd-aggregate-publish-methods", ("publish", "publish_all", "publish_event",
                                             "publish_events", "dispatch", "dispatch_event",
                                             "dispatch_events", "emit"), _names,
           "calls that publish or dispatch events"),
    Option("ddd-transaction-contexts", ("transaction", "atomic", "begin", "begin_nested",
                                        "uow", "unit_of_work"), _names,
           "context managers that open a transaction"),
    Option("ddd-transport-receivers", ("message_bus", "broker", "producer", "kafka", "rabbit",
                                       "sns", "sqs", "pubsub", "integration"), _names,
           "receiver name parts that denote a message transport"),
    Option("ddd-transport-methods", ("publish", "publish_all", "send", "send_message",
                                     "produce", "emit"), _names,
           "methods that hand a message to the transport"),
    Option("ddd-clear-methods", ("clear_recorded_events", "clear_domain_events", "clear_events"),
           _names, "methods that clear an aggregate's recorded events"),
    Option("ddd-outbox-mark-methods", ("mark_as_processed", "mark_processed", "mark_as_sent",
                                       "mark_sent", "mark_as_published", "mark_published",
                                       "delete", "remove"), _names,
           "methods that mark an outbox record as done"),
    Option("ddd-forbidden-domain-imports", ("*.application*", "*.infrastructure*", "*.adapters*",
                                            "kafka", "aiokafka", "confluent_kafka", "pika",
                                            "aio_pika", "kombu", "celery", "dramatiq", "nats",
                                            "boto3", "redis", "google.cloud.pubsub"), _names,
           "modules (globs) the domain layer must not import"),
    Option("ddd-repository-receivers", ("repo", "repository"), _names,
           "receiver name parts that denote a repository"),
    Option("ddd-repository-write-methods", ("save", "add", "update", "put"), _names,
           "repository methods that write an aggregate"),
    Option("ddd-command-bases", ("Command", "Query", "BaseCommand", "BaseQuery"), _names,
           "base classes of commands and queries: messages that are never events"),
    Option("ddd-command-modules", ("commands", "queries"), _names,
           "module or package names whose classes are commands or queries, never events"),
    Option("ddd-context-modules", (), _names,
           "globs over dotted module paths, one per bounded context, for `ddd-events map` "
           "(default: the package that holds a context's layers, see docs/event-map.md)"),
    Option("ddd-test-modules", TEST_MODULES, _names,
           "globs over dotted module paths of test code: no rule reports there"),
    Option("ddd-known-bases", True, _boolean,
           "use the table of installed libraries' event bases (eventsourcing, Protean, "
           "python-cqrs, ...) and what each supplies; false: such a base is unknown and the "
           "rules that need the whole chain stay silent (see docs/recognition.md)"),
    Option("ddd-source-roots", None, _paths,
           "folders that hold top-level packages"),
    Option("ddd-target-python", None, _python_version,
           "oldest Python the checked code runs on, for fixes (default: requires-python, else 3.10)"),
    Option("ddd-contracts-lock", "ddd-contracts.lock", _path,
           "the contract lock of the integration events: a relative path is looked for in the "
           "current directory, then in each folder above it (as pyproject.toml is)",
           kind="file path"),
    Option("ddd-contract-compatibility", "full", _compatibility,
           "which schema changes break a locked contract: forward, backward or full",
           kind="one of forward, backward, full"),
    Option("ddd-channels", (), _pairs,
           "event=address pairs: the topic, subject or routing key an integration event "
           "(dotted or class name) is sent to where the code computes it at run time, for "
           "the AsyncAPI export (docs/contracts.md)", kind="event=address, comma-separated"),
    Option("ddd-consumed-events", (), _pairs,
           "the consumer's classes of events another context publishes, for `ddd-events "
           "contracts expect`: a dotted class name, or name=producer's dotted event name",
           kind="names or name=producer name, comma-separated"),
    Option("ddd-stored-event-bases", (), _names,
           "base classes whose subclasses are stored events: kept in an event store and "
           "read back by every later version of the code (DDD209)"),
    Option("ddd-stored-event-modules", (), _names,
           "module names whose events are stored events (DDD209)"),
    Option("ddd-upcaster-modules", ("upcasters", "upcasting"), _names,
           "module names, in a stored event's package or one above it, where its upcasters "
           "and topic aliases are looked for besides its own module (DDD209)"),
    Option("ddd-cache", True, _boolean,
           "answer a module that has not changed, nor anything its findings rest on, from "
           "the result cache"),
    Option("ddd-cache-dir", ".ddd_events_cache", _folder,
           "the result cache's folder (relative to the folder flake8 runs in)"),
    Option("ddd-baseline", None, _path,
           "the baseline: a file of baselined findings, which are not reported ('none': report "
           "every finding; see docs/adoption.md)", kind="file path"),
)


@dataclass(frozen=True)
class Settings:
    """Every option's value, parsed and validated once per process."""

    domain_event_bases: tuple[str, ...]
    domain_event_modules: tuple[str, ...]
    integration_event_bases: tuple[str, ...]
    integration_event_modules: tuple[str, ...]
    aggregate_bases: tuple[str, ...]
    entity_bases: tuple[str, ...]
    handler_bases: tuple[str, ...]
    domain_modules: tuple[str, ...]
    timestamp_fields: tuple[str, ...]
    event_id_fields: tuple[str, ...]
    version_fields: tuple[str, ...]
    correlation_fields: tuple[str, ...]
    causation_fields: tuple[str, ...]
    max_integration_fields: int
    past_tense_allow: tuple[str, ...]
    record_methods: tuple[str, ...]
    aggregate_publish_methods: tuple[str, ...]
    transaction_contexts: tuple[str, ...]
    transport_receivers: tuple[str, ...]
    transport_methods: tuple[str, ...]
    clear_methods: tuple[str, ...]
    outbox_mark_methods: tuple[str, ...]
    forbidden_domain_imports: tuple[str, ...]
    repository_receivers: tuple[str, ...]
    repository_write_methods: tuple[str, ...]
    command_bases: tuple[str, ...]
    command_modules: tuple[str, ...]
    context_modules: tuple[str, ...]
    test_modules: tuple[str, ...]
    known_bases: bool
    source_roots: tuple[str, ...]
    target_python: tuple[int, int] | None
    contracts_lock: str
    contract_compatibility: str
    channels: tuple[tuple[str, str], ...]
    consumed_events: tuple[tuple[str, str], ...]
    stored_event_bases: tuple[str, ...]
    stored_event_modules: tuple[str, ...]
    upcaster_modules: tuple[str, ...]
    cache: bool
    cache_dir: str
    baseline: str | None

    @classmethod
    def from_values(cls, values: Mapping[str, Any] = {}, *,
                    kept_roots: Callable[[str], tuple[str, ...]] | None = None) -> Settings:
        """Build settings from raw values keyed by option key or attribute name.

        Missing keys take their default; a bad value raises SettingsError
        naming the option. Without ``ddd-source-roots``, the roots are found under the
        current folder (``modules.discover_roots``); with ``kept_roots`` (flake8's runs:
        ``cache.roots.source_roots``) they are kept in the result cache's folder between
        runs, unless the cache is off.
        """
        parsed: dict[str, Any] = {}
        for option in OPTIONS:
            raw = values.get(option.key, values.get(option.attr))
            if raw is None:
                value = option.default
            else:
                value = option.parse(option.key, raw)
            parsed[option.attr] = value
        if parsed["source_roots"] is None:
            from ..source.modules import discover_roots

            if kept_roots is not None and parsed["cache"]:
                parsed["source_roots"] = kept_roots(parsed["cache_dir"])
            else:
                parsed["source_roots"] = discover_roots()
        return cls(**parsed)

    def is_domain_module(self, module: str) -> bool:
        return matches_any(module, self.domain_modules) and not self.is_test_module(module)

    def is_test_module(self, module: str) -> bool:
        """Test code (option ``ddd-test-modules``): no rule reports there, and its classes
        are test doubles, never events, aggregates or handlers."""
        return matches_any(module, self.test_modules)


@lru_cache(maxsize=64)
def with_base_variants(names: tuple[str, ...]) -> frozenset[str]:
    """Configured base names and the spellings code bases give their own abstract version
    of them: ``BaseEventHandler``, ``AbstractAggregateRoot``, ``DomainEventBase``."""
    return frozenset(variant for name in names
                     for variant in (name, f"Base{name}", f"Abstract{name}", f"{name}Base"))


def matches_any(dotted: str, globs: Iterable[str]) -> bool:
    """Whether a dotted module path matches one of the globs."""
    return _matches_any(dotted, tuple(globs))


@lru_cache(maxsize=8192)
def _matches_any(dotted: str, globs: tuple[str, ...]) -> bool:
    # asked for the same few module paths once per class and rule: fnmatch is not free
    return any(fnmatch.fnmatchcase(dotted, glob) for glob in globs)


assert {f.name for f in fields(Settings)} == {o.attr for o in OPTIONS}
