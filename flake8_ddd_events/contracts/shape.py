"""The wire shape of a class: its fields as producers write them, each type read
structurally, as JSON a lock holds and a comparison walks.

A shape is ``{"fields": {wire name: field}, "positional": true?, "types": {...}?}``:

- a field is ``{"type": T, "required": bool, "nullable": bool}`` plus, when they apply,
  ``"attribute"`` (the Python name, when the wire name differs: information only),
  ``"position"`` (in a positional format: NamedTuple, msgspec ``array_like=True``) and
  ``"omittable": true`` (the producer may leave it out: msgspec ``omit_defaults`` with a
  default, a TypedDict key that is not required);
- the wire name comes from pydantic ``Field(alias=…)``/``serialization_alias`` and the
  model's ``alias_generator`` (``to_camel``, ``to_pascal``, ``to_snake``), msgspec
  ``field(name=…)`` and the Struct's ``rename=`` policy; a pydantic ``Field(exclude=True)``
  is not on the wire;
- a type T is one of ``{"name": "str"}`` (a builtin or standard type, canonical name),
  ``{"array": T}`` (``"unique": true`` for sets), ``{"tuple": [T, …]}``, ``{"map": [K, V]}``,
  ``{"union": [T, …]}``, ``{"literal": [values]}``, ``{"enum": [values], "class": name}``
  (members' values, ``auto()`` resolved as Python does), ``{"ref": name}`` (a project
  value object in ``types``, expanded by its own fields: shared and recursive types once),
  ``{"name": dotted, "unread": true}`` (a class that is not read: an installed library's)
  or ``{"unread": code}`` (an expression that is not a type); a type read through an
  alias says so (``"alias": name``, information only); each with
  ``"constraints"`` when it has some (``gt``, ``ge``, ``lt``, ``le``, ``multiple_of``,
  ``min_length``, ``max_length``, ``pattern``);
- aliases (``Sku = str``, ``Sku: TypeAlias = str``, ``type Sku = str``) and ``NewType``
  are their targets: their names are not on the wire; ``Annotated[X, …]`` is X with its
  constraints.

Everything is read from the facts and the project model: nothing is imported.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable

import libcst as cst

from ..analysis.dataclass_fields import Style, declares_protean_fields, has_default, own_fields, style
from ..syntax.expressions import dict_literal_items, dotted, is_true, keywords_of, last_part, names_in
from ..syntax.facts import FieldFact, ModuleFacts
from ..model.project_model import ProjectModel
from ..model.views import ClassView, External, Unknown
from ..analysis.recognition import is_data_shaped, qualified_of
from .typenames import LITERAL, NONE, UNION, UNREAD, TypeRef, literal, read_type

Shape = dict[str, Any]

PRIMITIVES = frozenset({
    "str", "int", "float", "bool", "bytes", "bytearray", "decimal.Decimal", "uuid.UUID",
    "datetime.datetime", "datetime.date", "datetime.time", "datetime.timedelta",
    "typing.Any", "object", NONE,
})
_ARRAYS = {"list": False, "set": True, "frozenset": True, "collections.abc.Sequence": False,
           "collections.abc.MutableSequence": False, "collections.abc.Set": True,
           "collections.abc.MutableSet": True, "collections.abc.Collection": False,
           "collections.abc.Iterable": False, "collections.deque": False}
_MAPS = frozenset({"dict", "collections.abc.Mapping", "collections.abc.MutableMapping",
                   "collections.OrderedDict", "collections.defaultdict"})
_WRAPPERS = frozenset({"typing.Required", "typing.NotRequired", "typing.ReadOnly",
                       "typing.Final"})
_ENUM_BASES = frozenset({"Enum", "IntEnum", "StrEnum", "Flag", "IntFlag"})
_FIELD_CALLS = frozenset({"field", "Field", "ib", "attrib"})
_CONSTRAINTS = ("gt", "ge", "lt", "le", "multiple_of", "min_length", "max_length", "pattern")
_POSITIONAL_CONSTRAINTS = {"Gt": "gt", "Ge": "ge", "Lt": "lt", "Le": "le",
                           "MultipleOf": "multiple_of", "MinLen": "min_length",
                           "MaxLen": "max_length"}
MAX_DEPTH = 24  # aliases of aliases, nested generics


@dataclass(frozen=True)
class WireField:
    """A field of a class as the wire has it, with where it is declared."""

    wire: str
    spec: Shape
    fact: FieldFact
    owner: ClassView


def class_shape(view: ClassView) -> tuple[Shape, list[WireField]]:
    """The wire shape of a class (with the project types it refers to in ``types``) and
    its fields in declaration order."""
    types: dict[str, Shape] = {}
    reader = _Reader(view.model, types)
    fields = reader.fields(view)
    shape = _object(fields, _is_positional(view))
    if types:
        shape["types"] = dict(sorted(types.items()))
    return shape, fields


def _object(fields: list[WireField], positional: bool) -> Shape:
    shape: Shape = {"fields": {f.wire: f.spec for f in sorted(fields, key=lambda f: f.wire)}}
    if positional:
        shape["positional"] = True
    return shape


def module_qualifier(model: ProjectModel, facts: ModuleFacts, scope: str | None = None,
                     classes: dict[str, ClassView] | None = None) -> Callable[[str], str]:
    """Qualifies a name written in a module (in the body of class ``scope``): a project
    class by the module that defines it, an imported name by its import, a name the
    module binds at its top level (an alias) by the module, a builtin bare. The project
    classes resolved are noted in ``classes``, by qualified name."""
    def qualify(name: str) -> str:
        resolved = model.resolve(facts, name, scope=scope)
        if isinstance(resolved, ClassView) and classes is not None:
            classes.setdefault(qualified_of(resolved), resolved)
        if isinstance(resolved, (External, ClassView)):
            return qualified_of(resolved)
        assert isinstance(resolved, Unknown)
        if name.partition(".")[0] in facts.assignments and facts.module:
            return f"{facts.module}.{name}"
        return facts.qualify(name)

    return qualify


def annotation_shape(model: ProjectModel, facts: ModuleFacts, scope: str | None,
                     annotation: cst.BaseExpression | None,
                     types: dict[str, Shape]) -> tuple[Shape, bool]:
    """The shape of one annotation written in a module (in the body of class ``scope``)
    and whether it admits None; the project types it refers to go into ``types``. For a
    field that is not a class attribute: a parameter eventsourcing makes an event field."""
    qualify = module_qualifier(model, facts, scope)
    ref, nullable = read_type(annotation, qualify)
    shape = _Reader(model, types).type(ref, qualify)
    return shape, nullable or bool(shape.pop("nullable", False))


def annotation_of(fact: FieldFact) -> cst.BaseExpression | None:
    """The annotation, or the ``type=`` of attrs' un-annotated ``x = attr.ib(type=int)``."""
    if fact.annotation is not None:
        return fact.annotation
    if isinstance(fact.default, cst.Call):
        return keywords_of(fact.default).get("type")
    return None


