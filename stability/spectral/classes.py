"""Rates for whole classes of games: the worst case of an algorithm over every game whose game
Jacobian V has its eigenvalues in a compact set K ⊂ ℂ (docs/MATHEMATICS.md §5).

For the algorithms whose Jacobian is a function of ηV with one step size (GDA, EG, OGDA, PM, IU,
heavy ball, complex momentum: ``spectral_key()[0] == "dv"`` at ratio ηy/ηx = 1), each eigenvalue
λ of V contributes the roots of a small polynomial whose coefficients are polynomials in λ, so
the spectrum is the union of those roots and

    ρ_K = sup_{λ ∈ K} r(λ),   r(λ) = the largest root modulus for λ.

r is the spectral radius of a matrix depending holomorphically on λ, hence subharmonic: the
supremum over K is attained on its boundary (the maximum principle) — except where the map has a
pole in K (IU, at λ = −1/η), where ρ_K is unbounded. :func:`worst_case` therefore searches the
boundary only: a fine sample of every boundary piece, then a vectorised zoom into the brackets
of its best local maxima, and evaluates r at the maximiser (the *witness*) to report it.
"""

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import minimize
from scipy.special import xlogy

from .. import backend, formatting
from ..algorithms import as_algorithm
from ..errors import InputError, NotSupportedError, SingularBlockError, checked_call
from ..linalg import count, interval, real_number
from ..plotting import PALETTE, _axes


# --- regions -----------------------------------------------------------------------------

class Region:
    """A compact set K of the complex plane, given by its boundary: ``pieces()`` is a list of
    maps ``t ↦ z`` on ``t ∈ [0, 1]`` (vectorised) whose images cover ∂K; ``contains(z)``
    decides membership (boundary included)."""

    def pieces(self):
        raise NotImplementedError

    def contains(self, z):
        raise NotImplementedError

    def boundary(self, num=400):
        """Points along ∂K (``num`` per piece), for plotting."""
        t = np.linspace(0.0, 1.0, num)
        return np.concatenate([np.asarray(p(t), dtype=complex) for p in self.pieces()])

    def plot(self, ax=None, **kw):
        """∂K in the complex plane (equal aspect). Returns the line."""
        ax = _axes(ax)
        z = self.boundary()
        (line,) = ax.plot(z.real, z.imag, **({"color": "k", "lw": 1.0} | kw))
        ax.set_aspect("equal")
        ax.set_xlabel("Re λ")
        ax.set_ylabel("Im λ")
        return line

    def __or__(self, other):
        return Union(self, other)


def _frozen(region, **values):
    """Set the checked ``values`` on a frozen dataclass region."""
    for name, value in values.items():
        object.__setattr__(region, name, value)


def _point(z, name):
    try:
        z = complex(z)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a complex number, got {z!r}") from None
    if not np.isfinite(z):
        raise InputError(f"{name} must be finite, got {z!r}")
    return z


@dataclass(frozen=True)
class Disc(Region):
    """The closed disc ``|λ − centre| ≤ radius``."""

    centre: complex
    radius: float

    def __post_init__(self):
        _frozen(self, centre=_point(self.centre, "centre"), radius=real_number(self.radius, "radius", 0.0))

    def pieces(self):
        return [lambda t: self.centre + self.radius * np.exp(2j * np.pi * np.asarray(t))]

    def contains(self, z):
        return np.abs(np.asarray(z) - self.centre) <= self.radius * (1 + 1e-12)


@dataclass(frozen=True)
class Segment(Region):
    """The segment from ``a`` to ``b`` (complex endpoints)."""

    a: complex
    b: complex

    def __post_init__(self):
        _frozen(self, a=_point(self.a, "a"), b=_point(self.b, "b"))

    def pieces(self):
        return [lambda t: self.a + (self.b - self.a) * np.asarray(t)]

    def contains(self, z):
        z = np.asarray(z, dtype=complex)
        d = self.b - self.a
        if d == 0:
            return np.abs(z - self.a) <= 1e-12 * max(1.0, abs(self.a))
        t = ((z - self.a) / d)
        return (np.abs(t.imag) * abs(d) <= 1e-12 * max(1.0, abs(d))) & (t.real >= -1e-12) & (t.real <= 1 + 1e-12)


@dataclass(frozen=True)
class Polygon(Region):
    """The convex hull of ``points`` (a rectangle, a triangle, any convex polygon)."""

    points: tuple

    def __post_init__(self):
        pts = [_point(p, "points") for p in self.points]
        if len(pts) < 1:
            raise InputError("a polygon needs at least one point")
        _frozen(self, points=tuple(_convex_hull(pts)))

    def pieces(self):
        v = self.points
        if len(v) == 1:
            return [lambda t: np.full(np.shape(t), v[0])]
        return [(lambda a, b: (lambda t: a + (b - a) * np.asarray(t)))(v[i], v[(i + 1) % len(v)])
                for i in range(len(v))]

    def contains(self, z):
        z = np.asarray(z, dtype=complex)
        v = self.points
        if len(v) <= 2:
            return Segment(v[0], v[-1]).contains(z)
        inside = np.ones(z.shape, dtype=bool)
        scale = max(1.0, max(abs(p) for p in v))
        for i in range(len(v)):
            a, b = v[i], v[(i + 1) % len(v)]
            cross = ((b - a).conjugate() * (z - a)).imag  # > 0: left of a → b (counter-clockwise hull)
            inside &= cross >= -1e-12 * scale * abs(b - a)
        return inside


def Rectangle(re_lo, re_hi, im_lo, im_hi):
    """The rectangle ``[re_lo, re_hi] × i[im_lo, im_hi]`` (a :class:`Polygon`)."""
    return Polygon((complex(re_lo, im_lo), complex(re_hi, im_lo), complex(re_hi, im_hi), complex(re_lo, im_hi)))


