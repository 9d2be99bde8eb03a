"""Validation shared by the metrics: labels, scores and weights → checked device arrays.

Every check runs before any metric is computed and names the argument at
fault. The data-dependent checks read their scalars back in as few transfers
as possible: the distinct labels (at most two), then one batch holding the
score range and the class totals.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from xlogreg._backend import (
    as_array,
    compute_dtype,
    contiguous,
    has_float64,
    host_bool,
    host_floats,
    host_list,
    resolve,
)
from xlogreg._validation import check_sample_weight, check_vector, sorted_labels
from xlogreg.metrics._arithmetic import weighted_mean

__all__ = [
    "BinaryScores",
    "Predictions",
    "accumulation_dtype",
    "check_binary_scores",
    "check_probabilities",
    "check_predictions",
    "check_zero_division",
    "nonempty_vector",
    "resolve_pos_label",
    "to_result",
]

_MAX_LABELS_SHOWN = 5


def accumulation_dtype(xp: ModuleType, device: Any) -> Any:
    """The widest float of ``device``: sums and counts accumulate in it."""
    return xp.float64 if has_float64(xp, device) else xp.float32


def to_result(xp: ModuleType, value: Any, dtype: Any, device: Any) -> Any:
    """Return ``value`` as an array of ``dtype`` on ``device`` (0-d for scalars)."""
    return xp.astype(xp.asarray(value, device=device), dtype)


def check_zero_division(zero_division: Any) -> float:
    """Check ``zero_division`` (0, 1 or NaN, as in scikit-learn) and return it as a float.

    Raises
    ------
    ValueError
        If it is anything else (scikit-learn's ``"warn"`` included: these
        metrics never warn).
    """
    if (
        isinstance(zero_division, numbers.Real)
        and not isinstance(zero_division, bool)
        and (zero_division in (0, 1) or math.isnan(zero_division))
    ):
        return float(zero_division)
    raise ValueError(f"zero_division must be 0, 1 or float('nan'), got {zero_division!r}")


def nonempty_vector(v: Any, name: str, *, xp: ModuleType, device: Any) -> Any:
    """Return ``v`` as a non-empty 1-D array.

    Raises
    ------
    ValueError
        If it is not 1-D or has no entries.
    """
    v = as_array(v, xp=xp, device=device)
    if v.ndim != 1:
        raise ValueError(f"{name} must be 1-D of shape (n_samples,), got shape {tuple(v.shape)}")
    if v.shape[0] == 0:
        raise ValueError(f"{name} is empty: it needs at least one sample")
    return v


def _distinct_labels(y: Any, name: str, *, xp: ModuleType) -> list:
    """The sorted distinct values of ``y`` (at most two), read back to the host.

    Found by :func:`~xlogreg._validation.sorted_labels`: numeric labels need
    no sort and no copy of ``y``. A NaN or infinity in ``y`` is among the
    labels, so they are checked rather than ``y``.

    Raises
    ------
    ValueError
        If ``y`` holds NaN or infinity, or more than two distinct values.
    """
    labels = sorted_labels(y, xp=xp)
    floating = xp.isdtype(y.dtype, "real floating")
    if labels.shape[0] <= 2:
        found = host_list(labels)
        if floating and not all(math.isfinite(label) for label in found):
            raise ValueError(f"{name} contains NaN or infinity")
        return found
    if floating and not host_bool(xp.all(xp.isfinite(labels))):
        raise ValueError(f"{name} contains NaN or infinity")
    shown = host_list(labels[:_MAX_LABELS_SHOWN])
    more = ", ..." if labels.shape[0] > _MAX_LABELS_SHOWN else ""
    raise ValueError(
        f"{name} must be binary (two labels at most), got {labels.shape[0]} labels: "
        f"{', '.join(map(repr, shown))}{more}"
    )


def resolve_pos_label(labels: list, pos_label: Any, name: str, *, greater: bool = False) -> Any:
    """Return the positive label among ``labels``.

    ``pos_label=None`` means the greater label when ``greater`` (scikit-learn's
    rule for ``roc_auc_score``); otherwise 1, allowed only when the labels are
    0/1 or -1/1 (its rule for curves and probabilities).

    Raises
    ------
    ValueError
        If ``pos_label`` is None and the labels are not 0/1 or -1/1, or if two
        labels are present and ``pos_label`` is neither.
    """
    if pos_label is None:
        if greater:
            return labels[-1]
        if set(labels) <= {0, 1} or set(labels) <= {-1, 1}:
            return 1
        raise ValueError(
            f"{name} has labels {labels}; pass pos_label= to say which one is positive "
            "(it can be left out only for labels 0/1 or -1/1)"
        )
    if len(labels) == 2 and pos_label not in labels:
        raise ValueError(f"pos_label={pos_label!r} is not one of the labels {labels} of {name}")
    return pos_label


def _equals(xp: ModuleType, y: Any, label: Any) -> Any:
    """``y == label`` as a boolean array, for boolean label arrays too."""
    if y.dtype == xp.bool:
        return y if label else xp.logical_not(y)
    return y == label


@dataclass(frozen=True)
class BinaryScores:
    """Binary labels with one score (or probability) per sample, checked and on one device.

    Attributes
    ----------
    xp, device
        The namespace and device of the inputs.
    positive : bool array of shape (n_samples,)
        Whether each sample belongs to the positive class.
    score : float array of shape (n_samples,)
        The scores in their compute dtype.
    weight : float array of shape (n_samples,) or None
        Sample weights in the accumulation dtype; None when unweighted.
    dtype
        The float dtype of the results (the scores' compute dtype).
    acc
        The dtype sums accumulate in (float64 where the device has it).
    """

    xp: ModuleType
    device: Any
    positive: Any
    score: Any
    weight: Any
    dtype: Any
    acc: Any

    def result(self, value: Any) -> Any:
        """``value`` as a result array: the scores' dtype, on their device."""
        return to_result(self.xp, value, self.dtype, self.device)

    def mean(self, values_of: Callable[[slice], Any], *, normalize: bool = True) -> Any:
        """The (weighted) mean over samples of ``values_of(rows)``, a chunk of samples at a
        time on the host (:func:`~xlogreg.metrics._arithmetic.weighted_mean`)."""
        n_samples = self.positive.shape[0]
        return weighted_mean(
            self.xp,
            values_of,
            n_samples,
            self.weight,
            dtype=self.acc,
            device=self.device,
            normalize=normalize,
        )


def check_binary_scores(
    y_true: Any,
    y_score: Any,
    *,
    sample_weight: Any = None,
    pos_label: Any = None,
    score_name: str = "y_score",
    probabilities: bool = False,
    needs: tuple[str, ...] = (),
    greater: bool = False,
) -> BinaryScores:
    """Check binary labels and their scores; return them on their device.

    Parameters
    ----------
    y_true : array of shape (n_samples,)
        Binary labels.
    y_score : array of shape (n_samples,)
        One real score per sample.
    sample_weight : array of shape (n_samples,), optional
        Non-negative weights.
    pos_label : label, optional
        The positive label; see :func:`resolve_pos_label` (and ``greater``).
    score_name : str
        The name of ``y_score`` in the caller's signature, for messages.
    probabilities : bool
        Whether the scores must lie in [0, 1].
    needs : tuple of {"positive", "negative"}
        The classes that must carry weight (a ROC curve needs both).
    greater : bool
        Whether ``pos_label=None`` means the greater label.

    Raises
    ------
    ValueError
        On empty input, shapes or lengths that differ, labels that are not
        binary, NaN or infinite scores, probabilities outside [0, 1], negative
        weights, or a class in ``needs`` that is absent.
    TypeError
        On inputs from different libraries or non-numeric scores.
    """
    xp, device = resolve(y_true=y_true, **{score_name: y_score}, sample_weight=sample_weight)
    y_true = nonempty_vector(y_true, "y_true", xp=xp, device=device)
    n_samples = y_true.shape[0]
    score = check_vector(
        y_score, score_name, xp=xp, device=device, n_samples=n_samples, reference="y_true"
    )
    dtype = compute_dtype(xp, device, score.dtype, name=score_name)
    score = contiguous(xp.astype(score, dtype, copy=False))
    labels = _distinct_labels(y_true, "y_true", xp=xp)
    label = resolve_pos_label(labels, pos_label, "y_true", greater=greater)
    positive = _equals(xp, y_true, label)
    acc = accumulation_dtype(xp, device)
    weight = None
    if sample_weight is not None:
        weight = check_sample_weight(
            sample_weight, xp=xp, device=device, n_samples=n_samples, dtype=acc, reference="y_true"
        )
    extremes = [xp.astype(xp.min(score), acc), xp.astype(xp.max(score), acc)]
    totals = []
    if needs:
        totals = [
            xp.astype(xp.count_nonzero(positive), acc)
            if weight is None
            else xp.sum(xp.where(positive, weight, 0.0)),
            xp.asarray(float(n_samples), dtype=acc, device=device)
            if weight is None
            else xp.sum(weight),
        ]
    lowest, highest, *class_totals = host_floats(xp, *extremes, *totals)
    if not (math.isfinite(lowest) and math.isfinite(highest)):
        raise ValueError(f"{score_name} contains NaN or infinity")
    if probabilities and (lowest < 0 or highest > 1):
        raise ValueError(
            f"{score_name} must hold probabilities in [0, 1], got values from "
            f"{lowest:g} to {highest:g}"
        )
    if needs:
        n_positive, n_total = class_totals
        for cls, amount in (("positive", n_positive), ("negative", n_total - n_positive)):
            if cls in needs and amount <= 0:
                raise ValueError(
                    f"y_true has no {cls} samples (with weight); this metric needs both classes"
                )
    return BinaryScores(xp, device, positive, score, weight, dtype, acc)


def check_probabilities(
    y_true: Any, y_prob: Any, *, sample_weight: Any = None, pos_label: Any = None
) -> BinaryScores:
    """:func:`check_binary_scores` for probabilities of the positive class, named ``y_prob``."""
    return check_binary_scores(
        y_true,
        y_prob,
        sample_weight=sample_weight,
        pos_label=pos_label,
        score_name="y_prob",
        probabilities=True,
    )


@dataclass(frozen=True)
class Predictions:
    """True and predicted labels, checked and on one device.

    Attributes
    ----------
    xp, device
        The namespace and device of the inputs.
    y_true, y_pred : arrays of shape (n_samples,)
        The labels as given.
    weight : float array of shape (n_samples,) or None
        Sample weights in the accumulation dtype; None when unweighted.
    labels : list
        The sorted labels present in either array (at most two); empty when
        the labels were not required to be binary.
    acc
        The float dtype of results and weighted sums.
    """

    xp: ModuleType
    device: Any
    y_true: Any
    y_pred: Any
    weight: Any
    labels: list
    acc: Any

    def confusion(self, pos_label: Any) -> tuple[Any, Any, Any, Any]:
        """Return ``(tn, fp, fn, tp)`` as 0-d arrays with ``pos_label`` positive.

        Counts are int64 without weights and sums of weights otherwise.
        """
        xp = self.xp
        actual = _equals(xp, self.y_true, pos_label)
        predicted = _equals(xp, self.y_pred, pos_label)
        hit = xp.logical_and(actual, predicted)
        if self.weight is None:
            tp, n_actual, n_predicted = (
                xp.astype(xp.count_nonzero(m), xp.int64) for m in (hit, actual, predicted)
            )
            total = xp.asarray(actual.shape[0], dtype=xp.int64, device=self.device)
        else:
            tp, n_actual, n_predicted = (
                xp.sum(xp.where(m, self.weight, 0.0)) for m in (hit, actual, predicted)
            )
            total = xp.sum(self.weight)
        fp = n_predicted - tp
        fn = n_actual - tp
        return total - tp - fp - fn, fp, fn, tp

    def result(self, value: Any) -> Any:
        """``value`` as a 0-d result array of the accumulation dtype, on the device."""
        return to_result(self.xp, value, self.acc, self.device)


def check_predictions(
    y_true: Any, y_pred: Any, *, sample_weight: Any = None, binary: bool = True
) -> Predictions:
    """Check true and predicted labels (binary unless ``binary=False``); return them, on device.

    Raises
    ------
    ValueError
        On empty input, lengths that differ, NaN or infinite labels, more than
        two labels in ``y_true`` and ``y_pred`` together, or negative weights.
    TypeError
        On inputs from different libraries.
    """
    xp, device = resolve(y_true=y_true, y_pred=y_pred, sample_weight=sample_weight)
    y_true = nonempty_vector(y_true, "y_true", xp=xp, device=device)
    n_samples = y_true.shape[0]
    y_pred = check_vector(
        y_pred, "y_pred", xp=xp, device=device, n_samples=n_samples, reference="y_true"
    )
    labels = []
    if binary:
        found = _distinct_labels(y_true, "y_true", xp=xp)
        labels = sorted(set(found + _distinct_labels(y_pred, "y_pred", xp=xp)))
    if len(labels) > 2:
        raise ValueError(
            f"y_true and y_pred together hold {len(labels)} labels {labels}; "
            "these metrics are binary"
        )
    acc = accumulation_dtype(xp, device)
    weight = None
    if sample_weight is not None:
        weight = check_sample_weight(
            sample_weight, xp=xp, device=device, n_samples=n_samples, dtype=acc, reference="y_true"
        )
    return Predictions(xp, device, y_true, y_pred, weight, labels, acc)
