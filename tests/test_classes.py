"""Worst-case rates over classes of games (regions of eig(V)): closed forms, the maximum
principle, tightness, poles, refusals."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from stability import Game, spectral_radius
from stability.errors import InputError, NotSupportedError
from stability.spectral import worst_case
from stability.spectral.classes import (Disc, Ellipse, Points, Polygon, Rectangle, Segment, bilinear,
                                        monotone_lipschitz, rate_function)


def test_gda_on_a_real_segment_at_its_optimal_step():
    """GDA on eig(V) ⊂ [μ, L] at η* = 2/(μ + L): ρ* = (L − μ)/(L + μ) (Polyak 1987, §1.4)."""
    for mu, L in ((0.1, 1.0), (1.0, 50.0), (0.5, 0.5)):
        w = worst_case("gda", Segment(mu, L), lr=2 / (mu + L))
        assert w.rate == pytest.approx((L - mu) / (L + mu), rel=1e-12, abs=1e-15)


def test_gda_on_a_disc_at_its_optimal_step():
    """GDA on the disc |λ − c| ≤ r (r < c) at η = 1/c: ρ* = r/c (Azizian et al. 2020, §3)."""
    for c, r in ((2.0, 0.5), (1.0, 0.99), (5.0, 1e-3)):
        assert worst_case("gda", Disc(c, r), lr=1 / c).rate == pytest.approx(r / c, rel=1e-12)


def test_heavy_ball_on_a_real_segment_at_polyaks_parameters():
    """Heavy ball on [μ, L] with η = 4/(√L + √μ)², β = ((√L − √μ)/(√L + √μ))²: every root has
    modulus √β (Polyak 1964). The ends of the segment are double roots, which floating point
    resolves only to √ε relative (≈ 1.5e-8), hence 1e-7."""
    for mu, L in ((0.1, 1.0), (1.0, 100.0)):
        q = (np.sqrt(L) - np.sqrt(mu)) / (np.sqrt(L) + np.sqrt(mu))
        w = worst_case("hb", Segment(mu, L), lr=4 / (np.sqrt(L) + np.sqrt(mu)) ** 2, beta=q ** 2)
        assert w.rate == pytest.approx(q, rel=1e-7)


@pytest.mark.parametrize("eta", [0.05, 0.3, 1.0])
def test_gda_on_the_monotone_lipschitz_and_bilinear_classes(eta):
    """|1 − ηλ|² on {Re λ ≥ μ, |λ| ≤ L} is largest at the corners λ = μ ± i√(L² − μ²) and on
    the arc next to them: ρ_K = √(1 − 2ημ + η²L²); on ±i[σmin, σmax]: √(1 + η²σmax²)."""
    mu, L = 0.1, 1.0
    assert worst_case("gda", monotone_lipschitz(mu, L), lr=eta).rate == pytest.approx(
        np.sqrt(1 - 2 * eta * mu + eta ** 2 * L ** 2), rel=1e-12)
    assert worst_case("gda", bilinear(0.1, 1.0), lr=eta).rate == pytest.approx(np.sqrt(1 + eta ** 2), rel=1e-12)


def test_extragradient_on_the_bilinear_class_against_a_dense_sample():
    """EG on λ = ±iσ: r = |1 − ηλ + η²λ²| = √((1 − η²σ²)² + η²σ²); the search may not be below
    the best of 10⁵ samples and not above it by more than the sampling's resolution allows."""
    eta, smin, smax = 0.4, 0.1, 3.0
    sigma = np.linspace(smin, smax, 100_001)
    sampled = np.sqrt((1 - eta ** 2 * sigma ** 2) ** 2 + eta ** 2 * sigma ** 2).max()
    w = worst_case("eg", bilinear(smin, smax), lr=eta)
    assert sampled - 1e-14 <= w.rate <= sampled + 1e-9


REGIONS = {"disc": Disc(0.8, 0.5), "ellipse": Ellipse(1.0 + 0.2j, 0.7, 0.4),
           "hexagon": Polygon([0.2, 0.6 + 0.5j, 1.2 + 0.6j, 1.6, 1.2 - 0.6j, 0.6 - 0.5j]),
           "rectangle": Rectangle(0.1, 1.0, -0.8, 0.8), "monotone-lipschitz": monotone_lipschitz(0.1, 1.0),
           "segment": Segment(0.1 + 0.5j, 1.0 - 0.2j)}
ALGS = {"gda": {"lr": 0.3}, "eg": {"lr": 0.5}, "ogda": {"lr": 0.3}, "pm": {"lr": 0.4, "gamma": 0.2},
        "iu": {"lr": 0.5}, "hb": {"lr": 0.3, "beta": -0.3}, "complex-momentum": {"alpha": 0.3}}


