"""Wang, Zhang & Ba — Follow-the-Ridge (ICLR 2020): §3 examples, Thm 1 + Remark 1, Thm 2,
Props. 4–6, Thm 3. Each test would fail if its statement were false (docs/THEOREMS.md)."""

import numpy as np
import pytest
import sympy as sp

from stability import Game, algorithms, classify, games, run, spectral_radius
from stability.spectral import symbolic_stable_set
from test_algorithms import multiset_close
from hypothesis import given, strategies as st
from stability.testing import strategies as kit, structured_game
from conftest import (blocks, checked_radius, games_of_every_kind, oracle_radius, oracle_structure, random_minimax,
                      random_quadratic, spd, stackelberg_oracle)

SEEDS = range(20)
ETA = sp.Symbol("eta", positive=True)


# --- §3: GDA's stable points and local minimax differ ------------------------------------------
def test_section3_gda_stable_point_that_is_not_minimax():
    g2 = games.get("g2")  # 3x² + y² + 4xy
    J = algorithms.get("gda", lr=ETA).symbolic_jacobian(g2, [0, 0])
    assert J.eigenvals() == {1 - 2 * ETA: 2}                       # e1 = e2 = 1 − 2η
    assert symbolic_stable_set(algorithms.get("gda", lr=ETA), g2, [0, 0], ETA) == sp.Interval.open(0, 1)
    c = classify(g2, [0, 0])
    assert c.eig_yy[0] == pytest.approx(2.0) and not c.local_minimax_necessary  # Hyy = 2 > 0


def test_section3_minimax_that_gda_never_reaches():
    g1 = games.get("g1")  # −3x² − y² + 4xy
    J = algorithms.get("gda", lr=ETA).symbolic_jacobian(g1, [0, 0])
    assert J.eigenvals() == {1 + 2 * ETA: 2}                       # > 1 for every η > 0
    assert symbolic_stable_set(algorithms.get("gda", lr=ETA), g1, [0, 0], ETA) == sp.EmptySet
    assert classify(g1, [0, 0]).strict_local_minimax


# --- Thm 1 and Remark 1 ------------------------------------------------------------------------
def _suitable_lr(game, ratio):
    """Thm 1's 'suitable learning rate': ηx < 1/max(ρ(S), c·ρ(Hyy)) (half the stability edge)."""
    _, _, Hyy, S = blocks(game)
    return 0.5 / max(np.abs(np.linalg.eigvalsh(S)).max(), ratio * np.abs(np.linalg.eigvalsh(Hyy)).max())


def _thm1_games(seed):
    """The three kinds of games_of_every_kind plus structured games (stability.testing) whose
    origin is a strict local minimax, Nash, or neither (Hyy with a positive eigenvalue)."""
    yield from games_of_every_kind(seed)
    for kind in ("minimax", "nash", "none"):
        yield structured_game(kind, 1 + seed % 3, 1 + seed % 4, seed, condition=20.0)[0]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("ratio", [0.5, 1.0, 4.0])
def test_thm1_strictly_stable_iff_strict_local_minimax(seed, ratio):
    """Both sides from independent oracles: stability from the dense eigenvalues of the
    finite-difference Jacobian of FR's update map (not FR's shortcut through S and Hyy), the
    minimax property from numpy's eigenvalues of the blocks (not classify). At half the
    stability edge |ρ − 1| ≥ ηx·margin, far above the oracle's ~1e-11 error; the library's own
    ρ (the shortcut) must equal the oracle's to 1e-9."""
    kinds = set()
    for game in _thm1_games(seed):
        lr = _suitable_lr(game, ratio)
        point = np.zeros(game.n + game.m)
        truth = oracle_structure(game)
        fr = algorithms.get("fr", lr_x=lr, lr_y=ratio * lr)
        rho = oracle_radius(fr, game, point)
        assert abs(rho - 1) > 1e-6, "too close to 1 for a verdict"
        assert (rho < 1) == truth["minimax"], (seed, ratio, rho, truth)
        assert spectral_radius(fr, game, point) == pytest.approx(rho, rel=1e-9, abs=1e-12)
        assert classify(game, point).strict_local_minimax == truth["minimax"]
        kinds.add(rho < 1)
    assert kinds == {True, False}  # both directions exercised


def test_thm1_nonstrict_minimax_is_stable_not_strictly():
    # S has a zero eigenvalue: a local minimax by the necessary conditions, ρ(J) = 1 exactly
    Hyy = -np.eye(2)
    Hxy = np.array([[1.0, 0.0], [0.0, 1.0]])
    game = Game.quadratic(np.diag([-1.0, -0.5]), Hxy, Hyy)         # S = diag(0, 0.5)
    rho = checked_radius("fr", game, np.zeros(4), lr=0.1)
    assert rho == pytest.approx(1.0, abs=1e-14)


