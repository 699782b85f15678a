"""Large games: matrix-free results against dense ones, honest convergence reports, guard
rails, executors, interrupts, and the benchmark smoke test (no timing assertions)."""

import concurrent.futures as cf
import multiprocessing

import numpy as np
import pytest
import scipy.sparse as sps
import scipy.sparse.linalg as spla

from stability import Game, algorithms, classify, games, matrixfree, spectral_radius, sweep, table
from stability.config import defaults
from stability.errors import DenseTooLargeError
from stability.spectral import SpectrumCache, optimize, tables


def spiked(n, seed=0, sparse=True):
    from stability.bench import spiked_game
    return spiked_game(n, seed=seed, sparse=sparse)


@pytest.mark.parametrize("name", ["gda", "eg", "ogda", "fr", "hb", "lead", "hessianfr", "gdn"])
def test_matrix_free_radius_matches_dense(name):
    sparse, dense = spiked(150), spiked(150, sparse=False)
    alg = algorithms.get(name, lr=0.1, **algorithms.get(name).example_hyperparameters)
    point = np.zeros(300)
    mf = matrixfree.spectral_radius(alg, sparse, point)
    assert mf.converged and mf.residual <= defaults["linalg.eigen_residual"]
    if alg.real_spectrum:  # from the extreme eigenvalues of S (and Hyy), not Arnoldi on J
        assert mf.method.startswith("arpack (eigsh on S")
    # ARPACK to tol 1e-10 on a well-separated dominant eigenvalue: ~1e-12 relative here
    assert abs(mf.value) == pytest.approx(spectral_radius(alg, dense, point), rel=1e-9)


def test_matrix_free_classification_matches_dense():
    sparse, dense = spiked(150), spiked(150, sparse=False)
    mf = matrixfree.classify(sparse, np.zeros(300))
    c = classify(dense, np.zeros(300))
    assert mf.converged
    for name, value in (("Hxx", c.eig_xx.min()), ("Hyy", c.eig_yy.max()), ("S", c.eig_S.min()),
                        ("T", c.eig_T.max())):
        assert mf.extremes[name].value == pytest.approx(value, rel=1e-9)
    assert (mf.strict_local_nash, mf.strict_local_minimax, mf.strict_local_maximin) == (
        c.strict_local_nash, c.strict_local_minimax, c.strict_local_maximin)


def test_operator_blocks_and_hvp_callables():
    n = 40
    rng = np.random.default_rng(0)
    Hxx, Hyy = np.diag(rng.uniform(1, 2, n)), -np.diag(rng.uniform(1, 2, n))
    Hxy = 0.3 * rng.standard_normal((n, n))
    dense = Game.quadratic(Hxx, Hxy, Hyy)
    ops = Game.quadratic(*(spla.aslinearoperator(M) for M in (Hxx, Hxy, Hyy)))
    hvp = lambda x, y, u, w: (Hxx @ u + Hxy @ w, Hxy.T @ u + Hyy @ w)
    callables = Game.from_callables(lambda x, y: (Hxx @ x + Hxy @ y, Hxy.T @ x + Hyy @ y), n, n, hvp=hvp)
    alg = algorithms.get("eg", lr=0.2)
    expected = spectral_radius(alg, dense, np.zeros(2 * n))
    for game in (ops, callables):
        r = matrixfree.spectral_radius(alg, game, np.zeros(2 * n))
        assert r.converged and abs(r.value) == pytest.approx(expected, rel=1e-9)
        fr = matrixfree.spectral_radius(algorithms.get("fr", lr=0.1), game, np.zeros(2 * n))
        assert abs(fr.value) == pytest.approx(spectral_radius("fr", dense, np.zeros(2 * n), lr=0.1), rel=1e-8)
        c, d = matrixfree.classify(game, np.zeros(2 * n)), classify(dense, np.zeros(2 * n))
        assert c.strict_local_minimax == d.strict_local_minimax
        assert c.extremes["S"].value == pytest.approx(d.eig_S.min(), rel=1e-8)