def _interior(region, u, v):
    """A point of the region from u, v ∈ [0, 1]: a convex combination of two boundary points
    (every region here is convex), hence inside."""
    pieces = region.pieces()
    a = pieces[int(u * len(pieces)) % len(pieces)](np.array([u]))[0]
    b = pieces[int(v * len(pieces)) % len(pieces)](np.array([1 - v]))[0]
    return (1 - v) * a + v * b


@settings(max_examples=25, deadline=None)
@given(region=st.sampled_from(sorted(REGIONS)), name=st.sampled_from(sorted(ALGS)),
       u=st.floats(0, 1), v=st.floats(0, 1))
def test_no_game_in_the_class_beats_the_worst_case_and_the_witness_attains_it(region, name, u, v):
    """The maximum principle: r at any point of K is at most ρ_K. Tightness: the 1 + 1 game
    with eig(V) = {witness, conj(witness)} has exactly ρ = ρ_K (its spectral radius computed by
    the library's ordinary path, not the region code)."""
    K, hp = REGIONS[region], ALGS[name]
    w = worst_case(name, K, **hp)
    _, r = rate_function(w.algorithm)
    z = _interior(K, u, v)
    assert K.contains(z)
    assert r(np.array([z]))[0] <= w.rate * (1 + 1e-12)
    a, b = w.witness.real, w.witness.imag  # V = [[a, b], [−b, a]]: eigenvalues a ± ib
    game = Game.quadratic(np.array([[a]]), np.array([[b]]), np.array([[-a]]))
    assert spectral_radius(w.algorithm, game, [0.0, 0.0]) == pytest.approx(w.rate, rel=1e-10)


def test_a_pole_inside_the_class_makes_the_rate_unbounded():
    w = worst_case("iu", Disc(-2.0, 0.5), lr=0.5)  # −1/η = −2 inside
    assert w.rate == np.inf and "pole" in w.note and "unbounded" in str(w)
    far = worst_case("iu", Disc(1.0, 0.5), lr=0.5)
    lam = 1.0 + 0.5 * np.exp(2j * np.pi * np.linspace(0, 1, 100_001))
    assert far.rate == pytest.approx(np.abs(1 / (1 + 0.5 * lam)).max(), rel=1e-9)


def test_points_region_is_one_games_spectrum():
    from stability import games
    from stability.spectral.classes import region_of
    game = games.get("g2")
    K = region_of(game, [0, 0])
    assert isinstance(K, Points)
    assert worst_case("eg", K, lr=0.05).rate == pytest.approx(spectral_radius("eg", game, [0, 0], lr=0.05), rel=1e-12)


def test_what_worst_case_refuses():
    with pytest.raises(NotSupportedError, match="not a function of the eigenvalues of V"):
        worst_case("fr", Disc(1, 0.5))
    with pytest.raises(NotSupportedError, match="one step size"):
        worst_case("gda", Disc(1, 0.5), lr_x=0.1, lr_y=0.2)
    with pytest.raises(InputError, match="Region"):
        worst_case("gda", [1, 2])
    for bad in (lambda: monotone_lipschitz(2.0, 1.0), lambda: Disc(1.0, -1.0), lambda: bilinear(2, 1),
                lambda: Disc("a", 1.0), lambda: Segment(np.inf, 1)):
        with pytest.raises(InputError):
            bad()
    assert worst_case("gda", Segment(0.5, 1.5), lr=1.0).iterations(1e-6) == pytest.approx(
        np.log(1e-6) / np.log(0.5), rel=1e-12)


# --- class-optimal hyperparameters ---------------------------------------------------------

def test_class_optimal_step_for_gda_on_a_segment_and_a_disc():
    """The tuner finds η* = 2/(μ + L), ρ* = (L − μ)/(L + μ) on [μ, L] and ρ* = r/c on a disc
    (η* = 1/c) from a bracket, to 1e-12: golden-section search converges on the kink where the
    two ends (the two sides of the disc) are equally bad."""
    from stability.spectral import optimize_class
    mu, L = 0.1, 1.0
    o = optimize_class("gda", Segment(mu, L), {"lr": (0.01, 3.0)})
    assert o.rate == pytest.approx((L - mu) / (L + mu), rel=1e-12)
    assert o.algorithm.lr_x == pytest.approx(2 / (mu + L), rel=1e-12)
    o = optimize_class("gda", Disc(2.0, 0.5), {"lr": (0.01, 1.0)})
    assert o.rate == pytest.approx(0.25, rel=1e-12) and o.algorithm.lr_x == pytest.approx(0.5, rel=1e-9)


