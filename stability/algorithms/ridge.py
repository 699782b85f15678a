"""Follow-the-Ridge and the Newton-type methods that track the follower's best response."""

import numpy as np
import sympy as sp

from ..backend import concat, congruent_eigenvalues, namespace, symmetric_eigenvalues
from ..errors import InputError
from ..linalg import check_invertible
from .base import Algorithm
from .params import Param, exact_key
from .registry import register
from .gda import STEP_SIZES
from .momentum import HeavyBall


def _apply(game, P, v):
    if P is None:
        return v
    return game.ops.mv(sp.Matrix(P) if game.ops.name == "sympy" else P, v)


@register
class FR(Algorithm):
    r"""Follow-the-Ridge, optionally preconditioned (FR eq. 2/7) or with momentum (eq. 3).

    Update: :math:`x^+ = x - η_x P_1 ∇_x f,\; y^+ = y + η_y P_2 ∇_y f + η_x H_{yy}^{-1}H_{yx} P_1 ∇_x f`.
    Jacobian: :math:`I - η_x L\,\mathrm{diag}(P_1, P_2)[[H_{xx}, H_{xy}], [-cH_{yx}, -cH_{yy}]]`,
    :math:`L = [[I, 0], [-K, I]]`.
    Spectrum (real): :math:`\mathrm{spec}(I - η_x P_1 S) ∪ \mathrm{spec}(I + η_y P_2 H_{yy})`.
    Guarantee (FR Thm 1): for small step sizes the strictly stable points are exactly the
    strict local minimax points. ``beta`` adds heavy-ball momentum (``FRMomentum``).
    Mathematics: docs/MATHEMATICS.md §3.5, §4.1.
    """

    name = "fr"
    real_spectrum = True
    inverts_hyy = True
    reference = "Wang, Zhang, Ba 2020 (Follow-the-Ridge) Alg. 1, Thm 1, Props. 5–6"
    params = {**STEP_SIZES,
              "P_x": Param(None, "spd", "leader preconditioner P1 (n×n, positive definite)"),
              "P_y": Param(None, "spd", "follower preconditioner P2 (m×m, positive definite)")}

    @classmethod
    def build(cls, **hp):
        beta = hp.pop("beta", 0.0)
        if beta != 0:
            return FRMomentum.build(beta=beta, **hp)
        return super().build(**hp)

    def _check_sizes(self, game):
        for key, k in (("P_x", game.n), ("P_y", game.m)):
            P = self.hp[key]
            if P is not None and P.shape != (k, k):
                raise InputError(f"{key} must be {k}×{k} for this game, got {P.shape}")

    def update(self, game, parts):
        self._check_sizes(game)
        x, y = parts
        gx, gy = game.grad(x, y)
        px, py = _apply(game, self.P_x, gx), _apply(game, self.P_y, gy)
        ridge = game.solve_yy(x, y, game.hvp(x, y, px, 0 * py)[1])  # K P1 ∇x f
        return [x - self.lr_x * px, y + self.lr_y * py + self.lr_x * ridge]

    def closed_form(self, ctx):
        self._check_sizes(ctx.game)
        c = self.lr_y / self.lr_x
        M = np.block([[ctx.Hxx, ctx.Hxy], [-c * ctx.Hyx, -c * ctx.Hyy]])
        return ctx.I() - self.lr_x * ctx.L @ _block_diag(self.P_x, self.P_y, ctx) @ M

    def spectral_key(self):
        return ("ridge", exact_key(self.P_x), exact_key(self.P_y))  # spec(P1 S), spec(P2 Hyy)

    def spectral_data(self, ctx):
        self._check_sizes(ctx.game)
        Hyy = ctx.blocks[2]
        return congruent_eigenvalues(ctx.S_xp, self.P_x), congruent_eigenvalues(Hyy, self.P_y)

    def spectrum_from(self, data):
        eig_s, eig_yy = data
        return concat([1 - self.lr_x * eig_s, 1 + self.lr_y * eig_yy])

    def symmetric_parts(self, blocks):
        if self.P_x is not None or self.P_y is not None:
            return None  # spec(P S) is real too, but P S is not symmetric: the general path
        return [(blocks.S, blocks.n, "S", 1.0, -self.lr_x), (blocks.hyy, blocks.m, "Hyy", 1.0, self.lr_y)]


