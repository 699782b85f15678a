"""stability — local analysis of min-max optimisation algorithms."""
from .errors import StabilityError
from .games import Game
from .equilibria import classify, critical_points, CriticalPoint, Classification
