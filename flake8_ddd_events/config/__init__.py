"""Settings: the options, where their values come from (command line, [flake8], pyproject)."""
