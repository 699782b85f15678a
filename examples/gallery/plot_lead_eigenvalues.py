"""
LEAD's eigenvalues on a bilinear game (Hemmat et al. 2020, Fig. 1)
==================================================================

On ``f = xy`` the Jacobian of gradient descent–ascent has eigenvalues ``1 ± iη``, outside the
unit circle for every η > 0; Learning-Enhanced Adversarial Dynamics (LEAD, α = 0.3, β = 0)
pulls them inside. Each marker is one eigenvalue at one step size, coloured by η; the arrows
show the direction in which η grows, the dashed circle LEAD's best rate.
"""
import os

import matplotlib.pyplot as plt
import numpy as np

import stability
from stability import games
from stability.figures import figure_lead_eigenvalues
from stability.plotting import style

QUICK = os.environ.get("STABILITY_QUICK") == "1"
with style():
    fig, ax = plt.subplots(figsize=(5.0, 3.0))
    gda, lead = figure_lead_eigenvalues(ax=ax, quick=QUICK)
best = int(np.argmin(lead.radius))
print(f"LEAD's best rate ρ = {lead.radius[best]:.4f} at η = {lead.values[best]:.3f}; "
      f"GDA's smallest ρ = {gda.radius.min():.4f} (> 1 for every η)")
print(stability.stable_step_sizes("lead", games.get("lead-quadratic", h=0.0, A=np.array([[1.0]])), [0, 0],
                                  bounds=(0, 1), alpha=0.3, beta=0.0))
plt.show()