@pytest.mark.parametrize("seed", SEEDS)
def test_remark1_fr_eigenvalues_are_real(seed):
    game = random_quadratic(3, 2, seed)
    alg = algorithms.get("fr", lr_x=0.07, lr_y=0.2)
    ev = np.linalg.eigvals(alg.fd_jacobian(game, np.zeros(5)))  # oracle: not the shortcut
    # J is similar to a block-triangular matrix with symmetric diagonal blocks: imaginary parts
    # are rounding only, bounded by eps·cond(eigenvectors)·‖J‖ (≪ 1e-6 for these draws)
    assert np.abs(ev.imag).max() <= 1e-6
    multiset_close(alg.spectrum(game, np.zeros(5)), ev.real, 1e-6)


# --- Thm 2 (rates with and without momentum, with the proof's explicit constants) ---------------
@pytest.mark.parametrize("seed", SEEDS)
def test_thm2_rates(seed):
    game = random_minimax(3, 2, seed)
    Hxx, Hxy, Hyy, S = blocks(game)
    H = np.block([[Hxx, Hxy], [Hxy.T, Hyy]])
    alpha = min(np.linalg.eigvalsh(-Hyy).min(), np.linalg.eigvalsh(S).min())
    beta = np.abs(np.linalg.eigvalsh(H)).max()
    kappa = beta / alpha
    lr = 1 / (2 * kappa * beta)
    # oracle: dense eigenvalues of the finite-difference Jacobian of the update map (affine
    # here, so exact up to rounding ~1e-13 measured); the shortcut must agree to 1e-9
    fr = algorithms.get("fr", lr=lr)
    ev = np.linalg.eigvals(fr.fd_jacobian(game, np.zeros(5)))
    assert np.abs(ev.imag).max() <= 1e-10
    ev = ev.real
    top = 1 - 1 / (2 * kappa**2)
    assert ev.min() >= -1e-10 and ev.max() <= top + 1e-10          # eigenvalues in [0, 1 − 1/(2κ²)]
    assert ev.max() == pytest.approx(top, rel=1e-10)                # attained: the bound is tight
    assert spectral_radius(fr, game, np.zeros(5)) == pytest.approx(np.abs(ev).max(), rel=1e-9)
    gamma = 1 + 1 / (2 * kappa**2) - np.sqrt(2) / kappa
    fr_momentum = algorithms.get("fr", lr=lr, beta=gamma)
    moduli = np.abs(np.linalg.eigvals(fr_momentum.fd_jacobian(game, np.zeros(5))))
    # γ makes the roots of t² − (λmax + γ)t + γ a double root √γ: a rounding δ ≈ 1e-13 in the
    # oracle moves it by ~√δ ≈ 3e-7 (measured ≤ 3.8e-7), hence 1e-6
    assert moduli == pytest.approx(np.sqrt(gamma), rel=1e-6)       # every root has modulus √γ
    rho2 = moduli.max()
    assert rho2 <= 1 - 1 / (2 * np.sqrt(2) * kappa) + 1e-12         # rate Ω(κ⁻¹) …
    assert 1 - rho2 > (1 - top) and kappa > 1                        # … beating Ω(κ⁻²)


