"""
Follow-the-Ridge on the toy games (Wang, Zhang & Ba 2020, Fig. 3)
=================================================================

On ``g1 = −3x² − y² + 4xy`` the origin is a strict local minimax that is not a Nash point:
gradient descent–ascent and its optimistic and extragradient variants spiral away from it, while
Follow-the-Ridge, HessianFR and GDN converge. The spectral table says the same before anything
is run: ρ < 1 exactly for the methods that converge.
"""
import os

import matplotlib.pyplot as plt

import stability
from stability import games
from stability.figures import figure_radius, figure_toy
from stability.plotting import style

QUICK = os.environ.get("STABILITY_QUICK") == "1"
game = games.get("g1")
point = stability.critical_points(game)[0]
print(stability.classify(game, point).verdict)
print(stability.table(game, point, ["gda", "ogda", "eg", "sga", "co", "fr", "hessianfr", "gdn"], lr=0.05)
      .to_markdown())

with style():
    fig, ax = plt.subplots(figsize=(7.0, 3.4))
    figure_toy("g1", ax=ax, quick=QUICK)
    fig, ax = plt.subplots(figsize=(5.2, 2.8))
    figure_radius("g1", ax=ax, quick=QUICK)
plt.show()
