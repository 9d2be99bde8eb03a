"""Calibration: reliability bins, scikit-learn's ``calibration_curve`` and the ECE.

Probabilities are put into bins by a binary search in the bin edges and
summed per bin by :func:`~._bins.bin_sums` (the library's native ``bincount``
where it has one), so there is no Python loop over samples or bins.
Edges are computed in float64 (where the device has it) exactly as NumPy
computes them, and float32 probabilities are compared with them exactly too.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

from xlogreg._validation import check_choice, check_number
from xlogreg.metrics._bins import bin_sums
from xlogreg.metrics._checks import check_class_probabilities, check_probabilities
from xlogreg.metrics._class_scores import has_class_columns
from xlogreg.metrics._inputs import BinaryScores

__all__ = [
    "CalibrationError",
    "ReliabilityBins",
    "calibration_curve",
    "expected_calibration_error",
]

_STRATEGIES = ("uniform", "quantile")
_NORMS = ("l1", "l2", "max")
_MULTICLASS = ("top_label", "classwise")


class ReliabilityBins(NamedTuple):
    """The non-empty bins of a reliability diagram, one entry per bin.

    Attributes
    ----------
    lower, upper : arrays of shape (n_nonempty,)
        The bin edges.
    count : integer array of shape (n_nonempty,)
        Samples per bin.
    mean_score : array of shape (n_nonempty,)
        The (weighted) mean predicted probability in the bin.
    positive_rate : array of shape (n_nonempty,)
        The (weighted) share of positives in the bin.
    contribution : array of shape (n_nonempty,)
        The bin's term of the error: ``share·|gap|`` for ``norm="l1"`` (they
        sum to the ECE), ``share·gap²`` for ``"l2"`` (they sum to its square)
        and ``|gap|`` for ``"max"``, where ``share`` is the bin's share of the
        (weighted) samples and ``gap = mean_score − positive_rate``.
    """

    lower: Any
    upper: Any
    count: Any
    mean_score: Any
    positive_rate: Any
    contribution: Any


class CalibrationError(NamedTuple):
    """What :func:`expected_calibration_error` returns.

    Attributes
    ----------
    ece : 0-d array
        The calibration error.
    bins : ReliabilityBins
        The per-bin table behind it.
    """

    ece: Any
    bins: ReliabilityBins


def _check_binning(n_bins: Any, strategy: Any) -> None:
    check_number(n_bins, "n_bins", integer=True, low=1)
    check_choice(strategy, "strategy", _STRATEGIES)


def _edges(inputs: BinaryScores, n_bins: int, strategy: str) -> Any:
    """``n_bins + 1`` bin edges in the accumulation dtype, equal to NumPy's.

    ``"uniform"``: ``numpy.linspace(0, 1, n_bins + 1)``. ``"quantile"``:
    ``numpy.percentile(y_prob, linspace(0, 1, n_bins + 1) * 100)`` with its
    linear interpolation, evaluated on the device from one sort (on Dask
    arrays, from the order statistics of the ranges of scores).
    """
    xp, device, acc = inputs.xp, inputs.device, inputs.acc
    step = 1.0 / n_bins
    fractions = [i * step for i in range(n_bins)] + [1.0]
    if strategy == "uniform":
        return xp.asarray(fractions, dtype=acc, device=device)
    last = inputs.n_samples - 1
    positions = [last * (f * 100 / 100) for f in fractions]
    below = [last if v >= last else math.floor(v) for v in positions]
    above = [b if v >= last else b + 1 for b, v in zip(below, positions, strict=True)]
    values = inputs.order_statistics(below + above)
    a, b = values[: n_bins + 1], values[n_bins + 1 :]
    gamma = xp.asarray(
        [v - i for v, i in zip(positions, below, strict=True)], dtype=acc, device=device
    )
    # numpy's _lerp: the difference in the data's dtype, the interpolation in float64.
    difference = xp.astype(b - a, acc)
    a, b = xp.astype(a, acc), xp.astype(b, acc)
    return xp.where(gamma >= 0.5, b - difference * (1 - gamma), a + difference * gamma)


def _inner_edges(inputs: BinaryScores, edges: Any, *, side: str) -> Any:
    """The inner edges, in the scores' dtype, such that a binary search of a score
    among them counts the edges below it (``side="left"``) or at or below it
    (``side="right"``) exactly as comparing in the edges' precision would."""
    xp = inputs.xp
    inner = edges[1:-1]
    if inputs.dtype != edges.dtype:
        # A float32 score p satisfies p >= e (float64) exactly when p >= e rounded up
        # to float32, and p > e exactly when p > e rounded down.
        rounded = xp.astype(inner, inputs.dtype)
        back = xp.astype(rounded, edges.dtype)
        if side == "right":
            away = xp.full_like(rounded, float("inf"))
            rounded = xp.where(back < inner, xp.nextafter(rounded, away), rounded)
        else:
            away = xp.full_like(rounded, -float("inf"))
            rounded = xp.where(back > inner, xp.nextafter(rounded, away), rounded)
        inner = rounded
    return inner


