"""Generate a dense DDD code base for the benchmark: every module has events,
aggregates, handlers and services, and most have something to report.

    python benchmarks/generate_ddd.py OUT_DIR [--modules 300] [--classes 4]

``--modules`` sets how many files; ``--classes`` how many events/aggregates per
file (the file size). The output is deterministic for the same arguments. The
tree is a package ``gen`` with a shared kernel (event bases, aggregate base,
handler bases) and bounded contexts ``ctx<N>`` with ``domain``, ``application``
and ``infrastructure`` layers, so the project model resolves bases across
modules as it would in a real code base.
"""

from __future__ import annotations

import argparse
import os
import random

KERNEL = '''\
"""Shared kernel: event bases, aggregate base, handler bases."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Generic, TypeVar
from uuid import UUID, uuid4


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    event_id: UUID = field(default_factory=uuid4)
    occurred_on: datetime = field(default_factory=utc_now)


@dataclass(frozen=True, kw_only=True)
class IntegrationEvent:
    event_id: UUID = field(default_factory=uuid4)
    occurred_on: datetime = field(default_factory=utc_now)
    correlation_id: UUID
    causation_id: UUID
    event_version: int = 1


class Entity:
    id: UUID


class AggregateRoot(Entity):
    def __init__(self) -> None:
        self._events: list[DomainEvent] = []

    def record_event(self, event: DomainEvent) -> None:
        self._events.append(event)

    @property
    def recorded_events(self) -> tuple[DomainEvent, ...]:
        return tuple(self._events)

    def clear_recorded_events(self) -> None:
        self._events.clear()


E = TypeVar("E")


class EventHandler(Generic[E]):
    async def handle(self, event: E) -> None:
        raise NotImplementedError


class DomainEventHandler(EventHandler[E]):
    pass


class IntegrationEventHandler(EventHandler[E]):
    pass
'''

NOUNS = ["Order", "Invoice", "Shipment", "Customer", "Payment", "Parcel", "Basket", "Refund",
         "Ticket", "Booking", "Account", "Voucher", "Listing", "Quote", "Claim", "Policy"]
VERBS = [("Placed", "place"), ("Cancelled", "cancel"), ("Confirmed", "confirm"),
         ("Shipped", "ship"), ("Paid", "pay"), ("Closed", "close"), ("Opened", "open"),
         ("Approved", "approve"), ("Rejected", "reject"), ("Renamed", "rename")]
BAD_NAMES = ["Create{n}", "{n}Creation", "{n}Update", "Register{n}"]


def domain_module(rng: random.Random, ctx: int, index: int, classes: int) -> str:
    out = [f'"""Domain model {index} of bounded context {ctx}."""', "",
           "from __future__ import annotations", "",
           "from dataclasses import dataclass, field",
           "from datetime import datetime",
           "from uuid import UUID", "",
           "from gen.kernel import AggregateRoot, DomainEvent, Entity, IntegrationEvent", ""]
    if index % 7 == 0:
        out.insert(-1, "import kafka  # a domain module that imports the transport")
    for k in range(classes):
        noun = f"{rng.choice(NOUNS)}{ctx}x{index}x{k}"
        past, verb = rng.choice(VERBS)
        name = (rng.choice(BAD_NAMES).format(n=noun) if rng.random() < 0.2 else f"{noun}{past}")
        frozen = "frozen=True, " if rng.random() < 0.8 else ""
        lines_type = "list[str]" if rng.random() < 0.3 else "tuple[str, ...]"
        out += ["", f"@dataclass({frozen}kw_only=True)", f"class {name}(DomainEvent):",
                f"    {noun.lower()}_id: UUID", f"    lines: {lines_type} = ()",
                "    note: str = ''", ""]
        if rng.random() < 0.3:
            out += ["    def touch(self) -> None:", "        self.note = 'touched'", ""]
        out += ["", "@dataclass(frozen=True, kw_only=True)",
                f"class {noun}{past}Contract(IntegrationEvent):",
                f"    {noun.lower()}_id: UUID", "    amount: int", "    currency: str", ""]
        out += ["", f"class {noun}Line(Entity):", "    sku: str", "    quantity: int", "",
                "", f"class {noun}(AggregateRoot):",
                f"    def __init__(self, {noun.lower()}_id: UUID) -> None:",
                "        super().__init__()", f"        self.id = {noun.lower()}_id",
                f"        self.lines: list[{noun}Line] = []", "",
                f"    def {verb}(self, note: str) -> None:",
                "        if not note:",
                "            raise ValueError('a note is required')",
                f"        self.record_event({name}({noun.lower()}_id=self.id, note=note))", ""]
        if rng.random() < 0.2:
            out += ["    def publish_now(self, bus) -> None:",
                    "        bus.publish(self.recorded_events)", ""]
        out += ["", f"def stamp_{noun.lower()}(order_id: UUID) -> {name}:",
                f"    return {name}({noun.lower()}_id=order_id, occurred_on=datetime.now())", ""]
    return "\n".join(out) + "\n"


