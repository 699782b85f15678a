"""Exact stable sets: the values s > 0 of one hyperparameter for which ρ(J(s)) < 1, as a finite
union of open intervals with algebraic endpoints, decided without a tolerance
(docs/MATHEMATICS.md §6.4).

1. ``J(s)`` is exact over the field ℚ(s): the algorithm's own update map runs on the linear
   model of the game with sympy's ``DomainMatrix`` over ℚ(s). The map is never differentiated
   symbolically.
2. Its characteristic polynomial ``χ(z; s)`` has its denominators cleared, and the Cayley map
   ``z = (1 + w)/(1 − w)`` takes it to ``Q(w; s)``: ρ < 1 exactly when Q is Hurwitz in w.
3. Q is Hurwitz iff the Liénard–Chipart conditions hold. Each is a polynomial inequality in s:
   every coefficient has the sign of the leading one, and the Hurwitz determinants Δ_{d−1},
   Δ_{d−3}, … are positive after that normalisation.
4. The positive real roots of all these polynomials (and of J's denominators, where the map is
   undefined) are isolated exactly by Arb. On each open interval between consecutive roots every
   condition keeps its sign, which is evaluated exactly at one rational point. At a root some
   condition vanishes, so Q is not Hurwitz there, and the point is not stable."""

from dataclasses import dataclass, field
import time

import sympy as sp

from ..algorithms import as_algorithm
from ..config import defaults
from ..errors import ConvergenceError, InputError, NotSupportedError, SingularBlockError, checked_call
from .algebra import FieldMat, LinearModel, flint_module
from .jacobian import exact_algorithm, exact_inputs


@dataclass
class Endpoint:
    """An algebraic endpoint: the real root of the irreducible integer polynomial with
    coefficients ``poly`` (lowest degree first) in the rational isolating interval ``interval``,
    exactly ``value`` (a sympy Rational or CRootOf) and ``approx`` (the nearest float)."""

    poly: tuple
    interval: tuple
    value: object
    approx: float

    def __float__(self):
        return self.approx

    def __str__(self):
        return str(self.value)


@dataclass
class ExactStableSet:
    """Where ρ < 1, proven: ``intervals`` are disjoint open intervals ``(a, b)`` with exact
    endpoints (:class:`Endpoint`; ``0`` and ``oo`` as sympy numbers), in increasing order.

    ``charpoly`` is the characteristic polynomial in ``z`` and the parameter (sympy), ``conditions``
    the Liénard–Chipart polynomials in the parameter (each must be positive), ``undefined`` the
    polynomial whose roots are where the Jacobian is undefined, and ``cells`` the proof: for
    each interval between consecutive roots (as floats), ``(a, b, sample, signs, stable)`` with
    the signs of the conditions at the rational ``sample``."""

    algorithm: str
    param: str
    intervals: list
    charpoly: object
    conditions: list
    undefined: object
    inputs: list = field(default_factory=list)
    cells: list = field(default_factory=list)
    seconds: float = 0.0

    @property
    def empty(self):
        return not self.intervals

    @property
    def floats(self):
        """The intervals with float endpoints (rounded to nearest)."""
        return [(float(a), float(b)) for a, b in self.intervals]

    def as_set(self):
        """The set as a sympy ``Union`` of open ``Interval`` (``EmptySet`` when empty)."""
        exact = lambda e: e.value if isinstance(e, Endpoint) else e
        return sp.Union(*[sp.Interval.open(exact(a), exact(b)) for a, b in self.intervals]) \
            if self.intervals else sp.EmptySet

    def contains(self, value):
        """Whether the exact number ``value`` (floats: their binary value) lies in the set."""
        v = sp.Rational(value) if isinstance(value, float) else sp.sympify(value)
        return bool(self.as_set().contains(v))

    def __str__(self):
        text = ", ".join(f"({a}, {b})" for a, b in self.intervals) or "∅"
        lines = [f"{self.algorithm}: ρ < 1 exactly for {self.param} ∈ {text}"]
        if self.intervals:
            lines.append("  as floats: " + " ∪ ".join(f"({a:.17g}, {b:.17g})" for a, b in self.floats))
        lines += [f"  input: {t}" for t in self.inputs]
        short = lambda e: (lambda t: t if len(t) <= 160 else t[:160] + f" … ({len(t)} characters)")(str(e))
        lines.append(f"  proof: the Cayley transform of the characteristic polynomial {short(self.charpoly)} is "
                     f"Hurwitz iff these {len(self.conditions)} Liénard–Chipart polynomials are positive:")
        lines += [f"    c{i + 1} = {short(c)}" for i, c in enumerate(self.conditions)]
        if self.undefined.free_symbols:
            lines.append(f"    the map is undefined where {short(self.undefined)} = 0")
        lines.append(f"  their positive roots, isolated exactly, bound {len(self.cells)} intervals; the signs of "
                     "c1, c2, … at one rational point of each:")
        lines += [f"    ({a:.12g}, {b:.12g}) at {self.param} = {sample}: {signs} → {'stable' if stable else 'not stable'}"
                  for a, b, sample, signs, stable in self.cells[:40]]
        if len(self.cells) > 40:
            lines.append(f"    … {len(self.cells) - 40} more intervals")
        return "\n".join(lines)

    def to_dict(self):
        return {"algorithm": self.algorithm, "param": self.param,
                "intervals": [[str(a), str(b)] for a, b in self.intervals],
                "floats": [list(i) for i in self.floats], "inputs": list(self.inputs)}


