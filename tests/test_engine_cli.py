import json
import subprocess
import sys

import numpy as np
import pytest

from stability import algorithms, games, run, spectral_radius, sweep
from stability.cli import main


def test_fr_converges_and_gda_diverges_on_g1():
    g = games.get("g1")
    z0 = np.random.default_rng(0).uniform(-1, 1, (50, 2))
    fr = run(algorithms.get("fr", lr=0.05), g, z0, steps=2000, tol=1e-8)
    assert set(fr.stop) == {"converged"}
    gda = run(algorithms.get("gda", lr=0.05), g, z0, steps=2000, tol=1e-8)
    assert set(gda.stop) == {"diverged"}
    assert np.all(np.isfinite(gda.grad_norm[0]))


def test_gda_on_g1_unstable_for_every_step_size():
    # eigenvalues 1 + 2η (double) ⇒ ρ = 1 + 2η > 1 for every η > 0
    s = sweep("gda", games.get("g1"), [0, 0], "lr", np.linspace(1e-4, 2, 101))
    np.testing.assert_allclose(s.radius, 1 + 2 * s.values, rtol=1e-7)


def test_empirical_rate_matches_spectral_radius():
    g = games.get("g1")
    fr = algorithms.get("fr", lr_x=0.05, lr_y=0.1)
    rho = spectral_radius(fr, g, [0, 0])
    traj = run(fr, g, [1.0, -0.5], steps=400, tol=0, target=[0, 0])
    # distinct real eigenvalues 0.9 (S = 2) and 0.8 (Hyy = -2): the slow mode dominates after
    # ~100 steps, when (0.8/0.9)^t < 1e-5; the fitted rate then agrees to ~1e-6
    assert abs(traj.empirical_rate(tail=0.5) - (1 - rho)) < 1e-6


def test_cli_json(capsys):
    assert main(["analyze", "-3*x**2 - y**2 + 4*x*y", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    [point] = out["points"]
    assert point["classification"]["strict_local_minimax"] is True
    assert point["classification"]["strict_local_nash"] is False
    assert point["spectral_radius"]["fr"] == pytest.approx(0.9)


@pytest.mark.parametrize("args", [["analyze", "x*z"], ["analyze", "__import__('os')"],
                                  ["analyze", "x*y", "--x", "x", "--y", "x"]])
def test_cli_errors_are_one_line(args, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("stability: error:") and err.count("\n") == 1 and "Traceback" not in err
    assert main(args + ["--json"]) == 2
    assert "error" in json.loads(capsys.readouterr().out)


def test_main_job_writes_figures(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "stability", "analyze", "--figures", str(tmp_path),
                           "--format", "png,svg", "--dpi", "60"], capture_output=True, text=True, check=True)
    assert "strict local minimax" in proc.stdout
    assert len(list(tmp_path.glob("*.png"))) == 6 and len(list(tmp_path.glob("*.svg"))) == 6
    from matplotlib.image import imread
    assert imread(tmp_path / "radius_g1.png").shape[1] < 400  # 60 dpi: --dpi reached the PNGs


@pytest.mark.parametrize("args", [["--format", "jpeg"], ["--format", ""], ["--dpi", "0"], ["--dpi", "x"]])
def test_figure_options_refuse_bad_values(args, capsys, tmp_path):
    assert main(["figures", "--out", str(tmp_path), "--quick"] + args) == 2
    err = capsys.readouterr().err
    assert err.startswith("stability: error:") and "Traceback" not in err
    assert not list(tmp_path.iterdir())


def test_class_command_prints_worst_and_tuned_rates(capsys):
    """``stability class``: every applicable algorithm's worst-case ρ at --lr and at its tuned
    step, with hyperparameters; JSON too; bad regions are one-line typed errors."""
    assert main(["class", "polygon", "--points", "0.5,1.5,1+0.5j", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [r["algorithm"] for r in report["rows"]] == ["gda", "eg", "ogda", "pm", "iu", "hb", "complex-momentum"]
    gda = report["rows"][0]
    assert gda["tuned_rho"] <= gda["worst_rho"] and "ηx = 0.1" in gda["at"]
    bound = report["lower_bound"]  # a polygon: the numerical Krylov bound, which no explicit method beats
    assert 0 < bound < 1 and all(r["tuned_rho_per_gradient"] >= bound for r in report["rows"] if r["algorithm"] != "iu")
    assert next(r for r in report["rows"] if r["algorithm"] == "iu")["tuned_rho_per_gradient"] is None
    assert main(["class", "ridge", "--s", "0.1,1", "--h", "0.5,2", "--json"]) == 0
    ridge = json.loads(capsys.readouterr().out)
    assert ridge["lower_bound"] is None and [r["algorithm"] for r in ridge["rows"]][0] == "fr"
    assert ridge["rows"][0]["tuned_rho"] == pytest.approx(9 / 11, rel=1e-9)  # (κS − 1)/(κS + 1), κS = 10
    for args in (["class", "polygon"], ["class", "polygon", "--points", "1,x"], ["class", "bilinear", "--smin", "2"],
                 ["class", "ridge", "--s", "1"], ["class", "ridge", "--h", "2,1"]):
        assert main(args) == 2
        err = capsys.readouterr().err
        assert err.startswith("stability: error:") and "Traceback" not in err
