"""Every algorithm through the same checks (docs/THEOREMS.md, 'Consistency'):
closed-form Jacobian = finite-difference Jacobian of the engine's own step = symbolic
Jacobian evaluated at numbers; structured spectra = dense eigenvalues."""

import numpy as np
import pytest
import sympy as sp

from stability import algorithms, games
from stability.errors import SingularBlockError, UnknownNameError, InputError
from conftest import (ALGORITHMS, INVERTS_HYY, REAL_SPECTRUM, multiset_close, random_minimax, random_quadratic,
                      stable_seed)

SHAPES = [(1, 1), (2, 3), (3, 2)]


def test_registry_holds_the_eighteen_algorithms_of_the_readme():
    assert sorted(ALGORITHMS) == sorted([
        "gda", "altgda", "gdak", "eg", "ogda", "pm", "iu", "co", "sga", "cgd", "hb", "lead",
        "complex-momentum", "fr", "fr-momentum", "hessianfr", "gdn", "stackelberg-fr"])
    assert {algorithms.describe(n).name for n in algorithms.names()} == set(ALGORITHMS)  # aliases


@pytest.mark.parametrize("name", sorted(ALGORITHMS))
def test_every_algorithm_documents_itself_in_one_template(name):
    """Update, Jacobian, spectrum, guarantee, the mathematics section, and — generated from the
    class — hyperparameters with defaults, capabilities, reference and an example; the
    signature and attributes show the hyperparameters."""
    import inspect
    cls = algorithms.describe(name)
    doc = cls.__doc__
    sections = ["Update", "Jacobian", "Spectrum", "Guarantee", "docs/MATHEMATICS.md §",
                "Hyperparameters", "Capabilities", "References", "Examples"]
    positions = [doc.find(k) for k in sections]
    assert -1 not in positions and positions == sorted(positions), (name, positions)
    signature = inspect.signature(cls)
    assert list(signature.parameters) == list(cls.params)
    alg = cls()
    for key, param in cls.params.items():
        assert signature.parameters[key].default is param.default or signature.parameters[key].default == param.default
        assert f"{key} : " in doc
        assert isinstance(getattr(type(alg), key), property) and getattr(alg, key) is alg.hp[key]


@pytest.mark.parametrize("name", sorted(set(ALGORITHMS) - set(INVERTS_HYY) - {"iu"}))
def test_algorithms_that_do_not_invert_hyy_are_defined_where_it_is_singular(name):
    """The capability flag both ways: a bilinear game has Hyy = 0; only the flagged maps (and
    IU, which inverts I + DV instead) are undefined there."""
    game = games.get("bilinear", p=2, q=2)
    assert np.all(np.isfinite(make(name, ALGORITHMS[name], 1.0).spectrum(game, np.zeros(4))))


def make(name, hp, ratio):
    hp = dict(hp)
    params = algorithms.describe(name).params
    if "lr_x" in params and "lr_y" in params:
        hp.setdefault("lr_x", 0.1)
        hp.setdefault("lr_y", 0.1 * ratio)
    elif "lr_x" in params:
        hp.setdefault("lr_x", 0.1)
    return algorithms.get(name, **hp)


@pytest.mark.parametrize("name", sorted(ALGORITHMS))
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("ratio", [1.0, 3.0])
def test_jacobian_builders_agree(name, shape, ratio):
    game = random_quadratic(*shape, seed=stable_seed(name, shape, ratio))
    alg = make(name, ALGORITHMS[name], ratio)
    point = np.zeros(sum(shape))
    J = alg.jacobian(game, point)
    assert J.shape == (alg.state_size(game),) * 2
    # The step is affine on a quadratic game, so central differences are exact up to
    # rounding: error ≈ eps·‖J‖·|state|/h with h = 1, far below 1e-9·‖J‖.
    scale = max(1.0, np.abs(J).max())
    np.testing.assert_allclose(alg.fd_jacobian(game, point, h=1.0), J, atol=1e-9 * scale, rtol=0)
    Js = alg.symbolic_jacobian(game, point)
    np.testing.assert_allclose(np.array(Js.evalf(), dtype=complex).real, J, atol=1e-9 * scale, rtol=0)


@pytest.mark.parametrize("name", sorted(ALGORITHMS))
def test_jacobian_on_nonquadratic_game(name):
    """g3 at the origin: third derivatives enter the step but not the Jacobian."""
    game = games.get("g3")
    alg = make(name, ALGORITHMS[name], 2.0)
    J = alg.jacobian(game, [0.0, 0.0])
    # central differences with h = 1e-4: truncation O(h²·‖∇³ step‖) ≈ 1e-8·(10·η) ≪ 1e-6
    np.testing.assert_allclose(alg.fd_jacobian(game, [0.0, 0.0], h=1e-4), J, atol=1e-6, rtol=0)
    Js = alg.symbolic_jacobian(game, [0, 0])
    np.testing.assert_allclose(np.array(Js.evalf(), dtype=complex).real, J, atol=1e-12, rtol=0)


@pytest.mark.parametrize("name", sorted(ALGORITHMS))
@pytest.mark.parametrize("shape", SHAPES)
def test_shortcut_spectrum_equals_dense(name, shape):
    """On 5 random games per shape, generic and strict-minimax ones: the spectrum (through
    the shortcut where there is one) equals the dense eigenvalues of the closed form."""
    for seed in range(5):
        maker = random_quadratic if seed % 2 == 0 else random_minimax
        game = maker(*shape, seed=7 + seed)
        alg = make(name, ALGORITHMS[name], 2.0)
        J = alg.jacobian(game, np.zeros(sum(shape)))
        # Eigenvalues of a nonnormal J are perturbed by up to ~sqrt(eps·‖J‖) at defective
        # (double) eigenvalues; random games have simple ones, so 1e-8·max(1, ‖J‖) is ample.
        tol = 1e-8 * max(1.0, np.linalg.norm(J, 2))
        multiset_close(alg.spectrum(game, np.zeros(sum(shape))), np.linalg.eigvals(J), tol)


