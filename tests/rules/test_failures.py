"""When publishing fails (DDD408, DDD409) beyond the documented examples: each shape of a
relay and of a handler loop, right and wrong; relays split into helpers; the relay
exemption of DDD401 and DDD406 (one by one and bulk marks)."""

from __future__ import annotations

import textwrap

import pytest

from flake8_ddd_events.rules.failures import SEED_PROCESS_OUTBOX

from ..conftest import expected_markers, findings

OUTBOX = "shop/infrastructure/outbox.py"
APP = "shop/sales/application/services.py"
CODES = {"DDD401", "DDD402", "DDD406", "DDD407", "DDD408", "DDD409"}


def assert_marked(source: str, tmp_path, filename: str = OUTBOX, codes=CODES) -> None:
    source = textwrap.dedent(source)
    found = set(findings(source, filename, root=tmp_path, codes=codes))
    assert found == expected_markers(source)


def test_the_rule_books_process_outbox_is_silent(tmp_path):
    assert findings(SEED_PROCESS_OUTBOX, OUTBOX, root=tmp_path) == []


# -- DDD408 (1): an except that swallows --------------------------------------------------
SWALLOWED = """\
class OutboxRelay:
    def __init__(self, outbox, producer, logger) -> None:
        self.outbox = outbox
        self.producer = producer
        self.logger = logger

    def relay_once(self) -> None:
        for message in self.outbox.fetch_unpublished():
            try:
                self.producer.send(message.topic, message.payload)
                self.outbox.mark_as_sent(message.id)
            except Exception as error:{marker}
{handling}
"""


@pytest.mark.parametrize("handling, wrong", [
    ("self.logger.exception('failed: %s', error)", True),
    ("print(error)", True),
    ("pass", True),
    ("raise", False),
    ("self.outbox.mark_failed(message.id)", False),
    ("self.outbox.move_to_dead_letter(message.id, repr(error))", False),
    ("message.last_error = repr(error)", False),
    ("self.outbox.save(message)", False),
    ("break  # an ordered follower halts", False),
])
def test_an_except_around_the_publish_records_the_failure_or_is_reported(
        tmp_path, handling, wrong):
    source = SWALLOWED.format(marker="  # DDD408" if wrong else "",
                              handling=textwrap.indent(handling, " " * 16))
    assert_marked(source, tmp_path)


def test_a_relay_split_into_helpers_is_followed_to_the_publish(tmp_path):
    assert_marked("""\
        class OutboxRelay:
            def __init__(self, outbox, producer, logger) -> None:
                self.outbox = outbox
                self.producer = producer
                self.logger = logger

            def relay_once(self) -> None:
                for message in self.outbox.fetch_unpublished():
                    self._publish_one(message)

            def _publish_one(self, message) -> None:
                try:
                    self.producer.send(message.topic, message.payload)
                    self._mark_sent(message)
                except Exception:  # DDD408
                    self.logger.exception("could not publish")

            def _mark_sent(self, message) -> None:
                self.outbox.mark_as_sent(message.id)
        """, tmp_path)


def test_a_helper_that_counts_and_parks_the_record_is_a_failure_path(tmp_path):
    assert_marked("""\
        MAX_ATTEMPTS = 3


        def publish_one(producer, message) -> None:
            try:
                producer.send(message.topic, message.payload)
                message.published_at = message.clock()
            except Exception:
                message.attempts += 1
                if message.attempts >= MAX_ATTEMPTS:
                    message.status = "failed"


        def relay_pending(session, producer) -> None:
            for message in session.query(Outbox).filter(Outbox.published_at.is_(None)):
                publish_one(producer, message)
            session.commit()
        """, tmp_path)


# -- DDD408 (2): a counter that nothing bounds -------------------------------------------
def test_a_counter_nothing_bounds_is_reported_when_the_query_is_visible(tmp_path):
    assert_marked("""\
        async def process_outbox(session, message_bus) -> None:
            result = await session.execute(select(OutboxRecord).where(OutboxRecord.processed_at.is_(None)))
            for record in result.scalars():
                try:
                    await message_bus.publish(record.payload)
                    record.processed_at = now()
                except Exception:
                    record.retry_count = record.retry_count + 1  # DDD408
            await session.commit()
        """, tmp_path)


