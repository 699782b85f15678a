"""Locating the dominant eigenvalues of a one-step-memory map in a compact basis (TOAR).

A map that remembers one earlier iterate (OGDA, heavy ball, LEAD, …) has the Jacobian
``J = [[P, R], [I, 0]]`` of size ``2N``. Every vector of a Krylov space of ``J`` has the form
``[Q a; Q b]`` for one orthonormal ``Q`` with ``N`` rows and about as many columns as the space
has vectors: the lower half of ``J [t; b]`` is ``t`` itself, already in the span. Arnoldi on
``J`` that stores ``Q`` and the small coordinates ``(a, b)``, not the ``2N``-long vectors,
orthogonalises against half as much memory (two-level orthogonal Arnoldi, TOAR: Lu, Su and
Bai 2016, *Stability analysis of the two-level orthogonal Arnoldi procedure*, SIAM J. Matrix
Anal. Appl. 37; Kressner and Roman 2014 on its Krylov–Schur restart). On vectors millions
long the orthogonalisation, not the product, is most of an Arnoldi step, so this halves the
locating run of :func:`~stability.linalg.eigen.largest_magnitude_shifted` for those maps
(docs/NUMERICS.md §2.1).

The run locates: it works in single precision (products, ``Q``, the explicit last vector;
the small matrices in double) to a relative Ritz estimate of ``1e-3``, as the ARPACK
location it replaces does; every eigenvalue it suggests is settled in double precision
afterwards.
"""

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sps
from scipy.linalg.lapack import dtrsen


class NotLocated(Exception):
    """The run did not reach its tolerance within ``maxiter`` restarts."""


class SinglePrecisionOverflow(Exception):
    """A product (or the matrices themselves) does not fit in float32."""


def _schur_eigenvalues(T):
    """The eigenvalue at each diagonal position of a real quasi-triangular ``T``."""
    m = T.shape[0]
    out = T.diagonal().astype(complex)
    i = 0
    while i < m - 1:
        if T[i + 1, i] != 0:  # a 2 × 2 block: a complex conjugate pair
            a, b, c, d = T[i, i], T[i, i + 1], T[i + 1, i], T[i + 1, i + 1]
            mean, disc = (a + d) / 2, np.sqrt(complex(((a - d) / 2) ** 2 + b * c))
            out[i], out[i + 1] = mean + disc, mean - disc
            i += 2
        else:
            i += 1
    return out


