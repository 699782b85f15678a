"""Analysis functions: stable sets, optimisation, time scales, rotation, practical variants."""

import warnings

import numpy as np
import pytest
import sympy as sp

from stability import Game, algorithms, games, run, spectral_radius
from stability.approximations import Adaptive, ApproximateHessian, SecantInverse
from stability.diagnostics import critical_ratio, path_angle, rotation
from stability.errors import NotSupportedError, InputError
from stability.spectral import (gda_step_size_bound, optimize, stable_step_sizes,
                                symbolic_stable_set)
from conftest import random_nash

ETA = sp.Symbol("eta", positive=True)


@pytest.mark.parametrize("name, game, expected", [
    ("gda", "g1", sp.EmptySet),                   # eigenvalues 1 + 2η
    ("gda", "g2", sp.Interval.open(0, 1)),        # eigenvalues 1 − 2η
    ("fr", "g1", sp.Interval.open(0, 1)),         # 1 − 2η (S = 2) and 1 − 2η (Hyy = −2)
    ("fr", "g2", sp.EmptySet),                    # 1 + 2η (S = −2) and 1 + 2η (Hyy = 2)
    ("eg", "g2", sp.Interval.open(0, sp.Rational(1, 2))),  # 1 − 2η + 4η²
])
def test_symbolic_stable_sets(name, game, expected):
    alg = algorithms.get(name, lr=ETA)
    assert symbolic_stable_set(alg, games.get(game), [0, 0], ETA) == expected


@pytest.mark.parametrize("seed", range(5))
def test_stable_step_sizes_match_lemma4(seed):
    game = random_nash(2, 3, seed=seed)  # Nash ⇒ Re λ(V) > 0
    for ratio in (1.0, 2.5):
        bound = gda_step_size_bound(game, np.zeros(5), ratio)
        assert bound > 0
        s = stable_step_sizes("gda", game, np.zeros(5), bounds=(0, 3 * bound), lr_x=1.0, lr_y=ratio)
        assert len(s.intervals) == 1
        lo, hi = s.intervals[0]
        # eigenvalues of random games are simple, so ρ(η) is computed to ~1e-15 and Brent's
        # root to xtol = 1e-12 — both far inside 1e-9
        assert lo == 0 and abs(hi - bound) <= 1e-9 * bound


def test_unstable_everywhere_is_empty():
    assert stable_step_sizes("gda", games.get("g1"), [0, 0], bounds=(0, 5)).empty
    assert gda_step_size_bound(games.get("g1"), [0, 0]) == 0.0


def test_optimize_gda_known_optimum():
    # V = diag(1, 3): ρ(η) = max(|1 − η|, |1 − 3η|) is minimal at η = 1/2 with ρ = 1/2
    game = Game.quadratic([[1.0]], [[0.0]], [[-3.0]])
    opt = optimize("gda", game, [0, 0], {"lr": (1e-3, 1.0)})
    assert opt.radius == pytest.approx(0.5, abs=1e-9)
    assert opt.hyperparameters["lr_x"] == pytest.approx(0.5, abs=1e-8)


def test_optimize_never_worse_than_grid_and_consistent():
    game = games.get("lead-quadratic")
    opt = optimize("hb", game, np.zeros(4), {"lr": (1e-3, 1.0), "beta": (-0.9, 0.9)}, num=15)
    assert opt.radius == pytest.approx(spectral_radius(opt.algorithm, game, np.zeros(4)), rel=1e-12)
    grid = min(spectral_radius("hb", game, np.zeros(4), lr=l, beta=b)
               for l in np.linspace(1e-3, 1, 15) for b in np.linspace(-0.9, 0.9, 15))
    assert opt.radius <= grid
    with pytest.raises(InputError):
        optimize("gda", game, np.zeros(4), {"lr": (1.0, 0.1)})


def test_optimize_ratio_and_complex_parts():
    game = games.get("g1")
    opt = optimize("gda", game, [0, 0], {"lr": (1e-3, 0.3), "ratio": (1.0, 20.0)}, num=20)
    assert opt.radius < 1 and opt.hyperparameters["lr_y"] / opt.hyperparameters["lr_x"] > 3
    cm = optimize("complex-momentum", games.get("lead-quadratic"), np.zeros(4),
                  {"alpha.real": (0.01, 1.0), "beta.abs": (0.0, 0.95), "beta.arg": (0.0, 3.0)}, num=8)
    assert cm.radius < 1 and isinstance(cm.hyperparameters["beta"], complex)


@pytest.mark.parametrize("name, tau", [("g1", 3.0), ("g3", 5.0)])
def test_critical_ratio_toy_games(name, tau):
    # diag(1, τ)V has trace 2τ − 6 (g1) or 2τ − 10 (g3) and positive determinant
    assert critical_ratio(games.get(name), [0, 0]).tau == pytest.approx(tau, rel=1e-10)


