"""Momentum: heavy ball as a wrapper around any memoryless map, LEAD, complex momentum."""

import numpy as np
import sympy as sp

from .. import backend
from ..errors import NotSupportedError

from ..backend import quadratic_roots
from .base import Algorithm
from .context import companion
from .params import Param
from .registry import register
from .gda import GDA, LR, DVFunction


class HeavyBall(Algorithm):
    r"""Heavy-ball momentum around a memoryless update map ``inner``.

    Update: :math:`z^+ = \mathrm{inner}(z) + β (z - z_{t-1})`.
    Jacobian: :math:`[[βI + J_1, -βI], [I, 0]]` with :math:`J_1` the inner Jacobian.
    Spectrum: each eigenvalue r of :math:`J_1` gives the roots of :math:`μ^2 - (β + r)μ + β = 0`.
    Guarantee: that of the inner map at β = 0. Mathematics: docs/MATHEMATICS.md §3.4.
    """

    inner_cls = None
    copies = 2

    def __init__(self, **hp):
        super().__init__(**hp)
        self.inner = self.inner_cls(**{k: v for k, v in self.hp.items() if k != "beta"})

    def exact_copy(self, hp):
        out = super().exact_copy(hp)
        out.inner = self.inner.exact_copy({k: v for k, v in hp.items() if k != "beta"})
        return out

    def update(self, game, parts):
        x, y, xp, yp = parts
        nx, ny = self.inner.update(game, [x, y])
        return [nx + self.beta * (x - xp), ny + self.beta * (y - yp), x, y]

    def closed_form(self, ctx):
        J1 = self.inner.closed_form(ctx)
        I = ctx.I(J1.shape[0])
        return companion(self.beta * I + J1, -self.beta * I)

    def spectral_key(self):
        # β only enters the final map; with a structured inner map the data is the inner's own
        if self.inner.has_shortcut:
            return self.inner.spectral_key()
        return ("inner-jacobian",) + self.inner.spectral_key()

    def spectral_data(self, ctx):
        if self.inner.has_shortcut:
            return self.inner.spectral_data(ctx)
        if ctx.xp is not None:
            raise NotSupportedError(f"{self.inner.name} has no structured spectrum in namespace {ctx.xp}")
        return np.linalg.eigvals(self.inner.closed_form(ctx))

    def spectrum_from(self, data):
        r = self.inner.spectrum_from(data) if self.inner.has_shortcut else data
        return quadratic_roots(self.beta + r, self.beta)


@register
class HB(HeavyBall):
    __doc__ = r"""Heavy-ball GDA (β > 0 positive, β < 0 negative momentum).

    Update: :math:`z^+ = z - D v(z) + β (z - z_{t-1})`.
    Jacobian: :math:`[[(1+β)I - DV, -βI], [I, 0]]`.
    Spectrum: each λ of DV gives the roots of :math:`μ^2 - (1 + β - λ)μ + β = 0`.
    Guarantee: on a strongly convex–concave quadratic, tuned, Polyak's rate
    :math:`(\sqrt κ - 1)/(\sqrt κ + 1)` at a double root (the LEAD Fig. 3 tests compare the
    tuner with it). Mathematics: docs/MATHEMATICS.md §3.4, §4.1.
    """
    name, aliases = "hb", ("hb-gda",)
    sparse_closed_form = True
    gradient_calls = 1
    example_hyperparameters = {'beta': -0.3}
    reference = "Polyak 1964; Gidel et al. 2019 (negative momentum)"
    inner_cls = GDA
    params = {**GDA.params, "beta": Param(0.5, "momentum", "momentum β (negative: negative momentum)")}


@register
class LEAD(Algorithm):
    r"""LEAD (Hemmat et al., Alg. 1): momentum plus a coupling force on the opponent's motion.

    Update, with :math:`Δx = x - x_{t-1}`:
    :math:`x^+ = x + βΔx - η∇_x f - α H_{xy} Δy,\; y^+ = y + βΔy + η∇_y f + α H_{yx} Δx`.
    Jacobian: :math:`[[(1+β)I - ηV - αA, -βI + αA], [I, 0]]`, A the off-diagonal part of V.
    Spectrum: dense; on LEAD's eq. 13 the closed form of Thm 2
    :math:`μ_± = (1 - (η+α)λ + β - ηh ± \sqrt Δ)/2` (tested).
    Guarantee: ∂ρ/∂α < 0 at α = 0 iff η ∈ (0, 1/Im λmax) (Prop. 3 as corrected in
    docs/THEOREMS.md). Mathematics: docs/MATHEMATICS.md §3.4.
    """

    name = "lead"
    sparse_closed_form = True
    example_hyperparameters = {'alpha': 0.3, 'beta': 0.2}
    reference = "Hemmat et al. (LEAD, TMLR) Alg. 1, Thm 2"
    params = {"lr": Param(LR, doc="step size η"),
              "alpha": Param(0.05, "real", "coupling α"),
              "beta": Param(0.0, "momentum", "momentum β")}
    copies = 2

    def update(self, game, parts):
        x, y, xp, yp = parts
        gx, gy = game.grad(x, y)
        dx, dy = x - xp, y - yp
        hxy_dy = game.hvp(x, y, 0 * dx, dy)[0]
        hyx_dx = game.hvp(x, y, dx, 0 * dy)[1]
        return [x + self.beta * dx - self.lr * gx - self.alpha * hxy_dy,
                y + self.beta * dy + self.lr * gy + self.alpha * hyx_dx, x, y]

    def closed_form(self, ctx):
        I, b, a = ctx.I(), self.beta, self.alpha
        return companion((1 + b) * I - self.lr * ctx.V - a * ctx.A, -b * I + a * ctx.A)

    def jvp(self, blocks):
        N, b, a, eta = blocks.n + blocks.m, self.beta, self.alpha, self.lr
        def apply(v):
            u, w = v[:N], v[N:]
            return blocks.concat([(1 + b) * u - b * w - eta * blocks.V(u) + a * blocks.A(w - u), u])
        return apply


