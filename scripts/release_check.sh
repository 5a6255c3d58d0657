#!/usr/bin/env bash
# Every step of a release but the upload: .github/workflows/release.yml runs it on a version
# tag, and it is the dry run before tagging (docs/releasing.md).
#
#   scripts/release_check.sh [TAG]    TAG (v0.2.0) must name the package's version
#
# Checks that the version has a CHANGELOG section; builds the sdist and the wheel into dist/;
# `twine check`s them; installs the wheel into a clean virtual environment; checks that
# `flake8 --version` lists the plugin there; lints the bundled example with it and compares
# the findings with the example's marked violations. Leaves the checked files in dist/.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
step() { printf '\n== %s\n' "$*"; }

# The version lives in one place, flake8_ddd_events/__init__.py (pyproject reads it there).
version=$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' flake8_ddd_events/__init__.py)
step "version $version"
if [ -n "${1:-}" ] && [ "$1" != "v$version" ]; then
    echo "the tag $1 does not name the package's version $version"; exit 1
fi
grep -q "^## \[$version\]" CHANGELOG.md || { echo "CHANGELOG.md has no '## [$version]' section"; exit 1; }
echo "CHANGELOG.md: $(grep "^## \[$version\]" CHANGELOG.md)"

step "build the sdist and the wheel"
"$python" -m venv "$work/tools"
"$work/tools/bin/pip" install -q --disable-pip-version-check build twine
rm -rf dist
"$work/tools/bin/python" -m build --outdir dist . > "$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
ls dist

step "twine check"
"$work/tools/bin/twine" check --strict dist/*

step "install the wheel in a clean virtual environment"
"$python" -m venv "$work/venv"
"$work/venv/bin/pip" install -q --disable-pip-version-check dist/*.whl
(cd "$work" && venv/bin/python -c 'import flake8_ddd_events as p; print(p.__file__)')

step "flake8 --version"
"$work/venv/bin/flake8" --version | tee "$work/version.txt"
grep -q "flake8-ddd-events: $version" "$work/version.txt"

step "lint the example with the installed plugin: exactly its marked violations"
status=0
"$work/venv/bin/flake8" --select DDD examples/ > "$work/findings.txt" || status=$?
[ "$status" -eq 1 ] || { cat "$work/findings.txt"; echo "flake8 exited $status, not 1"; exit 1; }
"$work/venv/bin/python" - "$work/findings.txt" <<'PY'
import pathlib, re, sys
marker = re.compile(r"#\s*(DDD\d{3}(?:\s*,\s*DDD\d{3})*)\s*(?::|$)")  # as tests/conftest.py
marked = {(path.as_posix(), number, code.strip())
          for path in sorted(pathlib.Path("examples").rglob("*.py"))
          for number, line in enumerate(path.read_text().splitlines(), 1)
          for match in [marker.search(line)] if match for code in match.group(1).split(",")}
found = {(path, int(line), message.split()[0]) for path, line, _, message in
         (row.split(":", 3) for row in pathlib.Path(sys.argv[1]).read_text().splitlines())}
for what, rows in (("not found", marked - found), ("not marked", found - marked)):
    for row in sorted(rows):
        print(f"{what}: {row}")
print(f"{len(found)} findings, {len(marked)} marked violations")
sys.exit(found != marked)
PY
step "ready: dist/ holds the checked files; the upload is left to the release workflow"
