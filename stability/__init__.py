"""stability — local analysis of min-max optimisation algorithms.

>>> import stability
>>> game = stability.games.get("g1")
>>> stability.classify(game, [0, 0]).strict_local_minimax
True
"""

from . import algorithms, games
from .engine import Trajectory, run
from .equilibria import Classification, CriticalPoint, classify, critical_points
from .errors import (ConvergenceError, DenseTooLargeError, FormulaError, InputError,
                     NonFiniteError, NotCriticalError, NotSupportedError, ShapeError,
                     SingularBlockError, StabilityError, UnknownNameError)
from .games import Game
from .linalg import StabilityWarning
from .spectral import (Sweep, iterations_to_tolerance, rate, spectral_radius, spectrum, sweep,
                       table)

__version__ = "0.1.0"