@pytest.mark.parametrize("name", REAL_SPECTRUM)
def test_ridge_spectra_are_real(name):
    """The ridge methods' Jacobians are similar to block-triangular matrices with symmetric
    diagonal blocks: the dense eigenvalues of the closed form (independent of the shortcut)
    are real up to rounding (eps·cond(eigenvectors)·‖J‖ ≪ 1e-8 here) and equal the shortcut's."""
    game = random_quadratic(3, 4, seed=3)
    alg = make(name, {}, 2.0)
    ev = np.linalg.eigvals(alg.jacobian(game, np.zeros(7)))
    assert np.abs(ev.imag).max() <= 1e-8 * np.abs(ev).max()
    multiset_close(alg.spectrum(game, np.zeros(7)), ev.real, 1e-8)


def test_preconditioned_fr_spectrum(rng):
    game = random_quadratic(2, 3, seed=11)
    P1 = (lambda M: M @ M.T + np.eye(2))(rng.standard_normal((2, 2)))
    P2 = (lambda M: M @ M.T + np.eye(3))(rng.standard_normal((3, 3)))
    alg = algorithms.get("fr", lr_x=0.05, lr_y=0.1, P_x=P1, P_y=P2)
    J = alg.jacobian(game, np.zeros(5))
    np.testing.assert_allclose(alg.fd_jacobian(game, np.zeros(5), h=1.0), J, atol=1e-10)
    multiset_close(alg.spectrum(game, np.zeros(5)), np.linalg.eigvals(J), 1e-9)


def test_gda_on_g1_symbolic_eigenvalues():
    eta = sp.Symbol("eta", positive=True)
    J = algorithms.get("gda", lr=eta).symbolic_jacobian(games.get("g1"), [0, 0])
    assert J.eigenvals() == {1 + 2 * eta: 2}


@pytest.mark.parametrize("name", INVERTS_HYY)
def test_singular_hyy_is_a_typed_error(name):
    game = games.get("bilinear", p=2, q=2)
    with pytest.raises(SingularBlockError):
        make(name, {}, 1.0).spectrum(game, np.zeros(4))


def test_unknown_names_suggest():
    with pytest.raises(UnknownNameError, match="did you mean 'ogda'"):
        algorithms.get("ogdaa")
    with pytest.raises(UnknownNameError, match="'lr_y'"):
        algorithms.get("gda", lr_yy=0.1)


@pytest.mark.parametrize("hp", [{"lr": 0}, {"lr": -1.0}, {"lr": float("nan")}, {"beta": 1.0}])
def test_bad_hyperparameters(hp):
    with pytest.raises(InputError):
        algorithms.get("hb", **hp)


def test_stackelberg_fr_general_sum_third_derivatives():
    """A general-sum game whose Stackelberg point is not stationary for f: the Jacobian
    needs third derivatives of g (FR App. C.2). Closed form = FD of the step = sympy."""
    from stability import Game, classify
    g = Game.general_sum("x**2 + x*y + (y - 1)**2 + y**3/3", "(y - x)**2 + x*y**2/2 + y**4/8", "x", "y")
    [cp] = [c for c in g.critical_points(method="numeric", bounds=(-3, 3)) if classify(g, c).strict_stackelberg][:1]
    point = cp.point
    x, y = point
    assert abs(2 * x + y) > 1e-3  # ∇x f ≠ 0: a Stackelberg point that is not stationary for f
    alg = algorithms.get("stackelberg-fr", lr_x=0.05, lr_y=0.1)
    J = alg.jacobian(g, point)
    # truncation O(h²‖∇³step‖) with h = 1e-5 plus rounding eps/h: ~1e-10
    np.testing.assert_allclose(alg.fd_jacobian(g, point), J, atol=1e-8)
    Js = np.array(alg.symbolic_jacobian(g, point).evalf(), dtype=float)
    np.testing.assert_allclose(Js, J, atol=1e-10)
    spec = alg.spectrum(g, point)
    ev = np.linalg.eigvals(J)  # FR Thm 3: real eigenvalues, seen in the dense route
    assert np.abs(ev.imag).max() <= 1e-9 * np.abs(ev).max()
    multiset_close(spec, ev, 1e-9)
    c = classify(g, point)
    multiset_close(spec, np.concatenate([1 - 0.05 * c.eig_htilde, 1 - 0.1 * c.eig_gyy]), 1e-9)


@pytest.mark.parametrize("which", ["x", "y", "both"])
def test_preconditioned_hessianfr(rng, which):
    game = random_quadratic(2, 3, seed=13)
    P1 = (lambda M: M @ M.T + np.eye(2))(rng.standard_normal((2, 2)))
    P2 = (lambda M: M @ M.T + np.eye(3))(rng.standard_normal((3, 3)))
    hp = {"P_x": P1 if which != "y" else None, "P_y": P2 if which != "x" else None}
    alg = algorithms.get("hessianfr", lr_x=0.05, lr_y=0.1, lr_y2=0.3, **hp)
    J = alg.jacobian(game, np.zeros(5))
    np.testing.assert_allclose(alg.fd_jacobian(game, np.zeros(5), h=1.0), J, atol=1e-10)
    np.testing.assert_allclose(np.array(alg.symbolic_jacobian(game, np.zeros(5)).evalf(), dtype=float), J, atol=1e-10)
    multiset_close(alg.spectrum(game, np.zeros(5)), np.linalg.eigvals(J), 1e-9)
