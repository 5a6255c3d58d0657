"""The baseline file: where it is, how it is read, how it is written.

JSON, the format version first, then one entry per line sorted by path, code, scope and
subject, each with the number of findings it freezes: stable byte for byte, so that a
review diff shows exactly the findings added or fixed.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from typing import Any

from .fingerprint import Fingerprint, normal_path

FORMAT = 1
DEFAULT_NAME = ".ddd-baseline.json"
_FIELDS = ("path", "code", "scope", "subject")
_REDO = "fix it, or write it again with `ddd-events baseline`"


class BaselineError(ValueError):
    """A baseline file that cannot be used; the message names the file."""


def disabled(setting: str | None) -> bool:
    """Whether ``ddd-baseline`` is ``none``: every finding is reported."""
    return setting is not None and setting.lower() == "none"


def locate(setting: str | None, start: str) -> str | None:
    """The baseline file ``ddd-baseline`` names (relative to ``start``), or else the nearest
    ``.ddd-baseline.json`` at or above ``start`` (as flake8 looks up its configuration);
    None when disabled or there is none."""
    if disabled(setting):
        return None
    if setting is not None:
        path = os.path.join(start, setting)
        return path if os.path.isfile(path) else None
    from ..config.sources import folders_up

    for directory in folders_up(start):
        path = os.path.join(directory, DEFAULT_NAME)
        if os.path.isfile(path):
            return path
    return None


def target(setting: str | None, start: str) -> str:
    """Where ``ddd-events baseline`` writes: the file in use, else ``ddd-baseline``, else
    ``.ddd-baseline.json`` in ``start``."""
    return locate(setting, start) or os.path.join(start, setting or DEFAULT_NAME)


def read(path: str) -> Counter[Fingerprint]:
    """The frozen findings of a baseline file, counted. Raises BaselineError naming the file
    when it cannot be read, is not a baseline, or comes from a newer format."""
    try:
        with open(path, encoding="utf-8") as file:
            data = json.load(file)
    except OSError as error:
        raise BaselineError(f"cannot read the baseline {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise BaselineError(f"the baseline {path} is not UTF-8 text; {_REDO}") from None
    except json.JSONDecodeError as error:
        raise BaselineError(f"the baseline {path} is not valid JSON (line {error.lineno}, "
                            f"column {error.colno}: {error.msg}); {_REDO}") from None
    version = data.get("format") if isinstance(data, dict) else None
    if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT:
        raise BaselineError(f"the baseline {path} has format {version}, newer than this "
                            f"flake8-ddd-events reads (format {FORMAT}): upgrade "
                            "flake8-ddd-events")
    if version != FORMAT or not isinstance(data.get("entries"), list):
        raise BaselineError(f"the baseline {path} is not a flake8-ddd-events baseline (expected "
                            f'{{"format": {FORMAT}, "entries": [...]}}); {_REDO}')
    counts: Counter[Fingerprint] = Counter()
    for number, entry in enumerate(data["entries"], start=1):
        counts[_fingerprint(entry, f"entry {number} of the baseline {path}")] += entry["count"]
    return counts


def _fingerprint(entry: Any, where: str) -> Fingerprint:
    if not isinstance(entry, dict):
        raise BaselineError(f"{where} is not an object; {_REDO}")
    for key in _FIELDS:
        if not isinstance(entry.get(key), str):
            raise BaselineError(f"{where} has no text {key!r}; {_REDO}")
    count = entry.get("count")
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise BaselineError(f"{where} has no 'count' of at least 1; {_REDO}")
    return Fingerprint(normal_path(entry["path"]), entry["code"], entry["scope"], entry["subject"])


def dumps(counts: Counter[Fingerprint]) -> str:
    """The file's text: entries sorted, one per line, counts of at least 1."""
    lines = [json.dumps({**fingerprint._asdict(), "count": count}, ensure_ascii=False)
             for fingerprint, count in sorted(counts.items()) if count > 0]
    entries = "[]" if not lines else "[\n    " + ",\n    ".join(lines) + "\n  ]"
    return f'{{\n  "format": {FORMAT},\n  "entries": {entries}\n}}\n'


def write(path: str, counts: Counter[Fingerprint]) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as file:
        file.write(dumps(counts))
