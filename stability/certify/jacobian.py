"""The exact inputs of a certificate: the Hessian blocks at the point and the hyperparameters
as exact rationals (floats as the binary numbers they are) or, for irrational values of a
formula game, as rigorous balls; and the update map's Jacobian built from them
(:func:`~stability.certify.algebra.linear_jacobian`)."""

from dataclasses import dataclass
from fractions import Fraction
import numbers

import numpy as np
import sympy as sp

from ..algorithms import as_algorithm
from ..config import defaults
from ..equilibria import require_critical
from ..equilibria.points import CriticalPoint
from ..errors import InputError, NotSupportedError, ShapeError
from ..games.base import require_exact_game
from ..linalg import as_finite_array
from .algebra import LinearModel, Mat, exact_scalar, flint_module, sympy_ball


@dataclass
class ExactInputs:
    """What a certificate is a statement about: the Hessian blocks (:class:`Mat`), where they
    came from, and the exact point."""

    Hxx: Mat
    Hxy: Mat
    Hyy: Mat
    source: str
    point: tuple

    @property
    def exact(self):
        return all(B.exact for B in (self.Hxx, self.Hxy, self.Hyy))

    def model(self):
        return LinearModel(self.Hxx, self.Hxy, self.Hyy)


def exact_point_values(game, point, floats="binary"):
    """The point's coordinates as exact sympy numbers: a :class:`CriticalPoint`'s exact values
    when it has them, else each float as the binary number it is (``floats="decimal"``: as the
    decimal it prints as, the convention of the symbolic functions)."""
    if isinstance(point, CriticalPoint) and point.exact is not None:
        return tuple(sp.sympify(v) for v in point.exact)
    raw = getattr(point, "point", point)
    if isinstance(raw, (list, tuple)) and any(isinstance(v, (sp.Basic, Fraction)) for v in raw):
        values = tuple(sp.Rational(v.numerator, v.denominator) if isinstance(v, Fraction) else sp.sympify(v)
                       for v in raw)
        if any(not v.is_number or v.is_real is False for v in values):
            raise InputError(f"point coordinates must be real numbers, got {raw!r}")
    else:
        z = as_finite_array(raw, "point", ndim=1)
        values = tuple(sp.Rational(float(v)) if floats == "binary" else sp.Rational(repr(float(v))) for v in z)
    if len(values) != game.n + game.m:
        raise ShapeError(f"point must have n + m = {game.n + game.m} entries, got {len(values)}")
    return values


def exact_inputs(game, point, *, allow_noncritical=False, floats="binary"):
    """The Hessian blocks at ``point`` for certification. A formula game's Hessian is
    evaluated at the exact point (rational entries exactly, irrational ones as balls at the
    working precision); any other game's blocks are its floating-point Hessian, each float
    taken as the exact binary number it is."""
    require_exact_game(game)
    if game.differenced_hessian:
        raise NotSupportedError(f"{type(game).__name__} has no Hessian, only central differences of its "
                                "gradient: a certificate needs the Hessian itself (give hessian=, or a formula)")
    if game.is_general_sum:
        raise NotSupportedError("certified verdicts are for zero-sum games: at a general-sum fixed point "
                                "the Jacobian also depends on third derivatives")
    N = game.n + game.m
    if N > defaults["certify.max_state"]:
        raise NotSupportedError(f"n + m = {N} exceeds config.defaults['certify.max_state'] = "
                                f"{defaults['certify.max_state']} for certification")
    values = exact_point_values(game, point, floats)
    floats = np.array([float(v) for v in values])
    if not allow_noncritical:
        require_critical(game, floats)
    n = game.n
    if getattr(game, "exact_blocks", None) is not None:  # a quadratic game of rational blocks
        Bxx, Bxy, Byy = (Mat.of(B) for B in game.exact_blocks)
        return ExactInputs(Bxx, Bxy, Byy, "the game's rational blocks, exactly", values)
    if getattr(game, "has_expressions", False) and not getattr(game, "params", None):
        H = game.hessian_expr.xreplace(dict(zip(game.xs + game.ys, values)))
        entries = [_entry(v) for v in H]
        source = "the formula's Hessian at the exact point"
        Hm = Mat.from_entries(N, N, entries)
    else:
        Hxx, Hxy, Hyy = game.blocks_at(floats)
        Hm = Mat.of(np.block([[Hxx, Hxy], [Hxy.T, Hyy]]))
        source = "the game's floating-point Hessian, each float taken as the exact binary number it is"
    return ExactInputs(Hm[:n, :n], Hm[:n, n:], Hm[n:, n:], source, values)


