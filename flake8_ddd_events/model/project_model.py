"""The project model: what a name used in a module refers to, across modules.

Names resolve through the module's own classes and import statements; an
imported project module (under a source root) is read and collected, never
imported or executed, once per process and cached by path, size and mtime.
Anything else is an external class (known by its qualified name) or unknown.

What resolves (each bounded, each lazy: a name is resolved only when a rule
asks about it, and ``ClassView.bases`` is computed once per class):

- the module's own classes, nested ones by dotted name (``Outer.Inner``) and
  from inside the enclosing class body;
- ``import a.b`` then ``a.b.X``; ``import a.b as c`` then ``c.X``;
  ``from a.b import X [as Y]``; relative imports (``from ..kernel import X``,
  ``from . import events`` then ``events.X``);
- re-exports: a package ``__init__`` (or any module) that imports a name makes
  it importable from there; ``from .events import *`` is followed too, over at
  most ``MAX_STAR_MODULES`` modules, public names only (``__all__`` is not
  read: a star import exports every name without a leading underscore);
- a module path is a file under a source root: ``<root>/a/b.py`` or
  ``<root>/a/b/__init__.py``; the deepest root containing a file names it, so
  a module reached under two names is read once and named one way.

What does not: module-level assignments (``Base = DomainEvent``), names
made by calls or conditional imports' alternatives, ``sys.path`` tricks.
Those are ``Unknown``, and rules that need the whole chain stay silent. A rule that
reads a module-level value (a type alias, a ``NewType``) asks ``assigned``, which
follows the same imports to the module that binds the name.

Never read: files outside the source roots, symlinks whose target leaves
them, files larger than ``MAX_MODULE_BYTES``, files that do not decode or
parse. A project module that exists but is not read resolves to ``Unknown``
(not to an external class). Import cycles end at ``MAX_RESOLUTION_DEPTH``
and in the seen-sets of the star and chain walks.

Memory: the cache holds one compact ``ModuleFacts`` per module read (classes and
imports without flow facts or statement nodes, see ``facts.compact``; with the
``ClassView``s made for its classes in ``ModuleFacts.views``), so it grows
with the modules read, not with the files checked. A module whose file
changed (mtime or size) is re-read when next looked up, and every derived
``ClassView`` is dropped then, so no chain keeps the old version.

Dependencies, for the result cache: every module lookup is noted against the
module whose name was being resolved (a view's cached bases were resolved in
its module, so a later check that reaches the view without looking anything
up still reaches that module's notes). ``record`` starts a check;
``dependencies`` gives the modules it looked up and, through the notes of
every module those lookups found, the modules those answers rest on: each with
where its file was (or that there was none) and a digest of what was read.
Files a rule reads go through ``read_file``, which notes them too.
"""

from __future__ import annotations

import builtins
import os
from collections import deque
from typing import TYPE_CHECKING, Callable, NamedTuple

from ..config.settings import Settings
from ..source.modules import inside_roots, module_path
from ..source.store import FileState, ModuleState, SourceFile, SourceFiles, Stamp, digest
from ..syntax.facts import ClassFact, ModuleFacts, compact
from .views import ClassView, External, Resolved, Unknown

if TYPE_CHECKING:
    import libcst as cst

MAX_MODULE_BYTES = 1_000_000
MAX_RESOLUTION_DEPTH = 24
MAX_STAR_MODULES = 16  # modules a star-import lookup may visit
# Sharing parses with the checker, bounded so that memory does not grow with the files
# checked: the libcst trees of the last modules read (a module read for an import is
# usually checked soon after, its package's files being linted together), and the facts
# of the last modules checked (taken into the cache only when a module imports them).
MAX_KEPT_TREES = 64
MAX_RECENTLY_CHECKED = 16
MAX_KEPT_BYTES = 512_000  # of source, for each of the two: a big module's nodes weigh a lot


class Read(NamedTuple):
    """A module's file as the model read it (or took it from the checked module)."""

    stamp: Stamp
    facts: ModuleFacts | None  # None: not read (too large, or unreadable)
    digest: str | None  # of the content


class KeptTree(NamedTuple):
    """The libcst tree and full facts of a module read here, until it is checked."""

    size: int  # of the source, in bytes
    tree: object
    facts: ModuleFacts


