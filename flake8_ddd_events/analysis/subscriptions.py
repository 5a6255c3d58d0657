"""What a handler class subscribes to: the events named in its handler base's subscript,
and its entry point (``handle``, else ``__call__``). Read by DDD404/DDD405 and the event map."""

from __future__ import annotations

from ..config.settings import Settings
from ..model.views import ClassView
from ..syntax.expressions import last_part, names_in
from ..syntax.facts import MethodFact
from .recognition import Kind, chain_matches, recognise


def entry_point(view: ClassView) -> MethodFact | None:
    """The handler's own ``handle``, else its own ``__call__`` if no base defines ``handle``."""
    handle = view.cls.method("handle")
    if handle is not None:
        return handle
    if any(owner.cls.method("handle") is not None for owner in view.mro):
        return None  # __call__ is not the entry point: an inherited handle is
    return view.cls.method("__call__")


def handles_by_shape(view: ClassView, settings: Settings) -> bool:
    """A class without a handler base that has the shape of one: its entry point
    (``handle``, else ``__call__``) takes first a parameter annotated with a concrete event
    (``def handle(self, event: OrderPlaced)``). The event map draws its edges; the handler
    rules (DDD404, DDD405) still want a handler base (docs/recognition.md)."""
    if recognise(view, settings).kind is not Kind.OTHER or view.cls.in_function:
        return False
    method = entry_point(view)
    if method is None or not method.params or method.params[0].annotation is None:
        return False
    for name in names_in(method.params[0].annotation):
        resolved = view.model.resolve(view.facts, name, scope=view.cls.parent)
        if isinstance(resolved, ClassView) and recognise(resolved, settings).is_concrete_event:
            return True
    return False


def _is_handler_base(written: str, resolved, settings: Settings) -> bool:
    if last_part(written) in settings.handler_bases:
        return True
    return isinstance(resolved, ClassView) and (
        recognise(resolved, settings).kind is Kind.HANDLER
        or chain_matches(resolved, settings.handler_bases, settings))


def declared_events(view: ClassView, settings: Settings) -> tuple[tuple[str, ...], bool] | None:
    """The event names in the handler base's subscript and whether they form a union."""
    cls = view.cls
    for index, (written, resolved) in enumerate(zip(cls.base_names, view.bases)):
        args = cls.base_args[index] if index < len(cls.base_args) else ()
        if args and _is_handler_base(written, resolved, settings):
            union = cls.base_unions[index] if index < len(cls.base_unions) else False
            return args, union
    return None
