"""The papers' experiments, reproduced (``stability figures``). Each ``figure_*`` function draws on
the axes it is given (or new ones) and returns what it computed; :func:`make_all` writes them in
the package style (:func:`stability.plotting.style`) as PNG and/or vector files. Every title
states the game (its formula) and the hyperparameters, and says which paper's figure it
reproduces; where our settings differ from the authors' or are not known, the title says so.
``quick=True`` shrinks step counts and grids for smoke tests (the qualitative outcome is kept)."""


import numpy as np

from . import algorithms, formatting, games
from .config import defaults
from .errors import InputError, save_figure, writable_directory
from .linalg import count
from .engine import run
from .games import Game
from .plotting import PALETTE, coincident, plot_eigenvalue_paths, plot_radii, plot_trajectories, series_style, style, \
    with_coincidences
from .spectral import optimize, spectral_radius, stable_step_sizes, sweep

TOY_START = (3.0, 4.0)
TOY_ALGORITHMS = {  # FR App. D.1: η = 0.05, λ = 1 for SGA, γ = 0.1 for CO on ‖∇f‖² (= 0.2 on ½‖v‖²)
    "GDA": ("gda", {}), "OGDA": ("ogda", {}), "EG": ("eg", {}), "SGA": ("sga", {"lam": 1.0}),
    "CO": ("co", {"gamma": 0.2}), "FR": ("fr", {}), "HessianFR": ("hessianfr", {"lr_y2": 0.5}),
    "GDN": ("gdn", {}),
}


TOY_FORMULAS = {
    "g1": "f = −3x² − y² + 4xy",
    "g2": "f = 3x² + y² + 4xy",
    "g3": "f = (4x² − (y − 3x + 0.05x³)² − 0.1y⁴)·exp(−0.01(x² + y²))",
}
TOY_KIND = {"g1": "(0, 0) is a local minimax", "g2": "(0, 0) is not a local minimax",
            "g3": "(0, 0) is a local minimax"}
THIN = {"SGA": {"lw": 0.5, "alpha": 0.55, "zorder": 1}}
"""SGA's path zig-zags across the window at η = 0.05: drawn thin, translucent and first, so the
GDA/EG cycles under it stay visible."""


def toy_label(label):
    """A toy algorithm's legend label with the hyperparameters it runs with besides η."""
    hp = TOY_ALGORITHMS[label][1]
    return f"{label} ({formatting.hyperparameters(hp)})" if hp else label


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
    """FR Fig. 3 / HessianFR Fig. 1: the toy algorithms' paths on ``g1``, ``g2`` or ``g3`` from
    (3, 4) at η = 0.05 (SGA λ = 1, CO γ = 0.1 on ‖∇f‖²), our settings (FR App. D.1); the
    authors' own settings for g3 are :func:`figure_toy_authors`."""
    steps = 300 if quick else 3000
    game, trajs = toy_trajectories(name, steps=steps)
    ax = _axes(ax)
    plot_trajectories(game, {toy_label(k): t for k, t in trajs.items()}, ax=ax, bounds=(-6, 6, -6, 6),
                      styles={toy_label(k): v for k, v in THIN.items()})
    ax.set_title(f"{name}: {TOY_FORMULAS[name]}; {TOY_KIND[name]}\n"
                 f"η = {defaults['figures.toy_lr']:g} (FR App. D.1), start {TOY_START} ▲ (ours: the paper does not "
                 f"state it), {steps} steps — FR Fig. 3",
                 fontsize="small")
    ax.plot(*TOY_START, "^", color="k", ms=6, zorder=21)
    return trajs


AUTHORS_STARTS = ((5.0, 7.0), (6.0, 5.0), (7.0, 5.0))
"""The starts of the FR authors' own toy code for g3, where f3 = g3/10 and SGA has λ = 0.01
(the paper's text states neither)."""


