"""The algorithm protocol, hyperparameters, the registry and the Jacobian context.

An algorithm is a small immutable object holding its hyperparameters. Its one update map,
:meth:`Algorithm.update`, is written against the game oracle and its block algebra, so:

- :meth:`Algorithm.step` runs it on numpy (batched; what the iteration engine calls);
- :meth:`Algorithm.symbolic_jacobian` runs it on the sympy view of the game and lets sympy
  differentiate it — an independent check of the closed form;
- :meth:`Algorithm.jacobian` is the closed form (each class's docstring) from the Hessian blocks;
- :meth:`Algorithm.spectrum` uses the structured shortcut where one exists.
"""

from dataclasses import dataclass
from functools import cached_property
import numbers

import numpy as np
import sympy as sp

from .. import backend
from ..games.base import check_game
from ..config import defaults
from ..errors import (DenseTooLargeError, InputError, NonFiniteError, NotSupportedError, ShapeError,
                      StabilityError, checked_call, unknown_name)
from ..games.base import require_exact_game
from ..linalg import as_finite_array, check_invertible, real_number, short

_REGISTRY = {}


def register(cls):
    """Class decorator: add an algorithm (and its aliases) to the registry."""
    for name in (cls.name,) + tuple(cls.aliases):
        _REGISTRY[name] = cls
    return cls


def names():
    """Registered algorithm names (aliases included)."""
    return sorted(_REGISTRY)


def get(name, **hyperparameters):
    """The algorithm ``name`` with the given hyperparameters (defaults for the rest)."""
    return describe(name).build(**hyperparameters)


def as_algorithm(algorithm, **hp):
    """An algorithm object from a registry name or an :class:`Algorithm`, with ``hp`` applied
    (to an object too: ``spectral_radius(alg, game, z, lr=0.5)`` analyses ``alg`` at η = 0.5).
    The one place every entry point turns its ``algorithm`` argument into an object."""
    if isinstance(algorithm, str):
        return get(algorithm, **hp)
    if isinstance(algorithm, Algorithm):
        return algorithm.replace(**hp) if hp else algorithm
    raise InputError(f"algorithm must be a registry name or an Algorithm, got {str(algorithm)[:60]!r}")


def describe(name):
    """The class of algorithm ``name`` (its docstring has the update rule and reference)."""
    if not isinstance(name, str):
        raise InputError(f"an algorithm name must be a string, got {type(name).__name__}")
    if name not in _REGISTRY:
        raise unknown_name("algorithm", name, _REGISTRY)
    return _REGISTRY[name]


def info(name):
    """Registry entry of ``name``: aliases, hyperparameters (default, meaning), reference,
    whether the spectrum has a structured shortcut, and the update rule (docstring)."""
    cls = describe(name)
    return {"name": cls.name, "aliases": list(cls.aliases), "reference": cls.reference,
            "hyperparameters": {k: {"default": p.default, "kind": p.kind, "doc": p.doc}
                                for k, p in cls.params.items()},
            "state_blocks": cls.blocks, "shortcut": cls._spectral_data is not Algorithm._spectral_data,
            "doc": (cls.__doc__ or "").strip()}


