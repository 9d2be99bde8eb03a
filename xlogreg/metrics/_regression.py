"""Regression metrics: mean squared error, mean absolute error and R² (seed 003).

Targets are 1-D, or 2-D with one column per output; ``multioutput`` says how
the per-output scores combine, as in scikit-learn.
"""

from __future__ import annotations

from typing import Any

from xlogreg._validation import check_bool
from xlogreg.metrics._arithmetic import divide
from xlogreg.metrics._checks import check_targets
from xlogreg.metrics._targets import Targets

__all__ = ["mean_absolute_error", "mean_squared_error", "r2_score"]

_AVERAGES = ("uniform_average", "raw_values")


def _squared_errors(t: Targets, rows: slice) -> Any:
    return (t.true[rows, ...] - t.pred[rows, ...]) ** 2


def _absolute_errors(t: Targets, rows: slice) -> Any:
    return t.xp.abs(t.true[rows, ...] - t.pred[rows, ...])


def _true_values(t: Targets, rows: slice) -> Any:
    return t.true[rows, ...]


def _squared_deviations(t: Targets, rows: slice, center: Any) -> Any:
    return (t.true[rows, ...] - center) ** 2


def mean_squared_error(
    y_true: Any, y_pred: Any, *, sample_weight: Any = None, multioutput: str = "uniform_average"
) -> Any:
    """Mean squared error ``mean((y_true − y_pred)²)``.

    Parameters
    ----------
    y_true, y_pred : arrays of shape (n_samples,) or (n_samples, n_outputs)
        True and predicted targets.
    sample_weight : array of shape (n_samples,), optional
        Non-negative weights.
    multioutput : {"uniform_average", "raw_values"}, default "uniform_average"
        Average the outputs' errors, or return one per output.

    Returns
    -------
    mse : 0-d array, or array of shape (n_outputs,) for ``"raw_values"`` (1-D targets: (1,))

    Examples
    --------
    >>> import numpy as np
    >>> from xlogreg.metrics import mean_squared_error
    >>> mean_squared_error(np.array([3.0, -0.5, 2.0, 7.0]), np.array([2.5, 0.0, 2.0, 8.0]))
    array(0.375)
    """
    t = check_targets(y_true, y_pred, sample_weight, multioutput, _AVERAGES)
    return t.combine(t.mean(_squared_errors))


def mean_absolute_error(
    y_true: Any, y_pred: Any, *, sample_weight: Any = None, multioutput: str = "uniform_average"
) -> Any:
    """Mean absolute error ``mean(|y_true − y_pred|)``.

    Parameters
    ----------
    y_true, y_pred : arrays of shape (n_samples,) or (n_samples, n_outputs)
        True and predicted targets.
    sample_weight : array of shape (n_samples,), optional
        Non-negative weights.
    multioutput : {"uniform_average", "raw_values"}, default "uniform_average"
        Average the outputs' errors, or return one per output.

    Returns
    -------
    mae : 0-d array, or array of shape (n_outputs,) for ``"raw_values"`` (1-D targets: (1,))

    Examples
    --------
    >>> import numpy as np
    >>> from xlogreg.metrics import mean_absolute_error
    >>> mean_absolute_error(np.array([3.0, -0.5, 2.0, 7.0]), np.array([2.5, 0.0, 2.0, 8.0]))
    array(0.5)
    """
    t = check_targets(y_true, y_pred, sample_weight, multioutput, _AVERAGES)
    return t.combine(t.mean(_absolute_errors))


def r2_score(
    y_true: Any,
    y_pred: Any,
    *,
    sample_weight: Any = None,
    multioutput: str = "uniform_average",
    force_finite: bool = True,
) -> Any:
    """Coefficient of determination ``R² = 1 − SS_res / SS_tot``.

    Parameters
    ----------
    y_true, y_pred : arrays of shape (n_samples,) or (n_samples, n_outputs)
        True and predicted targets; at least two samples.
    sample_weight : array of shape (n_samples,), optional
        Non-negative weights.
    multioutput : {"uniform_average", "raw_values", "variance_weighted"}
        Average the outputs' scores (default), return one per output, or
        weigh each output by the variance of its true target.
    force_finite : bool, default True
        For a constant ``y_true`` return 1.0 if the prediction is perfect and
        0.0 otherwise (scikit-learn's default) instead of NaN or ``-inf``.

    Returns
    -------
    r2 : 0-d array, or array of shape (n_outputs,) for ``"raw_values"`` (1-D targets: (1,))

    Raises
    ------
    ValueError
        With fewer than two samples, where R² is not defined.

    Examples
    --------
    >>> import numpy as np
    >>> from xlogreg.metrics import r2_score
    >>> r2_score(np.array([3.0, -0.5, 2.0, 7.0]), np.array([2.5, 0.0, 2.0, 8.0]))
    array(0.94860814)
    """
    check_bool(force_finite, "force_finite")
    t = check_targets(y_true, y_pred, sample_weight, multioutput, (*_AVERAGES, "variance_weighted"))
    if t.n_samples < 2:
        raise ValueError("r2_score needs at least two samples")
    xp = t.xp
    residual = t.mean(_squared_errors, normalize=False)
    variance = t.mean(_squared_deviations, t.mean(_true_values), normalize=False)
    if force_finite:
        score = xp.where(
            variance == 0,
            xp.astype(residual == 0, t.acc),
            1 - divide(xp, residual, variance, 0.0),
        )
    else:
        score = 1 - residual / variance
    return t.combine(score, variances=variance)
