"""The constructors of games, also reachable as ``Game.from_expr``, ``Game.general_sum``,
``Game.quadratic`` and ``Game.from_callables``. They live here, above every representation,
so that the base class :class:`~stability.games.base.Game` imports none of its subclasses."""

from ..errors import checked_call
from .base import Game
from .callables import CallableGame
from .expression import ExpressionGame
from .general_sum import GeneralSumGame
from .quadratic import QuadraticGame


@checked_call
def from_expr(expr, x, y, params=()):
    """A game from a formula string or sympy expression.

    Parameters
    ----------
    expr : str or sympy.Expr
        ``f(x, y)``; strings are parsed safely (:mod:`stability.formula`).
    x, y : str, sequence of str, or sequence of sympy.Symbol
        The leader's (minimising) and follower's (maximising) variables, e.g. ``"x1,x2"``.
    params : str, sequence of str, or sequence of sympy.Symbol
        Constants that stay symbolic (e.g. ``"h,a"``). Such a game only has a symbolic
        view (symbolic Jacobians and stable sets); numeric methods raise NotSupportedError.

    Examples
    --------
    >>> from stability import Game
    >>> Game.from_expr("-3*x**2 - y**2 + 4*x*y", "x", "y")
    <ExpressionGame f = -3*x**2 + 4*x*y - y**2, x = ('x',), y = ('y',)>
    """
    return ExpressionGame(expr, x, y, params)


@checked_call
def general_sum(f, g, x, y):
    """A general-sum Stackelberg game: the leader minimises ``f``, the follower ``g``."""
    return GeneralSumGame(f, g, x, y)


@checked_call
def quadratic(Hxx, Hxy, Hyy, bx=None, by=None):
    """``f = ½xᵀHxx x + xᵀHxy y + ½yᵀHyy y + bxᵀx + byᵀy`` from dense, sparse or operator blocks."""
    return QuadraticGame(Hxx, Hxy, Hyy, bx, by)


@checked_call
def from_callables(grad, n, m, hessian=None, value=None, hvp=None, vectorized=False):
    """A game from numpy callables; see :class:`~stability.games.callables.CallableGame`."""
    return CallableGame(grad, n, m, hessian=hessian, value=value, hvp=hvp, vectorized=vectorized)


for _factory in (from_expr, general_sum, quadratic, from_callables):
    setattr(Game, _factory.__name__, staticmethod(_factory))
