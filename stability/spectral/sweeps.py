"""Spectra over the values of one hyperparameter (a :class:`Sweep`), one structured
precomputation serving every value."""

from dataclasses import dataclass

import numpy as np

from ..algorithms import as_algorithm
from ..config import defaults
from .. import formatting
from ..errors import InputError, SingularBlockError, checked_call
from ..linalg import as_finite_array, count
from ..plotting import plot_eigenvalue_map, plot_radius
from ..progress import Progress
from .cache import SpectrumCache, check_executor


@dataclass
class Sweep:
    """Spectral radius and eigenvalues of one algorithm over the values of one hyperparameter.
    ``interrupted``: the sweep was stopped with Ctrl-C; ``values`` holds the part computed.
    ``undefined``: values at which the update map is not defined (a singular block it
    inverts, e.g. I + D·V for IU); their radius is ``inf`` and their eigenvalues ``None``."""

    algorithm: str
    param: str
    values: np.ndarray
    radius: np.ndarray
    eigenvalues: list
    interrupted: bool = False

    @property
    def undefined(self):
        return [float(v) for v, e in zip(self.values, self.eigenvalues) if e is None]

    def to_dict(self):
        """Plain data (JSON-ready): ρ is None where the map is undefined, eigenvalues as
        ``[re, im]`` pairs."""
        pairs = lambda e: None if e is None else [[float(v.real), float(v.imag)] for v in np.asarray(e)]
        return {"algorithm": self.algorithm, "param": self.param,
                "values": [float(v) for v in self.values],
                "radius": [None if not np.isfinite(r) else float(r) for r in self.radius],
                "eigenvalues": [pairs(e) for e in self.eigenvalues],
                "undefined": self.undefined, "interrupted": self.interrupted}

    def plot(self, ax=None, **kwargs):
        """ρ against the hyperparameter; see :func:`stability.plotting.plot_radius`."""
        return plot_radius(self, ax=ax, **kwargs)

    def plot_eigenvalues(self, ax=None, **kwargs):
        """The eigenvalues in the unit disc, coloured by the hyperparameter."""
        return plot_eigenvalue_map(self, ax=ax, **kwargs)

    def summary(self, digits=6):
        """Rows (quantity, value): the range swept, the smallest ρ and where, the values where
        ρ < 1, and what could not be computed."""
        digits = count(digits, "digits", 1, high=17)
        finite = np.isfinite(self.radius)
        rows = [("algorithm", self.algorithm),
                ("swept", f"{self.param} over [{formatting.number(self.values.min(), digits)}, "
                          f"{formatting.number(self.values.max(), digits)}], {len(self.values)} values")]
        if finite.any():
            i = int(np.nanargmin(np.where(finite, self.radius, np.nan)))
            rows.append(("smallest ρ", f"{formatting.number(self.radius[i], digits)} at {self.param} = "
                                       f"{formatting.number(self.values[i], digits)}"))
            rows.append(("values with ρ < 1", f"{int(np.sum(self.radius[finite] < 1))} of {len(self.values)}"))
        if self.undefined:
            rows.append(("undefined at", ", ".join(formatting.number(v, digits) for v in self.undefined)))
        if self.interrupted:
            rows.append(("interrupted", "yes: the values computed before Ctrl-C"))
        return rows

    def _repr_html_(self):
        return formatting.html_table(("sweep", ""), self.summary())


@checked_call
def sweep(algorithm, game, point, param, values, executor=None, chunks=8, *, allow_noncritical=False,
          xp=None, **hp):
    """Spectra over ``values`` of hyperparameter ``param`` (``lr`` keeps the ratio ηy/ηx).

    The algorithm's structured precomputation (e.g. one eigendecomposition of ``diag(I,cI)V``
    for the DV-family, the eigenvalues of ``S`` and ``Hyy`` for FR) is done once and reused
    for every value that leaves it unchanged. With a ``concurrent.futures.Executor`` (a process
    pool, or a ``dask.distributed`` client's executor) the values are split into ``chunks``
    that run in parallel, one precomputation per chunk. Ctrl-C stops a serial sweep cleanly:
    the result holds the values done so far and ``interrupted=True``.
    """
    base = as_algorithm(algorithm, **hp)
    values = as_finite_array(values, "values", ndim=1)
    if values.size == 0:
        raise InputError("values must not be empty")
    if values.size > defaults["spectral.max_sweep_values"]:
        raise InputError(f"a sweep over {values.size} values exceeds config.defaults['spectral.max_sweep_values'] "
                         f"= {defaults['spectral.max_sweep_values']}; split it (each part may run on an executor)")
    chunks = count(chunks, "chunks", 1, high=10 ** 6)
    base.with_hyperparameter(param, values[0])  # a bad name fails here, not in a worker
    check_executor(executor)
    if executor is not None:
        parts = np.array_split(values, min(count(chunks, "chunks"), len(values)))
        futures = [executor.submit(_sweep_part, base, game, point, param, part, allow_noncritical, xp)
                   for part in parts]
        eigs = [e for f in futures for e in f.result()]
        return _sweep_result(base.name, param, values, eigs)
    spectra, eigs, interrupted = SpectrumCache(game, point, allow_noncritical, xp), [], False
    with Progress(f"sweep {base.name} over {param}", len(values)) as progress:
        try:
            for i, value in enumerate(values):
                eigs.append(_spectrum_or_none(spectra, base.with_hyperparameter(param, value)))
                progress.update(i + 1)
        except KeyboardInterrupt:
            interrupted = True
    done = values[:len(eigs)]
    return _sweep_result(base.name, param, done, eigs, interrupted)


def _spectrum_or_none(spectra, alg):
    """The spectrum, or None where the update map is undefined at this value (IU with a
    singular I + D·V): a sweep reports such values instead of stopping at them."""
    try:
        return spectra.spectrum(alg)
    except SingularBlockError:
        return None


def _sweep_result(name, param, values, eigs, interrupted=False):
    radius = np.array([np.inf if e is None else np.abs(e).max() for e in eigs])
    return Sweep(name, param, values, radius, eigs, interrupted)


def _sweep_part(base, game, point, param, values, allow_noncritical=False, xp=None):
    spectra = SpectrumCache(game, point, allow_noncritical, xp)
    return [_spectrum_or_none(spectra, base.with_hyperparameter(param, value)) for value in values]
