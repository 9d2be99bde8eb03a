"""The ``xlogreg`` command line: ``xlogreg --help`` lists the commands.

Every command takes ``--backend numpy|torch|cupy``, ``--device
cpu|cuda|mps|auto`` and ``--dtype float32|float64`` where it computes, and
reports bad input in one line with a non-zero exit status.
"""

# Imported in the order --help lists them: the main job first.
from xlogreg.cli import _demo, _fit, _evaluate, _predict, _serve, _runs  # noqa: F401, I001
from xlogreg.cli._app import app, main

__all__ = ["app", "main"]
