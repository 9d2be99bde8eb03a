"""Sums per bin of integer ids: the one counting kernel of confusion matrices and calibration bins.

The array API has no scatter-add (``bincount``). :func:`bin_sums` uses the
library's own where it has one (NumPy, PyTorch, CuPy, JAX:
:func:`~xlogreg._backend.native_bincount`); otherwise it picks, by the number of
bins, the faster of two array-API ways, measured on array-api-strict over a
million ids:

======  ==================  ==============
bins    one-hot products    sort and count
======  ==================  ==============
4       0.039 s             0.056 s
16      0.075 s             0.071 s
100     0.29 s              0.095 s
400     1.24 s              0.081 s
======  ==================  ==============

One-hot products compare each id with every bin, a tile of rows at a time so
memory stays bounded; sorting costs O(n log n) whatever the number of bins.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from xlogreg._backend import native_bincount

__all__ = ["bin_sums"]

# Up to this many bins, one-hot products beat sorting (the table above).
_ONE_HOT_BINS = 16
# One-hot entries per tile of rows: bounds the working memory of the one-hot products.
_TILE_ENTRIES = 1 << 20


def bin_sums(
    xp: ModuleType, ids: Any, n_bins: int, columns: list, *, dtype: Any, device: Any
) -> Any:
    """Per bin, the sum of each column over the samples whose id is that bin.

    Parameters
    ----------
    xp : module
        The namespace of ``ids``.
    ids : integer array of shape (n_samples,)
        The bin of each sample, in ``[0, n_bins)``.
    n_bins : int
        The number of bins.
    columns : list of arrays of shape (n_samples,) or None
        The values to sum per bin; None counts the samples (sums of ones).
    dtype
        The float dtype of the sums; counts alone (every column None) come
        as exact integers of ``ids``' integer dtype instead when the library
        counts natively.
    device
        The device of ``ids``.

    Returns
    -------
    sums : array of shape (n_bins, len(columns))
    """
    bincount = native_bincount(xp)
    if bincount is not None:
        sums = [bincount(ids, None if c is None else xp.astype(c, dtype), n_bins) for c in columns]
        if any(c is not None for c in columns):
            sums = [xp.astype(s, dtype) for s in sums]
        return xp.stack(sums, axis=1)
    counts_only = all(c is None for c in columns)
    floats = [
        xp.ones(ids.shape[0], dtype=dtype, device=device) if c is None else xp.astype(c, dtype)
        for c in columns
    ]
    if n_bins <= _ONE_HOT_BINS:
        sums = _one_hot_sums(xp, ids, n_bins, floats, dtype=dtype, device=device)
    else:
        sums = _sorted_sums(xp, ids, n_bins, floats, dtype=dtype, device=device)
    return xp.astype(xp.round(sums), ids.dtype) if counts_only else sums


def _one_hot_sums(
    xp: ModuleType, ids: Any, n_bins: int, columns: list, *, dtype: Any, device: Any
) -> Any:
    """Sums per bin as one-hot matrix products, a tile of rows at a time."""
    bins = xp.arange(n_bins, dtype=ids.dtype, device=device)
    sums = xp.zeros((n_bins, len(columns)), dtype=dtype, device=device)
    n_samples = ids.shape[0]
    rows = max(1, _TILE_ENTRIES // n_bins)
    for start in range(0, n_samples, rows):
        tile = slice(start, min(start + rows, n_samples))
        one_hot = xp.astype(ids[tile, None] == bins, dtype)
        sums = sums + one_hot.T @ xp.stack([c[tile] for c in columns], axis=1)
    return sums


def _sorted_sums(
    xp: ModuleType, ids: Any, n_bins: int, columns: list, *, dtype: Any, device: Any
) -> Any:
    """Sums per bin from one sort of the ids: differences of cumulative sums at the bins' ends."""
    order = xp.argsort(ids, stable=False)
    ends = xp.searchsorted(
        xp.take(ids, order), xp.arange(n_bins + 1, dtype=ids.dtype, device=device)
    )
    sums = []
    for column in columns:
        cumulative = xp.cumulative_sum(xp.take(column, order), include_initial=True)
        sums.append(xp.take(cumulative, ends[1:]) - xp.take(cumulative, ends[:-1]))
    return xp.stack(sums, axis=1)