def _hurwitz_conditions(coeffs, R):
    """The Liénard–Chipart polynomials of ``p(w) = Σ coeffs[k] w^(d−k)`` (highest first, elements
    of the ring R = ℚ[s]): ``a_0·a_i`` for every i and ``a_0^(k mod 2)·Δ_k`` for k = d−1, d−3, …"""
    from sympy.polys.matrices import DomainMatrix
    d = len(coeffs) - 1
    a0 = coeffs[0]
    out = [a0 * c for c in coeffs[1:]]
    coeff = lambda k: coeffs[k] if 0 <= k <= d else R.zero
    for k in range(d - 1, 0, -2):
        H = DomainMatrix([[coeff(2 * (j + 1) - (i + 1)) for j in range(k)] for i in range(k)], (k, k), R)
        delta = H.det()
        out.append(delta * a0 if k % 2 else delta)
    return out


def _cayley(coeffs, R):
    """Coefficients (highest first) of ``(1 − w)^d χ((1 + w)/(1 − w))`` for χ with ``coeffs``:
    z^k contributes (1 + w)^k (1 − w)^(d−k), whose w^j coefficient is
    Σᵢ C(k, i) C(d − k, j − i) (−1)^(j−i)."""
    from math import comb
    d = len(coeffs) - 1
    out = [R.zero] * (d + 1)  # out[j] multiplies w^(d − j)
    for k, c in enumerate(reversed(coeffs)):  # c multiplies z^k
        if not c:
            continue
        for j in range(d + 1):
            t = sum(comb(k, i) * comb(d - k, j - i) * (-1) ** (j - i) for i in range(max(0, j - d + k), min(k, j) + 1))
            if t:
                out[d - j] += c * t
    return out


def _to_fmpz(poly):
    """A polynomial of ℚ[s] (a sympy ring element) as a primitive ``fmpz_poly``."""
    flint = flint_module()
    coeffs = [flint.fmpq(int(c.numerator), int(c.denominator)) for c in reversed(poly.to_dense())]
    return flint.fmpq_poly(coeffs).numer()


