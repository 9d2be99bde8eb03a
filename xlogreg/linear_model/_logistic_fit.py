"""The steps of :meth:`LogisticRegression.fit <xlogreg.LogisticRegression.fit>` that its
full-batch, mini-batch and Dask fits share.

From the data to the solver: the checked training data with the class weights
applied (:func:`checked_training_data`), the objective of a Dask fit's
chunks (:func:`chunk_loss`), the start (:func:`initial_params`) and the
solver's run (:func:`solve`). From the solver's flat solution to the fitted
state: :func:`store_solution`. The flat vector is read through
:class:`~xlogreg.objectives._layout.OutputLayout` (:func:`logistic_layout`).
"""

from __future__ import annotations

import functools
from typing import Any

import array_api_compat

from xlogreg._backend import host_list, resolve, to_numpy
from xlogreg._chunked_data import ChunkedData
from xlogreg._moments import check_finite_moments
from xlogreg._profile import TrainingProfile, fit_profile
from xlogreg._target_validation import check_class_target, check_sample_weight, check_two_classes
from xlogreg._validation import check_features, check_finite_solution
from xlogreg.linear_model._class_weight import class_factors, encoded_target
from xlogreg.linear_model._dask_fit import ChunkLoss, chunked_problem
from xlogreg.linear_model._progress import SolverProgress, print_iteration
from xlogreg.linear_model._standardize import (
    profile_moments,
    standardize_for_fit,
    to_original_scale,
    to_standardized_scale,
)
from xlogreg.objectives import Binomial, Multinomial
from xlogreg.objectives._layout import OutputLayout
from xlogreg.objectives._penalty import L1, elastic_net_strengths
from xlogreg.preprocessing import StandardScaler
from xlogreg.solvers import METHODS, minimize
from xlogreg.solvers._stochastic import STOCHASTIC_METHODS

__all__ = [
    "check_threshold_classes",
    "checked_training_data",
    "chunk_loss",
    "fit_on_chunks",
    "initial_params",
    "l1_penalty",
    "logistic_layout",
    "smooth_strength",
    "solve",
    "store_result",
    "store_solution",
]


def logistic_layout(
    n_features: int, n_classes: int, *, fit_intercept: bool, xp: Any
) -> OutputLayout:
    """The flat parameter vector of ``n_classes`` classes: one row ``(coef, intercept)``
    for two (the positive class's), one per class otherwise."""
    n_outputs = 1 if n_classes == 2 else n_classes
    return OutputLayout(
        n_features=n_features, n_outputs=n_outputs, fit_intercept=fit_intercept, xp=xp
    )


def check_threshold_classes(model: Any, classes: Any) -> None:
    """Refuse a ``threshold`` with other than two classes.

    Raises
    ------
    ValueError
        Naming the classes.
    """
    if model.threshold is not None and classes.shape[0] != 2:
        raise ValueError(
            f"threshold={model.threshold!r} applies to two classes, but y holds "
            f"{classes.shape[0]} ({host_list(classes)}); leave threshold=None, the "
            "multinomial model predicts the most probable class"
        )


def checked_training_data(
    model: Any, X: Any, y: Any, sample_weight: Any, *, xp: Any, device: Any
) -> tuple[Any, Any, Any, Any, StandardScaler | None, TrainingProfile]:
    """Checked ``X``, target, weights (class weights included), classes, scaler
    and the training profile of the raw ``X``.

    The target is the positive class's indicator for two classes and the
    one-hot matrix otherwise, in ``X``'s compute dtype.
    """
    # Unstandardized, the solvers form the squares of X (Hessian, curvature pairs);
    # standardized, the scaler checks its statistics.
    overflow = None if model.standardize else "squares"
    X = check_features(X, xp=xp, device=device, overflow=overflow)
    n_samples = X.shape[0]
    y, classes = check_class_target(y, xp=xp, device=device, n_samples=n_samples)
    check_threshold_classes(model, classes)
    weighted = sample_weight is not None
    sample_weight = check_sample_weight(
        sample_weight, xp=xp, device=device, n_samples=n_samples, dtype=X.dtype
    )
    raw, scaler = X, None
    if model.standardize:
        X, scaler = standardize_for_fit(X, sample_weight, center=model.fit_intercept)
    profile = fit_profile(raw, profile_moments(scaler, weighted=weighted), xp=xp, device=device)
    # The profile sums squares too: values whose squares fit one by one can
    # still have a column variance beyond the dtype (±1e154 in float64).
    check_finite_moments(profile.mean, profile.std, xp=xp)
    factors = None
    if model.class_weight is not None:
        one_hot = xp.astype(y[:, None] == classes[None, :], X.dtype)
        factors = class_factors(
            model.class_weight,
            classes,
            sample_weight @ one_hot,
            dtype=X.dtype,
            device=device,
            xp=xp,
        )
    target, sample_weight = encoded_target(
        y, sample_weight, classes=classes, class_factors=factors, xp=xp
    )
    return X, target, sample_weight, classes, scaler, profile


def chunk_loss(model: Any, data: ChunkedData) -> ChunkLoss:
    """The objective of a Dask fit's chunks: the classes checked, the class weights from
    the chunks' weight sums per class."""
    classes = data.labels
    check_two_classes(classes)
    check_threshold_classes(model, classes)
    factors, weight_sums = None, None
    if model.class_weight is not None:
        factors = class_factors(
            model.class_weight,
            classes,
            sum(data.label_weights),
            dtype=data.dtype,
            device=data.chunks.device,
            xp=data.xp,
        )
        weight_sums = [float(w @ factors) for w in data.label_weights]
    binary = classes.shape[0] == 2
    return ChunkLoss(
        Binomial if binary else Multinomial,
        "l2",
        smooth_strength(model),
        n_outputs=1 if binary else classes.shape[0],
        weight_sums=weight_sums,
        encode=functools.partial(encoded_target, classes=classes, class_factors=factors),
    )


