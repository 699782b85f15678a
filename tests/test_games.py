import numpy as np
import pytest
import scipy.sparse as sps
import scipy.sparse.linalg as spla
import sympy as sp

from stability import Game, games
from stability.errors import (FormulaError, NonFiniteError, ShapeError, StabilityError,
                              UnknownNameError, InputError)


def test_formula_derivatives_are_exact_and_vectorised():
    g = Game.from_expr("x1**2*y1 - 3*x2*y1 + y1**3 - exp(x2)", "x1,x2", "y1")
    pts = np.random.default_rng(0).standard_normal((5, 3))
    gx, gy = g.grad(pts[:, :2], pts[:, 2:])
    x1, x2, y1 = pts.T
    np.testing.assert_allclose(gx, np.stack([2 * x1 * y1, -3 * y1 - np.exp(x2)], 1), rtol=1e-14)
    np.testing.assert_allclose(gy[:, 0], x1**2 - 3 * x2 + 3 * y1**2, rtol=1e-14)
    hxx, hxy, hyy = g.hessian_blocks(pts[:, :2], pts[:, 2:])
    assert hxx.shape == (5, 2, 2) and hxy.shape == (5, 2, 1) and hyy.shape == (5, 1, 1)
    np.testing.assert_allclose(hyy[:, 0, 0], 6 * y1)


def test_decimals_are_exact_rationals():
    g = games.get("g3")
    assert sp.Rational(1, 20) in g.expr.atoms(sp.Rational)


def test_sympy_expression_input():
    a, b = sp.symbols("a b")
    g = Game.from_expr(a**2 - b**2 + a * b, [a], [b])
    np.testing.assert_allclose(g.gradient_at([1.0, 2.0]), [4.0, -3.0])


@pytest.mark.parametrize("text, fragment", [
    ("__import__('os').system('touch /tmp/pwned_stability')", "only calls of whitelisted"),
    ("x.__class__", "attribute access"),
    ("(lambda: 1)()", "only calls of whitelisted"),
    ("[c for c in ()]", "comprehension"),
    ("x[0]", "indexing"),
    ("eval('1')", "not allowed"),
    ("exp(x, base=2)", "exactly one positional"),
    ("x + z", "'z'.*not declared|not declared.*'z'"),
    ("x + yy", "did you mean 'y'"),
    ("x +* y", "not a valid expression"),
    ("'abc'", "numbers only"),
    ("x**(10**10)", "exponent"),
    ("9**9**9", "exponent"),
    ("sqrt(-1)*x", "not real"),
    ("", "empty"),
])
def test_formula_rejections(text, fragment, tmp_path):
    with pytest.raises(FormulaError, match=fragment):
        Game.from_expr(text, "x", "y")


def test_injection_has_no_side_effect(tmp_path):
    target = tmp_path / "pwned"
    for text in [f"__import__('os').system('touch {target}')",
                 f"open('{target}', 'w')", "().__class__.__bases__[0].__subclasses__()"]:
        with pytest.raises(FormulaError):
            Game.from_expr(text, "x", "y")
    assert not target.exists()


@pytest.mark.parametrize("x, y", [("x", "x"), ("x,x", "y"), ("exp", "y"), ("1x", "y"), ("", "y")])
def test_bad_declarations(x, y):
    with pytest.raises(StabilityError):
        Game.from_expr("x*y", x, y)


def test_quadratic_validation():
    with pytest.raises(ShapeError, match="symmetric"):
        Game.quadratic([[1.0, 2.0], [0.0, 1.0]], np.ones((2, 1)), [[1.0]])
    with pytest.raises(ShapeError, match="Hyy must have shape"):
        Game.quadratic(np.eye(2), np.ones((2, 3)), np.eye(2))
    with pytest.raises(NonFiniteError):
        Game.quadratic([[np.nan]], [[1.0]], [[1.0]])
    with pytest.raises(ShapeError):
        games.get("g1").gradient_at([0.0, 0.0, 0.0])


def test_quadratic_blocks_dense_sparse_operator_agree():
    rng = np.random.default_rng(1)
    Hxx = np.diag([1.0, 2.0]); Hyy = -np.diag([3.0, 1.0, 2.0]); Hxy = rng.standard_normal((2, 3))
    dense = Game.quadratic(Hxx, Hxy, Hyy)
    sparse = Game.quadratic(sps.csr_matrix(Hxx), sps.csr_matrix(Hxy), sps.csr_matrix(Hyy))
    op = Game.quadratic(spla.aslinearoperator(Hxx), spla.aslinearoperator(Hxy), spla.aslinearoperator(Hyy))
    x, y = rng.standard_normal((4, 2)), rng.standard_normal((4, 3))
    r = rng.standard_normal((4, 3))
    for g in (sparse, op):
        for a, b in zip(g.grad(x, y), dense.grad(x, y)):
            np.testing.assert_allclose(a, b, rtol=1e-13)
        np.testing.assert_allclose(g.solve_yy(x, y, r), dense.solve_yy(x, y, r), rtol=1e-9)


def test_callable_game_fd_hessian():
    game = Game.from_callables(lambda x, y: (-6 * x + 4 * y, 4 * x - 2 * y), 1, 1)
    Hxx, Hxy, Hyy = game.blocks_at([0.3, -0.2])
    # central differences of an affine gradient are exact up to rounding (~eps/h ≈ 1e-11)
    np.testing.assert_allclose([Hxx[0, 0], Hxy[0, 0], Hyy[0, 0]], [-6, 4, -2], atol=1e-8)


def test_catalogue_entries_build_and_document():
    for name in games.names():
        entry = games.describe(name)
        assert entry.source and entry.description
        g = games.get(name)
        # the oracle agrees with itself: ∇f equals central differences of f (an affine check on
        # quadratics, O(h²) ≈ 1e-10 relative otherwise)
        z = np.random.default_rng(1).uniform(-0.5, 0.5, g.n + g.m)
        h = 1e-5
        fd = [(g.value(*g.split(z + h * e)) - g.value(*g.split(z - h * e))) / (2 * h)
              for e in np.eye(g.n + g.m)]
        np.testing.assert_allclose(fd, g.gradient_at(z), rtol=1e-6, atol=1e-8)
    with pytest.raises(UnknownNameError, match="did you mean 'g1'"):
        games.get("g11")
    with pytest.raises(InputError):
        games.get("bilinear", r=3)


def test_covariance_wgan_value_matches_eq10():
    g = games.get("covariance-wgan", d=2, k=2, H=2, seed=3)
    rng = np.random.default_rng(0)
    A = np.random.default_rng(3).standard_normal((2, 2))
    V, W, v = rng.standard_normal((2, 2)), rng.standard_normal((2, 2)), rng.standard_normal(2)
    x = V.ravel()
    y = np.concatenate([W.ravel(), v])
    expected = sum(v[h] * (np.linalg.norm(A.T @ W[h]) - np.linalg.norm(V.T @ W[h])) for h in range(2))
    np.testing.assert_allclose(g.value(x, y), expected / np.sqrt(2 * np.pi), rtol=1e-12)
