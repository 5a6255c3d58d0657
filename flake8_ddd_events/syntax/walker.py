"""A walk over a libcst tree that calls a visitor's hooks as ``tree.visit(visitor)`` does,
without rebuilding nodes: a table of each node type's child fields (``CHILDREN``,
checked against libcst by ``tests``), the tokens that hold nothing worth visiting
(``TOKENS``), and one plan per (visitor, node) type."""

from __future__ import annotations

import libcst as cst

# -- the walk ---------------------------------------------------------------------------
# ``tree.visit(visitor)`` rebuilds and re-validates every node, even for a read-only
# visitor; ``walk`` makes the same visit_/leave_ calls (attribute hooks included) in
# the same order, without building anything, and with an explicit stack (no recursion).
#
# The children of each node type, in the order libcst's own
# ``_visit_and_replace_children`` visits them (source order: e.g. a function's
# decorators before its body, ``body if test else orelse``), leaving out fields that can
# hold only whitespace and tokens (parentheses, commas, operators, ...). Derived from
# libcst's source; tests/syntax/test_collect.py re-derives it from the installed libcst.
CHILDREN: dict[str, tuple[str, ...]] = {
    "AnnAssign": ("target", "annotation", "value"),
    "Annotation": ("annotation",),
    "Arg": ("keyword", "value"),
    "AsName": ("name",),
    "Assert": ("test", "msg"),
    "Assign": ("targets", "value"),
    "AssignTarget": ("target",),
    "Attribute": ("value", "attr"),
    "AugAssign": ("target", "value"),
    "Await": ("expression",),
    "BinaryOperation": ("left", "right"),
    "BooleanOperation": ("left", "right"),
    "Break": (),
    "Call": ("func", "args"),
    "ClassDef": ("decorators", "name", "type_parameters", "bases", "keywords", "body"),
    "CompFor": ("target", "iter", "ifs", "inner_for_in"),
    "CompIf": ("test",),
    "Comparison": ("left", "comparisons"),
    "ComparisonTarget": ("comparator",),
    "ConcatenatedString": ("left", "right"),
    "Continue": (),
    "Decorator": ("decorator",),
    "Del": ("target",),
    "Dict": ("elements",),
    "DictComp": ("key", "value", "for_in"),
    "DictElement": ("key", "value"),
    "Element": ("value",),
    "Ellipsis": (),
    "Else": ("body",),
    "ExceptHandler": ("type", "name", "body"),
    "ExceptStarHandler": ("type", "name", "body"),
    "Expr": ("value",),
    "Finally": ("body",),
    "Float": (),
    "For": ("target", "iter", "body", "orelse"),
    "FormattedString": ("parts",),
    "FormattedStringExpression": ("expression", "format_spec"),
    "FormattedStringText": (),
    "From": ("item",),
    "FunctionDef": ("decorators", "name", "type_parameters", "params", "returns", "body"),
    "GeneratorExp": ("elt", "for_in"),
    "Global": ("names",),
    "If": ("test", "body", "orelse"),
    "IfExp": ("body", "test", "orelse"),
    "Imaginary": (),
    "Import": ("names",),
    "ImportAlias": ("name", "asname"),
    "ImportFrom": ("module", "names"),
    "IndentedBlock": ("body",),
    "Index": ("value",),
    "Integer": (),
    "Lambda": ("params", "body"),
    "LazyImport": ("names",),
    "LazyImportFrom": ("module", "names"),
    "List": ("elements",),
    "ListComp": ("elt", "for_in"),
    "Match": ("subject", "cases"),
    "MatchAs": ("pattern", "name"),
    "MatchCase": ("pattern", "guard", "body"),
    "MatchClass": ("cls", "patterns", "kwds"),
    "MatchKeywordElement": ("key", "pattern"),
    "MatchList": ("patterns",),
    "MatchMapping": ("elements", "rest"),
    "MatchMappingElement": ("key", "pattern"),
    "MatchOr": ("patterns",),
    "MatchOrElement": ("pattern",),
    "MatchSequenceElement": ("value",),
    "MatchSingleton": ("value",),
    "MatchStar": ("name",),
    "MatchTuple": ("patterns",),
    "MatchValue": ("value",),
    "Module": ("body",),
    "Name": (),
    "NameItem": ("name",),
    "NamedExpr": ("target", "value"),
    "Nonlocal": ("names",),
    "Param": ("name", "annotation", "default"),
    "ParamSlash": (),
    "ParamSpec": ("name",),
    "ParamStar": (),
    "Parameters": ("posonly_params", "posonly_ind", "params", "star_arg", "kwonly_params", "star_kwarg"),
    "Pass": (),
    "Raise": ("exc", "cause"),
    "Return": ("value",),
    "Set": ("elements",),
    "SetComp": ("elt", "for_in"),
    "SimpleStatementLine": ("body",),
    "SimpleStatementSuite": ("body",),
    "SimpleString": (),
    "Slice": ("lower", "upper", "step"),
    "StarredDictComp": ("value", "for_in"),
    "StarredDictElement": ("value",),
    "StarredElement": ("value",),
    "Subscript": ("value", "slice"),
    "SubscriptElement": ("slice",),
    "TemplatedString": ("parts",),
    "TemplatedStringExpression": ("expression", "format_spec"),
    "TemplatedStringText": (),
    "Try": ("body", "handlers", "orelse", "finalbody"),
    "TryStar": ("body", "handlers", "orelse", "finalbody"),
    "Tuple": ("elements",),
    "TypeAlias": ("name", "type_parameters", "value"),
    "TypeParam": ("param", "default"),
    "TypeParameters": ("params",),
    "TypeVar": ("name", "bound"),
    "TypeVarTuple": ("name",),
    "UnaryOperation": ("expression",),
    "While": ("test", "body", "orelse"),
    "With": ("items", "body"),
    "WithItem": ("item", "asname"),
    "Yield": ("value",),
}

