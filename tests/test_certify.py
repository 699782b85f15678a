"""Certified verdicts (stability.certify, docs/MATHEMATICS.md §6): the exact Jacobian of every
algorithm against sympy's and the float closed forms; borderline spectra built on purpose
(modulus exactly 1, 1 ± 2⁻⁵⁰, defective); certified classification; typed errors."""

from fractions import Fraction as F

import numpy as np
import pytest
import sympy as sp

flint = pytest.importorskip("flint")

from stability import (algorithms, certify, classify, games, gda_step_size_bound, spectral_radius,  # noqa: E402
                       stability_verdict, stable_step_sizes, symbolic_stable_set)
from stability.equilibria import critical_points  # noqa: E402
from stability.certify.algebra import Mat  # noqa: E402
from stability.certify.jacobian import certified_jacobian  # noqa: E402
from stability.certify.roots import locate  # noqa: E402
from stability.errors import InputError, NotSupportedError, StabilityError  # noqa: E402
from stability import Game  # noqa: E402
from stability.games.factories import from_expr, general_sum, quadratic  # noqa: E402
from conftest import ALGORITHMS, random_quadratic, stable_seed  # noqa: E402
from test_algorithms import make  # noqa: E402

EXACT_HP = {"lr": F(1, 10), "lr_x": F(1, 10), "lr_y": F(1, 5), "beta": F(1, 3), "alpha": F(1, 7),
            "gamma": F(1, 4), "lam": F(4, 5), "k": 3, "lr_y2": F(1, 20)}


def exact_hp(name):
    params = algorithms.describe(name).params
    hp = {k: v for k, v in EXACT_HP.items() if k in params}
    if name == "complex-momentum":  # complex α, β with rational parts, read exactly
        hp.update(alpha=sp.Rational(1, 10) + sp.I * sp.Rational(1, 20), beta=sp.Rational(1, 2) + sp.I * sp.Rational(1, 4))
    if "lr" in hp and ("lr_x" in hp or "lr_y" in hp):
        hp.pop("lr")
    return hp


def as_float(J):
    K = J.shape[0]
    return np.array([[float(J.a[i, j]) for j in range(K)] for i in range(K)])


@pytest.mark.parametrize("name", sorted(ALGORITHMS))
def test_exact_jacobian_equals_sympys_on_a_formula_game(name):
    """Two independent exact paths: sympy differentiates the update map on the formula (g3,
    cubic terms, at the origin), flint runs the same map on the linear model of its Hessian.
    With rational hyperparameters they must agree entry for entry, exactly."""
    game = games.get("g3")
    hp = exact_hp(name)
    sym = {k: (sp.Rational(v.numerator, v.denominator) if isinstance(v, F) else v) for k, v in hp.items()}
    Js = algorithms.get(name, **sym).symbolic_jacobian(game, [0, 0])
    J, _, inputs = certified_jacobian(name, game, [0, 0], **hp)
    assert J.exact and inputs.exact
    K = J.shape[0]
    assert [[sp.Rational(int(J.a[i, j].p), int(J.a[i, j].q)) for j in range(K)] for i in range(K)] == \
        [[sp.nsimplify(Js[i, j]) for j in range(K)] for i in range(K)]


@pytest.mark.parametrize("name", sorted(ALGORITHMS))
@pytest.mark.parametrize("shape", [(1, 1), (2, 3), (3, 2)])
def test_exact_jacobian_of_float_blocks_matches_the_closed_form(name, shape):
    """On a float game the exact Jacobian of the binary inputs and the closed form in double
    agree to rounding: the closed forms take O(1) products and solves of well-conditioned
    blocks (conditioning of the random games ≤ 10), so 1e-12·max(1, ‖J‖) is ~100 ulps."""
    game = random_quadratic(*shape, seed=stable_seed(name, shape))
    alg = make(name, algorithms.describe(name).example_hyperparameters, 2.0)
    point = np.zeros(sum(shape))
    J, _, _ = certified_jacobian(alg, game, point)
    Jf = alg.jacobian(game, point)
    np.testing.assert_allclose(as_float(J), Jf, atol=1e-12 * max(1.0, np.abs(Jf).max()), rtol=0)


