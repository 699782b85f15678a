"""The sympy view of a game: the same oracle over ``1 × k`` sympy row matrices, so that an
update map written once runs on it and sympy differentiates the result (the symbolic
Jacobian, docs/MATHEMATICS.md §3)."""

import sympy as sp

from .. import backend
from ..linalg.blocks import solve_checked
from .base import Game


class SymbolicView(Game):
    """The sympy view of a game: the same oracle over ``1 × k`` sympy row matrices."""

    ops = backend.SYMPY

    def __init__(self, f, xs, ys, g=None):
        super().__init__([s.name for s in xs], [s.name for s in ys])
        self.f, self.g, self.xs, self.ys = f, g, list(xs), list(ys)
        zs = self.xs + self.ys
        self._grad_f = sp.Matrix([[sp.diff(f, s) for s in zs]])
        self._hess_f = sp.hessian(f, zs)
        if g is not None:
            self._grad_g = sp.Matrix([[sp.diff(g, s) for s in zs]])
            self._hess_g = sp.hessian(g, zs)

    def _at(self, M, x, y):
        return M.xreplace(dict(zip(self.xs + self.ys, list(x) + list(y))))

    def _split_row(self, row):
        return row[:, :self.n], row[:, self.n:]

    def _blocks(self, H):
        n = self.n
        return H[:n, :n], H[:n, n:], H[n:, n:]

    def value(self, x, y):
        return self.f.xreplace(dict(zip(self.xs + self.ys, list(x) + list(y))))

    def grad(self, x, y):
        return self._split_row(self._at(self._grad_f, x, y))

    def hessian_blocks(self, x, y):
        return self._blocks(self._at(self._hess_f, x, y))

    def follower_grad(self, x, y):
        if self.g is None:
            return super().follower_grad(x, y)
        return self._split_row(self._at(self._grad_g, x, y))

    def follower_hvp(self, x, y, u, w):
        if self.g is None:
            return super().follower_hvp(x, y, u, w)
        gxx, gxy, gyy = self._blocks(self._at(self._hess_g, x, y))
        mv = self.ops.mv
        return mv(gxx, u) + mv(gxy, w), mv(gxy.T, u) + mv(gyy, w)

    def follower_solve_yy(self, x, y, r):
        if self.g is None:
            return super().follower_solve_yy(x, y, r)
        return solve_checked(self.ops, self._blocks(self._at(self._hess_g, x, y))[2], r, "Gyy")
