"""The iteration engine in an array namespace: the batch runs where its arrays live (CuPy on
a GPU; ``array_api_strict`` in the tests).

The same update maps as the numpy engine, over the game's oracle in that namespace
(:class:`stability.games.namespace.NamespaceGame`: a quadratic game's blocks are copied there
once; formula games are compiled by ``sympy.lambdify`` for CuPy). The state, the stop tests
and each point's stop reason stay on the device; what crosses to the host is one boolean per
step (whether any point still runs), and the :class:`~stability.engine.Trajectory`'s numpy
arrays: each recorded step's rows (``record="all"`` or ``k``) and, at the end, the final
states. With ``record="final"`` only the final states come back. The numpy engine stays the
default and the reference; this one is tested against it (same stop reasons and steps,
iterates equal to rounding).
"""

import time

import numpy as np

from .backend import namespace_name, to_numpy
from .errors import NotSupportedError
from .games.namespace import NamespaceGame

CODES = ("max_steps", "converged", "diverged", "time_limit", "interrupted")


def run_in_namespace(algorithm, game, z0, steps, tol, target, divergence, max_time, recorded, xp):
    """The numpy engine's loop with every array in ``xp`` (arguments validated by
    :func:`stability.engine.run`); returns the fields of its Trajectory."""
    view = NamespaceGame(game, xp)
    xp = view.xp  # the standard namespace (array-api-compat's for CuPy)
    B, N = z0.shape[0], game.n + game.m
    asarray = view.asarray
    advance, measure = loop_functions(algorithm, view, None if target is None else asarray(target), tol,
                                      divergence)

    state = asarray(algorithm.init_state(game, z0))
    _check_expressible(algorithm, advance, state, namespace_name(xp))
    rows = 1 if recorded is None else len(recorded)
    slot = {} if recorded is None else {int(t): i for i, t in enumerate(recorded)}
    iterates = np.full((rows, B, N), np.nan)
    grad_norm, distance = np.full((rows, B), np.nan), np.full((rows, B), np.nan)
    g, d, bad, done = measure(state[:, :N])
    codes = {c: xp.full(B, i, dtype=xp.int64, device=view.device) for i, c in enumerate(CODES)}
    code = xp.where(bad, codes["diverged"], xp.where(done, codes["converged"], codes["max_steps"]))
    active = ~(bad | done)
    stop_step = xp.zeros(B, dtype=xp.int64, device=view.device)
    if 0 in slot:
        _record(iterates, grad_norm, distance, slot[0], state[:, :N], g, d, None)
    started, t, interrupted = time.monotonic(), 0, False
    try:
        with np.errstate(all="ignore"):  # frozen rows may overflow when advanced; where() drops them
            while t < steps and bool(xp.any(active)):
                if max_time is not None and time.monotonic() - started > max_time:
                    break
                step = t + 1
                new = xp.where(active[:, None], advance(state), state)
                g, d, bad, done = measure(new[:, :N])
                stopping = active & (bad | done)
                new_code = xp.where(active & bad, codes["diverged"], xp.where(active & done, codes["converged"], code))
                new_stop = xp.where(stopping, xp.full(B, step, dtype=xp.int64, device=view.device), stop_step)
                if step in slot:
                    _record(iterates, grad_norm, distance, slot[step], new[:, :N], g, d, active)
                # the step is complete only now (Ctrl-C before this line leaves the last one)
                state, code, stop_step, active, t = new, new_code, new_stop, active & ~stopping, step
    except KeyboardInterrupt:
        interrupted = True
    code, stop_step, active = (np.array(to_numpy(a)) for a in (code, stop_step, active))
    if active.any():  # still running: max_steps, or stopped by the clock or Ctrl-C
        left = np.flatnonzero(active)
        code[left] = 4 if interrupted else (3 if t < steps else 0)
        stop_step[left] = t if t < steps else steps
    final = np.array(to_numpy(state[:, :N]))
    if recorded is None:
        g, d, _, _ = measure(state[:, :N])
        _record(iterates, grad_norm, distance, 0, state[:, :N], g, d, None)
    stop = np.array([CODES[c] for c in code], dtype=object)
    return iterates, grad_norm, distance, stop, stop_step, recorded, final


def loop_functions(algorithm, view, target, tol, divergence):
    """The two functions of an engine's step over a :class:`NamespaceGame` ``view``:
    ``advance(state)`` (the update map on every row) and ``measure(z)`` (gradient norm,
    distance to ``target``, and which rows diverged or converged) — shared by this engine and
    the JAX one, which compiles them."""
    xp, n = view.xp, view.n

    def advance(state):
        return view.ops.hstack(algorithm.update(view, algorithm.split_state(view, state)))

    def measure(z):
        gx, gy = view.grad(z[:, :n], z[:, n:])
        G = xp.concat([gx, gy], axis=-1)
        g = xp.sqrt(xp.sum(G * G, axis=-1))
        d = xp.full(g.shape, xp.nan, dtype=xp.float64) if target is None else \
            xp.sqrt(xp.sum((z - target) ** 2, axis=-1))
        crit = g if target is None else d
        bad = ~(xp.isfinite(g) & (xp.max(xp.abs(z), axis=-1) <= divergence))
        return g, d, bad, ~bad & (crit <= tol)
    return advance, measure


def _record(iterates, grad_norm, distance, row, z, g, d, running):
    """One recorded step copied to the host; rows not running at that step stay NaN."""
    z, g, d = (np.asarray(to_numpy(a)) for a in (z, g, d))
    if running is None:
        iterates[row], grad_norm[row], distance[row] = z, g, d
        return
    keep = np.asarray(to_numpy(running))
    iterates[row, keep], grad_norm[row, keep], distance[row, keep] = z[keep], g[keep], d[keep]


def _check_expressible(algorithm, advance, state, xp_name):
    """Run the update map once on the initial states, so a map the namespace cannot express
    fails here, typed."""
    try:
        with np.errstate(all="ignore"):
            advance(state)
    except NotSupportedError:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure here means "not expressible in the namespace"
        message = str(exc).splitlines()[0][:200] if str(exc) else ""
        raise NotSupportedError(f"{algorithm.name}'s update map cannot run in {xp_name} "
                                f"({type(exc).__name__}: {message}); use the numpy engine") from None
