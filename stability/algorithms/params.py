"""Hyperparameters: their kinds, defaults, checks, and the signature and documentation they
give an algorithm class (``help(stability.algorithms.describe("lead"))`` lists them)."""

from dataclasses import dataclass
import inspect
import numbers

import numpy as np
import sympy as sp

from ..errors import InputError, unknown_name
from ..linalg import as_finite_array, real_number, short


@dataclass(frozen=True)
class Param:
    """A hyperparameter: its default and the set of values that make sense."""

    default: object
    kind: str = "positive"  # positive | nonnegative | momentum | real | complex | count | spd
    doc: str = ""
    high: object = None
    """Largest allowed value (counts: bounds the work one step does)."""

    def check(self, name, value):
        if isinstance(value, sp.Basic) and not value.is_number:
            return value  # a symbol: checked when numbers are substituted

        if self.kind == "spd":
            return _check_spd(name, value)
        if self.kind == "complex":
            try:
                ok = ((isinstance(value, numbers.Number) and not isinstance(value, bool))
                      or (isinstance(value, sp.Basic) and value.is_number)) and np.isfinite(complex(value))
            except OverflowError:
                ok = False
            if not ok:
                raise InputError(f"hyperparameter {name} must be a finite complex number, got {short(value)}")
            return complex(value)
        if isinstance(value, bool) or not isinstance(value, (numbers.Real, sp.Number)):
            raise InputError(f"hyperparameter {name} must be a real number, got {short(value)}")
        if isinstance(value, sp.Number):
            value = float(value)  # ±inf beyond the float range: refused next
        as_float = real_number(value, f"hyperparameter {name}")
        value = as_float if self.kind != "count" else value
        if self.kind == "positive" and not value >= np.finfo(float).tiny:
            raise InputError(f"step size {name} must be a positive normal number "
                             f"(>= {np.finfo(float).tiny:.3g}), got {value!r}")
        if self.high is not None and as_float > self.high:
            raise InputError(f"hyperparameter {name} must be at most {self.high}, got {short(value)}")
        if self.kind == "nonnegative" and not value >= 0:
            raise InputError(f"hyperparameter {name} must be >= 0, got {value!r}")
        if self.kind == "momentum" and not -1 < value < 1:
            raise InputError(f"momentum {name} must lie in (-1, 1), got {value!r}")
        if self.kind == "count" and (int(value) != value or value < 1):
            raise InputError(f"{name} must be a positive integer, got {value!r}")
        return int(value) if self.kind == "count" else value


def _check_spd(name, value):
    if value is None:
        return None
    P = as_finite_array(value, name, ndim=2)
    if P.shape[0] == 0:
        raise InputError(f"preconditioner {name} must be a non-empty square matrix, got shape {P.shape}")
    if P.shape[0] != P.shape[1] or not np.allclose(P, P.T, rtol=1e-12, atol=0):
        raise InputError(f"preconditioner {name} must be a symmetric matrix, got shape {P.shape}")
    if np.linalg.eigvalsh(P).min() <= 0:
        raise InputError(f"preconditioner {name} must be positive definite")
    return P


_TYPES = {"positive": float, "nonnegative": float, "momentum": float, "real": float,
          "complex": complex, "count": int, "spd": "numpy.ndarray | None"}
_MEANING = {"positive": "> 0", "nonnegative": ">= 0", "momentum": "in (-1, 1)", "real": "real",
            "complex": "complex", "count": "a positive integer", "spd": "symmetric positive definite"}


def signature(params):
    """The keyword-only signature ``(*, name: type = default, …)`` of an algorithm's
    hyperparameters (what ``help()``, ``inspect.signature`` and IDEs show)."""
    return inspect.Signature([inspect.Parameter(k, inspect.Parameter.KEYWORD_ONLY, default=p.default,
                                                annotation=_TYPES.get(p.kind, object))
                              for k, p in params.items()])


