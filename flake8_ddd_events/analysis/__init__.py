"""Meaning: recognition, event metadata by shape, data-class frameworks, past tense, fresh values.

Importing this package does not import libcst; some of its modules do."""
