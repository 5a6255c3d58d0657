"""What the installed libraries' bases along a class's chain supply (``known_bases``).

A chain is *complete* when every base along it is a project class, a class of a library
that adds no event fields (``model.External.is_leaf``), or a base of the table; then a rule
may say what the chain lacks. With ``ddd-known-bases = false`` no table entry counts: a
library base is unknown and the rules that need the whole chain stay silent, as they do
for any base that cannot be read.
"""

from __future__ import annotations

from ..syntax.expressions import is_true, last_part
from .known_bases import KNOWN_BASES, KnownBase
from ..model.views import ClassView, External, Memo

# Protean's ``@domain.event(part_of=...)`` makes the class a ``BaseEvent`` subclass
# (``protean.core.event.domain_event_factory``): the decorator is its base.
_PROTEAN_EVENT = KNOWN_BASES["protean.core.event.BaseEvent"]


def known_base(resolved) -> KnownBase | None:
    """The table's entry for a resolved base, whatever the option says."""
    return KNOWN_BASES.get(resolved.qualified) if isinstance(resolved, External) else None


def decorated_base(view: ClassView) -> KnownBase | None:
    """The library base a class decorator gives the class: Protean's ``@<domain>.event``."""
    if any(last_part(d.name) == "event" and d.name.count(".") == 1 for d in view.cls.decorators):
        return _PROTEAN_EVENT
    return None


def published(view: ClassView) -> bool:
    """Whether Protean publishes the event beyond its bounded context: ``@<domain>.event(
    ..., published=True)`` on it or a class it inherits (``meta_.published``: the unit of
    work writes it to every external broker's outbox, proteanhq/protean@ca7379c154ea:
    src/protean/core/unit_of_work.py; 0.15.0 and later). It is the context's published
    language: an integration event."""
    return any(decorated_base(owner) is not None and any(
        last_part(d.name) == "event" and is_true(d.keywords.get("published"))
        for d in owner.cls.decorators) for owner in view.mro)


_LIBRARY_BASES: Memo[tuple[KnownBase, ...] | None] = Memo("library-bases")


def library_bases(view: ClassView) -> tuple[KnownBase, ...] | None:
    """The table's bases along the chain, nearest first (a decorator's first); None when
    the chain is not complete. Worked out once per class."""
    return view.remembered(_LIBRARY_BASES, _library_bases)


def _library_bases(view: ClassView) -> tuple[KnownBase, ...] | None:
    use_table = view.model.settings.known_bases
    found: list[KnownBase] = []
    for owner in view.mro:
        decorated = decorated_base(owner)
        if decorated is not None:
            if not use_table:
                return None
            found.append(decorated)
    for _, resolved in view.ancestors():
        if isinstance(resolved, ClassView):
            continue
        entry = known_base(resolved) if use_table else None
        if entry is not None:
            found.append(entry)
        elif not (isinstance(resolved, External) and resolved.is_leaf):
            return None
    return tuple(found)


def chain_complete(view: ClassView) -> bool:
    """Whether every base along the chain is known (see the module docstring)."""
    return library_bases(view) is not None


def library_supplies(view: ClassView, what: str) -> bool:
    """Whether a library base along the chain supplies ``what``: ``"event_id"``,
    ``"timestamp"``, ``"schema_version"``, ``"correlation_id"`` or ``"causation_id"``."""
    return any(getattr(base, what) for base in library_bases(view) or ())


def library_frozen(view: ClassView) -> bool | None:
    """What the nearest library base says about immutability: True when it makes its
    subclasses immutable, False when they are mutable unless configured, None: none."""
    bases = library_bases(view)
    return bases[0].immutable if bases else None


def library_positional_defaults(view: ClassView) -> bool:
    """Whether a library base ends its dataclass ``__init__`` in positional fields with
    defaults (python-cqrs's ``DCNotificationEvent``)."""
    return any(base.positional_defaults for base in library_bases(view) or ())


def library_of(view: ClassView) -> str | None:
    """The library whose event base the class inherits (or whose decorator makes it one),
    table on or off: recognition reads it to know the class is an event."""
    for owner in view.mro:
        if decorated_base(owner) is not None:
            return _PROTEAN_EVENT.library
    for _, resolved in view.ancestors():
        entry = known_base(resolved)
        if entry is not None and entry.event_base:
            return entry.library
    return None
