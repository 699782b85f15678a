"""Certified spectra of a Jacobian given as a :class:`~stability.certify.algebra.Mat`:
exactly, from its characteristic polynomial over ℚ, when the matrix is rational; by
Arb's eigenvalue enclosures, with the precision doubled until decided, when it holds balls
(docs/MATHEMATICS.md §6)."""

from dataclasses import dataclass

import numpy as np

from ..errors import ConvergenceError
from .algebra import flint_module
from .roots import NAMES, locate


@dataclass
class Eigenvalue:
    """One distinct eigenvalue (or, for balls, one cluster) of a certified spectrum.

    ``ball`` is Arb's enclosure (exact for a rational eigenvalue); ``multiplicity`` the
    algebraic multiplicity (for a cluster of balls: how many eigenvalues the ball holds);
    ``geometric`` the number of Jordan blocks (exact route only, else None); ``position``
    ``"inside"``, ``"on"`` or ``"outside"`` the unit circle (``"left"``/``"on"``/``"right"``
    of the imaginary axis), or ``"undecided"``; ``factor`` the minimal polynomial over ℤ
    (exact route)."""

    ball: object
    multiplicity: int
    position: str
    geometric: int = None
    factor: object = None

    @property
    def value(self):
        return complex(self.ball.mid())

    @property
    def radius(self):
        return float(max(self.ball.real.rad(), self.ball.imag.rad()))

    @property
    def defective(self):
        return None if self.geometric is None else self.geometric < self.multiplicity

    @property
    def exact_value(self):
        """The eigenvalue as an exact ``fmpq`` when it is rational (a linear factor), else None."""
        if self.factor is None or self.factor.degree() != 1:
            return None
        return flint_module().fmpq(-int(self.factor[0]), int(self.factor[1]))

    def text(self, digits=17):
        r = self.exact_value
        if r is not None:
            return str(r) if r.q == 1 or len(str(r)) <= 24 else f"{r} ≈ {float(r):.{digits}g}"
        return self.ball.str(digits, radius=True)


def polynomial_text(poly):
    """The factored integer polynomial (``z`` the variable), irreducible factors over ℤ."""
    p = poly.numer() if hasattr(poly, "numer") else poly
    content, factors = p.factor()
    parts = [f"({str(q).replace('x', 'z')})" + (f"^{e}" if e > 1 else "") for q, e in factors]
    lead = "" if content == 1 else f"{content}·"
    return lead + "·".join(parts)


def exact_spectrum(J, curve="circle", max_precision=4096):
    """``(eigenvalues, charpoly, bits)`` of a rational matrix: the characteristic polynomial
    over ℚ, its irreducible factors, each root placed exactly, and the Jordan structure of
    each repeated factor q from ``dim ker q(J) / deg q``."""
    chi = J.a.charpoly()
    roots, bits = locate(chi, curve, max_precision)
    K = J.shape[0]
    blocks = {}
    out = []
    for r in roots:
        key = str(r.factor)
        if key not in blocks:
            blocks[key] = 1 if r.exponent == 1 else (K - _poly_at(r.factor, J.a).rank()) // r.factor.degree()
        out.append(Eigenvalue(r.ball, r.multiplicity, r.position, blocks[key], r.factor))
    return out, chi, bits


def _poly_at(q, M):
    """``q(M)`` exactly (Horner)."""
    flint = flint_module()
    K = M.nrows()
    I = flint.fmpq_mat(K, K)
    for i in range(K):
        I[i, i] = 1
    out = flint.fmpq_mat(K, K)
    for c in reversed(q.coeffs()):
        out = out * M + I * flint.fmpq(int(c))
    return out


