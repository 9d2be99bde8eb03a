"""Ridge regression with its alpha chosen by cross-validation, scikit-learn's ``RidgeCV``:
every alpha's leave-one-out errors from one decomposition (generalized cross-validation,
:mod:`~xlogreg.linear_model._ridge_gcv`), or k-fold scores from one eigendecomposition
per fold of its Gram matrix, all folds' Gram matrices from one pass over ``X``."""

from __future__ import annotations

import inspect
import numbers
from collections.abc import Sequence
from typing import Any

import array_api_compat

from xlogreg._backend import (
    accumulation_dtype,
    host_floats,
    host_list,
    integer_dtype,
    is_array,
    is_chunked,
    resolve,
)
from xlogreg._profile import fit_profile
from xlogreg._target_validation import check_regression_target, check_sample_weight
from xlogreg._validation import (
    check_bool,
    check_choice,
    check_features,
    check_number,
)
from xlogreg.base import BaseEstimator
from xlogreg.linear_model._least_squares_cv_chunks import chunked_ridge_cv
from xlogreg.linear_model._linear import LinearRegression
from xlogreg.linear_model._predict import RegressionPredictMixin
from xlogreg.linear_model._ridge_gcv import (
    best_mean,
    gcv_choice,
    ridge_gcv_alpha,
    ridge_gcv_decomposition,
    ridge_models,
)
from xlogreg.model_selection import check_folds
from xlogreg.model_selection._scoring import Scorer, check_scoring
from xlogreg.objectives._weighted_grams import fold_grams

__all__ = ["RidgeCV"]

GCV_MODES = (None, "auto", "svd", "eigen")


