"""Ranking metrics: ROC, precision-recall and DET curves, ROC AUC and average precision.

All of them come from one sort of the scores (:mod:`._counts`), so they are
exact and O(n log n); ties in the scores count half, as in the pairwise
definition of the AUC. Outputs equal scikit-learn's, thresholds included.
"""

from __future__ import annotations

from typing import Any

from array_api_compat import device as device_of

from xlogreg._backend import host_floats
from xlogreg._validation import check_bool, check_number
from xlogreg.metrics._arithmetic import divide
from xlogreg.metrics._checks import check_binary_scores, refuse_chunked
from xlogreg.metrics._class_ranking import class_average_precision, class_roc_auc
from xlogreg.metrics._class_scores import has_class_columns
from xlogreg.metrics._counts import (
    Above,
    DistinctScoreCounts,
    by_value_ranges,
    float_counts,
    precision_average,
    roc_area,
    total,
)
from xlogreg.metrics._inputs import BinaryScores

__all__ = [
    "average_precision_score",
    "det_curve",
    "precision_recall_curve",
    "roc_auc_score",
    "roc_curve",
]

_BOTH = ("positive", "negative")


def _checked_counts(
    y_true: Any,
    y_score: Any,
    *,
    sample_weight: Any,
    pos_label: Any,
    needs: tuple[str, ...],
    metric: str,
    instead: str,
) -> tuple[BinaryScores, DistinctScoreCounts]:
    """Check the inputs of a curve, then count at every distinct score in the accumulation dtype.

    A curve has a point per distinct score: Dask arrays are refused (see
    ``instead`` for what takes them).
    """
    refuse_chunked(
        metric,
        f"its result has one point per distinct score, as long as the data ({instead})",
        y_true,
        y_score,
        sample_weight,
    )
    inputs = check_binary_scores(
        y_true, y_score, sample_weight=sample_weight, pos_label=pos_label, needs=needs
    )
    return inputs, float_counts(inputs)


def _keep(xp: Any, inner: Any) -> Any:
    """A mask keeping the first and last points and the ``inner`` ones that matter."""
    end = xp.ones(1, dtype=xp.bool, device=device_of(inner))
    return xp.concat([end, inner, end])


def _with_origin(xp: Any, inputs: BinaryScores, counts: DistinctScoreCounts) -> tuple:
    """Prepend the point of threshold +inf, where nothing is predicted positive."""
    zero = xp.zeros(1, dtype=inputs.acc, device=inputs.device)
    infinity = xp.full(1, float("inf"), dtype=inputs.dtype, device=inputs.device)
    return (
        xp.concat([infinity, counts.thresholds]),
        xp.concat([zero, counts.tps]),
        xp.concat([zero, counts.fps]),
    )


def roc_curve(
    y_true: Any,
    y_score: Any,
    *,
    pos_label: Any = None,
    sample_weight: Any = None,
    drop_intermediate: bool = True,
) -> tuple[Any, Any, Any]:
    """Receiver operating characteristic curve of binary scores.

    Parameters
    ----------
    y_true : array of shape (n_samples,)
        Binary labels.
    y_score : array of shape (n_samples,)
        Scores, probabilities or logits; higher means more likely positive.
    pos_label : label, optional
        The positive label; may be left out for labels 0/1 or -1/1.
    sample_weight : array of shape (n_samples,), optional
        Non-negative weights; samples of weight zero are left out.
    drop_intermediate : bool, default True
        Drop thresholds whose point lies on a straight segment of the curve
        (they change neither its plot nor its area), as scikit-learn does.

    Returns
    -------
    fpr, tpr : arrays of shape (n_thresholds,)
        False and true positive rates of ``y_score >= thresholds[i]``.
    thresholds : array of shape (n_thresholds,)
        Decreasing; ``thresholds[0]`` is ``inf`` (nothing predicted positive).

    Raises
    ------
    ValueError
        If ``y_true`` lacks either class, besides the checks every metric makes.
    TypeError
        On Dask arrays: the curve has a point per distinct score
        (:func:`roc_auc_score` takes them).

    Examples
    --------
    >>> import numpy as np
    >>> from xlogreg.metrics import roc_curve
    >>> fpr, tpr, thresholds = roc_curve(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8]))
    >>> fpr, tpr, thresholds
    (array([0. , 0. , 0.5, 0.5, 1. ]), array([0. , 0.5, 0.5, 1. , 1. ]),
     array([ inf, 0.8 , 0.4 , 0.35, 0.1 ]))
    """
    check_bool(drop_intermediate, "drop_intermediate")
    inputs, counts = _checked_counts(
        y_true,
        y_score,
        sample_weight=sample_weight,
        pos_label=pos_label,
        needs=_BOTH,
        metric="roc_curve",
        instead="roc_auc_score takes them",
    )
    xp = inputs.xp
    if drop_intermediate and counts.tps.shape[0] > 2:
        corner = xp.logical_or(xp.diff(counts.fps, n=2) != 0, xp.diff(counts.tps, n=2) != 0)
        keep = _keep(xp, corner)
        counts = DistinctScoreCounts(*(a[keep] for a in counts))
    thresholds, tps, fps = _with_origin(xp, inputs, counts)
    return inputs.result(fps / fps[-1]), inputs.result(tps / tps[-1]), thresholds


