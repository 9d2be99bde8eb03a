"""Column statistics accumulated in float64 where the device has it, and the constant-feature test.

Shared by :class:`~xlogreg.StandardScaler` and the training profile of
:mod:`xlogreg.drift`; below the estimators, so that numerics can use them
without importing an estimator.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from xlogreg._backend import has_float64


def _accumulation_dtype(xp: ModuleType, device: Any) -> Any:
    return xp.float64 if has_float64(xp, device) else xp.float32


def _mean_and_variance(
    X: Any, sample_weight: Any, *, xp: ModuleType, device: Any, variance: bool = True
) -> tuple[Any, Any, Any]:
    """Weighted column means and population variances, accumulated in float64 where possible.

    The variance is the corrected two-pass form of Chan, Golub and LeVeque,
    ``(Σ w·d² − (Σ w·d)² / W) / W`` with ``d = X − mean``: the correction term
    removes most of the round-off the mean carries, as in scikit-learn's
    ``_incremental_mean_and_var``.

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
    X = xp.astype(X, _accumulation_dtype(xp, device), copy=False)
    if sample_weight is None:
        total = xp.asarray(float(X.shape[0]), dtype=X.dtype, device=device)

        def column_sums(a: Any) -> Any:
            return xp.sum(a, axis=0)

    else:
        w = xp.astype(sample_weight, X.dtype, copy=False)
        total = xp.sum(w)

        def column_sums(a: Any) -> Any:
            return xp.matmul(w, a)

    mean = xp.divide(column_sums(X), total)
    if not variance:
        return mean, None, total
    centered = xp.subtract(X, mean)
    correction = column_sums(centered)
    squares = xp.subtract(
        column_sums(xp.multiply(centered, centered)),
        xp.divide(xp.multiply(correction, correction), total),
    )
    var = xp.clip(xp.divide(squares, total), min=0.0)
    return mean, var, total


def _is_constant_feature(var: Any, mean: Any, n_samples: float, *, xp: ModuleType) -> Any:
    """Features whose variance is within the round-off bound of the two-pass algorithm.

    scikit-learn 1.9's ``_is_constant_feature``: ``var <= n·eps·var +
    (n·mean·eps)²``, with ``eps`` of the accumulation dtype (float64 where the
    device has it) and ``n`` the sample count or weight sum.
    """
    eps = xp.finfo(var.dtype).eps
    return var <= n_samples * eps * var + (n_samples * eps * mean) ** 2
