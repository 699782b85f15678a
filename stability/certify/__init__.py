"""Certified verdicts: proofs, not floats (docs/MATHEMATICS.md §6).

- :func:`spectral_radius`: ρ of an update map's Jacobian at a fixed point, *certified stable*,
  *certified unstable*, *ρ = 1 exactly*, or undecided, with every eigenvalue enclosed and, for
  exact inputs, its exact multiplicity and Jordan structure;
- :func:`classify`: the inertias of Hxx, Hyy, S and T and the second-order verdicts, proven;
- :func:`stable_set`: the exact set of step sizes (or of another hyperparameter) where ρ < 1,
  a union of open intervals with algebraic endpoints;
- :class:`SpectralCertificate`, :class:`ClassificationCertificate`: the results, which print
  their proof.

What is certified is stated in each certificate: rational inputs (a formula game at a point
with rational coordinates, rational hyperparameters such as ``fractions.Fraction(1, 10)``) are
used exactly; a float — a point coordinate, a hyperparameter, an entry of a game's
floating-point Hessian — is the exact binary number it is (``0.1`` is
3602879701896397/2⁵⁵, not 1/10); irrational values of a formula game are enclosed in balls.
Needs python-flint (``pip install 'stability[certify]'``)."""

import time

from ..config import defaults
from ..errors import ShapeError, checked_call
from .algebra import flint_module, precision_limit
from .certificate import SpectralCertificate, VERDICTS, point_text
from .classification import ClassificationCertificate, classify
from .jacobian import certified_jacobian, hp_text
from .stable_sets import Endpoint, ExactStableSet, stable_set
from .spectra import (Eigenvalue, ball_spectrum, exact_spectrum, gershgorin_spectrum, norm_bound_spectrum,
                      radius_interval)

GERSHGORIN_BITS = 128
"""Working precision of the Gershgorin enclosure (its discs are limited by the float
eigenvectors, about 1e-13, not by this)."""

__all__ = ["ClassificationCertificate", "Eigenvalue", "Endpoint", "ExactStableSet", "SpectralCertificate",
           "VERDICTS", "classify", "spectral_radius", "spectrum_certificate", "stable_set"]


@checked_call
def spectral_radius(algorithm, game, point, *, allow_noncritical=False, max_precision=None, **hp):
    """Certify ρ of ``algorithm``'s Jacobian at the critical point ``point``.

    Parameters
    ----------
    algorithm : str or Algorithm
    game : Game
        A zero-sum game with ``n + m ≤ config.defaults["certify.max_state"]``.
    point : array_like, sequence of exact numbers, or CriticalPoint
        Floats are read as the binary numbers they are; sympy numbers and
        ``fractions.Fraction`` exactly; a :class:`CriticalPoint` found by the exact solver
        contributes its exact coordinates.
    max_precision : int, optional
        Highest precision, in bits (default ``config.defaults["certify.max_precision"]``).
    **hp
        Hyperparameters, read like the point.

    Returns
    -------
    SpectralCertificate
        ``verdict`` is ``"stable"``, ``"unstable"``, ``"marginal"`` (ρ = 1 exactly, decidable
        only for exact inputs) or ``"undecided"``; ``rho`` bounds ρ rigorously.

    Notes
    -----
    With rational inputs the Jacobian is exact; its characteristic polynomial over ℚ is factored
    and each root placed relative to the unit circle exactly (docs/MATHEMATICS.md §6.2), so a
    modulus of exactly 1, or a defective eigenvalue, is proven (up to
    ``config.defaults["certify.max_exact_degree"]`` rows: about 7 s at 200). With balls
    (irrational Hessian entries, or a larger exact matrix) Arb encloses the eigenvalues,
    doubling the precision until each cluster lies strictly inside or outside the circle.

    Examples
    --------
    >>> from fractions import Fraction
    >>> from stability import certify, games
    >>> certify.spectral_radius("fr", games.get("g1"), [0, 0], lr=Fraction(1, 2)).verdict
    'stable'
    """
    start = time.perf_counter()
    J, alg, inputs = certified_jacobian(algorithm, game, point, allow_noncritical=allow_noncritical, **hp)
    subject = f"ρ of the {alg.name} Jacobian at {point_text(inputs.point)}"
    notes = [f"Hessian: {inputs.source}"]
    if alg.hp:
        notes.append(f"hyperparameters: {hp_text(alg)}")
    cert = spectrum_certificate(J, subject, notes, rebuild=lambda: certified_jacobian(
        algorithm, game, point, allow_noncritical=allow_noncritical, **hp)[0],
        max_precision=max_precision)
    cert.seconds = time.perf_counter() - start
    return cert


def spectrum_certificate(J, subject="ρ of the matrix", inputs=(), rebuild=None, max_precision=None):
    """Certify ρ of a :class:`~stability.certify.algebra.Mat` (or of any matrix of numbers,
    read exactly). ``rebuild`` recomputes a ball matrix at the working precision."""
    from .algebra import Mat
    J = Mat.of(J)
    if J.shape[0] != J.shape[1] or J.shape[0] == 0:
        raise ShapeError(f"a spectrum needs a non-empty square matrix, got shape {J.shape}")
    max_precision = precision_limit(max_precision)
    flint = flint_module()
    old, flint.ctx.prec = flint.ctx.prec, GERSHGORIN_BITS
    try:  # the fast enclosure first; it decides unless eigenvalues crowd each other or the circle
        eigenvalues = gershgorin_spectrum(J if J.exact or rebuild is None else rebuild())
    finally:
        flint.ctx.prec = old
    chi, bits = None, GERSHGORIN_BITS
    exact_route = J.exact and J.shape[0] <= defaults["certify.max_exact_degree"]
    if eigenvalues is not None and _decisive(eigenvalues, exact_route):
        method = "gershgorin"
    elif exact_route:
        eigenvalues, chi, bits = exact_spectrum(J, "circle", max_precision)
        method = "exact"
    elif J.shape[0] <= defaults["certify.max_ball_size"]:
        eigenvalues, bits = ball_spectrum(rebuild or (lambda: J), "circle", max_precision,
                                          enough=lambda sides: 1 in sides)  # one outside: unstable
        method = "ball"
    else:  # too large for the polynomial and for Arb's enclosure: what the discs (or ‖J‖∞) prove
        method = "gershgorin" if eigenvalues is not None else "norm"
        eigenvalues = eigenvalues if eigenvalues is not None else norm_bound_spectrum(J)
    positions = {e.position for e in eigenvalues}
    if "outside" in positions:
        verdict = "unstable"
    elif "undecided" in positions:
        verdict = "undecided"
    elif "on" in positions:
        verdict = "marginal"
    else:
        verdict = "stable"
    rho, ball = radius_interval(eigenvalues)  # valid with undecided enclosures too: each holds its eigenvalues
    return SpectralCertificate(subject, verdict, rho, ball, method, bits, eigenvalues, chi, list(inputs))


def _decisive(eigenvalues, exact_route):
    """Whether a Gershgorin enclosure settles the certificate: every group decided and — where
    the exact route is open, which gives multiplicities and Jordan blocks — every group one
    simple eigenvalue; otherwise a group proven outside (unstable) is enough."""
    positions = [e.position for e in eigenvalues]
    if "undecided" not in positions and all(e.multiplicity == 1 for e in eigenvalues):
        return True
    return not exact_route and ("outside" in positions or "undecided" not in positions)
