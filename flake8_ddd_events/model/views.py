"""What a name resolves to: a project class with its bases resolved (``ClassView``), a
class from outside the project (``External``), or ``Unknown``; a view walks its chain of
bases through the project model that made it."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, Callable, Generic, Iterator, TypeVar, Union

from ..syntax.facts import ClassFact, ModuleFacts

if TYPE_CHECKING:
    from .project_model import ProjectModel

MAX_CHAIN = 100  # project classes an inheritance walk may visit

# Libraries whose classes add no event fields: a chain ending in them is complete.
_LEAF_LIBRARIES = frozenset({
    "builtins", "typing", "typing_extensions", "abc", "enum", "dataclasses", "collections",
    "pydantic", "msgspec", "attr", "attrs", "uuid", "datetime", "decimal",
})


@dataclass(frozen=True)
class External:
    """A class from outside the project, by its qualified dotted name."""

    qualified: str

    @property
    def is_leaf(self) -> bool:
        return self.qualified.partition(".")[0] in _LEAF_LIBRARIES


@dataclass(frozen=True)
class Unknown:
    """A name that cannot be resolved: rules that need the chain stay silent."""

    name: str


Resolved = Union["ClassView", External, Unknown]

T = TypeVar("T")
_NOTHING: Any = object()


class Memo(Generic[T]):
    """A key of what a view remembers (``ClassView.remembered``), for a value of type T."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"Memo({self.name!r})"


class ClassView:
    """A class together with what its bases resolve to."""

    def __init__(self, model: ProjectModel, facts: ModuleFacts, cls: ClassFact) -> None:
        self.model = model
        self.facts = facts
        self.cls = cls
        self.memo: dict[Memo[Any], Any] = {}  # per-class results of recognition

    def __repr__(self) -> str:
        return f"<ClassView {self.facts.module}.{self.cls.qualname}>"

    def remembered(self, key: Memo[T], work: Callable[[ClassView], T], meanwhile: Any = _NOTHING) -> T:
        """``work(self)``, worked out once per view; ``meanwhile`` (when given) answers
        while it runs, should an inheritance cycle ask again."""
        memo = self.memo
        if key in memo:
            return memo[key]
        if meanwhile is not _NOTHING:
            memo[key] = meanwhile
        found = memo[key] = work(self)
        return found

    @property
    def name(self) -> str:
        return self.cls.name

    @cached_property
    def bases(self) -> tuple[Resolved, ...]:
        """Each written base, resolved in the scope the class statement runs in."""
        return tuple(self.model.resolve(self.facts, name, scope=self.cls.parent) if name
                     else Unknown("<expression>") for name in self.cls.base_names)

    def ancestors(self) -> Iterator[tuple[str, Resolved]]:
        """Every base along the chain, nearest first, each class once: (written name,
        resolution). A chain longer than ``MAX_CHAIN`` project classes ends in an Unknown.
        Worked out once per view (recognition and the rules ask tens of times)."""
        return iter(self._ancestors)

    @cached_property
    def _ancestors(self) -> tuple[tuple[str, Resolved], ...]:
        return tuple(self._walk_ancestors())

    def _walk_ancestors(self) -> Iterator[tuple[str, Resolved]]:
        seen = {id(self)}
        queue = deque([self])
        while queue:
            view = queue.popleft()
            for written, resolved in zip(view.cls.base_names, view.bases):
                if isinstance(resolved, ClassView):
                    if id(resolved) in seen:
                        continue
                    if len(seen) > MAX_CHAIN:
                        yield written, Unknown(written)
                        return
                    seen.add(id(resolved))
                    queue.append(resolved)
                yield written, resolved

    @property
    def mro(self) -> tuple[ClassView, ...]:
        """The project classes of the chain, self first, in C3-like order."""
        return (self, *self._ancestry)

    @cached_property
    def _ancestry(self) -> tuple[ClassView, ...]:
        # kept without self: a view holding itself would be a reference cycle, and its
        # module's facts and tree would wait for the cyclic GC instead of being freed
        return tuple(_linearize(self, set(), 0))[1:]


def _linearize(view: ClassView, active: set[int], depth: int) -> list[ClassView]:
    if id(view) in active or depth > MAX_CHAIN:
        return []
    active = active | {id(view)}
    result: list[ClassView] = [view]
    for base in view.bases:
        if isinstance(base, ClassView):
            for item in _linearize(base, active, depth + 1):
                if item in result:
                    result.remove(item)
                result.append(item)
    return result
