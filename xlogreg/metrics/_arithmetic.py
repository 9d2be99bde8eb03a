"""Small numeric pieces every metric family shares: safe division and weighted means."""

from __future__ import annotations

from typing import Any

__all__ = ["divide", "weighted_mean"]


def divide(xp: Any, numerator: Any, denominator: Any, zero_division: float) -> Any:
    """``numerator / denominator``, with ``zero_division`` where the denominator is 0."""
    empty = denominator == 0
    return xp.where(empty, zero_division, numerator / xp.where(empty, 1.0, denominator))


def weighted_mean(xp: Any, values: Any, weight: Any, *, dtype: Any, normalize: bool = True) -> Any:
    """The (weighted) mean of ``values`` over samples (axis 0), accumulated in ``dtype``.

    ``weight`` is None or a 1-D array over the samples; with ``normalize=False``
    the (weighted) sum is returned instead.
    """
    values = xp.astype(values, dtype, copy=False)
    if weight is None:
        total = xp.sum(values, axis=0)
        return total / values.shape[0] if normalize else total
    if values.ndim == 2:
        weight = weight[:, None]
    total = xp.sum(values * weight, axis=0)
    return total / xp.sum(weight) if normalize else total