@register
class FRMomentum(HeavyBall):
    __doc__ = r"""Follow-the-Ridge with heavy-ball momentum γ (FR eq. 3, Thm 2).

    Update: the FR step :math:`+ γ(z - z_{t-1})`.
    Jacobian: :math:`[[γI + J_1, -γI], [I, 0]]`, :math:`J_1` the FR Jacobian.
    Spectrum: each (real) eigenvalue r of :math:`J_1` gives the roots of :math:`μ^2 - (γ + r)μ + γ`.
    Guarantee (FR Thm 2): with :math:`η = 1/(2κβ)` and :math:`γ = 1 + 1/(2κ^2) - \sqrt 2/κ`,
    :math:`ρ ≤ 1 - 1/(2\sqrt 2 κ)` instead of FR's :math:`1 - 1/(2κ^2)`.
    Mathematics: docs/MATHEMATICS.md §3.5, §4.1.
    """
    name = "fr-momentum"
    inverts_hyy = True
    example_hyperparameters = {'beta': 0.6}
    reference = "Wang, Zhang, Ba 2020 (Follow-the-Ridge) eq. 3, Thm 2"
    inner_cls = FR
    params = {**FR.params, "beta": Param(0.5, "momentum", "momentum γ")}


@register
class HessianFR(Algorithm):
    r"""HessianFR (Gao et al., Alg. 3.1): FR plus a Newton step for the follower; optionally
    preconditioned by constant ``P_x``, ``P_y`` ≻ 0 (Prop. 3.3).

    Update: :math:`x^+ = x - η_x P_1∇_x f`,
    :math:`y^+ = y + η_{y1}P_2∇_y f - η_{y2}H_{yy}^{-1}P_2∇_y f + η_x H_{yy}^{-1}H_{yx}P_1∇_x f`.
    Jacobian: :math:`I - η_x [[I, 0], [-K, -c_1 I + c_2 H_{yy}^{-1}]]\,\mathrm{diag}(P_1, P_2) H`.
    Spectrum (without ``P_y``): :math:`\mathrm{spec}(I - η_x P_1 S) ∪ \mathrm{spec}((1 - η_{y2})I + η_{y1} H_{yy})`;
    with ``P_y`` the follower block is :math:`I + (η_{y1}H_{yy} - η_{y2}I)P_2` (real, Prop. 5).
    Guarantee: under :math:`η_x < 2/\max(λ_{max}(S), λ_{max}(-c_1H_{yy} + c_2I))` every strict
    local minimax is strictly stable (Thm 3.2; its converse needs the correction of
    docs/THEOREMS.md). Mathematics: docs/MATHEMATICS.md §3.5, §4.1.
    """

    name = "hessianfr"
    real_spectrum = True
    inverts_hyy = True
    example_hyperparameters = {'lr_y2': 0.4}
    reference = "Gao et al. (HessianFR) Alg. 3.1, Thm 3.2, Prop. 3.3"
    params = {**STEP_SIZES, "lr_y2": Param(0.5, "nonnegative", "Newton step ηy2 of the follower"),
              "P_x": FR.params["P_x"], "P_y": FR.params["P_y"]}

    _check_sizes = FR._check_sizes

    def update(self, game, parts):
        self._check_sizes(game)
        x, y = parts
        gx, gy = game.grad(x, y)
        px, py = _apply(game, self.P_x, gx), _apply(game, self.P_y, gy)
        hyx_px = game.hvp(x, y, px, 0 * py)[1]
        newton = game.solve_yy(x, y, self.lr_x * hyx_px - self.lr_y2 * py)
        return [x - self.lr_x * px, y + self.lr_y * py + newton]

    def closed_form(self, ctx):
        self._check_sizes(ctx.game)
        c1, c2 = self.lr_y / self.lr_x, self.lr_y2 / self.lr_x
        M = np.block([[ctx.I(ctx.n), np.zeros((ctx.n, ctx.m))],
                      [-ctx.K, -c1 * ctx.I(ctx.m) + c2 * ctx.Hyy_inv]])
        return ctx.I() - self.lr_x * M @ _block_diag(self.P_x, self.P_y, ctx) @ ctx.H

    def spectral_key(self):
        if self.P_y is None:  # the same data as FR's: spec(P1 S), spec(Hyy)
            return ("ridge", exact_key(self.P_x), None)
        return ("hessianfr", exact_key(self.P_x), exact_key(self.P_y), self.lr_y2 / self.lr_y)

    def spectral_data(self, ctx):
        self._check_sizes(ctx.game)
        check_invertible(ctx.Hyy, "Hyy")
        Hyy = ctx.blocks[2]
        if self.P_y is None:
            return congruent_eigenvalues(ctx.S_xp, self.P_x), symmetric_eigenvalues(Hyy)
        # follower block I + ηy1 (Hyy − (ηy2/ηy1) I) P2: eigenvalues ηy1·spec(C'(Hyy − rI)C)
        xp = namespace(Hyy)
        shifted = Hyy - (self.lr_y2 / self.lr_y) * xp.eye(ctx.m, dtype=Hyy.dtype)
        return congruent_eigenvalues(ctx.S_xp, self.P_x), congruent_eigenvalues(shifted, self.P_y)

    def spectrum_from(self, data):
        eig_s, eig_y = data
        follower = (1 - self.lr_y2) + self.lr_y * eig_y if self.P_y is None else 1 + self.lr_y * eig_y
        return concat([1 - self.lr_x * eig_s, follower])

    def symmetric_parts(self, blocks):
        if self.P_x is not None or self.P_y is not None:
            return None
        return [(blocks.S, blocks.n, "S", 1.0, -self.lr_x),
                (blocks.hyy, blocks.m, "Hyy", 1.0 - self.lr_y2, self.lr_y)]


