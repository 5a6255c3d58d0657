"""The integration events of a project, for the ``ddd-events contracts`` commands: every
Python file under the given paths (``files.python_files``), test modules left out, read
with the same parse, project model and recognition as the plugin."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Iterable

from ..files import python_files
from ..model import ClassView, ProjectModel
from ..modules import module_path
from ..parsing import Unparsable, parse_facts
from ..settings import Settings
from .schema import EventSchema, event_name, event_schema, is_contract


@dataclass
class ProjectEvents:
    """The integration events found, by dotted name, and the files that could not be read."""

    settings: Settings
    views: dict[str, ClassView] = field(default_factory=dict)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)

    def schemas(self) -> dict[str, EventSchema]:
        return {name: event_schema(view, self.settings) for name, view in self.views.items()}


def project_events(paths: Iterable[str], settings: Settings) -> ProjectEvents:
    found = ProjectEvents(settings)
    model = ProjectModel(settings)
    seen: set[str] = set()
    for path in python_files(list(paths)):
        real = os.path.realpath(path)
        if real in seen:
            continue
        seen.add(real)
        module, is_package = module_path(path, settings.source_roots)
        if settings.is_test_module(module):
            continue
        try:
            with open(path, "rb") as file:
                source = file.read().decode("utf-8-sig")
            _, facts = parse_facts(source, path, module, is_package)
        except (OSError, UnicodeDecodeError, Unparsable) as error:
            reason = error.strerror if isinstance(error, OSError) else str(error)
            found.skipped.append((path, reason or type(error).__name__))
            continue
        _add(found, model, facts, settings)
    return found


def source_events(source: str, filename: str, settings: Settings) -> ProjectEvents:
    """The integration events of one source, as if it were the file ``filename`` (the rule
    examples' locks are written so)."""
    found = ProjectEvents(settings)
    module, is_package = module_path(filename, settings.source_roots)
    _, facts = parse_facts(source, filename, module, is_package)
    _add(found, ProjectModel(settings), facts, settings)
    return found


def _add(found: ProjectEvents, model: ProjectModel, facts, settings: Settings) -> None:
    for cls in facts.classes.values():
        view = model.view(facts, cls)
        if is_contract(view, settings):
            found.views.setdefault(event_name(view), view)