def figure_toy_authors(axes=None, quick=False):
    """FR Fig. 3, g3 panel, with the authors' code settings: f3 = g3/10, SGA λ = 0.01, starts
    (5, 7), (6, 5), (7, 5); other settings as in :func:`figure_toy`. One panel per start."""
    import matplotlib.pyplot as plt
    if axes is None:
        _, axes = plt.subplots(3, 1, figsize=(7.0, 10.2))
    expr = games.get("g3").expr / 10
    game = Game.from_expr(expr, "x", "y")
    lr, steps = defaults["figures.toy_lr"], 300 if quick else 3000
    settings = dict(TOY_ALGORITHMS, SGA=("sga", {"lam": 0.01}))
    out = {}
    for ax, start in zip(axes, AUTHORS_STARTS):
        trajs = {label: run(algorithms.get(alg, lr=lr, **hp), game, start, steps=steps, tol=1e-8, target=[0.0, 0.0])
                 for label, (alg, hp) in settings.items()}
        plot_trajectories(game, trajs, ax=ax, bounds=(-8, 8, -8, 8), styles=THIN)
        ax.plot(*start, "^", color="k", ms=6, zorder=21)
        ax.set_title(f"f3 = g3/10, start {start}, η = {lr:g}, SGA λ = 0.01", fontsize="small")
        out[start] = trajs
    return out


def _near_kinks(x, y, points=40):
    """Values filling the grid intervals around each kink of the sampled curve ``y(x)``: where
    the second difference is 50× its median (a smooth curve's is O(h²), a kink's O(h)), so that
    a corner of ρ(η) is drawn where it is, to 1/points of the grid step after each pass."""
    ok = np.isfinite(y)
    d2 = np.abs(np.diff(np.where(ok, y, 0.0), 2))
    scale = np.median(d2) if d2.size else 0.0
    hits = np.flatnonzero(d2 > 50 * scale + 1e-12) + 1
    return np.concatenate([np.linspace(x[i - 1], x[i + 1], points) for i in hits] or [np.zeros(0)])


def figure_radius(name, ax=None, quick=False):
    """ρ at the origin against η for the toy algorithms, on a fine grid that also holds each
    algorithm's exact stability boundaries (the η where ρ crosses 1, from
    :func:`~stability.stable_step_sizes`, to 1e-12) and is refined twice around every kink
    (:func:`_near_kinks`), so crossings and corners are drawn where they are."""
    ax = _axes(ax)
    game = games.get(name)
    values = np.linspace(1e-3, 0.5, 100 if quick else 1000)
    for alg, hp in TOY_ALGORITHMS.values():
        ends = [e for a, b in stable_step_sizes(alg, game, [0.0, 0.0], bounds=(1e-3, 0.5), num=200, **hp).intervals
                for e in (a, b) if 1e-3 < e < 0.5]
        values = np.union1d(values, ends)  # one grid for every curve, so coincident curves are recognised
    for _ in range(2):  # where a curve bends sharply (the dominant eigenvalue changes), sample finer
        out = {label: sweep(alg, game, [0.0, 0.0], "lr", values, **hp) for label, (alg, hp) in TOY_ALGORITHMS.items()}
        values = np.union1d(values, np.concatenate([_near_kinks(s.values, s.radius) for s in out.values()]))
    out = {label: sweep(alg, game, [0.0, 0.0], "lr", values, **hp) for label, (alg, hp) in TOY_ALGORITHMS.items()}
    plot_radii({toy_label(k): v for k, v in out.items()}, ax=ax, ylim=(0.0, 2.0))
    ax.set_xlabel("step size η")
    ax.set_title(f"{name}: {TOY_FORMULAS[name]}\nρ of each map's Jacobian at (0, 0); ρ < 1: locally convergent",
                 fontsize="small")
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


FR_E2_FORMULAS = {
    "fr-e2": "f = −0.45x₁² − 0.5x₂² − 0.5y₁² − 0.05y₂² + x₁y₂ + x₂y₂ (as transcribed; 0 is not a local minimax)",
    "fr-e2-diagonal": "f = −0.45x₁² − 0.5x₂² − 0.5y₁² − 0.05y₂² + x₁y₁ + x₂y₂ (conjectured reading)",
}


