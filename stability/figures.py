"""The papers' experiments, reproduced (``stability figures``). Each ``figure_*`` function draws on
the axes it is given (or new ones) and returns what it computed; :func:`make_all` writes the PNGs.
``quick=True`` shrinks step counts and grids for smoke tests (the qualitative outcome is kept)."""


import numpy as np

from . import algorithms, games
from .config import defaults
from .errors import InputError, save_figure, writable_directory
from .engine import run
from .plotting import plot_eigenvalue_paths, plot_trajectories
from .spectral import optimize, spectral_radius, sweep

TOY_START = (3.0, 4.0)
TOY_ALGORITHMS = {  # FR App. D.1: η = 0.05, λ = 1 for SGA, γ = 0.1 for CO on ‖∇f‖² (= 0.2 on ½‖v‖²)
    "GDA": ("gda", {}), "OGDA": ("ogda", {}), "EG": ("eg", {}), "SGA": ("sga", {"lam": 1.0}),
    "CO": ("co", {"gamma": 0.2}), "FR": ("fr", {}), "HessianFR": ("hessianfr", {"lr_y2": 0.5}),
    "GDN": ("gdn", {}),
}


def _axes(ax, **kw):
    if ax is not None and not hasattr(ax, "plot"):
        raise InputError(f"ax must be a matplotlib Axes, got {type(ax).__name__}")
    if ax is None:
        import matplotlib.pyplot as plt
        _, ax = plt.subplots(figsize=kw.get("figsize", defaults["plotting.figsize"]))
    return ax


def toy_trajectories(name, steps=3000, start=TOY_START, lr=None):
    """Trajectories of the FR Fig. 3 / HessianFR Fig. 1 algorithms on ``g1``, ``g2`` or ``g3``
    (``lr`` defaults to ``config.defaults["figures.toy_lr"]``, FR App. D.1's η = 0.05)."""
    game = games.get(name)
    lr = defaults["figures.toy_lr"] if lr is None else lr
    return game, {label: run(algorithms.get(alg, lr=lr, **hp), game, start, steps=steps, tol=1e-8,
                             target=[0.0, 0.0])
                  for label, (alg, hp) in TOY_ALGORITHMS.items()}


def figure_toy(name, ax=None, quick=False):
    game, trajs = toy_trajectories(name, steps=300 if quick else 3000)
    ax = _axes(ax)
    plot_trajectories(game, trajs, ax=ax, bounds=(-6, 6, -6, 6))
    kind = {"g1": "(0, 0) is a local minimax", "g2": "(0, 0) is NOT a local minimax",
            "g3": "(0, 0) is a local minimax"}[name]
    ax.set_title(f"{name}: {kind}; start {TOY_START}, η = {defaults['figures.toy_lr']:g} (FR Fig. 3)")
    ax.plot(*TOY_START, "r^", ms=8)
    return trajs


def figure_radius(name, ax=None, quick=False):
    """ρ at the origin against η for the toy algorithms."""
    ax = _axes(ax)
    game = games.get(name)
    etas = np.linspace(1e-3, 0.5, 50 if quick else 400)
    out = {}
    for label, (alg, hp) in TOY_ALGORITHMS.items():
        s = sweep(alg, game, [0.0, 0.0], "lr", etas, **hp)
        s.plot(ax=ax, label=label)
        out[label] = s
    ax.set_ylim(0, 2)
    ax.set_xlabel("step size η")
    ax.set_title(f"{name}: spectral radius at (0, 0); below 1 = locally convergent")
    ax.legend(fontsize="small", ncol=2)
    return out


def fr_e2_runs(game_name, steps):
    """FR App. E.2: FR (η = 0.2) with momentum 0, 0.5, 0.8 and GDA, grid-searched as in the paper
    (ηy ∈ {0.1, …, 1.6}, c ∈ {5, …, 80}, momentum ∈ {0, ±0.1, ±0.2, ±0.4, ±0.8}), the best
    setting chosen by spectral radius."""
    game = games.get(game_name)
    z0 = np.array([1.0, 1.0, 1.0, 1.0])
    origin = np.zeros(4)
    runs = {}
    for beta in (0.0, 0.5, 0.8):
        alg = algorithms.get("fr", lr=0.2, beta=beta)
        runs[f"FR, momentum {beta}"] = (alg, spectral_radius(alg, game, origin))
    for label, betas in (("GDA", [0.0]), ("GDA + momentum", [-0.8, -0.4, -0.2, -0.1, 0.1, 0.2, 0.4, 0.8])):
        best = None
        for lr_y in (0.1, 0.2, 0.4, 0.8, 1.6):
            for c in (5, 10, 20, 40, 80):
                for beta in betas:
                    alg = algorithms.get("hb" if beta else "gda", lr_x=lr_y / c, lr_y=lr_y,
                                         **({"beta": beta} if beta else {}))
                    rho = spectral_radius(alg, game, origin)
                    if best is None or rho < best[1]:
                        best = (alg, rho)
        runs[label] = best
    return game, {label: (alg, rho, run(alg, game, z0, steps=steps, tol=0.0, target=origin))
                  for label, (alg, rho) in runs.items()}


