"""Matrix-free analysis: spectral radius and classification without forming dense matrices.

The game is touched only through Hessian-vector products (``game.hvp``; a quadratic game's
blocks directly), solves with ``Hyy``/``Hxx`` (``game.solve_yy``/``solve_xx``: sparse LU for ``scipy.sparse`` blocks, MINRES
for ``LinearOperator`` blocks) and, for ``scipy.sparse`` blocks, sparse LU factorisations of
shifted Jacobians (shift-and-invert). Eigenvalues come from ARPACK (``eigs``/``eigsh``) with a
seeded starting vector; when ARPACK does not converge, a power iteration is tried, and the
result says which method produced it, whether it converged, and its relative residual
‖Jv − λv‖/(|λ|‖v‖) — the one eigen-solver of :mod:`stability.linalg.eigen`.
"""

from dataclasses import dataclass
import time

import numpy as np
import scipy.sparse as sps

from .algorithms import as_algorithm
from .algorithms.context import Products, SparseJacobianContext, shifted_solver
from .config import Default, defaults, resolve
from .errors import (checked_call, ConvergenceError, InputError, NonFiniteError, NotCriticalError,
                     NotSupportedError, SingularBlockError)
from .games.base import require_exact_game, require_zero_sum
from .linalg import as_finite_array, count, real_number
from .linalg.blocks import apply
from .linalg.eigen import CountedOperator, Eigen, extreme_symmetric, largest_magnitude, largest_magnitude_shifted

class HessianProducts(Products):
    """The Hessian blocks at a point as matrix-free products and solves (what an algorithm's
    :meth:`~stability.algorithms.Algorithm.jvp` is built from)."""

    def __init__(self, game, point, allow_noncritical=False, gtol=Default("equilibria.gtol")):
        require_exact_game(require_zero_sum(game, "matrix-free analysis"))
        z = as_finite_array(getattr(point, "point", point), "point", ndim=1)
        self.game = game
        self.x, self.y = game.split(z)
        self.point = z
        self.n, self.m = game.n, game.m
        self.scale = self._scale()
        gtol = resolve(gtol)
        if not allow_noncritical:
            res = float(np.linalg.norm(game.gradient_at(z)))
            limit = gtol * self.scale * max(1.0, float(np.linalg.norm(z)))
            if res > limit:
                raise NotCriticalError(
                    f"point is not critical: gradient residual {res:.3g} > tolerance {limit:.3g} "
                    f"(gtol · Hessian scale {self.scale:.3g} · max(1, |z|)); pass allow_noncritical=True")

    def _scale(self):
        """A lower estimate of ‖H‖₂: the largest ‖H u‖ over three seeded unit vectors. The
        same products check that H is symmetric (uᵀHv = vᵀHu), as a Hessian is: an ``hvp``
        whose Hyx is not Hxyᵀ would otherwise be half ignored by the symmetric solvers."""
        rng = np.random.default_rng(0)
        best, us, Hus = 0.0, [], []
        for _ in range(3):
            u = rng.standard_normal(self.n + self.m)
            u /= np.linalg.norm(u)
            a, b = self.game.hvp(self.x, self.y, u[:self.n], u[self.n:])
            v = np.concatenate([a, b])
            if not np.all(np.isfinite(v)):
                raise NonFiniteError("the game's Hessian-vector product at the point is not finite")
            best = max(best, float(np.linalg.norm(v)))
            us.append(u)
            Hus.append(v)
        for i in range(3):
            for j in range(i):
                gap = abs(us[i] @ Hus[j] - us[j] @ Hus[i])
                if gap > defaults["linalg.hvp_symmetry_rtol"] * max(best, np.finfo(float).tiny):
                    raise InputError(f"the game's Hessian-vector product is not symmetric at the point "
                                     f"(|uᵀHv − vᵀHu| = {gap:.3g} for unit u, v; ‖H‖ ≥ {best:.3g}): "
                                     "hvp must return (Hxx u + Hxy w, Hxyᵀ u + Hyy w)")
        return best

    def sparse_blocks(self):
        """``(Hxx, Hxy, Hyy)`` when the game holds them as ``scipy.sparse`` matrices (a
        quadratic game), for sparse factorisations; else None."""
        if not self.game.is_quadratic:
            return None
        blocks = (self.game.Hxx, self.game.Hxy, self.game.Hyy)
        return blocks if all(sps.issparse(M) for M in blocks) else None

    def _block(self, name, v):
        """One block's product: from the block itself for a quadratic game (half the work
        of an ``hvp``, which computes both halves)."""
        if self.game.is_quadratic:
            return apply(getattr(self.game, name), v)
        u, w = (v, np.zeros(self.m)) if name in ("Hxx", "Hyx") else (np.zeros(self.n), v)
        return self.game.hvp(self.x, self.y, u, w)[0 if name in ("Hxx", "Hxy") else 1]

    def hxx(self, u):
        return self._block("Hxx", u)

    def hyy(self, w):
        return self._block("Hyy", w)

    def hxy(self, w):
        return self._block("Hxy", w)

    def hyx(self, u):
        return self._block("Hyx", u)

    def V(self, v):
        """``V v`` with the game Jacobian ``V = [[Hxx, Hxy], [−Hyx, −Hyy]]``."""
        a, b = self.game.hvp(self.x, self.y, v[:self.n], v[self.n:])
        return np.concatenate([a, -b])

    def VT(self, v):
        """``Vᵀ v`` (``Vᵀ = [[Hxx, −Hxy], [Hyx, −Hyy]]``): one product."""
        a, b = self.game.hvp(self.x, self.y, v[:self.n], -v[self.n:])
        return np.concatenate([a, b])


    def S(self, u):
        return self.hxx(u) - self.hxy(self.game.solve_yy(self.x, self.y, self.hyx(u)))

    def T(self, w):
        return self.hyy(w) - self.hyx(self.game.solve_xx(self.x, self.y, self.hxy(w)))


