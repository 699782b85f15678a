"""The games of the source papers, by name (``stability.games.get(name, **params)``)."""

from dataclasses import dataclass
from typing import Callable

import numpy as np
import sympy as sp

from ..errors import InputError, unknown_name
from ..linalg import as_finite_array, count
from .base import Game


@dataclass(frozen=True)
class Entry:
    name: str
    build: Callable
    source: str
    description: str


_ENTRIES = {}


def _entry(name, source, description):
    def register(build):
        _ENTRIES[name] = Entry(name, build, source, description)
        return build
    return register


def names():
    """Names of the catalogue's games."""
    return sorted(_ENTRIES)


def describe(name):
    """The catalogue entry (builder, source, description) of ``name``."""
    if not isinstance(name, str):
        raise InputError(f"a game name must be a string, got {type(name).__name__}")
    if name not in _ENTRIES:
        raise unknown_name("game", name, _ENTRIES)
    return _ENTRIES[name]


def get(name, **params):
    """Build the catalogue game ``name`` with the given parameters."""
    entry = describe(name)
    try:
        return entry.build(**params)
    except (TypeError, ValueError) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(f"bad parameters for game {name!r}: {str(exc)[:200]}") from None


def _size(value, name, high):
    """A dimension parameter: an integer in [1, high] (checked before anything is allocated)."""
    return count(value, name, 1, high)


G1 = "-3*x**2 - y**2 + 4*x*y"
G2 = "3*x**2 + y**2 + 4*x*y"
G3 = "(4*x**2 - (y - 3*x + 0.05*x**3)**2 - 0.1*y**4) * exp(-0.01*(x**2 + y**2))"


@_entry("g1", "FR §3 and Fig. 3; HessianFR Fig. 1", f"f = {G1}: strict local minimax at 0, not local Nash")
def g1():
    return Game.from_expr(G1, "x", "y")


@_entry("g2", "FR §3 and Fig. 3; HessianFR Fig. 1", f"f = {G2}: 0 is not local minimax (y at a local minimum)")
def g2():
    return Game.from_expr(G2, "x", "y")


@_entry("g3", "FR Fig. 3; HessianFR Fig. 1 (Wang et al. 2020, eq. 9)", f"f = {G3}: several critical points")
def g3():
    return Game.from_expr(G3, "x", "y")


@_entry("fr-e2", "FR App. E.2 (Fig. 10)",
        "f = −0.45x1² − 0.5x2² − 0.5y1² − 0.05y2² + x1y2 + x2y2 as transcribed from the paper's appendix; the paper "
        "calls 0 a local minimax, but S = [[9.1, 10], [10, 9]] has eigenvalue −0.95 "
        "(docs/THEOREMS.md)")
def fr_e2():
    return Game.from_expr("-0.45*x1**2 - 0.5*x2**2 - 0.5*y1**2 - 0.05*y2**2 + x1*y2 + x2*y2",
                          "x1,x2", "y1,y2")


@_entry("fr-e2-diagonal", "FR App. E.2, a conjectured reading",
        "f = −0.45x1² − 0.5x2² − 0.5y1² − 0.05y2² + x1y1 + x2y2: the coupling x1y1 + x2y2 makes 0 "
        "a strict local minimax with S = diag(0.1, 9) (κ = 90) and GDA unstable at ratio 1, as the "
        "paper describes; the transcribed x1y2 + x2y2 (entry fr-e2) does not")
def fr_e2_diagonal():
    return Game.from_expr("-0.45*x1**2 - 0.5*x2**2 - 0.5*y1**2 - 0.05*y2**2 + x1*y1 + x2*y2",
                          "x1,x2", "y1,y2")


def _matrix(M, name):
    M = np.atleast_2d(as_finite_array(M, name))
    if M.ndim != 2:
        raise InputError(f"{name} must be a matrix, got shape {M.shape}")
    return M


@_entry("lead-quadratic", "LEAD eq. 13 (Thm 2, Prop. 3, Thm 3)",
        "f = h/2‖x‖² − h/2‖y‖² + xᵀAy; parameters h (default 1) and A (default the 2×2 identity)")
