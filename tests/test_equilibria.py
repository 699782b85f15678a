import numpy as np
import pytest

from stability import Game, classify, games
from stability.errors import NotCriticalError


def test_g1_strict_minimax_not_nash():
    g = games.get("g1")
    [cp] = g.critical_points()
    assert cp.exact == (0, 0) and cp.residual == 0
    c = classify(g, cp)
    # Hxx = -6, Hyy = -2, S = -6 - 4·(-1/2)·4 = 2, T = -2 - 16/(-6) = 2/3
    np.testing.assert_allclose([c.eig_xx[0], c.eig_yy[0], c.eig_S[0], c.eig_T[0]], [-6, -2, 2, 2 / 3])
    assert c.strict_local_minimax and not c.strict_local_nash and not c.local_nash_necessary
    assert not c.strict_local_maximin and not c.inconclusive
    assert not c.gda_stable  # FR §3: GDA fails at this minimax (V has eigenvalue -2, double)
    np.testing.assert_allclose(c.eig_game, [-2, -2], atol=1e-7)


def test_g2_maximin_but_neither_nash_nor_minimax():
    g = games.get("g2")
    c = classify(g, g.critical_points()[0])
    np.testing.assert_allclose([c.eig_xx[0], c.eig_yy[0], c.eig_S[0], c.eig_T[0]], [6, 2, -2, -2 / 3])
    assert not c.strict_local_nash and not c.local_nash_necessary
    assert not c.strict_local_minimax and not c.local_minimax_necessary  # y at a local minimum
    assert c.strict_local_maximin
    assert c.gda_stable  # FR §3: GDA converges to this non-minimax point


def test_strict_nash_is_minimax_and_maximin():
    c = classify(Game.from_expr("x**2 - y**2", "x", "y"), [0, 0])
    assert c.strict_local_nash and c.strict_local_minimax and c.strict_local_maximin
    assert c.inertia == {"Hxx": (1, 0, 0), "Hyy": (0, 1, 0), "S": (1, 0, 0), "T": (0, 1, 0)}


def test_cli_example_game():
    c = classify(Game.from_expr("-3*x**2 - y**2 + 4*x*y", "x", "y"), [0, 0])
    assert c.verdict == "strict local minimax"


def test_degenerate_is_inconclusive():
    c = classify(Game.from_expr("x**4 - y**2", "x", "y"), [0, 0])
    assert c.inconclusive and c.local_nash_necessary and not c.strict_local_nash
    assert c.eig_xx[0] == 0 and c.eig_T is None
    c = classify(games.get("bilinear", p=2, q=2), np.zeros(4))
    assert c.inconclusive and c.eig_S is None and not c.strict_local_minimax


def test_noncritical_point_refused_with_residual():
    g = games.get("g1")
    with pytest.raises(NotCriticalError, match=r"residual 2\.83"):
        classify(g, [1.0, 1.0])  # ∇f = (-6 + 4, 4 - 2) = (-2, 2), |∇f| = 2.83
    c = classify(g, [1.0, 1.0], allow_noncritical=True)
    assert c.strict_local_minimax


def test_g3_critical_points():
    g = games.get("g3")
    cps = g.critical_points()
    assert len(cps) >= 3
    np.testing.assert_allclose(cps[0].point, [0, 0], atol=1e-12)
    assert all(cp.residual <= 1e-10 for cp in cps)
    assert classify(g, cps[0]).strict_local_minimax
    # g3 is odd-symmetric: f(-x, -y) = f(x, y), so roots come in pairs ±z
    others = [cp.point for cp in cps[1:]]
    for z in others:
        assert min(np.linalg.norm(-z - w) for w in others) < 1e-6


def test_fr_e2_origin_is_not_minimax():
    """FR App. E.2 calls the origin a local minimax; S has eigenvalue -0.95 (docs/THEOREMS.md)."""
    c = classify(games.get("fr-e2"), np.zeros(4))
    np.testing.assert_allclose(c.eig_S, np.linalg.eigvalsh([[9.1, 10], [10, 9]]))
    assert c.eig_S[0] < 0 and not c.strict_local_minimax and not c.local_minimax_necessary


def test_general_sum_stackelberg():
    # follower: min_y (y - x)^2 → r(x) = x; leader: min_x f(x, r(x)) = x^2 + (x - 1)^2 → x = 1/2
    g = Game.general_sum("x**2 + (y - 1)**2", "(y - x)**2", "x", "y")
    [cp] = g.critical_points()
    np.testing.assert_allclose(cp.point, [0.5, 0.5])
    c = classify(g, cp)
    assert c.strict_stackelberg
    np.testing.assert_allclose(c.eig_gyy, [2.0])
    np.testing.assert_allclose(c.eig_htilde, [4.0])  # φ(x) = x² + (x−1)², φ'' = 4
