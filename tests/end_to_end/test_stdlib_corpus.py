"""Corpus: every .py file of the running interpreter's standard library (test packages
included, site-packages excluded) through the checker with every rule selected.

Files are read as flake8 reads them (the coding cookie and BOM honoured) and handed to
``check_source`` with their ``ast``, the gate bypassed so every file is parsed. A file
``ast.parse`` rejects is one flake8 reports as E999 without calling the plugin (lib2to3
test data, bad codings): skipped and counted. The stdlib is the source root, so the
project model resolves imports and reads the modules they name.

Two worker processes share the files (the machine has two cores); each reports every
exception with its traceback instead of stopping at the first.
"""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 2


def stdlib_files() -> list[Path]:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    return sorted(p for p in stdlib.rglob("*.py")
                  if "site-packages" not in p.parts and "dist-packages" not in p.parts)


def work(shard: int, shards: int) -> None:
    """One worker: check every ``shards``-th file from ``shard`` on; print a JSON summary."""
    import ast
    import tokenize
    import traceback

    from flake8_ddd_events.lint.pipeline import check_source
    from flake8_ddd_events.model.project_model import ProjectModel
    from flake8_ddd_events.plugin import all_codes
    from flake8_ddd_events.config.settings import Settings

    stdlib = sysconfig.get_paths()["stdlib"]
    settings = Settings.from_values({"ddd-source-roots": [stdlib]})
    model = ProjectModel(settings)
    codes = set(all_codes())
    summary: dict = {"checked": 0, "skipped": [], "ddd000": [], "codes": Counter(), "errors": [],
                     "modules_read": 0}
    for path in stdlib_files()[shard::shards]:
        try:
            with tokenize.open(path) as handle:
                source = handle.read()
            tree = ast.parse(source, str(path))
        except (SyntaxError, UnicodeDecodeError, ValueError, RecursionError, MemoryError) as error:
            summary["skipped"].append([str(path), type(error).__name__])
            continue
        summary["checked"] += 1
        try:
            for report in check_source(source, str(path), settings, codes, model, tree):
                summary["codes"][report.code] += 1
                if report.code == "DDD000":
                    summary["ddd000"].append([str(path), report.message])
        except BaseException:  # noqa: B036 - everything the plugin could raise is a failure
            summary["errors"].append([str(path), traceback.format_exc()])
    summary["modules_read"] = len(model._modules)
    print(json.dumps(summary))


@pytest.fixture(scope="module")
def corpus() -> dict:
    def run(shard: int) -> dict:
        result = subprocess.run(
            [sys.executable, "-c", f"from tests.end_to_end.test_stdlib_corpus import work; work({shard}, {WORKERS})"],
            cwd=ROOT, capture_output=True, text=True, timeout=3600)
        assert result.returncode == 0, result.stderr[-4000:]
        return json.loads(result.stdout)

    with ThreadPoolExecutor(WORKERS) as pool:
        parts = list(pool.map(run, range(WORKERS)))
    total = {"checked": sum(p["checked"] for p in parts),
             "modules_read": sum(p["modules_read"] for p in parts),
             "codes": sum((Counter(p["codes"]) for p in parts), Counter())}
    for key in ("skipped", "ddd000", "errors"):
        total[key] = sorted(item for p in parts for item in p[key])
    return total


@pytest.mark.slow
def test_no_stdlib_file_makes_the_plugin_raise(corpus):
    assert corpus["errors"] == [], "\n".join(f"{path}\n{trace}" for path, trace in corpus["errors"])
    assert corpus["checked"] > 1000 and corpus["checked"] == len(stdlib_files()) - len(corpus["skipped"])


@pytest.mark.slow
def test_only_files_python_rejects_are_skipped(corpus):
    # lib2to3's Python 2 test data, the deliberately bad codings of test/tokenizedata, ...
    assert len(corpus["skipped"]) <= 30, corpus["skipped"]
    assert {kind for _, kind in corpus["skipped"]} <= {"SyntaxError", "UnicodeDecodeError", "ValueError"}


@pytest.mark.slow
def test_ddd000_is_rare_and_always_names_the_reason(corpus):
    # On CPython 3.11: pydoc_data/topics.py (a huge concatenated string: "nested too
    # deeply"), test/test_grammar.py and test/typinganndata/ann_module.py (a parenthesised
    # annotated target, ``(x): int``, which libcst's parser does not accept).
    assert len(corpus["ddd000"]) <= 6, corpus["ddd000"]
    for _path, message in corpus["ddd000"]:
        assert message.startswith("DDD000 libcst cannot ")
        reason = message.split(":", 1)[1].strip()
        assert reason and "Traceback" not in message and "\n" not in message


@pytest.mark.slow
def test_the_model_read_stdlib_modules_to_resolve_imports(corpus):
    assert corpus["modules_read"] > 100
