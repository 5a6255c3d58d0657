"""The baseline: findings recorded in a file (``.ddd-baseline.json``) that are not reported,
so that a code base adopts the plugin without fixing everything first.

``fingerprint`` says which finding is which without its line; ``store`` reads and writes
the file; ``matching`` filters a module's findings (the plugin); ``collect`` runs flake8
to find what there is now (the ``ddd-events baseline`` command).
"""
