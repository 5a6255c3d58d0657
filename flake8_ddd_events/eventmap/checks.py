"""What the map shows that is wrong: small pure functions over the map.

- ``handler-without-producer``: a handler for an event that nothing records,
  publishes, writes to an outbox or builds;
- ``unhandled-domain-event``: a recorded domain event that no handler handles
  and no integration event is built from (sometimes intended: the message says so);
- ``unconsumed-integration-event``: an integration event that no context handles
  and that is neither published nor written to an outbox;
- ``relay-without-failure-path``: an outbox relay that loses a record whose publish
  fails, or retries it forever (what DDD408 reports, on the relay as a whole).
"""

from __future__ import annotations

from typing import Iterator

from . import graph

HANDLER_WITHOUT_PRODUCER = "handler-without-producer"
UNHANDLED_DOMAIN_EVENT = "unhandled-domain-event"
UNCONSUMED_INTEGRATION_EVENT = "unconsumed-integration-event"
RELAY_WITHOUT_FAILURE_PATH = "relay-without-failure-path"


def _place(event_map: graph.EventMap, node: graph.Node, fallback: list[graph.Edge]) -> tuple[str, int]:
    """Where a finding about ``node`` is reported: its statement, else the first edge."""
    if node.line is not None:
        return node.file, node.line
    first = min(fallback, key=lambda e: (e.file, e.line)) if fallback else None
    return (first.file, first.line) if first else (node.file, 0)


def handlers_without_producer(event_map: graph.EventMap) -> Iterator[graph.Finding]:
    for edge in event_map.edges:
        if edge.kind != graph.HANDLES or event_map.edges_to(edge.source, *graph.PRODUCING):
            continue
        event, handler = event_map.node(edge.source), event_map.node(edge.target)
        file, line = _place(event_map, handler, [edge])
        elsewhere = (" If another service publishes it, this handler is its consumer here: "
                     "nothing to do." if event.kind == graph.INTEGRATION_EVENT else "")
        yield graph.Finding(file, line, HANDLER_WITHOUT_PRODUCER, handler.id,
                            f"handler '{handler.name}' handles '{event.name}', but nothing in "
                            f"the code records, publishes or builds '{event.name}': dead code, "
                            f"or a subscriber a rename missed; subscribe it to the event that is "
                            f"raised now, or delete it.{elsewhere}")


def unhandled_domain_events(event_map: graph.EventMap) -> Iterator[graph.Finding]:
    for event in event_map.nodes:
        if event.kind != graph.DOMAIN_EVENT:
            continue
        recorded = event_map.edges_to(event.id, graph.RECORDS)
        if not recorded or event_map.edges_from(event.id, graph.HANDLES, graph.BUILDS):
            continue
        by = sorted({event_map.node(e.source).name for e in recorded})
        file, line = _place(event_map, event, recorded)
        yield graph.Finding(file, line, UNHANDLED_DOMAIN_EVENT, event.id,
                            f"domain event '{event.name}' is recorded (by {', '.join(by)}) but "
                            f"no handler handles it and no integration event is built from it: "
                            f"often a missing subscription; if nothing needs to react to it yet, "
                            f"this may be intended")


def unconsumed_integration_events(event_map: graph.EventMap) -> Iterator[graph.Finding]:
    for event in event_map.nodes:
        if event.kind != graph.INTEGRATION_EVENT:
            continue
        if event_map.edges_from(event.id, graph.HANDLES) or event_map.edges_to(
                event.id, graph.PUBLISHES, graph.OUTBOX):
            continue
        built = event_map.edges_to(event.id, graph.BUILDS)
        file, line = _place(event_map, event, built)
        what = "is built but" if built else "is"
        yield graph.Finding(file, line, UNCONSUMED_INTEGRATION_EVENT, event.id,
                            f"integration event '{event.name}' {what} never published (no "
                            f"transport publish, no outbox write) and no context handles it: "
                            f"publish it where it is built, or delete the contract if no "
                            f"consumer needs it")


def relays_without_failure_path(event_map: graph.EventMap) -> Iterator[graph.Finding]:
    for relay in event_map.relays:
        if not relay.failure_path:
            yield graph.Finding(relay.file, relay.line, RELAY_WITHOUT_FAILURE_PATH, relay.id,
                                f"outbox relay '{relay.name}' has no path for a record whose "
                                "publish fails: it is lost, retried forever, or blocks the "
                                "records behind it (see DDD408); count the attempt on the record "
                                "and mark it failed past a maximum")


CHECKS = (handlers_without_producer, unhandled_domain_events, unconsumed_integration_events,
          relays_without_failure_path)


def find(event_map: graph.EventMap) -> tuple[graph.Finding, ...]:
    """Every finding, sorted by file, line and code, each once."""
    return tuple(sorted({f for check in CHECKS for f in check(event_map)}))
