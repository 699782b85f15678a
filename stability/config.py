"""Defaults in one place (python-control style); change them in ``stability.config.defaults``."""

defaults = {
    "figsize": (6.0, 4.5),
    "dpi": 120,
    "toy_lr": 0.05,        # η of the toy experiments (FR Fig. 3, HessianFR Fig. 1)
    "progress": True,      # progress of long sweeps/optimisations on stderr
    "max_dense": 8000,     # largest dense Jacobian (rows) built on request; beyond: matrixfree
    "max_array_bytes": 2 ** 31,  # largest array a computation allocates (engine trajectories, grids)
    "rho_margin": 2 ** -26,  # |ρ − 1| ≤ this decides nothing: √ε, the accuracy of a defective eigenvalue
    "max_sweep_values": 10 ** 6,  # most hyperparameter values one sweep evaluates
}

_FACTORY = dict(defaults)


def reset_defaults():
    """Restore every default to its value at import."""
    defaults.clear()
    defaults.update(_FACTORY)
