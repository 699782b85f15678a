"""Games and the catalogue of the papers' games.

One module per representation: :mod:`~stability.games.base` (the oracle every algorithm talks
to), :mod:`~stability.games.expression` (formulas), :mod:`~stability.games.general_sum`
(Stackelberg games), :mod:`~stability.games.symbolic` (the sympy view),
:mod:`~stability.games.quadratic` (dense, sparse and operator blocks),
:mod:`~stability.games.callables` (numpy callables); :mod:`~stability.games.factories` holds
the constructors (``Game.from_expr`` …) and :mod:`~stability.games.catalogue` the papers' games.
``stability.games.get("g1")`` builds a catalogue game.
"""

from .base import Game
from .callables import CallableGame
from .expression import ExpressionGame
from .factories import from_callables, from_expr, general_sum, quadratic
from .general_sum import GeneralSumGame
from .quadratic import QuadraticGame
from .symbolic import SymbolicView
from .catalogue import describe, get, names

__all__ = ["Game", "ExpressionGame", "GeneralSumGame", "QuadraticGame", "CallableGame",
           "SymbolicView", "from_expr", "general_sum", "quadratic", "from_callables",
           "get", "names", "describe"]
