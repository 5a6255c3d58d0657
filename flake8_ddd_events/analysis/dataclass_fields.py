"""How data-class frameworks see a class: frozen or not, and its init fields; and
the fields a plain class declares in its ``__init__``.

Shared by the immutability rules and the fixer: one place that knows what
``@dataclass(frozen=True)``, ``@attrs.frozen``, pydantic config, msgspec
options and NamedTuple mean.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from typing import Iterator

import libcst as cst

from ..syntax.expressions import (dict_literal_items, dotted, is_false, is_true, keywords_of,
                                  last_part)
from ..syntax.facts import Decorator, FieldFact
from .protean_fields import default_of, is_protean_call, protean_field
from .library_bases import chain_complete, known_base, library_frozen, library_positional_defaults
from ..model.views import ClassView, External, Memo, Unknown


class Style(enum.Enum):
    DATACLASS = "dataclass"
    ATTRS = "attrs"
    PYDANTIC = "pydantic"
    MSGSPEC = "msgspec"
    NAMEDTUPLE = "NamedTuple"
    PLAIN = "plain"


_ATTRS_NAMES = frozenset({"s", "attrs", "define", "frozen", "mutable", "dataclass", "attributes"})
# dataclasses/attrs/pydantic field functions: ``x: T = field(default=...)``
FIELD_CALLS = frozenset({"field", "ib", "attrib", "Field"})


def class_decorator(view: ClassView) -> tuple[Style, Decorator] | None:
    """The dataclass or attrs decorator of a class, if it has one."""
    for decorator in view.cls.decorators:
        qualified = view.facts.qualify(decorator.name)
        package = qualified.partition(".")[0]
        name = last_part(qualified)
        if name == "dataclass" and package in ("dataclasses", "pydantic", "dataclass"):
            return Style.DATACLASS, decorator
        if package in ("attr", "attrs") and name in _ATTRS_NAMES:
            return Style.ATTRS, decorator
    return None


def style(view: ClassView) -> Style:
    """The framework that shapes a class (its own decorator first, then its bases)."""
    return view.remembered(_STYLE, _style)


_STYLE: Memo[Style] = Memo("style")


def _style(view: ClassView) -> Style:
    own = class_decorator(view)
    if own is not None:
        return own[0]
    use_table = view.model.settings.known_bases
    for written, resolved in view.ancestors():
        qualified = resolved.qualified if isinstance(resolved, External) else ""
        name = last_part(written)
        if name == "NamedTuple":
            return Style.NAMEDTUPLE
        library = known_base(resolved) if use_table else None
        if name == "BaseModel" or qualified.startswith("pydantic.") or (
                library is not None and library.shape == "pydantic"):
            return Style.PYDANTIC
        if name == "Struct" and (qualified.startswith("msgspec.") or not qualified):
            return Style.MSGSPEC
        if isinstance(resolved, ClassView):
            found = class_decorator(resolved)
            if found and found[0] is Style.ATTRS:
                return Style.ATTRS
    return Style.PLAIN


def own_frozen(view: ClassView) -> bool | None:
    """What the class itself says about immutability: True, False, or nothing."""
    found = class_decorator(view)
    if found is not None:
        kind, decorator = found
        frozen = decorator.keywords.get("frozen")
        if kind is Style.ATTRS and last_part(view.facts.qualify(decorator.name)) == "frozen":
            return True
        if is_true(frozen):
            return True
        if kind is Style.DATACLASS and not _frozen_is_dynamic(view) or is_false(frozen):
            return False
        return None  # attrs without frozen: inherits from a frozen attrs base
    keyword = view.cls.keywords.get("frozen")
    if keyword is not None:
        return True if is_true(keyword) else False if is_false(keyword) else None
    config = view.cls.assignments.get("model_config")
    if config is not None:
        frozen = dict_literal_items(config).get("frozen")
        if frozen is not None:
            return is_true(frozen)
    for inner in view.cls.inner_classes:
        inner_cls = view.facts.classes.get(inner)
        if inner_cls is not None and inner_cls.name == "Config":
            if "frozen" in inner_cls.assignments:
                return is_true(inner_cls.assignments["frozen"])
            if "allow_mutation" in inner_cls.assignments:
                return is_false(inner_cls.assignments["allow_mutation"])
    return None


def _frozen_is_dynamic(view: ClassView) -> bool:
    """Whether frozen-ness is an expression known only at run time: ``frozen=<expression>``
    (not a literal True/False) or ``**options`` in the decorator call or class keywords,
    or a metaclass along the chain, of the project's or unknown, that may remake the class
    (eventsourcing's ``MetaDomainEvent`` makes each event a frozen dataclass), or a
    hand-written ``__setattr__`` along the chain that decides what may be set (Protean's
    raises once the instance is built)."""
    if any(_remaking_metaclass(owner) or owner.cls.method("__setattr__") is not None
           for owner in view.mro):  # both are inherited
        return True
    found = class_decorator(view)
    values = [view.cls.keywords.get("frozen")]
    if found is not None:
        values.append(found[1].keywords.get("frozen"))
        if found[1].unpacks:
            return True
    return any(v is not None and not is_true(v) and not is_false(v) for v in values)


# metaclasses that leave a class as written
_PLAIN_METACLASSES = frozenset({"type", "builtins.type", "abc.ABCMeta", "ABCMeta", "enum.EnumMeta", "enum.EnumType"})


def _remaking_metaclass(view: ClassView) -> bool:
    metaclass = view.cls.keywords.get("metaclass")
    if metaclass is None:
        return False
    name = dotted(metaclass)
    if not name:
        return True
    resolved = view.model.resolve(view.facts, name, scope=view.cls.parent)
    if isinstance(resolved, External):
        return resolved.qualified not in _PLAIN_METACLASSES
    return not (isinstance(resolved, Unknown) and name in _PLAIN_METACLASSES)


def declares_state(view: ClassView) -> bool:
    cls = view.cls
    return bool(cls.fields) or cls.method("__init__") is not None or any(
        m.self_assignments for m in cls.methods)


def declares_instance_state(view: ClassView) -> bool:
    """Like ``declares_state``, but in a plain class (no dataclass, attrs, pydantic...) an
    annotated attribute given a value is the class's own (``registry: Registry =
    Registry()``), shared by every instance: no instance of it holds state it declares."""
    if style(view) is not Style.PLAIN:
        return declares_state(view)
    cls = view.cls
    return any(f.default is None for f in cls.fields) or cls.method("__init__") is not None \
        or any(m.self_assignments for m in cls.methods)


def is_frozen(view: ClassView) -> bool | None:
    """Whether instances are immutable: True, False, or None when the chain is unknown."""
    return view.remembered(_FROZEN, _is_frozen, None)  # None ends inheritance cycles


_FROZEN: Memo[bool | None] = Memo("frozen")


def _is_frozen(view: ClassView) -> bool | None:
    own = own_frozen(view)
    if own is not None:
        return own
    if _frozen_is_dynamic(view):
        return None
    kind = style(view)
    if kind is Style.NAMEDTUPLE:
        return True
    if kind in (Style.PYDANTIC, Style.MSGSPEC, Style.ATTRS):
        for ancestor in view.mro[1:]:
            setting = own_frozen(ancestor)
            if setting is not None:
                return setting
        return _frozen_by_chain(view)
    if not declares_state(view):
        states = [is_frozen(b) if isinstance(b, ClassView) else _external_frozen(view, b)
                  for b in view.bases]
        if any(state is False for state in states):
            return False
        return None if any(state is None for state in states) else True
    return _frozen_by_chain(view)


def mutable_through_base(view: ClassView) -> ClassView | None:
    """The project dataclass base that alone makes a class mutable: the class has no decorator
    and no state of its own. Freezing the class alone cannot work (Python refuses a frozen
    dataclass under a mutable one); the base is the place to fix."""
    if class_decorator(view) is not None or own_frozen(view) is not None or declares_state(view):
        return None
    for base in view.bases:
        if isinstance(base, ClassView) and is_frozen(base) is False:
            deeper = mutable_through_base(base)
            if deeper is not None:
                return deeper
            return base if style(base) is Style.DATACLASS and class_decorator(base) else None
    return None


def _frozen_by_chain(view: ClassView) -> bool | None:
    """A class that says nothing itself: frozen when its nearest library base makes it so
    (``known_bases``), mutable when the chain is complete, else unknown."""
    if library_frozen(view):
        return True
    return False if chain_complete(view) else None


def _external_frozen(view: ClassView, resolved) -> bool | None:
    library = known_base(resolved) if view.model.settings.known_bases else None
    if library is not None:
        return library.immutable
    if isinstance(resolved, External) and resolved.is_leaf:
        return True  # object, ABC, Generic: no state of their own
    return None


# -- init fields --------------------------------------------------------------------
@dataclass(frozen=True)
class InitField:
    name: str
    has_default: bool
    kw_only: bool
    owner: ClassView
    fact: FieldFact


def is_classvar(field: FieldFact) -> bool:
    """``x: ClassVar[int] = 1``: a class attribute, not a field."""
    names = field.annotation_names
    return bool(names) and last_part(names[0]) == "ClassVar"


def has_default(field: FieldFact) -> bool:
    """Whether a field may be left out when the event is built.

    ``field()``/``attrs.field()``/``attr.ib()``/pydantic ``Field()`` have a default only
    when given one (``default=``, ``default_factory=``, ``factory=``, or a first
    positional argument other than ``...``); any other value is the default itself.
    """
    default = field.default
    if default is None:
        return False
    if field_call(field) is not None:
        for arg in default.args:
            if arg.keyword is None and not arg.star:
                return not isinstance(arg.value, cst.Ellipsis)
            if arg.keyword is not None and arg.keyword.value in ("default", "default_factory", "factory"):
                return True
        return False
    return True


def field_call(field: FieldFact, calls: frozenset[str] = FIELD_CALLS) -> cst.Call | None:
    """The field function call a field's value is (``field(default_factory=list)``), if any."""
    default = field.default
    if isinstance(default, cst.Call) and last_part(dotted(default.func)) in calls:
        return default
    return None


