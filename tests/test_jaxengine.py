"""The engine's JAX backend against the numpy engine (the reference): same iterates to rounding,
same stop reasons and stop steps, for every package algorithm it runs; typed refusals for the
rest. Skipped where JAX is not installed (it is installed by the test command)."""

import numpy as np
import pytest

from stability import Game, algorithms, config, games, run
from stability.errors import InputError, NotSupportedError
from stability.testing import polynomial_game, structured_game
from conftest import CLASSES

jax = pytest.importorskip("jax")

# implicit extragradient solves its step by a Newton loop that stops on the data: not an array
# expression, so the JAX engine refuses it (tested below)
NOT_TRACEABLE = {"iu"}
RUNNABLE = sorted(name for name, cls in CLASSES.items()
                  if cls.stationary and not cls.general_sum and name not in NOT_TRACEABLE)


def _algorithm(name, lr=0.02):
    cls = CLASSES[name]
    return cls.build(**cls.example_hyperparameters).with_hyperparameter("lr", lr)


def _same(a, b, rtol):
    """Equal trajectories: stop reasons and steps exactly, iterates to ``rtol`` relative to
    max(1, |z|). Rounding differs (XLA's dot against numpy's einsum) by ~1e-16 per step; on
    these contracting runs (ρ < 1 at this step size) it does not grow, so 1e-10 is ~10⁵ ε."""
    np.testing.assert_array_equal(a.stop, b.stop)
    np.testing.assert_array_equal(a.stop_step, b.stop_step)
    np.testing.assert_array_equal(np.isnan(a.iterates), np.isnan(b.iterates))
    scale = np.maximum(1.0, np.abs(np.nan_to_num(a.iterates)))
    assert np.nanmax(np.abs(a.iterates - b.iterates) / scale) <= rtol
    np.testing.assert_allclose(b.final, a.final, rtol=rtol, atol=rtol)


@pytest.mark.parametrize("name", RUNNABLE)
def test_jax_engine_equals_the_numpy_engine_on_a_quadratic_game(name):
    game, point = structured_game("nash", 3, 2, seed=4, condition=5.0)
    z0 = np.random.default_rng(0).standard_normal((40, 5))
    alg = _algorithm(name)
    reference = run(alg, game, z0, steps=150, tol=0.0)
    _same(reference, run(alg, game, z0, steps=150, tol=0.0, backend="jax"), 1e-10)


@pytest.mark.parametrize("name", ["gda", "eg", "fr", "hessianfr", "lead", "cgd", "co"])
def test_jax_engine_equals_the_numpy_engine_on_a_formula_game(name):
    """A cubic formula game near its strict local Nash point: the sympy gradient and Hessian
    compiled for JAX (lambdify) against the numpy ones."""
    game, point = polynomial_game("nash", 2, 1, seed=3, cubic=0.05)
    z0 = point + 0.05 * np.random.default_rng(1).standard_normal((30, 3))
    alg = _algorithm(name)
    # 40 steps: far from the exact fixed point, where whether the gradient rounds to exactly
    # 0 (tol = 0 stops there) would depend on the last bit
    reference = run(alg, game, z0, steps=40, tol=0.0)
    assert set(reference.stop) == {"max_steps"}
    _same(reference, run(alg, game, z0, steps=40, tol=0.0, backend="jax"), 1e-10)


@pytest.mark.parametrize("record", ["final", 7])
def test_jax_engine_records_like_the_numpy_engine(record):
    game = games.get("g1")
    z0 = np.random.default_rng(2).uniform(-3, 3, (25, 2))
    alg = algorithms.get("fr", lr=0.05)
    reference = run(alg, game, z0, steps=300, tol=1e-9, record=record)
    result = run(alg, game, z0, steps=300, tol=1e-9, record=record, backend="jax")
    np.testing.assert_array_equal(result.recorded_steps, reference.recorded_steps)
    _same(reference, result, 1e-9)


def test_divergence_and_convergence_stop_like_the_numpy_engine():
    """GDA diverges on g1 (ρ > 1 for every η) and converges on a Nash game; both points of a
    batch stop when they should, with the same reason and step (margins far from the
    thresholds: ‖z‖ grows by 1 + 2η per step, tol 1e-6 is crossed between steps)."""
    g1 = games.get("g1")
    reference = run("gda", g1, [[1.0, 0.5], [0.1, 0.0]], steps=2000, lr=0.1, divergence=1e3)
    result = run("gda", g1, [[1.0, 0.5], [0.1, 0.0]], steps=2000, lr=0.1, divergence=1e3, backend="jax")
    assert list(result.stop) == ["diverged", "diverged"]
    _same(reference, result, 1e-12)
    nash = Game.quadratic([[1.0]], [[0.5]], [[-1.0]])
    result = run("gda", nash, [[1.0, 1.0]], steps=2000, lr=0.1, tol=1e-6, backend="jax")
    reference = run("gda", nash, [[1.0, 1.0]], steps=2000, lr=0.1, tol=1e-6)
    assert result.stop[0] == "converged"
    _same(reference, result, 1e-12)


def test_time_limit_stops_the_jax_run():
    result = run("fr", games.get("g1"), np.ones((10, 2)), steps=10 ** 7, tol=0.0, lr=0.01,
                 record="final", max_time=0.0, backend="jax")
    assert set(result.stop) == {"time_limit"}


def test_default_backend_is_a_setting():
    game = games.get("g1")
    with config.temporary({"engine.backend": "jax"}):
        a = run("fr", game, [1.0, 1.0], steps=10, lr=0.05)
    b = run("fr", game, [1.0, 1.0], steps=10, lr=0.05, backend="numpy")
    np.testing.assert_allclose(a.iterates, b.iterates, rtol=1e-12)
    with pytest.raises(InputError, match="backend"):
        run("fr", game, [1.0, 1.0], steps=10, backend="torch")
    with pytest.raises(InputError):
        config.defaults["engine.backend"] = "torch"


def test_what_the_jax_engine_cannot_run_is_refused_typed():
    g1 = games.get("g1")
    with pytest.raises(NotSupportedError, match="iu's update map"):
        run("iu", g1, [1.0, 1.0], steps=5, backend="jax")
    callable_game = Game.from_callables(lambda x, y: (y, x), 1, 1)     # f = xy by its gradient
    with pytest.raises(NotSupportedError, match="quadratic and formula games"):
        run("gda", callable_game, [1.0, 1.0], steps=5, backend="jax")
    general = Game.general_sum("x**2 + x*y", "y**2 - x*y", "x", "y")
    with pytest.raises(NotSupportedError, match="zero-sum"):
        run("stackelberg-fr", general, [1.0, 1.0], steps=5, lr=0.1, backend="jax")


def test_without_jax_the_error_says_what_to_install(monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "jax", None)
    with pytest.raises(NotSupportedError, match=r"stability\[jax\]"):
        run("gda", games.get("g1"), [1.0, 1.0], steps=5, backend="jax")


def test_compiled_runs_are_reused_only_for_the_same_map():
    """The compiled-run cache tells apart algorithms that differ only in an array
    hyperparameter (an algorithm's repr omits arrays): FR with preconditioner P1, then P2,
    each equals the numpy engine."""
    game, _ = structured_game("minimax", 3, 2, seed=1)
    z0 = np.ones((4, 5))
    for P in (np.eye(3), 2 * np.eye(3)):
        alg = algorithms.get("fr", lr=0.02, P_x=P)
        _same(run(alg, game, z0, steps=20, tol=0.0), run(alg, game, z0, steps=20, tol=0.0, backend="jax"), 1e-12)