def locate_companion(P, R, v0, *, k=6, ncv=30, tol=1e-3, maxiter=1000, tick=None):
    """The ``k`` eigenvalues of largest modulus of ``J = [[P, R], [I, 0]]`` (sparse ``P``,
    ``R`` of size ``N``) and their Ritz vectors (``2N`` rows), each with relative Ritz
    estimate at most ``tol``, by Krylov–Schur with ``ncv`` vectors in TOAR form from the
    start ``v0``. ``tick()``, when given, is called before each product (a
    :class:`~stability.linalg.eigen.CountedOperator`'s count and deadline). Raises :class:`NotLocated` after ``maxiter`` restarts
    and :class:`SinglePrecisionOverflow` when float32 does not hold the data."""
    f32 = np.float32
    N = P.shape[0]
    with np.errstate(over="ignore"):
        PR = sps.hstack([sps.csr_array(P), sps.csr_array(R)], format="csr").astype(f32)
    if not np.all(np.isfinite(PR.data)):
        raise SinglePrecisionOverflow
    m = min(ncv, 2 * N - 1)
    keep = max(k, (m + k) // 2)
    rmax = m + 2
    Q = np.zeros((N, rmax), dtype=f32, order="F")
    U1, U2 = np.zeros((rmax, m + 1)), np.zeros((rmax, m + 1))  # v_j = [Q U1[:, j]; Q U2[:, j]]
    H = np.zeros((m + 1, m))
    tb = np.empty(2 * N, dtype=f32)  # the last basis vector, explicit: its upper and lower halves

    v0 = np.asarray(v0, dtype=float) / np.linalg.norm(v0)
    top, bottom = v0[:N], v0[N:]
    nb = np.linalg.norm(bottom)
    Q[:, 0] = bottom / nb
    rest = top - Q[:, 0] * (Q[:, 0] @ top)
    Q[:, 1] = rest / np.linalg.norm(rest)
    U1[:2, 0] = [float(Q[:, 0] @ top), float(np.linalg.norm(rest))]
    U2[:2, 0] = [nb, 0.0]
    tb[:] = v0
    r, start = 2, 0
    for _ in range(maxiter):
        for j in range(start, m):
            if tick is not None:
                tick()
            with np.errstate(over="ignore", invalid="ignore"):
                p = PR @ tb
            if not np.all(np.isfinite(p)):
                raise SinglePrecisionOverflow
            norm_p = float(np.linalg.norm(p))
            QrT = Q[:, :r].T                # C-ordered rows: products with it stream Q once
            s1 = QrT @ p                    # the new upper half against Q (CGS, and again when
            p -= s1 @ QrT                   # it lost most of its length: DGKS)
            again = float(np.linalg.norm(p)) < 0.717 * norm_p
            s2 = QrT @ p if again else np.zeros(r, dtype=f32)
            c1 = np.zeros(r + 1)
            c1[:r] = s1.astype(float) + s2
            c2 = np.zeros(r + 1)
            c2[:r] = U1[:r, j]                # the lower half of J v_j is the upper half of v_j
            h = np.zeros(j + 1)
            for _ in range(2):                # against the basis, in coordinates (twice)
                g = U1[:r, :j + 1].T @ c1[:r] + U2[:r, :j + 1].T @ c2[:r]
                c1[:r] -= U1[:r, :j + 1] @ g
                c2[:r] -= U2[:r, :j + 1] @ g
                h += g
            G = np.vstack([s2, c1[:r], c2[:r]]).astype(f32) @ QrT  # one pass over Q
            p -= G[0]
            alpha = float(np.linalg.norm(p))
            grows = alpha > 64 * np.finfo(f32).eps * max(norm_p, np.finfo(f32).tiny)
            c1[r] = alpha if grows else 0.0
            beta = float(np.hypot(np.linalg.norm(c1), np.linalg.norm(c2)))
            if beta <= 64 * np.finfo(f32).eps * max(norm_p, np.finfo(f32).tiny):
                # an invariant subspace: its Ritz values are eigenvalues (to float32)
                H[:j + 1, j] = h
                theta, Y, _ = _ritz_values(H[:j + 1, :j + 1], np.zeros(j + 1), min(k, j + 1))
                return theta, _ritz_vectors(Q, U1, U2, Y, r, j + 1)
            tb[:N] = (G[1] + p) / beta if grows else G[1] / beta
            tb[N:] = G[2] / beta
            if grows:
                Q[:, r] = p / alpha
            r += int(grows)
            H[:j + 1, j], H[j + 1, j] = h, beta
            U1[:r, j + 1], U2[:r, j + 1] = c1[:r] / beta, c2[:r] / beta
        residual_row = H[m, :m].copy()
        theta, Y, estimates = _ritz_values(H[:m, :m], residual_row, k)
        if np.all(estimates <= tol * np.abs(theta)):
            return theta, _ritz_vectors(Q, U1, U2, Y, r, m)
        # Krylov–Schur restart: keep the `keep` Schur vectors of largest modulus
        T, Z = sla.schur(H[:m, :m], output="real")
        select = np.zeros(m, dtype=np.int32)
        select[np.argsort(-np.abs(_schur_eigenvalues(T)), kind="stable")[:keep]] = 1
        T, Z, *_, kept, _, _, info = dtrsen(select, T, Z, job="N", wantq=1)
        if info != 0:
            raise NotLocated(f"dtrsen failed (info = {info})")
        for U in (U1, U2):
            U[:, :kept] = U[:, :m] @ Z[:, :kept]
            U[:, kept] = U[:, m]
            U[:, kept + 1:] = 0.0
        H = np.zeros((m + 1, m))
        H[:kept, :kept] = T[:kept, :kept]
        H[kept, :kept] = residual_row @ Z[:, :kept]
        r = _compress(Q, U1, U2, r, kept + 1)
        start = kept
    raise NotLocated(f"no location to {tol} after {maxiter} restarts")


def _compress(Q, U1, U2, r, cols):
    """Shrink ``Q`` to the span the first ``cols`` basis vectors use (at most ``cols + 1``
    directions in exact arithmetic), keeping ``v_j = [Q U1[:, j]; Q U2[:, j]]``; returns the
    new rank."""
    W = np.hstack([U1[:r, :cols], U2[:r, :cols]])
    X, sv, _ = np.linalg.svd(W, full_matrices=False)
    rank = int(np.count_nonzero(sv > 1e-6 * sv[0]))
    X = X[:, :rank]
    Q[:, :rank] = (X.T.astype(Q.dtype) @ Q[:, :r].T).T  # F-ordered result: a contiguous copy
    Q[:, rank:r] = 0.0
    for U in (U1, U2):
        U[:rank, :cols] = X.T @ U[:r, :cols]
        U[rank:, :] = 0.0
    return rank


def _ritz_values(Hm, residual_row, k):
    """The ``k`` Ritz values of largest modulus of ``Hm``, their unit coordinate vectors and
    relative Ritz estimates ``|residual_row · y| / |θ|``."""
    theta, Y = np.linalg.eig(Hm)
    order = np.argsort(-np.abs(theta), kind="stable")[:k]
    theta, Y = theta[order], Y[:, order] / np.linalg.norm(Y[:, order], axis=0)
    return theta, Y, np.abs(residual_row @ Y) / np.maximum(np.abs(theta), np.finfo(float).tiny)


def _ritz_vectors(Q, U1, U2, Y, r, m):
    """The Ritz vectors ``[Q U1 y; Q U2 y]`` (``2N`` rows, complex) of coordinates ``Y``."""
    QrT = Q[:, :r].T
    halves = []
    for U in (U1, U2):
        C = (U[:r, :m] @ Y).T
        halves.append((C.real.astype(Q.dtype) @ QrT + 1j * (C.imag.astype(Q.dtype) @ QrT)).T)
    return np.concatenate(halves).astype(complex)
