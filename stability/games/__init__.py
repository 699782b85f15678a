"""Games and the catalogue of the papers' games.

``stability.games.get("g1")`` builds a catalogue game; the classes build your own.
"""

from .base import (CallableGame, ExpressionGame, Game, GeneralSumGame, QuadraticGame,
                   SymbolicView)
from .catalogue import describe, get, names

__all__ = ["Game", "ExpressionGame", "GeneralSumGame", "QuadraticGame", "CallableGame",
           "SymbolicView", "get", "names", "describe"]
