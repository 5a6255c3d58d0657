"""The loyalty account, event-sourced with the eventsourcing library: it is rebuilt from its
events every time it is loaded, so its events are stored history that every later version
of this code must still read (DDD209, docs/stored-events.md)."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event


class LoyaltyAccount(Aggregate):
    class Opened(Aggregate.Created):
        customer_id: UUID

    class PointsEarned(Aggregate.Event):
        # version 2 added the order; events stored at version 1 are upcast to "no order"
        class_version = 2
        points: int
        order_id: UUID | None

        @staticmethod
        def upcast_v1_v2(state):
            state["order_id"] = None

    class PointsRedeemed(Aggregate.Event):
        points: int
        reward: str  # DDD209: events stored before have no reward; replaying them fails

    # DDD209 below: ``reason`` was added later, and a parameter's default never reaches the
    # event ``@event`` generates, so old events have no ``reason`` (AttributeError when read);
    # declare ``class TierChanged(Aggregate.Event)`` with ``reason: str = ""`` instead
    @event("TierChanged")
    def change_tier(self, tier: str, reason: str = "") -> None:  # DDD209
        self.tier = tier
