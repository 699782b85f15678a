"""Games given by numpy callables: a gradient, and optionally a Hessian, a Hessian-vector
product (the matrix-free path) and a value; without a Hessian, central differences of the
gradient with a Richardson error bound (docs/NUMERICS.md §1)."""

import numpy as np
import scipy.sparse.linalg as spla

from ..config import defaults
from ..errors import DenseTooLargeError, InputError, ShapeError
from ..linalg.blocks import call_user, factor, user_array
from .base import Game


def _pair(value, what):
    """What a ``grad``/``hvp`` callable returned, as exactly two parts (a third would be ignored)."""
    if isinstance(value, np.ndarray) or not isinstance(value, (tuple, list)) or len(value) != 2:
        n = len(value) if isinstance(value, (tuple, list)) else None
        raise ShapeError(f"{what} must return a pair (x part, y part), got "
                         f"{f'{n} parts' if n is not None else type(value).__name__}")
    return value


class CallableGame(Game):
    """A game given by numpy callables.

    ``grad(x, y) -> (gx, gy)``; optional ``hessian(x, y) -> H`` (full ``(n+m)²`` matrix),
    ``hvp(x, y, u, w) -> (Hxx u + Hxy w, Hyx u + Hyy w)`` (for the matrix-free path) and
    ``value(x, y)``. Without ``vectorized=True`` the callables get one point at a time.
    Without a Hessian, Hessian blocks come from central differences of the gradient.
    Build it with :meth:`stability.Game.from_callables`.
    """

    def __init__(self, grad, n, m, hessian=None, value=None, hvp=None, vectorized=False):
        for name, fn in (("grad", grad), ("hessian", hessian), ("value", value), ("hvp", hvp)):
            if fn is not None and not callable(fn):
                raise InputError(f"{name} must be callable, got {type(fn).__name__}")
        for name, k in (("n", n), ("m", m)):
            if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
                raise InputError(f"{name} must be a positive integer, got {k!r}")
        super().__init__(n, m)
        self._grad_fn, self._hess_fn, self._value_fn, self._hvp_fn = grad, hessian, value, hvp
        if not isinstance(vectorized, (bool, np.bool_)):
            raise InputError(f"vectorized must be True or False, got {vectorized!r}")
        self.vectorized = bool(vectorized)

    def hvp(self, x, y, u, w):
        """``H [u; w]`` from the ``hvp`` callable (one point at a time unless vectorized), else
        from the Hessian."""
        if self._hvp_fn is None:
            return super().hvp(x, y, u, w)
        if self.vectorized:
            a, b = _pair(call_user(self._hvp_fn, "hvp", x, y, u, w), "hvp")
        else:
            shape = np.broadcast_shapes(x.shape[:-1], u.shape[:-1])
            xb, yb = np.broadcast_to(x, shape + (self.n,)), np.broadcast_to(y, shape + (self.m,))
            ub, wb = np.broadcast_to(u, shape + (self.n,)), np.broadcast_to(w, shape + (self.m,))
            rows = [_pair(call_user(self._hvp_fn, "hvp", *args), "hvp") for args in
                    zip(xb.reshape(-1, self.n), yb.reshape(-1, self.m), ub.reshape(-1, self.n), wb.reshape(-1, self.m))]
            try:
                a = np.stack([user_array(r[0], "hvp", (self.n,)) for r in rows]).reshape(shape + (self.n,))
                b = np.stack([user_array(r[1], "hvp", (self.m,)) for r in rows]).reshape(shape + (self.m,))
            except (TypeError, IndexError):
                raise ShapeError("hvp must return a pair (Hxx u + Hxy w, Hyx u + Hyy w)") from None
        expected = np.broadcast_shapes(x.shape[:-1], u.shape[:-1])
        a, b = user_array(a, "hvp", expected + (self.n,)), user_array(b, "hvp", expected + (self.m,))
        return a, b

    def grad(self, x, y):
        try:
            if self.vectorized:
                gx, gy = _pair(call_user(self._grad_fn, "grad", x, y), "grad")
            else:
                xf, yf = x.reshape(-1, self.n), y.reshape(-1, self.m)
                pairs = [_pair(call_user(self._grad_fn, "grad", a, b), "grad") for a, b in zip(xf, yf)]
                gx = np.stack([user_array(p[0], "grad", (self.n,)) for p in pairs]).reshape(x.shape)
                gy = np.stack([user_array(p[1], "grad", (self.m,)) for p in pairs]).reshape(y.shape)
            gx, gy = user_array(gx, "grad"), user_array(gy, "grad")
        except (TypeError, IndexError) as exc:
            raise ShapeError(f"grad must return a pair (∇x f, ∇y f) of arrays of shapes "
                             f"{x.shape[-1:]} and {y.shape[-1:]} ({exc})") from None
        if gx.shape != x.shape or gy.shape != y.shape:
            raise ShapeError(f"grad returned shapes {gx.shape}, {gy.shape}; expected {x.shape}, {y.shape}")
        return gx, gy

    def solve_yy(self, x, y, r):
        """With an ``hvp`` callable: MINRES on ``w ↦ Hyy w`` per row (matrix-free)."""
        if self._hvp_fn is None:
            return super().solve_yy(x, y, r)
        return self._solve_rows(x, y, r, "yy")

    def solve_xx(self, x, y, r):
        """With an ``hvp`` callable: MINRES on ``u ↦ Hxx u`` per row (matrix-free)."""
        if self._hvp_fn is None:
            return super().solve_xx(x, y, r)
        return self._solve_rows(x, y, r, "xx")

    def _solve_rows(self, x, y, r, which):
        k = self.m if which == "yy" else self.n
        shape = np.broadcast_shapes(x.shape[:-1], r.shape[:-1])
        xs = np.broadcast_to(x, shape + (self.n,)).reshape(-1, self.n)
        ys = np.broadcast_to(y, shape + (self.m,)).reshape(-1, self.m)
        rs = np.broadcast_to(r, shape + (k,)).reshape(-1, k)
        out = np.empty_like(rs, dtype=float)
        for i, (xi, yi, ri) in enumerate(zip(xs, ys, rs)):
            if which == "yy":
                apply = lambda w, xi=xi, yi=yi: self.hvp(xi, yi, np.zeros(self.n), w)[1]
            else:
                apply = lambda u, xi=xi, yi=yi: self.hvp(xi, yi, u, np.zeros(self.m))[0]
            op = spla.LinearOperator((k, k), matvec=apply, dtype=float)
            out[i] = factor(op, f"H{which}")(ri[None, :])[0]
        return out.reshape(shape + (k,))

    def value(self, x, y):
        if self._value_fn is None:
            return super().value(x, y)
        if self.vectorized:
            return user_array(call_user(self._value_fn, "value", x, y), "value", x.shape[:-1])
        xf, yf = x.reshape(-1, self.n), y.reshape(-1, self.m)
        return user_array([user_array(call_user(self._value_fn, "value", a, b), "value", ())
                            for a, b in zip(xf, yf)], "value").reshape(x.shape[:-1])

    @property
    def differenced_hessian(self):
        return self._hess_fn is None

    def hessian_blocks(self, x, y):

        n, N = self.n, self.n + self.m
        batch = int(np.prod(x.shape[:-1], dtype=np.int64))
        if N > defaults["linalg.max_dense"] or 3 * batch * N * N * 8 > defaults["linalg.max_array_bytes"]:
            raise DenseTooLargeError(
                f"dense Hessians of {batch} point(s) with n + m = {N} are too large (limits "
                f"config.defaults['linalg.max_dense'] = {defaults['linalg.max_dense']} and 'max_array_bytes'); "
                "give an hvp callable and use stability.matrixfree")
        if self._hess_fn is not None:
            xf, yf = x.reshape(-1, n), y.reshape(-1, self.m)
            H = np.stack([user_array(call_user(self._hess_fn, "hessian", a, b), "hessian", (N, N))
                          for a, b in zip(xf, yf)])
            asym = np.abs(H - np.swapaxes(H, -1, -2)).max(initial=0.0)
            if asym > 1e-8 * max(np.abs(H).max(initial=0.0), np.finfo(float).tiny):
                raise InputError(f"hessian must return a symmetric matrix (Hyx = Hxyᵀ); the returned "
                                 f"one has max |H − Hᵀ| = {asym:.3g} (max |H| = {np.abs(H).max():.3g})")
            H = (H + np.swapaxes(H, -1, -2)) / 2
        else:
            H = self._fd_hessian(x.reshape(-1, n), y.reshape(-1, self.m))
        H = H.reshape(x.shape[:-1] + (N, N))
        return H[..., :n, :n], H[..., :n, n:], H[..., n:, n:]

    def hessian_error(self, point):
        """A bound on the error of :meth:`hessian_blocks` at ``point``: 0 with a ``hessian``
        callable; for central differences, ‖H_h − H_2h‖₂ — the truncation error is O(h²), so
        this difference is about three times it (Richardson). At the origin of ``x⁴ − y⁴`` the
        differences give H ≈ 4h²·diag(1, −1) where the true Hessian is 0: the verdict must be
        inconclusive, and this bound makes it so."""
        if self._hess_fn is not None:
            return 0.0
        x, y = self.split(point)
        H1 = self._fd_hessian(x[None], y[None])[0]
        H2 = self._fd_hessian(x[None], y[None], factor=2.0)[0]
        return float(np.linalg.norm(H1 - H2, 2))

    def _fd_hessian(self, x, y, factor=1.0):
        """Central differences of the gradient, step ∝ ε^(1/3) (error O(ε^(2/3)))."""
        N = self.n + self.m
        z = np.concatenate([x, y], axis=-1)
        h = factor * np.cbrt(np.finfo(float).eps) * np.maximum(1.0, np.abs(z))  # (B, N)
        E = np.eye(N)
        plus = z[:, None, :] + h[:, :, None] * E
        minus = z[:, None, :] - h[:, :, None] * E
        g = lambda p: np.concatenate(self.grad(p[..., :self.n], p[..., self.n:]), axis=-1)
        H = (g(plus) - g(minus)) / (2 * h[:, :, None])  # row j: derivative along e_j
        H = np.swapaxes(H, -1, -2)
        return (H + np.swapaxes(H, -1, -2)) / 2
