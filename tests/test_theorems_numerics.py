"""Mescheder, Nowozin, Geiger — The Numerics of GANs (NeurIPS 2017): Lemma 4, Cor. 5, Lemma 7,
Cor. 8, Lemma 9. The paper maximises; its Jacobian A = v'(x̄) is −V in our convention."""

import numpy as np
import pytest
from hypothesis import given, strategies as st

from stability.diagnostics import rotation

from stability import Game, algorithms, run, spectral_radius
from stability.spectral import gda_step_size_bound
from stability.testing import game_with_spectrum, structured_game
from conftest import oracle_radius, spd

SEEDS = range(20)


def hurwitz(seed, n=4, rotation=3.0):
    """A random A whose eigenvalues have negative real parts (strong rotation)."""
    rng = np.random.default_rng(seed)
    S = -spd(rng, n, 0.1)
    K = rotation * (lambda M: M - M.T)(rng.standard_normal((n, n)))
    return S + K


def lemma4_bound(A):
    lam = np.linalg.eigvals(A)
    return np.min(1 / np.abs(lam.real) * 2 / (1 + (lam.imag / lam.real) ** 2))


@pytest.mark.parametrize("seed", SEEDS)
def test_lemma4_iff(seed):
    A = hurwitz(seed)
    h = lemma4_bound(A)
    rho = lambda step: np.abs(np.linalg.eigvals(np.eye(4) + step * A)).max()
    # eigenvalues are simple for random A, so ρ is accurate to ~1e-15 and 1e-8 margins decide
    assert rho(h * (1 - 1e-8)) < 1 <= rho(h * (1 + 1e-8)) + 1e-15


@pytest.mark.parametrize("seed", SEEDS)
def test_lemma4_matches_gda_step_size_bound(seed):
    game, _ = structured_game("nash", 2, 3, seed, condition=30.0, scale=0.1, coupling=3 * np.sqrt(3))
    Hxx, Hxy, Hyy = game.dense_blocks()
    A = -np.block([[Hxx, Hxy], [-Hxy.T, -Hyy]])                     # v' = −V
    assert gda_step_size_bound(game, np.zeros(5)) == pytest.approx(lemma4_bound(A), rel=1e-12)


@pytest.mark.parametrize("seed", range(5))
def test_cor5_small_steps_converge(seed):
    game, _ = structured_game("nash", 2, 2, seed, condition=30.0, scale=0.1, coupling=3 * np.sqrt(2))
    rng = np.random.default_rng(seed)
    h = 0.5 * gda_step_size_bound(game, np.zeros(4))
    traj = run(algorithms.get("gda", lr=h), game, rng.standard_normal(4), steps=200_000, tol=1e-8)
    assert traj.stop[0] == "converged"


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("gamma", [0.01, 1.0, 10.0])
def test_lemma7(seed, gamma):
    """On the library's consensus-optimisation map, J = I − η(V + γVᵀV): with v' = −V
    negative semidefinite (Hxx ⪰ 0, Hyy ⪯ 0, both singular) and invertible (the coupling),
    w' = (I − γv'ᵀ)v' = −(I − J)/η is negative definite. J is the finite-difference Jacobian
    of the update map (exact to ~1e-11 on this affine map, ~1e-10 in w'); the oracle is
    eigvalsh of w''s symmetric part."""
    rng = np.random.default_rng(seed)
    Hxx = (lambda M: M @ M.T)(rng.standard_normal((2, 1)))        # ⪰ 0, rank 1
    Hyy = -(lambda M: M @ M.T)(rng.standard_normal((2, 1)))       # ⪯ 0, rank 1
    game = Game.quadratic(Hxx, rng.standard_normal((2, 2)) + 2 * np.eye(2), Hyy)
    V = np.block([[Hxx, game.Hxy], [-game.Hxy.T, -Hyy]])
    assert np.linalg.eigvalsh((V + V.T) / 2).min() >= -1e-12 and abs(np.linalg.det(V)) > 1e-8
    lr = 0.1
    J = algorithms.get("co", lr=lr, gamma=gamma).fd_jacobian(game, np.zeros(4))
    w = -(np.eye(4) - J) / lr
    assert np.linalg.eigvalsh((w + w.T) / 2).max() < -1e-8           # negative definite


