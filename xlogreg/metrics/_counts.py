"""The sorted-scores core that ROC, PR, AUC, AP and the threshold sweep share.

Sort the scores once (O(n log n)), accumulate the (weighted) positives and
negatives along the sorted order, and keep the totals at the last sample of
each distinct score: those are the confusion counts of the rule
``score >= threshold`` at every distinct threshold. No n × n or n × thresholds
array is ever built.

Metrics that need the whole sorted order (ROC AUC, average precision, the
least-cost threshold) are written as kernels over one range of score values
(:func:`by_value_ranges`): in memory the one range holds every score; on Dask
arrays each range of values is counted on a worker, and a kernel learns from
:class:`Above` the totals of the ranges above its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from array_api_compat import device as device_of

from xlogreg.metrics._arithmetic import divide
from xlogreg.metrics._inputs import BinaryScores

__all__ = [
    "Above",
    "DistinctScoreCounts",
    "Ranked",
    "by_value_ranges",
    "counts_at",
    "counts_at_distinct_scores",
    "float_counts",
    "precision_average",
    "roc_area",
    "total",
]


class DistinctScoreCounts(NamedTuple):
    """Confusion counts of ``score >= t`` at every distinct score ``t``, highest first.

    Attributes
    ----------
    thresholds : array of shape (n_thresholds,), or None
        The distinct scores, decreasing, in the scores' dtype (None when not
        asked for).
    tps, fps : arrays of shape (n_thresholds,)
        The (weighted) positives and negatives scoring at least each threshold,
        in the accumulation dtype; unweighted counts on a device without
        float64 stay integers (int64, or int32 where it has none), so they
        remain exact.
    """

    thresholds: Any
    tps: Any
    fps: Any


def counts_at_distinct_scores(
    inputs: BinaryScores, *, thresholds: bool = True
) -> DistinctScoreCounts:
    """Sort once and count positives and negatives at every distinct score.

    Samples of weight zero are left out first, as scikit-learn does, so their
    scores are not thresholds. Memory: besides the inputs, at most about
    30 bytes per sample for float32 scores (the sort's int64 permutation, then
    the cumulative counts), freed as soon as each step is done.
    """
    xp = inputs.xp
    positive, score, weight = inputs.positive, inputs.score, inputs.weight
    if weight is not None:
        kept = weight != 0
        positive, score, weight = positive[kept], score[kept], weight[kept]
        del kept
    order = xp.argsort(score, descending=True, stable=False)  # ties form one group anyway
    score = xp.take(score, order)
    positive = xp.astype(xp.take(positive, order), xp.int8)
    if weight is not None:
        weight = xp.take(weight, order)
    del order
    # No group ends among no scores (a Dask chunk or value range may hold none).
    end = xp.ones(min(score.shape[0], 1), dtype=xp.bool, device=inputs.device)
    group_end = xp.concat([score[1:] != score[:-1], end])
    score = score[group_end] if thresholds else None
    if weight is None:
        dtype = inputs.count_dtype if inputs.acc == xp.float32 else inputs.acc
        tps = xp.cumulative_sum(positive, dtype=dtype)[group_end]
        fps = xp.cumulative_sum(1 - positive, dtype=dtype)[group_end]
    else:
        # Two cumulative sums (rather than index - tps) keep fps non-decreasing
        # under rounding.
        tps = xp.cumulative_sum(weight * xp.astype(positive, inputs.acc))[group_end]
        fps = xp.cumulative_sum(weight * xp.astype(1 - positive, inputs.acc))[group_end]
    return DistinctScoreCounts(score, tps, fps)


def counts_at(counts: DistinctScoreCounts, thresholds: Any, *, xp: Any) -> tuple[Any, Any]:
    """Return ``(tp, fp)`` of the rule ``score >= t`` for each of ``thresholds``.

    ``thresholds`` may come in any order and need not be scores; a binary
    search in the distinct scores finds each one's counts.
    """
    n_distinct = counts.thresholds.shape[0]
    ascending = xp.flip(counts.thresholds)
    n_at_least = n_distinct - xp.searchsorted(ascending, thresholds, side="left")
    zero = xp.zeros(1, dtype=counts.tps.dtype, device=device_of(counts.tps))
    tp = xp.take(xp.concat([zero, counts.tps]), n_at_least)
    fp = xp.take(xp.concat([zero, counts.fps]), n_at_least)
    return tp, fp


def float_counts(inputs: BinaryScores, *, thresholds: bool = True) -> DistinctScoreCounts:
    """:func:`counts_at_distinct_scores` with the counts in the accumulation dtype."""
    xp = inputs.xp
    thresholds, tps, fps = counts_at_distinct_scores(inputs, thresholds=thresholds)
    tps, fps = (xp.astype(c, inputs.acc, copy=False) for c in (tps, fps))
    return DistinctScoreCounts(thresholds, tps, fps)


class Above(NamedTuple):
    """Where a range of scores stands among all the scores.

    Attributes
    ----------
    tp, fp : 0-d arrays or None
        The (weighted) positives and negatives scoring above every score of
        the range; None for the one range in memory (nothing is above it).
    n_positive, n_negative : 0-d arrays
        The (weighted) positives and negatives of all the ranges.
    """

    tp: Any
    fp: Any
    n_positive: Any
    n_negative: Any

    def shift(self, tps: Any, fps: Any) -> tuple[Any, Any]:
        """A range's own cumulative counts as counts over all the scores down to each one."""
        if self.tp is None:
            return tps, fps
        return tps + self.tp, fps + self.fp


