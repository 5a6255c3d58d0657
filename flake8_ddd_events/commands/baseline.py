"""``ddd-events baseline``: record today's findings, check and shrink the baselined ones."""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter

NAME = "baseline"
HELP = ("record the findings flake8 reports now in .ddd-baseline.json, so that only new ones "
        "are reported; --check and --update keep the file in step as code is fixed")
EPILOG = """\
flake8 runs as it would (its configuration files, selection, '# noqa', excludes,
per-file-ignores) with this plugin's checks; each finding is baselined by its path,
code, enclosing class and function, and what it is about, never by its line.
Only the files checked in this run (and files that no longer exist) are
compared: the entries of other files are kept as they are.

  ddd-events baseline            write everything found now (review the diff)
  ddd-events baseline --check    CI: fail when baselined findings were fixed
  ddd-events baseline --update   drop what was fixed; never add new findings

exit status:
  0  written; with --check: every baselined finding still occurs
  1  with --check: baselined findings no longer occur (each listed)
  2  an error: a bad option, a baseline that cannot be read, a check that crashed,
     or a file that cannot be read ('path:line:col: cannot read this file: <why>;
     it was skipped': its baselined findings are kept, the baseline is still written)
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = EPILOG
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="files and directories to check, as for flake8 (default: flake8's)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true",
                      help="change nothing; exit 1 when baselined findings no longer occur")
    mode.add_argument("--update", action="store_true",
                      help="remove the baselined findings that no longer occur; add none")


def run(args: argparse.Namespace) -> int:
    from flake8.exceptions import Flake8Exception

    from ..baseline.current import collect
    from ..baseline.store import BaselineError, disabled, read, target, write
    from ..config.sources import load_settings

    setting = load_settings(".").baseline
    if disabled(setting):
        return _fail("ddd-baseline is 'none': name the baseline file to use")
    path = target(setting, ".")
    shown = os.path.relpath(path)
    exists = os.path.isfile(path)
    if args.update and not exists:
        return _fail(f"no baseline at {shown} to update; write one with `ddd-events baseline`")
    try:
        baselined = read(path) if exists else Counter()
        found = collect(args.paths, os.path.dirname(os.path.abspath(path)))
    except (BaselineError, Flake8Exception, RuntimeError) as error:
        return _fail(str(error))
    for message in found.unchecked:
        print(message, file=sys.stderr)
    unread = 2 if found.unchecked else 0  # the exit status says a file was not checked
    root = os.path.dirname(os.path.abspath(path))

    def compared(entry) -> bool:
        return entry.path in found.checked or not os.path.exists(os.path.join(root, entry.path))

    kept = Counter({e: n for e, n in baselined.items() if not compared(e)})
    stale = sorted((e, n, found.counts[e]) for e, n in baselined.items()
                   if compared(e) and found.counts[e] < n)
    if args.check:
        if not exists:
            print(f"no baseline at {shown}: nothing is baselined")
            return unread
        for entry, count, now in stale:
            print(f"{_describe(entry)}: baselined {count}, found {now}")
        if stale:
            fixed = sum(count - now for _, count, now in stale)
            print(f"{fixed} baselined finding{'s' * (fixed != 1)} no longer occur{'s' * (fixed == 1)}:"
                  f" run `ddd-events baseline --update` and commit {shown}", file=sys.stderr)
            return unread or 1
        print(f"{shown}: every baselined finding still occurs ({sum(baselined.values())} baselined)")
        return unread
    if args.update:
        now = kept + Counter({e: min(n, found.counts[e]) for e, n in baselined.items() if compared(e)})
        for entry, count, left in stale:
            print(f"{_describe(entry)}: baselined {count}, now {left}")
    else:
        now = kept + found.counts
    try:
        write(path, now)
    except OSError as error:
        return _fail(f"cannot write {shown}: {error.strerror}")
    total = sum(now.values())
    print(f"{shown}: {total} finding{'s' * (total != 1)} baselined")
    return unread


def _describe(entry) -> str:
    where = f" in {entry.scope}" if entry.scope else ""
    return f"{entry.path}: {entry.code} {entry.subject}{where}"


def _fail(message: str) -> int:
    print(f"ddd-events baseline: {message}", file=sys.stderr)
    return 2