def test_class_optimal_heavy_ball_is_polyaks():
    """Tuning (η, β) of heavy ball on [μ, L] recovers Polyak's η = 4/(√L + √μ)², β = q², ρ = q
    with q = (√L − √μ)/(√L + √μ) (Polyak 1964): to 1e-9 in ρ (measured: 1e-13)."""
    from stability.spectral import optimize_class
    mu, L = 0.1, 1.0
    q = (np.sqrt(L) - np.sqrt(mu)) / (np.sqrt(L) + np.sqrt(mu))
    o = optimize_class("hb", Segment(mu, L), {"lr": (0.1, 4.0), "beta": (0.0, 0.9)}, num=11)
    assert o.rate == pytest.approx(q, rel=1e-9)
    assert o.algorithm.hp["beta"] == pytest.approx(q ** 2, rel=1e-6)
    assert o.algorithm.lr_x == pytest.approx(4 / (np.sqrt(L) + np.sqrt(mu)) ** 2, rel=1e-6)


def test_class_tuning_refuses_bad_bounds():
    from stability.spectral import optimize_class
    for bounds in ({}, [("lr", (0, 1))], {"lr": (1.0, 0.5)}, {"lr": (0.1, 1.0), "gamma": (0.0, 1.0)}):
        with pytest.raises(InputError):
            optimize_class("pm", Segment(0.1, 1.0), bounds)


# --- stability-region maps -----------------------------------------------------------------

def test_stability_regions_are_the_known_sets():
    """GDA's region is the disc |1 − z| < 1, EG's {|1 − z + z²| < 1}, IU's the outside of the
    disc |1 + z| ≤ 1; checked at random points against these formulas, and the grid agrees."""
    from stability.spectral import stability_region
    rng = np.random.default_rng(0)
    z = rng.uniform(-1, 3, 400) + 1j * rng.uniform(-2, 2, 400)
    for name, inside in (("gda", np.abs(1 - z) < 1), ("eg", np.abs(1 - z + z * z) < 1),
                         ("iu", np.abs(1 + z) > 1)):
        sr = stability_region(name, num=50)
        clear = np.abs(np.abs({"gda": 1 - z, "eg": 1 - z + z * z, "iu": 1 / (1 + z)}[name]) - 1) > 1e-9
        assert np.array_equal(sr.contains(z)[clear], inside[clear]), name
    sr = stability_region("gda", extent=(0, 2, -1, 1), num=101)
    X, Y = np.meshgrid(sr.x, sr.y)
    np.testing.assert_allclose(sr.r, np.abs(1 - (X + 1j * Y)), rtol=1e-14)


def test_stability_region_plot_and_refusals():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from stability.spectral import stability_region
    fig, ax = plt.subplots()
    lines = stability_region("hb", num=40, beta=-0.3).plot(ax=ax, region=monotone_lipschitz(0.1, 1.0), eta=0.5)
    assert list(lines.levels)[-1] == 1.0 and "β = −0.3" in ax.get_title()
    plt.close(fig)
    for bad in (dict(extent=(1, 0, 0, 1)), dict(extent="x"), dict(num=3)):
        with pytest.raises(InputError):
            stability_region("gda", **bad)
    with pytest.raises(NotSupportedError):
        stability_region("fr")


# --- lower bounds ------------------------------------------------------------------------------

def _chebyshev_rate(region, n):
    """max over ∂K of |T_n(u(z)) / T_n(u(0))|^(1/n) for the ellipse/segment's Chebyshev
    polynomial (u sends the foci to ±1): an explicit degree-n polynomial with p(0) = 1, so an
    upper bound on the best degree-n rate that tends to the asymptotic factor (an oracle that
    shares nothing with lower_bound's conformal-map formula but the foci)."""
    if isinstance(region, Segment):
        c, f = (region.a + region.b) / 2, (region.b - region.a) / 2
    else:
        d = np.sqrt(abs(region.a ** 2 - region.b ** 2))
        c, f = region.centre, (d if region.a > region.b else 1j * d)

    def log_abs_T(u):
        phi = u + np.sqrt(u * u - 1 + 0j)
        phi = np.where(np.abs(phi) < 1, 1 / phi, phi)
        return n * np.log(np.abs(phi)) - np.log(2) + np.log(np.abs(1 + phi ** (-2 * n)))
    z = region.boundary(2000)
    return float(np.exp((log_abs_T((z - c) / f).max() - log_abs_T(np.array([(0 - c) / f]))[0]) / n))


def test_lower_bounds_in_closed_form_and_against_chebyshev_polynomials():
    """Segments: (√L − √μ)/(√L + √μ) (Nemirovski–Yudin; Chebyshev); discs r/|c|; ellipses via
    the exterior conformal map — each against explicit Chebyshev polynomials of growing degree,
    whose rates decrease towards the bound (the factor 2^(1/n) of T_n's normalisation)."""
    from stability.spectral.classes import lower_bound
    mu, L = 0.1, 1.0
    assert lower_bound(Segment(mu, L)) == pytest.approx((np.sqrt(L) - np.sqrt(mu)) / (np.sqrt(L) + np.sqrt(mu)),
                                                        rel=1e-12)
    assert lower_bound(Disc(2.0, 0.5)) == 0.25 and lower_bound(Disc(0.5 + 0.5j, 1.0)) == 1.0  # 0 inside: 1
    assert lower_bound(Ellipse((L + mu) / 2, (L - mu) / 2, 1e-13)) == pytest.approx(lower_bound(Segment(mu, L)),
                                                                                  rel=1e-9)
    for K in (Segment(mu, L), Segment(0.2 + 0.3j, 1.0 - 0.1j), Ellipse(1.0, 0.5, 0.3), Ellipse(1.0, 0.3, 0.5)):
        bound = lower_bound(K)
        gaps = [_chebyshev_rate(K, n) - bound for n in (25, 50, 100, 200)]
        assert all(g >= -1e-12 for g in gaps) and gaps == sorted(gaps, reverse=True) and gaps[-1] < 5e-3, (K, gaps)