def own_init_fields(view: ClassView) -> list[InitField]:
    """The class's own init fields in order, with default and keyword-only flags
    (worked out once per class: each subclass's ``init_fields`` asks again; kept without
    the view, which a field's ``owner`` is: a view holding itself would be a reference
    cycle, keeping its module's tree for the cyclic GC)."""
    found = view.remembered(_OWN_INIT_FIELDS, lambda v: tuple(_own_init_fields(v)))
    return [InitField(name, default, kw_only, view, fact) for name, default, kw_only, fact in found]


_OWN_INIT_FIELDS: Memo[tuple[tuple[str, bool, bool, FieldFact], ...]] = Memo("own-init-fields")


def _own_init_fields(view: ClassView) -> Iterator[tuple[str, bool, bool, FieldFact]]:
    found = class_decorator(view)
    class_kw_only = bool(found and is_true(found[1].keywords.get("kw_only")))
    reads_class_attributes = bool(found and found[0] is Style.DATACLASS)
    after_marker = False
    for field in view.cls.fields:
        if is_classvar(field):
            continue
        if last_part(dotted(field.annotation)) == "KW_ONLY":
            after_marker = True
            continue
        call = field_call(field)
        if call is not None:
            keywords = keywords_of(call)
            if is_false(keywords.get("init")):
                continue
            has_default = bool({"default", "default_factory", "factory"} & keywords.keys())
            kw_only = is_true(keywords.get("kw_only"))
        else:
            has_default = field.default is not None or (
                reads_class_attributes and inherited_class_default(view, field.name))
            kw_only = False
        yield field.name, has_default, kw_only or class_kw_only or after_marker, field


