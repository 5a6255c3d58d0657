"""collect.walk makes the same hook calls as libcst's own ``tree.visit``, in the same order.

The facts record calls in source order (flow rules and the checker's ast-based placer
rely on it), classes in leave order, fields and methods in body order. The walker reads
children from a per-type table instead of libcst's ``_visit_and_replace_children``;
these tests re-derive that table from the installed libcst's source and compare the
facts of both walks over examples, rule examples and a sample of the standard library.
"""

from __future__ import annotations

import ast
import inspect
import pathlib
import sys
import sysconfig
import textwrap
import typing

import libcst as cst
import pytest
from libcst._maybe_sentinel import MaybeSentinel

from flake8_ddd_events.syntax import collect
from flake8_ddd_events.syntax.facts import ModuleFacts
from flake8_ddd_events.rules import RULES

ROOT = pathlib.Path(__file__).resolve().parent.parent
TOKEN_MODULES = ("libcst._nodes.op", "libcst._nodes.whitespace")
BRACKETS = {"LeftParen", "RightParen", "LeftSquareBracket", "RightSquareBracket",
            "LeftCurlyBrace", "RightCurlyBrace", "Asynchronous"}


# -- the table, re-derived from libcst ----------------------------------------------------
def node_types() -> dict[str, type]:
    return {name: t for name in dir(cst) if isinstance(t := getattr(cst, name), type)
            and issubclass(t, cst.CSTNode) and not inspect.isabstract(t) and t.__name__ == name}


def is_token(kind: object) -> bool:
    return isinstance(kind, type) and (kind.__module__ in TOKEN_MODULES or kind.__name__ in BRACKETS)


def visit_orders() -> dict[tuple[str, str], list[str]]:
    """(module, class) -> field names in the order its _visit_and_replace_children visits them."""
    orders = {}
    for file in sorted((pathlib.Path(cst.__file__).parent / "_nodes").glob("*.py")):
        for cls in ast.parse(file.read_text()).body:
            if not isinstance(cls, ast.ClassDef):
                continue
            for fn in cls.body:
                if isinstance(fn, ast.FunctionDef) and fn.name == "_visit_and_replace_children":
                    calls = sorted((n for n in ast.walk(fn) if isinstance(n, ast.Call)
                                    and isinstance(n.func, ast.Name) and n.func.id.startswith("visit_")),
                                   key=lambda n: (n.lineno, n.col_offset))
                    order: list[str] = []
                    for call in calls:
                        name = call.args[1].value
                        if name not in order:  # ImportFrom visits ``names`` in two branches
                            order.append(name)
                    orders[(file.stem, cls.name)] = order
    return orders


def kinds_in(hint: object):
    if typing.get_origin(hint) is None:
        yield hint
    else:
        for arg in typing.get_args(hint):
            yield from kinds_in(arg)


def derived_table() -> dict[str, tuple[str, ...]]:
    orders = visit_orders()
    table = {}
    for name, node_type in sorted(node_types().items()):
        if is_token(node_type):
            continue
        order = next(orders[key] for klass in node_type.__mro__
                     if (key := (klass.__module__.rpartition(".")[2], klass.__name__)) in orders)
        hints = typing.get_type_hints(node_type)
        table[name] = tuple(
            field for field in order
            if not all(k in (str, type(None), MaybeSentinel) or is_token(k) for k in kinds_in(hints[field])))
    return table


def test_the_child_table_matches_the_installed_libcst():
    derived = derived_table()
    listing = "\n".join(f'    "{k}": {v!r},'.replace("'", '"') for k, v in derived.items())
    assert collect._CHILDREN == derived, f"regenerate collect._CHILDREN:\n{listing}"


def test_every_other_node_type_is_a_token():
    assert set(node_types()) - set(collect._CHILDREN) <= collect._TOKENS
    assert not set(collect._CHILDREN) & collect._TOKENS


def test_the_collector_has_no_hook_on_a_skipped_token():
    for name in collect._TOKENS:
        assert collect._hook(collect._Collector, f"visit_{name}") is None
        assert collect._hook(collect._Collector, f"leave_{name}") is None


