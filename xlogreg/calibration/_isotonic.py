"""Isotonic regression: pool-adjacent-violators on the host, interpolation on the device.

The fit is sequential by nature (each pooled block depends on the ones
before it), so it runs in pure Python over host lists: a sort and one O(n)
stack pass over scores sorted on the device, about 2 s per million calibration
samples on one CPU core. Prediction is a
binary search and two gathers on the device, with no host round trip.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from xlogreg._backend import contiguous

__all__ = ["interpolate", "isotonic_thresholds"]


def isotonic_thresholds(
    x: list[float], y: list[float], weight: list[float]
) -> tuple[list[float], list[float]]:
    """The increasing, weighted isotonic fit of ``y`` on ``x``, as interpolation thresholds.

    scikit-learn's ``IsotonicRegression`` (``increasing=True``): samples of
    zero weight are dropped, samples sharing an ``x`` are pooled into their
    weighted mean, the pool-adjacent-violators algorithm makes the means
    increasing, and interior points equal to both neighbours are trimmed
    (they change no interpolated value).

    Parameters
    ----------
    x, y, weight : lists of float
        Scores in increasing order (ties allowed), their targets and
        non-negative weights, with at least one positive weight.

    Returns
    -------
    thresholds_x, thresholds_y : lists of float
        Increasing ``x`` and non-decreasing fitted values, of equal length.

    Examples
    --------
    >>> from xlogreg.calibration._isotonic import isotonic_thresholds
    >>> isotonic_thresholds([1.0, 2.0, 3.0, 4.0], [0.0, 1.0, 0.0, 1.0], [1.0] * 4)
    ([1.0, 2.0, 3.0, 4.0], [0.0, 0.5, 0.5, 1.0])
    """
    # Per distinct x: the value, the weighted sum of y and the sum of weights.
    distinct: list[list[float]] = []
    for xi, yi, wi in zip(x, y, weight, strict=True):
        if wi <= 0:
            continue
        if distinct and distinct[-1][0] == xi:
            distinct[-1][1] += wi * yi
            distinct[-1][2] += wi
        else:
            distinct.append([xi, wi * yi, wi])
    # Pool adjacent violators: blocks of (weighted sum, weight, number of points)
    # whose means increase strictly from the bottom of the stack to its top.
    blocks: list[tuple[float, float, int]] = []
    for _, total, w in distinct:
        size = 1
        while blocks and blocks[-1][0] * w > total * blocks[-1][1]:
            previous_total, previous_w, previous_size = blocks.pop()
            total, w, size = total + previous_total, w + previous_w, size + previous_size
        blocks.append((total, w, size))
    fitted = [total / w for total, w, size in blocks for _ in range(size)]
    xs = [point[0] for point in distinct]
    keep = [
        i
        for i in range(len(xs))
        if i in (0, len(xs) - 1) or fitted[i] != fitted[i - 1] or fitted[i] != fitted[i + 1]
    ]
    return [xs[i] for i in keep], [fitted[i] for i in keep]


def interpolate(thresholds_x: Any, thresholds_y: Any, t: Any, *, xp: ModuleType) -> Any:
    """Piecewise-linear interpolation through the thresholds, clipped at both ends.

    ``scipy.interpolate.interp1d`` after clipping ``t`` to the thresholds'
    range, as ``IsotonicRegression(out_of_bounds="clip")`` predicts; repeated
    thresholds (the padding of shorter rows) and a single threshold give the
    value at the left end of the segment.

    Parameters
    ----------
    thresholds_x : array of shape (n_thresholds,)
        Non-decreasing abscissae.
    thresholds_y : array of shape (n_thresholds,)
        The values at them.
    t : array of shape (n_samples,)
        Where to interpolate; same dtype as the thresholds.
    xp : module
        Array namespace of the arrays.

    Returns
    -------
    array of shape (n_samples,)

    Examples
    --------
    >>> import array_api_strict as xp
    >>> from xlogreg.calibration._isotonic import interpolate
    >>> x, y = xp.asarray([0.0, 1.0, 3.0]), xp.asarray([0.0, 0.5, 1.0])
    >>> interpolate(x, y, xp.asarray([-1.0, 0.5, 2.0, 9.0]), xp=xp)
    Array([0.  , 0.25, 0.75, 1.  ], dtype=array_api_strict.float64)
    """
    last = thresholds_x.shape[0] - 1
    t = xp.clip(t, thresholds_x[0], thresholds_x[last])
    # Binary search as interp1d does (first threshold >= t); the segment ends at it.
    index = xp.searchsorted(contiguous(thresholds_x), contiguous(t), side="left")
    high = xp.minimum(index, last)
    low = xp.maximum(index - 1, 0)
    x_low, x_high = xp.take(thresholds_x, low), xp.take(thresholds_x, high)
    y_low, y_high = xp.take(thresholds_y, low), xp.take(thresholds_y, high)
    width = x_high - x_low
    segment = width > 0
    slope = xp.where(segment, (y_high - y_low) / xp.where(segment, width, 1.0), 0.0)
    return slope * (t - x_low) + y_low
