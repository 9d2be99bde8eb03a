"""The squared loss's sufficient statistics under several weightings of the same rows, in one
pass over the design: cross-validation folds as weights, never as copies of ``X``.

A weighting (a fold's training rows times the sample weights, or all rows) sees a
least-squares problem through its weighted means and its centred second moments
alone: ``G = Σ w (x − x̄)(x − x̄)ᵀ / Σ w``, ``c = Σ w (x − x̄)(y − ȳ) / Σ w`` and
``Σ w (y − ȳ)² / Σ w``. :func:`weighted_grams` computes them for every weighting at
once, a row tile at a time (one matrix product per tile for all of them), around a
shift shared by all (the pooled weighted mean): each weighting's mean differs from it
by little, so its centring subtracts small numbers, not large ones (on NIST's Longley
data, centring around zero would cancel five of float64's digits).
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import array_api_compat

from xlogreg._backend import integer_dtype, native_bincount, tile_rows
from xlogreg._tiles import accumulate, bounded_tiles

__all__ = ["GramStatistics", "row_counts", "weighted_grams"]


class GramStatistics:
    """Weighted means and centred second moments of ``(X, y)``, one set per weighting.

    Attributes
    ----------
    gram : array of shape (n_weightings, n_features, n_features)
        ``Σ w (x − x̄)(x − x̄)ᵀ / Σ w`` (around zero instead of ``x̄`` without centring).
    xy : array of shape (n_weightings, n_features) or (n_weightings, n_features, n_targets)
        ``Σ w (x − x̄)(y − ȳ) / Σ w`` (one column per target of a 2-D ``y``).
    yy : array of shape (n_weightings,) or (n_weightings, n_targets)
        ``Σ w (y − ȳ)² / Σ w``.
    x_mean : array of shape (n_weightings, n_features)
        ``x̄`` (zeros without centring).
    y_mean : array of shape (n_weightings,) or (n_weightings, n_targets)
        ``ȳ`` (zeros without centring).
    weight_sum : array of shape (n_weightings,)
        ``Σ w``.
    """

    def __init__(
        self, gram: Any, xy: Any, yy: Any, x_mean: Any, y_mean: Any, weight_sum: Any
    ) -> None:
        self.gram, self.xy, self.yy = gram, xy, yy
        self.x_mean, self.y_mean, self.weight_sum = x_mean, y_mean, weight_sum

    def scaled(self, scale: Any) -> GramStatistics:
        """The statistics of the design whose columns are divided by ``scale`` (standardized)."""
        return GramStatistics(
            self.gram / (scale[:, None] * scale[None, :]),
            self.xy / (scale if self.xy.ndim == 2 else scale[:, None]),
            self.yy,
            self.x_mean / scale,
            self.y_mean,
            self.weight_sum,
        )


def weighted_grams(X: Any, y: Any, weights: Any, *, center: bool, xp: ModuleType) -> GramStatistics:
    """The :class:`GramStatistics` of ``(X, y)`` under each column of ``weights``.

    Two passes over ``X``: its pooled weighted mean (the shift), then, a row tile
    at a time, one product ``Zᵀ (Z ⊙ w_p)`` per weighting of the shifted tile
    ``Z = [X − x₀, y − y₀]`` (whose last row and column hold ``Xᵀy`` and ``yᵀy``),
    each reading the tile while it is in cache: temporaries of two tiles.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
        The design.
    y : array of shape (n_samples,) or (n_samples, n_targets)
        The target, or one column per target.
    weights : array of shape (n_samples, n_weightings)
        Non-negative; every column with a positive sum.
    center : bool
        Centre around each weighting's means (a model with an intercept), or not.
    xp : module
        Array namespace of the arrays.

    Returns
    -------
    GramStatistics

    Examples
    --------
    >>> import array_api_strict as xp
    >>> from xlogreg.objectives._weighted_grams import weighted_grams
    >>> X = xp.asarray([[0.0], [1.0], [2.0], [4.0]])
    >>> y = xp.asarray([1.0, 2.0, 3.0, 5.0])
    >>> folds = xp.asarray([[1.0, 0.0], [1.0, 1.0], [1.0, 1.0], [0.0, 1.0]])
    >>> stats = weighted_grams(X, y, folds, center=True, xp=xp)
    >>> stats.x_mean[:, 0], stats.gram[:, 0, 0]  # the first three rows, the last three
    (Array([1.        , 2.33333333], dtype=array_api_strict.float64), \
Array([0.66666667, 1.55555556], dtype=array_api_strict.float64))
    """
    n_samples, n_features = X.shape
    n_weightings = weights.shape[1]
    device = array_api_compat.device(X)
    one_target = y.ndim == 1
    Y = y[:, None] if one_target else y
    n_targets = Y.shape[1]
    width = n_features + n_targets
    weight_sum = xp.sum(weights, axis=0)
    if center:
        pooled = xp.sum(weights, axis=1)
        total = xp.sum(pooled)
        x_shift, y_shift = (pooled @ X) / total, (pooled @ Y) / total
    else:
        x_shift = xp.zeros(n_features, dtype=X.dtype, device=device)
        y_shift = xp.zeros(n_targets, dtype=X.dtype, device=device)
    products = [None] * n_weightings
    sums = None
    for tile in bounded_tiles(n_samples, tile_rows(xp, device, width), width):
        # [x − shift, y − shift]: one product per weighting gives its Gram, Xᵀy and yᵀy.
        shifted = xp.concat([X[tile, :] - x_shift, Y[tile, :] - y_shift], axis=1)
        w = weights[tile, :]
        sums = accumulate(sums, w.T @ shifted)
        for p in range(n_weightings):
            products[p] = accumulate(products[p], shifted.T @ (shifted * w[:, p : p + 1]))
    moments = xp.stack(products) / weight_sum[:, None, None]  # (P, d + T, d + T)
    gram = moments[:, :n_features, :n_features]
    gram = 0.5 * (gram + xp.permute_dims(gram, (0, 2, 1)))  # BLAS leaves round-off asymmetry
    xy = moments[:, :n_features, n_features:]  # (P, d, T)
    yy = xp.linalg.diagonal(moments[:, n_features:, n_features:])  # (P, T)
    offset = sums[:, :n_features] / weight_sum[:, None]  # each weighting's mean minus the shift
    y_offset = sums[:, n_features:] / weight_sum[:, None]
    x_mean, y_mean = x_shift + offset, y_shift + y_offset
    if center:
        gram = gram - offset[:, :, None] * offset[:, None, :]
        xy = xy - offset[:, :, None] * y_offset[:, None, :]
        yy = yy - y_offset * y_offset
    else:
        x_mean, y_mean = xp.zeros_like(x_mean), xp.zeros_like(y_mean)
    if one_target:
        xy, yy, y_mean = xy[:, :, 0], yy[:, 0], y_mean[:, 0]
    return GramStatistics(gram, xy, yy, x_mean, y_mean, weight_sum)


def row_counts(rows: list[int], n_samples: int, *, dtype: Any, xp: ModuleType, device: Any) -> Any:
    """How many times each of ``n_samples`` rows occurs in ``rows``, as ``dtype`` on ``device``.

    A fold's training rows become the weights of :func:`weighted_grams`: a row
    listed twice (a bootstrap) weighs twice, as its copies would.

    Examples
    --------
    >>> import array_api_strict as xp
    >>> from xlogreg.objectives._weighted_grams import row_counts
    >>> row_counts([3, 0, 3], 5, dtype=xp.float64, xp=xp, device=None)
    Array([1., 0., 0., 2., 0.], dtype=array_api_strict.float64)
    """
    index = xp.asarray(rows, dtype=integer_dtype(xp, device), device=device)
    bincount = native_bincount(xp)
    if bincount is not None:
        return xp.astype(xp.asarray(bincount(index, None, n_samples)), dtype)
    ordered = xp.sort(index)
    every = xp.arange(n_samples, dtype=index.dtype, device=device)
    after = xp.searchsorted(ordered, every, side="right")
    before = xp.searchsorted(ordered, every, side="left")
    return xp.astype(after - before, dtype)