# -- same hooks, same order ---------------------------------------------------------------
class Recorder(cst.CSTVisitor):
    """Records every hook call: node visits and leaves, and attribute visits and leaves."""

    def __init__(self) -> None:
        super().__init__()
        self.log: list[tuple[str, int, str]] = []

    def on_visit(self, node):
        self.log.append(("visit", id(node), type(node).__name__))
        return True

    def on_leave(self, original_node):
        self.log.append(("leave", id(original_node), type(original_node).__name__))


SAMPLE = textwrap.dedent('''\
    import a.b as c, d
    from .x import (y as z, w)
    @deco(k=1)
    class A(B[int | None], metaclass=M):
        x: Annotated[int, f()] = g()
        @property
        async def m[T: h()](self, p: i() = j(), *q: k(), r=l(), **s) -> n():
            async with o() as t, u():
                self.v = w(lambda a=x(): y(), *z(), **aa())
            return ab() if ac() else ad()
    match ae():
        case AF(ag, ah=1) | [1, *ai] | {"k": 1, **aj} if ak():
            al({am(): an() for ao in ap() if aq()}, f"{ar()!r:{as_()}}", bs()[bt():bu()])
    type X[*Ts, **P] = bv()
    del bw()[bx()]
    assert by(), bz()
    (ca := cb()) < cc() <= cd()
''')


@pytest.mark.parametrize("source", [SAMPLE, "x = (((1)))\n", ""])
def test_the_walk_makes_the_same_calls_in_the_same_order(source):
    """Without skipped tokens, the full sequence of hooks equals libcst's for every node."""
    tree = cst.parse_module(source)
    expected = Recorder()
    tree.visit(expected)
    log = []

    class Spy(cst.CSTVisitor):
        pass

    for name in collect._CHILDREN:  # every non-token type, with every attribute hook
        setattr(Spy, f"visit_{name}", lambda self, node, n=name: log.append(("visit", id(node), n)))
        setattr(Spy, f"leave_{name}", lambda self, node, n=name: log.append(("leave", id(node), n)))
    collect._PLANS.pop(Spy, None)
    collect.walk(tree, Spy())
    without_tokens = [entry for entry in expected.log if entry[2] not in collect._TOKENS]
    assert log == without_tokens


def test_attribute_hooks_fire_around_their_field():
    log = []

    class Spy(cst.CSTVisitor):
        def visit_Call(self, node):
            log.append(("call", cst.Module([]).code_for_node(node.func)))

        def visit_With_body(self, node):
            log.append(("body", None))

        def leave_With_body(self, node):
            log.append(("end", None))

    source = "with a(), b():\n    c()\n    d()\ne()\n"
    collect.walk(cst.parse_module(source), Spy())
    assert log == [("call", "a"), ("call", "b"), ("body", None), ("call", "c"), ("call", "d"),
                   ("end", None), ("call", "e")]


def test_a_false_visit_skips_the_children_but_still_leaves():
    log = []

    class Spy(cst.CSTVisitor):
        def visit_ClassDef(self, node):
            return False

        def leave_ClassDef(self, original_node):
            log.append(original_node.name.value)

        def visit_Call(self, node):
            log.append("call")

    collect.walk(cst.parse_module("class A:\n    x = f()\n"), Spy())
    assert log == ["A"]


def test_a_node_type_the_table_does_not_know_is_walked_by_libcst():
    class Custom(cst.Call):  # not a libcst type: no entry in the table
        pass

    tree = cst.parse_module("f(g(), h())\n")
    call = tree.body[0].body[0].value
    custom = Custom(func=call.func, args=call.args)
    tree = tree.deep_replace(call, custom)
    facts = collect.collect(tree, "m.py", "m", False)
    old = ModuleFacts(path="m.py", module="m", is_package=False)
    tree.visit(collect._Collector(old))
    assert summary(facts) == summary(old)
    assert [c.callee for c in facts.calls] == ["g", "h"]  # libcst dispatches visit_Custom


