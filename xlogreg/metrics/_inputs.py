"""Binary labels with one score per sample, checked: the inputs of the score metrics.

Shapes first (:func:`score_vectors`), then a summary of the data
(:func:`score_stats`: labels, score range, weights, class totals) judged by
:func:`judge_scores`. :func:`in_memory_scores` runs these checks on arrays in
memory; on Dask arrays the summary is taken chunk by chunk and merged
(:func:`~._dask.chunked_scores`). :func:`~._checks.check_binary_scores`
chooses between the two.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import ModuleType
from typing import Any, NamedTuple

from array_api_compat import array_namespace

from xlogreg._backend import compute_dtype, contiguous, host_floats, resolve
from xlogreg._target_validation import check_weight_range
from xlogreg.metrics._base import InputRows, labeled_vectors, to_result, weight_range
from xlogreg.metrics._labels import (
    LabelSummary,
    equals_label,
    judge_labels,
    label_summary,
    resolve_pos_label,
)

__all__ = [
    "BinaryScores",
    "ScoreRules",
    "ScoreStats",
    "cast_scores",
    "in_memory_scores",
    "judge_scores",
    "score_stats",
    "score_vectors",
]


def cast_scores(score: Any, weight: Any, *, xp: ModuleType, dtype: Any, acc: Any) -> tuple:
    """Scores in their compute dtype (contiguous) and weights (or None) in ``acc``."""
    score = contiguous(xp.astype(score, dtype, copy=False))
    return score, None if weight is None else xp.astype(weight, acc, copy=False)


@dataclass(frozen=True, kw_only=True)
class BinaryScores(InputRows):
    """Binary labels with one score (or probability) per sample, checked and on one device.

    Attributes
    ----------
    positive : bool array of shape (n_samples,)
        Whether each sample belongs to the positive class.
    score : float array of shape (n_samples,)
        The scores in their compute dtype.
    dtype
        The float dtype of the results (the scores' compute dtype).
    weighted : bool
        Whether sample weights were given.
    xp, device, weight, acc, n_samples, rows
        As in :class:`~._base.InputRows`.
    """

    positive: Any
    score: Any
    dtype: Any
    weighted: bool

    @classmethod
    def of_arrays(
        cls, y_true: Any, score: Any, weight: Any, label: Any, dtype: Any, acc: Any
    ) -> BinaryScores:
        """Inputs of checked arrays: ``label`` marks the positives of ``y_true``; ``score``
        and ``weight`` (or None) are cast to ``dtype`` and ``acc`` unless they are already."""
        xp = array_namespace(y_true, score)
        score, weight = cast_scores(score, weight, xp=xp, dtype=dtype, acc=acc)
        positive = equals_label(xp, y_true, label)
        settings = {"dtype": dtype, "acc": acc, "weighted": weight is not None}
        return cls._around(score, positive=positive, score=score, weight=weight, **settings)

    def result(self, value: Any) -> Any:
        """``value`` as a result array: the scores' dtype, on their device."""
        return to_result(self.xp, value, self.dtype, self.device)

    def order_statistics(self, ranks: list[int]) -> Any:
        """The scores of the given ranks (0 is the lowest score), weights ignored."""
        if self.rows is not None:
            return self.rows.order_statistics(self, ranks)
        xp = self.xp
        return xp.take(xp.sort(self.score), xp.asarray(ranks, device=self.device))


class ScoreStats(NamedTuple):
    """What the checks of binary labels and scores need to know of the data.

    Attributes
    ----------
    labels : LabelSummary
        The distinct labels.
    class_totals : tuple of float
        The (weighted) number of samples of each label in ``labels.shown``;
        empty unless asked for and there are at most two labels.
    score_range : tuple of float
        The lowest and the highest score (NaN if a score is NaN).
    weight_range : tuple of float or None
        The lowest weight and the total weight; None without weights.
    """

    labels: LabelSummary
    class_totals: tuple
    score_range: tuple
    weight_range: tuple | None


def score_stats(
    y_true: Any, score: Any, weight: Any, *, xp: ModuleType, acc: Any, classes: bool
) -> ScoreStats:
    """Summarize labels, scores and weights (``None``) in two transfers; ``classes``: with
    the class totals."""
    labels = label_summary(y_true, xp=xp)
    if y_true.shape[0] == 0:
        inf = float("inf")
        return ScoreStats(labels, (), (inf, -inf), None if weight is None else (inf, 0.0))
    totals = []
    if classes and labels.count <= 2:
        for label in labels.shown:
            is_label = equals_label(xp, y_true, label)
            totals.append(
                xp.astype(xp.count_nonzero(is_label), acc)
                if weight is None
                else xp.sum(xp.where(is_label, weight, 0.0))
            )
    extremes = [xp.astype(xp.min(score), acc), xp.astype(xp.max(score), acc)]
    weights = [] if weight is None else weight_range(weight, xp=xp)
    lowest, highest, *rest = host_floats(xp, *extremes, *weights, *totals)
    n_weights = len(weights)
    return ScoreStats(
        labels,
        tuple(rest[n_weights:]),
        (lowest, highest),
        tuple(rest[:n_weights]) if weights else None,
    )


class ScoreRules(NamedTuple):
    """What binary labels and scores are judged by: the settings of
    :func:`~._checks.check_binary_scores`, which describes each.

    Attributes
    ----------
    pos_label : label or None
        The positive label.
    greater : bool
        Whether ``pos_label=None`` means the greater label.
    score_name : str
        The name of the scores in the caller's signature, for messages.
    probabilities : bool
        Whether the scores must lie in [0, 1].
    needs : tuple of {"positive", "negative"}
        The classes that must carry weight.
    """

    pos_label: Any
    greater: bool
    score_name: str
    probabilities: bool
    needs: tuple[str, ...]


def judge_scores(stats: ScoreStats, rules: ScoreRules) -> Any:
    """Judge the summary of binary labels and scores by ``rules``; return the positive label.

    Raises
    ------
    ValueError
        As :func:`~._checks.check_binary_scores` says.
    """
    pos_label, greater, score_name, probabilities, needs = rules
    labels = judge_labels(stats.labels, "y_true")
    label = resolve_pos_label(labels, pos_label, "y_true", greater=greater)
    if stats.weight_range is not None:
        check_weight_range(*stats.weight_range)
    lowest, highest = stats.score_range
    if not (math.isfinite(lowest) and math.isfinite(highest)):
        raise ValueError(f"{score_name} contains NaN or infinity")
    if probabilities and (lowest < 0 or highest > 1):
        raise ValueError(
            f"{score_name} must hold probabilities in [0, 1], got values from "
            f"{lowest:g} to {highest:g}"
        )
    if needs:
        totals = list(zip(labels, stats.class_totals, strict=True))
        n_positive = sum(amount for value, amount in totals if value == label)
        n_negative = sum(amount for value, amount in totals if value != label)
        for cls, amount in (("positive", n_positive), ("negative", n_negative)):
            if cls in needs and amount <= 0:
                raise ValueError(
                    f"y_true has no {cls} samples (with weight); this metric needs both classes"
                )
    return label


def score_vectors(
    y_true: Any, y_score: Any, sample_weight: Any, *, xp: ModuleType, device: Any, score_name: str
) -> tuple:
    """The checks of binary labels, scores and weights that need no pass over the data.

    Returns
    -------
    y_true, score, weight
        1-D arrays of one length, as given (``weight`` None without weights).
    dtype, acc
        The scores' compute dtype and the accumulation dtype.
    """
    y_true, score, weight, acc = labeled_vectors(
        y_true, y_score, score_name, sample_weight, xp=xp, device=device
    )
    return y_true, score, weight, compute_dtype(xp, device, score.dtype, name=score_name), acc


def in_memory_scores(
    y_true: Any, y_score: Any, sample_weight: Any, rules: ScoreRules
) -> BinaryScores:
    """:func:`~._checks.check_binary_scores` of arrays in memory."""
    score_name = rules.score_name
    xp, device = resolve(y_true=y_true, **{score_name: y_score}, sample_weight=sample_weight)
    y_true, score, weight, dtype, acc = score_vectors(
        y_true, y_score, sample_weight, xp=xp, device=device, score_name=score_name
    )
    score, weight = cast_scores(score, weight, xp=xp, dtype=dtype, acc=acc)
    stats = score_stats(y_true, score, weight, xp=xp, acc=acc, classes=bool(rules.needs))
    label = judge_scores(stats, rules)
    return BinaryScores.of_arrays(y_true, score, weight, label, dtype, acc)
