"""The one eigen-solver: extreme eigenvalues of an operator, residual-checked, with fallback.

Every eigenvalue reported from an iterative solver is checked by its *relative residual*

    r(λ, v) = ‖A v − λ v‖ / (max(|λ|, tiny) · ‖v‖),

the one definition used everywhere (dense Jacobians of the spectral table and matrix-free
operators alike), against the one tolerance ``config.defaults["linalg.eigen_residual"]``.
A residual ``r`` means ``λ`` is an exact eigenvalue of ``A − r|λ| u vᵀ`` for unit ``u``, ``v``
(backward error ``r|λ|``; docs/NUMERICS.md §2). Small operators (fewer rows than
``linalg.dense_below``) are made dense and solved exactly: ARPACK needs ``k < n − 1`` and gains
nothing there.
"""

from dataclasses import dataclass
import time

import numpy as np
import scipy.sparse as sps
import scipy.sparse.linalg as spla

from ..config import defaults
from ..errors import NonFiniteError
from .toar import NotLocated, SinglePrecisionOverflow, locate_companion


@dataclass(frozen=True)
class Eigen:
    """One eigenvalue with its provenance: ``method`` ("dense", "arpack", "power", …),
    ``converged``, the relative residual it was checked with, and the operator products
    (``matvecs``) it cost."""

    value: complex
    converged: bool
    residual: float
    method: str
    matvecs: int

    def to_dict(self):
        v = complex(self.value)
        return {"value": v.real if v.imag == 0 else [v.real, v.imag], "converged": self.converged,
                "residual": self.residual, "method": self.method, "matvecs": self.matvecs}


class OutOfTime(Exception):
    """Raised inside a product once the operator's deadline has passed (ARPACK cannot be
    stopped otherwise); the solvers turn it into a not-converged :class:`Eigen`."""


class CountedOperator(spla.LinearOperator):
    """A real square operator from a function ``v ↦ A v`` that counts its products, refuses
    non-finite results (named after ``name`` in the error) and, with ``max_time`` seconds,
    stops the solver using it once they have passed. ``assembled``, when given, is the
    operator as a matrix — a ``scipy.sparse`` array, or a one-step-memory companion
    ``[[P, R], [I, 0]]`` with attributes ``P`` and ``R`` — which the single-precision
    location applies in float32 itself (half the memory traffic of a float64 product)."""

    def __init__(self, matvec, n, dtype=float, name="operator", max_time=None, deadline=None, assembled=None):
        super().__init__(dtype=np.dtype(dtype), shape=(n, n))
        self._fn, self.count, self.name, self.assembled = matvec, 0, name, assembled
        self.deadline = deadline if max_time is None else time.monotonic() + max_time

    def tick(self):
        """Count one product; past the deadline, raise :class:`OutOfTime` instead."""
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise OutOfTime
        self.count += 1

    def _matvec(self, v):
        self.tick()
        v = np.asarray(v).ravel()
        if np.iscomplexobj(v) and self.dtype.kind != "c":  # a real operator: apply to both parts
            out = self._fn(np.ascontiguousarray(v.real)) + 1j * self._fn(np.ascontiguousarray(v.imag))
        else:
            out = self._fn(v)
        if not np.all(np.isfinite(out)):
            raise NonFiniteError(f"the {self.name} product returned NaN or infinite values "
                                 "(the game's hvp/solve at this point is not finite)")
        return out

    def dense(self):
        """The operator as a dense matrix (``n`` products)."""
        return np.column_stack([self.matvec(e) for e in np.eye(self.shape[0])])


def relative_residual(op, vec, lam):
    """``‖A v − λ v‖ / (max(|λ|, tiny) ‖v‖)``: the one residual of an eigenpair (``op`` a
    :class:`CountedOperator`, which applies a real operator to a complex vector by parts)."""
    vec = vec / np.linalg.norm(vec)
    return float(np.linalg.norm(op.matvec(vec) - lam * vec) / max(abs(lam), np.finfo(float).tiny))


def _seed_vector(n, seed):
    return np.random.default_rng(seed).standard_normal(n)


def _small(op):
    return op.shape[0] < defaults["linalg.dense_below"]


