"""Gao et al. — HessianFR: Thm 3.2, eqs. 3.7–3.12, Prop. 3.3; App. A: Thms A.1–A.3.
Statements that fail as printed are pinned with their counterexample and the corrected
statement is asserted (docs/THEOREMS.md)."""

import numpy as np
import pytest

from stability import Game, algorithms, classify, games, spectral_radius
from stability.diagnostics import critical_ratio
from stability.spectral import gda_step_size_bound, optimize
from conftest import blocks, checked_radius, confirmed, games_of_every_kind, oracle_radius, oracle_structure, random_minimax, spd

SEEDS = range(20)


def _block_spectra(game, c1, c2):
    _, _, Hyy, S = blocks(game)
    follower = np.linalg.eigvalsh(-c1 * Hyy + c2 * np.eye(game.m))
    return np.linalg.eigvalsh(S), follower


# --- Thm 3.2 -------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("c1, c2", [(1.0, 0.0), (2.0, 0.5), (0.5, 3.0)])
def test_thm32_corrected(seed, c1, c2):
    """Under the theorem's step-size bound: strict local minimax ⇒ strictly stable (as printed);
    strictly stable ⇔ S ≻ 0 and Hyy ≺ (c2/c1)·I (corrected converse; = minimax iff c2 = 0)."""
    kinds = set()
    for game in games_of_every_kind(seed):
        eig_s, eig_f = _block_spectra(game, c1, c2)
        bound = 2 / max(np.abs(eig_s).max(), np.abs(eig_f).max())   # the theorem's step-size bound
        lr = 0.9 * bound
        alg = algorithms.get("hessianfr", lr_x=lr, lr_y=c1 * lr, lr_y2=c2 * lr)
        point = np.zeros(game.n + game.m)
        # independent oracles: the dense spectrum of the finite-difference Jacobian of the
        # update map (not HessianFR's shortcut), numpy's eigenvalues of the blocks (not classify)
        rho = oracle_radius(alg, game, point)
        truth = oracle_structure(game)
        stable = rho < 1
        if truth["minimax"]:
            assert stable
        Hyy = blocks(game)[2]
        assert stable == bool(eig_s.min() > 0 and np.linalg.eigvalsh(Hyy).max() < c2 / c1)
        if c2 == 0:
            assert stable == truth["minimax"]
        # the library's structured spectrum agrees with the oracle (~1e-11 apart on quadratics)
        assert np.abs(alg.spectrum(game, point)).max() == pytest.approx(rho, rel=1e-9, abs=1e-12)
        kinds.add(stable)
    assert kinds == {True, False}


def test_thm32_converse_fails_with_a_newton_step():
    """f = x²/2 + y²/4: y sits at a *minimum* (Hyy = ½ > 0), not a local minimax, yet HessianFR
    with ηy2 > 0 is strictly stable there: the Newton term −ηy2 Hyy⁻¹∇y f seeks any critical point."""
    game = Game.from_expr("x**2/2 + y**2/4", "x", "y")
    c = classify(game, [0, 0])
    assert not c.local_minimax_necessary
    rho = checked_radius("hessianfr", game, [0, 0], lr_x=0.1, lr_y=0.1, lr_y2=0.5)
    assert rho == pytest.approx(max(1 - 0.1 * 1.0, (1 - 0.5) + 0.1 * 0.5))  # 0.9
    assert rho < 1


@pytest.mark.parametrize("seed", SEEDS)
def test_thm32_step_size_bound_is_tight(seed):
    game = random_minimax(2, 3, seed)
    c1, c2 = 1.5, 0.5
    eig_s, eig_f = _block_spectra(game, c1, c2)
    bound = 2 / max(eig_s.max(), eig_f.max())
    rho = lambda lr: checked_radius("hessianfr", game, np.zeros(5), lr_x=lr, lr_y=c1 * lr, lr_y2=c2 * lr)
    assert rho(bound * (1 - 1e-9)) < 1 <= rho(bound * (1 + 1e-9))


# --- eqs. 3.7, 3.9, 3.12: as printed they fail; the optimal rate is (1 − κ)/(1 + κ) -----------------
def test_eq37_as_printed_fails():
    # S = 1, Hyy = −1, c1 = 1, c2 = 0 (FR): κ_FR = 1, so the printed bound 1 − 2κ = −1 < 0 ≤ ρ
    game = Game.quadratic([[0.0]], [[1.0]], [[-1.0]])               # S = 0 − 1·(−1)·1 = 1
    eig_s, eig_f = _block_spectra(game, 1.0, 0.0)
    kappa = min(eig_s.min(), eig_f.min()) / max(eig_s.max(), eig_f.max())
    assert kappa == pytest.approx(1.0)
    # at the optimum FR's J = [[0, 0], [c, 0]] is a nilpotent Jordan block: the oracle's
    # rounding δ ≈ 1e-16 becomes eigenvalues ≈ √δ, hence the absolute tolerance 1e-7
    best = optimize("fr", game, [0, 0], {"lr": (1e-3, 3.0)})
    confirmed(best, game, abs_tol=1e-7)
    assert best.radius >= 0 > 1 - 2 * kappa
    assert best.radius == pytest.approx(0.0, abs=1e-9)               # (1 − κ)/(1 + κ) = 0


