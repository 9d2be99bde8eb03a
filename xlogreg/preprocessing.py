"""Feature standardization: remove each column's (weighted) mean and divide by its spread."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from xlogreg._backend import accumulation_dtype, host_floats, is_chunked, quiet_overflow, resolve
from xlogreg._chunked_data import chunked_training_data
from xlogreg._fitted import check_fitted_array, check_fitted_width
from xlogreg._moments import (
    check_finite_moments,
    is_constant_feature,
    mean_and_variance,
)
from xlogreg._target_validation import check_sample_weight
from xlogreg._validation import (
    check_bool,
    check_feature_names,
    check_features,
    check_matrix_shape,
    check_number,
)
from xlogreg.base import BaseEstimator, row_chunkwise

__all__ = ["StandardScaler"]


class StandardScaler(BaseEstimator):
    """Standardize features to zero mean and unit variance, on any array-API library.

    ``transform`` computes ``(X - mean_) / scale_`` column by column, with the
    (weighted) mean and population standard deviation of the training data.
    The statistics are accumulated in float64 where the device has it and
    stored in the compute dtype of ``X`` (float32 stays float32; integers and
    booleans become float64, or float32 on devices without float64); every
    output stays in the library and on the device of its input. Attributes
    and outputs match ``sklearn.preprocessing.StandardScaler`` in value
    (scikit-learn keeps float64 statistics for float32 input; they are
    stored in float32 here, and its transform rounds them to float32 too).
    As in scikit-learn, :meth:`transform` centres and scales according to
    the current ``with_mean`` and ``with_std``.

    Parameters
    ----------
    copy : bool, default=True
        Kept for scikit-learn compatibility. Inputs are never modified in
        place; ``copy`` only matters when the transform is the identity
        (``with_mean=False`` and ``with_std=False``): then ``True`` returns a
        new array and ``False`` may return ``X`` itself.
    with_mean : bool, default=True
        Subtract the mean of each feature.
    with_std : bool, default=True
        Divide each feature by its standard deviation.

    Attributes
    ----------
    mean_ : array of shape (n_features,) or None
        Weighted mean of each feature. As in scikit-learn it is computed
        whenever ``with_mean`` or ``with_std`` is true (the variance needs
        it), and ``None`` only when both are false.
    var_ : array of shape (n_features,) or None
        Weighted population variance (``ddof=0``) of each feature; ``None``
        when ``with_std=False``.
    scale_ : array of shape (n_features,) or None
        ``sqrt(var_)``, except ``1`` for features indistinguishable from a
        constant (see Notes); ``None`` when ``with_std=False``.
    n_samples_seen_ : int or float
        The number of rows, or the sum of ``sample_weight`` (a float) when
        weights were given.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : tuple of str
        The names of the features: ``fit``'s ``feature_names``, else the
        columns of a pandas or polars DataFrame ``X``, else ``("x0", "x1", …)``.

    Notes
    -----
    A feature counts as constant, and gets ``scale_ = 1`` so that it is only
    centred, when ``var_ <= n·eps·var_ + (n·eps·mean_)²`` with ``n`` the
    ``n_samples_seen_`` and ``eps`` the machine epsilon of the accumulation
    dtype: the error bound of the two-pass variance of Chan, Golub and
    LeVeque, as in scikit-learn's ``_is_constant_feature``. Variances that a
    constant column picks up from round-off thus give ``scale_ = 1`` too.

    Unlike scikit-learn, ``X`` must not contain NaN (it raises instead of
    ignoring missing values), and there is no ``partial_fit`` or sparse input.

    Examples
    --------
    >>> import numpy as np
    >>> from xlogreg.preprocessing import StandardScaler
    >>> X = np.array([[0.0, 10.0], [0.0, 10.0], [1.0, 10.0], [1.0, 10.0]])
    >>> scaler = StandardScaler().fit(X)
    >>> scaler.mean_, scaler.scale_
    (array([ 0.5, 10. ]), array([0.5, 1. ]))
    >>> scaler.transform(X)
    array([[-1.,  0.],
           [-1.,  0.],
           [ 1.,  0.],
           [ 1.,  0.]])
    >>> scaler.inverse_transform(np.array([[3.0, 1.0]]))
    array([[ 2., 11.]])

    Weights count samples, and results stay in the input's library:

    >>> import array_api_strict as xp
    >>> Xs = xp.asarray([[1.0], [2.0], [4.0]])
    >>> scaler = StandardScaler().fit(Xs, sample_weight=xp.asarray([2.0, 1.0, 1.0]))
    >>> scaler.mean_, scaler.n_samples_seen_
    (Array([2.], dtype=array_api_strict.float64), 4.0)
    >>> scaler.transform(Xs)
    Array([[-0.81649658],
           [ 0.        ],
           [ 1.63299316]], dtype=array_api_strict.float64)
    """

    _fitted_attributes = (
        "mean_",
        "var_",
        "scale_",
        "n_samples_seen_",
        "n_features_in_",
        "feature_names_in_",
    )

    def __init__(self, *, copy: bool = True, with_mean: bool = True, with_std: bool = True) -> None:
        self.copy = copy
        self.with_mean = with_mean
        self.with_std = with_std

    def fit(
        self, X: Any, y: Any = None, sample_weight: Any = None, *, feature_names: Any = None
    ) -> StandardScaler:
        """Compute the mean and standard deviation of each feature.

        Parameters
        ----------
        X : array of shape (n_samples, n_features), or a DataFrame
            Training data; any supported array library and device. A pandas
            or polars DataFrame is converted to NumPy, its string columns
            naming the features.
        y : None
            Ignored; accepted for pipelines.
        sample_weight : array of shape (n_samples,) or float, optional
            Non-negative weights; default all ones.
        feature_names : sequence of str, optional
            Unique names of the features (``feature_names_in_``); by default
            the DataFrame's string columns, else ``("x0", "x1", …)``.

        Returns
        -------
        StandardScaler
            The fitted scaler.

        Raises
        ------
        TypeError
            Non-bool hyper-parameters, non-numeric ``X`` or ``sample_weight``,
            inputs from different array libraries, or feature names that are
            not strings.
        ValueError
            ``X`` not 2-D, empty or not finite, values so large that a
            column's mean or variance overflows (±1e200 in float64: the
            variance is 1e400), invalid ``sample_weight``, or feature names
            that repeat, are too few or too many, or differ from the
            DataFrame's columns. A failed fit leaves an earlier fitted state
            untouched.
        """
        self._fit(X, sample_weight, feature_names)
        return self

    def fit_transform(
        self, X: Any, y: Any = None, sample_weight: Any = None, *, feature_names: Any = None
    ) -> Any:
        """Fit on ``X`` and return it standardized; see :meth:`fit` and :meth:`transform`.

        Parameters
        ----------
        X : array of shape (n_samples, n_features), or a DataFrame
            Training data.
        y : None
            Ignored; accepted for pipelines.
        sample_weight : array of shape (n_samples,) or float, optional
            Non-negative weights; default all ones.
        feature_names : sequence of str, optional
            Names of the features, as for :meth:`fit`.

        Returns
        -------
        array of shape (n_samples, n_features)
            ``X`` standardized, in its library, device and compute dtype.
        """
        X, xp = self._fit(X, sample_weight, feature_names)
        if xp is None:  # a Dask array: standardized lazily, chunk by chunk
            return self.transform(X)
        return self._standardize(X, xp=xp)

    def get_feature_names_out(self, input_features: Any = None) -> tuple[str, ...]:
        """The names of the transformed features: those of the input, unchanged.

        Parameters
        ----------
        input_features : sequence of str, optional
            Checked against ``feature_names_in_`` when given, as in
            scikit-learn.

        Returns
        -------
        tuple of str
            ``feature_names_in_`` (scikit-learn returns an object array).

        Raises
        ------
        NotFittedError
            If the scaler is not fitted.
        ValueError
            If ``input_features`` differ from ``feature_names_in_``.

        Examples
        --------
        >>> import numpy as np
        >>> from xlogreg import StandardScaler
        >>> scaler = StandardScaler().fit(np.eye(2), feature_names=["area", "perimeter"])
        >>> scaler.get_feature_names_out()
        ('area', 'perimeter')
        """
        self._check_is_fitted()
        if input_features is not None and tuple(input_features) != self.feature_names_in_:
            raise ValueError(
                f"input_features {list(input_features)} differ from feature_names_in_ "
                f"{list(self.feature_names_in_)}"
            )
        return self.feature_names_in_

    @row_chunkwise
    def transform(self, X: Any) -> Any:
        """Standardize ``X`` with the fitted statistics: ``(X - mean_) / scale_``.

        Parameters
        ----------
        X : array of shape (n_samples, n_features)
            Data of the width seen in ``fit``, in the same library and on the
            same device.

        Returns
        -------
        array of shape (n_samples, n_features)
            In the library, device and compute dtype of ``X``.

        Raises
        ------
        NotFittedError
            If the scaler is not fitted.
        TypeError, ValueError
            If ``X`` is invalid, has another width, or lives in another
            library or on another device than the fitted statistics.
        """
        X, xp = self._check_transform_input(X)
        return self._standardize(X, xp=xp)

    @row_chunkwise
    def inverse_transform(self, X: Any) -> Any:
        """Undo :meth:`transform`: ``X * scale_ + mean_``.

        Parameters
        ----------
        X : array of shape (n_samples, n_features)
            Standardized data of the width seen in ``fit``.

        Returns
        -------
        array of shape (n_samples, n_features)
            In the library, device and compute dtype of ``X``.

        Raises
        ------
        NotFittedError
            If the scaler is not fitted.
        TypeError, ValueError
            As for :meth:`transform`.
        """
        X, xp = self._check_transform_input(X)
        out = X
        if self.with_std:
            out = xp.multiply(out, xp.astype(self.scale_, X.dtype, copy=False))
        if self.with_mean:
            out = xp.add(out, xp.astype(self.mean_, X.dtype, copy=False))
        return self._copied(out, X, xp=xp)

    def _validate_params(self) -> None:
        check_bool(self.copy, "copy")
        check_bool(self.with_mean, "with_mean")
        check_bool(self.with_std, "with_std")

    def _check_fitted_state(self) -> None:
        """See :meth:`BaseEstimator._check_fitted_state`: the statistics ``fit`` stores for
        these flags, finite, of one entry per feature, ``var_ >= 0`` and ``scale_ > 0``."""
        width = check_fitted_width(self)
        stored = {"mean_": self.with_mean or self.with_std, "var_": self.with_std}
        stored["scale_"] = self.with_std
        for name, expected in stored.items():
            value = getattr(self, name)
            if expected or value is not None:
                low_open = name == "scale_"
                low = None if name == "mean_" else 0.0
                check_fitted_array(value, name, shape=(width,), low=low, low_open=low_open)
        check_number(self.n_samples_seen_, "n_samples_seen_", low=0.0, finite=True)

    def _fit(self, X: Any, sample_weight: Any, feature_names: Any) -> tuple[Any, ModuleType]:
        """Validate, compute and store the statistics; return ``X`` checked and its namespace."""
        self._validate_params()
        if is_chunked(X):
            self._fit_chunked(X, sample_weight, feature_names)
            return X, None
        X, feature_names = self._fit_input(X, feature_names, sample_weight=sample_weight)
        xp, device = resolve(X=X, sample_weight=sample_weight)
        X = check_features(X, xp=xp, device=device)
        n_samples = X.shape[0]
        weighted = sample_weight is not None
        if weighted:
            sample_weight = check_sample_weight(
                sample_weight, xp=xp, device=device, n_samples=n_samples, dtype=X.dtype
            )
        mean = var = None
        if self.with_mean or self.with_std:
            # Statistics that overflow are refused by name (check_finite_moments), not warned.
            with quiet_overflow(xp):
                mean, var, total = mean_and_variance(
                    X, sample_weight, xp=xp, device=device, variance=self.with_std
                )
        elif weighted:
            total = xp.sum(xp.astype(sample_weight, accumulation_dtype(xp, device)))
        n_samples_seen = host_floats(xp, total)[0] if weighted else n_samples
        self._set_moments(mean, var, n_samples_seen, X.dtype, feature_names, xp=xp)
        return X, xp

    def _fit_chunked(self, X: Any, sample_weight: Any, feature_names: Any) -> None:
        """Fit on a Dask array: each chunk's moments where it lives, merged on the client."""
        check_matrix_shape(X)
        feature_names = check_feature_names(feature_names, n_features=X.shape[1])
        data = chunked_training_data(X, None, sample_weight, target=None, scaler_moments=True)
        mean, var, total = data.weighted_moments
        n_samples_seen = total if sample_weight is not None else X.shape[0]
        self._set_moments(mean, var, n_samples_seen, data.dtype, feature_names, xp=data.xp)

    def _fitted_from(
        self, moments: tuple[Any, Any, float], dtype: Any, feature_names: Any, *, xp: ModuleType
    ) -> StandardScaler:
        """This scaler fitted from weighted ``(mean, var, total)`` found elsewhere (the chunks
        of a Dask fit with ``standardize=True``)."""
        mean, var, total = moments
        self._set_moments(mean, var, total, dtype, feature_names, xp=xp)
        return self

    def _set_moments(
        self,
        mean: Any,
        var: Any,
        n_samples_seen: float,
        dtype: Any,
        feature_names: tuple[str, ...],
        *,
        xp: ModuleType,
    ) -> None:
        """Store the statistics from the columns' means and variances (in the accumulation
        dtype; ``None`` where not needed) and the sample count or weight sum."""
        mean = mean if self.with_mean or self.with_std else None
        var = var if self.with_std else None
        # Checked as stored: a float32 column of ±1e20 has a variance of 1e40 in float64,
        # which float32 cannot hold.
        with quiet_overflow(xp):
            stored_mean = None if mean is None else xp.astype(mean, dtype, copy=False)
            stored_var = None if var is None else xp.astype(var, dtype, copy=False)
        if mean is not None:
            check_finite_moments(stored_mean, stored_var, xp=xp, feature_names=feature_names)
        scale = None
        if self.with_std:
            constant = is_constant_feature(var, mean, n_samples_seen, xp=xp)
            scale = xp.sqrt(xp.where(constant, xp.ones_like(var), var))
        self._set_fitted(
            mean_=stored_mean,
            var_=stored_var,
            scale_=None if scale is None else xp.astype(scale, dtype, copy=False),
            n_samples_seen_=n_samples_seen,
            n_features_in_=len(feature_names),
            feature_names_in_=feature_names,
        )

    def _check_transform_input(self, X: Any) -> tuple[Any, ModuleType]:
        """Validate ``X`` against the fitted state: same library, device and width."""
        self._check_is_fitted()
        X, xp = self._check_fitted_input(X, mean_=self.mean_, scale_=self.scale_)
        for flag, attribute in (("with_mean", "mean_"), ("with_std", "scale_")):
            if getattr(self, flag) and getattr(self, attribute) is None:
                raise ValueError(
                    f"{flag}=True but {attribute} is None: {flag} was changed after fit; "
                    "fit the scaler again"
                )
        return X, xp

    def _standardize(self, X: Any, *, xp: ModuleType) -> Any:
        out = X
        if self.with_mean:
            out = xp.subtract(out, xp.astype(self.mean_, X.dtype, copy=False))
        if self.with_std:
            out = xp.divide(out, xp.astype(self.scale_, X.dtype, copy=False))
        return self._copied(out, X, xp=xp)

    def _copied(self, out: Any, X: Any, *, xp: ModuleType) -> Any:
        # Only the identity transform can hand back the input's memory.
        if out is X and self.copy:
            return xp.asarray(X, copy=True)
        return out
