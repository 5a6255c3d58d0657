"""Naming: an event is named for a fact that happened, in the past tense (DDD102)."""

from __future__ import annotations

from typing import Iterator

from ..analysis.english import states_past_fact, suggest_name
from .rule import Context, Finding, rule


@rule(
    "DDD102", "event-name-not-past-tense",
    summary="event name does not state a past fact",
    what="Reports a concrete event whose class name does not state something that happened: "
         "`CreateOrder`, `OrderCreate`, `OrderCreation`, `StockLevel`. A trailing `Event`, "
         "`DomainEvent`, `IntegrationEvent` or `Message` and a version suffix (`V2`) are "
         "ignored; the deciding word may stand anywhere (`ItemAddedToCart`); phrasal, passive "
         "and irregular forms pass (`UserLoggedIn`, `BidWasPlaced`, `MoneyWithdrawn`); verbs "
         "whose past equals the present count only after the first word (`PasswordReset` "
         "and `ScheduleReset` pass, `ResetPassword` does not). Event bases are exempt.",
    why="An event is a fact in the ubiquitous language, not an intention. `CreateOrder` reads "
        "as a command that may still fail; a handler subscribed to it cannot tell whether the "
        "order exists. Past-tense names keep commands and events apart in code and in talk "
        "with domain experts.",
    use_instead="Name the fact: the aggregate or subject, then what happened to it, in the "
                "past tense. The message suggests a name where one can be derived.",
    invalid=[
        """\
from dataclasses import dataclass

from shop.kernel import DomainEvent


@dataclass(frozen=True)
class CreateOrder(DomainEvent):  # DDD102
    order_id: str


@dataclass(frozen=True)
class OrderCreation(DomainEvent):  # DDD102
    order_id: str
""",
    ],
    valid=[
        """\
from dataclasses import dataclass

from shop.kernel import DomainEvent


@dataclass(frozen=True)
class SalesEvent(DomainEvent):
    \"\"\"A category base: exempt.\"\"\"


@dataclass(frozen=True)
class OrderCreated(SalesEvent):
    order_id: str


@dataclass(frozen=True)
class PasswordReset(DomainEvent):
    user_id: str


@dataclass(frozen=True)
class ItemAddedToCartV2(DomainEvent):
    cart_id: str
""",
    ],
    options=("ddd-past-tense-allow",),
)
def event_name_not_past_tense(context: Context) -> Iterator[Finding]:
    allow = frozenset(context.settings.past_tense_allow)
    for view, recognition in context.events:
        if not recognition.is_concrete_event or states_past_fact(view.name, allow):
            continue
        suggestion = suggest_name(view.name)
        hint = f"; rename it to '{suggestion}'" if suggestion else "; name the fact in the past tense"
        yield Finding(view.cls.node, f"event '{view.name}' does not state a past fact{hint}")
