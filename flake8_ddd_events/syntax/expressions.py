"""Small readers of libcst expressions: dotted names, names inside annotations, literals."""

from __future__ import annotations

import libcst as cst


def dotted(node: cst.BaseExpression | None) -> str:
    """``a.b.c`` for names and attributes, ``f()`` for calls; "" when not dotted.

    Subscripts are dropped: ``Handler[Placed]`` gives ``Handler``.
    """
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr.value}" if base else ""
    if isinstance(node, cst.Call):
        base = dotted(node.func)
        return f"{base}()" if base else ""
    if isinstance(node, cst.Subscript):
        return dotted(node.value)
    return ""


def last_part(name: str) -> str:
    return name.rpartition(".")[2].removesuffix("()")


def names_in(node: cst.BaseExpression | None) -> list[str]:
    """Every dotted name an annotation mentions, at any depth, in order.

    ``Optional[tuple[OrderLine, ...]]`` gives Optional, tuple, OrderLine;
    string forward references are read as expressions.
    """
    found: list[str] = []
    stack: list[cst.CSTNode] = [node] if node is not None else []
    while stack:
        current = stack.pop()
        if isinstance(current, (cst.Name, cst.Attribute)):
            name = dotted(current)
            if name:
                found.append(name)
                continue
        if isinstance(current, cst.SimpleString):
            inner = _parse_forward_reference(current)
            if inner is not None:
                stack.append(inner)
            continue
        stack.extend(reversed(_parts(current)))
    return found


def _parts(node: cst.CSTNode) -> list:
    """The children of an annotation's node in source order, the common shapes read
    directly (libcst's ``children`` visits every field, whitespace too)."""
    kind = type(node)
    if kind is cst.Subscript:
        return [node.value, *(element.slice for element in node.slice)]
    if kind is cst.Index:
        return [node.value]
    if kind is cst.BinaryOperation:
        return [node.left, node.right]
    if kind is cst.Tuple or kind is cst.List:
        return [element.value for element in node.elements]
    return list(node.children)


def _parse_forward_reference(node: cst.SimpleString) -> cst.BaseExpression | None:
    text = node.evaluated_value
    if not isinstance(text, str) or len(text) > 200:
        return None
    try:
        return cst.parse_expression(text.strip())
    except (cst.ParserSyntaxError, RecursionError, ValueError):
        return None


def is_true(node: cst.BaseExpression | None) -> bool:
    return isinstance(node, cst.Name) and node.value == "True"


def is_false(node: cst.BaseExpression | None) -> bool:
    return isinstance(node, cst.Name) and node.value == "False"


def keywords_of(call: cst.Call) -> dict[str, cst.BaseExpression]:
    return {a.keyword.value: a.value for a in call.args if a.keyword is not None}


def dict_literal_items(node: cst.BaseExpression) -> dict[str, cst.BaseExpression]:
    """String keys of a dict literal or ``dict(k=v)`` / ``ConfigDict(k=v)`` call."""
    if isinstance(node, cst.Dict):
        items = {}
        for element in node.elements:
            if isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString):
                key = element.key.evaluated_value
                if isinstance(key, str):
                    items[key] = element.value
        return items
    if isinstance(node, cst.Call):
        return keywords_of(node)
    return {}