def test_nonconvergence_is_reported_not_hidden():
    # a bilinear game with 800 eigenvalues of GDA's map on one circle, to 1e-7: hopeless for
    # one Arnoldi restart, so ARPACK gives up and the power estimate says it is one. The
    # blocks are operators, so no factorisation (shift-and-invert) is available.
    n = 400
    Z = sps.csr_matrix((n, n))
    coupling = sps.diags(1 + 1e-7 * np.arange(n))
    game = Game.quadratic(*(spla.aslinearoperator(M) for M in (Z, coupling, Z)))
    r = matrixfree.spectral_radius(algorithms.get("gda", lr=0.1), game, np.zeros(2 * n), maxiter=1)
    assert not r.converged and r.method.startswith("power")
    assert abs(r.value) == pytest.approx(np.hypot(1, 0.1), rel=1e-2)  # still a usable estimate
    # with the same blocks sparse, shift-and-invert separates the crowded circle: the exact
    # ρ = |1 − 0.1i·s_max| = √(1 + 0.01 s_max²) to ARPACK's 1e-10 (each eigenvalue is simple)
    sparse = Game.quadratic(Z, coupling, Z)
    r = matrixfree.spectral_radius(algorithms.get("gda", lr=0.1), sparse, np.zeros(2 * n), maxiter=1)
    assert r.converged and r.method.startswith("arpack shift-invert")
    assert abs(r.value) == pytest.approx(np.sqrt(1 + 0.01 * (1 + 1e-7 * (n - 1)) ** 2), rel=1e-10)


def test_dense_request_too_large(monkeypatch):
    monkeypatch.setitem(defaults, "linalg.max_dense", 100)
    game = spiked(80, sparse=False)
    with pytest.raises(DenseTooLargeError, match="matrixfree"):
        algorithms.get("ogda").jacobian(game, np.zeros(160))
    with pytest.raises(DenseTooLargeError, match="matrixfree"):
        spectral_radius("gda", spiked(60, sparse=False), np.zeros(120))


def test_sweep_and_table_with_a_process_pool():
    game = games.get("lead-eq31", d=4, seed=1)
    point = np.zeros(8)
    values = np.linspace(0.01, 0.5, 40)
    serial = sweep("ogda", game, point, "lr", values)
    # spawned, not forked: this worker may already run JAX's or BLAS's threads
    with cf.ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn")) as pool:
        parallel = sweep("ogda", game, point, "lr", values, executor=pool, chunks=4)
        t_par = table(games.get("g3"), [0.0, 0.0], executor=pool)
        many = tables([(games.get("g1"), [0.0, 0.0]), (games.get("g2"), [0.0, 0.0])], executor=pool)
    np.testing.assert_array_equal(parallel.radius, serial.radius)
    assert t_par == table(games.get("g3"), [0.0, 0.0])
    assert many == [table(games.get("g1"), [0.0, 0.0]), table(games.get("g2"), [0.0, 0.0])]


def test_interrupted_sweep_keeps_what_was_done(monkeypatch):
    calls = {"n": 0}
    originals = {name: getattr(SpectrumCache, name) for name in ("spectrum", "radius")}

    def flaky(name):
        def call(self, alg):
            calls["n"] += 1
            if calls["n"] == 4:
                raise KeyboardInterrupt
            return originals[name](self, alg)
        return call
    for name in originals:  # sweeps ask the cache for spectra, optimize for radii
        monkeypatch.setattr(SpectrumCache, name, flaky(name))
    s = sweep("gda", games.get("g2"), [0, 0], "lr", np.linspace(0.1, 0.5, 10))
    assert s.interrupted and len(s.values) == 3 and len(s.radius) == 3
    calls["n"] = 0
    o = optimize("gda", games.get("g2"), [0, 0], {"lr": (0.1, 0.9)}, num=10)
    assert o.interrupted and o.evaluations == 3


