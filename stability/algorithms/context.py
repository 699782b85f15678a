"""The Hessian blocks at a fixed point and the matrices the closed-form Jacobians are built
from (docs/MATHEMATICS.md §1, §3), in numpy and — for the structured spectra — in any array
namespace."""

from functools import cached_property
import numbers

import numpy as np
import scipy.sparse as sps
import scipy.sparse.linalg as spla
import sympy as sp

from .. import backend
from ..config import defaults
from ..equilibria import require_critical
from ..errors import DenseTooLargeError, ShapeError
from ..games.base import check_game, full_hessian
from ..linalg import as_finite_array, check_invertible, real_number


def sympy_point(point, size):
    if hasattr(point, "exact") and getattr(point, "exact") is not None:
        values = list(point.exact)
    else:
        point = getattr(point, "point", point)
        raw = np.asarray(point, dtype=object)
        if raw.ndim != 1:
            raise ShapeError(f"point must be a vector of n + m = {size} numbers, got shape {raw.shape}")
        values = [v if isinstance(v, sp.Basic) else _exact_number(v) for v in raw]
    if len(values) != size:
        raise ShapeError(f"point must have n + m = {size} entries, got {len(values)}")
    return values


def _exact_number(v):
    """A plain number as an exact sympy number (floats as the decimals they print as)."""
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real):
        raise ShapeError(f"point coordinates must be real numbers, got {v!r}")
    v = real_number(v, "point coordinate")
    return sp.Integer(int(v)) if v.is_integer() else sp.Rational(repr(v))


class JacobianContext:
    """Hessian blocks at a fixed point and the derived matrices the closed forms need.
    ``blocks`` and ``S_xp`` are the same in the namespace ``xp`` (numpy when None), for the
    structured spectra."""

    def __init__(self, game, point, xp=None, allow_noncritical=False):
        check_game(game)
        if game.n + game.m > defaults["linalg.max_dense"]:
            raise DenseTooLargeError(
                f"n + m = {game.n + game.m} exceeds config.defaults['linalg.max_dense'] = "
                f"{defaults['linalg.max_dense']} for dense Hessian blocks; use stability.matrixfree")
        self.game = game
        point = getattr(point, "point", point)
        self.point = as_finite_array(point, "point", ndim=1)
        if self.point.shape != (game.n + game.m,):
            raise ShapeError(f"point must have n + m = {game.n + game.m} entries "
                             f"(x: {game.n}, y: {game.m}), got shape {self.point.shape}")
        self.Hxx, self.Hxy, self.Hyy = game.blocks_at(self.point)
        require_critical(game, self.point, allow_noncritical=allow_noncritical,
                         H=full_hessian(self.Hxx, self.Hxy, self.Hyy))
        self.Hyx = self.Hxy.T
        self.n, self.m = game.n, game.m
        self.N = self.n + self.m
        self.xp = None if xp is None else backend.check_namespace(xp)

    @cached_property
    def blocks(self):
        """``(Hxx, Hxy, Hyy)`` in the context's namespace (numpy by default)."""
        if self.xp is None:
            return self.Hxx, self.Hxy, self.Hyy
        return tuple(backend.to_namespace(b, self.xp) for b in (self.Hxx, self.Hxy, self.Hyy))

    def asarray(self, block):
        """A numpy block in the context's namespace."""
        return block if self.xp is None else backend.to_namespace(block, self.xp)

    @cached_property
    def S_xp(self):
        """``S`` in the context's namespace."""
        if self.xp is None:
            return self.S
        check_invertible(self.Hyy, "Hyy")
        return backend.schur_complement(*self.blocks)

    def I(self, k=None):
        return np.eye(self.N if k is None else k)

    @cached_property
    def H(self):
        """The Hessian ``[[Hxx, Hxy], [Hyx, Hyy]]``."""
        return full_hessian(self.Hxx, self.Hxy, self.Hyy)

    @cached_property
    def V(self):
        """The game Jacobian ``V = [[Hxx, Hxy], [−Hyx, −Hyy]]`` (docs/MATHEMATICS.md §1)."""
        return backend.game_jacobian(self.Hxx, self.Hxy, self.Hyy)

    @cached_property
    def A(self):
        Z = np.zeros
        return np.block([[Z((self.n, self.n)), self.Hxy], [-self.Hyx, Z((self.m, self.m))]])

    @cached_property
    def Hyy_inv(self):
        check_invertible(self.Hyy, "Hyy")
        return np.linalg.inv(self.Hyy)

    @cached_property
    def K(self):
        """``K = Hyy⁻¹ Hyx``: the slope of the follower's best response (the ridge)."""
        return self.Hyy_inv @ self.Hyx

    @cached_property
    def S(self):
        """The Schur complement ``S = Hxx − Hxy Hyy⁻¹ Hyx``."""
        check_invertible(self.Hyy, "Hyy")
        return backend.schur_complement(self.Hxx, self.Hxy, self.Hyy)

    def D(self, lr_x, lr_y):
        """The diagonal of the step sizes ``diag(ηx I, ηy I)``, as a vector."""
        return step_diagonal(self.n, self.m, lr_x, lr_y)

    def DV(self, lr_x, lr_y):
        """``D V`` with ``D = diag(ηx I, ηy I)``."""
        return self.D(lr_x, lr_y)[:, None] * self.V

    @cached_property
    def L(self):
        return np.block([[np.eye(self.n), np.zeros((self.n, self.m))], [-self.K, np.eye(self.m)]])


