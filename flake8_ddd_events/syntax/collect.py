"""The one collection pass: a libcst tree in, ModuleFacts out."""

from __future__ import annotations

from dataclasses import replace
from typing import Iterator

import libcst as cst

from .expressions import dotted, keywords_of, last_part
from .facts import (
    Block,
    CallFact,
    ClassFact,
    Decorator,
    FieldFact,
    ImportFact,
    MethodFact,
    ModuleFacts,
    Param,
    Registration,
    SelfAssignment,
    Step,
    StoreRegistration,
    WithBlock,
)
from ..analysis.vocabulary import HANDLER_DECORATORS, REGISTRY_METHODS
from ..source.modules import absolute_import
from .walker import walk

_SETATTR_CALLEES = {"setattr", "object.__setattr__"}
_ATTRS_FIELD_CALLS = {"ib", "attrib"}  # attrs' un-annotated ``x = attr.ib()`` fields
# calls that tell an event-sourcing framework how to read old events (``StoreRegistration``);
# Protean's generic ``domain.register(...)`` counts when it registers an upcaster
_REGISTRATIONS = {"register_topic", "register_upcaster", "register_external_event"}


def collect(tree: cst.Module, path: str, module: str, is_package: bool) -> ModuleFacts:
    """Gather every fact the rules read, in one walk of the tree."""
    facts = ModuleFacts(path=path, module=module, is_package=is_package)
    collector = Collector(facts)
    walk(tree, collector)
    built = {call.callee for call in facts.calls}
    facts.sentinels = frozenset(collector.identity_compared - built)
    return facts


def _decorator(node: cst.Decorator) -> Decorator:
    expr = node.decorator
    if isinstance(expr, cst.Call):
        return Decorator(dotted(expr.func), True, keywords_of(expr), node,
                         any(arg.star == "**" for arg in expr.args),
                         tuple(_positional(expr.args)))
    return Decorator(dotted(expr), False, {}, node)


def _positional(args) -> list[cst.BaseExpression]:
    return [a.value for a in args if a.keyword is None and not a.star]


def _mapped_handlers(value: cst.BaseExpression | None) -> list[tuple[str, cst.BaseExpression]]:
    """``{OrderPlaced: [send_mail, log], ...}``: (event, handler) as written, for the entries
    whose key is a dotted name and whose value a list, tuple or set of dotted names."""
    found = []
    if isinstance(value, cst.Dict):
        for element in value.elements:
            if not isinstance(element, cst.DictElement) or not dotted(element.key):
                continue
            handlers = element.value
            if isinstance(handlers, (cst.List, cst.Tuple, cst.Set)):
                found.extend((dotted(element.key), item.value) for item in handlers.elements
                             if not isinstance(item, cst.StarredElement) and dotted(item.value))
    return found


def _params(node: cst.FunctionDef) -> tuple[Param, ...]:
    p = node.params
    stars = [star for star in (p.star_arg, p.star_kwarg) if isinstance(star, cst.Param)]
    return tuple(
        Param(param.name.value, param.annotation.annotation if param.annotation else None,
              param.default, any(param is star for star in stars))
        for param in (*p.posonly_params, *p.params, *p.kwonly_params, *stars)
    )


def _union_members(node: cst.BaseExpression) -> list[str]:
    """Dotted members of ``A | B`` or ``Union[A, B]`` (``None`` left out); [] when not a union."""
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
        parts = [node.left, node.right]
    elif isinstance(node, cst.Subscript) and dotted(node.value).rpartition(".")[2] == "Union":
        parts = [e.slice.value for e in node.slice if isinstance(e.slice, cst.Index)]
    else:
        return []
    members: list[str] = []
    for part in parts:
        members.extend(_union_members(part) or [dotted(part)])
    return [m for m in members if m and m != "None"]


