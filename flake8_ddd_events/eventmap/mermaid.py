"""The map as a Mermaid flowchart, which GitHub and GitLab render in Markdown.

Contexts are subgraphs; aggregates are rectangles, entities rounded, domain events
stadiums, integration events hexagons, handlers parallelograms, services
subroutines. A handler fed from another context is reached by a thick arrow.
Node ids hold only ``[A-Za-z0-9_]`` and start with ``n_`` (contexts ``c_``), so
that no id is a Mermaid keyword (``end``, ``graph``, ``subgraph``, ``style``,
``class``, ``click``...) or starts an ``o``/``x`` edge; every label is quoted.
The findings follow as ``%%`` comments.
"""

from __future__ import annotations

from . import graph

SHAPES = {
    graph.AGGREGATE: ('["', '"]'),
    graph.ENTITY: ('("', '")'),
    graph.DOMAIN_EVENT: ('(["', '"])'),
    graph.INTEGRATION_EVENT: ('{{"', '"}}'),
    graph.HANDLER: ('[/"', '"/]'),
    graph.SERVICE: ('[["', '"]]'),
}
ARROWS = {
    graph.RECORDS: '-->|"records"|',
    graph.PUBLISHES: '-->|"publishes"|',
    graph.OUTBOX: '-->|"outbox"|',
    graph.BUILDS: '-.->|"builds"|',
    graph.HANDLES: "-->",
}
MAX_LISTED_EVENTS = 3  # a link with more events is labelled with their number


def escape_id(text: str) -> str:
    """A unique ``[A-Za-z0-9_]`` spelling of any text: ``.`` is ``_0``, ``_`` is ``_1``,
    any other character ``_2`` and six hex digits."""
    out = []
    for char in text:
        if char.isascii() and char.isalnum():
            out.append(char)
        elif char == ".":
            out.append("_0")
        elif char == "_":
            out.append("_1")
        else:
            out.append(f"_2{ord(char):06x}")
    return "".join(out)


def node_id(node_id: str) -> str:
    return f"n_{escape_id(node_id)}"


def context_id(name: str) -> str:
    return f"c_{escape_id(name)}"


def label(text: str) -> str:
    """Label text safe inside double quotes."""
    return text.replace("#", "#35;").replace('"', "#quot;")


def link_label(link: graph.Link) -> str:
    if len(link.events) > MAX_LISTED_EVENTS:
        return f"{len(link.events)} events"
    return ", ".join(e.rpartition(".")[2] for e in link.events)


def render(event_map: graph.EventMap, level: str = "classes", findings: bool = True) -> str:
    lines = ["flowchart LR"]
    if level == "contexts":
        lines += _contexts(event_map)
    else:
        lines += _classes(event_map)
    if findings and event_map.findings:
        lines.append("%% What the map shows that is wrong:")
        lines += [f"%% {f.file}:{f.line}: {f.message}" for f in event_map.findings]
    return "\n".join(lines) + "\n"


def _contexts(event_map: graph.EventMap) -> list[str]:
    lines = [f'    {context_id(c.name)}["{label(c.name)}"]' for c in event_map.contexts]
    lines += [f'    {context_id(k.source)} ==>|"{label(link_label(k))}"| {context_id(k.target)}'
              for k in event_map.links]
    return lines


def _node(node: graph.Node) -> str:
    opening, closing = SHAPES[node.kind]
    return f"{node_id(node.id)}{opening}{label(node.name)}{closing}"


def _classes(event_map: graph.EventMap) -> list[str]:
    lines = [f"    {_node(n)}" for n in event_map.in_context(None)]
    for context in event_map.contexts:
        lines.append(f'    subgraph {context_id(context.name)}["{label(context.name)}"]')
        lines += [f"        {_node(n)}" for n in event_map.in_context(context.name)]
        lines.append("    end")
    for edge in event_map.edges:
        arrow = "==>" if event_map.handled_elsewhere(edge) else ARROWS[edge.kind]
        lines.append(f"    {node_id(edge.source)} {arrow} {node_id(edge.target)}")
    return lines
