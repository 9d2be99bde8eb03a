"""Covariate drift: the training data's profile, and how far new data's means moved from it.

At fit time every linear model stores a :class:`TrainingProfile` of its raw
training features (``model.training_profile_``); ``model.drift(X_new)``
returns a :class:`DriftReport` comparing a batch of new rows with it: per
feature the standardized mean shift ``z = (μ_new − μ_train) / σ_train`` and a
flag ``|z| > threshold`` (:data:`DRIFT_THRESHOLD` by default), and overall the
largest ``|z|``, so the batch is flagged as soon as one feature is. Everything
is computed in the model's library and on its device.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING, Any, NamedTuple

from xlogreg._backend import accumulation_dtype, quiet_overflow, tile_rows, to_numpy
from xlogreg._moments import (
    column_reduce,
    is_constant_feature,
    mean_and_variance,
)
from xlogreg._tiles import bounded_tiles

if TYPE_CHECKING:
    from xlogreg.preprocessing import StandardScaler

__all__ = ["DRIFT_THRESHOLD", "DriftReport", "TrainingProfile"]

# A training profile summarizes at most this many numbers of X (8 MiB in float64), and at least
# this many rows (see TrainingProfile's Notes).
_PROFILE_ELEMENTS = 2**20
_PROFILE_MIN_ROWS = 2048

DRIFT_THRESHOLD = 0.25
"""Default drift threshold on each feature's ``|z_shift|``: a quarter of a
training standard deviation.

A shift of a quarter of a standard deviation is about what Cohen calls a
small effect (0.2): smaller moves of one feature's mean rarely change a
linear model's predictions much. The threshold applies to every feature on
its own and the batch is flagged when any feature is (``score`` is the
largest ``|z_shift|``): seed 004's ``mean(|z_shift|)`` let a single drifted
feature hide behind the others, a one-standard-deviation shift of one of 8
features scoring 1/8 = 0.125.

Without drift, the mean of ``m`` new rows scatters around the training mean
with a standard deviation of ``σ_train·sqrt(1/m + 1/n_train)``, about
``1/sqrt(m)`` in units of ``z``. One feature then exceeds 0.25 with
probability ``2·Φ(−0.25·sqrt(m))``: 1.2 % for a batch of 100 rows (a 2.5σ
event), 0.04 % for 200, 8e-5 for 250. A batch of ``d`` features is flagged
about ``d`` times as often: with 100 rows, 9.5 % of batches of 8 features
from the training distribution would be; with 250 rows, 0.06 % of them, and
0.5 % with 64 features. For a false-alarm rate ``α`` the batch needs
``m ≥ (z_{α/(2d)} / threshold)²`` rows: 170 for 8 features and 230 for 64 at
``α = 1 %``. Smaller batches need a higher threshold, ``c/sqrt(m)`` with
``c = z_{α/(2d)}`` (3.2 for 8 features, 3.8 for 64 at 1 %).
"""


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
    :data:`DRIFT_THRESHOLD` of 0.25. ``min`` and ``max`` are then those of
    the sample, not bounds of every training row.
    """

    mean: Any
    std: Any
    min: Any
    max: Any
    count: int
    rows: int


class DriftReport(NamedTuple):
    """What ``model.drift(X_new)`` returns: how far each feature's mean moved, and which moved
    too far.

    Attributes
    ----------
    z_shift : array of shape (n_features,)
        ``(mean(X_new) − training mean) / training std``, per feature, in the
        library, device and compute dtype of ``X_new``. A feature constant in
        training (by the round-off bound of
        :class:`~xlogreg.StandardScaler`) is divided by 1, as the scaler
        does, so any move of it shows in its own units and stays finite.
    score : 0-d array
        ``max(|z_shift|)``: the largest shift of any feature, so that no
        feature's drift is averaged away by the others.
    drifted : 0-d bool array
        ``score > threshold``: whether any feature drifted.
    threshold : float
        The threshold every feature's ``|z_shift|`` was compared with.
    feature_names : tuple of str
        The model's ``feature_names_in_``, naming the entries of ``z_shift``.
    feature_drifted : bool array of shape (n_features,)
        ``|z_shift| > threshold``, per feature, beside ``z_shift``.
    """

    z_shift: Any
    score: Any
    drifted: Any
    threshold: float
    feature_names: tuple[str, ...]
    feature_drifted: Any

    def drifted_features(self) -> tuple[str, ...]:
        """The names of the features flagged in ``feature_drifted``, in the model's order.

        Reads the flags back to the host (one small transfer).

        Examples
        --------
        >>> import numpy as np
        >>> from xlogreg import LinearRegression
        >>> X = np.random.default_rng(0).standard_normal((500, 3))
        >>> model = LinearRegression().fit(X, X[:, 0], feature_names=["a", "b", "c"])
        >>> model.drift(X + [0.0, 1.0, 0.0]).drifted_features()
        ('b',)
        """
        flags = to_numpy(self.feature_drifted).tolist()
        return tuple(name for name, flag in zip(self.feature_names, flags, strict=True) if flag)


