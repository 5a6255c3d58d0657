"""``ddd-events contracts lock|check|export``: the integration events as a contract."""

from __future__ import annotations

import argparse
import sys

NAME = "contracts"
HELP = ("lock the integration events' schemas (ddd-contracts.lock), check the code against the "
        "lock, or export them as JSON Schema")
EPILOG = """\
actions:
  lock    write the lock from the code (refuses a breaking change at the same version
          unless --force)
  check   compare the code with the lock, for CI
  export  write one JSON Schema (draft 2020-12) per integration event

Run from the project root on the same paths for lock and check (default: the current
directory); test modules are left out (option ddd-test-modules).

exit status:
  0  lock: written or unchanged; check: the code matches the lock; export: written
  1  check: the code and the lock differ (every difference is printed);
     lock: a breaking change at the same version (nothing written)
  2  an error: a bad lock file (named, with the reason; nothing overwritten), a file that
     cannot be read or parsed, a bad option
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = EPILOG
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    for action, text in (("lock", "write the lock from the code"),
                         ("check", "exit 1 when the code and the lock differ"),
                         ("export", "write one JSON Schema per integration event")):
        sub = actions.add_parser(action, help=text, description=text)
        sub.add_argument("paths", nargs="*", metavar="PATH", default=["."],
                         help="Python files, or directories searched for *.py files (default: .)")
        sub.add_argument("--lock", metavar="FILE",
                         help="the lock file (default: option ddd-contracts-lock, "
                              "ddd-contracts.lock)")
        if action in ("lock", "check"):
            sub.add_argument("--compatibility", choices=("forward", "backward", "full"),
                             help="default: option ddd-contract-compatibility, full")
        if action == "lock":
            sub.add_argument("--force", action="store_true",
                             help="write the lock even over a breaking change at the same version")
        if action == "export":
            sub.add_argument("--format", choices=("jsonschema",), default="jsonschema",
                             help="the schema language (default: jsonschema)")
            sub.add_argument("--out", metavar="FOLDER", default="contracts",
                             help="where to write the schemas (default: contracts/)")


def run(args: argparse.Namespace) -> int:
    from ..config.sources import load_settings

    settings = load_settings(".", {"ddd-contracts-lock": args.lock,
                                   "ddd-contract-compatibility": getattr(args, "compatibility", None)})
    return {"lock": _lock, "check": _check, "export": _export}[args.action](args, settings)


def _events(args: argparse.Namespace, settings):
    """The project's integration events, or None after reporting files that cannot be read
    (their events would look removed)."""
    from ..contracts.project import project_events

    found = project_events(args.paths, settings)
    for message in found.skipped:
        print(message, file=sys.stderr)
    if found.skipped:
        print(f"ddd-events contracts {args.action}: stopped; {len(found.skipped)} file(s) could "
              "not be read, and their integration events would look removed", file=sys.stderr)
        return None
    return found


def _read(settings, overwrite: bool = False):
    """(lock or None, whether it is bad: reported)."""
    from ..contracts.lock import LockError, read_lock

    try:
        return read_lock(settings.contracts_lock), False
    except LockError as error:
        then = "it is written again (--force)" if overwrite else "nothing was overwritten"
        print(f"ddd-events contracts: bad lock {error}; {then}", file=sys.stderr)
        return None, True


def _lock(args: argparse.Namespace, settings) -> int:
    from ..contracts.compare import CHANGED, differences
    from ..contracts.lock import write_lock

    lock, failed = _read(settings, overwrite=args.force)
    if failed and not args.force:
        return 2
    found = _events(args, settings)
    if found is None:
        return 2
    schemas = found.schemas()
    path = settings.contracts_lock
    if lock is not None:
        breaking = [d for d in differences(lock.events, schemas, settings.contract_compatibility)
                    if d.kind == CHANGED and d.breaking]
        if breaking and not args.force:
            for difference in breaking:
                _print_difference(difference, settings.contract_compatibility)
            print(f"{path} not written: {len(breaking)} integration event(s) changed "
                  f"incompatibly at the same version ({settings.contract_compatibility} "
                  "compatibility); bump their version, make the change compatible, or write "
                  "the lock anyway with --force", file=sys.stderr)
            return 1
    written = write_lock(path, schemas.values())
    count = f"{len(schemas)} integration event{'s' * (len(schemas) != 1)}"
    print(f"{path}: {'wrote' if written else 'unchanged,'} {count}", file=sys.stderr)
    return 0


def _check(args: argparse.Namespace, settings) -> int:
    from ..contracts.compare import differences

    lock, failed = _read(settings)
    if failed:
        return 2
    path = settings.contracts_lock
    if lock is None:
        print(f"ddd-events contracts check: no lock at {path}; write it with "
              "'ddd-events contracts lock' and commit it", file=sys.stderr)
        return 2
    found = _events(args, settings)
    if found is None:
        return 2
    mode = settings.contract_compatibility
    found_differences = differences(lock.events, found.schemas(), mode)
    for difference in found_differences:
        _print_difference(difference, mode)
    if not found_differences:
        print(f"{path}: the code matches the lock ({len(lock.events)} integration events)",
              file=sys.stderr)
        return 0
    breaking = sum(1 for d in found_differences if d.breaking)
    print(f"{path}: {len(found_differences)} difference(s) between the code and the lock"
          + (f", {breaking} breaking at the same version ({mode} compatibility)" if breaking
             else "") + ". A breaking change needs a version bump (a new contract); then, or "
          "for compatible changes, write the lock with 'ddd-events contracts lock' and commit "
          "it.", file=sys.stderr)
    return 1


def _print_difference(difference, mode: str) -> None:
    from ..contracts.compare import BUMPED, CHANGED, GONE, MOVED, NEW
    from ..contracts.lock import field_line

    old, new = difference.old, difference.new
    if difference.kind == NEW:
        print(f"+ {new.name} ({_version(new)}): new, not in the lock")
        for name in new.fields:
            print(f"+       {field_line(new.fields[name])}")
        return
    if difference.kind == GONE:
        print(f"- {old.name} ({_version(old)}): in the lock, no longer in the code; its "
              "consumers get no more events")
        return
    if difference.kind == MOVED:
        print(f"~ {old.name} moved to {new.name} (same name, version and fields)")
        return
    if difference.kind == BUMPED:
        print(f"~ {new.name}: version {old.version} -> {new.version}")
    elif difference.kind == CHANGED:
        verdict = (f"breaking ({mode} compatibility)" if difference.breaking
                   else f"compatible ({mode} compatibility), not locked yet")
        print(f"~ {new.name} ({_version(new)}): {verdict}")
    by_field: dict[str, list] = {}
    for change in difference.changes:
        by_field.setdefault(change.field, []).append(change)
    for field_changes in by_field.values():
        for change in field_changes:
            print(f"  {'!' if change in difference.breaking else ' '} {change.describe()}")
        first = field_changes[0]
        if first.old is not None:
            print(f"-       {field_line(first.old)}")
        if first.new is not None:
            print(f"+       {field_line(first.new)}")


def _version(event) -> str:
    return "unversioned" if event.version is None else f"version {event.version}"


def _export(args: argparse.Namespace, settings) -> int:
    from ..contracts.export import write_schemas

    found = _events(args, settings)
    if found is None:
        return 2
    written = write_schemas(found.views, settings, args.out)
    print(f"{args.out}: wrote {len(written)} JSON Schema{'s' * (len(written) != 1)}",
          file=sys.stderr)
    return 0
