"""Matrix-free analysis: spectral radius and classification without forming dense matrices.

The game is touched only through Hessian-vector products (``game.hvp``) and solves with
``Hyy``/``Hxx`` (``game.solve_yy``/``solve_xx``: sparse LU for ``scipy.sparse`` blocks, MINRES
for ``LinearOperator`` blocks). Eigenvalues come from ARPACK (``eigs``/``eigsh``) with a
seeded starting vector; when ARPACK does not converge, a power iteration is tried, and the
result says which method produced it, whether it converged, and its residual ‖Jv − λv‖/‖v‖.
"""

from dataclasses import dataclass

import numpy as np
import scipy.sparse.linalg as spla

from .errors import (checked_call, ConvergenceError, InputError, NonFiniteError, NotCriticalError,
                     NotSupportedError, SingularBlockError)
from .linalg import as_finite_array, count, real_number

RESIDUAL_TOL = 1e-8
"""Largest relative residual ‖Av − λv‖/(‖A‖‖v‖) for an eigenvalue to count as converged."""


@dataclass(frozen=True)
class Eigen:
    """One eigenvalue with its provenance: ``method`` ("arpack" or "power"), ``converged``,
    and the relative residual ``‖Av − λv‖ / (|λ|‖v‖)`` it was checked with."""

    value: complex
    converged: bool
    residual: float
    method: str
    matvecs: int


DENSE_BELOW = 64
"""Operators with fewer rows are turned into dense matrices (n products) and solved exactly:
ARPACK needs k < n − 1 and gains nothing at such sizes."""


class _Counted(spla.LinearOperator):
    def __init__(self, matvec, n, dtype=float, name="operator"):
        super().__init__(dtype=np.dtype(dtype), shape=(n, n))
        self._fn, self.count, self.name = matvec, 0, name

    def _matvec(self, v):
        self.count += 1
        v = np.asarray(v).ravel()
        if np.iscomplexobj(v):  # the operators are real: apply to both parts
            out = self._fn(np.ascontiguousarray(v.real)) + 1j * self._fn(np.ascontiguousarray(v.imag))
        else:
            out = self._fn(v)
        if not np.all(np.isfinite(out)):
            raise NonFiniteError(f"the {self.name} product returned NaN or infinite values "
                                 "(the game's hvp/solve at this point is not finite)")
        return out

    def dense(self):
        return np.column_stack([self.matvec(e) for e in np.eye(self.shape[0])])


def _rel_residual(op, vec, lam):
    vec = vec / np.linalg.norm(vec)
    return float(np.linalg.norm(op.matvec(vec) - lam * vec) / max(abs(lam), np.finfo(float).tiny))


def _largest_magnitude(op, seed, tol, maxiter):
    """The eigenvalue of largest modulus of a (non-symmetric) operator."""
    if op.shape[0] < DENSE_BELOW:
        vals = np.linalg.eigvals(op.dense())
        return Eigen(complex(vals[np.argmax(np.abs(vals))]), True, 0.0, "dense", op.count)
    v0 = np.random.default_rng(seed).standard_normal(op.shape[0])
    try:
        vals, vecs = spla.eigs(op, k=1, which="LM", v0=v0, tol=tol, maxiter=maxiter,
                               ncv=min(op.shape[0] - 1, 40))
        lam, vec = complex(vals[0]), vecs[:, 0]
        res = _rel_residual(op, vec, lam)
        return Eigen(lam, res <= RESIDUAL_TOL, res, "arpack", op.count)
    except spla.ArpackNoConvergence:
        pass
    except spla.ArpackError as exc:  # a breakdown: the zero operator, or an invariant start
        return _after_breakdown(op, seed, exc)
    # power iteration: ‖Aᵏv‖^(1/k) → ρ even when the dominant eigenvalues are a complex pair
    v = v0 / np.linalg.norm(v0)
    log_growth, estimates = 0.0, []
    for k in range(1, maxiter + 1):
        w = op.matvec(v)
        norm = np.linalg.norm(w)
        if norm == 0:
            return Eigen(0.0, True, 0.0, "power", op.count)
        log_growth += np.log(norm)
        v = w / norm
        estimates.append(np.exp(log_growth / k))
    # ‖Aᵏv‖^(1/k) converges only like 1/k: report it, never as converged
    return Eigen(complex(estimates[-1]), False, float("nan"), "power (estimate)", op.count)


