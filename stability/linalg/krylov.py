"""A restarted Krylov eigen-solver over an array namespace (CuPy, ``array_api_strict``, numpy).

ARPACK runs on the host only. For operators that live on a device (a game's blocks as CuPy
arrays or CuPy sparse matrices) this is the Krylov–Schur method (Stewart 2002, *A
Krylov–Schur algorithm for large eigenproblems*; docs/NUMERICS.md §2.3), written once against
the array API standard: the basis and every product stay in the operator's namespace; only the
small projected matrix (``ncv × ncv``), the Gram–Schmidt coefficients of each step (one short
vector) and the norms come to the host, where the Schur form is computed and reordered
(LAPACK ``ztrsen``). Each restart keeps the wanted half of the Schur basis, so the Krylov
relation ``A V = V H + β v e_mᵀ`` holds throughout; convergence is judged by the Ritz estimate
``β |e_mᵀ y|`` and every reported eigenvalue is residual-checked with a true product
(:func:`stability.linalg.eigen.relative_residual`'s definition).
"""

import time

import numpy as np
import scipy.linalg as sla
from scipy.linalg.lapack import ztrsen

from ..backend import to_numpy
from ..config import defaults
from ..errors import NonFiniteError
from .eigen import Eigen, OutOfTime

WANTED = {
    "LM": lambda theta: -np.abs(theta),  # largest modulus first
    "LA": lambda theta: -theta.real,     # largest real part first
    "SA": lambda theta: theta.real,      # smallest real part first
}


class NamespaceOperator:
    """``v ↦ A v`` for a real operator whose products run in the array namespace ``xp``,
    applied to complex vectors by parts (real operators never meet complex operands), with
    a product count, a refusal of non-finite products and an optional deadline."""

    def __init__(self, matvec, n, xp, name="operator", max_time=None, deadline=None):
        self.fn, self.n, self.xp, self.name, self.count = matvec, n, xp, name, 0
        self.deadline = deadline if max_time is None else time.monotonic() + max_time

    def __call__(self, v):
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise OutOfTime
        xp = self.xp
        self.count += 1
        re, im = self.fn(xp.real(v)), self.fn(xp.imag(v))
        out = xp.astype(re, xp.complex128) + xp.astype(im, xp.complex128) * 1j
        if not bool(xp.all(xp.isfinite(out))):
            raise NonFiniteError(f"the {self.name} product returned NaN or infinite values")
        return out


def _norm(xp, v):
    return float(xp.linalg.vector_norm(v))


def _device(like):
    """The device of ``like`` (None: the namespace's default)."""
    return None if like is None else getattr(like, "device", None)


def _seed(xp, n, seed, like):
    v = np.random.default_rng(seed).standard_normal(n).astype(complex)
    return xp.asarray(v / np.linalg.norm(v), device=_device(like))