_PLAIN = (None, None, ())  # a node with no hook and no child worth visiting


def hook(visitor_type: type, name: str):
    """The visitor's own ``name`` method, or None when it is libcst's empty default."""
    method = getattr(visitor_type, name, None)
    return None if method is None or method is getattr(cst.CSTVisitor, name, None) else method


def _plan(visitor_type: type, node_type: type):
    """(visit, leave, steps) for one node type: steps are its child fields with their
    attribute hooks, LAST field first (the walk pushes them on a stack); None means: a
    type the table does not know, which libcst walks itself."""
    name = node_type.__name__
    visit = hook(visitor_type, f"visit_{name}")
    leave = hook(visitor_type, f"leave_{name}")
    fields = CHILDREN.get(name) if getattr(cst, name, None) is node_type else None
    if fields is None:
        if name in TOKENS:
            return (visit, leave, ()) if visit or leave else _PLAIN
        return visit, leave, None
    steps = tuple((field, hook(visitor_type, f"visit_{name}_{field}"),
                   hook(visitor_type, f"leave_{name}_{field}")) for field in reversed(fields))
    if not visit and not leave and not steps:
        return _PLAIN
    return visit, leave, steps


def _subclasses(base: type) -> set[type]:
    found = {base}
    for sub in base.__subclasses__():
        found |= _subclasses(sub)
    return found


# (not ``issubclass``: CSTNode is an ABC, whose subclass test walks every subclass, for
# each name a few milliseconds at import)
_NODE_TYPES = frozenset(_subclasses(cst.CSTNode))
_TOKEN_MODULES = ("libcst._nodes.op", "libcst._nodes.whitespace")
TOKENS = frozenset(
    node.__name__ for node in _NODE_TYPES
    if getattr(cst, node.__name__, None) is node
    and (node.__module__ in _TOKEN_MODULES
         or node.__name__ in {"LeftParen", "RightParen", "LeftSquareBracket",
                              "RightSquareBracket", "LeftCurlyBrace", "RightCurlyBrace",
                              "Asynchronous"})
)
_PLANS: dict[type, dict[type, tuple]] = {}


def walk(tree: cst.CSTNode, visitor: cst.CSTVisitor) -> None:
    """Call ``visitor``'s hooks as ``tree.visit(visitor)`` would, without rebuilding nodes."""
    plans = _PLANS.setdefault(type(visitor), {})
    stack: list = [tree]
    push, pop = stack.append, stack.pop
    sequences = (tuple, list)
    while stack:
        item = pop()
        if type(item) is tuple:  # a pending leave_ or attribute hook
            item[0](visitor, item[1])
            continue
        plan = plans.get(type(item))
        if plan is None:
            plan = plans[type(item)] = _plan(type(visitor), type(item))
        visit, leave, steps = plan
        if steps is None:  # a node type this table does not know: libcst walks it
            item.visit(visitor)
            continue
        if leave is not None:
            push((leave, item))
        if visit is not None and visit(visitor, item) is False:
            continue
        for field, visit_field, leave_field in steps:
            if leave_field is not None:
                push((leave_field, item))
            value = getattr(item, field)
            if type(value) in sequences:
                stack.extend(reversed(value))
            elif type(value) in _NODE_TYPES or (  # isinstance on libcst's abstract
                    value is not None and type(value) is not cst.MaybeSentinel  # bases is
                    and isinstance(value, cst.CSTNode)):  # slow: known types first
                push(value)
            if visit_field is not None:
                push((visit_field, item))
