"""What the rest of the project does with a class, for the fixes that change how it
is built or set: which project classes subclass it, and which calls build it (or a
subclass) with positional arguments; and, by name alone, the classes and calls that
may be its subclasses or builders but do not resolve to it (``unfollowed``): a fix
never guesses about those.

Read from the facts of every module of the project (the collection pass's calls and
classes; nothing else is walked): built once per ``ddd-events fix`` run from every
Python file under the source roots, test code included (a test that builds an event
positionally breaks as surely as a service). ``ProjectUses.of_module`` is the module
alone, for a fix of one source.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from ..syntax.expressions import last_part
from ..syntax.facts import CallFact, ModuleFacts
from ..model.project_model import ProjectModel
from ..model.views import ClassView, External, Resolved

# Folders that hold installed code, not the project's: never read for its uses.
INSTALLED = ".venv,venv,.env,env,site-packages,node_modules,.tox,.nox"

ClassKey = tuple[str, str]  # (module, qualname)


def class_key(view: ClassView) -> ClassKey:
    return view.facts.module, view.cls.qualname


@dataclass(frozen=True)
class PositionalCall:
    """A call with a positional argument that may build a class: ``OrderPlaced(order_id)``,
    ``cls(order_id)`` in a class body, ``super().__init__(order_id)``."""

    facts: ModuleFacts  # of the module it is written in (compact: enough to resolve names)
    path: str
    callee: str
    cls: str | None  # qualname of the class it stands in


def _is_positional(call: CallFact) -> bool:
    return any(arg.keyword is None and arg.star != "**" for arg in call.args)


class ProjectUses:
    """Subclasses and positional builders of the project's classes."""

    def __init__(self, model: ProjectModel, roots: tuple[str, ...] = ()) -> None:
        self.model = model
        self.subclasses: dict[ClassKey, list[ClassView]] = {}
        # the last part of each base a class statement names -> (the class, its base's
        # resolution), resolved or not
        self.named: dict[str, list[tuple[ClassView, Resolved]]] = {}
        self.calls: list[PositionalCall] = []
        self.seen: set[str] = set()
        self.pending = roots  # folders still to read, on the first question
        # the classes a run freezes, planned over the project (``per_rule.freezable``);
        # None: each module plans its own
        self.frozen: set[ClassKey] | None = None

    @classmethod
    def of_module(cls, model: ProjectModel, facts: ModuleFacts) -> ProjectUses:
        uses = cls(model)
        uses.add(facts, facts)
        return uses

    @classmethod
    def of_project(cls, model: ProjectModel) -> ProjectUses:
        """Every module under the source roots that can be read and parsed, read when
        the first question is asked (a run with nothing to fix reads nothing more)."""
        return cls(model, model.settings.source_roots)

    def _read_pending(self) -> None:
        from ..source.files import python_files, read_source
        from ..source.modules import module_path
        from ..syntax.parsing import Unparsable, parse_facts

        roots, self.pending = self.pending, ()
        for path in python_files(list(roots), extend_exclude=INSTALLED):
            if os.path.realpath(path) in self.seen:
                continue
            module, is_package = module_path(path, self.model.settings.source_roots)
            try:
                source, _ = read_source(path)
                _, facts = parse_facts(source, path, module, is_package)
            except (OSError, UnicodeError, Unparsable):
                continue
            self.model.register(path, source, facts)
            self.add(facts, self.model.module(module) or facts)

    def add(self, facts: ModuleFacts, kept: ModuleFacts) -> None:
        """One module: ``facts`` as collected (its calls), ``kept`` the model's facts of
        it (its classes, as other modules resolve them)."""
        real = os.path.realpath(facts.path)
        if real in self.seen:
            return
        self.seen.add(real)
        for cls in kept.classes.values():
            view = self.model.view(kept, cls)
            for ancestor in view.mro[1:]:
                self.subclasses.setdefault(class_key(ancestor), []).append(view)
            for written, resolved in zip(cls.base_names, view.bases):
                if written:
                    self.named.setdefault(written.rpartition(".")[2], []).append((view, resolved))
        self.calls += [PositionalCall(kept, facts.path, call.callee, call.cls)
                       for call in facts.calls if call.callee and _is_positional(call)]

    def subclasses_of(self, view: ClassView) -> list[ClassView]:
        if self.pending:
            self._read_pending()
        return self.subclasses.get(class_key(view), [])

    def unfollowed(self, view: ClassView) -> list[ClassView]:
        """The project classes whose base expression names the class or a project subclass
        of it (by its name, ``BaseEvent``) but does not resolve to a project class: an
        unknown name, or an outside class whose dotted name may be this one's under other
        source roots (``domain.events.base.BaseEvent`` for ``app.domain.events.base.BaseEvent``).
        Such a class may be a subclass the fixer cannot see."""
        found: dict[ClassKey, ClassView] = {}
        for known in (view, *self.subclasses_of(view)):
            for sub, resolved in self.named.get(known.cls.name, ()):
                if _may_be(resolved, known):
                    found.setdefault(class_key(sub), sub)
        return list(found.values())

    def positional_builders(self, view: ClassView) -> list[PositionalCall]:
        """The calls that build the class, or a subclass, with positional arguments."""
        below = {class_key(sub) for sub in self.subclasses_of(view)}
        built = {class_key(view), *below}
        names = {key[1].rpartition(".")[2] for key in built}
        found = []
        for call in self.calls:
            if call.callee in ("cls", "super().__init__"):  # a factory; a subclass's __init__
                within = built if call.callee == "cls" else below
                if call.cls is not None and (call.facts.module, call.cls) in within:
                    found.append(call)
                continue
            if last_part(call.facts.qualify(call.callee)) not in names:
                continue
            resolved = self.model.resolve(call.facts, call.callee, scope=call.cls)
            if isinstance(resolved, ClassView) and class_key(resolved) in built or any(
                    _may_be(resolved, known) for known in (view, *self.subclasses_of(view))):
                found.append(call)  # builds it, or may: a name that does not resolve
        return found


def _may_be(resolved: Resolved, view: ClassView) -> bool:
    """Whether a resolution that is not a project class may still be ``view`` (its name was
    matched already): unknown, or an outside class whose dotted name and the view's end the
    same way (the one is the other read from another source root)."""
    if isinstance(resolved, ClassView):
        return False
    if not isinstance(resolved, External):
        return True
    mine = f"{view.facts.module}.{view.cls.qualname}"
    theirs = resolved.qualified
    return mine == theirs or mine.endswith(f".{theirs}") or theirs.endswith(f".{mine}")
