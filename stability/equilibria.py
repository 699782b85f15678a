"""Critical points and their classification (the concepts: docs/NUMERICS.md).

Verdicts are decided from the eigenvalues of the Hessian blocks ``Hxx``, ``Hyy`` and the
Schur complements ``S = Hxx − Hxy Hyy⁻¹ Hyx``, ``T = Hyy − Hyx Hxx⁻¹ Hxy``, with a zero
tolerance ``rtol · ‖H‖₂`` that scales with the Hessian; an eigenvalue inside it makes the
second-order test inconclusive, never a guess.
"""

from dataclasses import dataclass, field

import numpy as np
import scipy.optimize as opt
import sympy as sp

from .errors import InputError, NotCriticalError, NotSupportedError, StabilityError, checked_call
from .games.base import ExpressionGame, GeneralSumGame, QuadraticGame, _vectorised, check_game, mp_evaluate
from .linalg import (COND_ERROR, as_finite_array, count, inertia, interval, real_number, safe_norm, short,
                     symmetric_part)

RTOL = 1e-9
"""Default zero tolerance for eigenvalues, relative to ‖H‖₂."""
GTOL = 1e-8
"""Default gradient-residual tolerance, relative to max(1, ‖H‖₂·‖z‖)."""
MAX_BEZOUT = 4
"""Largest Bézout bound for which critical points are solved exactly with sympy. Up to 4
the eliminant has degree ≤ 4, so it is solvable in radicals and sympy's answer is complete;
beyond, ``sympy.solve`` may silently return a subset (it drops all but the origin for g3)."""


@dataclass(frozen=True)
class CriticalPoint:
    """A critical point with its gradient residual; ``exact`` holds sympy values when solved
    exactly. ``free_directions`` (rows, orthonormal) are the directions along which the
    critical set extends through this point: empty for an isolated point, else the point
    represents a non-isolated critical set of that dimension (e.g. a variable the game does
    not depend on)."""

    point: np.ndarray
    residual: float
    exact: tuple = None
    free_directions: np.ndarray = None

    @property
    def isolated(self):
        return self.free_directions is None or len(self.free_directions) == 0

    @property
    def dimension(self):
        """Dimension of the critical set through the point (0: isolated)."""
        return 0 if self.isolated else len(self.free_directions)

    def __repr__(self):
        values = self.exact if self.exact is not None else tuple(float(v) for v in np.round(self.point, 10))
        extra = "" if self.isolated else f", non-isolated (dimension {self.dimension})"
        return f"CriticalPoint({values}, residual={self.residual:.2e}{extra})"


class CriticalPoints(list):
    """The critical points found (a list of :class:`CriticalPoint`) and how they were found.

    Attributes
    ----------
    method : str
        ``"exact"`` (complete: every real solution), ``"quadratic"`` (linear system) or
        ``"numeric"`` (root finding from random starts in ``bounds``).
    complete : bool
        True when the answer is provably complete (exact, quadratic) or, for a numeric search,
        when every point was reached from at least two starts (a Good–Turing estimate of the
        chance that a further start finds a new point is then 0); False: points may be missing.
    coverage : dict
        For numeric searches: ``bounds``, ``starts`` (used), ``converged`` (starts that ended
        at a verified point), ``hits`` (per point), ``found_once`` (points reached from one start
        only), ``rejected`` (candidates with a small residual that failed verification: a
        degenerate or flat region), ``non_isolated`` (components reported by a representative).
    """

    def __init__(self, points, method, complete, coverage=None):
        super().__init__(points)
        self.method, self.complete, self.coverage = method, complete, dict(coverage or {})

    def __repr__(self):
        return (f"CriticalPoints({list.__repr__(self)}, method={self.method!r}, "
                f"complete={self.complete})")


def _full_hessian(Hxx, Hxy, Hyy):
    return np.block([[Hxx, Hxy], [Hxy.T, Hyy]])


# --- critical points ---------------------------------------------------------------------
def stationarity_exprs(game):
    """The expressions whose common zeros are the critical points: ``∇f`` for zero-sum games,
    ``(Dx f, ∇y g)`` for general-sum ones (``Dx f = ∇x f − Gxy Gyy⁻¹ ∇y f``)."""
    if isinstance(game, GeneralSumGame):
        return list(game.total_derivative_exprs()) + game.follower_grad_exprs[game.n:]
    return list(game.grad_exprs)


def residual(game, point):
    """Norm of the stationarity conditions at ``point``."""
    z = as_finite_array(point, "point", ndim=1)
    return float(np.linalg.norm(stationarity_system(game)[0](z)))


def stationarity_system(game):
    """``(F, J)``: the stationarity map of one point (``∇f`` for zero-sum games, ``(Dx f, ∇y g)``
    for general-sum ones) and its Jacobian (the Hessian, resp. the exact Jacobian of that map,
    third derivatives of g included). Root finding, Newton refinement and criticality tests
    run on this one pair whatever the kind of game."""
    if not isinstance(game, GeneralSumGame):
        return game.gradient_at, lambda z: _full_hessian(*game.blocks_at(z))
    if game.__dict__.get("_stationarity") is None:
        zs = game.xs + game.ys
        exprs = stationarity_exprs(game)
        jac = sp.Matrix(exprs).jacobian(zs)
        F, J, N = _vectorised(exprs, zs), _vectorised(list(jac), zs), len(zs)
        game._stationarity = (
            lambda z: as_finite_array(F(np.concatenate(game.split(z), axis=-1)), "stationarity conditions"),
            lambda z: as_finite_array(J(np.concatenate(game.split(z), axis=-1)).reshape(N, N),
                                      "Jacobian of the stationarity conditions"),
            exprs, jac)
    return game._stationarity[:2]


def _mp_system(game, z):
    """The stationarity map and its Jacobian at ``z`` in mpmath (formula games only)."""
    if not isinstance(game, GeneralSumGame):
        return game.mp_derivatives(z)
    stationarity_system(game)
    if game.__dict__.get("_mp_stationarity") is None:
        zs = game.xs + game.ys
        _, _, exprs, jac = game._stationarity
        game._mp_stationarity = (sp.lambdify(zs, exprs, modules="mpmath"),
                                 sp.lambdify(zs, list(jac), modules="mpmath"))
    return mp_evaluate(game._mp_stationarity, z)


MAX_STARTS = 100_000
"""Largest number of starts a numeric critical-point search may use."""