def test_borderline_moduli_both_sides_of_one():
    """ρ = 1 ± 2⁻⁵⁰ in a non-normal matrix (S diag(d, ½) S⁻¹, S unimodular, every entry a float
    exactly): the float verdict cannot decide (|ρ − 1| < √ε), the certificate does, both ways."""
    S, Si = np.array([[2.0, 1.0], [1.0, 1.0]]), np.array([[1.0, -1.0], [-1.0, 2.0]])
    for d, verdict in ((1 + 2.0 ** -50, "unstable"), (1 - 2.0 ** -50, "stable")):
        J = S @ np.diag([d, 0.5]) @ Si
        assert np.array_equal((S @ np.diag([d, 0.5])) @ Si, J)  # exact in floats (dyadic, short)
        assert stability_verdict(np.abs(np.linalg.eigvals(J)).max()) is None
        cert = certify.spectrum_certificate(J)
        assert cert.verdict == verdict
        assert cert.rho[0] <= d <= cert.rho[1]
    # the same with a Jordan block: float eigenvalues lose half the digits, the exact route does not
    for d, verdict in ((1 + 2.0 ** -50, "unstable"), (1 - 2.0 ** -50, "stable")):
        J = S @ np.array([[d, 1.0], [0.0, d]]) @ Si
        cert = certify.spectrum_certificate(J)
        assert (cert.verdict, cert.method) == (verdict, "exact")
        (e,) = cert.eigenvalues
        assert (e.multiplicity, e.geometric, e.defective) == (2, 1, True)
        assert e.exact_value == flint.fmpq(*d.as_integer_ratio())


def test_modulus_exactly_one_is_neither_stable_nor_unstable():
    rotation = [[F(3, 5), F(-4, 5)], [F(4, 5), F(3, 5)]]  # eigenvalues (3 ± 4i)/5, modulus 1
    cert = certify.spectrum_certificate(rotation)
    assert (cert.verdict, cert.stable, cert.rho) == ("marginal", False, (1.0, 1.0))
    assert all(e.position == "on" for e in cert.eigenvalues)
    # the floats 0.6, 0.8 are not 3/5, 4/5: their rotation has modulus 0.6² + 0.8² ≠ 1, decided
    floats = certify.spectrum_certificate(np.array([[0.6, -0.8], [0.8, 0.6]]))
    exact = (F(0.6) ** 2 + F(0.8) ** 2)
    assert floats.verdict == ("unstable" if exact > 1 else "stable")
    # a Jordan block at −1: on the circle, defective (iterates grow linearly)
    cert = certify.spectrum_certificate([[-1, 1], [0, -1]])
    assert cert.verdict == "marginal" and cert.eigenvalues[0].defective


def test_alternating_gda_on_a_bilinear_game_has_modulus_one_exactly():
    """Alternating GDA preserves a quadratic form on bilinear games: for η²σ² < 4 every
    eigenvalue lies on the unit circle (float eig: 1 ± 1e-15). Proven here, with a Salem-like
    check that nothing sits off the circle."""
    game = games.get("lead-quadratic", h=0.0, A=np.array([[1.0, 0.5], [0.0, 2.0]]))
    cert = certify.spectral_radius("altgda", game, np.zeros(4), lr=F(1, 2))
    assert cert.verdict == "marginal" and cert.method == "exact"
    assert all(e.position == "on" for e in cert.eigenvalues) and cert.size == 4


def test_defective_jacobians_of_the_papers_with_exact_multiplicity():
    """FR on g1 (η = ½: nilpotent, J ≠ 0) and GDA on g2 at ratio 1 (a double eigenvalue with one
    Jordan block): float eigenvalues come out ~1e-8 apart, the certificate proves one
    eigenvalue of multiplicity 2 and one block."""
    fr = certify.spectral_radius("fr", games.get("g1"), [0, 0], lr=F(1, 2))
    (e,) = fr.eigenvalues
    assert (fr.verdict, e.exact_value, e.multiplicity, e.geometric) == ("stable", 0, 2, 1)
    gda = certify.spectral_radius("gda", games.get("g2"), [0, 0], lr=F(1, 10))
    (e,) = gda.eigenvalues
    assert (gda.verdict, e.exact_value, e.multiplicity, e.geometric) == ("stable", flint.fmpq(4, 5), 2, 1)
    assert "defective" in str(gda)