def is_field(fact: FieldFact) -> bool:
    """Not a private attribute, a class variable or dataclasses' ``KW_ONLY`` marker."""
    names = names_in(fact.annotation)
    return not fact.name.startswith("_") and not (
        names and last_part(names[0]) in ("ClassVar", "KW_ONLY"))


# -- frameworks -------------------------------------------------------------------------
def _bases(view: ClassView) -> set[str]:
    return {last_part(w) for w, _ in view.ancestors()}


def _is_positional(view: ClassView) -> bool:
    return style(view) is Style.NAMEDTUPLE or (
        style(view) is Style.MSGSPEC and is_true(_msgspec_options(view).get("array_like")))


def _msgspec_options(view: ClassView) -> dict[str, cst.BaseExpression]:
    """The Struct's options, a base's first and the class's own over them."""
    found: dict[str, cst.BaseExpression] = {}
    for owner in reversed(view.mro):
        found.update(owner.cls.keywords)
    return found


def _pydantic_config(view: ClassView) -> dict[str, cst.BaseExpression]:
    """The model's configuration: ``model_config = ConfigDict(…)``, an inner ``Config``,
    class keywords; a base's first and the class's own over them."""
    found: dict[str, cst.BaseExpression] = {}
    for owner in reversed(view.mro):
        config = owner.cls.assignments.get("model_config") or next(
            (f.default for f in owner.cls.fields if f.name == "model_config"), None)
        if isinstance(config, cst.Call):
            found.update(keywords_of(config))
        elif isinstance(config, cst.Dict):
            found.update(dict_literal_items(config))
        inner = owner.facts.classes.get(f"{owner.cls.qualname}.Config")
        if inner is not None:
            found.update(inner.assignments)
        found.update(owner.cls.keywords)
    return found


