"""The reproduced experiments: qualitative outcomes as in the papers, asserted on stop reasons."""

import numpy as np
import pytest

from stability.cli import main
from stability.figures import fr_e2_runs, toy_trajectories

# FR Fig. 3 / HessianFR Fig. 1 (η = 0.05, from (3, 4)): who converges, who diverges, who cycles
EXPECTED = {
    "g1": {"converged": {"SGA", "CO", "FR", "HessianFR", "GDN"}, "diverged": {"GDA", "OGDA", "EG"}},
    "g2": {"converged": {"GDA", "OGDA", "EG", "SGA", "CO"}, "diverged": {"FR", "HessianFR", "GDN"}},
    "g3": {"converged": {"FR", "HessianFR", "GDN"}, "max_steps": {"GDA", "OGDA", "EG", "SGA", "CO"}},
}


@pytest.mark.parametrize("name", ["g1", "g2", "g3"])
def test_toy_outcomes_match_the_papers(name):
    _, trajs = toy_trajectories(name, steps=3000)
    outcome = {label: t.stop[0] for label, t in trajs.items()}
    for reason, labels in EXPECTED[name].items():
        assert {l for l, r in outcome.items() if r == reason} == labels
    if name == "g3":  # the non-converging ones stay bounded: they cycle, not diverge
        for label in EXPECTED["g3"]["max_steps"]:
            z = trajs[label].iterates[-1000:, 0]
            assert np.all(np.linalg.norm(z, axis=1) < 200) and np.linalg.norm(z, axis=1).min() > 0.1


def test_fr_e2_momentum_ordering():
    """On the conjectured reading (x1y1 + x2y2), momentum speeds FR up and beats tuned GDA; on
    the transcribed formula FR diverges (0 is not a local minimax there)."""
    _, runs = fr_e2_runs("fr-e2-diagonal", steps=50)
    rho = {label: r for label, (_, r, _) in runs.items()}
    assert rho["FR, momentum 0.8"] < rho["FR, momentum 0.5"] < rho["FR, momentum 0.0"] < rho["GDA"]
    _, runs = fr_e2_runs("fr-e2", steps=50)
    assert all(r > 1 for label, (_, r, _) in runs.items() if label.startswith("FR"))


@pytest.mark.slow  # 23 s of the default budget; the main job's figures run in test_engine_cli
def test_figures_command_quick(tmp_path):
    assert main(["figures", "--out", str(tmp_path), "--quick", "--format", "png,pdf"]) == 0
    assert len(list(tmp_path.glob("*.png"))) == 14 and len(list(tmp_path.glob("*.pdf"))) == 14


# --- what the pictures say ------------------------------------------------------------------

def _legend(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def test_coincident_curves_are_named_in_the_legend():
    """On g1, FR and GDN have the same ρ(η) everywhere and HessianFR only up to η = 0.375: the
    legend says FR and GDN coincide, and not HessianFR; the curves that leave the plotted range
    are named; each curve has its own colour, dash pattern and marker."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from stability.figures import figure_radius
    fig, ax = plt.subplots()
    figure_radius("g1", ax=ax, quick=True)
    labels = _legend(ax)
    assert "FR (= GDN: coincide)" in labels and "GDN (= FR: coincide)" in labels and "HessianFR (ηy₂ = 0.5)" in labels
    assert "SGA (λ = 1)" in labels and "CO (γ = 0.2)" in labels  # every hyperparameter besides η is stated
    assert "GDA" in ax.get_legend().get_title().get_text()  # ρ(0.5) = 2 + …: off the top, said so
    styles = {(l.get_color(), str(l.get_linestyle()), l.get_marker()) for l in ax.get_lines() if l.get_label()[0] != "_"}
    assert len(styles) == 8
    plt.close(fig)


def test_trajectory_legends_say_how_each_run_ended():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from stability.figures import figure_toy
    fig, ax = plt.subplots()
    figure_toy("g3", ax=ax, quick=True)
    labels = _legend(ax)
    assert "GDA: not converged (300-step limit)" in labels
    assert any(l.startswith("FR: converged in ") for l in labels)
    assert "critical point (0, 0)" in labels
    assert "η = 0.05" in ax.get_title() and "g3" in ax.get_title()
    assert len(fig.axes) == 2  # the axes and the colour bar of f
    plt.close(fig)


def test_coincident_and_series_style():
    from stability.plotting import coincident, series_style, with_coincidences
    x = np.linspace(0, 1, 50)
    groups = coincident({"a": x, "b": x * (1 + 1e-12), "c": x + 1e-6, "d": np.where(x > 0.5, np.nan, x)})
    assert groups == {"a": ["b"], "b": ["a"], "c": [], "d": []}
    assert with_coincidences("a", ["b"]) == "a (= b: coincide)" and with_coincidences("c", []) == "c"
    kinds = [series_style(i, 8) for i in range(8)]
    assert len({(k["color"], str(k["ls"]), k["marker"]) for k in kinds}) == 8
    assert kinds[0]["lw"] > kinds[-1]["lw"] and kinds[0]["zorder"] < kinds[-1]["zorder"]  # later on top, thinner


def test_formats_are_checked():
    from stability.errors import InputError
    from stability.figures import check_formats
    assert check_formats("png, PDF") == ("png", "pdf") and check_formats(["svg"]) == ("svg",)
    for bad in ("jpeg", "", ["png", "tiff"]):
        with pytest.raises(InputError, match="formats must be among"):
            check_formats(bad)
