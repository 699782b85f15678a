"""stability.testing: the game constructors against oracles computed here in numpy, the
strategies keep their structure, the assertions pass on true statements and fail on false
ones with the numbers in the message, the counterexample search, and the pytest fixtures."""

import numpy as np
import pytest
from hypothesis import given

from stability import Game, classify, games
from stability.algorithms.gda import GDA
from stability.errors import InputError
from stability.testing import (KINDS, assert_classification, assert_empirical_rate, assert_jacobians_agree,
                               assert_locally_convergent, assert_rate, assert_stable_set, bilinear_game,
                               find_counterexample, monotone_game, structured_game)
from stability.testing import strategies as kit
from conftest import oracle_structure, stackelberg_oracle


@pytest.mark.parametrize("kind", KINDS)
def test_structured_games_have_their_structure(kind):
    for seed in range(20):
        game, point = structured_game(kind, 1 + seed % 4, 1 + seed % 3, seed, condition=50.0)
        found = oracle_structure(game)
        if kind == "none":
            assert not (found["minimax"] or found["maximin"] or found["nash"])
        else:
            assert found[kind], (kind, seed, found)
        assert np.allclose(game.gradient_at(point), 0)


@given(kit.quadratic_games("minimax", max_size=5, max_condition=1e3))
def test_the_minimax_strategy_keeps_its_structure_and_the_library_agrees(case):
    game, point = case
    assert oracle_structure(game)["minimax"]
    assert classify(game, point).strict_local_minimax


@given(kit.monotone_games(mu=0.2, L=3.0))
def test_monotone_games_are_mu_strongly_monotone_and_L_lipschitz(case):
    game, _ = case
    Hxx, Hxy, Hyy = game.dense_blocks()
    V = np.block([[Hxx, Hxy], [-Hxy.T, -Hyy]])
    # eigenvalues of symmetric matrices to ~1e-15 relative: 1e-12 is rounding, not slack
    assert np.linalg.eigvalsh((V + V.T) / 2).min() >= 0.2 - 1e-12
    assert np.linalg.norm(V, 2) <= 3.0 + 1e-12


@given(kit.bilinear_games(singular_values=(0.5, 2.0)))
def test_bilinear_games_have_their_singular_values(case):
    game, _ = case
    s = np.linalg.svd(game.dense_blocks()[1], compute_uv=False)
    assert s.min() >= 0.5 - 1e-12 and s.max() <= 2.0 + 1e-12


@given(kit.algorithms(max_lr=0.3))
def test_the_algorithm_strategy_gives_valid_instances(alg):
    game, point = structured_game("nash", 2, 2, seed=1)
    assert np.all(np.isfinite(alg.spectrum(game, point)))


def test_constructors_refuse_bad_input():
    with pytest.raises(InputError, match="kind"):
        structured_game("saddle", 2, 2)
    with pytest.raises(InputError, match="2μ ≤ L"):
        monotone_game(2, 2, mu=1.0, L=1.0)
    with pytest.raises(InputError, match="low ≤ high"):
        bilinear_game(2, (2.0, 1.0))
    with pytest.raises(InputError, match="seed"):
        structured_game("nash", 2, 2, seed=-1)


def separable(a, b):
    """f = ½a x² − ½b y²: GDA's Jacobian is diag(1 − ηa, 1 − ηb)."""
    return Game.from_expr(f"{a}/2*x**2 - {b}/2*y**2", x="x", y="y")


def test_assertions_pass_on_true_statements_and_show_numbers_on_false_ones():
    game, point = separable(1, 3), np.zeros(2)
    # GDA at η: ρ = max(|1 − η|, |1 − 3η|): at η = 0.2, ρ = 0.8, rate 0.2
    assert assert_locally_convergent("gda", game, point, lr=0.2) == pytest.approx(0.8)
    assert_rate("gda", game, point, 0.2, lr=0.2)
    with pytest.raises(AssertionError, match=r"computed 1 − ρ = 0\.2.*theory 0\.25"):
        assert_rate("gda", game, point, 0.25, lr=0.2)
    with pytest.raises(AssertionError, match=r"ρ = 1\.4"):  # |1 − 3·0.8| = 1.4
        assert_locally_convergent("gda", game, point, lr=0.8)
    # stable iff |1 − η| < 1 and |1 − 3η| < 1: η ∈ (0, 2/3)
    assert_stable_set("gda", game, point, [(0.0, 2 / 3)], bounds=(0.0, 2.0))
    with pytest.raises(AssertionError, match="computed"):
        assert_stable_set("gda", game, point, [(0.0, 1.0)], bounds=(0.0, 2.0))
    assert_classification(game, point, strict_local_nash=True, strict_local_minimax=True)
    with pytest.raises(AssertionError, match="strict_local_nash is True, expected False.*eig Hxx"):
        assert_classification(game, point, strict_local_nash=False)
    with pytest.raises(InputError, match="verdicts"):
        assert_classification(game, point, nash=True)
    # the slowest mode 1 − 0.2 = 0.8 dominates: the fitted rate is 0.2 to well under 1 %
    assert_empirical_rate("gda", game, [0.1, 0.1], point, rtol=0.01, steps=200, lr=0.2)


class FlippedGDA(GDA):
    """GDA with a sign error in its closed form (I + DV): what the Jacobian check is for."""

    name = ""

    def closed_form(self, ctx):
        return ctx.I() + ctx.DV(self.lr_x, self.lr_y)


def test_jacobian_check_catches_a_wrong_closed_form():
    game, point = games.get("g1"), np.zeros(2)  # g1 = −3x² − y² + 4xy, critical at the origin
    assert_jacobians_agree("eg", game, point, lr=0.1)
    with pytest.raises(AssertionError, match="finite differences of the update map"):
        assert_jacobians_agree(FlippedGDA.build(lr=0.1), game, point)