def test_progress_bar_and_its_switches(monkeypatch, capsys):
    """A tqdm bar on stderr where someone is watching; none when switched off, by the option
    or the environment, and none when stderr is not a terminal (pytest's capture is not)."""
    from stability import progress
    from stability.config import temporary
    monkeypatch.setattr(progress, "DELAY", 0.0)
    monkeypatch.setattr(progress, "MININTERVAL", 0.0)
    with progress.Progress("quiet", 3) as p:  # not interactive: no bar
        p.update(1)
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(progress, "_interactive", lambda: True)
    with progress.Progress("work", 3) as p:
        p.update(1)
        p.update(2)
    err = capsys.readouterr().err
    assert "work" in err and "2/3" in err
    with temporary({"progress.enabled": False}), progress.Progress("off", 3) as p:
        p.update(1)
    monkeypatch.setenv("STABILITY_PROGRESS", "0")
    with progress.Progress("off", 3) as p:
        p.update(1)
    assert capsys.readouterr().err == ""


def test_bench_smoke():
    from stability.bench import run_benchmarks
    rows = run_benchmarks(quick=True)
    assert {r["name"] for r in rows} == {"table", "sweep", "matrix_free", "matrix_free_flat", "matrix_free_hvp_flat", "engine",
                                              "engine_final", "engine_jax_all", "engine_jax_final", "classes",
                                              "class lower bound", "certify"}
    for r in rows:  # the benchmark's own agreement check between ours and the naive method
        assert "skipped" in r or r["max_rel_diff"] <= 1e-6
    certified = next(r for r in rows if r["name"] == "certify")
    assert "skipped" in certified or (certified["all_decided"] and certified["float_inside"])


def test_the_certify_bench_row_says_it_is_skipped_without_python_flint(monkeypatch):
    """Without the optional python-flint the row is skipped with the install hint, not a crash
    (it raised NameError once: the error class was never imported)."""
    import builtins
    from stability.bench import bench_certify
    real_import = builtins.__import__

    def without_flint(name, *args, **kwargs):
        if name == "flint" or name.startswith("flint."):
            raise ImportError("No module named 'flint'")
        return real_import(name, *args, **kwargs)
    monkeypatch.setattr(builtins, "__import__", without_flint)
    row = bench_certify((10,), ("gda",))
    assert row["name"] == "certify" and "stability[certify]" in row["skipped"]


def test_table_uses_arnoldi_for_large_dense_jacobians_and_agrees():
    from stability.bench import random_dense_game
    from stability.spectral import DEFAULT_TABLE
    n = 220
    game, point = random_dense_game(n, seed=3), np.zeros(2 * n)
    assert 2 * n >= defaults["linalg.arnoldi_min"]
    rows = table(game, point, DEFAULT_TABLE, lr=0.05)
    for name in DEFAULT_TABLE:
        params = algorithms.describe(name).params
        alg = algorithms.get(name, **({"lr": 0.05} if "lr" in params or "lr_x" in params else {}))
        dense = np.abs(np.linalg.eigvals(alg.jacobian(game, point))).max()
        # ARPACK residuals ≤ 1e-10 and the full eigensolver agree to ~1e-13 on these draws
        assert rows[name].radius == pytest.approx(dense, rel=1e-9), name


SPARSE_FORMS = [name for name in algorithms.names() if algorithms.get(name).sparse_closed_form]


@pytest.mark.parametrize("name", SPARSE_FORMS)
def test_sparse_closed_forms_equal_the_dense_ones_and_their_shifted_solves_solve(name):
    """The sparse Jacobian that matrix-free shift-and-invert factors is the dense closed form
    (entrywise, to rounding), and its solver solves ``(J − σI)x = b`` (residual ~ κ ε)."""
    from stability.algorithms.context import (JacobianContext, SparseCompanion, SparseJacobianContext,
                                              shifted_solver)
    sparse, dense = spiked(30), spiked(30, sparse=False)
    alg = algorithms.get(name, **algorithms.get(name).example_hyperparameters)
    J = alg.closed_form(SparseJacobianContext(sparse.Hxx, sparse.Hxy, sparse.Hyy))
    expected = alg.closed_form(JacobianContext(dense, np.zeros(60)))
    as_dense = (np.column_stack([J @ e for e in np.eye(J.shape[0])]) if isinstance(J, SparseCompanion)
                else J.toarray())
    np.testing.assert_allclose(as_dense, expected, rtol=0, atol=1e-13)
    sigma, b = 0.9 + 0.2j, np.random.default_rng(1).standard_normal(J.shape[0])
    x = shifted_solver(J, sigma)(b)
    assert np.linalg.norm((expected - sigma * np.eye(len(b))) @ x - b) <= 1e-10 * np.linalg.norm(b)


