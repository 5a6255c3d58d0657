"""``ddd-events explain CODE``: a rule's documentation page in the terminal."""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import textwrap

NAME = "explain"
HELP = "print a rule's page: what it does, why, an example, what to write instead, options, fix"

_LINK = re.compile(r"\[([^\]]+)\]\([^)]+\)")
_CODE = re.compile(r"`[^`]*`")
_NBSP = "\x00"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("code", metavar="CODE", help="a rule code such as DDD104 (or its name)")


def run(args: argparse.Namespace) -> int:
    from ..docs import all_rules, find_rule, rule_page

    rule = find_rule(args.code)
    if rule is None:
        codes = ", ".join(r.code for r in all_rules())
        print(f"ddd-events explain: unknown rule {args.code!r}; known codes: {codes} "
              "(`ddd-events rules` lists them with their names)", file=sys.stderr)
        return 2
    print(wrap(_LINK.sub(r"\1", rule_page(rule, links=False)).rstrip()))
    return 0


def wrap(page: str, width: int | None = None) -> str:
    """Wrap prose to the terminal (at most 100 columns); code blocks stay as they are."""
    width = width or min(shutil.get_terminal_size((88, 24)).columns, 100)
    out, in_code = [], False
    for line in page.splitlines():
        if line.startswith("```"):
            in_code = not in_code
        if in_code or line.startswith("```") or len(line) <= width:
            out.append(line)
            continue
        indent = "  " if line.startswith("- ") else ""
        # never break inside `inline code`: its spaces are held together while wrapping
        held = _CODE.sub(lambda m: m.group(0).replace(" ", _NBSP), line)
        out.extend(part.replace(_NBSP, " ") for part in textwrap.wrap(
            held, width, subsequent_indent=indent, break_long_words=False, break_on_hyphens=False))
    return "\n".join(out)
