"""Non-isolated critical sets: the directions along which the critical set extends through a
point — decided exactly along lines for polynomial formula games, else by probing hyperplanes
(docs/NUMERICS.md §3)."""

import numpy as np
import sympy as sp

from ..config import defaults
from ..errors import NotSupportedError, StabilityError
from ..timelimit import run_with_time_limit
from .exact import degree_bound, mp_lstsq
from .stationarity import criticality


def null_space(J, crit):
    """The near-null directions of the Jacobian ``J`` (columns): singular values within the
    zero tolerance ``equilibria.rtol · scale + hessian_error`` of :class:`Criticality`."""
    _, w, Vt = np.linalg.svd(J)  # |eigenvalues| and eigenvectors for a symmetric Hessian
    return Vt[w <= defaults["equilibria.rtol"] * crit.scale + crit.hessian_error].T


def free_directions(game, z, crit, gtol):
    """Directions along which the critical set extends through ``z``, as orthonormal rows
    (None: isolated). A near-null direction v of the Jacobian is *tangent* to the critical set
    when the hyperplane through ``z + t v`` orthogonal to v holds a critical point within
    ``t/10`` of ``z + t v`` (:func:`_tangent`): lines, planes and curved components alike. The
    basis is grown greedily: a direction joins only if two seeded random combinations of it
    with those already accepted are tangent too, so at a crossing of components
    (x1²y1² + x2²y2², a union of coordinate planes) the reported dimension is that of one
    component (2), not the count of tangent directions (4)."""
    null = null_space(game.stationarity()[1](z), crit)
    free = []
    unused = unused_variables(game)
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
    F, J = game.stationarity()
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
    if not game.has_expressions or game.params:
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
        exprs = [absolute(sp.factor_terms(e)) for e in game.stationarity_exprs()]
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
                g, H = game.mp_stationarity(point)
                sizes = absolute(*point)
                if all(abs(g[i]) <= floor * sizes[i] for i in range(len(sizes))):
                    return np.array([float(v) for v in point])
                step = mp_lstsq(H * Qm, g, dps)
                if mpmath.norm(step) <= mpmath.mpf(10) ** (5 - dps) * max(1, mpmath.norm(p)):
                    return None  # converged to a nonzero residual: no critical point there
                p = p - Qm * step
        except (ZeroDivisionError, ValueError, TypeError, OverflowError):
            return None
    return None




def _solve_conditions(conditions, unknowns):
    try:
        return sp.solve(conditions, unknowns, dict=True)
    except (NotImplementedError, ValueError, TypeError) as exc:
        raise NotSupportedError(f"sympy could not solve the line conditions: {exc}") from None


def exact_free_directions(game, values):
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
    if not game.has_expressions or game.params or game.n + game.m > defaults["equilibria.max_exact"]:
        return None
    zs = game.xs + game.ys
    exprs = game.stationarity_exprs()
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
    if len(null) > defaults["equilibria.max_exact_nullity"]:
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
        try:
            solutions = run_with_time_limit(_solve_conditions, (conditions, c), defaults["equilibria.exact_free_seconds"],
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


def unused_variables(game):
    """Indices of the variables that no stationarity expression contains (formula games)."""
    if not game.has_expressions or game.params:
        return []
    used = set().union(*(e.free_symbols for e in game.stationarity_exprs()))
    return [i for i, s in enumerate(game.xs + game.ys) if s not in used]