@dataclass(frozen=True)
class Param:
    """A hyperparameter: its default and the set of values that make sense."""

    default: object
    kind: str = "positive"  # positive | nonnegative | momentum | real | complex | count | spd
    doc: str = ""
    high: object = None
    """Largest allowed value (counts: bounds the work one step does)."""

    def check(self, name, value):
        if isinstance(value, sp.Basic) and not value.is_number:
            return value  # a symbol: checked when numbers are substituted

        if self.kind == "spd":
            return _check_spd(name, value)
        if self.kind == "complex":
            try:
                ok = isinstance(value, numbers.Number) and not isinstance(value, bool) and np.isfinite(complex(value))
            except OverflowError:
                ok = False
            if not ok:
                raise InputError(f"hyperparameter {name} must be a finite complex number, got {short(value)}")
            return complex(value)
        if isinstance(value, bool) or not isinstance(value, (numbers.Real, sp.Number)):
            raise InputError(f"hyperparameter {name} must be a real number, got {short(value)}")
        if isinstance(value, sp.Number):
            value = float(value)  # ±inf beyond the float range: refused next
        as_float = real_number(value, f"hyperparameter {name}")
        value = as_float if self.kind != "count" else value
        if self.kind == "positive" and not value >= np.finfo(float).tiny:
            raise InputError(f"step size {name} must be a positive normal number "
                             f"(>= {np.finfo(float).tiny:.3g}), got {value!r}")
        if self.high is not None and as_float > self.high:
            raise InputError(f"hyperparameter {name} must be at most {self.high}, got {short(value)}")
        if self.kind == "nonnegative" and not value >= 0:
            raise InputError(f"hyperparameter {name} must be >= 0, got {value!r}")
        if self.kind == "momentum" and not -1 < value < 1:
            raise InputError(f"momentum {name} must lie in (-1, 1), got {value!r}")
        if self.kind == "count" and (int(value) != value or value < 1):
            raise InputError(f"{name} must be a positive integer, got {value!r}")
        return int(value) if self.kind == "count" else value


def _check_spd(name, value):
    if value is None:
        return None
    P = as_finite_array(value, name, ndim=2)
    if P.shape[0] == 0:
        raise InputError(f"preconditioner {name} must be a non-empty square matrix, got shape {P.shape}")
    if P.shape[0] != P.shape[1] or not np.allclose(P, P.T, rtol=1e-12, atol=0):
        raise InputError(f"preconditioner {name} must be a symmetric matrix, got shape {P.shape}")
    if np.linalg.eigvalsh(P).min() <= 0:
        raise InputError(f"preconditioner {name} must be positive definite")
    return P