def test_lead_theorem_3_counterexample_is_certified():
    """docs/THEOREMS.md, LEAD Thm 3: at A = I, h = β = 0, η = α = 2 LEAD diverges with
    ρ = √(1 + (4 + √15)²)/2 — proven: the enclosure contains the closed form and lies above 1."""
    game = games.get("lead-quadratic", h=0.0, A=np.eye(2))
    cert = certify.spectral_radius("lead", game, np.zeros(4), lr=2, alpha=2, beta=0)
    assert cert.verdict == "unstable"
    closed = flint.arb(15).sqrt()
    closed = ((4 + closed) ** 2 + 1).sqrt() / 2
    assert cert.rho_ball.overlaps(closed) and cert.rho[0] > 3.9


def test_hessianfr_optimum_is_certified_at_rational_kappa():
    """docs/THEOREMS.md, HessianFR eqs. 3.7–3.12 corrected: min over ηx of ρ is (1 − κ)/(1 + κ)
    at ηx = 2/(λmin + λmax). Here S = diag(1, 3) (κ = 1/3) and −Hyy = I: at ηx = ηy = ½ the
    spectral radius is exactly ½, a rational eigenvalue of the exact characteristic polynomial."""
    x1, x2, y1, y2 = sp.symbols("x1 x2 y1 y2")
    f = x2 ** 2 + x1 * y1 + x2 * y2 - (y1 ** 2 + y2 ** 2) / 2   # Hxx = diag(0, 2), Hxy = I, Hyy = −I
    game = from_expr(f, [x1, x2], [y1, y2])
    kappa = F(1, 3)
    for name in ("fr", "hessianfr"):
        cert = certify.spectral_radius(name, game, [0, 0, 0, 0], lr_x=F(1, 2), lr_y=F(1, 2))
        top = max(cert.eigenvalues, key=lambda e: abs(e.value))
        assert top.exact_value is not None and abs(top.exact_value) == flint.fmpq(1, 2)
        assert cert.rho == (float((1 - kappa) / (1 + kappa)),) * 2


def test_ball_route_for_irrational_hessians():
    """A formula game whose Hessian at the point is transcendental: Arb encloses the entries
    (never evaluated in floats), and the verdict agrees with the dense float ρ far from 1."""
    x, y = sp.symbols("x y")
    game = from_expr(sp.cos(x) * y + x ** 2 - sp.exp(y), [x], [y])  # critical at 0
    for lr, verdict in ((F(1, 10), "stable"), (F(3, 1), "unstable")):
        cert = certify.spectral_radius("eg", game, [0, 0], lr=lr)
        rho = spectral_radius("eg", game, [0.0, 0.0], lr=float(lr))
        assert cert.verdict == verdict and cert.method in ("gershgorin", "ball")
        assert cert.rho[0] - 1e-12 <= rho <= cert.rho[1] + 1e-12  # float ρ: accurate to ~1e-15 here
    # irrational critical points (x² + x/2 − 2 = 0) from the exact solver: √-valued Hessian entries
    game = from_expr(x ** 3 / 3 - 2 * x + x * y - y ** 2, [x], [y])
    points = critical_points(game)
    assert len(points) == 2 and all(p.exact is not None for p in points)
    for p in points:
        cert = certify.classify(game, p)
        assert cert.method == "ball" and cert.verdict == classify(game, p).verdict