def roc_auc_score(
    y_true: Any,
    y_score: Any,
    *,
    average: str | None = "macro",
    sample_weight: Any = None,
    max_fpr: float | None = None,
    multi_class: str = "raise",
    labels: Any = None,
    pos_label: Any = None,
) -> Any:
    """Area under the ROC curve: the chance a positive outscores a negative, ties half.

    Exact, from one sort of the scores (O(n log n)); no pairs are formed. On
    Dask arrays, exact too: each range of score values is sorted where it
    lives, and knows the positives and negatives scoring above it.

    For K classes, ``y_score`` holds a row of probabilities per sample and
    ``multi_class`` says how the classes are compared: ``"ovr"`` each class
    against the rest (one sort per class), ``"ovo"`` each pair of classes
    (Hand & Till's mean of the two AUCs of each pair, one sort per class, in
    memory only), as scikit-learn computes them.

    Parameters
    ----------
    y_true : array of shape (n_samples,)
        Labels: binary for 1-D scores.
    y_score : array of shape (n_samples,) or (n_samples, n_classes)
        Scores of the positive class (higher means more likely positive), or
        probabilities of each class (rows summing to one, within NumPy's
        ``allclose``), column ``j`` for the ``j``-th class in sorted order.
    average : {"macro", "weighted", "micro", None}, default "macro"
        For K classes: the plain or class-size-weighted mean of the per-class
        (or per-pair) AUCs, the AUC of all (sample, class) pairs (``"micro"``,
        OvR only) or the per-class AUCs (None, OvR only). Ignored for 1-D scores.
    sample_weight : array of shape (n_samples,), optional
        Non-negative weights (not with ``multi_class="ovo"``).
    max_fpr : float in (0, 1], optional
        Return the standardized partial AUC over false positive rates up to
        ``max_fpr`` (McClish correction: 0.5 for a random ranking, 1 for a
        perfect one), as scikit-learn does. Binary only.
    multi_class : {"raise", "ovr", "ovo"}, default "raise"
        How K classes are compared; must be set for (n_samples, K) scores.
    labels : sequence, optional
        For K classes: the classes of the columns, sorted; by default the
        labels of ``y_true``.
    pos_label : label, optional
        The positive label; by default the greater of the two labels. Binary only.

    Returns
    -------
    auc : 0-d array
        In the scores' dtype, on their device.

    Raises
    ------
    ValueError
        If ``y_true`` lacks a class, ``max_fpr`` is outside (0, 1], or, for K
        classes, ``multi_class`` is not set, ``average`` is not one of its
        scheme, the rows do not sum to one or the classes do not match the
        columns.

    Examples
    --------
    Seed 000's validation slice: positives outrank negatives in 13 of 16 pairs.

    >>> import numpy as np
    >>> from xlogreg.metrics import roc_auc_score
    >>> scores = np.array([0.061, 0.169, 0.595, 0.624, 0.971, 0.325, 0.990, 0.244])
    >>> roc_auc_score(np.array([0, 0, 1, 0, 1, 0, 1, 1]), scores)
    array(0.8125)
    >>> proba = np.array([[0.7, 0.2, 0.1], [0.2, 0.5, 0.3], [0.1, 0.3, 0.6], [0.3, 0.4, 0.3]])
    >>> roc_auc_score(np.array([0, 1, 2, 2]), proba, multi_class="ovr")
    array(0.95833333)
    """
    if has_class_columns(y_score):
        return class_roc_auc(
            y_true,
            y_score,
            average=average,
            sample_weight=sample_weight,
            max_fpr=max_fpr,
            multi_class=multi_class,
            labels=labels,
        )
    if max_fpr is not None:
        check_number(max_fpr, "max_fpr", low=0.0, high=1.0, low_open=True)
    inputs = check_binary_scores(
        y_true,
        y_score,
        sample_weight=sample_weight,
        pos_label=pos_label,
        needs=_BOTH,
        greater=True,
    )
    xp = inputs.xp
    if max_fpr is not None and max_fpr < 1:
        area = total(xp, by_value_ranges(inputs, _partial_area, max_fpr).results)
        # McClish's standardization: 0.5 for a random ranking, 1 for a perfect one.
        min_area = 0.5 * max_fpr**2
        return inputs.result(0.5 * (1 + (area - min_area) / (max_fpr - min_area)))
    return inputs.result(roc_area(inputs))