def largest_magnitude(op, *, k=1, seed=0, tol=1e-10, maxiter=None, matrix=None):
    """The eigenvalue of largest modulus of a square operator, as an :class:`Eigen` (see
    :func:`_largest_magnitude`); past the operator's deadline, a not-converged result."""
    try:
        return _largest_magnitude(op, k=k, seed=seed, tol=tol, maxiter=maxiter, matrix=matrix)
    except OutOfTime:
        return _out_of_time(op)


def extreme_symmetric(op, which, *, seed=0, tol=1e-10, maxiter=None):
    """The largest (``which="LA"``) or smallest (``"SA"``) eigenvalue of a symmetric operator
    (``eigsh``, seeded start, residual-checked), as an :class:`Eigen`; past the operator's
    deadline, a not-converged result."""
    try:
        return _extreme_symmetric(op, which, seed=seed, tol=tol, maxiter=maxiter)
    except OutOfTime:
        return _out_of_time(op)


def _largest_magnitude(op, *, k=1, seed=0, tol=1e-10, maxiter=None, matrix=None):
    """ARPACK (``eigs``, ``k`` eigenvalues of largest modulus, seeded start) and a residual check
    of each of them. When ARPACK fails (no convergence, or a residual above tolerance) and a
    dense ``matrix`` of the operator is given (or a function that builds it, called only
    then), the full dense eigensolver decides; without
    one, a non-convergence falls back to a power iteration (reported, never as converged).
    """
    n = op.shape[0]
    count = lambda: getattr(op, "count", 0)
    if matrix is None and _small(op):
        matrix = op.dense()
    if matrix is not None and (n < defaults["linalg.dense_below"] or k >= n - 1):
        return _dense_largest(matrix, count())
    v0 = _seed_vector(n, seed)
    try:
        vals, vecs = spla.eigs(op, k=k, which="LM", v0=v0, tol=tol, ncv=min(n - 1, max(40, 4 * k + 20)),
                               maxiter=maxiter or max(1000, n))
    except spla.ArpackNoConvergence:
        if matrix is not None:
            return _dense_largest(matrix, count())
        return _power(op, v0, maxiter or max(1000, n))
    except spla.ArpackError as exc:  # a breakdown: the zero operator, or an invariant start
        return _after_breakdown(op, seed, exc)
    res = max(relative_residual(op, vecs[:, i], vals[i]) for i in range(len(vals)))
    lam = complex(vals[np.argmax(np.abs(vals))])
    if res <= defaults["linalg.eigen_residual"]:
        return Eigen(lam, True, res, "arpack", count())
    if matrix is not None:
        return _dense_largest(matrix, count())
    return Eigen(lam, False, res, "arpack", count())


ACCEPT_LOCATED = True
"""Whether the locating Arnoldi run's dominant Ritz pair is the answer when it already passes
the residual check (a dominant eigenvalue that stands out converges long before 1e-3 is
reached for the rest: spectral outliers); off, shift-and-invert always runs (the tests use
this to test it). With the single-precision location (:data:`LOCATE_SINGLE`) a Ritz pair
rarely gets below the residual tolerance, so shift-and-invert usually runs anyway."""


