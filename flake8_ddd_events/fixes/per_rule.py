"""One fix per fixable rule: from the node a finding points at to planned edits.

Each fix returns a short note of what it does, or raises ``Unfixable`` with
the reason it leaves the finding to the user. Recognition is the rules' own:
the same ``class_decorator``, ``is_frozen`` and mutable-name tests.
"""

from __future__ import annotations

import os
from typing import Callable, Iterable

import libcst as cst

from ..analysis.dataclass_fields import Style, class_decorator, is_frozen, mutable_through_base, style
from ..analysis.mutability import mutable_default, mutable_name
from ..analysis.shared_defaults import SharedDefault, factory_keyword, field_call, shared_defaults
from ..syntax.expressions import dotted, names_in
from ..syntax.facts import ClassFact, FieldFact, MethodFact
from ..model.views import ClassView, External
from .plan import Plan, Unfixable
from .uses import ClassKey, ProjectUses, class_key

Fix = Callable[[Plan, cst.CSTNode], str]


def _class_of(plan: Plan, node: cst.CSTNode) -> ClassFact:
    return next(c for c in plan.facts.classes.values() if c.node is node)


def _field_of(plan: Plan, node: cst.CSTNode) -> tuple[ClassFact, FieldFact]:
    for cls in plan.facts.classes.values():
        for field in cls.fields:
            if field.node is node:
                return cls, field
    raise Unfixable("the field is not where the finding points")  # pragma: no cover


# -- DDD101: frozen=True ------------------------------------------------------------
def _unfrozen_dataclass_base(view: ClassView, fixing: set[ClassKey]) -> ClassView | None:
    """A known dataclass ancestor that stays unfrozen: a frozen dataclass cannot inherit it."""
    for ancestor in view.mro[1:]:
        found = class_decorator(ancestor)
        if (found and found[0] is Style.DATACLASS and is_frozen(ancestor) is not True
                and class_key(ancestor) not in fixing):
            return ancestor
    return None


def freezable(views: Iterable[ClassView], uses: ProjectUses) -> set[ClassKey]:
    """The classes among ``views`` that can be frozen together: each has a decorator to
    add ``frozen=True`` to, and nothing blocks it once the others are frozen too."""
    candidates = {class_key(view): view for view in views}
    fixing = set(candidates)
    while True:
        keep = {key for key in fixing if class_decorator(candidates[key]) is not None
                and _unfrozen_dataclass_base(candidates[key], fixing) is None
                and frozen_blocker(uses, candidates[key], fixing) is None}
        if keep == fixing:
            return fixing
        fixing = keep


def frozen_candidates(plan: Plan, nodes: Iterable[cst.CSTNode]) -> set[ClassKey]:
    """The classes frozen in this run: planned over the project when the run did
    (``ProjectUses.frozen``), else those of this module's DDD101 findings that can be
    frozen together."""
    if plan.project.frozen is not None:
        return plan.project.frozen
    return freezable([plan.context.view(_class_of(plan, node)) for node in nodes], plan.project)


def _writer(method: MethodFact) -> str:
    """How a message names a method: ``'id' setter``, ``__post_init__``, ``method 'rename'``."""
    for decorator in method.decorators:
        owner, _, kind = decorator.name.rpartition(".")
        if kind in ("setter", "deleter") and owner:
            return f"'{owner}' {kind}"
    return method.name if method.name.startswith("__") else f"method '{method.name}'"


def _assigns_self(owner: ClassView) -> tuple[str, str] | None:
    """The method of the class that assigns to its instance in a way a frozen instance
    refuses, and what it assigns (``object.__setattr__`` goes round the refusal: fine)."""
    for method in owner.cls.methods:
        for assignment in method.self_assignments:
            if not assignment.bypasses_setattr and not assignment.through_base:
                what = f"self.{assignment.attr}" if assignment.attr else "an attribute through setattr"
                return _writer(method), what
    return None