def inherited_class_default(view: ClassView, name: str) -> bool:
    """Whether a base leaves a class attribute ``name`` that a dataclass reads as the
    default of a field redeclared without a value (``getattr(cls, name)``): a plain
    value or ``field(default=…)``; a dataclass base's ``field(default_factory=…)`` or a
    bare annotation leaves none, and the search goes on up the MRO."""
    for ancestor in view.mro[1:]:
        if name in ancestor.cls.assignments:
            return True
        for field in ancestor.cls.fields:
            if field.name != name or field.default is None:
                continue
            call = field_call(field)
            if call is None:
                return True
            keywords = keywords_of(call)
            if class_decorator(ancestor) is None:  # the Field object itself is the attribute
                return bool({"default", "default_factory"} & keywords.keys())
            if "default" in keywords:
                return True
    return False


def init_fields(view: ClassView) -> list[InitField]:
    """Init fields in the order the framework builds ``__init__``: bases in
    reverse MRO order, then the class's own; a redefined field keeps its place."""
    ordered: dict[str, InitField] = {}
    for owner in reversed(view.mro):
        if class_decorator(owner) is None:
            continue
        for field in own_init_fields(owner):
            ordered[field.name] = field
    return list(ordered.values())


def misordered_field(view: ClassView) -> InitField | None:
    """The first own field without a default after a positional field with one (a library
    base's fields included, ``known_bases``)."""
    seen_default = library_positional_defaults(view)
    for field in init_fields(view):
        if field.kw_only:
            continue
        if field.has_default:
            seen_default = True
        elif seen_default and field.owner is view:
            return field
    return None


