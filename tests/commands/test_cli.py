import pytest

from flake8_ddd_events.cli import main
from flake8_ddd_events.rules import RULES


def test_rules_lists_every_code(capsys):
    assert main(["rules"]) == 0
    out = capsys.readouterr().out
    assert all(rule.code in out for rule in RULES)
    assert "DDD000" in out


def test_rules_gives_the_summaries_of_the_readme_table(capsys):
    from pathlib import Path

    from flake8_ddd_events.docs import all_rules

    assert main(["rules"]) == 0
    out = capsys.readouterr().out
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    for rule in all_rules():  # DDD000 included
        assert f"{rule.code}  " in out and rule.summary in out
        assert f"| `{rule.name}` | {rule.summary} |" in readme


def test_no_command_prints_help(capsys):
    assert main([]) == 0
    assert "COMMAND" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["--help"], ["baseline", "--help"]])
def test_help_says_the_baseline_records_findings(argv, capsys):
    """One word for one meaning: a baseline records findings; frozen is an immutable class."""
    with pytest.raises(SystemExit) as done:
        main(argv)
    assert done.value.code == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "record the findings flake8 reports now" in out
    assert "freeze" not in out


@pytest.mark.parametrize("argv", [["cache", "info"], ["contracts", "check"], ["map"], ["fix", "."],
                                  ["baseline"]])
def test_every_command_names_a_bad_option_and_exits_2(argv, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "setup.cfg").write_text("[flake8]\nddd-cache = banana\n")
    assert main(argv) == 2
    assert capsys.readouterr().err.startswith(f"ddd-events {argv[0]}: bad option ddd-cache: ")


@pytest.mark.parametrize("argv", [["explain", "DDD101"], ["rules"], ["--help"],
                                  ["fix", "--diff", "shop"]])
def test_a_closed_pipe_ends_the_command_quietly(argv, tmp_path):
    """The reader is gone before the command writes (``| head -0``): status 0, nothing on stderr."""
    import os
    import subprocess
    import sys

    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "events.py").write_text(
        "from dataclasses import dataclass\n\n\n@dataclass\nclass OrderPlaced:\n    order_id: str\n")
    read, write = os.pipe()
    os.close(read)
    try:
        done = subprocess.run([sys.executable, "-m", "flake8_ddd_events.cli", *argv], cwd=tmp_path,
                              stdout=write, stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(write)
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr
    assert done.returncode == 0
