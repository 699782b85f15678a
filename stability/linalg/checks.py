"""Checks on values and small dense helpers with the package's error conventions: real,
finite arrays and numbers, counts and intervals, invertibility, inertia, warnings."""

import numbers
import warnings

import numpy as np

from ..config import defaults
from ..errors import InputError, NonFiniteError, ShapeError, SingularBlockError



class StabilityWarning(UserWarning):
    """A result that is computed but may be inaccurate."""


def warn(message):
    """Issue a :class:`StabilityWarning` attributed to the caller's code: the first frame
    outside this package (so the reported file and line are the user's, however deep the call)."""
    import os
    import sys
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # stability/
    frame, level = sys._getframe(1), 2  # level 1 is this function
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(package + os.sep):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, StabilityWarning, stacklevel=level)


def as_finite_array(value, name, ndim=None):
    """``value`` as a float array, with a typed error for NaN/inf or a wrong rank."""
    arr = real_array(value, name)
    if ndim is not None and arr.ndim != ndim:
        raise ShapeError(f"{name} must have {ndim} dimension(s), got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise NonFiniteError(f"{name} contains NaN or infinite values")
    return arr


def real_array(value, name):
    """``value`` as a float array; complex input with a nonzero imaginary part (which numpy
    would drop with only a ComplexWarning), objects and ragged nesting raise typed errors."""
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return value.astype(float, copy=False)
    if isinstance(value, (str, bytes)) or (isinstance(value, np.ndarray) and value.dtype.kind in "USV"):
        raise ShapeError(f"{name} must be an array of real numbers, got text")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", np.exceptions.ComplexWarning)
            raw = np.asarray(value)
            if raw.dtype.kind in "USV":
                raise ShapeError(f"{name} must be an array of real numbers, got text")
            if raw.dtype.kind == "c":
                if np.any(raw.imag != 0):
                    raise InputError(
                        f"{name} must be real; it has nonzero imaginary parts "
                        f"(largest {np.abs(raw.imag).max():.3g})")
                raw = raw.real
            return np.asarray(raw, dtype=float)
    except OverflowError:
        raise InputError(f"{name} holds a number beyond the floating-point range (±1.8e308)") from None
    except (TypeError, ValueError, np.exceptions.ComplexWarning) as exc:
        if isinstance(exc, (InputError, ShapeError)):
            raise
        raise ShapeError(f"{name} must be an array of real numbers, got {type(value).__name__}") from None


def check_invertible(M, name):
    """Raise :class:`SingularBlockError` if ``M`` is singular to working precision;
    warn with the condition number if it is ill-conditioned. Returns the condition number."""
    if M.shape[0] == 0:
        return 1.0
    cond = np.linalg.cond(M)
    if not np.isfinite(cond) or cond > defaults["linalg.cond_error"]:
        raise SingularBlockError(
            f"{name} is singular (condition number {cond:.3g} > {defaults['linalg.cond_error']:.0e}); "
            "an algorithm or concept that inverts it is not defined here")
    if cond > defaults["linalg.cond_warn"]:
        warn(f"{name} is ill-conditioned (condition number {cond:.3g}); "
             "results that invert it may lose digits")
    return cond


def inertia(eigenvalues, tol):
    """Counts ``(positive, negative, zero)`` of real eigenvalues, zero meaning ``|λ| <= tol``."""
    ev = np.asarray(eigenvalues)
    return int(np.sum(ev > tol)), int(np.sum(ev < -tol)), int(np.sum(np.abs(ev) <= tol))


def symmetric_part(M, name, rtol=1e-8):
    """``(M + Mᵀ)/2``, after checking that ``M`` is symmetric to ``rtol`` relative to its norm."""
    scale = max(np.abs(M).max(initial=0.0), np.finfo(float).tiny)
    if np.abs(M - M.T).max(initial=0.0) > rtol * scale:
        raise ShapeError(f"{name} is not symmetric (max |M - Mᵀ| = "
                         f"{np.abs(M - M.T).max():.3g}, max |M| = {scale:.3g})")
    return (M + M.T) / 2


def real_number(value, name, low=None, high=None, inclusive=True):
    """``value`` as a finite float, optionally within ``[low, high]`` (or open bounds)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise InputError(f"{name} must be a real number, got {type(value).__name__}")
    try:
        value = float(value)
    except OverflowError:
        raise InputError(f"{name} is beyond the floating-point range (±1.8e308)") from None
    if not np.isfinite(value):
        raise NonFiniteError(f"{name} must be finite, got {value!r}")
    below = low is not None and (value < low if inclusive else value <= low)
    above = high is not None and (value > high if inclusive else value >= high)
    if below or above:
        l, r = ("[", "]") if inclusive else ("(", ")")
        raise InputError(f"{name} must lie in {l}{low}, {high}{r}, got {value!r}")
    return value


def short(value):
    """``repr(value)`` for an error message, bounded: an integer of 5000 digits (which Python
    refuses to convert to a string at all) is described by its size, long reprs are cut."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 128:
        return f"an integer of about {int(value.bit_length() * 0.30103)} digits"
    try:
        text = repr(value)
    except Exception:  # a repr that fails is no reason to hide the real error
        return f"a {type(value).__name__}"
    return text if len(text) <= 60 else text[:40] + f"… ({len(text)} characters)"


def gib(nbytes):
    """A byte count in GiB for a message, whatever its size (10⁵⁰⁰⁰ bytes does not fit a float)."""
    return f"{nbytes / 2 ** 30:.3g} GiB" if nbytes.bit_length() < 1000 else "more than 1e290 GiB"


def count(value, name, low=1, high=None):
    """``value`` as an integer in ``[low, high]``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise InputError(f"{name} must be an integer >= {low}, got {short(value)}")
    if high is not None and value > high:
        raise InputError(f"{name} must be at most {high}, got {short(value)}")
    return int(value)


def interval(value, name):
    """A pair ``(lo, hi)`` of finite reals with ``lo < hi``."""
    try:
        lo, hi = value
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a pair (lo, hi), got {short(value)}") from None
    lo, hi = real_number(lo, f"{name}[0]"), real_number(hi, f"{name}[1]")
    if not lo < hi:
        raise InputError(f"{name} must satisfy lo < hi, got {short(value)}")
    return lo, hi


def safe_norm(v):
    """‖v‖₂ without overflow or underflow in the squares (scaled by max |vᵢ|)."""
    v = np.asarray(v, dtype=float)
    big = np.abs(v).max(initial=0.0)
    if big == 0 or not np.isfinite(big):
        return float(big)
    return float(big * np.linalg.norm(v / big))