def _partial_area(xp: Any, counts: DistinctScoreCounts, above: Above, max_fpr: float) -> Any:
    """The area under the range's stretch of the ROC curve up to the false positive rate
    ``max_fpr``, the segment crossing it interpolated.

    The stretch starts at the point of the scores above the range (the
    origin for the one range in memory) and goes through the point of each
    of its distinct scores.
    """
    _, tps, fps = counts
    tps, fps = above.shift(tps, fps)
    dtype, device = tps.dtype, device_of(tps)
    start = [
        xp.zeros(1, dtype=dtype, device=device) if a is None else xp.reshape(a, (1,))
        for a in (above.fp, above.tp)
    ]
    fpr = xp.concat([start[0], fps]) / above.n_negative
    tpr = xp.concat([start[1], tps]) / above.n_positive
    bound = xp.asarray(max_fpr, dtype=dtype, device=device)
    x0, x1, y0, y1 = fpr[:-1], fpr[1:], tpr[:-1], tpr[1:]
    trapezoids = (x1 - x0) * (y0 + y1) / 2.0
    y_bound = divide(xp, y1 - y0, x1 - x0, 0.0) * (bound - x0) + y0
    crossing = xp.logical_and(x0 <= bound, x1 > bound)
    cut = xp.where(crossing, (bound - x0) * (y0 + y_bound) / 2.0, 0.0)
    return xp.sum(xp.where(x1 <= bound, trapezoids, 0.0)) + xp.sum(cut)


def precision_recall_curve(
    y_true: Any,
    y_score: Any,
    *,
    pos_label: Any = None,
    sample_weight: Any = None,
    drop_intermediate: bool = False,
) -> tuple[Any, Any, Any]:
    """Precision and recall of ``y_score >= t`` at every distinct score ``t``.

    Parameters
    ----------
    y_true : array of shape (n_samples,)
        Binary labels.
    y_score : array of shape (n_samples,)
        Scores; higher means more likely positive.
    pos_label : label, optional
        The positive label; may be left out for labels 0/1 or -1/1.
    sample_weight : array of shape (n_samples,), optional
        Non-negative weights; samples of weight zero are left out.
    drop_intermediate : bool, default False
        Drop thresholds that leave recall unchanged on both sides.

    Returns
    -------
    precision, recall : arrays of shape (n_thresholds + 1,)
        By increasing threshold; the last entries are 1 and 0 (no threshold).
    thresholds : array of shape (n_thresholds,)
        The distinct scores, increasing.

    Raises
    ------
    ValueError
        If ``y_true`` has no positive sample.
    TypeError
        On Dask arrays: the curve has a point per distinct score
        (:func:`average_precision_score` takes them).

    Examples
    --------
    >>> import numpy as np
    >>> from xlogreg.metrics import precision_recall_curve
    >>> precision, recall, thresholds = precision_recall_curve(
    ...     np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8]))
    >>> precision, recall, thresholds
    (array([0.5 , 0.66666667, 0.5 , 1. , 1. ]), array([1. , 1. , 0.5, 0.5, 0. ]),
     array([0.1 , 0.35, 0.4 , 0.8 ]))
    """
    check_bool(drop_intermediate, "drop_intermediate")
    inputs, counts = _checked_counts(
        y_true,
        y_score,
        sample_weight=sample_weight,
        pos_label=pos_label,
        needs=("positive",),
        metric="precision_recall_curve",
        instead="average_precision_score takes them",
    )
    xp = inputs.xp
    if drop_intermediate and counts.tps.shape[0] > 2:
        counts = DistinctScoreCounts(*(a[_recall_changes(xp, counts.tps)] for a in counts))
    precision = counts.tps / (counts.tps + counts.fps)
    recall = counts.tps / counts.tps[-1]
    one = xp.ones(1, dtype=inputs.acc, device=inputs.device)
    return (
        inputs.result(xp.concat([xp.flip(precision), one])),
        inputs.result(xp.concat([xp.flip(recall), 0 * one])),
        xp.flip(counts.thresholds),
    )


def _recall_changes(xp: Any, tps: Any) -> Any:
    """Keep the first and last point of every run of equal true-positive counts."""
    return _keep(xp, xp.logical_or(xp.diff(tps[:-1]) != 0, xp.diff(tps[1:]) != 0))


