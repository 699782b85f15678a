"""Figures. Every function takes ``ax=`` (a new figure when omitted) and returns what it drew.

One style for all of them: :func:`style` applies the package's matplotlib style sheet
(``stability.mplstyle``: a one-column figure of a two-column paper, 3.4 × 2.6 in, 8 pt type,
the Okabe–Ito colour-blind-safe palette); :func:`series_style` gives the i-th curve of a
figure a colour, a line style and a marker, so curves stay apart in greyscale and where they
lie on top of each other; :func:`coincident` finds curves that coincide, so a legend can say so
instead of pointing at a curve nobody can see.
"""

from pathlib import Path

import numpy as np

from .config import defaults
from .errors import InputError, NotSupportedError, checked_call
from .linalg import as_finite_array, real_number

STYLE = Path(__file__).with_name("stability.mplstyle")
"""The package's matplotlib style sheet."""

PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#882255")
"""Okabe & Ito's colour-blind-safe palette (blue, vermilion, green, purple, orange, sky, black),
with Tol's wine in place of Okabe–Ito's yellow, which is too faint on white for a line."""

_DASHES = ("-", (0, (5, 1.5)), (0, (1.2, 1.2)), (0, (6, 1.5, 1.2, 1.5)), (0, (3, 1)), (0, (1, 2.5)),
           (0, (8, 2, 1, 2, 1, 2)), (0, (2, 2)))
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")


def style():
    """A context manager drawing with the package's style sheet.

    .. code-block:: python

        with stability.plotting.style():
            fig, ax = plt.subplots()
    """
    import matplotlib.pyplot as plt
    return plt.style.context(str(STYLE))


def series_style(i, n=None, points=None):
    """Keyword arguments for the ``i``-th of ``n`` curves: palette colour, line style, marker
    (with ``points``: one every tenth of the axes diagonal along the line, staggered per curve)
    and a line that thins and rises in drawing order,
    so a curve drawn over an identical one leaves the one below visible."""
    n = n or len(PALETTE)
    out = {"color": PALETTE[i % len(PALETTE)], "ls": _DASHES[i % len(_DASHES)],
           "marker": _MARKERS[i % len(_MARKERS)], "lw": 2.2 - 1.4 * i / max(n - 1, 1), "zorder": 2 + i,
           "ms": 3.2, "mfc": "white" if i % 2 else PALETTE[i % len(PALETTE)]}
    if points:  # evenly along the drawn line (fractions of the axes diagonal), staggered per curve
        out["markevery"] = (0.1 * i / max(n, 1), 0.1)
    return out


def coincident(curves, rtol=1e-9):
    """Groups of the labels of ``curves`` (``{label: y}``, equal lengths) whose values agree to
    ``rtol`` relative (NaN where the other is NaN) at every sample: ``{label: [others]}``."""
    labels = list(curves)
    data = {k: np.asarray(v, dtype=float) for k, v in curves.items()}
    out = {k: [] for k in labels}
    for i, a in enumerate(labels):
        for b in labels[i + 1:]:
            x, y = data[a], data[b]
            if x.shape != y.shape or not np.array_equal(np.isnan(x), np.isnan(y)):
                continue
            ok = ~np.isnan(x)
            if np.all(np.abs(x[ok] - y[ok]) <= rtol * np.maximum(1.0, np.abs(x[ok]))):
                out[a].append(b)
                out[b].append(a)
    return out


def with_coincidences(label, others, how="coincide"):
    """``label``, plus "(= A, B: coincide)" when other curves lie on it (``how`` says to what
    accuracy, e.g. "equal to 1e-4" for tuned values)."""
    return f"{label} (= {', '.join(others)}: {how})" if others else label


def _labelled(mapping, name, ok, kind):
    """Refuse anything but a non-empty ``{label: kind}`` mapping."""
    if not isinstance(mapping, dict) or not mapping or not all(ok(v) for v in mapping.values()):
        raise InputError(f"{name} must be a non-empty dict {{label: {kind}}}, got {type(mapping).__name__}")


def _axes(ax):
    if ax is not None and not hasattr(ax, "plot"):
        raise InputError(f"ax must be a matplotlib Axes, got {type(ax).__name__}")
    if ax is None:
        import matplotlib.pyplot as plt
        _, ax = plt.subplots(figsize=defaults["plotting.figsize"])
    return ax


@checked_call
def plot_radius(sweep, ax=None, label=None, style=None):
    """ρ against the swept hyperparameter, with the stability boundary ρ = 1 (dashed).
    ``style``: a dict of line properties (e.g. :func:`series_style`). Returns the line."""
    ax = _axes(ax)
    if style is not None and not isinstance(style, dict):
        raise InputError(f"style must be a dict of line properties, got {type(style).__name__}")
    try:
        (line,) = ax.plot(sweep.values, sweep.radius, label=label or sweep.algorithm, **(style or {}))
    except (AttributeError, TypeError, ValueError) as exc:
        raise InputError(f"style has a property matplotlib lines do not take: {exc}") from None
    ax.axhline(1.0, color="0.5", lw=0.8, ls="--", zorder=1)
    ax.set_xlabel(param_label(sweep.param))
    ax.set_ylabel("spectral radius ρ")
    return line


