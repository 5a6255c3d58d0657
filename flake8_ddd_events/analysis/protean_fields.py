"""Protean's own field declarations, read as the model Protean builds from them.

Protean declares a field with a field function, in either style: assigned
(``amount = Float(required=True)``) or as the annotation (``category_id:
Identifier(required=True)``); a plain annotation (``note: str = ""``) is a pydantic field
as any other. ``resolve_fieldspecs`` turns each ``FieldSpec`` into the pydantic field the
message class holds, and ``FieldSpec.resolve_type``/``resolve_field_kwargs`` decide what it
means (proteanhq/protean@ca7379c154ea:src/protean/fields/spec.py, simple.py,
containers.py, embedded.py, 0.17.0; checked on an installed 0.18.0, docs/recognition.md):

- a field is optional unless ``required=True``: left out, it is None and its type admits
  None; ``default=`` gives it that value (and the type does not admit None); a required
  field given a ``default=`` is optional (Protean warns and honours the default);
- ``Identifier(identifier=True)`` and ``Auto(...)`` generate their value: never required;
  ``Auto`` never is (``required`` is forced off), and admits None unless it is the identity;
- ``List(...)`` and ``Dict(...)`` default to an empty list/dict unless ``required=True``;
- a required ``String``/``Text`` must not be empty (``min_length`` 1); ``String`` is at
  most 255 characters unless ``max_length=`` says otherwise; ``min_value``/``max_value``
  bound numbers;
- the type: ``String``, ``Text``, ``Identifier`` and ``Auto`` hold ``str`` (``Auto(
  increment=True)``: ``int``), ``Integer`` ``int``, ``Float`` ``float``, ``Decimal``
  ``decimal.Decimal``, ``Boolean`` ``bool``, ``Date`` ``datetime.date``, ``DateTime``
  ``datetime.datetime``, ``List(content_type=C)`` a list of C (a field function, called
  or not, a ``ValueObject(VO)`` or a plain type), ``Dict(value_type=ValueObject(VO))`` a
  map of str to VO (``Dict()``: any JSON), ``ValueObject(VO)`` the value object itself,
  ``Status(E)`` and ``choices=E`` the enum's values, ``Custom(T)`` the type T.

A call is Protean's when its function is imported from ``protean`` (``protean.fields``,
older ``protean.core.field.basic``...): the name alone never makes it one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import libcst as cst

from ..syntax.expressions import dotted, is_true, keywords_of, last_part

# the field functions and the Python type each holds (None: read from its arguments)
_TYPES = {
    "String": "str", "Text": "str", "Identifier": "str", "Auto": "str", "Integer": "int",
    "Float": "float", "Decimal": "decimal.Decimal", "Boolean": "bool",
    "Date": "datetime.date", "DateTime": "datetime.datetime", "List": "list",
    "Dict": "dict", "ValueObject": None, "Status": "str", "Custom": None,
}
_DEFAULT_EMPTY = frozenset({"List", "Dict"})
_GENERATED = frozenset({"Identifier", "Auto"})
_BOUNDS = (("max_length", "max_length"), ("min_length", "min_length"),
           ("max_value", "le"), ("min_value", "ge"))


@dataclass(frozen=True)
class ProteanField:
    """One Protean field declaration as the built model has it."""

    kind: str  # the field function: ``Float``, ``List``, ``ValueObject``
    type_name: str | None  # the Python type held, canonical; None: ``content`` is the type
    required: bool  # must be given when the message is built
    nullable: bool  # its type admits None
    default: cst.BaseExpression | None  # the default as written (None: required or implied)
    constraints: dict[str, cst.BaseExpression]  # pydantic names: max_length, ge, le...
    content: cst.BaseExpression | None = None  # List's item type, Dict's value, ValueObject's class


def is_protean_call(node: cst.BaseExpression | None, qualify: Callable[[str], str]) -> bool:
    """Whether an expression calls (or, ``List(content_type=String)``, names) one of
    Protean's field functions, by the name it was imported under."""
    name = dotted(node.func) if isinstance(node, cst.Call) else dotted(node)
    if not name:
        return False
    qualified = qualify(name)
    return qualified.partition(".")[0] == "protean" and last_part(qualified) in _TYPES


def protean_field(node: cst.BaseExpression | None,
                  qualify: Callable[[str], str]) -> ProteanField | None:
    """The Protean field an expression declares, or None when it is not one."""
    if not is_protean_call(node, qualify):
        return None
    kind = last_part(qualify(dotted(node.func) if isinstance(node, cst.Call) else dotted(node)))
    call = node if isinstance(node, cst.Call) else cst.Call(func=node)
    keywords = keywords_of(call)
    positional = [a.value for a in call.args if a.keyword is None and not a.star]
    default = keywords.get("default")
    identifier = is_true(keywords.get("identifier"))
    increment = kind == "Auto" and is_true(keywords.get("increment"))
    asked = is_true(keywords.get("required")) and kind != "Auto"
    required = asked and default is None and not (identifier and kind in _GENERATED)
    # ``resolve_type``: None is admitted unless required, given a default (an empty
    # list or dict included) or the identity (an auto-increment one admits it)
    defaulted = default is not None or (kind in _DEFAULT_EMPTY and not asked)
    nullable = not asked and not defaulted and (not identifier or increment)
    type_name = "int" if increment else _TYPES[kind]
    content = None
    if kind == "List":
        content = keywords.get("content_type") or (positional[0] if positional else None)
    elif kind == "Dict":
        content = keywords.get("value_type") or (positional[0] if positional else None)
    elif kind == "ValueObject":
        content = keywords.get("value_object_cls") or (positional[0] if positional else None)
    elif kind in ("Status", "Custom"):  # the enum whose values it takes; the type it holds
        content = keywords.get("enum_cls") or keywords.get("python_type") or (
            positional[0] if positional else None)
    if keywords.get("choices") is not None:  # ``choices=Enum``: a Literal of its values
        content = keywords["choices"]
    constraints = {pydantic: keywords[written] for written, pydantic in _BOUNDS
                   if written in keywords}
    if kind == "String" and "max_length" not in keywords:
        constraints["max_length"] = cst.Integer("255")
    if kind in ("String", "Text") and required and "min_length" not in keywords:
        constraints["min_length"] = cst.Integer("1")
    return ProteanField(kind, type_name, required, nullable, default, constraints, content)


def default_of(field: ProteanField) -> cst.BaseExpression | None:
    """The default a field fact stands for: None when the field is required, else what
    Protean fills in (the written ``default=``, or None as a name)."""
    if field.required:
        return None
    return field.default if field.default is not None else cst.Name("None")
