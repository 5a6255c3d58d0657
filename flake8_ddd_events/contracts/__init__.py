"""The published language as a contract: lock it, check every change, export it.

- ``typenames``: an annotation read as a canonical type (``Optional[X]`` and ``X | None``
  alike, ``typing.List`` and ``list`` alike, imported names qualified) and whether it
  admits None;
- ``schema``: one integration event's schema from the facts (its fields with inherited
  ones, required or not, nullable or not, and its schema version);
- ``lock``: the lock file, written byte for byte the same and read with clear errors
  (``parse_lock`` reads its content, ``read_lock`` a file);
- ``compare``: what changed between a locked schema and the code, and which changes break
  under each compatibility mode;
- ``project``: the integration events of a project, for the ``ddd-events contracts``
  commands;
- ``export``: one JSON Schema per integration event.

Nothing here parses or walks code its own way: the facts come from
``parsing.parse_facts``, classes from the project model, events from ``recognition``.
"""
