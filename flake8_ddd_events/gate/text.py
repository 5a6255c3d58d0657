"""The gate's text matchers: whether a source holds some names as identifiers or as runs
of words, a call given as a keyword's value, an integration event built in a call; and the
patterns made from the settings, by need word."""

from __future__ import annotations

import ast
import re
from functools import lru_cache
from typing import Collection

from ..analysis.vocabulary import (DONE_WORDS, HANDLER_DECORATORS, HANDLER_WORDS, REGISTRY_METHODS,
                                   RELAY_WORDS, identifier_words)
from ..config.settings import Settings

NAIVE_CALLS = ("now", "today", "utcnow", "fromtimestamp", "utcfromtimestamp")
_RECORDED = ("events",)  # recorded_events, domain_events, events, collect_new_events, ...


class Words:
    """Whether a source holds one of some names: a substring test first (C speed),
    then, for identifiers, word boundaries around each place a name was found."""

    def __init__(self, names: Collection[str], *, identifier: bool = True,
                 word_runs: bool = False) -> None:
        self.identifier = identifier
        self.word_runs = word_runs
        self.names = tuple(sorted(n for n in set(names) if n))
        self.variants = tuple((n, _variants(n)) for n in self.names)
        self.every_variant = tuple(v for _, variants in self.variants for v in variants)
        self.starts = tuple((n, _run_start(n)) for n in self.names) if word_runs else ()
        # each name with whether its first and last characters are word characters
        self.edges = tuple((n, _word(n, 0), _word(n, len(n) - 1)) for n in self.names)

    def found(self, source: str, lower: str) -> bool:
        if self.identifier:
            for name, first, last in self.edges:
                if _as_identifier(source, name, first, last):
                    return True
            return False
        # any case, underscores optional (``_variants``)
        if not self.word_runs:
            for variant in self.every_variant:
                if variant in lower:
                    return True
            return False
        # the names whose run can start in the text (every run starts with its first word,
        # in any case: ``unit__of_work`` holds no variant of ``unit_of_work``); outside
        # ASCII, lower-casing may move or fold letters: ``word_run_found`` decides
        present = self.names if not source.isascii() else tuple(
            name for name, start in self.starts if start in lower)
        return bool(present) and word_run_found(present, source, lower)


def _as_identifier(source: str, name: str, first: bool, last: bool) -> bool:
    """Whether ``name`` is in ``source`` between word boundaries, as ``\\bname\\b``
    matches (``first``, ``last``: whether the name starts, ends with a word character;
    the name is found first: a pattern that starts with ``\\b`` is tried at every
    character of the module)."""
    at = source.find(name)
    while at != -1:
        if _word(source, at - 1) != first and _word(source, at + len(name)) != last:
            return True
        at = source.find(name, at + 1)
    return False


def _word(source: str, at: int) -> bool:
    """Whether the character at ``at`` is a word character (Unicode, as ``re``'s ``\\w``);
    False out of the text."""
    if at < 0 or at >= len(source):
        return False
    char = source[at]
    return char.isalnum() or char == "_"


class KeywordCall:
    """Whether a source holds a call (``.now(``) given as the value of a keyword
    (``occurred_on=datetime.now()``): the calls are found first, then the text before
    each one is matched (a pattern that starts with the keyword would be tried at every
    character of the module)."""

    BEFORE = 400  # characters before the call where the keyword and receiver are looked for

    def __init__(self, call: str, before: str) -> None:
        self.call = re.compile(call)
        self.before = re.compile(before)

    def found(self, source: str, lower: str) -> bool:
        return any(self.before.search(source, max(0, m.start() - self.BEFORE), m.start())
                   for m in self.call.finditer(source))


