"""``ddd-events rules``: the rule table."""

from __future__ import annotations

import argparse

NAME = "rules"
HELP = "list every rule: code, name, summary"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    from ..docs import all_rules

    rows = [(r.code, r.name, r.summary) for r in all_rules()]  # as the README's table
    width = max(len(name) for _, name, _ in rows)
    for code, name, summary in rows:
        print(f"{code}  {name:<{width}}  {summary}")
    return 0