@pytest.mark.parametrize("query, handling", [
    # the visible fetch query bounds it
    ("select(OutboxRecord).where(OutboxRecord.retry_count < MAX_RETRIES)",
     "record.retry_count += 1"),
    # Django's spelling of the same
    ("OutboxRecord.objects.filter(retry_count__lt=MAX_RETRIES)", "record.retry_count += 1"),
    # a mark failed past the maximum
    ("select(OutboxRecord)",
     "record.retry_count += 1\nif record.retry_count > MAX_RETRIES:\n    record.mark_failed()"),
])
def test_a_bounded_counter_is_a_failure_path(tmp_path, query, handling):
    assert_marked(f"""\
        async def process_outbox(session, message_bus) -> None:
            result = await session.execute({query})
            for record in result.scalars():
                try:
                    await message_bus.publish(record.payload)
                    record.processed_at = now()
                except Exception:
{textwrap.indent(handling, " " * 20)}
            await session.commit()
        """, tmp_path)


def test_a_counter_is_not_judged_when_the_fetch_is_behind_a_repository_elsewhere(tmp_path):
    assert_marked("""\
        class OutboxRelay:
            def __init__(self, outbox_repository, producer) -> None:
                self.outbox_repository = outbox_repository
                self.producer = producer

            def relay_once(self) -> None:
                for message in self.outbox_repository.unpublished():
                    try:
                        self.producer.send(message.topic, message.payload)
                        message.published = True
                    except Exception:
                        message.attempts += 1
                    self.outbox_repository.save(message)
        """, tmp_path)


def test_a_relay_that_hands_its_maximum_to_the_repository_is_bounded(tmp_path):
    assert_marked("""\
        MAX_ATTEMPTS = 5


        def relay_outbox(session, producer) -> None:
            for message in session.query(Outbox).filter(Outbox.sent_at.is_(None)):
                try:
                    producer.send(message.topic, message.payload)
                    message.sent_at = now()
                except Exception:
                    message.attempts += 1
            outbox_repository.park_exhausted(session, MAX_ATTEMPTS)
            session.commit()
        """, tmp_path)


# -- DDD408 (3): a publish nothing catches -------------------------------------------------
def test_a_publish_nothing_catches_is_reported(tmp_path):
    assert_marked("""\
        def relay_pending(session, producer) -> None:
            for message in session.query(Outbox).filter(Outbox.sent_at.is_(None)):
                producer.send(message.topic, message.payload)  # DDD408
                message.sent_at = now()
            session.commit()
        """, tmp_path)


@pytest.mark.parametrize("source", [
    # tenacity around a helper's publish
    """\
    from tenacity import retry, stop_after_attempt


    @retry(stop=stop_after_attempt(5))
    def send(producer, message) -> None:
        producer.send(message.topic, message.payload)


    def relay_pending(outbox, producer) -> None:
        for message in outbox.pending():
            send(producer, message)
            outbox.mark_as_sent(message.id)
    """,
    # backoff
    """\
    import backoff


    @backoff.on_exception(backoff.expo, Exception, max_tries=5)
    def relay_pending(outbox, producer) -> None:
        for message in outbox.pending():
            producer.send(message.topic, message.payload)
            outbox.mark_as_sent(message.id)
    """,
    # Celery
    """\
    from celery import shared_task


    @shared_task(bind=True, max_retries=5)
    def relay_pending(self, outbox, producer) -> None:
        for message in outbox.pending():
            producer.send(message.topic, message.payload)
            outbox.mark_as_sent(message.id)
    """,
    # a gather batch
    """\
    import asyncio


    async def relay_pending(outbox, producer) -> None:
        messages = await outbox.pending()
        sends = []
        for message in messages:
            sends.append(producer.send(message.topic, message.payload))
        results = await asyncio.gather(*sends, return_exceptions=True)
        for message, result in zip(messages, results):
            if isinstance(result, Exception):
                await outbox.mark_failed(message.id)
            else:
                await outbox.mark_as_sent(message.id)
    """,
    # a per-record serverless handler: the platform retries the batch
    """\
    def handler(event, context) -> None:
        for record in event["Records"]:
            outbox_record = parse(record)
            sns_client.publish(TopicArn=TOPIC, Message=outbox_record.payload)
            outbox_table.mark_as_published(outbox_record.id)
    """,
    # a broker dead letter
    """\
    def relay_pending(channel, outbox, producer) -> None:
        for message in outbox.pending():
            producer.send(message.topic, message.payload)
            outbox.mark_as_sent(message.id)
            channel.basic_reject(message.tag, requeue=False)
    """,
    # one record per call
    """\
    def relay_one_pending(outbox, producer, message) -> None:
        producer.send(message.topic, message.payload)
        outbox.mark_as_sent(message.id)
    """,
    # not a relay: nothing marks the records done
    """\
    def replay_pending(outbox, producer) -> None:
        for message in outbox.pending():
            producer.send(message.topic, message.payload)
    """,
])
def test_bounded_retries_dead_letters_batches_and_single_records_are_not_reported(
        tmp_path, source):
    assert_marked(source, tmp_path)


