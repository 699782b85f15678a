"""Results as data objects (``to_dict`` and ``.plot``), the settings in ``config``, and the
protocol pieces the house rests on: the lr rule, ``jvp``, equality of algorithms."""

import inspect
import json

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import stability  # noqa: E402
from stability import (Game, algorithms, config, games, matrixfree, optimize, run, stable_step_sizes,  # noqa: E402
                       sweep, table)
from stability.errors import InputError, UnknownNameError  # noqa: E402
from conftest import ALGORITHMS  # noqa: E402


def _plain(data):
    """JSON with NaN/inf refused: plain data means no silent NaN."""
    return json.loads(json.dumps(data, allow_nan=False))


# --- config ------------------------------------------------------------------------------------
def test_temporary_settings_are_checked_and_always_restored():
    before = dict(config.defaults)
    with config.temporary({"equilibria.rtol": 1e-6, "linalg.max_dense": 100}):
        assert config.defaults["equilibria.rtol"] == 1e-6
    assert dict(config.defaults) == before
    with pytest.raises(RuntimeError):
        with config.temporary({"equilibria.rtol": 1e-3}):
            raise RuntimeError
    assert dict(config.defaults) == before
    with pytest.raises(InputError, match="equilibria.rtol"):
        with config.temporary({"equilibria.rtol": -1}):
            pass
    assert dict(config.defaults) == before


def test_old_short_names_point_to_their_keys_and_defaults_show_in_signatures():
    with pytest.raises(UnknownNameError, match="'linalg.max_dense'"):
        config.defaults["max_dense"]
    with pytest.raises(UnknownNameError, match="'spectral.rho_margin'"):
        config.defaults["rho_margin"] = 0.1
    assert "rtol=config.defaults['equilibria.rtol']" in str(inspect.signature(stability.classify))
    assert all(isinstance(v[1], str) and v[1] for v in config.defaults.describe().values())


def test_a_changed_default_is_what_the_next_call_uses():
    g = games.get("g1")
    strict = stability.classify(g, [0, 0]).tol
    with config.temporary({"equilibria.rtol": 1e-3}):
        assert stability.classify(g, [0, 0]).tol == pytest.approx(strict * 1e6)


# --- the table ------------------------------------------------------------------------------------
def test_table_is_rows_with_radius_or_error_never_mixed():
    t = table(games.get("bilinear", p=2, q=2), np.zeros(4), names=["gda", "fr", "eg"], lr=0.1)
    assert list(t) == ["gda", "fr", "eg"] and len(t) == 3
    assert t["fr"].radius is None and "SingularBlockError" in t["fr"].error and t["fr"].stable is None
    assert set(t.radius) == {"gda", "eg"} and set(t.errors) == {"fr"}
    assert all(isinstance(v, float) for v in t.radius.values())
    assert t["eg"].algorithm == algorithms.get("eg", lr=0.1)
    data = _plain(t.to_dict())
    assert data["rows"]["fr"]["rho"] is None and data["rows"]["gda"]["hyperparameters"]["lr_x"] == 0.1
    bars = t.plot()
    assert len(bars) == 3
    assert "undefined" in str(t)