@checked_call
def plot_radii(sweeps, ax=None, ylim=None):
    """Several ρ curves ``{label: Sweep}`` over the same values, each in its own
    :func:`series_style`; curves that coincide say so in the legend, and with ``ylim`` a note
    names the curves that leave the plotted range (nothing is clipped silently). Returns the
    lines."""
    ax = _axes(ax)
    _labelled(sweeps, "sweeps", lambda v: hasattr(v, "radius") and hasattr(v, "values"), "Sweep")
    same = coincident({k: s.radius for k, s in sweeps.items()})
    lines = []
    for i, (label, s) in enumerate(sweeps.items()):
        lines.append(plot_radius(s, ax=ax, label=with_coincidences(label, same[label]),
                                 style=series_style(i, len(sweeps), len(s.values))))
    if ylim is not None:
        ax.set_ylim(*ylim)
        above = [k for k, s in sweeps.items() if np.nanmax(s.radius) > ylim[1]]
        ax.legend(title=f"leave the top (ρ > {ylim[1]:g}):\n{', '.join(above)}" if above else None,
                  title_fontsize="xx-small", loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize="x-small")
    return lines


@checked_call
def plot_eigenvalue_map(sweep, ax=None, cmap="viridis", rate=None):
    """A sweep's eigenvalues in the complex plane: :func:`plot_eigenvalue_paths` of the one
    sweep (unit circle, equal aspect, colour by the swept value with a colour bar, arrows in
    the direction it grows, the dashed circle ``|μ| = rate`` if given). Values where the map
    is undefined are left out. Returns the scatter collection."""
    return plot_eigenvalue_paths({sweep.algorithm: sweep}, ax=ax, rate=rate, cmap=cmap)[0]


@checked_call
def plot_eigenvalue_paths(series, ax=None, rate=None, cmap="viridis", arrows=3):
    """Eigenvalues of several sweeps ``{label: Sweep}`` (or ``{label: (Sweep, colour)}``, the
    colour ignored) in the complex plane: the unit circle solid, equal aspect, every eigenvalue
    coloured by the swept value (one colour bar) with one marker per series, ``arrows`` arrows
    along the dominant eigenvalue's path showing the direction in which the value grows, and,
    with ``rate``, the dashed circle ``|μ| = rate``. Returns the scatter collections."""
    ax = _axes(ax)
    _labelled(series, "series", lambda v: hasattr(v[0] if isinstance(v, tuple) else v, "eigenvalues"), "Sweep")
    if rate is not None:
        rate = real_number(rate, "rate", 0.0)
    t = np.linspace(0, 2 * np.pi, 400)
    ax.plot(np.cos(t), np.sin(t), color="k", lw=0.8, zorder=1)
    if rate is not None:
        ax.plot(rate * np.cos(t), rate * np.sin(t), color="0.35", lw=0.8, ls="--", zorder=1,
                label=f"|μ| = {rate:.3g}")
    drawn, lo, hi = [], min(np.min(s.values) for s in _sweeps(series)), max(np.max(s.values) for s in _sweeps(series))
    for i, (label, sw) in enumerate(zip(series, _sweeps(series))):
        defined = [(v, e) for v, e in zip(sw.values, sw.eigenvalues) if e is not None]
        ev = np.concatenate([e for _, e in defined] or [np.zeros(0, complex)])
        vals = np.concatenate([np.full(len(e), v) for v, e in defined] or [np.zeros(0)])
        drawn.append(ax.scatter(ev.real, ev.imag, c=vals, cmap=cmap, vmin=lo, vmax=hi, s=9,
                                marker=_MARKERS[i % len(_MARKERS)], linewidths=0.3, edgecolors="k",
                                label=label, zorder=3 + i))
        top = np.array([e[np.argmax(np.abs(e) + 1e-12 * np.sign(e.imag))] for _, e in defined if len(e)])
        for k in (np.linspace(0, len(top) - 2, arrows + 2).astype(int)[1:-1] if len(top) > 2 else []):
            ax.annotate("", xy=(top[k + 1].real, top[k + 1].imag), xytext=(top[k].real, top[k].imag),
                        arrowprops=dict(arrowstyle="-|>", color=PALETTE[i % len(PALETTE)], lw=0.8),
                        zorder=4 + i)
    ax.figure.colorbar(drawn[0], ax=ax, label=f"{param_label(_sweeps(series)[0].param)} (grows along the arrows)")
    ax.set_aspect("equal")
    ax.set_xlabel("Re μ")
    ax.set_ylabel("Im μ")
    ax.legend(loc="upper left", bbox_to_anchor=(1.35, 1.0), fontsize="x-small")
    return drawn