@dataclass(frozen=True)
class Ellipse(Region):
    """The ellipse with ``centre``, semi-axes ``a`` (along the real axis) and ``b`` (imaginary)."""

    centre: complex
    a: float
    b: float

    def __post_init__(self):
        _frozen(self, centre=_point(self.centre, "centre"), a=real_number(self.a, "a", 0.0),
                b=real_number(self.b, "b", 0.0))

    def pieces(self):
        return [lambda t: self.centre + self.a * np.cos(2 * np.pi * np.asarray(t))
                + 1j * self.b * np.sin(2 * np.pi * np.asarray(t))]

    def contains(self, z):
        w = np.asarray(z, dtype=complex) - self.centre
        a, b = max(self.a, 1e-300), max(self.b, 1e-300)
        return (w.real / a) ** 2 + (w.imag / b) ** 2 <= 1 + 1e-12


@dataclass(frozen=True)
class MonotoneLipschitz(Region):
    """``{Re λ ≥ μ, |λ| ≤ L}``: where the eigenvalues of V of a μ-strongly monotone, L-Lipschitz
    game lie. Its boundary: the vertical chord ``Re λ = μ`` and the arc of ``|λ| = L`` right of it."""

    mu: float
    L: float

    def __post_init__(self):
        mu, L = real_number(self.mu, "mu", 0.0), real_number(self.L, "L", 0.0, inclusive=False)
        if mu > L:
            raise InputError(f"monotone_lipschitz needs mu <= L, got mu = {mu!r}, L = {L!r}")
        _frozen(self, mu=mu, L=L)

    def pieces(self):
        h = np.sqrt(self.L ** 2 - self.mu ** 2)
        phi = np.arccos(self.mu / self.L)
        return [lambda t: self.mu + 1j * h * (2 * np.asarray(t) - 1),
                lambda t: self.L * np.exp(1j * phi * (2 * np.asarray(t) - 1))]

    def contains(self, z):
        z = np.asarray(z, dtype=complex)
        return (z.real >= self.mu * (1 - 1e-12) - 1e-300) & (np.abs(z) <= self.L * (1 + 1e-12))


@dataclass(frozen=True)
class Points(Region):
    """A finite set: the eigenvalues of one game's V at a point (see :func:`region_of`)."""

    values: tuple

    def pieces(self):
        vals = np.asarray(self.values, dtype=complex)
        return [(lambda v: (lambda t: np.full(np.shape(t), v)))(v) for v in vals]

    def contains(self, z):
        z = np.asarray(z, dtype=complex)
        vals = np.asarray(self.values, dtype=complex)
        return np.any(np.abs(z[..., None] - vals) <= 1e-12 * max(1.0, np.abs(vals).max()), axis=-1)


@dataclass(frozen=True)
class Union(Region):
    """The union of regions."""

    parts: tuple = field(default=())

    def __init__(self, *parts):
        flat = []
        for p in parts:
            if not isinstance(p, Region):
                raise InputError(f"a union takes regions, got {type(p).__name__}")
            flat += list(p.parts) if isinstance(p, Union) else [p]
        _frozen(self, parts=tuple(flat))

    def pieces(self):
        return [piece for p in self.parts for piece in p.pieces()]

    def contains(self, z):
        return np.any([p.contains(z) for p in self.parts], axis=0)


def monotone_lipschitz(mu, L):
    """The class of μ-strongly monotone, L-Lipschitz games: ``{Re λ ≥ μ, |λ| ≤ L}``."""
    return MonotoneLipschitz(mu, L)


def bilinear(smin, smax):
    """The bilinear games ``xᵀAy`` whose singular values of A lie in ``[σmin, σmax]``:
    eig(V) ⊂ ±i[σmin, σmax]."""
    smin, smax = real_number(smin, "smin", 0.0), real_number(smax, "smax", 0.0)
    if smin > smax:
        raise InputError(f"bilinear needs smin <= smax, got {smin!r} > {smax!r}")
    return Union(Segment(1j * smin, 1j * smax), Segment(-1j * smin, -1j * smax))


def region_of(game, point):
    """The exact eigenvalues of the game's V at ``point``, as a :class:`Points` region."""
    Hxx, Hxy, Hyy = game.blocks_at(np.asarray(point, dtype=float))
    return Points(tuple(np.linalg.eigvals(backend.game_jacobian(Hxx, Hxy, Hyy))))


def strongly_convex_concave(mu_x, mu_y, L):
    """The μx-strongly-convex–μy-strongly-concave games with L-Lipschitz gradient field:
    ``eig(V) ⊂ {Re λ ≥ min(μx, μy), |λ| ≤ L}``, and every such λ is attained (the 1 + 1 game
    Hxx = a, Hxy = b, Hyy = −a with a ≥ min(μx, μy), a² + b² ≤ L² has eig(V) = a ± ib and
    Lipschitz constant ``|λ|``), so the class's rates are those of
    :func:`monotone_lipschitz` (min(μx, μy), L)."""
    mu_x, mu_y = real_number(mu_x, "mu_x", 0.0), real_number(mu_y, "mu_y", 0.0)
    return MonotoneLipschitz(min(mu_x, mu_y), L)


@dataclass(frozen=True)
class RidgeClass:
    """The games at whose point eig(S) ⊂ [s_lo, s_hi] and eig(−Hyy) ⊂ [h_lo, h_hi] (S the Schur
    complement Hxx − Hxy Hyy⁻¹ Hyx): what decides the ridge followers FR (its momentum variant),
    HessianFR, GDN and Stackelberg FR, whose spectra are functions of eig(S) and eig(Hyy)
    separately (docs/MATHEMATICS.md §5). For preconditioned FR the intervals are those of
    eig(P₁S) and eig(−P₂Hyy). A strict local minimax has both intervals in (0, ∞)."""

    s: tuple
    h: tuple

    def __post_init__(self):
        values = {}
        for name in ("s", "h"):
            try:
                lo, hi = getattr(self, name)
            except (TypeError, ValueError):
                raise InputError(f"{name} must be an interval (lo, hi), got {getattr(self, name)!r}") from None
            lo, hi = real_number(lo, f"{name}[0]"), real_number(hi, f"{name}[1]")
            if lo > hi:
                raise InputError(f"{name} must satisfy lo <= hi, got ({lo!r}, {hi!r})")
            values[name] = (lo, hi)
        _frozen(self, **values)

    def pieces(self):
        """The two intervals as maps of [0, 1] (real segments): eig(S), then eig(−Hyy)."""
        return Segment(*self.s).pieces() + Segment(*self.h).pieces()

    def plot(self, ax=None, **kw):
        """The two intervals on the real line (eig(S) above, eig(−Hyy) below). Returns the lines."""
        ax = _axes(ax)
        style = {"lw": 3.0} | kw
        lines = [ax.plot(self.s, [1, 1], color=PALETTE[0], label="eig(S)", **style)[0],
                 ax.plot(self.h, [0, 0], color=PALETTE[1], label="eig(−Hyy)", **style)[0]]
        ax.set_yticks([0, 1], ["eig(−Hyy)", "eig(S)"])
        ax.set_ylim(-0.5, 1.5)
        return lines


