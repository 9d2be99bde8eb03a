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

from xlogreg._backend import host_list, integer_dtype, native_bincount, tile_rows
from xlogreg._tiles import accumulate, bounded_tiles, row_tiles

__all__ = [
    "GramStatistics",
    "complement_statistics",
    "fold_grams",
    "moment_statistics",
    "residual_sums",
    "row_counts",
    "shifted_moments",
    "weighted_grams",
]


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
    Y = y[:, None] if y.ndim == 1 else y
    width = n_features + Y.shape[1]
    if center:
        x_shift, y_shift = _pooled_means(X, Y, xp.sum(weights, axis=1), xp=xp)
    else:
        x_shift, y_shift = _zero_shift(X, Y, xp=xp)
    products = [None] * n_weightings
    sums = None
    for tile in bounded_tiles(n_samples, tile_rows(xp, device, width), width):
        # [x − shift, y − shift]: one product per weighting gives its Gram, Xᵀy and yᵀy.
        shifted = xp.concat([X[tile, :] - x_shift, Y[tile, :] - y_shift], axis=1)
        w = weights[tile, :]
        sums = accumulate(sums, w.T @ shifted)
        for p in range(n_weightings):
            products[p] = accumulate(products[p], shifted.T @ (shifted * w[:, p : p + 1]))
    return moment_statistics(
        xp.stack(products),
        sums,
        xp.sum(weights, axis=0),
        x_shift,
        y_shift,
        center=center,
        one_target=y.ndim == 1,
        xp=xp,
    )


def fold_grams(
    X: Any, y: Any, sample_weight: Any, folds: list, *, center: bool, xp: ModuleType
) -> GramStatistics:
    """The :class:`GramStatistics` of each fold's training rows, then of all the rows.

    When the test sets partition the rows and each fold trains on the rest
    (k-fold), one pass gathers each fold's test rows, a tile at a time, and the
    training moments are the whole data's less the fold's: one product per row
    of ``X`` instead of one per fold (3.5 times faster for 5 folds). Otherwise
    (repeated or left-out rows, as a shuffle split or a bootstrap gives) the
    folds' training rows are weights of :func:`weighted_grams`, each counted as
    often as listed.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
        The design.
    y : array of shape (n_samples,) or (n_samples, n_targets)
        The targets.
    sample_weight : array of shape (n_samples,)
        Non-negative weights.
    folds : list of (list of int, list of int)
        Each fold's training and test rows (:func:`~xlogreg.model_selection.check_folds`).
    center : bool
        Centre around each fold's means.
    xp : module
        Array namespace of the arrays.

    Returns
    -------
    GramStatistics
        ``n_folds + 1`` weightings: the folds' training rows, then all rows.

    Raises
    ------
    ValueError
        Naming ``cv``, when a fold's training rows weigh nothing.
    """
    n_samples = X.shape[0]
    device = array_api_compat.device(X)
    dtype = X.dtype
    trains = [row_counts(train, n_samples, dtype=dtype, xp=xp, device=device) for train, _ in folds]
    tests = [row_counts(test, n_samples, dtype=dtype, xp=xp, device=device) for _, test in folds]
    covered = xp.all(sum(tests[1:], tests[0]) == 1.0)
    complements = [xp.all(train + test == 1.0) for train, test in zip(trains, tests, strict=True)]
    totals = [train @ sample_weight for train in trains]
    flags = host_list(
        xp.stack([xp.astype(flag, dtype) for flag in (covered, *complements)] + totals)
    )
    n_folds = len(folds)
    empty = [k for k, total in enumerate(flags[n_folds + 1 :]) if not total > 0]
    if empty:
        raise ValueError(
            f"cv: the training rows of fold {empty[0]} have zero total sample_weight; "
            "every fold needs training rows of positive weight"
        )
    if all(flags[: n_folds + 1]):
        return _partition_grams(X, y, sample_weight, folds, center=center, xp=xp)
    ones = xp.ones_like(sample_weight)
    weights = xp.stack([*trains, ones], axis=1) * sample_weight[:, None]
    return weighted_grams(X, y, weights, center=center, xp=xp)