def _block_diag(P_x, P_y, ctx):
    P = np.eye(ctx.N)
    if P_x is not None:
        P[:ctx.n, :ctx.n] = P_x
    if P_y is not None:
        P[ctx.n:, ctx.n:] = P_y
    return P


@register
class GDN(Algorithm):
    r"""Gradient descent–Newton: the follower takes a full Newton step at the leader's new iterate.

    Update: :math:`x^+ = x - η_x∇_x f(x, y),\; y^+ = y - H_{yy}^{-1}∇_y f(x^+, y)`.
    Jacobian: :math:`[[I - η_xH_{xx}, -η_xH_{xy}], [-K(I - η_xH_{xx}), η_x K H_{xy}]]`.
    Spectrum: :math:`\mathrm{spec}(I - η_x S) ∪ \{0\}^m`.
    Guarantee: strictly stable iff :math:`0 < η_x λ(S) < 2` (its spectrum); HessianFR
    eqs. 3.11–3.12 match its rate. Mathematics: docs/MATHEMATICS.md §3.5, §4.1.
    """

    name = "gdn"
    real_spectrum = True
    inverts_hyy = True
    reference = "Gao et al. (HessianFR) §3, eqs. 3.7–3.12"
    params = {"lr_x": STEP_SIZES["lr_x"]}

    def symmetric_parts(self, blocks):  # and m zeros, which never set ρ
        return [(blocks.S, blocks.n, "S", 1.0, -self.lr_x)]

    def update(self, game, parts):
        x, y = parts
        x_new = x - self.lr_x * game.grad(x, y)[0]
        return [x_new, y - game.solve_yy(x_new, y, game.grad(x_new, y)[1])]

    def closed_form(self, ctx):
        top = ctx.I(ctx.n) - self.lr_x * ctx.Hxx
        return np.block([[top, -self.lr_x * ctx.Hxy], [-ctx.K @ top, self.lr_x * ctx.K @ ctx.Hxy]])

    def spectral_key(self):
        return ("gdn",)

    def spectral_data(self, ctx):
        return symmetric_eigenvalues(ctx.S_xp), ctx.m

    def spectrum_from(self, data):
        eig_s, m = data
        xp = namespace(eig_s)
        return concat([1 - self.lr_x * eig_s, xp.zeros(m, dtype=eig_s.dtype)])