def smooth_strength(model: Any) -> float:
    """The L2 part ``(1 − l1_ratio)/C`` of the penalty, for the smooth objective."""
    return elastic_net_strengths(1.0 / model.C, model.l1_ratio)[0]


def l1_penalty(model: Any, objective: Any, layout: OutputLayout, like: Any) -> L1 | None:
    """The L1 part ``l1_ratio/C·‖coef‖₁`` of the penalty, averaged as ``objective`` is, for the
    proximal solvers; ``None`` without one (``l1_ratio=0`` or ``C=inf``)."""
    strength = elastic_net_strengths(1.0 / model.C, model.l1_ratio)[1]
    if strength == 0.0:
        return None
    penalty = L1(strength, layout=layout, dtype=like.dtype, device=array_api_compat.device(like))
    return penalty.averaged(objective.weight_sum)


def initial_params(
    model: Any, layout: OutputLayout, like: Any, *, scaler: StandardScaler | None
) -> Any:
    """Zeros or, with ``warm_start``, the previous solution; dtype and device of ``like``."""
    xp = layout.xp
    zeros = xp.zeros(layout.n_params, dtype=like.dtype, device=array_api_compat.device(like))
    if not (model.warm_start and hasattr(model, "coef_")):
        return zeros
    try:
        resolve(like=like, coef_=model.coef_)
    except (TypeError, ValueError):
        return zeros  # fitted elsewhere: no usable starting point here
    if tuple(model.coef_.shape) != (layout.n_outputs, layout.n_features):
        return zeros
    coef, intercept = model.coef_, model.intercept_
    if scaler is not None:
        coef, intercept = to_standardized_scale(coef, intercept, scaler)
    return xp.astype(layout.join(coef, intercept), like.dtype)


def solve(
    model: Any,
    objective: Any,
    layout: OutputLayout,
    like: Any,
    *,
    scaler: StandardScaler | None,
    callback: Any,
) -> Any:
    """Run the full-batch solver from zeros or the warm start, reporting progress."""
    progress = SolverProgress(print_iteration if model.verbose else None, callback)
    result = minimize(
        objective,
        initial_params(model, layout, like, scaler=scaler),
        penalty=l1_penalty(model, objective, layout, like),
        method=model.solver,
        tol=model.tol,
        max_iter=model.max_iter,
        learning_rate=model.learning_rate,
        momentum=model.momentum,
        callback=progress,
    )
    progress.last(result)
    return result


def store_solution(
    model: Any,
    x: Any,
    *,
    n_features: int,
    classes: Any,
    scaler: StandardScaler | None,
    host_classes: Any = None,
    inference: Any = None,
    **diagnostics: Any,
) -> Any:
    """Set the fitted state from a solution ``x``: coefficients, intercepts and diagnostics.

    ``host_classes`` (fits streamed to another library) makes predictions
    on NumPy inputs possible, with host copies of the coefficients;
    ``inference`` is what :func:`~xlogreg.inference._covariance.logistic_covariance` computed.
    """
    xp = array_api_compat.array_namespace(x)
    check_finite_solution(x, xp=xp, estimator=type(model).__name__)
    layout = logistic_layout(n_features, classes.shape[0], fit_intercept=model.fit_intercept, xp=xp)
    coef, intercept = layout.coef_and_intercept(x)
    if classes.shape[0] != 2:
        # The softmax is unchanged by a shift common to every class: report
        # the centred solution, scikit-learn's convention. An L1 part of the
        # penalty is not unchanged by it: its minimizer keeps its coefficients.
        if model.l1_ratio == 0.0:
            coef = coef - xp.mean(coef, axis=0)
        intercept = intercept - xp.mean(intercept)
    if scaler is not None:
        coef, intercept = to_original_scale(coef, intercept, scaler)
    host = None
    if host_classes is not None:
        host = (to_numpy(coef), to_numpy(intercept), host_classes)
    model._set_fitted(
        coef_=coef,
        intercept_=intercept,
        scaler_=scaler,
        classes_=classes,
        n_features_in_=n_features,
        _host_parameters=host,
        _inference=inference,
        **diagnostics,
    )
    return model


def store_result(model: Any, result: Any, *, feature_names: Any, profile: Any, **store: Any) -> Any:
    """:func:`store_solution` of a full-batch solver's result, with its diagnostics."""
    return store_solution(
        model,
        result.x,
        n_iter_=result.n_iter,
        converged_=result.converged,
        loss_history_=result.loss_history,
        validation_loss_history_=None,
        feature_names_in_=feature_names,
        training_profile_=profile,
        **store,
    )


def fit_on_chunks(
    model: Any, X: Any, y: Any, sample_weight: Any, feature_names: Any, *, callback: Any
) -> Any:
    """Fit on a Dask array: chunks checked and summarized in one pass, then the
    solver on the client, each evaluation summed over the chunks where they live."""
    problem = chunked_problem(
        model,
        X,
        y,
        sample_weight,
        feature_names,
        target="labels",
        solver_refused=model.solver in STOCHASTIC_METHODS,
        solvers=("auto", *METHODS),
        chunk_loss=functools.partial(chunk_loss, model),
    )
    scaler, data = problem.scaler, problem.data
    result = solve(
        model, problem.objective, problem.layout, problem.zeros, scaler=scaler, callback=callback
    )
    return store_result(
        model,
        result,
        n_features=data.n_features,
        classes=data.labels,
        scaler=scaler,
        inference=None,
        feature_names=problem.feature_names,
        profile=data.profile,
    )