# -- DDD401 and DDD406: a relay's publish of the records it marks afterwards ---------------
def test_a_relay_that_marks_in_bulk_after_publishing_is_not_publish_before_commit(tmp_path):
    assert_marked("""\
        async def publish_pending_outbox(session_factory, broker) -> None:
            async with session_factory() as session, session.begin():
                result = await session.execute(select(Outbox).where(Outbox.published_at.is_(None)))
                published_ids = []
                for record in result.scalars():
                    try:
                        await broker.publish(record.payload, topic=record.topic)
                    except Exception:
                        record.attempts += 1
                        if record.attempts >= MAX_ATTEMPTS:
                            record.status = "failed"
                        continue
                    published_ids.append(record.id)
                await session.execute(
                    update(Outbox).where(Outbox.id.in_(published_ids)).values(published_at=now()))
        """, tmp_path)


def test_a_relay_that_marks_each_record_by_a_field_is_not_publish_before_commit(tmp_path):
    assert_marked(SEED_PROCESS_OUTBOX, tmp_path)


def test_publishing_in_a_transaction_outside_a_relay_is_still_reported(tmp_path):
    assert_marked("""\
        async def pay(session, broker, order) -> None:
            async with session.begin():
                order.pay()
                await broker.publish(order.id)  # DDD401
        """, tmp_path, filename=APP)


def test_a_relay_marking_each_record_after_its_publish_is_not_mark_before_publish(tmp_path):
    assert_marked("""\
        def relay_pending(outbox, producer, tracer) -> None:
            for message in outbox.pending():
                try:
                    producer.send(message.topic, message.payload)
                except Exception:
                    outbox.mark_failed(message.id)
                    continue
                outbox.mark_as_sent(message.id)
                tracer.emit("relayed")
        """, tmp_path)


# -- DDD409 ------------------------------------------------------------------------------
DISPATCHER = """\
class Dispatcher:
    def __init__(self, handlers, logger) -> None:
        self.handlers = handlers
        self.logger = logger

    def dispatch(self, event) -> None:
        errors = []
        for handler in self.handlers[type(event)]:
            try:
                handler(event)
            except Exception as error:{marker}
{handling}
{after}

class PlaceOrder:
    def __init__(self, uow, dispatcher) -> None:
        self.uow = uow
        self.dispatcher = dispatcher

    def __call__(self, order) -> None:
        with self.uow:
            self.uow.orders.add(order)
            for event in order.recorded_events:
                self.dispatcher.dispatch(event)
            self.uow.commit()
"""


