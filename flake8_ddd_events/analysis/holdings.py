"""What a field holds: a domain object (aggregate, entity, event) its annotation names,
what that object is in words, and the identity field to hold instead (DDD103, DDD205,
DDD302)."""

from __future__ import annotations

from ..model.views import ClassView
from ..syntax.facts import FieldFact
from .recognition import Kind, recognise

_CONTAINERS = frozenset({"tuple", "Tuple", "frozenset", "FrozenSet", "list", "List", "set", "Set",
                         "Sequence", "Iterable", "Collection", "AbstractSet"})


def domain_object_in(view: ClassView, field: FieldFact, kinds: tuple[Kind, ...]) -> ClassView | None:
    """The first class of one of ``kinds`` that a field's annotation mentions."""
    settings = view.model.settings
    for name in field.annotation_names:
        resolved = view.model.resolve(view.facts, name, scope=view.cls.parent)
        if not isinstance(resolved, ClassView):
            continue
        if recognise(resolved, settings).kind in kinds or _is_domain_base(resolved, kinds, settings):
            return resolved
    return None


def held_kind(view: ClassView, settings) -> str:
    """What a held domain class is, in words: "aggregate root", "entity", "domain event"
    (the project's own ``AggregateRoot``/``Entity`` base is what it names)."""
    kind = recognise(view, settings).kind
    if kind is Kind.OTHER:
        kind = Kind.AGGREGATE if view.cls.name in settings.aggregate_bases else Kind.ENTITY
    return kind.value


def _is_domain_base(view: ClassView, kinds: tuple[Kind, ...], settings) -> bool:
    """The project's own ``AggregateRoot``/``Entity`` base, held as "any aggregate"."""
    name = view.cls.name
    return ((Kind.AGGREGATE in kinds and name in settings.aggregate_bases)
            or (Kind.ENTITY in kinds and name in settings.entity_bases))


def identity_name(field: FieldFact) -> str:
    """``customer`` -> ``customer_id``; ``lines`` held in a collection -> ``line_ids``."""
    outer = field.annotation_names[:1]
    if outer and outer[0].rpartition(".")[2] in _CONTAINERS:
        singular = field.name[:-1] if field.name.endswith("s") else field.name
        return f"{singular}_ids"
    return f"{field.name}_id"