def test_roots_on_the_circle_are_counted_exactly():
    """locate on polynomials built from known roots: z⁴ + 1 (all on), a Salem polynomial
    (two off, the rest on), (z − 1)²(2z − 1)."""
    P = flint.fmpz_poly
    roots, _ = locate(P([1, 0, 0, 0, 1]))
    assert [r.position for r in roots] == ["on"] * 4
    lehmer = P([1, 1, 0, -1, -1, -1, -1, -1, 0, 1, 1])  # Lehmer's polynomial: Salem number 1.17628…
    roots, _ = locate(lehmer)
    assert sorted(r.position for r in roots).count("on") == 8
    assert {r.position for r in roots} == {"on", "inside", "outside"}
    roots, _ = locate(P([-1, 1]) ** 2 * P([-1, 2]))
    assert sorted((r.position, r.multiplicity) for r in roots) == [("inside", 1), ("on", 2)]
    roots, _ = locate(P([1, 0, 1]) * P([3, 1]), curve="axis")   # ±i on the axis, −3 left
    assert sorted(r.position for r in roots) == ["left", "on", "on"]


def test_certified_classification_agrees_and_proves_degeneracy():
    for kind, seed in (("minimax", 0), ("nash", 1), ("maximin", 2)):
        from stability.testing.games import structured_game
        game, point = structured_game(kind, 3, 2, seed=seed)
        cert = certify.classify(game, point)
        assert cert.method == "exact"
        assert cert.verdict == classify(game, point).verdict
        assert cert.inertia == classify(game, point).inertia
    # f = x⁴ − y²: Hxx = 0 at the origin, a proven degeneracy (not a tolerance)
    x, y = sp.symbols("x y")
    cert = certify.classify(from_expr(x ** 4 - y ** 2, [x], [y]), [0, 0])
    assert cert.inertia["Hxx"] == (0, 0, 1) and cert.inconclusive is True
    assert cert.verdict.startswith("inconclusive")
    assert "undefined" in str(cert)


def test_float_inputs_are_the_binary_numbers_they_are():
    """η = 0.1 is 3602879701896397/2⁵⁵: GDA on g1 at that η has λ = 1 + 2η exactly in binary."""
    cert = certify.spectral_radius("gda", games.get("g1"), [0, 0], lr=0.1)
    eta = flint.fmpq(*(0.1).as_integer_ratio())
    assert cert.eigenvalues[0].exact_value == 1 + 2 * eta
    assert "3602879701896397/36028797018963968" in str(cert)


@pytest.mark.parametrize("call, error", [
    (lambda: certify.spectral_radius("gda", games.get("g1"), [0, 0], lr=sp.Symbol("eta")), InputError),
    (lambda: certify.spectral_radius("gda", general_sum("x**2 + x*y", "-x*y + y**2", "x", "y"), [0, 0]),
     NotSupportedError),
    (lambda: certify.spectral_radius("gda", quadratic(np.eye(500), np.zeros((500, 1)), -np.eye(1)),
                                     np.zeros(501)), NotSupportedError),
    (lambda: certify.spectral_radius("gda", games.get("g1"), ["a", 0]), InputError),
    (lambda: certify.spectral_radius("gda", games.get("g1"), [1, 0]), StabilityError),
    (lambda: certify.spectral_radius("gda", games.get("g1"), [0, 0], lrr=0.1), InputError),
    (lambda: certify.classify(games.get("g1"), [0, 0], lr_ratio=-1), InputError),
    (lambda: certify.spectrum_certificate([[1, 2, 3]]), StabilityError),
])
def test_hostile_inputs_get_typed_errors(call, error):
    with pytest.raises(error):
        call()


def test_without_python_flint_the_error_names_the_extra(monkeypatch):
    import builtins
    real = builtins.__import__

    def no_flint(name, *args, **kwargs):
        if name == "flint":
            raise ImportError("no flint")
        return real(name, *args, **kwargs)
    monkeypatch.setattr(builtins, "__import__", no_flint)
    with pytest.raises(NotSupportedError, match=r"stability\[certify\]"):
        certify.spectral_radius("gda", games.get("g1"), [0, 0])


def test_certificate_prints_and_serialises_its_proof():
    cert = certify.spectral_radius("lead", games.get("lead-quadratic", h=0.0, A=np.eye(2)), np.zeros(4),
                                   lr=2, alpha=2, beta=0)
    text = str(cert)
    assert "certified unstable" in text and "charpoly" in text and "multiplicity" in text
    d = cert.to_dict()
    assert d["verdict"] == "unstable" and d["method"] == "exact" and len(d["eigenvalues"]) == 4
    assert Mat.of([[F(1, 3)]]).exact


