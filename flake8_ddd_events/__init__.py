"""flake8-ddd-events: Domain-Driven-Design event rules for flake8."""

__version__ = "0.1.0"