@checked_call
def critical_points(game, *, method="auto", bounds=(-10.0, 10.0), starts=256, seed=0, tol=GTOL,
                    max_starts=None):
    """Critical points of a game.

    Parameters
    ----------
    game : Game
    method : {"auto", "exact", "numeric"}
        ``exact`` solves the stationarity system with sympy (polynomial or rational systems
        after removing factors that never vanish, Bézout bound ≤ ``MAX_BEZOUT``); ``numeric``
        runs scipy's root finder from seeded random points in the box ``bounds``; ``auto``
        tries exact first.
    bounds : (lo, hi)
        The box ``[lo, hi]^(n+m)`` a numeric search covers.
    starts : int
        Starts per round of the numeric search.
    seed : int
        Seed of the starts.
    tol : float
        Relative criticality tolerance of a numeric root (see :func:`classify`'s ``gtol``):
        every reported point is Newton-refined and verified on the game's own scale.
    max_starts : int
        The numeric search adds rounds of ``starts`` starts while some point was reached from
        one start only, up to ``max_starts`` in all (default ``8 * starts``).

    Returns
    -------
    CriticalPoints
        A list of :class:`CriticalPoint`, sorted by distance to the origin, with ``method``,
        ``complete`` and ``coverage``. A non-isolated critical set (a line, a plane, a curve)
        is reported by representatives with their ``free_directions``, never enumerated. A
        numeric search that may have missed points warns (:class:`StabilityWarning`).
    """
    check_game(game)
    if method not in ("auto", "exact", "numeric"):
        raise InputError(f"method must be 'auto', 'exact' or 'numeric', got {method!r}")
    lo, hi = interval(bounds, "bounds")
    starts = count(starts, "starts")
    max_starts = 8 * starts if max_starts is None else count(max_starts, "max_starts")
    if max_starts > MAX_STARTS or starts > MAX_STARTS:
        raise InputError(f"starts and max_starts must be at most {MAX_STARTS}, got {short(starts)}, {short(max_starts)}")
    max_starts = max(max_starts, starts)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError(f"seed must be a non-negative integer, got {seed!r}")
    tol = real_number(tol, "tol", 0.0)
    if isinstance(game, QuadraticGame):
        return _quadratic_critical_point(game)
    if getattr(game, "params", None):
        raise NotSupportedError("the game has symbolic parameters; substitute numbers first "
                                "(game.subs(...)) to find its critical points")
    if isinstance(game, ExpressionGame) and all(e == 0 for e in stationarity_exprs(game)):
        N = game.n + game.m  # f does not depend on the players at all: every point is critical
        from .linalg import warn
        warn("every point is critical (the stationarity conditions vanish identically): "
             f"one representative of the whole {N}-dimensional space is reported")
        return CriticalPoints([CriticalPoint(np.zeros(N), 0.0, (sp.Integer(0),) * N, np.eye(N))],
                              "exact", True)
    if isinstance(game, ExpressionGame) and method in ("auto", "exact"):
        exact = _exact_critical_points(game)
        if exact is not None:
            return exact
        if method == "exact":
            raise InputError("the stationarity system is not polynomial/rational or too large to "
                             f"solve exactly (Bézout bound > {MAX_BEZOUT}); use method='numeric'")
    return _numeric_critical_points(game, (lo, hi), starts, max_starts, seed, tol)


def _quadratic_critical_point(game):
    Hxx, Hxy, Hyy = game.dense_blocks()
    H = _full_hessian(Hxx, Hxy, Hyy)
    b = np.concatenate([game.bx, game.by])
    z, *_ = np.linalg.lstsq(H, -b, rcond=None)
    res = float(np.linalg.norm(H @ z + b))
    scale = _norm2(H)
    if res > GTOL * max(scale * max(1.0, float(np.linalg.norm(z))), np.linalg.norm(b)):
        return CriticalPoints([], "quadratic", True)
    w, U = np.linalg.eigh(H) if H.size else (np.zeros(0), np.zeros((0, 0)))
    null = U[:, np.abs(w) <= RTOL * scale].T
    return CriticalPoints([CriticalPoint(z, res, None, null if len(null) else None)], "quadratic", True)


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


def _exact_critical_points(game):
    zs = game.xs + game.ys
    numerators, bound = [], 1
    exprs = stationarity_exprs(game)
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
        if bound > MAX_BEZOUT:
            return None  # checked before anything is expanded
        numerators.append(numer)
    polys = [sp.Poly(sp.expand(numer), *zs) for numer in numerators]
    if any(p.is_zero for p in polys):
        return None  # a whole manifold of critical points
    if np.prod([max(p.total_degree(), 1) for p in polys]) > MAX_BEZOUT:
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


def _newton_refine(game, z, iterations=60):
    """Newton on ∇f = 0 from ``z``; stops when the step is at rounding level or stalls.

    At a root of multiplicity k Newton converges only linearly, the step shrinking by
    r = (k − 1)/k per iteration (x⁴⁰ near 0: r = 39/40). When two successive ratios agree,
    the step is multiplied by 1/(1 − r) = k (Schröder's modified Newton), which lands on such
    a root; the candidate is kept only if its gradient is no larger."""
    F, J = stationarity_system(game)
    best = z
    try:
        best_res = float(np.linalg.norm(F(z)))
    except StabilityError:
        return z
    tiny = lambda d, p: np.linalg.norm(d) <= 4 * np.finfo(float).eps * max(1.0, np.linalg.norm(p))
    previous, ratio = None, None
    for _ in range(iterations):
        try:
            H, g = J(best), F(best)
        except StabilityError:
            break
        with np.errstate(all="ignore"):
            try:
                d = np.linalg.solve(H, g)
            except np.linalg.LinAlgError:
                d = np.linalg.lstsq(H, g, rcond=None)[0]
        if not np.all(np.isfinite(d)):
            break
        size = float(np.linalg.norm(d))
        candidates = [best - d]
        factor, ratio = _schroder(size, previous, ratio)
        if factor > 1:
            candidates.insert(0, best - d * factor)
        previous = size
        moved = False
        for candidate in candidates:
            try:
                res = float(np.linalg.norm(F(candidate)))
            except StabilityError:
                continue
            if res <= best_res:
                best, best_res, moved = candidate, res, True
                break
        if not moved or tiny(d, best) or best_res == 0:
            break
    return best


def _schroder(size, previous, ratio):
    """``(factor, ratio)`` for Schröder's modified Newton: with ``r`` the ratio of successive
    step sizes, two ratios that agree (a root of multiplicity k, r = (k − 1)/k) give the step
    factor ``1/(1 − r) = k``; otherwise 1. ``ratio`` is the previous ratio (None at first)."""
    if not previous:
        return 1, ratio
    r = size / previous
    factor = 1
    if ratio is not None and 0.5 <= r < 1 and abs(r - ratio) < 1e-2 * (1 - r):
        factor = int(round(float(1 / (1 - r))))
    return factor, r


def _null_space(J, crit):
    """The near-null directions of the Jacobian ``J`` (columns): singular values within the
    zero tolerance ``RTOL · scale + hessian_error`` of :class:`Criticality`."""
    _, w, Vt = np.linalg.svd(J)  # |eigenvalues| and eigenvectors for a symmetric Hessian
    return Vt[w <= RTOL * crit.scale + crit.hessian_error].T


