"""What a model in production is asked besides predictions: explanations and drift."""

from __future__ import annotations

from typing import Any

import array_api_compat

from xlogreg._backend import to_numpy
from xlogreg._profile import converted_profile
from xlogreg._validation import check_number
from xlogreg.drift import DRIFT_THRESHOLD, DriftReport, drift_report
from xlogreg.explain import Explanation, linear_contributions

__all__ = ["MonitoringMixin"]


class MonitoringMixin:
    """``explain`` and ``drift`` for the linear models.

    The estimator provides ``_linear_terms(X)`` (checked ``X``, its namespace,
    and the coefficients and intercept of its outputs: 1-D and 0-d for one
    output), ``feature_names_in_`` and ``training_profile_``, on top of
    :class:`~xlogreg.base.BaseEstimator`'s checks.
    """

    def explain(self, X: Any) -> Explanation:
        """Each feature's contribution ``coef·x`` to the model's outputs, row by row.

        Parameters
        ----------
        X : array of shape (n_samples, n_features), or a DataFrame
            As for ``predict``: the library and device of the model, the
            width seen in ``fit`` (a DataFrame's columns must match
            ``feature_names_in_``).

        Returns
        -------
        Explanation
            ``contributions`` of shape (n_samples, n_features) for one output
            (binary logistic regression's logit, one regression target), or
            (n_samples, n_outputs, n_features), and the ``intercept``, in
            ``X``'s library, device and compute dtype:
            ``sum(contributions, axis=-1) + intercept`` equals
            ``decision_function(X)`` (``predict(X)`` for a regressor) up to
            float rounding. See :mod:`xlogreg.explain` and
            :func:`~xlogreg.explain.contribution_table` for one row as a
            table.

        Examples
        --------
        >>> import numpy as np
        >>> from xlogreg import LogisticRegression
        >>> X = np.array([[1.0, 2.0], [2.0, 1.0], [3.0, 4.0], [4.0, 3.0]])
        >>> model = LogisticRegression().fit(X, np.array([0, 0, 1, 1]))
        >>> contributions, intercept = model.explain(X[:2])
        >>> contributions.shape
        (2, 2)
        >>> np.allclose(contributions.sum(axis=-1) + intercept, model.decision_function(X[:2]))
        True
        """
        X, xp, coef, intercept = self._linear_terms(X)
        return linear_contributions(X, coef, intercept, xp=xp)

    def drift(self, X_new: Any, *, threshold: float = DRIFT_THRESHOLD) -> DriftReport:
        """How far the feature means of new data moved from the training data's.

        Per feature ``z = (mean(X_new) − μ_train) / σ_train`` from
        ``training_profile_``, each flagged when ``|z|`` exceeds ``threshold``;
        the batch is flagged when any feature is (its score is the largest ``|z|``).

        Parameters
        ----------
        X_new : array of shape (n_samples, n_features), or a DataFrame
            A batch of new rows, as for ``predict``.
        threshold : float, default=DRIFT_THRESHOLD
            Flag each feature whose ``|z|`` exceeds it; ``>= 0``. The default,
            0.25, is justified at :data:`xlogreg.drift.DRIFT_THRESHOLD` (for
            batches of at least about 250 rows).

        Returns
        -------
        DriftReport
            ``z_shift``, ``feature_drifted``, ``score`` and ``drifted`` in ``X_new``'s library,
            device and compute dtype; see :class:`xlogreg.drift.DriftReport`
            (features constant in training are divided by 1).

        Raises
        ------
        NotFittedError
            If the model is not fitted.
        TypeError, ValueError
            If ``threshold`` is not a number ``>= 0``, or ``X_new`` is invalid
            as for ``predict``.

        Examples
        --------
        >>> import numpy as np
        >>> from xlogreg import LogisticRegression
        >>> X = np.random.default_rng(0).standard_normal((500, 3))
        >>> model = LogisticRegression().fit(X, (X[:, 0] > 0).astype(int))
        >>> float(model.drift(X).score) < 1e-15
        True
        >>> report = model.drift(X + np.array([0.0, 0.0, 3.0]) * X.std(axis=0))
        >>> report.z_shift.round(6), bool(report.drifted), report.drifted_features()
        (array([0., 0., 3.]), True, ('x2',))
        """
        check_number(threshold, "threshold", low=0.0)
        self._check_is_fitted()
        profile = self.training_profile_
        if self._on_host(X_new):
            profile = converted_profile(profile, to_numpy)
        X, xp = self._check_fitted_input(X_new, training_profile_=profile.mean)
        return drift_report(
            X,
            profile,
            threshold=float(threshold),
            feature_names=self.feature_names_in_,
            xp=xp,
            device=array_api_compat.device(X),
        )

    def _on_host(self, X: Any) -> bool:
        """Whether ``X`` is host data for a model fitted on another library's device."""
        return False
