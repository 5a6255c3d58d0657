"""What the fixer reads beyond the plugin's settings: which codes flake8 would
report (select/ignore, command line over ``[flake8]``) and which Python the
fixed code must run on (``ddd-target-python``, else ``requires-python``)."""

from __future__ import annotations

import argparse
import configparser
import os
import re
import sys

from ..config.settings import Settings
from . import DEFAULT_TARGET_PYTHON, FIXABLE

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 only
    import tomli as tomllib


def _codes(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [code for code in re.split(r"[,\s]+", value.strip()) if code]


def selected_codes(directory: str = ".", select: str | None = None,
                   ignore: str | None = None) -> tuple[str, ...]:
    """The fixable codes flake8 would report, decided by flake8's own engine from
    ``--select``/``--ignore`` (given here) over ``select``/``ignore``/
    ``extend-select``/``extend-ignore`` of the ``[flake8]`` section."""
    from flake8.style_guide import Decision, DecisionEngine

    from ..config.sources import find_flake8_config

    section: dict[str, str] = {}
    path = find_flake8_config(directory)
    if path is not None:
        parser = configparser.RawConfigParser()
        parser.read(path, encoding="utf-8")
        if parser.has_section("flake8"):
            section = {k.replace("_", "-"): v for k, v in parser.items("flake8")}
    options = argparse.Namespace(
        select=_codes(select) if select is not None else _codes(section.get("select")),
        ignore=_codes(ignore) if ignore is not None else _codes(section.get("ignore")),
        extend_select=_codes(section.get("extend-select")),
        extend_ignore=_codes(section.get("extend-ignore")),
        extended_default_select=["DDD"], extended_default_ignore=[])
    engine = DecisionEngine(options)
    return tuple(c for c in FIXABLE if engine.decision_for(c) is Decision.Selected)


_CLAUSE = re.compile(r"(~=|===|==|>=|>|<=|<|!=)\s*(\d+)(?:\.(\d+))?")


def lowest_python(requires: str) -> tuple[int, int] | None:
    """The oldest Python 3 minor version a ``requires-python`` specifier admits:
    ``>=3.9`` → 3.9, ``>=3.8,<4`` → 3.8, ``~=3.11`` → 3.11; None without a lower bound."""
    lowest = None
    for operator, major, minor in _CLAUSE.findall(requires):
        if operator in ("<", "<=", "!=") or major != "3":
            continue
        version = (3, int(minor or 0))
        lowest = version if lowest is None else max(lowest, version)
    return lowest


def requires_python(directory: str = ".") -> str | None:
    """``[project] requires-python`` of the nearest pyproject.toml at or above ``directory``."""
    path = os.path.abspath(directory)
    while True:
        candidate = os.path.join(path, "pyproject.toml")
        if os.path.isfile(candidate):
            try:
                with open(candidate, "rb") as file:
                    value = tomllib.load(file).get("project", {}).get("requires-python")
            except (OSError, tomllib.TOMLDecodeError):
                value = None
            if isinstance(value, str):
                return value
        parent = os.path.dirname(path)
        if parent == path:
            return None
        path = parent


def target_python(settings: Settings, directory: str = ".") -> tuple[tuple[int, int], str]:
    """The Python the fixes may rely on, and where that came from."""
    if settings.target_python is not None:
        return settings.target_python, "ddd-target-python"
    requires = requires_python(directory)
    lowest = lowest_python(requires) if requires else None
    if lowest is not None:
        return lowest, f"requires-python {requires!r}"
    return DEFAULT_TARGET_PYTHON, "default"