def _words(name: str) -> list[str]:
    return [w for w in name.split("_") if w]


def _camel(name: str) -> str:
    words = _words(name)
    return (words[0] + "".join(w[:1].upper() + w[1:] for w in words[1:])) if words else name


def _pascal(name: str) -> str:
    return "".join(w[:1].upper() + w[1:] for w in _words(name)) or name


_PYDANTIC_GENERATORS: dict[str, Callable[[str], str]] = {
    "pydantic.alias_generators.to_camel": _camel,
    "pydantic.alias_generators.to_pascal": _pascal,
    "pydantic.alias_generators.to_snake": lambda name: name,
}
_MSGSPEC_RENAMES: dict[str, Callable[[str], str]] = {
    "lower": str.lower, "upper": str.upper, "camel": _camel, "pascal": _pascal,
    "kebab": lambda name: name.replace("_", "-"),
}


def _string(node: cst.BaseExpression | None) -> str | None:
    found = literal(node)
    return found.value if found is not None and isinstance(found.value, str) else None


def _namer(view: ClassView) -> Callable[[str], str | None]:
    """The wire name of an attribute without a name of its own; None when the policy
    cannot be read (a function of the project's, say)."""
    kind = style(view)
    if kind is Style.PYDANTIC:
        generator = _pydantic_config(view).get("alias_generator")
        if generator is None:
            return lambda name: name
        if isinstance(generator, cst.Call) and last_part(dotted(generator.func)) == "AliasGenerator":
            keywords = keywords_of(generator)
            generator = keywords.get("serialization_alias") or keywords.get("alias")
        known = _PYDANTIC_GENERATORS.get(view.facts.qualify(dotted(generator)))
        return known if known is not None else (lambda name: None)
    if kind is Style.MSGSPEC:
        rename = _msgspec_options(view).get("rename")
        if rename is None or (isinstance(rename, cst.Name) and rename.value == "None"):
            return lambda name: name
        policy = _string(rename)
        if policy is not None and policy in _MSGSPEC_RENAMES:
            return _MSGSPEC_RENAMES[policy]
        if isinstance(rename, cst.Dict):
            names = {k: _string(v) for k, v in dict_literal_items(rename).items()}
            return lambda name: names.get(name, name)
        return lambda name: None
    return lambda name: name


