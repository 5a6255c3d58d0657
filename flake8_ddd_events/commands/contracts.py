"""``ddd-events contracts lock|check|export|expect``: the integration events as a contract,
the stored events as a contract with the past, and both ends of the wire
(``commands/consumers.py``)."""

from __future__ import annotations

import argparse
import sys

NAME = "contracts"
HELP = ("lock the integration events' schemas (ddd-contracts.lock), check the code against the "
        "lock and the consumers' expectations, or export them as JSON Schema or AsyncAPI")
EPILOG = """\
actions:
  lock    write the lock from the code, keeping every version locked before (--prune
          drops them); refuses a breaking change, a version going down, or an event gone
          while a new one appears, unless --force; with PATHs, only the events under them
  check   compare the code with the lock, for CI
  export  write one JSON Schema (draft 2020-12) per integration event, and one per
          locked version of each stored event (in stored/); --format asyncapi: one
          AsyncAPI 3.0 document (YAML with the [asyncapi] extra, or --json)
  expect  in a consumer's repository: write what it reads of the events it consumes
          (ddd-expectations.json)
  check --consumers PATH...  in the producer's repository: report every version that
          breaks what a consumer reads; --producer LOCK: the same, in the consumer's

Run from the project root (default path: the current directory); the lock is found there
or in the nearest folder above; test modules are left out (option ddd-test-modules).

exit status:
  0  lock: written or unchanged; check: the code matches the lock; export: written
  1  check: the code and the lock differ (every difference is printed), or with
     --consumers/--producer: a break of what a consumer reads;
     lock: a breaking change, a version going down, an event gone while a new one
     appears (nothing written)
  2  an error: a bad lock file (named, with the reason; nothing overwritten), a file that
     cannot be read or parsed, a bad option
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = EPILOG
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    expect = actions.add_parser(
        "expect", help="write what this project reads of the events it consumes "
                       "(ddd-expectations.json)",
        description="write what this project reads of the events it consumes")
    expect.add_argument("paths", nargs="*", metavar="PATH", default=["."],
                        help="Python files, or directories searched for *.py files (default: .)")
    expect.add_argument("--out", metavar="FILE", default="ddd-expectations.json",
                        help="the expectation file (default: ddd-expectations.json)")
    expect.add_argument("--name", help="the consumer's name (default: the project's name in "
                                       "pyproject.toml, else the folder's)")
    for action, text in (("lock", "write the lock from the code"),
                         ("check", "exit 1 when the code and the lock differ"),
                         ("export", "write one JSON Schema per integration event and "
                                    "per stored event version")):
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
                             help="write the lock even over a breaking change, a version "
                                  "going down, or an event gone while a new one appears")
            sub.add_argument("--prune", action="store_true",
                             help="drop the older versions of the events written (the lock "
                                  "keeps every locked version otherwise)")
        if action == "export":
            sub.add_argument("--format", choices=("jsonschema", "asyncapi"), default="jsonschema",
                             help="the schema language (default: jsonschema); asyncapi: one "
                                  "AsyncAPI 3.0 document, asyncapi.yaml")
            sub.add_argument("--out", metavar="FOLDER", default="contracts",
                             help="where to write the schemas (default: contracts/; '-' "
                                  "writes the AsyncAPI document to standard output)")
            sub.add_argument("--json", action="store_true",
                             help="asyncapi: write JSON (asyncapi.json; YAML needs the "
                                  "[asyncapi] extra)")
            sub.add_argument("--title", help="asyncapi: info.title (default: the project's "
                                             "name in pyproject.toml)")
            sub.add_argument("--api-version", help="asyncapi: info.version (default: the "
                                                   "project's version in pyproject.toml)")
        if action == "check":
            sub.add_argument("--consumers", nargs="+", metavar="PATH",
                             help="the consumers' expectation files (or folders holding "
                                  "ddd-expectations.json): report every event version that "
                                  "breaks what a consumer reads")
            sub.add_argument("--producer", metavar="LOCK",
                             help="in a consumer's repository: the producer's lock, checked "
                                  "against this project's expectations")


def run(args: argparse.Namespace) -> int:
    from ..config.sources import load_settings

    settings = load_settings(".", {"ddd-contracts-lock": getattr(args, "lock", None),
                                   "ddd-contract-compatibility": getattr(args, "compatibility", None)})
    if args.action == "expect":
        from .consumers import expect

        return expect(args, settings)
    if args.action == "check" and (args.consumers or args.producer):
        from .consumers import check

        return check(args, settings)
    if args.action == "export" and args.format == "asyncapi":
        return _export_asyncapi(args, settings)
    return {"lock": _lock, "check": _check, "export": _export}[args.action](args, settings)


def _events(args: argparse.Namespace, settings,
            lost: str = "their integration events would look removed"):
    """The project's events, or None after reporting files that cannot be read (``lost``
    says what reading the rest would get wrong)."""
    from ..contracts.project import project_events

    found = project_events(args.paths, settings)
    for message in found.skipped:
        print(message, file=sys.stderr)
    if found.skipped:
        print(f"ddd-events contracts {args.action}: stopped; {len(found.skipped)} file(s) could "
              f"not be read, and {lost}", file=sys.stderr)
        return None
    return found


def _lock_and_events(args: argparse.Namespace, settings):
    """(the project's lock or None, the project's events), or None after reporting a bad
    lock or files that cannot be read."""
    from ..contracts.lock import find_lock

    lock, failed = _read(find_lock(settings.contracts_lock))
    if failed:
        return None
    found = _events(args, settings)
    return None if found is None else (lock, found)


def _read(path: str, overwrite: bool = False):
    """(lock or None, whether it is bad: reported)."""
    from ..contracts.lock import LockError, read_lock

    try:
        return read_lock(path), False
    except LockError as error:
        then = "it is written again (--force)" if overwrite else "nothing was overwritten"
        print(f"ddd-events contracts: bad lock {error}; {then}", file=sys.stderr)
        return None, True


def _in_scope(args: argparse.Namespace, settings):
    """Whether a locked event's module is under the paths given (``lock PATH…``)."""
    from ..source.modules import module_path

    prefixes = [module_path(path, settings.source_roots)[0] for path in args.paths]

    def inside(name: str) -> bool:
        return any(not p or name == p or name.startswith(p + ".") for p in prefixes)

    return inside


