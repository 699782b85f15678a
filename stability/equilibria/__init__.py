"""Fixed points of the game: critical points and what kind of point each is.

- :mod:`~stability.equilibria.stationarity`: the residual and Newton step on the game's own
  scale, criticality tests, Newton refinement;
- :mod:`~stability.equilibria.search`: the critical-point search (exact, quadratic, numeric);
- :mod:`~stability.equilibria.exact`: exact solutions, exact points and inertias, 50-digit
  verification; :mod:`~stability.equilibria.free`: non-isolated critical sets;
- :mod:`~stability.equilibria.classify`: zero-sum verdicts;
  :mod:`~stability.equilibria.stackelberg`: general-sum (Stackelberg) verdicts.

These modules depend on :mod:`stability.games`, never the reverse; the method
``Game.critical_points`` is attached here, on import.
"""

from ..games.base import Game
from .classify import Classification, classify
from .exact import degree_bound, exact_inertia, exact_point
from .points import CriticalPoint, CriticalPoints
from .search import critical_points
from .stackelberg import StackelbergClassification, classify_stackelberg
from .stationarity import Criticality, criticality, require_critical, residual


def _critical_points(self, **options):
    """Critical points of this game; see :func:`stability.critical_points`."""
    return critical_points(self, **options)


Game.critical_points = _critical_points

__all__ = ["Classification", "CriticalPoint", "CriticalPoints", "Criticality",
           "StackelbergClassification", "classify", "classify_stackelberg", "critical_points",
           "criticality", "degree_bound", "exact_inertia", "exact_point", "require_critical",
           "residual"]