def ridge_class(s, h):
    """The class of games with eig(S) in ``s = (lo, hi)`` and eig(−Hyy) in ``h = (lo, hi)``
    (a :class:`RidgeClass`)."""
    return RidgeClass(s, h)


def check_region(region, ridge=False):
    """``region`` unless it is not a :class:`Region` (with ``ridge``, nor a :class:`RidgeClass`):
    an :class:`InputError` naming its type."""
    if not isinstance(region, (Region, RidgeClass) if ridge else Region):
        raise InputError(f"region must be a stability Region (Disc, Segment, Polygon, …)"
                         f"{' or a RidgeClass' if ridge else ''}, got {type(region).__name__}")
    return region


REGION_ALGORITHMS = ("gda", "eg", "ogda", "pm", "iu", "hb", "complex-momentum")
"""The algorithms a region of eig(V) determines (one step size; complex momentum's is α)."""


def _convex_hull(points):
    """Counter-clockwise convex hull (monotone chain); collinear points dropped."""
    pts = sorted(set(points), key=lambda z: (z.real, z.imag))
    if len(pts) <= 2:
        return pts
    cross = lambda o, a, b: ((a - o).conjugate() * (b - o)).imag
    lower, upper = [], []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


# --- the worst case ----------------------------------------------------------------------

def rate_function(algorithm):
    """``r(λ)``, vectorised: the largest modulus among the Jacobian's eigenvalues that one
    eigenvalue λ of V contributes, for an algorithm whose spectrum maps eigenvalue by eigenvalue
    with one step size; a :class:`NotSupportedError` for any other."""
    alg = as_algorithm(algorithm)
    key = alg.spectral_key()
    if not (isinstance(key, tuple) and key and key[0] == "dv"):
        raise NotSupportedError(f"{alg.name}'s spectrum is not a function of the eigenvalues of V alone "
                                "(it needs the blocks), so a class given by a region of eig(V) does not "
                                "determine its rate; worst_case covers GDA, EG, OGDA, PM, IU, heavy ball and "
                                "complex momentum over a region, and the ridge followers over a ridge_class(s, h) "
                                "of eig(S) and eig(−Hyy)")
    if key[1] != 1.0:
        raise NotSupportedError(f"{alg.name} runs with ηy/ηx = {key[1]:g}: its spectrum is a function of "
                                "diag(I, cI)V, not of V; give it one step size (lr=…) for a class of eig(V)")

    def r(lam):
        lam = np.atleast_1d(np.asarray(lam, dtype=complex))
        with np.errstate(all="ignore"):
            values = np.asarray(alg.spectrum_from(lam), dtype=complex)
        return np.abs(values).reshape(-1, lam.size).max(axis=0)
    return alg, r


RIDGE_ALGORITHMS = ("fr", "fr-momentum", "hessianfr", "gdn", "stackelberg-fr")
"""The algorithms a :class:`RidgeClass` determines."""


def ridge_rate_functions(algorithm):
    """``(r_S(s), r_H(h))``, vectorised: the largest modulus among the Jacobian's eigenvalues
    that one eigenvalue s of S, and one eigenvalue h of −Hyy, contribute — for an algorithm
    whose spectrum is a function of eig(S) and eig(Hyy) separately (the data of its own
    structured spectrum, built here from the samples); a :class:`NotSupportedError` for any
    other."""
    alg = as_algorithm(algorithm)
    key = alg.spectral_key()
    kind = key[0] if isinstance(key, tuple) and key else None
    none = np.zeros(0)
    if kind == "ridge":  # FR (preconditioned too), its momentum variant, HessianFR without P_y: (eig S, eig Hyy)
        data = (lambda s: (s, none), lambda h: (none, -h))
    elif kind == "stackelberg":  # (eig H̃xx = S, eig Gyy = −Hyy)
        data = (lambda s: (s, none), lambda h: (none, h))
    elif kind == "gdn":  # (eig S, m): the follower's m eigenvalues are 0
        data = (lambda s: (s, 0), lambda h: (none, h.size))
    else:
        raise NotSupportedError(f"{alg.name}'s spectrum is not a function of eig(S) and eig(Hyy) alone, so "
                                "a class given by their intervals does not determine its rate; ridge classes "
                                "cover " + ", ".join(RIDGE_ALGORITHMS) + " (HessianFR without P_y)")

    def rate(build):
        def r(values):
            values = np.atleast_1d(np.asarray(values, dtype=complex)).real
            with np.errstate(all="ignore"):
                out = np.abs(np.asarray(alg.spectrum_from(build(values)), dtype=complex))
            return out.reshape(-1, values.size).max(axis=0) if values.size else out
        return r
    return alg, rate(data[0]), rate(data[1])


@dataclass
class WorstCase:
    """The worst asymptotic rate of ``algorithm`` over every game whose eig(V) lie in
    ``region``: ``rate`` = ρ_K, ``witness`` = a λ on ∂K where r attains it (a game with that
    eigenvalue attains ρ_K), ``note`` why it is unbounded where it is."""

    algorithm: object
    region: object
    rate: float
    witness: complex
    note: str = ""
    block: str = "V"
    """Whose eigenvalue the witness is: ``"V"`` for a region of eig(V); ``"S"`` or ``"-Hyy"`` for a
    :class:`RidgeClass` (the game with that one eigenvalue, the other interval at any point of its
    own, attains ρ_K)."""

    def iterations(self, eps=1e-6):
        """Steps to shrink the error by ``eps`` at this rate: ``log ε / log ρ_K`` (inf if ρ_K ≥ 1)."""
        eps = real_number(eps, "eps", 0.0, inclusive=False)
        return float(np.log(eps) / np.log(self.rate)) if 0 < self.rate < 1 else (0.0 if self.rate == 0 else np.inf)

    def __str__(self):
        hp = formatting.hyperparameters(self.algorithm.hp)
        if not np.isfinite(self.rate):
            return f"{self.algorithm.name} ({hp}): unbounded over the class ({self.note})"
        where = "λ" if self.block == "V" else f"an eigenvalue of {self.block.replace('-', '−')}"
        return (f"{self.algorithm.name} ({hp}): worst ρ = {formatting.number(self.rate, 12)} at {where} = "
                f"{formatting.number(self.witness, 10)}")


