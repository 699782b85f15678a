"""Exact and ball matrices for certification: python-flint's ``fmpq_mat`` (exact rationals)
and ``acb_mat`` (complex balls), with the operations the update maps of
:mod:`stability.algorithms` use on row batches, and the linear model of a game at a
critical point that those maps run on (docs/MATHEMATICS.md §6).

The Jacobian of an update map at a fixed point depends only on the Hessian at the point: every
map is a matrix depending on the point times the gradient (or a difference of iterates), which
vanishes there. On the model ``f(z) = ½ zᵀ H z`` with that Hessian the map is linear, so running
it once on the identity rows gives the Jacobian — in exact arithmetic when H and the
hyperparameters are rational, as enclosures otherwise. The maps are the very code the float
engine runs; nothing is transcribed."""

from fractions import Fraction
import numbers

import numpy as np
import sympy as sp

from ..errors import InputError, NotSupportedError, SingularBlockError
from ..games.base import Game


def flint_module():
    """python-flint, or a :class:`NotSupportedError` that says which extra to install."""
    try:
        import flint
    except ImportError:
        raise NotSupportedError("certified verdicts need python-flint, an optional dependency: "
                                "pip install 'stability[certify]' (or python-flint)") from None
    return flint


def precision_limit(value):
    """``max_precision`` checked: an integer number of bits in [64, 2²⁰] (None: the default)."""
    from ..config import defaults
    from ..linalg import count
    return count(defaults["certify.max_precision"] if value is None else value, "max_precision", 64, high=1 << 20)


def exact_scalar(value, name="value"):
    """A number as an exact ``fmpq`` (floats as the binary numbers they are), or an ``acb``
    ball for a complex or irrational value."""
    flint = flint_module()
    if isinstance(value, (flint.fmpq, flint.acb)):
        return value
    if isinstance(value, (bool, np.bool_)):
        raise InputError(f"{name} must be a number, got {value!r}")
    if isinstance(value, flint.fmpz):
        return flint.fmpq(value)
    if isinstance(value, flint.arb):
        return flint.acb(value)
    if isinstance(value, sp.Basic):
        if value.is_Rational:
            return flint.fmpq(int(value.p), int(value.q))
        if value.is_Float:
            return exact_scalar(float(value), name) if value._prec <= 53 else _mpf_fmpq(value._mpf_)
        if value.is_number:
            return sympy_ball(value)
        raise InputError(f"{name} must be a number, got the expression {value} (free symbols "
                         f"{sorted(map(str, value.free_symbols))}); certify at numbers, or use "
                         "certify.stable_set for a symbolic hyperparameter")
    if isinstance(value, (numbers.Integral, np.integer)):
        return flint.fmpq(int(value))
    if isinstance(value, Fraction):
        return flint.fmpq(value.numerator, value.denominator)
    if isinstance(value, (numbers.Real, np.floating)):
        v = float(value)
        if not np.isfinite(v):
            raise InputError(f"{name} must be finite, got {v}")
        return flint.fmpq(*v.as_integer_ratio())
    if isinstance(value, (numbers.Complex, np.complexfloating)):
        v = complex(value)
        return flint.acb(exact_scalar(v.real, name), exact_scalar(v.imag, name))
    raise InputError(f"{name} must be a number, got {type(value).__name__} {value!r}")


def _mpf_fmpq(mpf):
    flint = flint_module()
    sign, man, exp, _ = mpf
    if man == 0:
        return flint.fmpq(0)
    v = flint.fmpq(-man if sign else man)
    return v * flint.fmpq(2) ** exp if exp >= 0 else v / flint.fmpq(2) ** (-exp)


_FUNCTIONS = {sp.exp: "exp", sp.log: "log", sp.sin: "sin", sp.cos: "cos", sp.tan: "tan",
              sp.sinh: "sinh", sp.cosh: "cosh", sp.tanh: "tanh", sp.atan: "atan",
              sp.asin: "asin", sp.acos: "acos"}


def sympy_ball(expr):
    """A rigorous ``acb`` enclosure of a sympy number at the working precision, by ball
    arithmetic over its expression tree (never by floating-point evaluation)."""
    flint = flint_module()
    if expr.is_Rational:
        return flint.acb(flint.fmpq(int(expr.p), int(expr.q)))
    if expr.is_Float:
        return flint.acb(_mpf_fmpq(expr._mpf_))
    if expr is sp.pi:
        return flint.acb.pi()
    if expr is sp.E:
        return flint.acb(1).exp()
    if expr is sp.I:
        return flint.acb(0, 1)
    if expr.is_Add:
        out = flint.acb(0)
        for a in expr.args:
            out += sympy_ball(a)
        return out
    if expr.is_Mul:
        out = flint.acb(1)
        for a in expr.args:
            out *= sympy_ball(a)
        return out
    if expr.is_Pow:
        base = sympy_ball(expr.base)
        if expr.exp.is_Integer:
            return base ** int(expr.exp)
        return base ** sympy_ball(expr.exp)
    if isinstance(expr, sp.Abs):
        return flint.acb(abs(sympy_ball(expr.args[0])))
    name = _FUNCTIONS.get(type(expr))
    if name is not None:
        return getattr(sympy_ball(expr.args[0]), name)()
    raise NotSupportedError(f"no rigorous enclosure for {expr} ({type(expr).__name__}); certified "
                            "verdicts take rational numbers and exp, log, sin, cos, tan, their "
                            "hyperbolic and inverse forms, powers and π")


