"""Block algebra shared by the numeric and the symbolic update maps.

Every update map is written once against a game *oracle* and one of these namespaces, so
the step the iteration engine runs (numpy, batched: rows are points) and the step sympy
differentiates for the symbolic Jacobian (sympy, one row) are the same code.
"""

import numpy as np
import sympy as sp

from .errors import InputError, NonFiniteError


class NumpyBlocks:
    """Batched numpy: vectors are ``(..., k)``, matrices ``(..., k, l)``."""

    name = "numpy"

    @staticmethod
    def mv(M, v):
        if M.shape[-2:] == (1, 1):  # scalar blocks (n = 1 or m = 1): a product, not a contraction
            return M[..., 0] * v
        return np.einsum("...ij,...j->...i", M, v)

    @staticmethod
    def solve(M, v):
        if M.shape[-2:] == (1, 1):  # a 1 × 1 system: a division (singular where the entry is 0)
            if not np.all(M):
                raise np.linalg.LinAlgError("Singular matrix")
            return v / M[..., 0]
        return np.linalg.solve(M, v[..., None])[..., 0]

    @staticmethod
    def eye(k):
        return np.eye(k)

    @staticmethod
    def mT(M):
        return np.swapaxes(M, -1, -2)

    @staticmethod
    def hstack(blocks):
        return np.concatenate(blocks, axis=-1)


class SympyBlocks:
    """sympy: vectors are ``1 × k`` row matrices, matrices are ``Matrix``."""

    name = "sympy"

    @staticmethod
    def mv(M, v):
        return (M * v.T).T

    @staticmethod
    def solve(M, v):
        return M.LUsolve(v.T).T

    @staticmethod
    def eye(k):
        return sp.eye(k)

    @staticmethod
    def mT(M):
        return M.T

    @staticmethod
    def hstack(blocks):
        return sp.Matrix.hstack(*blocks)


NUMPY = NumpyBlocks()
SYMPY = SympyBlocks()


# --- the dense spectral core over an array namespace (numpy, array_api_strict, CuPy) ---------
# Only array-API-standard calls are used here, so the same code runs on any conforming
# library. Non-symmetric eigenvalues are not guaranteed by the standard: ``general_eigenvalues``
# uses ``xp.linalg.eigvals`` when the library has it and otherwise computes on the host.

def namespace(*arrays):
    """The array namespace of ``arrays`` (numpy arrays get array-api-compat's numpy)."""
    from array_api_compat import array_namespace
    return array_namespace(*arrays)


def check_namespace(xp, name="xp"):
    """``xp`` if it is an array namespace module (numpy, CuPy, ``array_api_strict``, …), else an
    :class:`~stability.errors.InputError` naming it."""
    if not (hasattr(xp, "asarray") and hasattr(xp, "linalg")):
        raise InputError(f"{name} must be an array namespace module (numpy, cupy, array_api_strict), got {xp!r}")
    return xp


def standard_namespace(xp):
    """The array-API-standard namespace of a library module: array-api-compat's wrapper for
    numpy and CuPy (whose own modules differ from the standard: ``concatenate`` for
    ``concat``, no ``device=``), the module itself for ``array_api_strict`` and JAX."""
    return namespace(xp.asarray([0.0]))


def namespace_name(xp):
    """The library behind a namespace: ``cupy`` for ``cupy`` and ``array_api_compat.cupy``,
    ``jax`` for ``jax.numpy``."""
    parts = getattr(xp, "__name__", type(xp).__name__).split(".")
    return parts[1] if parts[0] == "array_api_compat" and len(parts) > 1 else parts[0]


def to_namespace(block, xp):
    """A numpy block as an array of ``xp`` (float64)."""
    return xp.asarray(np.ascontiguousarray(block, dtype=np.float64))


def to_numpy(array):
    """An array of any namespace as a numpy array (host copy for device arrays)."""
    if isinstance(array, np.ndarray):
        return array
    if hasattr(array, "get"):  # CuPy
        return array.get()
    return np.from_dlpack(array)


def symmetrize(M):
    xp = namespace(M)
    return (M + xp.matrix_transpose(M)) / 2


def schur_complement(A, B, C):
    """``A − B C⁻¹ Bᵀ``, symmetrised (symmetric in exact arithmetic)."""
    xp = namespace(A, B, C)
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is refused as non-finite by callers
        return symmetrize(A - B @ xp.linalg.solve(C, xp.matrix_transpose(B)))


def symmetric_eigenvalues(M):
    """Ascending real eigenvalues of a symmetric matrix (``eigvalsh``)."""
    xp = namespace(M)
    if not bool(xp.all(xp.isfinite(M))):
        raise NonFiniteError("a symmetric matrix whose eigenvalues are needed has non-finite entries")
    return xp.linalg.eigvalsh(symmetrize(M))


