"""Ranking metrics of K classes: one-vs-rest and one-vs-one ROC AUC, average precision of
(n_samples, K) scores, and top-k accuracy.

One-vs-rest metrics run the binary kernels (:func:`~._counts.roc_area`,
:func:`~._counts.precision_average`) on each class against the rest: one sort
of a column per class; the micro average runs them once on the n × K
(sample, class) pairs. One-vs-one AUC (Hand & Till, 2001, as scikit-learn
computes it) also sorts each column once: along the column of class ``a``,
every sample learns how many samples of ``a`` score above it (ties half), and
summing that per true class gives the Mann-Whitney counts of ``a`` against
every other class at once. Top-k accuracy needs no sort: the true class is
in the top k when fewer than k classes outrank it (ties broken as
scikit-learn's stable sort breaks them). Nothing is n × n or per threshold.
"""

from __future__ import annotations

from typing import Any

from array_api_compat import device as device_of

from xlogreg._backend import host_list
from xlogreg._validation import check_bool, check_choice, check_number
from xlogreg.metrics._arithmetic import divide
from xlogreg.metrics._bins import bin_sums
from xlogreg.metrics._checks import check_class_scores, refuse_chunked
from xlogreg.metrics._class_scores import ClassScores
from xlogreg.metrics._counts import precision_average, roc_area

__all__ = ["class_average_precision", "class_roc_auc", "top_k_accuracy_score"]

_MULTI_CLASS = ("ovr", "ovo")
_OVR_AVERAGES = ("micro", "macro", "weighted", None)
_OVO_AVERAGES = ("macro", "weighted")
_AP_AVERAGES = ("micro", "macro", "weighted", None)


def _auc_rows_tolerance(eps: float) -> float:
    """How far from one a row may sum: ``numpy.allclose``'s tolerance, which scikit-learn's
    multiclass AUC uses (whatever the dtype's ``eps``)."""
    return 1e-8 + 1e-5


def _present_classes(scores: ClassScores, metric: str) -> Any:
    """The (weighted) size of each class, read once; every class must have samples.

    Raises
    ------
    ValueError
        If a class of the columns has no samples (with weight) in ``y_true``.
    """
    totals = scores.class_totals()
    missing = [c for c, n in zip(scores.classes, host_list(totals), strict=True) if n <= 0]
    if missing:
        raise ValueError(
            f"y_true has no samples (with weight) of the classes {missing}; {metric} needs "
            "every class of the columns of y_score"
        )
    return totals


def _averaged(xp: Any, per_class: list, totals: Any, average: str | None) -> Any:
    """Per-class scores as ``average`` combines them: an array (None), their mean, or
    their mean weighted by the classes' sizes."""
    scores = xp.stack(per_class)
    if average is None:
        return scores
    if average == "weighted":
        return xp.vecdot(xp.astype(scores, totals.dtype), totals) / xp.sum(totals)
    return xp.mean(scores)


def class_roc_auc(
    y_true: Any,
    y_score: Any,
    *,
    average: str | None,
    sample_weight: Any,
    max_fpr: float | None,
    multi_class: str,
    labels: Any,
) -> Any:
    """:func:`~xlogreg.metrics.roc_auc_score` of (n_samples, K) probabilities.

    Raises
    ------
    ValueError
        On a ``multi_class`` other than ``"ovr"`` or ``"ovo"``, an ``average``
        the scheme lacks, ``max_fpr``, weights with ``"ovo"``, rows that do not
        sum to one or a class without samples, besides the checks of
        :func:`~._checks.check_class_scores`.
    TypeError
        For ``"ovo"`` on Dask arrays.
    """
    if multi_class not in _MULTI_CLASS:
        raise ValueError(
            f"multi_class must be 'ovr' or 'ovo' for scores of shape (n_samples, n_classes), "
            f"got {multi_class!r}"
        )
    check_choice(average, "average", _OVR_AVERAGES if multi_class == "ovr" else _OVO_AVERAGES)
    if max_fpr is not None:
        raise ValueError("max_fpr (a partial AUC) is for binary scores; leave it out here")
    if multi_class == "ovo":
        if sample_weight is not None:
            raise ValueError("sample_weight is not supported with multi_class='ovo'")
        refuse_chunked(
            "roc_auc_score(multi_class='ovo')",
            "each pair of classes needs the samples of both in one sorted order; "
            "multi_class='ovr' takes them",
            y_true,
            y_score,
        )
    scores = check_class_scores(
        y_true,
        y_score,
        sample_weight=sample_weight,
        labels=labels,
        sum_tolerance=_auc_rows_tolerance,
    )
    xp = scores.xp
    if average == "micro":  # every sample has a positive entry: no class can be missing
        return scores.result(_micro(scores, "auc"))
    totals = _present_classes(scores, "roc_auc_score")
    if multi_class == "ovo":
        return scores.result(_one_vs_one(scores, totals, average))
    per_class = [roc_area(scores.one_vs_rest(k)) for k in range(scores.n_classes)]
    return scores.result(_averaged(xp, per_class, totals, average))


