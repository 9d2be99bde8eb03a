"""Sphinx configuration of the xlogreg documentation (``nox -s docs`` builds it).

Pages are Markdown (MyST); the API reference is generated from the numpydoc
docstrings; ``sphinx-build -b doctest`` runs the pages' ``{doctest}`` blocks.
The docstrings' own Examples are doctests of pytest (``--doctest-modules``),
so the doctest builder leaves them to it.
"""

from pathlib import Path

import xlogreg

ROOT = Path(__file__).resolve().parents[1]

project = "xlogreg"
author = "the xlogreg developers"
project_copyright = "the xlogreg developers"
version = release = xlogreg.__version__

extensions = [
    "myst_parser",
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.doctest",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build"]
templates_path = ["_templates"]

# Markdown: GitHub-style anchors for "#section" links, as in the README.
myst_heading_anchors = 3

# API reference: one page per object, generated at build time (api/generated/).
autosummary_generate = True
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_xref_param_type = False

html_theme = "pydata_sphinx_theme"
html_title = f"xlogreg {release}"
html_theme_options = {"navigation_with_keys": False}

# Doctests: only the pages' ``{doctest}`` blocks (the docstrings' Examples run
# under pytest). Every group runs in a scratch folder, so the files an example
# writes never land in the repository; ``../shared/data/raisin.csv`` (the
# shared data beside a clone) is linked into it at the same relative place.
doctest_test_doctest_blocks = ""
doctest_global_setup = f"""
import os as _os
import sys as _sys
import tempfile as _tempfile
from pathlib import Path as _Path

if "jax" in _sys.modules:  # a page may have switched x64 on: every page starts as JAX does
    _sys.modules["jax"].config.update("jax_enable_x64", False)
_scratch = _tempfile.TemporaryDirectory()
_Path(_scratch.name, "shared", "data").mkdir(parents=True)
_Path(_scratch.name, "shared", "data", "raisin.csv").symlink_to(
    {str(ROOT.parent / "shared" / "data" / "raisin.csv")!r}
)
_Path(_scratch.name, "work").mkdir()
_cwd = _os.getcwd()
_os.chdir(_Path(_scratch.name, "work"))
"""
doctest_global_cleanup = """
_os.chdir(_cwd)
_scratch.cleanup()
if "jax" in _sys.modules:
    _sys.modules["jax"].config.update("jax_enable_x64", False)
"""
