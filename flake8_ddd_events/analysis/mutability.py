"""Mutable containers: whether an annotation name or a default is a list, set, dict or
another container that can change after the object is made (DDD104 and its fix)."""

from __future__ import annotations

import libcst as cst

from ..model.views import ClassView
from ..syntax.expressions import dotted, last_part

_MUTABLE = {
    "list": "tuple[X, ...]", "List": "Tuple[X, ...]", "MutableSequence": "Sequence[X] holding a tuple",
    "deque": "tuple[X, ...]", "Deque": "Tuple[X, ...]",
    "set": "frozenset[X]", "Set": "FrozenSet[X]", "MutableSet": "frozenset[X]",
    "dict": "a tuple of pairs or a frozen value object", "Dict": "a tuple of pairs or a frozen value object",
    "DefaultDict": "a tuple of pairs", "defaultdict": "a tuple of pairs",
    "OrderedDict": "a tuple of pairs", "Counter": "a tuple of pairs",
    "MutableMapping": "a tuple of pairs or a frozen value object", "bytearray": "bytes",
}
_HOMES = {
    "list": "builtins", "set": "builtins", "dict": "builtins", "bytearray": "builtins",
    "deque": "collections", "defaultdict": "collections", "OrderedDict": "collections",
    "Counter": "collections",
}
_DEFAULT_FACTORIES = {"list": "tuple", "set": "frozenset", "dict": "a frozen mapping",
                      "bytearray": "bytes", "deque": "tuple", "defaultdict": "a frozen mapping"}


def mutable_name(view: ClassView, name: str) -> str | None:
    """The mutable container a dotted annotation name denotes, if any."""
    short = last_part(name)
    if short not in _MUTABLE:
        return None
    if "." not in name and name in view.facts.classes:
        return None  # a project class that happens to share the name
    qualified = view.facts.qualify(name)
    home = _HOMES.get(short)
    if home == "builtins":
        return short if qualified in (short, f"builtins.{short}") else None
    package = qualified.rpartition(".")[0]
    if home == "collections":
        in_collections = package in ("collections", "typing", "typing_extensions")
        return short if in_collections or qualified == short else None
    return short if package in ("typing", "typing_extensions", "collections.abc", "") else None


def mutable_default(view: ClassView, default: cst.BaseExpression | None) -> str | None:
    if isinstance(default, (cst.List, cst.ListComp)):
        return "list"
    if isinstance(default, (cst.Dict, cst.DictComp)):
        return "dict"
    if isinstance(default, (cst.Set, cst.SetComp)):
        return "set"
    if isinstance(default, cst.Call):
        for arg in default.args:
            if arg.keyword and arg.keyword.value in ("default_factory", "factory"):
                name = dotted(arg.value)
                if name and mutable_name(view, name):
                    return last_part(name)
    return None


def immutable_instead(kind: str) -> str:
    """What to hold instead of a mutable ``kind`` (``list`` -> ``tuple[X, ...]``)."""
    return _MUTABLE.get(kind) or _DEFAULT_FACTORIES.get(kind, "an immutable type")
