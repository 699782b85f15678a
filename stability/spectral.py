"""Spectra of update maps at fixed points: radius, rate, iterations, sweeps, tables."""

from dataclasses import dataclass

import numpy as np

from . import algorithms as _algorithms
from .algorithms.base import JacobianContext, as_algorithm
from .errors import InputError, SingularBlockError, StabilityError, checked_call, unknown_name
from .linalg import as_finite_array, count, interval, real_number, short
from .progress import Progress


def _check_executor(executor):
    if executor is not None and not callable(getattr(executor, "submit", None)):
        raise InputError(f"executor must be a concurrent.futures.Executor (with submit), got {executor!r}")


@checked_call
def spectrum(algorithm, game, point, *, allow_noncritical=False, **hp):
    """Eigenvalues of the update map's Jacobian at ``point`` (structured shortcut when one applies).

    ``point`` must be a critical point of the game (the fixed points of every update map
    here); :class:`~stability.errors.NotCriticalError` otherwise, unless ``allow_noncritical``."""
    return as_algorithm(algorithm, **hp).spectrum(game, point, allow_noncritical=allow_noncritical)


@checked_call
def stability_verdict(rho, margin=None):
    """What a computed ρ says: True (``ρ < 1 − margin``: strictly stable), False
    (``ρ > 1 + margin``: unstable) or None (marginal: ``|ρ − 1| ≤ margin`` decides nothing).

    ``margin`` defaults to ``config.defaults["rho_margin"]`` = 2⁻²⁶ ≈ 1.5e-8 = √ε: a
    floating-point eigenvalue solver returns simple eigenvalues to about ε·cond, but the
    eigenvalues of a Jordan block of size 2 only to about √ε (GDA on g1 at η = 0.05 gives
    ρ = 1.1 + 2e-9), and Jacobians whose eigenvalues lie exactly on the unit circle
    (alternating GDA on a bilinear game) come out as 1 ± 1e-15. See docs/NUMERICS.md."""
    from .config import defaults
    margin = real_number(defaults["rho_margin"] if margin is None else margin, "margin (config.defaults['rho_margin'])", 0.0)
    if rho != np.inf:  # inf: the map is undefined there (unstable)
        rho = real_number(rho, "rho", 0.0)
    if rho < 1 - margin:
        return True
    if rho > 1 + margin:
        return False
    return None


@checked_call
def spectral_radius(algorithm, game, point, *, allow_noncritical=False, **hp):
    """``ρ(J)``: the point is strictly stable iff ``ρ < 1`` (a computed ρ within
    ``config.defaults["rho_margin"]`` of 1 decides nothing; see :func:`stability_verdict`)."""
    return float(np.max(np.abs(spectrum(algorithm, game, point, allow_noncritical=allow_noncritical, **hp))))


@checked_call
def rate(algorithm, game, point, *, allow_noncritical=False, **hp):
    """Local linear rate ``1 − ρ`` (negative: the point repels)."""
    return 1.0 - spectral_radius(algorithm, game, point, allow_noncritical=allow_noncritical, **hp)


@checked_call
def iterations_to_tolerance(algorithm, game, point, eps=1e-6, *, allow_noncritical=False, **hp):
    """Iterations to shrink the error by ``eps`` asymptotically: ``log ε / log ρ`` (inf if ρ ≥ 1)."""
    eps = real_number(eps, "eps", 0.0, 1.0, inclusive=False)
    rho = spectral_radius(algorithm, game, point, allow_noncritical=allow_noncritical, **hp)
    if rho >= 1:
        return float("inf")
    return 0.0 if rho == 0 else float(np.log(eps) / np.log(rho))


@dataclass
class Sweep:
    """Spectral radius and eigenvalues of one algorithm over the values of one hyperparameter.
    ``interrupted``: the sweep was stopped with Ctrl-C; ``values`` holds the part computed.
    ``undefined``: values at which the update map is not defined (a singular block it
    inverts, e.g. I + D·V for IU); their radius is ``inf`` and their eigenvalues ``None``."""

    algorithm: str
    param: str
    values: np.ndarray
    radius: np.ndarray
    eigenvalues: list
    interrupted: bool = False

    @property
    def undefined(self):
        return [float(v) for v, e in zip(self.values, self.eigenvalues) if e is None]

    def plot(self, ax=None, **kwargs):
        """ρ against the hyperparameter; see :func:`stability.plotting.plot_radius`."""
        from .plotting import plot_radius
        return plot_radius(self, ax=ax, **kwargs)

    def plot_eigenvalues(self, ax=None, **kwargs):
        """The eigenvalues in the unit disc, coloured by the hyperparameter."""
        from .plotting import plot_eigenvalue_map
        return plot_eigenvalue_map(self, ax=ax, **kwargs)


