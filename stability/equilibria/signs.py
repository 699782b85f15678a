"""Signs of the eigenvalues of symmetric blocks within a zero tolerance: the building blocks
of every second-order verdict (docs/MATHEMATICS.md §2, docs/NUMERICS.md §1)."""

import numpy as np

from ..config import defaults
from ..errors import NonFiniteError
from ..linalg import symmetric_part


def eigvalsh(M, name):
    return np.linalg.eigvalsh(symmetric_part(M, name)) if M.size else np.zeros(0)


def definite(ev, tol, sign):
    """True if every eigenvalue is strictly of ``sign`` (beyond ``tol``)."""
    return bool(np.all(sign * ev > tol))


def semidefinite(ev, tol, sign):
    return bool(np.all(sign * ev >= -tol))


def regular(eig, tol):
    """Invertible within tolerance and to working precision (eigenvalues of a symmetric block)."""
    mags = np.abs(eig)
    return bool(np.all(mags > tol) and mags.min() > mags.max() / defaults["linalg.cond_error"])


def rescaled(unit, values, name):
    """Eigenvalues of a block computed on H/‖H‖, scaled back; a typed error where they leave
    the floating-point range (a game with entries near 1e308) instead of a silent inf."""
    with np.errstate(over="ignore"):
        out = unit * values
    if not np.all(np.isfinite(out)):
        raise NonFiniteError(f"eigenvalues of {name} exceed the floating-point range (the game's Hessian "
                             f"scale is {unit:.3g}); rescale the game")
    return out


def size(inertia_triple):
    return sum(inertia_triple)
