"""The exception hierarchy: every error ``stability`` raises on purpose derives from
:class:`StabilityError`, so callers can catch the package's errors in one clause."""

import difflib
import functools
import inspect


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


class ArgumentError(InputError, TypeError):
    """A call with an unknown keyword (with close matches), a missing or a surplus argument."""


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


class OutputError(StabilityError, OSError):
    """A figure or file could not be written (an unwritable or missing directory, a full disk)."""


class NotSupportedError(StabilityError):
    """The operation is not defined for this kind of game or algorithm."""


def unknown_name(kind, name, known):
    """An :class:`UnknownNameError` whose message lists close matches."""
    close = difflib.get_close_matches(str(name), list(known), n=3)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    return UnknownNameError(
        f"unknown {kind} {name!r}{hint} (known: {', '.join(sorted(known))})")


def checked_call(fn):
    """Decorator for public entry points: a call that does not fit ``fn``'s signature (an
    unknown or misspelt keyword, a missing or surplus argument) raises :class:`ArgumentError`
    naming the function, the argument and close matches, instead of Python's bare TypeError."""
    sig = inspect.signature(fn)
    params = sig.parameters
    open_keywords = any(p.kind is p.VAR_KEYWORD for p in params.values())
    named = [k for k, p in params.items() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if not open_keywords:
            for key in kwargs:
                if key not in params:
                    close = difflib.get_close_matches(key, named, n=3)
                    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
                    raise ArgumentError(f"{fn.__qualname__}() has no argument {key!r}{hint} "
                                        f"(its arguments: {', '.join(named)})")
        try:
            return fn(*args, **kwargs)
        except TypeError:
            # the signature is checked only when a call fails (Algorithm.step is on the engine's
            # hot path): a call that does not bind never ran fn's body, any other TypeError is fn's
            try:
                sig.bind(*args, **kwargs)
            except TypeError as exc:
                raise ArgumentError(f"{fn.__qualname__}(): {exc} "
                                    f"(its arguments: {', '.join(params)})") from None
            raise

    return wrapper


def writable_directory(directory):
    """``directory`` as a ``Path``, created if needed; an :class:`OutputError` naming it when
    it cannot be."""
    from pathlib import Path
    try:
        path = Path(directory)
        path.mkdir(parents=True, exist_ok=True)
    except TypeError:
        raise InputError(f"an output directory must be a path, got {type(directory).__name__}") from None
    except OSError as exc:
        raise OutputError(f"cannot write to {directory!s}: {exc.strerror or exc}") from None
    return path


def save_figure(fig, path, dpi, close=True):
    """``fig.savefig(path)`` (the format from the suffix), closing the figure unless ``close``
    is false (to write it again in another format); a write failure is an :class:`OutputError`."""
    import matplotlib.pyplot as plt
    try:
        if not fig.get_constrained_layout():
            fig.tight_layout()
        fig.savefig(path, dpi=dpi)
    except OSError as exc:
        raise OutputError(f"cannot write {path!s}: {exc.strerror or exc}") from None
    finally:
        if close:
            plt.close(fig)
    return str(path)