def largest_magnitude_shifted(op, shifted_solver, *, seed=0, tol=1e-10, maxiter=None, rounds=4, locate=None):
    """The eigenvalue of largest modulus by shift-and-invert, for spectra that crowd the
    circle ``|μ| = ρ`` (where plain Arnoldi needs thousands of products). An Arnoldi run on
    ``op`` converged to 1e-3 locates the dominant eigenvalues; when the largest Ritz pair
    already passes the residual check (the dominant eigenvalue stands out: spectral
    outliers) it is the answer. Else every located Ritz value that may, within the
    location's tolerance, be the largest is a *candidate*. ``shifted_solver(σ)`` (``b ↦
    (J − σI)⁻¹ b``, one factorisation) at ``σ = μ̃(1 + δ)``, just outside the spectrum beside
    the largest candidate ``μ̃``, makes the eigenvalues nearest σ dominant, and ARPACK finds
    the :data:`NEAREST` of them in tens of solves, each residual-checked on ``op``. They are
    all the eigenvalues in the disc about σ reaching the farthest of them, so a candidate
    whose own uncertainty disc lies inside it is settled; the largest eigenvalue found is the
    answer once no candidate is left that could exceed it. A candidate outside the disc (or
    a largest eigenvalue on the disc's rim, beyond which larger ones may lie) gets its own
    factorisation, at most ``rounds`` in all. A shift that finds nothing new (candidates
    closer together than the float32 location resolves) ends the search: the largest
    eigenvalue found is then the answer if it was the nearest to some shift (a local maximum
    of ``|μ|``, said in the method), else it is reported as not settled. Like any Krylov
    answer this is not a proof that no larger eigenvalue exists elsewhere; the Arnoldi run to
    1e-3 is what looks everywhere, as plain ARPACK would (docs/NUMERICS.md §2). ``maxiter``
    bounds its restarts (and those of the plain ARPACK run it falls back to when it finds
    nothing). One locating run serves both cases: on long vectors ARPACK's
    orthogonalisation, not the products, is most of the cost (at 4·10⁵ rows 8 ms per step
    against 4 ms per product), so no Arnoldi run is repeated. ``locate``, when given, is an
    operator equal to ``op`` but cheaper to apply (the assembled sparse Jacobian beside an
    algorithm's jvp): the locating run uses it, while every residual is still checked on
    ``op``."""
    try:
        return _largest_magnitude_shifted(op, shifted_solver, seed, tol, maxiter, rounds, locate)
    except OutOfTime:
        return _out_of_time(op)


LOCATE_TOL = 1e-3
"""The locating Arnoldi run's tolerance: its Ritz values are taken to be within
``LOCATE_TOL · |μ|`` of eigenvalues (docs/NUMERICS.md §2.1 on why not looser)."""

NEAREST = 2
"""How many eigenvalues nearest the shift each shift-and-invert run finds."""


def _single(op):
    """``op`` as a float32 operator for ARPACK's single-precision driver: products of its
    assembled sparse matrix in float32 when it has one, else ``op``'s own float64 products
    rounded on the way out (counted and checked either way); an overflow of float32 raises
    :class:`~stability.linalg.toar.SinglePrecisionOverflow`."""
    assembled = getattr(op, "assembled", None)
    if sps.issparse(assembled):
        with np.errstate(over="ignore"):
            single = assembled.astype(np.float32)
        if not np.all(np.isfinite(single.data)):
            raise SinglePrecisionOverflow

        def product(v):
            op.tick()
            return single @ v
    else:
        def product(v):
            return op.matvec(np.asarray(v, dtype=np.float64)).astype(np.float32)

    def matvec(v):
        with np.errstate(over="ignore", invalid="ignore"):  # an overflow is detected below, not warned about
            out = product(np.asarray(v, dtype=np.float32).ravel())
        if not np.all(np.isfinite(out)):
            raise SinglePrecisionOverflow
        return out
    return spla.LinearOperator(op.shape, matvec=matvec, dtype=np.float32)


LOCATE_SINGLE = True
"""Whether the locating Arnoldi run of :func:`largest_magnitude_shifted` works in single
precision: it needs the dominant eigenvalue to 1e-3 only, and its basis — on long vectors
most of its cost — then moves half the memory (measured at 4·10⁵ rows: 9.4 → 5.9 s)."""


def _locate(op, v0, maxiter):
    """Arnoldi to :data:`LOCATE_TOL` for the 6 eigenvalues of largest modulus (float32 basis
    when :data:`LOCATE_SINGLE`, float64 if a product overflows float32). An operator assembled
    as a one-step-memory companion ``[[P, R], [I, 0]]`` is located in the compact TOAR basis
    (:func:`~stability.linalg.toar.locate_companion`: half the orthogonalisation)."""
    n = op.shape[0]
    options = dict(k=6, which="LM", tol=LOCATE_TOL, ncv=min(n - 1, 30), maxiter=maxiter or max(1000, n))
    if LOCATE_SINGLE and op.dtype == np.float64:
        companion = getattr(op, "assembled", None)
        try:
            if hasattr(companion, "P") and hasattr(companion, "R"):
                return locate_companion(companion.P, companion.R, v0, k=options["k"], ncv=options["ncv"],
                                        tol=LOCATE_TOL, maxiter=options["maxiter"], tick=op.tick)
            vals, vecs = spla.eigs(_single(op), v0=v0.astype(np.float32), **options)
            return vals.astype(complex), vecs.astype(complex)
        except SinglePrecisionOverflow:
            pass
    return spla.eigs(op, v0=v0, **options)