def figure_fr_e2(ax=None, quick=False, game_name="fr-e2"):
    """FR App. E.2 (Fig. 10): distance to the origin of FR (η = 0.2) with momentum 0, 0.5, 0.8
    and of GDA with and without momentum, each GDA setting the best of the paper's grid by ρ."""
    game, runs = fr_e2_runs(game_name, 200 if quick else 2000)
    ax = _axes(ax)
    same = coincident({label: traj.distance[:, 0] for label, (_, _, traj) in runs.items()})
    for i, (label, (alg, rho, traj)) in enumerate(runs.items()):
        hp = formatting.hyperparameters(alg.hp, 4)
        ax.semilogy(traj.distance[:, 0], label=with_coincidences(f"{label} ({hp}; ρ = {rho:.4f})", same[label]),
                    **series_style(i, len(runs), traj.distance.shape[0]))
    ax.set_xlabel("iteration")
    ax.set_ylabel("distance to the origin")
    ax.set_ylim(1e-12, 1e6)
    ax.set_title(f"FR App. E.2 (Fig. 10): {FR_E2_FORMULAS[game_name]}", fontsize="x-small", wrap=True)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), fontsize="xx-small", ncol=1)
    return runs


def figure_lead_eigenvalues(ax=None, quick=False, alpha=0.3):
    """LEAD Fig. 1: eigenvalues of GDA and LEAD (β = h = 0) on the bilinear game f = xy as η
    grows over (0, 1], coloured by η, with the dashed circle of LEAD's best rate over η."""
    ax = _axes(ax)
    game = games.get("lead-quadratic", h=0.0, A=np.array([[1.0]]))
    etas = np.linspace(0.0, 1.0, 20 if quick else 100)[1:]
    gda = sweep("gda", game, [0, 0], "lr", etas)
    lead = sweep("lead", game, [0, 0], "lr", etas, alpha=alpha, beta=0.0)
    best = float(np.min(lead.radius))
    plot_eigenvalue_paths({"GDA": gda, f"LEAD (α = {alpha}, β = 0)": lead}, ax=ax, rate=best)
    ax.set_title(f"LEAD Fig. 1: f = xy, η ∈ (0, 1]; dashed: LEAD's best ρ = {best:.3f}", fontsize="small")
    return gda, lead


def figure_numerics_co(ax=None, quick=False, gamma=1.0):
    """Numerics of GANs Fig. 1: GDA's eigenvalues 1 − ηλ approach the unit circle tangentially
    when λ is nearly imaginary; consensus optimisation moves λ to the right (μ inside)."""
    ax = _axes(ax)
    game = games.get("lead-quadratic", h=0.05, A=np.array([[1.0]]))  # λ(V) = 0.05 ± i
    etas = np.linspace(0.0, 1.0, 20 if quick else 100)[1:]
    gda = sweep("gda", game, [0, 0], "lr", etas)
    co = sweep("co", game, [0, 0], "lr", etas, gamma=gamma)
    plot_eigenvalue_paths({"GDA: I − ηV": gda, f"CO (γ = {gamma:g})": co}, ax=ax)
    ax.set_title("Numerics of GANs Fig. 1: f = 0.025(x² − y²) + xy, λ(V) = 0.05 ± i, η ∈ (0, 1]",
                 fontsize="small")
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
    seeds, d, num = ((0,), 4, 5) if quick else ((0, 1, 2), 8, 10)
    radii = lead_gamma_sweep(gms, seeds=seeds, d=d, num=num)
    # tuned optima agree only to the tuner's accuracy, so curves equal to 1e-4 everywhere are named
    # as equal; GDA and NM overlap for γmax < 1 (NM's best β is 0 there) and part at γmax = 1, so
    # they are not named, and the thick GDA line under NM's markers shows both
    same = coincident(radii, rtol=1e-4)
    for i, (label, r) in enumerate(radii.items()):
        ax.plot(gms, r, label=with_coincidences(label, same[label], "equal to 1e-4"), **series_style(i, len(radii)))
    ax.axhline(1.0, color="0.5", ls="--", lw=0.8)
    ax.set_xlabel("γmax (0: cooperative, 1: adversarial)")
    ax.set_ylabel("spectral radius, each method tuned")
    ax.set_title(f"LEAD Fig. 3: eq. 31, d = {d}, mean of {len(seeds)} draws; each method's ρ "
                 f"minimised over its bounds ({num}-point grids, refined)", fontsize="x-small")
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize="x-small")
    return gms, radii