@checked_call
def sweep(algorithm, game, point, param, values, executor=None, chunks=8, *, allow_noncritical=False,
          **hp):
    """Spectra over ``values`` of hyperparameter ``param`` (``lr`` keeps the ratio ηy/ηx).

    The algorithm's structured precomputation (e.g. one eigendecomposition of ``diag(I,cI)V``
    for the DV-family, the eigenvalues of ``S`` and ``Hyy`` for FR) is done once and reused
    for every value that leaves it unchanged. With a ``concurrent.futures.Executor`` (a process
    pool, or a ``dask.distributed`` client's executor) the values are split into ``chunks``
    that run in parallel, one precomputation per chunk. Ctrl-C stops a serial sweep cleanly:
    the result holds the values done so far and ``interrupted=True``.
    """
    base = as_algorithm(algorithm, **hp)
    values = as_finite_array(values, "values", ndim=1)
    if values.size == 0:
        raise InputError("values must not be empty")
    from .config import defaults
    if values.size > defaults["max_sweep_values"]:
        raise InputError(f"a sweep over {values.size} values exceeds config.defaults['max_sweep_values'] "
                         f"= {defaults['max_sweep_values']}; split it (each part may run on an executor)")
    chunks = count(chunks, "chunks", 1, high=10 ** 6)
    _with(base, param, values[0])  # a bad name fails here, not in a worker
    _check_executor(executor)
    if executor is not None:
        parts = np.array_split(values, min(count(chunks, "chunks"), len(values)))
        futures = [executor.submit(_sweep_part, base, game, point, param, part, allow_noncritical)
                   for part in parts]
        eigs = [e for f in futures for e in f.result()]
        return _sweep_result(base.name, param, values, eigs)
    spectra, eigs, interrupted = SpectrumCache(game, point, allow_noncritical), [], False
    with Progress(f"sweep {base.name} over {param}", len(values)) as progress:
        try:
            for i, value in enumerate(values):
                eigs.append(_spectrum_or_none(spectra, _with(base, param, value)))
                progress.update(i + 1)
        except KeyboardInterrupt:
            interrupted = True
    done = values[:len(eigs)]
    return _sweep_result(base.name, param, done, eigs, interrupted)


def _spectrum_or_none(spectra, alg):
    """The spectrum, or None where the update map is undefined at this value (IU with a
    singular I + D·V): a sweep reports such values instead of stopping at them."""
    try:
        return spectra.spectrum(alg)
    except SingularBlockError:
        return None


def _sweep_result(name, param, values, eigs, interrupted=False):
    radius = np.array([np.inf if e is None else np.abs(e).max() for e in eigs])
    return Sweep(name, param, values, radius, eigs, interrupted)


def _sweep_part(base, game, point, param, values, allow_noncritical=False):
    spectra = SpectrumCache(game, point, allow_noncritical)
    return [_spectrum_or_none(spectra, _with(base, param, value)) for value in values]


