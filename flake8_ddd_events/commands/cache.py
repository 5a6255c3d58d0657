"""``ddd-events cache info|clear``: where the result cache is, how large; emptying it."""

from __future__ import annotations

import argparse

NAME = "cache"
HELP = "the result cache: 'info' says where it is, how many entries and how large; 'clear' empties it"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("info", "clear"),
                        help="info: where, how many entries, how large; clear: remove every entry")


def run(args: argparse.Namespace) -> int:
    from ..cache import Folder
    from ..config.sources import load_settings

    settings = load_settings()
    folder = Folder(settings.cache_dir)
    if args.action == "clear":
        removed = folder.clear()
        print(f"removed {removed} entr{'y' if removed == 1 else 'ies'} from {folder.path}")
        return 0
    usage = folder.usage()
    state = "on" if settings.cache else "off (ddd-cache = false)"
    print(f"result cache: {folder.path} ({state})")
    print(f"entries: {usage.entries}, one per module checked (its findings, or that it holds "
          "no events, handlers or aggregates to check)")
    print(f"size: {_size(usage.size)}")
    if usage.leftovers:
        print(f"leftover temporary files of interrupted runs: {usage.leftovers} "
              "('ddd-events cache clear' removes them)")
    return 0


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KiB"
    return f"{size / (1024 * 1024):.1f} MiB"