# --- results: to_dict and plot -----------------------------------------------------------------
def test_results_export_plain_data_and_draw_on_the_given_axes():
    import matplotlib.pyplot as plt
    g = games.get("g1")
    s = sweep("iu", g, [0, 0], "lr", [0.25, 0.5, 0.75])
    d = _plain(s.to_dict())
    assert d["radius"][1] is None and d["undefined"] == [0.5] and d["eigenvalues"][1] is None
    with pytest.warns(stability.StabilityWarning, match="within"):  # ρ = 1 exactly at η = 1
        st = stable_step_sizes("fr", g, [0, 0], num=200)
    d = _plain(st.to_dict())
    assert d["intervals"] == [[pytest.approx(a), pytest.approx(b)] for a, b in st.intervals]
    _, ax = plt.subplots()
    line = st.plot(ax=ax)
    assert line.axes is ax and len(ax.patches) == len(st.intervals) + len(st.marginal)
    o = optimize("gda", games.get("g2"), [0, 0], {"lr": (0.1, 0.9)}, num=9)
    d = _plain(o.to_dict())
    assert d["name"] == "gda" and len(d["grid"]["axes"][0]) == 9 and d["radius"] == o.radius
    assert o.plot().get_xdata().shape == (9,)
    o2 = optimize("hb", games.get("g2"), [0, 0], {"lr": (0.1, 0.9), "beta": (0.0, 0.5)}, num=5, refine=False)
    assert o2.plot().get_array().size == 25
    traj = run("fr", g, [[1.0, 2.0], [0.5, 0.5]], steps=50, target=[0, 0])
    d = _plain(traj.to_dict())
    assert len(d["stop"]) == 2 and len(d["iterates"]) == 51
    assert len(traj.plot()) == 2
    cps = g.critical_points()
    assert _plain(cps.to_dict())["points"][0]["exact"] == ["0", "0"]
    e = matrixfree.spectral_radius("gda", g, [0, 0])
    assert _plain(e.to_dict())["method"] == "dense"
    plt.close("all")


# --- the lr rule, jvp, equality -----------------------------------------------------------------
def test_one_lr_rule_replace_sets_both_and_a_sweep_keeps_the_ratio():
    tts = algorithms.get("gda", lr_x=0.1, lr_y=0.3)
    assert tts.replace(lr=0.2).hp == {"lr_x": 0.2, "lr_y": 0.2}
    assert tts.with_hyperparameter("lr", 0.2).hp == pytest.approx({"lr_x": 0.2, "lr_y": 0.6})
    assert algorithms.get("complex-momentum").with_hyperparameter("lr", 0.2).alpha == 0.2
    with pytest.raises(UnknownNameError):
        tts.with_hyperparameter("lrr", 0.2)


def test_jacobian_vector_products_come_from_the_algorithm():
    """GDA, EG, OGDA, altGDA, GDA-k, CO, SGA and LEAD have exact product forms; any other map (a
    user's too) is differenced along v. Both agree with the dense Jacobian (quadratic game: the map is affine, so central
    differences are exact up to rounding, ~1e-10 relative at step 1e-5)."""

    class Damped(algorithms.Algorithm):  # a user's map with no closed form and no jvp
        name = ""
        params = {"lr": algorithms.Param(0.1)}

        def update(self, game, parts):
            x, y = parts
            gx, gy = game.grad(x, y)
            return [x - self.lr * gx, y + 0.5 * self.lr * gy]

    game = Game.quadratic(np.diag([2.0, 1.0]), np.array([[1.0], [0.5]]), np.array([[-1.0]]))
    rng = np.random.default_rng(0)
    exact = [algorithms.get(name, lr=0.1, **ALGORITHMS[name]) for name in
             ("gda", "eg", "ogda", "altgda", "gdak", "co", "sga", "lead")]
    for alg in exact + [algorithms.get("hb", lr=0.1, beta=0.3), Damped()]:
        op = matrixfree.jacobian_operator(alg, game, np.zeros(3))
        with pytest.warns(stability.StabilityWarning) if alg.name == "" else _nothing():
            J = alg.jacobian(game, np.zeros(3))
        v = rng.standard_normal(J.shape[0])
        np.testing.assert_allclose(op @ v, J @ v, rtol=1e-8, atol=1e-10)


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_preconditioned_fr_takes_the_general_matrix_free_path_and_agrees():
    from stability.bench import spiked_game
    game = spiked_game(40, sparse=False)
    P = np.diag(np.linspace(1.0, 2.0, 40))
    alg = algorithms.get("fr", lr=0.1, P_x=P)
    assert alg.symmetric_parts(None) is None
    mf = matrixfree.spectral_radius(alg, game, np.zeros(80))
    assert mf.value == pytest.approx(stability.spectral_radius(alg, game, np.zeros(80)), rel=1e-8)


