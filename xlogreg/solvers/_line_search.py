"""Line searches over host scalars; the function values come from the device.

A line search sees ``phi(t) -> (value, slope, point)``: the objective and its
directional derivative at ``w + t·d`` as Python floats, plus an opaque
``point`` (the device arrays at that step) handed back to the solver with the
accepted step, so nothing is evaluated twice.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

__all__ = ["strong_wolfe"]

Phi = Callable[[float], tuple[float, float, Any]]


def _cubic_minimizer(a: float, fa: float, da: float, b: float, fb: float, db: float) -> float:
    """Minimizer of the cubic through two points with slopes, or the midpoint."""
    if a == b:
        return a
    d1 = da + db - 3.0 * (fa - fb) / (a - b)
    radicand = d1 * d1 - da * db
    mid = 0.5 * (a + b)
    if not math.isfinite(radicand) or radicand < 0.0:
        return mid
    d2 = math.copysign(math.sqrt(radicand), b - a)
    denom = db - da + 2.0 * d2
    if denom == 0.0:
        return mid
    t = b - (b - a) * (db + d2 - d1) / denom
    lo, hi = min(a, b), max(a, b)
    margin = 0.1 * (hi - lo)
    # Keep trial steps well inside the bracket so it shrinks every time.
    return t if lo + margin <= t <= hi - margin else mid


def strong_wolfe(
    phi: Phi,
    value0: float,
    slope0: float,
    step: float,
    *,
    c1: float = 1e-4,
    c2: float = 0.9,
    noise: float = 0.0,
    max_evals: int = 30,
) -> tuple[float, float, float, Any] | None:
    """Find a step satisfying the strong Wolfe conditions (Nocedal & Wright, Alg. 3.5).

    Where the objective cannot resolve the decrease (the values differ by less
    than ``noise``, as in float32 near an optimum), a step is also accepted on
    Hager & Zhang's approximate Wolfe conditions, which rely on the slope
    alone: ``c2·φ'(0) <= φ'(t) <= (2δ−1)·φ'(0)`` with ``δ = 0.1``.

    Parameters
    ----------
    phi : callable
        ``phi(t) -> (value, slope, point)`` along a descent direction.
    value0, slope0 : float
        Value and (negative) slope at ``t = 0``.
    step : float
        First trial step.
    c1, c2 : float
        Sufficient-decrease and curvature constants, ``0 < c1 < c2 < 1``.
    noise : float
        Absolute uncertainty of the objective's values.
    max_evals : int
        Most evaluations of ``phi``.

    Returns
    -------
    (step, value, slope, point) or None
        The accepted step, or ``None`` if no step decreased the objective.
    """
    evals = 0

    def evaluate(t: float) -> tuple[float, float, float, Any]:
        nonlocal evals
        evals += 1
        value, slope, point = phi(t)
        if not (math.isfinite(value) and math.isfinite(slope)):
            value, slope = math.inf, math.nan
        return t, value, slope, point

    def armijo(trial: tuple) -> bool:
        return trial[1] <= value0 + c1 * trial[0] * slope0

    def curvature(trial: tuple) -> bool:
        return abs(trial[2]) <= -c2 * slope0

    def approximately_wolfe(trial: tuple) -> bool:
        # Hager & Zhang (2005), eq. (4.1) with delta = 0.1, sigma = c2.
        _, value, slope, _ = trial
        return value <= value0 + noise and c2 * slope0 <= slope <= -0.8 * slope0

    def too_high(trial: tuple, reference: tuple) -> bool:
        # Values within the noise of f(0) cannot rank steps: the slope decides.
        if trial[1] <= value0 + noise:
            return False
        return not armijo(trial) or trial[1] >= reference[1]

    def zoom(lo: tuple, hi: tuple) -> tuple | None:
        # Stop once the bracket is down to round-off: no step in it is better.
        while evals < max_evals and abs(hi[0] - lo[0]) > 1e-12 * max(hi[0], lo[0]):
            trial = evaluate(_cubic_minimizer(*lo[:3], *hi[:3]))
            if approximately_wolfe(trial):
                return trial
            if too_high(trial, lo):
                hi = trial
                continue
            if armijo(trial) and curvature(trial):
                return trial
            if trial[2] * (hi[0] - lo[0]) >= 0:
                hi = lo
            lo = trial
        return lo if lo[0] > 0 and lo[1] <= value0 + noise else None

    previous = (0.0, value0, slope0, None)
    t = step
    while evals < max_evals:
        trial = evaluate(t)
        if approximately_wolfe(trial):
            return trial
        if too_high(trial, previous):
            return zoom(previous, trial)
        if armijo(trial) and curvature(trial):
            return trial
        if trial[2] >= 0:
            return zoom(trial, previous)
        previous, t = trial, 2.0 * t
    return previous if previous[0] > 0 and armijo(previous) else None