def congruent_eigenvalues(M, P=None):
    """Eigenvalues of ``P M`` for ``P ≻ 0``: those of ``Cᵀ M C`` with ``P = C Cᵀ`` (real)."""
    if P is None:
        return symmetric_eigenvalues(M)
    xp = namespace(M)
    C = xp.linalg.cholesky(to_namespace(P, xp) if isinstance(P, np.ndarray) else P)
    return symmetric_eigenvalues(xp.matrix_transpose(C) @ M @ C)


def general_eigenvalues(M):
    """Eigenvalues of a general square matrix, complex; on the device when the library
    provides ``linalg.eigvals`` (detected, not assumed), else on the host."""
    xp = namespace(M)
    if not bool(xp.all(xp.isfinite(M))):
        raise NonFiniteError("a matrix whose eigenvalues are needed has non-finite entries (the "
                             "hyperparameters make it overflow)")
    if getattr(getattr(xp, "linalg", None), "eigvals", None) is not None:
        try:
            return xp.linalg.eigvals(M)
        except (NotImplementedError, AttributeError, TypeError):
            pass
    return xp.asarray(np.linalg.eigvals(to_numpy(M)))


def game_jacobian(Hxx, Hxy, Hyy, ratio=1.0):
    """``diag(I, cI) V`` with ``V = [[Hxx, Hxy], [−Hyx, −Hyy]]``."""
    xp = namespace(Hxx, Hxy, Hyy)
    top = xp.concat([Hxx, Hxy], axis=1)
    bottom = ratio * xp.concat([-xp.matrix_transpose(Hxy), -Hyy], axis=1)
    return xp.concat([top, bottom], axis=0)


def concat(parts):
    """Concatenate 1-D arrays (any namespace) as complex128."""
    xp = namespace(*parts)
    return xp.concat([xp.astype(p, xp.complex128) for p in parts])


def quadratic_roots(b, c):
    """Both roots of ``μ² − bμ + c = 0`` for each entry of ``b`` (and ``c``), as one array.

    The larger root is taken with the sign that avoids cancellation and the other from
    Vieta (``μ₁μ₂ = c``), so small roots keep their relative accuracy."""
    xp = namespace(b)
    b = xp.astype(xp.reshape(b, (-1,)), xp.complex128)
    c = b * 0 + c
    disc = xp.sqrt(b * b - 4 * c)
    disc = xp.where(xp.real(xp.conj(b) * disc) < 0, -disc, disc)
    big = (b + disc) / 2
    safe = xp.where(big == 0, xp.ones_like(big), big)
    small = xp.where(big == 0, xp.zeros_like(big), c / safe)
    return xp.concat([big, small])


def cubic_roots(c2, c1, c0, polish=2):
    """The three roots of ``t³ + c2 t² + c1 t + c0 = 0`` for each entry of the coefficients,
    as one array (the first roots of every entry, then the second, then the third): Cardano's
    formula in complex arithmetic, the cube root taken from the larger of ``−q/2 ± √Δ`` to
    avoid cancellation, then ``polish`` Newton steps on the cubic itself. O(size) with no
    per-entry eigensolve; a simple root ends at a few ulps of its condition number, a double
    root at √ε relative (as for the eigenvalues of a matrix with a double eigenvalue)."""
    xp = namespace(c2)
    c2 = xp.astype(xp.reshape(c2, (-1,)), xp.complex128)
    c1, c0 = c2 * 0 + c1, c2 * 0 + c0
    shift = c2 / 3
    p = c1 - c2 * shift
    q = c0 - c1 * shift + 2 * shift * shift * shift
    root = xp.sqrt(q * q / 4 + p * p * p / 27)
    w = -q / 2 + xp.where(xp.real(xp.conj(q) * root) < 0, -root, root)  # the larger of −q/2 ± √Δ
    u = xp.pow(w, 1 / 3)
    zero = u == 0
    safe = xp.where(zero, xp.ones_like(u), u)
    omega = complex(-0.5, 3 ** 0.5 / 2)
    roots = []
    for k in range(3):
        uk = safe * omega ** k
        roots.append(xp.where(zero, xp.zeros_like(u), uk - p / (3 * uk)) - shift)
    roots = xp.concat(roots)
    a2, a1, a0 = (xp.concat([c, c, c]) for c in (c2, c1, c0))
    cubic = lambda t: ((t + a2) * t + a1) * t + a0
    for _ in range(polish):  # a Newton step is kept only where it makes |cubic| smaller
        value, slope = cubic(roots), (3 * roots + 2 * a2) * roots + a1
        ok = slope != 0
        step = roots - xp.where(ok, value / xp.where(ok, slope, xp.ones_like(slope)), xp.zeros_like(value))
        roots = xp.where(xp.abs(cubic(step)) < xp.abs(value), step, roots)
    return roots
