"""Generic smooth minimizers: they know optimization, not losses or models."""

from xlogreg.solvers._minimize import METHODS, choose_method, minimize
from xlogreg.solvers._result import OptimizeResult

__all__ = ["METHODS", "OptimizeResult", "choose_method", "minimize"]
