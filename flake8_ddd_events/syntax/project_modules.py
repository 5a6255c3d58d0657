"""The modules a ``ddd-events`` command reads: every Python file under the paths (as flake8
finds them), test code left out, each parsed once into the same facts the rules read."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Iterable, Iterator, Union

import libcst as cst

from ..syntax.facts import ModuleFacts
from ..source.files import python_files, read_source, unreadable
from ..source.modules import module_path
from ..syntax.parsing import Unparsable, parse_facts
from ..config.settings import Settings


@dataclass(frozen=True)
class ReadModule:
    path: str
    tree: cst.Module
    facts: ModuleFacts


@dataclass(frozen=True)
class Skipped:
    """A file that could not be read or parsed, and the message that says so
    (``files.unreadable``)."""

    path: str
    message: str


def project_modules(paths: Iterable[str], settings: Settings) -> Iterator[Union[ReadModule, Skipped]]:
    """Each Python file under ``paths`` once (by its real path), test modules left out,
    decoded as Python decodes it and parsed with libcst."""
    seen: set[str] = set()
    for path in python_files(list(paths)):
        real = os.path.realpath(path)
        if real in seen:
            continue
        seen.add(real)
        module, is_package = module_path(path, settings.source_roots)
        if settings.is_test_module(module):
            continue
        source = None
        try:
            source, _ = read_source(path)
            tree, facts = parse_facts(source, path, module, is_package)
        except (OSError, UnicodeError, Unparsable) as error:
            yield Skipped(path, unreadable(path, error, source))
            continue
        yield ReadModule(path, tree, facts)