def _entry(value):
    if value.is_Rational:
        return exact_scalar(value)
    if not value.is_number:
        raise NotSupportedError(f"the Hessian entry {value} is not a number at this point")
    return sympy_ball(value)


def exact_algorithm(algorithm, **hp):
    """A copy of ``algorithm`` whose hyperparameters are exact sympy numbers (floats as the
    binary numbers they are; matrices kept for :class:`Mat` to read exactly)."""
    alg = as_algorithm(algorithm, **hp)  # validated (the algorithm keeps floats)
    alg.require_numeric()
    if not alg.stationary:
        raise NotSupportedError(f"{alg.name} has no stationary update map, hence no fixed-point Jacobian")
    given = type(alg).resolve(hp)  # the values as given, under the algorithm's own names
    return alg.exact_copy({k: _exact_hp(given.get(k, v), k) for k, v in alg.hp.items()})


def _exact_hp(value, name):
    if value is None or isinstance(value, (np.ndarray, str)) or isinstance(value, (bool, np.bool_)):
        return value
    if isinstance(value, Fraction):
        return sp.Rational(value.numerator, value.denominator)
    if isinstance(value, sp.Basic):
        return value
    if isinstance(value, (numbers.Integral, np.integer)):
        return sp.Integer(int(value))
    if isinstance(value, (numbers.Real, np.floating)):
        return sp.Rational(float(value))
    if isinstance(value, (numbers.Complex, np.complexfloating)):
        v = complex(value)
        return sp.Rational(v.real) + sp.I * sp.Rational(v.imag)
    return value


def hp_text(alg):
    """The hyperparameters as the exact numbers certified."""
    parts = []
    for k, v in alg.hp.items():
        if isinstance(v, sp.Basic):
            parts.append(f"{k} = {v}" + ("" if v.is_Integer or len(str(v)) < 12 else f" ≈ {complex(v) if v.is_real is False else float(v):.17g}"))
        elif isinstance(v, np.ndarray):
            parts.append(f"{k} = a {v.shape[0]}×{v.shape[1]} matrix (exact binary entries)")
        elif v is not None:
            parts.append(f"{k} = {v}")
    return ", ".join(parts)


def certified_jacobian(algorithm, game, point, *, allow_noncritical=False, **hp):
    """``(J, alg, inputs)``: the Jacobian of ``algorithm`` at ``point`` as a :class:`Mat`
    (exact when the inputs are), the exact algorithm, and the inputs it was built from."""
    flint_module()
    alg = exact_algorithm(algorithm, **hp)
    alg.require_applicable(game)
    K = alg.state_size(game)
    if K > defaults["certify.max_state"]:
        raise NotSupportedError(f"the {alg.name} Jacobian has {K} rows; certification is limited to "
                                f"config.defaults['certify.max_state'] = {defaults['certify.max_state']}")
    inputs = exact_inputs(game, point, allow_noncritical=allow_noncritical)
    J = alg.linear_jacobian(inputs.model())
    if J.shape != (K, K):
        raise NotSupportedError(f"{alg.name}'s update map did not run on the exact algebra (got a "
                                f"{J.shape} Jacobian for a state of {K})")
    return J, alg, inputs