PEAKS_PER_PIECE = 6
"""How many local maxima of the samples on each boundary piece are refined."""
ZOOM = 64
"""Points per bracket and refinement round of :func:`_boundary_maximum` (each round shrinks
every bracket by ZOOM/2)."""


def _evaluate_pieces(r, pieces, owner, t):
    """``(z, r(z))`` at ``z = pieces[owner[i]](t[i])`` for every i, in one call of r."""
    z = np.empty(t.shape, dtype=complex)
    for k in np.unique(owner):
        mask = owner == k
        z[mask] = pieces[k](t[mask])
    values = r(z.ravel()).reshape(z.shape)
    return z, np.where(np.isnan(values), np.inf, values)


def _boundary_maximum(r, pieces, samples, refine=True):
    """``(value, z)``: the maximum of r over the union of the ``pieces`` (maps of [0, 1]) and
    where it is. Each piece is sampled at ``samples`` points; the best :data:`PEAKS_PER_PIECE`
    local maxima of each piece's samples (its ends included) are then refined all at once:
    each bracket — the two sample spacings around a local maximum, which hold the maximum of
    a function unimodal there, smooth or with a kink — is sampled at :data:`ZOOM` points and
    shrunk to the two spacings around its best one, until it is narrower than 1e-14 (about
    eight rounds, one call of r each). Without ``refine`` the best sample is the answer (a
    lower estimate, exact at the pieces' ends: a polygon's vertices). A local maximum more than
    four times r's change to the next sample below the best sample is not refined."""
    t = np.linspace(0.0, 1.0, samples)
    owner = np.repeat(np.arange(len(pieces)), samples)
    z, values = _evaluate_pieces(r, pieces, owner, np.tile(t, len(pieces)))
    best = int(np.argmax(values))
    if not refine or not np.isfinite(values[best]):
        return float(values[best]), complex(z[best])
    lo, hi, who = [], [], []
    for k, v in enumerate(values.reshape(len(pieces), samples)):
        step = np.abs(np.diff(v))
        rise = np.maximum(np.concatenate(([0.0], step)), np.concatenate((step, [0.0])))
        left = np.concatenate(([True], v[1:] >= v[:-1]))
        right = np.concatenate((v[:-1] >= v[1:], [True]))
        # a local maximum whose bracket can hold the maximum: r varies there by about its
        # change to the next sample, so one more than 4 such changes below the best is dropped
        peaks = np.flatnonzero(left & right & (v + 4 * rise >= values[best]))
        for i in peaks[np.argsort(v[peaks])[::-1][:PEAKS_PER_PIECE]]:
            lo.append(t[max(i - 1, 0)]), hi.append(t[min(i + 1, samples - 1)]), who.append(k)
    a, b = np.array(lo), np.array(hi)
    who = np.repeat(np.array(who)[:, None], ZOOM + 1, axis=1)
    grid = np.linspace(0.0, 1.0, ZOOM + 1)
    rows = np.arange(len(a))
    while True:
        s = a[:, None] + (b - a)[:, None] * grid
        zs, fs = _evaluate_pieces(r, pieces, who, s)
        j = np.argmax(fs, axis=1)
        if np.max(b - a) < 1e-14:
            break
        a, b = s[rows, np.maximum(j - 1, 0)], s[rows, np.minimum(j + 1, ZOOM)]
    i = int(np.argmax(fs[rows, j]))
    if fs[i, j[i]] > values[best]:
        return float(fs[i, j[i]]), complex(zs[i, j[i]])
    return float(values[best]), complex(z[best])


def _rate_over(alg, r, region, samples, refine=True):
    """``(ρ_K, witness, note)`` of ``alg`` (with rate function ``r``) over ``region``: infinite
    where a pole of the map lies in the region or a block it inverts is singular on ∂K."""
    for pole in getattr(alg, "eigenvalue_poles", lambda: ())():
        if bool(np.all(region.contains(pole))):
            return np.inf, complex(pole), f"the map has a pole at λ = {formatting.number(pole)}, inside the class"
    try:
        rate, z = _boundary_maximum(r, region.pieces(), samples, refine)
    except SingularBlockError as exc:
        return np.inf, complex(region.pieces()[0](np.zeros(1))[0]), str(exc)
    return rate, z, ""


def _ridge_rate(alg, r_s, r_h, cls, samples, refine=True):
    """``(ρ_K, witness, note, block)`` over a :class:`RidgeClass`: the larger of the maxima of
    r_S over the S interval and r_H over the −Hyy interval; infinite where a map that inverts
    Hyy meets a singular Hyy in the class."""
    if alg.inverts_hyy and cls.h[0] <= 0 <= cls.h[1]:
        return np.inf, 0j, f"{alg.name} inverts Hyy, which is singular in the class (0 ∈ eig(−Hyy))", "-Hyy"
    s_piece, h_piece = cls.pieces()
    rate_s, at_s = _boundary_maximum(r_s, [s_piece], samples, refine)
    rate_h, at_h = _boundary_maximum(r_h, [h_piece], samples, refine)
    if rate_h > rate_s:
        return rate_h, complex(at_h.real), "", "-Hyy"
    return rate_s, complex(at_s.real), "", "S"


def _class_rate(algorithm, cls, samples, refine=True):
    """``(algorithm, ρ_K, witness, note, block)`` for a region of eig(V) or a ridge class."""
    if isinstance(cls, RidgeClass):
        alg, r_s, r_h = ridge_rate_functions(algorithm)
        return (alg,) + _ridge_rate(alg, r_s, r_h, cls, samples, refine)
    alg, r = rate_function(algorithm)
    return (alg,) + _rate_over(alg, r, cls, samples, refine) + ("V",)


