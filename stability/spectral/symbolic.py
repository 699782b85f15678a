"""Exact stable sets: the values of a symbolic hyperparameter for which ρ < 1, from the
Schur–Cohn conditions on the characteristic polynomial, solved by exact real-root isolation
(docs/MATHEMATICS.md §4)."""

import sympy as sp

from ..algorithms import as_algorithm
from ..config import defaults
from ..errors import InputError, NotSupportedError, checked_call
from ..linalg import real_number
from ..timelimit import run_with_time_limit



@checked_call
def symbolic_stable_set(algorithm, game, point, symbol, *, time_limit=60.0, allow_noncritical=False):
    """The exact set of values ``s > 0`` of the sympy ``symbol`` (a hyperparameter of
    ``algorithm``) for which the point is strictly stable (ρ < 1).

    The characteristic polynomial p of the symbolic Jacobian (state size at most
    ``spectral.max_symbolic_state``) is made polynomial in s by clearing denominators, and the
    Schur–Cohn test decides where all its roots lie in the open unit disc: p (degree d,
    leading coefficient a_d, constant a_0) is Schur stable iff ``|a_0| < |a_d|`` and the reduced
    polynomial (a_d p(z) − a_0 zᵈ p(1/z))/z is. Each level contributes one polynomial
    inequality a_d² − a_0² > 0 in s, solved exactly by sympy (real roots, no eigenvalues,
    no square roots); the set is their intersection, minus the values where the Jacobian
    is undefined. Runs in a separate process stopped after ``time_limit`` seconds
    (:class:`~stability.errors.TimeLimitError`).
    """
    algorithm = as_algorithm(algorithm)
    if not isinstance(symbol, sp.Symbol):
        raise InputError(f"symbol must be a sympy Symbol, got {symbol!r}")
    if not any(isinstance(v, sp.Basic) and symbol in v.free_symbols for v in algorithm.hp.values()):
        raise InputError(f"{symbol} is not a hyperparameter value of {algorithm!r}; build the "
                         f"algorithm with it, e.g. algorithms.get(name, lr={symbol})")
    time_limit = real_number(time_limit, "time_limit", 0.0)
    K = algorithm.state_size(game)
    limit = defaults["spectral.max_symbolic_state"]
    if K > limit:
        raise NotSupportedError(f"the {algorithm.name} Jacobian has {K} rows; symbolic stable sets "
                                f"are limited to {limit} (config.defaults['spectral.max_symbolic_state']; use stable_step_sizes, which "
                                "brackets every boundary numerically)")
    J = algorithm.symbolic_jacobian(game, point, allow_noncritical=allow_noncritical)
    return run_with_time_limit(_schur_cohn_set, (J, symbol), time_limit, "symbolic_stable_set")


def _schur_cohn_set(J, symbol):
    s = sp.Dummy("s", positive=True)
    J = J.xreplace({symbol: s})
    if J.free_symbols - {s}:
        raise NotSupportedError(f"the Jacobian has other free symbols ({J.free_symbols - {s}}); "
                                "give numbers for every other hyperparameter and parameter")
    X = sp.Dummy("X")
    coeffs = [sp.cancel(sp.together(c)) for c in J.charpoly(X).all_coeffs()]
    denominators = [sp.fraction(c)[1] for c in coeffs]
    common = sp.lcm_list(denominators) if len(denominators) > 1 else denominators[0]
    a = [sp.Poly(sp.cancel(c * common), s) for c in coeffs]
    positive = sp.Interval.open(0, sp.oo)
    result = positive
    undefined = sp.FiniteSet(*[r for r in sp.Poly(common, s).real_roots() if r > 0]) \
        if sp.Poly(common, s).degree() > 0 else sp.EmptySet
    while len(a) > 1:
        an, a0 = a[0], a[-1]
        result = result.intersect(_positive_set(an ** 2 - a0 ** 2))
        if result is sp.EmptySet:
            return sp.EmptySet
        reduced = [an * c - a0 * r for c, r in zip(a, a[::-1])][:-1]
        g = reduced[0]
        for c in reduced[1:]:
            g = sp.gcd(g, c)
        a = [sp.Poly(sp.cancel(c.as_expr() / g.as_expr()), s) if not g.is_zero else c for c in reduced]
    return sp.Complement(result, undefined).xreplace({s: symbol})


def _positive_set(poly):
    """``{s > 0 : poly(s) > 0}`` exactly: the polynomial's real roots (isolated exactly by
    sympy, as rationals or ``CRootOf``) split (0, ∞) into intervals of constant sign, each
    decided at a rational point inside it."""
    if poly.is_zero:
        return sp.EmptySet
    roots = sorted({r for r in poly.real_roots() if r > 0}, key=lambda r: sp.N(r, 30))
    edges = [sp.Integer(0)] + roots + [sp.oo]
    out = sp.EmptySet
    for a, b in zip(edges[:-1], edges[1:]):
        if b is sp.oo:
            probe = sp.floor(sp.N(a, 30)) + 1
        else:
            probe = sp.nsimplify((sp.N(a, 30) + sp.N(b, 30)) / 2, rational=True)
        if poly.eval(probe) > 0:
            out = out.union(sp.Interval.open(a, b))
    return out