class SpectrumCache:
    """Spectra of many algorithm instances at one point, reusing structured precomputations.

    An algorithm's :meth:`~Algorithm._spectral_data` depends only on its
    :meth:`~Algorithm._spectral_key` (e.g. the ratio ηy/ηx for the DV-family, nothing for FR),
    so it is computed once per key; algorithms without a shortcut use the dense eigensolver.
    """

    def __init__(self, game, point, allow_noncritical=False):
        self.ctx = JacobianContext(game, point, allow_noncritical=allow_noncritical)
        self._data = {}

    def spectrum(self, alg):
        alg._require_numeric()
        alg._require_exact(self.ctx.game)
        if not alg.has_shortcut:
            alg._require_dense_size(self.ctx.game)
            return np.linalg.eigvals(alg.dense_jacobian(self.ctx)).astype(complex)
        key = alg._spectral_key()
        if key not in self._data:
            self._data[key] = alg._spectral_data(self.ctx)
        return np.asarray(alg.checked_spectrum(self._data[key]), dtype=complex)

    def radius(self, alg):
        """ρ. Without a structured shortcut and for Jacobians of at least ``ARNOLDI_MIN`` rows, ρ
        comes from ARPACK (the 6 eigenvalues of largest modulus of the dense Jacobian, each
        checked by its residual) instead of a full eigendecomposition; if ARPACK does not
        converge, the full eigensolver decides."""
        if alg.has_shortcut or alg.state_size(self.ctx.game) < ARNOLDI_MIN:
            return float(np.max(np.abs(self.spectrum(alg))))
        alg._require_numeric()
        alg._require_exact(self.ctx.game)
        alg._require_dense_size(self.ctx.game)
        J = alg.dense_jacobian(self.ctx)
        rho = _arnoldi_radius(J)
        return rho if rho is not None else float(np.max(np.abs(np.linalg.eigvals(J))))


ARNOLDI_MIN = 400
"""Jacobians with at least this many rows get ρ from ARPACK rather than a full eigensolve."""


def _arnoldi_radius(J, k=6, tol=1e-13):
    import scipy.sparse.linalg as spla
    v0 = np.random.default_rng(0).standard_normal(J.shape[0])
    try:
        vals, vecs = spla.eigs(J, k=k, which="LM", v0=v0, tol=tol, ncv=min(J.shape[0] - 1, 4 * k + 20),
                               maxiter=max(1000, J.shape[0]))
    except spla.ArpackNoConvergence:
        return None
    vecs = vecs / np.linalg.norm(vecs, axis=0)
    residual = np.linalg.norm(J @ vecs - vecs * vals, axis=0) / np.maximum(np.abs(vals), np.finfo(float).tiny)
    if np.any(residual > 1e-10):
        return None
    return float(np.max(np.abs(vals)))


def _with(alg, param, value):
    """``alg`` with hyperparameter ``param`` set to ``value``; ``"lr"`` means the step size:
    both players' (keeping the ratio ηy/ηx) or the algorithm's ``step_param`` (CM's α)."""
    if not isinstance(param, str):
        raise InputError(f"param must be a hyperparameter name, got {param!r}")
    if param == "lr" and "lr" not in alg.params and "lr_x" in alg.params and "lr_y" in alg.hp:
        ratio = alg.hp["lr_y"] / alg.hp["lr_x"]
        return alg.replace(lr_x=value, lr_y=ratio * value)
    if not type(alg).accepts(param):
        raise unknown_name(f"hyperparameter of {alg.name}", param, list(alg.params) + ["lr"])
    return alg.replace(**{param: value})


@checked_call
def table(game, point, names=None, executor=None, *, allow_noncritical=False, **hp):
    """``{algorithm: ρ}`` at default (or given) hyperparameters; errors become their message.

    ``names`` is one registry name or a sequence of them (default :data:`DEFAULT_TABLE`).
    Each keyword of ``hp`` is applied to every algorithm of the table that has it (``lr``:
    every step size); a keyword that no algorithm in the table has raises.

    One :class:`SpectrumCache` serves the whole table, so algorithms that share structure
    share its cost (one eigendecomposition of V for GDA, EG, OGDA, PM, IU, heavy ball and
    complex momentum; one of S and Hyy for FR, FR with momentum and HessianFR). With an
    ``executor`` the algorithms run in parallel instead (each with its own cache)."""
    names = table_names(names)
    check_table_hyperparameters(names, hp)
    _check_executor(executor)
    if executor is not None:
        futures = {name: executor.submit(_table_row, name, game, point, hp, None, allow_noncritical)
                   for name in names}
        return {name: f.result() for name, f in futures.items()}
    cache = SpectrumCache(game, point, allow_noncritical)  # a non-critical point raises here
    return {name: _table_row(name, game, point, hp, cache) for name in names}