def _optimal_rate(kappa):
    return (1 - kappa) / (1 + kappa)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("c1, c2", [(1.0, 0.0), (0.3, 1.0), (2.0, 0.2)])
def test_eqs37_39_corrected_optimal_rate(seed, c1, c2):
    game = random_minimax(3, 2, seed)
    eig_s, eig_f = _block_spectra(game, c1, c2)
    lo, hi = min(eig_s.min(), eig_f.min()), max(eig_s.max(), eig_f.max())
    kappa = lo / hi
    rho = lambda lr: checked_radius("hessianfr", game, np.zeros(5), lr_x=lr, lr_y=c1 * lr, lr_y2=c2 * lr)
    star = 2 / (lo + hi)
    assert rho(star) == pytest.approx(_optimal_rate(kappa), rel=1e-10)
    assert rho(star * 0.99) > rho(star) < rho(star * 1.01)           # it is the optimum over ηx
    assert rho(star) > 1 - 2 * kappa                                 # the printed bound is violated


@pytest.mark.parametrize("seed", range(6))
def test_eq310_hessianfr_beats_fr_when_hyy_ill_conditioned(seed):
    rng = np.random.default_rng(seed)
    n, m = 2, 3
    Hyy = -np.diag([0.05, 1.0, 20.0])                               # ill-conditioned follower
    Hxy = rng.standard_normal((n, m))
    Hxx = np.diag([1.0, 2.0]) + Hxy @ np.linalg.solve(Hyy, Hxy.T)
    game = Game.quadratic((Hxx + Hxx.T) / 2, Hxy, Hyy)
    kappa = lambda c1, c2: (lambda s, f: min(s.min(), f.min()) / max(s.max(), f.max()))(*_block_spectra(game, c1, c2))
    c1, c2 = 0.1, 1.5                                               # −c1Hyy + c2I has spectrum in [1.505, 3.5]
    assert kappa(c1, c2) > kappa(1.0, 0.0)                          # condition (3.10)
    def best(c1, c2):
        """The oracle's smallest ρ over a grid of ηx; the library's ρ is checked at the minimiser."""
        grid = [algorithms.get("hessianfr", lr_x=lr, lr_y=c1 * lr, lr_y2=c2 * lr)
                for lr in np.linspace(1e-3, 2.0, 801)]
        radii = [oracle_radius(alg, game, np.zeros(5)) for alg in grid]
        return checked_radius(grid[int(np.argmin(radii))], game, np.zeros(5))
    assert best(c1, c2) < best(1.0, 0.0)                            # HessianFR faster than FR


@pytest.mark.parametrize("seed", SEEDS)
def test_eqs311_312_gdn_rate_and_hessianfr_matching_it(seed):
    game = random_minimax(3, 2, seed)
    _, _, Hyy, S = blocks(game)
    eig_s = np.linalg.eigvalsh(S)
    k_gdn = eig_s.min() / eig_s.max()
    star = 2 / (eig_s.min() + eig_s.max())
    assert checked_radius("gdn", game, np.zeros(5), lr_x=star) == pytest.approx(_optimal_rate(k_gdn), rel=1e-10)
    # choose c1, c2 so that spec(−c1Hyy + c2I) ⊂ [λmin(S), λmax(S)]: HessianFR = GDN's rate
    ey = np.linalg.eigvalsh(-Hyy)
    c1 = min(0.5 * (eig_s.max() - eig_s.min()) / (ey.max() - ey.min()), 0.5 * eig_s.min() / ey.min())
    c2 = eig_s.min() - c1 * ey.min() + 0.25 * (eig_s.max() - eig_s.min())
    f = np.linalg.eigvalsh(-c1 * Hyy + c2 * np.eye(2))
    assert eig_s.min() <= f.min() and f.max() <= eig_s.max()
    rho = checked_radius("hessianfr", game, np.zeros(5), lr_x=star, lr_y=c1 * star, lr_y2=c2 * star)
    assert rho == pytest.approx(_optimal_rate(k_gdn), rel=1e-10)