class _ClassBuilder:
    """Mutable state for a class while its body is walked."""

    def __init__(self, node: cst.ClassDef, qualname: str, parent: str | None, in_function: bool):
        self.node = node
        self.qualname = qualname
        self.parent = parent
        self.in_function = in_function
        self.fields: list[FieldFact] = []
        self.assignments: dict[str, cst.BaseExpression] = {}
        self.methods: list[MethodFact] = []
        self.inner: list[str] = []

    def build(self) -> ClassFact:
        node = self.node
        bases = tuple(arg.value for arg in node.bases)
        base_args = []
        base_unions = []
        for base in bases:
            args: list[str] = []
            union = False
            if isinstance(base, cst.Subscript):
                for element in base.slice:
                    if isinstance(element.slice, cst.Index):
                        members = _union_members(element.slice.value)
                        union = union or len(members) > 1
                        args.extend(members or [dotted(element.slice.value)])
            base_args.append(tuple(a for a in args if a))
            base_unions.append(union)
        return ClassFact(
            name=node.name.value,
            qualname=self.qualname,
            bases=bases,
            base_names=tuple(dotted(b) for b in bases),
            base_args=tuple(base_args),
            keywords={k.keyword.value: k.value for k in node.keywords if k.keyword},
            decorators=tuple(_decorator(d) for d in node.decorators),
            fields=tuple(self.fields),
            assignments=self.assignments,
            methods=tuple(self.methods),
            inner_classes=tuple(self.inner),
            parent=self.parent,
            in_function=self.in_function,
            node=node,
            base_unions=tuple(base_unions),
        )


def _literal_name(node: cst.BaseExpression) -> str:
    """The text of a plain string literal that is an identifier (``"occurred_on"``), else ""."""
    if isinstance(node, cst.SimpleString) and node.prefix.lower() in ("", "u"):
        text = node.evaluated_value
        return text if isinstance(text, str) and text.isidentifier() else ""
    return ""


def _calls_base_method(node: cst.Call, name: str) -> bool:
    """``super().name(…)``, ``super(Cls, self).name(…)`` or ``Base.name(…)``."""
    func = node.func
    if not isinstance(func, cst.Attribute) or func.attr.value != name:
        return False
    receiver = func.value
    if isinstance(receiver, cst.Call):
        return dotted(receiver.func) == "super"
    return bool(dotted(receiver)) and last_part(dotted(receiver))[:1].isupper()


class _FunctionState:
    def __init__(self, node: cst.FunctionDef, qualname: str, receiver: str | None):
        self.node = node
        self.qualname = qualname
        self.receiver = receiver  # name of self, when a method
        self.self_assignments: list[SelfAssignment] = []
        self.extends_base = False  # calls super().<its name>(…) or Base.<its name>(self, …)