def figure_fr_e2(ax=None, quick=False, game_name="fr-e2"):
    game, runs = fr_e2_runs(game_name, 200 if quick else 2000)
    ax = _axes(ax)
    for label, (alg, rho, traj) in runs.items():
        ax.semilogy(traj.distance[:, 0], label=f"{label} (ρ = {rho:.4f})")
    ax.set_xlabel("iteration")
    ax.set_ylabel("distance to the origin")
    ax.set_ylim(1e-12, 1e6)
    ax.set_title(f"FR App. E.2 ({game_name})")
    ax.legend(fontsize="small")
    return runs


def figure_lead_eigenvalues(ax=None, quick=False, alpha=0.3):
    """LEAD Fig. 1: eigenvalues of GDA and LEAD (β = h = 0) on a bilinear game as η varies."""
    ax = _axes(ax)
    game = games.get("lead-quadratic", h=0.0, A=np.array([[1.0]]))
    etas = np.linspace(0.0, 1.0, 20 if quick else 100)[1:]
    gda = sweep("gda", game, [0, 0], "lr", etas)
    lead = sweep("lead", game, [0, 0], "lr", etas, alpha=alpha, beta=0.0)
    plot_eigenvalue_paths({"GDA": (gda, "tab:blue"), f"LEAD (α = {alpha})": (lead, "tab:red")}, ax=ax)
    ax.set_title("LEAD Fig. 1: Jacobian eigenvalues for η ∈ (0, 1] on xy")
    return gda, lead


def figure_numerics_co(ax=None, quick=False, gamma=1.0):
    """Numerics of GANs Fig. 1: GDA's eigenvalues 1 − ηλ approach the unit circle tangentially
    when λ is nearly imaginary; consensus optimisation moves λ to the right (μ inside)."""
    ax = _axes(ax)
    game = games.get("lead-quadratic", h=0.05, A=np.array([[1.0]]))  # λ(V) = 0.05 ± i
    etas = np.linspace(0.0, 1.0, 20 if quick else 100)[1:]
    gda = sweep("gda", game, [0, 0], "lr", etas)
    co = sweep("co", game, [0, 0], "lr", etas, gamma=gamma)
    plot_eigenvalue_paths({"GDA: I − ηV": (gda, "tab:blue"), f"CO (γ = {gamma})": (co, "tab:green")}, ax=ax)
    ax.set_title("Numerics of GANs Fig. 1: eigenvalues for η ∈ (0, 1], λ(V) = 0.05 ± i")
    return gda, co


LEAD_FIG3_METHODS = {
    "GDA": ("gda", {"lr": (1e-3, 2.0)}),
    "EG": ("eg", {"lr": (1e-3, 2.0)}),
    "OG": ("ogda", {"lr": (1e-3, 2.0)}),
    "NM": ("hb", {"lr": (1e-3, 2.0), "beta": (-0.9, 0.0)}),
    "PM": ("hb", {"lr": (1e-3, 2.0), "beta": (0.0, 0.95)}),
    "CM": ("complex-momentum", {"alpha.real": (1e-3, 2.0), "beta.abs": (0.0, 0.95), "beta.arg": (0.0, 3.1)}),
    "LEAD": ("lead", {"lr": (1e-3, 2.0), "alpha": (0.0, 2.0), "beta": (-0.5, 0.95)}),
}


def lead_gamma_sweep(gamma_maxes, seeds, d, num):
    radii = {label: [] for label in LEAD_FIG3_METHODS}
    for gm in gamma_maxes:
        for label, (name, bounds) in LEAD_FIG3_METHODS.items():
            r = [optimize(name, games.get("lead-eq31", d=d, gamma_max=gm, seed=s), np.zeros(2 * d),
                          bounds, num=num if len(bounds) > 2 else 2 * num).radius for s in seeds]
            radii[label].append(float(np.mean(r)))
    return {k: np.array(v) for k, v in radii.items()}


def figure_lead_gamma_sweep(ax=None, quick=False):
    """LEAD Fig. 3: tuned spectral radius against γmax on eq. 31 (mean over seeded draws)."""
    ax = _axes(ax)
    gms = np.linspace(0.0, 1.0, 3 if quick else 11)
    radii = lead_gamma_sweep(gms, seeds=(0,) if quick else (0, 1, 2), d=4 if quick else 8,
                             num=5 if quick else 10)
    for label, r in radii.items():
        ax.plot(gms, r, marker="o", ms=3, label=label)
    ax.axhline(1.0, color="0.5", ls="--", lw=0.8)
    ax.set_xlabel("γmax (0: cooperative, 1: adversarial)")
    ax.set_ylabel("spectral radius, each method tuned")
    ax.set_title("LEAD Fig. 3: eq. 31, tuned ρ vs γmax")
    ax.legend(fontsize="small", ncol=2)
    return gms, radii