class Ranked(NamedTuple):
    """What :func:`by_value_ranges` returns.

    Attributes
    ----------
    results : list
        The kernel's result on each range holding weighted samples, highest
        scores first.
    n_positive, n_negative : 0-d arrays
        The (weighted) positives and negatives in all.
    """

    results: list
    n_positive: Any
    n_negative: Any


def by_value_ranges(
    inputs: BinaryScores, kernel: Callable, *args: Any, thresholds: bool = False
) -> Ranked:
    """``kernel(xp, counts, above, *args)`` on the distinct-score counts of each range of scores.

    ``counts`` are those of :func:`float_counts` for the scores of one range
    of values, cumulative from its highest score (with the distinct scores
    when ``thresholds``), and ``above`` (an :class:`Above`) says how many
    positives and negatives score above the range: the counts of the rule
    ``score >= t`` over all the samples are ``above.shift(tps, fps)``.

    In memory the one range holds every score. On Dask arrays
    (``inputs.rows``) the scores are moved into ranges of values, ties
    always in one range, and each range is counted where it lives
    (:meth:`~xlogreg.metrics._dask.ChunkedRows.ranged`): kernels return
    small results.
    """
    if inputs.rows is not None:
        return inputs.rows.ranged(inputs, kernel, *args, thresholds=thresholds)
    xp = inputs.xp
    counts = float_counts(inputs, thresholds=thresholds)
    n_positive, n_negative = (xp.asarray(c[-1], copy=True) for c in (counts.tps, counts.fps))
    above = Above(None, None, n_positive, n_negative)
    return Ranked([kernel(xp, counts, above, *args)], n_positive, n_negative)


def total(xp: Any, results: list) -> Any:
    """The sum of the 0-d results of the ranges of scores."""
    return xp.sum(xp.stack(results))


def _ranked_pairs(xp: Any, counts: DistinctScoreCounts, above: Above) -> Any:
    """Twice the (weighted) pairs of a negative of the range and a positive scoring higher,
    ties counting half: ``Σ dF·(T_before + T_after)`` over the range's distinct scores.

    A tie group of dF negatives and dT positives wins dF·T_before pairs and
    ties dF·dT more. Within the range both T are its own counts; the
    positives above the range add ``2·T_above`` per negative.
    """
    _, tps, fps = counts
    first = fps[0] * tps[0]
    widths = fps[1:] - fps[:-1]
    heights = tps[1:] + tps[:-1]
    pairs = xp.vecdot(widths, heights) + first
    if above.tp is None:
        return pairs
    return pairs + 2.0 * above.tp * fps[-1]


def _precision_steps(xp: Any, counts: DistinctScoreCounts, above: Above) -> Any:
    """``Σ ΔTₖ·Pₖ`` over the range's distinct scores: the positives each one adds times the
    precision there, which counts the samples above the range too."""
    _, tps, fps = counts
    all_tps, all_fps = above.shift(tps, fps)
    precision = all_tps / (all_tps + all_fps)
    # ΔT₀ = T₀ apart: no array of all the steps besides the counts and the precision.
    return tps[0] * precision[0] + xp.vecdot(tps[1:] - tps[:-1], precision[1:])


def roc_area(inputs: BinaryScores) -> Any:
    """The area under the ROC curve of checked binary inputs (both classes present), exact
    with ties counting half, from one sort of the scores (per range of values on Dask)."""
    ranked = by_value_ranges(inputs, _ranked_pairs)
    pairs = total(inputs.xp, ranked.results)
    return pairs / (2.0 * ranked.n_positive * ranked.n_negative)


def precision_average(inputs: BinaryScores) -> Any:
    """The average precision of checked binary inputs (positives present): the step-wise
    area under the precision-recall curve, from one sort of the scores."""
    ranked = by_value_ranges(inputs, _precision_steps)
    # 0 without positives (with weight), which only one class of K scores can lack.
    return divide(inputs.xp, total(inputs.xp, ranked.results), ranked.n_positive, 0.0)
