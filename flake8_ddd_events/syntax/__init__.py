"""libcst syntax: the parse, the one collection pass, the facts it collects, expression helpers.

Importing this package does not import libcst; its modules do."""
