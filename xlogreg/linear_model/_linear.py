"""Linear least squares and ridge regression, fitted on whatever array library holds the data."""

from __future__ import annotations

import functools
from typing import Any

from xlogreg._backend import is_chunked, resolve
from xlogreg._moments import check_finite_moments
from xlogreg._profile import fit_profile
from xlogreg._target_validation import check_regression_target, check_sample_weight
from xlogreg._validation import check_features
from xlogreg.base import BaseEstimator
from xlogreg.inference import InferenceMixin
from xlogreg.inference._covariance import least_squares_covariance
from xlogreg.linear_model._linear_fit import (
    diagnostics,
    fit_iterative,
    fit_on_chunks,
    store_solution,
)
from xlogreg.linear_model._monitoring import MonitoringMixin
from xlogreg.linear_model._params import REGRESSION_ITERATIVE_SOLVERS as ITERATIVE_SOLVERS
from xlogreg.linear_model._params import check_regression_params
from xlogreg.linear_model._predict import RegressionPredictMixin
from xlogreg.linear_model._standardize import (
    profile_moments,
    standardize_for_fit,
    to_original_scale,
)
from xlogreg.linear_model._state import check_regression_state
from xlogreg.objectives import SquaredError
from xlogreg.preprocessing import StandardScaler
from xlogreg.solvers.least_squares import cholesky_solve, svd_solve

__all__ = ["LinearRegression"]


