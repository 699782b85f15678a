"""Games given by a formula: exact sympy derivatives, evaluated through vectorised
lambdified functions (docs/MATHEMATICS.md §1)."""

import sympy as sp

from ..errors import FormulaError, InputError, NotSupportedError, checked_call
from .base import Game
from .symbolic import SymbolicView
from .symbols import LastCall, declare_players, declare_symbols, mp_evaluate, substitute, to_expr, vectorised


class ExpressionGame(Game):
    """A game given by a sympy expression; exact derivatives, lambdified for speed.

    Build it with :meth:`stability.Game.from_expr`.
    """

    has_expressions = True

    def __init__(self, expr, x, y, params=()):
        xs, ys = declare_players(x, y)
        super().__init__([s.name for s in xs], [s.name for s in ys])
        self.xs, self.ys = xs, ys
        values = {}
        if isinstance(params, dict):  # {name: number}: constants with values
            values = dict(params)
            params = list(values)
        self.params = declare_symbols(params, "parameter") if params is not None and len(params) else []
        clash = {s.name for s in self.params} & {s.name for s in xs + ys}
        if clash:
            raise FormulaError(f"parameter(s) {', '.join(sorted(clash))} also declared as variables")
        self.expr = to_expr(expr, xs, ys, self.params)
        if values:
            self.expr = substitute(self.expr, self.params, values)
            self.params = []
        zs = xs + ys
        self.grad_exprs = [sp.diff(self.expr, s) for s in zs]
        self.hessian_expr = sp.Matrix([[sp.diff(g, s) for s in zs] for g in self.grad_exprs])
        self._symbolic = None
        if self.params:
            return  # symbolic only: nothing numeric to lambdify
        self._value = vectorised([self.expr], zs)
        self._grad = LastCall(vectorised(self.grad_exprs, zs))
        self._hess = LastCall(vectorised(list(self.hessian_expr), zs))

    def __reduce__(self):  # lambdified functions do not pickle: rebuild from the expression
        return (type(self), (self.expr, self.xs, self.ys, self.params))

    def __getattr__(self, name):
        if name in ("_value", "_grad", "_hess") and self.__dict__.get("params"):
            raise NotSupportedError(
                f"the game has symbolic parameters ({', '.join(s.name for s in self.params)}); "
                "only its symbolic view is available — substitute numbers for numeric analysis")
        raise AttributeError(name)

    def __repr__(self):
        return f"<{type(self).__name__} f = {self.expr}, x = {self.x_names}, y = {self.y_names}>"

    def value(self, x, y):
        return self._value(self._points(x, y))[..., 0]

    def grad(self, x, y):
        g = self._grad(self._points(x, y))
        return g[..., :self.n], g[..., self.n:]

    def hessian_blocks(self, x, y):
        N = self.n + self.m
        P = self._points(x, y)
        H = self._hess(P).reshape(P.shape[:-1] + (N, N))
        n = self.n
        return H[..., :n, :n], H[..., :n, n:], H[..., n:, n:]

    def symbolic(self):
        if self._symbolic is None:
            self._symbolic = SymbolicView(self.expr, self.xs, self.ys)
        return self._symbolic

    @checked_call
    def subs(self, values=None, **named):
        """The same game with numbers for some or all of its symbolic parameters:
        ``game.subs(h=0.5)`` or ``game.subs({"h": 0.5})``. Parameters left out stay symbolic."""
        values = {**(dict(values) if values is not None else {}), **named}
        if not values:
            raise InputError("subs needs at least one parameter value")
        expr = substitute(self.expr, self.params, values)
        rest = [p for p in self.params if p.name not in {str(k) for k in values}]
        return type(self)(expr, self.xs, self.ys, rest)

    def stationarity_exprs(self):
        """The expressions whose common zeros are the critical points: ``∇f``."""
        return list(self.grad_exprs)

    def mp_stationarity(self, point):
        """The stationarity map and its Jacobian at ``point`` in mpmath (see
        :meth:`mp_derivatives`)."""
        return self.mp_derivatives(point)

    def mp_derivatives(self, point):
        """Gradient and Hessian at ``point`` (floats, taken as exact binary numbers) in mpmath
        arithmetic at the current ``mpmath.mp.dps``: no under- or overflow."""
        if self.__dict__.get("_mp") is None:
            zs = self.xs + self.ys
            self._mp = (sp.lambdify(zs, self.grad_exprs, modules="mpmath"),
                        sp.lambdify(zs, list(self.hessian_expr), modules="mpmath"))
        return mp_evaluate(self._mp, point)
