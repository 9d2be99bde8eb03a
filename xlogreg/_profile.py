"""The training profile: per-feature statistics of the data a model was fitted on.

At fit time every linear model stores a :class:`TrainingProfile` of its raw
training features (``model.training_profile_``), built here from column
moments (:mod:`xlogreg._moments`); :mod:`xlogreg.drift` compares new data
with it. An estimator fitted with ``standardize=True`` hands over its
scaler's moments (:func:`fit_profile`'s ``moments``) rather than the scaler,
so that this module sits below the estimators and the preprocessing.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any, NamedTuple

from xlogreg._backend import accumulation_dtype, quiet_overflow, tile_rows
from xlogreg._moments import column_reduce, mean_and_variance, merge_part
from xlogreg._tiles import bounded_tiles

__all__ = ["TrainingProfile", "converted_profile", "fit_profile", "tiled_profile"]

# A training profile summarizes at most this many numbers of X (8 MiB in float64), and at least
# this many rows (see TrainingProfile's Notes).
_PROFILE_ELEMENTS = 2**20
_PROFILE_MIN_ROWS = 2048


class TrainingProfile(NamedTuple):
    """Per-feature statistics of the training data, stored as ``training_profile_``.

    Computed at fit time from the raw features (before any ``standardize``),
    without ``sample_weight``: it describes the data the model saw, not the
    weighted loss. Arrays of shape (n_features,) in the model's library,
    device and dtype (accumulated in float64 where the device has it).

    Attributes
    ----------
    mean : array of shape (n_features,)
    std : array of shape (n_features,)
        Population standard deviation (``ddof=0``).
    min : array of shape (n_features,)
    max : array of shape (n_features,)
    count : int
        The number of training rows, a Python int.
    rows : int
        The number of rows the statistics summarize: every row of small data,
        evenly spaced rows of large data (see Notes).

    Notes
    -----
    When ``X`` holds more than 2²⁰ numbers (8 MiB in float64), the
    statistics are those of every k-th row: ``max(2048, 2²⁰ // n_features)``
    rows at most (16,384 for 64 features), so that profiling costs the same
    time and memory whatever the size of the data instead of several passes
    over it (a full profile cost 40 % of a 1M × 64 fit and 60 % of a
    10k × 1024 one; the sample costs about 1 %). For drift scores the sample
    is plenty: with ``m`` rows its means are within about ``std/sqrt(m)`` of
    the full data's, 0.008 std for 16,384 rows and 0.02 std for 2048, against a
    :data:`~xlogreg.drift.DRIFT_THRESHOLD` of 0.25. ``min`` and ``max`` are
    then those of the sample, not bounds of every training row.

    Examples
    --------
    >>> import numpy as np
    >>> from xlogreg import LinearRegression
    >>> X = np.array([[0.0, 1.0], [2.0, 1.0], [4.0, 1.0]])
    >>> profile = LinearRegression().fit(X, X[:, 0]).training_profile_
    >>> profile.mean, profile.max, profile.count
    (array([2., 1.]), array([4., 1.]), 3)
    """

    mean: Any
    std: Any
    min: Any
    max: Any
    count: int
    rows: int


def tiled_profile(
    X: Any, *, xp: ModuleType, device: Any, moments: tuple[Any, Any] | None = None
) -> TrainingProfile:
    """Profile checked training data ``X`` in one read of it, a tile of rows at a time.

    Each tile's means and variances (:func:`~xlogreg._moments.mean_and_variance`,
    accumulated in float64 where the device has it) are merged into those of
    the tiles before it (:func:`~xlogreg._moments.merge_part`, the pairwise
    update of Chan, Golub and LeVeque). The means are as accurate as one sum
    over ``X``; the variances carry the tiles' mean errors through the squared
    difference of tile means, a relative error of at most about
    ``eps·|mean|/std`` on top of the few ``eps`` of any sum (measured 1e-10 in
    float64 at ``|mean|/std = 1e7``), immaterial to drift scores. Minima and
    maxima are exact. The tile sizes are those of
    :func:`~xlogreg._tiles.bounded_tiles`, so a tile read from memory is
    reused from cache on the host, temporaries stay at 1/16 of ``X`` on
    accelerators, and a memory map is read front to back and never copied
    whole.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
        Checked, finite data in its compute dtype.
    xp : module
        The namespace of ``X``.
    device : object
        The device of ``X``.
    moments : (mean, var) or None
        The unweighted means and population variances of ``X`` in its dtype,
        when already known (the scaler of an unweighted ``standardize=True``
        fit): only the minima and maxima are then computed.

    Returns
    -------
    TrainingProfile
        In ``X``'s dtype.

    Examples
    --------
    >>> import array_api_strict as xp
    >>> from xlogreg._profile import tiled_profile
    >>> X = xp.asarray([[1.0, -2.0], [3.0, -2.0]])
    >>> profile = tiled_profile(X, xp=xp, device=X.device)
    >>> profile.mean
    Array([ 1., -2.], dtype=array_api_strict.float64)
    >>> profile.std
    Array([1., 0.], dtype=array_api_strict.float64)
    """
    n_samples, n_features = X.shape
    accumulation = accumulation_dtype(xp, device)
    low = xp.full(n_features, float("inf"), dtype=X.dtype, device=device)
    high = xp.full(n_features, float("-inf"), dtype=X.dtype, device=device)
    mean = xp.zeros(n_features, dtype=accumulation, device=device)
    squares = xp.zeros(n_features, dtype=accumulation, device=device)
    seen = 0
    cache_rows = tile_rows(xp, device, n_features)
    if cache_rows is not None:
        # Tiles of 2¹⁶ numbers: their float64 temporaries stay in a core's cache and
        # add little to the fit's peak memory.
        cache_rows = max(1, min(cache_rows, 2**16 // n_features))
    for tile in bounded_tiles(n_samples, cache_rows, n_features):
        rows = X[tile, :]
        low = xp.minimum(low, column_reduce(xp.min, rows, xp=xp))
        high = xp.maximum(high, column_reduce(xp.max, rows, xp=xp))
        if moments is None:
            tile_mean, tile_var, _ = mean_and_variance(rows, None, xp=xp, device=device)
            # Variances that overflow are refused by the fit's check of the profile.
            with quiet_overflow(xp):
                mean, squares, seen = merge_part(
                    mean, squares, seen, tile_mean, tile_var, rows.shape[0]
                )
    if moments is None:
        var = squares / n_samples
    else:
        mean, var = moments
    return TrainingProfile(
        mean=xp.astype(mean, X.dtype, copy=False),
        std=xp.astype(xp.sqrt(var), X.dtype, copy=False),
        min=low,
        max=high,
        count=n_samples,
        rows=n_samples,
    )


def fit_profile(
    X: Any, moments: tuple[Any, Any] | None, *, xp: ModuleType, device: Any
) -> TrainingProfile:
    """The profile of a model's raw training data ``X`` (of evenly spaced rows of it beyond
    ``_PROFILE_ELEMENTS`` numbers).

    ``moments`` are the unweighted ``(mean, var)`` of every row of ``X`` in its dtype when
    the fit already has them (its ``standardize=True`` scaler, fitted without
    ``sample_weight``), else ``None``; they are reused when the profile covers every row.
    """
    n_samples, n_features = X.shape
    rows = max(_PROFILE_MIN_ROWS, _PROFILE_ELEMENTS // n_features)
    if n_samples > rows:
        # A contiguous copy: reductions over a strided view are several times slower.
        sample = xp.asarray(X[:: -(-n_samples // rows), :], copy=True)
        return tiled_profile(sample, xp=xp, device=device)._replace(count=n_samples)
    return tiled_profile(X, xp=xp, device=device, moments=moments)


def converted_profile(profile: TrainingProfile, convert: Callable[[Any], Any]) -> TrainingProfile:
    """The profile with ``convert`` applied to each of its arrays (to move it between devices)."""
    return profile._replace(
        **{field: convert(getattr(profile, field)) for field in ("mean", "std", "min", "max")}
    )
