"""One aggregate per transaction (DDD407), on the flow facts of ``publishing``."""

from __future__ import annotations

from typing import Iterator

from ..syntax.facts import CallFact
from .rule import Context, Example, Finding, rule
from ..config.settings import Settings
from .publishing import APPLICATION, Flow, flows, has_word_run, is_outbox


def repository_of(call: CallFact, settings: Settings) -> str | None:
    """The repository a write call goes through (its receiver, leading underscores
    dropped), or None: ``self.orders_repository.save(order)``, ``uow.orders_repo.add(o)``,
    ``self.repo.add(o)``. An outbox repository is not an aggregate's."""
    if call.method not in settings.repository_write_methods or not call.receiver:
        return None
    if is_outbox(call.receiver):
        return None
    if not any(has_word_run(call.receiver, name) for name in settings.repository_receivers):
        return None
    return ".".join(part.lstrip("_") for part in call.receiver.split("."))


def _unit(flow: Flow, call: CallFact) -> tuple[int | None, int] | None:
    """Which transaction a write belongs to: the outermost transaction block around it
    (or the function itself when it commits), split at every ``.commit()``."""
    block = flow.transaction(call)
    if block is None and not flow.commits:
        return None
    commits_before = sum(1 for i in flow.commits if i < call.index)
    return (block, commits_before)


@rule(
    "DDD407", "two-aggregates-one-transaction",
    summary="one transaction writes more than one aggregate",
    what="Reports, inside a transaction `with`/`async with` block or in a function that calls "
         "`.commit()`, a write call (`save`, `add`, `update`, `put`) on a repository (a "
         "receiver holding `repo` or `repository` as a whole word: `self.orders_repository`, "
         "`uow.orders_repo`, `self.repo`, `self.repos.orders`) when the same transaction already "
         "wrote through a different repository. Points at the first write to the second "
         "repository. A transaction is the outermost transaction block around the writes, or the "
         "whole function when it commits without one, split at each `.commit()`. Quiet on one "
         "repository written several times, on outbox writes (`self.outbox.add`, "
         "`outbox_repository.add`), and on reads (`get`, `find`) from a second repository.",
    why="An aggregate is the boundary of immediate consistency: one transaction changes one "
        "aggregate. Saving two in one transaction locks both, so unrelated users of the second "
        "(every order of a customer, every booking of a room) contend and deadlock; and it hides "
        "a business rule that is really eventual behind a database guarantee. Ask whose job it "
        "is to make the two consistent: if a small delay is acceptable to the business, and it "
        "almost always is, the second change is a reaction to a fact about the first, and it "
        "belongs to that reaction, retried on its own, not to this use case.",
    use_instead="Save one aggregate; let it record a domain event; a handler of that event loads "
                "and changes the other aggregate in its own transaction.",
    invalid=[
        Example("""\
class ExpressCheckout:
    def __init__(self, session, orders_repository, customers_repository) -> None:
        self.session = session
        self.orders_repository = orders_repository
        self.customers_repository = customers_repository

    async def __call__(self, customer_id: str, order) -> None:
        async with self.session.begin():
            customer = await self.customers_repository.get(customer_id)
            customer.award_loyalty_points(order.total)
            await self.orders_repository.add(order)
            await self.customers_repository.save(customer)  # DDD407
""", APPLICATION),
        Example("""\
def transfer_stock(session, repo, warehouse_repo, product, warehouse) -> None:
    product.reserve(1)
    repo.save(product)
    warehouse.release(1)
    warehouse_repo.save(warehouse)  # DDD407
    session.commit()
""", APPLICATION),
    ],
    valid=[
        Example("""\
class ExpressCheckout:
    def __init__(self, session, orders_repository, customers_repository) -> None:
        self.session = session
        self.orders_repository = orders_repository
        self.customers_repository = customers_repository

    async def __call__(self, customer_id: str, order) -> None:
        async with self.session.begin():
            customer = await self.customers_repository.get(customer_id)
            order.check_out(customer.loyalty_tier)  # records OrderCheckedOut
            await self.orders_repository.add(order)
            await self.orders_repository.save(order)


class AwardLoyaltyPoints:
    \"\"\"Reacts to OrderCheckedOut, in its own transaction.\"\"\"

    def __init__(self, session, customers_repository) -> None:
        self.session = session
        self.customers_repository = customers_repository

    async def __call__(self, customer_id: str, points: int) -> None:
        async with self.session.begin():
            customer = await self.customers_repository.get(customer_id)
            customer.award_loyalty_points(points)
            await self.customers_repository.save(customer)
""", APPLICATION),
        Example("""\
def place_order(uow, order, message) -> None:
    with uow:
        uow.orders_repo.add(order)
        uow.outbox_repository.add(message)
        uow.commit()
""", APPLICATION),
    ],
    options=("ddd-repository-receivers", "ddd-repository-write-methods",
             "ddd-transaction-contexts"),
)
def two_aggregates_one_transaction(context: Context) -> Iterator[Finding]:
    settings = context.settings
    for flow in flows(context):
        first: dict[tuple[int | None, int], str] = {}
        reported: set[tuple[int | None, int]] = set()
        for call in flow.calls:
            repository = repository_of(call, settings)
            if repository is None:
                continue
            unit = _unit(flow, call)
            if unit is None or unit in reported:
                continue
            earlier = first.setdefault(unit, repository)
            if earlier != repository:
                reported.add(unit)
                yield Finding(call.node, f"this transaction already writes through '{earlier}' "
                              f"and now also through '{repository}': change one aggregate per "
                              "transaction; record a domain event and let its handler change the "
                              "other aggregate in its own transaction")