class Mat:
    """A matrix of exact rationals (``fmpq_mat``) or complex balls (``acb_mat``) with numpy's
    operators, so that update maps written for row batches run on it unchanged. A product
    with a ball promotes exact matrices to balls."""

    __slots__ = ("a",)
    ndim = 2

    def __init__(self, a):
        self.a = a

    @classmethod
    def of(cls, value):
        """A :class:`Mat` from a Mat, a flint matrix, or a 2-d array of numbers (exactly)."""
        flint = flint_module()
        if isinstance(value, Mat):
            return value
        if isinstance(value, (flint.fmpq_mat, flint.acb_mat)):
            return cls(value)
        if isinstance(value, np.ndarray) and value.dtype == np.float64 and value.ndim == 2:
            if not np.all(np.isfinite(value)):
                raise InputError("matrix entries must be finite")
            # floats as the binary numbers they are, without the generic conversion's checks
            return cls(flint.fmpq_mat(*value.shape, [flint.fmpq(*v.as_integer_ratio()) for v in value.ravel().tolist()]))
        arr = np.asarray(value, dtype=object)
        if arr.ndim == 1:
            arr = arr[None, :]
        if arr.ndim != 2:
            raise InputError(f"expected a matrix, got shape {arr.shape}")
        return cls.from_entries(arr.shape[0], arr.shape[1],
                                [exact_scalar(v, "matrix entry") for v in arr.ravel()])

    @classmethod
    def from_entries(cls, r, c, entries):
        flint = flint_module()
        if all(isinstance(e, flint.fmpq) for e in entries):
            return cls(flint.fmpq_mat(r, c, entries))
        return cls(flint.acb_mat(r, c, [flint.acb(e) for e in entries]))

    @classmethod
    def eye(cls, k):
        flint = flint_module()
        M = flint.fmpq_mat(k, k)
        for i in range(k):
            M[i, i] = 1
        return cls(M)

    @property
    def exact(self):
        return isinstance(self.a, flint_module().fmpq_mat)

    @property
    def shape(self):
        return (self.a.nrows(), self.a.ncols())

    def balls(self):
        """The same matrix as complex balls."""
        return self.a if not self.exact else flint_module().acb_mat(self.a)

    @staticmethod
    def _pair(a, b):
        if a.exact == b.exact:
            return a.a, b.a
        return a.balls(), b.balls()

    def _other(self, other):
        if isinstance(other, Mat):
            return other
        if isinstance(other, np.ndarray) and other.ndim == 2:
            return Mat.of(other)
        return None

    def __add__(self, other):
        o = self._other(other)
        if o is None:
            return NotImplemented
        a, b = self._pair(self, o)
        return Mat(a + b)

    __radd__ = __add__

    def __sub__(self, other):
        o = self._other(other)
        if o is None:
            return NotImplemented
        a, b = self._pair(self, o)
        return Mat(a - b)

    def __rsub__(self, other):
        o = self._other(other)
        if o is None:
            return NotImplemented
        return o - self

    def __neg__(self):
        return Mat(-self.a)

    def __mul__(self, other):
        if isinstance(other, Mat):
            raise NotSupportedError("elementwise products of matrices are not part of the exact algebra")
        s = exact_scalar(other, "scalar")
        flint = flint_module()
        if isinstance(s, flint.acb):
            return Mat(self.balls() * s)
        return Mat(self.a * s)

    __rmul__ = __mul__

    def __truediv__(self, other):
        s = exact_scalar(other, "divisor")
        if s == 0:
            raise SingularBlockError("division by zero in the exact update map")
        return self * (1 / s)

    def __matmul__(self, other):
        o = self._other(other)
        if o is None:
            return NotImplemented
        a, b = self._pair(self, o)
        return Mat(a * b)

    def __rmatmul__(self, other):
        o = self._other(other)
        if o is None:
            return NotImplemented
        return o @ self

    @property
    def T(self):
        return Mat(self.a.transpose())

    def copy(self):
        return Mat(self.a * 1)

    def __getitem__(self, key):
        if not (isinstance(key, tuple) and len(key) == 2):
            raise NotSupportedError("exact matrices are indexed by [rows, columns]")
        r, c = self.shape
        rows = range(r)[key[0]] if isinstance(key[0], slice) else [key[0]]
        cols = range(c)[key[1]] if isinstance(key[1], slice) else [key[1]]
        return Mat.from_entries(len(rows), len(cols), [self.a[i, j] for i in rows for j in cols])

    def solve(self, rhs):
        """``self⁻¹ rhs`` (a :class:`SingularBlockError` when singular, or not provably
        regular at the working precision)."""
        a, b = self._pair(self, rhs)
        try:
            return Mat(a.solve(b))
        except ZeroDivisionError:
            raise SingularBlockError("a matrix the update map solves with is singular" +
                                     ("" if self.exact and rhs.exact else
                                      " or not provably regular at this precision")) from None


