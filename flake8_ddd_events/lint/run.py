"""One run: what flake8's options (or a command's arguments) decided, and what the run
keeps for all its files. Made once per process by the plugin (``Plugin.parse_options``),
once per command by ``ddd-events fix``; ``Pipeline`` checks each file with it."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Callable, Iterable

from ..config.settings import Settings
from ..source.store import SourceFiles
from ..source.thirdparty import ThirdParty

if TYPE_CHECKING:  # libcst is imported only once a module passes the gate
    from ..baseline.matching import Baseline
    from ..cache.results import ResultCache
    from ..gate.look import Gate
    from ..model.project_model import ProjectModel
    from .pipeline import Pipeline


class Run:
    """``codes``: the selected codes the gate knows (``gate.NEEDS``); ``selects``: whether
    a code is selected, for the rules the gate does not know (None: every code);
    ``files``: the run's source files (made from the settings when not given), which the
    result cache, the gate and the model read through; ``results``: the result cache (None:
    off); ``baseline``: the baselined findings, if any; ``share``: whether a checked
    module's text is the file on disk (False for a buffer read from stdin), so that its
    parse is shared with the project model; ``before_model`` runs once, when the first
    module passes the gate."""

    def __init__(self, settings: Settings, codes: Iterable[str],
                 selects: Callable[[str], bool] | None = None, files: SourceFiles | None = None,
                 results: ResultCache | None = None, baseline: Baseline | None = None,
                 disable_noqa: bool = False, share: bool = True,
                 before_model: Callable[[], None] | None = None) -> None:
        self.settings = settings
        self.codes = frozenset(codes)
        self.selects = selects
        self.files = files if files is not None else SourceFiles(settings.source_roots)
        self.results = results
        self.baseline = baseline
        self.disable_noqa = disable_noqa
        self.share = share
        self.before_model = before_model
        self._model: ProjectModel | None = None

    @cached_property
    def gate(self) -> Gate:
        """The gate (imported when first needed: a run the result cache answers whole, an
        editor's on an unchanged buffer, never needs it)."""
        from ..gate.look import gate_for

        return gate_for(self.settings, self.codes, self.files)

    @property
    def model(self) -> ProjectModel:
        """The project model: it reads through the run's files, and keeps the libcst tree
        of a module it reads for the rules to take, unless the gate's look at its text
        shows the gate will stop it."""
        if self._model is None:
            if self.before_model is not None:
                self.before_model()
            from ..model.project_model import ProjectModel

            self._model = ProjectModel(self.settings, self.files, will_check=self.gate.may_pass)
        return self._model

    @cached_property
    def third_party(self) -> ThirdParty:
        """The folders of virtual environments and installed packages (asked once)."""
        return ThirdParty()

    @cached_property
    def undeclared(self) -> frozenset[str]:
        """The selected codes of rules the gate does not know (read once, when the rules
        are first needed: it imports them, and libcst)."""
        from ..gate.needs import NEEDS
        from ..rules import RULES

        return frozenset(rule.code for rule in RULES if rule.code not in NEEDS
                         and (self.selects is None or self.selects(rule.code)))

    @cached_property
    def pipeline(self) -> Pipeline:
        from .pipeline import Pipeline

        return Pipeline(self)
