"""The application layer's publishing flow (DDD401, DDD402, DDD403, DDD406), on the
flow facts of ``analysis.flow`` (see docs/flow.md)."""

from __future__ import annotations

from typing import Iterator


from ..analysis.flow import (flows, is_outbox, is_publish_or_dispatch, outbox_marked, positional,
                             recorded_events_owner, root)
from ..analysis.flow import is_transport_publish as flow_transport_publish
from ..syntax.expressions import dotted
from ..syntax.facts import CallFact
from .rule import APPLICATION, Context, Example, Finding, rule


def is_transport_publish(context: Context, call: CallFact) -> bool:
    """A transport method on a transport receiver, or one whose argument constructs a
    recognised integration event (``analysis.flow.is_transport_publish``)."""
    return flow_transport_publish(call, context.settings, context.built_by)


# -- DDD401 ------------------------------------------------------------------------
_OUTBOX_SERVICE = """\
from shop.sales.integration_events import OrderPaidV1


class PayOrder:
    def __init__(self, uow, producer) -> None:
        self.uow = uow
        self.producer = producer

    def __call__(self, order_id: str, correlation_id: str) -> None:
        with self.uow:
            order = self.uow.orders.get(order_id)
            order.pay()
            self.uow.outbox.add(OrderPaidV1(order_id=order_id, correlation_id=correlation_id))
            self.uow.commit()
"""


@rule(
    "DDD401", "publish-before-commit",
    summary="integration event published before the transaction commits",
    what="Reports a call that hands a message to the transport while the transaction is still "
         "open: inside a `with`/`async with` whose context is a transaction (a dotted part "
         "holding `transaction`, `atomic`, `begin`, `begin_nested`, `uow` or `unit_of_work` as "
         "whole words: `self.uow`, `self._uow.transaction()`, `transaction.atomic()`, "
         "`session.begin()`), or earlier in the same function than a `.commit()` call. A "
         "transport publish is `publish`/`publish_all`/`send`/`send_message`/`produce`/`emit` "
         "on a receiver whose name contains `message_bus`, `broker`, `producer`, `kafka`, "
         "`rabbit`, `sns`, `sqs`, `pubsub` or `integration` (never one that names an outbox), "
         "or such a call whose argument constructs a recognised integration event. Quiet on "
         "in-process buses (`self.bus.publish`, `event_bus.publish`), on dispatching domain "
         "events, on outbox writes, after a `.commit()` inside the block, in a lambda "
         "(`transaction.on_commit(lambda: ...)`), and in an outbox relay (a function that marks "
         "outbox records: its transaction only marks them). Points at the publish call.",
    why="The message and the database change are two writes to two systems. Published before "
        "the commit, the message is out even when the transaction then rolls back (a constraint, "
        "a deadlock, a crash): other contexts act on a fact that never happened, and nothing can "
        "call the message back. Publishing after the commit without an outbox has the opposite "
        "hole (committed, never published); the outbox closes both.",
    use_instead="Add the integration event to an outbox table in the same transaction as the "
                "aggregate; a relay publishes the stored rows after the commit and marks them.",
    invalid=[
        Example("""\
from shop.sales.integration_events import OrderPaidV1


class PayOrder:
    def __init__(self, uow, producer) -> None:
        self.uow = uow
        self.producer = producer

    def __call__(self, order_id: str, correlation_id: str) -> None:
        with self.uow:
            order = self.uow.orders.get(order_id)
            order.pay()
            event = OrderPaidV1(order_id=order_id, correlation_id=correlation_id)
            self.producer.send("orders.paid", event)  # DDD401
            self.uow.commit()
""", APPLICATION),
        Example("""\
async def pay_order(session, kafka_producer, order_id: str) -> None:
    order = await session.get("Order", order_id)
    order.pay()
    await kafka_producer.send("orders.paid", order_id.encode())  # DDD401
    await session.commit()
""", APPLICATION),
    ],
    valid=[
        Example(_OUTBOX_SERVICE, APPLICATION),
        Example("""\
from django.db import transaction


def pay_order(order, producer) -> None:
    with transaction.atomic():
        order.pay()
        order.save()
        transaction.on_commit(lambda: producer.send("orders.paid", order.pk))
""", APPLICATION),
        Example("""\
class PlaceOrder:
    def __init__(self, uow, bus) -> None:
        self.uow = uow
        self.bus = bus  # in-process: its handlers write outbox rows

    def __call__(self, order) -> None:
        with self.uow:
            self.uow.orders.add(order)
            self.bus.publish(order.recorded_events)
            order.clear_recorded_events()
            self.uow.commit()
""", APPLICATION),
    ],
    options=("ddd-transaction-contexts", "ddd-transport-receivers", "ddd-transport-methods",
             "ddd-integration-event-bases", "ddd-integration-event-modules"),
)
def publish_before_commit(context: Context) -> Iterator[Finding]:
    relaying = context.relays.relay_functions()
    for flow in flows(context.facts, context.settings):
        if flow.is_relay or flow.function in relaying:
            continue
        for call in flow.calls:
            if not is_transport_publish(context, call):
                continue
            block = flow.transaction(call)
            if block is not None and not flow.commits_between(flow.facts.withs[block].first_call,
                                                              call.index):
                yield Finding(call.node, f"'{call.callee or call.method}' publishes to the "
                              f"message transport inside the transaction '{flow.context_of(block)}'"
                              ": a rollback cannot take the message back; add it to the outbox "
                              "in the transaction and let a relay publish it after the commit")
            elif any(i > call.index for i in flow.commits):
                yield Finding(call.node, f"'{call.callee or call.method}' publishes to the "
                              "message transport before the '.commit()' below: a failed commit "
                              "cannot take the message back; add it to the outbox in the "
                              "transaction and let a relay publish it after the commit")


