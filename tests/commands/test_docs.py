"""The documentation is generated from the rules and options; it must match the files."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from flake8_ddd_events import docs
from flake8_ddd_events.cli import main
from flake8_ddd_events.rules import RULES
from flake8_ddd_events.config.settings import OPTIONS

ROOT = Path(__file__).resolve().parents[2]


def test_generated_pages_are_up_to_date():
    out_of_date = [str(Path(p).relative_to(ROOT)) for p in docs.stale(str(ROOT))]
    assert out_of_date == [], ("generated docs are out of date; run "
                               "`python -m flake8_ddd_events.docs`: " + ", ".join(out_of_date))


def test_every_rule_has_a_page_in_ruff_shape():
    for rule in docs.all_rules():
        page = (ROOT / "docs" / "rules" / f"{rule.code}.md").read_text()
        headings = re.findall(r"^## (.+)$", page, flags=re.M)
        expected = ["What it does", "Why is this bad?", "Example", "Use instead", "Options",
                    "Fix safety"]
        if not rule.invalid:
            expected.remove("Example")
        assert headings == expected, rule.code
        assert page.startswith(f"# {rule.name} ({rule.code})\n")
        assert rule.what in page and rule.why in page and rule.fix in page
        if rule.invalid:
            assert rule.invalid[0].source.rstrip() in page
        if rule.valid:
            assert rule.valid[0].source.rstrip() in page
        for key in rule.options:
            assert f"(../configuration.md#{key})" in page


def test_configuration_page_lists_every_option_with_default_and_help():
    page = (ROOT / "docs" / "configuration.md").read_text()
    for option in OPTIONS:
        assert f"### `{option.key}`" in page
        assert option.help[1:] in page
        assert f"| [`{option.key}`](#{option.key}) | {docs.default_text(option)} |" in page


def test_readme_and_index_link_every_rule_to_its_page():
    readme = (ROOT / "README.md").read_text()
    index = (ROOT / "docs" / "index.md").read_text()
    for rule in docs.all_rules():
        assert f"[{rule.code}](docs/rules/{rule.code}.md)" in readme
        assert f"[{rule.code}](rules/{rule.code}.md)" in index


def test_index_lists_ddd209_under_stored_events_not_the_published_contract():
    page = (ROOT / "docs" / "index.md").read_text()
    sections = dict(re.findall(r"^### (.+?)\n(.*?)(?=^### |^## |\Z)", page, flags=re.M | re.S))
    assert "DDD209" in sections["Stored events: a contract with the past"]
    assert "DDD209" not in sections["Integration events: the published contract"]
    assert "DDD208" in sections["Integration events: the published contract"]


def flake8_examples() -> dict[str, list[str]]:
    """Every ``[flake8]`` configuration example of the README and docs, by page."""
    found = {}
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        blocks = [b for b in re.findall(r"```ini\n(.*?)```", page.read_text(), flags=re.S)
                  if "[flake8]" in b]
        if blocks:
            found[page.name] = blocks
    return found


def test_every_flake8_configuration_example_keeps_flake8_out_of_virtualenvs():
    examples = flake8_examples()
    assert {"README.md", "configuration.md", "adoption.md", "ci.md"} <= set(examples)
    for page, blocks in examples.items():
        for block in blocks:
            assert "extend-exclude = .venv, venv, env, .tox, .nox\n" in block, (page, block)
    assert "flake8 walks every folder under the paths it is given" in (
        ROOT / "docs" / "configuration.md").read_text()


def test_the_configuration_example_leaves_a_virtualenv_at_the_root_unread(tmp_path):
    import subprocess
    import sys

    [example] = flake8_examples()["configuration.md"]
    (tmp_path / ".flake8").write_text(example)
    mutable = "from dataclasses import dataclass\n\n\n@dataclass\nclass OrderPlaced:\n    order_id: str\n"
    for folder in ("src/shop/domain", ".venv/lib/site-packages/shop/domain", "venv/shop/domain"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "events.py").write_text(mutable)
    (tmp_path / ".venv" / "broken.py").write_text("def (:\n")  # flake8 would report E999
    run = subprocess.run([sys.executable, "-m", "flake8", "--select", "DDD,E9", "."], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert run.stderr == ""
    assert {line.split(":")[0] for line in run.stdout.splitlines()} == {"./src/shop/domain/events.py"}


def test_relative_links_in_docs_and_readme_resolve():
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    for page in pages:
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", page.read_text()):
            assert (page.parent / target).exists(), f"{page.relative_to(ROOT)} links to missing {target}"


def test_hand_written_guides_exist_and_are_linked_from_the_index():
    index = (ROOT / "docs" / "index.md").read_text()
    for name in ("recognition.md", "pre-commit.md", "ci.md", "editors.md", "configuration.md"):
        assert (ROOT / "docs" / name).exists()
        assert f"]({name})" in index


def test_generator_writes_then_finds_nothing_stale(tmp_path, capsys):
    (tmp_path / "docs" / "rules").mkdir(parents=True)
    (tmp_path / "docs" / "rules" / "DDD999.md").write_text("a rule that no longer exists\n")
    (tmp_path / "README.md").write_text(f"# x\n\n{docs.README_START}\nold table\n{docs.README_END}\n")
    assert docs.main(["--check", str(tmp_path)]) == 1
    assert "out of date: docs/index.md" in capsys.readouterr().out
    assert docs.main([str(tmp_path)]) == 0
    written = capsys.readouterr().out
    assert "wrote docs/rules/DDD104.md" in written and "wrote README.md" in written
    assert not (tmp_path / "docs" / "rules" / "DDD999.md").exists()
    assert "old table" not in (tmp_path / "README.md").read_text()
    assert docs.main(["--check", str(tmp_path)]) == 0
    assert docs.main([str(tmp_path)]) == 0
    assert capsys.readouterr().out == ""  # idempotent: nothing left to write


def test_index_links_optional_guides_only_when_present(tmp_path):
    assert "performance.md" not in docs.index_page(RULES, str(tmp_path))
    (tmp_path / "performance.md").write_text("# Performance\n")
    assert "(performance.md)" in docs.index_page(RULES, str(tmp_path))


def test_readme_without_markers_is_left_alone():
    assert docs.readme_with_table("# no table here\n", RULES) == "# no table here\n"


def test_generator_handles_a_rule_with_options_and_no_examples():
    rule = docs.Rule("DDD998", "made-up", "a made-up rule", "what", "why", "instead",
                     check=lambda c: (), invalid=(), valid=(), options=("ddd-entity-bases", "nope"))
    page = docs.rule_page(rule)
    assert "## Example" not in page
    assert "[`ddd-entity-bases`](../configuration.md#ddd-entity-bases)" in page
    assert "`nope`" in page and "see the configuration reference" in page


# --- ddd-events explain --------------------------------------------------------------------

def test_explain_prints_the_page_without_markdown_links(capsys):
    assert main(["explain", "DDD104"]) == 0
    out = capsys.readouterr().out
    rule = docs.find_rule("DDD104")
    assert out.startswith("# mutable-event-field (DDD104)")
    for heading in ("## What it does", "## Why is this bad?", "## Example", "## Use instead",
                    "## Fix safety"):
        assert heading in out
    assert rule.invalid[0].source.rstrip() in out  # code blocks are never re-wrapped
    assert "](" not in out
    assert all(len(line) <= 100 for line in out.splitlines() if not line.startswith(("    ", "```")))


@pytest.mark.parametrize("asked", ["ddd101", "mutable-event", " DDD101 "])
def test_explain_accepts_any_case_and_the_rule_name(capsys, asked):
    assert main(["explain", asked]) == 0
    assert capsys.readouterr().out.startswith("# mutable-event (DDD101)")


def test_explain_ddd000(capsys):
    assert main(["explain", "DDD000"]) == 0
    assert "libcst" in capsys.readouterr().out


def test_explain_unknown_code_is_a_clear_error(capsys):
    assert main(["explain", "DDD999"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "unknown rule 'DDD999'" in captured.err and "DDD104" in captured.err


def test_explain_as_a_console_script():
    import subprocess
    import sys

    script = shutil.which("ddd-events") or str(Path(sys.executable).parent / "ddd-events")
    result = subprocess.run([script, "explain", "DDD105"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "## Why is this bad?" in result.stdout
    result = subprocess.run([script, "explain", "E501"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "unknown rule" in result.stderr


def test_explain_wraps_prose_but_never_inside_inline_code():
    from flake8_ddd_events.commands.explain import wrap

    page = "prose " * 5 + "`tuple[X, ...]` and more words\n```python\n" + "x = 1  " * 20 + "\n```"
    lines = wrap(page, width=24).splitlines()
    assert "`tuple[X, ...]`" in "\n".join(lines)
    assert all(len(line) <= 24 for line in lines[:-3])
    assert lines[-2] == "x = 1  " * 20  # code is left alone