def test_heavy_ball_tuned_on_a_segment_attains_the_krylov_lower_bound_and_gda_does_not():
    """On [μ, L] tuned heavy ball reaches the Chebyshev bound (it is asymptotically optimal
    there); tuned GDA stays at (κ − 1)/(κ + 1) above it."""
    from stability.spectral import optimize_class
    from stability.spectral.classes import lower_bound
    mu, L = 0.1, 1.0
    bound = lower_bound(Segment(mu, L))
    hb = optimize_class("hb", Segment(mu, L), {"lr": (0.1, 4.0), "beta": (0.0, 0.9)}, num=11).rate
    gda = optimize_class("gda", Segment(mu, L), {"lr": (0.01, 3.0)}).rate
    assert hb == pytest.approx(bound, rel=1e-9) and gda > bound + 0.2


def test_a_maximum_inside_a_boundary_piece_is_refined_to_full_accuracy():
    """GDA on the disc |λ − c| ≤ r: max |1 − ηλ| = |1 − ηc| + ηr, attained inside the circle's
    parametrisation (at the angle of c − 1/η, here t = 1/8 + small, between samples). With 16
    samples the best sample is ~1e-2 low; the zoom must close that to rounding."""
    for c, r, eta in ((2.0 + 1.0j, 0.5, 1.0), (1.0 + 0.3j, 0.2, 0.7)):
        exact = abs(1 - eta * c) + eta * r
        for samples in (16, 256):
            assert worst_case("gda", Disc(c, r), samples=samples, lr=eta).rate == pytest.approx(exact, rel=1e-13)


CLOSED_FORMS = (Segment(0.1, 1.0), Segment(0.2 + 0.3j, 1.0 - 0.1j), Disc(2.0, 0.5), Disc(1.0 + 1.0j, 0.3),
                Ellipse(1.0, 0.5, 0.3), Ellipse(1.0, 0.3, 0.5))


@pytest.mark.parametrize("region", CLOSED_FORMS, ids=repr)
def test_the_numerical_lower_bound_reproduces_every_closed_form(region):
    """The boundary-integral solve for the equilibrium charge (three meshes, extrapolated)
    shares nothing with the conformal-map formulas; on each closed form it agrees to 1e-9
    (measured: 3e-11 to 9e-10 relative, the ellipse's the largest)."""
    from stability.spectral.classes import _closed_form_lower_bound, _numerical_lower_bound
    assert _numerical_lower_bound([region]) == pytest.approx(_closed_form_lower_bound(region), rel=1e-9)


def test_lower_bounds_of_unions_points_and_enclosed_origins():
    """The bilinear class ±i[a, b] is the preimage of the real segment [−b², −a²] under z ↦ z², so
    its Green's function is half that segment's at z² (g_{P⁻¹(E)} = g_E∘P/deg P) and its bound
    is √((b − a)/(b + a)), to 1e-9 from the numerical solve. A disc inside another changes
    nothing; finitely many points change nothing (capacity zero) and alone give 0; a ring of
    discs around 0 gives 1 (the maximum principle: |p| ≤ 1 on the ring forces |p(0)| ≤ 1)."""
    from stability.spectral.classes import Union, lower_bound
    for a, b in ((0.1, 1.0), (0.5, 2.0)):
        assert lower_bound(bilinear(a, b)) == pytest.approx(np.sqrt((b - a) / (b + a)), rel=1e-9)
    assert lower_bound(Union(Disc(2.0, 1.0), Disc(2.3, 0.2))) == pytest.approx(0.5, rel=1e-9)
    assert lower_bound(Union(Segment(0.1, 1.0), Points((3.0, -2.0)))) == lower_bound(Segment(0.1, 1.0))
    assert lower_bound(Points((1.0, 2.0 + 1j))) == 0.0
    ring = Union(*[Disc(1j ** k, 0.8) for k in range(4)])
    assert not ring.contains(0.0) and lower_bound(ring) == pytest.approx(1.0, abs=1e-9)
    assert lower_bound(monotone_lipschitz(0.0, 1.0)) == 1.0  # 0 ∈ K


