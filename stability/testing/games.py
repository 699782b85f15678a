"""Quadratic games with a prescribed structure at the origin (numpy only; the Hypothesis
strategies of :mod:`stability.testing.strategies` draw their arguments).

Each constructor returns ``(game, point)`` with ``point`` the origin, a critical point of the
game. Spectra are prescribed through random orthogonal bases: eigenvalues are drawn
log-uniformly from ``[1, condition]`` and scaled by ``scale``, so ``condition`` bounds the
condition number of each prescribed block."""

import numpy as np
import sympy as sp

from ..errors import InputError
from ..games import Game
from ..linalg import count, real_number

KINDS = ("minimax", "nash", "maximin", "none")
"""What the origin of :func:`structured_game` is: a strict local minimax (Hyy ≺ 0 and S ≻ 0,
Hxx often indefinite), a strict local Nash point (Hxx ≻ 0, Hyy ≺ 0), a strict local maximin
(Hxx ≻ 0 and T ≺ 0), or none of these (Hxx and Hyy each with an eigenvalue of the wrong sign)."""


def _symbols(n, m):
    """Real sympy symbols ``x1 … xn`` and ``y1 … ym``, as tuples."""
    names = lambda prefix, k: " ".join(f"{prefix}{i}" for i in range(1, k + 1)) + ","
    return sp.symbols(names("x", n), real=True), sp.symbols(names("y", m), real=True)


def _spectrum(rng, k, condition, scale):
    return scale * np.exp(rng.uniform(0.0, np.log(condition), k))


def _prescribed(rng, values):
    """A symmetric matrix with the given eigenvalues in a random orthogonal basis."""
    Q, _ = np.linalg.qr(rng.standard_normal((len(values), len(values))))
    M = (Q * values) @ Q.T
    return (M + M.T) / 2


def _checked(n, m, seed, condition, scale):
    n, m = count(n, "n", 1, high=10 ** 4), count(m, "m", 1, high=10 ** 4)
    condition = real_number(condition, "condition", 1.0)
    scale = real_number(scale, "scale", 0.0, inclusive=False)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError(f"seed must be a non-negative integer, got {seed!r}")
    return n, m, np.random.default_rng(int(seed)), condition, scale


def structured_game(kind, n, m, seed=0, condition=10.0, scale=1.0, coupling=1.0):
    """A quadratic game whose origin is of ``kind`` (one of :data:`KINDS`).

    Parameters
    ----------
    kind : {"minimax", "nash", "maximin", "none"}
    n, m : int
        The players' dimensions.
    seed : int
        Seed of the numpy generator that draws everything.
    condition : float ≥ 1
        Bound on the condition number of each prescribed block (S and Hyy for "minimax",
        Hxx and Hyy for "nash", Hxx and T for "maximin").
    scale : float > 0
        The smallest prescribed eigenvalue magnitude.
    coupling : float
        Standard deviation of the entries of Hxy, times ``1/√max(n, m)``.

    Returns
    -------
    (Game, numpy.ndarray)
        The game and its critical point (the origin).
    """
    if kind not in KINDS:
        raise InputError(f"kind must be one of {KINDS}, got {kind!r}")
    n, m, rng, condition, scale = _checked(n, m, seed, condition, scale)
    coupling = real_number(coupling, "coupling", 0.0)
    Hxy = coupling * rng.standard_normal((n, m)) / np.sqrt(max(n, m))
    positive = lambda k: _prescribed(rng, _spectrum(rng, k, condition, scale))
    if kind == "nash":
        Hxx, Hyy = positive(n), -positive(m)
    elif kind == "minimax":
        Hyy = -positive(m)
        Hxx = positive(n) + Hxy @ np.linalg.solve(Hyy, Hxy.T)  # S = Hxx − Hxy Hyy⁻¹ Hyx prescribed
    elif kind == "maximin":
        Hxx = positive(n)
        Hyy = -positive(m) + Hxy.T @ np.linalg.solve(Hxx, Hxy)  # T = Hyy − Hyx Hxx⁻¹ Hxy prescribed
    else:
        signs = lambda k, first: np.concatenate([[first], rng.choice([-1.0, 1.0], k - 1)])
        Hxx = _prescribed(rng, signs(n, -1.0) * _spectrum(rng, n, condition, scale))
        Hyy = _prescribed(rng, signs(m, 1.0) * _spectrum(rng, m, condition, scale))
    return Game.quadratic((Hxx + Hxx.T) / 2, Hxy, (Hyy + Hyy.T) / 2), np.zeros(n + m)


