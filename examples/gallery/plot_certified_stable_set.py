"""
Alternating GDA, certified: an exact stable set and ρ = 1 proven (Bailey, Gidel & Piliouras 2020)
=================================================================================================

Floating point cannot tell ρ = 1 − 1e-15 from ρ = 1 + 1e-15. ``stability.certify`` proves the
verdicts instead (docs/MATHEMATICS.md §6). Alternating GDA on g3 is stable exactly for η in
(2/5, 1/7 + 3√2/14). That set comes from the Liénard–Chipart conditions on its exact
characteristic polynomial, and it is drawn over the float ρ. On a bilinear game the same method has
every eigenvalue on the unit circle (Bailey, Gidel & Piliouras 2020), and the certificate proves
ρ = 1 exactly, where floating point can only say "undecided".
"""
from fractions import Fraction

import matplotlib.pyplot as plt
import numpy as np

import stability
from stability import certify, games
from stability.plotting import style

g3 = games.get("g3")
exact = certify.stable_set("altgda", g3, [0, 0])
print(exact)
print(certify.spectral_radius("altgda", games.get("bilinear", p=1, q=1), [0, 0], lr=Fraction(1, 2)))

etas = np.linspace(0.3, 0.5, 400)
rho = stability.sweep("altgda", g3, [0.0, 0.0], "lr", etas).radius
with style():
    fig, ax = plt.subplots(figsize=(5.0, 2.6))
    ax.plot(etas, rho, color="k", lw=1.2, label="ρ (floating point)")
    for a, b in exact.floats:
        ax.axvspan(a, min(b, etas[-1]), color="tab:green", alpha=0.2, label="stable, proven")
    ax.axhline(1.0, color="0.5", lw=0.8, ls="--")
    ax.set_xlabel("η")
    ax.set_ylabel("ρ")
    ax.legend(fontsize="small")
    ax.set_title("alternating GDA on g3: (2/5, 1/7 + 3√2/14)", fontsize="small")
plt.show()