def gershgorin_spectrum(J, curve="circle"):
    """Eigenvalue enclosures from floating-point eigenvectors, proven in ball arithmetic, or
    None where they do not separate.

    With X the float eigenvectors of the midpoint matrix, ``M = X⁻¹ J X`` is computed in ball
    arithmetic (a solve, so X⁻¹ is never rounded); J is similar to M, so every eigenvalue lies
    in a Gershgorin disc ``|z − Mᵢᵢ| ≤ Σⱼ≠ᵢ |Mᵢⱼ|``, and a connected group of k discs holds
    exactly k eigenvalues. The discs (enclosed in boxes) are returned as clusters. This costs one
    float ``eig`` and two ball products — a tenth of Arb's own eigenvalue enclosure at K = 100
    to 200 — and decides every spectrum whose eigenvalues are not within about 1e-13 of the
    curve or of each other; a group that meets the curve is ``"undecided"``. Returns None when X
    is singular (a defective or nearly defective matrix)."""
    flint = flint_module()
    Jb = J.balls()
    K = J.shape[0]
    mid = np.array([[complex(Jb[i, j].mid()) for j in range(K)] for i in range(K)])
    if not np.all(np.isfinite(mid)):
        return None
    if not np.any(mid.imag):
        mid = mid.real  # a real eigensolve: half the work
    try:
        _, X = np.linalg.eig(mid)
    except np.linalg.LinAlgError:
        return None
    if not np.all(np.isfinite(X)):
        return None
    Xb = flint.acb_mat(K, K, [flint.acb(v.real, v.imag) for v in X.ravel()])
    try:
        M = Xb.solve(Jb * Xb)
    except ZeroDivisionError:
        return None
    boxes = []
    for i, r in enumerate(_off_diagonal_sums(M)):
        c = M[i, i]
        boxes.append(flint.acb(flint.arb(c.real.mid(), c.real.rad() + r), flint.arb(c.imag.mid(), c.imag.rad() + r)))
    groups = _components(boxes)
    out = []
    for members in groups:
        box = boxes[members[0]]
        for i in members[1:]:
            box = box.union(boxes[i])
        side = _ball_side(box, curve)
        out.append(Eigenvalue(box, len(members), NAMES[curve][side] if side else "undecided",
                              1 if len(members) == 1 else None))
    return out


def norm_bound_spectrum(J, curve="circle"):
    """One cluster holding every eigenvalue: the disc ``|z| ≤ ‖J‖∞`` (the largest row sum, in
    ball arithmetic) — all a matrix too large for Arb's enclosure proves when its Gershgorin
    discs fail; it decides ρ < 1 when ‖J‖∞ < 1."""
    flint = flint_module()
    Jb = J.balls()
    K = Jb.nrows()
    bound = max(sum((abs(Jb[i, j]) for j in range(K)), flint.arb(0)).upper() for i in range(K))
    ball = flint.acb(flint.arb(0, bound), flint.arb(0, bound))
    side = -1 if curve == "circle" and bound < 1 else 0
    return [Eigenvalue(ball, K, NAMES[curve][side] if side else "undecided")]


def congruence_inertia(M):
    """``(positive, negative, zero)`` of a real symmetric :class:`Mat` proven by Sylvester's law
    of inertia, or None where it does not separate the eigenvalues from 0.

    Q, the float eigenvectors of the midpoint matrix, is nonsingular when ``‖QᵀQ − I‖∞ < 1``
    (computed in ball arithmetic), and then M and ``B = QᵀMQ`` are congruent, so they have the
    same inertia. B is nearly diagonal and real symmetric: its eigenvalues lie in the Gershgorin
    intervals ``[Bᵢᵢ − rᵢ, Bᵢᵢ + rᵢ]``, a connected group of k intervals holds k of them, and a
    group off 0 fixes their sign. Only ball products are needed, no solve."""
    flint = flint_module()
    A = flint.arb_mat(M.a) if M.exact else M.a.real
    K = A.nrows()
    mid = np.array([[float(A[i, j].mid()) for j in range(K)] for i in range(K)])
    if not np.all(np.isfinite(mid)):
        return None
    try:
        Q = np.linalg.eigh((mid + mid.T) / 2)[1]
    except np.linalg.LinAlgError:
        return None
    Qb = flint.arb_mat(K, K, [float(v) for v in Q.ravel()])
    E = Qb.transpose() * Qb
    drift = max(sum(abs(E[i, j] - (1 if i == j else 0)) for j in range(K)) for i in range(K))
    if not drift < 1:
        return None
    B = Qb.transpose() * A * Qb
    intervals = [flint.arb(B[i, i].mid(), B[i, i].rad() + r) for i, r in enumerate(_off_diagonal_sums(B))]
    counts = [0, 0]
    for members in _components([flint.acb(x) for x in intervals]):
        box = intervals[members[0]]
        for i in members[1:]:
            box = box.union(intervals[i])
        if box > 0:
            counts[0] += len(members)
        elif box < 0:
            counts[1] += len(members)
        else:
            return None
    return (counts[0], counts[1], 0)


