"""The game oracle ``min_x max_y f(x, y)`` (and general-sum games with a follower cost ``g``).

A game is an *oracle*: batched gradients, Hessian blocks, Hessian-vector products and
solves with ``Hyy``. Points are rows: ``x`` has shape ``(..., n)`` and ``y`` ``(..., m)``.
Update maps (``stability.algorithms``) only talk to this interface, so the same map runs
on formula games, callables, dense/sparse/matrix-free quadratics, and on the sympy view of
a game that the symbolic Jacobian differentiates (docs/MATHEMATICS.md §1). Each
representation lives in its own module of :mod:`stability.games`; the constructors
``Game.from_expr`` and friends are in :mod:`stability.games.factories`.
"""

import numpy as np

from .. import backend
from ..config import defaults
from ..errors import DenseTooLargeError, InputError, NotSupportedError, ShapeError
from ..linalg import as_finite_array, gib, short
from ..linalg.blocks import solve_checked


def full_hessian(Hxx, Hxy, Hyy):
    """The symmetric Hessian ``[[Hxx, Hxy], [Hxyᵀ, Hyy]]`` from its blocks."""
    return np.block([[Hxx, Hxy], [Hxy.T, Hyy]])


class Game:
    """Base class: a zero-sum game ``min_x max_y f``.

    Subclasses implement :meth:`grad` and (for dense analysis) :meth:`hessian_blocks`;
    the defaults for Hessian-vector products and ``Hyy`` solves go through the dense
    blocks with the block algebra in :attr:`ops`.
    """

    ops = backend.NUMPY
    is_general_sum = False
    """True for games where the follower minimises its own ``g`` (not ``−f``)."""
    is_quadratic = False
    """True for games whose gradient is affine (the residual at a point is exact)."""
    has_expressions = False
    """True for games with exact sympy expressions (formula games): exact critical points,
    exact inertias and 50-digit arithmetic are available."""
    approximate = False
    """True for games whose Hessian operations are approximations (engine only)."""
    differenced_hessian = False
    """True where the dense Hessian is central differences of the gradient (a callable game
    given no Hessian): good to its error bound, but not a number a certificate may take as the
    game's."""

    def __init__(self, x_names, y_names):
        """``x_names``, ``y_names``: the players' variable names, or their numbers (then the
        names ``x1 … xn``, ``y1 … ym`` are generated on demand, never stored)."""
        counted = lambda spec: isinstance(spec, (int, np.integer))
        x_names = int(x_names) if counted(x_names) else tuple(x_names)
        y_names = int(y_names) if counted(y_names) else tuple(y_names)
        n, m = (v if counted(v) else len(v) for v in (x_names, y_names))
        if n == 0 or m == 0:
            raise InputError(f"both players need at least one variable (got n={n}, m={m})")
        check_size(n, m)  # before anything of that size exists
        self.x_names = Names("x", n) if counted(x_names) else x_names
        self.y_names = Names("y", m) if counted(y_names) else y_names
        self.n, self.m = n, m

    def __repr__(self):
        return f"<{type(self).__name__} n={self.n} m={self.m}>"

    # --- the oracle -----------------------------------------------------------------
    def grad(self, x, y):
        """``(∇x f, ∇y f)`` at the rows of ``x`` and ``y``."""
        raise NotImplementedError

    def value(self, x, y):
        """``f`` at the rows of ``x`` and ``y``."""
        raise NotSupportedError(f"{type(self).__name__} has no function value")

    def hessian_blocks(self, x, y):
        """Dense ``(Hxx, Hxy, Hyy)`` at the rows of ``x`` and ``y``."""
        raise NotSupportedError(f"{type(self).__name__} provides no Hessian")

    def hessian_error(self, point):
        """A bound on the error of :meth:`hessian_blocks` at ``point`` beyond rounding (0 for
        exact derivatives; games that approximate their Hessian override it)."""
        return 0.0

    def hvp(self, x, y, u, w):
        """``(Hxx u + Hxy w, Hyx u + Hyy w)``."""
        hxx, hxy, hyy = self.hessian_blocks(x, y)
        mv, mT = self.ops.mv, self.ops.mT
        return mv(hxx, u) + mv(hxy, w), mv(mT(hxy), u) + mv(hyy, w)

    def solve_yy(self, x, y, r):
        """``Hyy⁻¹ r``."""
        return solve_checked(self.ops, self.hessian_blocks(x, y)[2], r, "Hyy")

    def solve_xx(self, x, y, r):
        """``Hxx⁻¹ r`` (for the follower's Schur complement T)."""
        return solve_checked(self.ops, self.hessian_blocks(x, y)[0], r, "Hxx")

    def _points(self, x, y):
        """Rows ``(x, y)`` joined, broadcasting the batch shapes."""
        batch = np.broadcast_shapes(x.shape[:-1], y.shape[:-1])
        return np.concatenate([np.broadcast_to(x, batch + (self.n,)),
                               np.broadcast_to(y, batch + (self.m,))], axis=-1)

    # The follower minimises g; in a zero-sum game g = -f.
    def follower_grad(self, x, y):
        gx, gy = self.grad(x, y)
        return -gx, -gy

    def follower_hvp(self, x, y, u, w):
        a, b = self.hvp(x, y, u, w)
        return -a, -b

    def follower_solve_yy(self, x, y, r):
        return -self.solve_yy(x, y, r)

    # --- points -----------------------------------------------------------------------
    def split(self, point):
        """Validate a point (shape ``(n+m,)`` or ``(B, n+m)``) and split it into x and y."""
        z = as_finite_array(point, "point")
        if z.ndim not in (1, 2) or z.shape[-1] != self.n + self.m:
            raise ShapeError(f"point must have n + m = {self.n + self.m} entries "
                             f"(x: {self.n}, y: {self.m}), got shape {z.shape}")
        return z[..., :self.n], z[..., self.n:]

    def gradient_at(self, point):
        """The gradient ``(∇x f, ∇y f)`` at one point, as one vector."""
        x, y = self.split(point)
        return as_finite_array(np.concatenate(self.grad(x, y), axis=-1), "gradient at the point")

    def blocks_at(self, point):
        """Dense Hessian blocks ``(Hxx, Hxy, Hyy)`` at one point, checked finite."""
        x, y = self.split(point)
        if x.ndim != 1:
            raise ShapeError(f"expected one point, got a batch of shape {x.shape[:-1]}")
        blocks = self.hessian_blocks(x, y)
        names = ("Hxx", "Hxy", "Hyy")
        return tuple(as_finite_array(b, f"{name} at the point") for b, name in zip(blocks, names))

    def symbolic(self):
        """The sympy view of this game (for symbolic Jacobians)."""
        raise NotSupportedError(f"{type(self).__name__} has no symbolic form; "
                                "build the game from a formula or small dense blocks")

    def stationarity(self):
        """``(F, J)``: the stationarity map of one point and its Jacobian — ``∇f`` and the
        Hessian for zero-sum games (general-sum games override it with ``(Dx f, ∇y g)``).
        Root finding, Newton refinement and criticality tests run on this one pair."""
        return self.gradient_at, lambda z: full_hessian(*self.blocks_at(z))