# --- Prop 3.3 --------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
def test_prop33_preconditioned_hessianfr(seed):
    rng = np.random.default_rng(100 + seed)
    kinds = set()
    for game in games_of_every_kind(seed):
        P1, P2 = spd(rng, game.n), spd(rng, game.m)
        eig_s, eig_f = _block_spectra(game, 1.0, 0.5)
        scale = max(np.abs(eig_s).max(), np.abs(eig_f).max()) * max(np.linalg.eigvalsh(P1).max(),
                                                                     np.linalg.eigvalsh(P2).max())
        lr = 0.5 / scale
        alg = algorithms.get("hessianfr", lr_x=lr, lr_y=lr, lr_y2=0.5 * lr, P_x=P1, P_y=P2)
        point = np.zeros(game.n + game.m)
        ev = np.linalg.eigvals(alg.fd_jacobian(game, point))  # oracle: real up to rounding
        assert np.abs(ev.imag).max() <= 1e-8 * np.abs(ev).max()
        stable = np.abs(ev).max() < 1
        assert (np.abs(alg.spectrum(game, point)).max() < 1) == stable   # the shortcut agrees
        if oracle_structure(game)["minimax"]:
            assert stable
        # corrected converse (as for Thm 3.2), with c2/c1 = 0.5; P1, P2 ≻ 0 keep the inertia
        assert stable == bool(eig_s.min() > 0 and np.linalg.eigvalsh(blocks(game)[2]).max() < 0.5)
        kinds.add(stable)
    assert kinds == {True, False}


# --- Thm A.1 (two time scales) ------------------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
def test_thmA1_printed_sigma2_is_never_below_one(seed):
    """As printed, σ2 = max|1 − ηy λ(Hyy)| + ηy δ; at a strict local minimax Hyy ≺ 0, so σ2 > 1
    for every ηy > 0 and 'σ < 1' is impossible — yet TTSGDA converges (sign error)."""
    game = random_minimax(2, 3, seed)
    _, _, Hyy, S = blocks(game)
    for lr_y in (1e-3, 0.1, 1.0):
        assert np.abs(1 - lr_y * np.linalg.eigvalsh(Hyy)).max() > 1
    c = 2 * critical_ratio(game, np.zeros(5)).tau + 1               # beyond the critical ratio
    lr_x = gda_step_size_bound(game, np.zeros(5), c) / 2
    assert checked_radius("gda", game, np.zeros(5), lr_x=lr_x, lr_y=c * lr_x) < 1


@pytest.mark.parametrize("seed", SEEDS)
def test_thmA1_corrected_eigenvalue_clusters(seed):
    """Corrected: as c → ∞, n eigenvalues of U_c = [[Hxx, Hxy], [−cHyx, −cHyy]] tend to spec(S)
    and m of U_c/c to spec(−Hyy), both at rate O(1/c); so ρ(J) → max(σ1, max|1 + ηyλ(Hyy)|)."""
    game = random_minimax(2, 3, seed)
    Hxx, Hxy, Hyy, S = blocks(game)
    errors = []
    for c in (1e3, 1e4):
        U = np.block([[Hxx, Hxy], [-c * Hxy.T, -c * Hyy]])
        ev = np.sort(np.linalg.eigvals(U).real)                       # real for large c
        slow, fast = ev[:2], ev[2:] / c
        errors.append((np.abs(slow - np.sort(np.linalg.eigvalsh(S))).max(),
                       np.abs(fast - np.sort(np.linalg.eigvalsh(-Hyy))).max()))
    for e_small, e_big in zip(errors[1], errors[0]):
        assert e_small < 0.2 * e_big                                  # ~10× smaller for 10× larger c


# --- Thm A.2 (GDA-k) ------------------------------------------------------------------------------------
def test_thmA2_as_printed_fails_on_g1():
    """As printed: rate max|1 − ηxλ(S)| as k → ∞. On g1 (S = 2) with ηx = ηy = 0.1 that is 0.8,
    but GDA-k's leader sees the follower's *previous* best response, and ρ → √0.8 ≈ 0.894."""
    g1 = games.get("g1")
    rho = checked_radius("gdak", g1, [0, 0], lr=0.1, k=400)
    assert rho == pytest.approx(np.sqrt(0.8), abs=1e-12)
    assert abs(rho - 0.8) > 0.09