def step_diagonal(n, m, lr_x, lr_y):
    """The diagonal of ``D = diag(ηx I_n, ηy I_m)``, as a vector."""
    return np.concatenate([np.full(n, lr_x), np.full(m, lr_y)])


def companion(top_left, top_right):
    """``[[top_left, top_right], [I, 0]]``: the Jacobian of a one-step-memory map (a
    :class:`SparseCompanion` when the blocks are sparse)."""
    if sps.issparse(top_left):
        return SparseCompanion(top_left, top_right)
    N = top_left.shape[0]
    return np.block([[top_left, top_right], [np.eye(N), np.zeros((N, N))]])


class SparseJacobianContext:
    """The matrices of :class:`JacobianContext` that stay sparse — ``V``, ``A``, ``I``,
    ``D V`` — from ``scipy.sparse`` Hessian blocks, for the closed forms of the algorithms
    flagged ``sparse_closed_form`` (matrix-free shift-and-invert, :mod:`stability.matrixfree`).
    Inverses and Schur complements are dense in general and are not offered."""

    def __init__(self, Hxx, Hxy, Hyy):
        self.Hxx, self.Hxy, self.Hyy = (sps.csr_array(M) for M in (Hxx, Hxy, Hyy))
        self.Hyx = self.Hxy.T.tocsr()
        self.n, self.m = self.Hxy.shape
        self.N = self.n + self.m

    def I(self, k=None):
        return sps.eye_array(self.N if k is None else k, format="csr")

    @cached_property
    def V(self):
        return sps.block_array([[self.Hxx, self.Hxy], [-self.Hyx, -self.Hyy]], format="csr")

    @cached_property
    def A(self):
        return sps.block_array([[None, self.Hxy], [-self.Hyx, None]], format="csr")

    def D(self, lr_x, lr_y):
        return step_diagonal(self.n, self.m, lr_x, lr_y)

    def DV(self, lr_x, lr_y):
        return sps.diags_array(self.D(lr_x, lr_y)) @ self.V


