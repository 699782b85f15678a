"""The iteration engine: run an update map from many initial points at once (numpy only)."""

from dataclasses import dataclass

import numpy as np

import difflib
import time

from .algorithms import as_algorithm
from .config import defaults
from .errors import ArgumentError, InputError, NonFiniteError, UnknownNameError, checked_call
from .games import Game
from .linalg import as_finite_array, count, gib, real_number, short
from .plotting import plot_convergence

CONVERGED, DIVERGED, MAX_STEPS = "converged", "diverged", "max_steps"
INTERRUPTED, TIME_LIMIT = "interrupted", "time_limit"


@dataclass
class Trajectory:
    """Iterates of a batched run.

    ``iterates`` has shape ``(steps + 1, B, n + m)`` (the game part of the state; NaN after a
    point stopped), ``grad_norm`` and ``distance`` ``(steps + 1, B)``; ``stop`` holds each
    point's stop reason and ``stop_step`` the step at which it stopped: ``converged``,
    ``diverged``, ``max_steps`` (the step limit was reached first), ``time_limit`` (``max_time``
    ran out) or ``interrupted`` (Ctrl-C: the run returns what it computed).
    """

    iterates: np.ndarray
    grad_norm: np.ndarray
    distance: np.ndarray
    stop: np.ndarray
    stop_step: np.ndarray

    @property
    def interrupted(self):
        return bool(np.any(self.stop == INTERRUPTED))

    def to_dict(self):
        """Plain data (JSON-ready; NaN after a point stopped becomes None)."""
        clean = lambda a: np.where(np.isfinite(a), a, np.nan).tolist()
        nan_to_none = lambda v: [nan_to_none(x) for x in v] if isinstance(v, list) else (None if v != v else v)
        return {"iterates": nan_to_none(clean(self.iterates)), "grad_norm": nan_to_none(clean(self.grad_norm)),
                "distance": nan_to_none(clean(self.distance)), "stop": [str(s) for s in self.stop],
                "stop_step": [int(s) for s in self.stop_step]}

    def plot(self, ax=None, which="distance"):
        """Distance to the target (or gradient norm) per step, log scale; see
        :func:`stability.plotting.plot_convergence`."""
        return plot_convergence(self, ax=ax, which=which)

    @checked_call
    def empirical_rate(self, index=0, tail=0.5):
        """``1 − ρ̂`` from a log-linear fit over the last ``tail`` of the run, of the distance to
        ``target`` when the run had one, else of the gradient norm (near a nondegenerate fixed
        point both decay like ρᵗ)."""
        index = count(index, "index", 0)
        if index >= self.distance.shape[1]:
            raise InputError(f"index {index} out of range for a batch of {self.distance.shape[1]}")
        tail = real_number(tail, "tail", 0.0, 1.0, inclusive=False)
        d = self.distance[:, index]
        if not np.any(np.isfinite(d)):
            d = self.grad_norm[:, index]
        d = d[np.isfinite(d) & (d > 0)]
        start = int(len(d) * (1 - tail))
        if len(d) - start < 3:
            raise InputError("too few finite, nonzero distances to estimate a rate")
        slope = np.polyfit(np.arange(start, len(d)), np.log(d[start:]), 1)[0]
        return 1.0 - float(np.exp(slope))


