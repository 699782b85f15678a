"""Tuning: the hyperparameters that minimise ρ within bounds (an :class:`Optimum`), by a
grid whose best basins are refined by restarted Nelder–Mead (docs/NUMERICS.md §4)."""

from dataclasses import dataclass

import numpy as np
import scipy.optimize as opt
from scipy.ndimage import minimum_filter

from .. import algorithms as _algorithms
from ..config import defaults
from .. import formatting
from ..errors import InputError, checked_call
from ..linalg import count, interval, short
from ..plotting import plot_optimum
from ..progress import Progress
from .cache import SpectrumCache, check_executor


@dataclass
class Optimum:
    """Hyperparameters minimising ρ within bounds, ρ there, and the number of evaluations."""

    algorithm: object
    radius: float
    evaluations: int
    interrupted: bool = False
    grid: dict = None
    """``{"names": [...], "axes": [values per name], "radius": ρ on the grid (inf: undefined)}``."""

    @property
    def hyperparameters(self):
        return dict(self.algorithm.hp)

    def to_dict(self):
        """Plain data (JSON-ready): the tuned algorithm, ρ, evaluations and the grid."""
        grid = None
        if self.grid is not None:
            grid = {"names": list(self.grid["names"]), "axes": [list(map(float, a)) for a in self.grid["axes"]],
                    "radius": np.where(np.isfinite(self.grid["radius"]), self.grid["radius"], np.nan).tolist()}
        return {**self.algorithm.to_dict(), "radius": self.radius, "evaluations": self.evaluations,
                "interrupted": self.interrupted, "grid": grid}

    def plot(self, ax=None):
        """ρ over the bracketing grid with the optimum marked: a curve for one tuned
        hyperparameter, a map for two. Returns what was drawn."""
        return plot_optimum(self, ax=ax)

    def __str__(self):
        return (f"{self.algorithm.name}: ρ = {formatting.number(self.radius, 10)} at "
                f"{formatting.hyperparameters(self.algorithm.hp, 10)} ({self.evaluations} evaluations"
                + (", interrupted" if self.interrupted else "") + ")")

    def _repr_html_(self):
        rows = [("algorithm", self.algorithm.name), ("hyperparameters", formatting.hyperparameters(self.algorithm.hp, 10)),
                ("ρ", formatting.number(self.radius, 10)), ("evaluations", self.evaluations)]
        if self.grid is not None:
            rows.append(("tuned over", ", ".join(f"{n} ∈ [{formatting.number(min(a))}, {formatting.number(max(a))}]"
                                                 for n, a in zip(self.grid["names"], self.grid["axes"]))))
        if self.interrupted:
            rows.append(("interrupted", "yes: the best found before Ctrl-C"))
        return formatting.html_table(("optimum", ""), rows)