def _free_directions(game, z, crit, gtol):
    """Directions along which the critical set extends through ``z``, as orthonormal rows
    (None: isolated). A near-null direction v of the Jacobian is *tangent* to the critical set
    when the hyperplane through ``z + t v`` orthogonal to v holds a critical point within
    ``t/10`` of ``z + t v`` (:func:`_tangent`): lines, planes and curved components alike. The
    basis is grown greedily: a direction joins only if two seeded random combinations of it
    with those already accepted are tangent too, so at a crossing of components
    (x1²y1² + x2²y2², a union of coordinate planes) the reported dimension is that of one
    component (2), not the count of tangent directions (4)."""
    null = _null_space(stationarity_system(game)[1](z), crit)
    free = []
    unused = _unused_variables(game)
    if unused:  # variables no stationarity condition depends on: free, exactly
        E = np.eye(z.size)[unused]
        free = list(E)
        null = null - E.T @ (E @ null)  # what is left of the null space
        s = np.linalg.svd(null, full_matrices=False) if null.size else None
        null = s[0][:, s[1] > 1e-8] if s is not None else null
    rng = np.random.default_rng(0)
    accepted = []
    for v in null.T:
        # the secant to the critical point the probe along v finds: a near-null basis vector
        # need not be tangent itself (at a triple root the whole Hessian nearly vanishes, and
        # its null space is wider than the tangent space), the secant to a point of the set is
        p, _ = _hyperplane_root(game, z, v, crit, gtol)
        if p is None or not np.linalg.norm(p - z) > 0:
            continue
        d = p - z
        for a in accepted:  # what the accepted directions do not span already
            d = d - (a @ d) * a
        if np.linalg.norm(d) <= 0.5 * np.linalg.norm(p - z):
            continue
        d = d / np.linalg.norm(d)
        combos = [rng.standard_normal(len(accepted) + 1) for _ in range(2 if accepted else 0)]
        trial = [d] + [np.array(accepted + [d]).T @ c for c in combos]
        if all(_tangent(game, z, u / np.linalg.norm(u), crit, gtol) for u in trial):
            accepted.append(d)
    free += accepted
    return np.array(free) if free else None


def _tangent(game, z, v, crit, gtol):
    """Whether ``v`` is tangent to the critical set at ``z``: a critical point on the
    hyperplane through ``z + t v`` orthogonal to ``v`` within ``t/10`` of ``z + t v``."""
    p, t = _hyperplane_root(game, z, v, crit, gtol)
    return p is not None and float(np.linalg.norm(p - (z + t * v))) <= 0.1 * t


def _hyperplane_root(game, z, v, crit, gtol):
    """``(p, t)``: a critical point ``p`` on the hyperplane through ``z + t v`` orthogonal to
    ``v`` (None if none is found), in extended precision for polynomial formula games, else by
    float Gauss–Newton and the criticality test."""
    exact = _absolute_system(game) is not None  # decided relative to the size of the terms
    t = (1e-2 if exact else 1e-3) * max(1.0, float(np.linalg.norm(z)))
    Q = np.linalg.svd(np.eye(z.size) - np.outer(v, v))[0][:, :z.size - 1]  # the hyperplane ⟂ v
    if exact:
        return _on_exact_hyperplane_root(game, z + t * v, Q, crit), t
    F, J = stationarity_system(game)
    p = z + t * v
    for _ in range(30):
        try:
            g, Hp = F(p), J(p)
        except StabilityError:
            break
        if np.linalg.norm(g) <= crit.limit:
            return (p if criticality(game, p, Hp, gtol).is_critical(gtol) else None), t
        step = np.linalg.lstsq(Hp @ Q, g, rcond=None)[0]
        if not np.all(np.isfinite(step)):
            break
        p = p - Q @ step
    return None, t


def _absolute_system(game):
    """For a polynomial or rational formula game, its stationarity expressions with every
    sum replaced by the sum of the absolute values of its terms (mpmath functions): the size
    of what is added up when the conditions are evaluated, against which a residual is
    measured. None for other games."""
    if not isinstance(game, ExpressionGame) or game.params:
        return None
    if "_absolute" not in game.__dict__:
        def absolute(e):
            if e.is_Number or e.is_Symbol:
                return sp.Abs(e)
            if e.is_Add or e.is_Mul:
                parts = [absolute(a) for a in e.args]
                if any(p is None for p in parts):
                    return None
                return sp.Add(*parts) if e.is_Add else sp.Mul(*parts)
            if e.is_Pow and e.exp.is_Integer:
                base = absolute(e.base) if e.exp > 0 else sp.Abs(e.base)
                return None if base is None else base ** e.exp
            return None
        exprs = [absolute(sp.factor_terms(e)) for e in stationarity_exprs(game)]
        zs = game.xs + game.ys
        game._absolute = None if any(e is None for e in exprs) else sp.lambdify(zs, exprs, modules="mpmath")
    return game._absolute


def _on_exact_hyperplane_root(game, start, Q, crit, dps=50):
    """For a polynomial formula game: the critical point on the hyperplane ``start + span(Q)``
    that Gauss–Newton from ``start`` reaches, or None. In ``dps``-digit
    arithmetic must drive each stationarity condition to within 10^−(dps−10) of the size of
    its terms (:func:`_absolute_system`): a root to working precision, not merely a small
    value. A float probe, or any absolute threshold, cannot tell a critical curve from a
    valley where ∇f is tiny: x¹⁰⁰ − y² at x = 0.01 has ∇f = (1e-196, 0) — a single term, so
    relative residual 1 — while on the circle of (x² + y² − 1)² the terms cancel to 50 digits."""
    import mpmath
    absolute = _absolute_system(game)
    with mpmath.workdps(dps):
        Qm = mpmath.matrix(Q.tolist())
        p = mpmath.matrix(start.tolist())
        floor = mpmath.mpf(10) ** (10 - dps)
        try:
            for _ in range(120):  # degenerate (triple) roots converge only linearly
                point = [p[i] for i in range(start.size)]
                g, H = _mp_system(game, point)
                sizes = absolute(*point)
                if all(abs(g[i]) <= floor * sizes[i] for i in range(len(sizes))):
                    return np.array([float(v) for v in point])
                step = _mp_lstsq(H * Qm, g, dps)
                if mpmath.norm(step) <= mpmath.mpf(10) ** (5 - dps) * max(1, mpmath.norm(p)):
                    return None  # converged to a nonzero residual: no critical point there
                p = p - Qm * step
        except (ZeroDivisionError, ValueError, TypeError, OverflowError):
            return None
    return None


