"""Row tiles of a design or of per-sample arrays, for sums over samples taken a tile at a time."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from xlogreg._backend import host_bool

__all__ = ["accumulate", "bounded_tiles", "row_tiles", "sampled_rows"]

# Most tiles of bounded_tiles where the rows are not cache-tiled (accelerators):
# few kernel launches, and temporaries of at most 1/16 of X; and the fewest
# numbers in one of its tiles.
_MAX_TILES = 16
_MIN_TILE_ELEMENTS = 2**16


def row_tiles(n_samples: int, rows: int | None) -> list[slice]:
    """Consecutive slices of at most ``rows`` rows covering ``n_samples``; one if ``rows`` is None.

    Examples
    --------
    >>> from xlogreg._tiles import row_tiles
    >>> row_tiles(5, 2)
    [slice(0, 2, None), slice(2, 4, None), slice(4, 5, None)]
    >>> row_tiles(5, None)
    [slice(None, None, None)]
    """
    if rows is None or rows >= n_samples:
        return [slice(None)]
    return [slice(start, min(start + rows, n_samples)) for start in range(0, n_samples, rows)]


def accumulate(total: Any, part: Any) -> Any:
    """``total + part``, where ``None`` stands for a total not started yet."""
    return part if total is None else total + part


def bounded_tiles(
    n_samples: int,
    cache_rows: int | None,
    n_features: int,
    *,
    min_elements: int = _MIN_TILE_ELEMENTS,
) -> list[slice]:
    """Row tiles for computations with a temporary the size of the tile (``X_b ⊙ X_b``).

    Cache-sized tiles of ``cache_rows`` rows where the backend uses them
    (:func:`~xlogreg._backend.tile_rows`); elsewhere at most 16 tiles,
    so the temporary never exceeds 1/16 of ``X``, but none of fewer than
    ``min_elements`` numbers (2¹⁶): small data is taken whole, not in 16
    rounds of tiny operations.

    Examples
    --------
    >>> from xlogreg._tiles import bounded_tiles
    >>> len(bounded_tiles(1000, None, 8)), len(bounded_tiles(1000, 100, 8))
    (1, 10)
    >>> len(bounded_tiles(1_000_000, None, 64))
    16
    """
    if cache_rows is not None:
        return row_tiles(n_samples, cache_rows)
    rows = max(-(-n_samples // _MAX_TILES), -(-min_elements // n_features))
    return row_tiles(n_samples, rows)


def sampled_rows(X: Any, weight: Any, max_rows: int | None, *, xp: ModuleType) -> tuple[Any, Any]:
    """At most ``max_rows`` evenly spaced rows of ``X`` and their weights, rescaled
    to the total of all the weights (which sums over the rows estimate).

    All rows when ``max_rows`` is None or at least their number, or when the
    sampled weights are all zero. The rows are a strided view: nothing is copied.

    Examples
    --------
    >>> import array_api_strict as xp
    >>> from xlogreg._tiles import sampled_rows
    >>> X, weight = sampled_rows(xp.reshape(xp.arange(8.0), (4, 2)), xp.ones(4), 2, xp=xp)
    >>> X
    Array([[0., 1.],
           [4., 5.]], dtype=array_api_strict.float64)
    >>> weight
    Array([2., 2.], dtype=array_api_strict.float64)
    """
    n_samples = X.shape[0]
    if max_rows is None or n_samples <= max_rows:
        return X, weight
    rows = slice(0, None, -(-n_samples // max_rows))
    sampled = weight[rows]
    share = xp.sum(sampled) / xp.sum(weight)
    if not host_bool(share > 0):
        return X, weight
    return X[rows, ...], sampled / share
