"""The papers' practical variants, for the iteration engine only.

- :class:`ApproximateHessian` wraps a game so that ``Hyy⁻¹`` is applied by a few conjugate
  gradient steps on ``(Hyy² + λI) b = Hyy r`` (HessianFR eq. 3.30; FR App. D.4 with
  Levenberg–Marquardt damping λ) and, optionally, Hessian-vector products are finite
  differences of gradients (HessianFR eq. 3.3). Any algorithm that calls ``solve_yy``/``hvp``
  (FR, HessianFR, GDN, CO, SGA, LEAD) runs on it unchanged: CG1/CG5/CG10 are ``cg_iters``.
- :class:`SecantInverse` ("DG", HessianFR eq. 3.33) replaces ``Hyy⁻¹`` by the scalar secant
  estimate ``⟨Δg, Δy⟩/‖Δg‖²`` from the previous follower iterate; it adds memory.
- :class:`Adaptive` runs RMSprop or Adam on an algorithm's update direction.

None of these maps is the exact update at a fixed point (CG with a fixed number of steps is
not even linear in its right-hand side, the secant estimate is 0/0 at a fixed point, Adam's
step depends on its moment estimates), so they have no fixed-point Jacobian: asking for one
raises :class:`NotSupportedError`.
"""

import numpy as np

from .algorithms.base import Algorithm
from .errors import InputError, NotSupportedError
from .games.base import Game, Names, check_game
from .linalg import real_number, short


def _wrap(view, game):
    """Set up ``view`` as an approximating view of ``game``: same players, same kind (a
    general-sum game stays general-sum, so zero-sum methods still refuse it)."""
    game = check_game(game)
    Game.__init__(view, *(len(v) if isinstance(v, Names) else v for v in (game.x_names, game.y_names)))
    view.is_general_sum = game.is_general_sum


class ApproximateHessian(Game):
    """A game whose ``Hyy`` solves (and optionally Hessian-vector products) are approximate.

    Parameters
    ----------
    game : Game
    cg_iters : int
        Conjugate-gradient steps per solve (CG1, CG5, CG10 in HessianFR §4).
    damping : float
        Levenberg–Marquardt damping λ ≥ 0 in ``(Hyy² + λI) b = Hyy r``.
    fd_hvp : float or None
        If given, Hessian-vector products are forward differences of the gradient with
        this step (``Hv ≈ (∇f(z + αv) − ∇f(z))/α``, HessianFR eq. 3.3).
    """

    approximate = True

    def __init__(self, game, cg_iters=5, damping=0.0, fd_hvp=None):
        _wrap(self, game)
        if isinstance(cg_iters, bool) or not isinstance(cg_iters, (int, np.integer)) or cg_iters < 1:
            raise InputError(f"cg_iters must be a positive integer, got {short(cg_iters)}")
        damping = real_number(damping, "damping", 0.0)
        if fd_hvp is not None and not real_number(fd_hvp, "fd_hvp", 0.0) > 0:
            raise InputError(f"fd_hvp must be a positive step, got {fd_hvp!r}")
        self.game, self.cg_iters, self.damping, self.fd_hvp = game, int(cg_iters), damping, fd_hvp

    def grad(self, x, y):
        return self.game.grad(x, y)

    def value(self, x, y):
        return self.game.value(x, y)

    def hessian_blocks(self, x, y):
        return self.game.hessian_blocks(x, y)

    def hvp(self, x, y, u, w):
        if self.fd_hvp is None:
            return self.game.hvp(x, y, u, w)
        a = self.fd_hvp
        gx1, gy1 = self.game.grad(x + a * u, y + a * w)
        gx0, gy0 = self.game.grad(x, y)
        return (gx1 - gx0) / a, (gy1 - gy0) / a

    def _hyy(self, x, y, w):
        return self.hvp(x, y, np.zeros(x.shape[:-1] + (self.n,)), w)[1]

    def solve_yy(self, x, y, r):
        """``cg_iters`` CG steps on ``(Hyy² + λI) b = Hyy r`` (SPD for λ > 0 or Hyy regular), batched."""
        apply = lambda w: self._hyy(x, y, self._hyy(x, y, w)) + self.damping * w
        rhs = self._hyy(x, y, r)
        b = np.zeros_like(rhs)
        res = rhs.copy()
        p = res.copy()
        rr = np.sum(res * res, axis=-1, keepdims=True)
        for _ in range(self.cg_iters):
            Ap = apply(p)
            pAp = np.sum(p * Ap, axis=-1, keepdims=True)
            alpha = np.divide(rr, pAp, out=np.zeros_like(rr), where=pAp > 0)
            b = b + alpha * p
            res = res - alpha * Ap
            rr_new = np.sum(res * res, axis=-1, keepdims=True)
            p = res + np.divide(rr_new, rr, out=np.zeros_like(rr), where=rr > 0) * p
            rr = rr_new
        return b


