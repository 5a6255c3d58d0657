"""An event's metadata, recognised by shape as well as by name (docs/recognition.md,
"Metadata is recognised by shape"): its id, its timestamp, its schema version.

Read over the whole chain of a class (its own fields and its bases', ``__init__``
assignments included). DDD105, DDD106, DDD203 and DDD206 ask here, and so does
recognition (a class that declares nothing but metadata is a base, not a fact).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

import libcst as cst

from .dataclass_fields import field_call, fields_set_in_init, is_classvar, own_fields
from ..syntax.expressions import dotted, last_part, names_in
from ..syntax.facts import FieldFact, ModuleFacts
from .fresh_values import Fresh, fresh_callee
from .library_bases import library_supplies
from ..model.views import ClassView, Memo
from ..config.settings import Settings


@dataclass(frozen=True)
class ChainField:
    """A field of a class or of one of its bases, as its declaring module writes it."""

    name: str
    annotation: tuple[str, ...]  # dotted names the annotation mentions, qualified
    default: cst.BaseExpression | None  # the value, or the factory a field() call is given
    facts: ModuleFacts  # the declaring module (to qualify the default's names)
    is_classvar: bool = False


_FACTORY_KEYWORDS = ("default_factory", "factory")
_DATETIME_TYPES = frozenset({"datetime", "DateTime", "AwareDatetime", "NaiveDatetime", "Arrow",
                             "PastDatetime", "FutureDatetime"})
# name-based ids: the same name always hashes to the same id, yet a field whose default
# makes one with the event's own data is its id all the same (DDD106)
_NAMED_UUIDS = frozenset({"uuid.uuid3", "uuid.uuid5"})
_DOUBLED = re.compile(r"(.)\1+")
_VERSION_PACKAGE = re.compile(r"v\d+(?:_\d+)*")
_VERSION_SUFFIX = re.compile(r"[a-z0-9]V\d+$")


def chain_fields(view: ClassView) -> dict[str, ChainField]:
    """Every field along the chain, nearest declaration first: annotated class attributes
    and attributes set in ``__init__`` (``self.occurred_on = occurred_on``; see
    ``dataclass_fields.fields_set_in_init``). A base's ``__init__`` runs only while each
    ``__init__`` below it calls it (``super().__init__(...)``): one that does not hides
    what the bases' set. Computed once per class."""
    found: dict[str, ChainField] = {}  # filled in place: a cycle asking again gets it so far
    return view.remembered(_CHAIN_FIELDS, lambda v: _chain_fields(v, found), found)


_CHAIN_FIELDS: Memo[dict[str, ChainField]] = Memo("chain-fields")


def _chain_fields(view: ClassView, found: dict[str, ChainField]) -> dict[str, ChainField]:
    init_runs = True
    for owner in view.mro:
        facts = owner.facts
        declared = own_fields(owner)
        body = {f.name for f in declared}
        own = (*declared, *(f for f in fields_set_in_init(owner)
                                    if init_runs and f.name not in body))
        init = owner.cls.method("__init__")
        if init is not None and not init.extends_base:
            init_runs = False
        for field in own:
            if field.name not in found:
                annotation = tuple(facts.qualify(n) for n in names_in(field.annotation))
                found[field.name] = ChainField(field.name, annotation, _default_of(field),
                                               facts, is_classvar(field))
    return found


def _default_of(field: FieldFact) -> cst.BaseExpression | None:
    """The default a field declares: a ``field()``/``Field()``/``attr.ib()`` call's default
    or factory, else the value itself."""
    call = field_call(field)
    if call is not None:
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value in (*_FACTORY_KEYWORDS, "default"):
                return arg.value
            if arg.keyword is None and not arg.star:
                return arg.value
        return None
    return field.default


