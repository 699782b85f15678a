"""Hemmat et al. — LEAD: Thm 2, Prop. 3, Thm 3, §5, App. J (Fig. 9), §7.1 (Fig. 3)."""

import functools

import numpy as np
import pytest
import sympy as sp

from stability import Game, algorithms, games, spectral_radius
from stability.figures import LEAD_FIG3_METHODS, lead_gamma_sweep
from stability.spectral import optimize, stable_step_sizes
from conftest import confirmed, multiset_close, oracle_radius


def lead_roots(lam, h, eta, alpha, beta):
    """Eq. 23: μ± = (1 − (η+α)λ + β − ηh ± √Δ)/2, Δ = (…)² − 4(β − αλ)."""
    b = 1 - (eta + alpha) * lam + beta - eta * h
    disc = np.sqrt(b * b - 4 * (beta - alpha * lam) + 0j)
    return np.concatenate([(b + disc) / 2, (b - disc) / 2])


def offdiag_eigs(A):
    n = A.shape[0]
    return np.linalg.eigvals(np.block([[np.zeros((n, n)), A], [-A.T, np.zeros((n, n))]]))


# --- Thm 2 -------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(20))
def test_thm2_eigenvalue_formula(seed):
    rng = np.random.default_rng(seed)
    n = 3
    A, h = rng.standard_normal((n, n)), rng.uniform(0, 1)
    eta, alpha, beta = rng.uniform(0, 0.5), rng.uniform(-0.5, 0.5), rng.uniform(-0.9, 0.9)
    game = games.get("lead-quadratic", h=h, A=A)
    J = algorithms.get("lead", lr=eta, alpha=alpha, beta=beta).jacobian(game, np.zeros(2 * n))
    # equality to floating point: both sides are eigenvalues of a 4n×4n nonnormal matrix,
    # accurate to ~eps·‖J‖·cond(eigenvectors) (≤ 1e-10 here)
    multiset_close(np.linalg.eigvals(J), lead_roots(offdiag_eigs(A), h, eta, alpha, beta), 1e-9)


def test_thm2_symbolically():
    eta, alpha, beta, h, a = sp.symbols("eta alpha beta h a", positive=True)
    x, y = sp.symbols("x y", real=True)
    game = Game.from_expr(h / 2 * x**2 - h / 2 * y**2 + a * x * y, [x], [y], params=[h, a])
    alg = algorithms.get("lead", lr=eta, alpha=alpha, beta=beta)
    J = alg.symbolic_jacobian(game, [0, 0])
    X = sp.Symbol("X")
    char = sp.expand(J.charpoly(X).as_expr())
    expected = sp.expand(sp.prod([X**2 - X * (1 - (eta + alpha) * lam + beta - eta * h) + beta - alpha * lam
                                  for lam in (sp.I * a, -sp.I * a)]))
    assert sp.simplify(char - expected) == 0


def _library_roots(lam, h, eta, alpha, beta):
    """μ± for the eigenvalue λ = iσ of the coupling, from the dense eigenvalues of LEAD's
    Jacobian (the closed form, not the structured spectrum) on f = h/2·x² + σxy − h/2·y²
    (eq. 23's closed form only labels which eigenvalue is which). The 4×4 eigenproblem is
    accurate to ~1e-16, far below the O(s³) ≈ 1e-9 errors measured."""
    game = games.get("lead-quadratic", h=h, A=np.array([[lam.imag]]))
    J = algorithms.get("lead", lr=eta, alpha=alpha, beta=beta).jacobian(game, np.zeros(2))
    spec = np.linalg.eigvals(J)
    labels = lead_roots(np.array([lam]), h, eta, alpha, beta)
    return [spec[np.argmin(np.abs(spec - mu))] for mu in labels]


def _expansion_errors(scales):
    lam = 1j * 0.7
    printed, corrected = [], []
    for s in scales:
        h, eta, alpha, beta = 0.5 * s, s, 0.8 * s, 0.3 * s
        mu_p, mu_m = _library_roots(lam, h, eta, alpha, beta)
        q = ((eta + alpha) ** 2 * lam**2 + eta**2 * h**2 + beta**2 - 2 * eta * h * beta) / 4
        approx_p = 1 - eta * h + q + lam * ((eta + alpha) / 2 * (eta * h - beta) - eta)   # eq. 24
        approx_m = beta - q + lam * ((eta + alpha) / 2 * (beta - eta * h) - alpha)        # eq. 25
        printed.append(max(abs(mu_p - approx_p), abs(mu_m - approx_m)))
        second = eta * (beta - alpha * lam) * (lam + h)
        exact_p = 1 - eta * h - eta * lam - second
        exact_m = beta - alpha * lam + second
        corrected.append(max(abs(mu_p - exact_p), abs(mu_m - exact_m)))
    return np.array(printed), np.array(corrected)