def test_lemma7_needs_invertibility():
    """v' singular (f = x1² − y² with an unused x2): w' is only semidefinite."""
    game = Game.quadratic(np.diag([2.0, 0.0]), np.zeros((2, 1)), [[-2.0]])
    lr = 0.1
    J = algorithms.get("co", lr=lr, gamma=1.0).fd_jacobian(game, np.zeros(3))
    w = -(np.eye(3) - J) / lr
    assert np.linalg.eigvalsh((w + w.T) / 2).max() == pytest.approx(0, abs=1e-9)   # FD rounding / η


@pytest.mark.parametrize("seed", range(10))
def test_cor8_consensus_converges_at_local_nash(seed):
    rng = np.random.default_rng(seed)
    # local Nash with semidefinite blocks (bilinear part dominant) and invertible v'
    Hxx = (lambda M: M @ M.T)(rng.standard_normal((2, 1)))
    game = Game.quadratic(Hxx, rng.standard_normal((2, 2)) + 2 * np.eye(2), np.zeros((2, 2)))
    # "for h small enough": every h in a decade-spaced range below 1e-2/‖V‖², each with the
    # dense spectrum of the finite-difference Jacobian of CO's update map as the oracle
    V = np.block([[Hxx, game.Hxy], [-game.Hxy.T, np.zeros((2, 2))]])
    for h in 1e-2 / np.linalg.norm(V, 2) ** 2 * np.logspace(0, -3, 4):
        co = algorithms.get("co", lr=h, gamma=1.0)
        rho = oracle_radius(co, game, np.zeros(4))
        assert rho < 1, (seed, h, rho)
        assert spectral_radius(co, game, np.zeros(4)) == pytest.approx(rho, rel=1e-9)


def test_cor8_as_stated_needs_invertibility():
    """f = x1² − y² is a local Nash at 0, but every (0, t, 0) is a fixed point too: consensus
    optimisation started there never approaches 0, for any h (Cor. 8 needs v'(x̄) invertible)."""
    game = Game.from_expr("x1**2 - y**2", "x1,x2", "y")
    traj = run(algorithms.get("co", lr=0.1, gamma=1.0), game, [0.0, 1e-3, 0.0], steps=1000, tol=0,
               target=[0.0, 0.0, 0.0])
    assert traj.stop[0] == "max_steps"
    np.testing.assert_array_equal(traj.iterates[-1, 0], [0.0, 1e-3, 0.0])


def q_ratio(M):
    lam = np.linalg.eigvals(M)
    return np.max(np.abs(lam.imag) / np.abs(lam.real))


def numerical_range_c(A, samples=20000):
    """min |Re w|/|Im w| over the numerical range of A, from its boundary (support points)."""
    best = np.inf
    for t in np.linspace(0, 2 * np.pi, samples, endpoint=False):
        H = (np.exp(1j * t) * A + np.conj(np.exp(1j * t) * A).T) / 2
        v = np.linalg.eigh(H)[1][:, -1]
        w = np.conj(v) @ A @ v
        if abs(w.imag) > 0:
            best = min(best, abs(w.real) / abs(w.imag))
    return best


@pytest.mark.parametrize("seed", range(8))
def test_lemma9_corrected(seed):
    """For the eigenvalues of consensus optimisation's matrix A − γAᵀA (eigenvector v):
    |Re λ| = |Re vᴴAv| + γ|Av|² ≥ c|Im vᴴAv| + γρ² and |Im λ| = |Im vᴴAv| ≤ ‖K‖, K = (A − Aᵀ)/2,
    so q(γ) ≤ 1/(c + γρ²/‖K‖) — the printed 1/(c + 2ρ²γ) is this with ‖K‖ ≤ ½ (it is not
    scale invariant: γ has the units of 1/A)."""
    A = hurwitz(seed, n=3, rotation=2.0)
    rho = np.linalg.svd(A, compute_uv=False).min()
    K = np.linalg.norm((A - A.T) / 2, 2)
    c = numerical_range_c(A)  # boundary sampled at 20000 angles: c is over-estimated by < 1e-6
    for gamma in (0.0, 0.1, 1.0, 10.0):
        assert q_ratio(A - gamma * A.T @ A) <= 1 / (c + gamma * rho**2 / K) * (1 + 1e-5)