def _bin_totals(inputs: BinaryScores, edges: Any, *, side: str) -> Any:
    """Per bin: samples, weight, weighted score sum and weighted positives, shape (n_bins, 4).

    A binary search puts each score in its bin; :func:`~._bins.bin_sums` sums per bin.
    """
    xp, acc = inputs.xp, inputs.acc
    inner = _inner_edges(inputs, edges, side=side)
    ids = xp.searchsorted(inner, inputs.score, side=side)
    score = xp.astype(inputs.score, acc, copy=False)
    positive = xp.astype(inputs.positive, acc)
    weight = inputs.weight
    if weight is None:
        columns = [None, None, score, positive]
    else:
        columns = [None, weight, weight * score, weight * positive]
    return bin_sums(xp, ids, edges.shape[0] - 1, columns, dtype=acc, device=inputs.device)


def calibration_curve(
    y_true: Any,
    y_prob: Any,
    *,
    pos_label: Any = None,
    n_bins: int = 5,
    strategy: str = "uniform",
) -> tuple[Any, Any]:
    """The observed positive rate and the mean probability in each non-empty bin.

    Equal to scikit-learn's ``calibration_curve``: bins are ``(lo, hi]``
    except the first, which also holds 0.

    Parameters
    ----------
    y_true : array of shape (n_samples,)
        Binary labels.
    y_prob : array of shape (n_samples,)
        Probabilities of the positive class, in [0, 1].
    pos_label : label, optional
        The positive label; may be left out for labels 0/1 or -1/1.
    n_bins : int, default 5
        Number of bins.
    strategy : {"uniform", "quantile"}, default "uniform"
        Equal-width bins over [0, 1], or bins holding equal numbers of
        samples (edges at the quantiles of ``y_prob``).

    Returns
    -------
    prob_true, prob_pred : arrays of shape (n_nonempty,)
        The positive rate and the mean probability per non-empty bin.

    Examples
    --------
    >>> import numpy as np
    >>> from xlogreg.metrics import calibration_curve
    >>> y_prob = np.array([0.1, 0.2, 0.3, 0.4, 0.65, 0.7, 0.8, 0.9, 1.0])
    >>> calibration_curve(np.array([0, 0, 0, 0, 1, 1, 1, 1, 1]), y_prob, n_bins=3)
    (array([0. , 0.5, 1. ]), array([0.2  , 0.525, 0.85 ]))
    """
    _check_binning(n_bins, strategy)
    inputs = check_probabilities(y_true, y_prob, pos_label=pos_label)
    edges = _edges(inputs, n_bins, strategy)
    totals = inputs.summed(_bin_totals, edges, side="left")
    nonempty = totals[:, 0] > 0
    count, score_sum, positives = (totals[:, j][nonempty] for j in (0, 2, 3))
    return inputs.result(positives / count), inputs.result(score_sum / count)


