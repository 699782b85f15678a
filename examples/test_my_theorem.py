"""A test file to copy: checking statements about min-max algorithms with stability.testing.

Run it with ``python -m pytest examples/test_my_theorem.py`` (needs ``pytest`` and, for the
strategies, ``hypothesis``; ``pip install 'stability[test]'`` has both)."""

import numpy as np
from hypothesis import given, settings

import stability
from stability.testing import (assert_classification, assert_locally_convergent, assert_rate,
                               find_counterexample, strategies as st)


# A theorem (FR Thm 1, one direction): with small enough steps, Follow-the-Ridge converges
# locally to every strict local minimax. The oracle is the dense spectrum of FR's Jacobian.
@settings(max_examples=30, deadline=None)
@given(st.quadratic_games("minimax", max_size=4, max_condition=10.0))
def test_fr_converges_to_every_strict_local_minimax(case):
    game, point = case
    Hxx, Hxy, Hyy = game.dense_blocks()
    S = Hxx - Hxy @ np.linalg.solve(Hyy, Hxy.T)
    L = max(np.abs(np.linalg.eigvalsh(S)).max(), np.abs(np.linalg.eigvalsh(Hyy)).max())
    assert_locally_convergent("fr", game, point, lr=1.0 / L)


# A rate: GDA on f = ½x² − ½·3y² contracts like max(|1 − η|, |1 − 3η|).
def test_gda_rate_on_a_separable_game():
    game = stability.Game.from_expr("x**2/2 - 3*y**2/2", x="x", y="y")
    assert_rate("gda", game, np.zeros(2), expected=1 - 0.8, lr=0.2)


# A classification with the numbers in the message if it is wrong.
def test_the_origin_of_g1_is_a_strict_local_minimax():
    assert_classification(stability.games.get("g1"), np.zeros(2), strict_local_minimax=True)


# A conjecture in three lines: "GDA with η = 0.1 converges to every strict local minimax"
# is false, and the search returns a (shrunk) game where it fails.
def test_a_false_conjecture_has_a_counterexample():
    conjecture = lambda case: stability.spectral_radius("gda", *case, lr=0.1) < 1
    bad = find_counterexample(conjecture, st.quadratic_games("minimax", max_size=3))
    assert bad is not None
    print(bad)              # its blocks, to paste into a paper or a regression test
    game, point = bad.example
    assert stability.classify(game, point).strict_local_minimax


def test_fixtures_from_the_plugin(game_factory, stability_rng):
    game, point = game_factory("nash", 3, 3)
    assert_classification(game, point, strict_local_nash=True)
