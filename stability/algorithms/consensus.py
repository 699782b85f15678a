"""Methods that correct the game's rotation: consensus, symplectic gradient adjustment, CGD."""

import numpy as np

from .. import backend
from .base import Algorithm
from .params import Param
from .registry import register
from .gda import LR


@register
class CO(Algorithm):
    r"""Consensus optimisation (Numerics of GANs §4).

    Update: :math:`z^+ = z - η(v + γ V^\top v)` (:math:`V^\top v = H∇f = ∇\tfrac12\|v\|^2`).
    Jacobian: :math:`I - η(V + γ V^\top V)`.
    Spectrum: :math:`1 - η μ` for each eigenvalue μ of :math:`V + γ V^\top V` (one
    eigendecomposition per γ serves every η in a sweep).
    Guarantee: converges locally to every local Nash point whose game Jacobian is invertible,
    for small η (Numerics of GANs Cor. 8, with the invertibility the printed statement omits;
    docs/THEOREMS.md). Mathematics: docs/MATHEMATICS.md §3.3.
    """

    name = "co"
    sparse_closed_form = True
    example_hyperparameters = {'gamma': 0.7}
    reference = "Mescheder et al. 2017 (Numerics of GANs) §4; Liang & Stokes 2019 Thm 6"
    params = {"lr": Param(LR, doc="step size η"), "gamma": Param(0.1, "nonnegative", "consensus weight γ")}

    def update(self, game, parts):
        x, y = parts
        gx, gy = game.grad(x, y)
        hx, hy = game.hvp(x, y, gx, gy)
        return [x - self.lr * (gx + self.gamma * hx), y - self.lr * (-gy + self.gamma * hy)]

    def closed_form(self, ctx):
        return ctx.I() - self.lr * (ctx.V + self.gamma * ctx.V.T @ ctx.V)

    def jvp(self, blocks):
        def apply(v):
            Vv = blocks.V(v)
            return v - self.lr * (Vv + self.gamma * blocks.VT(Vv))
        return apply

    shortcut_for_sweeps = True

    def spectral_key(self):
        return ("co", self.gamma)

    def spectral_data(self, ctx):
        V = backend.game_jacobian(*ctx.blocks)
        xp = backend.namespace(V)
        return backend.general_eigenvalues(V + self.gamma * (xp.matrix_transpose(V) @ V))

    def spectrum_from(self, data):
        return 1 - self.lr * data


@register
class SGA(Algorithm):
    r"""Symplectic gradient adjustment (zero-sum form).

    Update: :math:`z^+ = z - η(I + λA^\top)v`, A the off-diagonal part of V.
    Jacobian: :math:`I - η(I + λA^\top)V`.
    Spectrum: :math:`1 - η μ` for each eigenvalue μ of :math:`(I + λA^\top)V = V - λAV` (one
    eigendecomposition per λ serves every η in a sweep).
    Guarantee: none is tested here; on the toy games it converges on g1 and cycles on g3
    (docs/THEOREMS.md, Experiments). Mathematics: docs/MATHEMATICS.md §3.3.
    """

    name = "sga"
    sparse_closed_form = True
    example_hyperparameters = {'lam': 0.8}
    reference = "Balduzzi et al. 2018 (zero-sum form; Interaction Matters' \"SGA\" is simultaneous GDA)"
    params = {"lr": Param(LR, doc="step size η"), "lam": Param(1.0, "real", "adjustment λ")}

    def update(self, game, parts):
        x, y = parts
        gx, gy = game.grad(x, y)
        hxy_gy = game.hvp(x, y, 0 * gx, gy)[0]
        hyx_gx = game.hvp(x, y, gx, 0 * gy)[1]
        return [x - self.lr * (gx + self.lam * hxy_gy), y - self.lr * (-gy + self.lam * hyx_gx)]

    def closed_form(self, ctx):
        return ctx.I() - self.lr * (ctx.I() + self.lam * ctx.A.T) @ ctx.V

    def jvp(self, blocks):
        def apply(v):  # A is skew-symmetric: Aᵀ = −A
            Vv = blocks.V(v)
            return v - self.lr * (Vv - self.lam * blocks.A(Vv))
        return apply

    shortcut_for_sweeps = True

    def spectral_key(self):
        return ("sga", self.lam)

    def spectral_data(self, ctx):
        Hxx, Hxy, Hyy = ctx.blocks
        V = backend.game_jacobian(Hxx, Hxy, Hyy)
        A = backend.game_jacobian(0 * Hxx, Hxy, 0 * Hyy)  # the off-diagonal part of V
        return backend.general_eigenvalues(V - self.lam * (A @ V))

    def spectrum_from(self, data):
        return 1 - self.lr * data


@register
class CGD(Algorithm):
    r"""Competitive gradient descent (LEAD Table 6): each player plays the Nash point of the
    local bilinear approximation.

    Update: :math:`Δx = -η(I + η^2 H_{xy}H_{yx})^{-1}(∇_x f + ηH_{xy}∇_y f)`,
    :math:`Δy = η(I + η^2 H_{yx}H_{xy})^{-1}(∇_y f - ηH_{yx}∇_x f)`.
    Jacobian: :math:`I - η [[I, ηH_{xy}], [-ηH_{yx}, I]]^{-1} V`.
    Spectrum: dense (no structured shortcut).
    Guarantee: converges on :math:`γ(x^2 - y^2)` for every tested γ (LEAD App. J, Fig. 9;
    docs/THEOREMS.md). Mathematics: docs/MATHEMATICS.md §3.3.
    """

    name = "cgd"
    example_hyperparameters = {'lr': 0.3}
    reference = "Schäfer & Anandkumar 2019; LEAD Table 6"
    params = {"lr": Param(LR, doc="step size η")}

    def update(self, game, parts):
        x, y = parts
        ops, eta = game.ops, self.lr
        gx, gy = game.grad(x, y)
        hxy = game.hessian_blocks(x, y)[1]
        hyx = ops.mT(hxy)
        dx = -eta * ops.solve(ops.eye(game.n) + eta ** 2 * (hxy @ hyx), gx + eta * ops.mv(hxy, gy))
        dy = eta * ops.solve(ops.eye(game.m) + eta ** 2 * (hyx @ hxy), gy - eta * ops.mv(hyx, gx))
        return [x + dx, y + dy]

    def closed_form(self, ctx):
        eta = self.lr
        P = np.block([[ctx.I(ctx.n), eta * ctx.Hxy], [-eta * ctx.Hyx, ctx.I(ctx.m)]])
        return ctx.I() - eta * np.linalg.solve(P, ctx.V)