def test_thm2_approximations_are_first_order_only():
    """Eqs. 24–25 are right to first order only: halving (h, η, α, β) divides their error by 4
    (O(s²)), not 8. The second-order expansion is μ+ = 1 − ηh − ηλ − η(β − αλ)(λ + h) + O(s³),
    μ− = β − αλ + η(β − αλ)(λ + h) + O(s³)."""
    printed, corrected = _expansion_errors([0.004, 0.002, 0.001])
    ratios_printed = printed[:-1] / printed[1:]
    ratios_corrected = corrected[:-1] / corrected[1:]
    assert np.all(np.abs(ratios_printed - 4) < 0.2)
    assert np.all(np.abs(ratios_corrected - 8) < 0.5)


# --- Prop 3: as printed the threshold is 2/Im λ; the derivative changes sign at 1/Im λ ------------------
def d_rho_d_alpha(eta, sigma):
    """∂α ρ² at α = 0 by central differences of the library's LEAD spectral radius on the
    bilinear game σxy (h = β = 0)."""
    step = 1e-7
    game = games.get("lead-quadratic", h=0.0, A=np.array([[sigma]]))
    rho = lambda a: spectral_radius("lead", game, np.zeros(2), lr=eta, alpha=a, beta=0.0) ** 2
    return (rho(step) - rho(-step)) / (2 * step)


@pytest.mark.parametrize("sigma", [0.3, 1.0, 2.5])
def test_prop3_corrected_threshold(sigma):
    """With h = β = 0, ∂α|μ+|² at α = 0 equals −2ησ²(1 − η²σ²)/(1 + η²σ²) (λ = iσ): negative iff
    η < 1/σ. Central differences (step 1e-7): truncation ~1e-14, rounding ~eps·ρ/1e-7 ≈ 1e-8."""
    for eta in np.linspace(0.05, 1.95, 39) / sigma:
        exact = -2 * eta * sigma**2 * (1 - (eta * sigma) ** 2) / (1 + (eta * sigma) ** 2)
        assert d_rho_d_alpha(eta, sigma) == pytest.approx(exact, rel=1e-5, abs=1e-8)
    # counterexample to the printed interval (0, 2/σ): at η = 1.5/σ the derivative is positive
    assert d_rho_d_alpha(1.5 / sigma, sigma) > 0


# --- Thm 3: as printed, η = α = 2/σmax can diverge ------------------------------------------------------
def test_thm3_as_printed_fails():
    game = games.get("lead-quadratic", h=0.0, A=np.eye(2))           # σmin = σmax = 1
    rho = oracle_radius(algorithms.get("lead", lr=2.0, alpha=2.0, beta=0.0), game, np.zeros(4))
    # λ = ±i: μ = (1 ∓ 4i ± i√15)/2, |μ−| = √(1 + (4 + √15)²)/2 ≈ 3.968
    assert rho == pytest.approx(np.sqrt(1 + (4 + np.sqrt(15)) ** 2) / 2, rel=1e-12)
    printed_factor = 1 - 6 * (2 * 1 + 0) / 1 - 0 + 0                 # = −11: not a contraction factor
    assert printed_factor < 0 and rho > 1
    # LEAD does converge on this game for smaller η, α (the regime of Prop. 3)
    best = optimize("lead", game, np.zeros(4), {"lr": (1e-3, 1.0), "alpha": (0.0, 1.0)},
                    fixed={"beta": 0.0}, num=25)
    assert confirmed(best, game) < 0.75


# --- §5: tuned rates against extragradient on eq. 13 -------------------------------------------------------
def _section5_matrix(kind):
    """σmax = 1 throughout: diagonal with a small, a middle or an equal second singular value,
    and a rotated non-symmetric one (U diag(1, 0.5) Wᵀ from a seeded draw)."""
    if kind == "rotated":
        rng = np.random.default_rng(5)
        U, _ = np.linalg.qr(rng.standard_normal((2, 2)))
        W, _ = np.linalg.qr(rng.standard_normal((2, 2)))
        return U @ np.diag([1.0, 0.5]) @ W.T
    return np.diag([1.0, kind])


