"""The ``ddd-events`` command."""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from . import __version__


def _rules_table() -> str:
    from .rules import RULES

    width = max(len(r.name) for r in RULES)
    return "\n".join(f"{r.code}  {r.name:<{width}}  {r.summary}" for r in RULES)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ddd-events",
                                     description="Domain-Driven-Design event rules for flake8.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("rules", help="list the rules")
    args = parser.parse_args(argv)
    if args.command == "rules":
        print(_rules_table())
        return 0
    parser.print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())