# --- exact stable sets ----------------------------------------------------------------------------
from stability.certify import stable_set  # noqa: E402
from conftest import random_minimax  # noqa: E402


@pytest.mark.parametrize("name", sorted(ALGORITHMS))
@pytest.mark.parametrize("shape", [(1, 1), (2, 1)])
def test_exact_stable_sets_agree_with_the_numeric_brackets(name, shape):
    """Two independent routes: Liénard–Chipart on the exact characteristic polynomial over ℚ(η)
    against ρ from float eigenvalues, bracketed on a grid and refined by Brent (xtol 1e-12).
    On these strict local minimax games ρ crosses 1 transversally with simple eigenvalues, so
    the numeric boundaries are good to ~1e-12; 1e-9 leaves a margin for the conditioning."""
    game = random_minimax(*shape, seed=stable_seed("stable-set", name, shape))
    hp = {k: v for k, v in algorithms.describe(name).example_hyperparameters.items() if k != "lr"}
    point = np.zeros(sum(shape))
    exact = stable_set(name, game, point, **hp)
    B = 4.0
    numeric = stable_step_sizes(name, game, point, bounds=(0, B), num=4000, **hp)
    assert not numeric.marginal
    clipped = [(a, min(b, B)) for a, b in exact.floats if a < B]
    assert len(clipped) == len(numeric.intervals), (exact, numeric)
    for (a, b), (c, d) in zip(clipped, numeric.intervals):
        assert a == pytest.approx(c, abs=1e-9) and b == pytest.approx(d, abs=1e-9)


def test_exact_stable_set_endpoints_are_where_the_certified_radius_crosses_one():
    """Each finite endpoint e of LEAD's set on a 2 + 1 game: the certified ρ (a different route:
    Gershgorin discs or the univariate exact test) is < 1 just inside and > 1 just outside."""
    game = random_minimax(2, 1, seed=3)
    cert = stable_set("lead", game, np.zeros(3), alpha=F(1, 10), beta=F(1, 4))
    ends = [(e, side) for a, b in cert.intervals for e, side in ((a, 1), (b, -1)) if hasattr(e, "interval")]
    assert ends
    for e, inside in ends:
        lo, hi = e.interval
        width = max(hi - lo, sp.Rational(1, 10 ** 12))
        for offset, verdict in ((inside, "stable"), (-inside, "unstable")):
            value = (lo if offset < 0 else hi) + offset * 1000 * width
            value = F(int(value.p), int(value.q))
            r = certify.spectral_radius("lead", game, np.zeros(3), lr=value, alpha=F(1, 10), beta=F(1, 4))
            assert r.verdict == verdict


def test_numerics_of_gans_lemma_4_bound_is_the_exact_set():
    """GDA at ratio c is stable iff ηx < min 2 Re λ/|λ|² over the eigenvalues λ of diag(I, cI)V
    (all with Re λ > 0). Here V = [[1, 2], [−2, 1]]: λ = 1 ± 2i, the bound 2/5; at c = 2,
    diag(1, 2)V has λ = (3 ± √23 i)/2 and the bound 3/10 — both rational, both exact."""
    x, y = sp.symbols("x y")
    game = from_expr(x ** 2 / 2 + 2 * x * y - y ** 2 / 2, [x], [y])
    assert stable_set("gda", game, [0, 0]).as_set() == sp.Interval.open(0, sp.Rational(2, 5))
    assert stable_set("gda", game, [0, 0], lr_x=1, lr_y=2).as_set() == sp.Interval.open(0, sp.Rational(3, 10))
    assert gda_step_size_bound(game, [0, 0], ratio=2.0) == pytest.approx(0.3, rel=1e-12)


