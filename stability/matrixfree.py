"""Matrix-free analysis: spectral radius and classification without forming dense matrices.

The game is touched only through Hessian-vector products (``game.hvp``; a quadratic game's
blocks directly), solves with ``Hyy``/``Hxx`` (``game.solve_yy``/``solve_xx``: sparse LU for ``scipy.sparse`` blocks, MINRES
for ``LinearOperator`` blocks) and, for ``scipy.sparse`` blocks, sparse LU factorisations of
shifted Jacobians (shift-and-invert). Eigenvalues come from ARPACK (``eigs``/``eigsh``) with a
seeded starting vector; when ARPACK does not converge, a power iteration is tried, and the
result says which method produced it, whether it converged, and its relative residual
``‖Jv − λv‖/(|λ|‖v‖)`` — the one eigen-solver of :mod:`stability.linalg.eigen`.
"""

from dataclasses import dataclass
import time

import numpy as np
import scipy.sparse as sps
import scipy.sparse.linalg as spla

from .algorithms import Algorithm, as_algorithm
from .backend import check_namespace, namespace_name, standard_namespace
from .algorithms.context import Products, SparseJacobianContext, shifted_solver
from .config import Default, defaults, resolve
from .errors import (checked_call, ConvergenceError, DenseTooLargeError, InputError, NonFiniteError,
                     NotCriticalError, NotSupportedError, SingularBlockError)
from .games.base import require_exact_game, require_zero_sum
from .linalg import as_finite_array, check_invertible, count, real_number
from .linalg.blocks import apply
from .linalg.eigen import CountedOperator, Eigen, extreme_symmetric, largest_magnitude, largest_magnitude_shifted
from .linalg.krylov import NamespaceOperator, eigen_in_namespace

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

    def block(self, name, v):
        """One block's product: from the block itself for a quadratic game (half the work
        of an ``hvp``, which computes both halves)."""
        if self.game.is_quadratic:
            return apply(getattr(self.game, name), v)
        u, w = (v, np.zeros(self.m)) if name in ("Hxx", "Hyx") else (np.zeros(self.n), v)
        return self.game.hvp(self.x, self.y, u, w)[0 if name in ("Hxx", "Hxy") else 1]

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


class NamespaceProducts(Products):
    """The Hessian blocks of a quadratic game as products in an array namespace ``xp``
    (``cupy``, ``array_api_strict``): the blocks are copied there once — dense blocks with
    ``xp.asarray``, ``scipy.sparse`` blocks as ``cupyx.scipy.sparse`` matrices on CuPy (other
    namespaces have no sparse arrays: there they are made dense, within
    ``linalg.max_dense``) — and every product, concatenation and solve then runs there.
    Solves with Hyy (Hxx) use its inverse, computed there once, for dense blocks, and a
    sparse LU (CuPy's ``splu``: factorised on the host once, solved on the device) for sparse
    ones. Games given by operators or callables have no blocks to copy: their products run
    on the host, so they are refused here rather than copied vector by vector."""

    def __init__(self, game, point, xp, allow_noncritical=False, gtol=Default("equilibria.gtol")):
        host = HessianProducts(game, point, allow_noncritical, gtol)  # the checks, and ‖H‖
        if not game.is_quadratic or any(isinstance(M, spla.LinearOperator) for M in (game.Hxx, game.Hxy, game.Hyy)):
            raise NotSupportedError("matrix-free analysis in an array namespace (xp=) needs a quadratic game "
                                    "with dense or scipy.sparse blocks, which are copied there once; a game "
                                    "given by operators or callables computes its products on the host "
                                    "(call without xp)")
        self.game, self.xp, self.point = game, standard_namespace(xp), host.point
        xp = self.xp
        self.n, self.m, self.scale = game.n, game.m, host.scale
        blocks = {"Hxx": game.Hxx, "Hxy": game.Hxy, "Hyy": game.Hyy, "Hyx": game.Hxy.T}
        self._blocks = {name: self._to_device(M, name) for name, M in blocks.items()}
        self._solvers = {}

    def _to_device(self, M, name):
        xp = self.xp
        if sps.issparse(M):
            if _is_cupy(xp):
                import cupyx.scipy.sparse as csp
                return csp.csr_matrix(sps.csr_matrix(M, dtype=np.float64))
            if max(M.shape) > defaults["linalg.max_dense"]:
                raise DenseTooLargeError(f"{name} is scipy.sparse with {max(M.shape)} rows; the namespace "
                                         f"{namespace_name(xp)} has no sparse arrays and a dense copy "
                                         f"is limited to linalg.max_dense = {defaults['linalg.max_dense']} rows")
            M = M.toarray()
        return xp.asarray(np.ascontiguousarray(M, dtype=np.float64))

    def concat(self, parts):
        return self.xp.concat(parts)

    def vector(self, values):
        return self.xp.asarray(np.asarray(values, dtype=np.float64), device=getattr(self.like(), "device", None))

    def like(self):
        """An array on the device the products run on."""
        return self._blocks["Hxx"]

    def block(self, name, v):
        return self._blocks[name] @ v

    def _solve(self, name, r):
        if name not in self._solvers:
            self._solvers[name] = self._factor(name)
        return self._solvers[name](r)

    def _factor(self, name):
        xp, M, host = self.xp, self._blocks[name], getattr(self.game, name)
        if sps.issparse(host) and _is_cupy(xp):
            import cupyx.scipy.sparse.linalg as cspla
            try:
                return cspla.factorized(M.tocsc())
            except RuntimeError as exc:
                raise SingularBlockError(f"{name} is singular ({exc})") from None
        check_invertible(host.toarray() if sps.issparse(host) else host, name)
        inverse = xp.linalg.inv(M)
        if not bool(xp.all(xp.isfinite(inverse))):
            raise SingularBlockError(f"{name} is singular to working precision")
        return lambda r: inverse @ r

    def S(self, u):
        return self.hxx(u) - self.hxy(self._solve("Hyy", self.hyx(u)))

    def T(self, w):
        return self.hyy(w) - self.hyx(self._solve("Hxx", self.hxy(w)))


