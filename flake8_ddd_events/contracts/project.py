"""The integration events of a project, for the ``ddd-events contracts`` commands: the
project's modules (``project.project_modules``), read with the same parse, project model
and recognition as the plugin."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from ..model.project_model import ClassView, ProjectModel
from ..source.modules import module_path
from ..syntax.parsing import parse_facts
from ..lint.project_modules import Skipped, project_modules
from ..config.settings import Settings
from .schema import EventSchema, event_name, event_schema, is_contract


@dataclass
class ProjectEvents:
    """The integration events found, by dotted name, and the files that could not be read."""

    settings: Settings
    views: dict[str, ClassView] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # files.unreadable messages

    def schemas(self) -> dict[str, EventSchema]:
        return {name: event_schema(view, self.settings) for name, view in self.views.items()}


def project_events(paths: Iterable[str], settings: Settings) -> ProjectEvents:
    found = ProjectEvents(settings)
    model = ProjectModel(settings)
    for read in project_modules(paths, settings):
        if isinstance(read, Skipped):
            found.skipped.append(read.message)
        else:
            _add(found, model, read.facts, settings)
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