def test_deep_nesting_does_not_exhaust_the_stack():
    # a chain deeper than the recursion limit (libcst's parse is quadratic in its length)
    operands = sys.getrecursionlimit() + 100
    source = "x = " + "(" * 150 + "f()" + ")" * 150 + "\n" + "y = " + " + ".join(["g()"] * operands) + "\n"
    facts = collect.collect(cst.parse_module(source), "m.py", "m", False)
    assert len(facts.calls) == operands + 1


# -- identical facts over a corpus --------------------------------------------------------
def summary(facts: ModuleFacts):
    return {
        "calls": [(c.index, c.callee, c.receiver, c.method, c.function, c.cls, c.withs, c.in_lambda,
                   id(c.node), tuple(map(id, c.args))) for c in facts.calls],
        "withs": list(facts.withs),
        "classes": [(q, c.name, c.parent, c.in_function, c.inner_classes, c.base_names, c.base_args,
                     c.base_unions, sorted(c.keywords), [d.name for d in c.decorators],
                     [(f.name, id(f.node)) for f in c.fields], sorted(c.assignments),
                     [(m.name, m.is_async, [p.name for p in m.params],
                       [(s.attr, id(s.node)) for s in m.self_assignments]) for m in c.methods],
                     id(c.node))
                    for q, c in facts.classes.items()],
        "imports": [(i.modules, i.names, id(i.node)) for i in facts.imports],
        "aliases": list(facts.aliases.items()),
    }


def own_corpus() -> list[tuple[str, str]]:
    """The example project's modules and every rule example."""
    sources = [(str(p.relative_to(ROOT)), p.read_text()) for p in sorted((ROOT / "examples").rglob("*.py"))]
    for rule in RULES:
        for n, example in enumerate((*rule.invalid, *rule.valid)):
            sources.append((f"{rule.code}[{n}]", example.source))
    return sources


def stdlib_sample() -> list[pathlib.Path]:
    """About 160 modules of the standard library, ten of them with match statements."""
    files = sorted(p for p in STDLIB.rglob("*.py") if "site-packages" not in p.parts)
    chosen = files[::max(1, len(files) // 150)]
    with_match = 0
    for path in files:  # match statements are rare: add some on purpose
        if with_match < 10 and path not in chosen and "\n    match " in path.read_text(errors="replace"):
            chosen.append(path)
            with_match += 1
    return chosen


STDLIB = pathlib.Path(sysconfig.get_paths()["stdlib"])
CORPUS = own_corpus()
STDLIB_SAMPLE = stdlib_sample()


def test_the_corpus_is_broad():
    assert len(CORPUS) + len(STDLIB_SAMPLE) > 250
    text = "\n".join([source for _, source in CORPUS]
                     + [path.read_text(errors="replace") for path in STDLIB_SAMPLE])
    for construct in ("\n    match ", "case ", "lambda", "@", 'f"', "async with", " if ", " for ", "**"):
        assert construct in text


def same_facts(name: str, tree: cst.Module) -> None:
    old = ModuleFacts(path=name, module="m", is_package=False)
    tree.visit(collect._Collector(old))
    new = collect.collect(tree, name, "m", False)
    assert summary(new) == summary(old)


@pytest.mark.parametrize("name, source", CORPUS, ids=[name for name, _ in CORPUS])
def test_the_walk_collects_the_same_facts_as_libcst_visit(name, source):
    same_facts(name, cst.parse_module(source))


@pytest.mark.slow
@pytest.mark.parametrize("path", STDLIB_SAMPLE, ids=[str(p.relative_to(STDLIB)) for p in STDLIB_SAMPLE])
def test_the_walk_collects_the_same_facts_as_libcst_visit_over_the_standard_library(path):
    try:
        tree = cst.parse_module(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, cst.ParserSyntaxError):  # test data that is not Python
        with pytest.raises((UnicodeDecodeError, SyntaxError)):
            compile(path.read_text(encoding="utf-8"), str(path), "exec", dont_inherit=True)
        return
    same_facts(str(path.relative_to(STDLIB)), tree)