class _ScalarInverse(Game):
    """A view of ``game`` whose ``Hyy⁻¹`` is a per-row scalar."""

    approximate = True

    def __init__(self, game, scale):
        _wrap(self, game)
        self.game, self.scale = game, scale

    def grad(self, x, y):
        return self.game.grad(x, y)

    def hessian_blocks(self, x, y):
        return self.game.hessian_blocks(x, y)

    def hvp(self, x, y, u, w):
        return self.game.hvp(x, y, u, w)

    def solve_yy(self, x, y, r):
        return self.scale * r


class SecantInverse(Algorithm):
    """``inner`` with ``Hyy⁻¹ ≈ ⟨∇y f(x, y) − ∇y f(x, y₋), y − y₋⟩ / ‖…‖² · I`` (HessianFR eq. 3.33,
    "DG"). On the first step (``y = y₋``) the estimate is 0, so the correction terms vanish."""

    copies = 2
    stationary = False

    def __init__(self, inner):
        if inner.copies != 1:
            raise InputError(f"the DG estimate wraps a memoryless algorithm, not {inner.name}")
        self.inner, self.hp, self.name = inner, dict(inner.hp), f"{inner.name}-dg"

    def update(self, game, parts):
        x, y, xp, yp = parts
        dg = game.grad(x, y)[1] - game.grad(x, yp)[1]
        dy = y - yp
        num, den = np.sum(dg * dy, -1, keepdims=True), np.sum(dg * dg, -1, keepdims=True)
        scale = np.divide(num, den, out=np.zeros_like(num), where=den > 0)
        nx, ny = self.inner.update(_ScalarInverse(game, scale), [x, y])
        return [nx, ny, x, y]

    def jacobian(self, game, point):
        raise NotSupportedError(f"{self.name}: the secant estimate is 0/0 at a fixed point; "
                                "the map has no fixed-point Jacobian")

    spectrum = symbolic_jacobian = jacobian


class Adaptive(Algorithm):
    """RMSprop or Adam on the update direction ``d = z − inner(z)`` of a memoryless algorithm:
    ``z⁺ = z − lr · m̂ / (√v̂ + eps)`` (Adam; RMSprop uses ``d`` for ``m̂`` and no bias correction).
    State: ``(z, m, v, t)``."""

    stationary = False

    def __init__(self, inner, kind="adam", lr=1e-3, b1=0.9, b2=0.999, eps=1e-8):
        if kind not in ("adam", "rmsprop"):
            raise InputError(f"kind must be 'adam' or 'rmsprop', got {kind!r}")
        if inner.copies != 1:
            raise InputError(f"{kind} wraps a memoryless algorithm, not {inner.name}")
        checks = {"lr > 0": lr > 0, "0 <= b1 < 1": 0 <= b1 < 1, "0 < b2 < 1": 0 < b2 < 1,
                  "eps > 0": eps > 0}
        for rule, ok in checks.items():
            if not ok:
                raise InputError(f"{kind} needs {rule} (got lr={lr!r}, b1={b1!r}, b2={b2!r}, eps={eps!r})")
        self.inner, self.kind = inner, kind
        self.hp = {**inner.hp, "lr_adaptive": lr, "b1": b1, "b2": b2, "eps": eps}
        self.name = f"{inner.name}-{kind}"

    def state_size(self, game):
        return 3 * (game.n + game.m) + 1

    def init_state(self, game, z0):
        z0 = np.atleast_2d(np.asarray(z0, dtype=float))
        return np.concatenate([z0, np.zeros_like(z0), np.zeros_like(z0), np.zeros(z0.shape[:-1] + (1,))], -1)

    def step(self, game, state):
        N, n = game.n + game.m, game.n
        z, m, v, t = state[..., :N], state[..., N:2 * N], state[..., 2 * N:3 * N], state[..., -1:] + 1
        d = z - np.concatenate(self.inner.update(game, [z[..., :n], z[..., n:]]), -1)
        b1, b2, eps, lr = self.hp["b1"], self.hp["b2"], self.hp["eps"], self.hp["lr_adaptive"]
        v = b2 * v + (1 - b2) * d * d
        if self.kind == "adam":
            m = b1 * m + (1 - b1) * d
            direction = (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)
        else:
            direction = d / (np.sqrt(v) + eps)
        return np.concatenate([z - lr * direction, m, v, t], -1)

    def jacobian(self, game, point):
        raise NotSupportedError(f"{self.name}: adaptive step sizes make the map non-stationary; "
                                "it has no fixed-point Jacobian")

    spectrum = symbolic_jacobian = jacobian
