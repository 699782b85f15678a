"""Exact stable sets as sympy sets: the values of a symbolic hyperparameter for which ρ < 1
(docs/MATHEMATICS.md §6.4; the work is :mod:`stability.certify.stable_sets`)."""

import sympy as sp

from ..algorithms import as_algorithm
from ..errors import InputError, NotSupportedError, checked_call
from ..linalg import real_number
from ..timelimit import run_with_time_limit


@checked_call
def symbolic_stable_set(algorithm, game, point, symbol, *, time_limit=60.0, allow_noncritical=False):
    """The exact set of values ``s > 0`` of the sympy ``symbol`` (a hyperparameter of
    ``algorithm``) for which the point is strictly stable (ρ < 1), as a sympy set.

    The Jacobian is exact over ℚ(s) (the update map run on the game's linear model), and its
    characteristic polynomial, carried to the imaginary axis by the Cayley map, is Hurwitz
    exactly where the Liénard–Chipart polynomial inequalities in s hold; their positive roots
    are isolated exactly (docs/MATHEMATICS.md §6.4, :func:`stability.certify.stable_set`,
    which also returns the proof). As everywhere symbolic, floats among the other
    hyperparameters and the point are read as the decimals they print as (0.1 is 1/10). State
    size at most ``spectral.max_symbolic_state``; runs in a child process stopped after
    ``time_limit`` seconds (:class:`~stability.errors.TimeLimitError`). Needs python-flint
    (``pip install 'stability[certify]'``)."""
    algorithm = as_algorithm(algorithm)
    if not isinstance(symbol, sp.Symbol):
        raise InputError(f"symbol must be a sympy Symbol, got {symbol!r}")
    if not any(isinstance(v, sp.Basic) and symbol in v.free_symbols for v in algorithm.hp.values()):
        raise InputError(f"{symbol} is not a hyperparameter value of {algorithm!r}; build the "
                         f"algorithm with it, e.g. algorithms.get(name, lr={symbol})")
    time_limit = real_number(time_limit, "time_limit", 0.0)
    from ..certify.algebra import flint_module
    from ..certify.stable_sets import check_state_size
    check_state_size(algorithm, game)
    flint_module()
    return run_with_time_limit(_symbolic_set, (algorithm, game, point, symbol, allow_noncritical),
                               time_limit, "symbolic_stable_set")


def _symbolic_set(algorithm, game, point, symbol, allow_noncritical):
    from ..certify.jacobian import exact_inputs
    from ..certify.stable_sets import exact_set
    from ..games.base import require_exact_game
    algorithm._require_kind(game)
    require_exact_game(game)
    if not algorithm.stationary:
        raise NotSupportedError(f"{algorithm.name} has no stationary update map, hence no fixed-point Jacobian")
    s = sp.Dummy("s", positive=True)
    decimal = lambda v: (sp.Rational(repr(v)) if isinstance(v, float) else
                         sp.Rational(repr(v.real)) + sp.I * sp.Rational(repr(v.imag)) if isinstance(v, complex)
                         else v.xreplace({symbol: s}) if isinstance(v, sp.Basic) else v)
    exact = algorithm.exact_copy({k: decimal(v) for k, v in algorithm.hp.items()})
    others = {v for k, v in exact.hp.items() if isinstance(v, sp.Basic)
              for v in v.free_symbols} - {s}
    if others:
        raise NotSupportedError(f"the hyperparameters have other free symbols ({others}); give numbers for "
                                "every other hyperparameter")
    inputs = exact_inputs(game, point, allow_noncritical=allow_noncritical, floats="decimal")
    out = exact_set(exact, s, str(symbol), inputs)
    return out.as_set().xreplace({s: symbol}) if out.intervals else sp.EmptySet
