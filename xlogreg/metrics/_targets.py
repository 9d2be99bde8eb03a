"""Regression targets checked for the regression metrics: true and predicted values, weights.

As for the classification inputs (:mod:`._inputs`, :mod:`._predictions`), the shapes are checked
first, then a summary of the data (:func:`target_stats`: the ranges of the
targets and of the weights) is judged (:func:`judge_targets`).
:func:`in_memory_targets` runs these checks on arrays in memory; on Dask arrays
the summary is taken chunk by chunk and merged (:func:`~._dask.chunked_targets`).
:func:`~._checks.check_targets` chooses between the two.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from array_api_compat import array_namespace

from xlogreg._backend import accumulation_dtype, as_array, compute_dtype, host_floats, resolve
from xlogreg._target_validation import check_weight_range
from xlogreg.metrics._base import (
    InputRows,
    nonempty_vector,
    to_result,
    weight_range,
    weight_vector,
)

__all__ = [
    "Targets",
    "in_memory_targets",
    "judge_targets",
    "target_stats",
    "target_vectors",
]


@dataclass(frozen=True, kw_only=True)
class Targets(InputRows):
    """True and predicted targets, checked, in one float dtype, on one device.

    Attributes
    ----------
    true, pred : arrays of shape (n_samples,) or (n_samples, n_outputs)
        The targets in ``dtype``, the dtype of the results.
    dtype
        The dtype of the targets and of the results.
    multioutput : str
        How per-output scores combine.
    ndim : int
        The number of dimensions of the targets.
    xp, device, weight, acc, n_samples, rows
        As in :class:`~._base.InputRows`.
    """

    true: Any
    pred: Any
    dtype: Any
    multioutput: str
    ndim: int

    @classmethod
    def of_arrays(
        cls, true: Any, pred: Any, weight: Any, dtype: Any, acc: Any, multioutput: str
    ) -> Targets:
        """Targets of checked arrays, cast to ``dtype`` (weights, or None, to ``acc``)."""
        xp = array_namespace(true, pred)
        if weight is not None:
            weight = xp.astype(weight, acc, copy=False)
        true, pred = (xp.astype(a, dtype, copy=False) for a in (true, pred))
        settings = {"dtype": dtype, "acc": acc, "multioutput": multioutput}
        return cls._around(true, true=true, pred=pred, weight=weight, ndim=true.ndim, **settings)

    def combine(self, per_output: Any, *, variances: Any = None) -> Any:
        """Combine per-output scores as ``multioutput`` asks, in the targets' dtype.

        1-D targets are one output: ``"raw_values"`` gives an array of shape (1,).
        """
        xp = self.xp
        if self.multioutput == "raw_values":
            per_output = xp.reshape(per_output, (-1,))
        elif self.ndim == 2 and self.multioutput == "variance_weighted":
            weights = xp.where(xp.all(variances == 0), 1.0, variances)
            per_output = xp.sum(per_output * weights) / xp.sum(weights)
        elif self.ndim == 2:
            per_output = xp.mean(per_output)
        return to_result(xp, per_output, self.dtype, self.device)


def _target_shape(y: Any, name: str, *, xp: ModuleType, device: Any) -> tuple[Any, Any]:
    """``y`` as a non-empty 1-D or 2-D array, with its compute dtype."""
    y = as_array(y, xp=xp, device=device)
    if y.ndim == 2 and (y.shape[0] == 0 or y.shape[1] == 0):
        raise ValueError(f"{name} is empty: shape {tuple(y.shape)}")
    if y.ndim != 2:
        y = nonempty_vector(y, name, xp=xp, device=device)
    return y, compute_dtype(xp, device, y.dtype, name=name)


def target_vectors(
    y_true: Any, y_pred: Any, sample_weight: Any, *, xp: ModuleType, device: Any
) -> tuple:
    """The checks of regression targets and weights that need no pass over the data.

    Returns
    -------
    true, pred, weight
        The arrays as given (``weight`` None without weights).
    dtype, acc
        The dtype to compute the targets in, and the accumulation dtype.

    Raises
    ------
    ValueError
        On empty targets, shapes that differ or weights of the wrong shape.
    """
    true, true_dtype = _target_shape(y_true, "y_true", xp=xp, device=device)
    pred, pred_dtype = _target_shape(y_pred, "y_pred", xp=xp, device=device)
    if true.shape != pred.shape:
        raise ValueError(
            f"y_true and y_pred must have the same shape, got {tuple(true.shape)} "
            f"and {tuple(pred.shape)}"
        )
    acc = accumulation_dtype(xp, device)
    weight = weight_vector(sample_weight, xp=xp, device=device, n_samples=true.shape[0], acc=acc)
    return true, pred, weight, xp.result_type(true_dtype, pred_dtype), acc


def target_stats(true: Any, pred: Any, weight: Any, *, xp: ModuleType, acc: Any) -> tuple:
    """The lowest and highest true and predicted targets, then (with weights) the lowest
    and total weight, read back in one transfer."""
    if true.shape[0] == 0:
        inf = float("inf")
        return (inf, -inf, inf, -inf) + (() if weight is None else (inf, 0.0))
    extremes = [xp.astype(f(a), acc) for a in (true, pred) for f in (xp.min, xp.max)]
    weights = [] if weight is None else weight_range(weight, xp=xp)
    return host_floats(xp, *extremes, *weights)


def judge_targets(stats: tuple) -> None:
    """Judge the summary of :func:`target_stats`.

    Raises
    ------
    ValueError
        If a target is NaN or infinite, or the weights are not valid.
    """
    for name, low, high in (("y_true", *stats[:2]), ("y_pred", *stats[2:4])):
        if not (math.isfinite(low) and math.isfinite(high)):
            raise ValueError(f"{name} contains NaN or infinity")
    if len(stats) > 4:
        check_weight_range(*stats[4:])


def in_memory_targets(y_true: Any, y_pred: Any, sample_weight: Any, multioutput: str) -> Targets:
    """:func:`~._checks.check_targets` of arrays in memory, ``multioutput`` checked."""
    xp, device = resolve(y_true=y_true, y_pred=y_pred, sample_weight=sample_weight)
    true, pred, weight, dtype, acc = target_vectors(
        y_true, y_pred, sample_weight, xp=xp, device=device
    )
    targets = Targets.of_arrays(true, pred, weight, dtype, acc, multioutput)
    judge_targets(target_stats(targets.true, targets.pred, targets.weight, xp=xp, acc=acc))
    return targets
