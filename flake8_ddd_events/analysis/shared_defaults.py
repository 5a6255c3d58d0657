"""Defaults computed once, when the class is defined, that read a clock or generate an
id (every instance then shares one timestamp or one id): found for DDD110, fixed by
``ddd-events fix``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import libcst as cst

from ..model.views import ClassView
from ..syntax.expressions import dotted, last_part
from ..syntax.facts import FieldFact
from . import dataclass_fields
from .dataclass_fields import FIELD_CALLS, Style, is_classvar, style
from .fresh_values import Fresh, fresh_calls


# Field functions whose ``default=`` is a plain default; those that also take it as
# their first positional argument (pydantic ``Field(x)``, attrs ``attr.ib(x)``).
_FIELD_CALLS = FIELD_CALLS | {"PrivateAttr"}
_POSITIONAL_DEFAULT = frozenset({"Field", "ib", "attrib", "PrivateAttr"})


@dataclass(frozen=True)
class SharedDefault:
    """A field whose default, evaluated once, calls a clock or an id generator."""

    field: FieldFact
    value: cst.BaseExpression  # the default expression, evaluated once
    arg: cst.Arg | None  # the field call's argument holding it; None for ``x: T = value``
    call: cst.Call  # the clock or generator call inside ``value``: where it is reported
    fresh: Fresh


def field_call(field: FieldFact) -> cst.Call | None:
    """The field function call (pydantic's ``PrivateAttr`` too) a field's value is."""
    return dataclass_fields.field_call(field, _FIELD_CALLS)


def _default_of(field: FieldFact) -> tuple[cst.BaseExpression, cst.Arg | None] | None:
    call = field_call(field)
    if call is None:
        return (field.default, None) if field.default is not None else None
    for index, arg in enumerate(call.args):
        if arg.keyword is not None and arg.keyword.value == "default":
            return arg.value, arg
        if (index == 0 and arg.keyword is None and not arg.star
                and last_part(dotted(call.func)) in _POSITIONAL_DEFAULT):
            return arg.value, arg
    return None


def _set_in_init(view: ClassView, name: str) -> bool:
    init = view.cls.method("__init__")
    return init is not None and any(a.attr == name for a in init.self_assignments)


def shared_defaults(view: ClassView) -> Iterator[SharedDefault]:
    """The class's own fields whose default reads a clock or generates an id once."""
    for field in view.cls.fields:
        if is_classvar(field):
            continue
        found = _default_of(field)
        if found is None:
            continue
        value, arg = found
        first = next(fresh_calls(view.facts, value), None)
        if first is None:
            continue
        if style(view) is Style.PLAIN and _set_in_init(view, field.name):
            continue  # the instance attribute set in __init__ hides the class attribute
        yield SharedDefault(field, value, arg, *first)


def factory_keyword(view: ClassView, default: SharedDefault) -> str:
    """``factory`` for attrs, ``default_factory`` for the others."""
    call = field_call(default.field)
    if call is not None:
        root = view.facts.qualify(dotted(call.func)).partition(".")[0]
        return "factory" if root in ("attr", "attrs") else "default_factory"
    return "factory" if style(view) is Style.ATTRS else "default_factory"