def table_names(names):
    """``names`` as a list of registry names (one string is one name), each checked."""
    if names is None:
        return list(DEFAULT_TABLE)
    if isinstance(names, str):
        names = [names]
    try:
        names = list(names)
    except TypeError:
        raise InputError(f"names must be an algorithm name or a sequence of names, got {names!r}") from None
    if not names:
        raise InputError("names must not be empty")
    for name in names:
        if not isinstance(name, str):
            raise InputError(f"algorithm names must be strings, got {name!r}")
        _algorithms.describe(name)  # unknown names raise with suggestions
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise InputError(f"names lists {', '.join(repeated)} more than once (a table has one row per name)")
    return names


def check_table_hyperparameters(names, hp):
    """Raise for a keyword that no algorithm among ``names`` has (a typo such as ``lrr``)."""
    classes = [_algorithms.describe(name) for name in names]
    known = sorted({k for cls in classes for k in cls.params} | {"lr"})
    for key in hp:
        if not any(cls.accepts(key) for cls in classes):
            raise unknown_name("hyperparameter (no algorithm in the table has it)", key, known)
    for name in names:  # a bad value is the caller's error, not a row's: it raises (lr=-1, beta="a")
        _algorithms.get(name, **_applicable(name, hp))


@checked_call
def tables(items, names=None, executor=None, *, allow_noncritical=False, **hp):
    """One :func:`table` per ``(game, point)`` of ``items``, in order; in parallel with an executor."""
    names = table_names(names)
    check_table_hyperparameters(names, hp)
    try:
        items = [(game, point) for game, point in items]
    except (TypeError, ValueError):
        raise InputError("items must be a sequence of (game, point) pairs") from None
    _check_executor(executor)
    if executor is None:
        return [table(game, point, names, allow_noncritical=allow_noncritical, **hp)
                for game, point in items]
    futures = [executor.submit(table, game, point, names, None, allow_noncritical=allow_noncritical, **hp)
               for game, point in items]
    return [f.result() for f in futures]


def _table_row(name, game, point, hp, cache=None, allow_noncritical=False):
    try:
        alg = _algorithms.get(name, **_applicable(name, hp))
        if cache is None:
            return spectral_radius(alg, game, point, allow_noncritical=allow_noncritical)
        return cache.radius(alg)
    except StabilityError as exc:
        return f"{type(exc).__name__}: {exc}"


DEFAULT_TABLE = ("gda", "altgda", "gdak", "eg", "ogda", "pm", "iu", "co", "sga", "hb",
                 "fr", "fr-momentum", "hessianfr", "gdn", "lead", "cgd", "complex-momentum")


def _applicable(name, hp):
    """The keywords of ``hp`` that algorithm ``name`` has (``lr`` included where it has a step)."""
    cls = _algorithms.describe(name)
    return {k: v for k, v in hp.items() if cls.accepts(k)}


# --- stable step sizes -------------------------------------------------------------------
@dataclass
class StableSet:
    """The values of ``param`` in ``(lo, hi)`` where the point is strictly stable, as disjoint
    open intervals on which ``ρ < 1 − margin`` (:func:`stability_verdict`); boundaries are
    roots of ``ρ − 1`` (or of ``ρ − (1 − margin)`` next to a marginal value) to ``xtol``.
    ``marginal`` lists, to the grid's resolution, the intervals where ``|ρ − 1| ≤ margin``:
    there floating point cannot tell stable from unstable (e.g. ρ ≡ 1 for alternating GDA
    on a bilinear game), and nothing is claimed."""

    algorithm: str
    param: str
    intervals: list
    sweep: Sweep
    marginal: list = None
    margin: float = 0.0

    def contains(self, value):
        """Whether ``value`` lies in one of the stable intervals."""
        value = real_number(value, "value")
        return any(a < value < b for a, b in self.intervals)

    @property
    def empty(self):
        return not self.intervals


