"""The GPU path end to end — classification, matrix-free ρ and classification, the engine —
kept honest without a GPU: the same code runs on ``array_api_strict`` (the array API standard
itself, which refuses anything outside it) and on CuPy where it imports with a device, and must
agree with the numpy path. (The structured spectra, sweeps and tables in a namespace are
tested in tests/test_backend.py.)"""

import numpy as np
import pytest
import scipy.sparse.linalg as spla

from stability import algorithms, classify, matrixfree
from stability.algorithms import Algorithm
from stability.bench import spiked_game
from stability.config import defaults
from stability.engine import run
from stability.errors import DenseTooLargeError, InputError, NotSupportedError
from stability.games import Game, catalogue
from stability.linalg.krylov import NamespaceOperator, eigen_in_namespace
from stability.testing import structured_game
from conftest import array_namespaces, random_minimax

DEVICE = [p for p in array_namespaces() if p.values[0] is not None]
EXACT_JVP = [name for name in algorithms.names()
             if type(algorithms.get(name)).jvp is not Algorithm.jvp
             or type(algorithms.get(name)).symmetric_parts is not Algorithm.symmetric_parts]


def _algorithm(name, **hp):
    return algorithms.get(name, **{**algorithms.describe(name).example_hyperparameters, **hp})


# --- the engine -----------------------------------------------------------------------------

