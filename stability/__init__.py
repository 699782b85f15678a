"""stability — local analysis of min-max optimisation algorithms.

>>> import stability
>>> game = stability.games.get("g1")
>>> stability.classify(game, [0, 0]).strict_local_minimax
True

Layout (docs/ARCHITECTURE.md): :mod:`~stability.games` (the oracle, one module per
representation) → :mod:`~stability.equilibria` (critical points, classification) →
:mod:`~stability.algorithms` (update maps, Jacobians, spectra) → :mod:`~stability.spectral`
(rates, sweeps, tables, stable sets, tuning), :mod:`~stability.matrixfree`,
:mod:`~stability.engine`; :mod:`~stability.linalg` and :mod:`~stability.config` underneath.
"""

from . import algorithms, backend, config, games, matrixfree
from .engine import Trajectory, run
from .equilibria import (Classification, CriticalPoint, CriticalPoints, StackelbergClassification, classify,
                         critical_points)
from .errors import (ArgumentError, ConvergenceError, DenseTooLargeError, FormulaError, InputError,
                     NonFiniteError, NotCriticalError, NotSupportedError, OutputError, ShapeError,
                     SingularBlockError, StabilityError, TimeLimitError, UnknownNameError)
from .games import Game
from .linalg import StabilityWarning
from .diagnostics import critical_ratio, path_angle, rotation
from . import certify
from .spectral import (Optimum, Row, StableSet, Sweep, Table, gda_step_size_bound, iterations_to_tolerance,
                       optimize, rate, spectral_radius, spectrum, stability_verdict, stable_step_sizes, sweep,
                       symbolic_stable_set, table, tables)

__all__ = ["algorithms", "backend", "certify", "config", "games", "matrixfree", "Trajectory", "run",
           "Classification", "CriticalPoint", "CriticalPoints", "StackelbergClassification", "classify",
           "critical_points", "ArgumentError", "ConvergenceError", "DenseTooLargeError", "FormulaError",
           "InputError", "NonFiniteError", "NotCriticalError", "NotSupportedError", "OutputError",
           "ShapeError", "SingularBlockError", "StabilityError", "TimeLimitError", "UnknownNameError",
           "Game", "StabilityWarning", "critical_ratio", "path_angle", "rotation", "Optimum", "Row",
           "StableSet", "Sweep", "Table", "gda_step_size_bound", "iterations_to_tolerance", "optimize",
           "rate", "spectral_radius", "spectrum", "stability_verdict", "stable_step_sizes", "sweep",
           "symbolic_stable_set", "table", "tables"]

__version__ = "0.1.0"
