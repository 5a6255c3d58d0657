"""Linting: the run (``run.py``), the path one file takes through the stages
(``pipeline.py``), and placing findings at ``ast`` positions (``positions.py``)."""
