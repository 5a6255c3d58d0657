"""What a rule is: code, message, documentation, examples and check.

A rule module defines its rules with ``@rule(...)`` over a check function that
reads a ``Context`` and yields ``Finding``s. The registry in ``rules`` imports
every rule module; tests, docs and the CLI read the same ``Rule`` objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, partial
from typing import Callable, Iterable, Iterator

import libcst as cst

from ..syntax.facts import ClassFact, ModuleFacts
from ..model.project_model import ProjectModel
from ..model.views import ClassView
from ..analysis.failure import Relays
from ..analysis.flow import is_transport_publish
from ..analysis.known_bases import LIBRARY_PACKAGES
from ..analysis.recognition import Kind, Recognition, recognise
from ..config.settings import Settings


@dataclass(frozen=True)
class Finding:
    """A problem at a node; the plugin turns the node into a line."""

    node: cst.CSTNode
    message: str


# Where the examples' application services live (the publishing and transaction rules).
APPLICATION = "shop/sales/application/services.py"


@dataclass(frozen=True)
class Example:
    """A source the rule is run on. Expected findings are marked on their line
    with a trailing comment ``# DDD104`` (or ``# DDD104, DDD105: why``). ``before``:
    the same file when its contract was locked; the example then runs with a contract
    lock written from it (DDD208), and the docs show that lock. ``fixed``: for an invalid
    example of a rule with a fix, the file exactly as ``ddd-events fix`` leaves it (None:
    the fixer leaves it unchanged, and says why)."""

    source: str
    filename: str = "shop/sales/domain/model.py"
    before: str | None = None
    fixed: str | None = None


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    summary: str  # one line, for the rule table
    what: str
    why: str
    use_instead: str  # prose; the code is the first valid example
    check: Callable[[Context], Iterable[Finding]]
    invalid: tuple[Example, ...]
    valid: tuple[Example, ...]
    options: tuple[str, ...] = ()
    fix: str = "No automatic fix."

    def run(self, context: Context) -> Iterator[Finding]:
        yield from self.check(context)


REGISTRY: dict[str, Rule] = {}


def rule(code: str, name: str, *, summary: str, what: str, why: str, use_instead: str,
         invalid: Iterable[str | Example], valid: Iterable[str | Example],
         options: Iterable[str] = (), fix: str = "No automatic fix.") -> Callable:
    """Register ``check`` as the rule ``code`` with its documentation and examples."""

    def as_example(item: str | Example) -> Example:
        return item if isinstance(item, Example) else Example(item)

    def register(check: Callable[[Context], Iterable[Finding]]) -> Callable:
        if code in REGISTRY:
            raise ValueError(f"duplicate rule code {code}")
        REGISTRY[code] = Rule(code, name, summary, what, why, use_instead, check,
                              tuple(map(as_example, invalid)), tuple(map(as_example, valid)),
                              tuple(options), fix)
        return check

    return register


def built_by(model: ProjectModel, facts: ModuleFacts, settings: Settings, callee: str,
             scope: str | None) -> tuple[ClassView, Recognition] | None:
    """``Context.built_by``, for callers that must not hold the context."""
    if not callee:
        return None
    resolved = model.resolve(facts, callee, scope=scope)
    if not isinstance(resolved, ClassView):
        return None
    return resolved, recognise(resolved, settings)


@dataclass
class Context:
    """One module's facts with recognition, as the rules see them."""

    facts: ModuleFacts
    settings: Settings
    model: ProjectModel

    def view(self, cls: ClassFact) -> ClassView:
        return self.model.view(self.facts, cls)

    def recognise(self, cls: ClassFact) -> Recognition:
        return recognise(self.view(cls), self.settings)

    @cached_property
    def classes(self) -> tuple[tuple[ClassView, Recognition], ...]:
        views = (self.view(c) for c in self.facts.classes.values())
        return tuple((v, recognise(v, self.settings)) for v in views)

    def of_kind(self, *kinds: Kind) -> list[tuple[ClassView, Recognition]]:
        return [(v, r) for v, r in self.classes if r.kind in kinds]

    @property
    def events(self) -> list[tuple[ClassView, Recognition]]:
        return self.of_kind(Kind.DOMAIN_EVENT, Kind.INTEGRATION_EVENT)

    def built_by(self, callee: str, scope: str | None) -> tuple[ClassView, Recognition] | None:
        """The project class a call to ``callee`` (dotted, as written in the module, used
        inside class ``scope``) constructs, with its recognition; None for anything else."""
        return built_by(self.model, self.facts, self.settings, callee, scope)

    @cached_property
    def relays(self) -> Relays:
        """The module's outbox relays (``analysis.failure``), read by DDD401, DDD406, DDD408."""
        # a partial, not a lambda over ``self``: the context keeps the relays, and a
        # cycle back to it would keep the module's nodes alive until the cyclic collector
        # runs (tests/model/test_project_model.py, freed by reference counting)
        constructs = partial(built_by, self.model, self.facts, self.settings)
        return Relays(self.facts, self.settings, partial(
            is_transport_publish, settings=self.settings, built_by=constructs))

    @cached_property
    def is_domain_layer(self) -> bool:
        """The module is in the domain layer (``ddd-domain-modules``), and not the own code of
        a library of the known-bases table (``protean.domain`` in Protean's repository is the
        framework's registry, not an application's domain)."""
        module = self.facts.module
        return (self.settings.is_domain_module(module)
                and module.split(".")[0] not in LIBRARY_PACKAGES)