# --- Prop 4 on the iteration engine ---------------------------------------------------------------
@pytest.mark.parametrize("name, game, hp", [
    ("fr", "g1", {"lr_x": 0.05, "lr_y": 0.1}),
    ("fr", "g3", {"lr": 0.05}),
    ("hessianfr", "g3", {"lr": 0.05, "lr_y2": 0.5}),
])
def test_prop4_rate_from_spectral_radius(name, game, hp):
    g = games.get(game)
    rho = oracle_radius(algorithms.get(name, **hp), g, np.zeros(2))   # finite differences of the map
    assert spectral_radius(name, g, [0.0, 0.0], **hp) == pytest.approx(rho, rel=1e-8)
    delta = 1 - rho
    traj = run(algorithms.get(name, **hp), g, [0.02, -0.01], steps=600, tol=0, target=[0, 0])
    d = traj.distance[:, 0]
    # ‖z_t − z*‖ ≤ C(1 − Δ/2)^t: d_t/(1 − Δ/2)^t stays below a modest C and keeps shrinking,
    # i.e. the contraction beats 1 − Δ/2 …
    ratio = d / (1 - delta / 2) ** np.arange(len(d))
    assert ratio.max() <= 10 * d[0]
    assert ratio[-1] < 1e-3 * ratio[len(d) // 2]
    # … and the sharper truth: the observed rate is Δ = 1 − ρ (late, linear phase on g3)
    assert abs(traj.empirical_rate(tail=0.3) - delta) < 1e-3 * delta + 1e-6


# --- Props 5 and 6 (preconditioning) -----------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
def test_prop6_preconditioned_fr(seed):
    rng = np.random.default_rng(seed)
    P1, P2 = spd(rng, 2), spd(rng, 3)
    kinds = set()
    for game in games_of_every_kind(seed):
        if game.m != 3:
            continue
        lr = _suitable_lr(game, 1.0) / max(np.linalg.eigvalsh(P1).max(), np.linalg.eigvalsh(P2).max())
        alg = algorithms.get("fr", lr=lr, P_x=P1, P_y=P2)
        oracle = np.linalg.eigvals(alg.fd_jacobian(game, np.zeros(5)))   # not the shortcut
        assert np.abs(oracle.imag).max() <= 1e-8
        stable = np.abs(oracle).max() < 1
        assert stable == oracle_structure(game)["minimax"]               # not classify
        assert (np.abs(alg.spectrum(game, np.zeros(5))).max() < 1) == stable
        assert classify(game, np.zeros(5)).strict_local_minimax == stable
        kinds.add(stable)
    assert kinds == {True, False}


# --- Thm 3 (general-sum Stackelberg) -----------------------------------------------------------------
def _general_sum_quadratic(seed):
    """f = ½zᵀ sym(F) z, g = ½zᵀ sym(G) z with Gyy definite (either sign); also the Hessians."""
    rng = np.random.default_rng(seed)
    x1, x2, y1, y2 = sp.symbols("x1 x2 y1 y2", real=True)
    z = sp.Matrix([x1, x2, y1, y2])
    F = np.round(rng.standard_normal((4, 4)), 3)
    G = np.round(rng.standard_normal((4, 4)), 3)
    G[2:, 2:] = np.round(spd(rng, 2), 3) * rng.choice([1, -1])
    f = (z.T * sp.Matrix(F + F.T) * z)[0] / 4
    g = (z.T * sp.Matrix(G + G.T) * z)[0] / 4
    return Game.general_sum(f, g, [x1, x2], [y1, y2]), (F + F.T) / 2, (G + G.T) / 2


def test_thm3_stackelberg_fr():
    """Both sides from independent oracles: stability from the dense spectrum of the
    finite-difference Jacobian of Stackelberg FR's update map (not H̃xx and Gyy, which the
    shortcut uses), the Stackelberg property from the Hessians in numpy (not classify). At
    half the edge |ρ − 1| ≥ ¼·(smallest |eigenvalue| / largest), far above the oracle's
    rounding; the library's ρ and verdict must agree with the oracles."""
    kinds = set()
    for seed in range(16):
        game, Hf, Hg = _general_sum_quadratic(seed)
        point = np.zeros(4)
        truth, eig_total, eig_gyy = stackelberg_oracle(Hf, Hg, 2)
        scale = max(np.abs(eig_total).max(), np.abs(eig_gyy).max())
        alg = algorithms.get("stackelberg-fr", lr=0.5 / scale)  # the 'suitable learning rate'
        oracle = np.linalg.eigvals(alg.fd_jacobian(game, point))
        assert np.abs(oracle.imag).max() <= 1e-8    # real eigenvalues (Thm 3's similarity)
        rho = np.abs(oracle).max()
        assert (rho < 1) == truth, (seed, rho, eig_total, eig_gyy)
        assert np.abs(alg.spectrum(game, point)).max() == pytest.approx(rho, rel=1e-9)
        assert classify(game, point).strict_stackelberg == truth
        kinds.add(truth)
    assert kinds == {True, False}


@pytest.mark.parametrize("seed", SEEDS)
def test_prop4_empirical_rate_on_random_minimax_games(seed):
    """Prop. 4 on 20 random strict local minimax games (stability.testing): FR's iterates
    contract at the spectral rate 1 − ρ. FR's spectrum is real and, on random games, its top
    eigenvalue simple, so after the first half of 800 steps the fitted rate is within 2 % of
    1 − ρ (the next mode decays relatively like (ρ₂/ρ)ᵗ). ρ from the dense spectrum of the
    finite-difference Jacobian, not the shortcut."""
    from stability.testing import assert_empirical_rate
    game, point = structured_game("minimax", 1 + seed % 3, 1 + seed % 2, seed, condition=5.0)
    Hxx, Hxy, Hyy = game.dense_blocks()
    S = Hxx - Hxy @ np.linalg.solve(Hyy, Hxy.T)
    lr = 0.5 / max(np.abs(np.linalg.eigvalsh(S)).max(), np.abs(np.linalg.eigvalsh(Hyy)).max())
    fr = algorithms.get("fr", lr=lr)
    rho = oracle_radius(fr, game, point)
    assert spectral_radius(fr, game, point) == pytest.approx(rho, rel=1e-9)  # the shortcut agrees
    z0 = 1e-2 * np.random.default_rng(seed).standard_normal(game.n + game.m)
    assert_empirical_rate(fr, game, z0, point, expected=1 - rho, rtol=0.02, steps=800)


@given(st.one_of(kit.stackelberg_games(True, max_size=2), kit.stackelberg_games(False, max_size=2)))
def test_thm3_on_generated_stackelberg_games(case):
    """Thm 3 over the kit's general-sum games with and without a strict differential
    Stackelberg point (both outcomes drawn): at half the stability edge, stability from the
    finite-difference Jacobian's dense spectrum equals the Stackelberg property. The step size
    comes from classify's eigenvalues; the verdict under test does not."""
    game, point = case
    c = classify(game, point)
    scale = max(np.abs(c.eig_htilde).max(), np.abs(c.eig_gyy).max())
    alg = algorithms.get("stackelberg-fr", lr=0.5 / scale)
    rho = oracle_radius(alg, game, point)
    assert abs(rho - 1) > 1e-9
    assert (rho < 1) == c.strict_stackelberg
