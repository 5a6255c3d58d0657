"""``ddd-events roots``: the source roots in use, and why each was taken."""

from __future__ import annotations

import shutil
from pathlib import Path

from flake8_ddd_events.cli import main

CHAT = Path(__file__).resolve().parents[1] / "fixtures" / "chat_service"


def test_the_roots_command_says_why_each_root_was_taken(tmp_path, monkeypatch, capsys):
    shutil.copytree(CHAT, tmp_path / "chat")
    (tmp_path / "chat/pyproject.toml").write_text("[project]\nname = 'chat'\n")
    (tmp_path / "chat/src").mkdir()
    monkeypatch.chdir(tmp_path / "chat")
    assert main(["roots"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == [".", "src", "app"]
    assert "the folder the run starts in" in lines[0]
    assert "a 'src' folder" in lines[1]
    assert lines[2].split(None, 1)[1].startswith("app/") and "imports '" in lines[2], lines
    # what flake8 runs would use: the kept roots read back give the same answer
    assert main(["roots"]) == 0
    assert capsys.readouterr().out.splitlines() == lines


def test_configured_roots_are_printed_as_configured(tmp_path, monkeypatch, capsys):
    shutil.copytree(CHAT, tmp_path / "chat")
    (tmp_path / "chat/setup.cfg").write_text("[flake8]\nddd-source-roots = app\n")
    monkeypatch.chdir(tmp_path / "chat")
    assert main(["roots"]) == 0
    assert capsys.readouterr().out.split() == ["app", "configured", "(ddd-source-roots)"]
