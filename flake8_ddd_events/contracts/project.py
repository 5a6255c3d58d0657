"""The integration and stored events of a project, for the ``ddd-events contracts``
commands: the project's modules (``syntax.project_modules``), read with the same parse,
project model and recognition as the plugin."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from ..model.project_model import ProjectModel
from ..model.views import ClassView
from ..source.modules import module_path
from ..syntax.facts import ModuleFacts
from ..syntax.parsing import parse_facts
from ..syntax.project_modules import Skipped, project_modules
from ..config.settings import Settings
from ..analysis.stored_events import StoredEvent, module_stored_events
from .compare import History
from .history import stored_history
from .lock import Lock, histories
from .schema import EventSchema, event_name, event_schema, is_contract


@dataclass
class ProjectEvents:
    """The integration events and the stored events found, by dotted name, the project
    model that read them, the modules read and the files that could not be read."""

    settings: Settings
    model: ProjectModel
    views: dict[str, ClassView] = field(default_factory=dict)
    stored: dict[str, StoredEvent] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # files.unreadable messages
    modules: list[ModuleFacts] = field(default_factory=list)  # the facts of each file read

    def schemas(self) -> dict[str, EventSchema]:
        return {name: event_schema(view, self.settings) for name, view in self.views.items()}

    def stored_histories(self, kept: dict[str, History] | None = None) -> dict[str, History]:
        """Each stored event's history with its current version, keeping the versions
        ``kept`` holds for it."""
        kept = kept or {}
        return {name: stored_history(event, kept.get(name)) for name, event in self.stored.items()}

    def lock(self) -> Lock:
        """A lock holding every event found at its current version."""
        return Lock(histories(self.schemas().values()), self.stored_histories())


def project_events(paths: Iterable[str], settings: Settings) -> ProjectEvents:
    model = ProjectModel(settings)
    found = ProjectEvents(settings, model)
    for read in project_modules(paths, settings):
        if isinstance(read, Skipped):
            found.skipped.append(read.message)
        else:
            found.modules.append(read.facts)
            _add(found, model, read.facts, settings)
    return found


def source_events(source: str, filename: str, settings: Settings) -> ProjectEvents:
    """The integration events of one source, as if it were the file ``filename`` (the rule
    examples' locks are written so)."""
    found = ProjectEvents(settings, ProjectModel(settings))
    module, is_package = module_path(filename, settings.source_roots)
    _, facts = parse_facts(source, filename, module, is_package)
    _add(found, found.model, facts, settings)
    return found


def _add(found: ProjectEvents, model: ProjectModel, facts, settings: Settings) -> None:
    for cls in facts.classes.values():
        view = model.view(facts, cls)
        if is_contract(view, settings):
            found.views.setdefault(event_name(view), view)
    for event in module_stored_events(facts, model, settings):
        found.stored.setdefault(event.name, event)