def test_known_exact_sets_and_their_proof():
    g1 = games.get("g1")
    assert stable_set("gda", g1, [0, 0]).empty                                  # 1 + 2η
    fr = stable_set("fr", g1, [0, 0])
    assert fr.as_set() == sp.Interval.open(0, 1) and fr.contains(F(1, 2)) and not fr.contains(1)
    text = str(fr)
    assert "Liénard–Chipart" in text and "(0, 1)" in text
    alt = stable_set("altgda", games.get("g3"), [0, 0])
    (a, b), = alt.intervals
    assert a.value == sp.Rational(2, 5) and sp.simplify(b.value - (sp.Rational(1, 7) + 3 * sp.sqrt(2) / 14)) == 0


def test_symbolic_stable_set_reads_floats_as_decimals_and_certify_as_binary():
    """The two conventions, each documented: symbolic_stable_set (sympy-facing) reads β = 0.1 as
    1/10; certify.stable_set reads it as the binary 0.1000000000000000055…"""
    eta = sp.Symbol("eta", positive=True)
    g2 = games.get("g2")
    sym = symbolic_stable_set(algorithms.get("hb", lr=eta, beta=0.1), g2, [0, 0], eta)
    exact = stable_set("hb", g2, [0, 0], beta=0.1)
    dec = stable_set("hb", g2, [0, 0], beta=F(1, 10))
    assert sym == dec.as_set()
    assert np.allclose(exact.floats, dec.floats, atol=1e-15, rtol=0)


def test_an_isolated_point_where_rho_touches_one_is_excluded():
    """CO on g3 over γ (η = 0.05 as its binary value): ρ < 1 on both sides of γ = 1/4 and
    ρ = 1 exactly at it, proven by the certified ρ. The exact set is two intervals meeting
    there; the float bracket stops ~2e-4 short on each side."""
    cert = stable_set("co", games.get("g3"), [0, 0], param="gamma")
    (a, b), (c, d) = cert.intervals
    assert b.value == c.value == sp.Rational(1, 4)
    assert certify.spectral_radius("co", games.get("g3"), [0, 0], gamma=F(1, 4)).verdict == "marginal"
    # floating point leaves a gap around 1/4 where |ρ − 1| is below √ε and nothing is decided
    from stability import StabilityWarning
    with pytest.warns(StabilityWarning, match="cannot decide"):
        numeric = stable_step_sizes("co", games.get("g3"), [0, 0], param="gamma", bounds=(0, 1))
    assert numeric.marginal and numeric.intervals[0][1] < 0.25 - 1e-5 and numeric.intervals[1][0] > 0.25 + 1e-5


@pytest.mark.parametrize("call, error", [
    (lambda: stable_set("gda", games.get("g1"), [0, 0], param="gamma"), InputError),
    (lambda: stable_set("gdak", games.get("g1"), [0, 0], param="k"), InputError),
    (lambda: stable_set("fr", games.get("g1"), [0, 0], param="P_x"), InputError),
    (lambda: stable_set("gda", games.get("g1"), [0, 0], time_limit=-1), InputError),
    (lambda: stable_set("lead", random_minimax(4, 3, seed=0), np.zeros(7)), NotSupportedError),
    (lambda: stable_set("gda", from_expr(sp.pi * sp.Symbol("x") ** 2 - sp.Symbol("y") ** 2, ["x"], ["y"]),
                        [0, 0]), NotSupportedError),                                  # Hessian 2π: irrational
])
def test_exact_stable_set_hostile_inputs(call, error):
    with pytest.raises(error):
        call()