# -- DDD402 ------------------------------------------------------------------------
@rule(
    "DDD402", "dispatch-after-commit",
    summary="recorded domain events dispatched after the transaction",
    what="Reports a publish or dispatch call (`publish`, `dispatch`, `dispatch_events`, `emit`, "
         "`send`, ...) whose argument is an aggregate's recorded events (`order.recorded_events`, "
         "`.domain_events`, `.events`, `order.collect_new_events()`, `pull_events()`, "
         "`pull_domain_events()`, also wrapped in `list(...)`/`tuple(...)` or starred) when it "
         "comes after a `.commit()` call in the same function, or after a transaction "
         "`with`/`async with` block of the same function has ended. Inside a transaction block "
         "only a commit earlier in that block counts. Points at the publish call.",
    why="Domain events are how one change inside the boundary causes the next: their handlers "
        "write the outbox rows and the local follow-up changes. Dispatched after the commit, "
        "those writes land in no transaction, or in a second one that can fail on its own: the "
        "order is cancelled but the outbox never hears of it, and nothing retries.",
    use_instead="Dispatch the recorded events inside the transaction, before the commit, then "
                "clear them; the handlers' outbox rows commit together with the aggregate.",
    invalid=[
        Example("""\
class CancelOrder:
    def __init__(self, uow, dispatcher) -> None:
        self.uow = uow
        self.dispatcher = dispatcher

    async def __call__(self, order_id: str) -> None:
        async with self.uow:
            order = await self.uow.orders.get(order_id)
            order.cancel()
            await self.uow.commit()
        await self.dispatcher.dispatch_events(order.recorded_events)  # DDD402
        order.clear_recorded_events()
""", APPLICATION),
        Example("""\
def cancel_order(session, dispatcher, order) -> None:
    order.cancel()
    session.commit()
    dispatcher.dispatch(list(order.domain_events))  # DDD402
""", APPLICATION),
    ],
    valid=[
        Example("""\
class CancelOrder:
    def __init__(self, uow, dispatcher) -> None:
        self.uow = uow
        self.dispatcher = dispatcher

    async def __call__(self, order_id: str) -> None:
        async with self.uow:
            order = await self.uow.orders.get(order_id)
            order.cancel()
            await self.dispatcher.dispatch_events(order.recorded_events)
            order.clear_recorded_events()
            await self.uow.commit()
""", APPLICATION),
    ],
    options=("ddd-aggregate-publish-methods", "ddd-transport-methods", "ddd-transaction-contexts"),
)
def dispatch_after_commit(context: Context) -> Iterator[Finding]:
    for flow in flows(context.facts, context.settings):
        for call in flow.calls:
            if not is_publish_or_dispatch(call, context.settings):
                continue
            owner = recorded_events_owner(call)
            if owner is None:
                continue
            block = flow.transaction(call)
            where = "after the '.commit()' above"
            if block is not None:
                late = bool(flow.commits_between(flow.facts.withs[block].first_call, call.index))
            else:
                late = any(i < call.index for i in flow.commits)
                if not late and any(b.end_call <= call.index for b in flow.transactions):
                    late, where = True, "after the transaction block ended"
            if late:
                yield Finding(call.node, f"the events recorded on '{owner}' are handed to "
                              f"'{call.callee or call.method}' {where}: their handlers' changes "
                              "miss the transaction; dispatch them inside it, before the commit, "
                              "then clear them")


