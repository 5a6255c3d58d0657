"""The facts one collection pass gathers from a module.

Rules read these, never the tree. Nodes are kept only so that positions can be
computed for what is reported, and so that fixes can find what to change.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, Mapping

import libcst as cst

from .expressions import names_in


@dataclass(frozen=True)
class Decorator:
    """A class or function decorator: ``@attrs.define(frozen=True)``."""

    name: str  # dotted as written, "" when not a plain dotted name
    called: bool
    keywords: Mapping[str, cst.BaseExpression]
    node: cst.Decorator | None  # None in compact facts
    unpacks: bool = False  # called with a ``**mapping`` argument
    args: tuple[cst.BaseExpression, ...] = ()  # positional arguments: ``@event("Registered")``


@dataclass(frozen=True)
class FieldFact:
    """An annotated class-level attribute: ``lines: tuple[Line, ...] = ()``."""

    name: str
    annotation: cst.BaseExpression | None  # None for attrs' ``x = attr.ib()``
    default: cst.BaseExpression | None
    node: cst.CSTNode | None  # the statement line, for positions (None: compact facts)

    @cached_property
    def annotation_names(self) -> tuple[str, ...]:
        """The dotted names the annotation mentions (``expressions.names_in``), read once:
        recognition and the rules ask of each field of each class along every chain."""
        return tuple(names_in(self.annotation))


@dataclass(frozen=True)
class Param:
    name: str
    annotation: cst.BaseExpression | None
    default: cst.BaseExpression | None = None
    star: bool = False  # ``*args`` or ``**kwargs``


@dataclass(frozen=True)
class SelfAssignment:
    """``self.attr = …`` / ``self.attr += …`` / ``del self.attr`` / ``setattr(self, …)``, and
    the other ways Python offers to set an attribute: ``object.__setattr__(self, "attr", …)``,
    ``self.__dict__["attr"] = …``, ``self.__dict__.update(attr=…)``; in ``__init__``, a keyword
    handed to the base's ``__init__`` (``super().__init__(attr=…)``, ``through_base``)."""

    attr: str
    annotation: cst.BaseExpression | None
    node: cst.CSTNode | None  # None in compact facts
    value: cst.BaseExpression | None = None  # what it binds, when known (not unpacked)
    binds: bool = False  # ``self.attr = …`` or ``self.attr: T = …``: sets the attribute
    # ``object.__setattr__(self, …)``: goes round ``__setattr__``, works on a frozen instance
    bypasses_setattr: bool = False
    # ``super().__init__(attr=…)``: the base's ``__init__`` sets it, this method assigns nothing
    through_base: bool = False


@dataclass(frozen=True)
class MethodFact:
    name: str
    is_async: bool
    decorators: tuple[Decorator, ...]
    params: tuple[Param, ...]  # without the receiver (self/cls)
    self_assignments: tuple[SelfAssignment, ...]
    node: cst.FunctionDef | None  # None in compact facts
    # calls a base's method of its own name (``super().__init__(...)``,
    # ``Base.__init__(self, ...)``): what the base's sets, this one sets too
    extends_base: bool = False

    @property
    def decorator_names(self) -> frozenset[str]:
        return frozenset(d.name.rpartition(".")[2] for d in self.decorators)


@dataclass(frozen=True)
class ClassFact:
    """A class as written: bases, keywords, decorators, fields, methods."""

    name: str
    qualname: str  # dotted inside the module: "Dog.Registered"
    bases: tuple[cst.BaseExpression, ...]
    base_names: tuple[str, ...]  # dotted, subscripts dropped: "DomainEventHandler"
    base_args: tuple[tuple[str, ...], ...]  # dotted names inside each base's subscript
    keywords: Mapping[str, cst.BaseExpression]  # class keywords: frozen=True, metaclass=…
    decorators: tuple[Decorator, ...]
    fields: tuple[FieldFact, ...]
    assignments: Mapping[str, cst.BaseExpression]  # un-annotated class attributes
    methods: tuple[MethodFact, ...]
    inner_classes: tuple[str, ...]  # qualnames of classes nested directly inside
    parent: str | None  # qualname of the enclosing class, if any
    in_function: bool  # defined inside a function body
    node: cst.ClassDef | None  # None in compact facts
    # per base: whether its subscript holds a union (``A | B``, ``Union[A, B]``); then
    # base_args holds the union's members
    base_unions: tuple[bool, ...] = ()

    @property
    def is_top_level(self) -> bool:
        return self.parent is None and not self.in_function

    def method(self, name: str) -> MethodFact | None:
        return next((m for m in self.methods if m.name == name), None)


