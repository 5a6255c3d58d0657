"""Words the gate and recognition both read (standard library only, so the gate may
import it without libcst): data bases, the registry methods and decorators that register
a handler function (the collection pass records them too), what makes a class abstract,
and how a name splits into words."""

from __future__ import annotations

import re
from typing import Iterable

# Bases that make a class data-shaped.
DATA_BASES = frozenset({"BaseModel", "NamedTuple", "Struct", "TypedDict", "Record", "Schema"})
# Handlers written as functions (docs/recognition.md, "Handlers written as functions"):
# the methods of a registry call ``bus.subscribe(OrderPlaced, send_mail)`` and the
# decorators ``@handles(OrderPlaced)`` / ``@bus.handler(OrderPlaced)``. The collection
# pass records them (``facts.Registration``); the event must resolve to an event class.
REGISTRY_METHODS = frozenset({"register", "subscribe", "add_handler", "register_handler",
                              "add_listener", "add_subscriber", "listen", "on"})
HANDLER_DECORATORS = frozenset({"handles", "handle", "handler", "subscribe", "subscribes_to",
                                "listen", "listens_to", "listener", "on", "event_handler"})
# What an outbox relay's function, class or records are named for (DDD408), and what a
# loop over domain event handlers names its handlers (DDD409): the gate looks for them too.
RELAY_WORDS = frozenset({"outbox", "relay", "unpublished", "unprocessed", "pending", "unsent"})
# A relay's record marked done: ``published_at``, ``is_processed``, ``mark_as_sent``.
DONE_WORDS = frozenset({"published", "processed", "sent", "dispatched", "delivered"})
HANDLER_WORDS = frozenset({"handler", "handlers", "subscriber", "subscribers", "listener",
                           "listeners"})

_WORD_BOUNDARY = re.compile(r"_|(?<=[a-z0-9])(?=[A-Z])")


def is_abstract(base_names: Iterable[str], decorator_names: Iterable[str]) -> bool:
    """An ``ABC`` base or an ``abstractmethod`` decorator among a class's methods (dotted
    names as written): a class meant to be inherited."""
    return (any(_last_part(name) == "ABC" for name in base_names)
            or any(_last_part(name) == "abstractmethod" for name in decorator_names))


def _last_part(name: str) -> str:
    return name.rpartition(".")[2].removesuffix("()")


_TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def text_words(text: str) -> frozenset[str]:
    """Every identifier's words in a piece of source, lower-cased."""
    return frozenset(w.lower() for token in _TOKEN.findall(text) for w in identifier_words(token))


def identifier_words(name: str) -> list[str]:
    """A snake_case or camelCase identifier's words as written: ``SqlAlchemyUnitOfWork``
    -> Sql, Alchemy, Unit, Of, Work; ``self_uow`` -> self, uow (an acronym stays with
    the word it starts: ``HTTPClient`` is one word; ``english.split_words`` separates
    acronyms for the naming rules)."""
    return [w for w in _WORD_BOUNDARY.split(name) if w]