FIG9_METHODS = {"OGDA": ("ogda", {}), "GDA": ("gda", {}), "CGD": ("cgd", {}),
                "LEAD": ("lead", {"alpha": 0.05, "beta": 0.0})}


def figure_lead_fig9(axes=None, quick=False, lr=0.1):
    """LEAD Fig. 9: OGDA against LEAD, GDA and CGD on f = γ(x² − y²), γ ∈ {1, 6}, at one step
    size — and a third panel on f = x² − y² + xy. The paper's game has no x–y coupling, so
    LEAD's and CGD's coupling terms vanish and GDA, CGD and LEAD are one map there (the
    legend says they coincide); the coupled panel shows them apart."""
    import matplotlib.pyplot as plt
    if axes is None:
        _, axes = plt.subplots(1, 3, figsize=(10.5, 3.4))
    out = {}
    panels = ((1.0, 0.0), (6.0, 0.0), (1.0, 1.0))
    for ax, (gamma, coupling) in zip(axes, panels):
        game = games.get("lead-quadratic", h=2 * gamma, A=np.array([[coupling]]))  # f = γ(x² − y²) + a·xy
        trajs = {label: run(algorithms.get(name, lr=lr, **hp), game, [1.0, 1.0], steps=60 if quick else 200,
                            tol=1e-12, target=[0.0, 0.0]) for label, (name, hp) in FIG9_METHODS.items()}
        same = coincident({k: t.distance[:, 0] for k, t in trajs.items()}, rtol=1e-12)
        for i, (label, traj) in enumerate(trajs.items()):
            ax.semilogy(traj.distance[:, 0], label=with_coincidences(f"{label}: {traj.stop[0]}", same[label]),
                        **series_style(i, len(trajs), traj.distance.shape[0]))
            out[(gamma, coupling, label)] = traj
        formula = ("f = x² − y²" if gamma == 1 else f"f = {gamma:g}(x² − y²)") + (
            ("" if not coupling else " + xy" if coupling == 1 else f" + {coupling:g}xy"))
        note = "OGDA stable iff η < 1/(3γ)" if not coupling else "coupled: LEAD's α-term acts"
        ax.set_title(f"{formula}, η = {lr:g}, LEAD α = 0.05\n{note}", fontsize="x-small")
        ax.set_xlabel("iteration")
        ax.set_ylabel("distance to (0, 0)")
        ax.legend(fontsize="xx-small")
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
    out = {label: run(algorithms.get(name, **hp), game, z0, steps=2000 if quick else 20000, tol=0,
                      target=np.zeros(10)) for label, (name, hp) in settings.items()}
    same = coincident({k: t.distance[:, 0] for k, t in out.items()}, rtol=1e-9)
    for i, (label, traj) in enumerate(out.items()):
        name, hp = settings[label]
        text = f"{label} (η = {hp['lr']:.3g}" + (f", γ = {hp['gamma']:g})" if "gamma" in hp else ")")
        if label == "IU":
            text += "; floor: the Newton solve's tolerance"
        ax.semilogy(traj.distance[:, 0], label=with_coincidences(text, same[label]),
                    **series_style(i, len(out), traj.distance.shape[0]))
    from matplotlib.ticker import MaxNLocator
    ax.xaxis.set_major_locator(MaxNLocator(5))
    ax.set_xlabel("iteration")
    ax.set_ylabel("distance to the Nash equilibrium")
    ax.set_title(f"Interaction Matters Fig. 1: xᵀCy, p = q = 5, C ~ U[0, 1], ‖z₀‖ = {r:g}", fontsize="small")
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize="x-small")
    return out


FORMATS = ("png", "pdf", "svg")


REGION_METHODS = (("gda", {}), ("eg", {}), ("ogda", {}), ("hb", {"beta": -0.3}), ("hb", {"beta": 0.3}),
                  ("complex-momentum", {}))