class Registration:
    """Whether a source may register a handler function (``facts.Registration``): a
    registry call with two arguments, the first a name (``subscribe(OrderPlaced, f``), a
    handler decorator called with a name (``@bus.handles(OrderPlaced``), or a mapping entry
    whose key is a name and whose value a list, tuple or set that starts with a name
    (``{OrderPlaced: [send_mail,``); comments allowed where a line may end."""

    _GAP = r"\s*(?:#[^\n]*\n\s*)*"  # white space and comments
    _NAME = r"[A-Za-z_][\w.]*"

    def __init__(self) -> None:
        gap, name = self._GAP, self._NAME
        # a call's first two arguments, the first a name; the callee is read backwards from
        # the parenthesis (a pattern that starts with the method names is tried at every
        # character of the module, a third of the gate's time on the standard library)
        self.arguments = re.compile(rf"\({gap}{name}{gap},{gap}[A-Za-z_]")
        # searched one by one: each starts with a character the search skips to
        self.patterns = (
            re.compile(rf"@[\w.]*\b(?:{_alternatives(HANDLER_DECORATORS)})\s*\({gap}[A-Za-z_]"),
            re.compile(rf"[{{,]{gap}{name}\s*:{gap}[\[({{]{gap}{name}\s*[,\]}})#]"))
        # the end of a mapping entry, from its colon: rarer than the commas the entry's
        # pattern starts from, so searched first (no entry without it)
        self.entry_value = re.compile(rf":{gap}[\[({{]{gap}{name}\s*[,\]}})#]")

    def found(self, source: str, lower: str) -> bool:
        decorator, entry = self.patterns
        return bool(decorator.search(source)) or bool(
            self.entry_value.search(source) and entry.search(source)) or any(
            _callee(source, match.start()) in REGISTRY_METHODS
            for match in self.arguments.finditer(source))


def _callee(source: str, parenthesis: int) -> str:
    """The identifier right before an opening parenthesis (white space between)."""
    end = parenthesis
    while end and source[end - 1].isspace():
        end -= 1
    start = end
    while start and (source[start - 1].isalnum() or source[start - 1] == "_"):
        start -= 1
    return source[start:end]


class ConstructingCall:
    """A call of one of some methods (or functions) with an argument that is itself a
    call, ``bus.send(topic, OrderShipped(...))``: a shape of the calls of one function
    (``found_in``); the module's text says nothing of it, so ``found`` is always true."""

    def __init__(self, methods: Collection[str]) -> None:
        self.methods = frozenset(methods)

    def found(self, source: str, lower: str) -> bool:
        return True

    def found_in(self, calls: list[ast.AST]) -> bool:
        for call in calls:
            if not isinstance(call, ast.Call):
                continue
            func = call.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in self.methods and any(
                    isinstance(a.value if isinstance(a, (ast.Starred, ast.keyword)) else a,
                               ast.Call) for a in (*call.args, *call.keywords)):
                return True
        return False


def _alternatives(names: Collection[str]) -> str:
    return "|".join(map(re.escape, sorted(n for n in set(names) if n)))


def _variants(name: str) -> tuple[str, ...]:
    lowered = name.lower()
    return (lowered, lowered.replace("_", "")) if "_" in lowered else (lowered,)


_MAX_WINDOWS = 2000


def word_run_found(names: tuple[str, ...], source: str, lower: str) -> bool:
    """Whether one of the names is in the source as a run of words: ``pattern.search``
    over the whole source, with the pattern tried only where the lower case of a name's run
    starts (``_run_start``: its first word, which every spelling of the run begins with,
    ``unit__of_work`` and ``Unit_ofWork`` too). Exact when lower-casing keeps the offsets
    and no character but an ASCII letter matches one (``FOLDS_TO_ASCII``), as in any ASCII
    source; else, or past ``_MAX_WINDOWS`` tries, the whole search."""
    pattern = word_run_pattern(names)
    starts = {_run_start(name) for name in names}
    if not source.isascii() and (len(lower) != len(source) or not all(
            s.isascii() for s in starts) or any(char in source for char in FOLDS_TO_ASCII)):
        return pattern.search(source) is not None
    tried = 0
    for start in starts:
        at = lower.find(start)
        while at != -1:
            tried += 1
            if tried > _MAX_WINDOWS:
                return pattern.search(source) is not None
            if pattern.match(source, at):
                return True
            at = lower.find(start, at + 1)
    return False


