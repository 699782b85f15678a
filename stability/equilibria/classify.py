"""Second-order classification of a critical point of a zero-sum game: strict local Nash,
minimax and maximin points and their necessary conditions, and GDA-stability for small step
sizes, from the inertias of Hxx, Hyy and the Schur complements S and T
(docs/MATHEMATICS.md §2).

Verdicts use a zero tolerance ``rtol · ‖H‖₂`` that scales with the Hessian; an eigenvalue
inside it makes the second-order test inconclusive, never a guess."""

from dataclasses import dataclass, field
import html

import numpy as np

from .. import backend, formatting
from ..backend import game_jacobian, schur_complement
from ..config import Default, resolve
from ..errors import InputError, NotSupportedError, checked_call
from ..games.base import check_game, full_hessian
from ..linalg import as_finite_array, inertia, real_number
from .exact import exact_inertias, exact_point
from .points import CriticalPoint
from .signs import eigvalsh, regular, rescaled, size
from .stackelberg import classify_stackelberg
from .stationarity import check_critical, criticality


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
        return verdict_phrase(self.strict_local_nash, self.strict_local_minimax, self.strict_local_maximin,
                              self.inconclusive)

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

    def _rows(self, digits=6):
        """One row per block: its eigenvalue range and inertia (what each verdict rests on)."""
        blocks = (("Hxx", self.eig_xx), ("Hyy", self.eig_yy), ("S = Hxx − Hxy Hyy⁻¹ Hyx", self.eig_S),
                  ("T = Hyy − Hyx Hxx⁻¹ Hxy", self.eig_T))
        iner = self.inertia
        rows = []
        for name, ev in blocks:
            key = name.split(" ")[0]
            if ev is None or not len(ev):
                rows.append((name, "undefined" if ev is None else "—", "—"))
                continue
            p, n, z = iner.get(key, (None, None, None))
            rows.append((name, f"[{formatting.number(min(ev), digits)}, {formatting.number(max(ev), digits)}]",
                         f"{p} positive, {n} negative, {z} zero"))
        return rows

    def _repr_html_(self):
        concepts = (f"strict local Nash: {self.strict_local_nash}; strict local minimax: "
                    f"{self.strict_local_minimax}; strict local maximin: {self.strict_local_maximin}; "
                    f"GDA-stable for small η at ηy/ηx = {self.lr_ratio:g}: {self.gda_stable}")
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
        return (f"<p><b>{html.escape(self.verdict)}</b> at {formatting.point(self.point)} "
                f"(gradient residual {self.residual:.2e}, zero tolerance {self.tol:.2e})</p>"
                + formatting.html_table(("block", "eigenvalues (min, max)", "inertia"), self._rows())
                + f"<p>{html.escape(concepts)}</p>" + (f"<ul>{notes}</ul>" if notes else ""))




def verdict_phrase(nash, minimax, maximin, inconclusive, proven=False):
    """The strongest concept that holds, as a short phrase; with ``proven``, verdicts may be None
    (not proven either way), and a degeneracy is said to be proven."""
    if nash:
        return "strict local Nash"
    strict = [name for name, holds in (("strict local minimax", minimax), ("strict local maximin", maximin)) if holds]
    if strict:
        return " and ".join(strict)
    if None in (nash, minimax, maximin):
        return "undecided (an inertia is not proven at the highest precision)"
    if inconclusive:
        return "inconclusive at second order" + (" (a proven degeneracy)" if proven else "")
    return "none (not a local Nash, minimax or maximin point)"


