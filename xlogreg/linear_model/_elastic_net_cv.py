"""The lasso and the elastic net with their alpha (and l1_ratio) chosen by cross-validation,
scikit-learn's ``LassoCV`` and ``ElasticNetCV``, every model of the search fitted at once.

The folds are row weights: one pass over ``X`` gives every fold's centred Gram matrix
and the whole data's (:func:`~xlogreg.objectives._weighted_grams.weighted_grams`);
coordinate descent then runs on them for every (l1_ratio, fold) pair together along
the path of alphas (:func:`~xlogreg.solvers.batched_lasso.elastic_net_gram_path`);
each fold's test rows score its path, a fold at a time. The whole data's path, run
alongside the folds', holds the refit: the model at the chosen alpha and l1_ratio.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import array_api_compat

from xlogreg._backend import host_list, is_array, is_chunked, resolve
from xlogreg._chunked_data import chunked_training_data
from xlogreg._moments import check_finite_moments
from xlogreg._profile import TrainingProfile, fit_profile
from xlogreg._target_validation import check_regression_target, check_sample_weight
from xlogreg._validation import (
    check_bool,
    check_feature_names,
    check_features,
    check_finite_solution,
    check_matrix_shape,
)
from xlogreg.base import BaseEstimator
from xlogreg.exceptions import DataConversionWarning
from xlogreg.linear_model._enet_path import (
    alpha_grid,
    check_alphas,
    check_path_options,
    warn_unconverged,
)
from xlogreg.linear_model._least_squares_cv_chunks import (
    chunked_residual_sums,
    chunked_statistics,
)
from xlogreg.linear_model._predict import RegressionPredictMixin
from xlogreg.linear_model._standardize import chunked_scaler, profile_moments
from xlogreg.model_selection import check_folds
from xlogreg.model_selection._folds import chunked_n_splits
from xlogreg.objectives._weighted_grams import GramStatistics, fold_grams, residual_sums
from xlogreg.preprocessing import StandardScaler
from xlogreg.solvers.batched_lasso import elastic_net_gram_path

__all__ = ["ElasticNetCV", "LassoCV"]


class ElasticNetCV(RegressionPredictMixin, BaseEstimator):
    """The elastic net with ``alpha`` and ``l1_ratio`` chosen by cross-validation,
    scikit-learn's ``ElasticNetCV``, with every model of the search fitted together.

    For each ``l1_ratio`` and fold, the elastic net (:class:`ElasticNet`'s
    objective) is fitted along a decreasing path of alphas on the fold's training
    rows, each alpha warm-started from the previous one; each model is scored by
    the (weighted) mean squared error on the fold's test rows; the ``(alpha,
    l1_ratio)`` of the least error averaged over the folds is chosen, and the
    model of that pair fitted on all the rows is kept. Every model of the search
    advances at once (see the module's notes), and ``X`` is read once for all
    of them.

    Parameters
    ----------
    l1_ratio : float or sequence of float, default=0.5
        Share of the L1 part, in ``[0, 1]``; several are searched too. ``0``
        (ridge) needs ``alphas`` given.
    eps : float, default=1e-3
        ``alpha_min / alpha_max`` of the automatic grid, in ``(0, 1)``.
    alphas : int or sequence of float, default=100
        How many alphas in the automatic grid of each ``l1_ratio``, from
        ``alpha_max`` (every coefficient zero on the whole data) down to
        ``eps·alpha_max``, evenly on a log scale (scikit-learn's grid), or the
        alphas themselves (``> 0``; searched in decreasing order).
    fit_intercept : bool, default=True
        Fit an unpenalized intercept: each fold centres its rows around its own
        (weighted) means, as scikit-learn does.
    standardize : bool, default=False
        Search on features standardized with the whole data's (weighted) means
        and standard deviations, as ``make_pipeline(StandardScaler(), ElasticNetCV())``
        would: the penalty applies to the standardized coefficients; ``coef_``
        and ``intercept_`` are on the original features. Costs no copy of ``X``
        (the Gram matrices are rescaled).
    max_iter : int, default=1000
        Most coordinate-descent sweeps per model and alpha.
    tol : float, default=1e-4
        scikit-learn's: a model stops when its duality gap is at most ``tol``
        times the centred ``Σ s y² / Σ s`` of its rows.
    cv : int, splitter, iterable of (train, test) pairs or None, default=None
        The folds (:func:`~xlogreg.model_selection.check_folds`): ``None`` is 5,
        an integer ``k >= 2`` scikit-learn's ``KFold(k)``.

    Attributes
    ----------
    alpha_ : float
        The chosen alpha.
    l1_ratio_ : float
        The chosen ``l1_ratio``.
    alphas_ : array of shape (n_alphas,) or (n_l1_ratios, n_alphas)
        The grid: one row per ``l1_ratio`` for an automatic grid of several.
    mse_path_ : array of shape (n_l1_ratios, n_alphas, n_folds) or (n_alphas, n_folds)
        Test mean squared error of each model (weighted by ``sample_weight``),
        with scikit-learn's squeezing of axes of length one.
    coef_ : array of shape (n_features,)
    intercept_ : 0-d array
        The model of ``alpha_`` and ``l1_ratio_`` on all the rows.
    dual_gap_ : float
        Its duality gap.
    n_iter_ : int
        Its sweeps at ``alpha_`` (along the path, warm-started: fewer than a
        fit from zero).
    scaler_ : StandardScaler or None
        The statistics of ``standardize=True``.
    n_features_in_ : int
    feature_names_in_ : tuple of str
    training_profile_ : TrainingProfile
        Statistics of each raw training feature, for :meth:`drift`.

    See Also
    --------
    LassoCV : The same search with ``l1_ratio=1``.
    ElasticNet : One fit, of given ``alpha`` and ``l1_ratio``.

    Notes
    -----
    scikit-learn's ``precompute``, ``copy_X``, ``verbose``, ``n_jobs``, ``positive``,
    ``random_state`` and ``selection`` are not parameters: the search always works
    on Gram matrices, copies nothing, visits the coordinates cyclically, and runs
    every model at once. A model that does not converge within ``max_iter`` is
    kept and scored; one :class:`~xlogreg.exceptions.ConvergenceWarning` names
    every such (alpha, l1_ratio, fold) and its final gap.

    Examples
    --------
    >>> import numpy as np
    >>> from xlogreg.linear_model._elastic_net_cv import ElasticNetCV
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((200, 5))
    >>> y = X @ np.array([3.0, 0.0, -2.0, 0.0, 0.5]) + rng.standard_normal(200)
    >>> model = ElasticNetCV(l1_ratio=[0.5, 1.0], alphas=20, cv=4).fit(X, y)
    >>> model.l1_ratio_, round(model.alpha_, 4), model.mse_path_.shape  # scikit-learn's too
    (1.0, 0.0441, (2, 20, 4))
    >>> np.round(model.coef_, 2)
    array([ 3.02, -0.03, -1.99,  0.01,  0.55])
    """

    _estimator_role = "regressor"
    _fitted_attributes = (
        "alpha_",
        "alphas_",
        "mse_path_",
        "coef_",
        "intercept_",
        "feature_names_in_",
        "training_profile_",
    )
    #: Whether ``l1_ratio_`` is an attribute (LassoCV has no ``l1_ratio``, as scikit-learn's).
    _has_l1_ratio = True

    def __init__(
        self,
        *,
        l1_ratio: float | Sequence[float] = 0.5,
        eps: float = 1e-3,
        alphas: int | Sequence[float] = 100,
        fit_intercept: bool = True,
        standardize: bool = False,
        max_iter: int = 1000,
        tol: float = 1e-4,
        cv: Any = None,
    ) -> None:
        self.l1_ratio = l1_ratio
        self.eps = eps
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.standardize = standardize
        self.max_iter = max_iter
        self.tol = tol
        self.cv = cv

    def _l1_ratios(self) -> list[float]:
        ratio = self.l1_ratio
        if is_array(ratio):
            ratio = host_list(ratio)
        if isinstance(ratio, (list, tuple)):
            if not ratio:
                raise ValueError("l1_ratio must hold at least one value, got an empty sequence")
            return list(ratio)
        return [ratio]

    def _validate_params(self) -> tuple[list[float], list[float] | None]:
        """Check the parameters (``cv`` is checked with the data's row count).

        Returns
        -------
        l1_ratios, alphas
            The ``l1_ratio`` values; the given alphas in decreasing order, or ``None``.
        """
        l1_ratios = self._l1_ratios()
        given = check_alphas(self.alphas, self.eps, l1_ratios)
        check_bool(self.fit_intercept, "fit_intercept")
        check_bool(self.standardize, "standardize")
        check_path_options(self.tol, self.max_iter)
        return [float(r) for r in l1_ratios], given

    def fit(
        self, X: Any, y: Any, sample_weight: Any = None, *, feature_names: Any = None
    ) -> ElasticNetCV:
        """Search the grid over the folds, then keep the best model fitted on all the rows.

        Parameters
        ----------
        X : array of shape (n_samples, n_features) or a DataFrame
            Training data; any supported array library and device, or a Dask array.
        y : array of shape (n_samples,)
            One real target (a 2-D ``y`` of one column is taken as 1-D).
        sample_weight : array of shape (n_samples,) or float, optional
            Non-negative weights of the fits and of each fold's test error (the
            folds' errors are then averaged unweighted, as scikit-learn does).
        feature_names : sequence of str, optional
            Unique names of the features (``feature_names_in_``).

        Returns
        -------
        ElasticNetCV
            The fitted estimator.

        Raises
        ------
        TypeError or ValueError
            Invalid hyper-parameters or ``cv`` (before any pass over the data), shapes,
            non-finite values, invalid weights, or a fold whose training rows weigh
            nothing. A failed fit leaves an earlier fitted state untouched.

        Warns
        -----
        ConvergenceWarning
            Once, naming the (alpha, l1_ratio, fold) models that met no tolerance.
        """
        l1_ratios, given = self._validate_params()
        if is_chunked(X):
            stats, scaler, profile, feature_names, test_errors = self._chunked_input(
                X, y, sample_weight, feature_names
            )
        else:
            stats, scaler, profile, feature_names, test_errors = self._in_memory_input(
                X, y, sample_weight, feature_names
            )
        xp = array_api_compat.array_namespace(stats.gram)
        device, dtype = array_api_compat.device(stats.gram), stats.gram.dtype
        n_features = stats.gram.shape[1]
        if scaler is not None:
            stats = stats.scaled(xp.astype(scaler.scale_, dtype))
        n_folds = stats.gram.shape[0] - 1
        if given is None:
            grid = [
                alpha_grid(stats.xy[n_folds, :], r, self.eps, self.alphas, xp=xp) for r in l1_ratios
            ]
        else:
            grid = [given] * len(l1_ratios)
        path = elastic_net_gram_path(
            stats.gram,
            stats.xy,
            stats.yy,
            xp.asarray(grid, dtype=dtype, device=device),
            xp.asarray(l1_ratios, dtype=dtype, device=device),
            tol=float(self.tol),
            max_iter=int(self.max_iter),
            xp=xp,
        )
        names = [f"fold {k}" for k in range(n_folds)] + ["the whole data (refit)"]
        warn_unconverged(path, grid, l1_ratios, names, tol=float(self.tol))
        # Original-scale coefficients and the intercepts: (n_alphas, n_l1_ratios, n_problems, ·)
        coefs = path.coefs
        intercepts = stats.y_mean - xp.sum(stats.x_mean * coefs, axis=-1)
        if scaler is not None:
            coefs = coefs / xp.astype(scaler.scale_, dtype)
        mse = test_errors(coefs, intercepts)
        best_ratio, best_alpha = _best(host_list(xp.mean(mse, axis=1)))
        coef = coefs[best_alpha, best_ratio, n_folds, :]
        intercept = intercepts[best_alpha, best_ratio, n_folds]  # zero without an intercept
        check_finite_solution(coef, intercept, xp=xp, estimator=type(self).__name__)
        alphas_ = xp.asarray(grid, dtype=dtype, device=device)
        if given is not None or len(l1_ratios) == 1:
            alphas_ = alphas_[0, :]
        gap = host_list(path.gaps[best_alpha, best_ratio, n_folds])
        n_iter = host_list(path.n_iter[best_alpha, best_ratio, n_folds])
        fitted = {
            "alpha_": grid[best_ratio][best_alpha],
            "alphas_": alphas_,
            "mse_path_": _squeezed(xp.permute_dims(mse, (0, 2, 1)), xp=xp),
            "coef_": coef,
            "intercept_": intercept,
            "dual_gap_": float(gap),
            "n_iter_": int(n_iter),
            "scaler_": scaler,
            "n_features_in_": n_features,
            "feature_names_in_": feature_names,
            "training_profile_": profile,
        }
        if self._has_l1_ratio:
            fitted["l1_ratio_"] = l1_ratios[best_ratio]
        self._set_fitted(**fitted)
        return self

    def _in_memory_input(
        self, X: Any, y: Any, sample_weight: Any, feature_names: Any
    ) -> tuple[GramStatistics, Any, TrainingProfile, Any, Callable]:
        """The folds' statistics of in-memory data, its scaler and profile, the feature
        names, and the scoring of the search's models on the folds' test rows."""
        X, feature_names = self._fit_input(X, feature_names, y=y, sample_weight=sample_weight)
        xp, device = resolve(X=X, y=y, sample_weight=sample_weight)
        n_samples = X.shape[0]
        folds = check_folds(self.cv, None, classifier=False, n_samples=n_samples)
        X = check_features(X, xp=xp, device=device, overflow="squares")
        y = _one_target(
            check_regression_target(
                y, xp=xp, device=device, n_samples=n_samples, dtype=X.dtype, overflow="squares"
            )
        )
        weighted = sample_weight is not None
        sample_weight = check_sample_weight(
            sample_weight, xp=xp, device=device, n_samples=n_samples, dtype=X.dtype
        )
        scaler = None
        if self.standardize:
            scaler = StandardScaler(with_mean=self.fit_intercept).fit(
                X, sample_weight=sample_weight
            )
        profile = fit_profile(X, profile_moments(scaler, weighted=weighted), xp=xp, device=device)
        check_finite_moments(profile.mean, profile.std, xp=xp, feature_names=feature_names)
        stats = fold_grams(X, y, sample_weight, folds, center=self.fit_intercept, xp=xp)

        def test_errors(coefs: Any, intercepts: Any) -> Any:
            return _test_errors(X, y, sample_weight, folds, coefs, intercepts, xp=xp)

        return stats, scaler, profile, feature_names, test_errors

    def _chunked_input(
        self, X: Any, y: Any, sample_weight: Any, feature_names: Any
    ) -> tuple[GramStatistics, Any, TrainingProfile, Any, Callable]:
        """:meth:`_in_memory_input` of a Dask ``X``: integer ``cv``, sums formed by the chunks."""
        check_matrix_shape(X)
        n_splits = chunked_n_splits(self.cv, 5, X.shape[0])
        feature_names = check_feature_names(feature_names, n_features=X.shape[1])
        if getattr(y, "ndim", 1) == 2:
            y = _one_target(y)
        data = chunked_training_data(
            X, y, sample_weight, target="values", scaler_moments=self.standardize
        )
        xp, profile = data.xp, data.profile
        scaler = chunked_scaler(self, data, feature_names)
        check_finite_moments(profile.mean, profile.std, xp=xp, feature_names=feature_names)
        stats = chunked_statistics(data, n_splits, center=self.fit_intercept, one_target=True)

        def test_errors(coefs: Any, intercepts: Any) -> Any:
            models = [_fold_models(coefs, intercepts, k, xp=xp) for k in range(n_splits)]
            stacked = [xp.stack([model[i] for model in models]) for i in (0, 1)]
            squared, _, weights, _ = chunked_residual_sums(data, n_splits, *stacked)
            errors = [squared[k, :, 0] / weights[k] for k in range(n_splits)]
            return _fold_errors(errors, coefs.shape, xp=xp)

        return stats, scaler, profile, feature_names, test_errors


class LassoCV(ElasticNetCV):
    """The lasso with ``alpha`` chosen by cross-validation, scikit-learn's ``LassoCV``:
    :class:`ElasticNetCV` with ``l1_ratio=1``.

    Parameters
    ----------
    eps : float, default=1e-3
        ``alpha_min / alpha_max`` of the automatic grid, in ``(0, 1)``.
    alphas : int or sequence of float, default=100
        How many alphas in the automatic grid, or the alphas themselves (``> 0``),
        as in :class:`ElasticNetCV`.
    fit_intercept : bool, default=True
        Fit an unpenalized intercept, each fold centred on its own means.
    standardize : bool, default=False
        Search on standardized features, as in :class:`ElasticNetCV`.
    max_iter : int, default=1000
        Most coordinate-descent sweeps per model and alpha.
    tol : float, default=1e-4
        scikit-learn's duality-gap tolerance, as in :class:`ElasticNetCV`.
    cv : int, splitter, iterable of (train, test) pairs or None, default=None
        The folds (:func:`~xlogreg.model_selection.check_folds`): ``None`` is 5.

    Attributes
    ----------
    alpha_, alphas_, mse_path_, coef_, intercept_, dual_gap_, n_iter_, scaler_, \
n_features_in_, feature_names_in_, training_profile_
        As in :class:`ElasticNetCV`; ``alphas_`` of shape (n_alphas,) and
        ``mse_path_`` (n_alphas, n_folds). No ``l1_ratio_``, as scikit-learn's.

    Examples
    --------
    >>> import numpy as np
    >>> from xlogreg import LassoCV
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((200, 5))
    >>> y = X @ np.array([3.0, 0.0, -2.0, 0.0, 0.5]) + rng.standard_normal(200)
    >>> model = LassoCV(cv=4).fit(X, y)
    >>> round(model.alpha_, 4), model.mse_path_.shape  # scikit-learn's too
    (0.0484, (100, 4))
    """

    #: Not a parameter: the lasso is the elastic net whose penalty is all L1.
    l1_ratio = 1.0
    _has_l1_ratio = False

    def __init__(
        self,
        *,
        eps: float = 1e-3,
        alphas: int | Sequence[float] = 100,
        fit_intercept: bool = True,
        standardize: bool = False,
        max_iter: int = 1000,
        tol: float = 1e-4,
        cv: Any = None,
    ) -> None:
        self.eps = eps
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.standardize = standardize
        self.max_iter = max_iter
        self.tol = tol
        self.cv = cv


def _one_target(y: Any) -> Any:
    """``y`` as 1-D: a single column taken as the target, with scikit-learn's warning; more
    refused."""
    if y.ndim == 1:
        return y
    if y.shape[1] != 1:
        raise ValueError(
            f"y must be 1-D (one target), got shape {tuple(y.shape)}; fit one model per target"
        )
    warnings.warn(
        DataConversionWarning(
            "A column-vector y was passed when a 1d array was expected. Please change "
            "the shape of y to (n_samples,), for example using ravel()."
        ),
        stacklevel=3,
    )
    return y[:, 0]


def _test_errors(
    X: Any, y: Any, sample_weight: Any, folds: list, coefs: Any, intercepts: Any, *, xp: Any
) -> Any:
    """Each model's weighted mean squared error on its fold's test rows, ``(n_l1_ratios,
    n_folds, n_alphas)``: the test rows gathered a tile at a time, their predictions one
    product for the fold's whole path."""
    errors = []
    for k, (_, test) in enumerate(folds):
        coef, intercept = _fold_models(coefs, intercepts, k, xp=xp)
        squared, _, weight_sum = residual_sums(
            X, y[:, None], sample_weight, test, coef, intercept, xp=xp
        )
        errors.append(squared[:, 0] / weight_sum)
    return _fold_errors(errors, coefs.shape, xp=xp)


def _fold_models(coefs: Any, intercepts: Any, fold: int, *, xp: Any) -> tuple[Any, Any]:
    """One fold's path of models, ``(n_features, n_alphas·n_l1_ratios)`` and
    ``(n_alphas·n_l1_ratios,)``, from the search's ``(n_alphas, n_l1_ratios, n_problems, ·)``:
    contiguous (the reshape copies), for one BLAS product per tile of test rows."""
    n_features = coefs.shape[3]
    coef = xp.reshape(xp.permute_dims(coefs[:, :, fold, :], (2, 0, 1)), (n_features, -1))
    return coef, xp.reshape(intercepts[:, :, fold], (-1,))


def _fold_errors(errors: list, shape: tuple, *, xp: Any) -> Any:
    """The folds' errors, each (n_alphas·n_l1_ratios,), as (n_l1_ratios, n_folds, n_alphas)."""
    n_alphas, n_l1_ratios = shape[:2]
    stacked = xp.stack([xp.reshape(e, (n_alphas, n_l1_ratios)) for e in errors])
    return xp.permute_dims(stacked, (2, 0, 1))


def _best(mean_errors: list[list[float]]) -> tuple[int, int]:
    """scikit-learn's choice: each ``l1_ratio``'s first alpha of least mean error, and across
    them the first strictly better one."""
    best, choice = float("inf"), (0, 0)
    for ratio, row in enumerate(mean_errors):
        alpha = min(range(len(row)), key=row.__getitem__)
        if row[alpha] < best:
            best, choice = row[alpha], (ratio, alpha)
    return choice


def _squeezed(a: Any, *, xp: Any) -> Any:
    """``numpy.squeeze``: ``a`` without its axes of length one."""
    return xp.reshape(a, tuple(size for size in a.shape if size != 1))
