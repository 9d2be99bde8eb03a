"""The lasso and the elastic net: least squares with an L1 (and L2) penalty, on any library."""

from __future__ import annotations

from typing import Any

import array_api_compat

from xlogreg._backend import is_chunked, resolve
from xlogreg._moments import check_finite_moments
from xlogreg._profile import fit_profile
from xlogreg._target_validation import check_regression_target, check_sample_weight
from xlogreg._validation import check_features
from xlogreg.base import BaseEstimator
from xlogreg.linear_model._linear_fit import (
    chunked_regression,
    store_chunked_solution,
    store_solution,
    warm_start_params,
)
from xlogreg.linear_model._monitoring import MonitoringMixin
from xlogreg.linear_model._params import check_elastic_net_params
from xlogreg.linear_model._predict import RegressionPredictMixin
from xlogreg.linear_model._standardize import (
    profile_moments,
    standardize_for_fit,
    to_original_scale,
)
from xlogreg.linear_model._state import check_regression_state
from xlogreg.objectives import SquaredError
from xlogreg.objectives._layout import OutputLayout
from xlogreg.objectives._penalty import L1, elastic_net_strengths
from xlogreg.preprocessing import StandardScaler
from xlogreg.solvers import PROXIMAL_METHODS, minimize

__all__ = ["ElasticNet", "Lasso"]