MAX_EXACT_NULLITY = 12
"""Largest null space of the exact Jacobian in which :func:`_exact_free_directions` searches."""
EXACT_FREE_SECONDS = 10.0
"""Time limit of the exact solve for null spaces of more than 3 dimensions."""


def _solve_conditions(conditions, unknowns):
    try:
        return sp.solve(conditions, unknowns, dict=True)
    except (NotImplementedError, ValueError, TypeError) as exc:
        raise NotSupportedError(f"sympy could not solve the line conditions: {exc}") from None


def _exact_free_directions(game, values):
    """The free directions at the exact critical point ``values`` of a polynomial formula game,
    decided exactly, or None when that is not possible (then the numeric probe decides).

    Lines through z* inside the critical set have directions v = N c in the null space N of
    the exact Jacobian J(z*) with F(z* + s N c) ≡ 0 in s: every coefficient of that polynomial
    in s is a polynomial in c that must vanish. Their common zeros are solved exactly; the
    largest linear family among them spans the free directions. No numeric threshold is
    involved, so flatness of high order is not mistaken for criticality:
    (x1 + x2 + y1 + y2)**99 + x1*y1 has the critical line x1 = y1 = 0, x2 = −y2 (dimension 1),
    although its Hessian at 0 has a 2-dimensional null space along which ∇f = O(s⁹⁸).
    Returns an empty array for a point proven isolated along every line (a curved component
    is still found numerically: None is returned when no line is found but the null space
    is not trivial)."""
    if not isinstance(game, ExpressionGame) or game.params or game.n + game.m > MAX_EXACT:
        return None
    zs = game.xs + game.ys
    exprs = stationarity_exprs(game)
    if any(degree_bound(e, zs) is None or degree_bound(e, zs) > 200 for e in exprs):
        return None  # not polynomial, or too large to expand
    at = dict(zip(zs, values))
    try:
        J = sp.Matrix(exprs).jacobian(zs).xreplace(at)
        null = J.nullspace()
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if not null:
        return np.zeros((0, len(zs)))
    if len(null) > MAX_EXACT_NULLITY:
        return None
    c = sp.symbols(f"c0:{len(null)}")
    t = sp.Dummy("s")
    direction = sum((ci * v for ci, v in zip(c, null)), sp.zeros(len(zs), 1))
    line = {z: values[i] + t * direction[i] for i, z in enumerate(zs)}
    conditions = []
    for e in exprs:
        poly = sp.Poly(sp.expand(e.xreplace(line)), t)
        conditions += [q for q in poly.all_coeffs() if q != 0]
    if not conditions:
        solutions = [{}]  # F vanishes on the whole null space through z*
    elif len(null) <= 3:
        try:
            solutions = sp.solve(conditions, c, dict=True)
        except (NotImplementedError, ValueError, TypeError):
            return None
    else:  # more unknowns: sympy may take long, so in a separate process with a time limit
        from .spectral import run_with_time_limit
        try:
            solutions = run_with_time_limit(_solve_conditions, (conditions, c), EXACT_FREE_SECONDS,
                                            "the exact free-direction conditions")
        except StabilityError:
            return None  # undecided in time (or by sympy): the numeric probe decides
    best = None
    for sol in solutions:
        free_c = [ci for ci in c if ci not in sol]
        if not free_c or not all(sp.Poly(sol.get(ci, ci), *free_c).is_linear or sol.get(ci, ci) == 0
                                 for ci in c):
            continue
        basis = [[float(sp.diff(direction.xreplace(sol)[i], f)) for i in range(len(zs))] for f in free_c]
        if best is None or len(basis) > len(best):
            best = basis
    if best is None:
        return None  # no line inside the critical set: a curved component or isolated; probe numerically
    q, _ = np.linalg.qr(np.array(best).T)
    return q.T


def _unused_variables(game):
    """Indices of the variables that no stationarity expression contains (formula games)."""
    if not isinstance(game, ExpressionGame) or game.params:
        return []
    used = set().union(*(e.free_symbols for e in stationarity_exprs(game)))
    return [i for i, s in enumerate(game.xs + game.ys) if s not in used]


def _numeric_critical_points(game, bounds, starts, max_starts, seed, tol):
    with np.errstate(all="ignore"):  # overflow far out is refused by the finiteness checks, not warned
        return _numeric_search(game, bounds, starts, max_starts, seed, tol)


def _numeric_search(game, bounds, starts, max_starts, seed, tol):
    from .linalg import warn
    lo, hi = bounds
    N = game.n + game.m
    fun, jac = stationarity_system(game)
    budget = [MP_REFINEMENTS]
    rng = np.random.default_rng(seed)
    found, hits, rejected, used, extra = [], [], 0, 0, 0
    while used < max_starts:
        batch = min(starts, max_starts - used)
        for z0 in rng.uniform(lo, hi, (batch, N)):
            with np.errstate(all="ignore"):
                try:
                    sol = opt.root(fun, z0, jac=jac, method="hybr")
                except (StabilityError, ValueError, np.linalg.LinAlgError):
                    continue  # a start where the game's functions are not finite
            z = sol.x
            if not np.all(np.isfinite(z)):
                continue
            verdict = _verify(game, z, tol, found, hits, (lo, hi), budget)
            inside = np.all(z >= lo - 1e-9) and np.all(z <= hi + 1e-9)
            if verdict == "rejected" and sol.success and inside:
                rejected += 1  # the root finder converged there, verification refused it
            extra += verdict == "extra"
        used += batch
        if not any(h == 1 for h, p in zip(hits, found) if p.isolated):
            break  # every point seen at least twice (or none at all): more starts are unlikely to help
    inside = [i for i, p in enumerate(found) if np.all(p.point >= lo - 1e-9) and np.all(p.point <= hi + 1e-9)]
    found, hits = [found[i] for i in inside], [hits[i] for i in inside]
    once = sum(1 for h, p in zip(hits, found) if h == 1 and p.isolated)
    non_isolated = sum(1 for p in found if not p.isolated)
    coverage = {"bounds": (lo, hi), "starts": used, "converged": int(sum(hits)) + extra,
                "hits": list(hits), "found_once": once, "rejected": rejected,
                "non_isolated": non_isolated, "non_isolated_not_reported": extra}
    complete = once == 0 and rejected == 0 and extra == 0
    if non_isolated:
        warn(f"the critical set is not isolated: {non_isolated} representative(s) of "
             "components of positive dimension are reported with their free directions"
             + (f" ({extra} further points on such components were not enumerated)" if extra else ""))
    if once or rejected:
        why = []
        if once:
            why.append(f"{once} of {len(found)} points were reached from one start only")
        if rejected:
            why.append(f"{rejected} candidates with a small gradient failed Newton verification "
                       "(a degenerate critical point or a flat region may lie near them)")
        warn(f"the numeric critical-point search in [{lo:g}, {hi:g}]^{N} ({used} starts) "
             f"may be incomplete: {'; '.join(why)}")
    order = sorted(range(len(found)), key=lambda i: float(np.linalg.norm(found[i].point)))
    return CriticalPoints([found[i] for i in order], "numeric", complete,
                          {**coverage, "hits": [hits[i] for i in order]})