class RidgeCV(RegressionPredictMixin, BaseEstimator):
    """Ridge regression with ``alpha`` chosen by cross-validation, scikit-learn's ``RidgeCV``.

    With ``cv=None`` (the default), efficient leave-one-out cross-validation:
    every alpha's leave-one-out errors from one decomposition of the centred,
    weighted design, exactly scikit-learn's generalized cross-validation
    (``_RidgeGCV``, with its handling of ``sample_weight`` and of the
    unpenalized intercept); the chosen model comes from the same decomposition.
    With ``cv`` given, k-fold cross-validation: every fold's Gram matrix from one
    pass over ``X`` (the folds as row weights), every alpha's fit from one
    eigendecomposition per fold, scored on the fold's test rows; the chosen alpha
    is refitted on all the rows by :class:`LinearRegression`.

    Parameters
    ----------
    alphas : float or sequence of float, default=(0.1, 1.0, 10.0)
        The penalties to try, ``> 0``: scikit-learn's ``Ridge(alpha)``, the
        minimizer of ``Σ sᵢ(yᵢ − w·xᵢ − b)² + alpha·‖w‖²``.
    fit_intercept : bool, default=True
        Fit an unpenalized intercept.
    scoring : str, callable or None, default=None
        ``None``: the mean squared leave-one-out error (weighted, as
        scikit-learn's) with ``cv=None``, and R² on each test fold otherwise. A
        name of :func:`~xlogreg.model_selection.check_scoring` for regressors
        (``"r2"``, ``"neg_mean_squared_error"``, …) or a callable
        ``scoring(estimator, X, y)``: with ``cv=None`` it scores the leave-one-out
        predictions through an estimator whose ``predict`` returns its input, as
        scikit-learn does. The scores are weighted by ``sample_weight``, as
        scikit-learn 1.9's (a callable receives ``sample_weight=`` if it takes it).
    cv : int, splitter, iterable of (train, test) pairs or None, default=None
        ``None``: leave-one-out by generalized cross-validation; else the folds
        (:func:`~xlogreg.model_selection.check_folds`, ``KFold`` for an integer).
    gcv_mode : {None, "auto", "svd", "eigen"}, default=None
        The decomposition of generalized cross-validation: ``None``, ``"auto"``
        and ``"eigen"`` the eigendecomposition of ``ZᵀZ`` (more rows than
        features) or of ``ZZᵀ``, ``"svd"`` the thin SVD of ``Z`` (which keeps the
        digits of an ill-conditioned design). Each holds one array of the size
        of ``X`` in float64 (``Z`` rotated, or ``Z`` itself), as scikit-learn's
        centred copy does.
    store_cv_results : bool, default=False
        Keep ``cv_results_`` (``cv=None`` only).
    alpha_per_target : bool, default=False
        Choose one alpha per target of a 2-D ``y`` (``cv=None`` only).

    Attributes
    ----------
    alpha_ : float or array of shape (n_targets,)
        The chosen alpha (one per target with ``alpha_per_target``).
    best_score_ : float or array of shape (n_targets,)
        Its score: the negated mean squared leave-one-out error (``scoring=None``,
        ``cv=None``), else the mean over the folds of the test scores.
    coef_ : array of shape (n_features,) or (n_targets, n_features)
    intercept_ : 0-d array or array of shape (n_targets,)
    cv_results_ : array of shape (n_samples, n_alphas) or (n_samples, n_targets, n_alphas)
        With ``store_cv_results``: each row's squared leave-one-out error (times its
        weight), or its leave-one-out prediction when ``scoring`` is given.
    n_features_in_ : int
    feature_names_in_ : tuple of str
    training_profile_ : TrainingProfile

    Notes
    -----
    Generalized cross-validation computes in float64 where the device has it,
    as scikit-learn does, and stores its results in the input's dtype. For a
    2-D ``y`` of one column, ``coef_`` is 2-D (one row), where scikit-learn
    flattens it.

    Examples
    --------
    >>> import numpy as np
    >>> from xlogreg.linear_model._ridge_cv import RidgeCV
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((50, 3))
    >>> y = X @ np.array([1.0, -2.0, 0.5]) + rng.standard_normal(50)
    >>> model = RidgeCV(alphas=[0.1, 1.0, 10.0, 100.0]).fit(X, y)
    >>> model.alpha_, round(model.best_score_, 4)  # scikit-learn's too
    (0.1, -0.9938)
    """

    _estimator_role = "regressor"
    _multi_output = True
    _fitted_attributes = (
        "alpha_",
        "best_score_",
        "coef_",
        "intercept_",
        "feature_names_in_",
        "training_profile_",
    )

    def __init__(
        self,
        alphas: float | Sequence[float] = (0.1, 1.0, 10.0),
        *,
        fit_intercept: bool = True,
        scoring: Any = None,
        cv: Any = None,
        gcv_mode: str | None = None,
        store_cv_results: bool = False,
        alpha_per_target: bool = False,
    ) -> None:
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.scoring = scoring
        self.cv = cv
        self.gcv_mode = gcv_mode
        self.store_cv_results = store_cv_results
        self.alpha_per_target = alpha_per_target

    def _validate_params(self) -> tuple[list[float], Scorer | None]:
        """Check the parameters (``cv`` is checked with the data's row count).

        Returns
        -------
        alphas, scorer
            The alphas in the given order; the :class:`Scorer` of ``scoring``, or ``None``.
        """
        alphas = self.alphas
        if is_array(alphas):
            alphas = host_list(alphas)
        if isinstance(alphas, numbers.Real) and not isinstance(alphas, bool):
            alphas = [alphas]
        if isinstance(alphas, (str, bytes)) or not isinstance(alphas, Sequence):
            raise TypeError(
                f"alphas must be a positive number or a sequence of them, got {alphas!r}"
            )
        if len(alphas) == 0:
            raise ValueError("alphas must hold at least one value, got an empty sequence")
        for index, alpha in enumerate(alphas):
            name = "alphas" if len(alphas) == 1 else f"alphas[{index}]"
            check_number(alpha, name, low=0.0, low_open=True, finite=True)
        check_bool(self.fit_intercept, "fit_intercept")
        check_choice(self.gcv_mode, "gcv_mode", GCV_MODES)
        check_bool(self.store_cv_results, "store_cv_results")
        check_bool(self.alpha_per_target, "alpha_per_target")
        if self.cv is not None and self.store_cv_results:
            raise ValueError("cv!=None and store_cv_results=True are incompatible")
        if self.cv is not None and self.alpha_per_target:
            raise ValueError("cv!=None and alpha_per_target=True are incompatible")
        scorer = None if self.scoring is None else check_scoring(self.scoring, classifier=False)
        return [float(alpha) for alpha in alphas], scorer

    def fit(
        self, X: Any, y: Any, sample_weight: Any = None, *, feature_names: Any = None
    ) -> RidgeCV:
        """Choose alpha by cross-validation and keep its model.

        Parameters
        ----------
        X : array of shape (n_samples, n_features) or a DataFrame
            Training data; any supported array library and device, or a Dask
            array (each fold's statistics summed over its chunks; ``cv`` must
            then be an integer or None).
        y : array of shape (n_samples,) or (n_samples, n_targets)
            Targets.
        sample_weight : array of shape (n_samples,) or float, optional
            Non-negative weights of the fits and of the scores.
        feature_names : sequence of str, optional
            Unique names of the features (``feature_names_in_``).

        Returns
        -------
        RidgeCV
            The fitted estimator.

        Raises
        ------
        TypeError or ValueError
            Invalid hyper-parameters, ``scoring`` or ``cv`` (before any pass over the
            data), shapes, non-finite values or invalid weights. A failed fit leaves
            an earlier fitted state untouched.
        """
        alphas, scorer = self._validate_params()
        if is_chunked(X):
            fitted = chunked_ridge_cv(self, X, y, sample_weight, feature_names, alphas, scorer)
            self._set_fitted(**fitted)
            return self
        X, feature_names = self._fit_input(X, feature_names, y=y, sample_weight=sample_weight)
        xp, device = resolve(X=X, y=y, sample_weight=sample_weight)
        n_samples, n_features = X.shape
        folds = None
        if self.cv is not None:
            folds = check_folds(self.cv, None, classifier=False, n_samples=n_samples)
        X = check_features(X, xp=xp, device=device, overflow="squares")
        y = check_regression_target(
            y, xp=xp, device=device, n_samples=n_samples, dtype=X.dtype, overflow="squares"
        )
        weighted = sample_weight is not None
        sample_weight = check_sample_weight(
            sample_weight, xp=xp, device=device, n_samples=n_samples, dtype=X.dtype
        )
        profile = fit_profile(X, None, xp=xp, device=device)
        common = {
            "n_features_in_": n_features,
            "feature_names_in_": feature_names,
            "training_profile_": profile,
        }
        if folds is None:
            fitted = self._generalized(X, y, sample_weight, alphas, scorer, weighted, xp=xp)
        else:
            fitted = self._k_fold(X, y, sample_weight, alphas, scorer, folds, weighted, xp=xp)
        self._set_fitted(**fitted, **common)
        return self

    def _generalized(
        self,
        X: Any,
        y: Any,
        sample_weight: Any,
        alphas: list[float],
        scorer: Scorer | None,
        weighted: bool,
        *,
        xp: Any,
    ) -> dict[str, Any]:
        """Generalized (leave-one-out) cross-validation, scikit-learn's ``_RidgeGCV.fit``."""
        device = array_api_compat.device(X)
        dtype = X.dtype
        wide = accumulation_dtype(xp, device)
        Y = y[:, None] if y.ndim == 1 else y
        n_targets = Y.shape[1]
        decomposition = ridge_gcv_decomposition(
            xp.astype(X, wide),
            xp.astype(Y, wide),
            xp.astype(sample_weight, wide),
            fit_intercept=self.fit_intercept,
            svd=self.gcv_mode == "svd",
            xp=xp,
        )
        per_target = self.alpha_per_target and n_targets > 1
        scores, coefs, results = [], [], []
        for alpha in alphas:
            errors, coef = ridge_gcv_alpha(
                decomposition, alpha, fit_intercept=self.fit_intercept, xp=xp
            )
            if scorer is None:
                squared = errors * errors
                score = xp.mean(-squared, axis=0) if per_target else xp.mean(-squared)
                results.append(squared)
            else:
                predictions = decomposition.centred_y - errors
                if weighted:
                    predictions = predictions / decomposition.root[:, None]
                predictions = xp.astype(predictions + decomposition.y_mean, dtype)
                results.append(predictions)
                score = _score_predictions(
                    scorer, y, predictions, sample_weight if weighted else None, per_target, xp=xp
                )
            scores.append(host_list(xp.reshape(xp.astype(score, wide), (-1,))))
            coefs.append(coef)
        fitted = gcv_choice(
            alphas,
            scores,
            coefs,
            decomposition,
            per_target=per_target,
            one_target=y.ndim == 1,
            dtype=dtype,
        )
        if self.store_cv_results:
            stacked = xp.astype(xp.stack(results, axis=-1), dtype)  # (n, n_targets, n_alphas)
            fitted["cv_results_"] = stacked[:, 0, :] if y.ndim == 1 else stacked
        return fitted

    def _k_fold(
        self,
        X: Any,
        y: Any,
        sample_weight: Any,
        alphas: list[float],
        scorer: Scorer | None,
        folds: list,
        weighted: bool,
        *,
        xp: Any,
    ) -> dict[str, Any]:
        """k-fold cross-validation, scikit-learn 1.9's ``GridSearchCV(Ridge(), {"alpha": alphas})``:
        the fits weighted by ``sample_weight``, and the test scores too (R² by default), except
        by a callable without a ``sample_weight`` argument."""
        device = array_api_compat.device(X)
        n_features = X.shape[1]
        stats = fold_grams(X, y, sample_weight, folds, center=self.fit_intercept, xp=xp)
        coefs, intercepts = ridge_models(stats, alphas, xp=xp)
        n_targets = coefs.shape[3]
        scorer = scorer if scorer is not None else check_scoring("r2", classifier=False)
        weigh = weighted and (
            not scorer.is_callable or "sample_weight" in inspect.signature(scorer.func).parameters
        )
        index_dtype = integer_dtype(xp, device)
        scores = []
        for k, (_, test) in enumerate(folds):
            coef, intercept = coefs[k, ...], intercepts[k, ...]
            if y.ndim == 1:
                intercept = intercept[:, 0]
            index = xp.asarray(test, dtype=index_dtype, device=device)
            X_test = xp.take(X, index, axis=0)
            stacked = xp.reshape(xp.permute_dims(coef, (1, 0, 2)), (n_features, -1))
            predicted = xp.reshape(X_test @ stacked, (len(test), len(alphas), n_targets))
            y_test = xp.take(y, index, axis=0)
            w_test = xp.take(sample_weight, index) if weigh else None
            fold_scores = []
            for a in range(len(alphas)):
                fold_coef = coef[a, ...] if y.ndim == 2 else coef[a, :, 0]
                values = predicted[:, a, :] + intercept[a, ...]
                if y.ndim == 1:
                    values = values[:, 0]
                fold_scores.append(
                    _fold_score(
                        scorer, X_test, y_test, values, w_test, fold_coef, intercept[a, ...], xp=xp
                    )
                )
            scores.append(host_floats(xp, *fold_scores))
        best, best_score = best_mean(scores)
        refit = LinearRegression(alpha=alphas[best], fit_intercept=self.fit_intercept)
        refit.fit(X, y, sample_weight=sample_weight)
        return {
            "alpha_": alphas[best],
            "best_score_": best_score,
            "coef_": refit.coef_,
            "intercept_": refit.intercept_,
        }