def test_minimax_polynomials_of_growing_degree_decrease_towards_the_bound():
    """Lawson's minimax polynomials on ∂K (degree n, p(0) = 1): the rates (max |p_n|)^(1/n)
    decrease with n and stay above the limit exp(−g(0)) (Bernstein–Walsh: |p(0)| ≤
    max_K |p| e^(n g(0))); on [μ, L] degree 1 is GDA's optimum (L − μ)/(L + μ) exactly."""
    from stability.spectral.classes import minimax_rates
    mu, L = 0.1, 1.0
    seg = minimax_rates(Segment(mu, L), degrees=(1, 2, 4, 8, 16), samples=200)
    assert seg.lower[0] <= (L - mu) / (L + mu) <= seg.rate[0] * (1 + 1e-12)
    assert seg.rate[0] == pytest.approx((L - mu) / (L + mu), rel=1e-3)
    for m in (seg, minimax_rates(monotone_lipschitz(mu, L), degrees=(1, 2, 4, 8), samples=200),
              minimax_rates(Polygon([0.2, 1.0 + 0.5j, 1.0 - 0.5j]), degrees=(2, 4, 8), samples=100)):
        assert np.all(m.lower <= m.rate) and np.all(m.lower >= m.limit)
        assert np.all(np.diff(m.rate) < 0) and m.rate[-1] - m.limit < 0.25 * (m.rate[0] - m.limit)
    assert minimax_rates(Points((1.0, 2.0, 3.0)), degrees=(2, 3)).rate[1] == 0.0
    for bad in (dict(degrees=0), dict(samples=2), dict(tol=0.0)):
        with pytest.raises(InputError):
            minimax_rates(Segment(mu, L), **bad)


KRYLOV_ALGORITHMS = [("gda", "lr"), ("eg", "lr"), ("ogda", "lr"), ("pm", "lr"), ("hb", "lr"),
                     ("complex-momentum", "alpha")]


@pytest.mark.parametrize("region", [monotone_lipschitz(0.1, 1.0), Ellipse(1.0, 0.5, 0.3),
                                    Polygon([0.2, 0.6 + 0.5j, 1.2 + 0.6j, 1.6, 1.2 - 0.6j, 0.6 - 0.5j])], ids=repr)
def test_no_explicit_method_tuned_on_a_class_beats_its_krylov_bound(region):
    """Every explicit method's iterates stay in the Krylov space of the gradients, so its tuned
    worst rate per gradient evaluation, ρ_K^(1/calls), is at least lower_bound(K) — two
    computations (an adaptive boundary search over the method's roots; a boundary-integral
    solve) with nothing in common. IU, implicit, is exempt (and beats it)."""
    from stability.spectral import optimize_class
    from stability.spectral.classes import lower_bound
    bound = lower_bound(region)
    for name, step in KRYLOV_ALGORITHMS:
        o = optimize_class(name, region, {step: (1e-3, 4.0)})
        assert o.rate ** (1 / o.algorithm.gradient_calls) >= bound, name
    assert optimize_class("iu", region, {"lr": (1e-3, 40.0)}).rate < bound


# --- published closed forms over the monotone-Lipschitz and bilinear classes --------------

@pytest.mark.parametrize("mu, L", [(0.1, 1.0), (0.01, 1.0), (0.5, 1.0), (0.3, 2.0)])
def test_extragradient_class_optimum_on_the_monotone_lipschitz_class(mu, L):
    """EG on {Re λ ≥ μ, |λ| ≤ L}: the class-optimal step is η* = 1/(μ + L), where the real
    extremes λ = μ and λ = L are equally bad, and ρ* = 1 − μL/(μ + L)² = (L² + Lμ + μ²)/(L + μ)²
    — the exact constant behind the 1 − Θ(μ/L) rate of Azizian et al. 2020a (Tight and unified
    analysis, §4) and Mokhtari, Ozdaglar, Pattathil 2020; derivation in docs/MATHEMATICS.md §5."""
    from stability.spectral import optimize_class
    o = optimize_class("eg", monotone_lipschitz(mu, L), {"lr": (1e-3, 4 / L)})
    assert o.rate == pytest.approx(1 - mu * L / (mu + L) ** 2, rel=1e-9)
    assert o.algorithm.lr_x == pytest.approx(1 / (mu + L), rel=1e-9)


