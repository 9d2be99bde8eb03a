"""Training data in the row chunks of a Dask array: checked and summarized where it lives.

A fit on a Dask array reads its chunks on the workers that hold them. One pass
(:func:`chunked_training_data`) checks every chunk as the in-memory fit checks
``X``, ``y`` and ``sample_weight``, and sends back each chunk's row count,
weight sum, labels with their weight sums, and column moments; the client
merges these into the classes, the training profile (and a scaler's
statistics) and the weights of a :class:`~xlogreg.objectives.ChunkedObjective`.
The checked chunks stay on the workers for the solver. The linear models'
Dask fit and :class:`~xlogreg.StandardScaler` both start here.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

from xlogreg._backend import RowChunks, chunk_namespace, compute_dtype, resolve
from xlogreg._moments import column_reduce, mean_and_variance, merge_moments
from xlogreg._profile import TrainingProfile
from xlogreg._target_validation import (
    check_finite_labels,
    check_regression_target,
    check_sample_weight,
    check_vector,
    check_weight_total,
    sorted_labels,
)
from xlogreg._validation import check_features, check_matrix_shape

__all__ = ["ChunkedData", "chunked_training_data"]


class ChunkedData(NamedTuple):
    """Checked training chunks and what one pass over them found.

    Attributes
    ----------
    chunks : RowChunks
        Per chunk: ``X`` in its compute dtype, the target (labels as given
        for a classifier, in the compute dtype for a regression) and the
        sample weights.
    xp : module
        The namespace of the chunks (NumPy or CuPy); the solver's.
    dtype : dtype
        The compute dtype.
    n_features : int
    weight_sums : list of float
        Each chunk's sample-weight sum.
    labels : array or None
        A classifier's sorted class labels.
    label_weights : list of arrays or None
        Per chunk, its sample-weight sum per class of ``labels``.
    profile : TrainingProfile
        Of the raw ``X``, over every row.
    weighted_moments : (mean, var, total) or None
        With ``scaler_moments``, the columns' weighted means and variances in
        the accumulation dtype, and the weight sum: a scaler's statistics.
    """

    chunks: RowChunks
    xp: Any
    dtype: Any
    n_features: int
    weight_sums: list[float]
    labels: Any
    label_weights: list | None
    profile: TrainingProfile
    weighted_moments: tuple[Any, Any, float] | None


class _Summary(NamedTuple):
    """What one chunk sends back: small, ``O(n_features + n_labels)``."""

    rows: int
    weight_sum: float
    labels: Any
    label_weights: Any
    mean: Any
    var: Any
    weighted_mean: Any
    weighted_var: Any
    low: Any
    high: Any


def _checked_chunk(
    X: Any, y: Any, sample_weight: Any, scalar_weight: Any, target: str | None
) -> tuple[Any, Any, Any]:
    """One chunk of ``X``, target and weights, checked as a whole fit's would be."""
    xp, device = resolve(X=X)
    X = check_features(X, xp=xp, device=device)
    n_samples = X.shape[0]
    if target == "labels":
        y = check_vector(y, "y", xp=xp, device=device, n_samples=n_samples)
        check_finite_labels(y, xp=xp)
    elif target == "values":
        y = check_regression_target(y, xp=xp, device=device, n_samples=n_samples, dtype=X.dtype)
    weight = check_sample_weight(
        scalar_weight if sample_weight is None else sample_weight,
        xp=xp,
        device=device,
        n_samples=n_samples,
        dtype=X.dtype,
        positive_sum=False,
    )
    return X, y, weight


def _summary(X: Any, y: Any, sample_weight: Any, target: str | None, weighted: bool) -> _Summary:
    """The chunk's summary; ``weighted`` adds a pass for its weighted column moments
    (else they are the unweighted ones: all weights equal)."""
    xp, device = resolve(X=X)
    labels = label_weights = None
    if target == "labels":
        labels = sorted_labels(y, xp=xp)
        label_weights = sample_weight @ xp.astype(y[:, None] == labels[None, :], X.dtype)
    mean, var, _ = mean_and_variance(X, None, xp=xp, device=device)
    weight_sum = float(xp.sum(xp.astype(sample_weight, mean.dtype)))
    weighted_mean, weighted_var = mean, var
    if weighted and weight_sum > 0.0:
        weighted_mean, weighted_var, _ = mean_and_variance(X, sample_weight, xp=xp, device=device)
    return _Summary(
        rows=X.shape[0],
        weight_sum=weight_sum,
        labels=labels,
        label_weights=label_weights,
        mean=mean,
        var=var,
        weighted_mean=weighted_mean,
        weighted_var=weighted_var,
        low=column_reduce(xp.min, X, xp=xp),
        high=column_reduce(xp.max, X, xp=xp),
    )