def expected_calibration_error(
    y_true: Any,
    y_prob: Any,
    *,
    n_bins: int = 10,
    strategy: str = "uniform",
    norm: str = "l1",
    sample_weight: Any = None,
    pos_label: Any = None,
    labels: Any = None,
    multiclass: str = "top_label",
) -> CalibrationError:
    """Expected calibration error, with the reliability table behind it.

    ``ECE = Σ_b (n_b / n)·|mean score_b − positive rate_b|`` over the non-empty
    bins (``norm="l1"``); ``"l2"`` takes the root of the share-weighted mean
    squared gap and ``"max"`` the largest gap. Bins are ``[lo, hi)``, the last
    one closed, so a probability of exactly 1.0 lands in the last bin (seed
    000's binning).

    For K classes (``y_prob`` of shape (n_samples, K)): ``"top_label"`` bins
    each sample's highest probability and compares it with whether that class
    is the true one (Guo et al., 2017); ``"classwise"`` takes the ECE of each
    class's probability against that class's outcome, and their mean (Kull et
    al., 2019).

    Parameters
    ----------
    y_true : array of shape (n_samples,)
        Labels: binary for 1-D probabilities.
    y_prob : array of shape (n_samples,) or (n_samples, n_classes)
        Probabilities of the positive class, in [0, 1]; or of each class, rows
        summing to one, column ``j`` for the ``j``-th class in sorted order.
    n_bins : int, default 10
        Number of bins.
    strategy : {"uniform", "quantile"}, default "uniform"
        Equal-width bins over [0, 1], or edges at the quantiles of ``y_prob``.
    norm : {"l1", "l2", "max"}, default "l1"
        How the per-bin gaps combine.
    sample_weight : array of shape (n_samples,), optional
        Non-negative weights: shares, means and rates are weighted.
    pos_label : label, optional
        The positive label of 1-D probabilities; may be left out for labels
        0/1 or -1/1.
    labels : sequence, optional
        The classes of the columns of (n_samples, K) probabilities, sorted; by
        default the labels of ``y_true``.
    multiclass : {"top_label", "classwise"}, default "top_label"
        The ECE of K classes, as above.

    Returns
    -------
    CalibrationError
        ``(ece, bins)``: the error as a 0-d array and a
        :class:`ReliabilityBins` table of the non-empty bins, in the
        probabilities' dtype (counts int64, or int32 on a device without it),
        on their device. With ``multiclass="classwise"``, ``bins`` is a tuple
        of one table per class.

    Examples
    --------
    Seed 000's validation slice in four bins:

    >>> import numpy as np
    >>> from xlogreg.metrics import expected_calibration_error
    >>> scores = np.array([0.061, 0.169, 0.595, 0.624, 0.971, 0.325, 0.990, 0.244])
    >>> ece, bins = expected_calibration_error(
    ...     np.array([0, 0, 1, 0, 1, 0, 1, 1]), scores, n_bins=4)
    >>> round(float(ece), 3), bins.count
    (0.139, array([3, 1, 2, 2]))
    >>> bins.contribution.round(3)
    array([0.066, 0.041, 0.027, 0.005])

    Three classes, top label:

    >>> proba = np.array([[0.8, 0.1, 0.1], [0.2, 0.2, 0.6], [0.3, 0.5, 0.2], [0.6, 0.3, 0.1]])
    >>> expected_calibration_error(np.array([0, 2, 0, 1]), proba, n_bins=2).ece
    array(0.125)
    """
    _check_binning(n_bins, strategy)
    check_choice(norm, "norm", _NORMS)
    check_choice(multiclass, "multiclass", _MULTICLASS)
    if not has_class_columns(y_prob):
        inputs = check_probabilities(
            y_true, y_prob, sample_weight=sample_weight, pos_label=pos_label
        )
        return _calibration_error(inputs, n_bins, strategy, norm)
    scores = check_class_probabilities(
        y_true, y_prob, sample_weight=sample_weight, labels=labels, pos_label=pos_label
    )
    if multiclass == "top_label":
        return _calibration_error(scores.top_label(), n_bins, strategy, norm)
    per_class = [
        _calibration_error(scores.one_vs_rest(k), n_bins, strategy, norm)
        for k in range(scores.n_classes)
    ]
    ece = scores.xp.mean(scores.xp.stack([error.ece for error in per_class]))
    return CalibrationError(scores.result(ece), tuple(error.bins for error in per_class))


def _calibration_error(
    inputs: BinaryScores, n_bins: int, strategy: str, norm: str
) -> CalibrationError:
    """The ECE of binary inputs and its table (see :func:`expected_calibration_error`)."""
    xp = inputs.xp
    edges = _edges(inputs, n_bins, strategy)
    totals = inputs.summed(_bin_totals, edges, side="right")
    nonempty = totals[:, 1] > 0
    count, weight, score_sum, positives = (totals[:, j][nonempty] for j in range(4))
    mean_score, positive_rate = score_sum / weight, positives / weight
    gap = xp.abs(mean_score - positive_rate)
    share = weight / xp.sum(weight)
    if norm == "l1":
        contribution = share * gap
        ece = xp.sum(contribution)
    elif norm == "l2":
        contribution = share * gap**2
        ece = xp.sqrt(xp.sum(contribution))
    else:
        contribution = gap
        ece = xp.max(gap)
    bins = ReliabilityBins(
        lower=inputs.result(edges[:-1][nonempty]),
        upper=inputs.result(edges[1:][nonempty]),
        count=xp.astype(count, inputs.count_dtype),
        mean_score=inputs.result(mean_score),
        positive_rate=inputs.result(positive_rate),
        contribution=inputs.result(contribution),
    )
    return CalibrationError(inputs.result(ece), bins)