@pytest.mark.parametrize("smin, smax", [(0.1, 1.0), (0.5, 1.0), (0.01, 2.0)])
def test_extragradient_and_ogda_class_optima_on_the_bilinear_class(smin, smax):
    """EG on ±i[σmin, σmax]: |1 − ηλ + η²λ²|² = 1 − u + u² with u = η²σ², convex in u and
    symmetric about ½, so η*² = 1/(σmin² + σmax²) and ρ*² = 1 − σmin²σmax²/(σmin² + σmax²)²
    (of the order 1 − σmin²/σmax² of Azizian et al. 2020a, Liang & Stokes 2019 Thm 3's setting).
    OGDA: the roots of μ² − (1 − 2is)μ − is at λ = iσ, s = ησ, have largest modulus
    r² = (1 + √(1 − 4s²))/2 for s ≤ ½ (decreasing) and 2s² + s√(4s² − 1) beyond (increasing,
    1 at s = 1/√3), so the optimum balances s = ησmin against s = ησmax — solved here with
    brentq on that formula, independently of the library's polynomial roots."""
    from scipy.optimize import brentq
    from stability.spectral import optimize_class
    K = bilinear(smin, smax)
    eg = optimize_class("eg", K, {"lr": (1e-3, 4 / smax)})
    ssum = smin ** 2 + smax ** 2
    assert eg.rate == pytest.approx(np.sqrt(1 - smin ** 2 * smax ** 2 / ssum ** 2), rel=1e-9)
    assert eg.algorithm.lr_x == pytest.approx(1 / np.sqrt(ssum), rel=1e-9)

    def r2(s):
        return (1 + np.sqrt(1 - 4 * s * s)) / 2 if s <= 0.5 else 2 * s * s + s * np.sqrt(4 * s * s - 1)
    eta = brentq(lambda e: r2(e * smin) - r2(e * smax), 0.5 / smax, min(0.5 / smin, 1 / (np.sqrt(3) * smax)),
                 xtol=1e-15, rtol=1e-15)
    ogda = optimize_class("ogda", K, {"lr": (1e-3, 4 / smax)})
    assert ogda.rate == pytest.approx(np.sqrt(r2(eta * smin)), rel=1e-9)
    assert ogda.algorithm.lr_x == pytest.approx(eta, rel=1e-6)


def test_ogda_meets_interaction_matters_theorem_3_on_the_bilinear_class():
    """Liang & Stokes 2019 Thm 3: OGDA at η = 1/(2√(2σmax²)) reaches ε within
    16 (σmax²/σmin²) log(·/ε) steps on every bilinear game with singular values in
    [σmin, σmax], so its asymptotic rate is at most exp(−σmin²/(16σmax²)); the exact worst case
    over the class respects that bound (and is much smaller than it)."""
    for smin, smax in ((0.1, 1.0), (0.5, 1.0), (1.0, 3.0)):
        w = worst_case("ogda", bilinear(smin, smax), lr=1 / (2 * np.sqrt(2) * smax))
        assert w.rate <= np.exp(-smin ** 2 / (16 * smax ** 2))


def test_simultaneous_momentum_of_either_sign_never_converges_on_the_bilinear_class():
    """Gidel et al. 2019 (negative momentum): simultaneous gradient steps with momentum β
    diverge on bilinear games for every η > 0 and β. At λ = iσ the roots of
    (μ − 1)(μ − β) + isμ = 0 never reach |μ| = 1 for s = ησ > 0 (there the real part forces
    μ = 1, then s = 0), and for small s the root near 1 is 1 − is/(1 − β) + O(s²), outside;
    so r > 1 on the whole class (docs/MATHEMATICS.md §5). The tuner over (η, β) ∈
    [1e-3, 4] × [−0.95, 0.95] finds nothing below 1."""
    from stability.spectral import optimize_class
    o = optimize_class("hb", bilinear(0.1, 1.0), {"lr": (1e-3, 4.0), "beta": (-0.95, 0.95)}, num=9)
    assert o.rate > 1.0
    for beta in (-0.9, -0.5, -0.1, 0.1, 0.5, 0.9):
        for eta in (1e-3, 0.1, 1.0, 3.0):
            assert worst_case("hb", bilinear(0.1, 1.0), lr=eta, beta=beta).rate > 1.0


# --- ridge classes: intervals of eig(S) and eig(−Hyy) ----------------------------------------

def _chebyshev(lo, hi):
    return (hi - lo) / (hi + lo)


@pytest.mark.parametrize("s, h", [((0.1, 1.0), (0.5, 2.0)), ((0.5, 1.0), (0.01, 1.0))])
def test_ridge_followers_class_optima_in_closed_form(s, h):
    """FR's spectrum is {1 − ηx s} ∪ {1 − ηy h} (FR Thm 1's block-triangular form), so each step
    size is GDA's on its own interval: ηx* = 2/(s_lo + s_hi), ηy* = 2/(h_lo + h_hi) and
    ρ* = max((κS − 1)/(κS + 1), (κH − 1)/(κH + 1)); Stackelberg FR on a zero-sum game is the
    same. GDN (the follower's exact Newton step, eigenvalues 0) and HessianFR (whose Newton step
    ηy2 shifts the follower's affine map (1 − ηy2) − ηy1 h to near 0) leave only the leader:
    ρ* = (κS − 1)/(κS + 1) (HessianFR §3, eqs. 3.11–3.12)."""
    from stability.spectral import optimize_class, ridge_class
    K = ridge_class(s, h)
    both = max(_chebyshev(*s), _chebyshev(*h))
    box = {"lr_x": (1e-3, 4.0 / s[1]), "lr_y": (1e-3, 4.0 / h[1])}
    for name in ("fr", "stackelberg-fr"):
        o = optimize_class(name, K, box)
        assert o.rate == pytest.approx(both, rel=1e-9), name
        active, (lo, hi) = ("lr_x", s) if _chebyshev(*s) > _chebyshev(*h) else ("lr_y", h)
        assert o.algorithm.hp[active] == pytest.approx(2 / (lo + hi), rel=1e-9)
        assert worst_case(name, K, lr_x=2 / sum(s), lr_y=2 / sum(h)).rate == pytest.approx(both, rel=1e-12)
    gdn = optimize_class("gdn", K, {"lr_x": box["lr_x"]})
    assert gdn.rate == pytest.approx(_chebyshev(*s), rel=1e-9) and gdn.algorithm.lr_x == pytest.approx(2 / sum(s))
    hfr = optimize_class("hessianfr", K, box | {"lr_y2": (0.0, 1.0)})
    assert hfr.rate == pytest.approx(_chebyshev(*s), rel=1e-9)