def krylov_schur(op, *, which="LM", k=6, ncv=30, tol=1e-10, maxiter=1000, seed=0, like=None):
    """The ``k`` eigenvalues of ``op`` (a :class:`NamespaceOperator`) first in ``which``
    order ("LM", "LA", "SA"), by Krylov–Schur with ``ncv`` basis vectors and at most
    ``maxiter`` restarts. Returns ``(values, vectors, converged)``: host complex values in
    wanted order, their Ritz vectors as columns of an array of the operator's namespace, and
    whether all ``k`` met ``β|e_mᵀy| ≤ tol·|θ|``. ``like``: an array whose device the basis
    uses."""
    xp, n = op.xp, op.n
    m = max(k + 2, min(ncv, n))
    if m > n:
        raise ValueError("krylov_schur needs ncv ≤ n (small operators are solved densely)")
    key = WANTED[which]
    V = xp.zeros((n, m + 1), dtype=xp.complex128, device=_device(like))
    V[:, 0] = _seed(xp, n, seed, like)
    H = np.zeros((m + 1, m), dtype=complex)
    start, beta, keep = 0, 0.0, max(k, (m + k) // 2)
    floor = np.finfo(float).eps ** (2 / 3)
    for _ in range(maxiter):
        for j in range(start, m):
            w = op(V[:, j])
            basis = V[:, :j + 1]
            for _ in range(2):  # classical Gram–Schmidt, twice (enough for orthogonality to eps)
                h = xp.conj(xp.matrix_transpose(basis)) @ w
                w = w - basis @ h
                H[:j + 1, j] += np.asarray(to_numpy(h))
            beta = _norm(xp, w)
            H[j + 1, j] = beta
            scale = max(np.abs(H[:j + 2, :j + 1]).max(), np.finfo(float).tiny)
            if beta <= 10 * (j + 1) * np.finfo(float).eps * scale:  # an invariant subspace: exact eigenvalues
                return _ritz(xp, V, H, j + 1, key, k, 0.0)[:2] + (True,)
            V[:, j + 1] = w / beta
        theta, Y = np.linalg.eig(H[:m, :m])
        order = np.argsort(key(theta), kind="stable")
        estimates = beta * np.abs(Y[m - 1, order[:k]]) / np.linalg.norm(Y[:, order[:k]], axis=0)
        if np.all(estimates <= tol * np.maximum(np.abs(theta[order[:k]]), floor)):
            values, vectors, _ = _ritz(xp, V, H, m, key, k, beta)
            return values, vectors, True
        T, Z = sla.schur(H[:m, :m], output="complex")
        diag = np.diag(T)
        select = np.zeros(m, dtype=np.int32)
        select[np.argsort(key(diag), kind="stable")[:keep]] = 1
        T, Z = _reorder(T, Z, select)
        V[:, :keep] = V[:, :m] @ xp.asarray(Z[:, :keep], device=_device(V))
        V[:, keep] = V[:, m]
        H = np.zeros((m + 1, m), dtype=complex)
        H[:keep, :keep] = T[:keep, :keep]
        H[keep, :keep] = beta * Z[m - 1, :keep]
        start = keep
    values, vectors, _ = _ritz(xp, V, H, m, key, k, beta)
    return values, vectors, False


def _reorder(T, Z, select):
    """The Schur form with the selected eigenvalues leading (LAPACK ``ztrsen``)."""
    out = ztrsen(select, T, Z, job="N", wantq=1)
    if out[-1] != 0:
        raise np.linalg.LinAlgError(f"ztrsen failed (info = {out[-1]})")
    return out[0], out[1]


def _ritz(xp, V, H, m, key, k, beta):
    theta, Y = np.linalg.eig(H[:m, :m])
    order = np.argsort(key(theta), kind="stable")[:k]
    Yk = Y[:, order] / np.linalg.norm(Y[:, order], axis=0)
    vectors = V[:, :m] @ xp.asarray(Yk, device=_device(V))
    return theta[order], vectors, beta


def eigen_in_namespace(op, which="LM", *, k=6, ncv=30, tol=1e-10, maxiter=1000, seed=0, like=None):
    """The eigenvalue first in ``which`` order of a :class:`NamespaceOperator`, as an
    :class:`~stability.linalg.eigen.Eigen` ("krylov-schur"), residual-checked with a true
    product; past the operator's deadline, a not-converged result. Operators with fewer
    rows than ``linalg.dense_below`` are made dense (``n`` products) and solved on the host."""
    xp, n = op.xp, op.n
    try:
        if n < max(defaults["linalg.dense_below"], ncv + 1):
            eye = xp.eye(n, dtype=xp.complex128, device=_device(like))
            D = np.column_stack([to_numpy(op(eye[:, i])) for i in range(n)])
            vals = np.linalg.eigvals(D)
            if which != "LM":
                vals = vals.real.astype(complex)
            top = vals[np.argsort(WANTED[which](vals), kind="stable")[0]]
            return Eigen(_plain(top, which), True, 0.0, "dense (host)", op.count)
        values, vectors, converged = krylov_schur(op, which=which, k=k, ncv=ncv, tol=tol, maxiter=maxiter,
                                                  seed=seed, like=like)
    except OutOfTime:
        return Eigen(float("nan"), False, float("nan"), "time limit (not converged)", op.count)
    lam = complex(values[0])
    vec = vectors[:, 0]
    vec = vec / _norm(xp, vec)
    res = _norm(xp, op(vec) - lam * vec) / max(abs(lam), np.finfo(float).tiny)
    ok = converged and res <= defaults["linalg.eigen_residual"]
    return Eigen(_plain(lam, which), ok, res, "krylov-schur" if ok else "krylov-schur (not converged)", op.count)


def _plain(lam, which):
    """A symmetric operator's eigenvalue as a real number; others complex."""
    return float(np.real(lam)) if which in ("LA", "SA") else complex(lam)