def _extreme_symmetric(op, which, seed, tol, maxiter):
    """The largest ('LA') or smallest ('SA') eigenvalue of a symmetric operator."""
    if op.shape[0] < DENSE_BELOW:
        D = op.dense()
        vals = np.linalg.eigvalsh((D + D.T) / 2)
        return Eigen(float(vals[-1] if which == "LA" else vals[0]), True, 0.0, "dense", op.count)
    v0 = np.random.default_rng(seed).standard_normal(op.shape[0])
    try:
        vals, vecs = spla.eigsh(op, k=1, which=which, v0=v0, tol=tol, maxiter=maxiter,
                                ncv=min(op.shape[0] - 1, 40))
        lam, vec = float(vals[0]), vecs[:, 0]
        res = _rel_residual(op, vec, lam)
        return Eigen(lam, res <= RESIDUAL_TOL, res, "arpack", op.count)
    except spla.ArpackNoConvergence as exc:
        if len(exc.eigenvalues):
            lam, vec = float(exc.eigenvalues[0]), exc.eigenvectors[:, 0]
            return Eigen(lam, False, _rel_residual(op, vec, lam), "arpack (not converged)", op.count)
        return Eigen(float("nan"), False, float("nan"), "arpack (not converged)", op.count)
    except spla.ArpackError as exc:
        return _after_breakdown(op, seed, exc)


def _after_breakdown(op, seed, exc):
    """ARPACK stopped with an error (e.g. "starting vector is zero" after A·v₀ = 0): the zero
    operator has the exact eigenvalue 0; otherwise the eigenvalue is reported as unknown."""
    probes = np.random.default_rng(seed + 1).standard_normal((3, op.shape[0]))
    if all(not np.any(op.matvec(v)) for v in probes):
        return Eigen(0.0, True, 0.0, "zero operator", op.count)
    return Eigen(float("nan"), False, float("nan"), f"arpack error ({exc})", op.count)


class Blocks:
    """Hessian blocks at a point as matrix-free products and solves."""

    def __init__(self, game, point, allow_noncritical=False, gtol=1e-8):
        from .games.base import require_exact_game, require_zero_sum
        require_exact_game(require_zero_sum(game, "matrix-free analysis"))
        z = as_finite_array(getattr(point, "point", point), "point", ndim=1)
        self.game = game
        self.x, self.y = game.split(z)
        self.n, self.m = game.n, game.m
        self.scale = self._scale()
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
                if gap > 1e-6 * max(best, np.finfo(float).tiny):  # autodiff or differenced hvps: ~1e-8
                    raise InputError(f"the game's Hessian-vector product is not symmetric at the point "
                                     f"(|uᵀHv − vᵀHu| = {gap:.3g} for unit u, v; ‖H‖ ≥ {best:.3g}): "
                                     "hvp must return (Hxx u + Hxy w, Hxyᵀ u + Hyy w)")
        return best

    def hxx(self, u):
        return self.game.hvp(self.x, self.y, u, np.zeros(self.m))[0]

    def hyy(self, w):
        return self.game.hvp(self.x, self.y, np.zeros(self.n), w)[1]

    def hxy(self, w):
        return self.game.hvp(self.x, self.y, np.zeros(self.n), w)[0]

    def hyx(self, u):
        return self.game.hvp(self.x, self.y, u, np.zeros(self.m))[1]

    def V(self, v):
        a, b = self.game.hvp(self.x, self.y, v[:self.n], v[self.n:])
        return np.concatenate([a, -b])

    def S(self, u):
        return self.hxx(u) - self.hxy(self.game.solve_yy(self.x, self.y, self.hyx(u)))

    def T(self, w):
        return self.hyy(w) - self.hyx(self.game.solve_xx(self.x, self.y, self.hxy(w)))


def _checked(algorithm, tol, maxiter, seed, hp=None):
    from .algorithms.base import as_algorithm
    algorithm = as_algorithm(algorithm, **(hp or {}))
    algorithm._require_numeric()
    tol = real_number(tol, "tol", 0.0)
    maxiter = count(maxiter, "maxiter", high=10 ** 9)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError(f"seed must be a non-negative integer, got {seed!r}")
    return algorithm, tol, maxiter


