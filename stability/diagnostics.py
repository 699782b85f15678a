"""Two-time-scale analysis and rotation diagnostics."""

from dataclasses import dataclass

import numpy as np
import scipy.linalg as sla

from . import algorithms as _algorithms
from .algorithms.base import JacobianContext
from .errors import DenseTooLargeError, InputError, StabilityError, checked_call
from .games.base import require_zero_sum
from .spectral.tables import applicable, check_table_hyperparameters, table_names
from .config import defaults
from .linalg import as_finite_array



@dataclass
class CriticalRatio:
    """``tau``: two-time-scale GDA (``ηy = τ ηx``) is stable for all small enough step sizes
    iff ``τ > tau`` (``inf``: for no τ). ``candidates``: all τ > 0 where an eigenvalue of
    ``diag(I, τI)V`` can reach the imaginary axis."""

    tau: float
    candidates: np.ndarray


def _first_order_stable(ctx, tau):
    lam = np.linalg.eigvals(ctx.DV(1.0, tau))
    return bool(np.all(lam.real > 0))


@checked_call
def critical_ratio(game, point):
    """The exact critical time-scale ratio τ* of GDA (Fiez & Ratliff 2021).

    With ``J(τ) = diag(I, τI)V = J₀ + τJ₁``, an eigenvalue crosses the imaginary axis only
    where ``det J(τ) = 0`` or two eigenvalues sum to zero, i.e. ``det(J(τ) ⊕ J(τ)) = 0``;
    both are generalized eigenvalue problems in τ (``J ⊕ J`` is affine in τ). Stability is
    constant between consecutive candidates, so checking one τ in each gap gives τ* exactly
    — no grid search.
    """
    require_zero_sum(game, "critical_ratio (two-time-scale GDA on f)")
    ctx = JacobianContext(game, point)
    if ctx.N > defaults['diagnostics.max_kronecker']:
        raise DenseTooLargeError(f"the Kronecker-sum pencil has size (n+m)² = {ctx.N ** 2}; "
                                 f"critical_ratio supports n + m <= {defaults['diagnostics.max_kronecker']}")
    J0 = np.zeros((ctx.N, ctx.N)); J0[:ctx.n] = ctx.V[:ctx.n]
    J1 = np.zeros((ctx.N, ctx.N)); J1[ctx.n:] = ctx.V[ctx.n:]
    I = np.eye(ctx.N)
    ksum = lambda M: np.kron(M, I) + np.kron(I, M)
    cands = np.concatenate([sla.eigvals(ksum(J0), -ksum(J1)), sla.eigvals(J0, -J1)])
    cands = cands[np.isfinite(cands)]
    real = np.abs(cands.imag) <= 1e-9 * np.maximum(1, np.abs(cands))
    cands = np.unique(np.round(cands.real[real], 12))
    cands = cands[cands > 0]
    edges = np.concatenate([[0.0], cands, [np.inf]])
    probe = lambda a, b: 2 * a + 1 if np.isinf(b) else (a + b) / 2
    stable = [_first_order_stable(ctx, probe(a, b)) for a, b in zip(edges[:-1], edges[1:])]
    if not stable[-1]:
        return CriticalRatio(np.inf, cands)
    k = len(stable) - 1
    while k > 0 and stable[k - 1]:
        k -= 1
    return CriticalRatio(float(edges[k]), cands)


@checked_call
def rotation(game, point, names=None, **hp):
    """Largest ``|Im λ / Re λ|`` of the game Jacobian V and of each update map's effective
    field ``I − J`` (``inf`` for a purely imaginary eigenvalue). Parts below ``1e-12·max|λ|``
    count as zero."""
    names = table_names(names)
    check_table_hyperparameters(names, hp)  # a keyword no algorithm has raises
    require_zero_sum(game, "rotation (the game Jacobian V of f)")
    ctx = JacobianContext(game, point)
    out = {"game": _max_ratio(np.linalg.eigvals(ctx.V))}
    for name in names:
        alg = _algorithms.get(name, **applicable(name, hp))
        try:
            out[name] = _max_ratio(1 - alg.spectrum(game, point))
        except StabilityError as exc:  # as in table(): a map undefined here (FR with singular Hyy)
            out[name] = f"{type(exc).__name__}: {exc}"
    return out


def _max_ratio(lam):
    lam = np.asarray(lam, dtype=complex)
    tiny = 1e-12 * max(1.0, np.abs(lam).max(initial=0.0))
    re = np.where(np.abs(lam.real) <= tiny, 0.0, np.abs(lam.real))  # round-off is not rotation
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(np.abs(lam.imag) <= tiny, 0.0, np.abs(lam.imag) / re)
    return float(ratio.max(initial=0.0))


@checked_call
def path_angle(game, z, z_star, alphas=np.linspace(0.6, 1.2, 121), algorithm=None):
    """Path-angle of Berard et al. (FR §6.2.1): ``cos θ(α) = ⟨z* − z, v_α⟩ / (‖z* − z‖‖v_α‖)``
    with ``v_α`` the field at ``αz + (1 − α)z*`` — the game field v, or, given an algorithm,
    its update direction ``z − step(z)``. Returns ``(alphas, cos θ, ‖v_α‖)``."""
    if algorithm is None:
        require_zero_sum(game, "path_angle of the game field v (f alone)")
    z, z_star = as_finite_array(z, "z", ndim=1), as_finite_array(z_star, "z_star", ndim=1)
    game.split(z), game.split(z_star)  # both of length n + m
    if algorithm is not None and not isinstance(algorithm, _algorithms.Algorithm):
        algorithm = _algorithms.get(algorithm) if isinstance(algorithm, str) else None
        if algorithm is None:
            raise InputError("algorithm must be a registry name or an Algorithm")
    if np.allclose(z, z_star):
        raise InputError("z and z_star coincide: the path is empty")
    alphas = as_finite_array(alphas, "alphas", ndim=1)
    pts = alphas[:, None] * z + (1 - alphas[:, None]) * z_star
    if algorithm is None:
        gx, gy = game.grad(*game.split(pts))
        v = np.concatenate([gx, -gy], axis=-1)
    else:
        if algorithm.copies != 1:
            raise InputError(f"path_angle needs a memoryless map; {algorithm.name} has memory")
        v = pts - algorithm.step(game, pts)
    d = z_star - z
    norm = np.linalg.norm(v, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = v @ d / (np.linalg.norm(d) * norm)
    return alphas, cos, norm
