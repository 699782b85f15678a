"""Certified second-order classification: the inertias of Hxx, Hyy and the Schur complements
S and T, proven, and the verdicts that follow (docs/MATHEMATICS.md §2, §6.3).

The inertias of Hxx, Hyy and the full Hessian H are proven, those of S and T follow from
Haynsworth's additivity. Each is decided by Gershgorin discs of QᵀMQ in ball arithmetic (Q the
float eigenvectors) when no eigenvalue is near 0; otherwise, for rational blocks, exactly by
Descartes' rule of signs on the characteristic polynomial (all its roots are real), which
proves a zero eigenvalue; for ball blocks by Arb's enclosures, where a sign no precision up to
the limit decides leaves the inertia undecided, and so every verdict resting on it."""

from dataclasses import dataclass, field

from ..config import defaults
from ..equilibria.classify import second_order_verdicts, verdict_phrase
from ..errors import InputError, checked_call
from .algebra import exact_scalar, flint_module, precision_limit
from .certificate import point_text
from .jacobian import exact_inputs
from .roots import locate
from .spectra import ball_spectrum, congruence_inertia, gershgorin_spectrum

VERDICT_KEYS = ("strict_local_nash", "local_nash_necessary", "strict_local_minimax",
                "local_minimax_necessary", "strict_local_maximin", "local_maximin_necessary")


@dataclass
class ClassificationCertificate:
    """Proven inertias and the second-order verdicts of a critical point.

    ``inertia`` maps each defined block (``Hxx``, ``Hyy``, ``S``, ``T``) to ``(positive,
    negative, zero)`` or None where undecided; the verdict attributes are True/False when
    proven and None when they rest on an undecided inertia; ``gda_stable`` is True when every
    eigenvalue of ``diag(I, cI)V`` is proven to have positive real part, False when one is
    proven to have a negative one, None otherwise (a zero real part is decided only beyond
    first order)."""

    subject: str
    method: str
    inertia: dict
    evidence: dict
    strict_local_nash: object
    local_nash_necessary: object
    strict_local_minimax: object
    local_minimax_necessary: object
    strict_local_maximin: object
    local_maximin_necessary: object
    inconclusive: object
    gda_stable: object
    gda_evidence: str
    lr_ratio: object
    inputs: list = field(default_factory=list)

    @property
    def verdict(self):
        """The strongest proven concept, as a short phrase (or why none is proven)."""
        return verdict_phrase(self.strict_local_nash, self.strict_local_minimax, self.strict_local_maximin,
                              self.inconclusive, proven=True)

    def proof(self):
        lines = [f"{self.subject}: {self.verdict}"]
        lines += [f"  input: {text}" for text in self.inputs]
        for name in ("Hxx", "Hyy", "S", "T"):
            if name in self.inertia:
                iner = self.inertia[name]
                shown = "undecided" if iner is None else f"{iner[0]} positive, {iner[1]} negative, {iner[2]} zero"
                lines.append(f"  {name}: {shown} — {self.evidence[name]}")
            else:
                lines.append(f"  {name}: undefined — {self.evidence.get(name, '')}")
        lines.append(f"  GDA-stable for small η (ηy/ηx = {self.lr_ratio}): {self.gda_stable} — {self.gda_evidence}")
        return lines

    def __str__(self):
        return "\n".join(self.proof())

    def to_dict(self):
        out = {k: getattr(self, k) for k in VERDICT_KEYS + ("inconclusive", "gda_stable")}
        out.update(subject=self.subject, verdict=self.verdict, method=self.method,
                   inertia={k: None if v is None else list(v) for k, v in self.inertia.items()},
                   evidence=dict(self.evidence), gda_evidence=self.gda_evidence,
                   lr_ratio=str(self.lr_ratio), inputs=list(self.inputs))
        return out


def _signs_text(coeffs):
    return "".join("+" if c > 0 else "−" if c < 0 else "0" for c in coeffs)