@pytest.mark.parametrize("a, b, gamma", [(1.0, 2.0, 1.0), (0.5, 3.0, 0.1), (2.0, 0.4, 1.0)])
def test_lemma9_normal_case_tight_and_printed_form_fails(a, b, gamma):
    """A = v' = [[−a, b], [−b, −a]] is the game f = a/2·x² − b·xy − a/2·y² (V = −A). The
    library's rotation of consensus optimisation's effective field (I − J ∝ V + γVᵀV) is
    q(γ) = b/(a + γ(a² + b²)), the corrected bound; the printed b/(a + 2bγ(a² + b²)) is
    smaller than q whenever b > ½."""
    game = Game.quadratic([[a]], [[-b]], [[-a]])
    q = rotation(game, [0, 0], names=["co"], gamma=gamma)["co"]
    assert q == pytest.approx(b / (a + gamma * (a * a + b * b)), rel=1e-10)
    c, rho2, K = a / b, a * a + b * b, b
    assert q == pytest.approx(1 / (c + gamma * rho2 / K), rel=1e-10)
    printed = 1 / (c + 2 * rho2 * gamma)
    assert (q > printed) == (b > 0.5)


@pytest.mark.parametrize("seed", range(20))
def test_cor5_every_step_below_the_bound_is_stable(seed):
    """Cor. 5 on 20 strict local Nash games of the kit (Hxx ≻ 0, Hyy ≺ 0: every eigenvalue of
    v' = −V has Re λ < 0): every step size in (0, bound) from Lemma 4 gives ρ < 1, where ρ is
    the dense spectrum of the finite-difference Jacobian of GDA's update map (not the DV
    shortcut), and the step just above the bound gives ρ > 1 (the bound is the edge)."""
    game, point = structured_game("nash", 1 + seed % 3, 1 + seed % 4, seed, condition=20.0, coupling=3.0)
    bound = gda_step_size_bound(game, point)
    for h in bound * np.array([1e-3, 0.1, 0.5, 0.9, 0.999]):
        rho = oracle_radius(algorithms.get("gda", lr=h), game, point)
        assert rho < 1, (seed, h / bound, rho)
    rho = oracle_radius(algorithms.get("gda", lr=1.001 * bound), game, point)
    assert rho > 1


@given(st.lists(st.builds(complex, st.floats(0.1, 2.0), st.floats(0.0, 3.0)), min_size=1, max_size=4),
       st.integers(0, 2 ** 16))
def test_lemma4_bound_on_games_with_a_known_spectrum(pairs, seed):
    """Lemma 4 with the eigenvalues known by construction (stability.testing's
    game_with_spectrum: V has exactly a ± ib): GDA is stable iff η < min 2a/(a² + b²). The
    library's bound must equal that closed form, and the dense spectrum of the
    finite-difference Jacobian must be inside the unit circle just below it and outside just
    above: |1 − ηλ|² − 1 = η(η|λ|² − 2a) is ∓0.02·a·η there, at least ~3e-5 for these ranges,
    far above the oracle's ~1e-11 rounding."""
    game, point = game_with_spectrum(pairs, seed)
    expected = min(2 * p.real / abs(p) ** 2 for p in pairs)
    assert gda_step_size_bound(game, point) == pytest.approx(expected, rel=1e-10)
    for factor, inside in ((0.99, True), (1.01, False)):
        assert (oracle_radius(algorithms.get("gda", lr=factor * expected), game, point) < 1) == inside
