"""Benchmarks (``stability bench``): each measures the package's method against the naive one on
the same inputs, in one run, and reports the ratio and the largest relative disagreement.

Naive methods that would take hours are timed on a subset and scaled (``naive_scaled_from`` says
how many of how many); the disagreement is measured on that subset."""

import concurrent.futures as cf
import importlib.util
import json
import multiprocessing
import resource
import sys
import time

import numpy as np
import scipy.sparse as sps

from . import algorithms, backend, games, matrixfree
from .errors import StabilityError
from .engine import run
from .games import Game
from .spectral import DEFAULT_TABLE, sweep, table


def spiked_game(n, seed=0, sparse=True, spikes=True):
    """A sparse n = m game with a bulk spectrum in [1, 2] and (with ``spikes``) a few outlying
    eigenvalues (the shape of GAN Hessians, FR App. E.3): tridiagonal Hxx, −Hyy and a
    bidiagonal coupling. Its origin is a strict local Nash (hence minimax) point. Without
    spikes the spectrum has no outliers: the hard case for Krylov methods."""
    rng = np.random.default_rng(seed)
    dx = rng.uniform(1.0, 2.0, n)
    dy = rng.uniform(1.0, 2.0, n)
    if spikes:
        dx[:3], dy[:3] = [0.3, 3.0, 4.0], [0.5, 2.5, 3.5]
    off = 0.1 * rng.standard_normal(n - 1)
    Hxx = sps.diags([dx, off, off], [0, 1, -1], format="csr")
    Hyy = -sps.diags([dy, off, off], [0, 1, -1], format="csr")
    Hxy = sps.diags([0.8 * rng.uniform(0.5, 1.0, n), 0.2 * rng.standard_normal(n - 1)], [0, 1], format="csr")
    if sparse:
        return Game.quadratic(Hxx, Hxy, Hyy)
    return Game.quadratic(Hxx.toarray(), Hxy.toarray(), Hyy.toarray())


def minimax_dense_game(n, seed=0):
    """A dense n = m game whose origin is a strict local minimax (not Nash) with no spectral
    outliers: Hyy = −Q diag(U[1, 2]) Qᵀ, S = Q' diag(U[0.5, 2]) Q'ᵀ, Hxy ~ N(0, 1/n), and Hxx
    what makes Hxx − Hxy Hyy⁻¹ Hyx = S. At η = 0.05 the spectra of most maps cluster near the
    unit circle — the case users bring, and the hard one for Krylov methods."""
    rng = np.random.default_rng(seed)

    def spd(lo, hi):
        Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
        return (Q * rng.uniform(lo, hi, n)) @ Q.T
    Hyy = -spd(1.0, 2.0)
    S = spd(0.5, 2.0)
    Hxy = rng.standard_normal((n, n)) / np.sqrt(n)
    Hxx = S + Hxy @ np.linalg.solve(Hyy, Hxy.T)
    return Game.quadratic((Hxx + Hxx.T) / 2, Hxy, Hyy)


def random_dense_game(n, seed=0):
    rng = np.random.default_rng(seed)
    sym = lambda M: (M + M.T) / 2
    Hyy = -sym(rng.standard_normal((n, n))) / np.sqrt(n) - 1.5 * np.eye(n)
    return Game.quadratic(sym(rng.standard_normal((n, n))) / np.sqrt(n), rng.standard_normal((n, n)) / np.sqrt(n), Hyy)


def _own_process():
    """A one-process pool started by ``spawn``: its peak memory is its own, and it never forks
    a parent that runs threads (JAX's, BLAS's)."""
    return cf.ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))


