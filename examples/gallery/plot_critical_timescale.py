"""
The critical time-scale ratio τ* of two-time-scale GDA (Jin, Netrapalli & Jordan 2020)
======================================================================================

At a strict local minimax, gradient descent–ascent with step sizes ``ηx = η`` and ``ηy = τη``
is locally stable for all small η exactly when τ exceeds a critical ratio τ* (Jin, Netrapalli &
Jordan 2020; Fiez & Ratliff 2021). On ``g1`` τ* = 3: ρ(τ) for a small η crosses 1 there.
"""
import os

import matplotlib.pyplot as plt
import numpy as np

import stability
from stability import algorithms, games
from stability.plotting import style

QUICK = os.environ.get("STABILITY_QUICK") == "1"
game = games.get("g1")
tau = stability.critical_ratio(game, [0, 0]).tau
print(f"τ* = {tau}")
taus = np.linspace(1.0, 6.0, 30 if QUICK else 250)
eta = 0.01
radius = [stability.spectral_radius(algorithms.get("gda", lr_x=eta, lr_y=t * eta), game, [0, 0]) for t in taus]
with style():
    fig, ax = plt.subplots(figsize=(3.4, 2.6))
    ax.plot(taus, radius, label=f"GDA, ηx = {eta}, ηy = τηx")
    ax.axhline(1.0, color="0.5", ls="--", lw=0.8)
    ax.axvline(tau, color="k", lw=0.8, ls=":", label=f"τ* = {tau:g}")
    ax.set_xlabel("time-scale ratio τ = ηy/ηx")
    ax.set_ylabel("spectral radius ρ")
    ax.set_title("g1 = −3x² − y² + 4xy at (0, 0)", fontsize="small")
    ax.legend()
plt.show()
