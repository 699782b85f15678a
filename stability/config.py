"""Defaults in one place (python-control style); change them in ``stability.config.defaults``.

Every assignment is checked when it is made (``defaults["max_dense"] = -1`` raises an
:class:`~stability.errors.InputError` naming the key), so a bad setting cannot surface later
as an unrelated failure deep inside a computation."""

import numbers

from .errors import InputError, unknown_name


def _positive_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and value >= 1


def _positive_real(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and 0 < value < float("inf")


def _margin(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and 0 <= value < 1


def _size(value):
    return (isinstance(value, (tuple, list)) and len(value) == 2 and all(_positive_real(v) for v in value))


_RULES = {
    "figsize": (_size, "a pair of positive numbers (inches)"),
    "dpi": (_positive_int, "a positive integer"),
    "toy_lr": (_positive_real, "a positive number"),
    "progress": (lambda v: isinstance(v, bool), "True or False"),
    "max_dense": (_positive_int, "a positive integer (rows)"),
    "max_array_bytes": (_positive_int, "a positive integer (bytes)"),
    "rho_margin": (_margin, "a number in [0, 1)"),
    "max_sweep_values": (_positive_int, "a positive integer"),
}


class Defaults(dict):
    """A dict of the package's defaults whose assignments are validated."""

    def __setitem__(self, key, value):
        if key not in _RULES:
            raise unknown_name("setting of stability.config.defaults", key, _RULES)
        ok, expected = _RULES[key]
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


defaults = Defaults()
defaults.update({
    "figsize": (6.0, 4.5),
    "dpi": 120,
    "toy_lr": 0.05,        # η of the toy experiments (FR Fig. 3, HessianFR Fig. 1)
    "progress": True,      # progress of long sweeps/optimisations on stderr
    "max_dense": 8000,     # largest dense Jacobian (rows) built on request; beyond: matrixfree
    "max_array_bytes": 2 ** 31,  # largest array a computation allocates (engine trajectories, grids)
    "rho_margin": 2 ** -26,  # |ρ − 1| ≤ this decides nothing: √ε, the accuracy of a defective eigenvalue
    "max_sweep_values": 10 ** 6,  # most hyperparameter values one sweep evaluates
})

_FACTORY = dict(defaults)


def reset_defaults():
    """Restore every default to its value at import."""
    dict.clear(defaults)
    defaults.update(_FACTORY)