class _Identity:
    """A fitted "estimator" whose predictions are its input: scikit-learn's way of scoring
    leave-one-out predictions with a scorer that asks an estimator to predict."""

    def predict(self, X: Any) -> Any:
        return X


def _score_predictions(
    scorer: Scorer, y: Any, predictions: Any, sample_weight: Any, per_target: bool, *, xp: Any
) -> Any:
    """The score of the leave-one-out ``predictions`` (n_samples, n_targets), one per target
    with ``per_target``, as scikit-learn's ``_RidgeGCV._score``."""
    Y = y[:, None] if y.ndim == 1 else y
    columns = range(Y.shape[1]) if per_target else [None]
    values = []
    for t in columns:
        truth = (y if y.ndim == 1 else Y) if t is None else Y[:, t]
        predicted = (
            (predictions[:, 0] if y.ndim == 1 else predictions) if t is None else predictions[:, t]
        )
        if scorer.is_callable:
            value = scorer(_Identity(), predicted, truth, sample_weight)
        else:
            value = scorer.score(truth, predicted, sample_weight)
        values.append(xp.asarray(value, device=array_api_compat.device(predictions)))
    return xp.stack([xp.reshape(xp.astype(v, predictions.dtype), ()) for v in values])


def _fold_score(
    scorer: Scorer,
    X_test: Any,
    y_test: Any,
    predicted: Any,
    weight: Any,
    coef: Any,
    intercept: Any,
    *,
    xp: Any,
) -> Any:
    """A fold's test score of one alpha's fit (``coef`` of shape (d,) or (d, T))."""
    if not scorer.is_callable:
        return scorer.score(y_test, predicted, weight)
    # One fold's ridge fit, as the fitted LinearRegression it is (no training profile).
    model = LinearRegression()
    model._set_fitted(
        coef_=coef if coef.ndim == 1 else coef.T,
        intercept_=intercept,
        n_features_in_=X_test.shape[1],
        feature_names_in_=tuple(f"x{j}" for j in range(X_test.shape[1])),
        training_profile_=None,
    )
    value = scorer(model, X_test, y_test, weight)
    return xp.asarray(value, device=array_api_compat.device(X_test))
