"""Generic minimizers of smooth objectives, alone or plus an L1 penalty: they know
optimization, not losses or models."""

from xlogreg.solvers._minimize import METHODS, PROXIMAL_METHODS, auto_plan, minimize
from xlogreg.solvers._result import OptimizeResult

__all__ = ["METHODS", "OptimizeResult", "PROXIMAL_METHODS", "auto_plan", "minimize"]
