"""Every default and threshold of the package, in one place (python-control style).

Keys are ``module.name`` (``"linalg.max_dense"``, ``"equilibria.rtol"``, …); the functions
read them when they run, so a change applies to every later call:

>>> from stability import config
>>> with config.temporary({"equilibria.rtol": 1e-6}):
...     pass  # classify(...) here uses rtol = 1e-6
>>> config.defaults["equilibria.rtol"]
1e-09

Every assignment is checked when it is made (``defaults["linalg.max_dense"] = -1`` raises an
:class:`~stability.errors.InputError` naming the key), so a bad setting cannot surface later
as an unrelated failure deep inside a computation. :func:`reset_defaults` restores them all.
The meaning of each threshold, and why it has its value: docs/NUMERICS.md.
"""

import contextlib
import difflib
import numbers

from .errors import InputError, UnknownNameError, unknown_name


def _integer(value, low=1):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and value >= low


def _positive_int(value):
    return _integer(value)


def _positive_real(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and 0 < value < float("inf")


def _unit(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and 0 <= value < 1


def _size(value):
    return isinstance(value, (tuple, list)) and len(value) == 2 and all(_positive_real(v) for v in value)


_POSITIVE_INT = (_positive_int, "a positive integer")
_POSITIVE = (_positive_real, "a positive finite number")
_TOLERANCE = (lambda v: _positive_real(v) and v < 1, "a number in (0, 1)")

# key: (default, (check, expected), meaning)
_SETTINGS = {
    "plotting.figsize": ((6.0, 4.5), (_size, "a pair of positive numbers (inches)"), "figure size"),
    "plotting.dpi": (120, _POSITIVE_INT, "resolution of written figures"),
    "figures.toy_lr": (0.05, _POSITIVE, "η of the toy experiments (FR Fig. 3, HessianFR Fig. 1)"),
    "progress.enabled": (True, (lambda v: isinstance(v, bool), "True or False"),
                         "progress of long sweeps and optimisations on stderr"),
    # sizes: nothing larger is allocated before it is checked
    "linalg.max_dense": (8000, _POSITIVE_INT, "largest dense matrix (rows) built on request"),
    "linalg.max_array_bytes": (2 ** 31, _POSITIVE_INT, "largest array a computation allocates (bytes)"),
    # linear algebra
    "linalg.cond_warn": (1e8, _POSITIVE, "condition number above which inverting a block warns"),
    "linalg.cond_error": (1e13, _POSITIVE, "condition number above which a block counts as singular"),
    "linalg.symmetry_rtol": (1e-10, _TOLERANCE, "largest relative asymmetry of a symmetric Hessian block"),
    "linalg.hvp_symmetry_rtol": (1e-6, _TOLERANCE,
                                 "largest |uᵀHv − vᵀHu| / ‖H‖ of a Hessian-vector product (autodiff, differences)"),
    "linalg.minres_rtol": (1e-12, _TOLERANCE, "MINRES tolerance of operator solves"),
    "linalg.solve_residual": (1e-8, _TOLERANCE, "largest relative residual of an accepted iterative solve"),
    "linalg.eigen_residual": (1e-8, _TOLERANCE, "largest relative residual of an accepted eigenpair"),
    "matrixfree.max_time": (120.0, _POSITIVE, "seconds after which a matrix-free eigenvalue is reported not converged"),
    "linalg.dense_below": (64, _POSITIVE_INT, "operators with fewer rows are solved densely"),
    "linalg.arnoldi_min": (400, _POSITIVE_INT, "dense Jacobians from this many rows get ρ from ARPACK"),
    # formulas (untrusted input: every bound is checked before the work it bounds)
    "formula.max_length": (20_000, _POSITIVE_INT, "characters of a formula string"),
    "formula.max_exponent": (100, _POSITIVE_INT, "largest integer exponent"),
    "formula.max_degree": (1000, _POSITIVE_INT, "largest degree of nested powers"),
    "formula.max_nodes": (100_000, _POSITIVE_INT, "nodes of an expression tree"),
    "formula.max_depth": (60, _POSITIVE_INT, "nesting depth of a formula"),
    "formula.max_magnitude": (1e300, _POSITIVE, "largest constant"),
    "games.max_formula_variables": (500, _POSITIVE_INT, "n + m of a formula game (symbolic Hessian)"),
    "games.max_symbolic": (12, _POSITIVE_INT, "n + m up to which a numeric game has a sympy view"),
    # fixed points
    "equilibria.rtol": (1e-9, _TOLERANCE, "zero tolerance of eigenvalues, relative to ‖H‖₂"),
    "equilibria.gtol": (1e-8, _TOLERANCE, "criticality tolerance, relative to the game's scale"),
    "equilibria.max_bezout": (4, _POSITIVE_INT, "largest Bézout bound solved exactly (complete)"),
    "equilibria.max_starts": (100_000, _POSITIVE_INT, "most starts of a numeric search"),
    "equilibria.max_exact": (12, _POSITIVE_INT, "n + m up to which inertias are decided exactly"),
    "equilibria.max_exact_nullity": (12, _POSITIVE_INT, "largest null space whose free directions are decided exactly"),
    "equilibria.exact_free_seconds": (10.0, _POSITIVE, "time limit of an exact free-direction decision"),
    "equilibria.max_non_isolated": (8, _POSITIVE_INT, "representatives of non-isolated sets probed"),
    "equilibria.rational_rtol": (1e-9, _TOLERANCE, "a coordinate rounds to a rational within this (exact points)"),
    "equilibria.component_rtol": (1e-6, _TOLERANCE, "points this close (relative) are one critical point"),
    "equilibria.mp_refinements": (8, _POSITIVE_INT, "candidates refined in 50-digit arithmetic per search"),
    # spectra
    "spectral.rho_margin": (2 ** -26, (_unit, "a number in [0, 1)"),
                            "|ρ − 1| ≤ this decides nothing: √ε, the accuracy of a defective eigenvalue"),
    "spectral.max_sweep_values": (10 ** 6, _POSITIVE_INT, "most hyperparameter values of one sweep"),
    "spectral.max_symbolic_state": (12, _POSITIVE_INT, "largest Jacobian of an exact stable set"),
    "certify.max_state": (400, _POSITIVE_INT, "largest Jacobian (state size) certified"),
    "certify.max_ball_size": (200, _POSITIVE_INT, "largest matrix given to Arb's eigenvalue enclosure"),
    "certify.max_exact_degree": (200, _POSITIVE_INT, "largest characteristic polynomial decided exactly (degree)"),
    "certify.ball_seconds": (60.0, _POSITIVE, "after this many seconds a ball enclosure stops raising its precision"),
    "certify.max_precision": (4096, _POSITIVE_INT, "highest working precision of a certificate, in bits"),
    "spectral.max_grid": (1_000_000, _POSITIVE_INT, "most grid points of optimize"),
    "diagnostics.max_kronecker": (60, _POSITIVE_INT, "largest n + m of the τ* Kronecker problem"),
    # the iteration engine
    "engine.backend": ("numpy", (lambda v: v in ("numpy", "jax"), "'numpy' or 'jax'"),
                       "the engine's backend: numpy (the reference) or JAX (jitted; optional)"),
}


class Defaults(dict):
    """A dict of the package's defaults whose assignments are validated."""

    def _known(self, key):
        if key not in _SETTINGS:
            # an old short name ("max_dense") points to its module-qualified key
            shorts = {k.split(".", 1)[1]: k for k in _SETTINGS}
            close = difflib.get_close_matches(key, shorts, n=1) if isinstance(key, str) else []
            qualified = [shorts[c] for c in close]
            if qualified:
                raise UnknownNameError(f"unknown setting {key!r} of stability.config.defaults; "
                                       f"did you mean {qualified[0]!r}?")
            raise unknown_name("setting of stability.config.defaults", key, _SETTINGS)

    def __getitem__(self, key):
        if key not in self:
            self._known(key)
        return super().__getitem__(key)

    def __setitem__(self, key, value):
        self._known(key)
        ok, expected = _SETTINGS[key][1]
        if not ok(value):
            raise InputError(f"config.defaults[{key!r}] must be {expected}, got {value!r}"[:300])
        super().__setitem__(key, value)

    def update(self, *args, **kwargs):
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def setdefault(self, key, value=None):
        if key not in self:
            self[key] = value
        return self[key]

    def describe(self):
        """``{key: (value, meaning)}`` for every setting."""
        return {k: (self[k], meaning) for k, (_, _, meaning) in _SETTINGS.items()}


defaults = Defaults()


def reset_defaults():
    """Restore every default to its value at import."""
    dict.clear(defaults)
    defaults.update({k: default for k, (default, _, _) in _SETTINGS.items()})


@contextlib.contextmanager
def temporary(changes):
    """Change some defaults for the duration of a ``with`` block (all checked first, then
    restored on exit whatever happens): ``with config.temporary({"linalg.max_dense": 100}):``."""
    if not isinstance(changes, dict):
        raise InputError(f"temporary takes a dict {{key: value}}, got {type(changes).__name__}")
    saved = dict(defaults)
    try:
        defaults.update(changes)
        yield defaults
    finally:
        dict.clear(defaults)
        dict.update(defaults, saved)


class Default:
    """A keyword's default that is read from ``defaults[key]`` when the function runs (the
    signature shows it as ``config.defaults['key']``); an explicit ``None`` is still refused."""

    __slots__ = ("key",)

    def __init__(self, key):
        if key not in _SETTINGS:
            raise KeyError(key)
        self.key = key

    def __repr__(self):
        return f"config.defaults[{self.key!r}]"


def resolve(value):
    """``value``, or the current default when it is a :class:`Default`."""
    return defaults[value.key] if isinstance(value, Default) else value


reset_defaults()
