"""Where a point is stable: the hyperparameter intervals on which ρ < 1 (:class:`StableSet`)
and GDA's step-size bound (docs/MATHEMATICS.md §4, docs/NUMERICS.md §4)."""

from dataclasses import dataclass

import numpy as np
import scipy.optimize as opt

from ..algorithms import JacobianContext, as_algorithm
from ..backend import game_jacobian
from ..config import defaults
from .. import formatting
from ..errors import InputError, SingularBlockError, checked_call
from ..games.base import require_zero_sum
from ..plotting import plot_stable_set
from ..linalg import count, interval, real_number, warn
from .cache import SpectrumCache
from .rates import stability_verdict
from .sweeps import Sweep, sweep


# --- stable step sizes -------------------------------------------------------------------
@dataclass
class StableSet:
    """The values of ``param`` in ``(lo, hi)`` where the point is strictly stable, as disjoint
    open intervals on which ``ρ < 1 − margin`` (:func:`stability_verdict`); boundaries are
    roots of ``ρ − 1`` (or of ``ρ − (1 − margin)`` next to a marginal value) to ``xtol``.
    ``marginal`` lists, to the grid's resolution, the intervals where ``|ρ − 1| ≤ margin``:
    there floating point cannot tell stable from unstable (e.g. ρ ≡ 1 for alternating GDA
    on a bilinear game), and nothing is claimed."""

    algorithm: str
    param: str
    intervals: list
    sweep: Sweep
    marginal: list = None
    margin: float = 0.0

    def contains(self, value):
        """Whether ``value`` lies in one of the stable intervals."""
        value = real_number(value, "value")
        return any(a < value < b for a, b in self.intervals)

    @property
    def empty(self):
        return not self.intervals

    def to_dict(self):
        """Plain data (JSON-ready): the intervals, the marginal ones, the margin and the sweep."""
        return {"algorithm": self.algorithm, "param": self.param,
                "intervals": [[float(a), float(b)] for a, b in self.intervals],
                "marginal": [[float(a), float(b)] for a, b in (self.marginal or [])],
                "margin": self.margin, "sweep": self.sweep.to_dict()}

    def plot(self, ax=None):
        """ρ over the hyperparameter with the stable intervals shaded (and the marginal ones
        hatched); returns the line of ρ."""
        return plot_stable_set(self, ax=ax)

    def _set(self, latex, digits=10):
        sym = formatting.LATEX_SYMBOLS.get(self.param, self.param) if latex else formatting.SYMBOLS.get(
            self.param, self.param)
        num = lambda v: formatting.number(v, digits).replace("−", "-" if latex else "−")
        if not self.intervals:
            return f"{sym} \\in \\emptyset" if latex else f"{sym} ∈ ∅"
        parts = [f"({num(a)}, {num(b)})" for a, b in self.intervals]
        return f"{sym} \\in " + " \\cup ".join(parts) if latex else f"{sym} ∈ " + " ∪ ".join(parts)

    def __str__(self):
        text = f"{self.algorithm}: ρ < 1 for {self._set(False)}"
        if self.marginal:
            text += " (undecided, |ρ − 1| ≤ margin: " + ", ".join(
                f"[{formatting.number(a)}, {formatting.number(b)}]" for a, b in self.marginal) + ")"
        return text

    def _repr_latex_(self):
        return f"${self._set(True)}$"


@checked_call
def stable_step_sizes(algorithm, game, point, param="lr", bounds=(0.0, 2.0), num=2000,
                      xtol=1e-12, executor=None, chunks=8, *, allow_noncritical=False, xp=None, **hp):
    """Where ``ρ(param) < 1`` within ``bounds``.

    ρ is continuous in the hyperparameter, so every boundary is a sign change of ``ρ − 1``:
    a grid of ``num`` values (one structured factorisation, reused) brackets each one and
    Brent's method refines it to ``xtol``. A tangency (ρ touching 1 between grid points
    without crossing) is not an interval of stability and is correctly absent. With an
    ``executor`` the grid runs as ``chunks`` parallel parts (see :func:`sweep`).
    """
    lo, hi = interval(bounds, "bounds")
    num = count(num, "num", 2, high=10 ** 6)
    if lo < 0:
        raise InputError(f"bounds must satisfy 0 <= lo < hi, got {bounds!r}")
    values = np.linspace(lo, hi, num + 1)[1:] if lo == 0 else np.linspace(lo, hi, num)
    xtol = real_number(xtol, "xtol", 0.0)
    if not xtol > 0:
        raise InputError(f"xtol must be > 0, got {xtol!r}")
    s = sweep(algorithm, game, point, param, values, executor=executor, chunks=chunks,
              allow_noncritical=allow_noncritical, xp=xp, **hp)
    base = as_algorithm(algorithm, **hp)
    spectra = SpectrumCache(game, point, allow_noncritical, xp)
    def rho(v):
        try:
            return spectra.radius(base.with_hyperparameter(param, v))
        except SingularBlockError:
            return np.inf  # undefined there: not stable
    margin = defaults["spectral.rho_margin"]
    verdicts = [stability_verdict(r, margin) for r in s.radius]
    stable = np.array([v is True for v in verdicts])

    def edge(i):  # the boundary between grid values i - 1 and i (exactly one of them stable)
        a, b = values[i - 1], values[i]
        other = verdicts[i] if stable[i - 1] else verdicts[i - 1]
        level = 1.0 if other is False else 1.0 - margin  # next to a marginal value: ρ = 1 − margin
        return opt.brentq(lambda v: rho(v) - level, a, b, xtol=xtol)

    intervals, start = [], (lo if stable[0] else None)
    for i in range(1, len(values)):
        if stable[i] != stable[i - 1]:
            if stable[i]:
                start = edge(i)
            else:
                intervals.append((start, edge(i)))
                start = None
    if start is not None:
        intervals.append((start, hi))
    marginal, first = [], None
    for i, v in enumerate(verdicts + [False]):
        if v is None and first is None:
            first = i
        elif v is not None and first is not None:
            marginal.append((float(values[first]), float(values[i - 1])))
            first = None
    if marginal:
        warn(f"{base.name}: ρ is within {margin:.2g} of 1 on {len(marginal)} interval(s) of "
             f"{param} (first {marginal[0][0]:.6g} … {marginal[0][1]:.6g}); floating point cannot "
             "decide stability there, and those values are not claimed stable")
    return StableSet(base.name, param, intervals, s, marginal, margin)


@checked_call
def gda_step_size_bound(game, point, ratio=1.0, *, allow_noncritical=False):
    """Numerics of GANs Lemma 4 for GDA with ``ηy = c ηx``: the point is strictly stable iff
    every eigenvalue λ of ``diag(I, cI)V`` has ``Re λ > 0`` and ``ηx < 2 Re λ / |λ|²``.

    Returns the supremum of stable ``ηx`` (0 when some ``Re λ <= 0``: unstable for all η)."""
    ratio = real_number(ratio, "ratio", 0.0)
    if not ratio > 0:
        raise InputError(f"ratio must be > 0, got {ratio!r}")
    require_zero_sum(game, "gda_step_size_bound")
    ctx = JacobianContext(game, point, allow_noncritical=allow_noncritical)
    lam = np.linalg.eigvals(game_jacobian(ctx.Hxx, ctx.Hxy, ctx.Hyy, ratio=ratio))
    if np.any(lam.real <= 0):
        return 0.0
    return float(np.min(2 * lam.real / np.abs(lam) ** 2))