class Collector(cst.CSTVisitor):
    def __init__(self, facts: ModuleFacts) -> None:
        super().__init__()
        self.facts = facts
        self.scopes: list[_ClassBuilder | _FunctionState] = []
        self.with_stack: list[int] = []
        self.pending_withs: list[tuple[cst.With, tuple[str, ...]]] = []
        self.lambdas = 0  # depth of enclosing lambdas
        self.identity_compared: set[str] = set()  # names on either side of ``is``/``is not``
        self.block_stack: list[int] = []  # loops, tries and excepts around the walk
        self.try_stack: list[int] = []  # the ``try`` statements whose handlers come next

    # -- scopes ---------------------------------------------------------------
    def _qualname(self, name: str) -> str:
        outer = self.scopes[-1].qualname if self.scopes else ""
        return f"{outer}.{name}" if outer else name

    def _class(self) -> _ClassBuilder | None:
        scope = self.scopes[-1] if self.scopes else None
        return scope if isinstance(scope, _ClassBuilder) else None

    def _enclosing_class(self) -> str | None:
        for scope in reversed(self.scopes):
            if isinstance(scope, _ClassBuilder):
                return scope.qualname
        return None

    def _function(self) -> _FunctionState | None:
        for scope in reversed(self.scopes):
            if isinstance(scope, _FunctionState):
                return scope
        return None

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        parent = self._class()
        in_function = any(isinstance(s, _FunctionState) for s in self.scopes)
        builder = _ClassBuilder(node, self._qualname(node.name.value),
                                parent.qualname if parent else None, in_function)
        if parent is not None:
            parent.inner.append(builder.qualname)
        self.scopes.append(builder)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        builder = self.scopes.pop()
        assert isinstance(builder, _ClassBuilder)
        self.facts.classes[builder.qualname] = builder.build()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        owner = self._class()
        receiver = None
        if owner is not None:
            names = {_decorator(d).name for d in node.decorators}
            if "staticmethod" not in names and "classmethod" not in names:
                params = [*node.params.posonly_params, *node.params.params]
                receiver = params[0].name.value if params else None
        self.scopes.append(_FunctionState(node, self._qualname(node.name.value), receiver))

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        state = self.scopes.pop()
        assert isinstance(state, _FunctionState)
        owner = self._class()
        if owner is None:
            function = self.facts.functions[state.qualname] = self._method(
                original_node, _params(original_node), state)
            for decorator in function.decorators:
                expr = decorator.node.decorator if decorator.node is not None else None
                if decorator.called and decorator.name.rpartition(".")[2] in HANDLER_DECORATORS:
                    self.facts.registrations.extend(
                        Registration(dotted(event), state.qualname, "decorator", None, decorator.node)
                        for event in _positional(expr.args) if dotted(event))
            return
        params = _params(original_node)
        if state.receiver is not None or any(
            _decorator(d).name.endswith("classmethod") for d in original_node.decorators
        ):
            params = params[1:]
        owner.methods.append(self._method(original_node, params, state))

    @staticmethod
    def _method(node: cst.FunctionDef, params: tuple[Param, ...], state: _FunctionState) -> MethodFact:
        return MethodFact(
            name=node.name.value,
            is_async=node.asynchronous is not None,
            decorators=tuple(_decorator(d) for d in node.decorators),
            params=params,
            self_assignments=tuple(state.self_assignments),
            node=node,
            extends_base=state.extends_base,
        )

    def _record_mapping(self, value: cst.BaseExpression | None) -> None:
        """A mapping of event classes to lists of handlers (``EVENT_HANDLERS = {...}``)."""
        for event, handler in _mapped_handlers(value):
            self.facts.registrations.append(
                Registration(event, dotted(handler), "mapping", self._enclosing_class(), handler))

    # -- class bodies and self assignments --------------------------------------
    def _self_attr(self, target: cst.BaseExpression) -> str | None:
        """The attribute name when ``target`` is ``<receiver>.attr`` in a method."""
        function = self._function()
        if function is None or function.receiver is None:
            return None
        if (isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name)
                and target.value.value == function.receiver):
            return target.attr.value
        return None

    def _record_self(self, target: cst.BaseExpression, annotation, node: cst.CSTNode,
                     value: cst.BaseExpression | None = None, binds: bool = False) -> None:
        """Record ``self.attr`` targets; ``value`` is what a binding assigns (paired
        element by element when a tuple is unpacked into a tuple of the same length)."""
        unpacked = isinstance(target, (cst.Tuple, cst.List))
        targets = [e.value for e in target.elements] if unpacked else [target]
        values: list[cst.BaseExpression | None] = [value]
        if unpacked:
            elements = value.elements if isinstance(value, (cst.Tuple, cst.List)) else ()
            paired = len(elements) == len(targets) and not any(
                isinstance(e, cst.StarredElement) for e in (*elements, *target.elements))
            values = [e.value for e in elements] if paired else [None] * len(targets)
        for item, bound in zip(targets, values):
            attr = self._self_attr(item)
            if attr is not None:
                self._function().self_assignments.append(
                    SelfAssignment(attr, annotation, node, bound, binds))
            elif (key := self._instance_dict_key(item)) is not None:
                self._function().self_assignments.append(
                    SelfAssignment(key, annotation, node, bound, binds, bypasses_setattr=True))

    def _instance_dict_key(self, target: cst.BaseExpression) -> str | None:
        """The key of ``<receiver>.__dict__[key]`` in a method ("" when not a string)."""
        if not isinstance(target, cst.Subscript) or len(target.slice) != 1 \
                or self._self_attr(target.value) != "__dict__":
            return None
        index = target.slice[0].slice
        return _literal_name(index.value) if isinstance(index, cst.Index) else ""

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._step("assign", node, (dotted(node.target),), node.value)
        self._record_mapping(node.value)
        if not self.scopes and isinstance(node.target, cst.Name) and node.value is not None:
            self.facts.assignments[node.target.value] = node.value
        owner = self._class()
        if owner is not None and isinstance(node.target, cst.Name):
            owner.fields.append(FieldFact(node.target.value, node.annotation.annotation,
                                          node.value, node))
            return
        self._record_self(node.target, node.annotation.annotation, node, node.value,
                          binds=node.value is not None)

    def visit_Assign(self, node: cst.Assign) -> None:
        self._step("assign", node, tuple(dotted(t.target) for t in node.targets), node.value)
        self._record_mapping(node.value)
        if not self.scopes:
            for target in node.targets:
                if isinstance(target.target, cst.Name):
                    self.facts.assignments[target.target.value] = node.value
        owner = self._class()
        if owner is not None:
            for target in node.targets:
                if isinstance(target.target, cst.Name):
                    owner.assignments[target.target.value] = node.value
            if (len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name)
                    and isinstance(node.value, cst.Call) and dotted(node.value.func).rpartition(".")[2]
                    in _ATTRS_FIELD_CALLS):
                owner.fields.append(FieldFact(node.targets[0].target.value, None, node.value, node))
            return
        for target in node.targets:
            self._record_self(target.target, None, node, node.value, binds=True)

    def visit_TypeAlias(self, node: cst.TypeAlias) -> None:
        if not self.scopes:
            self.facts.assignments[node.name.value] = node.value

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._step("augment", node, (dotted(node.target),), node.value)
        self._record_self(node.target, None, node)

    def visit_Del(self, node: cst.Del) -> None:
        self._record_self(node.target, None, node)

    # -- flow -------------------------------------------------------------------
    def visit_With(self, node: cst.With) -> None:
        self.pending_withs.append((node, tuple(dotted(item.item) for item in node.items)))

    def visit_With_body(self, node: cst.With) -> None:
        _, contexts = self.pending_withs.pop()
        function = self._function()
        self.facts.withs.append(WithBlock(contexts, function.qualname if function else None,
                                          len(self.facts.calls), -1))
        self.with_stack.append(len(self.facts.withs) - 1)

    def leave_With_body(self, node: cst.With) -> None:
        index = self.with_stack.pop()
        block = self.facts.withs[index]
        self.facts.withs[index] = WithBlock(block.contexts, block.function, block.first_call,
                                            len(self.facts.calls))

    # -- loops, tries and the statements the failure rules read ------------------------
    def _step(self, kind: str, node: cst.CSTNode, targets: tuple[str, ...] = (),
              value: cst.BaseExpression | None = None) -> None:
        function = self._function()
        if function is not None and not self.lambdas:
            self.facts.steps.append(Step(kind, function.qualname, tuple(self.block_stack),
                                         len(self.facts.calls), targets, value, node))

    def _open(self, block: Block) -> None:
        self.facts.blocks.append(block)
        self.block_stack.append(len(self.facts.blocks) - 1)

    def _close(self) -> None:
        index = self.block_stack.pop()
        self.facts.blocks[index] = replace(self.facts.blocks[index],
                                           end_call=len(self.facts.calls))

    def visit_For_body(self, node: cst.For) -> None:
        function = self._function()
        target = node.target
        elements = target.elements if isinstance(target, (cst.Tuple, cst.List)) else ()
        names = ",".join(dotted(e.value) for e in elements) if elements else dotted(target)
        self._open(Block("loop", function.qualname if function else None,
                         len(self.facts.calls), -1, node, names, node.iter))

    def leave_For_body(self, node: cst.For) -> None:
        self._close()

    def visit_Try(self, node: cst.Try) -> None:
        function = self._function()
        self.facts.blocks.append(Block("try", function.qualname if function else None,
                                       len(self.facts.calls), -1, node))
        self.try_stack.append(len(self.facts.blocks) - 1)

    def visit_Try_body(self, node: cst.Try) -> None:
        self.block_stack.append(self.try_stack[-1])

    def leave_Try_body(self, node: cst.Try) -> None:
        self._close()

    def leave_Try(self, original_node: cst.Try) -> None:
        self.try_stack.pop()

    def visit_ExceptHandler_body(self, node: cst.ExceptHandler) -> None:
        function = self._function()
        kinds = node.type
        elements = kinds.elements if isinstance(kinds, cst.Tuple) else ()
        catches = tuple(dotted(e.value) for e in elements) if elements else (
            (dotted(kinds),) if kinds is not None else ())
        name = dotted(node.name.name) if node.name is not None else ""
        self._open(Block("except", function.qualname if function else None,
                         len(self.facts.calls), -1, node, name, None, catches,
                         self.try_stack[-1] if self.try_stack else None))

    def leave_ExceptHandler_body(self, node: cst.ExceptHandler) -> None:
        self._close()

    def visit_Raise(self, node: cst.Raise) -> None:
        self._step("raise", node)

    def visit_Break(self, node: cst.Break) -> None:
        self._step("break", node)

    def visit_Return(self, node: cst.Return) -> None:
        self._step("return", node)

    def visit_Comparison(self, node: cst.Comparison) -> None:
        operands = (dotted(node.left), *(dotted(c.comparator) for c in node.comparisons))
        self._step("compare", node, tuple(o for o in operands if o))
        left = node.left
        for target in node.comparisons:
            if isinstance(target.operator, (cst.Is, cst.IsNot)):
                self.identity_compared.update(
                    n for n in (dotted(left), dotted(target.comparator)) if n)
            left = target.comparator

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self.lambdas += 1

    def leave_Lambda(self, original_node: cst.Lambda) -> None:
        self.lambdas -= 1

    def visit_Call(self, node: cst.Call) -> None:
        callee = dotted(node.func)
        receiver, _, method = callee.rpartition(".")
        if not callee and isinstance(node.func, cst.Attribute):
            method = node.func.attr.value
        function = self._function()
        self.facts.calls.append(CallFact(
            index=len(self.facts.calls),
            callee=callee,
            receiver=receiver,
            method=method,
            args=tuple(node.args),
            function=function.qualname if function else None,
            cls=self._enclosing_class(),
            withs=tuple(self.with_stack),
            node=node,
            in_lambda=self.lambdas > 0,
            blocks=tuple(self.block_stack),
        ))
        if function is not None and self.scopes[-1] is function and function.receiver \
                and _calls_base_method(node, function.node.name.value):
            function.extends_base = True
        positional = _positional(node.args)
        if method in _REGISTRATIONS or (method == "register"
                                        and "from_version" in keywords_of(node)):
            self.facts.store_registrations.append(StoreRegistration(
                method, tuple(positional), keywords_of(node)))
        if method in REGISTRY_METHODS and len(positional) >= 2 and dotted(positional[0]):
            handler = positional[1]
            name = dotted(handler.func) if isinstance(handler, cst.Call) else dotted(handler)
            if name:
                self.facts.registrations.append(Registration(
                    dotted(positional[0]), name, "call", self._enclosing_class(), node))
        if function is not None and function.receiver:
            function.self_assignments.extend(self._set_through_call(node, callee, function))

    def _set_through_call(self, node: cst.Call, callee: str,
                          function: _FunctionState) -> Iterator[SelfAssignment]:
        """The attributes a call sets on the instance: ``setattr(self, "x", v)``,
        ``object.__setattr__(self, "x", v)``, ``self.__dict__.update(x=v)`` (or a dict of
        string keys); in ``__init__``, ``super().__init__(x=v)`` (set by the base). A name
        that is not a string literal is "" (an attribute, unknown)."""
        args = node.args
        if callee in _SETATTR_CALLEES and args:
            first = args[0].value
            if isinstance(first, cst.Name) and first.value == function.receiver:
                name = _literal_name(args[1].value) if len(args) > 1 else ""
                value = args[2].value if len(args) > 2 and name else None
                yield SelfAssignment(name, None, node, value, binds=value is not None,
                                     bypasses_setattr=callee == "object.__setattr__")
        elif callee == f"{function.receiver}.__dict__.update":
            for arg in args:
                if arg.keyword is not None:
                    yield SelfAssignment(arg.keyword.value, None, node, arg.value, True, True)
                elif isinstance(arg.value, cst.Dict) and not arg.star:
                    for element in arg.value.elements:
                        name = (_literal_name(element.key)
                                if isinstance(element, cst.DictElement) else "")
                        yield SelfAssignment(name, None, node, element.value if name else None,
                                             bool(name), True)
                else:
                    yield SelfAssignment("", None, node, bypasses_setattr=True)
        elif function.node.name.value == "__init__" and _calls_base_method(node, "__init__") \
                and self.scopes[-1] is function:
            for arg in args:
                if arg.keyword is not None:
                    yield SelfAssignment(arg.keyword.value, None, node, arg.value, True,
                                         through_base=True)

    # -- imports ----------------------------------------------------------------
    def visit_Import(self, node: cst.Import) -> None:
        modules = []
        for alias in node.names:
            name = dotted(alias.name)
            modules.append(name)
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.facts.aliases[alias.asname.name.value] = name
            else:
                head = name.partition(".")[0]
                self.facts.aliases.setdefault(head, head)
        self.facts.imports.append(ImportFact(tuple(modules), node))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        level = len(node.relative)
        target = dotted(node.module) if node.module is not None else ""
        base = absolute_import(self.facts.module, self.facts.is_package, level, target)
        modules = [base]
        names = []
        star = isinstance(node.names, cst.ImportStar)
        if not star:
            for alias in node.names:
                name = dotted(alias.name)
                renamed = alias.asname and isinstance(alias.asname.name, cst.Name)
                local = alias.asname.name.value if renamed else name
                full = f"{base}.{name}" if base else name
                self.facts.aliases[local] = full
                names.append(full)
                if not target:
                    modules.append(full)
        self.facts.imports.append(ImportFact(tuple(modules), node, tuple(names), star))
