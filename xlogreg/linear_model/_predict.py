"""What a fitted linear model computes from ``X``: logits, probabilities, labels and scores."""

from __future__ import annotations

from typing import Any

import array_api_compat

from xlogreg._backend import host_floats, integer_dtype, is_chunked, resolve
from xlogreg._math import log_sigmoid, log_softmax, sigmoid
from xlogreg._target_validation import check_sample_weight, check_vector
from xlogreg._validation import check_number
from xlogreg.base import row_chunkwise
from xlogreg.metrics import accuracy_score, r2_score

__all__ = ["LogisticPredictMixin", "RegressionPredictMixin"]


class LogisticPredictMixin:
    """The predictions of :class:`~xlogreg.LogisticRegression`.

    The estimator provides ``coef_``, ``intercept_``, ``classes_``,
    ``threshold`` and ``_host_parameters`` (host copies of the coefficients
    of a model fitted with ``device``, or ``None``), on top of
    :class:`~xlogreg.base.BaseEstimator`'s checks.
    """

    def _on_host(self, X: Any) -> bool:
        """Whether ``X`` is host data for a model fitted on another library's device."""
        self._check_is_fitted()
        if getattr(self, "_host_parameters", None) is None:
            return False
        return array_api_compat.is_numpy_namespace(resolve(X=X)[0])

    def _parameters(self, X: Any) -> tuple[Any, Any, Any, Any, Any]:
        """Checked ``X``, its namespace, and ``coef_``, ``intercept_`` (in ``X``'s
        dtype) and ``classes_`` where ``X`` lives (host copies for host data)."""
        if self._on_host(X):
            coef, intercept, classes = self._host_parameters
            X, xp = self._check_fitted_input(X)
            coef = xp.astype(coef, X.dtype)
        else:
            X, xp, coef = self._check_predict_input(X)
            intercept, classes = self.intercept_, self.classes_
        return X, xp, coef, xp.astype(intercept, X.dtype), classes

    def _linear_terms(self, X: Any) -> tuple[Any, Any, Any, Any]:
        """What :meth:`explain` decomposes: the positive class's row for two classes."""
        X, xp, coef, intercept, classes = self._parameters(X)
        if classes.shape[0] == 2:
            return X, xp, coef[0, :], intercept[0, ...]
        return X, xp, coef, intercept

    def _logits(self, X: Any) -> tuple[Any, Any, Any]:
        """Logits (shape (n_samples,) for two classes, (n_samples, n_classes) otherwise),
        their namespace, and the class labels in it."""
        X, xp, coef, intercept, classes = self._parameters(X)
        z = X @ coef.T + intercept
        return (z[:, 0] if classes.shape[0] == 2 else z), xp, classes

    @row_chunkwise
    def decision_function(self, X: Any) -> Any:
        """Logits ``X @ coef_.T + intercept_`` in ``X``'s library.

        Shape (n_samples,) for two classes (the positive class's logit), as in
        scikit-learn, and (n_samples, n_classes) otherwise.
        """
        return self._logits(X)[0]

    @row_chunkwise
    def predict_proba(self, X: Any) -> Any:
        """Class probabilities, shape (n_samples, n_classes), ordered as ``classes_``.

        Rows sum to one: the sigmoid for two classes, the softmax otherwise.
        """
        z, xp, _ = self._logits(X)
        if z.ndim == 1:
            return xp.stack([sigmoid(-z, xp=xp), sigmoid(z, xp=xp)], axis=1)
        return xp.exp(log_softmax(z, axis=1, xp=xp))

    @row_chunkwise
    def predict_log_proba(self, X: Any) -> Any:
        """Log class probabilities, shape (n_samples, n_classes), finite for any logit."""
        z, xp, _ = self._logits(X)
        if z.ndim == 1:
            return xp.stack([log_sigmoid(-z, xp=xp), log_sigmoid(z, xp=xp)], axis=1)
        return log_softmax(z, axis=1, xp=xp)

    @row_chunkwise
    def predict(self, X: Any, threshold: float | None = None) -> Any:
        """Predicted labels from ``classes_``.

        Parameters
        ----------
        X : array of shape (n_samples, n_features)
            Data in the library and on the device of the fit (or on the host,
            for a model fitted with ``device``, see Notes of the class).
        threshold : float, optional
            Two classes only: predict ``classes_[1]`` when its probability is
            ``>= threshold`` (seed 000's operating rule). By default the
            model's ``threshold``; without one the positive class needs a
            positive logit, as in scikit-learn (probability ``> 0.5``). With
            more classes, the most probable wins.

        Returns
        -------
        array of shape (n_samples,)
        """
        if threshold is None:
            threshold = self.threshold
        if threshold is not None:
            check_number(threshold, "threshold", low=0.0, high=1.0)
            self._check_is_fitted()
            if self.classes_.shape[0] != 2:
                raise ValueError(
                    f"threshold applies to two classes only; this model has "
                    f"{self.classes_.shape[0]} and predicts the most probable"
                )
        z, xp, classes = self._logits(X)
        if z.ndim == 2:
            return xp.take(classes, xp.argmax(z, axis=1))
        positive = z > 0 if threshold is None else sigmoid(z, xp=xp) >= threshold
        index = integer_dtype(xp, array_api_compat.device(z))
        return xp.take(classes, xp.astype(positive, index))

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Mean (weighted) accuracy of ``predict(X)`` against ``y``, as a Python float."""
        predicted = self.predict(X)
        if is_chunked(predicted):  # the metric is computed on the chunks, into NumPy
            return float(accuracy_score(y, predicted, sample_weight=sample_weight))
        coef = self._host_parameters[0] if self._on_host(X) else self.coef_
        xp, device = resolve(predicted=predicted, y=y, sample_weight=sample_weight)
        y = check_vector(y, "y", xp=xp, device=device, n_samples=predicted.shape[0])
        weight = check_sample_weight(
            sample_weight,
            xp=xp,
            device=device,
            n_samples=predicted.shape[0],
            dtype=coef.dtype,
        )
        hits = xp.astype(predicted == y, weight.dtype)
        (accuracy,) = host_floats(xp, (weight @ hits) / xp.sum(weight))
        return accuracy


class RegressionPredictMixin:
    """The predictions of :class:`~xlogreg.LinearRegression`.

    The estimator provides ``coef_`` and ``intercept_``, on top of
    :class:`~xlogreg.base.BaseEstimator`'s checks.
    """

    @row_chunkwise
    def predict(self, X: Any) -> Any:
        """Predicted targets ``X @ coef_ᵀ + intercept_``.

        Parameters
        ----------
        X : array of shape (n_samples, n_features)
            Data in the library and on the device of the fit.

        Returns
        -------
        array of shape (n_samples,) or (n_samples, n_targets)
            In ``X``'s library, device and compute dtype; 2-D when the model
            was fitted on a 2-D ``y``.
        """
        X, _, coef, intercept = self._linear_terms(X)
        outputs = X @ coef if coef.ndim == 1 else X @ coef.T
        return outputs + intercept

    def _linear_terms(self, X: Any) -> tuple[Any, Any, Any, Any]:
        """Checked ``X``, its namespace, ``coef_`` and ``intercept_`` in its dtype."""
        X, xp, coef = self._check_predict_input(X)
        return X, xp, coef, xp.astype(self.intercept_, X.dtype)

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Coefficient of determination R² of ``predict(X)`` against ``y``, as a Python float.

        Several targets are averaged uniformly, as in scikit-learn.
        """
        predicted = self.predict(X)
        if is_chunked(predicted):  # the metric is computed on the chunks, into NumPy
            return float(r2_score(y, predicted, sample_weight=sample_weight))
        xp, _ = resolve(predicted=predicted, y=y, sample_weight=sample_weight)
        (r2,) = host_floats(xp, r2_score(y, predicted, sample_weight=sample_weight))
        return r2
