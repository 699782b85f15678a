"""Shared fixtures, games, strategies and tables of the tests.

The tables of algorithms are derived from the registry (its capability flags and each class's
``example_hyperparameters``), so a new algorithm is tested everywhere by being registered.
Every random draw is seeded (``numpy.random.default_rng(seed)``; seeds computed from test
parameters use ``zlib.crc32``, never the salted ``hash()``)."""

import os
import zlib

import numpy as np
import pytest
from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.extra import numpy as hnp

from stability import Game, algorithms, spectral_radius
from stability.algorithms.registry import canonical_names
from stability.testing import structured_game

# The default profile is derandomized: every run (and every xdist worker) draws the same
# examples, so a failure reproduces; HYPOTHESIS_PROFILE=deep explores 1000 random examples.
settings.register_profile("default", max_examples=40, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("deep", max_examples=1000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

def pytest_configure(config):
    """Under pytest-xdist each worker is one process per core: one BLAS thread each. The
    controller sets this before it spawns the workers (they inherit the environment and import
    numpy afresh); with two workers on two cores, two BLAS threads each made the suite's
    many small eigenproblems 10× slower (busy-waiting threads), e.g. 13 s instead of 1 s for
    one HessianFR test. A value the user exported is kept."""
    if getattr(config.option, "numprocesses", None) and "PYTEST_XDIST_WORKER" not in os.environ:
        for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ.setdefault(variable, "1")


# --- tables from the registry ---------------------------------------------------------------
CLASSES = {name: algorithms.describe(name) for name in canonical_names()}
ALGORITHMS = {name: dict(cls.example_hyperparameters) for name, cls in CLASSES.items()}
"""name -> hyperparameters (besides the step sizes) that exercise every term of its map."""
SHORTCUTS = sorted(name for name, cls in CLASSES.items() if cls.has_shortcut)
REAL_SPECTRUM = sorted(name for name, cls in CLASSES.items() if cls.real_spectrum)
INVERTS_HYY = sorted(name for name, cls in CLASSES.items() if cls.inverts_hyy)
MEMORYLESS = sorted(name for name, cls in CLASSES.items() if cls.copies == 1)


def two_time_scale(name, lr_x=0.1, lr_y=0.3):
    """The example hyperparameters of ``name`` with distinct step sizes where it has two."""
    hp = dict(ALGORITHMS[name])
    if {"lr_x", "lr_y"} <= set(CLASSES[name].params):
        hp.update(lr_x=lr_x, lr_y=lr_y)
    return hp


def stable_seed(*parts):
    """A seed from test parameters that is the same in every process."""
    return zlib.crc32(repr(parts).encode())


def multiset_close(a, b, tol):
    """Complex multisets equal within tol (greedy matching of nearest eigenvalues)."""
    a, b = list(np.asarray(a, complex)), list(np.asarray(b, complex))
    assert len(a) == len(b)
    for value in a:
        i = int(np.argmin([abs(value - w) for w in b]))
        assert abs(value - b[i]) <= tol, (value, b[i])
        b.pop(i)


@st.composite
def quadratic_games(draw, max_size=4):
    """Hypothesis strategy: quadratic games with entries in [−10, 10] and Hyy scaled by 10^k,
    k ∈ [−3, 3] (ill-conditioned between the players)."""
    n = draw(st.integers(1, max_size))
    m = draw(st.integers(1, max_size))
    elements = st.floats(-10, 10, allow_nan=False, width=64)
    Hxx = draw(hnp.arrays(float, (n, n), elements=elements))
    Hxy = draw(hnp.arrays(float, (n, m), elements=elements))
    Hyy = draw(hnp.arrays(float, (m, m), elements=elements))
    scale = 10.0 ** draw(st.integers(-3, 3))
    return Game.quadratic((Hxx + Hxx.T) / 2, Hxy, scale * (Hyy + Hyy.T) / 2)


# --- games -----------------------------------------------------------------------------------


def random_quadratic(n, m, seed):
    """A generic random quadratic game (no structure prescribed at the origin) with Hyy kept
    comfortably invertible (|λ(Hyy)| ≥ 0.3) for the methods that need Hyy⁻¹. The structured
    draws come from :func:`stability.testing.structured_game`."""
    rng = np.random.default_rng(seed)
    sym = lambda k: (lambda M: (M + M.T) / 2)(rng.standard_normal((k, k)))
    Hxx, Hyy = sym(n), sym(m)
    w, U = np.linalg.eigh(Hyy)
    w = np.where(np.abs(w) < 0.3, np.where(w < 0, -0.3, 0.3), w)
    return Game.quadratic(Hxx, rng.standard_normal((n, m)), (U * w) @ U.T)


def random_nash(n, m, seed):
    """The kit's strict local Nash game (Hxx ≻ 0, Hyy ≺ 0, condition ≤ 10)."""
    return structured_game("nash", n, m, seed)[0]


def random_minimax(n, m, seed):
    """The kit's strict local minimax game: S ≻ 0 and Hyy ≺ 0 prescribed (condition ≤ 10), a
    strong coupling (entries of Hxy of standard deviation 2) so that Hxx is often indefinite,
    i.e. the origin is a minimax that is not Nash."""
    return structured_game("minimax", n, m, seed, coupling=2.0 * np.sqrt(max(n, m)))[0]


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


def spd(rng, k, floor=0.2):
    M = rng.standard_normal((k, k))
    return M @ M.T + floor * np.eye(k)


def blocks(game):
    Hxx, Hxy, Hyy = game.dense_blocks()
    S = Hxx - Hxy @ np.linalg.solve(Hyy, Hxy.T)
    return Hxx, Hxy, Hyy, (S + S.T) / 2


def games_of_every_kind(seed):
    """A strict local minimax, a generic game, and one with Hyy ≺ 0 but S indefinite."""
    rng = np.random.default_rng(seed)
    yield random_minimax(2, 3, seed)
    yield random_quadratic(2, 3, seed)
    n, m = 2, 2
    Hyy = -spd(rng, m)
    Hxy = rng.standard_normal((n, m))
    S = np.diag([1.0, -0.5])
    yield Game.quadratic(S + Hxy @ np.linalg.solve(Hyy, Hxy.T), Hxy, Hyy)


# --- independent oracles for theorem tests ---------------------------------------------------
def oracle_radius(alg, game, point):
    """ρ from the dense eigenvalues of the central-difference Jacobian of the update map — no
    closed form, no structured shortcut, no Schur complement. On quadratic games the map is
    affine, so the differences are exact up to rounding (~ε‖J‖/h ≈ 1e-11 relative)."""
    return float(np.abs(np.linalg.eigvals(alg.fd_jacobian(game, point))).max())


def checked_radius(alg, game, point, rel=1e-9, **hyperparameters):
    """ρ from :func:`oracle_radius` — what a theorem test decides with — after asserting that
    the library's own ``spectral_radius`` (its structured shortcut or Krylov path) equals it
    to ``rel``. ``alg`` is a name (with ``hyperparameters``) or an algorithm."""
    alg = algorithms.get(alg, **hyperparameters) if isinstance(alg, str) else alg
    point = np.asarray(point, dtype=float)
    rho = oracle_radius(alg, game, point)
    library = spectral_radius(alg, game, point)
    assert abs(library - rho) <= rel * max(rho, 1e-300) + 1e-12, (alg, library, rho)
    return rho


def confirmed(best, game, point=None, rel=1e-9, abs_tol=1e-12):
    """A tuner's optimum (:class:`stability.spectral.Optimum`): its ρ re-evaluated at its
    hyperparameters by :func:`oracle_radius`; the two must agree to ``rel`` (``abs_tol``
    where the optimum is a defective eigenvalue: a rounding δ moves a Jordan block of size
    k by δ^(1/k))."""
    point = np.zeros(game.n + game.m) if point is None else point
    rho = oracle_radius(best.algorithm, game, point)
    assert abs(best.radius - rho) <= rel * rho + abs_tol, (best, rho)
    return rho


def oracle_structure(game):
    """Which strict solution concepts hold at the origin of a quadratic game, from the
    eigenvalues of its blocks and Schur complements computed here in numpy (not by classify);
    with each decisive eigenvalue's distance from zero (``margin``)."""
    Hxx, Hxy, Hyy = (np.asarray(M, dtype=float) for M in game.dense_blocks())
    eig = np.linalg.eigvalsh
    ex, ey = eig(Hxx), eig(Hyy)
    es = eig(Hxx - Hxy @ np.linalg.solve(Hyy, Hxy.T)) if np.abs(ey).min() > 0 else np.array([np.nan])
    maximin = ex.min() > 0 and eig(Hyy - Hxy.T @ np.linalg.solve(Hxx, Hxy)).max() < 0
    return {"nash": ex.min() > 0 and ey.max() < 0, "minimax": ey.max() < 0 and es.min() > 0,
            "maximin": bool(maximin), "S": es, "Hyy": ey,
            "margin": float(min(np.abs(ey).min(), np.abs(es).min()))}


def stackelberg_oracle(Hf, Hg, n):
    """Strict differential Stackelberg at the origin from the Hessians of f and g (leader's
    variables first, ``n`` of them), in numpy: the follower's best response has slope
    K = −Gyy⁻¹Gyx; the leader's total Hessian is D²f = Fxx + FxyK + KᵀFyx + KᵀFyyK (exact for
    quadratics); Stackelberg iff D²f ≻ 0 and Gyy ≻ 0. Returns (verdict, eig D²f, eig Gyy)."""
    K = -np.linalg.solve(Hg[n:, n:], Hg[n:, :n])
    total = Hf[:n, :n] + Hf[:n, n:] @ K + K.T @ Hf[n:, :n] + K.T @ Hf[n:, n:] @ K
    eig_total, eig_gyy = np.linalg.eigvalsh((total + total.T) / 2), np.linalg.eigvalsh(Hg[n:, n:])
    return bool(eig_total.min() > 0 and eig_gyy.min() > 0), eig_total, eig_gyy


def array_namespaces():
    """numpy (None: the default path), ``array_api_strict`` (the standard itself: what keeps the
    GPU path honest without a GPU) and CuPy where it imports and finds a device."""
    out = [pytest.param(None, id="numpy")]
    import array_api_strict
    out.append(pytest.param(array_api_strict, id="array_api_strict"))
    try:
        import cupy
        if cupy.cuda.runtime.getDeviceCount() > 0:
            out.append(pytest.param(cupy, id="cupy"))
    except Exception:  # no CuPy, or no device: the CuPy path is checked where it imports
        pass
    return out
