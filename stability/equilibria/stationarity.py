"""Stationarity on the game's own scale: the residual, the Newton step to the nearest
critical point, the zero tolerances they imply, and Newton refinement (docs/NUMERICS.md §1).

The stationarity map is the game's (:meth:`~stability.games.base.Game.stationarity`): ``∇f``
for zero-sum games, ``(Dx f, ∇y g)`` for general-sum ones."""

from dataclasses import dataclass

import numpy as np

from ..config import Default, resolve
from ..errors import NotCriticalError, StabilityError
from ..games.base import check_game
from ..linalg import as_finite_array, real_number, safe_norm


def residual(game, point):
    """Norm of the stationarity conditions at ``point``."""
    z = as_finite_array(point, "point", ndim=1)
    return float(np.linalg.norm(game.stationarity()[0](z)))


@dataclass(frozen=True)
class Criticality:
    """How critical a point is, on the game's own scale.

    ``scale`` bounds ‖H‖₂ at and next to the point (so a Hessian that vanishes at the point
    does not make every tolerance vanish with it); ``step`` is the length of the Newton step
    ``H⁻¹∇f`` (the distance to the nearest critical point, to first order); ``hessian_error``
    bounds how much the Hessian at the true critical point can differ from the one here
    (third-derivative estimate × Newton step, with a safety factor 10), plus the error of the
    Hessian itself where the game approximates it (:meth:`Game.hessian_error`)."""

    residual: float
    step: float
    scale: float
    hessian_error: float
    limit: float

    def is_critical(self, gtol):
        return self.residual <= self.limit and self.step <= gtol * self._length

    _length: float = 1.0


def norm2(H):
    if H.size == 0:
        return 0.0
    return float(np.linalg.norm(H, 2) if H.shape[0] <= 1000 else np.linalg.norm(H, "fro"))


def criticality(game, z, H, gtol=Default("equilibria.gtol")):
    """:class:`Criticality` of ``z``; ``H`` is the Jacobian of the stationarity map at ``z``
    (the full Hessian for zero-sum games; see :func:`stationarity_system`)."""
    gtol = resolve(gtol)
    F, J = game.stationarity()
    g = F(z)
    res = float(safe_norm(g))
    scale, third = norm2(H), 0.0
    if not game.is_quadratic:
        h = np.cbrt(np.finfo(float).eps) * max(1.0, float(safe_norm(z)))
        u = np.random.default_rng(0).standard_normal(z.size)
        u /= safe_norm(u)
        for side in (1.0, -1.0):
            try:
                H2 = J(z + side * h * u)
            except StabilityError:
                continue  # the game is not defined there: use the other side
            scale = max(scale, norm2(H2))
            third = max(third, norm2(H2 - H) / h)
    # a quadratic game's residual is exact (H z + b): the step adds nothing but an O(N³) solve
    step = _newton_step(H, g) if res > 0 and not game.is_quadratic else 0.0
    length = max(1.0, float(safe_norm(z)))
    error = 10.0 * third * step + game.hessian_error(z)
    out = Criticality(res, step, scale, error, gtol * scale * length)
    object.__setattr__(out, "_length", length)
    return out


def _newton_step(H, g):
    """‖H⁻¹g‖ (least squares where H is singular to working precision)."""
    with np.errstate(all="ignore"):
        try:
            d = np.linalg.solve(H, g)
        except np.linalg.LinAlgError:
            d = None
        if d is None or not np.all(np.isfinite(d)):
            d = np.linalg.lstsq(H, g, rcond=None)[0]
    return safe_norm(d)


def check_critical(z, crit, gtol, allow_noncritical):
    if allow_noncritical or crit.is_critical(gtol):
        return
    raise NotCriticalError(
        f"point {np.array2string(z, precision=6)} is not critical: stationarity residual "
        f"{crit.residual:.3g} (tolerance {crit.limit:.3g} = gtol · game scale {crit.scale:.3g} · "
        f"max(1, |z|)), Newton step to the nearest critical point {crit.step:.3g} (tolerance "
        f"{gtol * crit._length:.3g}); pass allow_noncritical=True to analyse it anyway")


def require_critical(game, point, gtol=Default("equilibria.gtol"), allow_noncritical=False, H=None):
    """Raise :class:`NotCriticalError` unless ``point`` is a critical point of ``game`` (the
    fixed points of every algorithm here; for general-sum games, the stationarity conditions
    ``Dx f = 0``, ``∇y g = 0``); returns its :class:`Criticality` (None when allowed)."""
    check_game(game)
    z = as_finite_array(getattr(point, "point", point), "point", ndim=1)
    gtol = real_number(resolve(gtol), "gtol", 0.0)
    if allow_noncritical:
        return None
    if game.is_general_sum or H is None:
        H = game.stationarity()[1](z)
    crit = criticality(game, z, H, gtol)
    check_critical(z, crit, gtol, allow_noncritical)
    return crit


def newton_refine(game, z, iterations=60):
    """Newton on ∇f = 0 from ``z``; stops when the step is at rounding level or stalls.

    At a root of multiplicity k Newton converges only linearly, the step shrinking by
    r = (k − 1)/k per iteration (x⁴⁰ near 0: r = 39/40). When two successive ratios agree,
    the step is multiplied by 1/(1 − r) = k (Schröder's modified Newton), which lands on such
    a root; the candidate is kept only if its gradient is no larger."""
    F, J = game.stationarity()
    best = z
    try:
        best_res = float(np.linalg.norm(F(z)))
    except StabilityError:
        return z
    tiny = lambda d, p: np.linalg.norm(d) <= 4 * np.finfo(float).eps * max(1.0, np.linalg.norm(p))
    previous, ratio = None, None
    for _ in range(iterations):
        try:
            H, g = J(best), F(best)
        except StabilityError:
            break
        with np.errstate(all="ignore"):
            try:
                d = np.linalg.solve(H, g)
            except np.linalg.LinAlgError:
                d = np.linalg.lstsq(H, g, rcond=None)[0]
        if not np.all(np.isfinite(d)):
            break
        size = float(np.linalg.norm(d))
        candidates = [best - d]
        factor, ratio = schroder(size, previous, ratio)
        if factor > 1:
            candidates.insert(0, best - d * factor)
        previous = size
        moved = False
        for candidate in candidates:
            try:
                res = float(np.linalg.norm(F(candidate)))
            except StabilityError:
                continue
            if res <= best_res:
                best, best_res, moved = candidate, res, True
                break
        if not moved or tiny(d, best) or best_res == 0:
            break
    return best


def schroder(size, previous, ratio):
    """``(factor, ratio)`` for Schröder's modified Newton: with ``r`` the ratio of successive
    step sizes, two ratios that agree (a root of multiplicity k, r = (k − 1)/k) give the step
    factor ``1/(1 − r) = k``; otherwise 1. ``ratio`` is the previous ratio (None at first)."""
    if not previous:
        return 1, ratio
    r = size / previous
    factor = 1
    if ratio is not None and 0.5 <= r < 1 and abs(r - ratio) < 1e-2 * (1 - r):
        factor = int(round(float(1 / (1 - r))))
    return factor, r
