"""The steps of :meth:`LinearRegression.fit <xlogreg.LinearRegression.fit>` that its
direct, iterative and Dask fits share: the iterative solve, the diagnostics and
the fitted state; and its fit on a Dask array (:func:`fit_on_chunks`)."""

from __future__ import annotations

from typing import Any

import array_api_compat

from xlogreg._validation import check_finite_solution
from xlogreg.linear_model._dask_fit import ChunkLoss, chunked_problem
from xlogreg.linear_model._params import REGRESSION_ITERATIVE_SOLVERS
from xlogreg.linear_model._standardize import to_original_scale
from xlogreg.objectives import SquaredError
from xlogreg.objectives._layout import OutputLayout
from xlogreg.solvers import minimize

__all__ = ["diagnostics", "fit_iterative", "fit_on_chunks", "store_solution"]


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


def fit_on_chunks(model: Any, X: Any, y: Any, sample_weight: Any, feature_names: Any) -> Any:
    """Fit on a Dask array with an iterative solver, each evaluation summed over the
    chunks where they live (``"auto"`` is ``"newton"``: one Newton step solves the
    normal equations, from the chunks' Gram matrices)."""
    solver = "newton" if model.solver == "auto" else model.solver
    problem = chunked_problem(
        model,
        X,
        y,
        sample_weight,
        feature_names,
        target="values",
        solver_refused=solver not in REGRESSION_ITERATIVE_SOLVERS,
        solvers=("auto", *REGRESSION_ITERATIVE_SOLVERS),
        # y's shape is known once the pass checked it.
        chunk_loss=lambda data: ChunkLoss(
            SquaredError, "alpha", float(model.alpha), n_outputs=y.shape[1] if y.ndim == 2 else 1
        ),
    )
    scaler, data = problem.scaler, problem.data
    coef, intercept, extra = fit_iterative(
        model, problem.objective, problem.layout, solver, problem.zeros
    )
    if scaler is not None:
        coef, intercept = to_original_scale(coef, intercept, scaler)
    return store_solution(
        model,
        coef,
        intercept,
        one_target=y.ndim == 1,
        n_features_in_=data.n_features,
        _inference=None,
        feature_names_in_=problem.feature_names,
        training_profile_=data.profile,
        scaler_=scaler,
        **extra,
    )
