"""
Momentum on bilinear games (Gidel et al. 2019)
==============================================

Gidel et al. show that on bilinear games *simultaneous* updates with heavy-ball momentum diverge
for every momentum β, while *alternating* updates with negative momentum converge. The first
half is checked here: ρ of simultaneous heavy ball on a random 5 × 5 bilinear game stays above 1
for every β, coming closest to 1 at negative β; alternating GDA (no momentum) sits exactly on
the unit circle (ρ = 1 to rounding: neither converging nor diverging), the boundary that negative
momentum with alternation pushes inside. The package has no alternating-momentum method, so the
second half is not drawn.
"""
import os

import matplotlib.pyplot as plt
import numpy as np

import stability
from stability import games
from stability.plotting import series_style, style

QUICK = os.environ.get("STABILITY_QUICK") == "1"
game = games.get("bilinear", p=5, q=5, seed=0)
point = np.zeros(10)
betas = np.linspace(-0.95, 0.6, 40 if QUICK else 300)
hb = stability.sweep("hb", game, point, "beta", betas, lr=0.1)
alt = stability.spectral_radius("altgda", game, point, lr=0.1)
print(f"heavy ball: min over β of ρ = {hb.radius.min():.6f} at β = {betas[np.argmin(hb.radius)]:.3f}; "
      f"alternating GDA: ρ = {alt:.15f}")
with style():
    fig, ax = plt.subplots(figsize=(3.4, 2.6))
    hb.plot(ax=ax, label="simultaneous heavy ball, η = 0.1", style=series_style(0, 2))
    ax.axhline(alt, **{k: v for k, v in series_style(1, 2).items() if k not in ("marker", "mfc", "ms")},
               label="alternating GDA (β = 0), η = 0.1")
    ax.set_xlabel("momentum β")
    ax.legend()
    ax.set_title("xᵀCy, C ~ U[0, 1]⁵ˣ⁵: ρ of the Jacobian at 0", fontsize="small")
plt.show()
