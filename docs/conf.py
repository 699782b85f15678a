"""Sphinx configuration of stability's documentation (build: ``python -m sphinx -W -b html docs docs/_build/html``)."""

import os
import sys

sys.path.insert(0, os.path.abspath(".."))
import stability  # noqa: E402

project = "stability"
author = "the stability developers"
release = version = stability.__version__
extensions = ["sphinx.ext.autodoc", "sphinx.ext.autosummary", "sphinx.ext.mathjax", "sphinx.ext.viewcode",
              "numpydoc", "myst_parser", "sphinx_gallery.gen_gallery"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py", "auto_examples/*.zip",
                    "auto_examples/*.md5", "auto_examples/*.codeobj.json"]
myst_heading_anchors = 3
autosummary_generate = True
autodoc_default_options = {}
numpydoc_show_class_members = False
numpydoc_validation_checks = set()
suppress_warnings = ["myst.header", "autosummary.import_cycle"]
html_theme = "pydata_sphinx_theme"
html_title = f"stability {release}"
html_static_path = ["_static"]
templates_path = ["_templates"]
html_css_files = ["custom.css"]
html_theme_options = {"navigation_depth": 2, "show_toc_level": 2}

QUICK = os.environ.get("STABILITY_DOCS_QUICK", "0") == "1"
sphinx_gallery_conf = {
    "examples_dirs": "../examples/gallery",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "plot_gallery": "True",
    "only_warn_on_example_error": False,
    "matplotlib_animations": False,
    "reset_modules": ("matplotlib",),
}