def _re_im(value):
    if isinstance(value, sp.Basic):
        return sp.re(value), sp.im(value)
    value = complex(value)
    return value.real, value.imag


@register
class ComplexMomentum(DVFunction):
    r"""Complex momentum (Lorraine et al. 2022), as compared in LEAD §7.1.

    Update: :math:`μ^+ = βμ - v(z),\; z^+ = z + \mathrm{Re}(α μ^+)` with complex α, β;
    real state :math:`(x, y, \mathrm{Re}\,μ, \mathrm{Im}\,μ)`.
    Jacobian (a, a', b, b' the real and imaginary parts of α, β):
    :math:`[[I - aV, (ab - a'b')I, -(ab' + a'b)I], [-V, bI, -b'I], [0, b'I, bI]]`.
    Spectrum: a function of V: each eigenvalue λ of V gives the 3 eigenvalues of
    :math:`[[1 - aλ, ab - a'b', -(ab' + a'b)], [-λ, b, -b'], [0, b', b]]`.
    Guarantee: none is tested here beyond the spectrum (LEAD §7.1 compares it tuned).
    Mathematics: docs/MATHEMATICS.md §3.4, §4.1.
    """

    name, aliases = "complex-momentum", ("cm",)
    gradient_calls = 1
    example_hyperparameters = {'alpha': (0.1+0.05j), 'beta': (0.7+0.3j)}
    reference = "Lorraine, Acuna, Vicol, Duvenaud 2022; LEAD §7.1"
    params = {"alpha": Param(LR, "complex", "step size α (complex)"),
              "beta": Param(0.8 * np.exp(1j * np.pi / 8), "complex", "momentum β (complex)")}
    copies = 3
    step_param = "alpha"

    def init_state(self, game, z0):
        z0 = np.asarray(z0, dtype=float)
        return np.concatenate([z0, np.zeros_like(z0), np.zeros_like(z0)], axis=-1)

    def symbolic_fixed_state(self, values):
        return list(values) + [0] * (2 * len(values))

    def update(self, game, parts):
        x, y, rx, ry, ix, iy = parts
        a, a2 = _re_im(self.alpha)
        b, b2 = _re_im(self.beta)
        gx, gy = game.grad(x, y)
        vx, vy = gx, -gy
        rx_new, ry_new = b * rx - b2 * ix - vx, b * ry - b2 * iy - vy
        ix_new, iy_new = b2 * rx + b * ix, b2 * ry + b * iy
        return [x + a * rx_new - a2 * ix_new, y + a * ry_new - a2 * iy_new,
                rx_new, ry_new, ix_new, iy_new]

    dv_ratio, dv_scale = 1.0, 1.0  # a function of V alone

    def map_eigenvalues(self, lam):
        """Each eigenvalue λ of V gives the eigenvalues of the 3×3 block
        ``[[1 − aλ, ab − a'b', −(ab' + a'b)], [−λ, b, −b'], [0, b', b]]``: the roots of its
        characteristic polynomial ``t³ + (aλ − 2b − 1)t² + (|β|² + 2b − Re(αβ̄)λ)t − |β|²``
        (docs/MATHEMATICS.md §3.4), O(size) per value of the hyperparameters."""
        a, a2 = _re_im(self.alpha)
        b, b2 = _re_im(self.beta)
        xp = backend.namespace(lam)
        lam = xp.astype(lam, xp.complex128)
        beta2 = b * b + b2 * b2
        return backend.cubic_roots(a * lam - 2 * b - 1, beta2 + 2 * b - (a * b + a2 * b2) * lam, -beta2)

    def closed_form(self, ctx):
        a, a2 = _re_im(self.alpha)
        b, b2 = _re_im(self.beta)
        I, Z = ctx.I(), np.zeros((ctx.N, ctx.N))
        return np.block([[I - a * ctx.V, (a * b - a2 * b2) * I, -(a * b2 + a2 * b) * I],
                         [-ctx.V, b * I, -b2 * I],
                         [Z, b2 * I, b * I]])