def _positive_roots(polys, max_precision=4096):
    """The distinct positive real roots of the product of ``polys`` (fmpz_poly), sorted, each as
    ``(irreducible factor, ball)`` with disjoint balls. A rational root is exact; an irrational
    one is neither 0 nor shared with another irreducible factor, so raising the precision
    separates it from 0 and from every other root (:class:`ConvergenceError` if
    ``max_precision`` bits do not)."""
    flint = flint_module()
    factors = {}
    for p in polys:
        if p.degree() >= 1:
            factors.update((str(q), q) for q, _ in p.factor()[1])
    roots, old = [], flint.ctx.prec
    try:
        for q in factors.values():
            if q.degree() == 1:
                r = flint.fmpq(-int(q[0]), int(q[1]))
                if r > 0:
                    roots.append((q, None))  # enclosed, at each precision, by _enclose
                continue
            precision = 64
            while True:
                flint.ctx.prec = precision
                found = [r.real for r, _ in q.complex_roots() if r.imag == 0]
                if all(r > 0 or r < 0 for r in found):
                    break
                if precision >= max_precision:
                    raise ConvergenceError(f"{max_precision} bits do not separate a real root from 0")
                precision *= 2
            roots += [(q, r) for r in found if r > 0]
        precision = 128
        while True:
            flint.ctx.prec = precision
            balls = [(q, _enclose(q, r)) for q, r in roots]
            balls.sort(key=lambda qr: qr[1].mid())
            if all(_hi(a[1]) < _lo(b[1]) for a, b in zip(balls, balls[1:])):  # exact rational bounds
                return balls
            if precision >= max_precision:
                raise ConvergenceError(f"{max_precision} bits do not separate the roots of the stability conditions")
            precision *= 4
    finally:
        flint.ctx.prec = old


def _enclose(q, r):
    """The root of the irreducible ``q`` near ``r`` at the working precision (a rational root
    of a linear factor: its ball at that precision)."""
    flint = flint_module()
    if q.degree() == 1:
        return flint.arb(flint.fmpq(-int(q[0]), int(q[1])))
    candidates = [x.real for x, _ in q.complex_roots() if x.imag == 0 and x.real.overlaps(r)]
    return candidates[0] if len(candidates) == 1 else r


def _exact_endpoint(q, ball, name="s", cache=None):
    """The :class:`Endpoint` of the root of ``q`` in ``ball`` (picklable: no flint objects);
    ``cache`` keeps each factor's sorted real roots between calls."""
    coeffs = tuple(int(c) for c in q.coeffs())
    interval = (_rational(_lo(ball)), _rational(_hi(ball)))
    if q.degree() == 1:
        value = sp.Rational(-coeffs[0], coeffs[1])
        return Endpoint(coeffs, interval, value, float(value))
    s = sp.Symbol(name)
    expr = sum(c * s ** k for k, c in enumerate(coeffs))
    cache = {} if cache is None else cache
    if coeffs not in cache:
        flint = flint_module()
        old = flint.ctx.prec
        try:
            flint.ctx.prec = 128
            cache[coeffs] = sorted((x.real for x, _ in q.complex_roots() if x.imag == 0), key=lambda b: b.mid())
        finally:
            flint.ctx.prec = old
    index = next(i for i, b in enumerate(cache[coeffs]) if b.overlaps(ball))
    return Endpoint(coeffs, interval, sp.CRootOf(expr, index), float(ball.mid()))


def _between(a, b):
    """The simplest rational strictly between the balls ``a < b`` (above ``a`` when b is None)."""
    lo = _hi(a)
    return _simplest(lo, lo + 1 if b is None else _lo(b))


