"""The release process (docs/releasing.md): the workflow, the version in one place, the
CHANGELOG, the LICENSE, one repository address on every page. The dry run itself
(scripts/release_check.sh) builds and installs from the package index: it runs in the release
workflow and by hand before tagging, not here; the slow tier's test_packaging builds and
installs the wheel the same way."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from flake8_ddd_events import __version__

ROOT = Path(__file__).resolve().parents[2]
REPOSITORY = "https://github.com/flake8-ddd-events/flake8-ddd-events"
CHECK = "scripts/release_check.sh"


def test_the_release_workflow_checks_then_publishes_with_trusted_publishing():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "release.yml").read_text())
    assert workflow[True]["push"]["tags"] == ["v*"]  # YAML 1.1 reads the key `on` as True
    build, publish = workflow["jobs"]["build"], workflow["jobs"]["publish"]
    runs = [step["run"] for step in build["steps"] if "run" in step]
    assert runs == [f'{CHECK} "$GITHUB_REF_NAME"']  # every check, the dry run's own script
    assert publish["needs"] == "build"
    assert publish["permissions"] == {"id-token": "write"}
    assert publish["environment"]["name"] == "pypi"
    uses = [step["uses"] for step in publish["steps"]]
    assert uses[-1] == "pypa/gh-action-pypi-publish@release/v1"
    assert not any("password" in str(step) or "token" in str(step.get("with", {}))
                   for step in publish["steps"])  # trusted publishing: no stored secret
    assert workflow["permissions"] == {"contents": "read"}


def test_the_release_check_runs_every_step_but_the_upload():
    script = (ROOT / CHECK).read_text()
    assert (ROOT / CHECK).stat().st_mode & 0o111
    for step in ("-m build", "twine\" check --strict", "venv/bin/pip\" install", "flake8\" --version",
                 "--select DDD examples/"):
        assert step in script, step
    assert "upload" not in script.replace("the upload", "")


def test_the_version_is_written_in_one_place():
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'dynamic = ["version"]' in pyproject
    assert 'version = { attr = "flake8_ddd_events.__version__" }' in pyproject
    assert not re.search(r"^version\s*=\s*['\"]", pyproject, flags=re.M)  # no literal version
    written = [path.relative_to(ROOT).as_posix() for path in (ROOT / "flake8_ddd_events").rglob("*.py")
               if re.search(r"^__version__\s*=", path.read_text(), flags=re.M)]
    assert written == ["flake8_ddd_events/__init__.py"]


def test_the_changelog_has_a_section_per_release_and_its_links():
    changelog = (ROOT / "CHANGELOG.md").read_text()
    versions = re.findall(r"^## \[([^\]]+)\]", changelog, flags=re.M)
    assert versions[0] == "Unreleased" and __version__ in versions
    for version in versions:
        assert re.search(rf"^\[{re.escape(version)}\]: {REPOSITORY}/", changelog, flags=re.M), version


def test_the_license_is_the_mit_license_pyproject_declares():
    assert (ROOT / "LICENSE").read_text().startswith("MIT License\n")
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'license = "MIT"' in pyproject and 'license-files = ["LICENSE"]' in pyproject


def test_every_page_names_the_same_repository():
    pages = [ROOT / "README.md", ROOT / "CHANGELOG.md", ROOT / "pyproject.toml",
             ROOT / "examples" / "README.md", *(ROOT / "docs").rglob("*.md")]
    named = {match for page in pages
             for match in re.findall(r"github\.com/[\w.<>-]+/flake8-ddd-events", page.read_text())}
    assert named == {REPOSITORY.removeprefix("https://")}
    assert not [page for page in pages if "<owner>" in page.read_text()]