def _one_vs_one(scores: ClassScores, totals: Any, average: str) -> Any:
    """Hand & Till's mean over pairs of classes of the two one-vs-one AUCs of each pair.

    ``wins[a, b]`` counts the pairs of a sample of ``a`` and a sample of ``b``
    where the first scores higher in column ``a`` (ties half); divided by the
    sizes it is the AUC of ``a`` against ``b``.
    """
    xp, device, acc = scores.xp, scores.device, scores.acc
    indices = scores.indices()
    n_classes = scores.n_classes
    wins = []
    for a in range(n_classes):
        order = xp.argsort(scores.score[:, a], descending=True, stable=False)
        column = xp.take(scores.score[:, a], order)
        classes = xp.take(indices, order)
        del order
        # Each sample's tie group, and the samples of ``a`` up to the end of each group.
        end = xp.ones(1, dtype=xp.bool, device=device)
        changes = column[1:] != column[:-1]
        group = xp.cumulative_sum(xp.astype(xp.concat([end, changes]), indices.dtype)) - 1
        through = xp.cumulative_sum(xp.astype(classes == a, acc))[xp.concat([changes, end])]
        del column, changes
        before = xp.concat([xp.zeros(1, dtype=acc, device=device), through[:-1]])
        # Samples of ``a`` scoring above each sample, ties counting half.
        above = xp.take(before + through, group) / 2.0
        del group, through, before
        wins.append(bin_sums(xp, classes, n_classes, [above], dtype=acc, device=device)[:, 0])
    auc = divide(xp, xp.stack(wins), totals[:, None] * totals[None, :], 0.0)
    present = totals > 0
    pairs = xp.logical_and(present[:, None], present[None, :])
    index = xp.arange(n_classes, device=device)
    upper = xp.logical_and(pairs, index[:, None] < index[None, :])
    pair_auc = (auc + auc.T) / 2.0
    if average == "weighted":
        weight = xp.where(upper, totals[:, None] + totals[None, :], 0.0)
    else:
        weight = xp.astype(upper, acc)
    return xp.sum(pair_auc * weight) / xp.sum(weight)


def _micro(scores: ClassScores, metric: str) -> Any:
    """The AUC or the average precision of all (sample, class) entries as one binary problem.

    On Dask arrays, the entries are one binary input (:meth:`ClassScores.flattened`)
    ranged across the workers. In memory, one column at a time, not n × K entries at
    once: each sample's positive entry (its true class's score ``t``) learns the
    weight of the negative entries of the column scoring below ``t`` and at ``t``
    from one sort of the column's negatives, and the positives' own weight above
    each ``t`` from one sort of the ``t``; memory stays O(n_samples).
    """
    if scores.rows is not None:
        binary = scores.flattened()
        return roc_area(binary) if metric == "auc" else precision_average(binary)
    xp, acc = scores.xp, scores.acc
    indices = scores.indices()
    # The positive entries in order of score: binary searches of ordered queries are
    # several times faster than of random ones.
    true_score = xp.take_along_axis(scores.score, indices[:, None], axis=1)[:, 0]
    order = xp.argsort(true_score, stable=False)
    true_score = xp.take(true_score, order)
    weight = None if scores.weight is None else xp.take(scores.weight, order)
    del order
    # Of every entry of a column below or at t, the positive ones are the samples' own.
    positives_below, positives_through = _weight_under(xp, true_score, weight, true_score, acc)
    below, through = -positives_below, -positives_through
    for column in range(scores.n_classes):
        lower, upper = _weight_under(xp, scores.score[:, column], scores.weight, true_score, acc)
        below, through = below + lower, through + upper
    if weight is None:
        weight = xp.ones(scores.n_samples, dtype=acc, device=scores.device)
    total = xp.sum(weight)
    negatives = total * (scores.n_classes - 1)
    if metric == "auc":
        return xp.vecdot(weight, (below + through) / 2.0) / (total * negatives)
    true_positives = total - positives_below
    precision = divide(xp, true_positives, true_positives + (negatives - below), 0.0)
    return xp.vecdot(weight, precision) / total