def test_fr_with_momentum_on_a_ridge_class_is_polyak_on_the_worse_interval():
    """FR with momentum γ puts each real eigenvalue 1 − λ' of FR's Jacobian (λ' = ηx s or ηy h)
    through heavy ball's μ² − (γ + 1 − λ')μ + γ. Polyak's parameters for the worse-conditioned
    interval (κ = max(κS, κH)), with each step size 4/(√lo + √hi)² on its own interval, put
    both images inside the one Polyak interval (the better-conditioned one's image is nested in
    it): ρ* = (√κ − 1)/(√κ + 1). Tuning (ηx, γ) with ηy there recovers it."""
    from stability.spectral import optimize_class, ridge_class
    s, h = (0.1, 1.0), (0.5, 2.0)
    K = ridge_class(s, h)
    q = (np.sqrt(10) - 1) / (np.sqrt(10) + 1)
    steps = {k: 4 / (np.sqrt(lo) + np.sqrt(hi)) ** 2 for k, (lo, hi) in (("lr_x", s), ("lr_y", h))}
    assert worst_case("fr-momentum", K, beta=q * q, **steps).rate == pytest.approx(q, rel=1e-7)
    o = optimize_class("fr-momentum", K, {"lr_x": (0.1, 4.0), "beta": (0.0, 0.9)}, fixed={"lr_y": steps["lr_y"]})
    assert o.rate == pytest.approx(q, rel=1e-9)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2 ** 31 - 1), name=st.sampled_from(["fr", "fr-momentum", "hessianfr", "gdn", "stackelberg-fr"]))
def test_no_game_in_a_ridge_class_beats_its_worst_case_and_the_witness_attains_it(seed, name):
    """A random 3 + 2 game with eig(S) and eig(−Hyy) in the intervals (S = Q₁ diag(s) Q₁ᵀ,
    Hyy = −Q₂ diag(h) Q₂ᵀ, Hxy random, Hxx = S + Hxy Hyy⁻¹ Hyx): the dense eigenvalues of its
    closed-form Jacobian never exceed ρ_K (to 1e-9: the Jacobian is non-normal, block
    triangular after a similarity, with condition ~10²); the decoupled 1 + 1 game with the
    witness in its interval and the other interval's midpoint in the other attains ρ_K."""
    from stability.spectral import ridge_class
    rng = np.random.default_rng(seed)
    s, h = (0.2, 1.5), (0.3, 1.0)
    K = ridge_class(s, h)
    hp = {"lr_x": 0.9, "lr_y": 1.3} | ({"beta": 0.3} if name == "fr-momentum" else {}) \
        | ({"lr_y2": 0.4} if name == "hessianfr" else {})
    if name == "gdn":
        hp = {"lr_x": 0.9}
    w = worst_case(name, K, **hp)
    Q1, Q2 = (np.linalg.qr(rng.standard_normal((k, k)))[0] for k in (3, 2))
    S = Q1 @ np.diag(rng.uniform(*s, 3)) @ Q1.T
    Hyy = -Q2 @ np.diag(rng.uniform(*h, 2)) @ Q2.T
    Hxy = rng.standard_normal((3, 2))
    game = Game.quadratic(S + Hxy @ np.linalg.solve(Hyy, Hxy.T), Hxy, Hyy)
    rho = np.abs(np.linalg.eigvals(w.algorithm.jacobian(game, np.zeros(5)))).max()
    assert rho <= w.rate + 1e-9
    sv, hv = (w.witness.real, sum(h) / 2) if w.block == "S" else (sum(s) / 2, w.witness.real)
    tight = Game.quadratic(np.array([[sv]]), np.zeros((1, 1)), np.array([[-hv]]))
    assert np.abs(np.linalg.eigvals(w.algorithm.jacobian(tight, np.zeros(2)))).max() == pytest.approx(w.rate, rel=1e-10)