class ElasticNet(RegressionPredictMixin, MonitoringMixin, BaseEstimator):
    """Linear regression with a combined L1 and L2 penalty, scikit-learn's ``ElasticNet``.

    Minimizes scikit-learn's objective

    ``Σᵢ sᵢ(yᵢ − w·xᵢ − b)² / (2 Σᵢ sᵢ) + alpha·l1_ratio·‖w‖₁ + alpha·(1 − l1_ratio)/2·‖w‖²``

    (with the sample weights ``s``; never penalizing the intercept ``b``), by
    proximal Newton or FISTA on whatever array library holds the data: the
    learned attributes and predictions come back in the same library, on the
    same device, in the same floating dtype. The solution has exact zeros.
    A 2-D ``y`` fits one independent model per column, as scikit-learn does.

    Parameters
    ----------
    alpha : float, default=1.0
        Strength of the penalty, ``>= 0`` and finite; ``0`` means no penalty
        (least squares, by the smooth solvers).
    l1_ratio : float, default=0.5
        Share of the L1 part, in ``[0, 1]``: ``1`` is the lasso, ``0`` ridge
        regression (scikit-learn's ``Ridge(alpha·Σᵢ sᵢ)``, by the smooth solvers).
    fit_intercept : bool, default=True
        Whether to fit an unpenalized intercept.
    standardize : bool, default=False
        Fit on standardized features (a :class:`~xlogreg.StandardScaler`
        fitted with ``sample_weight``, centring only with an intercept), as
        ``make_pipeline(StandardScaler(), model)`` would, and report ``coef_``
        and ``intercept_`` on the original features: the penalty applies to
        the standardized coefficients, and a coefficient that is zero there is
        zero here.
    solver : {"auto", "newton", "fista"}, default="auto"
        ``"newton"``: proximal Newton on a working set of features (the
        nonzero coefficients and those whose optimality condition fails),
        with coordinate descent on its small quadratic problem;
        ``"fista"``: accelerated proximal gradient, which forms no Hessian.
        ``"auto"``: the first up to 2048 features, the second above. Without
        an L1 part (``alpha=0`` or ``l1_ratio=0``) they are the smooth
        solvers of the same names (``"auto"``: L-BFGS then Newton, or Newton
        alone on a Dask array). See :func:`xlogreg.solvers.minimize`.
    tol : float, default=1e-6
        Stop when the max-norm of the minimum-norm subgradient of the
        minimized objective is at most ``tol`` (the gradient's without an L1
        part). xlogreg minimizes **twice** the objective above, the mean
        squared error scale of :class:`~xlogreg.LinearRegression`:
        ``Σᵢ sᵢ(yᵢ − w·xᵢ − b)² / Σᵢ sᵢ + 2·alpha·l1_ratio·‖w‖₁ +
        alpha·(1 − l1_ratio)·‖w‖²``, whose (sub)gradient is twice
        scikit-learn's; ``tol`` and ``loss_history_`` refer to that scale.
        Measured on the standardized features with ``standardize=True``.
        (scikit-learn's ``tol`` bounds a duality gap instead.)
    max_iter : int, default=1000
        Most iterations of the solver.
    warm_start : bool, default=False
        Start the next ``fit`` from the current solution (on the same
        library, device and shape; otherwise from zero).

    Attributes
    ----------
    coef_ : array of shape (n_features,) or (n_targets, n_features)
        Coefficients, exactly zero outside the support; 2-D when ``y`` was 2-D.
    intercept_ : 0-d array or array of shape (n_targets,)
        Intercepts (zero without ``fit_intercept``); a 0-d array of the
        input's library for a 1-D ``y``, where scikit-learn has a float.
    n_iter_ : int
        Iterations of the solver (one count for every target: they are
        fitted together, each iteration reading ``X`` once for all of them).
    converged_ : bool
        Whether the solver met its stopping rule (see ``tol``); when it did
        not, ``fit`` warned (:class:`~xlogreg.exceptions.ConvergenceWarning`).
    loss_history_ : tuple of float
        The minimized objective (on ``tol``'s scale) at the start and after
        every iteration.
    scaler_ : StandardScaler or None
        The training statistics when ``standardize=True``.
    n_features_in_ : int
    feature_names_in_ : tuple of str
        The names of the features: ``fit``'s ``feature_names``, else the
        columns of a pandas or polars DataFrame ``X``, else ``("x0", "x1", …)``.
    training_profile_ : TrainingProfile
        Statistics of each raw training feature, for :meth:`drift`.

    See Also
    --------
    Lasso : The elastic net with ``l1_ratio=1``.
    LinearRegression : Least squares and ridge regression, with direct solvers.

    Notes
    -----
    There is no ``inference``: the standard errors of
    :class:`~xlogreg.LinearRegression` assume a smooth penalty, and the L1
    penalty's kink at zero invalidates them.

    Examples
    --------
    >>> import numpy as np
    >>> from xlogreg import ElasticNet
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 4))
    >>> y = X @ np.array([2.0, 0.0, -1.0, 0.0]) + 0.1 * rng.standard_normal(100)
    >>> model = ElasticNet(alpha=0.1, l1_ratio=0.7).fit(X, y)
    >>> np.round(model.coef_, 3)
    array([ 1.84 ,  0.   , -0.887,  0.   ])
    >>> model.converged_
    True
    """

    _estimator_role = "regressor"
    _multi_output = True
    _fitted_attributes = ("coef_", "intercept_", "feature_names_in_", "training_profile_")
    #: Never: see the Notes. The Dask fit, shared with LinearRegression, asks.
    inference = False

    def __init__(
        self,
        alpha: float = 1.0,
        *,
        l1_ratio: float = 0.5,
        fit_intercept: bool = True,
        standardize: bool = False,
        solver: str = "auto",
        tol: float = 1e-6,
        max_iter: int = 1000,
        warm_start: bool = False,
    ) -> None:
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.standardize = standardize
        self.solver = solver
        self.tol = tol
        self.max_iter = max_iter
        self.warm_start = warm_start

    def _validate_params(self) -> None:
        """See :func:`check_elastic_net_params`."""
        check_elastic_net_params(self)

    def _check_fitted_state(self) -> None:
        """See :meth:`BaseEstimator._check_fitted_state` and :func:`check_regression_state`."""
        check_regression_state(self)

    def _strengths(self) -> tuple[float, float]:
        """``(l2, l1)``: the penalties of twice scikit-learn's objective, per unit of weight.

        Twice the objective is ``Σ s r² / Σ s + l2·‖w‖² + l1·‖w‖₁`` with
        ``l2 = alpha·(1 − l1_ratio)`` and ``l1 = 2·alpha·l1_ratio``:
        :class:`~xlogreg.objectives.SquaredError` of ridge strength
        ``l2·Σ s`` (it averages its penalty over ``Σ s``), and an
        :class:`~xlogreg.objectives._penalty.L1` of strength ``l1``, not averaged.
        """
        l2, l1 = elastic_net_strengths(float(self.alpha), float(self.l1_ratio))
        return l2, 2.0 * l1

    def _solve(
        self,
        objective: Any,
        layout: OutputLayout,
        like: Any,
        *,
        scaler: StandardScaler | None,
        chunked: bool,
    ) -> tuple[Any, Any, dict[str, Any]]:
        """Minimize ``objective`` plus the L1 part from zero or the warm start: coefficients
        (one row per target), intercepts, and the diagnostics to store."""
        device = array_api_compat.device(like)
        start = warm_start_params(self, layout, like, scaler=scaler)
        if start is None:
            start = _intercept_only(objective, layout, like)
        strength = self._strengths()[1]
        penalty = None
        if strength > 0.0:
            penalty = L1(strength, layout=layout, dtype=like.dtype, device=device)
        solver = self.solver
        if penalty is None and chunked and solver == "auto":
            solver = "newton"  # one Newton step solves the quadratic, from the chunks' Grams
        result = minimize(
            objective,
            start,
            method=solver,
            tol=float(self.tol),
            max_iter=int(self.max_iter),
            penalty=penalty,
        )
        coef, intercept = layout.coef_and_intercept(result.x)
        return (
            coef,
            intercept,
            {
                "n_iter_": result.n_iter,
                "converged_": result.converged,
                "loss_history_": result.loss_history,
            },
        )

    def fit(
        self, X: Any, y: Any, sample_weight: Any = None, *, feature_names: Any = None
    ) -> ElasticNet:
        """Fit the model on ``X`` and real-valued targets ``y``.

        Parameters
        ----------
        X : array of shape (n_samples, n_features), a DataFrame, or a Dask array
            Training data; any supported array library and device. A pandas
            or polars DataFrame is converted to NumPy, its string columns
            naming the features. A Dask array (NumPy or CuPy chunks of rows)
            is fitted where its chunks live, each solver evaluation summed
            over them; ``y`` and ``sample_weight`` may then be Dask or NumPy
            arrays.
        y : array of shape (n_samples,) or (n_samples, n_targets)
            Targets; numeric and finite.
        sample_weight : array of shape (n_samples,) or float, optional
            Non-negative weights; default all ones.
        feature_names : sequence of str, optional
            Unique names of the features (``feature_names_in_``).

        Returns
        -------
        ElasticNet
            The fitted estimator.

        Raises
        ------
        TypeError
            Non-numeric ``X`` or ``y``, inputs from different array libraries,
            or feature names that are not strings.
        ValueError
            Invalid hyper-parameters (``alpha < 0``, ``l1_ratio`` outside
            ``[0, 1]``, a solver other than ``"auto"``, ``"newton"``,
            ``"fista"``: before any work), shapes, non-finite values, values
            whose squares overflow, invalid weights, or feature names that do
            not fit. A failed fit leaves an earlier fitted state untouched.

        Warns
        -----
        ConvergenceWarning
            The solver stopped before meeting ``tol`` (``max_iter`` reached,
            or no more progress), naming the final subgradient max-norm.
        """
        self._validate_params()
        if is_chunked(X):
            return self._fit_on_chunks(X, y, sample_weight, feature_names)
        X, feature_names = self._fit_input(X, feature_names, y=y, sample_weight=sample_weight)
        xp, device = resolve(X=X, y=y, sample_weight=sample_weight)
        # The squared errors square X and y, unless the scaler (which checks its own
        # statistics) standardizes X.
        X = check_features(
            X, xp=xp, device=device, overflow=None if self.standardize else "squares"
        )
        n_samples, n_features = X.shape
        y = check_regression_target(
            y, xp=xp, device=device, n_samples=n_samples, dtype=X.dtype, overflow="squares"
        )
        weighted = sample_weight is not None
        sample_weight = check_sample_weight(
            sample_weight, xp=xp, device=device, n_samples=n_samples, dtype=X.dtype
        )
        raw, scaler = X, None
        if self.standardize:
            X, scaler = standardize_for_fit(X, sample_weight, center=self.fit_intercept)
        profile = fit_profile(raw, profile_moments(scaler, weighted=weighted), xp=xp, device=device)
        check_finite_moments(profile.mean, profile.std, xp=xp, feature_names=feature_names)
        objective = SquaredError(
            X,
            y if y.ndim == 2 else y[:, None],
            sample_weight,
            alpha=self._strengths()[0] * xp.sum(sample_weight),
            fit_intercept=self.fit_intercept,
            xp=xp,
        )
        coef, intercept, extra = self._solve(
            objective, objective.layout, X, scaler=scaler, chunked=False
        )
        if scaler is not None:
            coef, intercept = to_original_scale(coef, intercept, scaler)
        return store_solution(
            self,
            coef,
            intercept,
            one_target=y.ndim == 1,
            n_features_in_=n_features,
            feature_names_in_=feature_names,
            training_profile_=profile,
            scaler_=scaler,
            **extra,
        )

    def _fit_on_chunks(self, X: Any, y: Any, sample_weight: Any, feature_names: Any) -> Any:
        """Fit on a Dask array: the chunks checked and summarized in one pass, then the
        solver on the client, each evaluation summed over the chunks where they live."""
        l2 = self._strengths()[0]
        problem = chunked_regression(
            self,
            X,
            y,
            sample_weight,
            feature_names,
            solver_refused=False,  # every solver of ours takes a Dask X
            solvers=PROXIMAL_METHODS,
            ridge=lambda weight_sum: l2 * weight_sum,
        )
        coef, intercept, extra = self._solve(
            problem.objective, problem.layout, problem.zeros, scaler=problem.scaler, chunked=True
        )
        return store_chunked_solution(
            self, problem, coef, intercept, one_target=y.ndim == 1, **extra
        )