def _training_profile(
    X: Any, *, xp: ModuleType, device: Any, moments: tuple[Any, Any] | None = None
) -> TrainingProfile:
    """Profile checked training data ``X`` in one read of it, a block of rows at a time.

    Each block's means and variances (:func:`~xlogreg._moments.mean_and_variance`,
    accumulated in float64 where the device has it) are merged with the
    pairwise update of Chan, Golub and LeVeque. The means are as accurate as
    one sum over ``X``; the variances carry the blocks' mean errors through
    the squared difference of block means, a relative error of at most about
    ``eps·|mean|/std`` on top of the few ``eps`` of any sum (measured 1e-10
    in float64 at ``|mean|/std = 1e7``), immaterial to drift scores. Minima
    and maxima are exact. The block sizes are those of
    :func:`~xlogreg._tiles.bounded_tiles`, so a block read from
    memory is reused from cache on the host, temporaries stay at 1/16 of
    ``X`` on accelerators, and a memory map is read front to back and never
    copied whole.

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
        # Blocks of 2¹⁶ numbers: their float64 temporaries stay in a core's cache and
        # add little to the fit's peak memory.
        cache_rows = max(1, min(cache_rows, 2**16 // n_features))
    for block in bounded_tiles(n_samples, cache_rows, n_features):
        rows = X[block, :]
        low = xp.minimum(low, column_reduce(xp.min, rows, xp=xp))
        high = xp.maximum(high, column_reduce(xp.max, rows, xp=xp))
        if moments is None:
            n = rows.shape[0]
            block_mean, block_var, _ = mean_and_variance(rows, None, xp=xp, device=device)
            delta = block_mean - mean
            total = seen + n
            mean = mean + delta * (n / total)
            # Variances that overflow are refused by the fit's check of the profile.
            with quiet_overflow(xp):
                squares = squares + block_var * n + delta * delta * (seen * n / total)
            seen = total
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
    X: Any, scaler: StandardScaler | None, *, weighted: bool, xp: ModuleType, device: Any
) -> TrainingProfile:
    """The profile of a model's raw training data (of evenly spaced rows of it beyond
    ``_PROFILE_ELEMENTS`` numbers), reusing the means and variances of its ``standardize=True``
    scaler when that was fitted on the same rows without ``sample_weight``."""
    n_samples, n_features = X.shape
    rows = max(_PROFILE_MIN_ROWS, _PROFILE_ELEMENTS // n_features)
    if n_samples > rows:
        # A contiguous copy: reductions over a strided view are several times slower.
        sample = xp.asarray(X[:: -(-n_samples // rows), :], copy=True)
        return _training_profile(sample, xp=xp, device=device)._replace(count=n_samples)
    moments = None if scaler is None or weighted else (scaler.mean_, scaler.var_)
    return _training_profile(X, xp=xp, device=device, moments=moments)


def converted_profile(profile: TrainingProfile, convert: Callable[[Any], Any]) -> TrainingProfile:
    """The profile with ``convert`` applied to each of its arrays (to move it between devices)."""
    return profile._replace(
        **{field: convert(getattr(profile, field)) for field in ("mean", "std", "min", "max")}
    )


def drift_report(
    X: Any,
    profile: TrainingProfile,
    *,
    threshold: float,
    feature_names: tuple[str, ...],
    xp: ModuleType,
    device: Any,
) -> DriftReport:
    """Compare checked new data ``X`` with a training profile in the same library and device.

    Each feature is flagged on its own (``|z_shift| > threshold``) and the score is the
    largest ``|z_shift|``, so the batch is flagged exactly when a feature is. The means
    and the shift are computed in the accumulation dtype (float64 where the device has
    it), then returned in ``X``'s compute dtype.
    """
    accumulation = accumulation_dtype(xp, device)
    new_mean = xp.sum(X, axis=0, dtype=accumulation) / X.shape[0]
    mean = xp.astype(profile.mean, accumulation)
    std = xp.astype(profile.std, accumulation)
    constant = is_constant_feature(std * std, mean, profile.rows, xp=xp)
    scale = xp.where(constant, xp.ones_like(std), std)
    z_shift = xp.astype((new_mean - mean) / scale, X.dtype)
    size = xp.abs(z_shift)
    score = xp.max(size)
    return DriftReport(
        z_shift=z_shift,
        score=score,
        drifted=score > threshold,
        threshold=threshold,
        feature_names=feature_names,
        feature_drifted=size > threshold,
    )