def exact_inertia(M):
    """``((positive, negative, zero), evidence)`` of a rational symmetric :class:`Mat` by
    Descartes' rule on its characteristic polynomial (exact: its roots are all real)."""
    k = M.shape[0]
    if k == 0:
        return (0, 0, 0), "empty"
    coeffs = list(reversed(M.a.charpoly().coeffs()))  # highest degree first
    signs = [(c > 0) - (c < 0) for c in coeffs]
    variations = lambda s: sum(1 for a, b in zip(s, s[1:]) if a * b < 0)
    pos = variations([s for s in signs if s])
    neg = variations([s * (-1) ** (k - i) for i, s in enumerate(signs) if s])
    return (pos, neg, k - pos - neg), f"charpoly coefficient signs {_signs_text(coeffs)} (Descartes, exact)"


def ball_inertia(build, max_precision):
    """The inertia from Arb's enclosures of a symmetric ball matrix's eigenvalues, or None."""
    values, bits = ball_spectrum(build, "axis", max_precision)
    if any(v.position == "undecided" for v in values):
        return None, f"an eigenvalue enclosure meets 0 at {bits} bits"
    return _counts(values), f"eigenvalue enclosures at {bits} bits"


def _counts(values):
    pos = sum(v.multiplicity for v in values if v.position == "right")
    neg = sum(v.multiplicity for v in values if v.position == "left")
    return (pos, neg, 0)


def inertia(build, exact, max_precision):
    """``((positive, negative, zero), evidence)`` of the symmetric matrix ``build()``: a float
    congruence first (:func:`~stability.certify.spectra.congruence_inertia`), then Descartes on
    the exact characteristic polynomial (which proves a zero eigenvalue), then Arb's enclosures."""
    M = build()
    if M.shape[0] == 0:
        return (0, 0, 0), "empty"
    flint = flint_module()
    old, flint.ctx.prec = flint.ctx.prec, 128
    try:
        counts = congruence_inertia(M)
    finally:
        flint.ctx.prec = old
    if counts is not None:
        return counts, ("Sylvester: congruent to QᵀMQ (Q the float eigenvectors, proven nonsingular), whose "
                        "Gershgorin intervals in ball arithmetic are all off 0")
    if exact and M.shape[0] <= defaults["certify.max_exact_degree"]:
        return exact_inertia(M)
    if M.shape[0] > defaults["certify.max_ball_size"]:
        return None, (f"undecided: the congruence does not separate the eigenvalues from 0, and {M.shape[0]} rows "
                      "exceed config.defaults['certify.max_ball_size'] for Arb's enclosure")
    return ball_inertia(build, max_precision)


@checked_call
def classify(game, point, *, lr_ratio=1, allow_noncritical=False, max_precision=None):
    """Certify the second-order classification of a critical point of a zero-sum game.

    The inertias of Hxx, Hyy and the full Hessian H are proven; those of the Schur complements
    follow by Haynsworth's additivity, ``In(H) = In(Hyy) + In(S) = In(Hxx) + In(T)`` where Hyy
    (Hxx) is proven regular, so S and T are never formed (docs/MATHEMATICS.md §6.3).

    Parameters
    ----------
    game : Game
    point : array_like, sequence of exact numbers, or CriticalPoint
        Read as in :func:`stability.certify.spectral_radius` (floats are exact binary numbers).
    lr_ratio : number
        ``c = ηy/ηx`` for the GDA-stability verdict (read exactly).
    max_precision : int, optional
        Highest precision for ball inputs, in bits.

    Returns
    -------
    ClassificationCertificate
    """
    flint = flint_module()
    c = exact_scalar(lr_ratio, "lr_ratio")
    if not isinstance(c, flint.fmpq) or not c > 0:
        raise InputError(f"lr_ratio must be a positive real number, got {lr_ratio!r}")
    max_precision = precision_limit(max_precision)

    def blocks():
        return exact_inputs(game, point, allow_noncritical=allow_noncritical)
    inputs = blocks()
    exact = inputs.exact
    inertias, evidence = {}, {}
    for name, part in (("Hxx", lambda b: b.Hxx), ("Hyy", lambda b: b.Hyy),
                       ("H", lambda b: _vstack(_hstack(b.Hxx, b.Hxy), _hstack(b.Hxy.T, b.Hyy)))):
        inertias[name], evidence[name] = inertia(
            (lambda part=part: part(inputs)) if exact else (lambda part=part: part(blocks())), exact, max_precision)
    H = inertias.pop("H")
    regular = lambda name: inertias[name] is not None and inertias[name][2] == 0
    for name, needs in (("S", "Hyy"), ("T", "Hxx")):
        if regular(needs) and H is not None:
            inertias[name] = tuple(h - b for h, b in zip(H, inertias[needs]))
            evidence[name] = f"In(H) − In({needs}) (Haynsworth), In(H) = {H}: {evidence['H']}"
        elif regular(needs):
            inertias[name], evidence[name] = None, f"In(H) is undecided ({evidence['H']})"
        else:
            evidence[name] = f"{needs} is singular (proven)" if inertias[needs] is not None else f"{needs}'s inertia is undecided"
    evidence.pop("H")
    decided = {k: v for k, v in inertias.items() if v is not None}
    verdicts = second_order_verdicts(decided, regular("Hyy"), regular("Hxx"))
    if any(v is None for v in inertias.values()):  # a verdict resting on an undecided inertia is unproven
        for key in VERDICT_KEYS + ("inconclusive",):
            if _rests_on_undecided(key, inertias):
                verdicts[key] = None
    gda, gda_text = _gda_stable(inputs, blocks, c, exact, max_precision)
    if gda is None and verdicts["inconclusive"] is False and "zero real part" in gda_text:
        verdicts["inconclusive"] = True
    subject = f"classification at {point_text(inputs.point)}"
    return ClassificationCertificate(subject, "exact" if exact else "ball", inertias, evidence,
                                     *(verdicts[k] for k in VERDICT_KEYS), verdicts["inconclusive"],
                                     gda, gda_text, c, [f"Hessian: {inputs.source}"])


