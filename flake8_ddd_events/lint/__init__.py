"""Linting: the path one file takes (cache, gate, model, rules), and the project a command reads."""
