"""What each rule needs of a module to pass the gate: a class whose chain can reach a
configured base (``EVENTS``, ``AGGREGATES``, ``HANDLERS``, ``STORED``), a domain-layer
module that imports (``DOMAIN_IMPORT``), or words in its text (``TextNeed``). A code
missing from ``NEEDS`` is gated by nothing (``tests`` fail until a new rule declares its needs)."""

from __future__ import annotations

from typing import NamedTuple, Union

# Class needs: a class statement whose chain of bases can reach a configured base.
EVENTS = "events"
AGGREGATES = "aggregates"
HANDLERS = "handlers"
DOMAIN_IMPORT = "domain-import"  # a domain-layer module (by the module globs) that imports
STORED = "stored"  # a class under a stored-event base, or any class of a stored-event module


class TextNeed(NamedTuple):
    """Words a module's text must all hold: names of the settings-derived patterns of
    ``text.text_patterns``, the rarer and cheaper first (a module's answer for each
    pattern is kept, so shared ones cost once). ``per_function``: a flow rule's need,
    which reads one function at a time (the module body is one too), so every word must
    be found in the text of a single function."""

    words: tuple[str, ...]
    per_function: bool = False


Need = Union[str, TextNeed]  # a class need, DOMAIN_IMPORT, or words

NAIVE_TIMESTAMP = TextNeed(("datetime", "naive-keyword"))
RECORD_CALL = TextNeed(("record-method",))
PUBLISH_IN_TRANSACTION = TextNeed(("transport-receiver", "transport-method", "transaction"), True)
PUBLISH_EVENT_IN_TRANSACTION = TextNeed(("transport-method", "transaction", "publish-constructs"),
                                        True)
DISPATCH_AFTER_COMMIT = TextNeed(("recorded-events", "publish-method", "transaction"), True)
CLEAR_BEFORE_DISPATCH = TextNeed(("clear-method", "recorded-events", "publish-method"), True)
MARK_BEFORE_PUBLISH = TextNeed(("mark-method", "transport-method"), True)
DELETE_BEFORE_PUBLISH = TextNeed(("outbox", "transport-method"), True)
TWO_REPOSITORIES = TextNeed(("repository", "transaction", "write-method"), True)
# an outbox relay (its helpers may be other functions of the module) and a handler loop's
# ``except`` (its transaction may be in a caller); then their shapes in the ``ast``
# (``failure_shapes.py``)
RELAY = TextNeed(("relay-name", "done-word", "transport-word"))
HANDLER_LOOP = TextNeed(("except", "handler-word", "transaction"))
COMMIT_SWALLOWS_DISPATCH = TextNeed(("except", "publish-method", "transaction"), True)
# a dispatch inside a transaction, of a dispatcher in another module (DDD409); then its
# shape in the ``ast``: in a transaction ``with`` or before a ``.commit()``
DISPATCH_IN_TRANSACTION = TextNeed(("publish-method", "transaction"), True)
# a handler function may be registered (``text.Registration``)
FUNCTION_HANDLER = TextNeed(("handler-registration",))

# A rule passes the gate when any one of its needs is met. A code missing here
# is gated by nothing (the module is always parsed): tests/gate/test_gate.py fails
# until a new rule declares its needs.
NEEDS: dict[str, tuple[Need, ...]] = {
    "DDD000": (),  # only reported on a module that is parsed for another rule
    **{code: (EVENTS,) for code in (
        "DDD101", "DDD102", "DDD103", "DDD104", "DDD105", "DDD106", "DDD108", "DDD109", "DDD110",
        "DDD201", "DDD202", "DDD203", "DDD204", "DDD205", "DDD206", "DDD208")},
    "DDD209": (EVENTS, AGGREGATES, STORED),
    "DDD107": (EVENTS, NAIVE_TIMESTAMP),
    "DDD301": (AGGREGATES,),
    "DDD302": (AGGREGATES,),
    "DDD303": (RECORD_CALL,),
    "DDD401": (PUBLISH_IN_TRANSACTION, PUBLISH_EVENT_IN_TRANSACTION),
    "DDD402": (DISPATCH_AFTER_COMMIT,),
    "DDD403": (CLEAR_BEFORE_DISPATCH,),
    "DDD404": (HANDLERS, FUNCTION_HANDLER),
    "DDD405": (HANDLERS, FUNCTION_HANDLER),
    "DDD406": (MARK_BEFORE_PUBLISH, DELETE_BEFORE_PUBLISH),
    "DDD407": (TWO_REPOSITORIES,),
    "DDD408": (RELAY,),
    "DDD409": (HANDLER_LOOP, COMMIT_SWALLOWS_DISPATCH, DISPATCH_IN_TRANSACTION),
    "DDD501": (DOMAIN_IMPORT,),
}

# The flow rules' needs (one function at a time).
PER_FUNCTION = frozenset(need for needs in NEEDS.values() for need in needs
                         if isinstance(need, TextNeed) and need.per_function)