@pytest.mark.parametrize("seed", range(8))
def test_critical_ratio_is_the_stability_boundary(seed):
    rng = np.random.default_rng(seed)
    n, m = 2, 3
    Hyy = -(lambda M: M @ M.T + 0.2 * np.eye(m))(rng.standard_normal((m, m)))
    Hxy = 2 * rng.standard_normal((n, m))
    S_target = (lambda M: M @ M.T + 0.2 * np.eye(n))(rng.standard_normal((n, n)))
    Hxx = S_target + Hxy @ np.linalg.solve(Hyy, Hxy.T)  # strict local minimax with S = S_target
    game = Game.quadratic((Hxx + Hxx.T) / 2, Hxy, Hyy)
    tau = critical_ratio(game, np.zeros(5)).tau
    V = np.block([[Hxx, Hxy], [-Hxy.T, -Hyy]])
    stable = lambda t: np.all(np.linalg.eigvals(np.diag([1.0] * n + [t] * m) @ V).real > 0)
    assert np.isfinite(tau)
    assert all(stable(tau * f + 1e-9) for f in (1.0001, 1.1, 2, 10, 1000))
    if tau > 0:
        assert not stable(tau * 0.9999)


def test_rotation_and_path_angle():
    bilinear = games.get("bilinear", p=2, q=2)
    r = rotation(bilinear, np.zeros(4), names=["gda", "co"])
    assert r["game"] == np.inf and r["gda"] == np.inf and r["co"] < np.inf
    alphas, cos, norm = path_angle(games.get("g2"), [1.0, 1.0], [0.0, 0.0], alphas=[0.5, 1.0])
    # g2 at (α, α): v = (6α + 4α, −(4α + 2α)) = (10α, −6α); ⟨−(1, 1), v⟩ = −4α
    np.testing.assert_allclose(cos, -4 / (np.sqrt(2) * np.sqrt(136)))
    np.testing.assert_allclose(norm, [0.5 * np.sqrt(136), np.sqrt(136)])


def test_cg_terminates_at_exact_solve_and_fd_hvp():
    game = random_nash(3, 4, seed=1)
    rng = np.random.default_rng(0)
    x, y, r = rng.standard_normal((5, 3)), rng.standard_normal((5, 4)), rng.standard_normal((5, 4))
    exact = game.solve_yy(x, y, r)
    # CG on the 4×4 SPD system (Hyy²) terminates in 4 steps; rounding grows with cond(Hyy)²
    np.testing.assert_allclose(ApproximateHessian(game, cg_iters=4).solve_yy(x, y, r), exact, atol=1e-8)
    assert np.abs(ApproximateHessian(game, cg_iters=1).solve_yy(x, y, r) - exact).max() > 1e-3
    # forward differences of an affine gradient: only rounding, ~eps·|∇f|/α ≈ 1e-10
    approx = ApproximateHessian(game, fd_hvp=1e-6).hvp(x, y, x, y)
    for a, b in zip(approx, game.hvp(x, y, x, y)):
        np.testing.assert_allclose(a, b, atol=1e-8)


def test_practical_variants_run_and_have_no_jacobian():
    game = random_nash(3, 4, seed=1)
    z0 = np.random.default_rng(3).standard_normal((4, 7))
    for alg, g in [(algorithms.get("fr", lr=0.05), ApproximateHessian(game, cg_iters=5)),
                   (SecantInverse(algorithms.get("hessianfr", lr=0.05, lr_y2=0.5)), game)]:
        assert set(run(alg, g, z0, steps=3000, tol=1e-8).stop) == {"converged"}
    with pytest.raises(NotSupportedError):
        algorithms.get("fr").jacobian(ApproximateHessian(game), np.zeros(7))
    with pytest.raises(NotSupportedError):
        Adaptive(algorithms.get("gda")).jacobian(game, np.zeros(7))
    adam = run(Adaptive(algorithms.get("gda", lr=0.05), lr=0.01), game, z0, steps=500)
    assert np.all(adam.grad_norm[-1] < adam.grad_norm[0])


def test_engine_batched_equals_loop_and_divergence_is_quiet():
    game = games.get("g3")
    alg = algorithms.get("ogda", lr=0.05)
    z0 = np.random.default_rng(0).uniform(-3, 3, (6, 2))
    batched = run(alg, game, z0, steps=300, tol=1e-9)
    for i, z in enumerate(z0):
        single = run(alg, game, z, steps=300, tol=1e-9)
        np.testing.assert_array_equal(single.iterates[:, 0], batched.iterates[:, i])
        assert single.stop[0] == batched.stop[i]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t = run(algorithms.get("gda", lr=0.5), games.get("g1"), [1.0, 1.0], steps=10_000)
    assert t.stop[0] == "diverged" and t.stop_step[0] < 100


@pytest.mark.parametrize("name", ["fr", "hessianfr"])
def test_one_cache_keeps_apart_preconditioners_that_differ_past_reprs_summary(name):
    """The structured cache keys FR's and HessianFR's data on the preconditioner: two 40 × 40
    preconditioners differing in one pair of entries (their reprs, summarised past 1000
    entries, are equal) get their own spectra, each equal to a fresh computation."""
    from stability.spectral.cache import SpectrumCache
    from stability.testing import structured_game
    game, point = structured_game("minimax", 40, 2, seed=2)
    P1, P2 = np.eye(40), np.eye(40)
    P2[5, 7] = P2[7, 5] = 0.3
    assert repr(P1) == repr(P2)
    extra = {"lr_y2": 0.01} if name == "hessianfr" else {}
    first, second = (algorithms.get(name, lr=0.01, P_x=P, P_y=np.eye(2), **extra) for P in (P1, P2))
    cache = SpectrumCache(game, point)
    cache.radius(first)
    assert cache.radius(second) == pytest.approx(spectral_radius(second, game, point), rel=1e-12)
    assert cache.radius(second) != pytest.approx(spectral_radius(first, game, point), rel=1e-9)
