"""What the two errors cost: seed 000's policy, the ``--cost-fp``/``--cost-fn`` options of
``xlogreg evaluate`` and ``xlogreg demo``, and their check before any work."""

from __future__ import annotations

import math
from typing import Annotated

import typer

__all__ = ["COST_FN", "COST_FP", "CostFnOption", "CostFpOption", "check_costs"]

# Seed 000's policy: a missed review (false negative) costs $120 of rollback
# and investigation, an unnecessary one (false positive) $18 of queue time.
COST_FP = 18.0
COST_FN = 120.0

CostFpOption = Annotated[
    float,
    typer.Option("--cost-fp", help="Cost of a false positive (seed 000: an unnecessary review)."),
]
CostFnOption = Annotated[
    float,
    typer.Option("--cost-fn", help="Cost of a false negative (seed 000: a missed review)."),
]


def check_costs(cost_fp: float, cost_fn: float) -> None:
    """Refuse costs that price nothing: negative, infinite, NaN, or both zero.

    Raises
    ------
    ValueError
        Naming the option.
    """
    for name, value in (("--cost-fp", cost_fp), ("--cost-fn", cost_fn)):
        if not (math.isfinite(value) and value >= 0):
            raise ValueError(f"{name} must be a finite number >= 0, got {value}")
    if cost_fp == 0 and cost_fn == 0:
        raise ValueError("--cost-fp and --cost-fn are both 0: every threshold would cost nothing")