# -- DDD403 ------------------------------------------------------------------------
@rule(
    "DDD403", "clear-before-dispatch",
    summary="recorded events cleared before they were dispatched",
    what="Reports a clearing call (`clear_recorded_events()`, `clear_domain_events()`, "
         "`clear_events()`) on an aggregate when a later call in the same function publishes "
         "or dispatches that same aggregate's recorded events (`order.clear_recorded_events()` "
         "... `dispatch(order.recorded_events)`). Points at the clearing call. Quiet when the "
         "events were copied first (`events = list(order.recorded_events)`) or dispatched "
         "before the clear.",
    why="Clearing empties the list the dispatcher is about to read: the dispatch sees no "
        "events, no handler runs, no outbox row is written, and nothing fails loudly. The fact "
        "is lost.",
    use_instead="Dispatch first, then clear (or let the aggregate hand the events over and "
                "clear in one step, `pull_events()`).",
    invalid=[
        Example("""\
class ChangeShippingAddress:
    def __init__(self, uow, dispatcher) -> None:
        self.uow = uow
        self.dispatcher = dispatcher

    async def __call__(self, order_id: str, address: str) -> None:
        async with self.uow:
            order = await self.uow.orders.get(order_id)
            order.change_shipping_address(address)
            order.clear_recorded_events()  # DDD403
            await self.dispatcher.dispatch_events(order.recorded_events)
            await self.uow.commit()
""", APPLICATION),
    ],
    valid=[
        Example("""\
class ChangeShippingAddress:
    def __init__(self, uow, dispatcher) -> None:
        self.uow = uow
        self.dispatcher = dispatcher

    async def __call__(self, order_id: str, address: str) -> None:
        async with self.uow:
            order = await self.uow.orders.get(order_id)
            order.change_shipping_address(address)
            await self.dispatcher.dispatch_events(order.recorded_events)
            order.clear_recorded_events()
            await self.uow.commit()
""", APPLICATION),
    ],
    options=("ddd-clear-methods", "ddd-aggregate-publish-methods", "ddd-transport-methods"),
)
def clear_before_dispatch(context: Context) -> Iterator[Finding]:
    settings = context.settings
    for flow in flows(context.facts, context.settings):
        for clear in flow.calls:
            if clear.method not in settings.clear_methods:
                continue
            args = positional(clear)
            owner = clear.receiver or (dotted(args[0].value) if args else "")
            if not owner:
                continue
            later = next((c for c in flow.calls if c.index > clear.index
                          and is_publish_or_dispatch(c, settings)
                          and recorded_events_owner(c) == owner), None)
            if later is not None:
                yield Finding(clear.node, f"the events recorded on '{owner}' are cleared before "
                              f"'{later.callee or later.method}' below hands them over: they are "
                              "lost; dispatch them first, then clear")


