"""Regression metrics: mean squared error, mean absolute error and R² (seed 003).

Targets are 1-D, or 2-D with one column per output; ``multioutput`` says how
the per-output scores combine, as in scikit-learn.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from xlogreg._backend import as_array, compute_dtype, host_floats, resolve
from xlogreg._validation import check_bool, check_choice, check_sample_weight
from xlogreg.metrics._arithmetic import divide, weighted_mean
from xlogreg.metrics._inputs import accumulation_dtype, nonempty_vector, to_result

__all__ = ["mean_absolute_error", "mean_squared_error", "r2_score"]

_AVERAGES = ("uniform_average", "raw_values")


@dataclass(frozen=True)
class _Targets:
    """True and predicted targets, checked, in one float dtype, on one device."""

    xp: ModuleType
    device: Any
    true: Any
    pred: Any
    weight: Any
    dtype: Any
    acc: Any
    multioutput: str

    def total(self, values: Any, *, normalize: bool = True) -> Any:
        """The (weighted) mean over samples, per output; the sum with ``normalize=False``."""
        return weighted_mean(
            self.xp,
            lambda rows: values[rows, ...],
            values.shape[0],
            self.weight,
            dtype=self.acc,
            device=self.device,
            normalize=normalize,
        )

    def combine(self, per_output: Any, *, variances: Any = None) -> Any:
        """Combine per-output scores as ``multioutput`` asks, in the targets' dtype.

        1-D targets are one output: ``"raw_values"`` gives an array of shape (1,).
        """
        xp = self.xp
        if self.multioutput == "raw_values":
            per_output = xp.reshape(per_output, (-1,))
        elif self.true.ndim == 2 and self.multioutput == "variance_weighted":
            weights = xp.where(xp.all(variances == 0), 1.0, variances)
            per_output = xp.sum(per_output * weights) / xp.sum(weights)
        elif self.true.ndim == 2:
            per_output = xp.mean(per_output)
        return to_result(xp, per_output, self.dtype, self.device)


def _as_targets(y: Any, name: str, *, xp: ModuleType, device: Any) -> Any:
    y = as_array(y, xp=xp, device=device)
    if y.ndim == 2 and y.shape[0] > 0 and y.shape[1] > 0:
        return xp.astype(y, compute_dtype(xp, device, y.dtype, name=name), copy=False)
    if y.ndim == 2:
        raise ValueError(f"{name} is empty: shape {tuple(y.shape)}")
    y = nonempty_vector(y, name, xp=xp, device=device)
    return xp.astype(y, compute_dtype(xp, device, y.dtype, name=name), copy=False)


def _check_targets(
    y_true: Any, y_pred: Any, sample_weight: Any, multioutput: Any, averages: tuple[str, ...]
) -> _Targets:
    """Check shapes, finiteness and weights of regression targets.

    Raises
    ------
    ValueError
        On empty targets, shapes that differ, NaN or infinity, an unknown
        ``multioutput`` or negative weights.
    """
    check_choice(multioutput, "multioutput", averages)
    xp, device = resolve(y_true=y_true, y_pred=y_pred, sample_weight=sample_weight)
    true = _as_targets(y_true, "y_true", xp=xp, device=device)
    pred = _as_targets(y_pred, "y_pred", xp=xp, device=device)
    if true.shape != pred.shape:
        raise ValueError(
            f"y_true and y_pred must have the same shape, got {tuple(true.shape)} "
            f"and {tuple(pred.shape)}"
        )
    acc = accumulation_dtype(xp, device)
    extremes = host_floats(
        xp, *(xp.astype(f(a), acc) for a in (true, pred) for f in (xp.min, xp.max))
    )
    for name, low, high in (("y_true", *extremes[:2]), ("y_pred", *extremes[2:])):
        if not (math.isfinite(low) and math.isfinite(high)):
            raise ValueError(f"{name} contains NaN or infinity")
    dtype = xp.result_type(true.dtype, pred.dtype)
    weight = None
    if sample_weight is not None:
        weight = check_sample_weight(
            sample_weight,
            xp=xp,
            device=device,
            n_samples=true.shape[0],
            dtype=acc,
            reference="y_true",
        )
    return _Targets(
        xp,
        device,
        xp.astype(true, dtype, copy=False),
        xp.astype(pred, dtype, copy=False),
        weight,
        dtype,
        acc,
        multioutput,
    )


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
    t = _check_targets(y_true, y_pred, sample_weight, multioutput, _AVERAGES)
    return t.combine(t.total((t.true - t.pred) ** 2))


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
    t = _check_targets(y_true, y_pred, sample_weight, multioutput, _AVERAGES)
    return t.combine(t.total(t.xp.abs(t.true - t.pred)))


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
    t = _check_targets(
        y_true, y_pred, sample_weight, multioutput, (*_AVERAGES, "variance_weighted")
    )
    if t.true.shape[0] < 2:
        raise ValueError("r2_score needs at least two samples")
    xp = t.xp
    residual = t.total((t.true - t.pred) ** 2, normalize=False)
    variance = t.total((t.true - t.total(t.true)) ** 2, normalize=False)
    if force_finite:
        score = xp.where(
            variance == 0,
            xp.astype(residual == 0, t.acc),
            1 - divide(xp, residual, variance, 0.0),
        )
    else:
        score = 1 - residual / variance
    return t.combine(score, variances=variance)
