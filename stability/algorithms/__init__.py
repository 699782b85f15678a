"""Update maps of min-max algorithms, their Jacobians and spectra, by name.

``stability.algorithms.get("fr", lr=0.05)``; ``names()`` lists the registry.
"""

from .base import Algorithm, JacobianContext, Param, describe, get, info, names
from . import consensus, extragradient, gda, momentum, ridge  # noqa: F401  (register)

__all__ = ["Algorithm", "JacobianContext", "Param", "describe", "get", "info", "names"]
