"""The iteration engine: run an update map from many initial points at once (numpy only)."""

from dataclasses import dataclass

import numpy as np

from .errors import InputError
from .linalg import as_finite_array, count, real_number

CONVERGED, DIVERGED, MAX_STEPS = "converged", "diverged", "max_steps"


@dataclass
class Trajectory:
    """Iterates of a batched run.

    ``iterates`` has shape ``(steps + 1, B, n + m)`` (the game part of the state; NaN after a
    point stopped), ``grad_norm`` and ``distance`` ``(steps + 1, B)``; ``stop`` holds each
    point's stop reason and ``stop_step`` the step at which it stopped.
    """

    iterates: np.ndarray
    grad_norm: np.ndarray
    distance: np.ndarray
    stop: np.ndarray
    stop_step: np.ndarray

    def empirical_rate(self, index=0, tail=0.5):
        """``1 − ρ̂`` from a log-linear fit of the distance over the last ``tail`` of the run."""
        d = self.distance[:, index]
        d = d[np.isfinite(d) & (d > 0)]
        start = int(len(d) * (1 - tail))
        if len(d) - start < 3:
            raise InputError("too few finite, nonzero distances to estimate a rate")
        slope = np.polyfit(np.arange(start, len(d)), np.log(d[start:]), 1)[0]
        return 1.0 - float(np.exp(slope))


def run(algorithm, game, z0, steps=1000, tol=1e-10, target=None, divergence=1e6):
    """Iterate ``algorithm`` on ``game`` from the rows of ``z0``.

    Parameters
    ----------
    z0 : array_like, shape (n+m,) or (B, n+m)
        Initial points; a single point is a batch of one (arrays keep the batch axis).
    tol : float
        A point has converged when its gradient norm (or, with ``target``, its distance to
        ``target``) falls below ``tol``.
    divergence : float
        A point has diverged when its norm exceeds ``divergence`` (or a value is not finite);
        it is then frozen, so no overflow warnings or NaNs propagate.
    """
    z0 = as_finite_array(z0, "z0")
    z0 = np.atleast_2d(z0)
    game.split(z0)
    steps = count(steps, "steps", 0)
    tol = real_number(tol, "tol", 0.0)
    divergence = real_number(divergence, "divergence", 0.0, inclusive=False)
    target = None if target is None else as_finite_array(target, "target", ndim=1)
    N, B = game.n + game.m, z0.shape[0]
    state = algorithm.init_state(game, z0)
    iterates = np.full((steps + 1, B, N), np.nan)
    grad_norm = np.full((steps + 1, B), np.nan)
    distance = np.full((steps + 1, B), np.nan)
    stop = np.full(B, MAX_STEPS, dtype=object)
    stop_step = np.full(B, steps)
    active = np.ones(B, dtype=bool)

    def record(t, idx):
        z = state[idx, :N]
        iterates[t, idx] = z
        with np.errstate(all="ignore"):
            g = np.linalg.norm(np.concatenate(game.grad(z[:, :game.n], z[:, game.n:]), axis=-1), axis=-1)
        grad_norm[t, idx] = g
        distance[t, idx] = np.linalg.norm(z - target, axis=-1) if target is not None else np.nan
        measure = distance[t, idx] if target is not None else g
        bad = ~np.isfinite(g) | (np.abs(z).max(axis=-1) > divergence)
        done = ~bad & (measure <= tol)
        for mask, reason in ((bad, DIVERGED), (done, CONVERGED)):
            hit = idx[mask]
            stop[hit], stop_step[hit], active[hit] = reason, t, False

    record(0, np.arange(B))
    for t in range(1, steps + 1):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        with np.errstate(all="ignore"):
            state[idx] = algorithm.step(game, state[idx])  # active rows are finite: record() froze the rest
        record(t, idx)
    return Trajectory(iterates, grad_norm, distance, stop, stop_step)
