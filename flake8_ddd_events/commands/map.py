"""``ddd-events map``: the event map of the code, drawn from the same facts as the rules."""

from __future__ import annotations

import argparse
import os
import sys

NAME = "map"
HELP = ("draw the event flow: bounded contexts, aggregates, the events they record, handlers, "
        "integration events and where they are published (mermaid, markdown, dot, json)")
EPILOG = """\
The map reads the code like the plugin does (same settings, test modules left
out, never importing the code). Its last section is what the map shows that is
wrong: a handler for an event nothing records or publishes, a recorded domain
event nothing handles, an integration event nobody publishes or handles.

exit status:
  0  the map was written (with --check: and it shows nothing wrong)
  1  with --check: the map shows something wrong (each finding on stderr)
  2  an error: a bad option, an unknown context, a file that cannot be read
"""
FORMATS = ("mermaid", "markdown", "dot", "json")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = EPILOG
    parser.add_argument("paths", nargs="*", metavar="PATH", default=["."],
                        help="Python files, or directories searched for *.py files (default: .)")
    parser.add_argument("--format", choices=FORMATS, default="mermaid",
                        help="output format (default: mermaid)")
    parser.add_argument("--out", metavar="PATH",
                        help="write to this file instead of stdout; with --format markdown, a "
                             "folder that gets index.md and a page per context")
    parser.add_argument("--context", metavar="NAME",
                        help="draw one bounded context and its neighbours")
    parser.add_argument("--level", choices=("classes", "contexts"), default="classes",
                        help="'contexts' draws only the contexts and the events between them")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 when the map shows something wrong (for CI)")


def run(args: argparse.Namespace) -> int:
    from ..config.sources import load_settings
    from ..eventmap import dot, jsonformat, markdown, mermaid
    from ..eventmap.build import build_map

    settings = load_settings(".")
    event_map, skipped = build_map(args.paths, settings)
    for line in skipped:
        print(line, file=sys.stderr)
    if args.context is not None:
        names = [c.name for c in event_map.contexts]
        if args.context not in names:
            print(f"ddd-events map: no context {args.context!r}; the contexts are: "
                  f"{', '.join(names) or 'none'} (option ddd-context-modules sets them)",
                  file=sys.stderr)
            return 2
        event_map = event_map.around(args.context)
    renderer = {"mermaid": mermaid, "markdown": markdown, "dot": dot, "json": jsonformat}[args.format]
    if args.out and args.format == "markdown":
        os.makedirs(args.out, exist_ok=True)
        for name, text in markdown.pages(event_map, args.level).items():
            _write(os.path.join(args.out, name), text)
    elif args.out:
        _write(args.out, renderer.render(event_map, args.level))
    else:
        sys.stdout.write(renderer.render(event_map, args.level))
    if args.check:
        for finding in event_map.findings:
            print(f"{finding.file}:{finding.line}: {finding.code}: {finding.message}",
                  file=sys.stderr)
    if skipped:
        return 2
    return 1 if args.check and event_map.findings else 0


def _write(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as file:
        file.write(text)
