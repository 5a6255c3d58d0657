"""The ``ddd-events`` command: one subcommand per module in ``commands/``."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import Sequence

from . import __version__

# Each module defines NAME, HELP, ``add_arguments(parser)`` and ``run(args) -> int``.
SUBCOMMANDS = (
    "flake8_ddd_events.commands.rules",
    "flake8_ddd_events.commands.explain",
    "flake8_ddd_events.commands.fix",
    "flake8_ddd_events.commands.cache",
    "flake8_ddd_events.commands.roots",
    "flake8_ddd_events.commands.contracts",
    "flake8_ddd_events.commands.map",
    "flake8_ddd_events.commands.baseline",
)


def main(argv: Sequence[str] | None = None) -> int:
    """Run a subcommand; its exit status. A reader that closes the pipe early
    (``| head``) ends the command quietly, with status 0, as standard tools end."""
    try:
        status = _run(argv)
        sys.stdout.flush()  # inside the try: what is still buffered may meet a closed pipe
    except BrokenPipeError:
        # the Python docs' "Note on SIGPIPE": the interpreter flushes stdout once more at
        # exit, and that flush must not raise again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    return status


def _run(argv: Sequence[str] | None) -> int:
    parser = argparse.ArgumentParser(prog="ddd-events",
                                     description="Domain-Driven-Design event rules for flake8.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    runners = {}
    for name in SUBCOMMANDS:
        module = importlib.import_module(name)
        sub = commands.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        module.add_arguments(sub)
        runners[module.NAME] = module.run
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    from .config.settings import SettingsError

    try:
        return runners[args.command](args)
    except SettingsError as error:  # from config.load_settings: every command says it so
        print(f"ddd-events {args.command}: bad option {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
