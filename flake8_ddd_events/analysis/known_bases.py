"""The event bases of installed libraries, and what each supplies its events.

A base the project imports from an installed package is an ``External`` to the project
model, known by the dotted path it was imported under (``from eventsourcing.domain import
Aggregate`` then ``Aggregate.Event`` is ``eventsourcing.domain.Aggregate.Event``). Without
this table such a base is unknown and the rules that need the whole chain stay silent: it
may supply the field. With it, a rule knows: silent when the base supplies the id (say),
speaking when it does not. The option ``ddd-known-bases = false`` turns the table off.

Every entry was read in the library's own source at the commit named in ``source`` (the
library is never imported), under every public path the library exports the class from.
Pure data: the gate reads the libraries' names from here too. docs/recognition.md lists
the table (generated from it by ``python -m flake8_ddd_events.docs``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KnownBase:
    """What a library's base class gives every subclass. ``event_id``, ``timestamp`` and
    ``schema_version`` say how the base supplies it (None: it does not); ``immutable``
    False means instances can be changed unless the subclass configures otherwise."""

    library: str  # the distribution, as installed (pip name)
    name: str  # the class, as the library's docs name it
    immutable: bool
    event_id: str | None
    timestamp: str | None
    schema_version: str | None
    event_base: bool  # its subclasses are events (False: a data model any class may use)
    shape: str  # "dataclass", "pydantic" or "plain": how the subclasses' fields are declared
    source: str  # repository@commit:path where this was read
    # a dataclass whose ``__init__`` ends in positional fields with defaults: a subclass's
    # positional field without one fails at import (DDD109)
    positional_defaults: bool = False
    # how the base carries the tracing ids of an integration event (DDD201, DDD202)
    correlation_id: str | None = None
    causation_id: str | None = None


_ES = "pyeventsourcing/eventsourcing@dc9b7e4fa553:eventsourcing/domain.py (9.3.0dev0)"
_ES_EVENT = dict(
    library="eventsourcing", immutable=True,  # MetaDomainEvent: dataclass(frozen=True)
    event_id="originator_id + originator_version (unique per aggregate)",
    timestamp="timestamp (timezone-aware, set by the aggregate)",
    schema_version="class_version (1 when absent; persistence.Mapper)",
    event_base=True, shape="dataclass", source=_ES)
# eventsourcing 7.x and 8.x: events nested in the aggregate root classes
_ES_LEGACY = ("pyeventsourcing/eventsourcing@a9e9ecf123af:eventsourcing/domain/model/"
              "aggregate.py, entity.py, events.py (v8.3.0; same classes in v7.2.4)")
_ES_LEGACY_ROOTS = ("AggregateRoot", "BaseAggregateRoot", "AggregateRootWithHashchainedEvents")
_ES_LEGACY_EVENTS = ("Event", "Created", "AttributeChanged", "Discarded")
_PROTEAN = ("proteanhq/protean@ca7379c154ea:src/protean/core/event.py, "
            "src/protean/utils/eventing.py (0.17.0, and an installed 0.18.0: DomainMeta, "
            "BaseMessageType; also exported as protean.BaseEvent up to 0.14)")
_CQRS = "vadikko2/python-cqrs@b3c7a0fa254e:src/cqrs/events/event.py (same shape since 2.x)"
_DIATOR = "akhundMurad/diator@5689b0165753:src/diator/events/event.py"
_PYVENTUS = "mdapena/pyventus@3956ed4ae73a:src/pyventus/events/event.py (0.4.x; no base from 0.5)"
_LATO = "pgorecki/lato@4547c4abc49a:lato/message.py (0.13.0)"
_PYDANTIC = "pydantic/pydantic: BaseModel (frozen only with model_config frozen=True)"
_FAUST = "faust-streaming/faust@181b184002d0:faust/models/record.py"


def _entries(paths: tuple[str, ...], name: str = "", **supply) -> dict[str, KnownBase]:
    """One entry under each path a library exports the class from."""
    return {path: KnownBase(name=name or paths[0].rpartition(".")[2], **supply)
            for path in paths}


def _cqrs(names: tuple[str, ...], **supply) -> dict[str, KnownBase]:
    """python-cqrs exports each event base from ``cqrs``, ``cqrs.events`` and
    ``cqrs.events.event``."""
    found: dict[str, KnownBase] = {}
    for name in names:
        paths = tuple(f"{module}.{name}" for module in ("cqrs", "cqrs.events", "cqrs.events.event"))
        found.update(_entries(paths, name=name, library="python-cqrs", immutable=True,
                              event_base=True, source=_CQRS, **supply))
    return found


KNOWN_BASES: dict[str, KnownBase] = {
    **_entries(("eventsourcing.domain.Aggregate.Event",), name="Aggregate.Event", **_ES_EVENT),
    **_entries(("eventsourcing.domain.Aggregate.Created",), name="Aggregate.Created", **_ES_EVENT),
    **_entries(("eventsourcing.domain.DomainEvent",), **_ES_EVENT),
    **_entries(("eventsourcing.domain.AggregateEvent",), **_ES_EVENT),
    **_entries(("eventsourcing.domain.AggregateCreated",), **_ES_EVENT),
    **{f"eventsourcing.domain.model.aggregate.{root}.{event}": KnownBase(
        library="eventsourcing", name=f"{root}.{event}",
        immutable=True,  # DomainEvent.__setattr__ raises "attributes are read-only"
        event_id="originator_id + originator_version (unique per aggregate)",
        timestamp="timestamp (a Decimal UNIX time, EventWithTimestamp)",
        schema_version="__class_version__ (8.x: 0 unless declared; Upcastable)",
        event_base=True, shape="plain", source=_ES_LEGACY)
       for root in _ES_LEGACY_ROOTS for event in _ES_LEGACY_EVENTS},
    **_entries(("eventsourcing.domain.model.events.DomainEvent",), library="eventsourcing",
               immutable=True, event_id=None, timestamp=None,
               schema_version="__class_version__ (8.x: 0 unless declared; Upcastable)",
               event_base=True, shape="plain", source=_ES_LEGACY),
    **_entries(
        ("protean.core.event.BaseEvent", "protean.BaseEvent"), library="protean",
        immutable=True,  # BaseMessageType.__setattr__ raises once initialised
        event_id="_metadata.headers.id (set when the aggregate raises it)",
        timestamp="_metadata.headers.time (the domain clock, UTC)",
        schema_version="__version__ (1 unless declared; \"v1\" up to 0.14)",
        correlation_id="_metadata.domain.correlation_id (the caller's, else generated "
                       "when the domain processes the command)",
        causation_id="_metadata.domain.causation_id (the id of the message that caused it)",
        event_base=True, shape="pydantic", source=_PROTEAN),
    **_cqrs(("DomainEvent", "PydanticDomainEvent", "Event", "PydanticEvent"),
            event_id=None, timestamp=None, schema_version=None, shape="pydantic"),
    **_cqrs(("DCDomainEvent", "DCEvent"),
            event_id=None, timestamp=None, schema_version=None, shape="dataclass"),
    **_cqrs(("NotificationEvent", "PydanticNotificationEvent"),
            event_id="event_id (uuid4)", timestamp="event_timestamp (datetime.now, naive)",
            schema_version=None, shape="pydantic"),
    **_cqrs(("DCNotificationEvent",),
            event_id="event_id (uuid4)", timestamp="event_timestamp (datetime.now, naive)",
            schema_version=None, shape="dataclass", positional_defaults=True),
    **_entries(("lato.Event", "lato.message.Event"), library="lato",
               immutable=False,  # a pydantic BaseModel without frozen config
               event_id="id (uuid4)", timestamp=None, schema_version=None,
               event_base=True, shape="pydantic", source=_LATO),
    **{f"diator.events{module}.{name}": KnownBase(
        library="diator", name=name, immutable=True, event_id=None, timestamp=None,
        schema_version=None, event_base=True, shape="dataclass", source=_DIATOR)
       for module in ("", ".event") for name in ("Event", "DomainEvent")},
    **{f"diator.events{module}.{name}": KnownBase(
        library="diator", name=name, immutable=True, event_id="event_id (uuid4)",
        timestamp="event_timestamp (datetime.utcnow, naive)", schema_version=None,
        event_base=True, shape="dataclass", source=_DIATOR)
       for module in ("", ".event") for name in ("NotificationEvent", "ECSTEvent")},
    **_entries(("pyventus.Event", "pyventus.events.Event", "pyventus.events.event.Event"),
               library="pyventus", immutable=True, event_id=None,
               timestamp="timestamp (datetime.now, naive, not in __init__)",
               schema_version=None, event_base=True, shape="dataclass", source=_PYVENTUS),
    **_entries(("pydantic.BaseModel", "pydantic.main.BaseModel"), library="pydantic",
               immutable=False, event_id=None, timestamp=None, schema_version=None,
               event_base=False, shape="pydantic", source=_PYDANTIC),
    **_entries(("faust.Record", "faust.models.Record", "faust.models.record.Record"),
               library="faust-streaming", immutable=False, event_id=None, timestamp=None,
               schema_version=None, event_base=False, shape="plain", source=_FAUST),
}

# The top-level packages of the libraries above: a module of one of them, found inside the
# project, is the library's own code (its repository), not an application's layers.
LIBRARY_PACKAGES: frozenset[str] = frozenset(path.split(".")[0] for path in KNOWN_BASES)

# The top-level packages whose classes are event bases (the gate lets their subclasses in).
EVENT_BASE_PACKAGES = frozenset(path.partition(".")[0] for path, base in KNOWN_BASES.items()
                                if base.event_base)
