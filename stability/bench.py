"""Benchmarks (``stability bench``): each measures the package's method against the naive one on
the same inputs, in one run, and reports the ratio and the largest relative disagreement.

Naive methods that would take hours are timed on a subset and scaled (``naive_scaled_from`` says
how many of how many); the disagreement is measured on that subset."""

import concurrent.futures as cf
import json
import resource
import time

import numpy as np
import scipy.sparse as sps

from . import algorithms, games, matrixfree
from .engine import run
from .games import Game
from .spectral import DEFAULT_TABLE, sweep, table


def spiked_game(n, seed=0, sparse=True):
    """A sparse n = m game with a bulk spectrum in [1, 2] and a few outlying eigenvalues (the
    shape of GAN Hessians, FR App. E.3): tridiagonal Hxx, −Hyy and a bidiagonal coupling."""
    rng = np.random.default_rng(seed)
    dx = rng.uniform(1.0, 2.0, n)
    dy = rng.uniform(1.0, 2.0, n)
    dx[:3], dy[:3] = [0.3, 3.0, 4.0], [0.5, 2.5, 3.5]
    off = 0.1 * rng.standard_normal(n - 1)
    Hxx = sps.diags([dx, off, off], [0, 1, -1], format="csr")
    Hyy = -sps.diags([dy, off, off], [0, 1, -1], format="csr")
    Hxy = sps.diags([0.8 * rng.uniform(0.5, 1.0, n), 0.2 * rng.standard_normal(n - 1)], [0, 1], format="csr")
    if sparse:
        return Game.quadratic(Hxx, Hxy, Hyy)
    return Game.quadratic(Hxx.toarray(), Hxy.toarray(), Hyy.toarray())


def random_dense_game(n, seed=0):
    rng = np.random.default_rng(seed)
    sym = lambda M: (M + M.T) / 2
    Hyy = -sym(rng.standard_normal((n, n))) / np.sqrt(n) - 1.5 * np.eye(n)
    return Game.quadratic(sym(rng.standard_normal((n, n))) / np.sqrt(n), rng.standard_normal((n, n)) / np.sqrt(n), Hyy)


def _timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def _rel(a, b):
    return float(abs(a - b) / max(abs(b), np.finfo(float).tiny))


def _with_lr(name, lr):
    """The algorithm with its step size(s) set to ``lr`` (complex momentum: α = lr)."""
    return algorithms.get(name).with_hyperparameter("lr", lr)


def _naive_radius(alg, game, point):
    return float(np.max(np.abs(np.linalg.eigvals(alg.jacobian(game, point)))))


def bench_table(n):
    """Every algorithm's ρ on a dense random quadratic game: one shared structured cache vs a
    dense eigensolve of each algorithm's full Jacobian."""
    game, point = random_dense_game(n), np.zeros(2 * n)
    # lr = 0.05 for every step size (complex momentum's α defaults to 0.05 as well)
    ours, t_ours = _timed(lambda: table(game, point, DEFAULT_TABLE, lr=0.05))
    naive, t_naive = _timed(lambda: {name: _naive_radius(_with_lr(name, 0.05), game, point)
                                     for name in DEFAULT_TABLE})
    diff = max(_rel(ours[k].radius, naive[k]) for k in DEFAULT_TABLE)
    return {"name": "table", "n": n, "ours_s": t_ours, "naive_s": t_naive, "ratio": t_naive / t_ours,
            "max_rel_diff": diff}


SWEEP_ALGORITHMS = ("gda", "eg", "ogda", "pm", "iu", "hb", "complex-momentum", "fr", "fr-momentum",
                    "hessianfr", "gdn")


def bench_sweep(n, points=200, naive_points=4):
    """A ``points``-value step-size sweep of every algorithm with a shortcut: one factorisation
    per algorithm vs a dense eigensolve per value (timed on ``naive_points`` values, scaled)."""
    game, point = random_dense_game(n, seed=1), np.zeros(2 * n)
    etas = np.linspace(0.01, 0.5, points)
    subset = np.linspace(0, points - 1, naive_points).astype(int)
    t_ours = t_naive = 0.0
    diff = 0.0
    for name in SWEEP_ALGORITHMS:
        s, t = _timed(lambda: sweep(name, game, point, "lr", etas))
        t_ours += t
        for i in subset:
            alg = _with_lr(name, etas[i])
            rho, t = _timed(lambda: _naive_radius(alg, game, point))
            t_naive += t * points / naive_points
            diff = max(diff, _rel(s.radius[i], rho))
    return {"name": "sweep", "n": n, "points": points, "ours_s": t_ours, "naive_s": t_naive,
            "ratio": t_naive / t_ours, "max_rel_diff": diff,
            "naive_scaled_from": f"{naive_points} of {points} values"}


MF_ALGORITHMS = ("gda", "eg", "ogda", "fr")


def _matrix_free_run(n):
    game, point = spiked_game(n), np.zeros(2 * n)
    start = time.perf_counter()
    radii = {name: matrixfree.spectral_radius(algorithms.get(name, lr=0.1), game, point) for name in MF_ALGORITHMS}
    verdict = matrixfree.classify(game, point)
    elapsed = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return ({k: abs(v.value) for k, v in radii.items()}, all(v.converged for v in radii.values()),
            verdict.converged, elapsed, peak_mb)


def bench_matrix_free(n, check_n):
    """Matrix-free ρ of GDA, EG, OGDA, FR plus classification on a sparse game of size n (own
    process, so its peak memory is its own), and at ``check_n`` against dense."""
    with cf.ProcessPoolExecutor(max_workers=1) as pool:
        _, ok, cls_ok, t_large, peak = pool.submit(_matrix_free_run, n).result()
    mf, t_mf = _timed(lambda: _matrix_free_run(check_n)[0])
    dense_game, point = spiked_game(check_n, sparse=False), np.zeros(2 * check_n)
    dense, t_dense = _timed(lambda: {name: _naive_radius(algorithms.get(name, lr=0.1), dense_game, point)
                                     for name in MF_ALGORITHMS})
    diff = max(_rel(mf[k], dense[k]) for k in MF_ALGORITHMS)
    return {"name": "matrix_free", "n": check_n, "ours_s": t_mf, "naive_s": t_dense,
            "ratio": t_dense / t_mf, "max_rel_diff": diff, "large_n": n, "large_s": t_large,
            "peak_mb": peak, "converged": bool(ok and cls_ok)}


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


def run_benchmarks(quick=False):
    if quick:
        return [bench_table(30), bench_sweep(20, points=20, naive_points=2),
                bench_matrix_free(2000, 100), bench_engine(200, 50, 10)]
    return [bench_table(1000), bench_sweep(500), bench_matrix_free(100_000, 2000),
            bench_engine(10_000, 1000, 100)]


def main(as_json=False, quick=False):
    rows = run_benchmarks(quick)
    if as_json:
        print(json.dumps(rows, indent=1))
        return 0
    for r in rows:
        extra = "".join(f", {k} {v}" for k, v in r.items()
                        if k not in ("name", "ours_s", "naive_s", "ratio", "max_rel_diff"))
        print(f"{r['name']:<12} ours {r['ours_s']:9.3f} s   naive {r['naive_s']:9.3f} s   "
              f"ratio {r['ratio']:8.1f}×   max rel diff {r['max_rel_diff']:.1e}{extra}")
    return 0