@checked_call
def stable_step_sizes(algorithm, game, point, param="lr", bounds=(0.0, 2.0), num=2000,
                      xtol=1e-12, *, allow_noncritical=False, **hp):
    """Where ``ρ(param) < 1`` within ``bounds``.

    ρ is continuous in the hyperparameter, so every boundary is a sign change of ``ρ − 1``:
    a grid of ``num`` values (one structured factorisation, reused) brackets each one and
    Brent's method refines it to ``xtol``. A tangency (ρ touching 1 between grid points
    without crossing) is not an interval of stability and is correctly absent.
    """
    import scipy.optimize as opt
    lo, hi = interval(bounds, "bounds")
    num = count(num, "num", 2, high=10 ** 6)
    if lo < 0:
        raise InputError(f"bounds must satisfy 0 <= lo < hi, got {bounds!r}")
    values = np.linspace(lo, hi, num + 1)[1:] if lo == 0 else np.linspace(lo, hi, num)
    xtol = real_number(xtol, "xtol", 0.0)
    if not xtol > 0:
        raise InputError(f"xtol must be > 0, got {xtol!r}")
    s = sweep(algorithm, game, point, param, values, allow_noncritical=allow_noncritical, **hp)
    base = as_algorithm(algorithm, **hp)
    spectra = SpectrumCache(game, point, allow_noncritical)
    def rho(v):
        try:
            return spectra.radius(_with(base, param, v))
        except SingularBlockError:
            return np.inf  # undefined there: not stable
    from .config import defaults
    margin = defaults["rho_margin"]
    verdicts = [stability_verdict(r, margin) for r in s.radius]
    stable = np.array([v is True for v in verdicts])

    def edge(i):  # the boundary between grid values i - 1 and i (exactly one of them stable)
        a, b = values[i - 1], values[i]
        other = verdicts[i] if stable[i - 1] else verdicts[i - 1]
        level = 1.0 if other is False else 1.0 - margin  # next to a marginal value: ρ = 1 − margin
        return opt.brentq(lambda v: rho(v) - level, a, b, xtol=xtol)

    intervals, start = [], (lo if stable[0] else None)
    for i in range(1, len(values)):
        if stable[i] != stable[i - 1]:
            if stable[i]:
                start = edge(i)
            else:
                intervals.append((start, edge(i)))
                start = None
    if start is not None:
        intervals.append((start, hi))
    marginal, first = [], None
    for i, v in enumerate(verdicts + [False]):
        if v is None and first is None:
            first = i
        elif v is not None and first is not None:
            marginal.append((float(values[first]), float(values[i - 1])))
            first = None
    if marginal:
        from .linalg import warn
        warn(f"{base.name}: ρ is within {margin:.2g} of 1 on {len(marginal)} interval(s) of "
             f"{param} (first {marginal[0][0]:.6g} … {marginal[0][1]:.6g}); floating point cannot "
             "decide stability there, and those values are not claimed stable")
    return StableSet(base.name, param, intervals, s, marginal, margin)


@checked_call
def gda_step_size_bound(game, point, ratio=1.0, *, allow_noncritical=False):
    """Numerics of GANs Lemma 4 for GDA with ``ηy = c ηx``: the point is strictly stable iff
    every eigenvalue λ of ``diag(I, cI)V`` has ``Re λ > 0`` and ``ηx < 2 Re λ / |λ|²``.

    Returns the supremum of stable ``ηx`` (0 when some ``Re λ <= 0``: unstable for all η)."""
    ratio = real_number(ratio, "ratio", 0.0)
    if not ratio > 0:
        raise InputError(f"ratio must be > 0, got {ratio!r}")
    from .games.base import require_zero_sum
    require_zero_sum(game, "gda_step_size_bound")
    ctx = JacobianContext(game, point, allow_noncritical=allow_noncritical)
    lam = np.linalg.eigvals(ctx.D(1.0, ratio)[:, None] * ctx.V)
    if np.any(lam.real <= 0):
        return 0.0
    return float(np.min(2 * lam.real / np.abs(lam) ** 2))


MAX_SYMBOLIC_STATE = 6
"""Largest Jacobian (state size) :func:`symbolic_stable_set` accepts."""