@checked_call
def worst_case(algorithm, region, samples=256, **hp):
    """The worst-case rate ρ_K of ``algorithm`` over a class of games: every game with eig(V)
    in ``region`` (a :class:`Region`), or every game with eig(S) and eig(−Hyy) in the intervals
    of a :class:`RidgeClass` (for the ridge followers, :data:`RIDGE_ALGORITHMS`).

    Over a region, ρ_K is the maximum of r over ∂K (subharmonicity, see the module docstring);
    over a ridge class, the larger of the maxima over the two intervals. Each boundary piece
    (interval) is sampled at ``samples`` points, the best local maxima of the samples are
    refined by zooming into their brackets (to 1e-14 in the piece's parameter, see
    :func:`_boundary_maximum`), and r is evaluated at the maximiser (the witness). An algorithm
    whose map has a pole inside K (IU: λ = −1/η), or inverts a block singular in the class, is
    unbounded there: the result says so (rate ∞). Returns a :class:`WorstCase`."""
    algorithm = as_algorithm(algorithm, **hp)
    check_region(region, ridge=True)
    samples = count(samples, "samples", 8, high=10 ** 6)
    alg, rate, witness, note, block = _class_rate(algorithm, region, samples)
    return WorstCase(alg, region, rate, witness, note, block)


# --- class-optimal hyperparameters -------------------------------------------------------

@dataclass
class ClassOptimum:
    """Hyperparameters minimising the worst-case rate over a class: the tuned ``algorithm``,
    its :class:`WorstCase` (rate ρ_K* and witness) and the number of worst-case evaluations."""

    algorithm: object
    worst: WorstCase
    evaluations: int

    @property
    def rate(self):
        return self.worst.rate

    def __str__(self):
        return (f"{self.algorithm.name}: min over the hyperparameters of the worst ρ = "
                f"{formatting.number(self.rate, 12)} at {formatting.hyperparameters(self.algorithm.hp, 12)} "
                f"(witness {'λ' if self.worst.block == 'V' else 'eigenvalue of ' + self.worst.block.replace('-', '−')}"
                f" = {formatting.number(self.worst.witness, 8)}; {self.evaluations} evaluations)")


def _golden(f, lo, hi, iterations=90):
    """Golden-section minimisation of a unimodal ``f`` on ``[lo, hi]`` (kinks allowed): the
    bracket shrinks by 0.618 a step, to below one ulp after ~80 steps. Returns ``(x, f(x))``."""
    g = (np.sqrt(5) - 1) / 2
    a, b = lo, hi
    c, d = b - g * (b - a), a + g * (b - a)
    fc, fd = f(c), f(d)
    for _ in range(iterations):
        if b - a <= 2 * np.finfo(float).eps * max(abs(a), abs(b), 1e-300):
            break
        if fc <= fd:
            b, d, fd = d, c, fc
            c = b - g * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + g * (b - a)
            fd = f(d)
    return (c, fc) if fc <= fd else (d, fd)


