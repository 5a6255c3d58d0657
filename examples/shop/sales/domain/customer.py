"""The Customer aggregate: credit limit and loyalty points of a buyer.

Written before the team settled on "aggregates record, the application layer
publishes". The commented lines show what the linter is there to catch; the
loyalty part below them is the shape everything else follows.
"""

from __future__ import annotations

from dataclasses import dataclass

from shop.sales.domain.value_objects import CustomerId, Money
from shop.sales.infrastructure.message_bus import KafkaMessageBus  # DDD501: the domain talks to Kafka
from shop.shared_kernel.domain.events import AggregateRoot, DomainEvent


@dataclass(frozen=True)
class CustomerCreditLimitChanged(DomainEvent):
    customer: Customer  # DDD103: ships the whole Customer aggregate; carry customer_id instead
    new_limit: Money


@dataclass(frozen=True)
class LoyaltyPointsAwarded(DomainEvent):
    customer_id: CustomerId
    points: int


class Customer(AggregateRoot):
    def __init__(
        self,
        customer_id: CustomerId,
        email: str,
        credit_limit: Money,
        bus: KafkaMessageBus,
        loyalty_points: int = 0,
    ) -> None:
        super().__init__(customer_id)
        self.email = email
        self.credit_limit = credit_limit
        self.loyalty_points = loyalty_points
        self._bus = bus

    def change_credit_limit(self, new_limit: Money) -> None:
        self.credit_limit = new_limit
        event = CustomerCreditLimitChanged(customer=self, new_limit=new_limit)
        self._bus.publish(event)  # DDD301: sent to Kafka before anything is saved

    def award_loyalty_points(self, points: int) -> None:
        if points <= 0:
            raise ValueError("points must be positive")
        self.loyalty_points += points
        self.record_event(LoyaltyPointsAwarded(customer_id=self.id, points=points))