def _partition_grams(
    X: Any, y: Any, sample_weight: Any, folds: list, *, center: bool, xp: ModuleType
) -> GramStatistics:
    """:func:`fold_grams` of k-fold splits: each fold's test moments from its gathered rows,
    the whole data's their sum, the training moments the difference."""
    Y = y[:, None] if y.ndim == 1 else y
    if center:
        x_shift, y_shift = _pooled_means(X, Y, sample_weight, xp=xp)
    else:
        x_shift, y_shift = _zero_shift(X, Y, xp=xp)
    moments = shifted_moments(
        X, Y, sample_weight, [test for _, test in folds], x_shift, y_shift, xp=xp
    )
    return complement_statistics(
        *moments, x_shift, y_shift, center=center, one_target=y.ndim == 1, xp=xp
    )


def shifted_moments(
    X: Any, Y: Any, weight: Any, groups: list, x_shift: Any, y_shift: Any, *, xp: ModuleType
) -> tuple[Any, Any, Any]:
    """Each group of rows' weighted moments around a shift, its rows gathered a tile at a time.

    With ``z = [x − x₀, y − y₀]``: ``Σ w z zᵀ``, ``Σ w z`` and ``Σ w`` over the rows
    of each group (zeros for a group without rows). The sums of several pieces of
    the rows (the row chunks of a Dask array) are those of the whole.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
        The design.
    Y : array of shape (n_samples, n_targets)
        The targets.
    weight : array of shape (n_samples,)
        The rows' weights.
    groups : list of sequences of int
        Each group's row indices (a list or an index array).
    x_shift : array of shape (n_features,)
        ``x₀``.
    y_shift : array of shape (n_targets,)
        ``y₀``.
    xp : module
        Array namespace of the arrays.

    Returns
    -------
    products : array of shape (n_groups, n_features + n_targets, n_features + n_targets)
    sums : array of shape (n_groups, n_features + n_targets)
    weight_sums : array of shape (n_groups,)

    Examples
    --------
    >>> import array_api_strict as xp
    >>> from xlogreg.objectives._weighted_grams import shifted_moments
    >>> X, Y = xp.asarray([[1.0], [3.0], [5.0]]), xp.asarray([[0.0], [2.0], [2.0]])
    >>> zero = xp.asarray([0.0])
    >>> products, sums, weights = shifted_moments(X, Y, xp.ones(3), [[0, 2], []], zero, zero, xp=xp)
    >>> products[0, ...], sums[:, 0], weights
    (Array([[26., 10.],
           [10.,  4.]], dtype=array_api_strict.float64), \
Array([6., 0.], dtype=array_api_strict.float64), \
Array([2., 0.], dtype=array_api_strict.float64))
    """
    device = array_api_compat.device(X)
    width = X.shape[1] + Y.shape[1]
    rows = tile_rows(xp, device, width)
    index_dtype = integer_dtype(xp, device)
    products, sums, weight_sums = [], [], []
    for group in groups:
        product = xp.zeros((width, width), dtype=X.dtype, device=device)
        total = xp.zeros(width, dtype=X.dtype, device=device)
        weight_sum = xp.zeros((), dtype=X.dtype, device=device)
        for part in bounded_tiles(len(group), rows, width):
            index = xp.asarray(group[part], dtype=index_dtype, device=device)
            shifted = xp.concat(
                [xp.take(X, index, axis=0) - x_shift, xp.take(Y, index, axis=0) - y_shift], axis=1
            )
            w = xp.take(weight, index)
            product = product + shifted.T @ (shifted * w[:, None])
            total = total + w @ shifted
            weight_sum = weight_sum + xp.sum(w)
        products.append(product)
        sums.append(total)
        weight_sums.append(weight_sum)
    return xp.stack(products), xp.stack(sums), xp.stack(weight_sums)


def complement_statistics(
    products: Any,
    sums: Any,
    weight_sums: Any,
    x_shift: Any,
    y_shift: Any,
    *,
    center: bool,
    one_target: bool,
    xp: ModuleType,
) -> GramStatistics:
    """The :class:`GramStatistics` of each group's complement, then of all the rows, from the
    :func:`shifted_moments` of groups that partition the rows (k-fold test sets): the whole
    data's moments are their sum, each fold's training moments the whole's less the group's.
    """
    whole = [xp.sum(part, axis=0) for part in (products, sums, weight_sums)]
    return moment_statistics(
        xp.concat([whole[0] - products, whole[0][None, ...]]),
        xp.concat([whole[1] - sums, whole[1][None, ...]]),
        xp.concat([whole[2] - weight_sums, whole[2][None, ...]]),
        x_shift,
        y_shift,
        center=center,
        one_target=one_target,
        xp=xp,
    )