def bilinear_game(n, singular_values=(0.5, 2.0), seed=0):
    """``f = xᵀ B y`` with ``B`` (n × n) having singular values uniform in ``singular_values``;
    returns ``(game, origin)``."""
    lo, hi = (real_number(v, "singular value", 0.0) for v in singular_values)
    if lo > hi:
        raise InputError(f"singular_values must be (low, high) with low ≤ high, got {singular_values!r}")
    n, _, rng, _, _ = _checked(n, n, seed, 1.0, 1.0)
    U, _ = np.linalg.qr(rng.standard_normal((n, n)))
    W, _ = np.linalg.qr(rng.standard_normal((n, n)))
    B = (U * rng.uniform(lo, hi, n)) @ W.T
    Z = np.zeros((n, n))
    return Game.quadratic(Z, B, Z), np.zeros(2 * n)


def monotone_game(n, m, mu=0.1, L=1.0, seed=0):
    """A μ-strongly monotone, L-Lipschitz quadratic game: the symmetric part of V is
    ``diag(Hxx, −Hyy)`` with eigenvalues in ``[μ, L/2]`` and ``‖Hxy‖₂ ≤ L/2``, so
    ``sym(V) ⪰ μI`` and ``‖V‖₂ ≤ L``; returns ``(game, origin)``."""
    mu, L = real_number(mu, "mu", 0.0, inclusive=False), real_number(L, "L", 0.0, inclusive=False)
    if 2 * mu > L:
        raise InputError(f"need 2μ ≤ L for this construction, got μ = {mu}, L = {L}")
    n, m, rng, _, _ = _checked(n, m, seed, 1.0, 1.0)
    block = lambda k: _prescribed(rng, np.concatenate([[mu], rng.uniform(mu, L / 2, k - 1)]))
    Hxy = rng.standard_normal((n, m))
    Hxy *= rng.uniform(0.0, L / 2) / max(np.linalg.norm(Hxy, 2), np.finfo(float).tiny)
    return Game.quadratic(block(n), Hxy, -block(m)), np.zeros(n + m)


def polynomial_game(kind, n, m, seed=0, condition=10.0, cubic=0.1, scale=1.0):
    """A non-quadratic formula game in ``n + m ≤ 8`` variables with a known critical point
    ``p`` of ``kind`` (one of :data:`KINDS`): ``f(z) = ½(z − p)ᵀH(z − p) + Σᵢ cᵢ(zᵢ − pᵢ)³``
    with ``H`` the Hessian of :func:`structured_game` and ``|cᵢ| ≤ cubic``. The cubic terms
    vanish to second order at ``p``, so ``p`` is critical with Hessian ``H`` exactly, while
    third derivatives (and other critical points) make the update maps nonlinear.
    Returns ``(game, p)``."""
    if count(n, "n", 1) + count(m, "m", 1) > 8:
        raise InputError(f"a polynomial game has at most 8 variables (symbolic work grows fast), got {n} + {m}")
    quadratic, _ = structured_game(kind, n, m, seed, condition, scale)
    rng = np.random.default_rng([int(seed), 1])
    cubic = real_number(cubic, "cubic", 0.0)
    p = np.round(rng.uniform(-1.0, 1.0, n + m), 3)
    H = np.block([[quadratic.Hxx, quadratic.Hxy], [quadratic.Hxy.T, quadratic.Hyy]])
    xs, ys = _symbols(n, m)
    d = sp.Matrix([s - sp.Float(v) for s, v in zip(list(xs) + list(ys), p)])
    c = rng.uniform(-cubic, cubic, n + m)
    f = (d.T * sp.Matrix(H) * d)[0, 0] / 2 + sum(sp.Float(ci) * di ** 3 for ci, di in zip(c, d))
    return Game.from_expr(sp.expand(f), list(xs), list(ys)), p


