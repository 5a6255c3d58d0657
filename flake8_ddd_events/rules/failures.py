"""When publishing fails: an outbox relay that loses a record or retries it forever
(DDD408), a domain event handler's failure swallowed inside the transaction (DDD409). On
the relays and handler loops of ``analysis.failure`` (see docs/flow.md)."""

from __future__ import annotations

from typing import Iterator

from ..analysis.failure import Dispatchers
from .rule import APPLICATION, Context, Example, Finding, rule

OUTBOX = "shop/infrastructure/outbox.py"

# The rule book's outbox worker: publish, mark processed; on a failure count the attempt
# and mark the record failed once it passes the maximum.
SEED_PROCESS_OUTBOX = """\
from datetime import datetime, timezone

from sqlalchemy import select

from shop.infrastructure.models import OutboxRecord

MAX_RETRIES = 5


async def process_outbox(session, message_bus, logger) -> None:
    result = await session.execute(
        select(OutboxRecord)
        .where(OutboxRecord.processed_at.is_(None), OutboxRecord.status != "failed")
        .limit(100)
    )
    for record in result.scalars():
        try:
            await message_bus.publish(record.event_type, record.payload)
            record.processed_at = datetime.now(timezone.utc)
        except Exception:
            logger.exception("publishing outbox record %s failed", record.id)
            record.retry_count += 1
            if record.retry_count >= MAX_RETRIES:
                record.status = "failed"
    await session.commit()
"""


