"""Spectra of update maps at fixed points: radius, rate, iterations, sweeps, tables."""

from dataclasses import dataclass

import numpy as np

from . import algorithms as _algorithms
from .errors import InputError, StabilityError


def _algorithm(algorithm, **hp):
    return _algorithms.get(algorithm, **hp) if isinstance(algorithm, str) else algorithm


def spectrum(algorithm, game, point, **hp):
    """Eigenvalues of the update map's Jacobian at ``point`` (structured shortcut when one applies)."""
    return _algorithm(algorithm, **hp).spectrum(game, point)


def spectral_radius(algorithm, game, point, **hp):
    """``ρ(J)``: the point is strictly stable iff ``ρ < 1``."""
    return float(np.max(np.abs(spectrum(algorithm, game, point, **hp))))


def rate(algorithm, game, point, **hp):
    """Local linear rate ``1 − ρ`` (negative: the point repels)."""
    return 1.0 - spectral_radius(algorithm, game, point, **hp)


def iterations_to_tolerance(algorithm, game, point, eps=1e-6, **hp):
    """Iterations to shrink the error by ``eps`` asymptotically: ``log ε / log ρ`` (inf if ρ ≥ 1)."""
    if not 0 < eps < 1:
        raise InputError(f"eps must lie in (0, 1), got {eps!r}")
    rho = spectral_radius(algorithm, game, point, **hp)
    if rho >= 1:
        return float("inf")
    return 0.0 if rho == 0 else float(np.log(eps) / np.log(rho))


@dataclass
class Sweep:
    """Spectral radius and eigenvalues of one algorithm over the values of one hyperparameter."""

    algorithm: str
    param: str
    values: np.ndarray
    radius: np.ndarray
    eigenvalues: list

    def plot(self, ax=None, **kwargs):
        """ρ against the hyperparameter; see :func:`stability.plotting.plot_radius`."""
        from .plotting import plot_radius
        return plot_radius(self, ax=ax, **kwargs)

    def plot_eigenvalues(self, ax=None, **kwargs):
        """The eigenvalues in the unit disc, coloured by the hyperparameter."""
        from .plotting import plot_eigenvalue_map
        return plot_eigenvalue_map(self, ax=ax, **kwargs)


def sweep(algorithm, game, point, param, values, **hp):
    """Spectra over ``values`` of hyperparameter ``param`` (``lr`` keeps the ratio ηy/ηx).

    The algorithm's structured precomputation (e.g. one eigendecomposition of ``diag(I,cI)V``
    for the DV-family, the eigenvalues of ``S`` and ``Hyy`` for FR) is done once and reused
    for every value that leaves it unchanged.
    """
    from .algorithms.base import JacobianContext
    base = _algorithm(algorithm, **hp)
    values = np.asarray(values, dtype=float)
    if values.ndim != 1 or values.size == 0:
        raise InputError(f"values must be a non-empty 1-D sequence, got shape {values.shape}")
    ctx = JacobianContext(game, point)
    cache, radii, eigs = {}, [], []
    for value in values:
        alg = _with(base, param, value)
        if alg.has_shortcut:
            key = alg._spectral_key()
            if key not in cache:
                cache[key] = alg._spectral_data(ctx)
            ev = alg._spectrum_from(cache[key])
        else:
            ev = np.linalg.eigvals(alg._closed_form(ctx))
        eigs.append(np.asarray(ev, dtype=complex))
        radii.append(float(np.max(np.abs(ev))))
    return Sweep(base.name, param, values, np.array(radii), eigs)


def _with(alg, param, value):
    if param == "lr" and "lr" not in alg.params:
        ratio = alg.hp["lr_y"] / alg.hp["lr_x"] if "lr_y" in alg.hp else None
        changes = {"lr_x": value} if ratio is None else {"lr_x": value, "lr_y": ratio * value}
        return alg.replace(**changes)
    if param not in alg.params:
        raise InputError(f"{alg.name} has no hyperparameter {param!r} (has {', '.join(alg.params)})")
    return alg.replace(**{param: value})


def table(game, point, names=None, **hp):
    """``{algorithm: ρ}`` at default (or given) hyperparameters; errors become their message."""
    rows = {}
    for name in names or DEFAULT_TABLE:
        try:
            rows[name] = spectral_radius(name, game, point, **_applicable(name, hp))
        except StabilityError as exc:
            rows[name] = f"{type(exc).__name__}: {exc}"
    return rows


DEFAULT_TABLE = ("gda", "altgda", "gdak", "eg", "ogda", "pm", "iu", "co", "sga", "hb",
                 "fr", "fr-momentum", "hessianfr", "gdn", "lead", "cgd", "complex-momentum")


def _applicable(name, hp):
    params = _algorithms.describe(name).params
    out = {k: v for k, v in hp.items() if k in params}
    if "lr" in hp and "lr" not in params:
        out.update({k: hp["lr"] for k in ("lr_x", "lr_y") if k in params})
    return out