def _largest_magnitude_shifted(op, shifted_solver, seed, tol, maxiter, rounds, locate):
    n = op.shape[0]
    v0 = _seed_vector(n, seed)
    locate = op if locate is None else locate
    real = op.dtype.kind == "f"  # a real operator: eigenvalues come in conjugate pairs
    fold = (lambda z: complex(z.real, abs(z.imag))) if real else complex
    plain = lambda: largest_magnitude(op, seed=seed, tol=tol, maxiter=maxiter)

    def products():  # both operators' products
        return op.count + (0 if locate is op else locate.count)
    try:  # locate: Arnoldi converged to 1e-3 — a few hundred products, far fewer than to 1e-10
        vals, vecs = _locate(locate, v0, maxiter)
    except (spla.ArpackNoConvergence, NotLocated):  # no reliable location: plain ARPACK, and its fallbacks, decide
        return plain()
    except spla.ArpackError as exc:
        return _after_breakdown(op, seed, exc)
    top = int(np.argmax(np.abs(vals)))
    guess = complex(vals[top])
    if guess == 0:
        return plain()
    # candidates: the located values that may be the largest; each with its uncertainty, the
    # residual radius r|θ| (an eigenvalue lies that near θ when J is normal)
    pending = {}
    for i in np.flatnonzero(np.abs(vals) * (1 + LOCATE_TOL) >= abs(guess) * (1 - LOCATE_TOL)):
        z = fold(vals[i])
        if z not in pending:
            pending[z] = relative_residual(op, vecs[:, i], vals[i]) * abs(z)
    if ACCEPT_LOCATED and pending[fold(guess)] <= defaults["linalg.eigen_residual"] * abs(guess):
        return Eigen(guess, True, pending[fold(guess)] / abs(guess), "arpack", products())
    found, solves, local_max = {}, 0, None  # found: eigenvalue → residual, each checked on op
    for factorisation in range(1, rounds + 1):
        centre = max(pending, key=abs)
        sigma = centre * (1 + LOCATE_TOL)
        inverse = CountedOperator(shifted_solver(sigma), n, dtype=complex, name="(J − σI)⁻¹",
                                  deadline=op.deadline)
        start = np.random.default_rng(seed + factorisation).standard_normal(n).astype(complex)
        try:
            theta, vecs = spla.eigs(inverse, k=min(NEAREST, n - 2), which="LM", v0=start, tol=tol,
                                    ncv=min(n - 1, 2 * NEAREST + 4))
        except (spla.ArpackNoConvergence, spla.ArpackError, NonFiniteError):
            break
        finally:
            solves += inverse.count
        lam = sigma + 1 / theta
        radius = float(np.max(np.abs(lam - sigma)))  # every eigenvalue nearer σ is among lam
        res = np.array([relative_residual(op, vecs[:, i], lam[i]) for i in range(len(lam))])
        ok = res <= defaults["linalg.eigen_residual"]
        new = {complex(z): float(r) for z, r in zip(lam[ok], res[ok]) if complex(z) not in found}
        if not new:  # nothing this shift had not found already: candidates closer than it resolves
            break
        found.update(new)
        i = int(np.argmin(np.abs(lam - sigma)))
        if ok[i] and abs(lam[i]) >= np.max(np.abs(lam[ok])):
            local_max = complex(lam[i])  # the largest found here is the nearest to σ: a local maximum of |μ|
        best = max(found, key=abs)
        near = [fold(z) for z in found]

        def settled(z, u):  # its eigenvalue found: its disc inside the searched one, or a match in it
            return abs(z - sigma) + u < radius or (u > 0 and any(abs(w - z) <= u for w in near))
        pending = {z: u for z, u in pending.items() if not settled(z, u) and abs(z) + u >= abs(best)}
        if abs(best - sigma) >= radius * (1 - 1e-9):  # on the rim, larger ones may lie just beyond:
            pending[fold(best)] = 0.0  # settled only inside a searched disc
        if not pending:
            return Eigen(best, True, found[best], f"arpack shift-invert ({factorisation} factorisations)",
                         products() + solves)
    if not found:
        return plain()
    best = max(found, key=abs)
    if local_max is not None and abs(local_max) >= abs(best):
        # candidates closer together than the shifts resolve (a spectrum crowded beyond the
        # location's float32 accuracy): the largest eigenvalue found is a local maximum of |μ|
        return Eigen(local_max, True, found[local_max],
                     f"arpack shift-invert ({factorisation} factorisations, local maximum)", products() + solves)
    return Eigen(best, False, found[best], f"arpack shift-invert (not settled after {factorisation} factorisations)",
                 products() + solves)