def second_order_verdicts(iner, yy_regular, xx_regular):
    """The second-order verdicts (docs/MATHEMATICS.md §2.1) from the inertias ``(positive,
    negative, zero)`` of the blocks in ``iner`` (Hxx, Hyy and, where defined, S and T): strict
    local Nash, minimax and maximin points, their necessary conditions, and whether a
    necessary condition holds without the strict one (inconclusive at second order)."""
    pos_def = lambda k: k in iner and iner[k][0] == size(iner[k])
    neg_def = lambda k: k in iner and iner[k][1] == size(iner[k])
    pos_semi = lambda k: k not in iner or iner[k][1] == 0
    neg_semi = lambda k: k not in iner or iner[k][0] == 0
    v = {"strict_local_nash": pos_def("Hxx") and neg_def("Hyy"),
         "local_nash_necessary": pos_semi("Hxx") and neg_semi("Hyy"),
         "strict_local_minimax": yy_regular and neg_def("Hyy") and pos_def("S"),
         "local_minimax_necessary": neg_semi("Hyy") and pos_semi("S"),
         "strict_local_maximin": xx_regular and pos_def("Hxx") and neg_def("T"),
         "local_maximin_necessary": pos_semi("Hxx") and neg_semi("T")}
    v["inconclusive"] = any(v[f"{k}_necessary"] and not v[f"strict_{k}"]
                            for k in ("local_nash", "local_minimax", "local_maximin"))
    return v

class _Spectra:
    """The eigenvalues :func:`classify` needs, of the unit-scaled blocks, computed in numpy or
    in an array namespace ``xp`` (the blocks copied there once); always returned as numpy."""

    def __init__(self, Hxx, Hxy, Hyy, xp):
        self.host, self.xp = (Hxx, Hxy, Hyy), xp
        self.blocks = self.host if xp is None else tuple(backend.to_namespace(B, xp) for B in self.host)

    def symmetric(self, name):
        Hxx, Hxy, Hyy = self.blocks
        M = {"Hxx": lambda: Hxx, "Hyy": lambda: Hyy, "S": lambda: schur_complement(Hxx, Hxy, Hyy),
             "T": lambda: schur_complement(Hyy, backend.namespace(Hxy).matrix_transpose(Hxy), Hxx)}[name]()
        if self.xp is None:
            return eigvalsh(M, name)
        xp = self.xp
        if M.shape[0] == 0:
            return np.zeros(0)
        if not bool(xp.all(xp.isfinite(M))):
            eigvalsh(backend.to_numpy(M), name)  # the same typed error as on the host
        return np.asarray(backend.to_numpy(backend.symmetric_eigenvalues(M)), dtype=float)

    def general(self, ratio):
        if self.xp is None:
            return np.linalg.eigvals(game_jacobian(*self.blocks, ratio=ratio))
        values = backend.general_eigenvalues(backend.game_jacobian(*self.blocks, ratio=ratio))
        return np.asarray(backend.to_numpy(values), dtype=complex)