def _produced(node: cst.BaseExpression | None, facts: ModuleFacts) -> Iterator[tuple[str, str, bool]]:
    """The functions a default calls or names as a factory, (qualified, as written, called
    without arguments): through ``str(...)``, a lambda's body, attribute reads
    (``uuid4().hex``), a call's own value (``datetime.now(tz).replace(...)``) and either
    side of a fallback (``event_id if event_id else uuid4()``, ``occurred_on or now()``)."""
    while node is not None:
        if isinstance(node, cst.IfExp):
            yield from _produced(node.body, facts)
            node = node.orelse
        elif isinstance(node, cst.BooleanOperation):
            yield from _produced(node.left, facts)
            node = node.right
        elif isinstance(node, cst.Lambda):
            node = node.body
        elif isinstance(node, cst.Attribute) and isinstance(node.value, cst.Call):
            node = node.value  # uuid4().hex, datetime.now(UTC).isoformat
        elif isinstance(node, cst.Call):
            name = dotted(node.func)
            if last_part(name) in ("str", "int", "float") and node.args:
                node = node.args[0].value
                continue
            if name:
                yield facts.qualify(name), name, not node.args
            if isinstance(node.func, cst.Attribute) and isinstance(node.func.value, cst.Call):
                node = node.func.value  # datetime.now(tz).replace(microsecond=0)
                continue
            return
        elif isinstance(node, (cst.Name, cst.Attribute)):
            name = dotted(node)
            if name:
                yield facts.qualify(name), name, True  # a factory: called without arguments
            return
        else:
            return


def generates_id(field: ChainField) -> bool:
    """Whether a field's default makes a new identifier: ``uuid4``, ``str(uuid4())``, a
    lambda around one, a project helper named like ``new_id`` (``fresh_values``), or a
    name-based ``uuid5``."""
    return any(qualified in _NAMED_UUIDS or fresh_callee(qualified, written, bare) is Fresh.ID
               for qualified, written, bare in _produced(field.default, field.facts))


def makes_now(field: ChainField) -> bool:
    """Whether a field's default is the current time: ``datetime.now``, ``utcnow``,
    ``time.time``, a lambda around one, a project helper named like ``utc_now``."""
    return any(fresh_callee(qualified, written, bare) is Fresh.TIMESTAMP
               for qualified, written, bare in _produced(field.default, field.facts))


def named_as(name: str, names: tuple[str, ...]) -> bool:
    """Whether an attribute is one of ``names`` as its author meant it: behind leading
    underscores (``_event_id``, the name-mangled ``__occurred_on``) and spelt with a
    letter single or doubled (``ocurred_on``, ``occured_on``)."""
    spelt = _spelling(name)
    return any(_spelling(n) == spelt for n in names)


def _spelling(name: str) -> str:
    return _DOUBLED.sub(r"\1", name.lstrip("_").lower())


def is_datetime_annotation(field: ChainField) -> bool:
    return any(last_part(name) in _DATETIME_TYPES for name in field.annotation)


def is_timestamp(field: ChainField, settings: Settings) -> bool:
    if field.is_classvar:
        return False
    if named_as(field.name, settings.timestamp_fields) or makes_now(field):
        return True
    name = field.name.lower()
    return is_datetime_annotation(field) and (name.endswith(("_at", "_on")) or "time" in name)


def is_event_id(field: ChainField, settings: Settings) -> bool:
    return not field.is_classvar and (named_as(field.name, settings.event_id_fields)
                                      or generates_id(field))


def has_timestamp(view: ClassView, settings: Settings, depth: int = 0) -> bool:
    """A timestamp along the chain: a field, a property, a library base's, or one kept in a
    metadata envelope."""
    return any(is_timestamp(f, settings) for f in chain_fields(view).values()) \
        or _has_property(view, settings.timestamp_fields) or library_supplies(view, "timestamp") \
        or _in_envelope(view, settings, has_timestamp, depth)


def has_event_id(view: ClassView, settings: Settings, depth: int = 0) -> bool:
    """An event id along the chain: a field, a property, a library base's, a stream id with a
    position in the stream, or one kept in a metadata envelope."""
    fields = chain_fields(view)
    return any(is_event_id(f, settings) for f in fields.values()) \
        or _has_property(view, settings.event_id_fields) or library_supplies(view, "event_id") \
        or _has_stream_position(fields) or _in_envelope(view, settings, has_event_id, depth)


# where events keep their metadata together (Protean's ``_metadata.headers.time``)
_ENVELOPES = ("metadata", "meta", "headers", "envelope")
_MAX_ENVELOPE_DEPTH = 2
_NOT_A_TYPE = frozenset({"Optional", "Union", "None", "ClassVar", "Annotated"})
_SCALARS = frozenset({"str", "int", "float", "bool", "bytes"})