@dataclass(frozen=True)
class WithBlock:
    """A ``with``/``async with`` statement: its context expressions and call span."""

    contexts: tuple[str, ...]  # dotted as written: "self.uow", "session.begin()"
    function: str | None
    first_call: int  # index of the first call inside the body
    end_call: int  # index one past the last call inside the body


@dataclass(frozen=True)
class Block:
    """A ``for``/``async for`` body, a ``try`` body or one of its ``except`` handlers, in a
    function: what the failure rules (DDD408, DDD409) read of loops and handlers."""

    kind: str  # "loop", "try" or "except"
    function: str | None
    first_call: int  # index of the first call inside it
    end_call: int  # index one past the last call inside it
    node: cst.CSTNode  # the ``For``, ``Try`` or ``ExceptHandler``
    target: str = ""  # loop: the loop variable(s) as written, "a,b" unpacked; except: its name
    iterable: cst.BaseExpression | None = None  # loop: what it iterates over
    catches: tuple[str, ...] = ()  # except: the exception classes, dotted; () when bare
    owner: int | None = None  # except: the index of its ``try``


@dataclass(frozen=True)
class Step:
    """A statement or comparison in a function that the failure rules read: ``assign``
    (``record.published_at = now``), ``augment`` (``record.attempts += 1``), ``raise``,
    ``break``, ``return``, ``compare`` (``record.attempts >= MAX_ATTEMPTS``, in a query too)."""

    kind: str
    function: str
    blocks: tuple[int, ...]  # indexes into ModuleFacts.blocks, outermost first
    after_call: int  # how many calls of the module come before it
    targets: tuple[str, ...]  # dotted: what an assignment binds, a comparison's operands
    value: cst.BaseExpression | None  # what an assignment binds
    node: cst.CSTNode


@dataclass(frozen=True)
class CallFact:
    """A call, in source order, with where it stands."""

    index: int
    callee: str  # dotted: "self.message_bus.publish", "" when not dotted
    receiver: str  # the callee without its last part: "self.message_bus"
    method: str  # the last part: "publish"
    args: tuple[cst.Arg, ...]
    function: str | None  # qualname of the enclosing function
    cls: str | None  # qualname of the enclosing class
    withs: tuple[int, ...]  # indexes into ModuleFacts.withs, outermost first
    node: cst.Call
    in_lambda: bool = False  # inside a lambda: runs later (``on_commit(lambda: …)``), not here
    blocks: tuple[int, ...] = ()  # indexes into ModuleFacts.blocks, outermost first

    def keyword(self, name: str) -> cst.BaseExpression | None:
        return next((a.value for a in self.args if a.keyword and a.keyword.value == name), None)


@dataclass(frozen=True)
class StoreRegistration:
    """A call that tells an event-sourcing framework how to read old events:
    ``register_topic("old.module:Dog.Registered", Dog.Registered)`` (eventsourcing),
    ``domain.register(Upcast, event_type=E, from_version=1, to_version=2)`` and
    ``domain.register_external_event(E, "Shop.OldName.v1")`` (Protean).
    Kept in the compact facts: another module's event reads them."""

    method: str  # the called name's last part: "register_topic", "register", ...
    args: tuple[cst.BaseExpression, ...]  # positional arguments
    keywords: Mapping[str, cst.BaseExpression]