@pytest.mark.parametrize("name", SPARSE_FORMS)
def test_shift_invert_radius_on_a_spectrum_without_outliers_matches_dense(name, monkeypatch):
    """No outliers (the case shift-and-invert is for): against a dense eigensolve of the
    closed form. ARPACK to 1e-10 on (J − σI)⁻¹, whose dominant eigenvalues are separated by
    the shift: 1e-9 relative leaves two orders for the conditioning of the eigenvalue. The
    located Ritz pair is never accepted as it is, so that shift-and-invert itself is tested."""
    from stability.bench import spiked_game
    from stability.linalg import eigen
    monkeypatch.setattr(eigen, "ACCEPT_LOCATED", False)
    sparse, dense = spiked_game(200, spikes=False), spiked_game(200, sparse=False, spikes=False)
    alg = algorithms.get(name, lr=0.1, **algorithms.get(name).example_hyperparameters)
    mf = matrixfree.spectral_radius(alg, sparse, np.zeros(400))
    assert mf.converged and mf.method.startswith("arpack shift-invert"), mf
    expected = np.abs(np.linalg.eigvals(alg.jacobian(dense, np.zeros(400)))).max()
    assert abs(mf.value) == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("scale", [1.0, 1e39])
def test_the_single_precision_location_is_exact_after_shift_invert_and_falls_back_on_overflow(scale):
    """The locating Arnoldi run works in float32; the answer comes from shift-and-invert in
    float64 and is checked there. An upper-bidiagonal J has its diagonal as spectrum (exact
    oracle). At scale 1e39 the products overflow float32, and the run must repeat in double
    rather than feed ARPACK infinities."""
    import scipy.sparse as sps
    from stability.algorithms.context import shifted_solver
    from stability.linalg.eigen import CountedOperator, largest_magnitude_shifted
    n = 300
    diagonal = np.random.default_rng(0).uniform(0.5, 1.0, n) * scale
    J = sps.diags_array([diagonal, np.full(n - 1, 0.1 * scale)], offsets=[0, 1], format="csr")
    e = largest_magnitude_shifted(CountedOperator(J.__matmul__, n), lambda s: shifted_solver(J, s))
    assert e.converged and abs(e.value) == pytest.approx(diagonal.max(), rel=1e-10)


def test_shift_invert_settles_every_located_candidate_not_only_the_largest(monkeypatch):
    """A location to 1e-3 may order two eigenvalues of nearly equal modulus wrongly (measured:
    CGD at n = m = 1000, where shifting about the located top alone gave ρ 4e-5 too small, on
    a converged, residual-checked eigenvalue). Here the location is made wrong on purpose: a
    diagonal J with eigenvalues −0.995 (ρ) and 0.9949 far apart on the circle, located as
    0.9951 and −0.9948 (their exact eigenvectors, values off by 2e-4). Shifting about 0.9951
    alone finds 0.9949; the second candidate, which may exceed it, must get its own shift."""
    import scipy.sparse as sps
    from stability.algorithms.context import shifted_solver
    from stability.linalg import eigen
    diagonal = np.linspace(-0.9, 0.9, 200)
    diagonal[:2] = -0.995, 0.9949
    J = sps.diags_array(diagonal, format="csr")
    located = np.array([0.9949 + 2e-4, -0.995 + 2e-4]), np.eye(200)[:, [1, 0]]
    monkeypatch.setattr(eigen, "_locate", lambda op, v0, maxiter: located)
    e = eigen.largest_magnitude_shifted(eigen.CountedOperator(J.__matmul__, 200), lambda s: shifted_solver(J, s))
    assert e.converged and e.value == pytest.approx(-0.995, rel=1e-12), e
    assert e.method == "arpack shift-invert (2 factorisations)"


