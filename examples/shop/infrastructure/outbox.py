"""Transactional outbox and its relay.

Services store integration events as ``OutboxMessage`` rows in the same
transaction as the aggregate. A relay then publishes the rows to Kafka and
marks them published, in that order: if it crashes in between, the message
is sent again (at least once) and the consumer's idempotency absorbs it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import Protocol
from uuid import UUID

from shop.shared_kernel.integration import IntegrationEvent


@dataclass(frozen=True)
class OutboxMessage:
    message_id: UUID
    topic: str
    key: str
    payload: bytes
    created_at: datetime

    @classmethod
    def from_event(cls, event: IntegrationEvent, topic_prefix: str) -> OutboxMessage:
        return cls(
            message_id=event.event_id,
            topic=f"{topic_prefix}.{event.event_type}",
            key=str(event.correlation_id),
            payload=json.dumps(asdict(event), default=str).encode("utf-8"),
            created_at=datetime.now(timezone.utc),
        )


class OutboxStore(Protocol):
    async def fetch_unpublished(self, limit: int) -> Sequence[OutboxMessage]: ...

    async def mark_as_published(self, message_id: UUID) -> None: ...

    async def record_failed_attempt(self, message_id: UUID, error: str) -> None:
        """Counts the attempt; past the store's maximum the message is parked as failed
        and no longer fetched."""


class Producer(Protocol):
    async def publish(self, topic: str, payload: bytes, *, key: str) -> None: ...


class OutboxRelay:
    """Publishes stored messages at least once: publish first, then mark; a failed
    publish is counted on the message, which the store parks past its maximum."""

    def __init__(self, outbox: OutboxStore, producer: Producer, batch_size: int = 100) -> None:
        self.outbox = outbox
        self.producer = producer
        self.batch_size = batch_size

    async def relay_once(self) -> int:
        messages = await self.outbox.fetch_unpublished(limit=self.batch_size)
        for message in messages:
            try:
                await self.producer.publish(message.topic, message.payload, key=message.key)
            except Exception as error:  # the next message must not wait for this one
                await self.outbox.record_failed_attempt(message.message_id, repr(error))
                continue
            await self.outbox.mark_as_published(message.message_id)
        return len(messages)

    async def run_forever(self, idle_seconds: float = 1.0) -> None:
        while True:
            if await self.relay_once() == 0:
                await asyncio.sleep(idle_seconds)


class BillingOutboxRelay(OutboxRelay):
    """The billing worker's older relay, written "to never send a message twice"."""

    async def relay_once(self) -> int:
        messages = await self.outbox.fetch_unpublished(limit=self.batch_size)
        for message in messages:
            await self.outbox.mark_as_published(message.message_id)  # DDD406: a crash here loses the message
            await self.producer.publish(message.topic, message.payload, key=message.key)  # DDD408: one bad message blocks the rest
        return len(messages)