def figure_stability_regions(axes=None, quick=False, mu=0.1, L=1.0, eta=0.5):
    """Stability-region maps {ηλ : r(ηλ) < 1} of GDA, EG, OGDA, heavy ball with β = ∓0.3 and
    complex momentum, each with η·K for the μ-strongly monotone, L-Lipschitz class K at η."""
    import matplotlib.pyplot as plt
    from .spectral.classes import monotone_lipschitz, stability_region
    if axes is None:
        _, axes = plt.subplots(2, 3, figsize=(7.0, 5.0))
    K = monotone_lipschitz(mu, L)
    out = {}
    for ax, (name, hp) in zip(np.ravel(axes), REGION_METHODS):
        sr = stability_region(name, extent=(-0.5, 2.5, -1.5, 1.5), num=60 if quick else 300, **hp)
        sr.plot(ax=ax, region=K, eta=eta)
        out[(name, tuple(hp.items()))] = sr
    return out


CLASS_METHODS = (("gda", "lr", {}), ("eg", "lr", {}), ("ogda", "lr", {}), ("hb", "lr", {"beta": (-0.95, 0.95)}),
                 ("complex-momentum", "alpha", {}))
"""The methods of :func:`figure_class_rates`: the tuned step, and any further hyperparameter tuned."""


def class_rates(kind, kappas):
    """Class-optimal worst rates per gradient evaluation, ``ρ_K^(1/calls)``, of
    :data:`CLASS_METHODS` and the Krylov lower bound, on ``monotone_lipschitz(1/κ, 1)``
    (``kind="monotone-lipschitz"``) or ``bilinear(1/κ, 1)`` for each κ: ``{name: array}``."""
    from .spectral.classes import bilinear, lower_bound, monotone_lipschitz, optimize_class
    make = {"monotone-lipschitz": monotone_lipschitz, "bilinear": bilinear}[kind]
    out = {name: [] for name, _, _ in CLASS_METHODS} | {"lower bound": []}
    for kappa in kappas:
        K = make(1.0 / kappa, 1.0)
        out["lower bound"].append(lower_bound(K))
        for name, step, extra in CLASS_METHODS:
            o = optimize_class(name, K, {step: (1e-3, 4.0)} | extra, num=11 if extra else None)
            out[name].append(o.rate ** (1 / o.algorithm.gradient_calls))
    return {k: np.array(v) for k, v in out.items()}


def figure_class_rates(axes=None, quick=False):
    """1 − ρ per gradient evaluation against κ, class-optimal over the μ-strongly monotone,
    L-Lipschitz class (κ = L/μ) and the bilinear class (κ = σmax/σmin), with the Krylov lower
    bound: how far each tuned method is from the best any explicit first-order method can do.
    Methods that diverge on the whole class (GDA and heavy ball on bilinear games) are left out
    of that panel. Returns ``{kind: (kappas, rates)}``."""
    import matplotlib.pyplot as plt
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(7.0, 3.0))
    kappas = np.geomspace(2.0, 1000.0, 3 if quick else 10)
    out = {}
    for ax, kind, title in zip(axes, ("monotone-lipschitz", "bilinear"),
                               ("μ-strongly monotone, L-Lipschitz", "bilinear, σ ∈ [σmin, σmax]")):
        rates = class_rates(kind, kappas)
        for i, (name, values) in enumerate(rates.items()):
            if name == "lower bound":
                ax.loglog(kappas, 1 - values, "k--", lw=1.2, label="Krylov lower bound")
            elif np.all(values < 1):
                label = {"complex-momentum": "complex momentum (α tuned, default β)",
                         "hb": "heavy ball (η, β tuned)"}.get(name, name)
                ax.loglog(kappas, 1 - values, "o-", ms=3, color=PALETTE[i % len(PALETTE)], label=label)
        ax.set_xlabel("κ = L/μ" if kind == "monotone-lipschitz" else "κ = σmax/σmin")
        ax.set_ylabel("1 − ρ per gradient (tuned)")
        ax.set_title(title, fontsize="medium")
        ax.legend(fontsize="x-small")
        out[kind] = (kappas, rates)
    return out


