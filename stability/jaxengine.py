"""The iteration engine on JAX: the same update maps, compiled with ``jax.jit``.

The update maps of :mod:`stability.algorithms` are written once over a block algebra
(:mod:`stability.backend`) and a game oracle; here the oracle and the algebra are those of
:mod:`stability.games.namespace` in ``jax.numpy``,
and ``lax.scan`` runs the batched loop, so a run is one compiled program per segment of steps
instead of a Python loop of numpy calls. JAX is optional (``pip install 'stability[jax]'``);
the numpy engine (:func:`stability.engine.run`) stays the default and the reference, and this
one is tested against it (same iterates to rounding, same stop reasons and steps).

Supported: quadratic games with dense (or ``scipy.sparse``, densified) blocks and formula games
(their sympy gradient and Hessian compiled with ``sympy.lambdify(..., modules="jax")``), with
every package algorithm whose update map is an array expression (not implicit extragradient,
whose Newton loop stops on data, and not the general-sum maps). Everything runs in float64
(``jax.enable_x64`` for the duration of the run only)."""

import time
import weakref
from collections import OrderedDict

import numpy as np

from .algorithms.params import hyperparameter_key
from .errors import NotSupportedError
from .deviceengine import loop_functions
from .games.namespace import NamespaceGame

CODES = ("max_steps", "converged", "diverged", "time_limit", "interrupted")
SEGMENT_STEPS = 256
"""Steps per compiled segment: the host checks ``max_time``, Ctrl-C and whether any point is
still running between segments."""


def jax_modules():
    """``(jax, jax.numpy)``, or a :class:`NotSupportedError` that says what to install."""
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        raise NotSupportedError("run(..., backend='jax') needs JAX, an optional dependency: "
                                "pip install 'stability[jax]' (or jax)") from None
    return jax, jnp


_COMPILED = OrderedDict()
"""The last few compiled runs, keyed by game (identity), algorithm (its class and every
hyperparameter value, arrays byte for byte), batch size and stopping rule: a run that repeats one with other initial
points reuses its compiled program instead of tracing and compiling again (~1 s)."""
CACHE_SIZE = 8


def run_jax(algorithm, game, z0, steps, tol, target, divergence, max_time, recorded):
    """The JAX counterpart of the numpy engine's loop (arguments already validated by
    :func:`stability.engine.run`); returns the fields of its
    :class:`~stability.engine.Trajectory`, which the engine builds from them."""
    jax, jnp = jax_modules()
    key = (id(game), hyperparameter_key(algorithm), z0.shape[0], steps, tol, divergence,
           None if target is None else target.tobytes())
    with jax.enable_x64(True):
        entry = _COMPILED.get(key)
        if entry is None or entry[0]() is not game:
            entry = (weakref.ref(game), _Compiled(jax, jnp, algorithm, game, z0.shape[0], steps, tol,
                                                  target, divergence))
            _COMPILED[key] = entry
            while len(_COMPILED) > CACHE_SIZE:
                _COMPILED.popitem(last=False)
        _COMPILED.move_to_end(key)
        return entry[1].go(z0, steps, max_time, recorded)


