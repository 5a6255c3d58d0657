"""The application-layer flow rules beyond their documented examples: DDD401,
DDD402, DDD403, DDD406, DDD407 on sync and async code, nested functions,
lambdas, commits in other functions, look-alikes that must stay quiet."""

from __future__ import annotations

import textwrap

import pytest

from flake8_ddd_events.syntax.facts import WithBlock
from flake8_ddd_events.rules.publishing import has_word_run, is_transaction, words
from flake8_ddd_events.config.settings import Settings

from .conftest import expected_markers, findings

APP = "shop/sales/application/services.py"
FLOW = {"DDD401", "DDD402", "DDD403", "DDD406", "DDD407"}


def check(source: str, tmp_path, filename: str = APP, settings: Settings | None = None) -> set:
    source = textwrap.dedent(source)
    found = findings(source, filename, root=tmp_path, settings=settings, codes=FLOW)
    return set(found)


def assert_marked(source: str, tmp_path, **kwargs) -> None:
    assert check(source, tmp_path, **kwargs) == expected_markers(textwrap.dedent(source))


# -- helpers ---------------------------------------------------------------------
def test_words_split_snake_camel_and_calls():
    assert words("_OrdersRepository()") == ("orders", "repository")
    assert words("self") == ("self",)


@pytest.mark.parametrize("text, name, expected", [
    ("self._uow", "uow", True),
    ("SqlAlchemyUnitOfWork()", "unit_of_work", True),
    ("self.repos.orders", "repo", True),
    ("self.report_builder", "repo", False),
    ("self.repository_factory", "repository", True),
    ("x", "", False),
])
def test_word_runs(text, name, expected):
    assert has_word_run(text, name) is expected


@pytest.mark.parametrize("context, expected", [
    ("self.uow", True), ("self._uow.transaction()", True), ("transaction.atomic()", True),
    ("session.begin()", True), ("db.session.begin_nested()", True), ("self.unit_of_work", True),
    ("self.uow_factory()", True), ("open()", False), ("self.lock", False), ("", False),
])
def test_transaction_contexts(context, expected):
    block = WithBlock((context,), "f", 0, 0)
    assert is_transaction(block, Settings.from_values({})) is expected


# -- DDD401 ----------------------------------------------------------------------
def test_async_with_transaction_and_transport(tmp_path):
    assert_marked("""\
        async def pay(uow, broker, order):
            async with uow.transaction() as tx:
                order.pay()
                await broker.publish("paid", order.id)  # DDD401
                await tx.commit()
            await broker.publish("paid-again", order.id)
        """, tmp_path)


def test_publish_after_commit_inside_block_is_quiet(tmp_path):
    assert_marked("""\
        def pay(self, order):
            with self.uow:
                self.uow.orders.add(order)
                self.uow.commit()
                self.message_bus.publish("paid", order.id)
        """, tmp_path)


def test_before_commit_without_a_with(tmp_path):
    assert_marked("""\
        def pay(session, sns_client, order):
            order.pay()
            sns_client.send_message(order.id)  # DDD401
            session.commit()
            sns_client.send_message(order.id)
        """, tmp_path)


def test_commit_in_another_function_is_not_seen(tmp_path):
    assert_marked("""\
        class PayOrder:
            def __call__(self, order):
                order.pay()
                self.producer.send("paid", order.id)
                self._finish()

            def _finish(self):
                self.session.commit()
        """, tmp_path)


def test_nested_function_inside_transaction_is_its_own_flow(tmp_path):
    assert_marked("""\
        def pay(uow, producer, order, callbacks):
            with uow:
                def later():
                    producer.send("paid", order.id)
                callbacks.append(later)
                uow.commit()
        """, tmp_path)


def test_consumer_offset_commit_is_not_a_transaction_commit(tmp_path):
    assert_marked("""\
        def pump(consumer, producer):
            for message in consumer:
                producer.send("out", message.value)
                consumer.commit()
                consumer.commit(message)
        """, tmp_path)


def test_look_alikes_stay_quiet(tmp_path):
    assert_marked("""\
        class Service:
            def __call__(self, listing, order):
                with self.uow:
                    listing.publish()
                    self.event_bus.publish(order.recorded_events)
                    self.dispatcher.dispatch(order.recorded_events)
                    self.outbox.add(order.id)
                    self.uow.outbox.save(order.id)
                    self.integration_outbox.publish(order.id)
                    self.signal.emit("changed")
                    self.uow.commit()
        """, tmp_path)


def test_integration_event_argument_makes_any_receiver_a_transport(tmp_path):
    assert_marked("""\
        from dataclasses import dataclass

        from shop.kernel import IntegrationEvent


        @dataclass(frozen=True)
        class OrderPaidV1(IntegrationEvent):
            order_id: str


        def pay(session, publisher, outbox, order):
            with session.begin():
                publisher.publish(OrderPaidV1(order_id=order.id))  # DDD401
                outbox.publish(OrderPaidV1(order_id=order.id))
                publisher.publish(dict(order_id=order.id))
                publisher.publish(order.id)
        """, tmp_path)


def test_module_level_script_is_a_flow(tmp_path):
    assert_marked("""\
        from django.db import transaction

        with transaction.atomic():
            kafka.produce("topic", b"x")  # DDD401
        """, tmp_path, filename="scripts/backfill.py")


def test_relay_publishing_inside_its_transaction_is_quiet(tmp_path):
    assert_marked("""\
        async def relay(session, outbox, producer):
            async with session.begin():
                for record in await outbox.pending():
                    await producer.send(record.topic, record.payload)
                    record.mark_as_sent()
        """, tmp_path)