def _lock(args: argparse.Namespace, settings) -> int:
    from ..contracts.compare import (
        CHANGED, GONE, MOVED, NEW, VERSION, differences, with_current)
    from ..contracts.history import UNREADABLE, former_entry, stored_differences
    from ..contracts.lock import Lock, find_lock, write_lock

    path = find_lock(settings.contracts_lock)
    lock, failed = _read(path, overwrite=args.force)
    if failed and not args.force:
        return 2
    found = _events(args, settings)
    if found is None:
        return 2
    schemas = found.schemas()
    mode = settings.contract_compatibility
    inside = _in_scope(args, settings)
    old = dict(lock.events) if lock is not None else {}
    scoped = {name: history for name, history in old.items() if inside(name)}
    found_differences = differences(scoped, schemas, mode)
    new_events = any(d.kind == NEW for d in found_differences)
    refused = [d for d in found_differences
               if (d.kind in (CHANGED, VERSION) and d.breaks) or (d.kind == GONE and new_events)]
    if refused and not args.force:
        for difference in refused:
            _print_difference(difference, mode)
        print(f"{path} not written: {len(refused)} integration event(s) break their locked "
              f"contract ({mode} compatibility); bump their version, make the change "
              "compatible, or write the lock anyway with --force", file=sys.stderr)
        return 1
    stored_locked = dict(lock.stored_events) if lock is not None else {}
    stored_scoped = {name: h for name, h in stored_locked.items() if inside(name)}
    unreadable = [d for d in stored_differences(stored_scoped, found.stored, found.model,
                                                settings) if d.kind == UNREADABLE]
    if unreadable and not args.force:
        for difference in unreadable:
            _print_stored_difference(difference)
        print(f"{path} not written: {len(unreadable)} stored event(s) can no longer read "
              "the history already stored; raise their version with an upcaster for every "
              "step, make the change readable, or write the lock anyway with --force",
              file=sys.stderr)
        return 1
    moved = {d.old.name: d.new.name for d in found_differences if d.kind == MOVED}
    histories = {name: h for name, h in old.items() if not inside(name)}
    for name, schema in schemas.items():
        before = old.get(name) or next((old[o] for o, n in moved.items() if n == name), None)
        histories[name] = with_current(schema, None if args.prune else before)
    upgraded = lock is not None and lock.format < 2
    kept_stored = {} if args.prune else {
        name: stored_locked.get(name) or former_entry(event, stored_scoped, found.model)
        for name, event in found.stored.items()}
    stored = {name: h for name, h in stored_locked.items() if not inside(name)}
    stored.update(found.stored_histories({n: h for n, h in kept_stored.items() if h}))
    written = write_lock(path, Lock(histories, stored))
    count = f"{len(schemas)} integration event{'s' * (len(schemas) != 1)}"
    if found.stored:
        count += f" and {len(found.stored)} stored event{'s' * (len(found.stored) != 1)}"
    kept = len(histories) - len(schemas) + len(stored) - len(found.stored)
    also = f" (and kept {kept} under other paths)" if kept else ""
    how = "upgraded to format 2 and wrote" if upgraded and written else \
        "wrote" if written else "unchanged,"
    print(f"{path}: {how} {count}{also}", file=sys.stderr)
    return 0