@pytest.mark.parametrize("xp", DEVICE)
@pytest.mark.parametrize("record", ["all", 7, "final"])
def test_the_engine_in_a_namespace_equals_the_numpy_engine(xp, record):
    """Every algorithm the namespace can express, on a 4 + 4 strict local minimax from 7
    starts: the same stop reasons and steps, the same unrecorded (NaN) entries, and iterates
    equal to 1e-12 relative. The two runs do the same arithmetic but sum the products in a
    different order (``v @ Mᵀ`` against ``einsum``), so they differ by rounding, which 60
    steps of maps with ρ ≈ 1 amplify at most linearly: ~1e-14 here."""
    game = random_minimax(4, 4, seed=3)
    z0 = np.random.default_rng(0).uniform(-2, 2, (7, 8))
    ran = 0
    for name in algorithms.names():
        alg = _algorithm(name)
        if name == "iu":  # its Newton loop is not an array expression: refused (tested below)
            continue
        a = run(alg, game, z0, steps=60, tol=1e-8, record=record)
        b = run(alg, game, z0, steps=60, tol=1e-8, record=record, xp=xp)
        assert list(b.stop) == list(a.stop) and np.array_equal(b.stop_step, a.stop_step), name
        assert np.array_equal(np.isnan(b.iterates), np.isnan(a.iterates)), name
        scale = np.maximum(1.0, np.abs(np.nan_to_num(a.iterates)))
        assert np.nanmax(np.abs(b.iterates - a.iterates) / scale) <= 1e-12, name
        np.testing.assert_allclose(b.final, a.final, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(b.grad_norm, a.grad_norm, rtol=1e-10, atol=1e-12)
        ran += 1
    assert ran == len(algorithms.names()) - 1


@pytest.mark.parametrize("xp", DEVICE)
def test_stop_reasons_in_a_namespace(xp):
    """One batch in which points converge, diverge and run out of steps, with a target: the
    stop steps and reasons of the numpy engine."""
    bilinear = Game.quadratic(np.zeros((2, 2)), np.eye(2), np.zeros((2, 2)))
    z0 = np.array([[1e-9, 0, 0, 0], [1.0, 2.0, -1.0, 0.5], [300.0, 0, 0, 1.0]])
    for alg, kw in ((algorithms.get("gda", lr=0.5), dict(divergence=1e3)),
                    (algorithms.get("eg", lr=0.3), dict(target=np.zeros(4), tol=1e-6))):
        a = run(alg, bilinear, z0, steps=200, **kw)
        b = run(alg, bilinear, z0, steps=200, xp=xp, **kw)
        assert list(b.stop) == list(a.stop) and np.array_equal(b.stop_step, a.stop_step)
        np.testing.assert_allclose(b.final, a.final, rtol=1e-12)
        np.testing.assert_allclose(b.distance, a.distance, rtol=1e-12)
    assert {"converged", "diverged"} <= set(run(algorithms.get("gda", lr=0.5), bilinear, z0, steps=200,
                                                 divergence=1e3, tol=1e-8, xp=xp).stop)


def test_what_the_namespace_engine_cannot_run_is_refused_typed():
    import array_api_strict as xps
    game = random_minimax(2, 2, seed=1)
    with pytest.raises(NotSupportedError, match="quadratic games"):  # no lambdify printer for the standard
        run("gda", catalogue.get("g1"), [[1.0, 1.0]], steps=3, xp=xps)
    with pytest.raises(NotSupportedError, match="iu's update map cannot run in array_api_strict"):
        run("iu", game, np.ones(4), steps=3, xp=xps)
    with pytest.raises(InputError, match="give one"):
        run("gda", game, np.ones(4), steps=3, xp=xps, backend="jax")
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(1) as ex, pytest.raises(InputError, match="executor"):
        run("gda", game, np.ones(4), steps=3, xp=xps, executor=ex)
    with pytest.raises(InputError, match="array namespace"):
        run("gda", game, np.ones(4), steps=3, xp="cupy")


# --- dense classification -----------------------------------------------------------------

@pytest.mark.parametrize("xp", DEVICE)
def test_classification_in_a_namespace_equals_numpy(xp):
    """The eigendecompositions run in the namespace, the sign decisions on the host: the same
    verdicts, inertias and notes, eigenvalues to 1e-12 relative to ‖H‖ (same LAPACK-class
    algorithms, another summation order)."""
    cases = [(random_minimax(3, 4, seed=s), np.zeros(7)) for s in range(3)]
    cases += [structured_game("nash", 3, 3, seed=2),
              (Game.quadratic(np.zeros((2, 2)), np.eye(2), np.zeros((2, 2))), np.zeros(4)),  # singular Hyy
              (catalogue.get("g1"), np.zeros(2))]
    for game, point in cases:
        a, b = classify(game, point), classify(game, point, xp=xp)
        assert b.verdict == a.verdict and b.inertia == a.inertia and b.notes == a.notes
        assert b.gda_stable == a.gda_stable
        scale = max(1.0, float(np.max(np.abs(a.eig_game))))
        for name in ("eig_xx", "eig_yy", "eig_S", "eig_T", "eig_game"):
            x, y = getattr(a, name), getattr(b, name)
            assert (x is None) == (y is None), name
            if x is not None:
                assert np.max(np.abs(np.asarray(x) - np.asarray(y)), initial=0.0) <= 1e-12 * scale, name


def test_classification_namespace_refusals():
    import array_api_strict as xps
    with pytest.raises(InputError, match="array namespace"):
        classify(random_minimax(2, 2, seed=0), np.zeros(4), xp="numpy")
    general = Game.general_sum("x**2 + x*y", "-y**2 + x*y", ["x"], ["y"])
    with pytest.raises(NotSupportedError, match="numpy only"):
        classify(general, [0, 0], xp=xps)


# --- matrix-free ----------------------------------------------------------------------------

@pytest.mark.parametrize("xp", DEVICE)
@pytest.mark.parametrize("spikes", [True, False], ids=["outliers", "flat"])
def test_matrix_free_in_a_namespace_matches_dense(xp, spikes):
    """ρ of every algorithm with a Hessian-product Jacobian, and the classification, on a
    sparse 150 + 150 game (Krylov–Schur in the namespace, no shift-and-invert) against dense
    eigensolves of the closed forms: each eigenvalue residual-checked at 1e-8 backward error;
    these Jacobians are near normal (their eigenvector matrices' condition numbers are
    O(10) here), so 1e-9 relative leaves an order to spare above the 1e-10 Ritz tolerance."""
    n = 150
    sparse, dense = spiked_game(n, spikes=spikes), spiked_game(n, sparse=False, spikes=spikes)
    point = np.zeros(2 * n)
    for name in EXACT_JVP:
        alg = _algorithm(name, lr=0.1)
        e = matrixfree.spectral_radius(alg, sparse, point, xp=xp)
        assert e.converged and "krylov-schur" in e.method, (name, e)
        expected = np.abs(np.linalg.eigvals(alg.jacobian(dense, point))).max()
        assert e.value == pytest.approx(expected, rel=1e-9), name
    host, there = matrixfree.classify(sparse, point), matrixfree.classify(sparse, point, xp=xp)
    assert there.converged and there.strict_local_minimax is True and there.strict_local_nash is True
    for key, e in host.extremes.items():
        assert there.extremes[key].value == pytest.approx(e.value, rel=1e-9), key


def test_matrix_free_namespace_refusals(monkeypatch):
    import array_api_strict as xps
    n = 150
    game, point = spiked_game(n), np.zeros(2 * n)
    with pytest.raises(NotSupportedError, match="no Hessian-product form"):
        matrixfree.spectral_radius(_algorithm("pm", lr=0.1), game, point, xp=xps)
    operators = Game.quadratic(*(spla.aslinearoperator(M.toarray()) for M in (game.Hxx, game.Hxy, game.Hyy)))
    with pytest.raises(NotSupportedError, match="quadratic game with dense or scipy.sparse blocks"):
        matrixfree.spectral_radius("gda", operators, point, xp=xps)
    monkeypatch.setitem(defaults, "linalg.max_dense", 100)
    with pytest.raises(DenseTooLargeError, match="no sparse arrays"):
        matrixfree.classify(game, point, xp=xps)


# --- the Krylov–Schur solver ----------------------------------------------------------------

@pytest.mark.parametrize("xp", DEVICE)
def test_krylov_schur_against_dense_eigensolves(xp):
    """Largest modulus of a non-normal 300 × 300 matrix and both ends of a symmetric one,
    against LAPACK; an operator with three distinct eigenvalues (the Krylov space becomes
    invariant after three steps: exact, not iterated); a deadline in the past."""
    from stability.backend import standard_namespace
    ns = standard_namespace(xp)
    rng = np.random.default_rng(3)
    n = 300
    A = rng.standard_normal((n, n)) / np.sqrt(n) + np.diag(np.linspace(0, 1, n))
    S = (A + A.T) / 2
    M, Ms = ns.asarray(A), ns.asarray(S)
    e = eigen_in_namespace(NamespaceOperator(lambda v: M @ v, n, ns))
    assert e.converged and e.method == "krylov-schur" and e.residual <= 1e-8
    assert abs(e.value) == pytest.approx(np.abs(np.linalg.eigvals(A)).max(), rel=1e-10)
    ends = np.linalg.eigvalsh(S)
    for which, expected in (("SA", ends[0]), ("LA", ends[-1])):
        e = eigen_in_namespace(NamespaceOperator(lambda v: Ms @ v, n, ns), which, k=1, ncv=40)
        assert e.converged and isinstance(e.value, float) and e.value == pytest.approx(expected, rel=1e-10)
    D = ns.asarray(np.repeat([3.0, -1.0, 0.5], n // 3))
    e = eigen_in_namespace(NamespaceOperator(lambda v: D * v, n, ns))
    assert e.converged and e.value == pytest.approx(3.0, rel=1e-13) and e.matvecs <= 6
    late = NamespaceOperator(lambda v: M @ v, n, ns, max_time=0.0)
    e = eigen_in_namespace(late)
    assert not e.converged and e.method.startswith("time limit")
