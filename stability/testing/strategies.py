"""Hypothesis strategies for games with a prescribed structure and for algorithms with valid
hyperparameters (needs ``hypothesis``).

The strategies draw the sizes, a seed and the conditioning, then build the game with
:mod:`stability.testing.games`: every example has the structure, and shrinking (towards
smaller sizes, seed 0 and conditioning 1) keeps it."""

from hypothesis import strategies as st

from ..algorithms import describe
from ..algorithms.registry import canonical_names
from . import games as _games


def _sizes(min_size, max_size):
    return st.integers(min_size, max_size)


def _seeds():
    return st.integers(0, 2 ** 32 - 1)


def _conditions(max_condition):
    return st.floats(1.0, max_condition, allow_nan=False)


def quadratic_games(kind="minimax", min_size=1, max_size=4, max_condition=100.0, scale=1.0):
    """``(game, origin)`` pairs whose origin is of ``kind`` (one of
    :data:`stability.testing.KINDS`), n and m in ``[min_size, max_size]``, each prescribed
    block's condition number at most ``max_condition``."""
    return st.builds(lambda n, m, seed, cond: _games.structured_game(kind, n, m, seed, cond, scale),
                     _sizes(min_size, max_size), _sizes(min_size, max_size), _seeds(),
                     _conditions(max_condition))


def bilinear_games(singular_values=(0.5, 2.0), min_size=1, max_size=4):
    """``(game, origin)`` for ``f = xᵀBy`` with the singular values of B in ``singular_values``."""
    return st.builds(lambda n, seed: _games.bilinear_game(n, singular_values, seed),
                     _sizes(min_size, max_size), _seeds())


def monotone_games(mu=0.1, L=1.0, min_size=1, max_size=4):
    """``(game, origin)`` for μ-strongly monotone, L-Lipschitz quadratic games."""
    return st.builds(lambda n, m, seed: _games.monotone_game(n, m, mu, L, seed),
                     _sizes(min_size, max_size), _sizes(min_size, max_size), _seeds())


def algorithms(names=None, max_lr=0.5, min_lr=1e-3):
    """Registered algorithms (``names``, default every stationary zero-sum one) with their example
    hyperparameters and a step size drawn from ``[min_lr, max_lr]``."""
    names = list(names) if names is not None else [n for n in canonical_names()
                                                   if describe(n).stationary and not describe(n).general_sum]

    def build(name, lr):
        cls = describe(name)
        return cls.build(**cls.example_hyperparameters).with_hyperparameter("lr", lr)
    return st.builds(build, st.sampled_from(names), st.floats(min_lr, max_lr, allow_nan=False))


def polynomial_games(kind="minimax", max_variables=4, max_condition=10.0, cubic=0.1):
    """``(game, point)`` pairs: non-quadratic formula games in at most ``max_variables``
    variables whose ``point`` is a critical point of ``kind`` (see
    :func:`stability.testing.games.polynomial_game`)."""
    def build(n, m, seed, cond):
        return _games.polynomial_game(kind, n, m, seed, cond, cubic)
    half = max(1, max_variables // 2)
    return st.builds(build, _sizes(1, half), _sizes(1, max(1, max_variables - half)), _seeds(),
                     _conditions(max_condition))


def stackelberg_games(stackelberg=True, max_size=3, max_condition=10.0):
    """``(game, origin)`` pairs of general-sum quadratic games whose origin is (or, with
    ``stackelberg=False``, is not) a strict differential Stackelberg point."""
    return st.builds(lambda n, m, seed, cond: _games.stackelberg_game(n, m, seed, cond, stackelberg=stackelberg),
                     _sizes(1, max_size), _sizes(1, max_size), _seeds(), _conditions(max_condition))


def games_with_spectrum(real=(0.1, 2.0), imag=(0.0, 2.0), min_pairs=1, max_pairs=4):
    """``(game, origin)`` pairs whose game Jacobian V has eigenvalues ``a ± ib`` with ``a`` in
    ``real`` and ``b`` in ``imag`` (a rectangle of the complex plane, closed under
    conjugation); see :func:`stability.testing.games.game_with_spectrum`."""
    pair = st.builds(complex, st.floats(*real, allow_nan=False), st.floats(*imag, allow_nan=False))
    return st.builds(lambda ps, seed: _games.game_with_spectrum(ps, seed),
                     st.lists(pair, min_size=min_pairs, max_size=max_pairs), _seeds())
