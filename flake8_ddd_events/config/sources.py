"""Where settings come from outside flake8: config files found like flake8 finds them.

Precedence, highest first:

1. the command line (``--ddd-domain-event-bases=Fact``);
2. the ``[flake8]`` section of ``setup.cfg``, ``tox.ini`` or ``.flake8``;
3. the ``[tool.flake8-ddd-events]`` table of ``pyproject.toml``;
4. the defaults in ``settings.OPTIONS``.

Both files are looked up the way flake8 looks up its own configuration: in the
current directory, then its parents (up to the home directory), the first file
that holds the section wins. flake8 itself never reads pyproject.toml, so the
plugin reads the table in ``Plugin.parse_options`` and only where flake8 left an
option unset; the ``ddd-events`` commands use :func:`load_settings`, which
applies the same order without a command line.
"""

from __future__ import annotations

import configparser
import os
import sys
from typing import Any, Iterator, Mapping

from .settings import OPTIONS, Option, Settings, SettingsError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

TABLE = "flake8-ddd-events"
FLAKE8_FILES = ("setup.cfg", "tox.ini", ".flake8")
_BY_NAME: dict[str, Option] = {}
for _option in OPTIONS:
    _BY_NAME[_option.key] = _option
    _BY_NAME[_option.key.replace("-", "_")] = _option


class ConfigError(SettingsError):
    """A bad value in a configuration file; the message names the option and the file."""


def folders_up(start: str) -> Iterator[str]:
    """``start`` and its parents, stopping below the home directory (as flake8 does)."""
    path = os.path.abspath(start)
    home = os.path.abspath(os.path.expanduser("~"))
    while True:
        yield path
        parent = os.path.dirname(path)
        if parent == path or parent == home:
            return
        path = parent


def find_pyproject(start: str) -> str | None:
    """The nearest ``pyproject.toml`` at or above ``start`` with a ``[tool.flake8-ddd-events]`` table."""
    for directory in folders_up(start):
        path = os.path.join(directory, "pyproject.toml")
        if os.path.isfile(path) and TABLE in _read_toml(path).get("tool", {}):
            return path
    return None


def project_metadata(start: str) -> dict[str, Any]:
    """The ``[project]`` table (else Poetry's ``[tool.poetry]``) of the nearest
    ``pyproject.toml`` at or above ``start`` that has one (name, version, description),
    else {}."""
    for directory in folders_up(start):
        path = os.path.join(directory, "pyproject.toml")
        if os.path.isfile(path):
            data = _read_toml(path)
            for table in (data.get("project"), data.get("tool", {}).get("poetry")):
                if isinstance(table, dict):
                    return table
    return {}


def find_flake8_config(start: str) -> str | None:
    """The file flake8 would read: the nearest of setup.cfg, tox.ini, .flake8 with ``[flake8]``."""
    for directory in folders_up(start):
        for name in FLAKE8_FILES:
            path = os.path.join(directory, name)
            parser = configparser.RawConfigParser()
            try:
                parser.read(path, encoding="utf-8")
            except (UnicodeDecodeError, configparser.Error):
                continue
            if parser.has_section("flake8") or parser.has_section("flake8:local-plugins"):
                return path
    return None


def _read_toml(path: str) -> dict[str, Any]:
    try:
        with open(path, "rb") as file:
            return tomllib.load(file)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None


def _option(key: str, where: str) -> Option:
    option = _BY_NAME.get(key)
    if option is None:
        import difflib  # only for a misspelt key

        close = difflib.get_close_matches(key, [o.key for o in OPTIONS], n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ConfigError(f"{key}: unknown option in {where}{hint}")
    return option


def _check(option: Option, value: Any, where: str) -> Any:
    """Validate one raw value and return it unchanged (Settings parses it again)."""
    if option.is_list and isinstance(value, list):
        bad = [item for item in value if not isinstance(item, str)]
        if bad:
            raise ConfigError(f"{option.key}: expected names as strings in {where}, got {bad[0]!r}")
    elif isinstance(value, (dict, list, float, bool)) and not (
            option.is_boolean and isinstance(value, bool)):
        kind = {dict: "a table", list: "an array", float: "a number", bool: "a boolean"}[type(value)]
        wanted = ("a string or an array of strings" if option.is_list else "true or false"
                  if option.is_boolean else "a string or a whole number")
        if option.key == "ddd-target-python":
            wanted = 'a string such as "3.10"'
        raise ConfigError(f"{option.key}: expected {wanted} in {where}, got {kind} ({value!r})")
    try:
        option.parse(option.key, value)
    except SettingsError as error:
        raise ConfigError(f"{error} (in {where})") from None
    return value


def pyproject_values(start: str) -> dict[str, Any]:
    """The raw values of the ``[tool.flake8-ddd-events]`` table, keyed by option key.

    Every value is validated; an unknown key or a bad value raises ConfigError
    naming the option and the file.
    """
    path = find_pyproject(start)
    if path is None:
        return {}
    table = _read_toml(path)["tool"][TABLE]
    where = f"[tool.{TABLE}] of {path}"
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: expected a table")
    values: dict[str, Any] = {}
    for key, value in table.items():
        option = _option(key, where)
        values[option.key] = _check(option, value, where)
    return values


def flake8_values(start: str) -> dict[str, Any]:
    """The raw ``ddd-…`` values of the ``[flake8]`` section flake8 would read, keyed by option key."""
    path = find_flake8_config(start)
    if path is None:
        return {}
    values: dict[str, Any] = {}
    for option, value, where in _flake8_items(path):
        values[option.key] = _check(option, _split(option, value), where)
    return values


def check_flake8_keys(path: str) -> None:
    """Raise ConfigError for the first ``ddd-…`` key of ``path``'s ``[flake8]`` section that
    names no option (flake8 itself only logs a key no plugin registered, and goes on)."""
    for _ in _flake8_items(path):
        pass


def _flake8_items(path: str) -> Iterator[tuple[Option, str, str]]:
    """(option, raw value, where) for each ``ddd-…`` key of the file's ``[flake8]`` section;
    an unknown key raises ConfigError naming it and the file."""
    parser = configparser.RawConfigParser()
    parser.read(path, encoding="utf-8")
    if not parser.has_section("flake8"):
        return
    where = f"[flake8] of {path}"
    for key, value in parser.items("flake8"):
        if key.startswith(("ddd-", "ddd_")):  # not flake8's own options, nor other plugins'
            yield _option(key, where), value, where


def _split(option: Option, value: str) -> Any:
    """Split a config value the way flake8 splits comma-separated list options."""
    if not option.is_list:
        return value
    from flake8.utils import parse_comma_separated_list

    return parse_comma_separated_list(value)


def merge(given: Mapping[str, Any], *fallbacks: Mapping[str, Any]) -> dict[str, Any]:
    """Per option, the first value that is not None: ``given`` first, then each fallback."""
    values: dict[str, Any] = {}
    for option in OPTIONS:
        for source in (given, *fallbacks):
            value = source.get(option.key)
            if value is not None:
                values[option.key] = value
                break
    return values


def load_settings(directory: str = ".", overrides: Mapping[str, Any] | None = None) -> Settings:
    """Settings as the plugin would see them when flake8 runs in ``directory``.

    ``overrides`` (keyed by option key; None means unset) play the part of the
    command line. Raises SettingsError (ConfigError for a file) naming the option.
    """
    return Settings.from_values(merge(overrides or {}, flake8_values(directory),
                                      pyproject_values(directory)))
