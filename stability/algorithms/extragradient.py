"""Methods that look ahead or back: extragradient, optimistic GDA, predictive, implicit."""

import numpy as np

from .. import backend
from ..errors import ConvergenceError, SingularBlockError
from ..linalg import check_invertible
from ..backend import quadratic_roots
from .context import companion
from .params import Param
from .registry import register
from .gda import LR, STEP_SIZES, DVFunction


@register
class EG(DVFunction):
    r"""Extragradient.

    Update: :math:`z_{1/2} = z - D v(z),\; z^+ = z - D v(z_{1/2})`.
    Jacobian: :math:`I - DV + (DV)^2`.
    Spectrum: each eigenvalue λ of DV maps to :math:`1 - λ + λ^2`.
    Guarantee: with real spectra EG is never faster than two-time-scale GDA (HessianFR Thm A.3
    as corrected in docs/THEOREMS.md). Mathematics: docs/MATHEMATICS.md §3.2, §4.1.
    """

    name = "eg"
    sparse_closed_form = True
    gradient_calls = 2
    reference = "Korpelevich 1976; HessianFR App. A, Thm A.3"
    params = STEP_SIZES

    def update(self, game, parts):
        x, y = parts
        gx, gy = game.grad(x, y)
        gx, gy = game.grad(x - self.lr_x * gx, y + self.lr_y * gy)
        return [x - self.lr_x * gx, y + self.lr_y * gy]

    def closed_form(self, ctx):
        DV = ctx.DV(self.lr_x, self.lr_y)
        return ctx.I() - DV + DV @ DV

    def jvp(self, blocks):
        DV = blocks.DV(self.lr_x, self.lr_y)
        return lambda v: v - DV(v) + DV(DV(v))

    def map_eigenvalues(self, lam):
        return 1 - lam + lam * lam


@register
class OGDA(DVFunction):
    r"""Optimistic GDA / optimistic mirror descent (OMD).

    Update: :math:`z^+ = z - 2D v(z_t) + D v(z_{t-1})` on the state :math:`(z_t, z_{t-1})`.
    Jacobian: :math:`[[I - 2DV, DV], [I, 0]]`.
    Spectrum: each λ of DV gives the roots of :math:`μ^2 - (1 - 2λ)μ - λ = 0`.
    Guarantee: on bilinear games, linear convergence at η = 1/(2√(2λmax(CCᵀ)))
    (Interaction Matters Thm 3). Mathematics: docs/MATHEMATICS.md §3.2, §4.1.
    """

    name, aliases = "ogda", ("omd",)
    gradient_calls = 1
    sparse_closed_form = True
    reference = "Daskalakis et al. 2018; Liang & Stokes 2019 (Interaction Matters) Thm 3"
    params = STEP_SIZES
    copies = 2

    def update(self, game, parts):
        x, y, xp, yp = parts
        gx, gy = game.grad(x, y)
        gxp, gyp = game.grad(xp, yp)
        return [x - self.lr_x * (2 * gx - gxp), y + self.lr_y * (2 * gy - gyp), x, y]

    def closed_form(self, ctx):
        DV = ctx.DV(self.lr_x, self.lr_y)
        return companion(ctx.I() - 2 * DV, DV)

    def jvp(self, blocks):
        DV, N = blocks.DV(self.lr_x, self.lr_y), blocks.n + blocks.m
        return lambda v: blocks.concat([v[:N] - 2 * DV(v[:N]) + DV(v[N:]), v[:N]])

    def map_eigenvalues(self, lam):
        return quadratic_roots(1 - 2 * lam, -lam)


@register
class PM(DVFunction):
    r"""Predictive method (Interaction Matters eq. 7).

    Update: :math:`z_{1/2} = z - γ v(z),\; z^+ = z - η v(z_{1/2})`.
    Jacobian: :math:`I - ηV + ηγV^2`.
    Spectrum: each eigenvalue λ of V maps to :math:`1 - ηλ + ηγλ^2`.
    Guarantee: on bilinear games, linear convergence at the step sizes of Interaction Matters
    Thm 4 (it coincides with CO there, Thm 6). Mathematics: docs/MATHEMATICS.md §3.2, §4.1.
    """

    name = "pm"
    sparse_closed_form = True
    gradient_calls = 2
    example_hyperparameters = {'gamma': 0.3}
    reference = "Liang & Stokes 2019 (Interaction Matters) eq. 7, Thm 4"
    params = {"lr": Param(LR, doc="step size η"), "gamma": Param(LR, doc="predictive step γ")}

    dv_ratio = 1.0

    @property
    def dv_scale(self):
        return self.lr

    def update(self, game, parts):
        x, y = parts
        gx, gy = game.grad(x, y)
        gx, gy = game.grad(x - self.gamma * gx, y + self.gamma * gy)
        return [x - self.lr * gx, y + self.lr * gy]

    def closed_form(self, ctx):
        return ctx.I() - self.lr * ctx.V + self.lr * self.gamma * ctx.V @ ctx.V

    def map_eigenvalues(self, lam):  # lam = ηλ
        return 1 - lam + self.gamma / self.lr * lam * lam


