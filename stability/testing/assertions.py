"""Assertions for unit tests of statements about min-max algorithms: each failure message
shows the computed numbers next to the expected ones.

The helpers raise ``AssertionError`` (what pytest reports) for a false statement, and the
package's typed errors for bad input, as every function of the package does."""

import numpy as np

from ..algorithms import as_algorithm
from ..config import defaults
from ..engine import run
from ..equilibria import classify
from ..errors import InputError, NotSupportedError
from ..linalg import as_finite_array, real_number
from ..spectral import spectral_radius, spectrum, stable_step_sizes


def _top(values, k=4):
    values = np.asarray(values, dtype=complex)
    order = np.argsort(-np.abs(values))[:k]
    return ", ".join(f"{complex(v):.6g} (|·| = {abs(v):.6g})" for v in values[order])


def assert_locally_convergent(algorithm, game, point, margin=None, **hp):
    """``ρ < 1 − margin`` (``margin`` defaults to ``config.defaults["spectral.rho_margin"]``,
    the margin within which a computed ρ decides nothing)."""
    alg = as_algorithm(algorithm, **hp)
    margin = defaults["spectral.rho_margin"] if margin is None else real_number(margin, "margin", 0.0)
    values = spectrum(alg, game, point)
    rho = float(np.max(np.abs(values)))
    assert rho < 1 - margin, (f"{alg!r} is not locally convergent at the point: ρ = {rho:.12g} "
                              f"≥ 1 − {margin:g}; largest eigenvalues {_top(values)}")
    return rho


def assert_rate(algorithm, game, point, expected, rtol=1e-8, atol=0.0, **hp):
    """The local rate ``1 − ρ`` equals ``expected`` to ``rtol``/``atol`` (as
    ``numpy.isclose``); the message shows both, ρ and the dominant eigenvalues."""
    alg = as_algorithm(algorithm, **hp)
    expected = real_number(expected, "expected")
    values = spectrum(alg, game, point)
    rho = float(np.max(np.abs(values)))
    rate = 1.0 - rho
    assert abs(rate - expected) <= atol + rtol * abs(expected), (
        f"rate of {alg!r}: computed 1 − ρ = {rate:.15g} (ρ = {rho:.15g}), theory {expected:.15g}, "
        f"difference {rate - expected:.3g} > atol {atol:g} + rtol {rtol:g}·|theory|; "
        f"largest eigenvalues {_top(values)}")
    return rate


_VERDICTS = ("strict_local_nash", "strict_local_minimax", "strict_local_maximin", "local_nash_necessary",
             "local_minimax_necessary", "local_maximin_necessary", "gda_stable", "inconclusive")


def assert_classification(game, point, **expected):
    """Each verdict named in ``expected`` (e.g. ``strict_local_minimax=True``) is what
    :func:`stability.classify` finds; the message shows the eigenvalues it decided from."""
    unknown = sorted(set(expected) - set(_VERDICTS))
    if unknown or not expected:
        raise InputError(f"expected verdicts must be among {_VERDICTS}, got {sorted(expected) or 'none'}")
    c = classify(game, point)
    wrong = {k: (getattr(c, k), v) for k, v in expected.items() if getattr(c, k) != v}
    fmt = lambda a: "None" if a is None else np.array2string(np.asarray(a), precision=6, threshold=8)
    assert not wrong, (
        "classification differs: " + ", ".join(f"{k} is {got}, expected {want}" for k, (got, want) in wrong.items())
        + f"; eig Hxx {fmt(c.eig_xx)}, eig Hyy {fmt(c.eig_yy)}, eig S {fmt(c.eig_S)}, eig T {fmt(c.eig_T)}, "
          f"zero tolerance {c.tol:.3g}")
    return c


def assert_jacobians_agree(algorithm, game, point, rtol=1e-6, atol=1e-8, symbolic=True, h=1e-5, **hp):
    """The closed-form Jacobian equals the central-difference Jacobian of the update map
    (truncation ``O(h²)·‖third derivatives‖``, exact up to rounding on quadratic games) and,
    with ``symbolic``, the sympy Jacobian of the update map (for games with a symbolic form)."""
    alg = as_algorithm(algorithm, **hp)
    J = alg.jacobian(game, point)
    others = {"finite differences of the update map": alg.fd_jacobian(game, point, h=h)}
    if symbolic:
        try:
            others["sympy differentiation of the update map"] = np.asarray(
                alg.symbolic_jacobian(game, point).evalf(), dtype=float)
        except NotSupportedError:
            pass
    for name, other in others.items():
        gap = np.abs(J - other)
        bound = atol + rtol * np.abs(other)
        i = np.unravel_index(np.argmax(gap - bound), gap.shape)
        assert np.all(gap <= bound), (
            f"closed-form Jacobian of {alg!r} and {name} differ: max |Δ| = {gap.max():.3g}, at entry "
            f"{tuple(int(k) for k in i)} {J[i]:.12g} vs {other[i]:.12g} (atol {atol:g}, rtol {rtol:g})")
    return J


def assert_stable_set(algorithm, game, point, expected_intervals, param="lr", bounds=(0.0, 2.0), tol=1e-8,
                      **hp):
    """The stable set of ``param`` within ``bounds`` (:func:`stability.stable_step_sizes`) is
    ``expected_intervals`` (a list of ``(lo, hi)``), each end to ``tol``."""
    expected = [tuple(float(v) for v in iv) for iv in expected_intervals]
    s = stable_step_sizes(algorithm, game, point, param=param, bounds=bounds, **hp)
    got = [tuple(float(v) for v in iv) for iv in s.intervals]
    same = len(got) == len(expected) and all(abs(a - c) <= tol and abs(b - d) <= tol
                                             for (a, b), (c, d) in zip(got, expected))
    assert same, (f"stable set of {param} in {bounds}: computed {got}, expected {expected} "
                  f"(ends to {tol:g}); marginal {s.marginal}")
    return s


def assert_empirical_rate(algorithm, game, z0, point, expected=None, rtol=0.05, steps=2000, tail=0.5, **hp):
    """The engine's rate, a log-linear fit of ``‖z_t − point‖`` over the last ``tail`` of a
    run from ``z0``, matches ``expected`` (default: the spectral rate ``1 − ρ`` at ``point``)
    to ``rtol``. The fit converges to ``1 − ρ`` only as the dominant mode takes over: starts
    near the point, enough steps and a simple dominant eigenvalue make ``rtol`` small."""
    alg = as_algorithm(algorithm, **hp)
    point = as_finite_array(point, "point", ndim=1)
    rho = spectral_radius(alg, game, point)
    theory = 1.0 - rho if expected is None else real_number(expected, "expected")
    traj = run(alg, game, as_finite_array(z0, "z0", ndim=1), steps=steps, tol=0.0, target=point)
    fitted = traj.empirical_rate(0, tail=tail)
    assert abs(fitted - theory) <= rtol * abs(theory), (
        f"empirical rate of {alg!r} from {np.asarray(z0)}: fitted {fitted:.6g} over the last {tail:g} of "
        f"{steps} steps, expected {theory:.6g} (spectral ρ = {rho:.10g}), relative gap "
        f"{abs(fitted - theory) / max(abs(theory), np.finfo(float).tiny):.3g} > {rtol:g}")
    return fitted
