"""Threshold decisions (seed 000's operating policy): sweep thresholds, pick by cost.

A threshold ``t`` flags a sample positive when ``y_prob >= t``. Both functions
reuse the one sort of :mod:`._counts`, so sweeping every distinct score is
O(n log n), and explicit thresholds cost a binary search each.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from xlogreg._backend import as_array, host_bool, resolve
from xlogreg._validation import check_number
from xlogreg.metrics._arithmetic import divide
from xlogreg.metrics._base import check_zero_division, nonempty_vector
from xlogreg.metrics._checks import any_chunked, check_binary_scores
from xlogreg.metrics._counts import (
    Above,
    DistinctScoreCounts,
    by_value_ranges,
    counts_at,
    counts_at_distinct_scores,
)
from xlogreg.metrics._inputs import BinaryScores

__all__ = ["ThresholdChoice", "ThresholdSweep", "select_threshold", "threshold_sweep"]


class ThresholdSweep(NamedTuple):
    """Confusion counts, rates and cost of ``y_prob >= t`` for each threshold ``t``.

    Every field is an array of shape (n_thresholds,). Counts are int64 (int32
    on a device without it), or
    sums of weights with ``sample_weight``; the rest is in the scores' dtype.

    Attributes
    ----------
    thresholds, tp, fp, fn, tn, precision, recall, f1, cost
        ``cost = cost_fp·fp + cost_fn·fn``.
    """

    thresholds: Any
    tp: Any
    fp: Any
    fn: Any
    tn: Any
    precision: Any
    recall: Any
    f1: Any
    cost: Any


class ThresholdChoice(NamedTuple):
    """What :func:`select_threshold` returns: the threshold and its cost, 0-d arrays."""

    threshold: Any
    cost: Any


def _check_costs(cost_fp: Any, cost_fn: Any) -> None:
    check_number(cost_fp, "cost_fp", low=0.0)
    check_number(cost_fn, "cost_fn", low=0.0)
    if cost_fp == float("inf") or cost_fn == float("inf"):
        raise ValueError("cost_fp and cost_fn must be finite")


def threshold_sweep(
    y_true: Any,
    y_prob: Any,
    thresholds: Any = None,
    *,
    cost_fp: float = 1.0,
    cost_fn: float = 1.0,
    pos_label: Any = None,
    sample_weight: Any = None,
    zero_division: float = 0.0,
) -> ThresholdSweep:
    """Confusion counts, precision, recall, F1 and cost at many thresholds at once.

    Parameters
    ----------
    y_true : array of shape (n_samples,)
        Binary labels.
    y_prob : array of shape (n_samples,)
        Probabilities or any real scores; ``y_prob >= t`` is flagged positive.
    thresholds : array-like of shape (n_thresholds,), optional
        The thresholds to evaluate, in any order (cast to the scores' dtype).
        By default ``+inf`` (flag nothing) followed by every distinct score,
        decreasing.
    cost_fp, cost_fn : float >= 0, default 1
        The cost of a false positive and of a false negative.
    pos_label : label, optional
        The positive label; may be left out for labels 0/1 or -1/1.
    sample_weight : array of shape (n_samples,), optional
        Non-negative weights; counts and costs become sums of weights.
    zero_division : {0, 1, nan}, default 0
        Precision, recall or F1 where their denominator is 0.

    Returns
    -------
    ThresholdSweep
        Arrays on the scores' device, one entry per threshold.

    Raises
    ------
    ValueError
        On Dask arrays without ``thresholds`` (every distinct score would make
        arrays as long as the data), besides the checks every metric makes.

    Examples
    --------
    Seed 000's validation slice, a missed review costing $120 and an
    unnecessary one $18:

    >>> import numpy as np
    >>> from xlogreg.metrics import threshold_sweep
    >>> scores = np.array([0.061, 0.169, 0.595, 0.624, 0.971, 0.325, 0.990, 0.244])
    >>> sweep = threshold_sweep(np.array([0, 0, 1, 0, 1, 0, 1, 1]), scores, [0.2, 0.5, 0.8],
    ...                         cost_fp=18, cost_fn=120)
    >>> sweep.cost, sweep.tp, sweep.fp
    (array([ 36., 138., 240.]), array([4, 3, 2]), array([2, 1, 0]))
    """
    _check_costs(cost_fp, cost_fn)
    zero_division = check_zero_division(zero_division)
    chunked = any_chunked(y_true, y_prob, sample_weight)
    if thresholds is None and chunked:
        raise ValueError(
            "threshold_sweep on Dask arrays needs thresholds=: by default it sweeps every "
            "distinct score, which makes arrays as long as the data; pass a grid such as "
            "numpy.linspace(0, 1, 101), or find the least-cost threshold with select_threshold"
        )
    if any_chunked(thresholds):
        raise TypeError(
            "thresholds is a Dask array; pass the thresholds to evaluate as a NumPy array or a list"
        )
    if thresholds is not None and not chunked:
        resolve(y_prob=y_prob, thresholds=thresholds)
    inputs = check_binary_scores(
        y_true, y_prob, sample_weight=sample_weight, pos_label=pos_label, score_name="y_prob"
    )
    xp, device = inputs.xp, inputs.device
    if thresholds is None:
        counts = counts_at_distinct_scores(inputs)
        zero = xp.zeros(1, dtype=counts.tps.dtype, device=device)
        infinity = xp.full(1, float("inf"), dtype=inputs.dtype, device=device)
        thresholds = xp.concat([infinity, counts.thresholds])
        tp, fp = xp.concat([zero, counts.tps]), xp.concat([zero, counts.fps])
        n_positive, n_negative = counts.tps[-1], counts.fps[-1]
    else:
        thresholds = _check_thresholds(thresholds, xp=xp, device=device, dtype=inputs.dtype)
        tp, fp, n_positive, n_negative = inputs.summed(_counts_at_thresholds, thresholds)
    fn, tn = n_positive - tp, n_negative - fp
    tp_, fp_, fn_ = (xp.astype(c, inputs.acc, copy=False) for c in (tp, fp, fn))
    # Unweighted counts are whole numbers, held exactly in float64: report them as integers.
    count_dtype = inputs.acc if inputs.weighted else inputs.count_dtype
    tp, fp, fn, tn = (xp.astype(c, count_dtype, copy=False) for c in (tp, fp, fn, tn))
    return ThresholdSweep(
        thresholds=thresholds,
        tp=tp,
        fp=fp,
        fn=fn,
        tn=tn,
        precision=inputs.result(divide(xp, tp_, tp_ + fp_, zero_division)),
        recall=inputs.result(divide(xp, tp_, tp_ + fn_, zero_division)),
        f1=inputs.result(divide(xp, 2 * tp_, 2 * tp_ + fp_ + fn_, zero_division)),
        cost=inputs.result(cost_fp * fp_ + cost_fn * fn_),
    )


def _counts_at_thresholds(inputs: BinaryScores, thresholds: Any) -> tuple[Any, Any, Any, Any]:
    """``tp`` and ``fp`` of ``score >= t`` for each threshold ``t``, then the (weighted)
    positives and negatives in all (their counts at ``-inf``)."""
    xp = inputs.xp
    lowest = xp.full(1, -float("inf"), dtype=thresholds.dtype, device=inputs.device)
    counts = counts_at_distinct_scores(inputs)
    tp, fp = counts_at(counts, xp.concat([thresholds, lowest]), xp=xp)
    return tp[:-1], fp[:-1], tp[-1], fp[-1]


def _check_thresholds(thresholds: Any, *, xp: Any, device: Any, dtype: Any) -> Any:
    """Return ``thresholds`` as a non-empty 1-D array of ``dtype`` without NaN (±inf allowed)."""
    if not hasattr(thresholds, "shape"):
        thresholds = xp.asarray(thresholds, dtype=dtype, device=device)
    thresholds = nonempty_vector(
        as_array(thresholds, xp=xp, device=device), "thresholds", xp=xp, device=device
    )
    if not xp.isdtype(thresholds.dtype, ("real floating", "integral")):
        raise TypeError(f"thresholds must hold real numbers, got dtype {thresholds.dtype}")
    thresholds = xp.astype(thresholds, dtype)
    if host_bool(xp.any(xp.isnan(thresholds))):
        raise ValueError("thresholds contains NaN")
    return thresholds


def select_threshold(
    y_true: Any,
    y_prob: Any,
    *,
    cost_fp: float,
    cost_fn: float,
    pos_label: Any = None,
    sample_weight: Any = None,
) -> ThresholdChoice:
    """The threshold of least total cost ``cost_fp·FP + cost_fn·FN``.

    Every distinct score is a candidate, and so is ``+inf`` (flag nothing);
    one sort finds them all (O(n log n)). Ties in cost go to the **highest**
    threshold: for the same cost, the fewest samples are flagged.

    Parameters
    ----------
    y_true : array of shape (n_samples,)
        Binary labels.
    y_prob : array of shape (n_samples,)
        Probabilities or any real scores; ``y_prob >= t`` is flagged positive.
    cost_fp, cost_fn : float >= 0
        The cost of a false positive and of a false negative.
    pos_label : label, optional
        The positive label; may be left out for labels 0/1 or -1/1.
    sample_weight : array of shape (n_samples,), optional
        Non-negative weights.

    Returns
    -------
    ThresholdChoice
        ``(threshold, cost)`` as 0-d arrays on the scores' device.

    Examples
    --------
    >>> import numpy as np
    >>> from xlogreg.metrics import select_threshold
    >>> scores = np.array([0.061, 0.169, 0.595, 0.624, 0.971, 0.325, 0.990, 0.244])
    >>> select_threshold(np.array([0, 0, 1, 0, 1, 0, 1, 1]), scores, cost_fp=18, cost_fn=120)
    ThresholdChoice(threshold=array(0.244), cost=array(36.))
    """
    _check_costs(cost_fp, cost_fn)
    inputs = check_binary_scores(
        y_true, y_prob, sample_weight=sample_weight, pos_label=pos_label, score_name="y_prob"
    )
    xp = inputs.xp
    ranked = by_value_ranges(inputs, _least_cost, cost_fp, cost_fn, thresholds=True)
    costs = xp.stack([cost for cost, _ in ranked.results])
    thresholds = xp.stack([threshold for _, threshold in ranked.results])
    # argmin takes the first minimum: the highest threshold among equal costs (the ranges
    # come highest scores first).
    best = xp.reshape(xp.argmin(costs), (1,))
    best_cost = xp.reshape(xp.take(costs, best), ())
    # +inf, above every score, flags nothing and wins ties.
    flag_nothing = cost_fn * ranked.n_positive
    infinity = xp.asarray(float("inf"), dtype=inputs.dtype, device=inputs.device)
    nothing_wins = flag_nothing <= best_cost
    return ThresholdChoice(
        threshold=xp.where(nothing_wins, infinity, xp.reshape(xp.take(thresholds, best), ())),
        cost=inputs.result(xp.where(nothing_wins, flag_nothing, best_cost)),
    )


def _least_cost(
    xp: Any, counts: DistinctScoreCounts, above: Above, cost_fp: float, cost_fn: float
) -> tuple[Any, Any]:
    """The least cost of ``score >= t`` over the range's distinct scores ``t``, and the
    highest ``t`` of that cost, as 0-d arrays."""
    thresholds, tps, fps = counts
    tps, fps = above.shift(tps, fps)
    cost = cost_fp * fps + cost_fn * (above.n_positive - tps)
    # argmin takes the first minimum: the highest threshold among equal costs.
    best = xp.reshape(xp.argmin(cost), (1,))
    return xp.reshape(xp.take(cost, best), ()), xp.reshape(xp.take(thresholds, best), ())