def _weight_under(xp: Any, values: Any, weight: Any, queries: Any, dtype: Any) -> tuple[Any, Any]:
    """For each query ``q``: the weight of ``values`` below ``q``, and at or below ``q``,
    in ``dtype`` (one sort of the values, a binary search per query; ``weight`` None
    counts)."""
    if weight is None:
        ordered = xp.sort(values, stable=False)
        cumulative = xp.arange(values.shape[0] + 1, dtype=dtype, device=device_of(values))
    else:
        order = xp.argsort(values, stable=False)
        ordered = xp.take(values, order)
        cumulative = xp.cumulative_sum(xp.take(weight, order), include_initial=True)
        del order
    lower = xp.take(cumulative, xp.searchsorted(ordered, queries, side="left"))
    upper = xp.take(cumulative, xp.searchsorted(ordered, queries, side="right"))
    return lower, upper


def class_average_precision(
    y_true: Any, y_score: Any, *, average: str | None, pos_label: Any, sample_weight: Any
) -> Any:
    """:func:`~xlogreg.metrics.average_precision_score` of (n_samples, K) scores: one class
    against the rest for each class present in ``y_true`` (sorted), as scikit-learn does.

    Raises
    ------
    ValueError
        On a ``pos_label`` other than 1, an unknown ``average``, or a number of
        classes in ``y_true`` other than the number of columns.
    """
    check_choice(average, "average", _AP_AVERAGES)
    if pos_label != 1:
        raise ValueError(
            f"pos_label is fixed to 1 for scores of shape (n_samples, n_classes), got "
            f"{pos_label!r}: each class is positive in turn"
        )
    scores = check_class_scores(y_true, y_score, sample_weight=sample_weight)
    if average == "micro":
        return scores.result(_micro(scores, "ap"))
    totals = scores.class_totals()
    per_class = [precision_average(scores.one_vs_rest(k)) for k in range(scores.n_classes)]
    return scores.result(_averaged(scores.xp, per_class, totals, average))


def _top_k_hits(inputs: ClassScores, rows: slice, k: int) -> Any:
    """Whether each sample's true class is among its ``k`` highest scores: fewer than ``k``
    classes score higher, or tie and come later (scikit-learn's stable sort, reversed)."""
    xp = inputs.xp
    score = inputs.score[rows, :]
    indices = inputs.indices(rows)
    true_score = xp.take_along_axis(score, indices[:, None], axis=1)
    columns = xp.arange(inputs.n_classes, dtype=indices.dtype, device=device_of(score))
    later = columns[None, :] > indices[:, None]
    ties_after = xp.logical_and(score == true_score, later)
    outranks = xp.count_nonzero(score > true_score, axis=1) + xp.count_nonzero(ties_after, axis=1)
    return outranks < k


def top_k_accuracy_score(
    y_true: Any,
    y_score: Any,
    *,
    k: int = 2,
    normalize: bool = True,
    sample_weight: Any = None,
    labels: Any = None,
) -> Any:
    """The (weighted) share of samples whose true class is among their ``k`` highest scores.

    Ties among the scores are broken as scikit-learn breaks them: of two
    classes with the same score, the later one ranks higher.

    Parameters
    ----------
    y_true : array of shape (n_samples,)
        Labels.
    y_score : array of shape (n_samples, n_classes)
        Scores of each class (probabilities, logits, ...); column ``j`` scores
        the ``j``-th class in sorted order.
    k : int >= 1, default 2
        How many of the highest scores count.
    normalize : bool, default True
        Return the share; with False, the (weighted) number of hits.
    sample_weight : array of shape (n_samples,), optional
        Non-negative weights.
    labels : sequence, optional
        The classes of the columns, sorted; by default the labels of ``y_true``.

    Returns
    -------
    accuracy : 0-d array
        In the scores' dtype, on their device.

    Examples
    --------
    >>> import numpy as np
    >>> from xlogreg.metrics import top_k_accuracy_score
    >>> y_score = np.array([[0.5, 0.2, 0.2], [0.3, 0.4, 0.2], [0.2, 0.4, 0.3], [0.7, 0.2, 0.1]])
    >>> top_k_accuracy_score(np.array([0, 1, 2, 2]), y_score, k=2)
    array(0.75)
    """
    check_number(k, "k", integer=True, low=1)
    check_bool(normalize, "normalize")
    scores = check_class_scores(y_true, y_score, sample_weight=sample_weight, labels=labels)
    return scores.result(scores.mean(_top_k_hits, k, normalize=normalize))
