"""Figures. Every function takes ``ax=`` (a new figure when omitted) and returns what it drew."""

import numpy as np

from .config import defaults
from .errors import checked_call


def _axes(ax):
    if ax is not None and not hasattr(ax, "plot"):
        from .errors import InputError
        raise InputError(f"ax must be a matplotlib Axes, got {type(ax).__name__}")
    if ax is None:
        import matplotlib.pyplot as plt
        _, ax = plt.subplots(figsize=defaults["figsize"])
    return ax


@checked_call
def plot_radius(sweep, ax=None, label=None):
    """ρ against the swept hyperparameter, with the stability boundary ρ = 1."""
    ax = _axes(ax)
    (line,) = ax.plot(sweep.values, sweep.radius, label=label or sweep.algorithm)
    ax.axhline(1.0, color="0.5", lw=0.8, ls="--")
    ax.set_xlabel(sweep.param)
    ax.set_ylabel("spectral radius ρ")
    return line


@checked_call
def plot_eigenvalue_map(sweep, ax=None, cmap="viridis"):
    """Eigenvalues in the complex plane over the unit circle, coloured by the swept value."""
    ax = _axes(ax)
    t = np.linspace(0, 2 * np.pi, 400)
    ax.plot(np.cos(t), np.sin(t), color="0.4", lw=0.8)
    defined = [(v, e) for v, e in zip(sweep.values, sweep.eigenvalues) if e is not None]  # not .undefined
    vals = np.concatenate([np.full(len(e), v) for v, e in defined] or [np.zeros(0)])
    eigs = np.concatenate([e for _, e in defined] or [np.zeros(0, complex)])
    points = ax.scatter(eigs.real, eigs.imag, c=vals, cmap=cmap, s=6)
    ax.figure.colorbar(points, ax=ax, label=sweep.param)
    ax.set_aspect("equal")
    ax.set_xlabel("Re λ")
    ax.set_ylabel("Im λ")
    return points


@checked_call
def plot_eigenvalue_paths(series, ax=None):
    """Eigenvalues of several sweeps ``{label: (Sweep, colour)}`` over the unit circle."""
    ax = _axes(ax)
    t = np.linspace(0, 2 * np.pi, 400)
    ax.plot(np.cos(t), np.sin(t), color="k", lw=0.8)
    drawn = []
    for label, (sweep, colour) in series.items():
        ev = np.concatenate(sweep.eigenvalues)
        drawn.append(ax.scatter(ev.real, ev.imag, s=6, color=colour, label=label))
    ax.set_aspect("equal")
    ax.set_xlabel("Re μ")
    ax.set_ylabel("Im μ")
    ax.legend(fontsize="small")
    return drawn


@checked_call
def plot_trajectories(game, trajectories, ax=None, bounds=None, levels=30):
    """Trajectories ``{label: Trajectory}`` of a 2-D game (n = m = 1) over contours of f."""
    ax = _axes(ax)
    if bounds is None:
        pts = np.concatenate([t.iterates[:, 0][np.all(np.isfinite(t.iterates[:, 0]), axis=1)]
                              for t in trajectories.values()])
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        pad = 0.15 * np.maximum(hi - lo, 1.0)
        bounds = (lo[0] - pad[0], hi[0] + pad[0], lo[1] - pad[1], hi[1] + pad[1])
    X, Y = np.meshgrid(np.linspace(bounds[0], bounds[1], 200), np.linspace(bounds[2], bounds[3], 200))
    ax.contour(X, Y, game.value(X[..., None], Y[..., None]), levels=levels, cmap="Greys", linewidths=0.6)
    lines = []
    for label, traj in trajectories.items():
        z = traj.iterates[:, 0]
        outcome = {"max_steps": "not converged"}.get(traj.stop[0], traj.stop[0])
        (line,) = ax.plot(z[:, 0], z[:, 1], lw=1.2, label=f"{label} ({outcome})")
        lines.append(line)
    ax.set_xlim(bounds[0], bounds[1])
    ax.set_ylim(bounds[2], bounds[3])
    ax.set_xlabel(f"{game.x_names[0]} (leader, minimises)")
    ax.set_ylabel(f"{game.y_names[0]} (follower, maximises)")
    ax.legend(fontsize="small")
    return lines
