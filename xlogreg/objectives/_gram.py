"""Weighted second moments of a design: its Gram matrix with an implicit ones column, and
its column sums of squares, computed without a copy of the design."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import array_api_compat

from xlogreg._backend import integer_dtype, tile_rows
from xlogreg._tiles import accumulate, bounded_tiles

__all__ = ["augmented_gram", "columns", "weighted_squares"]

# Rows per feature, at least, in a tile of augmented_gram on the host.
_MIN_ROWS_PER_FEATURE = 8


def augmented_gram(
    X: Any,
    weight: Any,
    *,
    fit_intercept: bool,
    l2: Any,
    xp: ModuleType,
    features: Any = None,
) -> Any:
    """``[X, 1]ᵀ diag(weight) [X, 1] + l2·I`` without copying ``X`` to add the ones.

    Summed over row tiles (:func:`~xlogreg._tiles.bounded_tiles`),
    so the weighted copy of ``X`` it needs is one tile at a time.

    The ones column (and its row and column of the result) is left out when
    ``fit_intercept`` is false; the penalty's curvature ``l2`` (its
    :meth:`~xlogreg.objectives._penalty.L2.hessian_diagonal`) is added to the
    coefficients' diagonal only, never to the intercept's.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
        Design matrix.
    weight : array of shape (n_samples,)
        Non-negative weights.
    fit_intercept : bool
        Whether to add the ones column.
    l2 : float or 0-d array
        Ridge added to the coefficients' diagonal.
    xp : module
        Array namespace of the arrays.
    features : sequence of int, optional
        The columns of ``X`` to use (a working set), taken tile by tile;
        all by default.

    Returns
    -------
    array of shape (n_features + fit_intercept, n_features + fit_intercept)
        ``n_features`` counting the ``features`` only.

    Examples
    --------
    >>> import array_api_strict as xp
    >>> from xlogreg.objectives._gram import augmented_gram
    >>> X = xp.asarray([[1.0], [2.0]])
    >>> augmented_gram(X, xp.asarray([1.0, 1.0]), fit_intercept=True, l2=0.5, xp=xp)
    Array([[5.5, 3. ],
           [3. , 2. ]], dtype=array_api_strict.float64)
    """
    n_samples, n_features = X.shape
    if features is not None:
        n_features = len(features)
    cache_rows = tile_rows(xp, array_api_compat.device(X), X.shape[1])
    if cache_rows is not None:
        if features is not None:
            # Gathering columns makes two copies (NumPy's take copies a strided tile
            # whole first, then gathers): quarter tiles, shorter still with fewer
            # columns kept, keep them within half a cache-sized tile (an L1 fit of
            # 100k x 50, 5 classes, peaked at 0.61x X with full-height tiles).
            cache_rows = cache_rows * max(n_features, 1) // (4 * X.shape[1])
        # Each tile adds a (d × d) product: keep tiles tall enough to amortize it.
        cache_rows = max(cache_rows, _MIN_ROWS_PER_FEATURE * n_features, 1)
    root = xp.sqrt(weight)
    gram = cross = None
    # Always up to 16 partial sums, small data too: a float32 Gram summed in one
    # product over all rows loses a digit (torch's MKL, 500 rows: standard
    # errors 1.6e-5 off against 1.9e-6 in 16 tiles).
    for tile in bounded_tiles(n_samples, cache_rows, X.shape[1], min_elements=1):
        scaled = columns(X[tile, :], features, xp=xp) * root[tile, None]
        # A product of a matrix with its own transpose lets BLAS use syrk.
        gram = accumulate(gram, scaled.T @ scaled)
        if fit_intercept:
            cross = accumulate(cross, root[tile] @ scaled)
    eye = xp.eye(n_features, dtype=gram.dtype, device=array_api_compat.device(gram))
    gram = gram + l2 * eye
    if not fit_intercept:
        return gram
    corner = xp.reshape(xp.sum(weight), (1, 1))
    top = xp.concat([gram, cross[:, None]], axis=1)
    bottom = xp.concat([cross[None, :], corner], axis=1)
    return xp.concat([top, bottom], axis=0)


def weighted_squares(X: Any, weight: Any, *, xp: ModuleType) -> Any:
    """``weightᵀ (X ⊙ X)``: weighted column sums of squares, over row tiles.

    Forming ``X ⊙ X`` at once would double the memory of the fit; each row
    tile's square is a temporary of a cache-sized tile on the host and of
    at most 1/16 of ``X`` elsewhere (:func:`~xlogreg._tiles.bounded_tiles`).

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
        Design matrix.
    weight : array of shape (n_samples,) or (n_samples, n_outputs)
        Weights, one column per output.
    xp : module
        Array namespace of the arrays.

    Returns
    -------
    array of shape (n_features,) or (n_outputs, n_features)

    Examples
    --------
    >>> import array_api_strict as xp
    >>> from xlogreg.objectives._gram import weighted_squares
    >>> X = xp.asarray([[1.0, 2.0], [3.0, 4.0]])
    >>> weighted_squares(X, xp.asarray([1.0, 0.5]), xp=xp)
    Array([ 5.5, 12. ], dtype=array_api_strict.float64)
    """
    n_samples, n_features = X.shape
    cache_rows = tile_rows(xp, array_api_compat.device(X), n_features)
    transposed = weight.T if weight.ndim == 2 else weight
    total = None
    for tile in bounded_tiles(n_samples, cache_rows, n_features):
        X_tile = X[tile, :]
        total = accumulate(total, transposed[..., tile] @ (X_tile * X_tile))
    return total


def columns(X: Any, features: Any, *, xp: ModuleType) -> Any:
    """The columns ``features`` (a sequence of int, or None for all) of ``X``: a copy.

    Examples
    --------
    >>> import array_api_strict as xp
    >>> from xlogreg.objectives._gram import columns
    >>> columns(xp.asarray([[1.0, 2.0, 3.0]]), (0, 2), xp=xp)
    Array([[1., 3.]], dtype=array_api_strict.float64)
    """
    if features is None:
        return X
    device = array_api_compat.device(X)
    index = xp.asarray(features, dtype=integer_dtype(xp, device), device=device)
    return xp.take(X, index, axis=1)