@pytest.mark.parametrize("handling, after, wrong", [
    ("self.logger.exception('handler failed')", "", True),
    ("errors.append(error)", "", True),  # collected and never raised
    ("raise", "", False),
    ("raise HandlerFailed(event) from error", "", False),
    ("self.uow.rollback()", "", False),
    ("errors.append(error)", "if errors:\n    raise ExceptionGroup('handlers failed', errors)",
     False),
    ("errors.append(error)", "return errors", False),  # the caller decides
])
def test_a_handler_loop_called_inside_the_transaction(tmp_path, handling, after, wrong):
    source = DISPATCHER.format(marker="  # DDD409" if wrong else "",
                               handling=textwrap.indent(handling, " " * 16),
                               after=textwrap.indent(after, " " * 8))
    assert_marked(source, tmp_path, filename=APP)


def test_a_narrow_except_is_not_reported(tmp_path):
    source = DISPATCHER.format(marker="", handling=" " * 16 + "pass", after="").replace(
        "except Exception", "except KeyError")
    assert_marked(source, tmp_path, filename=APP)


def test_a_dispatcher_whose_callers_the_module_does_not_show_is_not_reported(tmp_path):
    source = DISPATCHER.format(marker="", handling=" " * 16 + "pass", after="")
    assert_marked(source[:source.index("class PlaceOrder")], tmp_path, filename=APP)


def test_a_handler_loop_before_the_commit_of_its_function(tmp_path):
    assert_marked("""\
        def place_order(session, handlers, order) -> None:
            session.add(order)
            for handler in handlers:
                try:
                    handler(order.recorded_events)
                except Exception:  # DDD409
                    pass
            session.commit()
        """, tmp_path, filename=APP)


def test_handlers_after_the_commit_or_scheduled_are_not_reported(tmp_path):
    assert_marked("""\
        import asyncio


        async def place_order(session, handlers, order, logger) -> None:
            session.add(order)
            for handler in handlers:
                try:
                    asyncio.create_task(handler(order.recorded_events))
                except Exception:
                    logger.exception("could not schedule")
            await session.commit()
            for handler in handlers:
                try:
                    await handler(order.recorded_events)
                except Exception:
                    logger.exception("handler failed")
        """, tmp_path, filename=APP)


def test_a_commit_that_swallows_its_dispatch_and_commits_anyway(tmp_path):
    assert_marked("""\
        class UnitOfWork:
            def __init__(self, session, dispatcher, logger) -> None:
                self.session = session
                self.dispatcher = dispatcher
                self.logger = logger

            def commit(self) -> None:
                try:
                    self.dispatcher.dispatch_events(self.events)
                except Exception:  # DDD409
                    self.logger.exception("an event handler failed")
                self.session.commit()


        class StrictUnitOfWork(UnitOfWork):
            def commit(self) -> None:
                try:
                    self.dispatcher.dispatch_events(self.events)
                except Exception:
                    self.session.rollback()
                    raise
                self.session.commit()
        """, tmp_path, filename=APP)


def test_the_commit_shape_passes_the_gate_without_the_word_handler(tmp_path):
    assert_marked("""\
        class UnitOfWork:
            def __init__(self, session, dispatcher, logger) -> None:
                self.session = session
                self.dispatcher = dispatcher
                self.logger = logger

            def commit(self) -> None:
                try:
                    self.dispatcher.dispatch_events(self.events)
                except Exception:  # DDD409
                    self.logger.exception("dispatch failed")
                self.session.commit()
        """, tmp_path, filename=APP)


def test_a_try_around_the_whole_loop_does_not_catch_a_failure_in_it(tmp_path):
    assert_marked("""\
        async def relay_outbox(session_factory, nats, poll_seconds: float) -> None:
            while True:
                try:
                    async with session_factory() as s:
                        rows = (await s.execute(select(Event).where(Event.published_at.is_(None)))).scalars().all()
                        for ev in rows:
                            payload = encode(ev)
                            await nats.publish("journal.events", payload)  # DDD408
                            await s.execute(update(Event).where(Event.id == ev.id).values(published_at=now()))
                        await s.commit()
                except Exception:
                    await asyncio.sleep(poll_seconds)
        """, tmp_path)


