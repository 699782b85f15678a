"""
Alternating against simultaneous GDA (Bailey, Gidel & Piliouras 2020)
=====================================================================

On a bilinear game simultaneous GDA spirals out (ρ = √(1 + η²σ²) > 1) while alternating GDA's
Jacobian has every eigenvalue on the unit circle for η < 2/σmax: it cycles, neither converging
nor diverging. ρ within √ε of 1 is reported *undecided*, which is what it is here.
"""
import os

import matplotlib.pyplot as plt
import numpy as np

import stability
from stability import games
from stability.plotting import plot_radii, style

QUICK = os.environ.get("STABILITY_QUICK") == "1"
game = games.get("bilinear", p=3, q=3, seed=1)
point = np.zeros(6)
etas = np.linspace(0.01, 1.5, 60 if QUICK else 400)
sweeps = {"GDA (simultaneous)": stability.sweep("gda", game, point, "lr", etas),
          "alternating GDA": stability.sweep("altgda", game, point, "lr", etas)}
print(stability.stable_step_sizes("altgda", game, point, bounds=(0, 1.5), num=200))
with style():
    fig, ax = plt.subplots(figsize=(5.0, 2.6))
    plot_radii(sweeps, ax=ax)
    ax.set_title("xᵀCy, C ~ U[0, 1]³ˣ³", fontsize="small")
plt.show()