def test_algorithms_are_values():
    assert algorithms.get("fr", lr=0.1) == algorithms.get("fr", lr_x=0.1, lr_y=0.1)
    assert algorithms.get("fr", lr=0.1) != algorithms.get("fr", lr=0.2)
    P = np.eye(2)
    assert algorithms.get("fr", P_x=P) == algorithms.get("fr", P_x=P.copy())
    assert algorithms.get("gda") != algorithms.get("eg")


# --- the engine's memory: record= ----------------------------------------------------------------
def test_record_keeps_what_is_asked_and_the_same_final_states():
    """``record="final"`` keeps one row (each point's last state), ``record=k`` every k-th step
    and the last; the states are the same as with the full path, bit for bit (the same
    arithmetic), stop reasons included."""
    g = games.get("g3")
    z0 = np.random.default_rng(1).uniform(-4, 4, (50, 2))
    full = run("fr", g, z0, steps=300, tol=1e-8, target=[0, 0], lr=0.05)
    final = run("fr", g, z0, steps=300, tol=1e-8, target=[0, 0], lr=0.05, record="final")
    every = run("fr", g, z0, steps=300, tol=1e-8, target=[0, 0], lr=0.05, record=40)
    assert final.iterates.shape == (1, 50, 2) and final.recorded_steps is None
    assert list(every.recorded_steps) == [0, 40, 80, 120, 160, 200, 240, 280, 300]
    last = full.iterates[full.stop_step, np.arange(50)]
    np.testing.assert_array_equal(final.final, last)
    np.testing.assert_array_equal(final.iterates[0], last)
    np.testing.assert_array_equal(every.final, last)
    np.testing.assert_array_equal(every.iterates, full.iterates[every.recorded_steps])
    assert list(final.stop) == list(full.stop) == list(every.stop)
    assert list(final.stop_step) == list(full.stop_step)
    assert every.empirical_rate(0) == pytest.approx(full.empirical_rate(0), rel=0.05)
    with pytest.raises(InputError, match="path"):
        final.empirical_rate(0)
    with pytest.raises(InputError, match="no path"):
        final.plot()
    for bad in (0, -3, 2.5, "some", True):
        with pytest.raises(InputError, match="record"):
            run("fr", g, z0, steps=3, record=bad)


def test_record_final_needs_no_memory_for_the_path():
    """A run the full path would not fit (10⁹ steps of 10⁴ points) is accepted with
    record='final' (its size check counts one row) and stops on its time limit."""
    g = games.get("g1")
    z0 = np.ones((10 ** 4, 2))
    with pytest.raises(InputError, match="GiB"):
        run("gda", g, z0, steps=10 ** 9)
    t = run("fr", g, z0, steps=10 ** 9, tol=0.0, max_time=0.2, record="final")
    assert set(t.stop) == {"time_limit"} and t.iterates.shape == (1, 10 ** 4, 2)


@pytest.mark.parametrize("name", ["gda", "eg", "ogda", "altgda", "gdak", "co", "sga", "lead"])
def test_exact_jacobian_vector_products_are_exact_beyond_quadratic_games(name):
    """On g3 (third derivatives nonzero) a central difference of the map has an O(h²) error;
    the product forms are exact: they agree with the closed form to rounding (1e-13·‖J‖)."""
    game = games.get("g3")
    alg = algorithms.get(name, lr=0.1, **ALGORITHMS[name])
    assert type(alg).jvp is not algorithms.Algorithm.jvp
    J = alg.jacobian(game, [0.0, 0.0])
    op = matrixfree.jacobian_operator(alg, game, [0.0, 0.0])
    V = np.random.default_rng(2).standard_normal((J.shape[0], 3))
    np.testing.assert_allclose(np.column_stack([op @ v for v in V.T]), J @ V, rtol=0,
                               atol=1e-13 * np.abs(J).max() * np.abs(V).max() * J.shape[0])


