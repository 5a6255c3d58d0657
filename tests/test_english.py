"""Tests of the past-tense recogniser behind DDD102."""

from __future__ import annotations

from pathlib import Path

import pytest

from flake8_ddd_events.analysis.english import split_words, states_past_fact, suggest_name

TSV = Path(__file__).parent / "data" / "event_names.tsv"


def _rows() -> list[tuple[str, str]]:
    lines = TSV.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "name\tlabel"
    rows = [tuple(line.split("\t")) for line in lines[1:] if line.strip()]
    return rows  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("HTTPRequestFailedV2", ["HTTP", "Request", "Failed", "V2"]),
        ("OrderPlaced", ["Order", "Placed"]),
        ("order_created_v2", ["order", "created", "v2"]),
        ("OrderCreated_V10", ["Order", "Created", "V10"]),
        ("S3FileUploaded", ["S3", "File", "Uploaded"]),
        ("orderShipped", ["order", "Shipped"]),
        ("Invoice2Paid", ["Invoice", "2", "Paid"]),
        ("", []),
    ],
)
def test_split_words(name: str, words: list[str]) -> None:
    assert split_words(name) == words


ACCEPTED = [
    # regular -ed with spelling rules
    "OrderShipped", "ProjectPlanned", "PolicyApplied", "EmailVerified",
    "OrderCreated", "OrderPlaced", "TicketOpened", "EventHappened",
    "CallListened", "LinkShortened", "TermsAgreed", "PrisonerFreed",
    "OrderCancelled", "OrderCanceled",
    # irregular, also prefixed
    "InvoicePaid", "ItemSold", "MoneyWithdrawn", "InvoiceOverpaid", "BidderOutbid",
    "ArticleRewritten", "TransactionUndone", "IndexRebuilt", "IdentityMistaken",
    "TaskTaken", "ConsentGiven", "ReviewWritten", "WinnerChosen", "PasswordForgotten",
    "ColumnHidden", "CardStolen", "SealBroken", "AccountFrozen", "LanguageSpoken",
    "DeviceWoken", "RecordBeaten", "MealEaten", "PriceFallen", "RouteDriven",
    "HorseRidden", "TemperatureRisen", "TreeShaken", "OathSworn", "AccountOverdrawn",
    "PolicyUpheld", "ContractUnderwritten", "EmailResent", "TaskUnfrozen",
    "MemberLeft", "MatchFound", "DepositMade",
    # past equals present, after the first word
    "PasswordReset", "OrderCut", "NewMeetingHostSet", "MemberSetAsAttendee",
    "DailyLimitSetEvent", "MessageRead", "MessageReadByRecipient", "DoorShut",
    "PasswordResetMessage",
    # phrasal and compound
    "UserLoggedIn", "UserSignedUp", "DebtWrittenOff", "ItemsAddedOrRemoved",
    "CheckedOut", "CartCheckedOut", "MemberSignedOffFromMeetingWaitlist",
    # passive and perfect
    "BidWasPlaced", "BidderHasBeenOutbid", "OrderHasShipped", "CargoWasHandledEvent",
    # the deciding word anywhere
    "ItemAddedToCart", "UpdatedAttrOnProduct", "PaymentReceivedFromCustomer",
    "OrderStatusChangedToPaidIntegrationEvent", "MeetingAttendeeChangedDecision",
    "CreateOrderFailed", "NotAllocated",
    # suffixes
    "OrderPlacedEvent", "OrderPlacedDomainEvent", "OrderPlacedIntegrationEvent",
    "OrderPlacedV2", "OrderPlacedEventV2", "order_placed_v2", "InvoiceIssued1",
]

REJECTED = [
    # commands, nominalisations, states
    "CreateOrder", "OrderCreate", "OrderCreation", "StockLevel", "ShipOrder",
    "PayInvoice", "SetPrice", "PlaceOrderCommand", "UserRegistration", "OrderStatus",
    "TokenRefresh", "ChangeBatchQuantity", "OutOfStock", "BookOverdue",
    # past equals present as the first word, or as a noun
    "ResetPassword", "ReadModel", "OrderReadModel", "PasswordResetToken",
    "ChangeSet", "PlaceBet", "PlaceBid", "ShippingCost", "WeatherForecast",
    "ConsumerOffset", "UserInput", "Shed",
    # -ed / -en words that are not participles
    "SpeedLimit", "DatabaseSeed", "Seed", "Speed", "Need", "Feed", "Feedback",
    "NeedForSpeed", "Bed", "Red", "Hundred", "Breed", "Greed", "Creed", "Deed",
    "Reed", "Weed", "Tweed", "Steed", "Embed", "Shred", "Testbed",
    "Kitchen", "ScreenSize", "Token", "Screen", "Garden", "Chicken", "Citizen",
    "Linen", "Oxygen", "Specimen", "UnknownEventType",
    # adjectival participles, commands and data shapes with a past inside
    "SharedKernel", "IdentifiedCommand", "PricedProductItem",
    "SetPaidOrderStatusCommand", "SendMeetingAttendeeAddedEmailCommand",
    "GetAuthenticatedMemberMeetingsQuery", "OrderPlacedPayload",
    "OccurredAt", "CreatedAt",
    # bases and empty names
    "Event", "DomainEvent", "IntegrationEvent", "", "V2",
]


@pytest.mark.parametrize("name", ACCEPTED)
def test_accepts_past_facts(name: str) -> None:
    assert states_past_fact(name), name