def hstack(blocks):
    blocks = [Mat.of(b) for b in blocks]
    r = blocks[0].shape[0]
    if any(b.shape[0] != r for b in blocks):
        raise InputError("hstack: blocks with different numbers of rows")
    cols = sum(b.shape[1] for b in blocks)
    return Mat.from_entries(r, cols, [b.a[i, j] for i in range(r) for b in blocks for j in range(b.shape[1])])


class FieldMat:
    """A matrix over the field ℚ(s) of rational functions of one symbol (a sympy
    ``DomainMatrix``), with the operators of :class:`Mat`: the update maps run on it to give
    ``J(s)`` exactly, for exact stable sets (:mod:`stability.certify.stable_sets`)."""

    __slots__ = ("a",)
    ndim = 2
    exact = True

    def __init__(self, a):
        self.a = a

    @property
    def field(self):
        return self.a.domain

    @property
    def shape(self):
        return self.a.shape

    def scalar(self, value):
        return field_scalar(self.field, value)

    def of(self, value):
        """``value`` (a FieldMat or a 2-d array of numbers, read exactly) over this field."""
        if isinstance(value, FieldMat):
            return value
        arr = np.asarray(value, dtype=object)
        if arr.ndim != 2:
            raise InputError(f"expected a matrix, got shape {arr.shape}")
        from sympy.polys.matrices import DomainMatrix
        return FieldMat(DomainMatrix([[self.scalar(v) for v in row] for row in arr], arr.shape, self.field))

    def eye(self, k):
        from sympy.polys.matrices import DomainMatrix
        return FieldMat(DomainMatrix.eye(k, self.field).to_dense())

    def _other(self, other):
        if isinstance(other, FieldMat):
            return other
        if isinstance(other, np.ndarray) and other.ndim == 2:
            return self.of(other)
        return None

    def __add__(self, other):
        o = self._other(other)
        return NotImplemented if o is None else FieldMat(self.a + o.a)

    __radd__ = __add__

    def __sub__(self, other):
        o = self._other(other)
        return NotImplemented if o is None else FieldMat(self.a - o.a)

    def __rsub__(self, other):
        o = self._other(other)
        return NotImplemented if o is None else FieldMat(o.a - self.a)

    def __neg__(self):
        return FieldMat(-self.a)

    def __mul__(self, other):
        if isinstance(other, FieldMat):
            raise NotSupportedError("elementwise products of matrices are not part of the exact algebra")
        return FieldMat(self.a.mul(self.scalar(other)))

    __rmul__ = __mul__

    def __truediv__(self, other):
        s = self.scalar(other)
        if not s:
            raise SingularBlockError("division by zero in the exact update map")
        return FieldMat(self.a.mul(1 / s))

    def __matmul__(self, other):
        o = self._other(other)
        return NotImplemented if o is None else FieldMat(self.a * o.a)

    def __rmatmul__(self, other):
        o = self._other(other)
        return NotImplemented if o is None else FieldMat(o.a * self.a)

    @property
    def T(self):
        return FieldMat(self.a.transpose())

    def copy(self):
        return FieldMat(self.a.copy())

    def __getitem__(self, key):
        if not (isinstance(key, tuple) and len(key) == 2):
            raise NotSupportedError("exact matrices are indexed by [rows, columns]")
        r, c = self.shape
        rows = list(range(r)[key[0]]) if isinstance(key[0], slice) else [key[0]]
        cols = list(range(c)[key[1]]) if isinstance(key[1], slice) else [key[1]]
        return FieldMat(self.a.extract(rows, cols))

    def solve(self, rhs):
        from sympy.polys.matrices.exceptions import DMNonInvertibleMatrixError
        try:
            return FieldMat(self.a.to_dense().lu_solve(self.of(rhs).a.to_dense()))
        except DMNonInvertibleMatrixError:
            raise SingularBlockError("a matrix the update map solves with is singular for every value "
                                     "of the symbol") from None