@checked_call
def symbolic_stable_set(algorithm, game, point, symbol, *, time_limit=60.0, allow_noncritical=False):
    """The exact set of values ``s > 0`` of the sympy ``symbol`` (a hyperparameter of
    ``algorithm``) for which the point is strictly stable (ρ < 1).

    The characteristic polynomial p of the symbolic Jacobian (state size at most
    :data:`MAX_SYMBOLIC_STATE`) is made polynomial in s by clearing denominators, and the
    Schur–Cohn test decides where all its roots lie in the open unit disc: p (degree d,
    leading coefficient a_d, constant a_0) is Schur stable iff |a_0| < |a_d| and the reduced
    polynomial (a_d p(z) − a_0 zᵈ p(1/z))/z is. Each level contributes one polynomial
    inequality a_d² − a_0² > 0 in s, solved exactly by sympy (real roots, no eigenvalues,
    no square roots); the set is their intersection, minus the values where the Jacobian
    is undefined. Runs in a separate process stopped after ``time_limit`` seconds
    (:class:`~stability.errors.TimeLimitError`).
    """
    import sympy as sp
    from .errors import NotSupportedError
    algorithm = as_algorithm(algorithm)
    if not isinstance(symbol, sp.Symbol):
        raise InputError(f"symbol must be a sympy Symbol, got {symbol!r}")
    if not any(isinstance(v, sp.Basic) and symbol in v.free_symbols for v in algorithm.hp.values()):
        raise InputError(f"{symbol} is not a hyperparameter value of {algorithm!r}; build the "
                         f"algorithm with it, e.g. algorithms.get(name, lr={symbol})")
    time_limit = real_number(time_limit, "time_limit", 0.0)
    K = algorithm.state_size(game)
    if K > MAX_SYMBOLIC_STATE:
        raise NotSupportedError(f"the {algorithm.name} Jacobian has {K} rows; symbolic stable sets "
                                f"are limited to {MAX_SYMBOLIC_STATE} (use stable_step_sizes, which "
                                "brackets every boundary numerically)")
    J = algorithm.symbolic_jacobian(game, point, allow_noncritical=allow_noncritical)
    return run_with_time_limit(_schur_cohn_set, (J, symbol), time_limit, "symbolic_stable_set")


def _schur_cohn_set(J, symbol):
    import sympy as sp
    s = sp.Dummy("s", positive=True)
    J = J.xreplace({symbol: s})
    if J.free_symbols - {s}:
        from .errors import NotSupportedError
        raise NotSupportedError(f"the Jacobian has other free symbols ({J.free_symbols - {s}}); "
                                "give numbers for every other hyperparameter and parameter")
    X = sp.Dummy("X")
    coeffs = [sp.cancel(sp.together(c)) for c in J.charpoly(X).all_coeffs()]
    denominators = [sp.fraction(c)[1] for c in coeffs]
    common = sp.lcm_list(denominators) if len(denominators) > 1 else denominators[0]
    a = [sp.Poly(sp.cancel(c * common), s) for c in coeffs]
    positive = sp.Interval.open(0, sp.oo)
    result = positive
    undefined = sp.FiniteSet(*[r for r in sp.Poly(common, s).real_roots() if r > 0]) \
        if sp.Poly(common, s).degree() > 0 else sp.EmptySet
    while len(a) > 1:
        an, a0 = a[0], a[-1]
        result = result.intersect(_positive_set(an ** 2 - a0 ** 2))
        if result is sp.EmptySet:
            return sp.EmptySet
        reduced = [an * c - a0 * r for c, r in zip(a, a[::-1])][:-1]
        g = reduced[0]
        for c in reduced[1:]:
            g = sp.gcd(g, c)
        a = [sp.Poly(sp.cancel(c.as_expr() / g.as_expr()), s) if not g.is_zero else c for c in reduced]
    return sp.Complement(result, undefined).xreplace({s: symbol})


def _positive_set(poly):
    """``{s > 0 : poly(s) > 0}`` exactly: the polynomial's real roots (isolated exactly by
    sympy, as rationals or ``CRootOf``) split (0, ∞) into intervals of constant sign, each
    decided at a rational point inside it."""
    import sympy as sp
    if poly.is_zero:
        return sp.EmptySet
    roots = sorted({r for r in poly.real_roots() if r > 0}, key=lambda r: sp.N(r, 30))
    edges = [sp.Integer(0)] + roots + [sp.oo]
    out = sp.EmptySet
    for a, b in zip(edges[:-1], edges[1:]):
        if b is sp.oo:
            probe = sp.floor(sp.N(a, 30)) + 1
        else:
            probe = sp.nsimplify((sp.N(a, 30) + sp.N(b, 30)) / 2, rational=True)
        if poly.eval(probe) > 0:
            out = out.union(sp.Interval.open(a, b))
    return out


