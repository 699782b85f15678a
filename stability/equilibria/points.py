"""Critical points as reported: a point (or a representative of a non-isolated critical set)
and the list of them with how they were found (docs/MATHEMATICS.md §2, docs/NUMERICS.md §3)."""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class CriticalPoint:
    """A critical point with its gradient residual; ``exact`` holds sympy values when solved
    exactly. ``free_directions`` (rows, orthonormal) are the directions along which the
    critical set extends through this point: empty for an isolated point, else the point
    represents a non-isolated critical set of that dimension (e.g. a variable the game does
    not depend on)."""

    point: np.ndarray
    residual: float
    exact: tuple = None
    free_directions: np.ndarray = None

    @property
    def isolated(self):
        return self.free_directions is None or len(self.free_directions) == 0

    @property
    def dimension(self):
        """Dimension of the critical set through the point (0: isolated)."""
        return 0 if self.isolated else len(self.free_directions)

    def to_dict(self):
        """Plain data (JSON-ready); exact coordinates as strings."""
        return {"point": [float(v) for v in self.point], "residual": self.residual,
                "exact": None if self.exact is None else [str(v) for v in self.exact],
                "dimension": self.dimension,
                "free_directions": None if self.isolated else np.asarray(self.free_directions).tolist()}

    def __repr__(self):
        values = self.exact if self.exact is not None else tuple(float(v) for v in np.round(self.point, 10))
        extra = "" if self.isolated else f", non-isolated (dimension {self.dimension})"
        return f"CriticalPoint({values}, residual={self.residual:.2e}{extra})"


class CriticalPoints(list):
    """The critical points found (a list of :class:`CriticalPoint`) and how they were found.

    Attributes
    ----------
    method : str
        ``"exact"`` (complete: every real solution), ``"quadratic"`` (linear system) or
        ``"numeric"`` (root finding from random starts in ``bounds``).
    complete : bool
        True when the answer is provably complete (exact, quadratic) or, for a numeric search,
        when every point was reached from at least two starts (a Good–Turing estimate of the
        chance that a further start finds a new point is then 0); False: points may be missing.
    coverage : dict
        For numeric searches: ``bounds``, ``starts`` (used), ``converged`` (starts that ended
        at a verified point), ``hits`` (per point), ``found_once`` (points reached from one start
        only), ``rejected`` (candidates with a small residual that failed verification: a
        degenerate or flat region), ``non_isolated`` (components reported by a representative).
    """

    def __init__(self, points, method, complete, coverage=None):
        super().__init__(points)
        self.method, self.complete, self.coverage = method, complete, dict(coverage or {})

    def __repr__(self):
        return (f"CriticalPoints({list.__repr__(self)}, method={self.method!r}, "
                f"complete={self.complete})")

    def to_dict(self):
        """Plain data (JSON-ready): the points, how they were found, and the coverage."""
        return {"method": self.method, "complete": self.complete,
                "coverage": {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.coverage.items()},
                "points": [p.to_dict() for p in self]}