@checked_call
def optimize_class(algorithm, region, bounds, num=None, fixed=None, samples=256):
    """Minimise ρ_K (:func:`worst_case`) over hyperparameters within ``bounds``
    (``{name: (lo, hi)}``; ``lr`` is the one step size).

    ρ_K is a max of smooth functions, so it has kinks where the active witness changes — the
    optimum typically sits on one (GDA on [μ, L]: ``|1 − ημ| = |1 − ηL|``). A grid of ``num``
    values per hyperparameter (default 41 for one hyperparameter, 15 for two, 7 for more)
    brackets the global minimum. One hyperparameter is then refined
    by golden-section search to the last bit of the step (derivative-free, and it converges on
    a kink; Brent's method stops at √ε relative in the argument, which on a kink of slope L
    leaves ρ_K √ε·L too high). Two or more are bracketed on the grid and refined by Nelder–Mead
    on ρ_K from the boundary samples alone (exact at a polygon's vertices, a lower estimate
    elsewhere; one evaluation of r per trial), from the three best grid points, and then by
    Nelder–Mead on the refined ρ_K from the best of them. Returns a :class:`ClassOptimum`."""
    base = as_algorithm(algorithm, **(fixed or {}))
    check_region(region, ridge=True)
    if not isinstance(bounds, dict) or not bounds:
        raise InputError("bounds must be a non-empty dict {hyperparameter: (lo, hi)}")
    names = list(bounds)
    box = [interval(bounds[k], f"bounds[{k!r}]") for k in names]
    num = {1: 41, 2: 15}.get(len(names), 7) if num is None else count(num, "num", 3, high=10 ** 4)
    samples = count(samples, "samples", 8, high=10 ** 6)
    evaluations = 0

    def alg_at(x):
        return base.replace(**{name: float(value) for name, value in zip(names, x)})

    def rho(x, refine=True):
        nonlocal evaluations
        evaluations += 1
        if any(not (lo <= v <= hi) for v, (lo, hi) in zip(x, box)):
            return np.inf
        # the coarse stages sample a quarter as densely
        return _class_rate(alg_at(x), region, samples if refine else max(samples // 4, 16), refine)[1]
    for corner in (tuple(lo for lo, _ in box), tuple(hi for _, hi in box)):
        try:  # the bounds must hold valid hyperparameters: say so now, not in the middle of a search
            _class_rate(alg_at(corner), region, 8, refine=False)
        except InputError as exc:
            raise InputError(f"bounds {bounds!r} reach invalid hyperparameters: {exc}") from None
    axes = [np.linspace(lo, hi, num) for lo, hi in box]
    grid = np.array(np.meshgrid(*axes, indexing="ij")).reshape(len(names), -1).T
    if len(grid) > 10 ** 5:
        raise InputError(f"num ** len(bounds) = {len(grid)} grid points is too many (at most 10⁵)")
    one = len(names) == 1
    values = np.array([rho(x, refine=one) for x in grid])
    order = np.argsort(values)
    if one:
        i = int(order[0])
        step = (box[0][1] - box[0][0]) / (num - 1)
        lo, hi = max(box[0][0], grid[i, 0] - step), min(box[0][1], grid[i, 0] + step)
        x, fx = _golden(lambda s: rho([s]), lo, hi)
        best = [x] if fx <= values[i] else list(grid[i])
    else:
        options = {"xatol": 1e-13, "fatol": 1e-15, "maxiter": 4000, "maxfev": 8000}
        coarse = options | {"xatol": 1e-8, "fatol": 1e-12}  # a start for the refined search, no more
        sampled = [minimize(lambda x: rho(x, refine=False), grid[i], method="Nelder-Mead", options=coarse)
                   for i in order[:3]]
        start = min(sampled, key=lambda res: res.fun).x
        simplex = np.vstack([start] + [start + 1e-4 * (hi - lo) * e for (lo, hi), e in zip(box, np.eye(len(names)))])
        res = minimize(rho, start, method="Nelder-Mead", options=options | {"initial_simplex": simplex})
        best = list(res.x)  # Nelder–Mead returns its best vertex, so never worse than the start
    alg = alg_at(best)
    return ClassOptimum(alg, worst_case(alg, region, samples=samples), evaluations)


# --- stability-region maps -----------------------------------------------------------------

@dataclass
class StabilityRegion:
    """r(z) on a grid of the plane of z = ηλ (the step size times an eigenvalue of V), for an
    algorithm whose spectrum maps eigenvalue by eigenvalue: the picture numerical analysts draw
    for ODE solvers. ``{z : r(z) < 1}`` is where an eigenvalue may lie for the map to converge;
    a game converges at step η exactly when η·eig(V) lies inside."""

    algorithm: object
    x: np.ndarray
    y: np.ndarray
    r: np.ndarray

    def contains(self, z):
        """Whether r(z) < 1 at the points ``z`` (computed exactly, not read off the grid)."""
        _, rate = rate_function(self.algorithm)
        return rate(np.asarray(z, dtype=complex)) < 1

    def plot(self, ax=None, region=None, eta=None, eigenvalues=None, levels=(0.25, 0.5, 0.75, 0.9, 1.0)):
        """Level curves of r (the curve r = 1 bold) with the stable set shaded; with ``region``
        and ``eta`` the boundary of η·K, with ``eigenvalues`` (and ``eta``) the points η·λ, so
        one sees which step sizes keep a class or a game inside. Returns the contour set."""
        ax = _axes(ax)
        X, Y = np.meshgrid(self.x, self.y)
        ax.contourf(X, Y, self.r, levels=[0.0, 1.0], colors=[PALETTE[5]], alpha=0.25)
        lines = ax.contour(X, Y, self.r, levels=list(levels), colors="k",
                           linewidths=[0.5] * (len(levels) - 1) + [1.4])
        ax.clabel(lines, fmt=lambda v: f"r = {v:g}", fontsize="xx-small")
        scale = 1.0 if eta is None else real_number(eta, "eta", 0.0, inclusive=False)
        if region is not None:
            z = scale * region.boundary()
            ax.plot(z.real, z.imag, color=PALETTE[1], lw=1.2, label=f"η·K (η = {scale:g})")
        if eigenvalues is not None:
            z = scale * np.asarray(eigenvalues, dtype=complex)
            ax.plot(z.real, z.imag, "o", color=PALETTE[1], ms=3, ls="none", label=f"η·eig(V) (η = {scale:g})")
        ax.axhline(0, color="0.6", lw=0.4)
        ax.axvline(0, color="0.6", lw=0.4)
        ax.set_aspect("equal")
        ax.set_xlabel("Re ηλ")
        ax.set_ylabel("Im ηλ")
        others = {k: v for k, v in self.algorithm.hp.items() if k not in ("lr", "lr_x", "lr_y", "alpha")}
        ax.set_title(f"{self.algorithm.name}" + (f" ({formatting.hyperparameters(others)})" if others else "")
                     + ": r(ηλ) < 1 shaded", fontsize="x-small")
        if region is not None or eigenvalues is not None:
            ax.legend(fontsize="xx-small", loc="lower left")
        return lines


@checked_call
def stability_region(algorithm, extent=(-1.0, 3.0, -2.0, 2.0), num=300, **hp):
    """The :class:`StabilityRegion` of ``algorithm`` over ``extent`` = (re_lo, re_hi, im_lo,
    im_hi) of z = ηλ, on a ``num`` × ``num`` grid. The step size is set to 1 so that z is ηλ
    (complex momentum's step α likewise); its other hyperparameters come from ``hp``."""
    alg = as_algorithm(algorithm, **hp)
    step = "alpha" if alg.name == "complex-momentum" else "lr"
    alg = alg.with_hyperparameter(step, 1.0)
    alg, rate = rate_function(alg)
    try:
        re_lo, re_hi, im_lo, im_hi = (real_number(v, "extent") for v in extent)
    except (TypeError, ValueError):
        raise InputError(f"extent must be (re_lo, re_hi, im_lo, im_hi), got {extent!r}") from None
    if not (re_lo < re_hi and im_lo < im_hi):
        raise InputError(f"extent must have re_lo < re_hi and im_lo < im_hi, got {extent!r}")
    num = count(num, "num", 10, high=2000)
    x, y = np.linspace(re_lo, re_hi, num), np.linspace(im_lo, im_hi, num)
    Z = x[None, :] + 1j * y[:, None]
    try:
        r = rate(Z.ravel()).reshape(Z.shape)
    except SingularBlockError:  # a pole on the grid (IU at z = −1): evaluate around it
        r = np.array([[rate(np.array([z]))[0] if abs(1 + z) > 1e-12 else np.inf for z in row] for row in Z])
    return StabilityRegion(alg, x, y, r)


# --- lower bounds: the best any Krylov method can do ----------------------------------------

def _joukowski_exterior(u):
    """The larger in modulus of u ± √(u² − 1): the exterior conformal map of [−1, 1]."""
    s = np.sqrt(complex(u) ** 2 - 1)
    return max(abs(u + s), abs(u - s))


def _capacity_pieces(region):
    """The parts of ``region`` of positive logarithmic capacity (points, degenerate segments and
    discs of radius 0 have none and change no asymptotic rate), unions flattened."""
    parts = list(region.parts) if isinstance(region, Union) else [region]
    keep = []
    for p in parts:
        if isinstance(p, Polygon) and len(p.points) == 2:  # a flat hull: the segment itself, once
            p = Segment(*p.points)
        if isinstance(p, Points) or (isinstance(p, Segment) and p.a == p.b) \
                or (isinstance(p, Disc) and p.radius == 0) or (isinstance(p, Polygon) and len(p.points) == 1):
            continue
        if p not in keep:
            keep.append(p)
    return _merge_collinear(keep)


def _merge_collinear(parts):
    """Overlapping collinear segments merged into one (their union is a segment, whose two
    traced copies would overlap in the collocation)."""
    parts = list(parts)
    merged = True
    while merged:
        merged = False
        for i, p in enumerate(parts):
            for j in range(i + 1, len(parts)):
                q = parts[j]
                if not (isinstance(p, Segment) and isinstance(q, Segment)):
                    continue
                d = p.b - p.a
                t = np.array([(q.a - p.a) / d, (q.b - p.a) / d])  # q's ends in p's coordinate
                if np.all(np.abs(t.imag) * abs(d) <= 1e-12 * max(1.0, abs(p.a), abs(p.b))) \
                        and max(t.real.min(), 0.0) <= min(t.real.max(), 1.0):
                    lo, hi = min(0.0, t.real.min()), max(1.0, t.real.max())
                    parts[i] = Segment(p.a + lo * d, p.a + hi * d)
                    del parts[j]
                    merged = True
                    break
            if merged:
                break
    return parts


def _drop_covered_panels(A, B):
    """The panels [A_j, B_j] less those lying on an earlier parallel panel (a shared polygon
    edge, overlapping collinear segments): a boundary traced twice would make the collocation
    system singular, and a charge on it is one charge."""
    d = B - A
    mid = (A + B) / 2
    scale = max(float(np.abs(np.concatenate([A, B])).max()), 1e-300)
    t = ((mid[:, None] - A[None, :]) / d[None, :])  # position of midpoint i along panel j
    on = (np.abs(t.imag) * np.abs(d)[None, :] <= 1e-10 * scale) & (t.real >= 0) & (t.real <= 1)
    parallel = np.abs((d[:, None].conjugate() * d[None, :]).imag) <= 1e-10 * np.abs(d)[:, None] * np.abs(d)[None, :]
    covered = np.any(np.tril(on & parallel, k=-1), axis=1)
    return A[~covered], B[~covered]


def _closed_form_lower_bound(region):
    """The conformal-map formula for a segment, disc or ellipse; None for any other region."""
    if isinstance(region, Disc):
        return region.radius / abs(region.centre)
    if isinstance(region, Segment):
        a, b = region.a, region.b
        return 1.0 / _joukowski_exterior(-(a + b) / (b - a))
    if isinstance(region, Ellipse):
        A, B, c = region.a, region.b, region.centre
        if A == B:
            return A / abs(c)
        d = np.sqrt(abs(A * A - B * B))
        f = d if A > B else 1j * d  # foci c ± f
        return ((A + B) / d) / _joukowski_exterior((0 - c) / f)
    return None


def _log_panel_integrals(z, A, B):
    """``∫ log|z − w| |dw|`` over each straight panel [A_j, B_j] (columns) for each z (rows), in
    closed form: in coordinates along the panel, ``∫ ½ log(τ² + y²) dτ =
    ½τ log(τ² + y²) − τ + |y| atan(τ/|y|)``."""
    length = np.abs(B - A)
    e = (B - A) / length
    w = (np.asarray(z, dtype=complex)[:, None] - A[None, :]) / e[None, :]
    tau0, y = w.real, np.abs(w.imag)

    def G(tau):
        return xlogy(0.5 * tau, tau * tau + y * y) - tau + y * np.arctan2(tau, y)
    return G(length[None, :] - tau0) - G(-tau0)


def _green_rate(parts, panels):
    """exp(−g(0)) for the Green's function g of the complement of ∪ parts with pole at ∞, from
    one mesh: ``panels`` straight panels per boundary piece, graded towards the piece's ends
    (corners, segment ends) by cosine spacing; a piecewise-constant charge density σ of total
    mass 1 whose logarithmic potential is one constant c at every panel midpoint (collocation),
    then ``g(0) = ∫ log|0 − w| σ − c``."""
    t = 0.5 * (1 - np.cos(np.pi * np.arange(panels + 1) / panels))
    ends = [np.asarray(piece(t), dtype=complex) for part in parts for piece in part.pieces()]
    A = np.concatenate([z[:-1] for z in ends])
    B = np.concatenate([z[1:] for z in ends])
    keep = np.abs(B - A) > 0
    A, B = _drop_covered_panels(A[keep], B[keep])
    N = A.size
    system = np.empty((N + 1, N + 1))
    system[:N, :N] = _log_panel_integrals((A + B) / 2, A, B)
    system[:N, N] = -1.0
    system[N, :N] = np.abs(B - A)
    system[N, N] = 0.0
    rhs = np.zeros(N + 1)
    rhs[N] = 1.0
    try:
        solution = np.linalg.solve(system, rhs)
    except np.linalg.LinAlgError:  # a boundary traced twice that the panel check missed: consistent, so least squares
        solution = np.linalg.lstsq(system, rhs, rcond=None)[0]
    sigma, c = solution[:N], solution[N]
    potential_at_0 = _log_panel_integrals(np.zeros(1), A, B)[0] @ sigma
    return c - potential_at_0  # log of the rate: −g(0)


GREEN_PANELS = 128
"""Panels per boundary piece on the coarsest of the three meshes of the numerical lower bound."""


def _numerical_lower_bound(parts, panels=GREEN_PANELS):
    """exp(−g(0)) by the boundary-integral solve of :func:`_green_rate` on meshes of n, 2n and
    4n panels per piece, extrapolated: the discretisation error of log ρ expands in powers h²,
    h³ of the panel size (observed on every closed form, docs/MATHEMATICS.md §5), so Romberg
    steps with factors 4 and 8 remove both; the result agrees with the closed forms to ~1e-10."""
    g1, g2, g4 = (_green_rate(parts, k * panels) for k in (1, 2, 4))
    r12, r24 = (4 * g2 - g1) / 3, (4 * g4 - g2) / 3
    return float(min(1.0, np.exp((8 * r24 - r12) / 7)))


@checked_call
def lower_bound(region):
    """The best asymptotic rate any method whose iterates stay in the Krylov space of the
    gradients can reach on every game with eig(V) in ``region`` (asymptotic convergence factor
    of the class; docs/MATHEMATICS.md §5): ``lim_n (min over p of degree n with p(0) = 1 of
    max_K |p|)^(1/n) = exp(−g_K(0))``, g_K the Green's function of the complement of K with
    pole at infinity. In closed form through the exterior conformal map of K (Chebyshev
    polynomials on segments and ellipses, powers on discs):

    - segment [a, b] not through 0: ``1/|φ(u₀)|`` with ``u = (2z − a − b)/(b − a)`` and φ the
      exterior map ``u + √(u² − 1)`` of [−1, 1] (real [μ, L]: ``(√L − √μ)/(√L + √μ)``);
    - disc ``|z − c| ≤ r`` not containing 0: ``r/|c|``;
    - ellipse with centre c, semi-axes a, b, not containing 0: ``((a + b)/d)/|φ(u₀)|`` with d
      the half focal distance, u the map sending the foci to ±1.

    Any other region (polygons, the monotone–Lipschitz class, unions such as the bilinear
    class) by a boundary-integral solve for the equilibrium charge of K on three meshes,
    extrapolated (relative accuracy ~1e-10 on the closed forms; a 6-vertex polygon takes about
    a second). A region containing 0, or enclosing it, has rate 1 (no polynomial with
    p(0) = 1 is below 1 there); finitely many points have rate 0 (a polynomial vanishes on
    them). :func:`minimax_rates` gives the finite-degree rates that converge to this limit."""
    check_region(region)
    if bool(np.all(region.contains(0.0))):
        return 1.0
    parts = _capacity_pieces(region)
    if not parts:
        return 0.0
    if len(parts) == 1 and (closed := _closed_form_lower_bound(parts[0])) is not None:
        return float(closed)
    return _numerical_lower_bound(parts)


@dataclass
class MinimaxRates:
    """The finite-degree Krylov rates of a region: for each ``degree`` n, ``rate`` =
    ``(max_∂K |p_n|)^(1/n)`` for the polynomial p_n (degree n, p_n(0) = 1) that Lawson's
    iteration reached, and ``lower`` = the same power of Lawson's weighted least-squares error,
    which no polynomial of degree n can beat on the boundary sample; ``limit`` is
    :func:`lower_bound`, which every ``rate`` stays above (Bernstein–Walsh) and approaches as n
    grows."""

    region: Region
    degrees: np.ndarray
    rate: np.ndarray
    lower: np.ndarray
    limit: float

    def plot(self, ax=None, **kw):
        """Rate against degree with the limit as a dashed line. Returns the rate line."""
        ax = _axes(ax)
        (line,) = ax.plot(self.degrees, self.rate, "o-", **({"color": PALETTE[0]} | kw))
        ax.axhline(self.limit, color="k", ls="--", lw=0.8)
        ax.set_xscale("log", base=2)
        ax.set_xlabel("degree n")
        ax.set_ylabel("(min max |p_n|)^(1/n)")
        return line


def _lawson(z, degree, tol, iterations):
    """Lawson's iteration for ``min over p (deg ≤ degree, p(0) = 1) of max |p(z)|`` on the
    sample z: p = 1 − q with q in the span of z, …, z^degree (an Arnoldi-orthonormalised basis,
    as in Vandermonde-with-Arnoldi, so high degrees stay well conditioned); the weights are
    multiplied by |p| after each weighted least-squares solve. Returns (upper, lower): the best
    max |p| reached and the best weighted least-squares error (a lower bound of the minimax
    value on the sample), stopping when they agree to ``tol``."""
    Q = np.empty((z.size, degree), dtype=complex)
    Q[:, 0] = z / np.linalg.norm(z)
    for k in range(1, degree):
        v = z * Q[:, k - 1]
        for _ in range(2):
            v = v - Q[:, :k] @ (Q[:, :k].conj().T @ v)
        Q[:, k] = v / np.linalg.norm(v)
    w = np.full(z.size, 1.0 / z.size)
    upper, lower = np.inf, 0.0
    for _ in range(iterations):
        sw = np.sqrt(w)
        c = np.linalg.lstsq(sw[:, None] * Q, sw, rcond=None)[0]
        err = np.abs(1 - Q @ c)
        upper, lower = min(upper, err.max()), max(lower, float(np.sqrt(w @ err ** 2)))
        if upper <= lower * (1 + tol):
            break
        w = w * err
        w /= w.sum()
    return upper, lower


@checked_call
def minimax_rates(region, degrees=(1, 2, 4, 8, 16), samples=400, tol=1e-3, iterations=3000):
    """The complex minimax-polynomial problem on ∂K at growing degree: for each n in
    ``degrees``, ``(min over p of degree n with p(0) = 1 of max_∂K |p|)^(1/n)``, on ``samples``
    points per boundary piece, by Lawson's iteration bracketed to ``tol`` (relative, in the
    minimax value). The sequence decreases towards :func:`lower_bound` — the rate a Krylov
    method can keep up for n steps against the rate it can keep up for ever. A
    :class:`MinimaxRates`."""
    check_region(region)
    degrees = [count(d, "degrees", 1, high=128) for d in np.atleast_1d(degrees).tolist()]
    samples = count(samples, "samples", 8, high=20000)
    tol = real_number(tol, "tol", 0.0, inclusive=False)
    iterations = count(iterations, "iterations", 1, high=10 ** 6)
    limit = lower_bound(region)
    z = np.unique(region.boundary(samples))
    rate, lower = [], []
    for n in degrees:
        if limit >= 1.0:  # p ≡ 1 is optimal: |p(0)| = 1 bounds max |p| on a set around 0
            up = lo = 1.0
        elif n >= z.size:  # a polynomial vanishes on every sample point
            up = lo = 0.0
        else:
            up, lo = _lawson(z, n, tol, iterations)
        rate.append(up ** (1 / n))
        lower.append(lo ** (1 / n))
    return MinimaxRates(region, np.array(degrees), np.array(rate), np.array(lower), limit)
