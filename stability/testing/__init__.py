"""A kit for testing statements about min-max algorithms in your own unit tests.

- :mod:`stability.testing.games`: constructors of quadratic games with a prescribed structure
  at the origin (strict local minimax, Nash, maximin, none; bilinear with given singular
  values; strongly monotone with given μ and L), numpy only.
- :mod:`stability.testing.strategies`: the same as Hypothesis strategies (sizes and seeds are
  drawn, so shrinking keeps the structure), and algorithms with valid hyperparameters;
  needs ``hypothesis``.
- assertion helpers whose messages show the numbers (:func:`assert_locally_convergent`,
  :func:`assert_rate`, :func:`assert_classification`, :func:`assert_jacobians_agree`,
  :func:`assert_stable_set`, :func:`assert_empirical_rate`);
- :func:`find_counterexample`: a property over a strategy, the minimal :class:`Counterexample`
  (with its numbers) or None;
- a pytest plugin (registered by the package, fixtures ``stability_rng`` and
  ``game_factory``).
"""

from .assertions import (assert_classification, assert_empirical_rate, assert_jacobians_agree,
                         assert_locally_convergent, assert_rate, assert_stable_set)
from .games import (KINDS, bilinear_game, game_with_spectrum, monotone_game, polynomial_game, stackelberg_game,
                    structured_game)
from .search import Counterexample, find_counterexample

__all__ = ["Counterexample", "KINDS", "assert_classification", "assert_empirical_rate", "assert_jacobians_agree",
           "assert_locally_convergent", "assert_rate", "assert_stable_set", "bilinear_game",
           "find_counterexample", "game_with_spectrum", "monotone_game", "polynomial_game", "stackelberg_game",
           "structured_game"]