def _extreme_symmetric(op, which, *, seed=0, tol=1e-10, maxiter=None):
    n = op.shape[0]
    if _small(op):
        D = op.dense()
        vals = np.linalg.eigvalsh((D + D.T) / 2)
        return Eigen(float(vals[-1] if which == "LA" else vals[0]), True, 0.0, "dense", op.count)
    v0 = _seed_vector(n, seed)
    try:
        vals, vecs = spla.eigsh(op, k=1, which=which, v0=v0, tol=tol, maxiter=maxiter or max(1000, n),
                                ncv=min(n - 1, 40))
    except spla.ArpackNoConvergence as exc:
        if len(exc.eigenvalues):
            lam, vec = float(exc.eigenvalues[0]), exc.eigenvectors[:, 0]
            return Eigen(lam, False, relative_residual(op, vec, lam), "arpack (not converged)", op.count)
        return Eigen(float("nan"), False, float("nan"), "arpack (not converged)", op.count)
    except spla.ArpackError as exc:
        return _after_breakdown(op, seed, exc)
    lam = float(vals[0])
    res = relative_residual(op, vecs[:, 0], lam)
    return Eigen(lam, res <= defaults["linalg.eigen_residual"], res, "arpack", op.count)


def _out_of_time(op):
    return Eigen(float("nan"), False, float("nan"), "time limit (not converged)", getattr(op, "count", 0))


def _dense_largest(matrix, matvecs):
    vals = np.linalg.eigvals(matrix() if callable(matrix) else matrix)
    return Eigen(complex(vals[np.argmax(np.abs(vals))]), True, 0.0, "dense", matvecs)


def _power(op, v0, maxiter):
    """Power iteration: ``‖Aᵏv‖^(1/k) → ρ`` even when the dominant eigenvalues are a complex
    pair, but only like ``1/k``: reported as an estimate, never as converged."""
    v = v0 / np.linalg.norm(v0)
    log_growth, estimate = 0.0, 0.0
    for k in range(1, maxiter + 1):
        w = op.matvec(v)
        norm = np.linalg.norm(w)
        if norm == 0:
            return Eigen(0.0, True, 0.0, "power", op.count)
        log_growth += np.log(norm)
        v = w / norm
        estimate = np.exp(log_growth / k)
    return Eigen(complex(estimate), False, float("nan"), "power (estimate)", op.count)


def _after_breakdown(op, seed, exc):
    """ARPACK stopped with an error (e.g. "starting vector is zero" after A·v₀ = 0): the zero
    operator has the exact eigenvalue 0; otherwise the eigenvalue is reported as unknown."""
    probes = np.random.default_rng(seed + 1).standard_normal((3, op.shape[0]))
    if all(not np.any(op.matvec(v)) for v in probes):
        return Eigen(0.0, True, 0.0, "zero operator", getattr(op, "count", 0))
    return Eigen(float("nan"), False, float("nan"), f"arpack error ({exc})", getattr(op, "count", 0))


def dense_radius(J):
    """ρ of a dense matrix: for at least ``linalg.arnoldi_min`` rows the 6 eigenvalues of
    largest modulus from ARPACK, each residual-checked, else (or when that fails) the full
    eigensolver."""
    n = J.shape[0]
    if n < defaults["linalg.arnoldi_min"]:
        return float(np.max(np.abs(np.linalg.eigvals(J)))) if n else 0.0
    op = CountedOperator(J.__matmul__, n, dtype=J.dtype, name="Jacobian")
    return abs(largest_magnitude(op, k=6, tol=1e-13, matrix=J).value)