# -- DDD406 ------------------------------------------------------------------------
def _published_before(calls, mark: CallFact, records: set[str], settings) -> bool:
    """Whether a call above the mark, named for a transport method (``publish``,
    ``self._publish_message``), already took the record."""
    return any(c.index < mark.index and any(word in c.method for word in settings.transport_methods)
               and any(root(dotted(a.value)) in records for a in c.args)
               for c in calls)


@rule(
    "DDD406", "mark-before-publish",
    summary="outbox record marked before it was published",
    what="Reports an outbox mark (`mark_as_processed`, `mark_as_sent`, `mark_published`, ...; "
         "`delete`/`remove` only on an outbox receiver or with an argument that names the "
         "outbox) that comes earlier in the same function than a transport publish: a transport "
         "method on a transport receiver, or a transport method whose argument is the marked "
         "record (`record.mark_sent()` ... `publisher.publish(record.payload)`). Points at the "
         "marking call. Straight-line order: in a loop that publishes and then marks, the mark "
         "is after the publish. Silent when a call above the mark, named for a transport method "
         "(`self._publish_message(record)`), already took the record: what follows the mark "
         "(a trace `emitter.emit(...)`) is something else.",
    why="The mark is the relay's promise that the message went out. Made before the publish, "
        "a crash, a timeout or a broker error in between leaves a record marked sent that was "
        "never sent, and the relay never retries it. Publishing first and marking second gives "
        "at-least-once delivery; consumers absorb the rare duplicate by the event id.",
    use_instead="Publish, then mark the record.",
    invalid=[
        Example("""\
class OutboxRelay:
    def __init__(self, outbox, producer) -> None:
        self.outbox = outbox
        self.producer = producer

    async def relay_once(self) -> None:
        for message in await self.outbox.fetch_unpublished(limit=100):
            try:
                await self.outbox.mark_as_published(message.message_id)  # DDD406
                await self.producer.publish(message.topic, message.payload)
            except Exception:
                await self.outbox.record_failed_attempt(message.message_id)
""", "shop/infrastructure/outbox.py"),
    ],
    valid=[
        Example("""\
class OutboxRelay:
    def __init__(self, outbox, producer) -> None:
        self.outbox = outbox
        self.producer = producer

    async def relay_once(self) -> None:
        for message in await self.outbox.fetch_unpublished(limit=100):
            try:
                await self.producer.publish(message.topic, message.payload)
                await self.outbox.mark_as_published(message.message_id)
            except Exception:
                await self.outbox.record_failed_attempt(message.message_id)
""", "shop/infrastructure/outbox.py"),
        Example("""\
def relay(session, outbox, producer) -> None:
    with session.begin():
        for record in outbox.pending(session):
            try:
                producer.send(record.topic, record.payload)
                record.mark_as_sent()
            except Exception:
                record.mark_failed_attempt()
""", "shop/infrastructure/outbox.py"),
    ],
    options=("ddd-outbox-mark-methods", "ddd-transport-receivers", "ddd-transport-methods"),
)
def mark_before_publish(context: Context) -> Iterator[Finding]:
    settings = context.settings
    for flow in flows(context.facts, context.settings):
        for mark in flow.calls:
            if not outbox_marked(mark, settings):
                continue
            records = {root(dotted(a.value)) for a in mark.args if dotted(a.value)}
            if mark.receiver and not is_outbox(mark.receiver):
                records.add(root(mark.receiver))
            records.discard("")
            if _published_before(flow.calls, mark, records, settings) or \
                    context.relays.marked_after_publish(mark):
                continue  # went out above: a later emit or send is something else
            later = next((c for c in flow.calls if c.index > mark.index and (
                is_transport_publish(context, c)
                or (c.method in settings.transport_methods
                    and any(root(dotted(a.value)) in records for a in c.args)))), None)
            if later is not None:
                yield Finding(mark.node, f"outbox record marked with '{mark.method}' before "
                              f"'{later.callee or later.method}' below published it: a crash in "
                              "between loses the message; publish first, then mark")
