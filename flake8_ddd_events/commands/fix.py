"""``ddd-events fix``: apply the safe fixes to files and directories."""

from __future__ import annotations

import argparse
import ast
import configparser
import difflib
import os
import sys
from pathlib import Path

from ..source.files import python_files, read_source, unreadable

NAME = "fix"
HELP = ("apply the safe fixes (DDD101 frozen=True, DDD104 immutable containers, DDD107 "
        "timezone-aware timestamps, DDD109 kw_only=True, DDD110 default factories, DDD209 "
        "upcasters for obvious values) to files and directories")
EPILOG = """\
The fixer reports exactly what flake8 reports: the same files (flake8's exclude,
extend-exclude and filename), the same settings from the same configuration
files, the same --select/--ignore decisions, and '# noqa' on the reported line.
Comments and formatting outside the changed code are kept; a second run changes
nothing.

exit status:
  0  nothing to fix, or everything fixable was fixed
  1  with --check: something would be changed
  2  an error: a file that cannot be read or parsed (reported as
     'path:line:col: cannot read this file: <why>; it was skipped'), or a bad option
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = EPILOG
    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help="Python files, or directories searched for *.py files")
    parser.add_argument("--diff", action="store_true",
                        help="print a unified diff of the fixes; change no file")
    parser.add_argument("--check", action="store_true",
                        help="change no file; exit 1 when a fix would change one (for CI)")
    parser.add_argument("--select", metavar="CODES",
                        help="codes (or prefixes) to fix, comma-separated; default: flake8's selection")
    parser.add_argument("--ignore", metavar="CODES",
                        help="codes (or prefixes) to leave alone, comma-separated")
    parser.add_argument("--exclude", metavar="PATTERNS",
                        help="files or directories to skip, comma-separated, as flake8's --exclude "
                             "(replaces flake8's default and the configured exclude)")
    parser.add_argument("--extend-exclude", metavar="PATTERNS",
                        help="more files or directories to skip, as flake8's --extend-exclude")
    parser.add_argument("--target-python", metavar="X.Y",
                        help="oldest Python the code runs on (kw_only=True needs 3.10); default: "
                             "ddd-target-python, else requires-python of pyproject.toml, else 3.10")


def run(args: argparse.Namespace) -> int:
    from flake8.exceptions import ExecutionError

    from ..config.sources import load_settings
    from ..fixes import FIXABLE, fix_source
    from ..lint.run import Run
    from ..fixes.options import selected_codes, target_python
    from ..fixes.uses import ProjectUses
    from ..syntax.parsing import Unparsable

    settings = load_settings(".", {"ddd-target-python": args.target_python})
    codes = selected_codes(".", args.select, args.ignore)
    target, origin = target_python(settings)
    pipeline = Run(settings, frozenset(code for code in FIXABLE if code in codes)).pipeline
    uses = ProjectUses.of_project(pipeline.model)
    try:
        paths = list(python_files(args.paths, exclude=args.exclude, extend_exclude=args.extend_exclude))
    except (ValueError, configparser.Error, ExecutionError) as error:
        print(f"ddd-events fix: bad flake8 configuration: {error}", file=sys.stderr)
        return 2
    if "DDD101" in codes:
        uses.frozen = _frozen_in_this_run(paths, settings, codes, pipeline, uses)
    write = not (args.diff or args.check)
    errors = changed_files = fixes = 0
    for path in paths:
        source = None
        try:
            source, encoding = read_source(path)
            ast.parse(source, path)  # what Python rejects is never fixed, even if libcst reads it
            result = fix_source(source, path, settings, codes, pipeline, target, uses)
        except (OSError, UnicodeError, SyntaxError, ValueError, Unparsable) as error:
            print(unreadable(path, error, source), file=sys.stderr)
            errors += 1
            continue
        for outcome in result.outcomes:
            if outcome.fixed:
                verb = "fixed" if write else "would fix"
                print(f"{path}:{outcome.line}: {outcome.code} {verb}: {outcome.note}", file=sys.stderr)
            else:
                note = outcome.note
                if outcome.code == "DDD109" and "target" in note:
                    note = f"{note} [target {target[0]}.{target[1]} from {origin}]"
                print(f"{path}:{outcome.line}: {outcome.code} not fixed: {note}", file=sys.stderr)
        if not result.changed:
            continue
        changed_files += 1
        fixes += len(result.fixed)
        if args.diff:
            sys.stdout.writelines(difflib.unified_diff(
                source.splitlines(keepends=True), result.source.splitlines(keepends=True),
                f"a/{_diff_path(path)}", f"b/{_diff_path(path)}"))
        if write:
            with open(path, "wb") as file:
                file.write(result.source.encode(encoding))
    verb = "fixed" if write else "would fix"
    if changed_files:
        print(f"{verb} {fixes} finding{'s' * (fixes != 1)} in {changed_files} "
              f"file{'s' * (changed_files != 1)}", file=sys.stderr)
    if errors:
        return 2
    return 1 if args.check and changed_files else 0


def _diff_path(path: str) -> str:
    """The path as a diff header names it, for ``git apply`` run from the current folder:
    relative, normalised, with forward slashes (``./src/x.py`` and ``/abs/src/x.py`` are
    ``src/x.py``; git rejects ``a/./src/x.py`` as an invalid path)."""
    try:
        path = os.path.relpath(path)
    except ValueError:  # another drive: left as given
        pass
    return Path(path).as_posix()


def _frozen_in_this_run(paths, settings, codes, pipeline, uses) -> set:
    """The classes this run freezes, over all its files: a base and its subclasses in
    other modules are frozen together, or none of them (Python refuses a frozen dataclass
    under an unfrozen one, and an unfrozen one under a frozen one)."""
    from ..fixes import frozen_findings
    from ..fixes.per_rule import freezable
    from ..syntax.parsing import Unparsable

    views = []
    for path in paths:
        try:
            source, _ = read_source(path)
            ast.parse(source, path)
            views += frozen_findings(source, path, settings, codes, pipeline)
        except (OSError, UnicodeError, SyntaxError, ValueError, Unparsable):
            continue  # reported when the file's turn comes
    return freezable(views, uses)
