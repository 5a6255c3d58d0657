"""An annotation as a contract sees it: a canonical type, and whether it admits None.

Two annotations that mean the same type give the same ``TypeRef``: ``Optional[X]``,
``Union[X, None]`` and ``X | None`` are ``X`` made nullable; ``typing.List`` is ``list``,
``typing.Sequence`` is ``collections.abc.Sequence``; ``Annotated[X, ...]`` is ``X``; a
union's members and a ``Literal``'s values are sorted; names are qualified through the
module's imports (``UUID`` imported from ``uuid`` is ``uuid.UUID``, builtins stay bare).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable

import libcst as cst

from ..analysis.protean_fields import ProteanField, protean_field
from ..syntax.expressions import parse_forward_reference, dotted

# typing's aliases of builtins and collections, by the name they stand for
_ALIASES = {
    "typing.List": "list", "typing.Dict": "dict", "typing.Set": "set",
    "typing.FrozenSet": "frozenset", "typing.Tuple": "tuple", "typing.Type": "type",
    "typing.Text": "str", "typing.DefaultDict": "collections.defaultdict",
    "typing.OrderedDict": "collections.OrderedDict", "typing.Deque": "collections.deque",
    "typing.Counter": "collections.Counter", "typing.ChainMap": "collections.ChainMap",
    **{f"typing.{name}": f"collections.abc.{name}" for name in (
        "Sequence", "MutableSequence", "Mapping", "MutableMapping", "Iterable", "Iterator",
        "Collection", "Container", "MutableSet", "Callable")},
    "typing.AbstractSet": "collections.abc.Set",
}
UNION = "|"
LITERAL = "typing.Literal"
VALUE = "="  # one value of a Literal
UNREAD = "?"  # an expression that is not a type name
NONE = "None"


@dataclass(frozen=True)
class TypeRef:
    """A type: a qualified name with arguments, a union (``|``), a literal value (``=``)
    or an expression that is not read (``?``, its code in ``value``)."""

    name: str
    args: tuple[TypeRef, ...] = ()
    value: object = None
    # what ``Annotated[X, ...]`` adds to X (constraints, pydantic ``Field``), or the call of
    # pydantic's ``constr(...)``/``conint(...)``: not part of the type's name
    meta: tuple[cst.BaseExpression, ...] = field(default=(), compare=False)

    def __str__(self) -> str:
        if self.name == UNION:
            return " | ".join(map(str, self.args))
        if self.name == VALUE:
            return repr(self.value)
        if self.name == UNREAD:
            return str(self.value)
        if self.args:
            return f"{self.name}[{', '.join(map(str, self.args))}]"
        return self.name


ANY = TypeRef("typing.Any")


def canonical(qualified: str) -> str:
    """One name for each type: builtins bare, typing_extensions as typing, typing's
    aliases as what they stand for."""
    name = qualified.removeprefix("builtins.")
    if name.startswith("typing_extensions."):
        name = "typing." + name.partition(".")[2]
    return _ALIASES.get(name, name)


def read_type(node: cst.BaseExpression | None,
              qualify: Callable[[str], str]) -> tuple[TypeRef, bool]:
    """The type of an annotation without None, and whether it admits None. ``qualify``
    turns a dotted name as written into its qualified name. No annotation is Any."""
    if node is None:
        return ANY, False
    ref = _read(node, qualify)
    if ref.name == NONE:
        return ref, True
    if ref.name == UNION and any(a.name == NONE for a in ref.args):
        rest = [a for a in ref.args if a.name != NONE]
        found = _union(rest)
        return replace(found, meta=found.meta + ref.meta), True
    return ref, False


def _union(members: list[TypeRef]) -> TypeRef:
    flat: dict[str, TypeRef] = {}
    for member in members:
        for item in (member.args if member.name == UNION else (member,)):
            flat.setdefault(str(item), item)
    if len(flat) == 1:
        return next(iter(flat.values()))
    return TypeRef(UNION, tuple(flat[key] for key in sorted(flat)))


def _read(node: cst.BaseExpression, qualify: Callable[[str], str]) -> TypeRef:
    if isinstance(node, cst.SimpleString):
        inner = parse_forward_reference(node)
        return _read(inner, qualify) if inner is not None else _unread(node)
    if isinstance(node, cst.Name) and node.value == NONE:
        return TypeRef(NONE)
    if isinstance(node, (cst.Name, cst.Attribute)):
        name = dotted(node)
        return TypeRef(canonical(qualify(name))) if name else _unread(node)
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
        return _union([_read(node.left, qualify), _read(node.right, qualify)])
    if isinstance(node, cst.Ellipsis):
        return TypeRef("...")
    if isinstance(node, cst.List):  # Callable[[A, B], R]
        return TypeRef("[]", tuple(_read(e.value, qualify) for e in node.elements))
    if isinstance(node, cst.Subscript):
        return _subscript(node, qualify)
    if isinstance(node, cst.Call):
        base = _CONSTRAINED.get(canonical(qualify(dotted(node.func))))
        if base is not None:
            return TypeRef(base, meta=(node,))
        spec = protean_field(node, qualify)
        if spec is not None:
            return _protean(spec, qualify)
    return _unread(node)


def _protean(spec: ProteanField, qualify: Callable[[str], str]) -> TypeRef:
    """The type of a Protean field (``analysis/protean_fields.py``): admitting None when
    the field is optional without a default, its constraints as a pydantic ``Field``."""
    if spec.kind in ("ValueObject", "Status", "Custom") or (
            spec.content is not None and spec.kind not in ("List", "Dict")):
        ref = _read(spec.content, qualify) if spec.content is not None else ANY
    elif spec.kind == "List":
        ref = TypeRef("list", (_item(spec.content, qualify),))
    elif spec.kind == "Dict" and spec.content is not None:
        ref = TypeRef("dict", (TypeRef("str"), _item(spec.content, qualify)))
    else:
        ref = TypeRef(spec.type_name or "typing.Any")
    if spec.constraints:
        bounds = cst.Call(cst.Name("Field"), [cst.Arg(value, keyword=cst.Name(key))
                                              for key, value in spec.constraints.items()])
        ref = replace(ref, meta=(bounds,))
    return _union([ref, TypeRef(NONE)]) if spec.nullable else ref


def _item(node: cst.BaseExpression | None, qualify: Callable[[str], str]) -> TypeRef:
    """A Protean container's item type: a field function (called or not, never None
    inside the list), a ``ValueObject(VO)``, or a plain type."""
    if node is None:
        return ANY
    spec = protean_field(node, qualify)
    if spec is None:
        return _read(node, qualify)
    ref = _protean(spec, qualify)
    return _union([a for a in ref.args if a.name != NONE]) if ref.name == UNION else ref


# pydantic's constrained types, by what they constrain
_CONSTRAINED = {f"pydantic.con{name}": base for name, base in (
    ("str", "str"), ("int", "int"), ("float", "float"), ("decimal", "decimal.Decimal"),
    ("bytes", "bytes"))}


def _subscript(node: cst.Subscript, qualify: Callable[[str], str]) -> TypeRef:
    name = dotted(node.value)
    if not name:
        return _unread(node)
    base = canonical(qualify(name))
    elements = [e.slice.value for e in node.slice if isinstance(e.slice, cst.Index)]
    if len(elements) != len(node.slice) or not elements:
        return _unread(node)
    if base == "typing.Optional":
        return _union([_read(elements[0], qualify), TypeRef(NONE)])
    if base == "typing.Union":
        return _union([_read(e, qualify) for e in elements])
    if base == "typing.Annotated":
        inner = _read(elements[0], qualify)
        return replace(inner, meta=inner.meta + tuple(elements[1:]))
    if base == LITERAL:
        values = [literal(e) for e in elements]
        if any(v is None for v in values):
            return _unread(node)
        nulls = [TypeRef(NONE)] if any(v.value is None for v in values) else []
        kept = sorted({repr(v.value): v for v in values if v.value is not None}.items())
        members = [TypeRef(LITERAL, tuple(v for _, v in kept))] if kept else []
        return _union(members + nulls)
    return TypeRef(base, tuple(_read(e, qualify) for e in elements))


def literal(node: cst.BaseExpression | None) -> TypeRef | None:
    """A literal value (a string, a whole number, True, False or None) as a ``TypeRef``
    whose ``value`` it is; None for anything else."""
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return TypeRef(VALUE, value=value) if isinstance(value, str) else None
    if isinstance(node, cst.Integer):
        return TypeRef(VALUE, value=_integer(node))
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus) \
            and isinstance(node.expression, cst.Integer):
        return TypeRef(VALUE, value=-_integer(node.expression))
    if isinstance(node, cst.Name) and node.value in ("True", "False", "None"):
        return TypeRef(VALUE, value={"True": True, "False": False, "None": None}[node.value])
    return None


def _integer(node: cst.Integer) -> int:
    return int(node.value.replace("_", ""), 0) if node.value.strip("0_") else 0


def _unread(node: cst.CSTNode) -> TypeRef:
    code = cst.Module([]).code_for_node(node)
    return TypeRef(UNREAD, value=" ".join(code.split()))