# The characters outside ASCII that ``re`` matches to an ASCII letter when the case is
# ignored: İ (its lower case is "i" as re takes it, "i̇" as str.lower does), ı and ſ (re's
# equivalents of i and s), K (the Kelvin sign); tests/gate checks the list on every Python.
FOLDS_TO_ASCII = "\u0130\u0131\u017f\u212a"


def _run_start(name: str) -> str:
    """What every run of the name (``word_run_pattern``) starts with, lower-cased: its first
    word; for a name of one word, what the word and its plural share."""
    words = identifier_words(name)
    if len(words) > 1:
        return words[0].lower()
    last = words[-1]
    return (last[:-1] if last.endswith("y") else last).lower()


@lru_cache(maxsize=256)
def word_run_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    """Any of the names as a run of whole words in snake or camel case, any case
    (``self._uow``, ``SqlAlchemyUnitOfWork``, ``orders_repos``), as the flow rules
    match receivers and transaction contexts; a plural of the last word counts."""
    parts = []
    for name in names:
        words = identifier_words(name)
        last = words[-1]
        plural = f"{last[:-1]}ies" if last.endswith("y") else f"{last}s"
        body = "_*".join(f"(?i:{re.escape(w)})" for w in words[:-1])
        tail = f"(?i:{re.escape(last)}|{re.escape(plural)})"
        run = f"{body}_*{tail}" if body else tail
        parts.append(f"(?:(?<![A-Za-z])|(?=[A-Z])){run}(?![a-z])")
    return re.compile("|".join(parts))


def text_patterns(settings: Settings) -> dict[str, Words]:
    s = settings
    return {
        "datetime": Words(["datetime"], identifier=False),
        # a keyword whose value is a naive datetime call (DDD107 outside events: a timestamp
        # keyword in any call, any keyword of a call that builds an event)
        "naive-keyword": KeywordCall(
            rf"\.\s*(?:{_alternatives(NAIVE_CALLS)})\s*\(",
            r"(?<![\w])\w+\s*=(?!=)\s*[\w.]+\Z"),
        "record-method": Words(s.record_methods),
        "transaction": Words([*s.transaction_contexts, "commit"], identifier=False,
                             word_runs=True),
        "transport-method": Words(s.transport_methods),
        "transport-receiver": Words(s.transport_receivers, identifier=False),
        # a transport method whose argument constructs a class: ``bus.send(OrderShipped(...))``
        "publish-constructs": ConstructingCall(s.transport_methods),
        "publish-method": Words({*s.aggregate_publish_methods, *s.transport_methods}),
        "recorded-events": Words(_RECORDED, identifier=False),
        "clear-method": Words(s.clear_methods),
        # a mark method that does not say "mark" (delete, remove) counts on an outbox only
        "mark-method": Words([m for m in s.outbox_mark_methods if "mark" in m], identifier=False),
        "outbox": Words(["outbox"] if any("mark" not in m for m in s.outbox_mark_methods)
                        else [], identifier=False),
        "write-method": Words(s.repository_write_methods),
        "handler-registration": Registration(),
        "repository": Words(s.repository_receivers, identifier=False, word_runs=True),
        # the failure rules: a relay's name, a publish in any name (``_publish_one``), a
        # handler loop's names, an ``except``
        "relay-name": Words(RELAY_WORDS, identifier=False, word_runs=True),
        "done-word": Words(DONE_WORDS, identifier=False, word_runs=True),
        "transport-word": Words(s.transport_methods, identifier=False, word_runs=True),
        "handler-word": Words(HANDLER_WORDS, identifier=False, word_runs=True),
        "except": Words(["except"]),
    }
