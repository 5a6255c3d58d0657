"""The envelope of every integration event, the shop's published language.

Integration events cross bounded-context boundaries through the outbox and
Kafka. Besides the payload, each one carries what consumers need to
de-duplicate (``event_id``), order (``occurred_at``), trace
(``correlation_id``, ``causation_id``) and upcast (``schema_version``) it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from uuid import UUID, uuid4


@dataclass(frozen=True, kw_only=True)
class IntegrationEvent:
    """Base of the published contracts; payload fields use ids and basic types."""

    event_id: UUID = field(default_factory=uuid4)
    occurred_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    correlation_id: UUID
    causation_id: UUID
    schema_version: int = 1

    @property
    def event_type(self) -> str:
        return type(self).__name__
