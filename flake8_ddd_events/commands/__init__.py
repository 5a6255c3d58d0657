"""Subcommands of ``ddd-events``."""