@register
class IU(DVFunction):
    r"""Implicit update (proximal point).

    Update: :math:`z^+ = z - D v(z^+)`, solved by Newton's method on
    :math:`F(w) = w - z + D v(w)` (one step on quadratic games).
    Jacobian: :math:`(I + DV)^{-1}` (undefined where I + DV is singular).
    Spectrum: each eigenvalue λ of DV maps to :math:`1/(1 + λ)`.
    Guarantee: on bilinear games, linear convergence at η = 1/√λmax(CCᵀ) (Interaction
    Matters Thm 5). Mathematics: docs/MATHEMATICS.md §3.2, §4.1.
    """

    name = "iu"
    reference = "Liang & Stokes 2019 (Interaction Matters) Thm 5; Rockafellar 1976"
    params = STEP_SIZES
    newton_steps = 50

    def update(self, game, parts):
        x, y = parts
        wx, wy = x.copy(), y.copy()
        n, m = game.n, game.m
        scale = 1e-13 * np.maximum(1.0, np.abs(np.concatenate([x, y], axis=-1)).max(axis=-1))
        for _ in range(self.newton_steps):
            gx, gy = game.grad(wx, wy)
            F = np.concatenate([wx - x + self.lr_x * gx, wy - y - self.lr_y * gy], axis=-1)
            if np.all(np.abs(F).max(axis=-1) <= scale):
                return [wx, wy]
            hxx, hxy, hyy = (np.broadcast_to(b, F.shape[:-1] + b.shape[-2:])
                             for b in game.hessian_blocks(wx, wy))
            J = np.concatenate([
                np.concatenate([np.eye(n) + self.lr_x * hxx, self.lr_x * hxy], axis=-1),
                np.concatenate([-self.lr_y * np.swapaxes(hxy, -1, -2), np.eye(m) - self.lr_y * hyy], axis=-1)],
                axis=-2)
            try:
                delta = np.linalg.solve(J, F[..., None])[..., 0]
            except np.linalg.LinAlgError:
                raise SingularBlockError("implicit update: I + D·V is singular at an iterate; "
                                         "the implicit step is not defined there") from None
            wx, wy = wx - delta[..., :n], wy - delta[..., n:]
        raise ConvergenceError(f"implicit update: Newton did not converge in {self.newton_steps} steps "
                               f"(residual {np.abs(F).max():.3g}); try a smaller step size")

    def symbolic_update_jacobian(self, sg, row, syms, at):
        # Implicit function theorem on F(w, z) = w - z + D v(w): J = (I + D V(w))⁻¹ at w = z*.
        x, y = self.split_state(sg, row)
        gx, gy = sg.grad(x, y)
        G = sg.ops.hstack([x + self.lr_x * gx, y - self.lr_y * gy])
        return G.jacobian(syms).xreplace(at).inv()

    def linear_jacobian(self, model):
        # on a linear oracle G(w) = w + D v(w) is linear: its identity rows give Gᵀ, and J = G⁻¹
        x, y = self.split_state(model, model.ops.eye(self.state_size(model)))
        gx, gy = model.grad(x, y)
        return model.ops.inv(model.ops.mT(model.ops.hstack([x + self.lr_x * gx, y - self.lr_y * gy])))

    def closed_form(self, ctx):
        M = ctx.I() + ctx.DV(self.lr_x, self.lr_y)
        check_invertible(M, "I + D·V (the implicit update)")
        return np.linalg.inv(M)

    def eigenvalue_poles(self):
        """``I + ηV`` is singular where λ = −1/η (one step size)."""
        return (-1.0 / self.lr_x,) if self.lr_x == self.lr_y else ()

    def map_eigenvalues(self, lam):
        host = np.asarray(backend.to_numpy(1 + lam))
        # an eigenvalue of D·V is accurate to ~√(ε‖DV‖) only (defective ones: g1 at η = 0.5 gives
        # 1 + λ = 2e-8 where it is exactly 0), so |1 + λ| below 4√(ε·max(1, |λ|max)) is a singular
        # I + D·V to working precision — not a Jacobian with ρ ≈ 5e7
        floor = 4 * np.sqrt(np.finfo(float).eps * max(1.0, float(np.abs(host - 1).max(initial=0.0))))
        if np.any(np.abs(host) <= floor):
            raise SingularBlockError("I + D·V is singular to working precision (an eigenvalue of D·V "
                                     f"is −1 within {floor:.2g}): the implicit update is not defined "
                                     "at this step size")
        return 1 / (1 + lam)
