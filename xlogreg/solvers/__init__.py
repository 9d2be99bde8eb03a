"""Generic smooth minimizers: they know optimization, not losses or models."""

from xlogreg.solvers._minimize import METHODS, auto_plan, minimize
from xlogreg.solvers._result import OptimizeResult

__all__ = ["METHODS", "OptimizeResult", "auto_plan", "minimize"]
