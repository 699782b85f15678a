"""Linearisations of an update map computed from the map itself — central differences of
:meth:`~stability.algorithms.Algorithm.step` (the whole Jacobian, or one direction at a time)
and sympy's derivative of :meth:`~stability.algorithms.Algorithm.update` run on the symbolic
view of the game: the independent checks of every closed form (docs/MATHEMATICS.md §3)."""


import numpy as np
import sympy as sp

from ..equilibria import require_critical
from ..errors import NotCriticalError, NotSupportedError
from ..games.base import check_game
from ..linalg import as_finite_array, real_number
from .context import sympy_point


def fd_jacobian(alg, game, point, h, allow_noncritical):
    """Central differences of ``alg.step`` at the fixed-point state of ``point``, all ``2K``
    perturbed states in one batched step."""
    check_game(game)
    point = as_finite_array(getattr(point, "point", point), "point", ndim=1)
    game.split(point)  # the right length
    require_critical(game, point, allow_noncritical=allow_noncritical)
    h = real_number(h, "h", 0.0)
    state = alg.fixed_point_state(game, point)
    K = state.shape[-1]
    steps = h * np.maximum(1.0, np.abs(state))
    E = np.diag(steps)
    out = alg.step(game, np.concatenate([state + E, state - E]))
    return ((out[:K] - out[K:]) / (2 * steps[:, None])).T


def fd_jvp(alg, blocks):
    """``v ↦ J v`` by a central difference of ``alg.step`` along ``v`` (step scaled to ``v``)."""
    game = blocks.game
    state = alg.fixed_point_state(game, blocks.point)
    scale = 1e-5 * max(1.0, np.abs(state).max())  # step of the central difference: O(h²) error

    def apply(v):
        h = scale / max(np.abs(v).max(), np.finfo(float).tiny)
        out = alg.step(game, np.stack([state + h * v, state - h * v]))
        return (out[0] - out[1]) / (2 * h)
    return apply


def symbolic_jacobian(alg, game, point, allow_noncritical):
    """The Jacobian by sympy differentiation of ``alg.update`` on the symbolic view, with the
    hyperparameters read as the exact decimals they print as."""
    if not alg.stationary:
        raise NotSupportedError(f"{alg.name} has no stationary update map, hence no fixed-point Jacobian")
    alg._require_kind(game)
    sg = check_game(game).symbolic()
    values = sympy_point(point, game.n + game.m)
    if not allow_noncritical:
        if all(v.is_number for v in values) and not getattr(game, "params", None):
            require_critical(game, [float(v) for v in values])
        else:  # symbolic parameters or coordinates: the gradient must vanish identically
            if not game.has_expressions:
                raise NotSupportedError("symbolic points need a formula game")
            at = dict(zip(game.xs + game.ys, values))
            residual = [sp.simplify(e.xreplace(at)) for e in game.stationarity_exprs()]
            if any(r != 0 for r in residual):
                raise NotCriticalError(f"the gradient at {values} is {residual}, not identically 0; "
                                       "pass allow_noncritical=True to differentiate the map there")
    exact = alg.exact_copy({k: (sp.Rational(repr(v)) if isinstance(v, float) else  # floats: the decimals they print as
                                sp.Rational(repr(v.real)) + sp.I * sp.Rational(repr(v.imag)) if isinstance(v, complex)
                                else v) for k, v in alg.hp.items()})
    K = alg.state_size(game)
    syms = [sp.Dummy(f"s{i}", real=True) for i in range(K)]  # cannot clash with user names
    row = sp.Matrix([list(syms)])
    state = exact.symbolic_fixed_state(values)
    return exact.symbolic_update_jacobian(sg, row, syms, dict(zip(syms, state)))
