"""Spectra of update maps at fixed points: eigenvalues, radius, rate, iterations, and the
three-valued verdict a computed ρ supports (docs/MATHEMATICS.md §4, docs/NUMERICS.md §2)."""

import numpy as np

from .. import backend
from ..algorithms import as_algorithm
from ..config import defaults
from ..errors import checked_call
from ..linalg import real_number


@checked_call
def spectrum(algorithm, game, point, *, allow_noncritical=False, xp=None, **hp):
    """Eigenvalues of the update map's Jacobian at ``point`` (structured shortcut when one applies;
    with an array namespace ``xp``, computed in it and returned as its array).

    ``point`` must be a critical point of the game (the fixed points of every update map
    here); :class:`~stability.errors.NotCriticalError` otherwise, unless ``allow_noncritical``."""
    return as_algorithm(algorithm, **hp).spectrum(game, point, xp=xp, allow_noncritical=allow_noncritical)


@checked_call
def stability_verdict(rho, margin=None):
    """What a computed ρ says: True (``ρ < 1 − margin``: strictly stable), False
    (``ρ > 1 + margin``: unstable) or None (marginal: ``|ρ − 1| ≤ margin`` decides nothing).

    ``margin`` defaults to ``config.defaults["spectral.rho_margin"]`` = 2⁻²⁶ ≈ 1.5e-8 = √ε: a
    floating-point eigenvalue solver returns simple eigenvalues to about ε·cond, but the
    eigenvalues of a Jordan block of size 2 only to about √ε (GDA on g1 at η = 0.05 gives
    ρ = 1.1 + 2e-9), and Jacobians whose eigenvalues lie exactly on the unit circle
    (alternating GDA on a bilinear game) come out as 1 ± 1e-15. See docs/NUMERICS.md."""
    margin = real_number(defaults["spectral.rho_margin"] if margin is None else margin, "margin (config.defaults['spectral.rho_margin'])", 0.0)
    if rho != np.inf:  # inf: the map is undefined there (unstable)
        rho = real_number(rho, "rho", 0.0)
    if rho < 1 - margin:
        return True
    if rho > 1 + margin:
        return False
    return None


@checked_call
def spectral_radius(algorithm, game, point, *, allow_noncritical=False, xp=None, **hp):
    """``ρ(J)``: the point is strictly stable iff ``ρ < 1`` (a computed ρ within
    ``config.defaults["spectral.rho_margin"]`` of 1 decides nothing; see :func:`stability_verdict`).
    With ``xp`` the structured spectrum is computed in that namespace and only ρ leaves it."""
    values = spectrum(algorithm, game, point, allow_noncritical=allow_noncritical, xp=xp, **hp)
    space = backend.namespace(values)
    return float(space.max(space.abs(values)))


@checked_call
def rate(algorithm, game, point, *, allow_noncritical=False, xp=None, **hp):
    """Local linear rate ``1 − ρ`` (negative: the point repels)."""
    return 1.0 - spectral_radius(algorithm, game, point, allow_noncritical=allow_noncritical, xp=xp, **hp)


@checked_call
def iterations_to_tolerance(algorithm, game, point, eps=1e-6, *, allow_noncritical=False, xp=None, **hp):
    """Iterations to shrink the error by ``eps`` asymptotically: ``log ε / log ρ`` (inf if ρ ≥ 1)."""
    eps = real_number(eps, "eps", 0.0, 1.0, inclusive=False)
    rho = spectral_radius(algorithm, game, point, allow_noncritical=allow_noncritical, xp=xp, **hp)
    if rho >= 1:
        return float("inf")
    return 0.0 if rho == 0 else float(np.log(eps) / np.log(rho))
