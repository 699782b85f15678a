"""The exception hierarchy: every error ``stability`` raises on purpose derives from
:class:`StabilityError`, so callers can catch the package's errors in one clause."""

import difflib


class StabilityError(Exception):
    """Base of every error the package raises on purpose."""


class InputError(StabilityError, ValueError):
    """An argument has the wrong value, shape or type."""


class ShapeError(InputError):
    """Arrays whose shapes do not fit together (blocks, points, states)."""


class NonFiniteError(InputError):
    """NaN or infinity where finite numbers are required."""


class FormulaError(InputError):
    """A formula string or expression that cannot be accepted as a game."""


class UnknownNameError(InputError, LookupError):
    """An unknown algorithm, game, hyperparameter or symbol name."""


class NotCriticalError(StabilityError):
    """A point whose gradient residual is above tolerance."""


class SingularBlockError(StabilityError):
    """A Hessian block that must be inverted is singular."""


class ConvergenceError(StabilityError):
    """An inner iterative solver (root finder, Newton, CG, ARPACK) did not converge."""


class TimeLimitError(StabilityError):
    """A computation did not finish within its time limit (it was stopped, nothing hangs)."""


class DenseTooLargeError(StabilityError, MemoryError):
    """A dense matrix would be too large to build; use the matrix-free path."""


class NotSupportedError(StabilityError):
    """The operation is not defined for this kind of game or algorithm."""


def unknown_name(kind, name, known):
    """An :class:`UnknownNameError` whose message lists close matches."""
    close = difflib.get_close_matches(str(name), list(known), n=3)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    return UnknownNameError(
        f"unknown {kind} {name!r}{hint} (known: {', '.join(sorted(known))})")