def average_precision_score(
    y_true: Any,
    y_score: Any,
    *,
    average: str | None = "macro",
    pos_label: Any = 1,
    sample_weight: Any = None,
) -> Any:
    """Average precision: ``Σ (Rₖ − Rₖ₋₁)·Pₖ`` over the distinct thresholds.

    The step-wise (not interpolated) area under the precision-recall curve,
    as in scikit-learn. For K classes, each class against the rest (one sort
    per class), combined by ``average``.

    Parameters
    ----------
    y_true : array of shape (n_samples,)
        Labels: binary for 1-D scores; for (n_samples, K) scores, K classes
        (those present, sorted, are the columns).
    y_score : array of shape (n_samples,) or (n_samples, n_classes)
        Scores; higher means more likely positive (or more likely the class).
    average : {"macro", "weighted", "micro", None}, default "macro"
        For K classes: the plain or class-size-weighted mean of the per-class
        values, the value of all (sample, class) pairs (``"micro"``), or the
        per-class values (None). Ignored for 1-D scores.
    pos_label : label, default 1
        The positive label (must stay 1 for K classes).
    sample_weight : array of shape (n_samples,), optional
        Non-negative weights.

    Returns
    -------
    average_precision : 0-d array
        In the scores' dtype, on their device.

    Raises
    ------
    ValueError
        If ``y_true`` has no positive sample.

    Examples
    --------
    >>> import numpy as np
    >>> from xlogreg.metrics import average_precision_score
    >>> average_precision_score(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8]))
    array(0.83333333)
    """
    if has_class_columns(y_score):
        return class_average_precision(
            y_true, y_score, average=average, pos_label=pos_label, sample_weight=sample_weight
        )
    inputs = check_binary_scores(
        y_true, y_score, sample_weight=sample_weight, pos_label=pos_label, needs=("positive",)
    )
    return inputs.result(precision_average(inputs))


def det_curve(
    y_true: Any,
    y_score: Any,
    *,
    pos_label: Any = None,
    sample_weight: Any = None,
    drop_intermediate: bool = False,
) -> tuple[Any, Any, Any]:
    """Detection error tradeoff: false positive and false negative rates by threshold.

    Parameters
    ----------
    y_true : array of shape (n_samples,)
        Binary labels.
    y_score : array of shape (n_samples,)
        Scores; higher means more likely positive.
    pos_label : label, optional
        The positive label; may be left out for labels 0/1 or -1/1.
    sample_weight : array of shape (n_samples,), optional
        Non-negative weights; samples of weight zero are left out.
    drop_intermediate : bool, default False
        Drop thresholds that leave the false negative rate unchanged on both sides.

    Returns
    -------
    fpr : array of shape (n_thresholds,)
        Decreasing false positive rates, from the last threshold with no
        false positive ...
    fnr : array of shape (n_thresholds,)
        ... to the first with no false negative.
    thresholds : array of shape (n_thresholds,)
        Increasing.

    Raises
    ------
    ValueError
        If ``y_true`` lacks either class.
    TypeError
        On Dask arrays: the curve has a point per distinct score.

    Examples
    --------
    >>> import numpy as np
    >>> from xlogreg.metrics import det_curve
    >>> fpr, fnr, thresholds = det_curve(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8]))
    >>> fpr, fnr, thresholds
    (array([0.5, 0.5, 0. ]), array([0. , 0.5, 0.5]), array([0.35, 0.4 , 0.8 ]))
    """
    check_bool(drop_intermediate, "drop_intermediate")
    inputs, counts = _checked_counts(
        y_true,
        y_score,
        sample_weight=sample_weight,
        pos_label=pos_label,
        needs=_BOTH,
        metric="det_curve",
        instead="compute its points at chosen thresholds with threshold_sweep",
    )
    xp = inputs.xp
    counts = DistinctScoreCounts(*_with_origin(xp, inputs, counts))
    if drop_intermediate and counts.tps.shape[0] > 2:
        counts = DistinctScoreCounts(*(a[_recall_changes(xp, counts.tps)] for a in counts))
    thresholds, tps, fps = counts
    # From the last point without false positives to the first without false negatives.
    n_clean, n_missing = host_floats(
        xp,
        xp.astype(xp.count_nonzero(fps == 0), inputs.acc),
        xp.astype(xp.count_nonzero(tps < tps[-1]), inputs.acc),
    )
    kept = slice(int(n_clean) - 1, int(n_missing) + 1)
    return (
        inputs.result(xp.flip(fps[kept]) / fps[-1]),
        inputs.result(xp.flip(tps[-1] - tps[kept]) / tps[-1]),
        xp.flip(thresholds[kept]),
    )