class ProjectModel:
    """Reads, caches and resolves the project's modules for one process.

    ``files``: the run's source files, shared with the gate and the result cache (a
    model of its own by default). ``will_check``: whether a module read here will be
    checked, so that its tree is worth keeping for the checker: (source, module,
    is_package) -> bool, the gate's ``may_pass``; None keeps every tree (bounded)."""

    def __init__(self, settings: Settings, files: SourceFiles | None = None,
                 will_check: Callable[[str, str, bool], bool] | None = None) -> None:
        self.settings = settings
        self.files = files if files is not None else SourceFiles(settings.source_roots)
        self.will_check = will_check
        # real path -> the module's file as read here
        self._modules: dict[str, Read] = {}
        # real path -> the libcst tree and full facts of a module read here and not checked
        # yet: the checker takes them instead of parsing the module again
        self._trees: dict[str, KeptTree] = {}
        # real path -> the last modules checked, not read here (yet)
        self._checked: dict[str, Read] = {}
        # path of a module's facts -> the modules looked up while resolving its names
        self._notes: dict[str, set[str]] = {}
        # the check being recorded: modules looked up, files read (path -> digest)
        self._recorded: set[str] | None = None
        self._files: dict[str, str | None] = {}

    @property
    def roots(self) -> tuple[str, ...]:
        return self.files.roots

    # -- modules ---------------------------------------------------------------
    def module(self, module: str, within: ModuleFacts | None = None) -> ModuleFacts | None:
        """The facts of a project module, read at most once per version of the file;
        None when there is no such module under the roots or it is not read. ``within``:
        the module whose names are being resolved (the lookup is noted against it)."""
        found = self._lookup(module, within)
        return found if isinstance(found, ModuleFacts) else None

    def _lookup(self, module: str, within: ModuleFacts | None = None) -> ModuleFacts | bool:
        """The module's facts; True when the file exists but is not read (refused);
        False when no source root holds it."""
        if self._recorded is not None:
            self._recorded.add(module)
        if within is not None:
            notes = self._notes.get(within.path)
            if notes is None:
                notes = self._notes[within.path] = set()
            notes.add(module)
        real = self.files.find(module)
        if real is True or real is False:
            return real
        file = self.files.file(real)
        if file is None:
            self._modules.pop(real, None)  # removed since it was found: no digest
            return True
        key = file.stamp
        cached = self._modules.get(real)
        if cached is not None and cached.stamp == key:
            return cached.facts if cached.facts is not None else True
        checked = self._checked.pop(real, None)
        if checked is not None and checked.stamp == key:  # checked just before: not read again
            self._store(real, key, checked.facts, checked.digest)
            return checked.facts
        facts = self._read(file)
        self._store(real, key, facts, file.digest)
        return facts if facts is not None else True

    def _store(self, real: str, key: tuple[int, int], facts: ModuleFacts | None,
               content: str | None) -> None:
        if real in self._modules:  # edited since it was read: drop every derived view
            for _, known, _ in (*self._modules.values(), *self._checked.values()):
                if known is not None:
                    known.views.clear()
        self._modules[real] = Read(key, facts, content)

    # -- dependencies, for the result cache ----------------------------------------
    def record(self) -> None:
        """Start recording what the check of one module reads (``dependencies`` ends it)."""
        self._recorded = set()
        self._files = {}

    def dependencies(self) -> tuple[tuple[ModuleState, ...], tuple[FileState, ...]]:
        """What the recorded check rested on, sorted: every module it looked up, and every
        module the answers it reached were resolved through (a module looked up and not
        found is a dependency too: its appearing changes the answer); every file read."""
        pending = list(self._recorded or ())
        modules: dict[str, ModuleState] = {}
        while pending:
            name = pending.pop()
            if name in modules:
                continue
            where = self.files.find(name)
            content = None
            if isinstance(where, str):
                cached = self._modules.get(where)
                content = cached.digest if cached is not None else None
                pending.extend(self._notes.get(where, ()))
            modules[name] = (name, where, content)
        files = tuple(sorted(self._files.items()))
        self._recorded, self._files = None, {}
        return tuple(modules[name] for name in sorted(modules)), files

    def read_file(self, path: str) -> bytes | None:
        """The content of a file a rule reads (a contract lock, say), read once per run;
        None when it cannot be read. The check being recorded depends on it, present or
        absent: a rule reads every file it needs through here."""
        file = self.files.file(os.path.abspath(path))
        if self._recorded is not None:
            self._files[path] = file.digest if file is not None else None
        return file.data if file is not None else None

    def parsed(self, facts: ModuleFacts, wanted: Callable[[str], bool]):
        """(libcst tree, full facts) of a module this model read, for an analysis that
        reads another module's function bodies (DDD409 follows a dispatcher): the tree
        kept for the checker, or the file parsed again, never kept; only when ``wanted``
        accepts its text. None when the file changed since it was read, or is not read."""
        from ..syntax.parsing import Unparsable, parse_facts

        real = facts.path
        cached = self._modules.get(real)
        file = self.files.file(real)
        if cached is None or cached.facts is not facts or file is None \
                or file.stamp != cached.stamp:
            return None
        try:
            text = file.text
            if not wanted(text):
                return None
            kept = self._trees.get(real)
            if kept is not None:
                return kept.tree, kept.facts
            return parse_facts(text, real, facts.module, facts.is_package)
        except (OSError, UnicodeError, Unparsable):
            return None

    # -- sharing parses with the checker ------------------------------------------
    def _checked_file(self, real: str, source: str, module: str,
                      is_package: bool) -> tuple[int, int] | None:
        """The key of the file (its real path) a checked source was read from, when the
        model would read it as the same module and the file holds exactly this source."""
        if not inside_roots(real, self.roots):
            return None
        file = self.files.file(real)
        if (file is None or file.stamp[1] > MAX_MODULE_BYTES
                or module_path(real, self.roots) != (module, is_package)):
            return None
        try:  # the text as Python reads the file (its coding cookie, its BOM) is the source
            if file.text != source:
                return None
        except (OSError, UnicodeError):
            return None
        return file.stamp

    def take(self, filename: str, source: str, module: str, is_package: bool):
        """(libcst tree, full facts) of a checked module this model has already read from
        the same source, or None; both are handed over (kept only until then)."""
        if not self._trees:
            return None  # nothing to hand over: do not even look at the file
        real = os.path.realpath(filename)
        if real not in self._trees:
            return None
        kept = self._trees.pop(real)
        key = self._checked_file(real, source, module, is_package)
        cached = self._modules.get(real)
        if key is None or cached is None or cached.stamp != key or cached.facts is None:
            return None
        return kept.tree, kept.facts

    def register(self, filename: str, source: str, facts: ModuleFacts) -> None:
        """Keep the facts of a checked module, parsed by the checker, so that a module
        importing it soon after does not parse it again: only when the file on disk holds
        exactly this source and the model would name it the same. The last
        ``MAX_RECENTLY_CHECKED`` are kept; one enters the cache only when looked up, as if
        read then."""
        real = os.path.realpath(filename)
        key = self._checked_file(real, source, facts.module, facts.is_package)
        if key is None:
            return
        cached = self._modules.get(real)
        if cached is not None and cached.stamp == key:
            return  # read already (and its tree handed over, or never kept)
        self._trees.pop(real, None)
        kept = compact(facts)
        kept.path = real  # as the model names the modules it reads
        self._checked.pop(real, None)
        self._checked[real] = Read(key, kept, digest(source.encode("utf-8")))
        while (len(self._checked) > MAX_RECENTLY_CHECKED
               or sum(c.stamp[1] for c in self._checked.values()) > MAX_KEPT_BYTES):
            del self._checked[next(iter(self._checked))]

    def _read(self, file: SourceFile) -> ModuleFacts | None:
        """The compact facts of a module's file; None when it is not read (too big,
        unreadable, not decoded, not parsed)."""
        from ..syntax.parsing import Unparsable, parse_facts

        real = file.path
        self._trees.pop(real, None)
        if file.data is None or len(file.data) > MAX_MODULE_BYTES:
            return None
        module, is_package = module_path(real, self.roots)
        try:
            source = file.text
            tree, facts = parse_facts(source, real, module, is_package)
        except (UnicodeError, Unparsable):
            return None
        if self.will_check is None or self.will_check(source, module, is_package):
            self._trees[real] = KeptTree(len(file.data), tree, facts)
        while (len(self._trees) > MAX_KEPT_TREES
               or sum(kept.size for kept in self._trees.values()) > MAX_KEPT_BYTES):
            del self._trees[next(iter(self._trees))]
        return compact(facts)

    # -- classes ---------------------------------------------------------------
    def view(self, facts: ModuleFacts, cls: ClassFact) -> ClassView:
        view = facts.views.get(cls.qualname)
        if view is None:
            view = facts.views[cls.qualname] = ClassView(self, facts, cls)
        return view

    def resolve(self, facts: ModuleFacts, name: str, scope: str | None = None, depth: int = 0) -> Resolved:
        """What ``name`` (dotted, as written in ``facts``' module) refers to; ``scope`` is
        the qualname of the class whose body the name is used in, if any."""
        if depth > MAX_RESOLUTION_DEPTH or not name:
            return Unknown(name)
        while scope:
            cls = facts.classes.get(f"{scope}.{name}")
            if cls is not None:
                return self.view(facts, cls)
            scope = scope.rpartition(".")[0]
        cls = facts.classes.get(name)
        if cls is not None:
            return self.view(facts, cls)
        head = name.partition(".")[0]
        if head in facts.classes:
            return Unknown(name)  # an attribute of a local class that is not a class
        if head in facts.aliases:
            return self.resolve_qualified(facts.qualify(name), depth + 1, within=facts)
        if not head.startswith("_"):
            owner = self._star_owner(facts, head)
            if owner is not None:
                return self.resolve(owner, name, depth=depth + 1)
        if hasattr(builtins, head):
            return External(f"builtins.{name}")
        return Unknown(name)

    def assigned(self, facts: ModuleFacts, name: str,
                 depth: int = 0) -> tuple[ModuleFacts, cst.BaseExpression] | None:
        """The module that binds ``name`` (dotted, as written in ``facts``' module) at its
        top level, and the value it binds (``Sku = str``): through imports, re-exports
        and star imports, as ``resolve`` finds classes; None when no module does."""
        if depth > MAX_RESOLUTION_DEPTH or not name:
            return None
        value = facts.assignments.get(name)
        if value is not None:
            return facts, value
        head = name.partition(".")[0]
        if head in facts.classes:
            return None
        if head in facts.aliases:
            parts = facts.qualify(name).split(".")
            for split in range(len(parts) - 1, 0, -1):
                found = self._lookup(".".join(parts[:split]), facts)
                if isinstance(found, ModuleFacts):
                    return self.assigned(found, ".".join(parts[split:]), depth + 1)
                if found is True:
                    return None
            return None
        if not head.startswith("_"):
            owner = self._star_owner(facts, head, values=True)
            if owner is not None:
                return self.assigned(owner, name, depth + 1)
        return None

    def _star_owner(self, facts: ModuleFacts, head: str,
                    values: bool = False) -> ModuleFacts | None:
        """The project module that defines or imports ``head`` (or, with ``values``, binds
        it at its top level) and reaches ``facts`` through ``from … import *`` (later star
        imports win, as at run time)."""
        seen = {facts.path}
        queue = deque([facts])
        while queue:
            current = queue.popleft()
            for source in reversed(_star_sources(current)):
                star = self.module(source, within=facts)
                if star is None or star.path in seen or len(seen) > MAX_STAR_MODULES:
                    continue
                seen.add(star.path)
                if head in star.classes or head in star.aliases or (
                        values and head in star.assignments):
                    return star
                queue.append(star)
        return None

    def resolve_qualified(self, qualified: str, depth: int = 0,
                          within: ModuleFacts | None = None) -> Resolved:
        """What an absolute dotted name refers to: a project class, external, or unknown
        (a project module that is not read, a name a project module does not define).
        ``within``: the module the name was written in."""
        parts = qualified.split(".")
        if not parts[0].isidentifier():
            return Unknown(qualified)  # a relative import beyond the top-level package
        for split in range(len(parts) - 1, 0, -1):
            found = self._lookup(".".join(parts[:split]), within)
            if found is True:
                return Unknown(qualified)
            if found is False:
                continue
            return self.resolve(found, ".".join(parts[split:]), depth=depth + 1)
        return External(qualified)


def _star_sources(facts: ModuleFacts) -> list[str]:
    """The absolute modules ``facts`` star-imports from, in source order."""
    return [i.modules[0] for i in facts.imports if i.star]
