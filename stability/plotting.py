"""Figures. Every function takes ``ax=`` (a new figure when omitted) and returns what it drew."""

import numpy as np

from .config import defaults
from .errors import InputError, NotSupportedError, checked_call


def _axes(ax):
    if ax is not None and not hasattr(ax, "plot"):
        raise InputError(f"ax must be a matplotlib Axes, got {type(ax).__name__}")
    if ax is None:
        import matplotlib.pyplot as plt
        _, ax = plt.subplots(figsize=defaults["plotting.figsize"])
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


@checked_call
def plot_convergence(trajectory, ax=None, which="distance"):
    """``distance`` (to the run's target) or ``grad_norm`` per step of each point of a
    :class:`~stability.engine.Trajectory`, on a log scale. Returns the lines."""
    ax = _axes(ax)
    if which not in ("distance", "grad_norm"):
        raise InputError(f"which must be 'distance' or 'grad_norm', got {which!r}")
    if trajectory.recorded_steps is None:
        raise InputError("the run kept only final states (record='final'): there is no path to draw")
    data = getattr(trajectory, which)
    if which == "distance" and not np.any(np.isfinite(data)):
        data, which = trajectory.grad_norm, "grad_norm"
    steps = trajectory.recorded_steps
    lines = [ax.semilogy(steps, data[:, b], lw=1.0, label=f"point {b} ({trajectory.stop[b]})")[0]
             for b in range(data.shape[1])]
    ax.set_xlabel("step")
    ax.set_ylabel({"distance": "distance to the target", "grad_norm": "‖∇f‖"}[which])
    ax.legend(fontsize="small")
    return lines


@checked_call
def plot_table(table, ax=None):
    """ρ of each row of a :class:`~stability.spectral.Table` as a horizontal bar, ρ = 1 dashed;
    rows where the map is undefined are labelled instead. Returns the bar container."""
    ax = _axes(ax)
    names = list(table)
    rho = [table[k].radius if table[k].error is None else 0.0 for k in names]
    colours = ["tab:green" if table[k].stable else "tab:red" if table[k].stable is False else "0.6"
               for k in names]
    bars = ax.barh(names, rho, color=colours)
    for i, k in enumerate(names):
        if table[k].error is not None:
            ax.text(0.01, i, "undefined here", va="center", fontsize="small")
    ax.axvline(1.0, color="0.3", lw=0.8, ls="--")
    ax.invert_yaxis()
    ax.set_xlabel("spectral radius ρ")
    return bars


@checked_call
def plot_stable_set(stable_set, ax=None):
    """ρ over the hyperparameter of a :class:`~stability.spectral.StableSet`, its stable
    intervals shaded green and marginal ones grey. Returns the line of ρ."""
    line = plot_radius(stable_set.sweep, ax=ax)
    ax = line.axes
    for a, b in stable_set.intervals:
        ax.axvspan(a, b, color="tab:green", alpha=0.15, lw=0)
    for a, b in stable_set.marginal or []:
        ax.axvspan(a, b, color="0.5", alpha=0.2, lw=0)
    return line


@checked_call
def plot_optimum(optimum, ax=None):
    """ρ over the bracketing grid of an :class:`~stability.spectral.Optimum` with the optimum
    marked: a curve for one tuned hyperparameter, a colour map (ρ clipped to [0, 2]) for two."""
    ax = _axes(ax)
    grid = optimum.grid
    if grid is None or len(grid["names"]) > 2:
        raise NotSupportedError("an Optimum is drawn for one or two tuned hyperparameters")
    best = _tuned_values(optimum, grid["names"])
    if len(grid["names"]) == 1:
        (drawn,) = ax.plot(grid["axes"][0], grid["radius"])
        ax.plot(best[0], optimum.radius, "o", color="tab:red")
        ax.axhline(1.0, color="0.5", lw=0.8, ls="--")
        ax.set_xlabel(grid["names"][0])
        ax.set_ylabel("spectral radius ρ")
        return drawn
    X, Y = np.meshgrid(grid["axes"][0], grid["axes"][1], indexing="ij")
    drawn = ax.pcolormesh(X, Y, np.clip(grid["radius"], 0.0, 2.0), shading="auto", cmap="viridis")
    ax.figure.colorbar(drawn, ax=ax, label="ρ (clipped at 2)")
    ax.plot(*best, "o", color="tab:red")
    ax.set_xlabel(grid["names"][0])
    ax.set_ylabel(grid["names"][1])
    return drawn


def _tuned_values(optimum, names):
    hp = optimum.algorithm.hp
    out = []
    for name in names:
        base, _, part = name.partition(".")
        if name == "lr":
            out.append(hp.get("lr", hp.get("lr_x", hp.get(optimum.algorithm.step_param))))
        elif name == "ratio":
            out.append(hp["lr_y"] / hp["lr_x"])
        elif part:
            z = complex(hp[base])
            out.append({"real": z.real, "imag": z.imag, "abs": abs(z), "arg": np.angle(z)}[part])
        else:
            out.append(hp[name])
    return [float(np.real(v)) for v in out]
