"""The event map as data: nodes, edges, links between contexts, findings.

Every collection is kept sorted, so that each format renders the same bytes
for the same code, whatever order the files were read in.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

# What a node is; the formats draw each kind with its own shape.
AGGREGATE = "aggregate"
ENTITY = "entity"
DOMAIN_EVENT = "domain_event"
INTEGRATION_EVENT = "integration_event"
HANDLER = "handler"
SERVICE = "service"  # application code (not a handler) that records, builds or publishes
NODE_KINDS = (AGGREGATE, ENTITY, DOMAIN_EVENT, INTEGRATION_EVENT, HANDLER, SERVICE)
EVENT_KINDS = (DOMAIN_EVENT, INTEGRATION_EVENT)

# What an edge says, read from source to target.
RECORDS = "records"  # aggregate (or the code recording on it) -> domain event
PUBLISHES = "publishes"  # handler/service/aggregate -> event, to a transport
OUTBOX = "outbox"  # handler/service -> integration event, written to an outbox
BUILDS = "builds"  # event -> the integration event built from it (``via``: handler or factory)
HANDLES = "handles"  # event -> handler
EDGE_KINDS = (RECORDS, PUBLISHES, OUTBOX, BUILDS, HANDLES)
PRODUCING = (RECORDS, PUBLISHES, OUTBOX, BUILDS)  # edges that make an event exist


@dataclass(frozen=True, order=True)
class Node:
    id: str  # the qualified dotted name: "shop.sales.domain.order.Order"
    kind: str
    name: str  # what the diagrams show: "Order", "InvoiceService"
    module: str
    file: str
    line: int | None  # None: defined in a module outside the paths read
    context: str | None = None


@dataclass(frozen=True, order=True)
class Edge:
    source: str
    target: str
    kind: str
    file: str
    line: int
    via: str | None = None  # BUILDS: the handler or factory that builds it


@dataclass(frozen=True, order=True)
class Relay:
    """An outbox relay: a function whose loop publishes stored records and marks them done
    (``analysis.failure``), and whether a failed publish has a path (caught, recorded,
    bounded: DDD408 says nothing of it)."""

    id: str  # the qualified dotted name: "shop.infrastructure.outbox.OutboxRelay.relay_once"
    name: str  # "OutboxRelay.relay_once"
    module: str
    file: str
    line: int  # the loop's
    failure_path: bool
    context: str | None = None


@dataclass(frozen=True, order=True)
class Link:
    """Events that flow from one context to a handler in another."""

    source: str
    target: str
    events: tuple[str, ...]


@dataclass(frozen=True, order=True)
class Finding:
    file: str
    line: int
    code: str
    subject: str  # the node id it is about
    message: str


@dataclass(frozen=True)
class Context:
    name: str  # as shown: "sales"
    package: str  # the dotted package or glob it stands for: "shop.sales"


@dataclass(frozen=True)
class EventMap:
    contexts: tuple[Context, ...]
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    links: tuple[Link, ...] = ()
    findings: tuple[Finding, ...] = ()
    focus: str | None = None  # the context drawn with its neighbours (``--context``)
    relays: tuple[Relay, ...] = ()
    # indexes, made from the fields above (so ``dataclasses.replace`` makes them anew)
    nodes_by_id: dict[str, Node] = field(init=False, compare=False, repr=False)
    _into: dict[str, list[Edge]] = field(init=False, compare=False, repr=False)
    _out_of: dict[str, list[Edge]] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        into: dict[str, list[Edge]] = {}
        out_of: dict[str, list[Edge]] = {}
        for edge in self.edges:
            into.setdefault(edge.target, []).append(edge)
            out_of.setdefault(edge.source, []).append(edge)
        object.__setattr__(self, "nodes_by_id", {n.id: n for n in self.nodes})
        object.__setattr__(self, "_into", into)
        object.__setattr__(self, "_out_of", out_of)

    def node(self, node_id: str) -> Node:
        return self.nodes_by_id[node_id]

    def handled_elsewhere(self, edge: Edge) -> bool:
        """A handles edge whose handler lives in another context than the event: a flow
        between contexts, drawn heavier."""
        return edge.kind == HANDLES and (
            self.node(edge.source).context != self.node(edge.target).context)

    def in_context(self, name: str | None) -> list[Node]:
        return [n for n in self.nodes if n.context == name]

    def edges_to(self, node_id: str, *kinds: str) -> list[Edge]:
        return [e for e in self._into.get(node_id, ()) if e.kind in kinds]

    def edges_from(self, node_id: str, *kinds: str) -> list[Edge]:
        return [e for e in self._out_of.get(node_id, ()) if e.kind in kinds]

    def around(self, name: str) -> EventMap:
        """The context ``name`` and its neighbours: the nodes one edge away, the links
        and findings that touch it."""
        relays = tuple(r for r in self.relays if r.context == name)
        inside = {n.id for n in self.nodes if n.context == name} | {r.id for r in relays}
        edges = tuple(e for e in self.edges if e.source in inside or e.target in inside)
        kept = inside | {e.source for e in edges} | {e.target for e in edges}
        neighbours = {n.context for n in self.nodes if n.id in kept}
        return replace(
            self, contexts=tuple(c for c in self.contexts if c.name in neighbours),
            nodes=tuple(n for n in self.nodes if n.id in kept), edges=edges,
            links=tuple(k for k in self.links if name in (k.source, k.target)),
            findings=tuple(f for f in self.findings if f.subject in inside), focus=name,
            relays=relays)