@register
class StackelbergFR(Algorithm):
    r"""Follow-the-Ridge for general-sum Stackelberg games (FR Alg. 2).

    Update, with the total derivative :math:`D_x f = ∇_x f - G_{xy}G_{yy}^{-1}∇_y f`:
    :math:`x^+ = x - η_x D_x f,\; y^+ = y - η_y ∇_y g + η_x G_{yy}^{-1}G_{yx} D_x f`.
    Jacobian: :math:`I - η_x [[I, 0], [-G_{yy}^{-1}G_{yx}, I]] [[∂_x D_x f, ∂_y D_x f], [cG_{yx}, cG_{yy}]]`.
    Spectrum (real, FR Thm 3): :math:`\mathrm{spec}(I - η_x\tilde H_{xx}) ∪ \mathrm{spec}(I - η_y G_{yy})`.
    Guarantee (FR Thm 3): for suitable step sizes, strictly stable iff a differential
    Stackelberg equilibrium. On a zero-sum game g = −f.
    Mathematics: docs/MATHEMATICS.md §2.3, §3.5, §4.1.
    """

    name = "stackelberg-fr"
    real_spectrum = True
    inverts_hyy = True
    reference = "Wang, Zhang, Ba 2020 (Follow-the-Ridge) Alg. 2, Thm 3, App. C.2"
    params = STEP_SIZES
    general_sum = True

    def update(self, game, parts):
        x, y = parts
        fx, fy = game.grad(x, y)
        gy = game.follower_grad(x, y)[1]
        dxf = fx - game.follower_hvp(x, y, 0 * fx, game.follower_solve_yy(x, y, fy))[0]
        ridge = game.follower_solve_yy(x, y, game.follower_hvp(x, y, dxf, 0 * gy)[1])
        return [x - self.lr_x * dxf, y - self.lr_y * gy + self.lr_x * ridge]

    def _follower_blocks(self, ctx):
        game = ctx.game
        if game.is_general_sum:
            x, y = game.split(ctx.point)
            _, Gxy, Gyy = (np.asarray(b) for b in game.follower_blocks(x, y))
            D = game.total_derivative_jacobian(ctx.point)
            return Gxy, Gyy, D[:, :ctx.n], D[:, ctx.n:]
        # zero-sum: G = −H, and at a critical point ∂Dxf = [S, 0]
        return -ctx.Hxy, -ctx.Hyy, ctx.S, np.zeros((ctx.n, ctx.m))

    def closed_form(self, ctx):
        Gxy, Gyy, Dx, Dy = self._follower_blocks(ctx)
        check_invertible(Gyy, "Gyy")
        c = self.lr_y / self.lr_x
        L = np.block([[ctx.I(ctx.n), np.zeros((ctx.n, ctx.m))], [-np.linalg.solve(Gyy, Gxy.T), ctx.I(ctx.m)]])
        return ctx.I() - self.lr_x * L @ np.block([[Dx, Dy], [c * Gxy.T, c * Gyy]])

    def spectral_key(self):
        return ("stackelberg",)

    def spectral_data(self, ctx):
        if ctx.game.is_general_sum:  # the game owns H̃xx (games/general_sum.py)
            Ht, Gyy = (ctx.asarray(b) for b in ctx.game.stackelberg_blocks(ctx.point))
        else:  # zero-sum: g = −f, so H̃xx = S and Gyy = −Hyy
            Ht, Gyy = ctx.S_xp, -ctx.blocks[2]
        return symmetric_eigenvalues(Ht), symmetric_eigenvalues(Gyy)

    def spectrum_from(self, data):
        eig_h, eig_g = data
        return concat([1 - self.lr_x * eig_h, 1 - self.lr_y * eig_g])