MAX_NON_ISOLATED = 8
"""Most representatives of non-isolated critical sets a numeric search reports."""


MP_REFINEMENTS = 8
"""Most candidates of one numeric search refined in extended precision (:func:`_mp_refine`)."""


def _verify(game, z, tol, found, hits, box=None, refine_budget=None):
    """Refine, verify and record one root-finder result; returns "new", "seen", "rejected"
    (a candidate that fails verification) or "extra" (one more point of a non-isolated set
    once :data:`MAX_NON_ISOLATED` representatives are reported)."""
    F, J = stationarity_system(game)
    z = _newton_refine(game, z)
    if box is not None and (np.any(z < box[0] - 1e-9) or np.any(z > box[1] + 1e-9)):
        return "outside"

    def verified(z):  # its Criticality, or None when z fails verification
        try:
            crit = criticality(game, z, J(z), tol)
        except StabilityError:
            return None
        ok = crit.scale > 0 and crit.is_critical(tol) and _verified_exactly(game, z, crit, tol)
        return crit if ok else None

    if _hit(found, hits, z):
        return "seen"
    crit = verified(z)
    if crit is None:
        # float Newton may stall next to a degenerate root: refine in extended precision once
        try:
            small = float(np.linalg.norm(F(z))) <= 1e-3 * max(_norm2(J(z)), 1.0)
        except StabilityError:
            small = False
        if not (small and refine_budget and refine_budget[0] > 0):
            return "rejected"
        refine_budget[0] -= 1
        z = _mp_refine(game, z)
        if z is None:
            return "rejected"
        if _hit(found, hits, z):
            return "seen"
        crit = verified(z)
        if crit is None:
            return "rejected"
    exact = exact_point(game, z)
    res = crit.residual
    if exact is not None:
        z = np.array([float(v) for v in exact])
        res = float(np.linalg.norm(F(z)))
    if sum(1 for p in found if not p.isolated) >= MAX_NON_ISOLATED and _null_space(J(z), crit).size:
        return "extra"  # enough representatives: a further degenerate point is not probed
    free = _exact_free_directions(game, exact) if exact is not None else None
    if free is None:
        free = _free_directions(game, z, crit, tol)
    elif not len(free):
        free = None  # proven isolated
    if free is not None:
        if sum(1 for p in found if not p.isolated) >= MAX_NON_ISOLATED:
            return "extra"
        before = exact
        z, res, exact = _representative(game, z, res, exact, free, crit)
        decided = _exact_free_directions(game, exact) if exact is not None and exact != before else None
        if decided is not None:  # a new exact representative: its directions are decided exactly
            free = decided if len(decided) else None
    return _record(found, hits, CriticalPoint(z, res, exact, free))


def _representative(game, z, res, exact, free, crit):
    """The point of a flat critical set nearest the origin (``z`` minus its components along
    the free directions) when it is still critical, so a free variable reads 0."""
    p = z - free.T @ (free @ z)
    e = exact_point(game, p)  # free directions found numerically are slightly off: try exactly,
    if e is None:             # then after Newton steps from the projection
        p = _newton_refine(game, p)
        e = exact_point(game, p)
    if e is not None:
        p = np.array([float(v) for v in e])
    try:
        r = float(np.linalg.norm(stationarity_system(game)[0](p)))
    except StabilityError:
        return z, res, exact
    if r > crit.limit:
        return z, res, exact
    return (np.array([float(v) for v in e]) if e is not None else p), r, e


def _hit(found, hits, z):
    """Count ``z`` for the found point whose component it lies on; False if there is none."""
    for i, p in enumerate(found):
        if _same_component(p, z):
            hits[i] += 1
            return True
    return False


def _record(found, hits, cp):
    if _hit(found, hits, cp.point):
        return "seen"
    found.append(cp)
    hits.append(1)
    return "new"


def _verified_exactly(game, z, crit, tol, dps=40):
    """For a formula game, the criticality test again in 40-digit arithmetic at the exact
    binary value of ``z`` (mpmath has no underflow): float gradients and Hessians that
    underflow to 0 (``x**98`` near 0) otherwise make non-critical points look critical."""
    if not isinstance(game, ExpressionGame) or game.params:
        return True
    import mpmath
    with mpmath.workdps(dps):
        try:
            g, H = _mp_system(game, z)
        except (ZeroDivisionError, ValueError, TypeError, OverflowError):
            return True  # no exact view here: the float test stands
        d = _mp_solve(H, g)
        res = float(mpmath.norm(g))
        step = float(mpmath.norm(d)) if d is not None else _mp_lstsq_norm(H, g, dps)  # singular: minimal norm
    return res <= crit.limit and step <= tol * crit._length


def _mp_refine(game, z, dps=50, iterations=200):
    """Newton (Schröder-accelerated) on the stationarity system in ``dps``-digit arithmetic
    from ``z``, for a candidate that float Newton could not bring onto a degenerate root:
    next to a critical line of multiplicity k, float steps stall where x1 + x2 cancels
    ((x1 + x2)³·y1 + y1² near x1 = −x2). Returns the limit as floats, or None."""
    import mpmath
    if not isinstance(game, ExpressionGame) or game.params:
        return None
    with mpmath.workdps(dps):
        p = [mpmath.mpf(float(v)) for v in z]
        previous = ratio = None
        try:
            for _ in range(iterations):
                g, H = _mp_system(game, p)
                d = _mp_solve(H, g)
                if d is None:
                    d = _mp_lstsq(H, g, dps)
                size = mpmath.norm(d)
                # converged to beyond double precision (degenerate roots converge only linearly)
                if size <= mpmath.mpf(2) ** -60 * max(1, mpmath.norm(mpmath.matrix(p))):
                    return np.array([float(v) for v in p])
                factor, ratio = _schroder(size, previous, ratio)
                previous = size
                p = [p[i] - factor * d[i] for i in range(len(p))]
        except (ZeroDivisionError, ValueError, TypeError, OverflowError):
            return None
    return None


def _mp_lstsq(H, g, dps):
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
    return float(mpmath.norm(_mp_lstsq(H, g, dps)))


def _mp_solve(H, g):
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


def _same_component(p, z):
    """``z`` is ``p``'s point (to 1e-6 relative) or lies on the flat through ``p`` spanned by
    ``p``'s free directions."""
    d = z - p.point
    scale = 1e-6 * max(1.0, float(np.linalg.norm(z)))
    if not p.isolated:
        d = d - p.free_directions.T @ (p.free_directions @ d)
    return float(np.linalg.norm(d)) <= scale


