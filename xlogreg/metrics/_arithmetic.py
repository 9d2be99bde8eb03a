"""Small numeric pieces every metric family shares: safe division and weighted sums."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from xlogreg._backend import host_tile
from xlogreg._tiles import accumulate, row_tiles

__all__ = ["divide", "weighted_sum"]


def divide(xp: Any, numerator: Any, denominator: Any, zero_division: float) -> Any:
    """``numerator / denominator``, with ``zero_division`` where the denominator is 0."""
    empty = denominator == 0
    return xp.where(empty, zero_division, numerator / xp.where(empty, 1.0, denominator))


def weighted_sum(
    xp: Any,
    values_of: Callable[[slice], Any],
    n_samples: int,
    weight: Any,
    *,
    dtype: Any,
    device: Any,
) -> tuple[Any, Any]:
    """The (weighted) sum over samples (axis 0) of ``values_of(rows)`` and the total weight.

    ``values_of`` maps a slice of the samples to their values (1-D, or 2-D with
    one column per output). On the host it is called a tile of samples at a
    time (:func:`~xlogreg._backend.host_tile`), so no temporary spans every
    sample; elsewhere once for all of them. ``weight`` is None (the total
    weight is then ``n_samples``) or a 1-D array over the samples. Both sums
    accumulate in ``dtype``; their ratio is the (weighted) mean.
    """
    total = None
    for rows in row_tiles(n_samples, host_tile(xp, device)):
        values = xp.astype(values_of(rows), dtype, copy=False)
        if weight is not None:
            values = values * (weight[rows, None] if values.ndim == 2 else weight[rows])
        total = accumulate(total, xp.sum(values, axis=0))
    if weight is None:
        return total, xp.asarray(float(n_samples), dtype=dtype, device=device)
    return total, xp.sum(weight)
