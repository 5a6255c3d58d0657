"""``ddd-events roots``: the source roots in use, and why each was taken."""

from __future__ import annotations

import argparse

NAME = "roots"
HELP = ("print the source roots module names are read from, and why each was taken "
        "(configured, the start folder, a project file, a 'src' folder, the project's imports)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    from ..cache.roots import explained_source_roots
    from ..config.sources import flake8_values, merge, pyproject_values
    from ..config.settings import Settings

    values = merge({}, flake8_values("."), pyproject_values("."))
    settings = Settings.from_values({**values, "ddd-source-roots": ["."]})  # checks the options
    configured = values.get("ddd-source-roots")
    if configured is not None:
        roots = {root: "configured (ddd-source-roots)" for root in Settings.from_values(
            values).source_roots}
    else:
        roots = explained_source_roots(settings.cache_dir if settings.cache else None)
    width = max(len(root) for root in roots)
    for root, why in roots.items():
        print(f"{root.ljust(width)}  {why}")
    return 0