def test_sending_something_else_than_the_record_on_an_everyday_receiver_is_no_relay(tmp_path):
    assert_marked("""\
        def send_pending_reminders(session, mailer) -> None:
            for reminder in session.query(Reminder).filter(Reminder.sent_at.is_(None)):
                mailer.send(to=customer_address(), subject="Your order")
                reminder.sent_at = now()
            session.commit()
        """, tmp_path)


# -- DDD409 across modules: reported at the caller's dispatch ------------------------------
BUS = "shop/infrastructure/bus.py"
BUS_MODULE = """\
class MessageBus:
    def __init__(self, handlers, logger) -> None:
        self.handlers = handlers
        self.logger = logger

    def dispatch(self, event) -> None:
        for handler in self.handlers[type(event)]:
            try:
                handler(event)
            except Exception as error:
{handling}


bus = MessageBus({{}}, None)


def dispatch(event) -> None:
    bus.dispatch(event)
"""
CALLER = """\
from shop.infrastructure import bus as bus_module
from shop.infrastructure.bus import MessageBus, bus


class PlaceOrder:
    def __init__(self, uow, bus: MessageBus) -> None:
        self.uow = uow
        self.bus = bus

    def __call__(self, order) -> None:
        with self.uow:
            self.uow.orders.add(order)
            for event in order.recorded_events:
                self.bus.dispatch(event){marker}
            self.uow.commit()


def place_order(uow, order, message_bus: MessageBus) -> None:
    with uow:
        uow.orders.add(order)
        message_bus.dispatch(order.recorded_events){marker}
        bus.dispatch(order.recorded_events){marker}
        bus_module.dispatch(order.recorded_events){marker}
        uow.commit()


def place_then_dispatch(session, order, message_bus: MessageBus) -> None:
    session.add(order)
    session.commit()
    message_bus.dispatch(order.recorded_events)
"""


def write_bus(tmp_path, handling: str) -> None:
    for package in ("shop", "shop/infrastructure", "shop/sales", "shop/sales/application"):
        (tmp_path / package).mkdir(exist_ok=True)
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / BUS).write_text(BUS_MODULE.format(handling=" " * 16 + handling))


@pytest.mark.parametrize("handling, wrong", [
    ("self.logger.exception('handler failed: %s', error)", True),
    ("raise", False),
    ("raise HandlerFailed(event) from error", False),
])
def test_a_dispatcher_of_another_module_is_reported_at_the_call_inside_the_transaction(
        tmp_path, handling, wrong):
    write_bus(tmp_path, handling)
    source = CALLER.format(marker="  # DDD409" if wrong else "")
    assert_marked(source, tmp_path, filename=APP, codes={"DDD409"})
    # the dispatcher's own module shows no caller inside a transaction: silent there
    assert findings(BUS_MODULE.format(handling=" " * 16 + handling), BUS, root=tmp_path,
                    codes=CODES) == []


def test_the_call_names_where_the_failure_is_swallowed(tmp_path):
    from flake8_ddd_events.config.settings import Settings
    from flake8_ddd_events.lint.pipeline import check_source
    from flake8_ddd_events.model.project_model import ProjectModel

    write_bus(tmp_path, "self.logger.exception('handler failed: %s', error)")
    settings = Settings.from_values({"ddd-source-roots": [str(tmp_path)]})
    source = CALLER.format(marker="")
    reports = list(check_source(source, str(tmp_path / APP), settings, {"DDD409"},
                                ProjectModel(settings)))
    assert reports[0].line == 14 and reports[0].message.startswith(
        "DDD409 'self.bus.dispatch' runs the handlers inside this transaction, and "
        "'MessageBus.dispatch' (shop/infrastructure/bus.py:10) swallows a handler's failure")


def test_a_dispatch_after_the_commit_of_another_modules_dispatcher_is_silent(tmp_path):
    write_bus(tmp_path, "self.logger.exception('handler failed: %s', error)")
    source = CALLER.format(marker="")
    after_commit = source[source.index("def place_then_dispatch"):]
    imports = source[:source.index("class PlaceOrder")]
    assert findings(imports + after_commit, APP, root=tmp_path, codes={"DDD409"}) == []