def frozen_blocker(uses: ProjectUses, view: ClassView, fixing: set[ClassKey]) -> str | None:
    """Why ``frozen=True`` would break code that works today, or None: the class, a base
    or a project subclass assigns to the instance; a base is outside the project (what it
    does is not known); a project subclass is a dataclass that stays unfrozen (Python
    refuses a non-frozen dataclass under a frozen one); a class that names it as its base
    does not resolve to it and is neither frozen nor frozen in the same run (it may be a
    subclass the fixer cannot see). ``fixing``: the classes frozen in the same run."""
    refused = "which a frozen instance refuses"
    for owner in view.mro:
        found = _assigns_self(owner)
        if found is not None:
            where = "" if owner is view else f" of its base '{owner.name}'"
            return f"{found[0]}{where} assigns {found[1]}, {refused}"
    for _, resolved in view.ancestors():
        if isinstance(resolved, External) and resolved.is_leaf or isinstance(resolved, ClassView):
            continue
        name = resolved.qualified if isinstance(resolved, External) else resolved.name
        return f"its base '{name}' is outside the project: whether it assigns to self is not known"
    for sub in uses.subclasses_of(view):
        found = _assigns_self(sub)
        if found is not None:
            return f"{found[0]} of its subclass '{sub.name}' assigns {found[1]}, {refused}"
        decorator = class_decorator(sub)
        if (decorator is not None and decorator[0] is Style.DATACLASS and is_frozen(sub) is not True
                and class_key(sub) not in fixing):
            return (f"its subclass '{sub.name}' is a dataclass that is not frozen, and Python "
                    "refuses it under a frozen base: freeze both together")
    for sub in uses.unfollowed(view):
        if class_key(sub) not in fixing and is_frozen(sub) is not True:
            return _unfollowed(sub, "so nothing is frozen until every subclass is known")
    return None


def _unfollowed(sub: ClassView, consequence: str) -> str:
    return (f"could not follow its subclass '{sub.name}' ({_shown(sub.facts.path)}): its base "
            f"has this class's name but does not resolve to it, {consequence}; check the "
            "source roots (`ddd-events roots`; option `ddd-source-roots`)")


