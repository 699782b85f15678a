"""The registry of algorithms by name: ``get``, ``names``, ``describe``, ``info``, and
:func:`as_algorithm`, the one place an entry point turns its ``algorithm`` argument into an
object."""

from ..errors import InputError, unknown_name
from .base import Algorithm

_REGISTRY = {}


def register(cls):
    """Class decorator: add an algorithm (and its aliases) to the registry."""
    for name in (cls.name,) + tuple(cls.aliases):
        _REGISTRY[name] = cls
    return cls


def names():
    """Registered algorithm names (aliases included)."""
    return sorted(_REGISTRY)


def get(name, **hyperparameters):
    """The algorithm ``name`` with the given hyperparameters (defaults for the rest)."""
    return describe(name).build(**hyperparameters)


def as_algorithm(algorithm, **hp):
    """An algorithm object from a registry name or an :class:`Algorithm`, with ``hp`` applied
    (to an object too: ``spectral_radius(alg, game, z, lr=0.5)`` analyses ``alg`` at η = 0.5).
    The one place every entry point turns its ``algorithm`` argument into an object."""
    if isinstance(algorithm, str):
        return get(algorithm, **hp)
    if isinstance(algorithm, Algorithm):
        return algorithm.replace(**hp) if hp else algorithm
    raise InputError(f"algorithm must be a registry name or an Algorithm, got {str(algorithm)[:60]!r}")


def describe(name):
    """The class of algorithm ``name`` (its docstring has the update rule and reference)."""
    if not isinstance(name, str):
        raise InputError(f"an algorithm name must be a string, got {type(name).__name__}")
    if name not in _REGISTRY:
        raise unknown_name("algorithm", name, _REGISTRY)
    return _REGISTRY[name]


def info(name):
    """Registry entry of ``name``: aliases, hyperparameters (default, meaning), reference,
    capabilities (state copies, structured shortcut, real spectrum, inverts Hyy, general-sum)
    and the docstring (update rule, Jacobian, spectrum, guarantee)."""
    cls = describe(name)
    return {"name": cls.name, "aliases": list(cls.aliases), "reference": cls.reference,
            "hyperparameters": {k: {"default": p.default, "kind": p.kind, "doc": p.doc}
                                for k, p in cls.params.items()},
            "copies": cls.copies, "shortcut": cls.has_shortcut, "real_spectrum": cls.real_spectrum,
            "inverts_hyy": cls.inverts_hyy, "general_sum": cls.general_sum,
            "doc": (cls.__doc__ or "").strip()}


def canonical_names():
    """One name per registered algorithm (aliases left out), sorted."""
    return sorted({cls.name for cls in _REGISTRY.values()})
