"""``ddd-events contracts expect`` and ``contracts check --consumers|--producer``: both ends
of the wire (the actions of ``contracts``, which hands them over)."""

from __future__ import annotations

import argparse
import os
import sys


def _consumed(args: argparse.Namespace, settings):
    """This project's expectations, or None after reporting unreadable files."""
    from ..contracts.channels import project_sites
    from ..contracts.consumers import consumed, decoded, expectation
    from .contracts import _events

    found = _events(args, settings, lost="the events they consume would look unread")
    if found is None:
        return None
    sites = project_sites(found.modules, found.model, settings)
    decodes = [name for facts in found.modules
               for name in decoded(facts, found.model, settings)]
    events = consumed(found.views, sites, decodes, found.model, settings)
    return [expectation(view, producer, settings) for view, producer in events.values()]


def _name(args: argparse.Namespace) -> str:
    from ..config.sources import project_metadata

    return getattr(args, "name", None) or project_metadata(".").get("name") \
        or os.path.basename(os.path.abspath("."))


def expect(args: argparse.Namespace, settings) -> int:
    from ..contracts.consumers import dumps

    expectations = _consumed(args, settings)
    if expectations is None:
        return 2
    text = dumps(_name(args), expectations)
    try:
        with open(args.out, encoding="utf-8") as file:
            unchanged = file.read() == text
    except OSError:
        unchanged = False
    if not unchanged:
        with open(args.out, "w", encoding="utf-8", newline="\n") as file:
            file.write(text)
    count = f"{len(expectations)} consumed event{'s' * (len(expectations) != 1)}"
    print(f"{args.out}: {'unchanged' if unchanged else 'wrote'} {count}"
          + ("" if expectations else "; name the classes of the events this project reads "
             "with option ddd-consumed-events"), file=sys.stderr)
    return 0


def _files(paths: list[str]) -> list[str]:
    from ..contracts.consumers import FILE

    return [os.path.join(p, FILE) if os.path.isdir(p) else p for p in paths]


def check(args: argparse.Namespace, settings) -> int:
    from ..contracts.consumers import ExpectationError, breaks, read

    from .contracts import _lock_and_events, _read

    found_breaks = []
    if args.producer:
        lock, failed = _read(args.producer)
        if failed:
            return 2
        if lock is None:
            print(f"ddd-events contracts check: no producer lock at {args.producer}",
                  file=sys.stderr)
            return 2
        expectations = _consumed(args, settings)
        if expectations is None:
            return 2
        found_breaks = breaks(_name(args), expectations, lock.events)
        checked = f"{len(expectations)} consumed event(s) against {args.producer}"
    else:
        loaded = _lock_and_events(args, settings)
        if loaded is None:
            return 2
        lock, found = loaded
        code = found.schemas()
        consumers = []
        for path in _files(args.consumers):
            try:
                consumers.append(read(path))
            except ExpectationError as error:
                print(f"ddd-events contracts check: bad expectations {error}", file=sys.stderr)
                return 2
        for name, expectations in consumers:
            found_breaks += breaks(name, expectations, lock.events if lock else {}, code)
        checked = f"{len(consumers)} consumer(s)"
    for problem in found_breaks:
        print(problem.message)
    if found_breaks:
        print(f"{len(found_breaks)} break(s) of what consumers read ({checked}); send what "
              "they read, or agree a new version with them first", file=sys.stderr)
        return 1
    print(f"no break of what consumers read ({checked})", file=sys.stderr)
    return 0
