"""True and predicted labels, checked: the inputs of the label metrics.

Shapes first (:func:`~._base.labeled_vectors`), then a summary of the data
(:func:`prediction_stats`: labels and weights) judged by
:func:`judge_predictions`. :func:`in_memory_predictions` runs these checks on
arrays in memory; on Dask arrays the summary is taken chunk by chunk and merged
(:func:`~._dask.chunked_predictions`). :func:`~._checks.check_predictions`
chooses between the two.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Any, NamedTuple

from array_api_compat import array_namespace

from xlogreg._backend import host_floats, resolve, scaled_sum
from xlogreg._target_validation import check_weight_range
from xlogreg.metrics._base import InputRows, labeled_vectors, to_result, weight_range
from xlogreg.metrics._bins import bin_sums
from xlogreg.metrics._labels import (
    MAX_CLASSES,
    LabelSummary,
    class_indices,
    judge_classes,
    label_summary,
)

__all__ = [
    "PredictionStats",
    "Predictions",
    "in_memory_predictions",
    "judge_predictions",
    "prediction_stats",
]


def _confusion(data: Predictions, classes: tuple) -> Any:
    """The K × K confusion matrix of in-memory predictions over ``classes``."""
    xp = data.xp
    n_classes = len(classes)
    true = class_indices(xp, data.y_true, classes)
    pred = class_indices(xp, data.y_pred, classes)
    pairs = scaled_sum(xp, true, pred, n_classes)
    del true, pred
    dtype = data.count_dtype if data.weight is None else data.acc
    sums = bin_sums(xp, pairs, n_classes**2, [data.weight], dtype=dtype, device=data.device)
    return xp.reshape(xp.astype(sums, dtype, copy=False), (n_classes, n_classes))


def _hits(data: Predictions) -> tuple[Any, Any]:
    """The (weighted) number of right predictions and of predictions, as 0-d arrays."""
    xp = data.xp
    hit = data.y_true == data.y_pred
    if data.weight is None:
        total = xp.asarray(float(hit.shape[0]), dtype=data.acc, device=data.device)
        return xp.astype(xp.count_nonzero(hit), data.acc), total
    return xp.sum(xp.where(hit, data.weight, 0.0)), xp.sum(data.weight)


@dataclass(frozen=True, kw_only=True)
class Predictions(InputRows):
    """True and predicted labels, checked and on one device.

    Attributes
    ----------
    y_true, y_pred : arrays of shape (n_samples,)
        The labels as given.
    labels : list
        The sorted labels present in either array; empty when they were not
        asked for.
    xp, device, weight, acc, n_samples, rows
        As in :class:`~._base.InputRows`; ``acc`` is also the float dtype of results.
    """

    y_true: Any
    y_pred: Any
    labels: list

    @classmethod
    def of_arrays(
        cls, y_true: Any, y_pred: Any, weight: Any, labels: list, acc: Any
    ) -> Predictions:
        """Inputs of checked label arrays; ``weight`` (or None) is cast to ``acc``."""
        if weight is not None:
            weight = array_namespace(weight).astype(weight, acc, copy=False)
        labeled = {"y_true": y_true, "y_pred": y_pred, "labels": labels}
        return cls._around(y_true, weight=weight, acc=acc, **labeled)

    def confusion(self, classes: list) -> Any:
        """The K × K confusion matrix over ``classes`` (rows true, columns predicted).

        ``classes`` must hold every label present. Counts are integers (int64,
        or int32 on a device without it) without weights and sums of weights
        (accumulation dtype) otherwise.
        """
        return self.summed(_confusion, tuple(classes))

    def hits(self) -> tuple[Any, Any]:
        """The (weighted) number of right predictions and of all predictions, in ``acc``."""
        return self.summed(_hits)

    def result(self, value: Any) -> Any:
        """``value`` as a 0-d result array of the accumulation dtype, on the device."""
        return to_result(self.xp, value, self.acc, self.device)


class PredictionStats(NamedTuple):
    """What the checks of true and predicted labels need to know of the data.

    Attributes
    ----------
    true_labels, pred_labels : LabelSummary or None
        The distinct labels of each; None when not asked for.
    weight_range : tuple of float or None
        The lowest weight and the total weight; None without weights.
    """

    true_labels: LabelSummary | None
    pred_labels: LabelSummary | None
    weight_range: tuple | None


def prediction_stats(
    y_true: Any, y_pred: Any, weight: Any, *, xp: ModuleType, labeled: bool
) -> PredictionStats:
    """Summarize true and predicted labels (when ``labeled``) and weights (``None``)."""
    labels = (None, None)
    if labeled:
        labels = (label_summary(y_true, xp=xp), label_summary(y_pred, xp=xp))
    weights = None
    if weight is not None:
        empty = y_true.shape[0] == 0
        weights = (float("inf"), 0.0) if empty else host_floats(xp, *weight_range(weight, xp=xp))
    return PredictionStats(*labels, weights)


def judge_predictions(stats: PredictionStats) -> list:
    """Judge the summary of true and predicted labels; return their sorted labels.

    Raises
    ------
    ValueError
        As :func:`~._checks.check_predictions` says.
    """
    labels = []
    if stats.true_labels is not None:
        found = judge_classes(stats.true_labels, "y_true")
        labels = sorted(set(found + judge_classes(stats.pred_labels, "y_pred")))
        if len(labels) > MAX_CLASSES:
            raise ValueError(
                f"y_true and y_pred together hold {len(labels)} labels; classification "
                f"metrics take at most {MAX_CLASSES} classes"
            )
    if stats.weight_range is not None:
        check_weight_range(*stats.weight_range)
    return labels


def in_memory_predictions(
    y_true: Any, y_pred: Any, sample_weight: Any, *, labeled: bool
) -> Predictions:
    """:func:`~._checks.check_predictions` of arrays in memory."""
    xp, device = resolve(y_true=y_true, y_pred=y_pred, sample_weight=sample_weight)
    y_true, y_pred, weight, acc = labeled_vectors(
        y_true, y_pred, "y_pred", sample_weight, xp=xp, device=device
    )
    if weight is not None:
        weight = xp.astype(weight, acc, copy=False)
    labels = judge_predictions(prediction_stats(y_true, y_pred, weight, xp=xp, labeled=labeled))
    return Predictions.of_arrays(y_true, y_pred, weight, labels, acc)