def _diagonal_companion(p, r):
    """``[[diag p, diag r], [I, 0]]``: its eigenvalues are the roots of ``λ² = pᵢλ + rᵢ``
    (an exact oracle), each pair coupled to no other."""
    from stability.algorithms.context import SparseCompanion
    roots = np.concatenate([np.roots([1.0, -a, -b]) for a, b in zip(p, r)])
    return SparseCompanion(sps.diags_array(p, format="csr"), sps.diags_array(r, format="csr")), roots


def test_the_compact_companion_location_finds_the_dominant_eigenvalues():
    """TOAR on ``[[P, R], [I, 0]]`` (random dense-ish P, R): every located pair has a true
    relative residual within the location's 1e-3 (float32 adds ~1e-6), and the located
    largest modulus is within 1e-3 of the dense ρ; the basis is restarted many times (its
    compression is exercised)."""
    from stability.linalg.toar import locate_companion
    rng = np.random.default_rng(1)
    N = 200
    P = 1.3 * np.eye(N) + 0.2 * rng.standard_normal((N, N)) / np.sqrt(N)
    R = -0.35 * np.eye(N) + 0.05 * rng.standard_normal((N, N)) / np.sqrt(N)
    J = np.block([[P, R], [np.eye(N), np.zeros((N, N))]])
    rho = np.abs(np.linalg.eigvals(J)).max()
    theta, vecs = locate_companion(sps.csr_array(P), sps.csr_array(R), rng.standard_normal(2 * N))
    assert len(theta) == 6
    for t, v in zip(theta, vecs.T):
        assert np.linalg.norm(J @ v - t * v) / (abs(t) * np.linalg.norm(v)) <= 1.1e-3
    assert abs(theta[0]) == pytest.approx(rho, rel=1e-3)


def test_the_compact_companion_location_stops_at_an_invariant_subspace():
    """``[[½I, 0], [I, 0]]`` from any start spans a 2-dimensional invariant subspace: the run
    returns its exact Ritz values (½, and 0) instead of dividing by a zero norm."""
    from stability.linalg.toar import locate_companion
    N = 100
    P, R = sps.diags_array(np.full(N, 0.5), format="csr"), sps.csr_array((N, N))
    theta, vecs = locate_companion(P, R, np.random.default_rng(0).standard_normal(2 * N))
    assert abs(theta[0]) == pytest.approx(0.5, rel=1e-6) and len(theta) <= 2


@pytest.mark.parametrize("scale", [1.0, 1e39])
def test_a_companion_is_located_compactly_and_repeats_in_double_when_float32_overflows(scale, monkeypatch):
    """A one-step-memory Jacobian handed over assembled (``SparseCompanion``) is located by
    TOAR; ρ comes from shift-and-invert in double, exact against the roots of the 2 × 2
    blocks. At scale 1e39 the entries of P do not fit in float32: the location must repeat in
    double (ARPACK) rather than feed infinities on."""
    from stability.algorithms.context import shifted_solver
    from stability.linalg import eigen, toar
    calls = []
    monkeypatch.setattr(eigen, "locate_companion", lambda *a, **k: calls.append(1) or toar.locate_companion(*a, **k))
    rng = np.random.default_rng(3)
    N = 300
    p, r = rng.uniform(1.0, 1.6, N) * scale, -rng.uniform(0.3, 0.6, N)
    J, roots = _diagonal_companion(p, r)
    op = eigen.CountedOperator(J.__matmul__, 2 * N, assembled=J)
    e = eigen.largest_magnitude_shifted(op, lambda s: shifted_solver(J, s))
    assert calls == [1]
    assert e.converged and abs(e.value) == pytest.approx(np.abs(roots).max(), rel=1e-10), e
