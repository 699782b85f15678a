"""Exact decisions for formula games: complete critical-point solutions of small polynomial
systems, exact points and inertias, and verification and refinement in 40–50-digit
arithmetic (docs/NUMERICS.md §3)."""

import numpy as np
import sympy as sp

from ..config import defaults
from ..errors import StabilityError
from ..linalg import as_finite_array
from .points import CriticalPoint, CriticalPoints
from .stationarity import residual, schroder


def _nonvanishing(factor):
    return isinstance(factor, sp.exp) or (factor.is_number and factor != 0) or factor.is_positive


def degree_bound(expr, symbols):
    """An upper bound on the total degree of ``expr`` in ``symbols`` without expanding it, or
    None if it is not a polynomial in them (powers of sums are never multiplied out)."""
    if not expr.has(*symbols):
        return 0
    if expr.is_Symbol:
        return 1
    if expr.is_Add:
        parts = [degree_bound(a, symbols) for a in expr.args]
        return None if None in parts else max(parts)
    if expr.is_Mul:
        parts = [degree_bound(a, symbols) for a in expr.args]
        return None if None in parts else sum(parts)
    if expr.is_Pow and expr.exp.is_Integer and expr.exp >= 0:
        d = degree_bound(expr.base, symbols)
        return None if d is None else d * int(expr.exp)
    return None


def exact_critical_points(game):
    """Every real critical point of a formula game whose stationarity system is polynomial or
    rational (after removing factors that never vanish) with Bézout bound at most
    ``equilibria.max_bezout``, where ``sympy.solve`` is complete; None otherwise."""
    zs = game.xs + game.ys
    numerators, bound = [], 1
    exprs = game.stationarity_exprs()
    max_bezout = defaults["equilibria.max_bezout"]

    def rational_but_exp(expr):  # exp(·) factors never vanish and are removed below
        return expr.xreplace({a: sp.Dummy(positive=True) for a in expr.atoms(sp.exp)}).is_rational_function(*zs)
    if not all(rational_but_exp(expr) for expr in exprs):
        return None  # transcendental: no exact solver (checked before any rewriting)
    for expr in exprs:
        numer = sp.fraction(sp.together(expr))[0]
        keep = [f for f in sp.Mul.make_args(sp.factor_terms(numer)) if not _nonvanishing(f)]
        numer = sp.Mul(*keep)
        degree = degree_bound(numer, zs)
        if degree is None:
            return None
        bound *= max(degree, 1)
        if bound > max_bezout:
            return None  # checked before anything is expanded
        numerators.append(numer)
    polys = [sp.Poly(sp.expand(numer), *zs) for numer in numerators]
    if any(p.is_zero for p in polys):
        return None  # a whole manifold of critical points
    if np.prod([max(p.total_degree(), 1) for p in polys]) > max_bezout:
        return None
    try:
        solutions = sp.solve([p.as_expr() for p in polys], zs, dict=True)
    except (NotImplementedError, ValueError, TypeError):  # sympy gives up: go numeric
        return None
    points = []
    for sol in solutions:
        if set(sol) != set(zs):
            return None  # a positive-dimensional family: not isolated points
        values = tuple(sp.nsimplify(sol[s]) if sol[s].is_Float else sol[s] for s in zs)
        num = np.array([complex(sp.N(v, 30)) for v in values])
        if np.any(np.abs(num.imag) > 1e-12 * np.maximum(1.0, np.abs(num.real))):
            continue
        z = num.real
        try:
            res = residual(game, z)
        except StabilityError:
            continue  # a zero of a numerator where the game itself is undefined
        if np.isfinite(res):
            points.append(CriticalPoint(z, res, values))
    return CriticalPoints(sorted(points, key=lambda p: float(np.linalg.norm(p.point))), "exact", True)


def exact_point(game, point):
    """Exact coordinates of ``point`` for an exact game, or None: the values a
    :class:`CriticalPoint` carries, else each coordinate rounded to a rational with
    denominator ≤ 10⁶ (within 1e-9) and kept only if the gradient vanishes there exactly."""
    if not game.has_expressions or game.params or game.n + game.m > defaults["equilibria.max_exact"]:
        return None
    if isinstance(point, CriticalPoint):
        if point.exact is not None:
            return tuple(point.exact)
        point = point.point
    z = as_finite_array(point, "point", ndim=1)
    if z.size != game.n + game.m:
        return None
    values = []
    for v in z:
        r = sp.Rational(float(v)).limit_denominator(10 ** 6)
        if abs(float(r) - v) > defaults["equilibria.rational_rtol"] * max(1.0, abs(v)):
            return None
        values.append(r)
    at = dict(zip(game.xs + game.ys, values))
    try:  # at rational coordinates sympy evaluates what it can exactly; no simplify (unbounded)
        if all(e.xreplace(at) == 0 for e in game.stationarity_exprs()):
            return tuple(values)
    except (TypeError, ValueError, ZeroDivisionError):
        pass
    return None


def exact_inertia(M):
    """``(positive, negative, zero)`` of a symmetric sympy matrix with exact entries, or None
    when a sign cannot be decided exactly. All roots of the characteristic polynomial of a
    symmetric matrix are real, so Descartes' rule of signs counts them exactly."""
    if M.shape[0] == 0:
        return (0, 0, 0)
    coeffs = M.charpoly().all_coeffs()  # highest degree first
    signs = []
    for c in coeffs:
        c = sp.nsimplify(c) if not c.is_Rational else c
        if c.is_zero:
            signs.append(0)
        elif c.is_positive:
            signs.append(1)
        elif c.is_negative:
            signs.append(-1)
        else:
            return None
    k = len(coeffs) - 1
    variations = lambda s: sum(1 for a, b in zip(s, s[1:]) if a * b < 0)
    nonzero = [s for s in signs if s]
    pos = variations(nonzero)
    neg = variations([s * (-1) ** (k - i) for i, s in enumerate(signs) if s])
    return (pos, neg, k - pos - neg)


