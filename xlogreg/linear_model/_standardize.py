"""``standardize=True``: the linear models fit on standardized features and answer on raw ones.

A fit standardizes its training data with a :class:`~xlogreg.StandardScaler`
(:func:`standardize_for_fit` in memory, :func:`chunked_scaler` from a Dask
fit's chunk moments), solves on the standardized features, and stores
coefficients on the original ones (:func:`to_original_scale`); a warm start
goes the other way (:func:`to_standardized_scale`). The scaler's unweighted
moments also spare the training profile a pass over the data
(:func:`profile_moments`).
"""

from __future__ import annotations

from typing import Any

from xlogreg.preprocessing import StandardScaler

__all__ = [
    "chunked_scaler",
    "profile_moments",
    "standardize_for_fit",
    "to_original_scale",
    "to_standardized_scale",
]


def standardize_for_fit(X: Any, sample_weight: Any, *, center: bool) -> tuple[Any, StandardScaler]:
    """Fit a scaler on checked training data and return the data it standardizes.

    Estimators with ``standardize=True`` train on the returned copy; without
    an intercept the columns are only scaled, since centring them would need one.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
        Checked training data.
    sample_weight : array of shape (n_samples,) or None
        Checked weights.
    center : bool
        Whether to subtract the means (the model has an intercept).

    Returns
    -------
    X_standardized : array of shape (n_samples, n_features)
    scaler : StandardScaler
        Fitted on ``X``.

    Examples
    --------
    >>> import numpy as np
    >>> from xlogreg.linear_model._standardize import standardize_for_fit
    >>> Z, scaler = standardize_for_fit(np.array([[1.0], [3.0]]), None, center=True)
    >>> Z.ravel(), scaler.mean_
    (array([-1.,  1.]), array([2.]))
    """
    scaler = StandardScaler(with_mean=center).fit(X, sample_weight=sample_weight)
    return scaler.transform(X), scaler


def chunked_scaler(estimator: Any, data: Any, feature_names: Any) -> StandardScaler | None:
    """The scaler of a Dask fit with ``standardize=True`` (else ``None``), from the weighted
    moments of its chunks (:class:`~xlogreg._chunked_data.ChunkedData`): the
    statistics :func:`standardize_for_fit` computes in memory."""
    if not estimator.standardize:
        return None
    scaler = StandardScaler(with_mean=estimator.fit_intercept)
    return scaler._fitted_from(data.weighted_moments, data.dtype, feature_names, xp=data.xp)


def profile_moments(scaler: StandardScaler | None, *, weighted: bool) -> tuple[Any, Any] | None:
    """The unweighted ``(mean_, var_)`` of a fit's scaler, which the training profile reuses
    (:func:`~xlogreg._profile.fit_profile`); ``None`` without a scaler, or when
    ``sample_weight`` weighted its statistics (the profile is unweighted)."""
    if scaler is None or weighted:
        return None
    return scaler.mean_, scaler.var_


def to_original_scale(coef: Any, intercept: Any, scaler: StandardScaler) -> tuple[Any, Any]:
    """Coefficients on standardized features, re-expressed on the original features.

    ``coef·(x − mean)/scale + b = (coef/scale)·x + (b − (coef/scale)·mean)``.
    ``coef`` has one row per output (or is 1-D) and ``intercept`` one entry per row.

    Examples
    --------
    >>> import numpy as np
    >>> from xlogreg import StandardScaler
    >>> from xlogreg.linear_model._standardize import to_original_scale, to_standardized_scale
    >>> scaler = StandardScaler().fit(np.array([[1.0], [3.0]]))  # mean 2, scale 1
    >>> to_original_scale(np.array([2.0]), 0.5, scaler)
    (array([2.]), np.float64(-3.5))
    >>> to_standardized_scale(np.array([2.0]), -3.5, scaler)
    (array([2.]), np.float64(0.5))
    """
    coef = coef / scaler.scale_
    if scaler.with_mean:
        intercept = intercept - coef @ scaler.mean_
    return coef, intercept


def to_standardized_scale(coef: Any, intercept: Any, scaler: StandardScaler) -> tuple[Any, Any]:
    """The inverse of :func:`to_original_scale`, for warm starts."""
    if scaler.with_mean:
        intercept = intercept + coef @ scaler.mean_
    return coef * scaler.scale_, intercept