def _off_diagonal_sums(M):
    """Upper bounds (exact arbs) on the Gershgorin radii ``Σ_{j≠i} |Mᵢⱼ|`` of a ball matrix."""
    flint = flint_module()
    K = M.nrows()
    out = []
    for i in range(K):
        r = flint.arb(0)
        for j in range(K):
            if j != i:
                r += abs(M[i, j])
        out.append(r.upper())
    return out


def _components(boxes):
    """Groups of overlapping boxes (connected components), by union–find on the real order."""
    parent = list(range(len(boxes)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i
    order = sorted(range(len(boxes)), key=lambda i: boxes[i].real.lower())  # exact endpoints: a true order
    for a, i in enumerate(order):
        hi = boxes[i].real.upper()
        for j in order[a + 1:]:
            if boxes[j].real.lower() > hi:
                break
            if boxes[i].overlaps(boxes[j]):
                parent[find(i)] = find(j)
    groups = {}
    for i in range(len(boxes)):
        groups.setdefault(find(i), []).append(i)
    return list(groups.values())


def ball_spectrum(build, curve="circle", max_precision=4096, enough=None):
    """``(eigenvalues, bits)`` from Arb's enclosures of the matrix ``build()`` returns at the
    working precision (rebuilt at each precision, so inputs that are balls tighten too), from
    64 bits doubling until every cluster lies strictly on one side of ``curve`` (or ``enough``
    of the sides, a function of the list of -1/0/+1, decides the question). The escalation stops
    at ``max_precision`` bits or once ``config.defaults["certify.ball_seconds"]`` have passed
    (each step costs about twice the last), and the clusters still undecided say so."""
    import time
    from ..config import defaults
    flint = flint_module()
    precision, old = 64, flint.ctx.prec
    start, budget = time.perf_counter(), defaults["certify.ball_seconds"]
    try:
        while True:
            flint.ctx.prec = precision
            values = None
            try:
                values = build().balls().eig(multiple=True)
            except ValueError:  # Arb could not isolate the clusters at this precision
                pass
            out_of_time = time.perf_counter() - start > budget
            if values is not None:
                clusters = _clusters(values)
                sides = [_ball_side(b, curve) for b, _ in clusters]
                if all(sides) or (enough is not None and enough(sides)) or precision >= max_precision or out_of_time:
                    break
            elif precision >= max_precision or out_of_time:
                raise ConvergenceError(f"Arb could not enclose the eigenvalues by {precision} bits and "
                                       f"{time.perf_counter() - start:.0f} s (config.defaults['certify.max_precision'], "
                                       "['certify.ball_seconds'])")
            precision = min(2 * precision, max_precision)
    finally:
        flint.ctx.prec = old
    names = {"circle": {-1: "inside", 1: "outside", 0: "undecided"},
             "axis": {-1: "left", 1: "right", 0: "undecided"}}[curve]
    return [Eigenvalue(b, k, names[s]) for (b, k), s in zip(clusters, sides)], precision


def _clusters(values):
    """Equal enclosures (Arb repeats one ball for a cluster of eigenvalues) counted once."""
    out = []
    for v in values:
        for i, (b, k) in enumerate(out):
            if b.mid() == v.mid() and b.rad() == v.rad():
                out[i] = (b, k + 1)
                break
        else:
            out.append((v, 1))
    return out


def _ball_side(ball, curve):
    if curve == "circle":
        a = abs(ball)
        return -1 if a < 1 else (1 if a > 1 else 0)
    return -1 if ball.real < 0 else (1 if ball.real > 0 else 0)


def radius_interval(eigenvalues):
    """Outward-rounded float bounds ``(lo, hi)`` on ρ and its Arb enclosure; an eigenvalue
    proven on the unit circle has modulus exactly 1."""
    flint = flint_module()
    if not eigenvalues:
        return (0.0, 0.0), flint.arb(0)
    mods = [flint.arb(1) if e.position == "on" else abs(e.ball) for e in eigenvalues]
    lo = max(m.lower() for m in mods)
    hi = max(m.upper() for m in mods)
    ball = flint.arb(lo).union(flint.arb(hi)) if lo != hi else flint.arb(lo)
    return (_down(lo), _up(hi)), ball


def _down(x):
    import math
    f = float(x)
    return f if x >= f else math.nextafter(f, -math.inf)


def _up(x):
    import math
    f = float(x)
    return f if x <= f else math.nextafter(f, math.inf)
