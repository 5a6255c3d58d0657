"""The official AsyncAPI parser (``@asyncapi/parser``, run by Node) accepts the exported
documents of examples/ and of the fixture projects, YAML and JSON, with no error.

The parser is installed from npm into a folder of the test session (or the folder
``DDD_ASYNCAPI_PARSER_DIR`` names, kept between runs). Without npm the test is skipped,
except under CI (``CI`` set), where npm is part of the machine and its absence a failure."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from flake8_ddd_events.cli import main

from ..conftest import write_file
from .test_asyncapi import DATA, EVENTS, EXAMPLES, PUBLISHING, TOPICS

PARSER = "@asyncapi/parser@3"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def node_modules(tmp_path_factory) -> Path:
    npm, node = shutil.which("npm"), shutil.which("node")
    if npm is None or node is None:
        if os.environ.get("CI"):
            pytest.fail("npm and node are needed to run the AsyncAPI parser; CI has them")
        pytest.skip("npm is not installed: the official AsyncAPI parser cannot run")
    folder = Path(os.environ.get("DDD_ASYNCAPI_PARSER_DIR") or tmp_path_factory.mktemp("npm"))
    modules = folder / "node_modules"
    if not (modules / "@asyncapi" / "parser").is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run([npm, "install", "--no-audit", "--no-fund", "--no-save",
                        "--prefix", str(folder), PARSER],
                       check=True, capture_output=True, text=True, timeout=600)
    return modules


def parse(node_modules: Path, *files: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["node", str(DATA / "validate.js"), *map(str, files)],
                          env={**os.environ, "NODE_PATH": str(node_modules)},
                          capture_output=True, text=True, timeout=300)


def exported(folder: Path, out: Path, monkeypatch) -> list[Path]:
    monkeypatch.chdir(folder)
    assert main(["contracts", "export", "--format", "asyncapi", "--out", str(out)]) == 0
    assert main(["contracts", "export", "--format", "asyncapi", "--json", "--out", str(out)]) == 0
    return [out / "asyncapi.yaml", out / "asyncapi.json"]


def fixture_project(root: Path) -> Path:
    write_file(root, "shop/sales/integration_events.py", EVENTS)
    write_file(root, "shop/sales/publishing.py", PUBLISHING)
    write_file(root, "shop/sales/topics.py", TOPICS)
    write_file(root, "pyproject.toml", '[project]\nname = "sales"\nversion = "2.3.0"\n')
    return root


def test_the_parser_accepts_the_examples_and_a_fixture_project(
        node_modules, tmp_path, monkeypatch):
    files = exported(EXAMPLES, tmp_path / "examples", monkeypatch)
    project = fixture_project(tmp_path / "sales")
    monkeypatch.chdir(project)
    assert main(["contracts", "lock"]) == 0  # version 2 locked, then 3: both are messages
    text = (project / "shop/sales/integration_events.py").read_text()
    write_file(project, "shop/sales/integration_events.py",
               text.replace("event_version: int = 2", "event_version: int = 3"))
    assert main(["contracts", "lock"]) == 0
    files += exported(project, tmp_path / "sales-out", monkeypatch)
    result = parse(node_modules, *files)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert [line for line in lines if ": error:" in line] == []
    assert sum(" parsed, " in line for line in lines) == 4
    assert any(line.endswith("asyncapi.yaml: parsed, 8 message(s), 4 channel(s), "
                             "7 operation(s)") for line in lines), result.stdout
    assert any("sales-out/asyncapi.json: parsed, 7 message(s), 6 channel(s)" in line
               for line in lines), result.stdout


def test_the_parser_rejects_a_broken_document(node_modules, tmp_path, monkeypatch):
    (yaml_file, _) = exported(EXAMPLES, tmp_path / "examples", monkeypatch)
    broken = tmp_path / "broken.yaml"
    broken.write_text(yaml_file.read_text().replace("action: send", "action: publish", 1))
    result = parse(node_modules, broken)
    assert result.returncode == 1
    assert ": error: " in result.stdout