@checked_call
def optimize(algorithm, game, point, bounds, num=25, fixed=None, refine=True, starts=4,
             executor=None, chunks=8, *, allow_noncritical=False, xp=None):
    """Minimise ρ over hyperparameters within ``bounds``.

    Parameters
    ----------
    algorithm : str
        Registry name.
    bounds : dict
        ``{name: (lo, hi)}``. Names are hyperparameters, ``lr`` (both step sizes), ``ratio``
        (``ηy/ηx``), or ``name.real`` / ``name.imag`` / ``name.abs`` / ``name.arg`` for
        complex hyperparameters.
    num : int
        Grid points per dimension of the bracketing grid (``num ** len(bounds)`` at most
        ``config.defaults["spectral.max_grid"]``).
    fixed : dict
        Hyperparameters held fixed (not tuned).
    refine : bool
        Refine the grid's best basins by Nelder–Mead.
    starts : int
        How many of the grid's discrete local minima (best first) are refined.
    executor : concurrent.futures.Executor, optional
        Evaluates the grid as ``chunks`` parallel parts (a process pool, a Dask client's
        executor), one structured precomputation per part; the refinement runs here.

    Notes
    -----
    ρ is not smooth (a maximum over eigenvalue moduli) and its minima often sit at the tip of
    a narrow valley where two eigenvalues collide (heavy ball's optimum is a double root), so
    one local search from the best grid point can stall on a ridge. The grid is evaluated in
    coordinates scaled to the unit box; each of its ``starts`` best discrete local minima
    (points no larger than their 3ᵏ − 1 neighbours) seeds a Nelder–Mead search whose initial
    simplex spans one grid cell, restarted with a ten times smaller simplex while it improves.
    The best point found wins. Everything is deterministic; the result is the global minimum
    of every basin the grid resolves, not a certified global minimum.
    """
    if not isinstance(algorithm, str):
        raise InputError(f"algorithm must be a registry name, got {algorithm!r}")
    _algorithms.describe(algorithm)
    if not isinstance(bounds, dict) or not bounds:
        raise InputError(f"bounds must be a non-empty dict {{name: (lo, hi)}}, got {bounds!r}")
    num = count(num, "num", 2)
    starts = count(starts, "starts")
    names = [str(k) for k in bounds]
    limit = defaults["spectral.max_grid"]
    if num ** len(names) > limit:
        raise InputError(f"the grid would have num ** len(bounds) = {short(num)}**{len(names)} points "
                         f"(limit config.defaults['spectral.max_grid'] = {limit}); lower num")
    lows, highs = np.array([interval(bounds[k], f"bounds[{k!r}]") for k in bounds]).T
    if fixed is not None and not isinstance(fixed, dict):
        raise InputError(f"fixed must be a dict {{name: value}}, got {fixed!r}")
    fixed = dict(fixed or {})
    overlap = sorted(set(fixed) & set(names))
    if overlap:
        raise InputError(f"hyperparameter(s) {', '.join(overlap)} both tuned (bounds) and fixed")
    _build(algorithm, names, (lows + highs) / 2, fixed)  # names checked
    spectra, evaluations = SpectrumCache(game, point, allow_noncritical, xp), [0]

    def radius(u):
        rho = _radius_at(spectra, algorithm, names, lows, highs, fixed, u)
        if rho is None:
            return np.inf
        evaluations[0] += 1
        return rho

    dims = len(names)
    shape = (num,) * dims
    axis = np.linspace(0.0, 1.0, num)
    values = np.full(shape, np.inf)
    interrupted = False
    check_executor(executor)
    chunks = count(chunks, "chunks", 1, high=10 ** 6)
    if executor is not None:
        grid = np.array([axis[list(index)] for index in np.ndindex(shape)])
        parts = np.array_split(np.arange(len(grid)), min(chunks, len(grid)))
        futures = [executor.submit(_grid_part, algorithm, game, point, names, lows, highs, fixed, grid[part],
                                   allow_noncritical, xp) for part in parts]
        results = [f.result() for f in futures]
        values = np.concatenate([r for r, _ in results]).reshape(shape)
        evaluations[0] += sum(k for _, k in results)
    else:
        with Progress(f"optimize {algorithm}", values.size) as progress:
            try:
                for i, index in enumerate(np.ndindex(shape)):
                    values[index] = radius(axis[list(index)])
                    progress.update(i + 1)
            except KeyboardInterrupt:
                interrupted = True
    if evaluations[0] == 0:
        raise KeyboardInterrupt
    best_index = np.unravel_index(np.argmin(values), shape)
    best_u, best_rho = axis[list(best_index)], float(values[best_index])
    if refine and not interrupted:
        finite = np.isfinite(values)
        local = finite & (values == minimum_filter(np.where(finite, values, np.inf), size=3,
                                                   mode="nearest"))
        seeds = np.argwhere(local)
        seeds = seeds[np.argsort(values[tuple(seeds.T)], kind="stable")][:starts]
        for index in seeds:
            u, rho = _nelder_mead(radius, axis[list(index)], 1.0 / (num - 1))
            if rho < best_rho:
                best_u, best_rho = u, rho
    alg = _build(algorithm, names, lows + best_u * (highs - lows), fixed)
    grid = {"names": names, "axes": [lows[i] + axis * (highs[i] - lows[i]) for i in range(dims)],
            "radius": values}
    return Optimum(alg, best_rho, evaluations[0], interrupted, grid)


