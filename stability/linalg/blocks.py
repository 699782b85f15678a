r"""Blocks of a game as dense arrays, ``scipy.sparse`` matrices or ``LinearOperator``\ s:
products, dense copies, factorisations and checked solves, and the checks on what users'
callables and operators return (docs/MATHEMATICS.md §1)."""

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sps
import scipy.sparse.linalg as spla

from .. import backend
from ..config import defaults
from ..errors import (ConvergenceError, DenseTooLargeError, InputError, NonFiniteError, ShapeError,
                      SingularBlockError, StabilityError)
from .checks import check_invertible, real_array


def is_operator(M):
    """Whether ``M`` is a ``scipy.sparse.linalg.LinearOperator`` (products only)."""
    return isinstance(M, spla.LinearOperator)


class CheckedOperator(spla.LinearOperator):
    """A user's ``LinearOperator`` block whose products are checked: what it raises, a result
    of the wrong shape, complex or non-finite values become typed errors naming the block."""

    def __init__(self, op, name):
        super().__init__(dtype=np.dtype(float), shape=op.shape)
        self.op, self.name = op, name

    def _call(self, method, v, shape):
        what = f"operator {self.name}"
        arr = user_array(call_user(getattr(self.op, method), what, v), what)
        if arr.size == int(np.prod(shape)):  # (k,) and (k, 1) are the same product
            arr = arr.reshape(shape)
        if arr.shape != shape:
            raise ShapeError(f"{what} returned shape {arr.shape} for an input of shape "
                             f"{np.shape(v)}; expected {shape}")
        return arr

    def _matvec(self, v):
        return self._call("matvec", v, (self.shape[0],) if np.ndim(v) == 1 else (self.shape[0], 1))

    def _matmat(self, V):
        return self._call("matmat", V, (self.shape[0], V.shape[1]))

    def _rmatvec(self, v):  # Hessian blocks of a quadratic game other than Hxy are symmetric
        return self.op.rmatvec(v)

    def _adjoint(self):
        return self.op.H


def apply(M, v):
    """``M`` applied to the rows of ``v``."""
    if is_operator(M):
        flat = v.reshape(-1, v.shape[-1])
        return np.asarray(M.matmat(flat.T)).T.reshape(v.shape[:-1] + (M.shape[0],))
    return np.asarray((M @ v.reshape(-1, v.shape[-1]).T).T).reshape(v.shape[:-1] + (M.shape[0],))


def dense(M, name):

    if is_operator(M):
        if max(M.shape) > defaults["linalg.max_dense"]:
            raise DenseTooLargeError(f"{name} is a {M.shape} operator; a dense copy is too large — "
                                     "use the matrix-free functions")
        return np.asarray(M @ np.eye(M.shape[1]))
    if sps.issparse(M):
        if max(M.shape) > defaults["linalg.max_dense"]:
            raise DenseTooLargeError(f"{name} is a sparse {M.shape} matrix; a dense copy is too large — "
                                     "use the matrix-free functions")
        return M.toarray()
    return M


def check_symmetric(M, name, rng):
    if is_operator(M):
        u, v = rng.standard_normal((2, M.shape[0]))
        Mv, Mu = M @ v, M @ u
        if not (np.all(np.isfinite(Mv)) and np.all(np.isfinite(Mu))):
            raise NonFiniteError(f"the operator {name} returned NaN or infinite values")
        a, b = u @ Mv, v @ Mu
        ok = abs(a - b) <= defaults["linalg.symmetry_rtol"] * max(abs(a), abs(b), 1.0)
        gap = abs(a - b)
    else:
        D = M - M.T
        gap = abs(D).max() if D.shape[0] else 0.0
        scale = abs(M).max() if M.shape[0] else 0.0
        ok = gap <= defaults["linalg.symmetry_rtol"] * max(scale, np.finfo(float).tiny)
    if not ok:
        raise ShapeError(f"Hessian block {name} must be symmetric (asymmetry {gap:.3g})")


def factor(M, name):
    """A solver ``r ↦ M⁻¹ r`` on rows: LU for dense and sparse blocks, MINRES for operators."""
    k = M.shape[0]
    if is_operator(M):
        def solve(r):
            flat = r.reshape(-1, k)
            out = np.empty_like(flat)
            for i, rhs in enumerate(flat):
                out[i], info = spla.minres(M, rhs, rtol=defaults["linalg.minres_rtol"], maxiter=10 * k)
                # MINRES can stop "successfully" on a singular, inconsistent system:
                # only the residual tells whether this is a solution
                scale = max(np.linalg.norm(rhs), np.finfo(float).tiny)
                res = np.linalg.norm(M @ out[i] - rhs) / scale
                if info != 0 or res > defaults["linalg.solve_residual"]:
                    raise ConvergenceError(f"MINRES on {name} did not solve the system (info={info}, "
                                           f"relative residual {res:.2e}); {name} may be singular")
            return out.reshape(r.shape)
        return solve
    if sps.issparse(M):
        try:
            lu = spla.splu(sps.csc_matrix(M))
        except RuntimeError as exc:
            raise SingularBlockError(f"{name} is singular ({exc})") from None
        return lambda r: lu.solve(r.reshape(-1, k).T).T.reshape(r.shape)
    check_invertible(M, name)
    lu = sla.lu_factor(M)
    return lambda r: sla.lu_solve(lu, r.reshape(-1, k).T).T.reshape(r.shape)
def solve_checked(ops, M, r, name):
    if ops is backend.SYMPY:
        if M.det() == 0:
            raise SingularBlockError(f"{name} is singular")
        return ops.solve(M, r)
    if M.ndim == 2:
        check_invertible(M, name)
    try:
        return ops.solve(M, r)
    except np.linalg.LinAlgError:
        raise SingularBlockError(f"{name} is singular at some of the points") from None
def call_user(fn, what, *args):
    """Call a user-supplied function on copies of the arrays (it may modify what it gets, never
    the caller's or the engine's arrays); its failures become a typed error naming it."""
    args = [np.array(a) if isinstance(a, np.ndarray) else a for a in args]
    try:
        return fn(*args)
    except StabilityError:
        raise
    except Exception as exc:
        raise InputError(f"the {what} callable raised {type(exc).__name__}: {exc}") from exc


def user_array(value, what, shape=None):
    """What a user callable returned, as a real float array of ``shape`` (typed errors for
    complex values, wrong shapes and NaN — NaN is reported as such, not as asymmetry or
    singularity later)."""

    arr = real_array(value, f"the value returned by {what}")
    if shape is not None and arr.shape != tuple(shape):
        raise ShapeError(f"{what} returned shape {arr.shape}, expected {tuple(shape)}")
    if not np.all(np.isfinite(arr)):
        raise NonFiniteError(f"{what} returned NaN or infinite values")
    return arr