# -- reading ----------------------------------------------------------------------------
class _Reader:
    """Reads fields and types, collecting the project's object types in ``types``."""

    def __init__(self, model: ProjectModel, types: dict[str, Shape]) -> None:
        self.model = model
        self.types = types
        # what names read so far resolved to, and the modules read: the module being
        # checked is read from its facts (its source may differ from its file, or have none)
        self.classes: dict[str, ClassView] = {}
        self.modules: dict[str, ModuleFacts] = {}

    def qualifier(self, facts: ModuleFacts, scope: str | None = None) -> Callable[[str], str]:
        """``module_qualifier``, noting the classes it resolves and the module."""
        self.modules.setdefault(facts.module, facts)
        return module_qualifier(self.model, facts, scope, self.classes)

    def fields(self, view: ClassView) -> list[WireField]:
        kind = style(view)
        typed_dict = "TypedDict" in _bases(view)
        omit_defaults = kind is Style.MSGSPEC and is_true(
            _msgspec_options(view).get("omit_defaults"))
        namer = _namer(view)
        found: dict[str, WireField] = {}
        for owner in reversed(view.mro):
            qualify = self.qualifier(owner.facts, owner.cls.qualname)
            total = not (typed_dict and _is_false(owner.cls.keywords.get("total")))
            for fact in own_fields(owner):
                if not is_field(fact) or (kind is Style.PYDANTIC and fact.name == "model_config"):
                    continue
                found.pop(fact.name, None)
                wire = self._field(fact, owner, qualify, namer, kind, typed_dict and total,
                                   omit_defaults, typed_dict)
                if wire is not None:
                    found[fact.name] = wire
        ordered = list(found.values())
        if _is_positional(view):
            ordered = [WireField(f.wire, {**f.spec, "position": i}, f.fact, f.owner)
                       for i, f in enumerate(ordered)]
        return ordered

    def _field(self, fact: FieldFact, owner: ClassView, qualify: Callable[[str], str],
               namer: Callable[[str], str | None], kind: Style, total: bool,
               omit_defaults: bool, typed_dict: bool) -> WireField | None:
        ref, nullable = read_type(annotation_of(fact), qualify)
        required = not has_default(fact)
        while ref.name in _WRAPPERS and ref.args:  # TypedDict's Required, NotRequired
            if ref.name in ("typing.Required", "typing.NotRequired"):
                total = ref.name == "typing.Required"
            ref, admits_none = _without_none(ref.args[0])
            nullable = nullable or admits_none
        if typed_dict:
            required = total
        call = fact.default if isinstance(fact.default, cst.Call) and last_part(
            dotted(fact.default.func)) in _FIELD_CALLS else None
        keywords = keywords_of(call) if call is not None else {}
        for meta in ref.meta:  # ``Annotated[int, Field(alias="x")]``
            if isinstance(meta, cst.Call) and last_part(dotted(meta.func)) == "Field":
                keywords = {**keywords_of(meta), **keywords}
        if kind is Style.PYDANTIC and is_true(keywords.get("exclude")):
            return None
        name = None
        if kind is Style.PYDANTIC:
            name = _string(keywords.get("serialization_alias")) or _string(keywords.get("alias"))
        elif kind is Style.MSGSPEC:
            name = _string(keywords.get("name"))
        spec: Shape = {}
        if name is None:
            name = namer(fact.name)
            if name is None:
                name = fact.name
                spec["name_unread"] = True
        type_shape = self.type(ref, qualify, _constraints((), keywords))
        if type_shape.pop("nullable", False):
            nullable = True
        spec.update({"type": type_shape, "required": required, "nullable": nullable})
        if name != fact.name:
            spec["attribute"] = fact.name
        if (omit_defaults or typed_dict) and not required:
            spec["omittable"] = True
        return WireField(name, dict(sorted(spec.items())), fact, owner)

    def type(self, ref: TypeRef, qualify: Callable[[str], str],
             extra: dict[str, Any] | None = None, depth: int = 0) -> Shape:
        """The shape of a type; ``"nullable": true`` in it when an alias admits None (the
        caller takes it out)."""
        shape = self._type(ref, qualify, depth)
        constraints = {**_constraints(ref.meta), **(extra or {})}
        if constraints:
            shape["constraints"] = {**shape.get("constraints", {}), **constraints}
        return shape

    def _type(self, ref: TypeRef, qualify: Callable[[str], str], depth: int) -> Shape:
        name = ref.name
        if depth > MAX_DEPTH:
            return {"unread": str(ref)}
        if name == UNION:
            return _union([self._inner(a, qualify, depth) for a in ref.args])
        if name == LITERAL:
            return {"literal": [a.value for a in ref.args]}
        if name == UNREAD:
            return {"unread": ref.value}
        if name == "...":
            return {"name": "..."}
        if name in _WRAPPERS and ref.args:
            return self.type(ref.args[0], qualify, depth=depth + 1)
        if name in PRIMITIVES:
            return {"name": name}
        if name in _ARRAYS or (name == "tuple" and len(ref.args) == 2
                               and ref.args[1].name == "..."):
            shape: Shape = {"array": self._inner(ref.args[0], qualify, depth) if ref.args
                            else {"name": "typing.Any"}}
            if _ARRAYS.get(name):
                shape["unique"] = True
            return shape
        if name == "tuple":
            return {"tuple": [self._inner(a, qualify, depth) for a in ref.args]}
        if name in _MAPS:
            args = [self._inner(a, qualify, depth) for a in ref.args] if len(ref.args) == 2 \
                else [{"name": "typing.Any"}, {"name": "typing.Any"}]
            return {"map": args}
        return self._named(ref, depth)

    def _inner(self, ref: TypeRef, qualify: Callable[[str], str], depth: int) -> Shape:
        """A type inside another: an alias that admits None is a union with None."""
        shape = self.type(ref, qualify, depth=depth + 1)
        if shape.pop("nullable", False):
            shape = _union([shape, {"name": NONE}])
        return shape

    def _named(self, ref: TypeRef, depth: int) -> Shape:
        name = ref.name
        resolved = self.classes.get(name) or self.model.resolve_qualified(name)
        if isinstance(resolved, ClassView):
            if _bases(resolved) & _ENUM_BASES:
                return _enum(resolved, name)
            if is_data_shaped(resolved) or declares_protean_fields(resolved):
                if name not in self.types:
                    self.types[name] = {}  # a type that refers to itself ends here
                    self.types[name] = _object(self.fields(resolved), _is_positional(resolved))
                return {"ref": name}
        else:
            target = self._alias(name, depth)
            if target is not None:
                return target
        return {"name": name, "unread": True}

    def _alias(self, name: str, depth: int) -> Shape | None:
        """The target of an alias or a NewType, read where it is bound."""
        parts = name.split(".")
        for split in range(len(parts) - 1, 0, -1):
            module = ".".join(parts[:split])
            facts = self.modules.get(module) or self.model.module(module)
            if facts is None:
                continue
            found = self.model.assigned(facts, ".".join(parts[split:]))
            if found is None:
                return None
            where, value = found
            qualify = self.qualifier(where)
            if isinstance(value, cst.Call) and last_part(dotted(value.func)) in (
                    "NewType", "TypeAliasType") and len(value.args) >= 2:
                value = value.args[1].value
            target, nullable = read_type(value, qualify)
            if target.name == UNREAD:
                return None
            shape = self.type(target, qualify, depth=depth + 1)
            shape["alias"] = name  # information: where it was read (not on the wire)
            if nullable:
                shape["nullable"] = True
            return shape
        return None