class LinearRegression(RegressionPredictMixin, InferenceMixin, MonitoringMixin, BaseEstimator):
    """Ordinary least squares and ridge regression on NumPy, PyTorch, CuPy or any array-API library.

    Minimizes the weighted mean squared error plus an L2 penalty on the
    coefficients (never on the intercept),

    ``(Σᵢ sᵢ‖B xᵢ + b − yᵢ‖² + alpha·‖B‖²) / Σᵢ sᵢ``,

    whose minimizer is scikit-learn's ``LinearRegression`` for ``alpha=0`` and
    ``Ridge(alpha)`` otherwise. The fit runs where the data lives, and the
    learned attributes and predictions come back in the same library, on the
    same device, in the same floating dtype (integer inputs compute in float64,
    or float32 on devices without it).

    Parameters
    ----------
    fit_intercept : bool, default=True
        Whether to fit an unpenalized intercept. The direct solvers center the
        (weighted) data and recover the intercept from the means.
    standardize : bool, default=False
        Fit on standardized features (a :class:`~xlogreg.StandardScaler`
        fitted with ``sample_weight`` on the training data, centring only
        with an intercept), as ``make_pipeline(StandardScaler(), model)``
        would, and report ``coef_`` and ``intercept_`` on the original
        features: predictions take raw ``X``. ``alpha`` then penalizes the
        standardized coefficients, and gradient descent sees well-scaled
        columns. The fit holds one standardized copy of ``X``, except with
        ``alpha=0`` and a direct solver (``"auto"``, ``"lstsq"``,
        ``"cholesky"``), which solves on the raw columns: the solution does
        not depend on their scales, and the solve equilibrates them exactly.
    solver : {"auto", "lstsq", "cholesky", "lbfgs", "newton", "gd"}, default="auto"
        ``"lstsq"``: a thin SVD of the centered design with its columns
        scaled to a unit largest value (the features' units cost no digits);
        rank-revealing, gives the minimum-norm solution of a rank-deficient
        design (as ``numpy.linalg.lstsq``), fills ``rank_`` and
        ``singular_``, and warns (:class:`~xlogreg.exceptions.LinAlgWarning`)
        when a full-rank design's condition number exceeds ``1/sqrt(eps)``.
        ``"cholesky"``: the normal equations ``(XᵀX + alpha·I) B = XᵀY``,
        cheaper for many samples; they lose ``log10 cond(X)`` more digits
        than the SVD, so when ``XᵀX`` (scaled to a unit diagonal) is singular
        or its condition number exceeds ``eps^(-1/3)`` of the dtype (1.7e5 in
        float64, 203 in float32: more than a sixth of the digits given up) it
        warns (:class:`~xlogreg.exceptions.LinAlgWarning`) and falls back to
        ``"lstsq"``. ``"gd"``: full-batch gradient descent on
        the raw (uncentered) data from zero with the intercept as a parameter,
        as in seed 003, with ``learning_rate``, ``tol`` and ``max_iter``.
        ``"lbfgs"`` and ``"newton"`` minimize the same objective as ``"gd"``
        with those solvers (Newton solves it in one step), to ``tol``.
        ``"auto"`` picks ``"lstsq"`` for ``alpha == 0`` (least squares may be
        rank-deficient, and the SVD reports it) and ``"cholesky"`` for
        ``alpha > 0`` (the ridge Gram matrix is positive definite), falling
        back to ``"lstsq"`` silently where ``"cholesky"`` would warn; for a
        Dask ``X``, which only the iterative solvers take, ``"newton"``.
    alpha : float, default=0.0
        L2 (ridge) penalty strength, ``>= 0`` and finite, as scikit-learn's
        ``Ridge(alpha)``: it is added to ``XᵀX``, not scaled by the sample count.
    tol : float, default=1e-6
        The iterative solvers stop when the max-norm of the objective's
        gradient is at most ``tol``. Unused by the direct solvers.
    max_iter : int, default=1000
        Most iterations of the iterative solvers.
    learning_rate : float, default=0.01
        Step size of ``solver="gd"``. Gradient descent is stable when it is
        below ``1 / λ_max`` of the weighted mean of ``[x, 1][x, 1]ᵀ`` (seed 003:
        0.05 converges, 0.2 diverges); a divergence is reported with a
        :class:`~xlogreg.exceptions.ConvergenceWarning` and the last finite
        iterate is kept, never NaN.
    inference : bool, default=False
        End ``fit`` by computing the covariance of the coefficients, on the
        device (one more ``O(n·d²)`` Gram product and a ``d×d`` inverse), for
        ``coef_stderr_``, ``intercept_stderr_``, ``coef_covariance_`` and
        :meth:`summary`; see Notes.

    Attributes
    ----------
    coef_ : array of shape (n_features,) or (n_targets, n_features)
        Coefficients; 2-D when ``y`` was 2-D.
    intercept_ : 0-d array or array of shape (n_targets,)
        Intercepts (zero without ``fit_intercept``). A 0-d array of the input's
        library for a 1-D ``y``, where scikit-learn has a Python float.
    scaler_ : StandardScaler or None
        The training statistics when ``standardize=True``.
    rank_ : int or None
        Numerical rank of the weighted, centered design, from the SVD:
        ``n_features`` when that design with its columns scaled to a unit
        largest value has every singular value above
        ``eps·max(n_samples, n_features)`` times the largest (a rank free of
        the features' units), else the count of ``singular_`` above that
        cutoff, as ``numpy.linalg.lstsq``; ``None`` when the SVD did not run
        (``"cholesky"`` without a fallback, the iterative solvers).
    singular_ : array of shape (min(n_samples, n_features),) or None
        Singular values of that design, descending; ``None`` like ``rank_``.
    n_iter_ : int or None
        Iterations of an iterative solver; ``None`` for the direct solvers.
    solver_ : str
        The solve that produced the coefficients: ``"auto"`` resolved, and
        ``"lstsq"`` after a Cholesky fallback.
    n_features_in_ : int
    converged_ : bool
        Whether an iterative solver met its stopping rule (always true for
        direct solves).
    loss_history_ : tuple of float or None
        Objective value at the start and after every iteration of an
        iterative solver; ``None`` for the direct solvers.
    coef_stderr_, intercept_stderr_ : arrays of the shapes of ``coef_``, ``intercept_``
        Standard errors, with ``inference=True`` (accessing them otherwise
        raises :class:`~xlogreg.exceptions.NotFittedError`).
    coef_covariance_ : array
        Covariance of the estimates, intercept first: shape ``(n_features + 1,
        n_features + 1)`` for a 1-D ``y``, one such matrix per target for a 2-D
        ``y`` (without the ``+ 1`` when ``fit_intercept=False``); with
        ``inference=True``.
    feature_names_in_ : tuple of str
        The names of the features: ``fit``'s ``feature_names``, else the
        columns of a pandas or polars DataFrame ``X``, else ``("x0", "x1", …)``.
    training_profile_ : TrainingProfile
        Mean, standard deviation, minimum and maximum of each raw training
        feature (unweighted) and the row count, for :meth:`drift`; see
        :class:`xlogreg.drift.TrainingProfile`.

    Notes
    -----
    **Statistical inference** (``inference=True``, see :meth:`summary`). With
    ``G = [X, 1]ᵀ S [X, 1]`` (``S`` the sample weights, counted as frequency
    weights: a weight of 2 is a repeated row), ``G_α = G + alpha·I`` on the
    coefficients and ``σ² = Σ s·r² / (Σ s − n_params)`` from the residuals
    ``r``, the covariance is ``σ² G_α⁻¹ G G_α⁻¹``: ``σ² G⁻¹``, statsmodels'
    ``OLS``, for ``alpha=0`` (matched to 1e-11 in float64), the sandwich of
    the ridge estimator otherwise. The t statistics have Student's t
    distribution with ``Σ s − n_params`` degrees of freedom, evaluated on the
    device; the p-values and intervals are **valid only for** ``alpha=0``.
    Each column of a 2-D ``y`` is its own regression. With
    ``standardize=True`` the covariance is carried to the original features
    by the linear map of the coefficients. ``G`` is never formed nor
    inverted: the covariance comes from a QR factorization of the centered
    design with unit columns (stacked on ``sqrt(alpha)`` times the inverse
    column scales for ridge), which loses ``eps·cond`` of that design where
    inverting ``G`` would lose its square (NIST's Longley, raw: 13 digits of
    the certified standard errors in float64, 4 in float32). The fit raises
    ``ValueError`` when that condition number exceeds ``1/sqrt(eps)`` of the
    dtype (the message names the collinear columns; the ``"lstsq"`` solve
    itself would give the minimum-norm solution), when ``Σ s`` does not
    exceed the number of parameters, and when a target is fitted exactly.

    Examples
    --------
    Seed 003's request replay: latency against evidence length.

    >>> import numpy as np
    >>> from xlogreg import LinearRegression
    >>> x = np.array([[1.0], [2.0], [3.0], [4.0], [5.0]])
    >>> y = np.array([118.0, 141.0, 162.0, 181.0, 198.0])
    >>> model = LinearRegression().fit(x, y)
    >>> model.intercept_, model.coef_
    (array(100.), array([20.]))
    >>> model.predict(np.array([[6.0]]))
    array([220.])
    >>> round(model.score(x, y), 4)
    0.9965

    A duplicated column leaves the rank at 1; the minimum-norm coefficients
    split the slope and predict the same line:

    >>> model = LinearRegression().fit(np.c_[x, 2 * x], y)
    >>> model.rank_, np.round(model.coef_, 2)
    (1, array([4., 8.]))

    Gradient descent from zero with seed 003's learning rate: the loss after
    the first step, and the line it converges to.

    >>> model = LinearRegression(solver="gd", learning_rate=0.05, tol=1e-5).fit(x, y)
    >>> round(model.loss_history_[1], 2), model.n_iter_
    (2194.8, 875)
    >>> round(float(model.intercept_), 2), np.round(model.coef_, 2)
    (100.0, array([20.]))

    Standard errors, t statistics, p-values and 95% intervals, as statsmodels'
    ``OLS`` gives them:

    >>> model = LinearRegression(inference=True).fit(x, y)
    >>> np.round(model.coef_stderr_, 4)
    array([0.6831])
    >>> print(model.summary())
                      coef     std err           t       P>|t|      [0.025      0.975]
    ----------------------------------------------------------------------------------
    intercept          100       2.266       44.14    2.56e-05       92.79       107.2
    x0                  20      0.6831       29.28   8.751e-05       17.83       22.17
    ----------------------------------------------------------------------------------
    t statistics with 3 residual degrees of freedom.
    """

    _estimator_role = "regressor"
    _multi_output = True
    _fitted_attributes = ("coef_", "intercept_", "feature_names_in_", "training_profile_")

    def __init__(
        self,
        *,
        fit_intercept: bool = True,
        standardize: bool = False,
        solver: str = "auto",
        alpha: float = 0.0,
        tol: float = 1e-6,
        max_iter: int = 1000,
        learning_rate: float = 0.01,
        inference: bool = False,
    ) -> None:
        self.fit_intercept = fit_intercept
        self.standardize = standardize
        self.solver = solver
        self.alpha = alpha
        self.tol = tol
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.inference = inference

    def _validate_params(self) -> None:
        """See :func:`check_regression_params`."""
        check_regression_params(self)

    def _check_fitted_state(self) -> None:
        """See :meth:`BaseEstimator._check_fitted_state` and :func:`check_regression_state`."""
        check_regression_state(self)

    def _resolved_solver(self) -> str:
        if self.solver != "auto":
            return self.solver
        return "lstsq" if self.alpha == 0 else "cholesky"

    def fit(
        self, X: Any, y: Any, sample_weight: Any = None, *, feature_names: Any = None
    ) -> LinearRegression:
        """Fit the model on ``X`` and real-valued targets ``y``.

        Parameters
        ----------
        X : array of shape (n_samples, n_features), a DataFrame, or a Dask array
            Training data; any supported array library and device. A pandas
            or polars DataFrame is converted to NumPy, its string columns
            naming the features. A Dask array (NumPy or CuPy chunks of rows,
            possibly on a ``dask.distributed`` cluster) is fitted where its
            chunks live (see the README's Dask section); ``y`` and
            ``sample_weight`` may then be Dask or NumPy arrays.
        y : array of shape (n_samples,) or (n_samples, n_targets)
            Targets; numeric and finite.
        sample_weight : array of shape (n_samples,) or float, optional
            Non-negative weights; default all ones.
        feature_names : sequence of str, optional
            Unique names of the features (``feature_names_in_``); by default
            the DataFrame's string columns, else ``("x0", "x1", …)``.

        Returns
        -------
        LinearRegression
            The fitted estimator.

        Raises
        ------
        TypeError
            Non-numeric ``X`` or ``y``, inputs from different array libraries,
            or feature names that are not strings.
        ValueError
            Invalid hyper-parameters, shapes, non-finite values, values of
            ``X`` or ``y`` too large for what the solver computes (squares,
            or differences for the unpenalized direct solves; naming the
            column), invalid weights (or weights whose sum overflows), or
            feature names that repeat, are too few or too many, or differ
            from the DataFrame's columns. A failed fit leaves an earlier
            fitted state untouched.

        Warns
        -----
        LinAlgWarning
            ``solver="cholesky"`` met a singular or ill-conditioned Gram matrix
            and used the SVD, or the SVD met a design too ill-conditioned for
            the dtype.
        ConvergenceWarning
            ``solver="gd"`` reached ``max_iter`` or diverged.
        """
        self._validate_params()
        if is_chunked(X):
            return fit_on_chunks(self, X, y, sample_weight, feature_names)
        X, feature_names = self._fit_input(X, feature_names, y=y, sample_weight=sample_weight)
        xp, device = resolve(X=X, y=y, sample_weight=sample_weight)
        solver = self._resolved_solver()
        # Unpenalized least squares does not depend on the columns' scales, and the
        # direct solves equilibrate them exactly (powers of two): they take the raw
        # data, which keep the digits that standardizing in float32 would round away
        # (NIST's Wampler1 in float32: 6.4 digits against 1.9), and no standardized copy.
        raw_solve = solver not in ITERATIVE_SOLVERS and self.alpha == 0
        # What the solve computes from the data: the raw-column solves centre it (and
        # the SVD equilibrates), the others form squares (Gram matrix, squared
        # errors) of y and of X unless the scaler, which checks its own statistics,
        # standardizes it.
        overflow = "differences" if raw_solve else "squares"
        X = check_features(
            X,
            xp=xp,
            device=device,
            overflow=None if self.standardize and not raw_solve else overflow,
        )
        n_samples, n_features = X.shape
        y = check_regression_target(
            y, xp=xp, device=device, n_samples=n_samples, dtype=X.dtype, overflow=overflow
        )
        weighted = sample_weight is not None
        sample_weight = check_sample_weight(
            sample_weight, xp=xp, device=device, n_samples=n_samples, dtype=X.dtype
        )
        Y = y if y.ndim == 2 else y[:, None]
        raw, scaler, scaler_for_fit = X, None, None
        if self.standardize and raw_solve:
            scaler = StandardScaler(with_mean=self.fit_intercept).fit(
                X, sample_weight=sample_weight
            )
        elif self.standardize:
            X, scaler = standardize_for_fit(X, sample_weight, center=self.fit_intercept)
            scaler_for_fit = scaler
        profile = fit_profile(raw, profile_moments(scaler, weighted=weighted), xp=xp, device=device)
        # The raw-column solves take values up to half the largest float, whose
        # column variances (in the profile) can overflow all the same.
        check_finite_moments(profile.mean, profile.std, xp=xp, feature_names=feature_names)
        if solver in ITERATIVE_SOLVERS:
            objective = SquaredError(
                X,
                Y,
                sample_weight,
                alpha=float(self.alpha),
                fit_intercept=self.fit_intercept,
                xp=xp,
            )
            coef, intercept, extra = fit_iterative(self, objective, objective.layout, solver, X)
        else:
            solve = svd_solve
            if solver == "cholesky":
                # "auto" only prefers the normal equations: its fallback is silent.
                solve = functools.partial(cholesky_solve, warn=self.solver == "cholesky")
            result = solve(
                X,
                Y,
                sample_weight,
                alpha=float(self.alpha),
                fit_intercept=self.fit_intercept,
                xp=xp,
            )
            coef, intercept = result.coef, result.intercept
            extra = diagnostics(result.method, rank=result.rank, singular=result.singular_values)
        inference = None
        if self.inference:
            inference = least_squares_covariance(
                X,
                y,
                sample_weight,
                coef,
                intercept,
                alpha=float(self.alpha),
                fit_intercept=self.fit_intercept,
                scaler=scaler_for_fit,
                xp=xp,
            )
        if scaler_for_fit is not None:
            coef, intercept = to_original_scale(coef, intercept, scaler_for_fit)
        extra["scaler_"] = scaler
        return store_solution(
            self,
            coef,
            intercept,
            one_target=y.ndim == 1,
            n_features_in_=n_features,
            _inference=inference,
            feature_names_in_=feature_names,
            training_profile_=profile,
            **extra,
        )
