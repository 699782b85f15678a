"""Certificates: a verdict with the proof it rests on, printable and serialisable."""

from dataclasses import dataclass, field

from .. import formatting


VERDICTS = {
    "stable": "certified stable (ρ < 1 proven)",
    "unstable": "certified unstable (ρ > 1 proven)",
    "marginal": "ρ = 1 exactly (proven): neither stable nor unstable",
    "undecided": "undecided at the highest precision tried",
}


@dataclass
class SpectralCertificate:
    """A proven statement about ρ of an update map's Jacobian at a fixed point.

    Attributes
    ----------
    verdict : str
        ``"stable"`` (ρ < 1 proven), ``"unstable"`` (ρ > 1 proven), ``"marginal"`` (ρ = 1
        proven; exact inputs only) or ``"undecided"`` (ball inputs at the highest precision).
    rho : tuple of float
        Outward-rounded bounds ``(lo, hi)`` with ``lo ≤ ρ ≤ hi``.
    rho_ball : flint.arb
        Arb's enclosure of ρ.
    method : str
        ``"gershgorin"`` (discs of X⁻¹JX, X the float eigenvectors, in ball arithmetic),
        ``"norm"`` (the disc ``|z| ≤ ‖J‖∞``, for large matrices whose float eigenvectors fail),
        ``"exact"`` (characteristic polynomial over ℚ) or ``"ball"`` (Arb enclosures).
    precision : int
        Bits the enclosures needed.
    eigenvalues : list of Eigenvalue
        Every distinct eigenvalue (cluster), with multiplicity, Jordan structure (exact) and
        position relative to the unit circle.
    charpoly : flint.fmpq_poly or None
        The exact characteristic polynomial (exact route).
    subject, inputs : str
        What was certified, and which numbers were taken exactly.
    """

    subject: str
    verdict: str
    rho: tuple
    rho_ball: object
    method: str
    precision: int
    eigenvalues: list
    charpoly: object
    inputs: list = field(default_factory=list)
    seconds: float = 0.0

    @property
    def stable(self):
        """True (proven ρ < 1), False (proven ρ ≥ 1) or None (undecided)."""
        return {"stable": True, "unstable": False, "marginal": False}.get(self.verdict)

    @property
    def decided(self):
        return self.verdict != "undecided"

    @property
    def size(self):
        return sum(e.multiplicity for e in self.eigenvalues)

    def proof(self):
        """The certificate as lines of text: inputs, method, enclosures and the decision."""
        lines = [f"{self.subject}: {VERDICTS[self.verdict]}"]
        lines += [f"  input: {text}" for text in self.inputs]
        if self.method == "exact":
            lines.append(f"  method: the characteristic polynomial over ℚ (degree {self.size}), factored "
                         "over ℤ; each factor's roots on |z| = 1 counted exactly (Cayley map to the "
                         "imaginary axis, real roots of gcd(Re, Im)), the rest separated from the circle "
                         f"by Arb's certified root isolation at {self.precision} bits")
            from .spectra import polynomial_text
            text = polynomial_text(self.charpoly)
            lines.append("  charpoly: " + (text if len(text) <= 400 else text[:400] + f" … ({len(text)} characters)"))
        elif self.method == "gershgorin":
            lines.append("  method: Gershgorin discs of X⁻¹JX in ball arithmetic (X the float eigenvectors; "
                         f"J similar to it), {self.precision} bits; each group of k overlapping discs holds "
                         "exactly k eigenvalues, and every group lies strictly on one side of |z| = 1")
        elif self.method == "norm":
            lines.append("  method: every eigenvalue lies in |z| ≤ ‖J‖∞ (the largest row sum, in ball arithmetic); "
                         "the float eigenvectors were singular and the matrix exceeds certify.max_ball_size")
        else:
            lines.append(f"  method: Arb's eigenvalue enclosures of the Jacobian's ball enclosure at "
                         f"{self.precision} bits")
        lines.append(f"  ρ ∈ {self.rho_ball.str(17, radius=True)}  ⊂ [{self.rho[0]!r}, {self.rho[1]!r}]")
        shown = sorted(self.eigenvalues, key=lambda e: -abs(e.value))
        for e in shown[:12]:
            jordan = ""
            if e.geometric is not None and e.multiplicity > 1:
                jordan = (f", {e.geometric} Jordan block{'s' if e.geometric > 1 else ''}"
                          + (" (defective)" if e.defective else " (semisimple)"))
            lines.append(f"  λ ∈ {e.text(12)}  multiplicity {e.multiplicity}{jordan}, "
                         f"|λ| {'= 1' if e.position == 'on' else {'inside': '< 1', 'outside': '> 1'}.get(e.position, 'undecided')}")
        if len(shown) > 12:
            lines.append(f"  … {len(shown) - 12} more distinct eigenvalues, all of smaller modulus")
        return lines

    def __str__(self):
        return "\n".join(self.proof())

    def to_dict(self):
        return {
            "subject": self.subject, "verdict": self.verdict, "stable": self.stable,
            "rho": list(self.rho), "rho_ball": self.rho_ball.str(30, radius=True),
            "method": self.method, "precision": self.precision, "inputs": list(self.inputs),
            "charpoly": None if self.charpoly is None else str(self.charpoly),
            "eigenvalues": [{"ball": e.text(30), "value": [e.value.real, e.value.imag],
                             "multiplicity": e.multiplicity, "geometric": e.geometric,
                             "position": e.position} for e in self.eigenvalues],
        }

    def _repr_html_(self):
        import html
        return "<pre>" + html.escape(str(self)) + "</pre>"


def point_text(values):
    return formatting.point([float(v) for v in values]) if len(values) > 6 else \
        "(" + ", ".join(str(v) if len(str(v)) < 24 else f"{float(v):.17g}" for v in values) + ")"