@checked_call
def classify(game, point, *, rtol=Default("equilibria.rtol"), gtol=Default("equilibria.gtol"), lr_ratio=1.0,
             allow_noncritical=False, xp=None):
    """Classify a critical point of a zero-sum game (or a general-sum one, see
    :class:`StackelbergClassification`).

    Parameters
    ----------
    game : Game
    point : array_like or CriticalPoint
        ``(x, y)`` as one vector of length ``n + m``.
    rtol : float
        Zero tolerance for eigenvalues relative to the game's Hessian scale at the point
        (default ``config.defaults["equilibria.rtol"]``).
    gtol : float
        Criticality tolerance: the gradient residual must be at most
        ``gtol · scale · max(1, ‖z‖)`` and the Newton step at most ``gtol · max(1, ‖z‖)``
        (default ``config.defaults["equilibria.gtol"]``).
    lr_ratio : float
        Ratio ``c = ηy/ηx`` for the GDA-stability verdict (stable for all small enough η).
    allow_noncritical : bool
        Classify even if the point is not critical (the verdicts then describe the
        second-order geometry only).
    xp : array namespace, optional
        Where the eigendecompositions run (``cupy``, ``array_api_strict``): the Hessian blocks
        are copied there once (the game's oracle is numpy), the Schur complements and the
        ``eigvalsh``/``eigvals`` calls run there, and only the eigenvalues (vectors of length
        n, m and n + m) come back for the sign decisions. Non-symmetric eigenvalues run on the
        host where the library has no ``linalg.eigvals``.

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
    rtol = real_number(resolve(rtol), "rtol", 0.0)
    gtol = real_number(resolve(gtol), "gtol", 0.0)
    lr_ratio = real_number(lr_ratio, "lr_ratio", 0.0)
    if not lr_ratio > 0:
        raise InputError(f"lr_ratio must be a positive number, got {lr_ratio!r}")
    if xp is not None:
        backend.check_namespace(xp)
    if game.is_general_sum:
        if xp is not None:
            raise NotSupportedError("classify(..., xp=) runs zero-sum classification in an array namespace; "
                                    "a general-sum (Stackelberg) classification runs in numpy only (call without xp)")
        return classify_stackelberg(game, z, rtol=rtol, gtol=gtol, allow_noncritical=allow_noncritical)
    Hxx, Hxy, Hyy = game.blocks_at(z)
    crit = criticality(game, z, full_hessian(Hxx, Hxy, Hyy), gtol)
    check_critical(z, crit, gtol, allow_noncritical)
    res, scale = crit.residual, crit.scale
    tol = rtol * scale + crit.hessian_error
    # work with H/‖H‖ so that no intermediate under- or overflows; eigenvalues scale back
    unit = scale if scale > 0 else 1.0
    Hxx_u, Hxy_u, Hyy_u = Hxx / unit, Hxy / unit, Hyy / unit
    spectra = _Spectra(Hxx_u, Hxy_u, Hyy_u, xp)
    eig_xx, eig_yy = rescaled(unit, spectra.symmetric("Hxx"), "Hxx"), rescaled(unit, spectra.symmetric("Hyy"), "Hyy")
    notes = []
    exact_in = exact_inertias(game, exact) if exact is not None else None
    if exact_in is not None:
        notes.append("inertias decided in exact arithmetic at the exact point "
                     f"({', '.join(str(v) for v in exact)})")
        iner = exact_in
        yy_regular, xx_regular = iner["Hyy"][2] == 0, iner["Hxx"][2] == 0
    else:
        yy_regular = regular(eig_yy, tol)
        xx_regular = regular(eig_xx, tol)
    eig_S = rescaled(unit, spectra.symmetric("S"), "S") if yy_regular else None
    eig_T = rescaled(unit, spectra.symmetric("T"), "T") if xx_regular else None
    if exact_in is None:
        iner = {k: inertia(v, tol) for k, v in
                (("Hxx", eig_xx), ("Hyy", eig_yy), ("S", eig_S), ("T", eig_T)) if v is not None}
    if not yy_regular:
        notes.append("Hyy is singular within tolerance: S is undefined")
    if not xx_regular:
        notes.append("Hxx is singular within tolerance: T is undefined")

    v = second_order_verdicts(iner, yy_regular, xx_regular)
    inconclusive = v["inconclusive"]

    raw = spectra.general(1.0)
    eig_game = rescaled(unit, raw, "V")
    scaled = raw if lr_ratio == 1.0 else spectra.general(lr_ratio)
    vtol = max(rtol, tol / unit) * max(1.0, lr_ratio)
    gda_stable = bool(np.all(scaled.real > vtol))
    if not gda_stable and np.all(scaled.real > -vtol):
        notes.append("GDA: an eigenvalue of diag(I, cI)V has zero real part; "
                     "stability for small η is decided beyond first order")
        inconclusive = True
    c = Classification(z, res, tol, eig_xx, eig_yy, eig_S, eig_T,
                       eig_game[np.lexsort((eig_game.imag, eig_game.real))], lr_ratio,
                       v["strict_local_nash"], v["local_nash_necessary"], v["strict_local_minimax"],
                       v["local_minimax_necessary"], v["strict_local_maximin"], v["local_maximin_necessary"],
                       gda_stable, inconclusive, notes)
    c._inertia = iner
    return c
