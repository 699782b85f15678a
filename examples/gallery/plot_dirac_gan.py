"""
The Dirac-GAN (Mescheder, Geiger & Nowozin 2018)
================================================

The generator θ places a point mass, the discriminator ψ is linear: ``f = −log(1 + exp(−θψ)) −
log 2``. The equilibrium (0, 0) is a saddle whose game Jacobian has purely imaginary eigenvalues,
so GDA's iterates spiral out, while consensus optimisation and extragradient, whose Jacobians
move those eigenvalues inside the unit circle, converge.
"""
import os

import matplotlib.pyplot as plt

import stability
from stability import algorithms, games, run
from stability.plotting import plot_trajectories, style

QUICK = os.environ.get("STABILITY_QUICK") == "1"
game = games.get("dirac-gan")
print(stability.classify(game, [0, 0]))
print(stability.table(game, [0, 0], ["gda", "eg", "co"], lr=0.2, gamma=1.0).to_markdown())
steps = 300 if QUICK else 3000
trajs = {"GDA": run(algorithms.get("gda", lr=0.2), game, [1.0, 1.0], steps=steps, tol=1e-8, target=[0, 0]),
         "EG": run(algorithms.get("eg", lr=0.2), game, [1.0, 1.0], steps=steps, tol=1e-8, target=[0, 0]),
         "CO (γ = 1)": run(algorithms.get("co", lr=0.2, gamma=1.0), game, [1.0, 1.0], steps=steps, tol=1e-8,
                          target=[0, 0])}
with style():
    fig, ax = plt.subplots(figsize=(6.0, 3.2))
    plot_trajectories(game, trajs, ax=ax, bounds=(-2.5, 2.5, -2.5, 2.5))
    ax.set_title("Dirac-GAN, η = 0.2, start (1, 1)", fontsize="small")
plt.show()