class Names:
    """The names ``x1 … xk`` of a player with ``k`` variables, made on demand (a game given by
    blocks or callables with 10⁸ variables stores no list of 10⁸ strings)."""

    def __init__(self, prefix, k):
        self.prefix, self.k = prefix, int(k)

    def __len__(self):
        return self.k

    def __getitem__(self, i):
        if isinstance(i, slice):
            return tuple(self[j] for j in range(*i.indices(self.k)))
        if not -self.k <= i < self.k:
            raise IndexError(i)
        return f"{self.prefix}{i % self.k + 1}"

    def __iter__(self):
        return (f"{self.prefix}{i + 1}" for i in range(self.k))

    def __eq__(self, other):
        return tuple(self) == tuple(other) if len(other) == self.k else False

    def __repr__(self):
        return f"({self[0]!r}, …, {self[-1]!r})" if self.k > 3 else repr(tuple(self))


def check_size(n, m):
    """Refuse games whose state vector (n + m floats) alone exceeds
    ``config.defaults["linalg.max_array_bytes"]``, before anything of that size is allocated."""
    if 8 * (n + m) > defaults["linalg.max_array_bytes"]:
        raise DenseTooLargeError(
            f"a game with n + m = {short(n + m)} variables needs {gib(8 * int(n + m))} for "
            f"one point (limit config.defaults['linalg.max_array_bytes'] = {defaults['linalg.max_array_bytes'] / 2 ** 30:.3g} GiB)")


def check_game(game):
    """``game`` if it is a :class:`Game`; otherwise a typed error saying how to make one."""
    if isinstance(game, Game):
        return game
    hint = ""
    if isinstance(game, str):
        hint = f"; for the catalogue game use stability.games.get({game!r}), for a formula Game.from_expr"
    raise InputError(f"game must be a stability Game (Game.from_expr, Game.quadratic, "
                     f"Game.from_callables, games.get), got {type(game).__name__}{hint}")


def require_zero_sum(game, what):
    """``game`` unless it is general-sum: ``what`` is defined through f alone (``V``, the
    zero-sum update maps), and g would be silently ignored."""
    if check_game(game).is_general_sum:
        raise NotSupportedError(f"{what} is defined for zero-sum games only (it uses f alone, and "
                                "would ignore the follower's g); for general-sum games use "
                                "classify and the 'stackelberg-fr' algorithm")
    return game


def require_exact_game(game):
    """``game`` unless its Hessian operations are approximations (engine-only views), which
    no fixed-point analysis may use as if they were the game's."""
    if check_game(game).approximate:
        raise NotSupportedError(f"{type(game).__name__} approximates Hessian operations for the "
                                "iteration engine; analyse the underlying game instead")
    return game