def _without_none(ref: TypeRef) -> tuple[TypeRef, bool]:
    if ref.name == NONE:
        return ref, True
    if ref.name == UNION and any(a.name == NONE for a in ref.args):
        rest = tuple(a for a in ref.args if a.name != NONE)
        return (rest[0] if len(rest) == 1 else TypeRef(UNION, rest, meta=ref.meta)), True
    return ref, False


def _is_false(node: cst.BaseExpression | None) -> bool:
    return isinstance(node, cst.Name) and node.value == "False"


def _union(members: list[Shape]) -> Shape:
    flat: dict[str, Shape] = {}
    for member in members:
        for item in member.get("union", [member]):
            flat.setdefault(json.dumps(item, sort_keys=True), item)
    if len(flat) == 1:
        return next(iter(flat.values()))
    return {"union": [flat[key] for key in sorted(flat)]}


def _number(node: cst.BaseExpression) -> int | float | str | None:
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        inner = _number(node.expression)
        return -inner if isinstance(inner, (int, float)) else None
    if isinstance(node, cst.Integer):
        return int(node.value.replace("_", ""), 0)
    if isinstance(node, cst.Float):
        return float(node.value.replace("_", ""))
    return _string(node)


def _constraints(meta, keywords: dict[str, cst.BaseExpression] | None = None) -> dict[str, Any]:
    """Constraints of annotated-types (``Gt(0)``, ``MaxLen(5)``, ``Len(1, 5)``,
    ``Interval(gt=0)``), pydantic ``Field``/``constr``/``StringConstraints`` and msgspec
    ``Meta`` bounds, lengths and patterns; ``keywords``: a field call's."""
    found: dict[str, Any] = {}
    calls = [m for m in meta if isinstance(m, cst.Call)]
    for call in calls:
        kind = last_part(dotted(call.func))
        positional = [a.value for a in call.args if a.keyword is None and not a.star]
        if kind in _POSITIONAL_CONSTRAINTS and positional:
            value = _number(positional[0])
            if value is not None:
                found[_POSITIONAL_CONSTRAINTS[kind]] = value
        elif kind == "Len":
            for key, node in zip(("min_length", "max_length"), positional):
                value = _number(node)
                if value is not None:
                    found[key] = value
        if kind in ("Len", "Interval", "Field", "Meta", "StringConstraints") or kind.startswith(
                "con"):
            found.update(_keyword_constraints(keywords_of(call)))
    if keywords:
        found.update(_keyword_constraints(keywords))
    return dict(sorted(found.items()))


