"""The algorithm protocol (docs/MATHEMATICS.md §3).

An algorithm is a small immutable object holding its hyperparameters. Its one update map,
:meth:`Algorithm.update`, is written against the game oracle and its block algebra, so:

- :meth:`Algorithm.step` runs it on numpy (batched; what the iteration engine calls);
- :meth:`Algorithm.symbolic_jacobian` runs it on the sympy view of the game and lets sympy
  differentiate it — an independent check of the closed form;
- :meth:`Algorithm.fd_jacobian` and the default :meth:`Algorithm.jvp` difference it;
- :meth:`Algorithm.closed_form` is the Jacobian from the Hessian blocks (each docstring);
- :meth:`Algorithm.spectrum` uses the structured shortcut (:meth:`spectral_data`,
  :meth:`spectrum_from`) where one exists — the one route to spectra.

Capabilities are class attributes, so tests and tools derive their tables from the registry:
``copies`` (of ``(x, y)`` in the state; ``memory`` when more than one), ``has_shortcut``,
``real_spectrum``, ``inverts_hyy``, ``general_sum``, ``stationary``, ``shortcut_for_sweeps``,
``sparse_closed_form``.
"""

import copy

import numpy as np
import sympy as sp

from .. import backend
from ..config import defaults
from ..errors import (DenseTooLargeError, InputError, NonFiniteError, NotSupportedError,
                      ShapeError, StabilityError, checked_call, unknown_name)
from ..games.base import check_game, require_exact_game
from ..linalg import as_finite_array, warn
from ..linalg.eigen import CountedOperator, dense_radius, largest_magnitude
from . import linearization
from .context import DenseProducts, JacobianContext
from .params import (accepts, document, exact_key, plain_hyperparameters, resolve_step_sizes, same_hyperparameters,
                     signature)