@rule(
    "DDD408", "relay-failure-unhandled",
    summary="outbox relay loses a failed record or retries it forever",
    what="Reports an outbox relay that has no failure path. A relay is a `for` loop over "
         "records that publishes each one to a transport (itself or through a helper of the "
         "same module) and marks it done (an outbox mark call, a `published`/`processed`/`sent` "
         "field set on the record, or the records collected for a bulk "
         "`update(...).values(published_at=...)` after the loop), in a function, class or "
         "iterable named for an outbox, a relay or unpublished/unprocessed/pending records. "
         "Three shapes are reported: an `except` around the publish that neither re-raises nor "
         "records the failure (no counter raised, no field of the record written, no mark "
         "failed/dead-letter/park call, no call that takes the record), at the `except`; a retry "
         "counter raised on the record (`record.attempts += 1`) that nothing bounds (no "
         "comparison with it or with a maximum in the relay, its helpers or a query of the "
         "module, no mark failed, no maximum handed on), at the increment, and only when the "
         "fetch of the records is visible (a query in the module or one of its functions: a "
         "repository elsewhere may filter by the counter); a publish that nothing in the loop "
         "catches, at the publish. Not reported: a publish under a bounded retry (tenacity "
         "`stop=`, backoff `max_tries`/`max_time`, Celery `max_retries`), a broker dead letter "
         "(`reject(requeue=False)`), `asyncio.gather` batches, a single record per call, a "
         "per-record serverless handler (`event['Records']`, `(event, context)`), and an "
         "`except` that halts the relay (`break`, `return`: an ordered follower).",
    why="The outbox promises that every stored message is delivered. A failed publish that is "
        "logged and forgotten is retried on every poll with nobody told (or lost, when the "
        "record was marked first); a counter that nothing bounds keeps a poison record, one the "
        "broker will never accept, in every batch forever; a publish that nothing catches stops "
        "the batch at the first bad record, and every record behind it waits on every poll.",
    use_instead="Catch the failure per record, count the attempt on the record, and mark it "
                "failed (or move it to a dead letter) once it passes a maximum, as the rule "
                "book's `process_outbox` does; or wrap the publish in a bounded retry.",
    invalid=[
        Example("""\
class OutboxRelay:
    def __init__(self, outbox, producer, logger) -> None:
        self.outbox = outbox
        self.producer = producer
        self.logger = logger

    async def relay_once(self) -> None:
        for message in await self.outbox.fetch_unpublished(limit=100):
            try:
                await self.producer.publish(message.topic, message.payload)
                await self.outbox.mark_as_published(message.message_id)
            except Exception:  # DDD408
                self.logger.exception("could not publish %s", message.message_id)
""", OUTBOX),
        Example("""\
from sqlalchemy import select

from shop.infrastructure.models import OutboxRecord


async def process_outbox(session, message_bus) -> None:
    result = await session.execute(
        select(OutboxRecord).where(OutboxRecord.processed_at.is_(None)).limit(100))
    for record in result.scalars():
        try:
            await message_bus.publish(record.event_type, record.payload)
            record.processed_at = record.now()
        except Exception:
            record.retry_count += 1  # DDD408
    await session.commit()
""", OUTBOX),
        Example("""\
def relay_pending(outbox, producer) -> None:
    for message in outbox.pending():
        producer.send(message.topic, message.payload)  # DDD408
        outbox.mark_as_sent(message.id)
""", OUTBOX),
    ],
    valid=[
        Example(SEED_PROCESS_OUTBOX, OUTBOX),
        Example("""\
MAX_ATTEMPTS = 5


class OutboxRelay:
    def __init__(self, outbox, producer) -> None:
        self.outbox = outbox
        self.producer = producer

    async def relay_once(self) -> None:
        for message in await self.outbox.fetch_unpublished(max_attempts=MAX_ATTEMPTS):
            try:
                await self.producer.publish(message.topic, message.payload)
                await self.outbox.mark_as_published(message.message_id)
            except Exception:
                await self.outbox.record_failed_attempt(message.message_id)
""", OUTBOX),
        Example("""\
from tenacity import retry, stop_after_attempt


@retry(stop=stop_after_attempt(5))
def relay_pending(outbox, producer) -> None:
    for message in outbox.pending():
        producer.send(message.topic, message.payload)
        outbox.mark_as_sent(message.id)
""", OUTBOX),
    ],
    options=("ddd-outbox-mark-methods", "ddd-transport-receivers", "ddd-transport-methods"),
    fix="No automatic fix: what to do with a record that keeps failing (how many attempts, "
        "mark it failed, park it in a dead letter, alert someone) is a decision for the team.",
)
def relay_failure_unhandled(context: Context) -> Iterator[Finding]:
    for relay in context.relays.relays:
        for failure in relay.failures:
            if failure.kind == "swallowed":
                message = (f"this 'except' catches a failed '{failure.what}' of the outbox relay "
                           "and neither re-raises nor records it: the record is retried on every "
                           "poll with nobody told, or lost; count the attempt on the record and "
                           "mark it failed past a maximum")
            elif failure.kind == "unbounded":
                message = (f"'{failure.what}' counts the failed attempts, but nothing bounds it: "
                           "a record the transport never accepts is retried forever; mark it "
                           "failed (or dead-letter it) once the count passes a maximum")
            else:
                message = (f"nothing in the outbox relay catches a failed '{failure.what}': the "
                           "first record that fails stops the batch and blocks every record "
                           "behind it on every poll; catch the failure per record, count it, "
                           "and mark the record failed past a maximum")
            yield Finding(failure.node, message)


