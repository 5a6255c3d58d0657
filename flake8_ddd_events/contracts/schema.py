"""One integration event's schema, read from the facts: its dotted name, its schema
version, its wire shape (``shape``: what format 2 locks) and its fields by attribute with
their types' names (what format 1 locked, still compared against a format-1 lock).

A field is an annotated class attribute along the chain (bases first, a redefinition
replacing the base's), as dataclasses, attrs, pydantic, msgspec and NamedTuple read them;
class variables (``ClassVar``), private attributes (``_x``) and dataclasses' ``KW_ONLY``
marker are not fields. Fields of a base outside the project (an installed library) are
not seen. A field is required when it has no default, nullable when its type admits None.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping

from ..analysis.dataclass_fields import has_default, own_fields
from ..syntax.facts import FieldFact
from ..analysis.metadata import schema_version
from ..analysis.stored_events import PROTEAN, protean_version
from ..model.views import ClassView, External, Unknown
from ..analysis.recognition import Kind, qualified_of, recognise
from ..config.settings import Settings
from .shape import Shape, annotation_of, class_shape, is_field
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
    """An event's contract at one version: dotted name, schema version, its wire shape
    (None when read from a format-1 lock, which locked only ``fields``) and its fields by
    attribute as format 1 holds them. ``places``: where each top-level field (by wire
    name and by attribute) is declared, when read from the code."""

    name: str
    version: Version
    fields: Mapping[str, FieldSchema]
    shape: Shape | None = None
    places: Mapping[str, tuple[FieldFact, ClassView]] = field(
        default_factory=dict, compare=False, repr=False)

    @property
    def class_name(self) -> str:
        return self.name.rpartition(".")[2]


def is_contract(view: ClassView, settings: Settings) -> bool:
    """Whether a class is a published integration event: recognised as one, not a base."""
    recognition = recognise(view, settings)
    return recognition.kind is Kind.INTEGRATION_EVENT and recognition.is_concrete_event


def event_name(view: ClassView) -> str:
    return f"{view.facts.module}.{view.cls.qualname}"


def event_schema(view: ClassView, settings: Settings) -> EventSchema:
    """The event's contract; its version as DDD203 recognises one (``metadata``)."""
    version = schema_version(view, settings)
    number = version.value if version else None
    if recognise(view, settings).library == PROTEAN:
        number = protean_version(view)  # ``__version__`` or ``version=``; 1 unless declared
    shape, wire_fields = class_shape(view)
    legacy = contract_fields(view)
    places = {name: (f.fact, f.owner) for name, f in legacy.items() if f.fact and f.owner}
    places.update((f.wire, (f.fact, f.owner)) for f in wire_fields)
    return EventSchema(event_name(view), number, legacy, shape, places)


def contract_fields(view: ClassView) -> dict[str, FieldSchema]:
    """The fields along the chain, by name, sorted."""
    found: dict[str, FieldSchema] = {}
    for owner in reversed(view.mro):
        qualify = qualifier(owner)
        for fact in own_fields(owner):
            if not is_field(fact):
                continue
            ref, nullable = read_type(annotation_of(fact), qualify)
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