def run_with_time_limit(fn, args, seconds, what):
    """``fn(*args)`` in a forked process, stopped after ``seconds`` (sympy computations cannot
    be interrupted from inside). Where fork is unavailable it runs here, without a limit."""
    import multiprocessing
    from .errors import TimeLimitError
    try:
        ctx = multiprocessing.get_context("fork")
    except ValueError:
        return fn(*args)
    receive, send = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(send, fn, args), daemon=True)
    process.start()
    send.close()
    try:
        if not receive.poll(seconds):
            raise TimeLimitError(f"{what} did not finish within {seconds:g} s (time_limit); the "
                                 "symbolic problem is too large")
        ok, value = receive.recv()
    except EOFError:
        raise TimeLimitError(f"{what} stopped without a result (out of memory?)") from None
    finally:
        if process.is_alive():
            process.kill()
        process.join()
    if not ok:
        raise value
    return value


def _child(send, fn, args):
    try:
        send.send((True, fn(*args)))
    except StabilityError as exc:
        send.send((False, exc))
    except Exception as exc:  # a sympy failure: typed, with its message
        from .errors import NotSupportedError
        send.send((False, NotSupportedError(f"sympy could not decide the stable set: "
                                            f"{type(exc).__name__}: {exc}")))
    finally:
        send.close()


# --- optimal hyperparameters -------------------------------------------------------------
@dataclass
class Optimum:
    """Hyperparameters minimising ρ within bounds, ρ there, and the number of evaluations."""

    algorithm: object
    radius: float
    evaluations: int
    interrupted: bool = False

    @property
    def hyperparameters(self):
        return dict(self.algorithm.hp)


MAX_GRID = 1_000_000
"""Largest number of grid points :func:`optimize` evaluates (``num ** len(bounds)``)."""


@checked_call
def optimize(algorithm, game, point, bounds, num=25, fixed=None, refine=True, starts=4, *,
             allow_noncritical=False):
    """Minimise ρ over hyperparameters within ``bounds``.

    Parameters
    ----------
    algorithm : str
        Registry name.
    bounds : dict
        ``{name: (lo, hi)}``. Names are hyperparameters, ``lr`` (both step sizes), ``ratio``
        (``ηy/ηx``), or ``name.real`` / ``name.imag`` / ``name.abs`` / ``name.arg`` for
        complex hyperparameters.
    num : int
        Grid points per dimension of the bracketing grid (``num ** len(bounds)`` at most
        :data:`MAX_GRID`).
    fixed : dict
        Hyperparameters held fixed (not tuned).
    refine : bool
        Refine the grid's best basins by Nelder–Mead.
    starts : int
        How many of the grid's discrete local minima (best first) are refined.

    Notes
    -----
    ρ is not smooth (a maximum over eigenvalue moduli) and its minima often sit at the tip of
    a narrow valley where two eigenvalues collide (heavy ball's optimum is a double root), so
    one local search from the best grid point can stall on a ridge. The grid is evaluated in
    coordinates scaled to the unit box; each of its ``starts`` best discrete local minima
    (points no larger than their 3ᵏ − 1 neighbours) seeds a Nelder–Mead search whose initial
    simplex spans one grid cell, restarted with a ten times smaller simplex while it improves.
    The best point found wins. Everything is deterministic; the result is the global minimum
    of every basin the grid resolves, not a certified global minimum.
    """
    import scipy.optimize as opt
    from scipy.ndimage import minimum_filter
    if not isinstance(algorithm, str):
        raise InputError(f"algorithm must be a registry name, got {algorithm!r}")
    _algorithms.describe(algorithm)
    if not isinstance(bounds, dict) or not bounds:
        raise InputError(f"bounds must be a non-empty dict {{name: (lo, hi)}}, got {bounds!r}")
    num = count(num, "num", 2)
    starts = count(starts, "starts")
    names = [str(k) for k in bounds]
    if num ** len(names) > MAX_GRID:
        raise InputError(f"the grid would have num ** len(bounds) = {short(num)}**{len(names)} points "
                         f"(limit {MAX_GRID}); lower num")
    lows, highs = np.array([interval(bounds[k], f"bounds[{k!r}]") for k in bounds]).T
    if fixed is not None and not isinstance(fixed, dict):
        raise InputError(f"fixed must be a dict {{name: value}}, got {fixed!r}")
    fixed = dict(fixed or {})
    overlap = sorted(set(fixed) & set(names))
    if overlap:
        raise InputError(f"hyperparameter(s) {', '.join(overlap)} both tuned (bounds) and fixed")
    _algorithms.get(algorithm, **_hyperparameters(names, (lows + highs) / 2, fixed))  # names checked
    spectra, evaluations = SpectrumCache(game, point, allow_noncritical), [0]

    def radius(u):
        theta = lows + np.clip(u, 0.0, 1.0) * (highs - lows)
        try:
            alg = _algorithms.get(algorithm, **_hyperparameters(names, theta, fixed))
        except InputError:  # e.g. a momentum of exactly ±1 on the boundary
            return np.inf
        rho = spectra.radius(alg)
        evaluations[0] += 1
        return rho

    dims = len(names)
    shape = (num,) * dims
    axis = np.linspace(0.0, 1.0, num)
    values = np.full(shape, np.inf)
    interrupted = False
    with Progress(f"optimize {algorithm}", values.size) as progress:
        try:
            for i, index in enumerate(np.ndindex(shape)):
                values[index] = radius(axis[list(index)])
                progress.update(i + 1)
        except KeyboardInterrupt:
            interrupted = True
    if evaluations[0] == 0:
        raise KeyboardInterrupt
    best_index = np.unravel_index(np.argmin(values), shape)
    best_u, best_rho = axis[list(best_index)], float(values[best_index])
    if refine and not interrupted:
        finite = np.isfinite(values)
        local = finite & (values == minimum_filter(np.where(finite, values, np.inf), size=3,
                                                   mode="nearest"))
        seeds = np.argwhere(local)
        seeds = seeds[np.argsort(values[tuple(seeds.T)], kind="stable")][:starts]
        for index in seeds:
            u, rho = _nelder_mead(radius, axis[list(index)], 1.0 / (num - 1), opt)
            if rho < best_rho:
                best_u, best_rho = u, rho
    alg = _algorithms.get(algorithm, **_hyperparameters(names, lows + best_u * (highs - lows), fixed))
    return Optimum(alg, best_rho, evaluations[0], interrupted)


