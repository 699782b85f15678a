"""Exact location of the roots of a polynomial with rational coefficients relative to the unit
circle or the imaginary axis (docs/MATHEMATICS.md §6.2).

Each irreducible factor q over ℤ is located on its own. Its roots on the curve are counted
exactly: on the imaginary axis they are the real roots of ``gcd(Re q(iy), Im q(iy))``; the unit
circle is carried to the axis by the Cayley map ``z = (1 + s)/(1 − s)`` (z = −1, sent to
infinity, is the rational root of the factor z + 1). Arb's certified root isolation encloses
every root in a ball; the precision is doubled until the balls that still meet the curve are
exactly as many as the roots on it, which are then *on* it, while every other ball lies
strictly on one side. Nothing is decided by a tolerance."""

from dataclasses import dataclass

from ..errors import ConvergenceError
from .algebra import flint_module


@dataclass
class Root:
    """One root of one irreducible factor: its enclosure, multiplicity in the polynomial, and
    where it lies (``"inside"``/``"on"``/``"outside"`` the unit circle, or ``"left"``/``"on"``/
    ``"right"`` of the imaginary axis)."""

    ball: object
    multiplicity: int
    position: str
    factor: object
    exponent: int


def _real_imag_parts(q):
    """Integer polynomials ``(R, I)`` with ``q(iy) = R(y) + i I(y)``."""
    flint = flint_module()
    coeffs = [int(c) for c in q.coeffs()]
    R, I = [0] * len(coeffs), [0] * len(coeffs)
    for k, c in enumerate(coeffs):  # i^k cycles 1, i, −1, −i
        unit = k % 4
        if unit == 0:
            R[k] = c
        elif unit == 1:
            I[k] = c
        elif unit == 2:
            R[k] = -c
        else:
            I[k] = -c
    return flint.fmpz_poly(R), flint.fmpz_poly(I)


def axis_count(q):
    """The number of roots of the integer polynomial ``q`` on the imaginary axis, with
    multiplicity: the real roots of ``gcd(R, I)`` where ``q(iy) = R(y) + i I(y)`` (Arb
    isolates real roots with an exactly zero imaginary part)."""
    R, I = _real_imag_parts(q)
    g = R.gcd(I) if not I.is_zero() else R
    if g.degree() <= 0:
        return 0
    return sum(m for r, m in g.complex_roots() if r.imag == 0)


def cayley(q):
    """``(1 − s)^d q((1 + s)/(1 − s))``: the unit circle of ``q`` is the imaginary axis of the
    result, its inside the open left half-plane."""
    flint = flint_module()
    d = q.degree()
    plus, minus = flint.fmpz_poly([1, 1]), flint.fmpz_poly([1, -1])
    out = flint.fmpz_poly([])
    for k, c in enumerate(q.coeffs()):
        if c != 0:
            out += int(c) * plus ** k * minus ** (d - k)
    return out


def _circle_count(q):
    if q.degree() == 1:
        return 1 if abs(int(q[0])) == abs(int(q[1])) else 0
    return axis_count(cayley(q))


def _side(ball, curve):
    """``-1``/``+1`` where the ball lies strictly inside/outside (left/right), 0 if it meets the curve."""
    if curve == "circle":
        a = abs(ball)
        return -1 if a < 1 else (1 if a > 1 else 0)
    return -1 if ball.real < 0 else (1 if ball.real > 0 else 0)


NAMES = {"circle": {-1: "inside", 0: "on", 1: "outside"}, "axis": {-1: "left", 0: "on", 1: "right"}}


def locate(poly, curve="circle", max_precision=4096):
    """Every root of the rational polynomial ``poly`` (``fmpq_poly`` or ``fmpz_poly``) as
    :class:`Root` records, each placed exactly relative to ``curve`` (``"circle"``: |z| = 1;
    ``"axis"``: Re z = 0), and the precision (bits) the enclosures needed.

    Raises :class:`ConvergenceError` if ``max_precision`` bits do not separate the roots off
    the curve from it (a root closer to the curve than 2^−max_precision)."""
    flint = flint_module()
    p = poly.numer() if isinstance(poly, flint.fmpq_poly) else poly
    if p.degree() < 1:
        return [], 0
    _, factors = p.factor()
    roots, used = [], 53
    for q, e in factors:
        on = _circle_count(q) if curve == "circle" else axis_count(q)
        if q.degree() == 1:  # a rational root: its place is decided exactly
            r = flint.fmpq(-int(q[0]), int(q[1]))
            side = 0 if on else (-1 if (abs(r) < 1 if curve == "circle" else r < 0) else 1)
            roots.append(Root(flint.acb(r), e, NAMES[curve][side], q, e))
            continue
        precision, old = 64, flint.ctx.prec
        try:
            while True:
                flint.ctx.prec = precision
                found = q.complex_roots()
                sides = [_side(r, curve) for r, _ in found]
                if sides.count(0) == on:
                    break
                if precision >= max_precision:
                    raise ConvergenceError(
                        f"{max_precision} bits do not separate the roots of a degree-{q.degree()} factor "
                        "from the curve (config.defaults['certify.max_precision'])")
                precision = min(2 * precision, max_precision)
        finally:
            flint.ctx.prec = old
        used = max(used, precision)
        roots += [Root(r, e, NAMES[curve][s], q, e) for (r, _), s in zip(found, sides)]
    return roots, used