@pytest.mark.parametrize("seed", SEEDS)
def test_thmA2_corrected_limit(seed):
    """Corrected: with ηy < 2/ρ(Hyy) (the printed 2/λmin(Hyy) is negative), GDA-k → the map
    x⁺ = x − ηx(Hxx x + Hxy y), y⁺ = −K x, whose radius is max|1 − ηxλ(S)| + O(ηx²)."""
    game = random_minimax(2, 3, seed)
    Hxx, Hxy, Hyy, S = blocks(game)
    lr_y = 1.0 / np.abs(np.linalg.eigvalsh(Hyy)).max()
    contraction = np.abs(1 + lr_y * np.linalg.eigvalsh(Hyy)).max()   # ρ(B) < 1
    k = int(np.ceil(np.log(1e-15) / np.log(contraction)))           # B^k below rounding
    K = np.linalg.solve(Hyy, Hxy.T)
    for lr_x in (1e-2, 1e-3):
        lr_x = lr_x / np.linalg.eigvalsh(S).max()
        J_inf = np.block([[np.eye(2) - lr_x * Hxx, -lr_x * Hxy], [-K, np.zeros((3, 3))]])
        rho_inf = np.abs(np.linalg.eigvals(J_inf)).max()
        rho_k = checked_radius("gdak", game, np.zeros(5), lr_x=lr_x, lr_y=lr_y, k=k)
        assert rho_k == pytest.approx(rho_inf, abs=1e-10)
        printed = np.abs(1 - lr_x * np.linalg.eigvalsh(S)).max()
        assert abs(rho_inf - printed) <= 50 * lr_x**2 * np.abs(np.linalg.eigvalsh(S)).max() * (
            1 + np.abs(Hxx).max() + np.abs(Hxy @ K).max())


# --- Thm A.3 (EG) ------------------------------------------------------------------------------------------
def _real_spectrum_game(seed):
    """Hxx = aI, Hyy = −bI and a coupling whose singular values σ stay below |a − b|/2, so
    every eigenvalue of V, (a + b)/2 ± √(((a − b)/2)² − σ²) (or a, b), is real."""
    rng = np.random.default_rng(seed)
    n, m = 1 + seed % 3, 1 + (seed // 3) % 3
    a, b = rng.uniform(0.2, 1.0), rng.uniform(1.5, 3.0)
    U, _ = np.linalg.qr(rng.standard_normal((n, n)))
    W, _ = np.linalg.qr(rng.standard_normal((m, m)))
    k = min(n, m)
    sigma = np.zeros((n, m))
    sigma[range(k), range(k)] = rng.uniform(0.0, 0.49 * (b - a), k)
    return Game.quadratic(a * np.eye(n), U @ sigma @ W.T, -b * np.eye(m))


@pytest.mark.parametrize("seed", SEEDS)
def test_thmA3_real_spectra_eg_is_never_faster(seed):
    """For real λ, |1 − λ + λ²| = 1 − λ + λ² ≥ |1 − λ| (λ² ≥ 0, and λ² − 2λ + 2 > 0), so with a
    real DV spectrum EG's ρ is never below GDA's. Oracles: the games are built with a real
    spectrum (checked in numpy), and both radii come from the dense spectra of the
    finite-difference Jacobians of the update maps (not the DV shortcut)."""
    a = np.linspace(-3.0, 3.0, 6001)
    assert np.all(np.abs(1 - a + a * a) >= np.abs(1 - a))
    game = _real_spectrum_game(seed)
    Hxx, Hxy, Hyy = game.dense_blocks()
    V = np.block([[Hxx, Hxy], [-Hxy.T, -Hyy]])
    assert np.abs(np.linalg.eigvals(V).imag).max() <= 1e-12
    point = np.zeros(game.n + game.m)
    for lr in (0.01, 0.1, 0.5, 1.0):
        eg = oracle_radius(algorithms.get("eg", lr=lr), game, point)
        gda = oracle_radius(algorithms.get("gda", lr=lr), game, point)
        assert eg >= gda - 1e-10, (seed, lr, eg, gda)   # the oracle's rounding, ~1e-11
        assert spectral_radius("eg", game, point, lr=lr) == pytest.approx(eg, rel=1e-9)


def test_thmA3_counterexample_on_an_open_set():
    """'Almost surely' fails at equal step sizes: V = [[1, 1.6], [−1.6, 1]] at η = 1/2 gives DV
    eigenvalues ½ ± 0.8i; EG's ρ is 0.11, GDA's 0.94, and random 1e-3 perturbations keep it so."""
    rng = np.random.default_rng(0)
    for _ in range(20):
        d = 1e-3 * rng.standard_normal(3)
        game = Game.quadratic([[1.0 + d[0]]], [[1.6 + d[1]]], [[-1.0 + d[2]]])
        eg = checked_radius("eg", game, [0, 0], lr=0.5)
        gda = checked_radius("gda", game, [0, 0], lr=0.5)
        assert eg < 0.12 and gda > 0.94
    # when both are tuned (η and c), two-time-scale GDA wins again on this game
    game = Game.quadratic([[1.0]], [[1.6]], [[-1.0]])
    bounds = {"lr": (1e-3, 2.0), "ratio": (0.05, 50.0)}
    assert optimize("gda", game, [0, 0], bounds, num=40).radius < optimize("eg", game, [0, 0], bounds, num=40).radius