def exact_inertias(game, values):
    """Exact inertias of Hxx, Hyy, S and T at the exact point ``values`` (None if undecided)."""
    H = game.hessian_expr.xreplace(dict(zip(game.xs + game.ys, values)))
    if not all(e.is_number and e.is_real is not False for e in H):
        return None
    n = game.n
    Hxx, Hxy, Hyy = H[:n, :n], H[:n, n:], H[n:, n:]
    out = {"Hxx": exact_inertia(Hxx), "Hyy": exact_inertia(Hyy)}
    if out["Hyy"] is not None and out["Hyy"][2] == 0:
        out["S"] = exact_inertia(Hxx - Hxy * Hyy.inv() * Hxy.T)
    if out["Hxx"] is not None and out["Hxx"][2] == 0:
        out["T"] = exact_inertia(Hyy - Hxy.T * Hxx.inv() * Hxy)
    return None if any(v is None for v in out.values()) else out


def verified_exactly(game, z, crit, tol, dps=40):
    """For a formula game, the criticality test again in 40-digit arithmetic at the exact
    binary value of ``z`` (mpmath has no underflow): float gradients and Hessians that
    underflow to 0 (``x**98`` near 0) otherwise make non-critical points look critical."""
    if not game.has_expressions or game.params:
        return True
    import mpmath
    with mpmath.workdps(dps):
        try:
            g, H = game.mp_stationarity(z)
        except (ZeroDivisionError, ValueError, TypeError, OverflowError):
            return True  # no exact view here: the float test stands
        d = mp_solve(H, g)
        res = float(mpmath.norm(g))
        step = float(mpmath.norm(d)) if d is not None else _mp_lstsq_norm(H, g, dps)  # singular: minimal norm
    return res <= crit.limit and step <= tol * crit._length


def mp_refine(game, z, dps=50, iterations=200):
    """Newton (Schröder-accelerated) on the stationarity system in ``dps``-digit arithmetic
    from ``z``, for a candidate that float Newton could not bring onto a degenerate root:
    next to a critical line of multiplicity k, float steps stall where x1 + x2 cancels
    ((x1 + x2)³·y1 + y1² near x1 = −x2). Returns the limit as floats, or None."""
    import mpmath
    if not game.has_expressions or game.params:
        return None
    with mpmath.workdps(dps):
        p = [mpmath.mpf(float(v)) for v in z]
        previous = ratio = None
        try:
            for _ in range(iterations):
                g, H = game.mp_stationarity(p)
                d = mp_solve(H, g)
                if d is None:
                    d = mp_lstsq(H, g, dps)
                size = mpmath.norm(d)
                # converged to beyond double precision (degenerate roots converge only linearly)
                if size <= mpmath.mpf(2) ** -60 * max(1, mpmath.norm(mpmath.matrix(p))):
                    return np.array([float(v) for v in p])
                factor, ratio = schroder(size, previous, ratio)
                previous = size
                p = [p[i] - factor * d[i] for i in range(len(p))]
        except (ZeroDivisionError, ValueError, TypeError, OverflowError):
            return None
    return None


def mp_lstsq(H, g, dps):
    """``H⁺g`` in mpmath by an SVD at ``dps`` digits plus twice the spread (in decades) of H's
    nonzero entries; singular values below 10^−(dps + spread) of the largest count as zero."""
    import mpmath
    entries = [abs(v) for v in H if v != 0]
    d = mpmath.matrix(H.cols, 1)
    if not entries:
        return d
    spread = int(mpmath.log10(max(entries) / min(entries))) + 1
    with mpmath.workdps(dps + 2 * spread):
        U, S, V = mpmath.svd_r(H)
        cut = max(S) * mpmath.mpf(10) ** (-(dps + spread))
        for i in range(len(S)):
            if S[i] > cut:
                coef = sum(U[k, i] * g[k] for k in range(H.rows)) / S[i]
                for k in range(H.cols):
                    d[k] += coef * V[i, k]
    return d


def _mp_lstsq_norm(H, g, dps):
    """‖H⁺g‖ for an exactly singular ``H`` (a non-isolated critical set, or a point next to
    one): the minimal-norm Newton step, at a precision raised by the spread of H's entries so
    that a singular value of 1e-84 next to 1 (the Hessian of s⁹⁹ at s = 0.125 beside that of
    x1·y1) is resolved and not rounded to zero. H = 0 with g ≠ 0: no critical point (inf)."""
    import mpmath
    if all(v == 0 for v in H):
        return 0.0 if mpmath.norm(g) == 0 else float("inf")
    return float(mpmath.norm(mp_lstsq(H, g, dps)))


def mp_solve(H, g):
    """``H⁻¹g`` by Gaussian elimination with partial pivoting in mpmath, or None if a pivot
    is exactly 0 (mpmath's own LU refuses pivots below an absolute threshold)."""
    import mpmath
    N = H.rows
    A = [[H[i, j] for j in range(N)] + [g[i]] for i in range(N)]
    for k in range(N):
        p = max(range(k, N), key=lambda i: abs(A[i][k]))
        if A[p][k] == 0:
            return None
        A[k], A[p] = A[p], A[k]
        for i in range(k + 1, N):
            f = A[i][k] / A[k][k]
            A[i] = [a - f * b for a, b in zip(A[i], A[k])]
    x = [mpmath.mpf(0)] * N
    for i in reversed(range(N)):
        x[i] = (A[i][N] - sum(A[i][j] * x[j] for j in range(i + 1, N))) / A[i][i]
    return mpmath.matrix(x)
