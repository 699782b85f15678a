"""The pytest plugin of :mod:`stability.testing` (registered as the ``stability`` entry point
of ``pytest11``, so it loads wherever the package is installed; disable it with
``-p no:stability``). It needs neither Hypothesis nor anything beyond pytest.

Fixtures
--------
stability_rng
    A ``numpy.random.Generator`` seeded from the test's node id (CRC-32, the same in every
    process and run), so each test draws its own reproducible numbers.
game_factory
    :func:`stability.testing.structured_game` with the seed defaulting to the test's own:
    ``game, point = game_factory("minimax", 3, 2)``.
"""

import zlib

import numpy as np
import pytest

from .games import structured_game


def _seed(request):
    return zlib.crc32(request.node.nodeid.encode())


@pytest.fixture
def stability_rng(request):
    return np.random.default_rng(_seed(request))


@pytest.fixture
def game_factory(request):
    base = _seed(request)

    def make(kind, n, m, seed=None, **options):
        return structured_game(kind, n, m, base if seed is None else seed, **options)
    return make
