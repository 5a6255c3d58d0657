"""The map in Graphviz's DOT language (``dot -Tsvg``): contexts are clusters.

The findings follow as ``//`` comments.
"""

from __future__ import annotations

from . import graph

SHAPES = {
    graph.AGGREGATE: "shape=box",
    graph.ENTITY: 'shape=box, style="rounded"',
    graph.DOMAIN_EVENT: "shape=ellipse",
    graph.INTEGRATION_EVENT: "shape=hexagon",
    graph.HANDLER: "shape=parallelogram",
    graph.SERVICE: "shape=component",
}
STYLES = {
    graph.RECORDS: 'label="records"',
    graph.PUBLISHES: 'label="publishes"',
    graph.OUTBOX: 'label="outbox"',
    graph.BUILDS: 'label="builds", style=dashed',
    graph.HANDLES: "",
}


def quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render(event_map: graph.EventMap, level: str = "classes", findings: bool = True) -> str:
    lines = ["digraph event_map {", "    rankdir=LR;", '    node [fontname="Helvetica"];',
             '    edge [fontname="Helvetica"];']
    if level == "contexts":
        lines += [f"    {quoted(c.name)} [shape=box3d];" for c in event_map.contexts]
        lines += [f"    {quoted(k.source)} -> {quoted(k.target)} "
                  f"[label={quoted(', '.join(e.rpartition('.')[2] for e in k.events))}, penwidth=2];"
                  for k in event_map.links]
    else:
        lines += [f"    {_node(n)}" for n in event_map.in_context(None)]
        for context in event_map.contexts:
            lines.append(f"    subgraph {quoted('cluster_' + context.name)} {{")
            lines.append(f"        label={quoted(context.name)};")
            lines += [f"        {_node(n)}" for n in event_map.in_context(context.name)]
            lines.append("    }")
        for edge in event_map.edges:
            style = "penwidth=2" if event_map.handled_elsewhere(edge) else STYLES[edge.kind]
            attributes = f" [{style}]" if style else ""
            lines.append(f"    {quoted(edge.source)} -> {quoted(edge.target)}{attributes};")
    lines.append("}")
    if findings and event_map.findings:
        lines.append("// What the map shows that is wrong:")
        lines += [f"// {f.file}:{f.line}: {f.message}" for f in event_map.findings]
    return "\n".join(lines) + "\n"


def _node(node: graph.Node) -> str:
    return f"{quoted(node.id)} [label={quoted(node.name)}, {SHAPES[node.kind]}];"