def _grid_part(algorithm, game, point, names, lows, highs, fixed, grid, allow_noncritical, xp=None):
    """ρ at the unit-box points ``grid`` and how many were evaluated (one task of a parallel
    grid; inf where the hyperparameters are invalid, as in the serial grid)."""
    spectra = SpectrumCache(game, point, allow_noncritical, xp)
    rhos = [_radius_at(spectra, algorithm, names, lows, highs, fixed, u) for u in grid]
    return np.array([np.inf if r is None else r for r in rhos]), sum(r is not None for r in rhos)


def _radius_at(spectra, algorithm, names, lows, highs, fixed, u):
    """ρ at the unit-box point ``u`` (clipped to the box), or None where the hyperparameters
    are invalid there (e.g. a momentum of exactly ±1 on the boundary)."""
    try:
        alg = _build(algorithm, names, lows + np.clip(u, 0.0, 1.0) * (highs - lows), fixed)
    except InputError:
        return None
    return spectra.radius(alg)


def _nelder_mead(fun, u, cell, restarts=6):
    """Nelder–Mead in the unit box from ``u`` with a simplex of edge ``cell``, restarted with a
    smaller simplex while it improves (a collapsed simplex is its usual way to stall)."""
    rho = fun(u)
    for _ in range(restarts):
        simplex = [u] + [np.clip(u + step, 0.0, 1.0) if u[j] + cell <= 1 else u - step
                         for j, step in enumerate(cell * np.eye(len(u)))]
        res = opt.minimize(fun, u, method="Nelder-Mead",
                           options={"initial_simplex": np.array(simplex), "xatol": 1e-12,
                                    "fatol": 1e-15, "maxiter": 1000 * len(u)})
        if not res.fun < rho - 1e-15:
            break
        u, rho, cell = np.clip(res.x, 0.0, 1.0), float(res.fun), max(cell / 10, 1e-6)
    return u, rho


def _hyperparameters(names, theta, fixed):
    hp = dict(fixed)
    parts = {}
    for name, value in zip(names, theta):
        if "." in name:
            base, part = name.split(".", 1)
            if part not in ("real", "imag", "abs", "arg"):
                raise InputError(f"bounds name {name!r}: the part after the dot must be real, imag, "
                                 "abs or arg")
            parts.setdefault(base, {})[part] = float(value)
        else:
            hp[name] = float(value)
    for base, p in parts.items():
        z = complex(hp.get(base, 0))
        if "abs" in p or "arg" in p:
            z = p.get("abs", abs(z)) * np.exp(1j * p.get("arg", np.angle(z)))
        z = complex(p.get("real", z.real), p.get("imag", z.imag))
        hp[base] = z
    ratio = hp.pop("ratio", None)
    if ratio is not None and "lr" not in hp:
        if "lr_x" not in hp:
            raise InputError("'ratio' needs 'lr' or 'lr_x' (in bounds or fixed)")
        hp["lr"] = hp.pop("lr_x")
    return hp, ratio


def _build(algorithm, names, theta, fixed):
    """The algorithm at the hyperparameters ``theta`` (``lr`` with ``ratio``: the lr rule of
    :func:`~stability.algorithms.params.resolve_step_sizes` with that ratio)."""
    hp, ratio = _hyperparameters(names, theta, fixed)
    if ratio is not None:
        hp = _algorithms.describe(algorithm).resolve(hp, ratio)
    return _algorithms.get(algorithm, **hp)
