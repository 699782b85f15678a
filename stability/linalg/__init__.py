"""Linear algebra with the package's error conventions.

- :mod:`~stability.linalg.checks`: values (real, finite, counts, intervals), invertibility,
  inertia, :class:`StabilityWarning`;
- :mod:`~stability.linalg.blocks`: dense, sparse and operator blocks — products, dense
  copies, factorisations, checked solves, and checks on what users' callables return;
- :mod:`~stability.linalg.eigen`: the one residual-checked eigen-solver (ARPACK with a dense
  or power-iteration fallback) used by the dense and matrix-free paths alike.
"""

from .checks import (StabilityWarning, as_finite_array, check_invertible, count, gib, inertia, interval,
                     real_array, real_number, safe_norm, short, symmetric_part, warn)

__all__ = ["StabilityWarning", "as_finite_array", "check_invertible", "count", "gib", "inertia",
           "interval", "real_array", "real_number", "safe_norm", "short", "symmetric_part", "warn"]