def document(cls):
    """The class docstring in the one template: the hand-written update rule, Jacobian,
    spectrum and guarantee, then the hyperparameters, the reference and an example generated
    from the class itself (so they cannot drift from the code)."""
    text = inspect.cleandoc(cls.__doc__ or "")
    lines = [text, "", "Hyperparameters", "---------------"]
    for key, p in cls.params.items():
        kind = getattr(_TYPES.get(p.kind), "__name__", _TYPES.get(p.kind))
        bound = f", at most {p.high}" if p.high is not None else ""
        lines += [f"{key} : {kind}, default {p.default!r}", f"    {p.doc or key} ({_MEANING.get(p.kind, p.kind)}{bound})."]
    steps = [k for k in ("lr_x", "lr_y") if k in cls.params] or ([cls.step_param] if cls.step_param else [])
    if steps and "lr" not in cls.params:
        lines += ["lr : float", f"    The step size: sets {' and '.join(steps)} (``build``/``get`` only)."]
    flags = [name for name, on in (("memory", cls.copies > 1), ("structured spectrum", cls.has_shortcut),
                                   ("real spectrum", cls.real_spectrum), ("inverts Hyy", cls.inverts_hyy),
                                   ("general-sum games", cls.general_sum)) if on]
    example = ", ".join([repr(cls.name)] + [f"{k}={v!r}" for k, v in cls.example_hyperparameters.items()])
    lines += ["", "Capabilities", "------------", ", ".join(flags) or "dense spectrum only", "",
              "References", "----------", cls.reference or "—", "",
              "Examples", "--------",
              ">>> from stability import algorithms, games",
              f">>> alg = algorithms.get({example})",
              ">>> eigenvalues = alg.spectrum(games.get('g1'), [0.0, 0.0])"]
    return "\n".join(lines)


# --- the lr rule: the one place it lives (Algorithm.build, .resolve, .replace use it) ---
def resolve_step_sizes(cls, hp, ratio=None):
    """``hp`` for the algorithm class ``cls`` with ``lr`` translated to its own step-size
    names: both players' (``lr_x``, ``lr_y``) or ``cls.step_param`` (complex momentum's α);
    with ``ratio``, ``lr_x = lr`` and ``lr_y = ratio · lr`` (a two-time-scale method keeps its
    ratio). Unknown names raise :class:`~stability.errors.UnknownNameError`."""
    hp = dict(hp)
    if "lr" in hp and "lr" not in cls.params:
        lr = hp.pop("lr")
        targets = [k for k in ("lr_x", "lr_y") if k in cls.params] or (
            [cls.step_param] if cls.step_param else [])
        if not targets:
            raise InputError(f"{cls.name} has no step size for lr to set "
                             f"(hyperparameters: {', '.join(cls.params) or 'none'})")
        for key in targets:
            if key in hp:
                raise InputError(f"give either lr or {key}, not both")
            hp[key] = ratio * lr if (key == "lr_y" and ratio is not None) else lr
    unknown = [k for k in hp if k not in cls.params]
    if unknown:
        raise unknown_name(f"hyperparameter of {cls.name}", unknown[0], list(cls.params) + ["lr"])
    return hp


def accepts(cls, key):
    """Whether ``key`` (a hyperparameter name or ``lr``) means something to this algorithm."""
    return key in cls.params or (key == "lr" and (any(k in cls.params for k in ("lr_x", "lr_y"))
                                                  or cls.step_param is not None))


def same_hyperparameters(a, b):
    """Whether two hyperparameter dicts hold the same values (arrays compared entry by entry)."""
    same = lambda u, v: (np.array_equal(u, v) if isinstance(u, np.ndarray) or isinstance(v, np.ndarray)
                         else u == v)
    return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)


def exact_key(value):
    """A hashable key equal for two hyperparameter values exactly when they are equal: arrays
    by shape, dtype and every byte (``repr`` summarises arrays of over 1000 entries, and an
    algorithm's ``repr`` omits them), other values as they are."""
    if isinstance(value, np.ndarray):
        return ("array", value.shape, value.dtype.str, value.tobytes())
    try:
        hash(value)
    except TypeError:  # a mutable value (a sparse matrix, a sympy Matrix): only itself is equal
        return ("object", id(value))
    return value


def hyperparameter_key(algorithm):
    """The exact identity of an algorithm as a map: its class and every hyperparameter value."""
    return (type(algorithm),) + tuple((k, exact_key(v)) for k, v in sorted(algorithm.hp.items()))


def plain_hyperparameters(hp):
    """Hyperparameters as plain data: complex as ``[re, im]``, arrays as lists, symbols as text."""
    def plain(v):
        if isinstance(v, complex):
            return [v.real, v.imag]
        return v.tolist() if isinstance(v, np.ndarray) else (str(v) if isinstance(v, sp.Basic) else v)
    return {k: plain(v) for k, v in hp.items()}

