"""Determinism: the same findings, in the same order, every run, however it is run.

flake8 on the bundled example project (examples/), serially and with two jobs, each
twice with a different hash seed (set iteration order changes with the seed), must
print byte-for-byte the same report, and so must runs answered from the result cache.
In process, a fresh project model and a warm one
(caches filled by other modules first) give the same answer.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from flake8_ddd_events.lint.pipeline import check_source
from flake8_ddd_events.model.project_model import ProjectModel
from flake8_ddd_events.plugin import all_codes
from flake8_ddd_events.config.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def flake8_examples(jobs: int, seed: int, cache: Path | None = None) -> str:
    """The report; checked afresh, or with the result cache in ``cache``."""
    env = {**os.environ, "PYTHONHASHSEED": str(seed)}
    use = f"--ddd-cache-dir={cache}" if cache else "--ddd-cache=false"
    result = subprocess.run([sys.executable, "-m", "flake8", "--select", "DDD", "-j", str(jobs),
                             use, "examples/"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.stderr == ""
    assert result.returncode == 1  # the examples hold deliberate violations
    return result.stdout


@pytest.mark.slow
def test_flake8_output_is_identical_with_one_and_two_jobs_run_after_run(tmp_path):
    runs = {(jobs, seed): flake8_examples(jobs, seed) for jobs, seed in
            [(1, 0), (1, 1), (2, 2), (2, 3)]}
    first = runs[(1, 0)]
    assert first.count("\n") >= 10
    assert all(output == first for output in runs.values())
    # cold, then warm, with the result cache
    for jobs, seed in [(2, 4), (1, 5), (2, 6)]:
        assert flake8_examples(jobs, seed, tmp_path / "cache") == first


def test_warm_and_cold_models_agree_on_every_example_module():
    settings = Settings.from_values({"ddd-source-roots": [str(EXAMPLES)]})
    codes = set(all_codes())
    files = sorted(EXAMPLES.rglob("*.py"))
    warm = ProjectModel(settings)

    def run(path: Path, model: ProjectModel) -> list:
        return list(check_source(path.read_text(encoding="utf-8"), str(path), settings, codes, model))

    forwards = {path: run(path, warm) for path in files}
    backwards = {path: run(path, warm) for path in reversed(files)}  # caches already full
    for path in files:
        cold = run(path, ProjectModel(settings))
        assert forwards[path] == backwards[path] == cold, path
    assert sum(len(reports) for reports in forwards.values()) >= 10
