"""Small libcst edits that keep the surrounding formatting: comma-separated
lists (call arguments, imported names) and decorator keywords."""

from __future__ import annotations

from typing import Sequence, TypeVar

import libcst as cst

Element = TypeVar("Element", cst.Arg, cst.ImportAlias)

_NO_SPACE = cst.SimpleWhitespace("")


def _is_multiline(comma: cst.Comma | cst.MaybeSentinel) -> bool:
    return isinstance(comma, cst.Comma) and isinstance(comma.whitespace_after, cst.ParenthesizedWhitespace)


def append(elements: Sequence[Element], new: Element, opener: cst.BaseParenthesizableWhitespace
           | None = None, *, sort_key=None) -> list[Element]:
    """``elements`` with ``new`` added, laid out like its neighbours.

    On one line the new element is inserted in order (``sort_key``) when the
    elements already are, else appended. A list written one element per line
    (with a trailing comma) gets the new element on a line of its own at the
    end; comments stay with their elements.
    """
    if not elements:
        return [new]
    commas = [element.comma for element in elements]
    if any(_is_multiline(comma) for comma in commas):
        return _append_on_own_line(list(elements), new, opener)
    between = [c for c in commas[:-1]] or [cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))]
    items = [*elements, new]
    if sort_key is not None:
        keys = [sort_key(e) for e in elements]
        if keys == sorted(keys):
            items.sort(key=sort_key)
    trailing = commas[-1]
    separators = [*commas[:-1], between[-1], trailing]
    return [item.with_changes(comma=comma) for item, comma in zip(items, separators)]


def _append_on_own_line(elements: list, new, opener) -> list:
    last = elements[-1]
    trailing = last.comma
    if len(elements) > 1 and _is_multiline(elements[-2].comma):
        indent = elements[-2].comma.whitespace_after.last_line
    elif isinstance(opener, cst.ParenthesizedWhitespace):
        indent = opener.last_line
    else:
        indent = cst.SimpleWhitespace("    ")
    if _is_multiline(trailing):
        after = trailing.whitespace_after
        closer_indent = after.last_line
        last_comma = trailing.with_changes(whitespace_after=after.with_changes(last_line=indent))
        new_comma = cst.Comma(whitespace_before=_NO_SPACE, whitespace_after=cst.ParenthesizedWhitespace(
            first_line=cst.TrailingWhitespace(), empty_lines=[], indent=after.indent,
            last_line=closer_indent))
    else:  # the last element has no trailing comma: the closer follows it directly
        last_comma = cst.Comma(whitespace_before=_NO_SPACE, whitespace_after=cst.ParenthesizedWhitespace(
            first_line=cst.TrailingWhitespace(), empty_lines=[], indent=True, last_line=indent))
        new_comma = trailing
    if isinstance(last, cst.Arg):  # the whitespace before the closer moves to the new last argument
        new = new.with_changes(whitespace_after_arg=last.whitespace_after_arg)
        last = last.with_changes(whitespace_after_arg=_NO_SPACE)
    return [*elements[:-1], last.with_changes(comma=last_comma), new.with_changes(comma=new_comma)]


def keyword(name: str, value: cst.BaseExpression) -> cst.Arg:
    """``name=value`` written without spaces, as PEP 8 wants for keywords."""
    return cst.Arg(value=value, keyword=cst.Name(name),
                   equal=cst.AssignEqual(whitespace_before=_NO_SPACE, whitespace_after=_NO_SPACE))


def set_keywords(decorator: cst.Decorator, values: dict[str, str]) -> cst.Decorator:
    """The decorator called with each ``name=value``: existing keywords are
    changed in place, missing ones appended (``@dataclass`` → ``@dataclass(frozen=True)``)."""
    expression = decorator.decorator
    call = expression if isinstance(expression, cst.Call) else cst.Call(func=expression)
    args = list(call.args)
    for name, value in values.items():
        index = next((i for i, a in enumerate(args) if a.keyword and a.keyword.value == name), None)
        if index is not None:
            args[index] = args[index].with_changes(value=cst.Name(value))
        else:
            args = append(args, keyword(name, cst.Name(value)), call.whitespace_before_args)
    return decorator.with_changes(decorator=call.with_changes(args=args))


def import_names(node: cst.ImportFrom, add: Sequence[tuple[str, str]],
                 remove: Sequence[str]) -> cst.ImportFrom:
    """The ``from … import`` with names added and names no longer used removed.

    Each added name is a pair (name, replacing): it takes the place of
    ``replacing`` when that name is removed, else it is inserted in order
    (when the names are sorted) or appended. The last name is never removed.
    """
    assert not isinstance(node.names, cst.ImportStar)
    names = list(node.names)
    gone = set(remove)
    for name, replacing in add:
        if name in {local_name(alias) for alias in names}:
            continue
        index = next((i for i, a in enumerate(names)
                      if replacing in gone and local_name(a) == replacing), None)
        if index is not None:
            names[index] = names[index].with_changes(name=cst.Name(name), asname=None)
            names = _resorted(names, index)
            gone.discard(replacing)
        else:
            opener = node.lpar.whitespace_after if node.lpar else None
            names = append(names, cst.ImportAlias(name=cst.Name(name)), opener, sort_key=_sort_key)
    keep = [a for a in names if local_name(a) not in gone]
    if keep and len(keep) < len(names):
        if keep[-1] is not names[-1]:
            keep[-1] = keep[-1].with_changes(comma=names[-1].comma)
        names = keep
    return node.with_changes(names=names)


def local_name(alias: cst.ImportAlias) -> str:
    """The name an import binds (``b`` for ``import a as b``)."""
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    return cst.Module([]).code_for_node(alias.name)


def _sort_key(alias: cst.ImportAlias) -> str:
    return cst.Module([]).code_for_node(alias.name)


def _resorted(names: list[cst.ImportAlias], changed: int) -> list[cst.ImportAlias]:
    """Names put back in order after a replacement, when the others were in order."""
    if any(_is_multiline(a.comma) for a in names):
        return names
    others = [_sort_key(a) for i, a in enumerate(names) if i != changed]
    if others != sorted(others):
        return names
    ordered = sorted(names, key=_sort_key)
    return [item.with_changes(comma=original.comma) for item, original in zip(ordered, names)]