PARAM_LABELS = {"lr": "step size η", "lr_x": "ηx", "lr_y": "ηy", "beta": "momentum β", "alpha": "α",
                "gamma": "γ", "lam": "λ", "ratio": "ηy/ηx"}


def param_label(param):
    """The axis label of a hyperparameter (``lr`` → "step size η")."""
    return PARAM_LABELS.get(param, param)


def _sweeps(series):
    return [v[0] if isinstance(v, tuple) else v for v in series.values()]


@checked_call
def plot_trajectories(game, trajectories, ax=None, bounds=None, levels=30, point=None, styles=None):
    """Trajectories ``{label: Trajectory}`` of a 2-D game (n = m = 1) over filled contours of f.

    The shading is a diverging map centred on f at ``point`` (the critical point, marked with a
    black star; the origin by default) and scaled to the 2nd–98th percentiles of f over the
    window, so neither the middle nor the corners wash out; a colour bar gives the levels.
    Each path has its :func:`series_style` colour and line style (``styles``: per-label
    overrides, e.g. a thin line for a path that zig-zags) and a legend entry that says how its
    run ended ("converged in 412 steps", "not converged (3000-step limit)").
    The legend sits right of the colour bar, off the data. Returns the lines."""
    from matplotlib.colors import Normalize, TwoSlopeNorm
    ax = _axes(ax)
    _labelled(trajectories, "trajectories", lambda v: hasattr(v, "iterates") and hasattr(v, "stop"), "Trajectory")
    if styles is not None and not (isinstance(styles, dict) and all(isinstance(v, dict) for v in styles.values())):
        raise InputError("styles must map labels to dicts of line properties")
    point = np.zeros(2) if point is None else as_finite_array(point, "point", ndim=1)
    if point.shape != (2,):
        raise InputError(f"point must be the 2 coordinates of a 2-D game's critical point, got {point.shape[0]}")
    if bounds is None:
        pts = np.concatenate([t.iterates[:, 0][np.all(np.isfinite(t.iterates[:, 0]), axis=1)]
                              for t in trajectories.values()])
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        pad = 0.15 * np.maximum(hi - lo, 1.0)
        bounds = (lo[0] - pad[0], hi[0] + pad[0], lo[1] - pad[1], hi[1] + pad[1])
    X, Y = np.meshgrid(np.linspace(bounds[0], bounds[1], 240), np.linspace(bounds[2], bounds[3], 240))
    F = game.value(X[..., None], Y[..., None])
    centre = float(game.value(point[:1], point[1:]))
    vmin, vmax = np.percentile(F, [2, 98])
    norm = TwoSlopeNorm(centre, vmin, vmax) if vmin < centre < vmax else Normalize(vmin, vmax)
    shade = ax.contourf(X, Y, F, levels=np.linspace(vmin, vmax, levels), cmap="RdBu_r", norm=norm,
                        extend="both", alpha=0.6, zorder=0)
    ax.contour(X, Y, F, levels=shade.levels[::2], colors="k", linewidths=0.25, alpha=0.35, zorder=0)
    from matplotlib.ticker import MaxNLocator
    bar = ax.figure.colorbar(shade, ax=ax, label="f(x, y)", shrink=0.9)
    bar.locator = MaxNLocator(6)
    bar.update_ticks()
    lines = []
    for i, (label, traj) in enumerate(trajectories.items()):
        z = traj.iterates[:, 0]
        kw = {k: v for k, v in series_style(i, len(trajectories)).items() if k not in ("marker", "mfc", "ms")}
        kw["lw"] = 1.0 + 0.6 * (len(trajectories) - 1 - i) / max(len(trajectories) - 1, 1)
        kw.update((styles or {}).get(label, {}))
        (line,) = ax.plot(z[:, 0], z[:, 1], label=f"{label}: {_outcome(traj)}", **kw)
        lines.append(line)
    ax.plot(*point, marker="*", color="k", ms=9, mec="white", mew=0.6, ls="none", zorder=20,
            label=f"critical point ({point[0]:g}, {point[1]:g})")
    ax.set_xlim(bounds[0], bounds[1])
    ax.set_ylim(bounds[2], bounds[3])
    ax.set_xlabel(f"{game.x_names[0]} (leader, minimises)")
    ax.set_ylabel(f"{game.y_names[0]} (follower, maximises)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.3, 1.0), fontsize="x-small")
    return lines


def _outcome(traj, i=0):
    """How point ``i`` of a run ended, in words."""
    reason, step = traj.stop[i], int(traj.stop_step[i])
    return {"converged": f"converged in {step} steps", "diverged": f"diverged at step {step}",
            "max_steps": f"not converged ({step}-step limit)",
            "time_limit": f"not converged (time limit, {step} steps)",
            "interrupted": f"interrupted after {step} steps"}.get(reason, reason)


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
    lines = [ax.semilogy(steps, data[:, b], label=f"point {b}: {_outcome(trajectory, b)}",
                         **{k: v for k, v in series_style(b, data.shape[1]).items() if k not in ("marker", "mfc", "ms")})[0]
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