# --- classification -----------------------------------------------------------------------
def _eigvalsh(M, name):
    return np.linalg.eigvalsh(symmetric_part(M, name)) if M.size else np.zeros(0)


def _definite(ev, tol, sign):
    """True if every eigenvalue is strictly of ``sign`` (beyond ``tol``)."""
    return bool(np.all(sign * ev > tol))


def _semidefinite(ev, tol, sign):
    return bool(np.all(sign * ev >= -tol))


def _regular(eig, tol):
    """Invertible within tolerance and to working precision (eigenvalues of a symmetric block)."""
    mags = np.abs(eig)
    return bool(np.all(mags > tol) and mags.min() > COND_ERROR ** -1 * mags.max())


def _schur(A, B, C):
    """``A − B C⁻¹ Bᵀ`` for a regular symmetric ``C``, symmetrised: it is symmetric in exact
    arithmetic and its rounding asymmetry (~eps·cond(C)) is no input error."""
    M = A - B @ np.linalg.solve(C, B.T)
    return (M + M.T) / 2


@dataclass
class Classification:
    """What a critical point is, with the numbers behind each verdict.

    Eigenvalues are ascending; ``eig_S`` (``eig_T``) is ``None`` when ``Hyy`` (``Hxx``)
    is singular within tolerance, so the Schur complement is undefined.
    """

    point: np.ndarray
    residual: float
    tol: float
    eig_xx: np.ndarray
    eig_yy: np.ndarray
    eig_S: np.ndarray
    eig_T: np.ndarray
    eig_game: np.ndarray
    lr_ratio: float
    strict_local_nash: bool
    local_nash_necessary: bool
    strict_local_minimax: bool
    local_minimax_necessary: bool
    strict_local_maximin: bool
    local_maximin_necessary: bool
    gda_stable: bool
    inconclusive: bool
    notes: list = field(default_factory=list)

    _inertia: dict = field(default=None, repr=False)

    @property
    def inertia(self):
        """Inertia ``(positive, negative, zero)`` of each block that is defined (exact when
        the notes say the inertias were decided in exact arithmetic)."""
        if self._inertia is not None:
            return dict(self._inertia)
        blocks = {"Hxx": self.eig_xx, "Hyy": self.eig_yy, "S": self.eig_S, "T": self.eig_T}
        return {k: inertia(v, self.tol) for k, v in blocks.items() if v is not None}

    @property
    def verdict(self):
        """The strongest concept that holds, as a short phrase."""
        if self.strict_local_nash:
            return "strict local Nash"
        strict = [name for name, holds in (("strict local minimax", self.strict_local_minimax),
                                           ("strict local maximin", self.strict_local_maximin)) if holds]
        if strict:
            return " and ".join(strict)
        if self.inconclusive:
            return "inconclusive at second order"
        return "none (not a local Nash, minimax or maximin point)"

    def to_dict(self):
        arr = lambda a: None if a is None else [float(v) for v in a]
        return {
            "point": arr(self.point), "residual": self.residual, "tol": self.tol,
            "verdict": self.verdict,
            "strict_local_nash": self.strict_local_nash,
            "local_nash_necessary": self.local_nash_necessary,
            "strict_local_minimax": self.strict_local_minimax,
            "local_minimax_necessary": self.local_minimax_necessary,
            "strict_local_maximin": self.strict_local_maximin,
            "local_maximin_necessary": self.local_maximin_necessary,
            "gda_stable": self.gda_stable, "lr_ratio": self.lr_ratio,
            "inconclusive": self.inconclusive,
            "eig_xx": arr(self.eig_xx), "eig_yy": arr(self.eig_yy),
            "eig_S": arr(self.eig_S), "eig_T": arr(self.eig_T),
            "eig_game": [[float(v.real), float(v.imag)] for v in self.eig_game],
            "inertia": {k: list(v) for k, v in self.inertia.items()}, "notes": list(self.notes),
        }

    def __str__(self):
        fmt = lambda a: "undefined" if a is None else np.array2string(np.asarray(a), precision=6)
        lines = [f"point {fmt(self.point)} (gradient residual {self.residual:.2e}): {self.verdict}",
                 f"  eig Hxx {fmt(self.eig_xx)}   eig Hyy {fmt(self.eig_yy)}",
                 f"  eig S   {fmt(self.eig_S)}   eig T   {fmt(self.eig_T)}",
                 f"  strict local Nash {self.strict_local_nash}, minimax {self.strict_local_minimax}, "
                 f"maximin {self.strict_local_maximin}; GDA-stable (c={self.lr_ratio:g}, small η) "
                 f"{self.gda_stable}"]
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


@dataclass(frozen=True)
class Criticality:
    """How critical a point is, on the game's own scale.

    ``scale`` bounds ‖H‖₂ at and next to the point (so a Hessian that vanishes at the point
    does not make every tolerance vanish with it); ``step`` is the length of the Newton step
    ``H⁻¹∇f`` (the distance to the nearest critical point, to first order); ``hessian_error``
    bounds how much the Hessian at the true critical point can differ from the one here
    (third-derivative estimate × Newton step, with a safety factor 10), plus the error of the
    Hessian itself where the game approximates it (:meth:`Game.hessian_error`)."""

    residual: float
    step: float
    scale: float
    hessian_error: float
    limit: float

    def is_critical(self, gtol):
        return self.residual <= self.limit and self.step <= gtol * self._length

    _length: float = 1.0


def _norm2(H):
    if H.size == 0:
        return 0.0
    return float(np.linalg.norm(H, 2) if H.shape[0] <= 1000 else np.linalg.norm(H, "fro"))


def criticality(game, z, H, gtol=GTOL):
    """:class:`Criticality` of ``z``; ``H`` is the Jacobian of the stationarity map at ``z``
    (the full Hessian for zero-sum games; see :func:`stationarity_system`)."""
    F, J = stationarity_system(game)
    g = F(z)
    res = float(safe_norm(g))
    scale, third = _norm2(H), 0.0
    if not isinstance(game, QuadraticGame):
        h = np.cbrt(np.finfo(float).eps) * max(1.0, float(safe_norm(z)))
        u = np.random.default_rng(0).standard_normal(z.size)
        u /= safe_norm(u)
        for side in (1.0, -1.0):
            try:
                H2 = J(z + side * h * u)
            except StabilityError:
                continue  # the game is not defined there: use the other side
            scale = max(scale, _norm2(H2))
            third = max(third, _norm2(H2 - H) / h)
    # a quadratic game's residual is exact (H z + b): the step adds nothing but an O(N³) solve
    step = _newton_step(H, g) if res > 0 and not isinstance(game, QuadraticGame) else 0.0
    length = max(1.0, float(safe_norm(z)))
    error = 10.0 * third * step + game.hessian_error(z)
    out = Criticality(res, step, scale, error, gtol * scale * length)
    object.__setattr__(out, "_length", length)
    return out