def field_scalar(K, value):
    """A number or a sympy expression in the field's symbol as an element of ``K = ℚ(s)``;
    floats are the binary numbers they are."""
    if isinstance(value, sp.Basic):
        if value.atoms(sp.Float):
            value = value.xreplace({f: sp.Rational(f) for f in value.atoms(sp.Float)})
        if value.has(sp.I) or value.is_real is False:
            raise NotSupportedError(f"{value} is complex: exact stable sets take real hyperparameters")
        try:
            return K.from_sympy(value)
        except Exception:
            raise InputError(f"{value} is not a rational function of {', '.join(map(str, K.symbols))}") from None
    if isinstance(value, (bool, np.bool_)):
        raise InputError(f"expected a number, got {value!r}")
    if isinstance(value, Fraction):
        return K.convert(sp.Rational(value.numerator, value.denominator))
    if isinstance(value, (numbers.Integral, np.integer)):
        return K.convert(sp.Integer(int(value)))
    if isinstance(value, (numbers.Real, np.floating)):
        v = float(value)
        if not np.isfinite(v):
            raise InputError(f"expected a finite number, got {v}")
        return K.convert(sp.Rational(v))
    if isinstance(value, (numbers.Complex, np.complexfloating)):
        raise NotSupportedError(f"{value} is complex: exact stable sets take real hyperparameters")
    if type(value).__module__.startswith("flint"):
        return field_scalar(K, sp.Rational(int(value.p), int(value.q)))
    raise InputError(f"expected a number, got {type(value).__name__} {value!r}")


class ExactBlocks:
    """The block algebra of :mod:`stability.backend` over :class:`Mat` or :class:`FieldMat`:
    vectors are rows of a batch ``(B, k)``, matrices ``(k, l)``. ``like`` (a FieldMat) fixes the
    field that plain arrays are read into."""

    name = "flint"

    def __init__(self, like=None):
        self.like = like

    def of(self, value):
        return self.like.of(value) if self.like is not None else Mat.of(value)

    def mv(self, M, v):
        return self.of(v) @ self.of(M).T

    def solve(self, M, v):
        return self.of(M).solve(self.of(v).T).T

    def eye(self, k):
        return self.like.eye(k) if self.like is not None else Mat.eye(k)

    def mT(self, M):
        return self.of(M).T

    def hstack(self, blocks):
        if self.like is None:
            return hstack(blocks)
        blocks = [self.of(b) for b in blocks]
        return FieldMat(blocks[0].a.hstack(*[b.a for b in blocks[1:]]))

    def inv(self, M):
        M = self.of(M)
        return M.solve(self.eye(M.shape[0]))


EXACT = ExactBlocks()


class LinearModel(Game):
    """The game ``f(z) = ½ zᵀ H z`` with the Hessian blocks of a game at a critical point (as
    :class:`Mat`), its critical point moved to the origin: the oracle update maps run on to
    give their Jacobian there exactly."""

    def __init__(self, Hxx, Hxy, Hyy):
        if isinstance(Hxx, FieldMat):
            self.ops = ExactBlocks(Hxx)
        else:
            self.ops = EXACT
        self.Hxx, self.Hxy, self.Hyy = (self.ops.of(B) for B in (Hxx, Hxy, Hyy))
        n, m = self.Hxy.shape
        super().__init__([f"x{i + 1}" for i in range(n)], [f"y{i + 1}" for i in range(m)])
        self.Hyx = self.Hxy.T

    @property
    def exact(self):
        return all(B.exact for B in (self.Hxx, self.Hxy, self.Hyy))

    def grad(self, x, y):
        # rows: ∇x f = Hxx x + Hxy y, ∇y f = Hyx x + Hyy y (Hxx, Hyy symmetric)
        return x @ self.Hxx + y @ self.Hyx, x @ self.Hxy + y @ self.Hyy

    def hessian_blocks(self, x, y):
        return self.Hxx, self.Hxy, self.Hyy

    def hvp(self, x, y, u, w):
        return u @ self.Hxx + w @ self.Hyx, u @ self.Hxy + w @ self.Hyy

    def solve_yy(self, x, y, r):
        return _named_solve(self.Hyy, r, "Hyy")

    def solve_xx(self, x, y, r):
        return _named_solve(self.Hxx, r, "Hxx")


def _named_solve(M, r, name):
    try:
        return M.solve(r.T).T
    except SingularBlockError:
        raise SingularBlockError(f"{name} is singular" + ("" if M.exact else
                                 " or not provably regular at this precision")) from None


def linear_jacobian(algorithm, model):
    """The Jacobian of ``algorithm``'s update map on the linear ``model`` (a :class:`Mat`),
    from one run on the identity rows (row i of the result is ``(J eᵢ)ᵀ``)."""
    return algorithm.linear_jacobian(model)
