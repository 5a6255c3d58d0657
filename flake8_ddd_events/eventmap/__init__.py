"""The event map: the contexts, aggregates, events and handlers of a code base and
the flow between them, drawn from the same facts and project model as the rules.

``build`` reads the code into a ``graph.EventMap``; ``checks`` finds what the map
shows that is wrong; ``contexts`` decides the bounded contexts; one module per
output format (``mermaid``, ``markdown``, ``dot``, ``jsonformat``) renders it.
"""
