"""Differential Stackelberg equilibria of general-sum games (docs/MATHEMATICS.md §2.3): the
blocks ``(H̃xx, Gyy)`` come from the game (:meth:`GeneralSumGame.stackelberg_blocks`)."""

from dataclasses import dataclass

import numpy as np

from ..config import Default, resolve
from ..errors import StabilityError
from ..games.base import full_hessian
from ..linalg import safe_norm
from .signs import definite, eigvalsh, regular, semidefinite
from .stationarity import check_critical, criticality, norm2


@dataclass
class StackelbergClassification:
    """Differential Stackelberg verdict for a general-sum game (FR Props. 7–8):
    ``∇y g = 0``, ``Dx f = 0``, ``Gyy ≻ 0`` and ``H̃xx = ∂x Dxf − ∂y Dxf Gyy⁻¹ Gyx ≻ 0``."""

    point: np.ndarray
    residual: float
    tol: float
    eig_gyy: np.ndarray
    eig_htilde: np.ndarray
    strict_stackelberg: bool
    stackelberg_necessary: bool
    inconclusive: bool

    @property
    def verdict(self):
        if self.strict_stackelberg:
            return "differential Stackelberg equilibrium"
        return "inconclusive at second order" if self.inconclusive else "not a local Stackelberg equilibrium"

    def to_dict(self):
        return {"point": self.point.tolist(), "residual": self.residual, "tol": self.tol,
                "verdict": self.verdict, "eig_gyy": self.eig_gyy.tolist(),
                "eig_htilde": None if self.eig_htilde is None else self.eig_htilde.tolist(),
                "strict_stackelberg": self.strict_stackelberg,
                "stackelberg_necessary": self.stackelberg_necessary, "inconclusive": self.inconclusive}

    def __str__(self):
        return (f"point {self.point} (residual {self.residual:.2e}): {self.verdict}\n"
                f"  eig Gyy {self.eig_gyy}   eig H̃xx {self.eig_htilde}")


def classify_stackelberg(game, z, *, rtol=Default("equilibria.rtol"), gtol=Default("equilibria.gtol"), allow_noncritical=False):
    """Classify a critical point of a general-sum game (FR Props. 7–8); tolerances as for
    :func:`~stability.equilibria.classify`."""
    rtol, gtol = resolve(rtol), resolve(gtol)
    x, y = game.split(z)
    Gyy = np.asarray(game.follower_blocks(x, y)[2])

    def block_scale(p):
        px, py = game.split(p)
        G = full_hessian(*(np.asarray(b) for b in game.follower_blocks(px, py)))
        return max(norm2(G), norm2(full_hessian(*game.blocks_at(p))))

    # the scale at and next to the point (as for zero-sum games): it does not vanish with the
    # Hessians at a degenerate point, so neither does the zero tolerance
    scale = block_scale(z)
    h = np.cbrt(np.finfo(float).eps) * max(1.0, safe_norm(z))
    u = np.random.default_rng(0).standard_normal(z.size)
    for side in (1.0, -1.0):
        try:
            scale = max(scale, block_scale(z + side * h * u / safe_norm(u)))
        except StabilityError:
            continue
    crit = criticality(game, z, game.stationarity()[1](z), gtol)
    check_critical(z, crit, gtol, allow_noncritical)
    res = crit.residual
    tol = rtol * scale + crit.hessian_error
    eig_gyy = eigvalsh(Gyy, "Gyy")
    invertible = regular(eig_gyy, tol)
    eig_ht = eigvalsh(game.stackelberg_blocks(z)[0], "H̃xx") if invertible else None
    strict = invertible and definite(eig_gyy, tol, +1) and definite(eig_ht, tol, +1)
    necessary = semidefinite(eig_gyy, tol, +1) and (eig_ht is None or semidefinite(eig_ht, tol, +1))
    return StackelbergClassification(z, res, tol, eig_gyy, eig_ht, strict, necessary,
                                     necessary and not strict)