def _checked(algorithm, tol, maxiter, seed, hp=None):
    algorithm = as_algorithm(algorithm, **(hp or {}))
    algorithm.require_numeric()
    tol = real_number(tol, "tol", 0.0)
    maxiter = count(maxiter, "maxiter", high=10 ** 9)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError(f"seed must be a non-negative integer, got {seed!r}")
    return algorithm, tol, maxiter


@checked_call
def jacobian_operator(algorithm, game, point, allow_noncritical=False, **hp):
    """The Jacobian of ``algorithm``'s update at ``point`` as a ``LinearOperator``, from the
    algorithm's own :meth:`~stability.algorithms.Algorithm.jvp`: exact Hessian-product forms
    where the algorithm has one (GDA, EG, OGDA), else the directional derivative of its update
    map by central differences (exact up to rounding on quadratic games)."""
    algorithm, _, _ = _checked(algorithm, 0.0, 1, 0, hp)
    b = HessianProducts(game, point, allow_noncritical)
    return CountedOperator(algorithm.jvp(b), algorithm.state_size(game), name=f"{algorithm.name} Jacobian")


@checked_call
def spectral_radius(algorithm, game, point, tol=1e-10, maxiter=5000, seed=0, *, allow_noncritical=False,
                    max_time=Default("matrixfree.max_time"), **hp):
    """``ρ`` of the update map's Jacobian without a dense matrix.

    An algorithm whose spectrum is an affine image of the spectra of symmetric operators
    (:meth:`~stability.algorithms.Algorithm.symmetric_parts`; plain FR: ``1 − ηx spec(S) ∪
    1 + ηy spec(Hyy)``, HessianFR and GDN alike, real) gets ρ from their extreme eigenvalues (``eigsh``, inner ``Hyy``
    solves for S). Other algorithms: ``eigs`` on :func:`jacobian_operator`; where the game's
    blocks are ``scipy.sparse`` and the algorithm's closed form stays sparse
    (``sparse_closed_form``: GDA, EG, OGDA, PM, CO, SGA, heavy ball, LEAD), Arnoldi to 1e-3
    locates the dominant eigenvalue and shift-and-invert about it (one sparse LU of
    ``J − σI``, or of its half-size form for maps with memory) converges in tens of solves
    where the spectrum crowds the circle
    (:func:`~stability.linalg.eigen.largest_magnitude_shifted`). Returns an
    :class:`~stability.linalg.eigen.Eigen` whose ``value`` is ρ. Keywords in ``hp`` set
    hyperparameters, as for :func:`stability.spectral_radius`. After ``max_time`` seconds the
    solver stops and the result says "time limit (not converged)".
    """
    algorithm, tol, maxiter = _checked(algorithm, tol, maxiter, seed, hp)
    max_time = real_number(resolve(max_time), "max_time", 0.0)
    b = HessianProducts(game, point, allow_noncritical)
    parts = algorithm.symmetric_parts(b)
    if parts is not None:
        ends, ops = [], []
        for product, size, name, offset, coefficient in parts:
            op = CountedOperator(product, size, name=name, max_time=max_time)
            ops.append(op)
            ends += [(extreme_symmetric(op, w, seed=seed, tol=tol, maxiter=maxiter), offset, coefficient)
                     for w in ("SA", "LA")]
        radius = max(abs(a + c * e.value) for e, a, c in ends)
        return Eigen(radius, all(e.converged for e, _, _ in ends), max(e.residual for e, _, _ in ends),
                     f"arpack (eigsh on {' and '.join(op.name for op in ops)})", sum(op.count for op in ops))
    op = CountedOperator(algorithm.jvp(b), algorithm.state_size(game), name=f"{algorithm.name} Jacobian",
                         max_time=max_time)
    blocks = b.sparse_blocks()
    if algorithm.sparse_closed_form and blocks is not None and op.shape[0] >= defaults["linalg.dense_below"]:
        J = algorithm.closed_form(SparseJacobianContext(*blocks))
        e = largest_magnitude_shifted(op, lambda sigma: shifted_solver(J, sigma), seed=seed, tol=tol, maxiter=maxiter)
    else:
        e = largest_magnitude(op, seed=seed, tol=tol, maxiter=maxiter)
    return Eigen(abs(e.value), e.converged, e.residual, e.method, e.matvecs)


