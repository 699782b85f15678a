"""Issue 10's families: no wrong verdict, nothing silently ignored, every hostile input answered.

Each test pins a defect that was found with inputs nobody in the project wrote; it fails if
the defect comes back."""

import warnings

import numpy as np
import pytest
import sympy as sp

from stability import Game, StabilityWarning, classify, critical_points, games
from stability.equilibria import exact_inertia
from stability.errors import NotCriticalError


def quiet_critical_points(game, **options):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cps = critical_points(game, **options)
    return cps, [str(w.message) for w in caught if issubclass(w.category, StabilityWarning)]


# --- degenerate points are inconclusive, always -----------------------------------------------
@pytest.mark.parametrize("point", [[-1.5e-35, -2.2e-34], [0.0, 0.0], [1e-12, -1e-12]])
def test_quartic_origin_is_inconclusive_not_nash(point):
    """x⁴ − y⁴: H vanishes at the origin. A tolerance relative to ‖H(z)‖ alone called a point
    found at 1e-34 a strict local Nash; the verdict is decided exactly at the exact origin."""
    c = classify(Game.from_expr("x**4 - y**4", "x", "y"), point)
    assert c.verdict == "inconclusive at second order"
    assert not c.strict_local_nash and c.inertia["Hxx"] == (0, 0, 1)
    assert any("exact arithmetic" in note for note in c.notes)


def test_quartic_search_finds_the_exact_degenerate_origin():
    cps, warned = quiet_critical_points(Game.from_expr("x**4 - y**4", "x", "y"))
    assert len(cps) == 1 and cps[0].exact == (0, 0) and cps.complete and not warned
    assert classify(Game.from_expr("x**4 - y**4", "x", "y"), cps[0]).inconclusive


@pytest.mark.parametrize("point", [[1e-3, 1e-3], [0.05, 0.0], [0.0, -0.2]])
def test_flat_noncritical_point_is_refused(point):
    """At (1e-3, 1e-3) the gradient of x⁴ − y⁴ is 5.7e-9, under an absolute 1e-8; the Newton
    step to the critical point (z/3) shows it is not critical."""
    with pytest.raises(NotCriticalError, match="Newton step"):
        classify(Game.from_expr("x**4 - y**4", "x", "y"), point)


@pytest.mark.parametrize("scale", [1e-12, 1.0, 1e12])
def test_criticality_is_scale_invariant(scale):
    """Multiplying f by a constant changes neither which points are critical nor verdicts."""
    g = Game.from_expr(f"{scale!r}*(x**2 - y**2 + x*y)", "x", "y")
    assert classify(g, [0, 0]).verdict == "strict local Nash"
    with pytest.raises(NotCriticalError):
        classify(g, [1e-3, 0.0])
    q = Game.quadratic([[2 * scale]], [[scale]], [[-2 * scale]])
    assert classify(q, [0, 0]).strict_local_nash
    with pytest.raises(NotCriticalError):
        classify(q, [1e-3, 0.0])


def test_degenerate_direction_of_a_nonzero_hessian():
    """x⁴ − y²: Hxx = 0 exactly while Hyy = −2; found numerically or given as floats."""
    g = Game.from_expr("x**4 - y**2", "x", "y")
    for point in ([0.0, 0.0], [3e-9, 0.0]):
        c = classify(g, point)
        assert c.inconclusive and c.inertia["Hxx"] == (0, 0, 1) and c.inertia["Hyy"] == (0, 1, 0)


@pytest.mark.parametrize("seed", range(6))
def test_exact_inertia_matches_eigenvalues(seed):
    """Descartes' rule on the characteristic polynomial against float eigenvalues, on rational
    symmetric matrices of rank 0..4 (eigenvalues well separated from 0 or exactly 0)."""
    rng = np.random.default_rng(seed)
    k, rank = 4, seed % 5
    B = rng.integers(-3, 4, (k, rank))
    D = np.diag(rng.choice([-1, 1], rank)) if rank else np.zeros((0, 0), int)
    M = sp.Matrix(B @ D @ B.T) if rank else sp.zeros(k, k)
    ev = np.linalg.eigvalsh(np.array(M, dtype=float))
    tol = 1e-9 * max(1.0, np.abs(ev).max())
    expected = (int(np.sum(ev > tol)), int(np.sum(ev < -tol)), int(np.sum(np.abs(ev) <= tol)))
    assert exact_inertia(M) == expected


# --- spurious and missing critical points -------------------------------------------------------
@pytest.mark.parametrize("formula", ["(x+y)**99 - y**2", "x**100 - y**2", "x**60 + x*y**2 - y**4"])
def test_underflow_does_not_make_spurious_critical_points(formula):
    """(x+y)⁹⁹ − y²: x⁹⁸ underflows, so the float gradient vanishes on a whole segment of y = 0;
    148 points used to be reported. Every reported point is verified in 40-digit arithmetic,
    and Newton with the multiplicity estimate (Schröder) reaches the degenerate origin."""
    g = Game.from_expr(formula, "x", "y")
    cps, warned = quiet_critical_points(g)
    isolated = [cp for cp in cps if cp.isolated]
    assert [cp.exact for cp in isolated] == [(0, 0)]
    assert classify(g, isolated[0]).inconclusive