def lead_quadratic(h=1.0, A=None):
    A = np.eye(2) if A is None else _matrix(A, "A")
    n, m = A.shape
    return Game.quadratic(h * np.eye(n), A, -h * np.eye(m))


@_entry("lead-eq31", "LEAD eq. 31 and Fig. 3 (after Lorraine & Duvenaud 2022)",
        "f = xᵀ(γA)y + xᵀ((I−γ)B1)x − yᵀ((I−γ)B2)y with γ = diag(U[0, gamma_max]); "
        "A Gaussian/√d, B1 = M1M1ᵀ/d, B2 = M2M2ᵀ/d; parameters d (10), gamma_max (0.5), seed (0)")
def lead_eq31(d=10, gamma_max=0.5, seed=0, A=None, B1=None, B2=None):
    if not (0.0 <= gamma_max <= 1.0):
        raise InputError(f"gamma_max must lie in [0, 1], got {gamma_max}")
    d = _size(d, "d", 4000)
    rng = np.random.default_rng(seed)
    gamma = np.diag(rng.uniform(0.0, gamma_max, d))
    A = rng.standard_normal((d, d)) / np.sqrt(d) if A is None else _matrix(A, "A")
    psd = lambda: (lambda M: M @ M.T / d)(rng.standard_normal((d, d)))
    B1 = psd() if B1 is None else _matrix(B1, "B1")
    B2 = psd() if B2 is None else _matrix(B2, "B2")
    Q1, Q2 = (np.eye(d) - gamma) @ B1, (np.eye(d) - gamma) @ B2
    # xᵀQx has Hessian Q + Qᵀ
    return Game.quadratic(Q1 + Q1.T, gamma @ A, -(Q2 + Q2.T))


@_entry("bilinear", "Interaction Matters §3 and Fig. 1",
        "f = xᵀCy with C (p×q) i.i.d. U[0, 1]; parameters p (5), q (5), seed (0)")
def bilinear(p=5, q=5, seed=0, C=None):
    p, q = _size(p, "p", 4000), _size(q, "q", 4000)
    C = np.random.default_rng(seed).uniform(0.0, 1.0, (p, q)) if C is None else _matrix(C, "C")
    p, q = C.shape
    return Game.quadratic(np.zeros((p, p)), C, np.zeros((q, q)))


@_entry("dirac-gan", "Mescheder et al. 2018 (Dirac-GAN), the GAN example of Numerics of GANs",
        "f = −log(1 + exp(−θψ)) − log 2: generator θ minimises, discriminator ψ maximises")
def dirac_gan():
    return Game.from_expr("-log(1 + exp(-theta*psi)) - log(2)", "theta", "psi")


@_entry("covariance-wgan", "Interaction Matters §4.1, eq. 10",
        "U(V, w, v) = Σᵢ vᵢ(‖Aᵀwᵢ‖ − ‖Vᵀwᵢ‖)/√(2π): generator V (d×k) minimises, discriminator "
        "(wᵢ ∈ Rᵈ, vᵢ) maximises; parameters d (2), k (2), H (2), seed (0), A (Σ = AAᵀ)")
def covariance_wgan(d=2, k=2, H=2, seed=0, A=None):
    d, k, H = _size(d, "d", 6), _size(k, "k", 6), _size(H, "H", 6)  # a sympy game: small
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((d, d)) if A is None else _matrix(A, "A")
    V = sp.Matrix(d, k, lambda i, j: sp.Symbol(f"V{i + 1}_{j + 1}", real=True))
    W = [sp.Matrix(d, 1, lambda i, _, h=h: sp.Symbol(f"w{h + 1}_{i + 1}", real=True)) for h in range(H)]
    v = [sp.Symbol(f"v{h + 1}", real=True) for h in range(H)]
    As = sp.Matrix(A.tolist()).applyfunc(lambda a: sp.Float(a, 17))
    norm = lambda u: sp.sqrt((u.T * u)[0, 0])
    U = sum(v[h] * (norm(As.T * W[h]) - norm(V.T * W[h])) for h in range(H)) / sp.sqrt(2 * sp.pi)
    ys = [s for w in W for s in w] + v
    return Game.from_expr(U, list(V), ys)
