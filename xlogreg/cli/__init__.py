"""The ``xlogreg`` command line: ``xlogreg --help`` lists the commands.

Every command takes ``--backend numpy|torch|cupy``, ``--device
cpu|cuda|mps|auto`` and ``--dtype float32|float64`` where it computes, and
reports bad input in one line with a non-zero exit status.
"""

from xlogreg.cli import _demo, _evaluate  # noqa: F401  (importing registers the commands)
from xlogreg.cli._app import app, main

__all__ = ["app", "main"]