def test_rejected_candidates_make_the_search_incomplete():
    """A candidate the root finder converged to that fails verification is counted and said."""
    import stability.equilibria as eq
    g = Game.from_expr("(x+y)**99 - y**2", "x", "y")
    original = eq._newton_refine
    try:
        eq._newton_refine = lambda game, z, iterations=60: z  # no refinement: candidates stay off
        cps, warned = quiet_critical_points(g)
    finally:
        eq._newton_refine = original
    assert all(np.allclose(cp.point, 0, atol=1e-6) for cp in cps)
    assert not cps.complete and cps.coverage["rejected"] > 0
    assert any("may be incomplete" in w for w in warned)


def test_unused_variable_gives_one_non_isolated_set():
    """x1² − y1² with x2 declared: a line of critical points, reported once with its free
    direction (it used to flood the output with 256 points)."""
    g = Game.from_expr("x1**2 - y1**2", "x1,x2", "y1")
    cps, warned = quiet_critical_points(g)
    assert len(cps) == 1 and cps[0].dimension == 1 and not cps[0].isolated
    np.testing.assert_allclose(np.abs(cps[0].free_directions), [[0, 1, 0]], atol=1e-9)
    np.testing.assert_allclose(cps[0].point, 0, atol=1e-12)
    assert any("not isolated" in w for w in warned)
    assert classify(g, cps[0]).inconclusive


def test_curved_critical_set_is_not_enumerated():
    """(x² + y² − 1)²: a circle of critical points plus the origin."""
    cps, warned = quiet_critical_points(Game.from_expr("(x**2 + y**2 - 1)**2", "x", "y"))
    curve = [cp for cp in cps if not cp.isolated]
    assert 1 <= len(curve) <= 8 and all(abs(np.linalg.norm(cp.point) - 1) < 1e-9 for cp in curve)
    assert [cp.exact for cp in cps if cp.isolated] == [(0, 0)]
    assert not cps.complete and any("not isolated" in w for w in warned)


def test_numeric_search_reports_coverage_and_adds_starts():
    """sin x sin y has 85 critical points in [−10, 10]² (x, y ∈ πℤ or both ∈ π/2 + πℤ); 256
    starts found 76 with no warning. The search adds starts while some point was hit once."""
    cps, warned = quiet_critical_points(Game.from_expr("sin(x)*sin(y)", "x", "y"))
    assert len(cps) == 85 and cps.complete and not warned
    assert cps.coverage["starts"] > 256 and cps.coverage["found_once"] == 0
    cps, warned = quiet_critical_points(Game.from_expr("sin(x)*sin(y)", "x", "y"), max_starts=64,
                                        starts=64)
    assert len(cps) < 85 and not cps.complete and any("may be incomplete" in w for w in warned)


def test_every_numeric_point_is_verified():
    g = games.get("g3")
    cps, warned = quiet_critical_points(g)
    assert len(cps) == 3 and cps.complete and not warned
    for cp in cps:
        classify(g, cp)  # raises if not critical on the game's scale


# --- analysis at a non-critical point ------------------------------------------------------------
def _analyses():
    from stability import (gda_step_size_bound, matrixfree, optimize, rate, spectral_radius, spectrum,
                           stable_step_sizes, sweep, table)
    from stability import algorithms
    return {
        "spectral_radius": lambda g, z, **k: spectral_radius("gda", g, z, **k),
        "spectrum": lambda g, z, **k: spectrum("eg", g, z, **k),
        "rate": lambda g, z, **k: rate("fr", g, z, **k),
        "table": lambda g, z, **k: table(g, z, **k),
        "sweep": lambda g, z, **k: sweep("gda", g, z, "lr", [0.1, 0.2], **k),
        "stable_step_sizes": lambda g, z, **k: stable_step_sizes("gda", g, z, num=10, **k),
        "optimize": lambda g, z, **k: optimize("gda", g, z, {"lr": (0.1, 0.5)}, num=3, **k),
        "jacobian": lambda g, z, **k: algorithms.get("altgda").jacobian(g, z, **k),
        "gda_step_size_bound": lambda g, z, **k: gda_step_size_bound(g, z, **k),
        "matrixfree": lambda g, z, **k: matrixfree.spectral_radius("gda", g, z, **k),
    }


@pytest.mark.parametrize("name", sorted(_analyses()))
def test_every_analysis_refuses_a_non_fixed_point(name):
    """spectral_radius used to return 0.854 at (1, 1) of x² − y² + 3xy, where classify refused."""
    g = Game.from_expr("x**2 - y**2 + 3*x*y", "x", "y")
    run_it = _analyses()[name]
    with pytest.raises(NotCriticalError, match="residual"):
        run_it(g, [1.0, 1.0])
    run_it(g, [1.0, 1.0], allow_noncritical=True)
    run_it(g, [0.0, 0.0])


