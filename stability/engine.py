"""The iteration engine: run an update map from many initial points at once (numpy only).

Memory is ``O(points × state)`` unless the path is requested: ``record="all"`` keeps every
iterate, an integer ``k`` every k-th, ``"final"`` only each point's last state and its stop
reason."""

from dataclasses import dataclass
import difflib
import numbers
import time

import numpy as np

from .algorithms import Algorithm, as_algorithm
from .backend import check_namespace
from .config import defaults
from .errors import ArgumentError, InputError, NonFiniteError, UnknownNameError, checked_call
from .games import Game
from .linalg import as_finite_array, count, gib, real_number, short
from .plotting import plot_convergence
from .spectral.cache import check_executor

CONVERGED, DIVERGED, MAX_STEPS = "converged", "diverged", "max_steps"
INTERRUPTED, TIME_LIMIT = "interrupted", "time_limit"


@dataclass
class Trajectory:
    """Iterates of a batched run.

    ``iterates`` has shape ``(R, B, n + m)`` (the game part of the state; NaN after a point
    stopped), ``grad_norm`` and ``distance`` ``(R, B)``, recorded at the steps
    ``recorded_steps`` (``0 … steps`` for ``record="all"``, every k-th for ``record=k``; for
    ``record="final"`` one row holding each point's last state, and ``recorded_steps`` is
    None). ``final`` is each point's last state whatever was recorded. ``stop`` holds each
    point's stop reason and ``stop_step`` the step at which it stopped: ``converged``,
    ``diverged``, ``max_steps`` (the step limit was reached first), ``time_limit`` (``max_time``
    ran out) or ``interrupted`` (Ctrl-C: the run returns what it computed).
    """

    iterates: np.ndarray
    grad_norm: np.ndarray
    distance: np.ndarray
    stop: np.ndarray
    stop_step: np.ndarray
    recorded_steps: np.ndarray = None
    final: np.ndarray = None

    @property
    def interrupted(self):
        return bool(np.any(self.stop == INTERRUPTED))

    def to_dict(self):
        """Plain data (JSON-ready; NaN after a point stopped becomes None)."""
        plain = lambda a: np.where(np.isfinite(a), a, None).tolist()
        return {"iterates": plain(self.iterates), "grad_norm": plain(self.grad_norm),
                "distance": plain(self.distance), "stop": [str(s) for s in self.stop],
                "stop_step": [int(s) for s in self.stop_step],
                "recorded_steps": None if self.recorded_steps is None else self.recorded_steps.tolist(),
                "final": plain(self.final)}

    def plot(self, ax=None, which="distance"):
        """Distance to the target (or gradient norm) per step, log scale; see
        :func:`stability.plotting.plot_convergence`."""
        return plot_convergence(self, ax=ax, which=which)

    @checked_call
    def empirical_rate(self, index=0, tail=0.5):
        """``1 − ρ̂`` from a log-linear fit over the last ``tail`` of the run, of the distance to
        ``target`` when the run had one, else of the gradient norm (near a nondegenerate fixed
        point both decay like ρᵗ). Needs a recorded path (not ``record="final"``)."""
        if self.recorded_steps is None:
            raise InputError("empirical_rate needs the path: run with record='all' or record=k")
        index = count(index, "index", 0)
        if index >= self.distance.shape[1]:
            raise InputError(f"index {index} out of range for a batch of {self.distance.shape[1]}")
        tail = real_number(tail, "tail", 0.0, 1.0, inclusive=False)
        d = self.distance[:, index]
        if not np.any(np.isfinite(d)):
            d = self.grad_norm[:, index]
        keep = np.isfinite(d) & (d > 0)
        d, t = d[keep], self.recorded_steps[keep]
        start = int(len(d) * (1 - tail))
        if len(d) - start < 3:
            raise InputError("too few finite, nonzero distances to estimate a rate")
        slope = np.polyfit(t[start:], np.log(d[start:]), 1)[0]
        return 1.0 - float(np.exp(slope))


def _record_every(record, steps):
    """``k`` for ``record`` ("all": 1, "final": None, or a positive integer k)."""
    if isinstance(record, str) and record in ("all", "final"):
        return 1 if record == "all" else None
    if isinstance(record, numbers.Integral) and not isinstance(record, bool) and record >= 1:
        return int(record)
    raise InputError(f"record must be 'all', 'final' or a positive integer k (every k-th step), "
                     f"got {short(record)}")


