"""Stock events of the first reservation flow (2019).

Kept until the warehouse consumers have migrated to the new contracts. The
old base is positional (no ``kw_only``), which constrains its subclasses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID, uuid4


@dataclass(frozen=True)
class BaseEvent:
    event_id: UUID = uuid4()  # DDD110: made once at import, so every stock event has the same id
    occurred_on: datetime = field(default_factory=datetime.utcnow)  # DDD107: naive, deprecated clock


@dataclass(frozen=True)
class StockReserved(BaseEvent):
    order_id: UUID  # DDD109: required field after the base's defaulted ones; TypeError on import
    sku: str
    quantity: int


@dataclass(frozen=True, kw_only=True)
class StockReleased(BaseEvent):
    """The migrated form: keyword-only fields may follow defaulted base fields."""

    order_id: UUID
    sku: str
    quantity: int