def _in_envelope(view: ClassView, settings: Settings, holds, depth: int) -> bool:
    """Whether a metadata envelope along the chain (a field named ``metadata``, ``headers``,
    ``envelope``...) holds what ``holds`` looks for: in the project class it is typed with,
    or, typed with anything else (``Any``, ``dict``), possibly: then the rules stay silent,
    as for a base that cannot be resolved."""
    if depth >= _MAX_ENVELOPE_DEPTH:
        return False
    for field in chain_fields(view).values():
        if field.is_classvar or not named_as(field.name, _ENVELOPES):
            continue
        types = [n for n in field.annotation if last_part(n) not in _NOT_A_TYPE]
        if types and all(last_part(n) in _SCALARS for n in types):
            continue
        for name in types:
            resolved = (view.model.resolve_qualified(name, within=field.facts) if "." in name
                        else view.model.resolve(field.facts, name))  # the module's own class
            if not isinstance(resolved, ClassView) or holds(resolved, settings, depth + 1):
                return True
        if not types:
            return True
    return False


# an event-sourced event is told apart by its stream and its place in it
# (eventsourcing's ``originator_id`` and ``originator_version``)
_STREAM_IDS = ("originator_id", "aggregate_id", "stream_id")
_STREAM_POSITIONS = ("originator_version", "aggregate_version", "stream_version",
                     "stream_position", "sequence_number")


def _has_stream_position(fields: dict[str, ChainField]) -> bool:
    return any(named_as(name, _STREAM_IDS) for name in fields) \
        and any(named_as(name, _STREAM_POSITIONS) for name in fields)


def _has_property(view: ClassView, names: tuple[str, ...]) -> bool:
    """``@property def id(self): return self._id``: the id is there under another name."""
    return any(named_as(m.name, names) and "property" in m.decorator_names
               for owner in view.mro for m in owner.cls.methods)


@dataclass(frozen=True)
class Version:
    """Where an event's schema version is said, and its value when written as a literal."""

    source: str  # "field 'event_version'", "class attribute 'x'", "module path", "class name"
    value: int | str | None  # 2, "2.1"; None for a field without a literal default
    name: str | None = None  # the field or class attribute that holds it


def schema_version(view: ClassView, settings: Settings) -> Version | None:
    """The event's schema version, or None: a version field, a class attribute
    (``class_version = 2``, ``__version__``, ``version: ClassVar[int]``), a ``v2`` package
    in the module path, or a ``V2`` suffix of the class name; the first found, in that
    order, nearest class first."""
    fields = chain_fields(view)
    for field in fields.values():
        if field.name in settings.version_fields:
            return Version(f"field '{field.name}'", _literal(field.default), field.name)
        if field.is_classvar and "version" in field.name.lower():
            return Version(f"class attribute '{field.name}'", _literal(field.default), field.name)
    for owner in view.mro:
        for name, value in owner.cls.assignments.items():
            if name in settings.version_fields or "version" in name.lower():
                return Version(f"class attribute '{name}'", _literal(value), name)
    for part in view.facts.module.split(".")[:-1]:
        if _VERSION_PACKAGE.fullmatch(part):
            return Version("module path", _number(part[1:].replace("_", ".")))
    for owner in view.mro:
        match = _VERSION_SUFFIX.search(owner.cls.name)
        if match:
            return Version("class name", int(match.group(0)[2:]))
    return None


def version_source(view: ClassView, settings: Settings) -> str | None:
    """Where the event's schema version is said, or None (see ``schema_version``; a
    library base that supplies one counts too)."""
    found = schema_version(view, settings)
    if found is None and library_supplies(view, "schema_version"):
        return "library base"
    return found.source if found is not None else None


def _literal(node: cst.BaseExpression | None) -> int | str | None:
    if isinstance(node, cst.Integer):
        return _number(node.value.replace("_", ""))
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _number(text: str) -> int | str:
    try:
        return int(text, 0) if text.strip("0") else 0
    except ValueError:
        return text


def is_metadata_field(field: ChainField, settings: Settings) -> bool:
    """What every event of a kind carries, not the fact itself: a field named as an id,
    timestamp, correlation, causation or version field, or one whose default makes a new id
    or the current time. A business date (``shipped_at: datetime``, given by the caller)
    is part of the fact."""
    return (field.is_classvar or field.name.startswith("_") or generates_id(field)
            or makes_now(field)
            or field.name in (*settings.event_id_fields, *settings.timestamp_fields,
                              *settings.correlation_fields, *settings.causation_fields,
                              *settings.version_fields))


def declares_only_metadata(view: ClassView, settings: Settings) -> bool:
    """Whether the class's own fields (not its bases') are all metadata."""
    own = {f.name for f in own_fields(view)}
    return all(is_metadata_field(f, settings) for name, f in chain_fields(view).items()
               if name in own)
