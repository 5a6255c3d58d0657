"""Value objects of the sales context: immutable, compared by value."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import NewType
from uuid import UUID

OrderId = NewType("OrderId", UUID)
CustomerId = NewType("CustomerId", UUID)
Sku = NewType("Sku", str)


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str

    def __add__(self, other: Money) -> Money:
        if other.currency != self.currency:
            raise ValueError(f"cannot add {other.currency} to {self.currency}")
        return Money(self.amount + other.amount, self.currency)

    def times(self, quantity: int) -> Money:
        return Money(self.amount * quantity, self.currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal("0.00"), currency)


@dataclass(frozen=True)
class Address:
    street: str
    city: str
    postcode: str
    country: str