def application_module(rng: random.Random, ctx: int, index: int, classes: int) -> str:
    domain = f"gen.ctx{ctx}.domain.model{index}"
    out = [f'"""Application services {index} of bounded context {ctx}."""', "",
           "from __future__ import annotations", "",
           "from gen.kernel import DomainEventHandler, IntegrationEventHandler",
           f"import {domain} as model", ""]
    for k in range(classes):
        out += ["", f"class Handler{k}(DomainEventHandler[model.DomainEvent]):"]
        if rng.random() < 0.3:
            out += ["    def handle(self, event: model.DomainEvent) -> None:", "        print(event)", ""]
        else:
            out += ["    async def handle(self, event: model.DomainEvent) -> None:",
                    "        print(event)", ""]
        out += ["", f"class Service{k}:",
                "    def __init__(self, uow, broker, dispatcher, outbox) -> None:",
                "        self.uow = uow", "        self.broker = broker",
                "        self.dispatcher = dispatcher", "        self.outbox = outbox", "",
                f"    def run_{k}(self, aggregate_id, message) -> None:",
                "        with self.uow.transaction():",
                "            aggregate = self.uow.repository.get(aggregate_id)",
                "            aggregate.close('done')",
                "            self.uow.repository.save(aggregate)"]
        if rng.random() < 0.4:
            out += ["            self.uow.invoice_repository.save(aggregate)",
                    "            self.broker.publish(message)"]
        else:
            out += ["            self.outbox.add(message)"]
        out += ["            self.dispatcher.dispatch_events(aggregate.recorded_events)",
                "            aggregate.clear_recorded_events()", "",
                f"    def relay_{k}(self, record) -> None:",
                "        self.broker.publish(record.message)",
                "        record.mark_as_sent()", "",
                f"    def record_from_outside_{k}(self, aggregate, event) -> None:",
                "        aggregate.record_event(event)", ""]
    return "\n".join(out) + "\n"


def generate(out_dir: str, modules: int = 300, classes: int = 4, seed: int = 8) -> list[str]:
    """Write the code base under ``out_dir``; return the paths of the files written."""
    rng = random.Random(seed)
    written = []

    def write(relative: str, text: str) -> None:
        path = os.path.join(out_dir, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        written.append(path)

    write("gen/__init__.py", "")
    write("gen/kernel.py", KERNEL)
    pairs = max(1, (modules - 2) // 2)
    per_context = 10
    for number in range(pairs):
        ctx, index = divmod(number, per_context)
        base = f"gen/ctx{ctx}"
        if index == 0:
            for package in ("", "/domain", "/application"):
                write(f"{base}{package}/__init__.py", "")
        write(f"{base}/domain/model{index}.py", domain_module(rng, ctx, index, classes))
        write(f"{base}/application/services{index}.py", application_module(rng, ctx, index, classes))
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir")
    parser.add_argument("--modules", type=int, default=300, help="number of files (about)")
    parser.add_argument("--classes", type=int, default=4, help="events/aggregates per file")
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args(argv)
    paths = generate(args.out_dir, args.modules, args.classes, args.seed)
    lines = sum(open(p, encoding="utf-8").read().count("\n") for p in paths)
    print(f"wrote {len(paths)} files, {lines} lines under {args.out_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