def stackelberg_game(n, m, seed=0, condition=10.0, scale=1.0, stackelberg=True):
    """A general-sum quadratic game (the leader minimises f, the follower g) whose origin is a
    strict differential Stackelberg point (``stackelberg=True``) or is not one (the leader's
    total Hessian gets a negative eigenvalue). Prescribed: ``Gyy ≻ 0`` and the leader's total
    Hessian ``D²f = Fxx + FxyK + KᵀFyx + KᵀFyyK`` with ``K = −Gyy⁻¹Gyx`` (the slope of the
    follower's best response), from which ``Fxx`` is solved. Returns ``(game, origin)``."""
    n, m, rng, condition, scale = _checked(n, m, seed, condition, scale)
    if n + m > 8:
        raise InputError(f"a Stackelberg game here has at most 8 variables (symbolic work grows fast), got {n} + {m}")
    positive = lambda k: _prescribed(rng, _spectrum(rng, k, condition, scale))
    Gyy, Gyx = positive(m), rng.standard_normal((m, n)) / np.sqrt(max(n, m))
    Gxx = _prescribed(rng, rng.standard_normal(n))
    K = -np.linalg.solve(Gyy, Gyx)
    Fxy, Fyy = rng.standard_normal((n, m)) / np.sqrt(max(n, m)), _prescribed(rng, rng.standard_normal(m))
    total = positive(n)
    if not stackelberg:
        values = np.linalg.eigvalsh(total)
        total = _prescribed(rng, np.concatenate([[-values[0]], values[1:]]))
    Fxx = total - (Fxy @ K + K.T @ Fxy.T + K.T @ Fyy @ K)
    F = np.block([[Fxx, Fxy], [Fxy.T, Fyy]])
    G = np.block([[Gxx, Gyx.T], [Gyx, Gyy]])
    xs, ys = _symbols(n, m)
    z = sp.Matrix(list(xs) + list(ys))
    half = lambda M: sp.expand((z.T * sp.Matrix((M + M.T) / 2) * z)[0, 0] / 2)
    return Game.general_sum(half(F), half(G), list(xs), list(ys)), np.zeros(n + m)


def game_with_spectrum(pairs, seed=0):
    """A quadratic game (n = m = ``len(pairs)``) whose game Jacobian ``V`` has exactly the
    eigenvalues ``a ± ib`` for the complex numbers ``a + ib`` in ``pairs`` (``b ≥ 0``; a real
    ``a`` gives the double eigenvalue ``a``). In the bases of random orthogonal ``U``, ``W``:
    ``Hxx = U diag(a) Uᵀ``, ``Hyy = −W diag(a) Wᵀ``, ``Hxy = U diag(b) Wᵀ``, so ``V`` is
    orthogonally similar to the direct sum of ``[[a, b], [−b, a]]``. Returns ``(game, origin)``."""
    pairs = np.asarray(pairs, dtype=complex).ravel()
    if pairs.size == 0 or not np.all(np.isfinite(pairs)):
        raise InputError("pairs must be a non-empty sequence of finite complex numbers")
    if np.any(pairs.imag < 0):
        raise InputError("each pair a + ib gives a ± ib: give b ≥ 0")
    n, _, rng, _, _ = _checked(pairs.size, pairs.size, seed, 1.0, 1.0)
    U, _ = np.linalg.qr(rng.standard_normal((n, n)))
    W, _ = np.linalg.qr(rng.standard_normal((n, n)))
    a, b = pairs.real, pairs.imag
    Hxx, Hyy = (U * a) @ U.T, -(W * a) @ W.T
    return Game.quadratic((Hxx + Hxx.T) / 2, (U * b) @ W.T, (Hyy + Hyy.T) / 2), np.zeros(2 * n)