def _merged_profile(summaries: list[_Summary], dtype: Any, *, xp: Any) -> TrainingProfile:
    """The chunks' means and variances merged (Chan, Golub and LeVeque), minima and maxima."""
    n_rows = sum(s.rows for s in summaries)
    mean, var = merge_moments(
        [s.mean for s in summaries], [s.var for s in summaries], [s.rows for s in summaries], xp=xp
    )
    return TrainingProfile(
        mean=xp.astype(mean, dtype),
        std=xp.astype(xp.sqrt(var), dtype),
        min=xp.min(xp.stack([s.low for s in summaries]), axis=0),
        max=xp.max(xp.stack([s.high for s in summaries]), axis=0),
        count=n_rows,
        rows=n_rows,
    )


def _merged_labels(summaries: list[_Summary], *, xp: Any) -> tuple[Any, list]:
    """The sorted union of the chunks' labels, and each chunk's weight per label of it."""
    labels = xp.unique_values(xp.concat([s.labels for s in summaries]))
    weights = [
        s.label_weights @ xp.astype(s.labels[:, None] == labels[None, :], s.label_weights.dtype)
        for s in summaries
    ]
    return labels, weights


def chunked_training_data(
    X: Any, y: Any, sample_weight: Any, *, target: str | None, scaler_moments: bool = False
) -> ChunkedData:
    """Check a Dask ``X`` with ``y`` and ``sample_weight``, and summarize it, in one pass.

    Shapes and dtypes are checked from the arrays' metadata before any work;
    values (finiteness, labels, weights) in the pass, which raises the
    in-memory fit's errors.

    Parameters
    ----------
    X : dask array of shape (n_samples, n_features)
        Training data, NumPy or CuPy chunks.
    y : dask or NumPy array of shape (n_samples,), or None
        Class labels, or regression targets (which may have shape
        (n_samples, n_targets)); cut into ``X``'s row chunks.
    sample_weight : dask or NumPy array of shape (n_samples,), float or None
        Non-negative weights; a number for all, ``None`` for ones.
    target : {"labels", "values", None}
        What ``y`` holds: class labels, regression targets, or nothing (``y``
        is then ignored).
    scaler_moments : bool
        Whether to find the weighted column moments a scaler needs (one more
        pass over each chunk when ``sample_weight`` is an array).

    Returns
    -------
    ChunkedData
    """
    check_matrix_shape(X)
    xp, device = chunk_namespace(X)
    dtype = compute_dtype(xp, device, X.dtype)
    n_samples = X.shape[0]
    if target is None:
        y = None
    elif target == "labels":
        check_vector(y, "y", xp=xp, device=device, n_samples=n_samples)
    elif getattr(y, "ndim", 1) not in (1, 2) or y.shape[0] != n_samples:
        check_regression_target(y, xp=xp, device=device, n_samples=n_samples, dtype=dtype)
    scalar_weight = None
    if sample_weight is not None and not hasattr(sample_weight, "shape"):
        scalar_weight, sample_weight = sample_weight, None
    if sample_weight is not None:
        check_vector(sample_weight, "sample_weight", xp=xp, device=device, n_samples=n_samples)
    chunks = RowChunks.of(X, y, sample_weight).map(_checked_chunk, scalar_weight, target, nout=3)
    weighted = scaler_moments and sample_weight is not None
    summaries = chunks.collect(_summary, target, weighted)
    weight_sums = [s.weight_sum for s in summaries]
    check_weight_total(sum(weight_sums))
    labels, label_weights = (None, None)
    if target == "labels":
        labels, label_weights = _merged_labels(summaries, xp=xp)
    weighted_moments = None
    if scaler_moments:
        weighted_mean, weighted_var = merge_moments(
            [s.weighted_mean for s in summaries],
            [s.weighted_var for s in summaries],
            weight_sums,
            xp=xp,
        )
        weighted_moments = (weighted_mean, weighted_var, math.fsum(weight_sums))
    return ChunkedData(
        chunks=chunks,
        xp=xp,
        dtype=dtype,
        n_features=X.shape[1],
        weight_sums=weight_sums,
        labels=labels,
        label_weights=label_weights,
        profile=_merged_profile(summaries, dtype, xp=xp),
        weighted_moments=weighted_moments,
    )