def _is_cupy(xp):
    return namespace_name(xp) == "cupy"


def _check_namespace(xp):
    """The standard namespace of the module ``xp`` (see :func:`stability.backend.standard_namespace`)."""
    return standard_namespace(check_namespace(xp))


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
                    max_time=Default("matrixfree.max_time"), xp=None, **hp):
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

    With an array namespace ``xp`` (``cupy``, ``array_api_strict``) a quadratic game's blocks
    are copied there once (:class:`NamespaceProducts`) and the products and the Krylov basis
    stay there: the Krylov–Schur solver of :mod:`stability.linalg.krylov` replaces ARPACK
    (host only), and shift-and-invert is not used (no device sparse LU); only the small
    projected matrix and scalars come to the host.
    """
    algorithm, tol, maxiter = _checked(algorithm, tol, maxiter, seed, hp)
    max_time = real_number(resolve(max_time), "max_time", 0.0)
    if xp is not None:
        return _namespace_radius(algorithm, game, point, tol, maxiter, seed, allow_noncritical, max_time,
                                 _check_namespace(xp))
    b = HessianProducts(game, point, allow_noncritical)
    parts = algorithm.symmetric_parts(b)
    if parts is not None:
        return _radius_from_extremes(
            parts, lambda product, size, name: CountedOperator(product, size, name=name, max_time=max_time),
            lambda op, which: extreme_symmetric(op, which, seed=seed, tol=tol, maxiter=maxiter), "arpack (eigsh on ")
    op = CountedOperator(algorithm.jvp(b), algorithm.state_size(game), name=f"{algorithm.name} Jacobian",
                         max_time=max_time)
    blocks = b.sparse_blocks()
    if algorithm.sparse_closed_form and blocks is not None and op.shape[0] >= defaults["linalg.dense_below"]:
        J = algorithm.closed_form(SparseJacobianContext(*blocks))
        # the assembled J is 1.6–3.5× cheaper to apply than the jvp (at n = m = 10⁶): it locates,
        # the jvp checks every residual
        locate = CountedOperator(J.__matmul__, op.shape[0], name=f"{algorithm.name} sparse Jacobian",
                                 deadline=op.deadline, assembled=J)
        e = largest_magnitude_shifted(op, lambda sigma: shifted_solver(J, sigma), seed=seed, tol=tol, maxiter=maxiter,
                                      locate=locate)
    else:
        e = largest_magnitude(op, seed=seed, tol=tol, maxiter=maxiter)
    return Eigen(abs(e.value), e.converged, e.residual, e.method, e.matvecs)


def _radius_from_extremes(parts, operator, extreme, method):
    """ρ of a map whose spectrum is ``∪ᵢ (aᵢ + cᵢ spec(Aᵢ))`` with symmetric ``Aᵢ``
    (:meth:`~stability.algorithms.Algorithm.symmetric_parts`) from the two extreme eigenvalues
    of each ``Aᵢ``: ``operator(product, size, name)`` wraps a product, ``extreme(op, which)``
    finds one end ("SA"/"LA"); ``method`` opens the result's method string, which names the
    operators and closes the parenthesis."""
    ends, ops = [], []
    for product, size, name, offset, coefficient in parts:
        op = operator(product, size, name)
        ops.append(op)
        ends += [(extreme(op, which), offset, coefficient) for which in ("SA", "LA")]
    radius = max(abs(a + c * e.value) for e, a, c in ends)
    return Eigen(radius, all(e.converged for e, _, _ in ends), max(e.residual for e, _, _ in ends),
                 f"{method}{' and '.join(op.name for op in ops)})", sum(op.count for op in ops))


def _namespace_radius(algorithm, game, point, tol, maxiter, seed, allow_noncritical, max_time, xp):
    """:func:`spectral_radius` with every product in the namespace ``xp``."""
    b = NamespaceProducts(game, point, xp, allow_noncritical)
    parts = algorithm.symmetric_parts(b)
    if parts is not None:
        return _radius_from_extremes(
            parts, lambda product, size, name: NamespaceOperator(product, size, xp, name=name, max_time=max_time),
            lambda op, which: eigen_in_namespace(op, which, k=1, ncv=40, tol=tol, maxiter=maxiter, seed=seed,
                                                 like=b.like()),
            f"krylov-schur in {namespace_name(xp)} (on ")
    if type(algorithm).jvp is Algorithm.jvp:
        raise NotSupportedError(f"{algorithm.name} has no Hessian-product form of its Jacobian (its jvp "
                                "differentiates the numpy update map), so it runs matrix-free on the host "
                                "only (call without xp)")
    op = NamespaceOperator(algorithm.jvp(b), algorithm.state_size(game), xp, name=f"{algorithm.name} Jacobian",
                           max_time=max_time)
    e = eigen_in_namespace(op, "LM", k=6, ncv=30, tol=tol, maxiter=maxiter, seed=seed, like=b.like())
    return Eigen(abs(e.value), e.converged, e.residual, f"{e.method} in {namespace_name(xp)}", e.matvecs)


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
             max_time=Default("matrixfree.max_time"), xp=None):
    """Strict local Nash / minimax / maximin from extreme eigenvalues of Hxx, Hyy, S and T,
    never forming a dense matrix. An eigenvalue counts as zero when ``|λ| ≤ tol · scale``,
    ``scale`` an estimate of ‖H‖₂ (the largest ‖Hu‖ over three unit vectors), so verdicts do
    not change when f is multiplied by a constant. After ``max_time`` seconds in all, the
    eigenvalues not yet found are reported not converged (their verdicts unknown). With an
    array namespace ``xp`` the products run there (see :func:`spectral_radius`)."""
    _, arpack_tol, maxiter = _checked("gda", arpack_tol, maxiter, seed)
    tol = real_number(tol, "tol", 0.0)
    max_time = real_number(resolve(max_time), "max_time", 0.0)
    deadline = time.monotonic() + max_time
    if xp is None:
        b = HessianProducts(game, point, allow_noncritical)
        solver = lambda fn, k, name, left, which: extreme_symmetric(
            CountedOperator(fn, k, name=name, max_time=left), which, seed=seed, tol=arpack_tol, maxiter=maxiter)
    else:
        b = NamespaceProducts(game, point, _check_namespace(xp), allow_noncritical)
        solver = lambda fn, k, name, left, which: eigen_in_namespace(
            NamespaceOperator(fn, k, xp, name=name, max_time=left), which, k=1, ncv=40, tol=arpack_tol,
            maxiter=maxiter, seed=seed, like=b.like())
    tol = tol * b.scale
    ops = {"Hxx": (b.hxx, game.n), "Hyy": (b.hyy, game.m), "S": (b.S, game.n), "T": (b.T, game.m)}
    needed = {"Hxx": "SA", "Hyy": "LA", "S": "SA", "T": "LA"}
    extremes = {}
    for name, (fn, k) in ops.items():
        try:
            left = max(0.0, deadline - time.monotonic())  # one time limit for all four
            extremes[name] = solver(fn, k, name, left, needed[name])
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