def _keyword_constraints(keywords: dict[str, cst.BaseExpression]) -> dict[str, Any]:
    found = {}
    for key in _CONSTRAINTS:
        node = keywords.get(key) or (keywords.get("regex") if key == "pattern" else None)
        value = _number(node) if node is not None else None
        if value is not None:
            found[key] = value
    return found


def _enum(view: ClassView, name: str) -> Shape:
    """An enum's members' values, ``auto()`` resolved as ``Enum``, ``IntEnum``,
    ``StrEnum`` and ``Flag`` resolve it."""
    bases = _bases(view)
    values: list[Any] = []
    counted: list[Any] = []  # the values as ``auto()`` counts them, before a mixin converts
    for member, node in view.cls.assignments.items():
        if member.startswith("_"):
            continue
        if isinstance(node, cst.Call) and last_part(dotted(node.func)) == "auto":
            if "StrEnum" in bases:
                values.append(member.lower())
            elif bases & {"Flag", "IntFlag"}:
                last = max((v for v in values if isinstance(v, int)), default=0)
                values.append(1 << last.bit_length() if last else 1)
            else:
                last = next((v for v in reversed(counted) if isinstance(v, int)
                             and not isinstance(v, bool)), 0)
                counted.append(last + 1)
                # a ``str`` mixin (``class Channel(str, Enum)``) makes the number a string
                values.append(str(last + 1) if "str" in bases else last + 1)
            continue
        found = literal(node)
        if found is None or isinstance(found.value, bool):
            number = _number(node)
            if not isinstance(number, float):
                return {"enum": None, "class": name, "unread": True}
            values.append(number)
            counted.append(number)
        else:
            values.append(found.value)
            counted.append(found.value)
    return {"class": name, "enum": sorted(set(values), key=lambda v: (type(v).__name__,
                                                                      str(v)))}


def render(shape: Shape | None) -> str:
    """A type as a message shows it: ``str``, ``list[Address]``, ``int | None``."""
    if shape is None:
        return "nothing"
    if "union" in shape:
        return " | ".join(render(m) for m in shape["union"])
    if "array" in shape:
        return f"{'set' if shape.get('unique') else 'list'}[{render(shape['array'])}]"
    if "tuple" in shape:
        return f"tuple[{', '.join(render(m) for m in shape['tuple'])}]"
    if "map" in shape:
        return f"dict[{', '.join(render(m) for m in shape['map'])}]"
    if "literal" in shape:
        return f"Literal[{', '.join(map(repr, shape['literal']))}]"
    if "enum" in shape:
        return f"{last_part(shape['class'])}{shape['enum'] or ''}"
    if "ref" in shape:
        return last_part(shape["ref"])
    if "name" in shape:
        return shape["name"]
    return str(shape.get("unread"))