def test_configured_transport_names(tmp_path):
    settings = Settings.from_values({"ddd-source-roots": [str(tmp_path)],
                                     "ddd-transport-receivers": ["nats_client"],
                                     "ddd-transport-methods": ["publish"]})
    assert_marked("""\
        async def pay(uow, nats_client, producer, order):
            async with uow:
                await nats_client.publish("paid", order.id)  # DDD401
                await producer.send("paid", order.id)
        """, tmp_path, settings=settings)


# -- DDD402 ----------------------------------------------------------------------
def test_dispatch_after_the_block_ended_without_commit(tmp_path):
    assert_marked("""\
        from django.db import transaction


        def confirm(order, dispatcher):
            with transaction.atomic():
                order.confirm()
                order.save()
            dispatcher.dispatch(*order.domain_events)  # DDD402
            dispatcher.dispatch(order.collect_new_events())  # DDD402
            dispatcher.dispatch(order.id)
        """, tmp_path)


def test_second_transaction_dispatch_inside_is_quiet(tmp_path):
    assert_marked("""\
        def two_steps(uow, dispatcher, first, second):
            with uow:
                first.touch()
                uow.commit()
            with uow:
                second.touch()
                dispatcher.dispatch(second.events)
                uow.commit()
        """, tmp_path)


def test_dispatch_after_commit_inside_the_block(tmp_path):
    assert_marked("""\
        async def confirm(self, order):
            async with self.unit_of_work:
                await self.unit_of_work.commit()
                await self.dispatcher.dispatch_events(tuple(order.recorded_events))  # DDD402
        """, tmp_path)


def test_no_transaction_no_ddd402(tmp_path):
    assert_marked("""\
        def handle(dispatcher, order):
            dispatcher.dispatch(order.recorded_events)
            order.clear_recorded_events()
        """, tmp_path)


# -- DDD403 ----------------------------------------------------------------------
def test_clear_before_dispatch_of_the_same_aggregate_only(tmp_path):
    assert_marked("""\
        def ship(self, order, invoice):
            with self.uow:
                invoice.clear_events()
                order.clear_domain_events()  # DDD403
                self.dispatcher.dispatch(order.domain_events)
                self.uow.commit()
        """, tmp_path)


def test_copy_then_clear_then_dispatch_is_quiet(tmp_path):
    assert_marked("""\
        def ship(self, order):
            with self.uow:
                events = list(order.recorded_events)
                order.clear_recorded_events()
                self.dispatcher.dispatch(events)
                self.uow.commit()
        """, tmp_path)


def test_bare_clear_function_matches_its_argument(tmp_path):
    assert_marked("""\
        def ship(bus, order):
            clear_events(order)  # DDD403
            bus.publish_all(order.events)
        """, tmp_path)


# -- DDD406 ----------------------------------------------------------------------
def test_delete_counts_only_when_it_names_the_outbox(tmp_path):
    assert_marked("""\
        def relay(session, producer, rows, cache):
            for row in rows:
                cache.delete(row.key)
                session.delete(row)
                session.delete(outbox_row)  # DDD406
                producer.send(row.topic, row.payload)
        """, tmp_path)


def test_mark_then_publish_by_a_non_transport_receiver_of_the_same_record(tmp_path):
    assert_marked("""\
        async def relay(self):
            for record in await self.outbox.pending():
                record.mark_sent()  # DDD406
                await self.publisher.publish(record.payload)
        """, tmp_path)


def test_mark_then_unrelated_publish_is_quiet(tmp_path):
    assert_marked("""\
        def finish(self, record, listing):
            record.mark_processed()
            listing.publish()
        """, tmp_path)


# -- DDD407 ----------------------------------------------------------------------
def test_two_repositories_in_a_transaction(tmp_path):
    assert_marked("""\
        def move(uow, order, stock, ledger):
            with uow:
                uow.orders_repo.add(order)
                uow.orders_repo.update(order)
                uow.stock_repo.put(stock)  # DDD407
                uow.ledger_repo.save(ledger)
                uow.commit()
        """, tmp_path)


def test_reads_and_outbox_beside_one_repository_are_quiet(tmp_path):
    assert_marked("""\
        async def place(self, order, message):
            async with self._uow:
                customer = await self._uow.customers_repository.get(order.customer_id)
                await self._orders_repo.add(order)
                await self._uow.outbox.add(message)
                await self._uow.outbox_repository.put(message)
                await self.orders_repo.save(order)
        """, tmp_path)


def test_writes_split_by_commit_are_two_transactions(tmp_path):
    assert_marked("""\
        def migrate(session, orders_repository, customers_repository, order, customer):
            orders_repository.save(order)
            session.commit()
            customers_repository.save(customer)
            session.commit()
        """, tmp_path)


def test_sequential_transaction_blocks_are_separate(tmp_path):
    assert_marked("""\
        def migrate(session, order_repository, customer_repository, order, customer):
            with session.begin():
                order_repository.save(order)
            with session.begin():
                customer_repository.save(customer)
        """, tmp_path)


def test_no_transaction_no_ddd407(tmp_path):
    assert_marked("""\
        def build(order_repository, customer_repository, order, customer):
            order_repository.save(order)
            customer_repository.save(customer)
        """, tmp_path)


def test_repositories_container(tmp_path):
    assert_marked("""\
        def transfer(self, a, b):
            with self.uow:
                self.repos.accounts.save(a)
                self.repos.ledgers.save(b)  # DDD407
                self.report_builder.add(a)
        """, tmp_path)