@checked_call
def run(algorithm, game, z0, steps=1000, tol=1e-10, target=None, divergence=1e6, max_time=None, **hp):
    """Iterate ``algorithm`` on ``game`` from the rows of ``z0``.

    Parameters
    ----------
    algorithm : str or Algorithm
        A registry name or an algorithm object; keywords in ``hp`` set its hyperparameters
        (``run("fr", game, z0, lr=0.1)``), as everywhere else.
    z0 : array_like, shape (n+m,) or (B, n+m)
        Initial points; a single point is a batch of one (arrays keep the batch axis).
    tol : float
        A point has converged when its gradient norm (or, with ``target``, its distance to
        ``target``) falls below ``tol``.
    divergence : float
        A point has diverged when its norm exceeds ``divergence`` (or a value is not finite);
        it is then frozen, so no overflow warnings or NaNs propagate.
    max_time : float, optional
        Seconds after which the run stops (reason ``time_limit``) and returns what it has.

    The whole trajectory is stored: ``(steps + 1) · B · (n + m)`` numbers, at most
    ``config.defaults["linalg.max_array_bytes"]`` bytes. Ctrl-C stops the run cleanly; the result
    holds the iterates computed so far (reason ``interrupted``).
    """
    try:
        algorithm = as_algorithm(algorithm, **hp)
    except UnknownNameError as exc:  # a misspelt argument of run() lands in hp: say so
        own = ["steps", "tol", "target", "divergence", "max_time"]
        for key in hp:
            close = difflib.get_close_matches(key, own, n=1)
            if close:
                raise ArgumentError(f"run() has no argument {key!r}; did you mean {close[0]!r}? "
                                    f"({exc})") from None
        raise
    if not isinstance(game, Game):
        raise InputError(f"game must be a stability Game, got {type(game).__name__}")
    algorithm.require_numeric()
    z0 = as_finite_array(z0, "z0")
    z0 = np.atleast_2d(z0)
    game.split(z0)
    steps = count(steps, "steps", 0)
    tol = real_number(tol, "tol", 0.0)
    divergence = real_number(divergence, "divergence", 0.0, inclusive=False)
    target = None if target is None else as_finite_array(target, "target", ndim=1)
    if target is not None and target.shape != (game.n + game.m,):
        raise InputError(f"target must have n + m = {game.n + game.m} entries, got {target.shape}")
    max_time = None if max_time is None else real_number(max_time, "max_time", 0.0)
    N, B = game.n + game.m, z0.shape[0]
    size = (steps + 1) * B * (N + 2) * 8
    if size > defaults["linalg.max_array_bytes"]:
        raise InputError(f"storing {short(steps)} steps of {B} points of size {N} needs {gib(int(size))} "
                         f"(limit config.defaults['linalg.max_array_bytes'] = "
                         f"{defaults['linalg.max_array_bytes'] / 2**30:.3g} GiB); use fewer steps or points")
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
            g = np.linalg.norm(_rows(lambda s: np.concatenate(game.grad(s[:, :game.n], s[:, game.n:]), axis=-1),
                                     z, game.n + game.m), axis=-1)
        grad_norm[t, idx] = g
        distance[t, idx] = np.linalg.norm(z - target, axis=-1) if target is not None else np.nan
        measure = distance[t, idx] if target is not None else g
        bad = ~np.isfinite(g) | (np.abs(z).max(axis=-1) > divergence)
        done = ~bad & (measure <= tol)
        for mask, reason in ((bad, DIVERGED), (done, CONVERGED)):
            hit = idx[mask]
            stop[hit], stop_step[hit], active[hit] = reason, t, False

    started = time.monotonic()
    t = 0
    try:
        record(0, np.arange(B))
        for t in range(1, steps + 1):
            idx = np.flatnonzero(active)
            if idx.size == 0:
                break
            if max_time is not None and time.monotonic() - started > max_time:
                stop[idx], stop_step[idx], active[idx] = TIME_LIMIT, t - 1, False
                break
            with np.errstate(all="ignore"):
                # active rows are finite: record() froze the rest
                state[idx] = _rows(lambda s: algorithm.step(game, s), state[idx], state.shape[1])
            record(t, idx)
    except KeyboardInterrupt:
        idx = np.flatnonzero(active)
        stop[idx], stop_step[idx] = INTERRUPTED, max(t - 1, 0)
    return Trajectory(iterates, grad_norm, distance, stop, stop_step)


def _rows(fn, rows, width):
    """``fn`` on a batch of rows; if the game reports a non-finite value for the batch, row by
    row, with NaN for the rows where it does (they are then recorded as diverged)."""
    try:
        return fn(rows)
    except NonFiniteError:
        out = np.full((rows.shape[0], width), np.nan)
        for i in range(rows.shape[0]):
            try:
                out[i] = fn(rows[i:i + 1])[0]
            except NonFiniteError:
                pass
        return out