def peak_memory_mb():
    """This process's peak resident memory in MB: Linux's ``VmHWM``, which starts afresh in a
    spawned process (``ru_maxrss`` does not: it keeps the forking parent's peak across exec,
    so every spawned benchmark reported its parent's 1.45 GB), else ``ru_maxrss``."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    per_mb = 1024 ** 2 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB elsewhere
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / per_mb


def _timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def _best_of(fn, repeats=2):
    """``fn()`` and its fastest time over ``repeats`` runs (the first run pays page faults and
    warm-up, which belong to neither method)."""
    best = None
    for _ in range(repeats):
        out, t = _timed(fn)
        best = t if best is None else min(best, t)
    return out, best


def _rel(a, b):
    return float(abs(a - b) / max(abs(b), np.finfo(float).tiny))


def _with_lr(name, lr):
    """The algorithm with its step size(s) set to ``lr`` (complex momentum: α = lr)."""
    return algorithms.get(name).with_hyperparameter("lr", lr)


def _naive_radius(alg, game, point):
    return float(np.max(np.abs(np.linalg.eigvals(alg.jacobian(game, point)))))


def _floor(game, point):
    """The least work a table needs: one ``eigvals`` of V and ``eigvalsh`` of S and Hyy."""
    Hxx, Hxy, Hyy = game.blocks_at(point)
    V = backend.game_jacobian(Hxx, Hxy, Hyy)
    np.linalg.eigvals(V)
    np.linalg.eigvalsh(backend.schur_complement(Hxx, Hxy, Hyy))
    np.linalg.eigvalsh(Hyy)


def bench_table(n):
    """Every algorithm's ρ on a dense game with a strict local minimax (no outliers): the table
    (one shared structured cache) against the floor — ``eigvals(V)`` plus ``eigvalsh`` of S and
    Hyy, timed in the same run — and against a dense eigensolve of each full Jacobian. The
    floor and the table are each the faster of two runs."""
    game, point = minimax_dense_game(n), np.zeros(2 * n)
    # lr = 0.05 for every step size (complex momentum's α defaults to 0.05 as well)
    _, t_floor = _best_of(lambda: _floor(game, point))
    ours, t_ours = _best_of(lambda: table(game, point, DEFAULT_TABLE, lr=0.05))
    naive, t_naive = _timed(lambda: {name: _naive_radius(_with_lr(name, 0.05), game, point)
                                     for name in DEFAULT_TABLE})
    diff = max(_rel(ours[k].radius, naive[k]) for k in DEFAULT_TABLE)
    return {"name": "table", "n": n, "ours_s": t_ours, "naive_s": t_naive, "ratio": t_naive / t_ours,
            "max_rel_diff": diff, "floor_s": t_floor, "ours_over_floor": t_ours / t_floor}


SWEEP_ALGORITHMS = ("gda", "eg", "ogda", "pm", "iu", "hb", "complex-momentum", "co", "sga", "fr", "fr-momentum",
                    "hessianfr", "gdn")


def bench_sweep(n, points=200, naive_points=4):
    """A ``points``-value step-size sweep of every algorithm with a shortcut: one factorisation
    per algorithm vs a dense eigensolve per value (timed on ``naive_points`` values, scaled),
    and what each value after the first costs (``ms_per_extra_value``: the sweep's time less
    that of a one-value sweep, per further value)."""
    game, point = random_dense_game(n, seed=1), np.zeros(2 * n)
    etas = np.linspace(0.01, 0.5, points)
    subset = np.linspace(0, points - 1, naive_points).astype(int)
    t_ours = t_naive = 0.0
    diff, per_value = 0.0, {}
    for name in SWEEP_ALGORITHMS:
        s, t = _timed(lambda: sweep(name, game, point, "lr", etas))
        t_ours += t
        _, t_first = _timed(lambda: sweep(name, game, point, "lr", etas[:1]))
        per_value[name] = round(max(t - t_first, 0.0) / (points - 1) * 1000, 3)
        for i in subset:
            alg = _with_lr(name, etas[i])
            rho, t = _timed(lambda: _naive_radius(alg, game, point))
            t_naive += t * points / naive_points
            diff = max(diff, _rel(s.radius[i], rho))
    return {"name": "sweep", "n": n, "points": points, "ours_s": t_ours, "naive_s": t_naive,
            "ratio": t_naive / t_ours, "max_rel_diff": diff,
            "naive_scaled_from": f"{naive_points} of {points} values", "ms_per_extra_value": per_value}


MF_ALGORITHMS = ("gda", "eg", "ogda", "fr", "hessianfr", "lead")
MF_TIME_LIMIT = 30.0
"""Seconds after which a matrix-free eigenvalue of the benchmark is reported not converged (the
10⁶ row allows the issue's 60 s per algorithm)."""


def hvp_only_game(n, seed=0, spikes=False):
    """:func:`spiked_game` as a callable game that offers only ``grad`` and Hessian-vector
    products (no blocks, no Hessian): the matrix-free path sees what a user's autodiff gives."""
    from .games.factories import from_callables
    Hxx, Hxy, Hyy = matrixfree.HessianProducts(spiked_game(n, seed, spikes=spikes), np.zeros(2 * n)).sparse_blocks()
    Hyx = Hxy.T.tocsr()
    return from_callables(lambda x, y: (Hxx @ x + Hxy @ y, Hyx @ x + Hyy @ y), n, n,
                          hvp=lambda x, y, u, w: (Hxx @ u + Hxy @ w, Hyx @ u + Hyy @ w))


def _bench_game(n, spikes, hvp_only):
    return hvp_only_game(n, spikes=spikes) if hvp_only else spiked_game(n, spikes=spikes)


def _matrix_free_run(n, spikes, hvp_only=False, time_limit=MF_TIME_LIMIT):
    game, point = _bench_game(n, spikes, hvp_only), np.zeros(2 * n)
    start = time.perf_counter()
    radii, seconds = {}, {}
    for name in MF_ALGORITHMS:
        radii[name], seconds[name] = _timed(lambda: matrixfree.spectral_radius(
            algorithms.get(name, lr=0.1), game, point, max_time=time_limit))
    verdict, seconds["classify"] = _timed(lambda: matrixfree.classify(game, point, max_time=time_limit))
    elapsed = time.perf_counter() - start
    peak_mb = peak_memory_mb()
    return ({k: abs(v.value) for k, v in radii.items()}, [k for k, v in radii.items() if not v.converged],
            verdict.converged, elapsed, peak_mb, seconds)


_DENSE_CHECKS = {}


def _dense_radii(check_n, spikes):
    """Dense ρ of every matrix-free algorithm on the check game, computed once per run (LEAD's
    8000² eigensolve at n = 2000 is minutes)."""
    key = (check_n, spikes)
    if key not in _DENSE_CHECKS:
        dense_game, point = spiked_game(check_n, sparse=False, spikes=spikes), np.zeros(2 * check_n)
        _DENSE_CHECKS[key] = _timed(lambda: {name: _naive_radius(algorithms.get(name, lr=0.1), dense_game, point)
                                             for name in MF_ALGORITHMS})
    return _DENSE_CHECKS[key]


def bench_matrix_free(n, check_n, spikes=True, hvp_only=False, time_limit=MF_TIME_LIMIT):
    """Matrix-free ρ of GDA, EG, OGDA, FR, HessianFR and LEAD plus classification on a sparse
    game of size n (own process, so its peak memory is its own), with or without spectral
    outliers, or given by Hessian-vector products only (``hvp_only``), each eigenvalue stopped
    after ``time_limit`` seconds; at ``check_n`` against dense eigensolves."""
    with _own_process() as pool:
        _, failed, cls_ok, t_large, peak, seconds = pool.submit(_matrix_free_run, n, spikes, hvp_only,
                                                                time_limit).result()
    (mf, failed_small, _, _, _, _), t_mf = _timed(lambda: _matrix_free_run(check_n, spikes, hvp_only, time_limit))
    dense, t_dense = _dense_radii(check_n, spikes)
    checked = [k for k in MF_ALGORITHMS if k not in failed_small]
    diff = max((_rel(mf[k], dense[k]) for k in checked), default=float("nan"))
    name = "matrix_free" + ("_hvp" if hvp_only else "") + ("" if spikes else "_flat")
    return {"name": name, "n": check_n, "ours_s": t_mf, "naive_s": t_dense, "ratio": t_dense / t_mf,
            "max_rel_diff": diff, "large_n": n, "large_s": t_large, "peak_mb": peak,
            "large_s_each": {k: round(v, 1) for k, v in seconds.items()}, "time_limit_s": time_limit,
            "not_converged": failed + ([] if cls_ok else ["classify"]), "not_converged_at_check_n": failed_small}


def bench_engine(points, steps, loop_points):
    """``points`` initial points on g3 for ``steps`` steps, batched vs a per-point loop (timed
    on ``loop_points`` points, scaled)."""
    game = games.get("g3")
    z0 = np.random.default_rng(0).uniform(-4, 4, (points, 2))
    alg = algorithms.get("fr", lr=0.05)
    batched, t_ours = _timed(lambda: run(alg, game, z0, steps=steps, tol=0.0))
    loop, t_loop = _timed(lambda: [run(alg, game, z, steps=steps, tol=0.0) for z in z0[:loop_points]])
    final = lambda t, i: t.iterates[t.stop_step[i], i]
    diff = max(float(np.max(np.abs(final(batched, i) - final(t, 0)))) for i, t in enumerate(loop))
    t_naive = t_loop * points / loop_points
    return {"name": "engine", "points": points, "steps": steps, "ours_s": t_ours, "naive_s": t_naive,
            "ratio": t_naive / t_ours, "max_rel_diff": diff,
            "naive_scaled_from": f"{loop_points} of {points} points"}


def blas_info():
    """The BLAS numpy uses and its thread settings (timings depend on them)."""
    import os
    blas = "unknown"
    try:
        blas = np.__config__.CONFIG["Build Dependencies"]["blas"]["name"]
    except (AttributeError, KeyError, TypeError):
        pass
    threads = {k: os.environ[k] for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
               if k in os.environ}
    return {"blas": blas, "threads": threads or "default (all cores)", "cpus": os.cpu_count(),
            "numpy": np.__version__}


def _final_only_run(points, steps, record):
    z0 = np.random.default_rng(0).uniform(-4, 4, (points, 2))
    start = time.perf_counter()
    traj = run(algorithms.get("fr", lr=0.05), games.get("g1"), z0, steps=steps, tol=0.0, record=record)
    elapsed = time.perf_counter() - start
    return traj.final, elapsed, peak_memory_mb()


def bench_engine_final(points, steps, naive_points):
    """``points`` × ``steps`` FR steps on g1 keeping only final states (own process, so its peak
    memory is its own) against keeping the whole path (timed on ``naive_points``, scaled)."""
    with _own_process() as pool:
        final, t_ours, peak = pool.submit(_final_only_run, points, steps, "final").result()
    with _own_process() as pool:
        full, t_full, peak_full = pool.submit(_final_only_run, naive_points, steps, "all").result()
    diff = float(np.max(np.abs(final[:naive_points] - full)))
    return {"name": "engine_final", "points": points, "steps": steps, "ours_s": t_ours,
            "naive_s": t_full * points / naive_points, "ratio": t_full * points / naive_points / t_ours,
            "max_rel_diff": diff, "peak_mb": peak, "naive_peak_mb": peak_full,
            "naive_scaled_from": f"record='all' on {naive_points} of {points} points"}


def bench_engine_jax(points, steps, record):
    """The numpy engine against its JAX backend (``run(..., backend="jax")``), FR on g1 from
    ``points`` starts for ``steps`` steps, keeping ``record``: ours is the numpy engine, the
    bar is JAX (warm: a first run compiles, its time is reported apart). Skipped where JAX
    does not import."""
    if importlib.util.find_spec("jax") is None:
        return {"name": f"engine_jax_{record}", "skipped": "JAX is not installed (pip install 'stability[jax]')"}
    game, alg = games.get("g1"), algorithms.get("fr", lr=0.05)
    z0 = np.random.default_rng(0).uniform(-4, 4, (points, 2))
    go = lambda backend: run(alg, game, z0, steps=steps, tol=0.0, record=record, backend=backend)
    ours, t_ours = _timed(lambda: go("numpy"))
    _, t_first = _timed(lambda: go("jax"))
    theirs, t_jax = _timed(lambda: go("jax"))
    diff = float(np.max(np.abs(ours.final - theirs.final) / np.maximum(1.0, np.abs(ours.final))))
    return {"name": f"engine_jax_{record}", "points": points, "steps": steps, "ours_s": t_ours,
            "naive_s": t_jax, "ratio": t_jax / t_ours, "max_rel_diff": diff,
            "numpy_over_jax": t_ours / t_jax, "jax_first_run_s": t_first}


def cupy_namespace():
    """``cupy`` where it imports and finds a device, else None."""
    try:
        import cupy
        return cupy if cupy.cuda.runtime.getDeviceCount() > 0 else None
    except Exception:  # no CuPy, no driver, no device
        return None


def bench_gpu(n, points=200, xp=None, mf_n=None, engine_points=10_000, engine_steps=200):
    """The GPU path against numpy on the same inputs, end to end: the structured table and
    step-size sweeps and the dense classification of a strict local minimax (n + n), the
    matrix-free ρ of GDA and FR and the matrix-free classification of a sparse game
    (``mf_n`` + ``mf_n``, with spectral outliers: the device has Krylov–Schur but no sparse
    LU, hence no shift-and-invert, so spectra without outliers are the host's), and the
    engine (FR on a 50 + 50 strict local minimax from ``engine_points`` starts, final states
    only). A row that says it was skipped where CuPy has no device. ``xp``: run the same row
    in another namespace (the tests use ``array_api_strict``)."""
    cupy = xp if xp is not None else cupy_namespace()
    if cupy is None:
        return {"name": "gpu", "skipped": "CuPy with a device is not available", "ours_s": None,
                "naive_s": None, "ratio": None, "max_rel_diff": None}
    from .equilibria import classify
    game, point = minimax_dense_game(n), np.zeros(2 * n)
    mf_n = mf_n or 50 * n
    sparse, mf_point = spiked_game(mf_n), np.zeros(2 * mf_n)
    small = minimax_dense_game(50, seed=1)
    names = [name for name in DEFAULT_TABLE if algorithms.describe(name).has_shortcut]
    etas = np.linspace(0.01, 0.5, points)
    z0 = np.random.default_rng(0).uniform(-1, 1, (engine_points, 100))
    table(game, point, names, lr=0.05, xp=cupy)  # warm-up: kernels compiled, memory pooled

    parts = {
        "table_and_sweeps": lambda xp: ([table(game, point, names, lr=0.05, xp=xp)[k].radius for k in names]
                                        + [r for name in ("gda", "hb", "fr")
                                           for r in sweep(name, game, point, "lr", etas, xp=xp).radius]),
        "classify": lambda xp: list(classify(game, point, xp=xp).eig_S),
        "matrix_free": lambda xp: ([abs(matrixfree.spectral_radius(algorithms.get(a, lr=0.1), sparse, mf_point,
                                                                   xp=xp).value) for a in ("gda", "fr")]
                                   + [e.value for e in matrixfree.classify(sparse, mf_point, xp=xp).extremes.values()]),
        "engine": lambda xp: list(run(algorithms.get("fr", lr=0.05), small, z0, steps=engine_steps, tol=0.0,
                                      record="final", xp=xp).final.ravel()),
    }
    row = {"name": "gpu", "n": n, "matrix_free_n": mf_n, "engine_points": engine_points, "ours_s": 0.0,
           "naive_s": 0.0, "max_rel_diff": 0.0, "naive": "the same on numpy", "parts": {},
           "device": str(cupy.cuda.Device()) if hasattr(cupy, "cuda") else cupy.__name__}
    for label, fn in parts.items():
        there, t_there = _timed(lambda: np.asarray(fn(cupy)))
        here, t_here = _timed(lambda: np.asarray(fn(None)))
        diff = float(np.max(np.abs(there - here) / np.maximum(np.abs(here), 1.0)))
        row["parts"][label] = {"ours_s": t_there, "naive_s": t_here, "ratio": t_here / t_there, "max_rel_diff": diff}
        row["ours_s"] += t_there
        row["naive_s"] += t_here
        row["max_rel_diff"] = max(row["max_rel_diff"], diff)
    row["ratio"] = row["naive_s"] / row["ours_s"]
    return row


CLASS_BENCH = {  # per algorithm a region determines: the worst case's hyperparameters, the tuning bounds
    "gda": ({"lr": 0.3}, {"lr": (1e-3, 4.0)}),
    "eg": ({"lr": 0.5}, {"lr": (1e-3, 4.0)}),
    "ogda": ({"lr": 0.3}, {"lr": (1e-3, 4.0)}),
    "pm": ({"lr": 0.4, "gamma": 0.2}, {"lr": (1e-3, 4.0), "gamma": (1e-3, 1.0)}),
    "iu": ({"lr": 0.5}, {"lr": (1e-3, 40.0)}),
    "hb": ({"lr": 0.3, "beta": -0.3}, {"lr": (1e-3, 4.0), "beta": (-0.9, 0.9)}),
    "complex-momentum": ({"alpha": 0.3}, {"alpha": (1e-3, 4.0)}),
}
HEXAGON = (0.2, 0.6 + 0.5j, 1.2 + 0.6j, 1.6, 1.2 - 0.6j, 0.6 - 0.5j)


def bench_classes(dense=100_000, tune=None):
    """Worst case over a 6-vertex polygon for every algorithm a region of eig(V) determines:
    ours (sampled boundary, vectorised refinement of the best local maxima; each the faster of
    three runs) against r on ``dense`` points per edge, and the class-optimal tuning time of
    each algorithm of ``tune`` (default: all; the goal is under a second each)."""
    from .spectral.classes import REGION_ALGORITHMS, Polygon, optimize_class, rate_function, worst_case
    K = Polygon(HEXAGON)
    s = np.linspace(0.0, 1.0, dense)
    ours = naive = diff = 0.0
    tuning = {}
    for name in REGION_ALGORITHMS:
        hp, bounds = CLASS_BENCH[name]
        w, t = _best_of(lambda: worst_case(name, K, **hp), 3)
        _, r = rate_function(algorithms.get(name, **hp))
        sampled, t_naive = _timed(lambda: max(float(r(piece(s)).max()) for piece in K.pieces()))
        ours, naive, diff = ours + t, naive + t_naive, max(diff, _rel(w.rate, sampled))
        if tune is None or name in tune:
            tuning[name] = round(_timed(lambda: optimize_class(name, K, bounds))[1], 3)
    return {"name": "classes", "ours_s": ours, "naive_s": naive, "ratio": naive / ours, "max_rel_diff": diff,
            "tuning_s": tuning, "max_tuning_s": max(tuning.values())}


def bench_lower_bound(degree=32):
    """The Krylov lower bound of the 6-vertex polygon (boundary-integral solve for the
    equilibrium charge, three meshes extrapolated) against the naive route to it, Lawson's
    minimax polynomial at ``degree`` (whose rate is still above the limit: reported); the
    numerical solve's largest relative difference from the closed forms of a segment, a disc
    and an ellipse."""
    from .spectral.classes import (Disc, Ellipse, Polygon, Segment, _closed_form_lower_bound,
                                   _numerical_lower_bound, lower_bound, minimax_rates)
    K = Polygon(HEXAGON)
    bound, ours = _timed(lambda: lower_bound(K))
    finite, naive = _timed(lambda: minimax_rates(K, degrees=(degree,)))
    diff = max(_rel(_numerical_lower_bound([R]), _closed_form_lower_bound(R))
               for R in (Segment(0.2 + 0.3j, 1.0 - 0.1j), Disc(1.0 + 1.0j, 0.3), Ellipse(1.0, 0.5, 0.3)))
    return {"name": "class lower bound", "ours_s": ours, "naive_s": naive, "ratio": naive / ours,
            "max_rel_diff": diff, "bound": bound, f"minimax_degree_{degree}": float(finite.rate[0])}


def bench_certify(sizes=(20, 50, 100), names=("gda", "eg", "lead")):
    """Certified ρ (:func:`stability.certify.spectral_radius`) on the strict local minimax game
    of :func:`minimax_dense_game` at n + m in ``sizes``, against the float ``spectral_radius``
    of the same algorithms in the same run: the time each takes per size (ratio = float /
    certified, below 1: the price of a proof), whether every verdict was decided, the widest
    certified interval, and whether each float ρ lies in its interval."""
    try:
        from . import certify
        certify.flint_module()
    except StabilityError as exc:
        return {"name": "certify", "skipped": str(exc)}
    from .spectral import spectral_radius
    per_size, ours, naive, widest, inside, decided = {}, 0.0, 0.0, 0.0, True, True
    for N in sizes:
        game, point = minimax_dense_game(N // 2), np.zeros(2 * (N // 2))
        certs, t_cert = _timed(lambda: [certify.spectral_radius(name, game, point, lr=0.05) for name in names])
        floats, t_float = _best_of(lambda: [spectral_radius(name, game, point, lr=0.05) for name in names])
        ours, naive = ours + t_cert, naive + t_float
        per_size[N] = {"certified_s": round(t_cert, 3), "float_s": round(t_float, 5),
                       "methods": [c.method for c in certs]}
        widest = max([widest] + [c.rho[1] - c.rho[0] for c in certs])
        inside = inside and all(c.rho[0] - 1e-15 <= r <= c.rho[1] + 1e-15 for c, r in zip(certs, floats))
        decided = decided and all(c.decided for c in certs)
    return {"name": "certify", "ours_s": ours, "naive_s": naive, "ratio": naive / ours, "max_rel_diff": widest,
            "algorithms": list(names), "sizes": per_size, "all_decided": decided, "float_inside": inside}


def run_benchmarks(quick=False, gpu=False):
    if gpu:
        return [bench_gpu(30, engine_points=100, engine_steps=20) if quick else bench_gpu(2000, mf_n=100_000)]
    if quick:
        return [bench_table(30), bench_sweep(20, points=20, naive_points=2),
                bench_matrix_free(2000, 100), bench_matrix_free(2000, 100, spikes=False),
                bench_matrix_free(2000, 100, spikes=False, hvp_only=True),
                bench_engine(200, 50, 10), bench_engine_final(2000, 50, 200),
                bench_engine_jax(200, 50, "all"), bench_engine_jax(200, 50, "final"),
                bench_classes(2000, tune=("gda", "hb")), bench_lower_bound(8), bench_certify((10, 20), ("gda",))]
    return [bench_table(1000), bench_sweep(500), bench_matrix_free(100_000, 2000),
            bench_matrix_free(100_000, 2000, spikes=False),
            bench_matrix_free(1_000_000, 2000, spikes=False, time_limit=60.0),
            bench_matrix_free(50_000, 2000, spikes=False, hvp_only=True), bench_engine(10_000, 1000, 100),
            bench_engine_final(100_000, 1000, 10_000), bench_engine_jax(10_000, 1000, "all"),
            bench_engine_jax(100_000, 1000, "final"), bench_classes(), bench_lower_bound(), bench_certify()]


def main(as_json=False, quick=False, gpu=False):
    rows = run_benchmarks(quick, gpu)
    if as_json:
        print(json.dumps({"machine": blas_info(), "rows": rows}, indent=1))
        return 0
    machine = blas_info()
    print(f"numpy {machine['numpy']}, BLAS {machine['blas']}, threads {machine['threads']}, "
          f"{machine['cpus']} CPUs")
    for r in rows:
        if "skipped" in r:
            print(f"{r['name']:<12} skipped: {r['skipped']}")
            continue
        extra = "".join(f", {k} {v}" for k, v in r.items()
                        if k not in ("name", "ours_s", "naive_s", "ratio", "max_rel_diff"))
        print(f"{r['name']:<12} ours {r['ours_s']:9.3f} s   naive {r['naive_s']:9.3f} s   "
              f"ratio {r['ratio']:8.1f}×   max rel diff {r['max_rel_diff']:.1e}{extra}")
    return 0