@checked_call
def jacobian_operator(algorithm, game, point, allow_noncritical=False, **hp):
    """The Jacobian of ``algorithm``'s update at ``point`` as a ``LinearOperator``: exact
    closed forms for GDA, EG and OGDA (through ``V`` products); for any other algorithm the
    directional derivative of its own update map by central differences (exact up to
    rounding on quadratic games, where the map is affine)."""
    algorithm, _, _ = _checked(algorithm, 0.0, 1, 0, hp)
    b = Blocks(game, point, allow_noncritical)
    N = game.n + game.m
    name = algorithm.name
    if name in ("gda", "eg", "ogda"):
        D = np.concatenate([np.full(game.n, algorithm.lr_x), np.full(game.m, algorithm.lr_y)])
        DV = lambda v: D * b.V(v)
        if name == "gda":
            return _Counted(lambda v: v - DV(v), N, name="GDA Jacobian")
        if name == "eg":
            return _Counted(lambda v: v - DV(v) + DV(DV(v)), N, name="EG Jacobian")
        return _Counted(lambda v: np.concatenate([v[:N] - 2 * DV(v[:N]) + DV(v[N:]), v[:N]]), 2 * N,
                        name="OGDA Jacobian")
    state = algorithm.fixed_point_state(game, np.concatenate([b.x, b.y]))
    scale = 1e-5 * max(1.0, np.abs(state).max())  # step of the central difference: O(h²) error

    def jvp(v):
        h = scale / max(np.abs(v).max(), np.finfo(float).tiny)
        out = algorithm.step(game, np.stack([state + h * v, state - h * v]))
        return (out[0] - out[1]) / (2 * h)
    return _Counted(jvp, len(state), name=f"{name} Jacobian")


@checked_call
def spectral_radius(algorithm, game, point, tol=1e-10, maxiter=5000, seed=0, *, allow_noncritical=False,
                    **hp):
    """``ρ`` of the update map's Jacobian without a dense matrix.

    FR (plain) uses its structure: its spectrum is ``1 − ηx spec(S) ∪ 1 + ηy spec(Hyy)``, real,
    so ρ comes from the four extreme eigenvalues of the symmetric operators ``S`` (with inner
    ``Hyy`` solves) and ``Hyy`` (``eigsh``). Other algorithms: ``eigs`` on
    :func:`jacobian_operator`. Returns an :class:`Eigen` whose ``value`` is ρ. Keywords in
    ``hp`` set hyperparameters, as for :func:`stability.spectral_radius`.
    """
    algorithm, tol, maxiter = _checked(algorithm, tol, maxiter, seed, hp)
    if algorithm.name == "fr" and algorithm.P_x is None and algorithm.P_y is None:
        b = Blocks(game, point, allow_noncritical)
        S, Hyy = _Counted(b.S, game.n, name="S"), _Counted(b.hyy, game.m, name="Hyy")
        ends = [(_extreme_symmetric(S, w, seed, tol, maxiter), -algorithm.lr_x) for w in ("SA", "LA")]
        ends += [(_extreme_symmetric(Hyy, w, seed, tol, maxiter), algorithm.lr_y) for w in ("SA", "LA")]
        radius = max(abs(1 + step * e.value) for e, step in ends)
        return Eigen(radius, all(e.converged for e, _ in ends), max(e.residual for e, _ in ends),
                     "arpack (eigsh on S and Hyy)", S.count + Hyy.count)
    op = jacobian_operator(algorithm, game, point, allow_noncritical)
    e = _largest_magnitude(op, seed, tol, maxiter)
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
def classify(game, point, tol=1e-8, arpack_tol=1e-10, maxiter=5000, seed=0, *, allow_noncritical=False):
    """Strict local Nash / minimax / maximin from extreme eigenvalues of Hxx, Hyy, S and T,
    never forming a dense matrix. An eigenvalue counts as zero when ``|λ| ≤ tol · scale``,
    ``scale`` an estimate of ‖H‖₂ (the largest ‖Hu‖ over three unit vectors), so verdicts do
    not change when f is multiplied by a constant."""
    _, arpack_tol, maxiter = _checked("gda", arpack_tol, maxiter, seed)
    tol = real_number(tol, "tol", 0.0)
    b = Blocks(game, point, allow_noncritical)
    tol = tol * b.scale
    ops = {"Hxx": (b.hxx, game.n), "Hyy": (b.hyy, game.m), "S": (b.S, game.n), "T": (b.T, game.m)}
    needed = {"Hxx": "SA", "Hyy": "LA", "S": "SA", "T": "LA"}
    extremes = {}
    for name, (fn, k) in ops.items():
        try:
            extremes[name] = _extreme_symmetric(_Counted(fn, k, name=name), needed[name], seed,
                                                arpack_tol, maxiter)
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
