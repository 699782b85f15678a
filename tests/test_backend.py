"""The structured spectral core over array namespaces: numpy, array_api_strict, and CuPy
where it imports with a device (none of our machines has a GPU: there it is skipped)."""

import numpy as np
import pytest

from stability import algorithms, backend
from conftest import SHORTCUTS, array_namespaces as namespaces, multiset_close, random_minimax, two_time_scale


@pytest.mark.parametrize("xp", namespaces())
@pytest.mark.parametrize("name", SHORTCUTS)
def test_structured_spectrum_in_every_namespace(xp, name):
    game = random_minimax(3, 4, seed=5)
    alg = algorithms.get(name, **two_time_scale(name))
    point = np.zeros(7)
    reference = alg.spectrum(game, point)
    ours = alg.spectrum(game, point, xp=xp)
    if xp is not None:
        assert backend.namespace(ours).__name__ == xp.__name__  # stays in the namespace
    multiset_close(backend.to_numpy(ours), reference, 1e-12)
    multiset_close(reference, np.linalg.eigvals(alg.jacobian(game, point)), 1e-9)


def test_preconditioned_fr_in_strict_namespace():
    import array_api_strict as xp
    game = random_minimax(2, 3, seed=1)
    P1, P2 = np.diag([1.0, 2.0]), np.diag([0.5, 1.0, 3.0])
    alg = algorithms.get("fr", lr=0.1, P_x=P1, P_y=P2)
    multiset_close(backend.to_numpy(alg.spectrum(game, np.zeros(5), xp=xp)),
                   np.linalg.eigvals(alg.jacobian(game, np.zeros(5))), 1e-10)


def test_dense_only_algorithms_refuse_other_namespaces():
    import array_api_strict as xp
    from stability.errors import NotSupportedError
    with pytest.raises(NotSupportedError, match="numpy only"):
        algorithms.get("cgd").spectrum(random_minimax(2, 2, seed=0), np.zeros(4), xp=xp)


def test_general_eigenvalues_host_fallback(monkeypatch):
    """When the namespace has no linalg.eigvals the host computes them (detected, not assumed)."""
    import array_api_strict as xp
    M = xp.asarray([[0.0, 1.0], [-1.0, 0.0]])
    monkeypatch.delattr(xp.linalg, "eigvals", raising=False)
    ev = backend.general_eigenvalues(M)
    np.testing.assert_allclose(np.sort_complex(backend.to_numpy(ev)), [-1j, 1j])


@pytest.mark.parametrize("xp", namespaces())
def test_radius_sweep_table_stable_set_and_tuning_run_in_the_namespace(xp):
    """ρ, sweeps, tables, stable sets and tuning grids take ``xp`` and agree with numpy (only ρ
    leaves the namespace: the values are computed there); rows without a structured spectrum
    say so instead of copying their dense fallback to the host."""
    from stability import optimize, spectral_radius, stable_step_sizes, sweep, table
    game, point = random_minimax(3, 4, seed=8), np.zeros(7)
    for name in SHORTCUTS:
        assert spectral_radius(name, game, point, xp=xp) == pytest.approx(spectral_radius(name, game, point),
                                                                          rel=1e-12)
    t, ref = table(game, point, xp=xp), table(game, point)
    for name, row in t.items():
        if xp is None or algorithms.describe(name).has_shortcut:
            assert row.radius == pytest.approx(ref[name].radius, rel=1e-12)
        else:
            assert row.error.startswith("NotSupportedError")
    etas = np.linspace(0.01, 0.5, 25)
    np.testing.assert_allclose(sweep("hb", game, point, "lr", etas, xp=xp).radius,
                               sweep("hb", game, point, "lr", etas).radius, rtol=1e-12)
    a, b = stable_step_sizes("fr", game, point, num=100, xp=xp), stable_step_sizes("fr", game, point, num=100)
    np.testing.assert_allclose(a.intervals, b.intervals, rtol=1e-10)
    bounds = {"lr": (0.01, 0.5), "beta": (0.0, 0.9)}
    assert optimize("hb", game, point, bounds, num=5, refine=False, xp=xp).radius == pytest.approx(
        optimize("hb", game, point, bounds, num=5, refine=False).radius, rel=1e-12)


def test_the_gpu_bench_row_runs_its_code_path_in_any_namespace():
    """``stability bench --gpu`` times the table, sweeps, classification, matrix-free ρ and the
    engine with ``xp`` against numpy; here on ``array_api_strict`` (no device), where it must
    agree (no timing asserted)."""
    import array_api_strict
    from stability.bench import bench_gpu, cupy_namespace
    row = bench_gpu(20, points=10, xp=array_api_strict, engine_points=50, engine_steps=20)
    assert row["device"] == "array_api_strict"
    assert set(row["parts"]) == {"table_and_sweeps", "classify", "matrix_free", "engine"}
    for label, part in row["parts"].items():  # matrix-free values are iterative: Ritz tolerance 1e-10
        assert part["max_rel_diff"] <= (1e-9 if label == "matrix_free" else 1e-12), label
    if cupy_namespace() is None:
        assert bench_gpu(20, points=10)["skipped"]


@pytest.mark.parametrize("xp", namespaces())
def test_cubic_roots_against_companion_eigenvalues(xp):
    """Cardano + Newton against an independent oracle, the eigenvalues of each cubic's
    companion matrix (numpy's ``roots``): random complex cubics have simple roots with
    condition numbers ~1–10², so 1e-12 relative is a few hundred ulps. Triple roots, where
    the oracle itself is only ε^(1/3)-accurate, are checked against their exact values."""
    ns = np if xp is None else xp
    roots = lambda c: backend.to_numpy(backend.cubic_roots(*(ns.asarray(row) for row in c))).reshape(3, -1)
    rng = np.random.default_rng(3)
    c = rng.standard_normal((3, 400)) + 1j * rng.standard_normal((3, 400))
    found = roots(c)
    for i in range(c.shape[1]):
        expected = np.roots([1, *c[:, i]])
        multiset_close(found[:, i], expected, 1e-12 * max(1.0, np.abs(expected).max()))
    triple = roots(np.array([[-3.0, 0.0, -6.0], [3.0, 0.0, 12.0], [-1.0, 0.0, -8.0]]))  # (t−1)³, t³, (t−2)³
    assert np.array_equal(triple, np.array([[1, 0, 2]] * 3, dtype=complex))