def _nelder_mead(fun, u, cell, opt, restarts=6):
    """Nelder–Mead in the unit box from ``u`` with a simplex of edge ``cell``, restarted with a
    smaller simplex while it improves (a collapsed simplex is its usual way to stall)."""
    rho = fun(u)
    for _ in range(restarts):
        simplex = [u] + [np.clip(u + step, 0.0, 1.0) if u[j] + cell <= 1 else u - step
                         for j, step in enumerate(cell * np.eye(len(u)))]
        res = opt.minimize(fun, u, method="Nelder-Mead",
                           options={"initial_simplex": np.array(simplex), "xatol": 1e-12,
                                    "fatol": 1e-15, "maxiter": 1000 * len(u)})
        if not res.fun < rho - 1e-15:
            break
        u, rho, cell = np.clip(res.x, 0.0, 1.0), float(res.fun), max(cell / 10, 1e-6)
    return u, rho


def _hyperparameters(names, theta, fixed):
    hp = dict(fixed)
    parts = {}
    for name, value in zip(names, theta):
        if "." in name:
            base, part = name.split(".", 1)
            if part not in ("real", "imag", "abs", "arg"):
                raise InputError(f"bounds name {name!r}: the part after the dot must be real, imag, "
                                 "abs or arg")
            parts.setdefault(base, {})[part] = float(value)
        else:
            hp[name] = float(value)
    for base, p in parts.items():
        z = complex(hp.get(base, 0))
        if "abs" in p or "arg" in p:
            z = p.get("abs", abs(z)) * np.exp(1j * p.get("arg", np.angle(z)))
        z = complex(p.get("real", z.real), p.get("imag", z.imag))
        hp[base] = z
    if "ratio" in hp:
        ratio = hp.pop("ratio")
        lr_x = hp.pop("lr", hp.get("lr_x"))
        if lr_x is None:
            raise InputError("'ratio' needs 'lr' or 'lr_x' (in bounds or fixed)")
        hp["lr_x"], hp["lr_y"] = lr_x, ratio * lr_x
    return hp
