"""The critical-point search: exact where sympy is provably complete, a linear solve for
quadratic games, else a seeded multistart root finder whose every result is Newton-refined,
verified on the game's own scale and grouped by component (docs/NUMERICS.md §3)."""

import numpy as np
import scipy.optimize as opt
import sympy as sp

from ..config import Default, defaults, resolve
from ..errors import InputError, NotSupportedError, StabilityError, checked_call
from ..games.base import check_game, full_hessian
from ..linalg import count, interval, real_number, short, warn
from .exact import exact_critical_points, exact_point, mp_refine, verified_exactly
from .free import exact_free_directions, free_directions, null_space
from .points import CriticalPoint, CriticalPoints
from .stationarity import criticality, newton_refine, norm2


@checked_call
def critical_points(game, *, method="auto", bounds=(-10.0, 10.0), starts=256, seed=0,
                    tol=Default("equilibria.gtol"), max_starts=None):
    """Critical points of a game.

    Parameters
    ----------
    game : Game
    method : {"auto", "exact", "numeric"}
        ``exact`` solves the stationarity system with sympy (polynomial or rational systems
        after removing factors that never vanish, Bézout bound ≤ ``config.defaults["equilibria.max_bezout"]``); ``numeric``
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
        every reported point is Newton-refined and verified on the game's own scale
        (default ``config.defaults["equilibria.gtol"]``).
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
    limit = defaults["equilibria.max_starts"]
    if max_starts > limit or starts > limit:
        raise InputError(f"starts and max_starts must be at most {limit}, got {short(starts)}, {short(max_starts)}")
    max_starts = max(max_starts, starts)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError(f"seed must be a non-negative integer, got {seed!r}")
    tol = real_number(resolve(tol), "tol", 0.0)
    if game.is_quadratic:
        return _quadratic_critical_point(game)
    if getattr(game, "params", None):
        raise NotSupportedError("the game has symbolic parameters; substitute numbers first "
                                "(game.subs(...)) to find its critical points")
    if game.has_expressions and all(e == 0 for e in game.stationarity_exprs()):
        N = game.n + game.m  # f does not depend on the players at all: every point is critical
        warn("every point is critical (the stationarity conditions vanish identically): "
             f"one representative of the whole {N}-dimensional space is reported")
        return CriticalPoints([CriticalPoint(np.zeros(N), 0.0, (sp.Integer(0),) * N, np.eye(N))],
                              "exact", True)
    if game.has_expressions and method in ("auto", "exact"):
        exact = exact_critical_points(game)
        if exact is not None:
            return exact
        if method == "exact":
            raise InputError("the stationarity system is not polynomial/rational or too large to "
                             f"solve exactly (Bézout bound > {defaults['equilibria.max_bezout']}); use method='numeric'")
    return _numeric_critical_points(game, (lo, hi), starts, max_starts, seed, tol)


def _quadratic_critical_point(game):
    Hxx, Hxy, Hyy = game.dense_blocks()
    H = full_hessian(Hxx, Hxy, Hyy)
    b = np.concatenate([game.bx, game.by])
    z, *_ = np.linalg.lstsq(H, -b, rcond=None)
    res = float(np.linalg.norm(H @ z + b))
    scale = norm2(H)
    if res > defaults["equilibria.gtol"] * max(scale * max(1.0, float(np.linalg.norm(z))), np.linalg.norm(b)):
        return CriticalPoints([], "quadratic", True)
    w, U = np.linalg.eigh(H) if H.size else (np.zeros(0), np.zeros((0, 0)))
    null = U[:, np.abs(w) <= defaults["equilibria.rtol"] * scale].T
    return CriticalPoints([CriticalPoint(z, res, None, null if len(null) else None)], "quadratic", True)


def _numeric_critical_points(game, bounds, starts, max_starts, seed, tol):
    with np.errstate(all="ignore"):  # overflow far out is refused by the finiteness checks, not warned
        return _numeric_search(game, bounds, starts, max_starts, seed, tol)


def _numeric_search(game, bounds, starts, max_starts, seed, tol):
    lo, hi = bounds
    N = game.n + game.m
    fun, jac = game.stationarity()
    budget = [defaults["equilibria.mp_refinements"]]
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



def _verify(game, z, tol, found, hits, box=None, refine_budget=None):
    """Refine, verify and record one root-finder result; returns "new", "seen", "rejected"
    (a candidate that fails verification) or "extra" (one more point of a non-isolated set
    once ``equilibria.max_non_isolated`` representatives are reported)."""
    F, J = game.stationarity()
    z = newton_refine(game, z)
    most = defaults["equilibria.max_non_isolated"]
    if box is not None and (np.any(z < box[0] - 1e-9) or np.any(z > box[1] + 1e-9)):
        return "outside"

    def verified(z):  # its Criticality, or None when z fails verification
        try:
            crit = criticality(game, z, J(z), tol)
        except StabilityError:
            return None
        ok = crit.scale > 0 and crit.is_critical(tol) and verified_exactly(game, z, crit, tol)
        return crit if ok else None

    if _hit(found, hits, z):
        return "seen"
    crit = verified(z)
    if crit is None:
        # float Newton may stall next to a degenerate root: refine in extended precision once
        try:
            small = float(np.linalg.norm(F(z))) <= 1e-3 * max(norm2(J(z)), 1.0)
        except StabilityError:
            small = False
        if not (small and refine_budget and refine_budget[0] > 0):
            return "rejected"
        refine_budget[0] -= 1
        z = mp_refine(game, z)
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
    if sum(1 for p in found if not p.isolated) >= most and null_space(J(z), crit).size:
        return "extra"  # enough representatives: a further degenerate point is not probed
    free = exact_free_directions(game, exact) if exact is not None else None
    if free is None:
        free = free_directions(game, z, crit, tol)
    elif not len(free):
        free = None  # proven isolated
    if free is not None:
        if sum(1 for p in found if not p.isolated) >= most:
            return "extra"
        before = exact
        z, res, exact = _representative(game, z, res, exact, free, crit)
        decided = exact_free_directions(game, exact) if exact is not None and exact != before else None
        if decided is not None:  # a new exact representative: its directions are decided exactly
            free = decided if len(decided) else None
    return _record(found, hits, CriticalPoint(z, res, exact, free))


def _representative(game, z, res, exact, free, crit):
    """The point of a flat critical set nearest the origin (``z`` minus its components along
    the free directions) when it is still critical, so a free variable reads 0."""
    p = z - free.T @ (free @ z)
    e = exact_point(game, p)  # free directions found numerically are slightly off: try exactly,
    if e is None:             # then after Newton steps from the projection
        p = newton_refine(game, p)
        e = exact_point(game, p)
    if e is not None:
        p = np.array([float(v) for v in e])
    try:
        r = float(np.linalg.norm(game.stationarity()[0](p)))
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


def _same_component(p, z):
    """``z`` is ``p``'s point (to 1e-6 relative) or lies on the flat through ``p`` spanned by
    ``p``'s free directions."""
    d = z - p.point
    scale = defaults["equilibria.component_rtol"] * max(1.0, float(np.linalg.norm(z)))
    if not p.isolated:
        d = d - p.free_directions.T @ (p.free_directions @ d)
    return float(np.linalg.norm(d)) <= scale