def _pooled_means(X: Any, Y: Any, weight: Any, *, xp: ModuleType) -> tuple[Any, Any]:
    """The shift: the weighted means of ``X`` and ``Y`` over all rows."""
    total = xp.sum(weight)
    return (weight @ X) / total, (weight @ Y) / total


def _zero_shift(X: Any, Y: Any, *, xp: ModuleType) -> tuple[Any, Any]:
    device = array_api_compat.device(X)
    return (
        xp.zeros(X.shape[1], dtype=X.dtype, device=device),
        xp.zeros(Y.shape[1], dtype=X.dtype, device=device),
    )


def moment_statistics(
    products: Any,
    sums: Any,
    weight_sum: Any,
    x_shift: Any,
    y_shift: Any,
    *,
    center: bool,
    one_target: bool,
    xp: ModuleType,
) -> GramStatistics:
    """The :class:`GramStatistics` from each weighting's moments around a shift
    (:func:`shifted_moments`): ``Σ w z zᵀ`` (P, d + T, d + T) and ``Σ w z`` (P, d + T) of
    ``z = [x − x₀, y − y₀]``, and ``Σ w`` (P,); centred around each weighting's means
    with ``center``, else around zero (the shift must then be zero)."""
    n_features = products.shape[1] - y_shift.shape[0]
    moments = products / weight_sum[:, None, None]
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


def residual_sums(
    X: Any, Y: Any, weight: Any, rows: Any, coef: Any, intercept: Any, *, xp: ModuleType
) -> tuple[Any, Any, Any]:
    """Weighted sums of the residuals of several linear models on some rows, gathered a tile
    at a time: each fold's test errors along a search's path, one product per tile.

    Model ``m = k·T + t`` of ``coef`` predicts target ``t``: its residual on row ``i``
    is ``r = x_i·coef[:, m] + intercept[m] − Y[i, t]``.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
        The design.
    Y : array of shape (n_samples, n_targets)
        The targets.
    weight : array of shape (n_samples,)
        The rows' weights.
    rows : sequence of int
        The rows (a list or an index array).
    coef : array of shape (n_features, n_models · n_targets)
        The models' coefficients.
    intercept : array of shape (n_models · n_targets,)
        Their intercepts.
    xp : module
        Array namespace of the arrays.

    Returns
    -------
    squared : array of shape (n_models, n_targets)
        ``Σ w r²``.
    absolute : array of shape (n_models, n_targets)
        ``Σ w |r|``.
    weight_sum : 0-d array
        ``Σ w``.

    Examples
    --------
    >>> import array_api_strict as xp
    >>> from xlogreg.objectives._weighted_grams import residual_sums
    >>> X, Y = xp.asarray([[1.0], [2.0], [3.0]]), xp.asarray([[1.0], [2.0], [4.0]])
    >>> coef, intercept = xp.asarray([[1.0, 0.0]]), xp.asarray([0.0, 2.0])
    >>> residual_sums(X, Y, xp.ones(3), [1, 2], coef, intercept, xp=xp)[:2]
    (Array([[1.],
           [4.]], dtype=array_api_strict.float64), Array([[1.],
           [2.]], dtype=array_api_strict.float64))
    """
    device = array_api_compat.device(X)
    n_targets = Y.shape[1]
    width = coef.shape[1]
    n_models = width // n_targets
    squared = xp.zeros((n_models, n_targets), dtype=X.dtype, device=device)
    absolute = xp.zeros((n_models, n_targets), dtype=X.dtype, device=device)
    weight_sum = xp.zeros((), dtype=X.dtype, device=device)
    for part in row_tiles(len(rows), tile_rows(xp, device, X.shape[1])):
        index = xp.asarray(rows[part], dtype=integer_dtype(xp, device), device=device)
        predicted = xp.take(X, index, axis=0) @ coef + intercept
        truth = xp.take(Y, index, axis=0)[:, None, :]
        residual = xp.reshape(xp.reshape(predicted, (-1, n_models, n_targets)) - truth, (-1, width))
        w = xp.take(weight, index)
        squared = squared + xp.reshape(w @ (residual * residual), (n_models, n_targets))
        absolute = absolute + xp.reshape(w @ xp.abs(residual), (n_models, n_targets))
        weight_sum = weight_sum + xp.sum(w)
    return squared, absolute, weight_sum