def _check(args: argparse.Namespace, settings) -> int:
    from ..contracts.compare import differences
    from ..contracts.history import GONE as STORED_GONE, UNREADABLE, stored_differences
    from ..contracts.lock import find_lock

    path = find_lock(settings.contracts_lock)
    lock, failed = _read(path)
    if failed:
        return 2
    if lock is None:
        print(f"ddd-events contracts check: no lock at {path}; write it with "
              "'ddd-events contracts lock' and commit it", file=sys.stderr)
        return 2
    found = _events(args, settings)
    if found is None:
        return 2
    if lock.format < 2:
        print(f"{path}: written in format {lock.format}, which locks only the names of the "
              "fields' types; checked as far as it goes. 'ddd-events contracts lock' upgrades "
              "it to format 2 (the whole wire shape, every version)", file=sys.stderr)
    mode = settings.contract_compatibility
    inside = _in_scope(args, settings)
    scoped = {name: history for name, history in lock.events.items() if inside(name)}
    found_differences = differences(scoped, found.schemas(), mode)
    for difference in found_differences:
        _print_difference(difference, mode)
    stored_scoped = {name: h for name, h in lock.stored_events.items() if inside(name)}
    stored = stored_differences(stored_scoped, found.stored, found.model, settings)
    for stored_difference in stored:
        _print_stored_difference(stored_difference)
    if not found_differences and not stored:
        also = f" and {len(stored_scoped)} stored events" if stored_scoped else ""
        print(f"{path}: the code matches the lock ({len(scoped)} integration events{also})",
              file=sys.stderr)
        return 0
    breaking = sum(1 for d in found_differences if d.breaks)
    unreadable = sum(1 for d in stored if d.kind in (UNREADABLE, STORED_GONE))
    summary = (f"{path}: {len(found_differences) + len(stored)} difference(s) between the "
               "code and the lock")
    if breaking:
        summary += (f", {breaking} breaking their contract ({mode} compatibility). A breaking "
                    "change needs a version bump (a new contract)")
    if unreadable:
        summary += (f"{'; ' if breaking else ', '}{unreadable} stored event(s) whose "
                    "stored history can no longer be read. A stored event needs a new version "
                    "and an upcaster for every step")
    if breaking or unreadable:
        summary += "; then"
    else:
        summary += ", none breaking:"
    print(summary + " write the lock with 'ddd-events contracts lock' and commit it.",
          file=sys.stderr)
    return 1


def _print_difference(difference, mode: str) -> None:
    from ..contracts.compare import BUMPED, CHANGED, GONE, MOVED, NEW, VERSION, shown_version
    from ..contracts.lock import field_line

    old, new = difference.old, difference.new
    if difference.kind == NEW:
        print(f"+ {new.name} ({_version(new)}): new, not in the lock")
        for name, spec in _fields(new).items():
            print(f"+       {field_line(name, spec)}")
        return
    if difference.kind == GONE:
        print(f"- {old.name} ({_version(old)}): in the lock, no longer in the code; its "
              "consumers get no more events")
        return
    if difference.kind == MOVED:
        print(f"~ {old.name} moved to {new.name} (same version and wire shape)")
        return
    if difference.kind == BUMPED:
        print(f"~ {new.name}: version {shown_version(old.version)} -> "
              f"{shown_version(new.version)}")
    elif difference.kind == VERSION:
        print(f"~ {new.name}: breaking: {difference.problem}")
    elif difference.kind == CHANGED:
        verdict = (f"breaking ({mode} compatibility)" if difference.breaking
                   else f"compatible ({mode} compatibility), not locked yet")
        print(f"~ {new.name} ({_version(new)}): {verdict}")
    shown: set[str] = set()
    for change in difference.changes:
        print(f"  {'!' if change in difference.breaking else ' '} {change.describe()}")
        for sign, value, event, path in (("-", change.old, old, change.was or change.path),
                                         ("+", change.new, new, change.path)):
            if path == change.field and event is not None:  # the whole field
                value = _fields(event, legacy=old.shape is None).get(path, value)
            line = _line(path, value)
            if line is not None and (sign + line) not in shown:
                shown.add(sign + line)
                print(f"{sign}       {line}")


