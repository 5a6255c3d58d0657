"""The rule registry: importing this package registers every rule."""

from ..rule import REGISTRY, Rule
from . import identity, immutability, metadata  # noqa: F401  (registration)

RULES: tuple[Rule, ...] = tuple(sorted(REGISTRY.values(), key=lambda r: r.code))
