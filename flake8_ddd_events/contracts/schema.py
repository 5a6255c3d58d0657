"""One integration event's schema, read from the facts: its dotted name, its schema
version, and its fields with the inherited ones.

A field is an annotated class attribute along the chain (bases first, a redefinition
replacing the base's), as dataclasses, attrs, pydantic, msgspec and NamedTuple read them;
class variables (``ClassVar``), private attributes (``_x``) and dataclasses' ``KW_ONLY``
marker are not fields. Fields of a base outside the project (an installed library) are
not seen. A field is required when it has no default, nullable when its type admits None.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping

import libcst as cst

from ..analysis.dataclass_fields import has_default
from ..syntax.expressions import keywords_of, last_part, names_in
from ..syntax.facts import FieldFact
from ..analysis.metadata import schema_version
from ..model.project_model import ClassView, External, Unknown
from ..analysis.recognition import Kind, qualified_of, recognise
from ..config.settings import Settings
from .typenames import TypeRef, read_type

Version = int | str | None  # as the lock holds it


@dataclass(frozen=True)
class FieldSchema:
    """A field as the contract holds it; ``ref``, ``fact`` and ``owner`` only when read
    from the code (not from a lock)."""

    name: str
    type: str
    required: bool
    nullable: bool
    ref: TypeRef | None = field(default=None, compare=False, repr=False)
    fact: FieldFact | None = field(default=None, compare=False, repr=False)
    owner: ClassView | None = field(default=None, compare=False, repr=False)

    def shown(self) -> str:
        """``carrier: str | None (required)``, as a message quotes a field."""
        nullable = " | None" if self.nullable else ""
        return f"{self.name}: {self.type}{nullable} ({'required' if self.required else 'optional'})"


@dataclass(frozen=True)
class EventSchema:
    """An integration event's contract: dotted name, schema version, fields by name."""

    name: str
    version: Version
    fields: Mapping[str, FieldSchema]

    @property
    def class_name(self) -> str:
        return self.name.rpartition(".")[2]

    def same_contract(self, other: EventSchema) -> bool:
        return self.version == other.version and dict(self.fields) == dict(other.fields)


def is_contract(view: ClassView, settings: Settings) -> bool:
    """Whether a class is a published integration event: recognised as one, not a base."""
    recognition = recognise(view, settings)
    return recognition.kind is Kind.INTEGRATION_EVENT and recognition.is_concrete_event


def event_name(view: ClassView) -> str:
    return f"{view.facts.module}.{view.cls.qualname}"


def event_schema(view: ClassView, settings: Settings) -> EventSchema:
    """The event's contract; its version as DDD203 recognises one (``metadata``)."""
    version = schema_version(view, settings)
    return EventSchema(event_name(view), version.value if version else None,
                       contract_fields(view))


def contract_fields(view: ClassView) -> dict[str, FieldSchema]:
    """The fields along the chain, by name, sorted."""
    found: dict[str, FieldSchema] = {}
    for owner in reversed(view.mro):
        qualify = qualifier(owner)
        for fact in owner.cls.fields:
            if fact.name.startswith("_") or _is_marker_or_classvar(fact):
                continue
            ref, nullable = read_type(_annotation(fact), qualify)
            found[fact.name] = FieldSchema(fact.name, str(ref), not has_default(fact), nullable,
                                           ref, fact, owner)
    return dict(sorted(found.items()))


def qualifier(owner: ClassView) -> Callable[[str], str]:
    """Qualifies a name written in a class body: a project class by the module that
    defines it, an imported name by its import, a builtin bare."""
    def qualify(name: str) -> str:
        resolved = owner.model.resolve(owner.facts, name, scope=owner.cls.qualname)
        if isinstance(resolved, (External, ClassView)):
            return qualified_of(resolved)
        assert isinstance(resolved, Unknown)
        return owner.facts.qualify(name)

    return qualify


def _annotation(fact: FieldFact) -> cst.BaseExpression | None:
    """The annotation, or the ``type=`` of attrs' un-annotated ``x = attr.ib(type=int)``."""
    if fact.annotation is not None:
        return fact.annotation
    if isinstance(fact.default, cst.Call):
        return keywords_of(fact.default).get("type")
    return None


def _is_marker_or_classvar(fact: FieldFact) -> bool:
    names = names_in(fact.annotation)
    return bool(names) and last_part(names[0]) in ("ClassVar", "KW_ONLY")
