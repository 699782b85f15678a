"""The spectral table: ρ of many algorithms at one point, as a :class:`Table` of
:class:`Row`\\ s (an algorithm undefined at the point is a row with its error, never a
float mixed with strings)."""

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .. import algorithms as _algorithms
from .. import formatting
from ..errors import InputError, NotSupportedError, StabilityError, checked_call, unknown_name
from ..linalg import count
from ..plotting import plot_table
from .cache import SpectrumCache, check_executor
from .rates import spectral_radius, stability_verdict

DEFAULT_TABLE = ("gda", "altgda", "gdak", "eg", "ogda", "pm", "iu", "co", "sga", "hb",
                 "fr", "fr-momentum", "hessianfr", "gdn", "lead", "cgd", "complex-momentum")
"""The algorithms of the default table (one row each)."""


@dataclass(frozen=True)
class Row:
    """One algorithm at one point: the algorithm with the hyperparameters it ran with, and
    either ρ (``radius``) or the reason it is undefined there (``error``, e.g. FR where Hyy is
    singular)."""

    name: str
    algorithm: object
    radius: float = None
    error: str = None

    @property
    def stable(self):
        """:func:`stability_verdict` of ρ: True, False, or None (marginal, or undefined)."""
        return None if self.radius is None else stability_verdict(self.radius)

    def to_dict(self):
        return {"rho": self.radius, "stable": self.stable, "error": self.error,
                "hyperparameters": None if self.algorithm is None else self.algorithm.to_dict()["hyperparameters"]}


class Table(Mapping):
    """ρ of each algorithm at one point: a read-only mapping ``name → Row`` in table order,
    with ``radius`` (``{name: ρ}`` of the defined rows), ``errors`` (``{name: message}``),
    :meth:`to_dict` and :meth:`plot`."""

    def __init__(self, point, rows):
        self.point = np.asarray(point, dtype=float)
        self.rows = {row.name: row for row in rows}

    def __getitem__(self, name):
        return self.rows[name]

    def __iter__(self):
        return iter(self.rows)

    def __len__(self):
        return len(self.rows)

    def __eq__(self, other):
        return (isinstance(other, Table) and np.array_equal(self.point, other.point)
                and self.rows == other.rows)

    __hash__ = None

    @property
    def radius(self):
        """``{name: ρ}`` for the algorithms defined at the point."""
        return {k: r.radius for k, r in self.rows.items() if r.error is None}

    @property
    def errors(self):
        """``{name: message}`` for the algorithms undefined at the point."""
        return {k: r.error for k, r in self.rows.items() if r.error is not None}

    def to_dict(self):
        """Plain data (JSON-ready): the point and each row."""
        return {"point": self.point.tolist(), "rows": {k: r.to_dict() for k, r in self.rows.items()}}

    def __repr__(self):
        rows = ", ".join(f"{k!r}: {r.radius!r}" if r.error is None else f"{k!r}: <{r.error.split(':')[0]}>"
                         for k, r in self.rows.items())
        return f"Table(at {np.array2string(self.point, precision=6)}, ρ {{{rows}}})"

    HEADER = ("algorithm", "hyperparameters", "ρ", "1 − ρ", "verdict")

    def records(self, digits=6, latex=False):
        """One row of text per algorithm — name, every hyperparameter it ran with, ρ, the rate
        1 − ρ and the verdict (or why it is undefined) — what every export prints."""
        digits = count(digits, "digits", 1, high=17)
        mark = {True: "stable", False: "unstable", None: "≈1 (undecided)"}
        out = []
        for k, r in self.rows.items():
            hp = formatting.hyperparameters(r.algorithm.hp, digits, latex) if r.algorithm is not None else "—"
            if r.error is None:
                out.append((k, hp, formatting.number(r.radius, digits), formatting.number(1 - r.radius, 3),
                            mark[r.stable]))
            else:
                out.append((k, hp, "—", "—", "undefined: " + r.error.split(":", 1)[-1].strip()))
        return out

    def caption(self, digits=6):
        digits = count(digits, "digits", 1, high=17)
        return f"Spectral radius ρ of each algorithm's Jacobian at the point {formatting.point(self.point, digits)}"

    def __str__(self):
        width = max(len(k) for k in self.rows) if self.rows else 0
        lines = [self.caption() + ":"]
        for name, hp, rho, _, verdict in self.records():
            lines.append(f"{name:<{width}}  " + (f"ρ = {rho:<9} {verdict:<9} ({hp})" if rho != "—" else
                                                 f"{verdict} ({hp})"))
        return "\n".join(lines)

    def to_markdown(self, digits=6):
        """A Markdown table: the point in a caption line, one row per algorithm with its
        hyperparameters, ρ, 1 − ρ and verdict."""
        return f"{self.caption(digits)}.\n\n" + formatting.markdown(self.HEADER, self.records(digits))

    def to_latex(self, digits=6, caption=None, label=None):
        """A LaTeX ``table`` with booktabs rules (``\\usepackage{booktabs}``), hyperparameters
        in math mode; ``caption`` defaults to one that states the point."""
        for text, what in ((caption, "caption"), (label, "label")):
            if text is not None and not isinstance(text, str):
                raise InputError(f"{what} must be a string, got {type(text).__name__}")
        header = ("Algorithm", "Hyperparameters", "$\\rho$", "$1 - \\rho$", "Verdict")
        return formatting.latex(header, self.records(digits, latex=True), caption or self.caption(digits) + ".",
                                label, align="llrrl")

    def to_json(self, **kwargs):
        """:meth:`to_dict` as a JSON string (``kwargs`` to ``json.dumps``, e.g. ``indent=1``)."""
        import json
        try:
            return json.dumps(self.to_dict(), **kwargs)
        except TypeError as exc:
            raise InputError(f"to_json passes its keywords to json.dumps, which refused them: {exc}") from None

    def to_pandas(self):
        """A ``pandas.DataFrame`` indexed by algorithm — ρ, rate, stable, error and one column
        per hyperparameter (pandas is optional: NotSupportedError says how to get it)."""
        try:
            import pandas as pd
        except ImportError:
            raise NotSupportedError("Table.to_pandas needs pandas, which stability does not depend on: "
                                    "pip install pandas") from None
        data = {}
        for k, r in self.rows.items():
            row = {"rho": r.radius, "rate": None if r.radius is None else 1 - r.radius, "stable": r.stable,
                   "error": r.error}
            row.update({f"hp.{h}": v for h, v in (r.to_dict()["hyperparameters"] or {}).items()})
            data[k] = row
        frame = pd.DataFrame.from_dict(data, orient="index")
        frame.index.name = "algorithm"
        frame.attrs["point"] = self.point.tolist()
        return frame

    def _repr_html_(self):
        return formatting.html_table(self.HEADER, self.records(), caption=self.caption())

    def plot(self, ax=None):
        """ρ of each defined row as a horizontal bar, the boundary ρ = 1 dashed; undefined
        rows are labelled. Returns the bar container."""
        return plot_table(self, ax=ax)