def test_ridge_classes_refuse_what_they_do_not_determine():
    """GDA (two-time-scale or not) depends on Hxy beyond S and Hyy; FR on a region of eig(V)
    likewise; FR is unbounded where the class holds a singular Hyy; bad intervals are
    InputErrors."""
    from stability.spectral import ridge_class
    with pytest.raises(NotSupportedError, match="eig\\(S\\) and eig\\(Hyy\\)"):
        worst_case("gda", ridge_class((0.1, 1.0), (0.1, 1.0)), lr=0.1)
    with pytest.raises(NotSupportedError, match="ridge_class"):
        worst_case("fr", monotone_lipschitz(0.1, 1.0))
    w = worst_case("fr", ridge_class((0.1, 1.0), (-1.0, 1.0)))
    assert w.rate == np.inf and "singular" in w.note
    for s in ((1.0, 0.1), (0.1,), "ab", (0.1, np.inf)):
        with pytest.raises(InputError):
            ridge_class(s, (0.1, 1.0))
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    lines = ridge_class((0.1, 1.0), (0.5, 2.0)).plot()
    assert [list(line.get_xdata()) for line in lines] == [[0.1, 1.0], [0.5, 2.0]]
    plt.close("all")


def test_strongly_convex_concave_class_is_the_monotone_lipschitz_region_and_is_attained():
    """eig(V) of a μx-SC–μy-SC, L-smooth game lie in {Re λ ≥ min(μx, μy), |λ| ≤ L}; the 1 + 1
    game (a, b, −a) with a ≥ min(μx, μy) and a² + b² ≤ L² realises every such λ, and its
    gradient field's Lipschitz constant ‖V‖ is |λ| (V is normal)."""
    from stability.spectral.classes import strongly_convex_concave
    K = strongly_convex_concave(0.3, 0.1, 2.0)
    assert K == monotone_lipschitz(0.1, 2.0)
    a, b = 0.1, np.sqrt(4.0 - 0.01)
    V = np.array([[a, b], [-b, a]])
    assert np.linalg.norm(V, 2) == pytest.approx(2.0) and K.contains(np.linalg.eigvals(V)).all()
    with pytest.raises(InputError):
        strongly_convex_concave(-0.1, 0.1, 1.0)


def test_the_class_comparison_figure_data():
    """figures/class_rates: at κ = 10 on the monotone–Lipschitz class, EG's entry is its exact
    class optimum per gradient, √(1 − μL/(μ + L)²), GDA's √(1 − μ²/L²) (η = μ/L² minimises
    1 − 2ημ + η²L²), and every method is at or above the Krylov bound."""
    from stability.figures import class_rates
    r = class_rates("monotone-lipschitz", [10.0])
    mu, L = 0.1, 1.0
    assert r["eg"][0] == pytest.approx(np.sqrt(1 - mu * L / (mu + L) ** 2), rel=1e-9)
    assert r["gda"][0] == pytest.approx(np.sqrt(1 - mu ** 2 / L ** 2), rel=1e-9)
    assert all(v[0] >= r["lower bound"][0] for k, v in r.items() if k != "lower bound")


def test_lower_bounds_of_boundaries_traced_twice():
    """A flat polygon (two hull points), a segment given twice, overlapping or touching
    collinear segments, two equal discs, and two rectangles sharing an edge trace part of a
    boundary twice, which made the collocation system singular (a raw LinAlgError) or
    ill-conditioned (7e-7 off). Each now equals the bound of the set it describes."""
    from stability.spectral.classes import Union, lower_bound
    seg = lower_bound(Segment(0.2, 2.0))
    assert lower_bound(Polygon([0.2, 1.0])) == lower_bound(Segment(0.2, 1.0))
    assert lower_bound(Union(Segment(0.2, 1.0), Segment(0.2, 1.0))) == lower_bound(Segment(0.2, 1.0))
    for parts in ((Segment(0.2, 1.0), Segment(0.5, 2.0)), (Segment(0.2, 1.0), Segment(2.0, 0.7)),
                  (Segment(0.2, 1.0), Segment(1.0, 2.0))):
        assert lower_bound(Union(*parts)) == pytest.approx(seg, rel=1e-12)
    assert lower_bound(Union(Disc(2.0, 1.0), Disc(2.0, 1.0))) == 0.5
    # two rectangles sharing an edge against the whole: 48 panels per side, which on a hexagon
    # are within 2e-8 of the converged bound (128 panels would take seconds here)
    from stability.spectral.classes import _capacity_pieces, _numerical_lower_bound
    halves = Union(Rectangle(0.1, 1.0, -0.5, 0.0), Rectangle(0.1, 1.0, 0.0, 0.5))
    assert _numerical_lower_bound(_capacity_pieces(halves), 48) == pytest.approx(
        _numerical_lower_bound([Rectangle(0.1, 1.0, -0.5, 0.5)], 48), rel=1e-7)