@checked_call
def run(algorithm, game, z0, steps=1000, tol=1e-10, target=None, divergence=1e6, max_time=None,
        record="all", executor=None, chunks=8, backend=None, xp=None, **hp):
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
    record : "all", "final" or int
        What is kept: every iterate (default), every k-th (and the last), or only each point's
        final state and stop reason (memory ``O(B · (n + m))``).
    executor : concurrent.futures.Executor, optional
        Runs the points as ``chunks`` parallel batches (a process pool, a Dask client's
        executor); the result is the same as the serial run's.
    backend : {"numpy", "jax"}, optional
        ``"numpy"`` (the default, ``config.defaults["engine.backend"]``) or ``"jax"``: the same
        update maps compiled with ``jax.jit`` and run by ``lax.scan`` in segments of steps
        (:mod:`stability.jaxengine`; JAX is optional, ``pip install 'stability[jax]'``). Same
        iterates up to rounding, same stop reasons; quadratic and formula games.
    xp : array namespace, optional
        Run the batch in this namespace (``cupy``: on the GPU; ``array_api_strict``): the same
        update maps over the game's oracle there (:mod:`stability.deviceengine`; a quadratic
        game's blocks are copied there once, formula games compile for CuPy). State and stop
        tests stay on the device; recorded steps and the final states come back to the
        host as the Trajectory's numpy arrays (``record="final"``: only the final states).

    The recorded part is ``R · B · (n + m)`` numbers (R recorded steps), at most
    ``config.defaults["linalg.max_array_bytes"]`` bytes. Ctrl-C stops the run cleanly; the result
    holds the iterates computed so far (reason ``interrupted``).
    """
    try:
        algorithm = as_algorithm(algorithm, **hp)
    except UnknownNameError as exc:  # a misspelt argument of run() lands in hp: say so
        own = ["steps", "tol", "target", "divergence", "max_time", "record", "executor", "chunks", "backend", "xp"]
        for key in hp:
            close = difflib.get_close_matches(key, own, n=1)
            if close:
                raise ArgumentError(f"run() has no argument {key!r}; did you mean {close[0]!r}? "
                                    f"({exc})") from None
        raise
    if not isinstance(game, Game):
        raise InputError(f"game must be a stability Game, got {type(game).__name__}")
    algorithm.require_applicable(game, exact=False)
    z0 = np.atleast_2d(as_finite_array(z0, "z0"))
    game.split(z0)
    steps = count(steps, "steps", 0)
    tol = real_number(tol, "tol", 0.0)
    divergence = real_number(divergence, "divergence", 0.0, inclusive=False)
    target = None if target is None else as_finite_array(target, "target", ndim=1)
    if target is not None and target.shape != (game.n + game.m,):
        raise InputError(f"target must have n + m = {game.n + game.m} entries, got {target.shape}")
    max_time = None if max_time is None else real_number(max_time, "max_time", 0.0)
    every = _record_every(record, steps)
    backend = defaults["engine.backend"] if backend is None else backend
    if backend not in ("numpy", "jax"):
        raise InputError(f"backend must be 'numpy' or 'jax', got {short(backend)}")
    if xp is not None:
        check_namespace(xp)
        if backend == "jax":
            raise InputError("backend='jax' and xp= both choose where the run happens; give one")
        if executor is not None:
            raise InputError("xp= runs the batch on one device; an executor splits it over processes "
                             "(give one of them)")
    N, B = game.n + game.m, z0.shape[0]
    rows = 1 if every is None else steps // every + 2  # the last step too (sized before allocating)
    size = (rows * (N + 2) + algorithm.copies * N + N + 3) * B * 8
    if size > defaults["linalg.max_array_bytes"]:
        raise InputError(f"storing {short(rows)} recorded steps of {B} points of size {N} needs "
                         f"{gib(int(size))} (limit config.defaults['linalg.max_array_bytes'] = "
                         f"{defaults['linalg.max_array_bytes'] / 2**30:.3g} GiB); record fewer steps "
                         "(record='final' or record=k) or use fewer points")
    if check_executor(executor) is not None:
        parts = np.array_split(z0, min(count(chunks, "chunks", 1, high=10 ** 6), B))
        futures = [executor.submit(run, algorithm, game, part, steps, tol, target, divergence, max_time, record,
                                   backend=backend) for part in parts]
        return _merge([f.result() for f in futures])
    recorded = None if every is None else np.unique(np.append(np.arange(0, steps + 1, every), steps))
    if xp is not None:
        from .deviceengine import run_in_namespace
        return Trajectory(*run_in_namespace(algorithm, game, z0, steps, tol, target, divergence, max_time, recorded,
                                            xp))
    if backend == "jax":
        from .jaxengine import run_jax
        return Trajectory(*run_jax(algorithm, game, z0, steps, tol, target, divergence, max_time, recorded))
    return _Run(algorithm, game, z0, steps, tol, target, divergence, max_time, recorded).go()


class _Run:
    """The state of one batched run: the current state of every point, the recorded rows, and
    each point's stop reason."""

    def __init__(self, algorithm, game, z0, steps, tol, target, divergence, max_time, recorded):
        self.game, self.steps, self.tol = game, steps, tol
        self.target, self.divergence, self.max_time, self.recorded = target, divergence, max_time, recorded
        N, B = game.n + game.m, z0.shape[0]
        self.N = N
        rows = 1 if recorded is None else len(recorded)
        self.slot = {} if recorded is None else {int(t): i for i, t in enumerate(recorded)}
        self.iterates = np.full((rows, B, N), np.nan)
        self.grad_norm = np.full((rows, B), np.nan)
        self.distance = np.full((rows, B), np.nan)
        self.final = np.array(z0, dtype=float)
        self.stop = np.full(B, MAX_STEPS, dtype=object)
        self.stop_step = np.full(B, steps)
        self.active = np.ones(B, dtype=bool)
        self.state = algorithm.init_state(game, z0)
        # the package's maps are validated once (step() checks its input every call): the engine's
        # active rows are finite by construction; a user's map keeps step()'s own checks
        own = type(algorithm).__module__.startswith("stability.") and type(algorithm).step is Algorithm.step
        self.advance = (lambda s: game.ops.hstack(algorithm.update(game, algorithm.split_state(game, s)))) \
            if own else (lambda s: algorithm.step(game, s))

    def measure(self, t, idx):
        """Gradient norm and distance of the rows ``idx`` at step ``t``; stop the points that
        converged or diverged, and record what ``record`` asks for."""
        everyone = idx.size == self.state.shape[0]
        z = self.state[:, :self.N] if everyone else self.state[idx, :self.N]
        g, d = self._norms(z)
        measure = d if self.target is not None else g
        bad = ~(np.isfinite(g) & self._within(z))
        done = ~bad & (measure <= self.tol)
        stopped = bad | done
        if stopped.any():  # the last state of the points that stop now
            for mask, reason in ((bad, DIVERGED), (done, CONVERGED)):
                hit = idx[mask]
                self.stop[hit], self.stop_step[hit], self.active[hit] = reason, t, False
            self._keep_final(idx[stopped], z[stopped], g[stopped], d[stopped])
        row = self.slot.get(t)
        if row is not None:
            self.iterates[row, idx], self.grad_norm[row, idx], self.distance[row, idx] = z, g, d

    def _within(self, z):
        """``max |zᵢ| ≤ divergence`` per row. The max over a short row is a slow numpy
        reduction (43 % of a run on g1), so rows are first screened by ‖z‖₂ ≤ divergence,
        one ``einsum`` that implies it; only the rest (overflowing or NaN rows too) are
        checked entry by entry."""
        limit = self.divergence ** 2 if self.divergence < 1e150 else np.inf  # (a square that overflows screens nothing)
        with np.errstate(over="ignore", invalid="ignore"):
            inside = np.einsum("ij,ij->i", z, z) < limit
        rest = np.flatnonzero(~inside)
        if rest.size:
            inside[rest] = np.abs(z[rest]).max(axis=-1) <= self.divergence
        return inside

    def _norms(self, z):
        game = self.game
        with np.errstate(all="ignore"):
            G = _rows(lambda s: np.concatenate(game.grad(s[:, :game.n], s[:, game.n:]), axis=-1), z, self.N)
            g = _row_norms(G)
        d = _row_norms(z - self.target) if self.target is not None else np.full(len(z), np.nan)
        return g, d

    def _keep_final(self, idx, z, g, d):
        self.final[idx] = z
        if self.recorded is None:  # record="final": its one row is each point's last state
            self.iterates[0, idx], self.grad_norm[0, idx], self.distance[0, idx] = z, g, d

    def go(self):
        started, t = time.monotonic(), 0
        B = self.state.shape[0]
        try:
            self.measure(0, np.arange(B))
            for t in range(1, self.steps + 1):
                idx = np.flatnonzero(self.active)
                if idx.size == 0:
                    break
                if self.max_time is not None and time.monotonic() - started > self.max_time:
                    self.stop[idx], self.stop_step[idx], self.active[idx] = TIME_LIMIT, t - 1, False
                    break
                with np.errstate(all="ignore"):
                    # active rows are finite: measure() froze the rest
                    if idx.size == B:
                        self.state = _rows(self.advance, self.state, self.state.shape[1])
                    else:
                        self.state[idx] = _rows(self.advance, self.state[idx], self.state.shape[1])
                self.measure(t, idx)
        except KeyboardInterrupt:
            idx = np.flatnonzero(self.active)
            self.stop[idx], self.stop_step[idx] = INTERRUPTED, max(t - 1, 0)
        # the points still running (max_steps, time_limit, interrupted): where they are now
        left = np.flatnonzero(np.isin(self.stop, (MAX_STEPS, TIME_LIMIT, INTERRUPTED)))
        if left.size:
            z = self.state[left, :self.N]
            if self.recorded is None:
                self._keep_final(left, z, *self._norms(z))
            else:
                self.final[left] = z
        return Trajectory(self.iterates, self.grad_norm, self.distance, self.stop, self.stop_step,
                          self.recorded, self.final)


def _row_norms(A):
    """Euclidean norms of the rows (``einsum``: one pass, no temporary of squares)."""
    return np.sqrt(np.einsum("ij,ij->i", A, A))


def _merge(parts):
    """One :class:`Trajectory` from runs of consecutive batches of points."""
    cat = lambda name, axis: np.concatenate([getattr(p, name) for p in parts], axis=axis)
    return Trajectory(cat("iterates", 1), cat("grad_norm", 1), cat("distance", 1), cat("stop", 0),
                      cat("stop_step", 0), parts[0].recorded_steps, cat("final", 0))


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