@checked_call
def table(game, point, names=None, executor=None, *, allow_noncritical=False, xp=None, **hp):
    """A :class:`Table` of ρ at default (or given) hyperparameters; an algorithm undefined at
    the point (a singular block it inverts) is a row with its error.

    ``names`` is one registry name or a sequence of them (default :data:`DEFAULT_TABLE`).
    Each keyword of ``hp`` is applied to every algorithm of the table that has it (``lr``:
    every step size); a keyword that no algorithm in the table has raises.

    One :class:`SpectrumCache` serves the whole table, so algorithms that share structure
    share its cost (one eigendecomposition of V for GDA, EG, OGDA, PM, IU, heavy ball and
    complex momentum; one of S and Hyy for FR, FR with momentum and HessianFR). With an
    ``executor`` the algorithms run in parallel instead (each with its own cache). With an
    array namespace ``xp`` (``cupy``, ``array_api_strict``) the structured spectra are computed
    in it; rows without a shortcut are then errors (their dense fallback is numpy only)."""
    names = table_names(names)
    check_table_hyperparameters(names, hp)
    check_executor(executor)
    if executor is not None:
        futures = {name: executor.submit(_table_row, name, game, point, hp, None, allow_noncritical, xp)
                   for name in names}
        return Table(point, [f.result() for f in futures.values()])
    cache = SpectrumCache(game, point, allow_noncritical, xp)  # a non-critical point raises here
    return Table(cache.ctx.point, [_table_row(name, game, point, hp, cache) for name in names])


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
        _algorithms.get(name, **applicable(name, hp))


@checked_call
def tables(items, names=None, executor=None, *, allow_noncritical=False, xp=None, **hp):
    """One :func:`table` per ``(game, point)`` of ``items``, in order; in parallel with an executor."""
    names = table_names(names)
    check_table_hyperparameters(names, hp)
    try:
        items = [(game, point) for game, point in items]
    except (TypeError, ValueError):
        raise InputError("items must be a sequence of (game, point) pairs") from None
    check_executor(executor)
    if executor is None:
        return [table(game, point, names, allow_noncritical=allow_noncritical, xp=xp, **hp)
                for game, point in items]
    futures = [executor.submit(table, game, point, names, None, allow_noncritical=allow_noncritical, xp=xp, **hp)
               for game, point in items]
    return [f.result() for f in futures]


def _table_row(name, game, point, hp, cache=None, allow_noncritical=False, xp=None):
    alg = _algorithms.get(name, **applicable(name, hp))  # bad values were refused before
    try:
        if cache is None:
            rho = spectral_radius(alg, game, point, allow_noncritical=allow_noncritical, xp=xp)
        else:
            rho = cache.radius(alg)
    except StabilityError as exc:
        return Row(name, alg, error=f"{type(exc).__name__}: {exc}")
    return Row(name, alg, radius=float(rho))



def applicable(name, hp):
    """The keywords of ``hp`` that algorithm ``name`` has (``lr`` included where it has a step)."""
    cls = _algorithms.describe(name)
    return {k: v for k, v in hp.items() if cls.accepts(k)}