def test_cli_analyze_certify(capsys):
    """`stability analyze --certify`: a certified classification and a certified ρ for every
    defined row, hyperparameters as the decimals they print as (CO on g1 at γ = 0.1: exactly
    0.92, where the binary γ would split its Jordan block by ~1e-9)."""
    import json
    from stability.cli import main
    assert main(["analyze", "-3*x**2 - y**2 + 4*x*y", "--certify", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    (point,) = out["points"]
    cert = point["certified"]
    assert cert["classification"]["verdict"] == "strict local minimax"
    assert set(cert["spectral_radius"]) == {k for k, v in point["algorithms"].items() if v["error"] is None}
    co = cert["spectral_radius"]["co"]
    assert co["verdict"] == "stable" and co["rho"][0] <= 0.92 <= co["rho"][1] and co["rho"][1] - co["rho"][0] < 1e-15
    for name, c in cert["spectral_radius"].items():
        float_verdict = point["algorithms"][name]["stable"]
        assert float_verdict is None or float_verdict == (c["verdict"] == "stable"), name
    assert main(["analyze", "-3*x**2 - y**2 + 4*x*y", "--certify"]) == 0
    assert "certified" in capsys.readouterr().out


def test_the_readme_certify_section_runs_and_its_comments_hold(capsys):
    import re
    from pathlib import Path
    text = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    code = re.search(r"## Certified verdicts\n.*?```python\n(.*?)```", text, re.S).group(1)
    namespace = {}
    exec(compile(code, "README.md", "exec"), namespace)
    assert "11/10" in capsys.readouterr().out
    c = namespace["certify"]
    assert c.spectral_radius("altgda", games.get("bilinear", p=1, q=1), [0, 0], lr=F(1, 2)).verdict == "marginal"
    assert c.stable_set("fr", games.get("g1"), [0, 0]).as_set() == sp.Interval.open(0, 1)


def test_beyond_the_exact_degree_balls_decide_what_they_can_and_say_undecided(monkeypatch):
    """Above config.defaults['certify.max_exact_degree'] the polynomial route is closed: an
    eigenvalue proven outside still proves instability (Gershgorin), and ρ = 1 exactly is
    reported undecided once the ball escalation's time budget is spent — never a guess."""
    from stability import config
    monkeypatch.setitem(config.defaults, "certify.max_exact_degree", 4)
    monkeypatch.setitem(config.defaults, "certify.ball_seconds", 0.5)
    rng = np.random.default_rng(0)
    B = rng.standard_normal((7, 7)) / np.sqrt(7) * 0.3        # ρ(B) < 1, generically simple
    J = np.zeros((8, 8))
    J[1:, 1:] = B
    for corner, verdict in ((1.0, "undecided"), (1.5, "unstable"), (0.5, "stable")):
        J[0, 0] = corner
        cert = certify.spectrum_certificate(J)
        assert cert.verdict == verdict and cert.method != "exact"
        assert cert.rho[0] <= max(corner, np.abs(np.linalg.eigvals(B)).max()) <= cert.rho[1]
    monkeypatch.setitem(config.defaults, "certify.max_exact_degree", 200)
    J[0, 0] = 1.0
    assert certify.spectrum_certificate(J).verdict == "marginal"


@pytest.mark.parametrize("seed", range(6))
def test_certified_inertias_of_the_schur_complements_by_haynsworth(seed):
    """In(S) = In(H) − In(Hyy) and In(T) = In(H) − In(Hxx) (Haynsworth): the certificate never
    forms S or T. Oracle: numpy's eigvalsh of S and T built in the test, on random games with
    mixed inertias (|eigenvalues| ≥ 1e-3 of the scale here, far above rounding)."""
    game = random_quadratic(4, 3, seed=seed)
    Hxx, Hxy, Hyy = game.blocks_at(np.zeros(7))
    S = Hxx - Hxy @ np.linalg.solve(Hyy, Hxy.T)
    T = Hyy - Hxy.T @ np.linalg.solve(Hxx, Hxy)
    sign = lambda M: (int((np.linalg.eigvalsh(M) > 0).sum()), int((np.linalg.eigvalsh(M) < 0).sum()), 0)
    assert min(np.abs(np.linalg.eigvalsh(S)).min(), np.abs(np.linalg.eigvalsh(T)).min()) > 1e-3
    cert = certify.classify(game, np.zeros(7))
    assert cert.inertia["S"] == sign(S) and cert.inertia["T"] == sign(T)
    assert cert.verdict == classify(game, np.zeros(7)).verdict
    assert "Haynsworth" in cert.evidence["S"]


def test_rational_blocks_are_certified_for_their_exact_values():
    """Game.quadratic with Fraction blocks keeps them exact: GDA at η = 6 on Hxx = 1/3,
    Hyy = −1/3 has eigenvalues 1 − 6/3 = −1 exactly (ρ = 1); the float 1/3 moves them off the
    circle, and the float game's certificate says so."""
    exact = Game.quadratic([[F(1, 3)]], [[F(0)]], [[F(-1, 3)]])
    cert = certify.spectral_radius("gda", exact, [0, 0], lr=6)
    assert cert.verdict == "marginal" and "rational blocks" in cert.inputs[0]
    floats = Game.quadratic(np.array([[1 / 3]]), np.zeros((1, 1)), np.array([[-1 / 3]]))
    assert floats.exact_blocks is None
    assert certify.spectral_radius("gda", floats, [0, 0], lr=6).verdict in ("stable", "unstable")
    assert certify.stable_set("gda", exact, [0, 0]).as_set() == sp.Interval.open(0, 6)


def test_a_differenced_hessian_is_not_certified():
    game = Game.from_callables(lambda x, y: (2 * x + y, x - 2 * y), 1, 1)
    for call in (lambda: certify.spectral_radius("gda", game, [0, 0]), lambda: certify.classify(game, [0, 0])):
        with pytest.raises(NotSupportedError, match="hessian="):
            call()
    exact = Game.from_callables(lambda x, y: (2 * x + y, x - 2 * y), 1, 1,
                                hessian=lambda x, y: np.array([[2.0, 1.0], [1.0, -2.0]]))
    assert certify.classify(exact, [0, 0]).verdict == "strict local Nash"


def test_sample_points_lie_between_roots_closer_than_the_working_precision():
    """Two root balls 2⁻³⁰⁰ apart, read at 53 bits: the rational between them comes from their
    exact bounds (midpoint ± radius), not from endpoints rounded to the working precision —
    the rounding put the sample outside (OGDA on a 3 + 3 game raised ZeroDivisionError)."""
    from stability.certify.stable_sets import _between, _hi, _lo
    old = flint.ctx.prec
    try:
        flint.ctx.prec = 400
        a = flint.arb(flint.fmpq(1, 3))
        b = flint.arb(flint.fmpq(1, 3) + flint.fmpq(1, 2 ** 300))
        flint.ctx.prec = 53
        assert _hi(a) < _lo(b)
        q = _between(a, b)
        assert _hi(a) < q < _lo(b)
    finally:
        flint.ctx.prec = old


def test_beyond_arbs_size_limit_the_norm_bound_or_undecided(monkeypatch):
    """Above certify.max_ball_size (and the exact degree) Arb's enclosure is not run (it costs
    minutes at 400 rows). A nilpotent matrix, whose float eigenvectors are exactly parallel, is
    decided by ‖J‖∞ < 1; an eigenvalue on the circle is reported undecided — at once."""
    from stability import config
    for key in ("certify.max_ball_size", "certify.max_exact_degree"):
        monkeypatch.setitem(config.defaults, key, 2)
    from stability.certify.spectra import norm_bound_spectrum
    nilpotent = np.diag(np.full(5, 0.5), 1)                               # ‖J‖∞ = 0.5, ρ = 0
    assert certify.spectrum_certificate(nilpotent).verdict == "stable"
    (cluster,) = norm_bound_spectrum(Mat.of(nilpotent))                  # where X⁻¹ fails
    # the disc |z| ≤ 0.5 is held in a box, so the modulus bound is 0.5·√2 (plus Arb's rounding)
    assert (cluster.position, cluster.multiplicity) == ("inside", 6) and abs(cluster.ball).upper() < 0.72
    monkeypatch.setattr("stability.certify.gershgorin_spectrum", lambda J: None)
    cert = certify.spectrum_certificate(nilpotent)
    assert cert.verdict == "stable" and cert.rho[1] < 0.72 and cert.method == "norm" and "‖J‖∞" in str(cert)
    monkeypatch.undo()
    for key in ("certify.max_ball_size", "certify.max_exact_degree"):
        monkeypatch.setitem(config.defaults, key, 2)
    on = np.diag([1.0, 0.5, 0.5, 0.5, 0.5, 0.5])
    cert = certify.spectrum_certificate(on)
    assert cert.verdict == "undecided" and cert.rho[0] <= 1.0 <= cert.rho[1]
    monkeypatch.setitem(config.defaults, "certify.max_exact_degree", 200)
    assert certify.spectrum_certificate(on).verdict == "marginal"