class _Compiled:
    def __init__(self, jax, jnp, algorithm, game, B, steps, tol, target, divergence):
        self.jax, self.jnp, self.game, self.algorithm = jax, jnp, game, algorithm
        self.view = NamespaceGame(game, jnp)
        self.N, self.B = game.n + game.m, B
        N, lax = self.N, jax.lax
        advance, measure = loop_functions(algorithm, self.view, None if target is None else jnp.asarray(target),
                                          tol, divergence)

        def one_step(carry, _):
            state, active, code, stop_step, t = carry
            t = t + 1
            running = active & (t <= steps)
            state = jnp.where(running[:, None], advance(state), state)
            z = state[:, :N]
            g, d, bad, done = measure(z)
            stopping = running & (bad | done)
            code = jnp.where(running & bad, 2, jnp.where(running & done, 1, code))
            stop_step = jnp.where(stopping, t, stop_step)
            active = active & ~stopping
            nan = jnp.nan
            row = (jnp.where(running[:, None], z, nan), jnp.where(running, g, nan), jnp.where(running, d, nan))
            return (state, active, code, stop_step, t), row

        self.measure = jax.jit(measure)
        self.one_step = one_step
        self.lax = lax
        self._segments = {}
        self._trace_check(advance)

    def _trace_check(self, advance):
        """Trace the update map once, so a map that JAX cannot express fails here, typed."""
        K = self.N * self.algorithm.copies
        try:
            self.jax.eval_shape(advance, self.jax.ShapeDtypeStruct((self.B, K), self.jnp.float64))
        except NotSupportedError:
            raise
        except Exception as exc:  # noqa: BLE001 - any tracing failure means "not expressible"
            raise NotSupportedError(f"{self.algorithm.name}'s update map cannot run on the JAX engine "
                                    f"({type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}); "
                                    "use backend='numpy'") from None

    def segment(self, length, keep):
        """A compiled run of ``length`` steps returning every step's (z, g, d) when ``keep``."""
        key = (length, keep)
        if key not in self._segments:
            lax, one_step = self.lax, self.one_step

            def run(carry):
                if keep:
                    return lax.scan(one_step, carry, None, length=length)
                return lax.scan(lambda c, _: (one_step(c, None)[0], None), carry, None, length=length)
            self._segments[key] = self.jax.jit(run)
        return self._segments[key]

    def go(self, z0, steps, max_time, recorded):
        jnp, B, N = self.jnp, self.B, self.N
        self.state0 = jnp.asarray(self.algorithm.init_state(self.game, z0))
        rows = 1 if recorded is None else len(recorded)
        slot = {} if recorded is None else {int(t): i for i, t in enumerate(recorded)}
        iterates = np.full((rows, B, N), np.nan)
        grad_norm, distance = np.full((rows, B), np.nan), np.full((rows, B), np.nan)
        g0, d0, bad0, done0 = (np.asarray(a) for a in self.measure(self.state0[:, :N]))
        code = np.where(bad0, 2, np.where(done0, 1, 0))
        active = ~(bad0 | done0)
        if 0 in slot:
            iterates[slot[0]], grad_norm[slot[0]], distance[slot[0]] = np.asarray(self.state0[:, :N]), g0, d0
        carry = (self.state0, jnp.asarray(active), jnp.asarray(code), jnp.zeros(B, dtype=int), jnp.asarray(0))
        started, t, interrupted = time.monotonic(), 0, False
        keep = recorded is not None
        try:
            while t < steps and bool(np.any(np.asarray(carry[1]))):
                if max_time is not None and time.monotonic() - started > max_time:
                    break
                length = min(SEGMENT_STEPS, steps)
                carry, out = self.segment(length, keep)(carry)
                if keep:
                    z, g, d = (np.asarray(a) for a in out)
                    for i in range(length):
                        row = slot.get(t + 1 + i)
                        if row is not None:
                            iterates[row], grad_norm[row], distance[row] = z[i], g[i], d[i]
                t = min(t + length, steps)
        except KeyboardInterrupt:
            interrupted = True
        state, active, code, stop_step = (np.asarray(a) for a in carry[:4])
        code, stop_step = code.copy(), stop_step.copy()
        if active.any():  # still running: max_steps, or stopped by the clock or Ctrl-C
            left = np.flatnonzero(active)
            code[left] = 4 if interrupted else (3 if t < steps else 0)
            stop_step[left] = t if t < steps else steps
        final = state[:, :N].copy()
        if recorded is None:
            g, d, _, _ = (np.asarray(a) for a in self.measure(jnp.asarray(final)))
            iterates[0], grad_norm[0], distance[0] = final, g, d
        stop = np.array([CODES[c] for c in code], dtype=object)
        return iterates, grad_norm, distance, stop, stop_step, recorded, final