@pytest.mark.parametrize("name", REJECTED)
def test_rejects_non_past_names(name: str) -> None:
    assert not states_past_fact(name), name


@pytest.mark.parametrize(
    ("name", "allow"),
    [
        ("OutOfStock", {"OutOfStock"}),
        ("OutOfStockEvent", {"outofstock"}),
        ("ProductOutOfStock", {"OutOfStock"}),
        ("BookOverdue", {"overdue"}),
        ("ReadModel", {"ReadModel"}),
    ],
)
def test_allow_list(name: str, allow: set[str]) -> None:
    assert not states_past_fact(name)
    assert states_past_fact(name, frozenset(allow))


def test_allow_list_needs_whole_words() -> None:
    assert not states_past_fact("StockLevel", frozenset({"Stock Lev"}))
    assert not states_past_fact("StockLevel", frozenset({"", "Out"}))


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [
        ("OrderCreation", "OrderCreated"),
        ("CreateOrder", "OrderCreated"),
        ("OrderCreate", "OrderCreated"),
        ("ShipOrder", "OrderShipped"),
        ("PayInvoice", "InvoicePaid"),
        ("CancelOrderItem", "OrderItemCancelled"),
        ("ResetPassword", "PasswordReset"),
        ("SetPrice", "PriceSet"),
        ("PlaceOrderCommand", "OrderPlaced"),
        ("UserRegistration", "UserRegistered"),
        ("TokenRefresh", "TokenRefreshed"),
        ("OrderPlaceEvent", "OrderPlacedEvent"),
        ("CreateOrderEventV2", "OrderCreatedEventV2"),
        ("OrderShipping", "OrderShipped"),
        ("UserLogin", "UserLoggedIn"),
        ("CheckOutCart", "CartCheckedOut"),
        ("WriteOffDebt", "DebtWrittenOff"),
        ("SignOffMemberFromWaitlistCommand", "MemberSignedOffFromWaitlist"),
        ("AddProductToCart", "ProductAddedToCart"),
        ("WithdrawMoney", "MoneyWithdrawn"),
        ("SubmitForm", "FormSubmitted"),
        ("PlanTrip", "TripPlanned"),
        ("ApplyDiscount", "DiscountApplied"),
    ],
)
def test_suggest_name(name: str, suggestion: str) -> None:
    assert suggest_name(name) == suggestion


@pytest.mark.parametrize(
    "name",
    ["OrderPlaced", "StockLevel", "OrderStatus", "SpeedLimit", "ReadModel", "Kitchen",
     "GetCartById", "HoldStatus", "SetAsDefault", "Hundred", ""],
)
def test_no_suggestion(name: str) -> None:
    assert suggest_name(name) is None


def test_every_suggestion_is_accepted() -> None:
    names = [n for n, _ in _rows()] + ACCEPTED + REJECTED
    offered = {n: s for n in names if (s := suggest_name(n)) is not None}
    assert len(offered) > 40
    assert [n for n, s in offered.items() if not states_past_fact(s)] == []


@pytest.mark.parametrize("name", [
    # a noun (or a noun-or-verb) then a verb whose past equals its present: the subject
    # and what happened to it
    "DiscountReset", "BudgetCut", "FeeSet", "PriceSet", "TaxCut", "OrderPut",
    "ScheduleReset", "PlanSet", "ReleaseCut", "UpdateSet", "StartReset", "ExportSplit",
    "ScheduleResetEvent", "PlanSetV2", "ScheduleResetByAdmin",
])
def test_a_subject_then_a_same_form_verb_states_a_past_fact(name: str) -> None:
    assert states_past_fact(name), name
    assert suggest_name(name) is None


@pytest.mark.parametrize("name", [
    # the verb first: a command, whatever follows
    "ResetPassword", "CutBudget", "SetPrice", "ResetSchedule", "SetPlan",
    # a command verb that is no noun, then a same-form word: "create a set"
    "CreateSet", "DeleteReset", "SetReset",
    # a known noun compound, a data shape, the same-form word not right after the first
    "ChangeSet", "ScheduleResetToken", "ScheduleResetStatus", "ReleaseCutCommand",
    "PlanPriceSet",
])
def test_a_command_verb_then_a_same_form_word_does_not(name: str) -> None:
    assert not states_past_fact(name), name


def test_rates_on_labelled_names() -> None:
    rows = _rows()
    assert len(rows) >= 450
    assert len({n for n, _ in rows}) == len(rows), "duplicate names"
    assert {label for _, label in rows} == {"past", "not_past"}
    past = [n for n, label in rows if label == "past"]
    other = [n for n, label in rows if label == "not_past"]
    missed = [n for n in past if not states_past_fact(n)]
    flagged = [n for n in other if states_past_fact(n)]
    accepted = 1 - len(missed) / len(past)
    rejected = 1 - len(flagged) / len(other)
    print(f"\npast names accepted: {len(past) - len(missed)}/{len(past)} = {accepted:.2%}")
    print(f"not-past rejected:   {len(other) - len(flagged)}/{len(other)} = {rejected:.2%}")
    print(f"missed: {missed}\nwrongly accepted: {flagged}")
    assert accepted >= 0.99
    assert rejected >= 0.90


def test_no_suggestion_when_the_nominalisation_ends_a_prepositional_phrase():
    # seen on real code: 'ThreeDaysAheadOfOrderConfirmation' -> 'ThreeDaysAheadOfOrderConfirmed'
    assert suggest_name("ThreeDaysAheadOfOrderConfirmation") is None
    assert suggest_name("OrderConfirmation") == "OrderConfirmed"