def check_formats(formats):
    """``formats`` (a comma-separated string or a sequence) as a tuple of file extensions."""
    if isinstance(formats, str):
        formats = [f.strip() for f in formats.split(",") if f.strip()]
    formats = tuple(str(f).lower().lstrip(".") for f in formats)
    bad = [f for f in formats if f not in FORMATS]
    if not formats or bad:
        raise InputError(f"formats must be among {', '.join(FORMATS)} (comma-separated), got {bad or formats!r}")
    return formats


def check_dpi(dpi):
    """``dpi`` (None: ``config.defaults["plotting.dpi"]``) as a whole number in 1..2400."""
    return defaults["plotting.dpi"] if dpi is None else count(dpi, "dpi", 1, high=2400)


def _writer(directory, formats, dpi):
    """``(save, written)``: ``save(fig, stem)`` writes ``fig`` once per format (checked, as are
    ``dpi`` and the directory, before anything is drawn) and closes it; ``written`` lists the paths."""
    import matplotlib
    matplotlib.use("Agg")
    formats, dpi = check_formats(formats), check_dpi(dpi)
    directory = writable_directory(directory)
    written = []

    def save(fig, stem):
        for fmt in formats:
            written.append(save_figure(fig, directory / f"{stem}.{fmt}", dpi, close=fmt == formats[-1]))
    return save, written


def _draw_toys(save, quick):
    import matplotlib.pyplot as plt
    for name in TOY_FORMULAS:  # g1, g2, g3
        for stem, draw, size in (("trajectories", figure_toy, (7.0, 3.4)), ("radius", figure_radius, (5.2, 2.8))):
            fig, ax = plt.subplots(figsize=size)
            draw(name, ax=ax, quick=quick)
            save(fig, f"{stem}_{name}")


def write_toy_figures(directory="figures", formats=("png",), dpi=None, quick=False):
    """The main job's figures — trajectories and ρ(η) on g1, g2, g3 — in the package style,
    once per format; returns the paths written."""
    save, written = _writer(directory, formats, dpi)
    with style():
        _draw_toys(save, quick)
    return written


def make_all(directory="figures", quick=False, formats=("png",), dpi=None):
    """Regenerate every figure into ``directory`` in the package style, once per format of
    ``formats`` ("png", "pdf", "svg"; the vector formats ignore ``dpi``, default
    ``config.defaults["plotting.dpi"]``); returns the paths written."""
    import matplotlib.pyplot as plt
    save, written = _writer(directory, formats, dpi)
    wide = (7.0, 2.8)
    with style():
        _draw_toys(save, quick)
        fig, axes = plt.subplots(3, 1, figsize=(7.0, 10.2))
        figure_toy_authors(axes=axes, quick=quick)
        save(fig, "trajectories_g3_authors")
        fig, axes = plt.subplots(1, 2, figsize=(7.0, 4.0))
        figure_fr_e2(ax=axes[0], quick=quick, game_name="fr-e2")
        figure_fr_e2(ax=axes[1], quick=quick, game_name="fr-e2-diagonal")
        save(fig, "fr_e2_momentum")
        for stem, fn, size in (("lead_fig1_eigenvalues", figure_lead_eigenvalues, (5.0, 3.0)),
                               ("numerics_fig1_consensus", figure_numerics_co, (5.0, 3.0)),
                               ("lead_fig3_gamma_sweep", figure_lead_gamma_sweep, (5.0, 2.8)),
                               ("interaction_fig1_bilinear", figure_interaction_fig1, (6.0, 2.8))):
            fig, ax = plt.subplots(figsize=size)
            fn(ax=ax, quick=quick)
            save(fig, stem)
        fig, axes = plt.subplots(1, 3, figsize=(wide[0] * 1.5, wide[1] * 1.2))
        figure_lead_fig9(axes=axes, quick=quick)
        save(fig, "lead_fig9_ogda")
        fig, axes = plt.subplots(2, 3, figsize=(7.0, 5.0))
        figure_stability_regions(axes=axes, quick=quick)
        save(fig, "stability_regions")
        fig, axes = plt.subplots(1, 2, figsize=(7.0, 3.0))
        figure_class_rates(axes=axes, quick=quick)
        save(fig, "class_rates")
    return written
