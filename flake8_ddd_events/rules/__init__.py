"""The rule registry: importing this package registers every rule."""

from .rule import REGISTRY, Rule
from . import aggregates  # noqa: F401  (registration)
from . import contracts  # noqa: F401  (registration)
from . import defaults  # noqa: F401  (registration)
from . import handlers  # noqa: F401  (registration)
from . import identity  # noqa: F401  (registration)
from . import immutability  # noqa: F401  (registration)
from . import integration  # noqa: F401  (registration)
from . import layering  # noqa: F401  (registration)
from . import event_metadata  # noqa: F401  (registration)
from . import failures  # noqa: F401  (registration)
from . import naming  # noqa: F401  (registration)
from . import publishing  # noqa: F401  (registration)
from . import stored  # noqa: F401  (registration)
from . import transactions  # noqa: F401  (registration)

RULES: tuple[Rule, ...] = tuple(sorted(REGISTRY.values(), key=lambda r: r.code))