class Algorithm:
    """Base class. Subclasses set ``name``, ``params``, ``reference`` and implement
    :meth:`update` and :meth:`closed_form`; shortcuts override :meth:`spectral_data` and
    :meth:`spectrum_from`. Each hyperparameter of ``params`` becomes a read-only attribute and
    a keyword of the class signature; the docstring gains its hyperparameters, reference and
    an example."""

    name = ""
    aliases = ()
    reference = ""
    params = {}
    example_hyperparameters = {}
    """Hyperparameters (besides the step sizes) that exercise every term of the map: the
    docstring's example, and what the table-driven tests run."""
    copies = 1
    """Copies of ``(x, y)`` in the state: 1, 2 with one step of memory, 3 for complex momentum."""
    stationary = True
    """False for maps that change from step to step (no fixed-point Jacobian)."""
    general_sum = False
    """True for maps written for general-sum games (the follower descends its own g); the
    others use f for both players and refuse general-sum games rather than ignore g."""
    real_spectrum = False
    """True when the Jacobian's eigenvalues at a fixed point are real (FR's family)."""
    inverts_hyy = False
    """True when the map solves with Hyy (undefined where Hyy is singular)."""
    step_param = None
    """The hyperparameter that plays the step size when it is not ``lr``/``lr_x`` (CM: α)."""
    gradient_calls = None
    """Gradient evaluations per step of a method whose iterates stay in the Krylov space of the
    gradients — after k steps on a quadratic game the error is p(V)e₀ with p of degree
    k·gradient_calls and p(0) = 1, so ρ^(1/gradient_calls) is bounded below by the class's
    Krylov bound (:func:`~stability.spectral.classes.lower_bound`). None for the others:
    implicit steps (IU's resolvent) and maps that use the blocks or the Hessian apart."""
    has_shortcut = False
    """True when the spectrum has a structured shortcut (set from the class's methods)."""
    shortcut_for_sweeps = False
    """True when the shortcut is a full eigendecomposition that serves only this algorithm's
    step sizes (CO, SGA): sweeps and repeated spectra use it, while one ρ, as in a table, is
    cheaper from Arnoldi on the dense Jacobian (unless the data is already computed)."""
    sparse_closed_form = False
    """True when :meth:`closed_form` needs only what a
    :class:`~stability.algorithms.context.SparseJacobianContext` offers (``V``, ``A``, ``I``,
    ``DV`` and sparse algebra), so matrix-free analysis of a game with sparse blocks can
    factor ``J − σI`` (shift-and-invert)."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.has_shortcut = cls.spectral_data is not Algorithm.spectral_data
        for key, param in cls.params.items():
            clash = getattr(Algorithm, key, None)
            if clash is not None and not isinstance(clash, property):
                raise TypeError(f"hyperparameter {key!r} of {cls.__name__} clashes with Algorithm.{key}")
            setattr(cls, key, property(lambda self, _key=key: self.hp[_key], doc=param.doc))
        cls.__signature__ = signature(cls.params)
        if cls.name and "__doc__" in cls.__dict__:
            cls.__doc__ = document(cls)

    @property
    def memory(self):
        """Whether the state holds earlier iterates (``copies > 1``)."""
        return self.copies > 1

    def __init__(self, **hp):
        unknown = [k for k in hp if k not in self.params]
        if unknown:
            raise unknown_name(f"hyperparameter of {self.name}", unknown[0], self.params)
        values = {k: p.default for k, p in self.params.items()}
        values.update(hp)
        self.hp = {k: self.params[k].check(k, v) for k, v in values.items()}

    # --- hyperparameters: the lr rule lives here and nowhere else ------------------------
    @classmethod
    def build(cls, **hp):
        """Build from user hyperparameters. ``lr`` is the one step size: it sets both
        players' step sizes (``lr_x``, ``lr_y``) or, for a method whose step is another
        hyperparameter (complex momentum's ``alpha``), that one. Unknown names raise."""
        return cls(**cls.resolve(hp))

    resolve = classmethod(resolve_step_sizes)
    accepts = classmethod(accepts)

    def exact_copy(self, hp):
        """A copy holding ``hp`` as given — exact numbers that :class:`Param` checks would
        turn into floats — for the symbolic and certified Jacobians (wrappers pass theirs on)."""
        out = copy.copy(self)
        out.hp = dict(hp)
        return out

    def replace(self, **changes):
        """A copy with some hyperparameters changed (``lr`` sets every step size)."""
        return type(self)(**{**self.hp, **type(self).resolve(changes)})

    def with_hyperparameter(self, param, value):
        """A copy with ``param`` set to ``value``; ``"lr"`` is the step size, the ratio
        ``ηy/ηx`` kept (what a sweep or a stable set over the step size varies)."""
        if not isinstance(param, str):
            raise InputError(f"param must be a hyperparameter name, got {param!r}")
        if not type(self).accepts(param):
            raise unknown_name(f"hyperparameter of {self.name}", param, list(self.params) + ["lr"])
        ratio = None
        if param == "lr" and "lr" not in self.params and {"lr_x", "lr_y"} <= set(self.params):
            ratio = self.hp["lr_y"] / self.hp["lr_x"]
        return type(self)(**{**self.hp, **type(self).resolve({param: value}, ratio)})

    def __eq__(self, other):
        if type(self) is not type(other):
            return NotImplemented
        return same_hyperparameters(self.hp, other.hp)

    def __hash__(self):
        return hash((type(self), tuple(sorted(self.hp))))

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.hp.items() if not isinstance(v, np.ndarray))
        return f"{self.name}({args})"

    def to_dict(self):
        """``{"name", "hyperparameters"}`` as plain data (complex values as [re, im])."""
        return {"name": self.name, "hyperparameters": plain_hyperparameters(self.hp)}

    @property
    def symbolic_hyperparameters(self):
        return any(isinstance(v, sp.Basic) and not v.is_number for v in self.hp.values())

    def require_applicable(self, game, exact=True):
        """Raise unless this map may be analysed on ``game``: numeric hyperparameters, the
        right kind of game (zero-sum maps refuse general-sum games rather than ignore g) and,
        with ``exact``, a game whose Hessian operations are not approximations."""
        self.require_numeric()
        self._require_kind(game)
        if exact:
            require_exact_game(game)

    def require_numeric(self):
        """Raise unless every hyperparameter is a number (symbols: symbolic_jacobian only)."""
        if self.symbolic_hyperparameters:
            raise InputError(f"{self!r} has symbolic hyperparameters; only symbolic_jacobian "
                             "accepts them — substitute numbers first")

    def _require_kind(self, game):
        if check_game(game).is_general_sum and not self.general_sum:
            raise NotSupportedError(f"{self.name} is a zero-sum method (both players follow f); on a "
                                    "general-sum game it would ignore g — use 'stackelberg-fr'")

    def _require_dense_size(self, game):
        size = self.state_size(game)
        if size > defaults["linalg.max_dense"]:
            raise DenseTooLargeError(
                f"the {self.name} Jacobian would be a dense {size}×{size} matrix "
                f"(limit config.defaults['linalg.max_dense'] = {defaults['linalg.max_dense']}); use "
                "stability.matrixfree.spectral_radius / classify for large games")

    # --- the update map -------------------------------------------------------------
    def update(self, game, parts):
        """One step on the state blocks ``parts`` (``[x, y]``, then the memory); backend-generic."""
        raise NotSupportedError(f"{type(self).__name__} defines no update map (update)")

    def state_size(self, game):
        return self.copies * (game.n + game.m)

    def init_state(self, game, z0):
        """The state at the start from points ``z0`` (memory starts equal to ``z0``)."""
        return np.concatenate([np.asarray(z0, dtype=float)] * self.copies, axis=-1)

    def fixed_point_state(self, game, point):
        """The state that corresponds to a fixed point ``z*`` of the game."""
        return self.init_state(game, point)

    def split_state(self, game, state):
        bounds = np.cumsum([0] + [game.n, game.m] * self.copies)
        return [state[..., a:b] if isinstance(state, np.ndarray) else state[:, a:b]
                for a, b in zip(bounds[:-1], bounds[1:])]

    @checked_call
    def step(self, game, state):
        """One step of the update map on ``state`` (shape ``(K,)`` or ``(B, K)``, state order:
        x, y, then the memory copies)."""
        self.require_applicable(game, exact=False)
        state = as_finite_array(state, "state")
        if state.shape[-1] != self.state_size(game):
            raise ShapeError(f"{self.name} state must have {self.state_size(game)} entries "
                             f"({self.copies} × (n + m)), got shape {state.shape}")
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

    # --- Jacobians ---------------------------------------------------------------------
    @checked_call
    def jacobian(self, game, point, *, allow_noncritical=False):
        """The Jacobian of the update map at the fixed point ``(z*, …)`` (closed form).
        ``point`` must be critical (:class:`~stability.errors.NotCriticalError` otherwise,
        unless ``allow_noncritical``: the closed forms assume ∇f = 0 there)."""
        self.require_applicable(game)
        self._require_dense_size(game)
        return self.dense_jacobian(JacobianContext(game, point, allow_noncritical=allow_noncritical))

    def closed_form(self, ctx):
        """The Jacobian at the context's point from the Hessian blocks (docs/MATHEMATICS.md §3)."""
        raise NotSupportedError(f"{type(self).__name__} has no closed-form Jacobian")

    def dense_jacobian(self, ctx):
        """The Jacobian at the context's point: the closed form, or — for an algorithm that
        defines an update map but no closed form (a user's subclass) — central differences
        of that map (exact up to rounding on quadratic games, O(h²) otherwise; a
        :class:`~stability.StabilityWarning` says so). Non-finite entries raise."""
        if type(self).closed_form is Algorithm.closed_form:
            if type(self).update is Algorithm.update:
                raise NotSupportedError(f"{type(self).__name__} defines neither an update map "
                                        "(update) nor a closed-form Jacobian (closed_form)")
            warn(f"{type(self).__name__} has no closed-form Jacobian: using central "
                 "differences of its update map")
            J = self.fd_jacobian(ctx.game, ctx.point)
        else:
            with np.errstate(all="ignore"):
                J = self.closed_form(ctx)
        J = np.asarray(J)
        if not np.all(np.isfinite(J)):
            raise NonFiniteError(f"the {self.name} Jacobian has non-finite entries at these "
                                 f"hyperparameters ({self!r}): its entries overflow, so ρ is "
                                 "beyond floating point")
        return J

    @checked_call
    def fd_jacobian(self, game, point, h=1e-5, *, allow_noncritical=False):
        """Central-difference Jacobian of :meth:`step` at the fixed-point state of ``point``.

        All ``2K`` perturbed states advance in one batched step. Truncation error is
        ``O(h²)`` (zero for maps that are affine, e.g. on quadratic games). ``point`` must be
        critical (it is a fixed point of the map only then), unless ``allow_noncritical``."""
        return linearization.fd_jacobian(self, game, point, h, allow_noncritical)

    def jvp(self, blocks):
        """``v ↦ J v`` at the fixed point of ``blocks`` (a
        :class:`~stability.matrixfree.HessianProducts`), never forming J. By default the
        directional derivative of :meth:`step` by central differences (exact up to rounding on
        quadratic games, where the map is affine); maps with a closed form in Hessian
        products override it."""
        return linearization.fd_jvp(self, blocks)

    def symmetric_parts(self, blocks):
        """For a map whose spectrum lies in ``∪ᵢ (aᵢ + cᵢ spec(Aᵢ))`` with symmetric ``Aᵢ``
        and contains each extreme of it: the list of ``(v ↦ Aᵢ v, size, name, aᵢ, cᵢ)`` at
        ``blocks`` (matrix-free ρ from extreme eigenvalues); None otherwise."""
        return None

    @checked_call
    def symbolic_jacobian(self, game, point, *, allow_noncritical=False):
        """The Jacobian at ``point`` by sympy differentiation of :meth:`update`.

        Hyperparameters may be sympy symbols; the point is a sequence of numbers or sympy values.
        A numeric point must be critical (checked in floating point), unless ``allow_noncritical``.
        """
        return linearization.symbolic_jacobian(self, game, point, allow_noncritical)

    def symbolic_update_jacobian(self, sg, row, syms, at):
        """The Jacobian of the update map run on the sympy view ``sg`` at the state symbols
        ``syms`` (``row``), evaluated at ``at`` (implicit maps override it)."""
        new = sg.ops.hstack(self.update(sg, self.split_state(sg, row)))
        return new.jacobian(syms).xreplace(at)

    def linear_jacobian(self, model):
        """The Jacobian of the update map on a linear oracle ``model`` whose critical point is
        the origin (:class:`stability.certify.algebra.LinearModel`, exact or ball matrices):
        the map is linear there, so one run on the identity rows gives it (row i of the
        output is ``(J eᵢ)ᵀ``). Implicit maps override it."""
        rows = model.ops.eye(self.state_size(model))
        return model.ops.mT(model.ops.hstack(self.update(model, self.split_state(model, rows))))

    def symbolic_fixed_state(self, values):
        """The fixed-point state of the exact point ``values`` (sympy numbers)."""
        return list(values) * self.copies

    # --- spectra: the one route ---------------------------------------------------------
    @checked_call
    def spectrum(self, game, point, xp=None, *, allow_noncritical=False):
        """Eigenvalues of the Jacobian at ``point`` (structured shortcut when available).

        ``xp``: an array namespace (``array_api_strict``, ``cupy``, …) in which the structured
        shortcut runs; the result is then an array of that namespace. The dense fallback (no
        shortcut) runs in numpy only."""
        self.require_applicable(game)
        return self.context_spectrum(JacobianContext(game, point, xp=xp, allow_noncritical=allow_noncritical))

    def context_spectrum(self, ctx, memo=None):
        """The spectrum at a :class:`JacobianContext`; ``memo`` (a dict) shares structured
        precomputations between algorithms with equal :meth:`spectral_key` (a
        :class:`~stability.spectral.SpectrumCache` passes its own)."""
        self.require_applicable(ctx.game)
        if not self.has_shortcut:
            if ctx.xp is not None:
                raise NotSupportedError(f"{self.name} has no structured spectrum; its dense "
                                        "fallback runs in numpy only (call without xp)")
            self._require_dense_size(ctx.game)
            return np.linalg.eigvals(self.dense_jacobian(ctx)).astype(complex)
        if memo is None:
            data = self.spectral_data(ctx)
        else:
            key = self.spectral_key()
            if key not in memo:
                memo[key] = self.spectral_data(ctx)
            data = memo[key]
        with np.errstate(all="ignore"):
            values = self.spectrum_from(data)
        xp = backend.namespace(values)  # checked where the values live: no copy to the host
        if not bool(xp.all(xp.isfinite(values))):
            raise NonFiniteError(f"the {self.name} spectrum overflows at these hyperparameters "
                                 f"({self!r}); ρ is beyond floating point")
        return values

    def context_radius(self, ctx, memo=None):
        """ρ at a :class:`JacobianContext`: from the structured spectrum, or, without one, from
        the dense Jacobian by the residual-checked ARPACK helper
        (:func:`~stability.linalg.eigen.dense_radius`)."""
        arnoldi = (self.shortcut_for_sweeps and ctx.xp is None and (memo is None or self.spectral_key() not in memo)
                   and self.state_size(ctx.game) >= defaults["linalg.arnoldi_min"])
        if self.has_shortcut and not arnoldi:
            values = self.context_spectrum(ctx, memo)
            xp = backend.namespace(values)
            return float(xp.max(xp.abs(values)))  # one scalar leaves the device
        if ctx.xp is not None:
            raise NotSupportedError(f"{self.name} has no structured spectrum; its dense fallback runs "
                                    "in numpy only (call without xp)")
        self.require_applicable(ctx.game)
        self._require_dense_size(ctx.game)
        size = self.state_size(ctx.game)
        if self.copies > 1 and type(self).jvp is not Algorithm.jvp and size >= defaults["linalg.arnoldi_min"]:
            # a map with memory: its Jacobian is (copies·N)² dense, its exact jvp a few N² products
            op = CountedOperator(self.jvp(DenseProducts(ctx)), size, name=f"{self.name} Jacobian")
            return abs(largest_magnitude(op, k=6, tol=1e-13, matrix=lambda: self.dense_jacobian(ctx)).value)
        return dense_radius(self.dense_jacobian(ctx))

    def spectral_key(self):
        """Equal keys promise equal :meth:`spectral_data`, across algorithms too (GDA, EG,
        OGDA, … share ``("dv", c)``), so a cache computes it once for all of them."""
        return (type(self).__name__,) + tuple((k, exact_key(v)) for k, v in sorted(self.hp.items()))

    def spectral_data(self, ctx):
        """Hyperparameter-light precomputation for the structured spectrum (overridden by the
        algorithms that have one)."""
        raise NotSupportedError(f"{self.name} has no structured spectrum")

    def spectrum_from(self, data):
        """The spectrum from :meth:`spectral_data` at this algorithm's hyperparameters."""
        raise NotSupportedError(f"{self.name} has no structured spectrum")
