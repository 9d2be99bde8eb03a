"""The steps of the regressions' fits (:class:`~xlogreg.LinearRegression`,
:class:`~xlogreg.ElasticNet`) that their direct, iterative and Dask fits share:
the iterative solve and its start, the diagnostics and the fitted state; and
the fit on a Dask array (:func:`chunked_regression`, :func:`store_chunked_solution`,
:func:`fit_on_chunks`)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import array_api_compat

from xlogreg._backend import resolve
from xlogreg._validation import check_finite_solution
from xlogreg.linear_model._dask_fit import ChunkedProblem, ChunkLoss, chunked_problem
from xlogreg.linear_model._params import REGRESSION_ITERATIVE_SOLVERS
from xlogreg.linear_model._standardize import to_original_scale, to_standardized_scale
from xlogreg.objectives import SquaredError
from xlogreg.objectives._layout import OutputLayout
from xlogreg.preprocessing import StandardScaler
from xlogreg.solvers import minimize

__all__ = [
    "chunked_regression",
    "diagnostics",
    "fit_iterative",
    "fit_on_chunks",
    "store_chunked_solution",
    "store_solution",
    "warm_start_params",
]


def diagnostics(
    solver: str,
    *,
    rank: int | None = None,
    singular: Any = None,
    n_iter: int | None = None,
    converged: bool = True,
    loss_history: tuple[float, ...] | None = None,
) -> dict[str, Any]:
    """The fitted attributes that describe the solve (``None`` where a solver has none)."""
    return {
        "rank_": rank,
        "singular_": singular,
        "n_iter_": n_iter,
        "solver_": solver,
        "converged_": converged,
        "loss_history_": loss_history,
    }


def fit_iterative(
    model: Any, objective: Any, layout: OutputLayout, solver: str, like: Any
) -> tuple[Any, Any, dict]:
    """Minimize ``objective`` with ``solver`` from zero (in the dtype and on the device
    of ``like``): coefficients (one row per target), intercepts and the diagnostics
    to store."""
    xp = objective.xp
    device = array_api_compat.device(like)
    start = xp.zeros(objective.n_params, dtype=like.dtype, device=device)
    result = minimize(
        objective,
        start,
        method=solver,
        tol=float(model.tol),
        max_iter=int(model.max_iter),
        learning_rate=float(model.learning_rate),
    )
    coef, intercept = layout.coef_and_intercept(result.x)
    return (
        coef,
        intercept,
        diagnostics(
            solver,
            n_iter=result.n_iter,
            converged=result.converged,
            loss_history=result.loss_history,
        ),
    )


def warm_start_params(
    model: Any, layout: OutputLayout, like: Any, *, scaler: StandardScaler | None
) -> Any:
    """The previous solution as a flat start, with ``warm_start`` (on the standardized
    features with a ``scaler``), in the dtype and on the device of ``like``; ``None``
    without one: not fitted, fitted on another library or device, or on another shape."""
    if not (model.warm_start and hasattr(model, "coef_")):
        return None
    try:
        resolve(like=like, coef_=model.coef_)
    except (TypeError, ValueError):
        return None  # fitted elsewhere: no usable starting point here
    xp = layout.xp
    coef, intercept = model.coef_, model.intercept_
    if coef.ndim == 1:  # one target: coef_ (n_features,) and a 0-d intercept_
        coef, intercept = coef[None, :], xp.reshape(intercept, (1,))
    if tuple(coef.shape) != (layout.n_outputs, layout.n_features):
        return None
    if scaler is not None:
        coef, intercept = to_standardized_scale(coef, intercept, scaler)
    return xp.astype(layout.join(coef, intercept), like.dtype)


def store_solution(
    model: Any, coef: Any, intercept: Any, *, one_target: bool, **attributes: Any
) -> Any:
    """Set the fitted state: ``coef`` (one row per target) and ``intercept``, checked finite,
    1-D and 0-d for a 1-D ``y``, and the other fitted ``attributes``."""
    xp = array_api_compat.array_namespace(coef)
    check_finite_solution(coef, intercept, xp=xp, estimator=type(model).__name__)
    if one_target:
        # ``[0, ...]`` keeps a 0-d array where NumPy's ``[0]`` gives a scalar.
        coef, intercept = coef[0, :], intercept[0, ...]
    model._set_fitted(coef_=coef, intercept_=intercept, **attributes)
    return model


def chunked_regression(
    model: Any,
    X: Any,
    y: Any,
    sample_weight: Any,
    feature_names: Any,
    *,
    solver_refused: bool,
    solvers: tuple[str, ...],
    ridge: Callable[[float], float],
) -> ChunkedProblem:
    """The squared error of a regression on a Dask array, summed over its chunks where they
    live (:func:`~xlogreg.linear_model._dask_fit.chunked_problem`), with the ridge strength
    ``ridge(weight_sum)`` of :class:`~xlogreg.objectives.SquaredError` given the total
    sample weight."""
    return chunked_problem(
        model,
        X,
        y,
        sample_weight,
        feature_names,
        target="values",
        solver_refused=solver_refused,
        solvers=solvers,
        # y's shape is known once the pass checked it.
        chunk_loss=lambda data: ChunkLoss(
            SquaredError,
            "alpha",
            ridge(math.fsum(data.weight_sums)),
            n_outputs=y.shape[1] if y.ndim == 2 else 1,
        ),
    )


def store_chunked_solution(
    model: Any,
    problem: ChunkedProblem,
    coef: Any,
    intercept: Any,
    *,
    one_target: bool,
    **attributes: Any,
) -> Any:
    """:func:`store_solution` of a Dask fit: ``coef`` and ``intercept`` (on the standardized
    features with ``problem``'s scaler) and what the chunks' pass found."""
    scaler, data = problem.scaler, problem.data
    if scaler is not None:
        coef, intercept = to_original_scale(coef, intercept, scaler)
    return store_solution(
        model,
        coef,
        intercept,
        one_target=one_target,
        n_features_in_=data.n_features,
        feature_names_in_=problem.feature_names,
        training_profile_=data.profile,
        scaler_=scaler,
        **attributes,
    )


def fit_on_chunks(model: Any, X: Any, y: Any, sample_weight: Any, feature_names: Any) -> Any:
    """Fit a :class:`~xlogreg.LinearRegression` on a Dask array with an iterative solver,
    each evaluation summed over the chunks where they live (``"auto"`` is ``"newton"``:
    one Newton step solves the normal equations, from the chunks' Gram matrices)."""
    solver = "newton" if model.solver == "auto" else model.solver
    alpha = float(model.alpha)
    problem = chunked_regression(
        model,
        X,
        y,
        sample_weight,
        feature_names,
        solver_refused=solver not in REGRESSION_ITERATIVE_SOLVERS,
        solvers=("auto", *REGRESSION_ITERATIVE_SOLVERS),
        ridge=lambda weight_sum: alpha,
    )
    coef, intercept, extra = fit_iterative(
        model, problem.objective, problem.layout, solver, problem.zeros
    )
    return store_chunked_solution(
        model, problem, coef, intercept, one_target=y.ndim == 1, _inference=None, **extra
    )
