"""The linear models' fitted state as ``fit`` stores it, checked where ``fit`` did not write it.

``LogisticRegression._check_fitted_state`` and
``LinearRegression._check_fitted_state`` call these when a model is saved or
loaded: the arrays that predictions, explanations, drift reports and
inference summaries read must agree with each other, or a loaded model would
answer wrongly (a binary model with three classes predicts one class) or fail
at every call.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

from xlogreg._backend import host_list
from xlogreg._fitted import check_fitted_array, check_fitted_classes, check_fitted_width
from xlogreg._profile import TrainingProfile
from xlogreg.inference._covariance import FittedCovariance
from xlogreg.preprocessing import StandardScaler

__all__ = ["check_logistic_state", "check_regression_state"]


def check_logistic_state(model: Any) -> None:
    """A logistic regression's state: ``classes_``; ``coef_`` of shape (1, n_features) for
    two classes and (n_classes, n_features) otherwise, ``intercept_`` of one entry per row,
    finite; the width, the names, the profile, the scaler, the host copies and inference.

    Raises
    ------
    TypeError or ValueError
        Naming the attribute that disagrees.
    """
    n_classes = check_fitted_classes(model.classes_)
    rows = 1 if n_classes == 2 else n_classes
    width = check_fitted_width(model)
    _check_coefficients(model.coef_, model.intercept_, (rows, width), (rows,), "")
    host = getattr(model, "_host_parameters", None)
    if host is not None:
        if not (isinstance(host, tuple) and len(host) == 3):
            raise TypeError("_host_parameters must be None or (coef, intercept, classes)")
        coef, intercept, classes = host
        _check_coefficients(coef, intercept, (rows, width), (rows,), "_host_parameters ")
        check_fitted_classes(classes, "_host_parameters classes")
        if host_list(classes) != host_list(model.classes_):
            raise ValueError("_host_parameters holds other classes than classes_")
    _check_model_parts(model, width, rows)


def check_regression_state(model: Any) -> None:
    """A linear regression's state: ``coef_`` of shape (n_features,) with a 0-d
    ``intercept_`` for one target, (n_targets, n_features) with (n_targets,) otherwise,
    finite; the width, the names, the profile, the scaler and inference.

    Raises
    ------
    TypeError or ValueError
        Naming the attribute that disagrees.
    """
    width = check_fitted_width(model)
    check_fitted_array(model.coef_, "coef_")
    if model.coef_.ndim == 1:
        shapes, rows = ((width,), ()), 1
    elif model.coef_.ndim == 2 and model.coef_.shape[0] >= 1:
        rows = model.coef_.shape[0]
        shapes = ((rows, width), (rows,))
    else:
        raise ValueError(
            f"coef_ must have shape (n_features,) or (n_targets, n_features), "
            f"got {tuple(model.coef_.shape)}"
        )
    _check_coefficients(model.coef_, model.intercept_, *shapes, "")
    _check_model_parts(model, width, rows)


def _check_coefficients(
    coef: Any, intercept: Any, coef_shape: tuple, intercept_shape: tuple, prefix: str
) -> None:
    check_fitted_array(coef, f"{prefix}coef_", shape=coef_shape)
    check_fitted_array(intercept, f"{prefix}intercept_", shape=intercept_shape)
    if intercept.dtype != coef.dtype:
        raise TypeError(
            f"{prefix}intercept_ has dtype {intercept.dtype}, but {prefix}coef_ {coef.dtype}"
        )


def _check_model_parts(model: Any, width: int, rows: int) -> None:
    """The training profile, the ``standardize=True`` scaler and the inference record."""
    profile = model.training_profile_
    if not isinstance(profile, TrainingProfile):
        raise TypeError(
            f"training_profile_ must be a TrainingProfile, got {type(profile).__name__}"
        )
    for field in ("mean", "std", "min", "max"):
        check_fitted_array(getattr(profile, field), f"training_profile_.{field}", shape=(width,))
    for field in ("count", "rows"):
        if not _is_natural(getattr(profile, field)):
            raise ValueError(f"training_profile_.{field} must be an integer >= 0")
    scaler = getattr(model, "scaler_", None)
    if scaler is not None:
        if not isinstance(scaler, StandardScaler):
            raise TypeError(
                f"scaler_ must be None or a StandardScaler, got {type(scaler).__name__}"
            )
        if getattr(scaler, "n_features_in_", None) != width:
            raise ValueError(f"scaler_ is not fitted on the model's {width} features")
    record = getattr(model, "_inference", None)
    if record is not None:
        _check_inference(record, width, rows)


def _check_inference(record: Any, width: int, rows: int) -> None:
    if not isinstance(record, FittedCovariance):
        raise TypeError(
            f"_inference must be None or a FittedCovariance, got {type(record).__name__}"
        )
    if not isinstance(record.fit_intercept, bool):
        raise TypeError("_inference.fit_intercept must be True or False")
    shape = (rows, width + int(record.fit_intercept))
    check_fitted_array(record.covariance, "_inference.covariance")
    check_fitted_array(record.stderr, "_inference.stderr", shape=shape)
    df = record.df_resid
    if df is not None and not (
        isinstance(df, numbers.Real) and not isinstance(df, bool) and math.isfinite(df) and df > 0
    ):
        raise ValueError(f"_inference.df_resid must be None or a number > 0, got {df!r}")
    if not (record.penalty is None or isinstance(record.penalty, str)):
        raise TypeError("_inference.penalty must be None or a string")
    outputs = record.outputs
    if outputs is not None and not (
        isinstance(outputs, tuple)
        and len(outputs) == rows
        and all(isinstance(name, str) for name in outputs)
    ):
        raise ValueError(f"_inference.outputs must be None or {rows} names")


def _is_natural(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and value >= 0
