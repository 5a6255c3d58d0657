"""How much of the modules that pass the gate a partial parse could leave out: the share of
their text in statements no rule reads, which is the most a libcst parse of "only what the
rules need" (issue 34, item 3) could save.

    python benchmarks/parse_share.py FOLDER [FOLDER ...]

Each folder is read as a project of its own (the working folder is set to it, as flake8's
would be, so that source roots resolve), with the default settings; test modules and
modules the gate stops are left out. For the modules that pass, it prints their size and
the share of their text in:

- ``top-level functions, unread``: undecorated top-level functions whose name appears
  nowhere else in the module and whose text holds none of the words the rules read (the
  gate's text patterns, a naive call, a registry method or handler decorator, a stored-
  event registration, ``class``, ``import``, ``self``, ``setattr``, ``__dict__``,
  ``global``), nor a class the module compares by identity: what could be left out
  without changing a finding;
- ``top-level functions, at most``: every undecorated top-level function named nowhere
  else (the bound for any selection of top-level functions);
- ``method bodies, unread``: the bodies of undecorated methods of top-level classes that
  hold none of those words (``self`` aside), no assignment to ``self``, no call of ``self._…`` and no
  container added to on ``self`` (what a rule reads of a method: its self-assignments for
  mutability, its calls for recording, publishing and construction helpers);
- ``method bodies, at most``: every undecorated method's body.

It also prints the CPU time the selection of unread top-level functions took, beside the
size it left out. Run on the dense corpus and the development corpus in issue 34
(docs/performance.md): the shares were too small to pay for the selection.
"""

from __future__ import annotations

import ast
import os
import re
import sys
import time

from flake8_ddd_events.analysis.vocabulary import HANDLER_DECORATORS, REGISTRY_METHODS
from flake8_ddd_events.config.settings import Settings
from flake8_ddd_events.gate.look import codes_for
from flake8_ddd_events.gate.text import NAIVE_CALLS, ConstructingCall, Words, text_patterns
from flake8_ddd_events.source.files import python_files
from flake8_ddd_events.source.modules import module_path

_NEWLINES = re.compile(r"\r\n|\r|\n")
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_IDENTIFIERS = (*NAIVE_CALLS, *REGISTRY_METHODS, *HANDLER_DECORATORS, "register_topic",
                "register_upcaster", "register_external_event", "class", "import", "self",
                "setattr", "__setattr__", "__dict__", "global")
# what a rule reads of a method body beside the words: ``self.x = …``, ``self.x += …``,
# ``del self.x``, ``self.items.append(…)``, ``self._helper(…)``, an identity comparison
_METHOD_READS = re.compile(r"self\.[\w.]+(?:\[[^\]]*\])?\s*(?:=(?!=)|[-+*/|&^%@]=|:)|del\s+self"
                           r"|self\.\w+\.(?:append|add|extend|insert|update|setdefault)\("
                           r"|self\._\w+\(|\bis\b")
_CLASS_NAMES = re.compile(r"\bclass\s+(\w+)")
_IDENTITY = re.compile(r"(\w+)\s+is\b|\bis\s+(?:not\s+)?(\w+)")


def signs(settings: Settings, in_methods: bool = False) -> tuple:
    """The words the rules read in a function; in a method, ``self`` alone is not one
    (``_METHOD_READS`` says what a rule reads of it)."""
    patterns = text_patterns(settings)
    names = [n for n in _IDENTIFIERS if not (in_methods and n == "self")]
    return (*(p for key, p in patterns.items()
              if key != "datetime" and not isinstance(p, ConstructingCall)), Words(names))


def _read(text: str, found: tuple) -> bool:
    lower = text.lower()
    return any(sign.found(text, lower) for sign in found)


def _named_elsewhere(name: str, source: str, text: str) -> bool:
    word = re.compile(rf"\b{re.escape(name)}\b")
    return len(word.findall(source)) > len(word.findall(text))


def shares(source: str, tree: ast.Module, found: tuple, in_methods: tuple
           ) -> tuple[int, int, int, int, float]:
    """(unread top-level functions, all unnamed ones, unread method bodies, all method
    bodies) in characters, and the CPU seconds the first selection took."""
    lines = _NEWLINES.split(source)

    def text(first: int, last: int) -> str:
        return "\n".join(lines[first - 1:last])

    functions = [node for node in tree.body if type(node) in _FUNCTIONS and not node.decorator_list]
    # the selection as it was built: the words first, then the sentinels, then the name
    start = time.process_time()
    unread = 0
    sentinels = None
    for node in functions:
        body = text(node.lineno, node.end_lineno)  # type: ignore[arg-type]
        if _read(body, found):
            continue
        if sentinels is None:
            compared = {n for pair in _IDENTITY.findall(source) for n in pair if n}
            sentinels = compared.intersection(_CLASS_NAMES.findall(source))
        if any(re.search(rf"\b{n}\b", body) for n in sentinels) \
                or _named_elsewhere(node.name, source, body):
            continue
        unread += len(body)
    spent = time.process_time() - start
    bound = sum(len(body) for node in functions
                if not _named_elsewhere(node.name, source,
                                        body := text(node.lineno, node.end_lineno)))  # type: ignore[arg-type]
    unread_bodies = bodies = 0
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            for method in node.body:
                if type(method) in _FUNCTIONS and not method.decorator_list:
                    body = text(method.body[0].lineno, method.end_lineno)  # type: ignore[arg-type]
                    bodies += len(body)
                    if not _read(body, in_methods) and not _METHOD_READS.search(body):
                        unread_bodies += len(body)
    return unread, bound, unread_bodies, bodies, spent


def measure(folder: str) -> list[float]:
    os.chdir(folder)
    settings = Settings.from_values()
    found, in_methods = signs(settings), signs(settings, in_methods=True)
    totals = [0.0] * 7  # modules, characters, the four shares, the selection's seconds
    for path in python_files(["."]):
        try:
            with open(path, encoding="utf-8") as handle:
                source = handle.read()
            tree = ast.parse(source)
        except (SyntaxError, ValueError, UnicodeError, OSError, RecursionError):
            continue
        module, is_package = module_path(path, settings.source_roots)
        if settings.is_test_module(module) or not codes_for(source, module, settings, tree=tree,
                                                            is_package=is_package):
            continue
        *parts, spent = shares(source, tree, found, in_methods)
        for index, value in enumerate((1, len(source), *parts, spent)):
            totals[index] += value
    return totals


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    here = os.getcwd()
    print("| folder | modules passing the gate | size | top-level functions, unread | at most "
          "| method bodies, unread | at most | selection |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for folder in argv:
        modules, size, unread, bound, bodies_unread, bodies, spent = measure(os.path.abspath(folder))
        os.chdir(here)
        share = (lambda part: f"{part / size:.1%}") if size else (lambda part: "-")
        print(f"| {os.path.basename(os.path.normpath(folder))} | {modules:.0f} | {size / 1000:.0f} kB "
              f"| {share(unread)} | {share(bound)} | {share(bodies_unread)} | {share(bodies)} "
              f"| {spent * 1000:.0f} ms |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
