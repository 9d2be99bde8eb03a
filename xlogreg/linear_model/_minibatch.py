"""Mini-batch fits of :class:`LogisticRegression` (``solver="sgd"`` or ``"adam"``).

The data may stay on the host and be streamed to ``device`` batch by batch.
"""

from __future__ import annotations

from typing import Any

import array_api_compat

from xlogreg._backend import compute_target, describe, host_list, resolve, to_device
from xlogreg._profile import converted_profile
from xlogreg.linear_model._logistic_fit import (
    checked_training_data,
    initial_params,
    logistic_layout,
    store_solution,
)
from xlogreg.linear_model._progress import print_epoch
from xlogreg.objectives import Binomial, Multinomial
from xlogreg.objectives._penalty import penalized_coordinates
from xlogreg.solvers._stochastic import make_batches, minibatch

__all__ = ["fit_minibatch"]


def fit_minibatch(
    model: Any,
    X: Any,
    y: Any,
    sample_weight: Any,
    *,
    feature_names: tuple[str, ...],
) -> Any:
    """``solver="sgd"`` or ``"adam"``: epochs of mini-batches, maybe streamed from the host.

    The training profile is computed on the host data, in tiles of rows (a
    memory map is never read whole into memory), and stored on ``device``.
    """
    host_xp, host_device = resolve(X=X, y=y, sample_weight=sample_weight)
    streaming = model.device is not None
    if streaming:
        if not array_api_compat.is_numpy_namespace(host_xp):
            raise ValueError(
                f"device={model.device!r} streams NumPy arrays from the host, but X is a "
                f"{describe(X)}; leave device=None to compute where X lives"
            )
        if model.standardize:
            raise ValueError(
                f"standardize=True is not supported with device={model.device!r}; "
                "standardize the NumPy data first (xlogreg.StandardScaler)"
            )
        xp, device = compute_target(model.device)
    else:
        xp, device = host_xp, host_device
    X, target, sample_weight, classes, scaler, profile = checked_training_data(
        model, X, y, sample_weight, xp=host_xp, device=host_device
    )
    # Streamed to another library, the model lives there (and keeps host copies).
    moved = streaming and not array_api_compat.is_numpy_namespace(xp)
    if moved and not host_xp.isdtype(classes.dtype, ("bool", "integral", "real floating")):
        raise ValueError(
            f"with device={model.device!r} the classes live on that device, so the labels "
            f"must be numbers or booleans, got {host_list(classes)}; encode them first"
        )
    batches = make_batches(
        (X, target, sample_weight),
        batch_size=model.batch_size,
        validation_fraction=model.validation_fraction if model.early_stopping else 0.0,
        random_state=model.random_state,
        xp=xp,
        device=device,
    )
    n_features, n_classes = X.shape[1], classes.shape[0]
    loss = Binomial if n_classes == 2 else Multinomial
    fit_intercept = model.fit_intercept

    def make_objective(X: Any, target: Any, sample_weight: Any) -> Any:
        return loss(X, target, sample_weight, l2=0.0, fit_intercept=fit_intercept, xp=xp)

    layout = logistic_layout(n_features, n_classes, fit_intercept=fit_intercept, xp=xp)
    mask = penalized_coordinates(layout, dtype=batches.dtype, device=device)
    result = minibatch(
        batches,
        make_objective,
        initial_params(model, layout, mask, scaler=scaler),
        xp=xp,
        method=model.solver,
        l2=1.0 / model.C,
        penalty_mask=mask,
        learning_rate=model.learning_rate,
        momentum=model.momentum,
        tol=model.tol,
        max_iter=model.max_iter,
        n_iter_no_change=model.n_iter_no_change,
        early_stopping=model.early_stopping,
        callback=print_epoch if model.verbose else None,
    )
    return store_solution(
        model,
        result.x,
        n_features=n_features,
        classes=to_device(classes, xp, device) if moved else classes,
        scaler=scaler,
        n_iter_=result.n_iter,
        converged_=result.converged,
        loss_history_=result.loss_history,
        validation_loss_history_=result.validation_loss_history,
        host_classes=classes if moved else None,
        feature_names_in_=feature_names,
        training_profile_=converted_profile(profile, lambda a: to_device(a, xp, device))
        if moved
        else profile,
    )
