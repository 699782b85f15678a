"""Spectra of update maps at fixed points, and what they say.

- :mod:`~stability.spectral.rates`: eigenvalues, ρ, rate, iterations, the three-valued verdict;
- :mod:`~stability.spectral.cache`: :class:`SpectrumCache`, shared structured precomputations;
- :mod:`~stability.spectral.sweeps`: :class:`Sweep`, spectra over one hyperparameter;
- :mod:`~stability.spectral.tables`: :class:`Table`, ρ of many algorithms at one point;
- :mod:`~stability.spectral.stable_sets`: :class:`StableSet`, where ρ < 1; GDA's bound;
- :mod:`~stability.spectral.symbolic`: exact stable sets as sympy sets (Liénard–Chipart, :mod:`stability.certify`);
- :mod:`~stability.spectral.tuning`: :class:`Optimum`, the hyperparameters minimising ρ;
- :mod:`~stability.spectral.classes`: regions of eig(V) (classes of games) and :func:`worst_case` over them.
"""

from .cache import SpectrumCache
from . import classes
from .classes import (ClassOptimum, MinimaxRates, RidgeClass, StabilityRegion, WorstCase, lower_bound, minimax_rates,
                      optimize_class, ridge_class, stability_region, worst_case)
from .rates import iterations_to_tolerance, rate, spectral_radius, spectrum, stability_verdict
from .stable_sets import StableSet, gda_step_size_bound, stable_step_sizes
from .sweeps import Sweep, sweep
from .symbolic import symbolic_stable_set
from .tables import DEFAULT_TABLE, Row, Table, applicable, table, table_names, tables
from .tuning import Optimum, optimize

__all__ = ["ClassOptimum", "DEFAULT_TABLE", "MinimaxRates", "RidgeClass", "WorstCase", "ridge_class", "classes",
           "lower_bound", "minimax_rates", "optimize_class", "stability_region", "StabilityRegion", "worst_case",
           "Optimum", "Row", "SpectrumCache", "StableSet", "Sweep", "Table",
           "applicable", "gda_step_size_bound", "iterations_to_tolerance", "optimize", "rate",
           "spectral_radius", "spectrum", "stability_verdict", "stable_step_sizes", "sweep",
           "symbolic_stable_set", "table", "table_names", "tables"]
