"""A thin wrapper over kafka-python's producer, used by the outbox relay."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from kafka import KafkaProducer


class KafkaMessageBus:
    def __init__(self, producer: KafkaProducer, topic_prefix: str = "shop") -> None:
        self._producer = producer
        self._topic_prefix = topic_prefix

    def publish(self, event: Any) -> None:
        topic = f"{self._topic_prefix}.{type(event).__name__}"
        payload = json.dumps(asdict(event), default=str).encode("utf-8")
        self._producer.send(topic, value=payload)