def _tuned_eg_and_lead(h, A):
    """Both methods tuned (β = 0); each optimum's ρ confirmed by the oracle."""
    game = games.get("lead-quadratic", h=h, A=A)
    eg = optimize("eg", game, np.zeros(4), {"lr": (1e-3, 3.0)})
    lead = optimize("lead", game, np.zeros(4), {"lr": (1e-3, 3.0), "alpha": (0.0, 3.0)},
                    fixed={"beta": 0.0}, num=25)
    return confirmed(eg, game), confirmed(lead, game)


def test_section5_literal_reading_fails_at_equal_singular_values():
    """The constant-free reading of §5 ("EG at least as fast for h < σmax") fails at A = I,
    h = 0.1: tuned, LEAD's ρ is 0.6718 and EG's 0.7303 (rates 0.328 against 0.270). The
    paper's "≲" allows it — the rates differ by a factor 1.22, a constant — so this pins
    the counterexample to the literal reading, not to the O-statement (docs/THEOREMS.md)."""
    eg, lead = _tuned_eg_and_lead(0.1, np.eye(2))
    assert eg == pytest.approx(0.7303, abs=1e-3) and lead == pytest.approx(0.6718, abs=1e-3)
    assert lead < eg and (1 - lead) / (1 - eg) < 1.5


SECTION5_CASES = [(h, faster, A) for A in (0.3, 0.6, 1.0, "rotated")
                  for h, faster in ((0.1, False), (0.5, False), (2.0, True), (5.0, True))
                  if (A, h) != (1.0, 0.1)]  # the literal reading's failure, pinned above


@pytest.mark.parametrize("h, lead_faster, A", SECTION5_CASES)
def test_section5_lead_vs_eg(h, lead_faster, A):
    """§5 (in O-notation): EG is at least as fast for h < σmax, LEAD faster for h ≳ 1.62σmax.
    Checked with both methods tuned (β = 0) on four matrices A with σmax = 1; the literal
    reading's one failure (A = I, h = 0.1) is pinned above."""
    eg, lead = _tuned_eg_and_lead(h, _section5_matrix(A))
    assert (lead < eg) == lead_faster


# --- App. J (Fig. 9): OGDA on γ(x² − y²) --------------------------------------------------------------------
@pytest.mark.parametrize("gamma", [1.0, 6.0, 20.0])
def test_appJ_ogda_converges_for_small_steps(gamma):
    """As printed: 'for γ ≥ 6 OGDA fails to converge for any learning rate'. It fails only for
    η ≥ 1/(3γ): each eigenvalue λ = 2γη of DV gives μ² − (1 − 2λ)μ − λ, with |μ| < 1 iff λ < 2/3."""
    game = Game.from_expr(f"{gamma}*(x**2 - y**2)", "x", "y")
    s = stable_step_sizes("ogda", game, [0, 0], bounds=(0, 1.0))
    assert len(s.intervals) == 1 and s.intervals[0][0] == 0
    assert s.intervals[0][1] == pytest.approx(1 / (3 * gamma), rel=1e-9)
    for name, hp in (("gda", {"lr": 0.5 / (2 * gamma)}), ("cgd", {"lr": 0.5 / (2 * gamma)}),
                     ("lead", {"lr": 0.5 / (2 * gamma), "alpha": 0.1, "beta": 0.0})):
        assert oracle_radius(algorithms.get(name, **hp), game, np.zeros(2)) < 1


# --- §7.1 (Fig. 3): tuned spectral radius on eq. 31 ------------------------------------------------------------
@functools.lru_cache(maxsize=None)
def tuned_radii(gamma_max, seed):
    """Tuned ρ on one seeded draw of eq. 31 (d = 5) for LEAD's Fig. 3 methods ("PM" there is
    positive heavy-ball momentum). Each value is an upper bound on that method's minimum."""
    return {k: v[0] for k, v in lead_gamma_sweep([gamma_max], seeds=(seed,), d=5, num=10).items()}


def cooperative_spectrum(seed):
    """At γmax = 0 eq. 31 has no coupling: V = diag(Q1 + Q1ᵀ, Q2 + Q2ᵀ) is symmetric ⪰ 0."""
    Hxx, Hxy, Hyy = games.get("lead-eq31", d=5, gamma_max=0.0, seed=seed).dense_blocks()
    assert not Hxy.any()
    return np.linalg.eigvalsh(np.block([[Hxx, Hxy], [-Hxy.T, -Hyy]]))


