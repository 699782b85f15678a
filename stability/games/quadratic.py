"""Quadratic games ``f = ½xᵀHxx x + xᵀHxy y + ½yᵀHyy y + bxᵀx + byᵀy`` from dense,
``scipy.sparse`` or ``LinearOperator`` blocks (products, solves: :mod:`stability.linalg.blocks`)."""

import numpy as np
import scipy.sparse as sps
import sympy as sp

from ..config import defaults
from ..errors import InputError, NonFiniteError, NotSupportedError, ShapeError
from ..linalg import as_finite_array
from ..linalg.blocks import CheckedOperator, apply, check_symmetric, dense, factor, is_operator
from .base import Game
from .symbolic import SymbolicView


def _check_block(M, name, shape):
    if sps.issparse(M):
        M = M.tocsr()  # dok, lil, coo, … all become CSR: one format downstream
        if M.dtype.kind == "c":
            if np.any(M.data.imag != 0):
                raise InputError(f"{name} must be real; it has nonzero imaginary parts")
            M = M.real.tocsr()
        if M.dtype.kind not in "fiub":
            raise InputError(f"{name} must hold real numbers, got dtype {M.dtype}")
        M = M.astype(float)
        if not np.all(np.isfinite(M.data)):
            raise NonFiniteError(f"{name} contains NaN or infinite values")
    if is_operator(M):
        if M.dtype is not None and np.dtype(M.dtype).kind == "c":
            raise InputError(f"{name} must be a real operator, got dtype {M.dtype}")
        if M.shape == shape:
            M = CheckedOperator(M, name)
    if is_operator(M) or sps.issparse(M):
        if M.shape != shape:
            raise ShapeError(f"{name} must have shape {shape}, got {M.shape}")
        return M
    M = as_finite_array(M, name)
    if M.shape != shape:
        raise ShapeError(f"{name} must have shape {shape}, got {M.shape}")
    return M


def _exact_blocks(*blocks):
    """The blocks as sympy Rationals when every entry is an exact rational (int, Fraction, sympy
    Rational) and at least one is not an int — what certificates use instead of the floats —
    else None."""
    from fractions import Fraction
    out, seen_rational = [], False
    for B in blocks:
        if sps.issparse(B) or is_operator(B) or isinstance(B, np.ndarray) and B.dtype != object:
            return None
        try:
            rows = [list(row) for row in B]
        except TypeError:
            return None
        converted = []
        for row in rows:
            new = []
            for v in row:
                if isinstance(v, Fraction):
                    v, seen_rational = sp.Rational(v.numerator, v.denominator), True
                elif isinstance(v, sp.Rational):
                    seen_rational = seen_rational or not v.is_Integer
                elif isinstance(v, (int, np.integer)) and not isinstance(v, bool):
                    v = sp.Integer(int(v))
                else:
                    return None
                new.append(v)
            converted.append(new)
        out.append(converted)
    return tuple(out) if seen_rational else None


class QuadraticGame(Game):
    """``f = ½ xᵀHxx x + xᵀHxy y + ½ yᵀHyy y + bxᵀx + byᵀy``.

    Blocks may be dense arrays, ``scipy.sparse`` matrices or ``LinearOperator`` objects. Build it
    with :meth:`stability.Game.quadratic`. Blocks of exact rationals (``fractions.Fraction``,
    sympy ``Rational``) are kept as ``exact_blocks`` for :mod:`stability.certify`, which then
    certifies the game for its exact values; everything else computes with their floats.
    """

    is_quadratic = True

    def __init__(self, Hxx, Hxy, Hyy, bx=None, by=None, x_names=None, y_names=None):
        try:
            Hxy_shape = tuple(getattr(Hxy, "shape", None) or np.shape(Hxy))
        except (ValueError, TypeError):
            raise ShapeError("Hxy must be a matrix (n × m); got a ragged or non-array value") from None
        if len(Hxy_shape) != 2:
            raise ShapeError(f"Hxy must be a matrix (n × m), got shape {Hxy_shape}")
        n, m = Hxy_shape
        super().__init__(x_names or n, y_names or m)
        if (self.n, self.m) != (n, m):
            raise ShapeError(f"{self.n} x-names and {self.m} y-names for an Hxy of shape {(n, m)}")
        self.exact_blocks = _exact_blocks(Hxx, Hxy, Hyy)
        self.Hxx = _check_block(Hxx, "Hxx", (n, n))
        self.Hxy = _check_block(Hxy, "Hxy", (n, m))
        self.Hyy = _check_block(Hyy, "Hyy", (m, m))
        rng = np.random.default_rng(0)
        check_symmetric(self.Hxx, "Hxx", rng)
        check_symmetric(self.Hyy, "Hyy", rng)
        self.Hyx = self.Hxy.T
        self.bx = np.zeros(n) if bx is None else as_finite_array(bx, "bx", ndim=1)
        self.by = np.zeros(m) if by is None else as_finite_array(by, "by", ndim=1)
        if self.bx.shape != (n,) or self.by.shape != (m,):
            raise ShapeError(f"linear terms must have shapes ({n},) and ({m},), "
                             f"got {self.bx.shape} and {self.by.shape}")
        self._solvers = {}
        self._dense_blocks = None

    def value(self, x, y):
        return (0.5 * np.sum(x * apply(self.Hxx, x), -1) + np.sum(x * apply(self.Hxy, y), -1)
                + 0.5 * np.sum(y * apply(self.Hyy, y), -1) + x @ self.bx + y @ self.by)

    def grad(self, x, y):
        return (apply(self.Hxx, x) + apply(self.Hxy, y) + self.bx,
                apply(self.Hyx, x) + apply(self.Hyy, y) + self.by)

    def dense_blocks(self):
        if self._dense_blocks is None:
            self._dense_blocks = (dense(self.Hxx, "Hxx"), dense(self.Hxy, "Hxy"), dense(self.Hyy, "Hyy"))
        return self._dense_blocks

    def hessian_blocks(self, x, y):
        return self.dense_blocks()

    def hvp(self, x, y, u, w):
        return apply(self.Hxx, u) + apply(self.Hxy, w), apply(self.Hyx, u) + apply(self.Hyy, w)

    def solve_yy(self, x, y, r):
        return self._solver("Hyy")(r)

    def solve_xx(self, x, y, r):
        return self._solver("Hxx")(r)

    def _solver(self, name):
        """The factorisation of a constant block, computed on first use."""
        if name not in self._solvers:
            self._solvers[name] = factor(getattr(self, name), name)
        return self._solvers[name]

    def to_expr(self):
        """The sympy expression of ``f`` (for small dense games)."""
        limit = defaults["games.max_symbolic"]
        if self.n + self.m > limit:
            raise NotSupportedError(f"a symbolic form of a game with n + m = {self.n + self.m} "
                                    f"> {limit} variables would be too slow "
                                    "(config.defaults['games.max_symbolic'])")
        Hxx, Hxy, Hyy = (sp.Matrix(M) for M in self.dense_blocks())
        xs = sp.Matrix([sp.Symbol(s, real=True) for s in self.x_names])
        ys = sp.Matrix([sp.Symbol(s, real=True) for s in self.y_names])
        f = ((xs.T * Hxx * xs) / 2 + xs.T * Hxy * ys + (ys.T * Hyy * ys) / 2
             + sp.Matrix(self.bx).T * xs + sp.Matrix(self.by).T * ys)[0, 0]
        return f, list(xs), list(ys)

    def symbolic(self):
        f, xs, ys = self.to_expr()
        return SymbolicView(f, xs, ys)