def _simplest(lo, hi):
    """The rational with the smallest denominator in the open interval (lo, hi), 0 ≤ lo < hi: the
    least integer above lo if it is below hi, else ``m + 1/y`` with m = ⌊lo⌋ and y the simplest
    rational in (1/(hi − m), 1/(lo − m)) (continued fractions)."""
    flint = flint_module()
    floor = lambda q: flint.fmpq(int(q.p) // int(q.q))
    m = floor(lo)
    if m + 1 < hi:
        return m + 1
    y = floor(1 / (hi - m)) + 1 if lo == m else _simplest(1 / (hi - m), 1 / (lo - m))
    return m + 1 / y


def _exact(x):
    """An exact arb (a midpoint or a radius) as an ``fmpq``."""
    flint = flint_module()
    man, exp = (int(v) for v in x.man_exp())
    return flint.fmpq(man) * flint.fmpq(2) ** exp if exp >= 0 else flint.fmpq(man, 2 ** (-exp))


def _lo(ball):
    """A rational lower bound of the ball: midpoint − radius, exactly."""
    return _exact(ball.mid()) - _exact(ball.rad())


def _hi(ball):
    """A rational upper bound of the ball: midpoint + radius, exactly."""
    return _exact(ball.mid()) + _exact(ball.rad())


def _rational(q):
    return sp.Rational(int(q.p), int(q.q))


def check_state_size(alg, game):
    """Raise unless the Jacobian fits ``config.defaults["spectral.max_symbolic_state"]``."""
    K, limit = alg.state_size(game), defaults["spectral.max_symbolic_state"]
    if K > limit:
        raise NotSupportedError(f"the {alg.name} Jacobian has {K} rows; exact stable sets are limited to "
                                f"{limit} (config.defaults['spectral.max_symbolic_state']; use stable_step_sizes, "
                                "which brackets every boundary numerically)")


@checked_call
def stable_set(algorithm, game, point, param="lr", *, allow_noncritical=False, time_limit=60.0, **hp):
    """The exact set of ``param > 0`` for which ``point`` is strictly stable (ρ < 1).

    Parameters
    ----------
    algorithm : str or Algorithm
    game : Game
        Zero-sum, with a rational Hessian at the point (floats are their binary values); the
        state size is limited by ``config.defaults["spectral.max_symbolic_state"]``.
    point : array_like, exact numbers, or CriticalPoint
    param : str
        The hyperparameter (``"lr"``: every step size, keeping a two-time-scale method's
        ratio ``lr_y/lr_x``).
    time_limit : float
        Seconds before a :class:`~stability.errors.TimeLimitError` (the work runs in a child
        process; nothing hangs).
    **hp
        The other hyperparameters, read exactly.

    Returns
    -------
    ExactStableSet
    """
    from ..timelimit import run_with_time_limit
    from ..linalg import real_number
    flint_module()
    time_limit = real_number(time_limit, "time_limit", 0.0)
    alg = as_algorithm(algorithm, **hp)
    if param != "lr" and param not in alg.hp:
        raise InputError(f"{param!r} is not a hyperparameter of {alg.name} (known: {', '.join(alg.hp)}, lr)")
    kind = type(alg).params[param].kind if param != "lr" else None
    if kind in ("count", "spd"):
        raise InputError(f"{param} of {alg.name} is {'an integer count' if kind == 'count' else 'a matrix'}; exact "
                         "stable sets are over one real hyperparameter (a complex one: over its real values)")
    check_state_size(alg, game)
    start = time.perf_counter()
    out = run_with_time_limit(_stable_set, (alg, game, point, param, allow_noncritical, hp),
                              time_limit, "certify.stable_set")
    out.seconds = time.perf_counter() - start
    return out


def _stable_set(alg, game, point, param, allow_noncritical, hp):
    s = sp.Dummy("s", positive=True)
    exact = exact_algorithm(alg, **hp)
    if param == "lr":
        if "lr_x" in exact.hp and "lr_y" in exact.hp:  # a two-time-scale method keeps its ratio
            values = {"lr_x": s, "lr_y": exact.hp["lr_y"] / exact.hp["lr_x"] * s}
        else:
            values = {("lr_x" if "lr_x" in exact.hp else (type(alg).step_param or "lr")): s}
    else:
        values = {param: s}
    exact = exact.exact_copy({**exact.hp, **values})
    inputs = exact_inputs(game, point, allow_noncritical=allow_noncritical)
    return exact_set(exact, s, param, inputs)


def exact_set(exact, s, param, inputs):
    """The :class:`ExactStableSet` of the algorithm ``exact`` (exact hyperparameters, the
    positive sympy symbol ``s`` among them) on the exact ``inputs``."""
    if not inputs.exact:
        raise NotSupportedError("exact stable sets need a rational Hessian at the point; this one has "
                                "irrational entries (use certify.spectral_radius at given values)")
    values = {k for k, v in exact.hp.items() if isinstance(v, sp.Basic) and s in v.free_symbols}
    F = sp.QQ.frac_field(s)
    from sympy.polys.matrices import DomainMatrix
    like = FieldMat(DomainMatrix([[F.zero]], (1, 1), F))
    to_field = lambda B: like.of([[sp.Rational(int(v.p), int(v.q)) for v in row]
                                  for row in _rows(B)])
    model = LinearModel(*(to_field(B) for B in (inputs.Hxx, inputs.Hxy, inputs.Hyy)))
    try:
        J = exact.linear_jacobian(model)
    except SingularBlockError as exc:
        raise SingularBlockError(f"{exc} (the {exact.name} map is undefined for every {param})") from None
    R = sp.QQ[s]
    entries = [e for row in J.a.to_list() for e in row]
    undefined = R.one
    for e in entries:
        undefined = undefined.lcm(R.convert(e.denom))
    chi = J.a.charpoly()
    common = R.one
    for c in chi:
        common = common.lcm(R.convert(c.denom))
    coeffs = [R.convert(c.numer) * R.exquo(common, R.convert(c.denom)) for c in chi]
    cayley = _cayley(coeffs, R)
    z = sp.Symbol("z")
    chi_expr = sum(R.to_sympy(c) * z ** k for k, c in enumerate(reversed(coeffs))).xreplace({s: sp.Symbol(param)})
    if not cayley[0]:  # a leading coefficient ≡ 0: −1 is an eigenvalue for every s
        return ExactStableSet(exact.name, param, [], chi_expr, [], R.to_sympy(undefined), [
            f"Hessian: {inputs.source}", "−1 is an eigenvalue for every value: never stable"])
    conditions = list(dict.fromkeys(_hurwitz_conditions(cayley, R)))  # each once (d = 2 repeats a₀a₁)
    intervals, cells = [], []
    if not any(not c for c in conditions):  # a condition ≡ 0 can never be positive
        polys = [_to_fmpz(c) for c in conditions] + [_to_fmpz(undefined)]
        roots = _positive_roots(polys)
        flint = flint_module()
        edges = [None] + roots + [None]
        real_roots = {}  # each factor's real roots, isolated once

        def endpoint(q, ball):
            return _exact_endpoint(q, ball, param, real_roots)
        for left, right in zip(edges[:-1], edges[1:]):
            if left is None:
                sample = _simplest(flint.fmpq(0), _lo(right[1])) if right is not None else flint.fmpq(1)
            else:
                sample = _between(left[1], None if right is None else right[1])
            sv = R.domain.convert(sp.Rational(int(sample.p), int(sample.q)))
            signs = "".join("+" if c(sv) > 0 else "−" for c in conditions)
            stable = "−" not in signs and undefined(sv) != 0
            approx = lambda e, default: default if e is None else float(e[1].mid())
            cells.append((approx(left, 0.0), approx(right, float("inf")), R.domain.to_sympy(sv), signs, stable))
            if stable:  # exact endpoints only where they bound the set
                intervals.append((sp.Integer(0) if left is None else endpoint(*left),
                                  sp.oo if right is None else endpoint(*right)))
    notes = [f"Hessian: {inputs.source}"]
    others = {k: v for k, v in exact.hp.items() if k not in values and v is not None}
    if others:
        notes.append("other hyperparameters: " + ", ".join(f"{k} = {v}" for k, v in others.items()))
    if {"lr_x", "lr_y"} <= values:
        notes.append(f"lr_y = {sp.simplify(exact.hp['lr_y'] / exact.hp['lr_x'])} · lr_x")
    named = lambda c: R.to_sympy(c).xreplace({s: sp.Symbol(param)})
    return ExactStableSet(exact.name, param, intervals, chi_expr, [named(c) for c in conditions],
                          named(undefined), notes, cells)


def _rows(B):
    r, c = B.shape
    return [[B.a[i, j] for j in range(c)] for i in range(r)]