def _newton_step(H, g):
    """‖H⁻¹g‖ (least squares where H is singular to working precision)."""
    with np.errstate(all="ignore"):
        try:
            d = np.linalg.solve(H, g)
        except np.linalg.LinAlgError:
            d = None
        if d is None or not np.all(np.isfinite(d)):
            d = np.linalg.lstsq(H, g, rcond=None)[0]
    return safe_norm(d)


def _check_critical(z, crit, gtol, allow_noncritical):
    if allow_noncritical or crit.is_critical(gtol):
        return
    raise NotCriticalError(
        f"point {np.array2string(z, precision=6)} is not critical: stationarity residual "
        f"{crit.residual:.3g} (tolerance {crit.limit:.3g} = gtol · game scale {crit.scale:.3g} · "
        f"max(1, |z|)), Newton step to the nearest critical point {crit.step:.3g} (tolerance "
        f"{gtol * crit._length:.3g}); pass allow_noncritical=True to analyse it anyway")


def require_critical(game, point, gtol=GTOL, allow_noncritical=False, H=None):
    """Raise :class:`NotCriticalError` unless ``point`` is a critical point of ``game`` (the
    fixed points of every algorithm here; for general-sum games, the stationarity conditions
    ``Dx f = 0``, ``∇y g = 0``); returns its :class:`Criticality` (None when allowed)."""
    check_game(game)
    z = as_finite_array(getattr(point, "point", point), "point", ndim=1)
    gtol = real_number(gtol, "gtol", 0.0)
    if allow_noncritical:
        return None
    if isinstance(game, GeneralSumGame) or H is None:
        H = stationarity_system(game)[1](z)
    crit = criticality(game, z, H, gtol)
    _check_critical(z, crit, gtol, allow_noncritical)
    return crit


# --- exact decisions ----------------------------------------------------------------------------
MAX_EXACT = 12
"""Largest ``n + m`` for which inertias are decided in exact arithmetic."""


def exact_point(game, point):
    """Exact coordinates of ``point`` for an exact game, or None: the values a
    :class:`CriticalPoint` carries, else each coordinate rounded to a rational with
    denominator ≤ 10⁶ (within 1e-9) and kept only if the gradient vanishes there exactly."""
    if not isinstance(game, ExpressionGame) or game.params or game.n + game.m > MAX_EXACT:
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
        if abs(float(r) - v) > 1e-9 * max(1.0, abs(v)):
            return None
        values.append(r)
    at = dict(zip(game.xs + game.ys, values))
    try:  # at rational coordinates sympy evaluates what it can exactly; no simplify (unbounded)
        if all(e.xreplace(at) == 0 for e in stationarity_exprs(game)):
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


def _exact_inertias(game, values):
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


@checked_call
def classify(game, point, *, rtol=RTOL, gtol=GTOL, lr_ratio=1.0, allow_noncritical=False):
    """Classify a critical point of a zero-sum game (or a general-sum one, see
    :class:`StackelbergClassification`).

    Parameters
    ----------
    game : Game
    point : array_like or CriticalPoint
        ``(x, y)`` as one vector of length ``n + m``.
    rtol : float
        Zero tolerance for eigenvalues relative to the game's Hessian scale at the point.
    gtol : float
        Criticality tolerance: the gradient residual must be at most
        ``gtol · scale · max(1, ‖z‖)`` and the Newton step at most ``gtol · max(1, ‖z‖)``.
    lr_ratio : float
        Ratio ``c = ηy/ηx`` for the GDA-stability verdict (stable for all small enough η).
    allow_noncritical : bool
        Classify even if the point is not critical (the verdicts then describe the
        second-order geometry only).

    Notes
    -----
    An eigenvalue counts as zero when ``|λ| ≤ tol`` with ``tol = rtol · scale +
    hessian_error`` (:class:`Criticality`): relative to the Hessian at and next to the point,
    plus what the distance to the true critical point can change. For a formula game at an
    exact point (solved exactly, or a point whose coordinates round to rationals at which
    the gradient vanishes exactly; ``n + m ≤ 12``) the inertias of Hxx, Hyy, S and T are
    decided in exact arithmetic instead, so a degenerate point is *proven* degenerate. A
    degenerate point is always "inconclusive at second order".

    Raises
    ------
    NotCriticalError
        If the point is not critical and ``allow_noncritical`` is false.
    """
    check_game(game)
    exact = exact_point(game, point) if not allow_noncritical else None
    if isinstance(point, CriticalPoint):
        point = point.point
    z = as_finite_array(point, "point", ndim=1)
    rtol = real_number(rtol, "rtol", 0.0)
    gtol = real_number(gtol, "gtol", 0.0)
    lr_ratio = real_number(lr_ratio, "lr_ratio", 0.0)
    if not lr_ratio > 0:
        raise InputError(f"lr_ratio must be a positive number, got {lr_ratio!r}")
    if isinstance(game, GeneralSumGame):
        return classify_stackelberg(game, z, rtol=rtol, gtol=gtol, allow_noncritical=allow_noncritical)
    Hxx, Hxy, Hyy = game.blocks_at(z)
    n = game.n
    crit = criticality(game, z, _full_hessian(Hxx, Hxy, Hyy), gtol)
    _check_critical(z, crit, gtol, allow_noncritical)
    res, scale = crit.residual, crit.scale
    tol = rtol * scale + crit.hessian_error
    # work with H/‖H‖ so that no intermediate under- or overflows; eigenvalues scale back
    unit = scale if scale > 0 else 1.0
    Hxx_u, Hxy_u, Hyy_u = Hxx / unit, Hxy / unit, Hyy / unit
    eig_xx, eig_yy = _rescaled(unit, _eigvalsh(Hxx_u, "Hxx"), "Hxx"), _rescaled(unit, _eigvalsh(Hyy_u, "Hyy"), "Hyy")
    notes = []
    exact_in = _exact_inertias(game, exact) if exact is not None else None
    if exact_in is not None:
        notes.append("inertias decided in exact arithmetic at the exact point "
                     f"({', '.join(str(v) for v in exact)})")
        iner = exact_in
        yy_regular, xx_regular = iner["Hyy"][2] == 0, iner["Hxx"][2] == 0
    else:
        yy_regular = _regular(eig_yy, tol)
        xx_regular = _regular(eig_xx, tol)
    eig_S = _rescaled(unit, _eigvalsh(_schur(Hxx_u, Hxy_u, Hyy_u), "S"), "S") if yy_regular else None
    eig_T = _rescaled(unit, _eigvalsh(_schur(Hyy_u, Hxy_u.T, Hxx_u), "T"), "T") if xx_regular else None
    if exact_in is None:
        iner = {k: inertia(v, tol) for k, v in
                (("Hxx", eig_xx), ("Hyy", eig_yy), ("S", eig_S), ("T", eig_T)) if v is not None}
    if not yy_regular:
        notes.append("Hyy is singular within tolerance: S is undefined")
    if not xx_regular:
        notes.append("Hxx is singular within tolerance: T is undefined")

    pos_def = lambda k: k in iner and iner[k][0] == _size(iner[k])
    neg_def = lambda k: k in iner and iner[k][1] == _size(iner[k])
    pos_semi = lambda k: k not in iner or iner[k][1] == 0
    neg_semi = lambda k: k not in iner or iner[k][0] == 0
    strict_nash = pos_def("Hxx") and neg_def("Hyy")
    nash_nec = pos_semi("Hxx") and neg_semi("Hyy")
    strict_minimax = yy_regular and neg_def("Hyy") and pos_def("S")
    minimax_nec = neg_semi("Hyy") and pos_semi("S")
    strict_maximin = xx_regular and pos_def("Hxx") and neg_def("T")
    maximin_nec = pos_semi("Hxx") and neg_semi("T")
    inconclusive = ((nash_nec and not strict_nash) or (minimax_nec and not strict_minimax)
                    or (maximin_nec and not strict_maximin))

    V = np.block([[Hxx_u, Hxy_u], [-Hxy_u.T, -Hyy_u]])
    eig_game = _rescaled(unit, np.linalg.eigvals(V), "V")
    scaled = np.linalg.eigvals(np.concatenate([np.ones(n), np.full(game.m, lr_ratio)])[:, None] * V)
    vtol = max(rtol, tol / unit) * max(1.0, lr_ratio)
    gda_stable = bool(np.all(scaled.real > vtol))
    if not gda_stable and np.all(scaled.real > -vtol):
        notes.append("GDA: an eigenvalue of diag(I, cI)V has zero real part; "
                     "stability for small η is decided beyond first order")
        inconclusive = True
    c = Classification(z, res, tol, eig_xx, eig_yy, eig_S, eig_T,
                       eig_game[np.lexsort((eig_game.imag, eig_game.real))], lr_ratio,
                       strict_nash, nash_nec, strict_minimax, minimax_nec, strict_maximin,
                       maximin_nec, gda_stable, inconclusive, notes)
    c._inertia = iner
    return c


