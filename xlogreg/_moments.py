"""Column statistics accumulated in float64 where the device has it, and the constant-feature test.

Shared by :class:`~xlogreg.StandardScaler`, the training profile
(:mod:`xlogreg._profile`) and the Dask fit's one pass over the chunks; below
the estimators, so that numerics can use them without importing an
estimator. Chan, Golub and LeVeque's merge of the moments of parts is written
once, in :func:`merge_part`.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from xlogreg._backend import accumulation_dtype, host_bool, host_floats

# Numbers per row that column_reduce folds a narrow array into: NumPy reduces
# over rows of fewer numbers 3-13x slower per number.
_FOLDED_WIDTH = 512


def column_reduce(reduce: Any, X: Any, *, xp: ModuleType) -> Any:
    """``reduce(X, axis=0)`` for ``reduce`` in ``xp.sum``, ``xp.min`` or ``xp.max``, fast on
    narrow ``X``.

    An array of few columns is first viewed as ``k`` times wider rows (``k``
    consecutive rows side by side), reduced over those rows, then over the
    ``k`` copies of each column. The result is the same reduction, in another
    order of the sums; the rows that do not fill a folded row are reduced apart.

    Examples
    --------
    >>> import array_api_strict as xp
    >>> from xlogreg._moments import column_reduce
    >>> X = xp.reshape(xp.arange(10.0), (5, 2))
    >>> column_reduce(xp.max, X, xp=xp)
    Array([8., 9.], dtype=array_api_strict.float64)
    >>> column_reduce(xp.sum, X, xp=xp)
    Array([20., 25.], dtype=array_api_strict.float64)
    """
    n_samples, n_features = X.shape
    fold = min(_FOLDED_WIDTH // n_features, n_samples)
    if fold <= 1:
        return reduce(X, axis=0)
    folded_rows = (n_samples // fold) * fold
    wide = xp.reshape(X[:folded_rows, :], (folded_rows // fold, fold * n_features))
    total = reduce(xp.reshape(reduce(wide, axis=0), (fold, n_features)), axis=0)
    if folded_rows == n_samples:
        return total
    rest = reduce(X[folded_rows:, :], axis=0)
    return reduce(xp.stack([total, rest]), axis=0)


def mean_and_variance(
    X: Any, sample_weight: Any, *, xp: ModuleType, device: Any, variance: bool = True
) -> tuple[Any, Any, Any]:
    """Weighted column means and population variances, accumulated in float64 where possible.

    The variance is the corrected two-pass form of Chan, Golub and LeVeque,
    ``(Σ w·d² − (Σ w·d)² / W) / W`` with ``d = X − mean``: the correction term
    removes most of the round-off the mean carries, as in scikit-learn's
    ``_incremental_mean_and_var``. Accumulated in float32 (on devices
    without float64), the mean is then refined once by the residual mean
    ``Σ w·d / W``: a float32 sum's round-off can exceed the spread of a nearly
    constant column. In float64 the mean stays scikit-learn's.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
        Finite data in a floating dtype.
    sample_weight : array of shape (n_samples,) or None
        Checked non-negative weights with a positive sum; ``None`` for ones.
    xp : module
        The namespace of ``X``.
    device : object
        The device of ``X``.
    variance : bool
        Whether to compute the variance (``None`` is returned otherwise).

    Returns
    -------
    mean, var : arrays of shape (n_features,)
        In the accumulation dtype (float64, or float32 on devices without it),
        so that callers can judge them at that precision before casting;
        ``var`` is clipped at zero against round-off.
    total : array of shape ()
        The weight sum, or the number of rows when ``sample_weight`` is None.
    """
    X = xp.astype(X, accumulation_dtype(xp, device), copy=False)
    if sample_weight is None:
        total = xp.asarray(float(X.shape[0]), dtype=X.dtype, device=device)

        def column_sums(a: Any) -> Any:
            return column_reduce(xp.sum, a, xp=xp)

    else:
        w = xp.astype(sample_weight, X.dtype, copy=False)
        total = xp.sum(w)

        def column_sums(a: Any) -> Any:
            return xp.matmul(w, a)

    mean = xp.divide(column_sums(X), total)
    refine = X.dtype == xp.float32
    if not (variance or refine):
        return mean, None, total
    centered = xp.subtract(X, mean)
    correction = column_sums(centered)
    var = None
    if variance:
        squares = xp.subtract(
            column_sums(xp.multiply(centered, centered)),
            xp.divide(xp.multiply(correction, correction), total),
        )
        var = xp.clip(xp.divide(squares, total), min=0.0)
    if refine:
        mean = xp.add(mean, xp.divide(correction, total))
    return mean, var, total


def check_finite_moments(
    mean: Any, var: Any, *, xp: ModuleType, feature_names: tuple[str, ...] | None = None
) -> None:
    """Check that no column's mean or variance overflowed, before they are used or stored.

    Finite data can have statistics that are not: values of ±1e200 have a
    variance of 1e400, beyond float64 (the squares overflow; the mean of
    values near the largest float overflows too). Costs one check of the
    ``n_features`` statistics and one scalar read; the column is looked up
    only on failure.

    Parameters
    ----------
    mean, var : arrays of shape (n_features,)
        Column statistics; ``var`` may be ``None``.
    xp : module
        Their namespace.
    feature_names : tuple of str, optional
        The columns' names, for the message.

    Raises
    ------
    ValueError
        Naming ``X``, the first column whose statistics overflowed and the
        dtype, with a way out.

    Examples
    --------
    >>> import array_api_strict as xp
    >>> from xlogreg._moments import check_finite_moments
    >>> check_finite_moments(
    ...     xp.asarray([0.0, 1.0]), xp.asarray([1.0, xp.inf]), xp=xp
    ... )  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: X's values are too large: the variance of column 1 overflows float64 (its ...
    """
    finite = xp.isfinite(mean)
    if var is not None:
        finite = xp.logical_and(finite, xp.isfinite(var))
    if host_bool(xp.all(finite)):
        return
    (column,) = host_floats(xp, xp.astype(xp.argmin(xp.astype(finite, mean.dtype)), mean.dtype))
    column = int(column)
    named = (
        f" ({feature_names[column]!r})"
        if feature_names and feature_names[column] != f"x{column}"
        else ""
    )
    statistic = "mean" if not host_bool(xp.isfinite(mean[column])) else "variance"
    dtype = str(mean.dtype).rsplit(".", 1)[-1]
    cause = "the sum of its values exceeds" if statistic == "mean" else "its squares exceed"
    raise ValueError(
        f"X's values are too large: the {statistic} of column {column}{named} overflows "
        f"{dtype} ({cause} the largest {dtype}); divide X by a power of ten"
    )


def merge_part(
    mean: Any, squares: Any, total: float, part_mean: Any, part_var: Any, part_total: float
) -> tuple[Any, Any, float]:
    """Chan, Golub and LeVeque's pairwise update: the moments of the rows so far, merged with
    those of one more part.

    With ``δ = part_mean − mean`` and ``T = total + part_total``, the mean moves by
    ``δ·part_total/T`` and the sum of squared deviations grows by
    ``part_var·part_total + δ²·total·part_total/T``. The moments so far may be
    zeros with ``total = 0``; ``part_total`` must be positive.

    Parameters
    ----------
    mean : array of shape (n_features,)
        The mean of the rows so far.
    squares : array of shape (n_features,)
        Their sum of (weighted) squared deviations from ``mean``: the
        population variance times ``total``.
    total : float
        Their number, or weight sum.
    part_mean, part_var : arrays of shape (n_features,)
        The mean and population variance of the new part.
    part_total : float
        Its number of rows, or weight sum.

    Returns
    -------
    mean, squares : arrays of shape (n_features,)
    total : float
        Of the union.
    """
    delta = part_mean - mean
    merged = total + part_total
    mean = mean + delta * (part_total / merged)
    squares = squares + part_var * part_total + delta * delta * (total * part_total / merged)
    return mean, squares, merged


def merge_moments(means: list, variances: list, totals: list[float], *, xp: ModuleType) -> tuple:
    """The mean and variance of the union of parts, from each part's (Chan, Golub and LeVeque).

    The parts are merged one after another by :func:`merge_part`, which the
    training profile applies to its tiles as it reads them; parts without
    weight (a total ``t`` of zero: their mean is undefined) are left out.

    Examples
    --------
    >>> import array_api_strict as xp
    >>> from xlogreg._moments import merge_moments
    >>> mean, var = merge_moments(
    ...     [xp.asarray([1.0]), xp.asarray([4.0])], [xp.asarray([1.0]), xp.asarray([0.0])],
    ...     [2.0, 1.0], xp=xp)
    >>> mean  # of (0, 2, 4)
    Array([2.], dtype=array_api_strict.float64)
    >>> var
    Array([2.66666667], dtype=array_api_strict.float64)
    """
    mean = squares = xp.zeros_like(means[0])
    seen = 0.0
    for part_mean, part_var, part_total in zip(means, variances, totals, strict=True):
        if part_total > 0.0:
            mean, squares, seen = merge_part(
                mean, squares, seen, part_mean, part_var, float(part_total)
            )
    return mean, squares / seen


def is_constant_feature(var: Any, mean: Any, n_samples: float, *, xp: ModuleType) -> Any:
    """Features whose variance is within the round-off bound of the two-pass algorithm.

    scikit-learn 1.9's ``_is_constant_feature``: ``var <= n·eps·var +
    (n·mean·eps)²``, with ``eps`` of the accumulation dtype (float64 where the
    device has it) and ``n`` the sample count or weight sum.
    """
    eps = xp.finfo(var.dtype).eps
    return var <= n_samples * eps * var + (n_samples * eps * mean) ** 2