# seed 0's tuning takes ~30 s on two cores: it runs with -m slow, seed 1 in the default run
@pytest.mark.parametrize("seed", [pytest.param(0, marks=pytest.mark.slow), 1])
def test_fig3_cooperative_end_reaches_the_closed_form_optima(seed):
    """γmax = 0, oracle independent of the tuner: on a symmetric spectrum [μ, L] GDA's best rate
    is (κ − 1)/(κ + 1) at η = 2/(μ + L) and heavy ball's (Polyak) is (√κ − 1)/(√κ + 1) at
    η = 4/(√L + √μ)², β = ((√κ − 1)/(√κ + 1))² (both inside the boxes here). Without coupling
    LEAD is heavy ball, so tuned LEAD and tuned PM must both reach Polyak's rate. This
    is the instance where a single local search stalled (ρ = 0.9747 instead of 0.9665 at seed 0:
    heavy ball's optimum is the tip of a narrow valley)."""
    lam = cooperative_spectrum(seed)
    mu, L = lam[0], lam[-1]
    assert mu > 0
    kappa = L / mu
    polyak = (np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)
    assert polyak ** 2 < 0.95 and 4 / (np.sqrt(L) + np.sqrt(mu)) ** 2 < 2.0
    r = tuned_radii(0.0, seed)
    # ρ at a double root is √β exactly, but the Nelder–Mead minimiser sits where the two root
    # moduli are balanced to ~1e-15 in β, i.e. ~√1e-15 ≈ 3e-8 in ρ (Hölder-1/2 at the collision)
    assert r["PM"] == pytest.approx(polyak, abs=1e-7)
    assert r["LEAD"] == pytest.approx(polyak, abs=1e-7)
    assert r["GDA"] == pytest.approx((kappa - 1) / (kappa + 1), abs=1e-9)
    assert r["LEAD"] < min(r[k] for k in ("GDA", "EG", "OG", "NM")) - 0.02


@pytest.mark.parametrize("seed", [0, 1])
def test_fig3_lead_contains_gda_and_heavy_ball(seed):
    """LEAD with α = 0 is heavy ball (β = 0: GDA) on every game, so LEAD's tuned box contains
    PM's, GDA's and NM's for β ≥ −0.5: its minimum is at most theirs. Checked where it holds
    exactly (the same ρ, not a tuner's result), on the adversarial draw γmax = 1, by the
    oracle: the two update maps' finite-difference Jacobians have the same spectral radius."""
    game = games.get("lead-eq31", d=5, gamma_max=1.0, seed=seed)
    for lr in (0.05, 0.3, 1.1):
        for beta in (-0.5, 0.0, 0.4, 0.9):
            lead = oracle_radius(algorithms.get("lead", lr=lr, alpha=0.0, beta=beta), game, np.zeros(10))
            hb = oracle_radius(algorithms.get("hb", lr=lr, beta=beta), game, np.zeros(10))
            assert lead == pytest.approx(hb, rel=1e-9)


@pytest.mark.slow  # ~70 s of tuning (four draws × seven methods); the opt-in profile runs it
@pytest.mark.parametrize("gamma_max, beaten", [(0.5, ("GDA", "EG", "OG", "NM", "PM")),
                                                 (1.0, ("GDA", "EG", "OG", "NM", "PM", "CM"))])
def test_fig3_lead_is_robust(gamma_max, beaten):
    """Mean over two draws: tuned LEAD below each listed tuned method by more than 0.02, a margin
    far above the tuner's resolution (its refinements agree to 1e-7). At γmax = 0.5 tuned
    complex momentum is within 0.005 of LEAD on average and below it on the draw seed = 0
    (``test_fig3_complex_momentum_beats_lead_on_one_draw``), so CM is not compared there."""
    r = {k: np.mean([tuned_radii(gamma_max, s)[k] for s in (0, 1)]) for k in LEAD_FIG3_METHODS}
    assert all(r["LEAD"] < r[k] - 0.02 for k in beaten)


def test_fig3_complex_momentum_beats_lead_on_one_draw():
    """The per-draw reading of "LEAD is never worse" is contradicted numerically: on eq. 31
    with d = 5, γmax = 0.5, seed 0, complex momentum at α = 0.53115, β = 0.76620·e^{0.14177i}
    has ρ = 0.88784 (a direct evaluation), while LEAD's best over its box (a 10³ grid, four
    refined basins; a 30³ grid with 20 basins found the same) is 0.91320. LEAD's minimum is
    not certified, so this is recorded as evidence in docs/THEOREMS.md, not as a proof."""
    game = games.get("lead-eq31", d=5, gamma_max=0.5, seed=0)
    cm = oracle_radius(algorithms.get("complex-momentum", alpha=0.53114896,
                                      beta=0.76620198 * np.exp(0.14176903j)), game, np.zeros(10))
    assert cm == pytest.approx(0.887835, abs=1e-5)
    assert tuned_radii(0.5, 0)["LEAD"] > cm + 0.02
