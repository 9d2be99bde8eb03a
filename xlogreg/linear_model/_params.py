"""The linear models' hyper-parameters, checked before any work (in ``fit``, and when a
model is loaded): errors name the parameter and its allowed values."""

from __future__ import annotations

from typing import Any

from xlogreg._backend import check_random_state, parse_device
from xlogreg._validation import check_bool, check_choice, check_number
from xlogreg.solvers import METHODS, PROXIMAL_METHODS
from xlogreg.solvers._stochastic import STOCHASTIC_METHODS

__all__ = [
    "REGRESSION_ITERATIVE_SOLVERS",
    "REGRESSION_SOLVERS",
    "check_elastic_net_params",
    "check_l1_options",
    "check_logistic_params",
    "check_regression_params",
]

#: The solvers of :class:`~xlogreg.LinearRegression` that minimize its objective iteratively
#: (the only ones for a Dask ``X``).
REGRESSION_ITERATIVE_SOLVERS = ("lbfgs", "newton", "gd")
REGRESSION_SOLVERS = ("auto", "lstsq", "cholesky", *REGRESSION_ITERATIVE_SOLVERS)


def check_logistic_params(model: Any) -> None:
    """Check the parameters of a :class:`~xlogreg.LogisticRegression`, alone and together.

    Raises
    ------
    TypeError or ValueError
        Naming the parameter.
    """
    check_number(model.C, "C", low=0.0, low_open=True)
    check_number(model.l1_ratio, "l1_ratio", low=0.0, high=1.0)
    check_bool(model.fit_intercept, "fit_intercept")
    check_bool(model.standardize, "standardize")
    if not isinstance(model.solver, str) or model.solver not in METHODS + STOCHASTIC_METHODS:
        raise ValueError(
            f"solver must be one of {METHODS} (full batch) or {STOCHASTIC_METHODS} "
            f"(mini-batch), got {model.solver!r}"
        )
    check_number(model.tol, "tol", low=0.0, finite=True)
    check_number(model.max_iter, "max_iter", integer=True, low=1)
    check_number(model.learning_rate, "learning_rate", low=0.0, low_open=True, finite=True)
    check_number(model.momentum, "momentum", low=0.0, high=1.0, high_open=True)
    if model.threshold is not None:
        check_number(model.threshold, "threshold", low=0.0, high=1.0)
    if not (
        model.class_weight is None
        or model.class_weight == "balanced"
        or isinstance(model.class_weight, dict)
    ):
        raise ValueError(
            f"class_weight must be None, 'balanced' or a dict, got {model.class_weight!r}"
        )
    check_bool(model.warm_start, "warm_start")
    check_number(model.verbose, "verbose", integer=True, low=0)
    check_number(model.batch_size, "batch_size", integer=True, low=1)
    check_bool(model.early_stopping, "early_stopping")
    check_number(
        model.validation_fraction,
        "validation_fraction",
        low=0.0,
        high=1.0,
        low_open=True,
        high_open=True,
    )
    check_number(model.n_iter_no_change, "n_iter_no_change", integer=True, low=1)
    check_random_state(model.random_state)
    if model.device is not None:
        parse_device(model.device)
    check_bool(model.inference, "inference")
    stochastic = model.solver in STOCHASTIC_METHODS
    check_l1_options(model)
    if model.inference and stochastic:
        raise ValueError(
            f"inference=True needs the exact minimizer of a full-batch solver, not "
            f"solver={model.solver!r}"
        )
    for name, value in (("device", model.device), ("early_stopping", model.early_stopping)):
        if value not in (None, False) and not stochastic:
            raise ValueError(
                f"{name}={value!r} applies to solver='sgd' or 'adam', not solver={model.solver!r}"
            )


def check_l1_options(model: Any) -> None:
    """Refuse what an L1 part of the penalty (``l1_ratio > 0``) rules out: a ``solver``
    other than the proximal ones, and ``inference=True``.

    Raises
    ------
    ValueError
        Naming the option.
    """
    if model.l1_ratio == 0.0:
        return
    if model.solver not in PROXIMAL_METHODS:
        raise ValueError(
            f"solver={model.solver!r} does not support an L1 penalty (l1_ratio="
            f"{model.l1_ratio!r}); use solver in {PROXIMAL_METHODS}"
        )
    if model.inference:
        raise ValueError(
            f"inference=True is not available with an L1 penalty (l1_ratio={model.l1_ratio!r}): "
            "the standard errors assume a smooth penalty, and the L1 penalty's kink at zero "
            "invalidates them; refit with l1_ratio=0 for inference"
        )


def check_regression_params(model: Any) -> None:
    """Check the parameters of a :class:`~xlogreg.LinearRegression`.

    Raises
    ------
    TypeError or ValueError
        Naming the parameter.
    """
    check_bool(model.fit_intercept, "fit_intercept")
    check_bool(model.standardize, "standardize")
    check_choice(model.solver, "solver", REGRESSION_SOLVERS)
    check_number(model.alpha, "alpha", low=0.0, finite=True)
    check_number(model.tol, "tol", low=0.0, finite=True)
    check_number(model.max_iter, "max_iter", integer=True, low=1)
    check_number(model.learning_rate, "learning_rate", low=0.0, low_open=True, finite=True)
    check_bool(model.inference, "inference")


def check_elastic_net_params(model: Any) -> None:
    """Check the parameters of an :class:`~xlogreg.ElasticNet` or :class:`~xlogreg.Lasso`.

    Its solvers are the proximal methods (:data:`~xlogreg.solvers.PROXIMAL_METHODS`),
    whatever ``alpha`` and ``l1_ratio``.

    Raises
    ------
    TypeError or ValueError
        Naming the parameter.
    """
    check_number(model.alpha, "alpha", low=0.0, finite=True)
    check_number(model.l1_ratio, "l1_ratio", low=0.0, high=1.0)
    check_bool(model.fit_intercept, "fit_intercept")
    check_bool(model.standardize, "standardize")
    check_choice(model.solver, "solver", PROXIMAL_METHODS)
    check_number(model.tol, "tol", low=0.0, finite=True)
    check_number(model.max_iter, "max_iter", integer=True, low=1)
    check_bool(model.warm_start, "warm_start")