@dataclass
class MatrixFreeClassification:
    """Verdicts from extreme eigenvalues (each an :class:`Eigen`); ``None`` where a block could
    not be applied. A verdict is ``None`` (unknown) when an eigenvalue it needs did not converge
    or lies within ``tol`` of zero."""

    extremes: dict
    tol: float
    strict_local_nash: object
    strict_local_minimax: object
    strict_local_maximin: object

    @property
    def converged(self):
        return all(e.converged for e in self.extremes.values())


@checked_call
def classify(game, point, tol=1e-8, arpack_tol=1e-10, maxiter=5000, seed=0, *, allow_noncritical=False,
             max_time=Default("matrixfree.max_time")):
    """Strict local Nash / minimax / maximin from extreme eigenvalues of Hxx, Hyy, S and T,
    never forming a dense matrix. An eigenvalue counts as zero when ``|λ| ≤ tol · scale``,
    ``scale`` an estimate of ‖H‖₂ (the largest ‖Hu‖ over three unit vectors), so verdicts do
    not change when f is multiplied by a constant. After ``max_time`` seconds in all, the
    eigenvalues not yet found are reported not converged (their verdicts unknown)."""
    _, arpack_tol, maxiter = _checked("gda", arpack_tol, maxiter, seed)
    tol = real_number(tol, "tol", 0.0)
    max_time = real_number(resolve(max_time), "max_time", 0.0)
    deadline = time.monotonic() + max_time
    b = HessianProducts(game, point, allow_noncritical)
    tol = tol * b.scale
    ops = {"Hxx": (b.hxx, game.n), "Hyy": (b.hyy, game.m), "S": (b.S, game.n), "T": (b.T, game.m)}
    needed = {"Hxx": "SA", "Hyy": "LA", "S": "SA", "T": "LA"}
    extremes = {}
    for name, (fn, k) in ops.items():
        try:
            left = max(0.0, deadline - time.monotonic())  # one time limit for all four
            extremes[name] = extreme_symmetric(CountedOperator(fn, k, name=name, max_time=left), needed[name],
                                               seed=seed, tol=arpack_tol, maxiter=maxiter)
        except (NotSupportedError, SingularBlockError, ConvergenceError):
            continue  # a singular Hyy (Hxx): S (T) is undefined, so its verdicts are unknown
    def sign(name, positive):
        e = extremes.get(name)
        if e is None or not e.converged or abs(e.value) <= tol:
            return None
        return (e.value > 0) if positive else (e.value < 0)
    nash = _and(sign("Hxx", True), sign("Hyy", False))
    minimax = _and(sign("Hyy", False), sign("S", True))
    maximin = _and(sign("Hxx", True), sign("T", False))
    return MatrixFreeClassification(extremes, tol, nash, minimax, maximin)


def _and(a, b):
    """Three-valued and: False if either is False, None if either is unknown, else True."""
    if a is False or b is False:
        return False
    if a is None or b is None:
        return None
    return True