@dataclass(frozen=True)
class ImportFact:
    """An ``import``/``from … import`` statement, modules made absolute."""

    modules: tuple[str, ...]  # absolute dotted modules it imports from
    node: cst.CSTNode | None  # None in the compact facts other modules read
    names: tuple[str, ...] = ()  # ``from p import a``: "p.a" (a submodule or an attribute)
    star: bool = False  # ``from p import *``


@dataclass(frozen=True)
class Registration:
    """An event class named with a function or class that handles it, as written: a
    mapping entry (``{OrderPlaced: [send_mail]}``), a registry call
    (``bus.subscribe(OrderPlaced, send_mail)``) or a decorator on a function
    (``@handles(OrderPlaced)``). Whether the event is one is for the model to say."""

    event: str  # dotted as written
    handler: str  # dotted as written; a call's callee for ``register(E, SendMail())``
    how: str  # "mapping", "call" or "decorator"
    scope: str | None  # qualname of the class it is written in, if any
    node: cst.CSTNode | None  # the handler expression, the call or the decorator


@dataclass
class ModuleFacts:
    """Everything the rules know about one module."""

    path: str
    module: str  # dotted module path from the source roots
    is_package: bool
    classes: dict[str, ClassFact] = field(default_factory=dict)  # by qualname
    calls: list[CallFact] = field(default_factory=list)
    withs: list[WithBlock] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)  # loops, tries, excepts (not in compact)
    steps: list[Step] = field(default_factory=list)  # in functions, in source order (idem)
    imports: list[ImportFact] = field(default_factory=list)
    aliases: dict[str, str] = field(default_factory=dict)  # local name -> absolute dotted
    # module-level names bound to a value, the last binding kept: ``Sku = str``,
    # ``Sku: TypeAlias = str``, ``type Sku = str``, ``CustomerId = NewType(...)``
    assignments: dict[str, cst.BaseExpression] = field(default_factory=dict)
    # the functions that are not methods, by qualname (not in compact facts)
    functions: dict[str, MethodFact] = field(default_factory=dict)
    registrations: list[Registration] = field(default_factory=list)  # (compact: without nodes)
    store_registrations: list[StoreRegistration] = field(default_factory=list)
    # names the module compares by identity (``x is Missing``) and never calls: sentinels
    sentinels: frozenset[str] = frozenset()
    views: dict[str, Any] = field(default_factory=dict, repr=False)  # ClassViews, by the model
    memo: dict[str, Any] = field(default_factory=dict, repr=False)  # per-module answers

    def qualify(self, dotted: str) -> str:
        """The absolute dotted name a local dotted name refers to, via imports."""
        head, dot, rest = dotted.partition(".")
        target = self.aliases.get(head)
        if target is None:
            return dotted
        return f"{target}{dot}{rest}"


def compact(facts: ModuleFacts) -> ModuleFacts:
    """What other modules read of a module, kept by the project model for the whole run:
    its classes (bases, keywords, decorators, fields, methods' signatures) and imports,
    without flow facts and without the statement nodes that hold whole bodies (those
    are only needed to place findings in the module itself). Keeping few libcst nodes
    alive keeps Python's garbage collector from walking whole trees on every pass."""
    classes = {
        qualname: replace(
            cls, node=None, decorators=tuple(replace(d, node=None) for d in cls.decorators),
            fields=tuple(replace(f, node=None) for f in cls.fields),
            methods=tuple(replace(m, node=None, decorators=tuple(
                replace(d, node=None) for d in m.decorators), self_assignments=tuple(
                replace(a, node=None) for a in m.self_assignments)) for m in cls.methods))
        for qualname, cls in facts.classes.items()}
    return ModuleFacts(facts.path, facts.module, facts.is_package, classes,
                       imports=[replace(i, node=None) for i in facts.imports],
                       aliases=facts.aliases, assignments=facts.assignments,
                       registrations=[replace(r, node=None) for r in facts.registrations],
                       store_registrations=facts.store_registrations,
                       sentinels=facts.sentinels)
