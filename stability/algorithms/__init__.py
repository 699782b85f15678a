"""Update maps of min-max algorithms, their Jacobians and spectra, by name.

``stability.algorithms.get("fr", lr=0.05)``; ``names()`` lists the registry. The protocol is
:class:`~stability.algorithms.base.Algorithm`; hyperparameters are
:class:`~stability.algorithms.params.Param`\\ s; the Hessian blocks at a fixed point are a
:class:`~stability.algorithms.context.JacobianContext`. One module per family: gda,
extragradient, momentum, ridge (Follow-the-Ridge and Newton-type), consensus.
"""

from .base import Algorithm
from .context import JacobianContext
from .params import Param
from .registry import as_algorithm, describe, get, info, names
from . import consensus, extragradient, gda, momentum, ridge  # noqa: F401  (register)

__all__ = ["Algorithm", "JacobianContext", "Param", "as_algorithm", "describe", "get", "info", "names"]