def _intercept_only(objective: Any, layout: OutputLayout, like: Any) -> Any:
    """The cold start: zero coefficients and, with intercepts, the optimal ones for them
    (each target's weighted mean), in the dtype and on the device of ``like``.

    From zero, the squared error's intercept gradient is ``−2·ȳ`` and its curvature
    ``2``: one gradient evaluation gives the means, on a Dask array too. When zero
    coefficients are optimal (``alpha`` at least scikit-learn's ``alpha_max``), the
    start is the solution, and the solver stops before its first iteration.
    """
    zeros = layout.xp.zeros(layout.n_params, dtype=like.dtype, device=array_api_compat.device(like))
    if not layout.fit_intercept:
        return zeros
    coef, _ = layout.split(zeros)
    _, grad = layout.split(objective.loss_grad(zeros)[1])
    return layout.join(coef, -0.5 * grad)


class Lasso(ElasticNet):
    """Linear regression with an L1 penalty, scikit-learn's ``Lasso``: the
    :class:`ElasticNet` with ``l1_ratio=1``.

    Minimizes ``Σᵢ sᵢ(yᵢ − w·xᵢ − b)² / (2 Σᵢ sᵢ) + alpha·‖w‖₁``; everything
    else is :class:`ElasticNet`'s.

    Parameters
    ----------
    alpha : float, default=1.0
        Strength of the L1 penalty, ``>= 0`` and finite; ``0`` means none.
    fit_intercept : bool, default=True
        As in :class:`ElasticNet`.
    standardize : bool, default=False
        As in :class:`ElasticNet`.
    solver : {"auto", "newton", "fista"}, default="auto"
        As in :class:`ElasticNet`.
    tol : float, default=1e-6
        As in :class:`ElasticNet`: on the scale of twice the objective above.
    max_iter : int, default=1000
        As in :class:`ElasticNet`.
    warm_start : bool, default=False
        As in :class:`ElasticNet`.

    Attributes
    ----------
    coef_, intercept_, n_iter_, converged_, loss_history_, scaler_, n_features_in_, \
feature_names_in_, training_profile_
        As in :class:`ElasticNet`.

    Examples
    --------
    >>> import numpy as np
    >>> from xlogreg import Lasso
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 4))
    >>> y = X @ np.array([2.0, 0.0, -1.0, 0.0]) + 0.1 * rng.standard_normal(100)
    >>> model = Lasso(alpha=0.1).fit(X, y)
    >>> np.round(model.coef_, 3)
    array([ 1.868,  0.   , -0.886,  0.   ])
    """

    #: Not a parameter: the lasso is the elastic net whose penalty is all L1.
    l1_ratio = 1.0

    def __init__(
        self,
        alpha: float = 1.0,
        *,
        fit_intercept: bool = True,
        standardize: bool = False,
        solver: str = "auto",
        tol: float = 1e-6,
        max_iter: int = 1000,
        warm_start: bool = False,
    ) -> None:
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.standardize = standardize
        self.solver = solver
        self.tol = tol
        self.max_iter = max_iter
        self.warm_start = warm_start
