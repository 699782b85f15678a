"""General-sum (Stackelberg) games: the leader minimises ``f``, the follower ``g``
(docs/MATHEMATICS.md §2.3). The game owns its stationarity system ``(Dx f, ∇y g)`` and the
Stackelberg blocks ``(H̃xx, Gyy)``."""

import numpy as np
import sympy as sp

from ..errors import SingularBlockError
from ..linalg import as_finite_array, check_invertible
from ..linalg.blocks import solve_checked
from .expression import ExpressionGame
from .symbolic import SymbolicView
from .symbols import LastCall, mp_evaluate, to_expr, vectorised


class GeneralSumGame(ExpressionGame):
    """Leader minimises ``f``, follower minimises ``g`` (``g = -f`` is the zero-sum case).

    Build it with :meth:`stability.Game.general_sum`.
    """

    is_general_sum = True

    def __init__(self, f, g, x, y):
        super().__init__(f, x, y)
        zs = self.xs + self.ys
        self.follower_expr = to_expr(g, self.xs, self.ys)
        self.follower_grad_exprs = [sp.diff(self.follower_expr, s) for s in zs]
        self.follower_hessian_expr = sp.hessian(self.follower_expr, zs)
        self._grad_g = LastCall(vectorised(self.follower_grad_exprs, zs))
        self._hess_g = LastCall(vectorised(list(self.follower_hessian_expr), zs))
        self._total_jacobian = None

    def __repr__(self):
        return f"<GeneralSumGame f = {self.expr}, g = {self.follower_expr}>"

    def __reduce__(self):
        return (type(self), (self.expr, self.follower_expr, self.xs, self.ys))

    def follower_grad(self, x, y):
        g = self._grad_g(self._points(x, y))
        return g[..., :self.n], g[..., self.n:]

    def follower_blocks(self, x, y):
        N, n = self.n + self.m, self.n
        P = self._points(x, y)
        G = self._hess_g(P).reshape(P.shape[:-1] + (N, N))
        return G[..., :n, :n], G[..., :n, n:], G[..., n:, n:]

    def follower_hvp(self, x, y, u, w):
        gxx, gxy, gyy = self.follower_blocks(x, y)
        mv, mT = self.ops.mv, self.ops.mT
        return mv(gxx, u) + mv(gxy, w), mv(mT(gxy), u) + mv(gyy, w)

    def follower_solve_yy(self, x, y, r):
        return solve_checked(self.ops, self.follower_blocks(x, y)[2], r, "Gyy")

    def total_derivative_exprs(self):
        """The leader's total derivative ``Dx f = ∇x f − Gxy Gyy⁻¹ ∇y f`` as a column of
        expressions (the one place it is built)."""
        if self.__dict__.get("_total_exprs") is None:
            n = self.n
            G = self.follower_hessian_expr
            gf = sp.Matrix(self.grad_exprs)
            try:
                self._total_exprs = gf[:n, :] - G[:n, n:] * G[n:, n:].LUsolve(gf[n:, :])
            except (ValueError, ZeroDivisionError) as exc:  # sympy's NonInvertibleMatrixError
                raise SingularBlockError(f"the follower's Hessian Gyy is singular as a matrix of "
                                         f"expressions ({exc}): the total derivative is undefined") from None
        return self._total_exprs

    def total_derivative_jacobian(self, point):
        """Exact Jacobian of the leader's total derivative ``Dx f = ∇x f − Gxy Gyy⁻¹ ∇y f``
        with respect to ``(x, y)`` at ``point`` (third derivatives of g included)."""
        if self._total_jacobian is None:
            zs = self.xs + self.ys
            self._total_jacobian = vectorised(list(self.total_derivative_exprs().jacobian(zs)), zs)
        z = np.concatenate(self.split(point))
        return as_finite_array(self._total_jacobian(z).reshape(self.n, self.n + self.m),
                               "Jacobian of the total derivative")

    def stationarity_exprs(self):
        """The expressions whose common zeros are the critical points: ``(Dx f, ∇y g)``."""
        return list(self.total_derivative_exprs()) + self.follower_grad_exprs[self.n:]

    def stationarity(self):
        """``(F, J)``: the stationarity map ``(Dx f, ∇y g)`` of one point and its exact
        Jacobian (third derivatives of g included), lambdified once."""
        if self.__dict__.get("_stationarity") is None:
            zs = self.xs + self.ys
            exprs = self.stationarity_exprs()
            jac = sp.Matrix(exprs).jacobian(zs)
            F, J, N = vectorised(exprs, zs), vectorised(list(jac), zs), len(zs)
            self._stationarity = (
                lambda z: as_finite_array(F(np.concatenate(self.split(z), axis=-1)), "stationarity conditions"),
                lambda z: as_finite_array(J(np.concatenate(self.split(z), axis=-1)).reshape(N, N),
                                          "Jacobian of the stationarity conditions"),
                exprs, jac)
        return self._stationarity[:2]

    def mp_stationarity(self, point):
        """The stationarity map and its Jacobian at ``point`` in mpmath."""
        if self.__dict__.get("_mp_stationarity") is None:
            self.stationarity()
            zs = self.xs + self.ys
            _, _, exprs, jac = self._stationarity
            self._mp_stationarity = (sp.lambdify(zs, exprs, modules="mpmath"),
                                     sp.lambdify(zs, list(jac), modules="mpmath"))
        return mp_evaluate(self._mp_stationarity, point)

    def stackelberg_blocks(self, point):
        """``(H̃xx, Gyy)`` at ``point``, with ``H̃xx = ∂x(Dx f) − ∂y(Dx f) Gyy⁻¹ Gyx``: the blocks
        whose spectra decide the Stackelberg verdicts and the Stackelberg-FR spectrum (the one
        place H̃xx is built)."""
        x, y = self.split(point)
        _, Gxy, Gyy = (np.asarray(b) for b in self.follower_blocks(x, y))
        D = self.total_derivative_jacobian(point)
        Dx, Dy = D[:, :self.n], D[:, self.n:]
        check_invertible(Gyy, "Gyy")
        return Dx - Dy @ np.linalg.solve(Gyy, Gxy.T), Gyy

    def symbolic(self):
        if self._symbolic is None:
            self._symbolic = SymbolicView(self.expr, self.xs, self.ys, g=self.follower_expr)
        return self._symbolic