class Algorithm:
    """Base class. Subclasses set ``name``, ``params``, ``reference`` and implement
    :meth:`update` and :meth:`_closed_form`; shortcuts override :meth:`_spectral_data`."""

    name = ""
    aliases = ()
    reference = ""
    params = {}
    blocks = 2
    """Number of ``(n+m)``-blocks in the state: 2 for ``(x, y)``, 4 with memory, 6 for complex momentum."""
    fixed_point_jacobian = True
    general_sum = False
    """True for maps written for general-sum games (the follower descends its own g); the
    others use f for both players and refuse general-sum games rather than ignore g."""
    step_param = None
    """The hyperparameter that plays the step size when it is not ``lr``/``lr_x`` (CM: α)."""

    def __init__(self, **hp):
        unknown = [k for k in hp if k not in self.params]
        if unknown:
            raise unknown_name(f"hyperparameter of {self.name}", unknown[0], self.params)
        values = {k: p.default for k, p in self.params.items()}
        values.update(hp)
        self.hp = {k: self.params[k].check(k, v) for k, v in values.items()}

    @classmethod
    def build(cls, **hp):
        """Build from user hyperparameters. ``lr`` is the one step size: it sets both
        players' step sizes (``lr_x``, ``lr_y``) or, for a method whose step is another
        hyperparameter (complex momentum's ``alpha``), that one. Unknown names raise."""
        return cls(**cls.resolve(hp))

    @classmethod
    def resolve(cls, hp):
        """``hp`` with ``lr`` translated to this algorithm's own step-size names (the one
        place that rule lives); unknown names raise :class:`UnknownNameError`."""
        hp = dict(hp)
        if "lr" in hp and "lr" not in cls.params:
            lr = hp.pop("lr")
            targets = [k for k in ("lr_x", "lr_y") if k in cls.params] or (
                [cls.step_param] if cls.step_param else [])
            if not targets:
                raise InputError(f"{cls.name} has no step size for lr to set "
                                 f"(hyperparameters: {', '.join(cls.params) or 'none'})")
            for key in targets:
                if key in hp:
                    raise InputError(f"give either lr or {key}, not both")
                hp[key] = lr
        unknown = [k for k in hp if k not in cls.params]
        if unknown:
            raise unknown_name(f"hyperparameter of {cls.name}", unknown[0],
                               list(cls.params) + ["lr"])
        return hp

    @classmethod
    def accepts(cls, key):
        """Whether ``key`` (a hyperparameter name or ``lr``) means something to this algorithm."""
        return key in cls.params or (key == "lr" and (any(k in cls.params for k in ("lr_x", "lr_y"))
                                                      or cls.step_param is not None))

    def __getattr__(self, key):
        hp = self.__dict__.get("hp", {})
        if key in hp:
            return hp[key]
        raise AttributeError(key)

    def replace(self, **changes):
        """A copy with some hyperparameters changed."""
        return type(self)(**{**self.hp, **type(self).resolve(changes)})

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.hp.items() if not isinstance(v, np.ndarray))
        return f"{self.name}({args})"

    @property
    def symbolic_hyperparameters(self):
        return any(isinstance(v, sp.Basic) and not v.is_number for v in self.hp.values())

    def _require_exact(self, game):
        self._require_kind(game)
        require_exact_game(game)

    def _require_kind(self, game):
        if check_game(game).is_general_sum and not self.general_sum:
            raise NotSupportedError(f"{self.name} is a zero-sum method (both players follow f); on a "
                                    "general-sum game it would ignore g — use 'stackelberg-fr'")

    def _require_numeric(self):
        if self.symbolic_hyperparameters:
            raise InputError(f"{self!r} has symbolic hyperparameters; only symbolic_jacobian "
                             "accepts them — substitute numbers first")

    # --- the update map -------------------------------------------------------------
    def update(self, game, parts):
        """One step on the state blocks ``parts`` (``[x, y]`` or with memory); backend-generic."""
        raise NotSupportedError(f"{type(self).__name__} defines no update map (update)")

    def state_size(self, game):
        return self.blocks // 2 * (game.n + game.m)

    def init_state(self, game, z0):
        """The state at the start from points ``z0`` (memory starts equal to ``z0``)."""
        z0 = np.asarray(z0, dtype=float)
        return np.concatenate([z0] * (self.blocks // 2), axis=-1)

    def fixed_point_state(self, game, point):
        """The state that corresponds to a fixed point ``z*`` of the game."""
        return self.init_state(game, point)

    def split_state(self, game, state):
        n, m = game.n, game.m
        sizes = [n, m] * (self.blocks // 2)
        bounds = np.cumsum([0] + sizes)
        return [state[..., a:b] if isinstance(state, np.ndarray) else state[:, a:b]
                for a, b in zip(bounds[:-1], bounds[1:])]

    @checked_call
    def step(self, game, state):
        """One step of the update map on ``state`` (shape ``(K,)`` or ``(B, K)``, state order: x, y, then the memory blocks)."""
        self._require_numeric()
        self._require_kind(game)
        state = as_finite_array(state, "state")
        if state.shape[-1] != self.state_size(game):
            raise ShapeError(f"{self.name} state must have {self.state_size(game)} entries "
                             f"({self.blocks // 2} × (n + m)), got shape {state.shape}")
        if type(self).__module__.startswith("stability."):
            return game.ops.hstack(self.update(game, self.split_state(game, state)))
        # a user's subclass: its failures and malformed results are reported as its own
        name = type(self).__name__
        try:
            out = game.ops.hstack(self.update(game, self.split_state(game, state)))
        except StabilityError:
            raise
        except Exception as exc:
            raise InputError(f"the update map of {name} raised {type(exc).__name__}: {exc} (update "
                             "receives the state blocks [(x, y), …] and must return new blocks of "
                             "the same shapes)") from exc
        if getattr(out, "shape", None) != state.shape:
            raise ShapeError(f"the update map of {name} returned shape {getattr(out, 'shape', None)} "
                             f"for a state of shape {state.shape}")
        return out

    # --- Jacobians and spectra ----------------------------------------------------------
    @checked_call
    def jacobian(self, game, point, *, allow_noncritical=False):
        """The Jacobian of the update map at the fixed point ``(z*, …)`` (closed form).
        ``point`` must be critical (:class:`~stability.errors.NotCriticalError` otherwise,
        unless ``allow_noncritical``: the closed forms assume ∇f = 0 there)."""
        self._require_numeric()
        self._require_exact(game)
        self._require_dense_size(game)
        return self.dense_jacobian(JacobianContext(game, point, allow_noncritical=allow_noncritical))

    def dense_jacobian(self, ctx):
        """The Jacobian at the context's point: the closed form, or — for an algorithm that
        defines an update map but no closed form (a user's subclass) — central differences
        of that map (exact up to rounding on quadratic games, O(h²) otherwise; a
        :class:`~stability.StabilityWarning` says so). Non-finite entries raise."""
        if type(self)._closed_form is Algorithm._closed_form:
            if type(self).update is Algorithm.update:
                raise NotSupportedError(f"{type(self).__name__} defines neither an update map "
                                        "(update) nor a closed-form Jacobian (_closed_form)")
            from ..linalg import warn
            warn(f"{type(self).__name__} has no closed-form Jacobian: using central "
                 "differences of its update map")
            J = self.fd_jacobian(ctx.game, ctx.point)
        else:
            with np.errstate(all="ignore"):
                J = self._closed_form(ctx)
        J = np.asarray(J)
        if not np.all(np.isfinite(J)):
            raise NonFiniteError(f"the {self.name} Jacobian has non-finite entries at these "
                                 f"hyperparameters ({self!r}): its entries overflow, so ρ is "
                                 "beyond floating point")
        return J

    def _require_dense_size(self, game):
        size = self.state_size(game)
        if size > defaults["max_dense"]:
            raise DenseTooLargeError(
                f"the {self.name} Jacobian would be a dense {size}×{size} matrix "
                f"(limit config.defaults['max_dense'] = {defaults['max_dense']}); use "
                "stability.matrixfree.spectral_radius / classify for large games")

    def _closed_form(self, ctx):
        raise NotSupportedError(f"{type(self).__name__} has no closed-form Jacobian")

    @checked_call
    def fd_jacobian(self, game, point, h=1e-5, *, allow_noncritical=False):
        """Central-difference Jacobian of :meth:`step` at the fixed-point state of ``point``.

        All ``2K`` perturbed states advance in one batched step. Truncation error is
        ``O(h²)`` (zero for maps that are affine, e.g. on quadratic games). ``point`` must be
        critical (it is a fixed point of the map only then), unless ``allow_noncritical``."""
        check_game(game)
        point = as_finite_array(getattr(point, "point", point), "point", ndim=1)
        game.split(point)  # the right length
        _require_critical(game, point, allow_noncritical)
        h = real_number(h, "h", 0.0)
        state = self.fixed_point_state(game, point)
        K = state.shape[-1]
        steps = h * np.maximum(1.0, np.abs(state))
        E = np.diag(steps)
        out = self.step(game, np.concatenate([state + E, state - E]))
        return ((out[:K] - out[K:]) / (2 * steps[:, None])).T

    @checked_call
    def symbolic_jacobian(self, game, point, *, allow_noncritical=False):
        """The Jacobian at ``point`` by sympy differentiation of :meth:`update`.

        Hyperparameters may be sympy symbols; the point is a sequence of numbers or sympy values.
        A numeric point must be critical (checked in floating point), unless ``allow_noncritical``.
        """
        if not self.fixed_point_jacobian:
            raise NotSupportedError(f"{self.name} has no stationary update map, hence no fixed-point Jacobian")
        self._require_kind(game)
        sg = check_game(game).symbolic()
        values = _sympy_point(point, game.n + game.m)
        if not allow_noncritical:
            if all(v.is_number for v in values) and not getattr(game, "params", None):
                _require_critical(game, [float(v) for v in values], allow_noncritical)
            else:  # symbolic parameters or coordinates: the gradient must vanish identically
                from ..equilibria import stationarity_exprs
                from ..errors import NotCriticalError
                if not hasattr(game, "xs"):
                    raise NotSupportedError("symbolic points need a formula game")
                at = dict(zip(game.xs + game.ys, values))
                residual = [sp.simplify(e.xreplace(at)) for e in stationarity_exprs(game)]
                if any(r != 0 for r in residual):
                    raise NotCriticalError(f"the gradient at {values} is {residual}, not identically 0; "
                                           "pass allow_noncritical=True to differentiate the map there")
        import copy
        exact = copy.copy(self)  # floats read as the exact decimals they print as
        exact.hp = {k: (sp.Rational(repr(v)) if isinstance(v, float) else
                        sp.Rational(repr(v.real)) + sp.I * sp.Rational(repr(v.imag)) if isinstance(v, complex)
                        else v) for k, v in self.hp.items()}
        return exact._symbolic_jacobian_exact(game, sg, point)

    def _symbolic_jacobian_exact(self, game, sg, point):
        K = self.state_size(game)
        syms = [sp.Dummy(f"s{i}", real=True) for i in range(K)]  # cannot clash with user names
        row = sp.Matrix([list(syms)])
        state = self._symbolic_fixed_state(_sympy_point(point, game.n + game.m))
        return self._symbolic_update_jacobian(sg, row, syms, dict(zip(syms, state)))

    def _symbolic_update_jacobian(self, sg, row, syms, at):
        new = sg.ops.hstack(self.update(sg, self.split_state(sg, row)))
        return new.jacobian(syms).xreplace(at)

    def _symbolic_fixed_state(self, values):
        return list(values) * (self.blocks // 2)

    @checked_call
    def spectrum(self, game, point, xp=None, *, allow_noncritical=False):
        """Eigenvalues of the Jacobian at ``point`` (structured shortcut when available).

        ``xp``: an array namespace (``array_api_strict``, ``cupy``, …) in which the structured
        shortcut runs; the result is then an array of that namespace. The dense fallback (no
        shortcut) runs in numpy only."""
        self._require_numeric()
        self._require_exact(game)
        ctx = JacobianContext(game, point, xp=xp, allow_noncritical=allow_noncritical)
        data = self._spectral_data(ctx)
        if data is None:
            if xp is not None:
                raise NotSupportedError(f"{self.name} has no structured spectrum; its dense "
                                        "fallback runs in numpy only (call without xp)")
            self._require_dense_size(game)
            return np.linalg.eigvals(self.dense_jacobian(ctx))
        return self.checked_spectrum(data)

    def checked_spectrum(self, data):
        """The shortcut spectrum from precomputed ``data``, refusing non-finite values (a step
        size so large that the eigenvalue map overflows gives no meaningful ρ)."""
        with np.errstate(all="ignore"):
            values = self._spectrum_from(data)
        if not np.all(np.isfinite(np.asarray(backend.to_numpy(values)))):
            raise NonFiniteError(f"the {self.name} spectrum overflows at these hyperparameters "
                                 f"({self!r}); ρ is beyond floating point")
        return values

    def _spectral_data(self, ctx):
        """Hyperparameter-light precomputation for the shortcut, or None (dense fallback).
        Equal :meth:`_spectral_key` values promise equal data, across algorithms too (GDA, EG,
        OGDA, … share ``("dv", c)``), so a :class:`~stability.spectral.SpectrumCache` computes
        it once for all of them."""
        return None

    def _spectral_key(self):
        return (type(self).__name__,) + tuple(sorted((k, repr(v)) for k, v in self.hp.items()))

    def _spectrum_from(self, data):
        raise NotImplementedError

    @property
    def has_shortcut(self):
        return type(self)._spectral_data is not Algorithm._spectral_data


def _require_critical(game, point, allow_noncritical):
    from ..equilibria import require_critical
    require_critical(game, point, allow_noncritical=allow_noncritical)


def _sympy_point(point, size):
    if hasattr(point, "exact") and getattr(point, "exact") is not None:
        values = list(point.exact)
    else:
        point = getattr(point, "point", point)
        raw = np.asarray(point, dtype=object)
        if raw.ndim != 1:
            raise ShapeError(f"point must be a vector of n + m = {size} numbers, got shape {raw.shape}")
        values = [v if isinstance(v, sp.Basic) else _exact_number(v) for v in raw]
    if len(values) != size:
        raise ShapeError(f"point must have n + m = {size} entries, got {len(values)}")
    return values


def _exact_number(v):
    """A plain number as an exact sympy number (floats as the decimals they print as)."""
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real):
        raise ShapeError(f"point coordinates must be real numbers, got {v!r}")
    v = real_number(v, "point coordinate")
    return sp.Integer(int(v)) if v.is_integer() else sp.Rational(repr(v))


class JacobianContext:
    """Hessian blocks at a fixed point and the derived matrices the closed forms need.
    ``blocks`` and ``S_xp`` are the same in the namespace ``xp`` (numpy when None), for the
    structured spectra."""

    def __init__(self, game, point, xp=None, allow_noncritical=False):
        check_game(game)
        if game.n + game.m > defaults["max_dense"]:
            raise DenseTooLargeError(
                f"n + m = {game.n + game.m} exceeds config.defaults['max_dense'] = "
                f"{defaults['max_dense']} for dense Hessian blocks; use stability.matrixfree")
        self.game = game
        point = getattr(point, "point", point)
        self.point = as_finite_array(point, "point", ndim=1)
        if self.point.shape != (game.n + game.m,):
            raise ShapeError(f"point must have n + m = {game.n + game.m} entries "
                             f"(x: {game.n}, y: {game.m}), got shape {self.point.shape}")
        self.Hxx, self.Hxy, self.Hyy = game.blocks_at(self.point)
        from ..equilibria import require_critical
        require_critical(game, self.point, allow_noncritical=allow_noncritical,
                         H=np.block([[self.Hxx, self.Hxy], [self.Hxy.T, self.Hyy]]))
        self.Hyx = self.Hxy.T
        self.n, self.m = game.n, game.m
        self.N = self.n + self.m
        if xp is not None and not (hasattr(xp, "asarray") and hasattr(xp, "linalg")):
            raise InputError(f"xp must be an array namespace module (numpy, cupy, array_api_strict), got {xp!r}")
        self.xp = xp

    @cached_property
    def blocks(self):
        """``(Hxx, Hxy, Hyy)`` in the context's namespace (numpy by default)."""
        if self.xp is None:
            return self.Hxx, self.Hxy, self.Hyy
        return tuple(backend.to_namespace(b, self.xp) for b in (self.Hxx, self.Hxy, self.Hyy))

    @cached_property
    def S_xp(self):
        """``S`` in the context's namespace."""
        if self.xp is None:
            return self.S
        check_invertible(self.Hyy, "Hyy")
        return backend.schur_complement(*self.blocks)

    def I(self, k=None):
        return np.eye(self.N if k is None else k)

    @cached_property
    def H(self):
        return np.block([[self.Hxx, self.Hxy], [self.Hyx, self.Hyy]])

    @cached_property
    def V(self):
        return np.block([[self.Hxx, self.Hxy], [-self.Hyx, -self.Hyy]])

    @cached_property
    def A(self):
        Z = np.zeros
        return np.block([[Z((self.n, self.n)), self.Hxy], [-self.Hyx, Z((self.m, self.m))]])

    @cached_property
    def Hyy_inv(self):
        check_invertible(self.Hyy, "Hyy")
        return np.linalg.inv(self.Hyy)

    @cached_property
    def K(self):
        return self.Hyy_inv @ self.Hyx

    @cached_property
    def S(self):
        check_invertible(self.Hyy, "Hyy")
        return backend.schur_complement(self.Hxx, self.Hxy, self.Hyy)

    def D(self, lr_x, lr_y):
        return np.concatenate([np.full(self.n, lr_x), np.full(self.m, lr_y)])

    @cached_property
    def L(self):
        return np.block([[np.eye(self.n), np.zeros((self.n, self.m))], [-self.K, np.eye(self.m)]])


def companion(top_left, top_right):
    """``[[top_left, top_right], [I, 0]]``: the Jacobian of a one-step-memory map."""
    N = top_left.shape[0]
    return np.block([[top_left, top_right], [np.eye(N), np.zeros((N, N))]])