def _shown(path: str) -> str:
    """A path relative to the working folder when it lies below it."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def fix_frozen(plan: Plan, node: cst.CSTNode) -> str:
    view = plan.context.view(_class_of(plan, node))
    found = class_decorator(view)
    through = mutable_through_base(view) if found is None else None
    if through is not None:
        if class_key(through) in plan.frozen_classes:
            raise Unfixable(f"nothing to change here: freezing its base '{through.name}' in this "
                            "run makes it immutable")
        raise Unfixable(f"it is mutable through its base '{through.name}', the place to fix: a "
                        "frozen dataclass cannot inherit from a mutable one, so this class "
                        "cannot be frozen alone")
    if found is None:
        raise Unfixable("no dataclass or attrs decorator to add frozen=True to; make it "
                        "immutable the way its framework does")
    base = _unfrozen_dataclass_base(view, plan.frozen_classes)
    if base is not None:
        raise Unfixable(f"its base '{base.name}' is a dataclass that is not frozen, and a frozen "
                        "dataclass cannot inherit from it: freeze the base first")
    blocker = frozen_blocker(plan.project, view, plan.frozen_classes)
    if blocker is not None:
        raise Unfixable(blocker)
    plan.decorator_keyword(found[1].node, "frozen")
    return "frozen=True"


# -- DDD104: immutable containers ---------------------------------------------------
_SEQUENCES = {"list": "tuple", "List": "Tuple"}
_SETS = {"set": "frozenset", "Set": "FrozenSet"}
_FACTORIES = {"list": "tuple", "set": "frozenset"}


class _Annotation:
    """Rewrites the mutable containers of one annotation."""

    def __init__(self, plan: Plan, view: ClassView) -> None:
        self.plan, self.view = plan, view

    def rewrite(self, node: cst.BaseExpression, in_string: bool = False) -> cst.BaseExpression:
        if isinstance(node, cst.Subscript):
            elements = [self._element(e, in_string) for e in node.slice]
            kind = self._kind(node.value)
            if kind is None:
                return node.with_changes(slice=elements)
            value = self._name(node.value, kind, in_string)
            if kind in _SEQUENCES and len(elements) == 1 and isinstance(elements[0].slice, cst.Index):
                only = elements[0]
                comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
                elements = [only.with_changes(comma=comma),
                            cst.SubscriptElement(cst.Index(cst.Ellipsis()), comma=only.comma)]
            return node.with_changes(value=value, slice=elements)
        if isinstance(node, (cst.Name, cst.Attribute)):
            kind = self._kind(node)
            return node if kind is None else self._name(node, kind, in_string)
        if isinstance(node, cst.BinaryOperation):
            return node.with_changes(left=self.rewrite(node.left, in_string),
                                     right=self.rewrite(node.right, in_string))
        if isinstance(node, cst.SimpleString):
            return self._string(node)
        return node

    def _element(self, element: cst.SubscriptElement, in_string: bool) -> cst.SubscriptElement:
        if isinstance(element.slice, cst.Index):
            return element.with_changes(slice=element.slice.with_changes(
                value=self.rewrite(element.slice.value, in_string)))
        return element

    def _kind(self, node: cst.BaseExpression) -> str | None:
        name = dotted(node)
        return mutable_name(self.view, name) if name else None

    def _name(self, node: cst.BaseExpression, kind: str, in_string: bool) -> cst.BaseExpression:
        replacement = _SEQUENCES.get(kind) or _SETS.get(kind)
        if replacement is None:
            raise Unfixable(f"a {kind} has no safe immutable replacement; choose one yourself")
        if isinstance(node, cst.Attribute):  # typing.List -> typing.Tuple
            return node.with_changes(attr=cst.Name(replacement))
        assert isinstance(node, cst.Name)
        if replacement[0].islower():  # builtins
            return node.with_changes(value=replacement)
        qualified = self.plan.facts.qualify(node.value)
        module = qualified.rpartition(".")[0]
        if not module:
            raise Unfixable(f"cannot tell where '{node.value}' comes from")
        local = self.plan.local_name(f"{module}.{replacement}", replacement,
                                     self.plan.binding_import(node.value), replacing=node.value)
        if not in_string:
            self.plan.replaced[node.value] += 1
        return node.with_changes(value=local)

    def _string(self, node: cst.SimpleString) -> cst.BaseExpression:
        text = node.evaluated_value
        if not isinstance(text, str) or not any(self._kind_of(n) for n in _names(text)):
            return node
        inner = cst.parse_expression(text.strip())
        code = cst.Module([]).code_for_node(self.rewrite(inner, in_string=True))
        quote = node.quote
        if quote in code or "\\" in code:
            raise Unfixable("cannot rewrite this string annotation safely")
        return node.with_changes(value=f"{node.prefix}{quote}{code}{quote}")

    def _kind_of(self, name: str) -> str | None:
        return mutable_name(self.view, name)


def _names(text: str) -> list[str]:
    try:
        return names_in(cst.parse_expression(text.strip()))
    except (cst.ParserSyntaxError, RecursionError, ValueError):
        return []


def _factory(plan: Plan, view: ClassView, default: cst.BaseExpression | None) -> None:
    """Plan ``default_factory=list`` → ``tuple`` (and ``= []`` → ``= ()``)."""
    if isinstance(default, cst.List) and not default.elements:
        plan.replace(default, lambda node: cst.Tuple(elements=[], lpar=[cst.LeftParen()],
                                                     rpar=[cst.RightParen()]))
        return
    if not isinstance(default, cst.Call):
        return
    for arg in default.args:
        if arg.keyword and arg.keyword.value in ("default_factory", "factory"):
            name = dotted(arg.value)
            kind = mutable_name(view, name) if name else None
            if kind is None:
                continue
            if kind not in _FACTORIES or "." in name:
                raise Unfixable(f"a {kind} default has no safe immutable replacement; choose one yourself")
            plan.replace(arg.value, lambda node, new=_FACTORIES[kind]: node.with_changes(value=new))


def fix_mutable_field(plan: Plan, node: cst.CSTNode) -> str:
    cls, field = _field_of(plan, node)
    view = plan.context.view(cls)
    if field.annotation is not None:
        new = _Annotation(plan, view).rewrite(field.annotation)
        if any(mutable_name(view, n) for n in names_in(new)):
            raise Unfixable("the annotation holds a container with no safe immutable replacement")
        if new is not field.annotation:
            plan.replace(field.annotation, lambda _, new=new: new)
    if isinstance(field.default, cst.List) and field.default.elements:
        raise Unfixable("a list default with items: write the tuple yourself")
    if mutable_default(view, field.default) not in (None, "list", "set"):
        raise Unfixable(f"a {mutable_default(view, field.default)} default has no safe immutable "
                        "replacement; choose one yourself")
    _factory(plan, view, field.default)
    return "immutable container"


# -- DDD107: timezone-aware timestamps ------------------------------------------------
def _timezone_utc(plan: Plan, receiver: str) -> str:
    """``timezone.utc`` spelled the way this module can reach it from ``receiver``."""
    facts = plan.facts
    module, _, _ = receiver.rpartition(".")
    if module and facts.qualify(module) == "datetime":  # datetime.datetime, dt.datetime
        return f"{module}.timezone.utc"
    head = receiver.partition(".")[0]
    via = plan.binding_import(head)
    return f"{plan.local_name('datetime.timezone', 'timezone', via)}.utc"


def fix_naive_timestamp(plan: Plan, node: cst.CSTNode) -> str:
    if isinstance(node, cst.Call):
        receiver, _, method = dotted(node.func).rpartition(".")
        if any(arg.star for arg in node.args):
            raise Unfixable("the call unpacks its arguments; add the timezone yourself")
        tz = cst.parse_expression(_timezone_utc(plan, receiver))
        if method in ("now", "today", "utcnow"):
            def edit(call: cst.Call) -> cst.Call:
                return call.with_changes(func=call.func.with_changes(attr=cst.Name("now")),
                                         args=[cst.Arg(tz)])
            plan.replace(node, edit)
            return f"{receiver}.now({_code(tz)})"
        from .edits import append, keyword

        def edit(call: cst.Call) -> cst.Call:  # fromtimestamp / utcfromtimestamp
            args = append(list(call.args), keyword("tz", tz), call.whitespace_before_args)
            return call.with_changes(func=call.func.with_changes(attr=cst.Name("fromtimestamp")),
                                     args=args)
        plan.replace(node, edit)
        return f"{receiver}.fromtimestamp(..., tz={_code(tz)})"
    # a default factory that names the naive function: a lambda returning an aware now
    assert isinstance(node, cst.Attribute)
    receiver = dotted(node.value)
    tz = cst.parse_expression(_timezone_utc(plan, receiver))
    plan.replace(node, lambda factory: cst.Lambda(
        params=cst.Parameters(),
        body=cst.Call(func=cst.Attribute(value=factory.value, attr=cst.Name("now")), args=[cst.Arg(tz)]),
        lpar=factory.lpar, rpar=factory.rpar))
    return f"lambda: {receiver}.now({_code(tz)})"


def _code(node: cst.CSTNode) -> str:
    return cst.Module([]).code_for_node(node)


# -- DDD109: kw_only=True --------------------------------------------------------------
def fix_field_order(plan: Plan, node: cst.CSTNode) -> str:
    cls, _ = _field_of(plan, node)
    found = class_decorator(plan.context.view(cls))
    assert found is not None  # the rule only fires on dataclass and attrs classes
    kind, decorator = found
    if kind is Style.DATACLASS and plan.target_python < (3, 10):
        major, minor = plan.target_python
        raise Unfixable(f"kw_only=True needs Python 3.10 and the target is {major}.{minor} "
                        "(ddd-target-python / requires-python); give the field a default instead")
    view = plan.context.view(cls)
    unfollowed = plan.project.unfollowed(view)
    if unfollowed:
        raise Unfixable(_unfollowed(unfollowed[0], "so how it is built is not known"))
    builders = plan.project.positional_builders(view)
    if builders:
        first = builders[0]
        places = "" if len(builders) == 1 else f" (and {len(builders) - 1} more)"
        raise Unfixable(f"'{first.callee}(...)' in {first.path}{places} builds it with positional "
                        "arguments, which kw_only=True would refuse: pass them by name first")
    plan.decorator_keyword(decorator.node, "kw_only")
    return "kw_only=True"


# -- DDD110: a default factory instead of a default computed once ----------------------
_FIELD_FUNCTIONS = {Style.DATACLASS: "dataclasses.field", Style.PYDANTIC: "pydantic.Field",
                    Style.MSGSPEC: "msgspec.field"}
_ATTRS_CLASSIC = frozenset({"s", "attrs", "attributes", "dataclass"})  # attr.s: fields are attr.ib


def _shared_default_at(plan: Plan, node: cst.CSTNode) -> tuple[ClassView, SharedDefault]:
    for cls in plan.facts.classes.values():
        view = plan.context.view(cls)
        for default in shared_defaults(view):
            if default.call is node:
                return view, default
    raise Unfixable("the default is not where the finding points")  # pragma: no cover


def _field_function(plan: Plan, view: ClassView) -> str:
    """The field function to wrap a plain default in, spelled for this module."""
    kind = style(view)
    found = class_decorator(view)
    if kind is Style.ATTRS and found is not None:
        qualified = plan.facts.qualify(found[1].name)
        package, _, name = qualified.partition(".")
        wanted = "attr.ib" if package == "attr" and name in _ATTRS_CLASSIC else f"{package}.field"
    elif kind in _FIELD_FUNCTIONS and (kind is not Style.DATACLASS or found is not None):
        wanted = _FIELD_FUNCTIONS[kind]
    elif kind is Style.NAMEDTUPLE:
        raise Unfixable("a NamedTuple field has no default factory; pass the value where the "
                        "event is created, or make the event a frozen dataclass")
    else:
        raise Unfixable("a plain class attribute has no default factory; set the value in "
                        "__init__ or where the event is created")
    return plan.import_name(wanted)


def _default_factory(value: cst.BaseExpression) -> cst.BaseExpression:
    """The function itself for a call without arguments, else a lambda around the value."""
    if isinstance(value, cst.Call) and not value.args and not value.lpar and dotted(value.func):
        return value.func
    if isinstance(value, cst.Tuple) and not value.lpar:
        value = value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return cst.Lambda(params=cst.Parameters(), body=value)


def fix_shared_default(plan: Plan, node: cst.CSTNode) -> str:
    from .edits import keyword

    view, default = _shared_default_at(plan, node)
    name = factory_keyword(view, default)
    value = default.value
    simple = (isinstance(value, cst.Call) and not value.args and not value.lpar
              and dotted(value.func) and id(value) not in plan.edits)
    note = f"{name}={dotted(value.func) if simple else 'lambda: ...'}"  # type: ignore[union-attr]
    if default.arg is None:
        function = cst.parse_expression(_field_function(plan, view))
        plan.replace(value, lambda updated: cst.Call(
            func=function, args=[keyword(name, _default_factory(updated))]))
        return f"{cst.Module([]).code_for_node(function)}({note})"
    call = field_call(default.field)
    assert call is not None
    if any(a.keyword is not None and a.keyword.value in ("default_factory", "factory") for a in call.args):
        raise Unfixable("the field has a default factory as well as a default; keep one")
    if default.arg.keyword is None and any(a.keyword is None for a in call.args[1:]):
        raise Unfixable("other positional arguments follow the default; name them first")
    equal = keyword(name, value).equal if default.arg.keyword is None else default.arg.equal
    plan.replace(default.arg, lambda arg: arg.with_changes(
        keyword=cst.Name(name), equal=equal, value=_default_factory(arg.value)))
    return note


# -- DDD209: the version raised, with an upcaster that sets the obvious value ----------
def fix_stored_upcast(plan: Plan, node: cst.CSTNode) -> str:
    from ..analysis.stored_events import stored_event
    from ..contracts.history import obvious_upcast
    from ..contracts.lock import lock_read_by

    cls = next((c for c in plan.facts.classes.values() if any(f.node is node for f in c.fields)),
               None)
    view = plan.context.view(cls) if cls is not None else None
    event = stored_event(view, plan.context.settings) if view is not None else None
    lock = lock_read_by(plan.context.model, plan.context.settings.contracts_lock).lock
    history = lock.stored_events.get(event.name) if event is not None and lock is not None else None
    values = obvious_upcast(event, history, plan.context.model, plan.context.settings) \
        if history is not None else None
    if values is None:
        raise Unfixable("what events stored before hold for this change is the domain's to "
                        "say: write the version and the upcaster the message names")
    version = event.version
    method = f"upcast_v{version}_v{version + 1}"
    if cls.method(method) is not None:
        raise Unfixable(f"the class already has '{method}'")
    done = f"class_version = {version + 1} and a static '{method}' setting " + ", ".join(
        f"'{name}' to {value}" for name, value in sorted(values.items()))
    if id(cls.node) in plan.upcast_classes:
        return done
    plan.upcast_classes.add(id(cls.node))
    plan.replace(cls.node, lambda updated: _with_upcaster(updated, version, values))
    return done


def _with_upcaster(node: cst.CSTNode, version: int, values: dict[str, str]) -> cst.CSTNode:
    """The class with ``class_version`` raised (set first in its body when it has none) and a
    static upcaster last."""
    assert isinstance(node, cst.ClassDef) and isinstance(node.body, cst.IndentedBlock)
    body = list(node.body.body)
    bump = cst.parse_statement(f"class_version = {version + 1}\n")
    at = next((i for i, s in enumerate(body) if _assigns(s, "class_version")), None)
    if at is not None:
        body[at] = bump.with_changes(leading_lines=body[at].leading_lines)
    else:
        first = 1 if body and _is_docstring(body[0]) else 0
        body.insert(first, bump)
    lines = "".join(f'    state["{name}"] = {value}\n' for name, value in sorted(values.items()))
    method = cst.parse_statement(f"@staticmethod\ndef upcast_v{version}_v{version + 1}(state):\n"
                                 f"{lines}")
    body.append(method.with_changes(leading_lines=[cst.EmptyLine(indent=False)]))
    return node.with_changes(body=node.body.with_changes(body=body))


def _assigns(statement: cst.CSTNode, name: str) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and any(
        isinstance(small, cst.Assign) and any(isinstance(t.target, cst.Name)
                                              and t.target.value == name for t in small.targets)
        for small in statement.body)


def _is_docstring(statement: cst.CSTNode) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1 \
        and isinstance(statement.body[0], cst.Expr) \
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))


FIXES: dict[str, Fix] = {
    "DDD101": fix_frozen,
    "DDD104": fix_mutable_field,
    "DDD107": fix_naive_timestamp,
    "DDD109": fix_field_order,
    "DDD110": fix_shared_default,
    "DDD209": fix_stored_upcast,
}