# -- fields set in __init__ ------------------------------------------------------------
def fields_set_in_init(view: ClassView) -> tuple[FieldFact, ...]:
    """The attributes the class's own ``__init__`` (then ``__post_init__``) sets, as fields,
    first assignment first: where a plain class declares its fields (a hand-written
    ``__init__`` is the one that runs under a dataclass too). Every way Python offers counts
    (``self.x = …``, ``setattr``/``object.__setattr__(self, "x", …)``, ``self.__dict__``,
    ``super().__init__(x=…)``: ``syntax.facts.SelfAssignment``). The annotation is the
    assignment's, else that of the parameter it assigns; the default is the assigned
    expression unless that is just a parameter (``self.event_id = uuid4()`` has one,
    ``self.order_id = order_id`` none)."""
    found: dict[str, FieldFact] = {}
    for init in filter(None, (view.cls.method("__init__"), view.cls.method("__post_init__"))):
        params = {p.name: p.annotation for p in init.params}
        for assignment in init.self_assignments:
            if not assignment.binds or not assignment.attr or assignment.attr in found:
                continue
            value = assignment.value
            parameter = value.value if isinstance(value, cst.Name) and value.value in params else None
            annotation = assignment.annotation or (params[parameter] if parameter else None)
            found[assignment.attr] = FieldFact(assignment.attr, annotation,
                                               None if parameter else value, assignment.node)
    return tuple(found.values())


def declared_fields(view: ClassView) -> tuple[FieldFact, ...]:
    """The class's own fields: its fields as its framework reads them (``own_fields``),
    then the attributes its ``__init__`` sets that the body does not declare."""
    own = own_fields(view)
    body = {f.name for f in own}
    return (*own, *(f for f in fields_set_in_init(view) if f.name not in body))


# -- the one reader of a class's own fields ----------------------------------------------
def own_fields(view: ClassView) -> tuple[FieldFact, ...]:
    """The fields a class declares in its body, as its framework reads them: annotated
    attributes and attrs' ``x = attr.ib(type=…)``, and Protean's fields in both styles
    (``amount = Float(required=True)``, ``category_id: Identifier()``), each Protean one
    with the field call as its annotation (``contracts/typenames.py`` reads its type)
    and a default exactly when Protean does not require it (``analysis/protean_fields``).
    A Protean assignment's fact points at its call. Worked out once per class."""
    return view.remembered(_OWN_FIELDS, _own_fields)


_OWN_FIELDS: Memo[tuple[FieldFact, ...]] = Memo("own-fields")


def declares_protean_fields(view: ClassView) -> bool:
    """Whether the class declares a field with one of Protean's field functions (a
    Protean value object, entity or message: an object with fields, methods or not)."""
    return any(is_protean_call(f.annotation, view.facts.qualify) for f in own_fields(view))


# attrs' classic decorators: annotations are fields only with ``auto_attribs=True``
_ATTRS_CLASSIC = frozenset({"s", "attrs", "attributes"})


def _attrs_field_call(value: cst.BaseExpression | None, qualify) -> bool:
    """``attr.ib(…)``, ``attr.attrib(…)``, ``attrs.field(…)`` (by their imports)."""
    if not isinstance(value, cst.Call):
        return False
    qualified = qualify(dotted(value.func))
    return qualified.partition(".")[0] in ("attr", "attrs") and last_part(qualified) in (
        "ib", "attrib", "field")


def _attrs_only_calls(view: ClassView) -> bool:
    """Whether attrs takes only the attributes given a field call as fields, leaving bare
    annotations alone: ``@attr.s`` without ``auto_attribs=True``, and ``@define``/``@frozen``
    (``auto_attribs`` unset) once any attribute is an un-annotated field call
    (``attr._make``'s ``auto_attribs=None`` detection; attrs 26.1, docs/recognition.md)."""
    found = class_decorator(view)
    if found is None or found[0] is not Style.ATTRS:
        return False
    decorator = found[1]
    auto = decorator.keywords.get("auto_attribs")
    if auto is not None:
        return not is_true(auto)
    if last_part(view.facts.qualify(decorator.name)) in _ATTRS_CLASSIC:
        return True
    qualify = view.facts.qualify
    return any(_attrs_field_call(value, qualify) for value in view.cls.assignments.values()) \
        or any(f.annotation is None for f in view.cls.fields)


def _own_fields(view: ClassView) -> tuple[FieldFact, ...]:
    qualify = view.facts.qualify
    found: dict[str, FieldFact] = {}
    if _attrs_only_calls(view):
        for fact in view.cls.fields:
            if _attrs_field_call(fact.default, qualify):
                found[fact.name] = fact
        for name, value in view.cls.assignments.items():
            if name not in found and _attrs_field_call(value, qualify):
                found[name] = FieldFact(name, None, value, value)
        return tuple(found.values())
    for fact in view.cls.fields:
        spec = protean_field(fact.annotation, qualify) if isinstance(
            fact.annotation, cst.Call) else None
        found[fact.name] = fact if spec is None else replace(fact, default=default_of(spec))
    for name, value in view.cls.assignments.items():
        spec = protean_field(value, qualify) if isinstance(value, cst.Call) else None
        if spec is not None:  # the assignment wins over an annotation (``resolve_fieldspecs``)
            found[name] = FieldFact(name, value, default_of(spec), value)
    return tuple(found.values())