def _rescaled(unit, values, name):
    """Eigenvalues of a block computed on H/‖H‖, scaled back; a typed error where they leave
    the floating-point range (a game with entries near 1e308) instead of a silent inf."""
    with np.errstate(over="ignore"):
        out = unit * values
    if not np.all(np.isfinite(out)):
        from .errors import NonFiniteError
        raise NonFiniteError(f"eigenvalues of {name} exceed the floating-point range (the game's Hessian "
                             f"scale is {unit:.3g}); rescale the game")
    return out


def _size(inertia_triple):
    return sum(inertia_triple)


@dataclass
class StackelbergClassification:
    """Differential Stackelberg verdict for a general-sum game (FR Props. 7–8):
    ``∇y g = 0``, ``Dx f = 0``, ``Gyy ≻ 0`` and ``H̃xx = ∂x Dxf − ∂y Dxf Gyy⁻¹ Gyx ≻ 0``."""

    point: np.ndarray
    residual: float
    tol: float
    eig_gyy: np.ndarray
    eig_htilde: np.ndarray
    strict_stackelberg: bool
    stackelberg_necessary: bool
    inconclusive: bool

    @property
    def verdict(self):
        if self.strict_stackelberg:
            return "differential Stackelberg equilibrium"
        return "inconclusive at second order" if self.inconclusive else "not a local Stackelberg equilibrium"

    def to_dict(self):
        return {"point": self.point.tolist(), "residual": self.residual, "tol": self.tol,
                "verdict": self.verdict, "eig_gyy": self.eig_gyy.tolist(),
                "eig_htilde": None if self.eig_htilde is None else self.eig_htilde.tolist(),
                "strict_stackelberg": self.strict_stackelberg,
                "stackelberg_necessary": self.stackelberg_necessary, "inconclusive": self.inconclusive}

    def __str__(self):
        return (f"point {self.point} (residual {self.residual:.2e}): {self.verdict}\n"
                f"  eig Gyy {self.eig_gyy}   eig H̃xx {self.eig_htilde}")


def stackelberg_blocks(game, z):
    """``(H̃xx, Gyy)`` at ``z``: the blocks whose spectra decide Stackelberg verdicts."""
    x, y = game.split(z)
    _, Gxy, Gyy = (np.asarray(b) for b in game.follower_blocks(x, y))
    D = game.total_derivative_jacobian(z)
    Dx, Dy = D[:, :game.n], D[:, game.n:]
    return Dx - Dy @ np.linalg.solve(Gyy, Gxy.T), Gyy


def classify_stackelberg(game, z, *, rtol=RTOL, gtol=GTOL, allow_noncritical=False):
    x, y = game.split(z)
    Gxx, Gxy, Gyy = (np.asarray(b) for b in game.follower_blocks(x, y))

    def block_scale(p):
        px, py = game.split(p)
        G = _full_hessian(*(np.asarray(b) for b in game.follower_blocks(px, py)))
        return max(_norm2(G), _norm2(_full_hessian(*game.blocks_at(p))))

    # the scale at and next to the point (as for zero-sum games): it does not vanish with the
    # Hessians at a degenerate point, so neither does the zero tolerance
    scale = block_scale(z)
    h = np.cbrt(np.finfo(float).eps) * max(1.0, safe_norm(z))
    u = np.random.default_rng(0).standard_normal(z.size)
    for side in (1.0, -1.0):
        try:
            scale = max(scale, block_scale(z + side * h * u / safe_norm(u)))
        except StabilityError:
            continue
    crit = criticality(game, z, stationarity_system(game)[1](z), gtol)
    _check_critical(z, crit, gtol, allow_noncritical)
    res = crit.residual
    tol = rtol * scale + crit.hessian_error
    eig_gyy = _eigvalsh(Gyy, "Gyy")
    regular = _regular(eig_gyy, tol)
    eig_ht = _eigvalsh(stackelberg_blocks(game, z)[0], "H̃xx") if regular else None
    strict = regular and _definite(eig_gyy, tol, +1) and _definite(eig_ht, tol, +1)
    necessary = _semidefinite(eig_gyy, tol, +1) and (eig_ht is None or _semidefinite(eig_ht, tol, +1))
    return StackelbergClassification(z, res, tol, eig_gyy, eig_ht, strict, necessary,
                                     necessary and not strict)
