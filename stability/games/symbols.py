"""Formula handling shared by the formula games: the players' symbols, expressions checked
against the whitelist, parameter substitution, and vectorised (numpy) and 50-digit (mpmath)
evaluation of lists of expressions."""

import keyword
import threading

import numpy as np
import sympy as sp

from ..config import defaults
from ..errors import FormulaError, InputError, NonFiniteError, unknown_name
from ..formula import CONSTANTS, FUNCTIONS, check_expression, check_real, parse_formula
from ..linalg import real_number, short


def declare_symbols(spec, player):
    """Symbols of one player from ``"x1,x2"``, ``["x1", "x2"]`` or sympy symbols."""
    if isinstance(spec, str) and len(spec) > 100_000:
        raise FormulaError(f"{player} variable list is {len(spec)} characters long")
    if isinstance(spec, (str, sp.Symbol)):
        spec = [spec] if isinstance(spec, sp.Symbol) else [s for s in spec.replace(" ", "").split(",")]
    try:
        items = list(spec)
    except TypeError:
        raise InputError(f"{player} variables must be names or sympy symbols, got {spec!r}") from None
    symbols = []
    for item in items:
        if isinstance(item, sp.Symbol):
            if item.name in FUNCTIONS or item.name in CONSTANTS:
                raise FormulaError(f"{player} variable {item.name!r} clashes with a function or constant name")
            # a player's variable is real whatever the caller's symbol assumes (a complex
            # symbol would keep sqrt(psi**2) from being seen as Abs(psi)); parameters keep theirs
            symbols.append(item if player == "parameter" else sp.Symbol(item.name, real=True))
        elif isinstance(item, str) and item.isidentifier() and not keyword.iskeyword(item):
            if item in FUNCTIONS or item in CONSTANTS:
                raise FormulaError(f"{player} variable {item!r} clashes with a function or constant name")
            symbols.append(sp.Symbol(item, real=True))
        else:
            raise FormulaError(f"{player} variable {item!r} is not a valid name")
    if not symbols:
        raise InputError(f"no {player} variables declared")
    return symbols


def declare_players(x, y):
    xs, ys = declare_symbols(x, "leader (x)"), declare_symbols(y, "follower (y)")
    limit = defaults["games.max_formula_variables"]
    if len(xs) + len(ys) > limit:
        raise FormulaError(f"{len(xs) + len(ys)} variables: formula games are limited to "
                           f"{limit} (config.defaults['games.max_formula_variables']; their Hessian is symbolic); give larger games as "
                           "Game.quadratic blocks or Game.from_callables with an hvp")
    names = [s.name for s in xs + ys]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise FormulaError(f"variable(s) {', '.join(dup)} declared twice "
                           "(each name may belong to one player only, once)")
    return xs, ys


def to_expr(expr, xs, ys, params=()):
    by_name = {s.name: s for s in list(xs) + list(ys) + list(params)}
    if isinstance(expr, str):
        return parse_formula(expr, by_name)
    if not isinstance(expr, sp.Expr):
        raise FormulaError(f"expected a formula string or a sympy expression, got {type(expr).__name__}")
    undeclared = sorted(s.name for s in expr.free_symbols if s.name not in by_name)
    if undeclared:
        raise FormulaError(f"expression uses undeclared symbol(s) {', '.join(undeclared)}; "
                           f"declared: {', '.join(by_name)}")
    try:
        check_expression(expr, type(expr).__name__)  # bounded before anything is rebuilt
        # the declared (real) symbols in place of the user's: sympy re-evaluates on the way,
        # so what the game really is gets checked (sqrt(psi**2) becomes Abs(psi) for real psi)
        expr = expr.xreplace({s: by_name[s.name] for s in expr.free_symbols})
        check_real(expr, str(expr)[:200])
        check_expression(expr, type(expr).__name__)
    except RecursionError:
        raise FormulaError("the expression is nested too deeply") from None
    return expr


def substitute(expr, params, values):
    """``expr`` with numbers for named parameters; each name must be a declared parameter."""
    by_name = {p.name: p for p in params}
    table = {}
    for name, value in values.items():
        key = name.name if isinstance(name, sp.Symbol) else name
        if key not in by_name:
            raise unknown_name("parameter", key, by_name)
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating, sp.Number)):
            raise InputError(f"parameter {key} must be given a real number, got {short(value)}")
        real_number(value, f"parameter {key}")
        table[by_name[key]] = (sp.Rational(repr(float(value))) if isinstance(value, (float, np.floating))
                               else sp.sympify(value))
    out = expr.xreplace(table)
    check_real(out, str(out))
    return out


def vectorised(exprs, symbols):
    """A numpy function of points ``(..., N)`` returning ``(..., len(exprs))``."""
    fn = sp.lambdify(symbols, list(exprs), modules="numpy", cse=True)

    def call(points):
        with np.errstate(all="ignore"):  # overflow is reported by callers as non-finite
            try:
                cols = fn(*np.moveaxis(points, -1, 0))
            except (OverflowError, ZeroDivisionError) as exc:
                raise NonFiniteError(f"evaluating the formula failed: {exc}") from None
        shape = points.shape[:-1]
        out = np.empty(shape + (len(cols),))
        if not shape:  # one point: every entry is a scalar
            out[:] = cols
            return out
        for i, c in enumerate(cols):  # constants broadcast over the batch
            out[..., i] = c
        return out

    return call



class LastCall:
    """A one-entry memo of a vectorised function of points. The engine evaluates the gradient
    at the same points twice per step (its convergence test, then the update) and FR-type maps
    the Hessian twice (the product and the solve); with the memo each is computed once. The
    points are compared entry by entry (never by identity), per thread; results are read-only,
    so no caller can change what a later call returns."""

    def __init__(self, fn):
        self.fn, self.local = fn, threading.local()

    def __call__(self, points):
        last = getattr(self.local, "last", None)
        if last is not None and last[0].shape == points.shape and np.array_equal(last[0], points):
            return last[1]
        out = self.fn(points)
        out.flags.writeable = False
        self.local.last = (np.array(points), out)
        return out


def mp_evaluate(functions, point):
    """``(vector, square matrix)`` from a pair of mpmath-lambdified functions (a vector and a
    flattened matrix of expressions) at ``point``: floats taken as exact binary numbers,
    mpmath numbers as they are."""
    import mpmath
    args = [v if isinstance(v, mpmath.mpf) else mpmath.mpf(float(v)) for v in point]
    N = len(args)
    g = mpmath.matrix(functions[0](*args))
    H = mpmath.matrix(N, N)
    for k, v in enumerate(functions[1](*args)):
        H[k // N, k % N] = v
    return g, H