_NEEDS = {"strict_local_nash": ("Hxx", "Hyy"), "local_nash_necessary": ("Hxx", "Hyy"),
          "strict_local_minimax": ("Hyy", "S"), "local_minimax_necessary": ("Hyy", "S"),
          "strict_local_maximin": ("Hxx", "T"), "local_maximin_necessary": ("Hxx", "T"),
          "inconclusive": ("Hxx", "Hyy", "S", "T")}


def _rests_on_undecided(key, inertia):
    return any(name in inertia and inertia[name] is None for name in _NEEDS[key])


def _gda_stable(inputs, blocks, c, exact, max_precision):
    """Whether every eigenvalue of ``diag(I, cI)V`` has positive real part, proven."""
    def matrix(b):
        top = _hstack(b.Hxx, b.Hxy)
        bottom = _hstack(-b.Hxy.T, -b.Hyy) * c
        return _vstack(top, bottom)
    M = matrix(inputs) if exact else matrix(blocks())
    flint = flint_module()
    old, flint.ctx.prec = flint.ctx.prec, 128
    try:
        values = gershgorin_spectrum(M, "axis")
    finally:
        flint.ctx.prec = old
    if values is not None and all(v.position != "undecided" for v in values):
        positions = {v.position for v in values}
        how = "Gershgorin discs of X⁻¹MX in ball arithmetic, all off the imaginary axis"
    elif exact and M.shape[0] <= defaults["certify.max_exact_degree"]:
        roots, bits = locate(M.a.charpoly(), "axis", max_precision)
        positions = {r.position for r in roots}
        how = f"the charpoly of diag(I, cI)V over ℚ, roots placed exactly relative to the imaginary axis ({bits} bits)"
    elif M.shape[0] <= defaults["certify.max_ball_size"]:
        values, bits = ball_spectrum(lambda: matrix(blocks()), "axis", max_precision, enough=lambda sides: -1 in sides)
        positions = {v.position for v in values}
        how = f"eigenvalue enclosures of diag(I, cI)V at {bits} bits"
    else:  # too large for Arb: what the discs prove
        positions = {"undecided"} | ({v.position for v in values} if values is not None else set())
        how = (f"Gershgorin discs of X⁻¹MX; {M.shape[0]} rows exceed config.defaults['certify.max_ball_size'] "
               "for Arb's enclosure")
    if "left" in positions:
        return False, f"an eigenvalue has negative real part ({how})"
    if "on" in positions:
        return None, f"an eigenvalue has zero real part, proven: decided beyond first order ({how})"
    if "undecided" in positions:
        return None, f"an enclosure meets the imaginary axis ({how})"
    return True, f"every eigenvalue has positive real part ({how})"


def _hstack(A, B):
    from .algebra import hstack
    return hstack([A, B])


def _vstack(A, B):
    from .algebra import hstack
    return hstack([A.T, B.T]).T