def test_formula_games_evaluate_repeated_points_once_and_never_return_stale_values():
    g = games.get("g3")
    x, y = np.array([[0.5], [1.0]]), np.array([[0.2], [-0.3]])
    gx, gy = g.grad(x, y)
    assert np.shares_memory(g.grad(x, y)[0], gx)  # the same points: the memo answers
    with pytest.raises(ValueError):
        gx[0, 0] = 1.0  # read-only: no caller can change what a later call returns
    x[0, 0] = 0.7  # the same array object, changed in place: evaluated again
    fresh = g.grad(x, y)[0]
    assert not np.shares_memory(fresh, gx) and fresh[0, 0] != gx[0, 0]
    np.testing.assert_array_equal(fresh, games.get("g3").grad(x, y)[0])


# --- outputs people publish: every printed number with the hyperparameters behind it ---------

def test_table_exports_state_hyperparameters_and_point():
    import json
    from stability import games, table
    t = table(games.get("g1"), [0, 0], ["gda", "fr", "hb", "complex-momentum"], lr=0.05)
    md = t.to_markdown()
    assert md.startswith("Spectral radius ρ of each algorithm's Jacobian at the point (0, 0).")
    assert "| fr | ηx = 0.05, ηy = 0.05 | 0.9 | 0.1 | stable |" in md
    assert "| hb | ηx = 0.05, ηy = 0.05, β = 0.5 |" in md
    assert "β = 0.739104 + 0.306147i" in md  # complex hyperparameters as a + bi
    tex = t.to_latex(label="tab:g1")
    for piece in (r"\toprule", r"\midrule", r"\bottomrule", r"\label{tab:g1}", r"$\eta_x = 0.05$", "complex-momentum"):
        assert piece in tex
    assert "at the point (0, 0)" in tex
    assert json.loads(t.to_json()) == json.loads(json.dumps(t.to_dict()))
    html = t._repr_html_()
    assert html.startswith("<table>") and html.count("<tr>") == 5 and "β = 0.5" in html
    assert "ηx = 0.05" in str(t) and "(0, 0)" in str(t)


def test_table_latex_escapes_what_latex_would_choke_on():
    from stability.formatting import latex
    tex = latex(("a_b", "x"), [("50% & more", "$\\alpha_1$")])
    assert r"a\_b" in tex and r"50\% \& more" in tex and "$\\alpha_1$" in tex


def test_table_to_pandas_when_pandas_is_there_and_a_typed_error_when_not(monkeypatch):
    import sys
    from stability import games, table
    from stability.errors import NotSupportedError
    t = table(games.get("g2"), [0, 0], ["gda", "fr"])
    try:
        import pandas  # noqa: F401 - optional
    except ImportError:
        pass
    else:
        frame = t.to_pandas()
        assert list(frame.index) == ["gda", "fr"] and frame.loc["fr", "hp.lr_x"] == 0.05
        assert frame.attrs["point"] == [0.0, 0.0] and frame.loc["gda", "rho"] == t["gda"].radius
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(NotSupportedError, match="pip install pandas"):
        t.to_pandas()


def test_results_display_themselves_in_jupyter():
    import numpy as np
    from stability import classify, games, optimize, stable_step_sizes, sweep
    c = classify(games.get("g1"), [0, 0])
    html = c._repr_html_()
    assert "<b>strict local minimax</b>" in html and "S = Hxx − Hxy Hyy⁻¹ Hyx" in html and "1 negative" in html
    s = sweep("fr", games.get("g1"), [0, 0], "lr", np.linspace(0.01, 1.0, 50))
    assert "smallest ρ" in s._repr_html_() and "49 of 50" in s._repr_html_()
    o = optimize("gda", games.get("g2"), [0, 0], {"lr": (0.01, 0.9)}, num=10)
    assert "ηx = " in o._repr_html_() and "tuned over" in o._repr_html_() and "ρ = " in str(o)
    ss = stable_step_sizes("gda", games.get("g2"), [0, 0], bounds=(0.0, 1.0), num=200)
    assert ss._repr_latex_().startswith("$\\eta \\in (0, ") and " ∈ (0, " in str(ss)
    empty = stable_step_sizes("gda", games.get("g1"), [0, 0], bounds=(0.0, 1.0), num=50)
    assert empty._repr_latex_() == "$\\eta \\in \\emptyset$"