def _print_stored_difference(difference) -> None:
    from ..contracts.compare import shown_version
    from ..contracts.history import CHANGED, GONE, NEW

    name, event, history = difference.name, difference.event, difference.history
    if difference.kind == NEW:
        print(f"+ {name} (stored, version {shown_version(event.version)}): new, not in the lock")
    elif difference.kind == GONE:
        print(f"- {name} (stored, version {shown_version(history.current)}): in the lock, no "
              "longer in the code; history holding it can no longer be read")
    elif difference.kind == CHANGED:
        was = f" (was {history.name})" if history.name != name else ""
        print(f"~ {name} (stored, version {shown_version(event.version)}){was}: readable from "
              "its stored history, not locked yet")
    else:
        print(f"! {name} (stored, version {shown_version(event.version)}): history cannot be "
              "read")
        for problem in difference.problems:
            print(f"    {problem.message}")


def _line(path: str, value) -> str | None:
    """What a change was or is, as the lock writes it."""
    from ..contracts.lock import field_line, legacy_spec
    from ..contracts.schema import FieldSchema

    if value is None:
        return None
    return field_line(path, legacy_spec(value) if isinstance(value, FieldSchema) else value)


def _fields(event, legacy: bool = False) -> dict:
    """An event's top-level fields as the lock writes them (``legacy``: as format 1)."""
    from ..contracts.lock import legacy_spec

    if event.shape is None or legacy:
        return {n: legacy_spec(f) for n, f in event.fields.items()}
    return event.shape.get("fields", {})


def _version(event) -> str:
    from ..contracts.compare import shown_version

    return "unversioned" if event.version is None else f"version {shown_version(event.version)}"


def _export(args: argparse.Namespace, settings) -> int:
    import os

    from ..contracts.export import write_schemas, write_stored_schemas

    loaded = _lock_and_events(args, settings)
    if loaded is None:
        return 2
    lock, found = loaded
    written = write_schemas(found.views, settings, args.out)
    # every version the lock keeps of each stored event, and the code's current one
    stored = dict(lock.stored_events) if lock is not None else {}
    stored.update(found.stored_histories(stored))
    stored_written = write_stored_schemas(stored, found.model, os.path.join(args.out, "stored"))
    also = f" and {len(stored_written)} of stored event versions (in stored/)" \
        if stored_written else ""
    print(f"{args.out}: wrote {len(written)} JSON Schema{'s' * (len(written) != 1)}{also}",
          file=sys.stderr)
    return 0


def _export_asyncapi(args: argparse.Namespace, settings) -> int:
    import os

    from ..config.sources import project_metadata
    from ..contracts.asyncapi import YamlMissing, document, dump
    from ..contracts.compare import with_current
    from ..contracts.channels import project_sites

    loaded = _lock_and_events(args, settings)
    if loaded is None:
        return 2
    lock, found = loaded
    # every locked version, and the code's current one of each event
    histories = dict(lock.events) if lock is not None else {}
    for name, schema in found.schemas().items():
        histories[name] = with_current(schema, histories.get(name))
    project = project_metadata(".")
    title = args.title or project.get("name") or os.path.basename(os.path.abspath("."))
    version = args.api_version or str(project.get("version") or "0.0.0")
    doc = document(title, version, histories, found.views,
                   project_sites(found.modules, found.model, settings), found.model, settings,
                   project.get("description"))
    try:
        text = dump(doc, args.json)
    except YamlMissing:
        print("ddd-events contracts export: YAML needs PyYAML: pip install "
              "'flake8-ddd-events[asyncapi]', or write JSON with --json", file=sys.stderr)
        return 2
    if args.out == "-":
        sys.stdout.write(text)
        return 0
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "asyncapi.json" if args.json else "asyncapi.yaml")
    with open(path, "w", encoding="utf-8", newline="\n") as file:
        file.write(text)
    unresolved = sum(1 for c in doc.get("channels", {}).values() if c.get("address") is None)
    also = (f"; {unresolved} channel(s) whose address the code computes at run time (option "
            "ddd-channels gives it)") if unresolved else ""
    print(f"{path}: wrote AsyncAPI {doc['asyncapi']}: {len(doc.get('components', {}).get('messages', {}))} "
          f"message(s), {len(doc.get('channels', {}))} channel(s){also}", file=sys.stderr)
    return 0