def figure_lead_fig9(axes=None, quick=False, lr=0.1):
    """LEAD Fig. 9: OGDA vs LEAD/GDA/CGD on γ(x² − y²), γ ∈ {1, 6}, at one learning rate."""
    import matplotlib.pyplot as plt
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(10, 4))
    out = {}
    for ax, gamma in zip(axes, (1.0, 6.0)):
        game = games.get("lead-quadratic", h=2 * gamma, A=np.array([[0.0]]))  # f = γ(x² − y²)
        for label, (name, hp) in {"OGDA": ("ogda", {}), "GDA": ("gda", {}), "CGD": ("cgd", {}),
                                  "LEAD": ("lead", {"alpha": 0.05, "beta": 0.0})}.items():
            traj = run(algorithms.get(name, lr=lr, **hp), game, [1.0, 1.0], steps=60 if quick else 200,
                       tol=1e-12, target=[0.0, 0.0])
            ax.semilogy(traj.distance[:, 0], label=f"{label} ({traj.stop[0]})")
            out[(gamma, label)] = traj
        ax.set_title(f"γ = {gamma:g}, η = {lr} (OGDA stable iff η < 1/(3γ))")
        ax.set_xlabel("iteration")
        ax.set_ylabel("distance to (0, 0)")
        ax.legend(fontsize="small")
    return out


def figure_interaction_fig1(ax=None, quick=False, gamma=1.0, r=0.5):
    """Interaction Matters Fig. 1: distance to the equilibrium for OMD, PM, IU, CO on xᵀCy,
    p = q = 5, C i.i.d. U[0, 1], with the theorems' learning rates (γ = 1, ‖z0‖ = r)."""
    ax = _axes(ax)
    game = games.get("bilinear", p=5, q=5, seed=0)
    C = game.dense_blocks()[1]
    ev = np.linalg.eigvalsh(C @ C.T)
    lmin, lmax = ev.min(), ev.max()
    lr_pm = gamma * lmin / (gamma**2 * lmax**2 + lmax)
    settings = {"OMD": ("ogda", {"lr": 1 / (2 * np.sqrt(2 * lmax))}),
                "PM": ("pm", {"lr": lr_pm, "gamma": gamma}),
                "IU": ("iu", {"lr": 1 / np.sqrt(lmax)}),
                "CO": ("co", {"lr": lr_pm, "gamma": gamma})}
    z0 = np.random.default_rng(0).standard_normal(10)
    z0 *= r / np.linalg.norm(z0)
    out = {}
    for label, (name, hp) in settings.items():
        traj = run(algorithms.get(name, **hp), game, z0, steps=2000 if quick else 20000, tol=0,
                   target=np.zeros(10))
        style = {"PM": dict(ls="--", lw=2.5, label="PM (identical to CO on bilinear games)"),
                 "IU": dict(label="IU (floor: Newton solve tolerance)")}.get(label, dict(label=label))
        ax.semilogy(traj.distance[:, 0], **style)
        out[label] = traj
    ax.set_xlabel("iteration")
    ax.set_ylabel("distance to the Nash equilibrium")
    ax.set_title("Interaction Matters Fig. 1: xᵀCy, p = q = 5, C ~ U[0, 1]")
    ax.legend(fontsize="small")
    return out


def make_all(directory="figures", quick=False):
    """Regenerate every figure into ``directory``; returns the paths written."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    directory = writable_directory(directory)
    written = []

    def save(fig, name):
        written.append(save_figure(fig, directory / name, defaults["plotting.dpi"]))

    for name in ("g1", "g2", "g3"):
        fig, ax = plt.subplots(figsize=defaults["plotting.figsize"])
        figure_toy(name, ax=ax, quick=quick)
        save(fig, f"trajectories_{name}.png")
        fig, ax = plt.subplots(figsize=defaults["plotting.figsize"])
        figure_radius(name, ax=ax, quick=quick)
        save(fig, f"radius_{name}.png")
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    figure_fr_e2(ax=axes[0], quick=quick, game_name="fr-e2")
    figure_fr_e2(ax=axes[1], quick=quick, game_name="fr-e2-diagonal")
    save(fig, "fr_e2_momentum.png")
    for name, fn in (("lead_fig1_eigenvalues.png", figure_lead_eigenvalues),
                     ("numerics_fig1_consensus.png", figure_numerics_co),
                     ("lead_fig3_gamma_sweep.png", figure_lead_gamma_sweep),
                     ("interaction_fig1_bilinear.png", figure_interaction_fig1)):
        fig, ax = plt.subplots(figsize=defaults["plotting.figsize"])
        fn(ax=ax, quick=quick)
        save(fig, name)
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    figure_lead_fig9(axes=axes, quick=quick)
    save(fig, "lead_fig9_ogda.png")
    return written