# --- complex and asymmetric inputs ---------------------------------------------------------------
def test_complex_inputs_are_refused():
    import scipy.sparse as sps
    from stability.errors import InputError
    with pytest.raises(InputError, match="imaginary"):
        Game.quadratic([[1.0 + 1e-3j]], [[1.0]], [[-1.0]])
    with pytest.raises(InputError, match="imaginary"):
        Game.quadratic(sps.csr_matrix(np.array([[1.0 + 2j]])), [[1.0]], [[-1.0]])
    with pytest.raises(InputError, match="imaginary"):
        classify(games.get("g1"), [0.0 + 1j, 0.0])
    g = Game.from_callables(lambda x, y: (x + 1j, -y), 1, 1)
    with pytest.raises(InputError, match="imaginary"):
        g.gradient_at([0.0, 0.0])
    # complex dtype with zero imaginary parts is real data: accepted
    assert classify(Game.quadratic(np.array([[2.0 + 0j]]), [[1.0]], [[-2.0]]), [0, 0]).strict_local_nash


def test_asymmetric_hessian_callable_is_refused():
    """Hyx ≠ Hxyᵀ: half of it used to be ignored silently."""
    from stability.errors import InputError
    g = Game.from_callables(lambda x, y: (2 * x + y, x - 2 * y), 1, 1,
                            hessian=lambda x, y: np.array([[2.0, 1.0], [3.0, -2.0]]))
    with pytest.raises(InputError, match="symmetric"):
        classify(g, [0.0, 0.0])


def test_callables_get_copies_of_the_callers_arrays():
    def grad(x, y):
        x[...] = 99.0  # a hostile callable mutates what it receives
        return 2 * x, -2 * y
    point = np.zeros(2)
    g = Game.from_callables(grad, 1, 1)
    g.gradient_at(point)
    assert np.all(point == 0)


# --- nothing silently ignored ----------------------------------------------------------------------
def test_keywords_take_effect_or_raise():
    from stability import algorithms, spectral_radius, table
    from stability.errors import UnknownNameError
    g = games.get("g2")
    with pytest.raises(UnknownNameError, match="did you mean 'lr'"):
        table(g, [0, 0], lrr=0.5)
    alg = algorithms.get("gda")
    assert spectral_radius(alg, g, [0, 0], lr=0.5) == pytest.approx(abs(1 - 2 * 0.5), abs=1e-7)
    assert spectral_radius(alg, g, [0, 0], lr=0.5) != spectral_radius(alg, g, [0, 0])
    assert list(table(g, [0, 0], names="gda")) == ["gda"]
    with pytest.raises(UnknownNameError):
        table(g, [0, 0], names=["gda", "gdaa"])
    cm = algorithms.get("complex-momentum", lr=0.3)
    assert cm.alpha == 0.3
    assert table(g, [0, 0], names=["complex-momentum"], lr=0.3)["complex-momentum"] == pytest.approx(
        spectral_radius(cm, g, [0, 0]))
    with pytest.raises(UnknownNameError, match="did you mean"):
        algorithms.get("hb", betta=0.5)


def test_parameter_values_are_used():
    from stability.errors import UnknownNameError
    g = Game.from_expr("a*x**2 - y**2 + 4*x*y", "x", "y", params={"a": -3})
    assert "a" not in str(g.expr) and classify(g, [0, 0]).verdict == "strict local minimax"
    h = Game.from_expr("a*x**2 - b*y**2", "x", "y", params="a,b")
    assert classify(h.subs(a=1, b=2), [0, 0]).strict_local_nash
    assert h.subs({"a": 1}).params[0].name == "b"
    with pytest.raises(UnknownNameError):
        h.subs(c=1)


def test_cli_bad_options_exit_2_with_one_line(capsys):
    import json
    from stability.cli import main
    for bad in (["--lr", "-1"], ["--lr", "0"], ["--lr", "nan"], ["--bogus"]):
        assert main(["analyze", "x**2 - y**2"] + bad) == 2
        err = capsys.readouterr().err
        assert err.startswith("stability: error:") and err.count("\n") == 1
        assert main(["analyze", "x**2 - y**2", "--json"] + bad) == 2
        assert "error" in json.loads(capsys.readouterr().out)


def test_cli_unwritable_output_is_one_line(capsys, tmp_path):
    from stability.cli import main
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    assert main(["figures", "--quick", "--out", str(blocker / "sub")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("stability: error: cannot write") and "Traceback" not in err


def test_cli_output_states_hyperparameters_and_point(capsys):
    import json
    from stability.cli import main
    assert main(["analyze", "-3*x**2 - y**2 + 4*x*y", "--lr", "0.1", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    [point] = out["points"]
    assert point["classification"]["point"] == [0.0, 0.0] and out["lr"] == 0.1
    rows = point["algorithms"]
    assert rows["gda"]["hyperparameters"] == {"lr_x": 0.1, "lr_y": 0.1}
    assert rows["complex-momentum"]["hyperparameters"]["alpha"] == [0.1, 0.0]
    assert rows["hb"]["hyperparameters"]["beta"] == 0.5
    assert main(["analyze", "-3*x**2 - y**2 + 4*x*y", "--lr", "0.1"]) == 0
    text = capsys.readouterr().out
    assert "lr_x=0.1 lr_y=0.1" in text and "alpha=0.1+0j" in text
