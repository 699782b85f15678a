import numpy as np
import pytest

from stability import Game


def random_quadratic(n, m, seed, definite=False):
    """A random quadratic game; ``definite`` makes Hxx ≻ 0, Hyy ≺ 0 (a strict local Nash)."""
    rng = np.random.default_rng(seed)
    sym = lambda k: (lambda M: (M + M.T) / 2)(rng.standard_normal((k, k)))
    Hxx, Hyy = sym(n), sym(m)
    if definite:
        Hxx = Hxx @ Hxx + 0.5 * np.eye(n)
        Hyy = -(Hyy @ Hyy + 0.5 * np.eye(m))
    else:  # keep Hyy comfortably invertible for the methods that need Hyy⁻¹
        w, U = np.linalg.eigh(Hyy)
        w = np.where(np.abs(w) < 0.3, np.where(w < 0, -0.3, 0.3), w)
        Hyy = (U * w) @ U.T
    return Game.quadratic(Hxx, rng.standard_normal((n, m)), Hyy)


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


def spd(rng, k, floor=0.2):
    M = rng.standard_normal((k, k))
    return M @ M.T + floor * np.eye(k)


def random_minimax(n, m, seed, s_floor=0.2):
    """A quadratic game whose origin is a strict local minimax with prescribed S ≻ 0, Hyy ≺ 0
    (Hxx is then whatever makes Hxx − Hxy Hyy⁻¹ Hyx = S: often indefinite, so not Nash)."""
    rng = np.random.default_rng(seed)
    Hyy = -spd(rng, m)
    Hxy = 2 * rng.standard_normal((n, m))
    Hxx = spd(rng, n, s_floor) + Hxy @ np.linalg.solve(Hyy, Hxy.T)
    return Game.quadratic((Hxx + Hxx.T) / 2, Hxy, Hyy)


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