def test_counterexample_search_finds_a_minimal_one_and_none_for_a_theorem():
    # false: "every strict local minimax is a strict local Nash point"
    bad = find_counterexample(lambda case: classify(*case).strict_local_nash,
                              kit.quadratic_games("minimax", max_size=3), max_examples=100)
    assert bad is not None and bad.outcome == "returned False"
    game, point = bad.example
    printed = str(bad)
    assert "Hxx = " in printed and "Hyy = " in printed     # the numbers, for the report
    np.testing.assert_array_equal(bad.numbers[0]["Hxy"], game.dense_blocks()[1])
    found = oracle_structure(game)
    assert found["minimax"] and not found["nash"]
    assert game.n <= 3 and game.m <= 3
    # true: every strict local Nash point is a strict local minimax
    assert find_counterexample(lambda case: classify(*case).strict_local_minimax,
                               kit.quadratic_games("nash", max_size=3), max_examples=50) is None


def test_pytest_fixtures_are_registered(stability_rng, game_factory):
    game, point = game_factory("maximin", 2, 3)
    assert oracle_structure(game)["maximin"]
    again, _ = game_factory("maximin", 2, 3)
    assert np.array_equal(game.dense_blocks()[0], again.dense_blocks()[0])  # the test's own seed
    assert isinstance(stability_rng.standard_normal(), float)


@pytest.mark.parametrize("kind", KINDS)
def test_polynomial_games_have_the_critical_point_and_hessian_they_promise(kind):
    from stability.testing import polynomial_game
    for seed in range(3):
        game, point = polynomial_game(kind, 2, 1, seed)
        quadratic, _ = structured_game(kind, 2, 1, seed)
        H = np.block([[quadratic.Hxx, quadratic.Hxy], [quadratic.Hxy.T, quadratic.Hyy]])
        assert np.abs(game.gradient_at(point)).max() <= 1e-12 * max(1.0, np.abs(H).max())
        Hxx, Hxy, Hyy = game.blocks_at(point)
        np.testing.assert_allclose(np.block([[Hxx, Hxy], [Hxy.T, Hyy]]), H, rtol=0, atol=1e-12)
        # the cubic terms make the maps nonlinear: the Jacobian builders must still agree
        assert_jacobians_agree("eg", game, point, lr=0.1)


@given(kit.polynomial_games("minimax", max_variables=3))
def test_the_polynomial_strategy_keeps_a_strict_local_minimax(case):
    game, point = case
    assert_classification(game, point, strict_local_minimax=True)


@pytest.mark.parametrize("stackelberg", [True, False])
def test_stackelberg_games_have_the_structure_they_promise(stackelberg):
    """Oracle: the Hessians of f and g by sympy from the game's own expressions, then the
    leader's total Hessian and Gyy in numpy (not classify, which must agree)."""
    import sympy as sp
    from stability.testing import stackelberg_game
    for seed in range(5):
        game, point = stackelberg_game(2, 1 + seed % 2, seed, stackelberg=stackelberg)
        z = list(game.xs) + list(game.ys)
        n = game.n
        F, G = (np.array(sp.hessian(e, z), dtype=float) for e in (game.expr, game.follower_expr))
        assert stackelberg_oracle(F, G, n)[0] == stackelberg
        assert classify(game, point).strict_stackelberg == stackelberg


@given(kit.games_with_spectrum(real=(-1.0, 2.0), imag=(0.5, 3.0)))
def test_games_with_a_prescribed_spectrum_have_it_in_the_region(case):
    """Oracle: numpy's eigenvalues of V built here from the blocks lie in the rectangle
    Re ∈ [−1, 2], |Im| ∈ [0.5, 3]. V is orthogonally similar to a direct sum of normal 2×2
    blocks, so its eigenvalues are perfectly conditioned: 1e-12·max(1, |λ|) is rounding."""
    game, _ = case
    Hxx, Hxy, Hyy = game.dense_blocks()
    found = np.linalg.eigvals(np.block([[Hxx, Hxy], [-Hxy.T, -Hyy]]))
    slack = 1e-12 * max(1.0, np.abs(found).max())
    assert len(found) == 2 * game.n
    assert np.all((found.real >= -1 - slack) & (found.real <= 2 + slack))
    assert np.all((np.abs(found.imag) >= 0.5 - slack) & (np.abs(found.imag) <= 3 + slack))


def test_game_with_spectrum_has_exactly_the_prescribed_eigenvalues():
    from stability.testing import game_with_spectrum
    pairs = [0.5 + 1.0j, 2.0 + 0.0j, -0.3 + 0.2j]
    game, _ = game_with_spectrum(pairs, seed=4)
    Hxx, Hxy, Hyy = game.dense_blocks()
    found = np.linalg.eigvals(np.block([[Hxx, Hxy], [-Hxy.T, -Hyy]]))
    expected = [v for p in pairs for v in (p, np.conj(p))]
    multiset = sorted(found, key=lambda v: (round(v.real, 6), round(v.imag, 6)))
    target = sorted(expected, key=lambda v: (round(v.real, 6), round(v.imag, 6)))
    np.testing.assert_allclose(multiset, target, atol=1e-12)
    # GDA's ρ is then max |1 − η(a ± ib)| in closed form: at η = 0.1, |1 − 0.1(2)| = 0.8 is largest
    assert_rate("gda", game, np.zeros(6), 1 - max(abs(1 - 0.1 * v) for v in expected), lr=0.1)
    with pytest.raises(InputError, match="b ≥ 0"):
        game_with_spectrum([1 - 1j])
