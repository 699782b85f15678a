"""stability — local analysis of min-max optimisation algorithms.

>>> import stability
>>> game = stability.games.get("g1")
>>> stability.classify(game, [0, 0]).strict_local_minimax
True
"""

from . import algorithms, backend, games, matrixfree
from .engine import Trajectory, run
from .equilibria import Classification, CriticalPoint, classify, critical_points
from .errors import (ConvergenceError, DenseTooLargeError, FormulaError, InputError,
                     NonFiniteError, NotCriticalError, NotSupportedError, ShapeError,
                     SingularBlockError, StabilityError, TimeLimitError, UnknownNameError)
from .games import Game
from .linalg import StabilityWarning
from .diagnostics import critical_ratio, path_angle, rotation
from .spectral import (Optimum, StableSet, Sweep, gda_step_size_bound, iterations_to_tolerance,
                       optimize, rate, spectral_radius, spectrum, stability_verdict, stable_step_sizes, sweep,
                       symbolic_stable_set, table, tables)

__version__ = "0.1.0"