class SparseCompanion:
    """``J = [[P, R], [I, 0]]`` with sparse ``P``, ``R``: products, and solves with ``J − σI``
    through one factorisation of the half-size ``σ(P − σI) + R`` (from the second block row
    ``u = b + σw``), not of ``J − σI`` itself."""

    def __init__(self, P, R):
        self.P, self.R = sps.csr_array(P), sps.csr_array(R)
        self.N = self.P.shape[0]
        self.shape = (2 * self.N, 2 * self.N)

    def __matmul__(self, v):
        return np.concatenate([self.P @ v[:self.N] + self.R @ v[self.N:], v[:self.N]])

    def shifted_solver(self, sigma):
        """``b ↦ (J − σI)⁻¹ b`` (complex σ)."""
        P_shift = (self.P - sigma * sps.eye_array(self.N, format="csr")).astype(complex)
        lu = spla.splu(sps.csc_matrix(sigma * P_shift + self.R))
        N = self.N
        def solve(rhs):
            a, b = rhs[:N], rhs[N:]
            w = lu.solve(np.asarray(a - P_shift @ b, dtype=complex))
            return np.concatenate([b + sigma * w, w])
        return solve


def shifted_solver(J, sigma):
    """``b ↦ (J − σI)⁻¹ b`` for a sparse Jacobian or a :class:`SparseCompanion` (one sparse LU)."""
    if isinstance(J, SparseCompanion):
        return J.shifted_solver(sigma)
    shifted = (sps.csc_array(J) - sigma * sps.eye_array(J.shape[0], format="csc")).astype(complex)
    return spla.splu(shifted).solve


class Products:
    """What an algorithm's :meth:`~stability.algorithms.Algorithm.jvp` is built from: the
    Hessian blocks at a point as products. Subclasses give ``block(name, v)``, the product of
    ``Hxx``, ``Hxy``, ``Hyy`` or ``Hyx`` with ``v``; ``V``, ``VT``, ``A`` and ``DV`` follow
    from them (a subclass with a cheaper ``V`` — one ``hvp`` — overrides it)."""

    def hxx(self, u):
        return self.block("Hxx", u)

    def hyy(self, w):
        return self.block("Hyy", w)

    def hxy(self, w):
        return self.block("Hxy", w)

    def hyx(self, u):
        return self.block("Hyx", u)

    def V(self, v):
        """``V v`` with the game Jacobian ``V = [[Hxx, Hxy], [−Hyx, −Hyy]]``."""
        u, w = v[:self.n], v[self.n:]
        return self.concat([self.hxx(u) + self.hxy(w), -(self.hyx(u) + self.hyy(w))])

    def VT(self, v):
        """``Vᵀ v`` (``Vᵀ = [[Hxx, −Hxy], [Hyx, −Hyy]]``)."""
        u, w = v[:self.n], v[self.n:]
        return self.concat([self.hxx(u) - self.hxy(w), self.hyx(u) - self.hyy(w)])

    def concat(self, parts):
        """Vectors joined end to end, in the namespace the products run in (numpy here)."""
        return np.concatenate(parts)

    def vector(self, values):
        """A numpy vector in the namespace the products run in."""
        return values

    def A(self, v):
        """``A v`` with A the off-diagonal part of V: ``(Hxy w, −Hyx u)``."""
        return self.concat([self.hxy(v[self.n:]), -self.hyx(v[:self.n])])

    def DV(self, lr_x, lr_y):
        """``v ↦ D V v`` with ``D = diag(ηx I, ηy I)``."""
        D = self.vector(step_diagonal(self.n, self.m, lr_x, lr_y))
        return lambda v: D * self.V(v)


class DenseProducts(Products):
    """The products of a :class:`JacobianContext`'s dense blocks, so an algorithm's
    :meth:`~stability.algorithms.Algorithm.jvp` runs on dense games too (the matrix-free
    counterpart is :class:`~stability.matrixfree.HessianProducts`)."""

    def __init__(self, ctx):
        self.ctx, self.game, self.point, self.n, self.m = ctx, ctx.game, ctx.point, ctx.n, ctx.m

    def block(self, name, v):
        ctx = self.ctx
        M = {"Hxx": ctx.Hxx, "Hxy": ctx.Hxy, "Hyy": ctx.Hyy}.get(name)
        return ctx.Hxy.T @ v if M is None else M @ v