@rule(
    "DDD409", "handler-failure-swallowed",
    summary="domain event handler's failure swallowed inside the transaction",
    what="Reports the `except` of a loop over domain event handlers (a loop variable or "
         "iterable named for handlers, subscribers or listeners) that calls each "
         "handler inside a `try` whose broad `except` (`Exception`, `BaseException`, bare) "
         "neither re-raises, nor raises a wrapping error, nor rolls back, nor collects the "
         "errors to raise after the loop, when the dispatch runs inside the transaction: in a "
         "transaction `with`, before a `.commit()` of the same function, or in a function of "
         "the module called from such a place. Also reports a `commit()` method whose `except` "
         "swallows the failure of the dispatch it wraps and commits anyway. A dispatcher of "
         "another project module is followed from its callers: a dispatch (a publish or "
         "dispatch method) inside the transaction of a function that runs such a loop in a "
         "module this one imports (an imported function, a method of an imported instance, "
         "or of the class a parameter or `self` attribute is annotated with or built from) "
         "is reported at the call, with the place the failure is swallowed. Not reported: a "
         "dispatch after the commit (eventual-consistency handlers that log a failure and go "
         "on), handlers handed to a scheduler (`create_task`, `submit`, `apply_async`), and a "
         "dispatcher whose callers the module does not show (its callers in other modules "
         "are reported there).",
    why="Domain event handlers run inside the transaction so that their changes (the outbox "
        "rows, the follow-up changes inside the boundary) commit together with the aggregate "
        "or not at all. A handler's failure swallowed there commits the aggregate without the "
        "side effects the business rule required: the order is placed, its outbox row is "
        "not, and nothing will ever retry it. A dispatcher in one module and its callers in "
        "others are reported at the caller's dispatch: a module's findings rest only on the "
        "modules it imports (so the result cache re-checks the caller when the dispatcher "
        "changes), never on the modules that import it.",
    use_instead="Let the failure fail the transaction: re-raise it (or wrap it, "
                "`raise DomainEventHandlingError(...) from error`), so the unit of work rolls "
                "back.",
    invalid=[
        Example("""\
class DomainEventPublisher:
    def __init__(self, session, handlers, logger) -> None:
        self.session = session
        self.handlers = handlers
        self.logger = logger

    async def publish(self, event) -> None:
        for handler in self.handlers.get(type(event), []):
            try:
                await handler.handle(event)
            except Exception:  # DDD409
                self.logger.exception("handler %r failed", handler)

    async def place(self, order) -> None:
        async with self.session.begin():
            self.session.add(order)
            for event in order.recorded_events:
                await self.publish(event)
""", APPLICATION),
    ],
    valid=[
        Example("""\
class DomainEventHandlingError(Exception):
    pass


class DomainEventPublisher:
    def __init__(self, session, handlers) -> None:
        self.session = session
        self.handlers = handlers

    async def publish(self, event) -> None:
        for handler in self.handlers.get(type(event), []):
            try:
                await handler.handle(event)
            except Exception as error:
                raise DomainEventHandlingError(f"{handler!r} failed on {event!r}") from error

    async def place(self, order) -> None:
        async with self.session.begin():
            self.session.add(order)
            for event in order.recorded_events:
                await self.publish(event)
""", APPLICATION),
        Example("""\
class AfterCommitBus:
    def __init__(self, session, handlers, logger) -> None:
        self.session = session
        self.handlers = handlers
        self.logger = logger

    async def place(self, order) -> None:
        self.session.add(order)
        await self.session.commit()
        for handler in self.handlers:
            try:
                await handler(order.recorded_events)
            except Exception:
                self.logger.exception("handler %r failed", handler)
""", APPLICATION),
    ],
    options=("ddd-transaction-contexts",),
    fix="No automatic fix: whether a failing handler should fail the use case, or run after "
        "the commit on its own retry, is a decision for the team.",
)
def handler_failure_swallowed(context: Context) -> Iterator[Finding]:
    dispatchers = Dispatchers(context.facts, context.settings, context.model)
    for swallow in dispatchers.swallows:
        yield Finding(swallow.node, f"this 'except' swallows the failure of '{swallow.handler}' "
                      "inside the transaction: the aggregate commits without the side effects "
                      "its event required; re-raise the failure (or wrap it in a domain event "
                      "handling error) so the transaction rolls back")
    for call in dispatchers.foreign:
        yield Finding(call.node, f"'{call.what}' runs the handlers inside this transaction, and "
                      f"'{call.swallower}' ({call.where}) swallows a handler's failure: the "
                      "aggregate commits without the side effects its event required; let the "
                      "failure fail the transaction there (re-raise it, or wrap it in a domain "
                      "event handling error), or dispatch after the commit")
