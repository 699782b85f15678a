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
