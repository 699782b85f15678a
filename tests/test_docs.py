"""The documentation cannot rot: the site builds warning-free (``-W``) and every gallery example
runs (at reduced size, ``STABILITY_QUICK=1``) in the default test run; the full build, which
executes the gallery into the pages, is in the slow profile."""

import os
import runpy
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GALLERY = sorted((ROOT / "examples" / "gallery").glob("plot_*.py"))
pytest.importorskip("sphinx")
pytest.importorskip("sphinx_gallery")


def _build(tmp_path, *extra, quick=True):
    """Build a copy of docs/ (and the gallery sources beside it), so the source tree is untouched."""
    shutil.copytree(ROOT / "docs", tmp_path / "docs", ignore=shutil.ignore_patterns("_build", "generated",
                                                                                      "auto_examples"))
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    env = dict(os.environ, STABILITY_QUICK="1" if quick else "0", MPLBACKEND="Agg")
    proc = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", *extra,
                           str(tmp_path / "docs"), str(tmp_path / "html")], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return tmp_path / "html"


def test_the_documentation_builds_without_warnings(tmp_path):
    html = _build(tmp_path, "-D", "plot_gallery=0")
    for page in ("index", "api", "guide/games", "guide/outputs", "MATHEMATICS", "NUMERICS", "THEOREMS",
                 "auto_examples/index", "generated/stability.table"):
        assert (html / f"{page}.html").is_file(), page
    assert "to_latex" in (html / "generated" / "stability.Table.html").read_text()


@pytest.mark.parametrize("script", GALLERY, ids=[p.stem for p in GALLERY])
def test_gallery_example_runs(script, monkeypatch):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    monkeypatch.setenv("STABILITY_QUICK", "1")
    try:
        runpy.run_path(str(script), run_name="__main__")
        assert plt.get_fignums(), "an example draws its figure"
    finally:
        plt.close("all")


def test_every_gallery_example_reproduces_a_cited_result():
    for script in GALLERY:
        head = script.read_text().split('"""')[1]
        title = head.strip().splitlines()[0]
        assert any(str(year) in title for year in range(2000, 2030)), f"{script.name}: cite the source in its title"


@pytest.mark.slow
def test_the_full_site_with_the_gallery_executed(tmp_path):
    html = _build(tmp_path, quick=False)  # the examples at full size
    assert len(list((html / "_images").glob("sphx_glr_plot_*"))) >= len(GALLERY)


def test_the_readme_tour_runs_as_written():
    """The README's 20-line tour is code a reader pastes: it runs, and says what it prints."""
    import re
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    text = (ROOT / "README.md").read_text()
    code = re.search(r"## A 20-line tour\n\n```python\n(.*?)```", text, re.S).group(1)
    assert len(code.strip().splitlines()) <= 20
    namespace = {}
    try:
        exec(compile(code, "README.md", "exec"), namespace)
    finally:
        plt.close("all")
    assert list(namespace["traj"].stop) == ["converged", "converged"]
    assert namespace["classify"](namespace["game"], namespace["cp"]).verdict == "strict local minimax"


def test_the_readme_classes_section_runs_and_its_numbers_hold():
    """The README's classes snippet runs as pasted, and the values its comments state are the
    library's: EG's class optimum 1 − μL/(μ + L)² and the lower bound 0.9235699307."""
    import re
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    text = (ROOT / "README.md").read_text()
    code = re.search(r"## Classes of games\n.*?```python\n(.*?)```", text, re.S).group(1)
    namespace = {}
    try:
        exec(compile(code, "README.md", "exec"), namespace)
    finally:
        plt.close("all")
    classes, K = namespace["classes"], namespace["K"]
    assert f"{classes.lower_bound(K):.10f}" in code
    mu, L = 0.1, 1.0
    eg = namespace["optimize_class"]("eg", K, {"lr": (1e-3, 4.0)})
    assert eg.rate == pytest.approx(1 - mu * L / (mu + L) ** 2, rel=1e-9)
