"""A game's oracle in another array namespace: JAX (traced and compiled by the JAX engine),
CuPy (a GPU) or ``array_api_strict`` (the standard itself, in the tests).

The update maps of :mod:`stability.algorithms` are written once over a block algebra and a
game oracle; :class:`NamespaceBlocks` is that algebra in any array-API namespace and
:class:`NamespaceGame` the oracle, so the engine runs the very same maps there. Quadratic
games copy their (dense) blocks into the namespace once; formula games compile their sympy
gradient and Hessian with ``sympy.lambdify`` for the libraries sympy can print for (JAX,
CuPy). Everything is float64.
"""

import numpy as np

from ..backend import namespace_name, standard_namespace
from ..errors import NotSupportedError
from .base import Game
from .expression import ExpressionGame
from .general_sum import GeneralSumGame
from .quadratic import QuadraticGame

LAMBDIFY_MODULES = {"jax": "jax", "cupy": "cupy"}
"""The namespaces (by top-level package) whose formula games sympy can compile."""


class NamespaceBlocks:
    """The block algebra of :class:`stability.backend.NumpyBlocks` in an array-API namespace:
    vectors ``(..., k)``, matrices ``(k, l)`` (one for all points) or ``(..., k, l)``."""

    def __init__(self, xp):
        self.xp, self.name = standard_namespace(xp), namespace_name(xp)

    def mv(self, M, v):
        xp = self.xp
        if M.shape[-2:] == (1, 1):
            return M[..., 0] * v
        if M.ndim == 2:  # one matrix for every point: one matrix product
            return v @ xp.matrix_transpose(M)
        return (M @ v[..., None])[..., 0]

    def solve(self, M, v):
        xp = self.xp
        if M.shape[-2:] == (1, 1):
            return v / M[..., 0]
        M = xp.broadcast_to(M, v.shape[:-1] + M.shape[-2:])
        return xp.linalg.solve(M, v[..., None])[..., 0]

    def eye(self, k):
        return self.xp.eye(k, dtype=self.xp.float64)

    def mT(self, M):
        return self.xp.matrix_transpose(M)

    def hstack(self, blocks):
        return self.xp.concat(blocks, axis=-1)


class NamespaceGame:
    """A zero-sum game's oracle in the namespace ``xp``, for the engine's batched rows: the
    gradient, Hessian blocks and their products and solves (a singular Hyy gives non-finite
    values, which the engine reports as divergence)."""

    is_general_sum = False

    def __init__(self, game, xp, device=None):
        if isinstance(game, GeneralSumGame) or game.is_general_sum:
            raise NotSupportedError(f"the {namespace_name(xp)} engine runs zero-sum games; general-sum games "
                                    "run on the numpy engine")
        self.n, self.m, self.xp, self.device = game.n, game.m, standard_namespace(xp), device
        self.ops = NamespaceBlocks(xp)
        if isinstance(game, QuadraticGame):
            self._quadratic(game)
        elif isinstance(game, ExpressionGame) and not game.params and namespace_name(xp) in LAMBDIFY_MODULES:
            self._formula(game, LAMBDIFY_MODULES[namespace_name(xp)])
        else:
            kinds = "quadratic and formula games" if namespace_name(xp) in LAMBDIFY_MODULES else "quadratic games"
            raise NotSupportedError(f"the {namespace_name(xp)} engine runs {kinds}, not {type(game).__name__} "
                                    "(a formula game with free parameters: substitute them first); "
                                    "use the numpy engine")

    def asarray(self, a):
        return self.xp.asarray(np.asarray(a, dtype=np.float64), device=self.device)

    def _quadratic(self, game):
        Hxx, Hxy, Hyy = (self.asarray(B) for B in game.dense_blocks())
        bx, by = self.asarray(game.bx), self.asarray(game.by)
        HyxT = self.xp.matrix_transpose(Hxy)
        self._blocks = (Hxx, Hxy, Hyy)
        # the blocks are symmetric where they must be (x Hxx = Hxx x), so rows multiply on the left
        self.grad = lambda x, y: (x @ Hxx + y @ HyxT + bx, x @ Hxy + y @ Hyy + by)
        self.hessian_blocks = lambda x, y: self._blocks
        self.hvp = lambda x, y, u, w: (u @ Hxx + w @ HyxT, u @ Hxy + w @ Hyy)
        self.solve_yy = lambda x, y, r: self.ops.solve(Hyy, r)
        self.solve_xx = lambda x, y, r: self.ops.solve(Hxx, r)

    def _formula(self, game, module):
        import sympy as sp
        xp, N, n = self.xp, self.n + self.m, self.n
        zs = list(game.xs) + list(game.ys)
        grad = sp.lambdify(zs, list(game.grad_exprs), modules=module, cse=True)
        hess = sp.lambdify(zs, list(game.hessian_expr), modules=module, cse=True)

        def columns(fn, x, y):
            z = xp.concat([x, y], axis=-1)   # the engine's rows: one batch shape
            batch = z.shape[:-1]
            cols = fn(*(z[..., i] for i in range(N)))
            return xp.stack([xp.broadcast_to(xp.asarray(c, dtype=z.dtype), batch) for c in cols], axis=-1)

        def hessian_blocks(x, y):
            H = columns(hess, x, y)
            H = xp.reshape(H, H.shape[:-1] + (N, N))
            return H[..., :n, :n], H[..., :n, n:], H[..., n:, n:]

        def hvp(x, y, u, w):
            hxx, hxy, hyy = hessian_blocks(x, y)
            mv, mT = self.ops.mv, self.ops.mT
            return mv(hxx, u) + mv(hxy, w), mv(mT(hxy), u) + mv(hyy, w)

        def split_grad(x, y):
            g = columns(grad, x, y)
            return g[..., :n], g[..., n:]
        self.grad, self.hessian_blocks, self.hvp = split_grad, hessian_blocks, hvp
        self.solve_yy = lambda x, y, r: self.ops.solve(hessian_blocks(x, y)[2], r)
        self.solve_xx = lambda x, y, r: self.ops.solve(hessian_blocks(x, y)[0], r)

    # zero-sum: the follower minimises −f, as for every zero-sum Game
    follower_grad, follower_hvp, follower_solve_yy = Game.follower_grad, Game.follower_hvp, Game.follower_solve_yy
