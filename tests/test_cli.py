from flake8_ddd_events.cli import main
from flake8_ddd_events.rules import RULES


def test_rules_lists_every_code(capsys):
    assert main(["rules"]) == 0
    out = capsys.readouterr().out
    assert all(rule.code in out for rule in RULES)
    assert "DDD000" in out


def test_no_command_prints_help(capsys):
    assert main([]) == 0
    assert "COMMAND" in capsys.readouterr().out
