"""Labels of K classes with a row of K scores per sample, checked: the inputs of the
multiclass score metrics (log loss, Brier, top-k accuracy, ROC AUC, average
precision, calibration).

Shapes first (:func:`class_score_arrays`), then a summary of the data
(:func:`class_score_stats`: labels, score range, how far rows are from summing
to one, weights) judged by :func:`judge_class_scores`.
:func:`in_memory_class_scores` runs these checks on arrays in memory; on Dask
arrays the summary is taken chunk by chunk and merged
(:func:`~._dask.chunked_class_scores`). :func:`~._checks.check_class_scores`
chooses between the two.

The checked :class:`ClassScores` turn into binary inputs
(:class:`~._inputs.BinaryScores`) for the kernels the binary metrics already
have: one class against the rest (:meth:`ClassScores.one_vs_rest`), the top
label's confidence and correctness (:meth:`ClassScores.top_label`), and every
(sample, class) pair as one binary sample (:meth:`ClassScores.flattened`, the
micro average). In memory these are arrays; on Dask arrays each chunk builds
them where it lives.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any, NamedTuple

from array_api_compat import array_namespace
from array_api_compat import device as device_of

from xlogreg._backend import accumulation_dtype, as_array, compute_dtype, host_floats, resolve
from xlogreg._target_validation import check_weight_range
from xlogreg.metrics._base import InputRows, nonempty_vector, to_result, weight_range, weight_vector
from xlogreg.metrics._bins import bin_sums
from xlogreg.metrics._inputs import BinaryScores, cast_scores
from xlogreg.metrics._labels import (
    LabelSummary,
    class_indices,
    classes_of,
    judge_classes,
    label_summary,
)

__all__ = [
    "has_class_columns",
    "probability_rows_tolerance",
    "ClassScoreRules",
    "ClassScoreStats",
    "ClassScores",
    "class_score_arrays",
    "class_score_stats",
    "in_memory_class_scores",
    "judge_class_scores",
]


def probability_rows_tolerance(eps: float) -> float:
    """How far from one a row of class probabilities may sum, for a dtype of machine epsilon
    ``eps``: scikit-learn's ``isclose(sum, 1, rtol=sqrt(eps))`` of its log loss."""
    return 1e-8 + math.sqrt(eps)


def has_class_columns(y_score: Any) -> bool:
    """Whether ``y_score`` is 2-D (a row of class scores per sample): arrays by their
    ``ndim``, nested sequences by their first item."""
    ndim = getattr(y_score, "ndim", None)
    if ndim is not None:
        return ndim == 2
    return (
        isinstance(y_score, list | tuple) and bool(y_score) and isinstance(y_score[0], list | tuple)
    )


def _column(
    y_true: Any, score: Any, weight: Any, k: int, classes: tuple, dtype: Any, acc: Any
) -> BinaryScores:
    """Class ``k`` against the rest: its column of scores, its samples positive."""
    return BinaryScores.of_arrays(y_true, score[:, k], weight, classes[k], dtype, acc)


def _top_label(
    y_true: Any, score: Any, weight: Any, classes: tuple, dtype: Any, acc: Any
) -> BinaryScores:
    """The highest score of each sample, positive where its class is the true one (the
    first of tied highest scores, as ``argmax`` takes it)."""
    xp = array_namespace(y_true, score)
    correct = xp.argmax(score, axis=1) == class_indices(xp, y_true, classes)
    return BinaryScores.of_arrays(correct, xp.max(score, axis=1), weight, True, dtype, acc)


def _flattened(
    y_true: Any, score: Any, weight: Any, classes: tuple, dtype: Any, acc: Any
) -> BinaryScores:
    """Every (sample, class) pair as one binary sample: positive where the class is the
    sample's, scored by the sample's score for it, weighted by the sample's weight."""
    xp = array_namespace(y_true, score)
    indices = class_indices(xp, y_true, classes)
    columns = xp.arange(len(classes), dtype=indices.dtype, device=device_of(score))
    positive = indices[:, None] == columns
    if weight is not None:
        weight = xp.reshape(xp.broadcast_to(weight[:, None], score.shape), (-1,))
    flat = xp.reshape(score, (-1,))
    return BinaryScores.of_arrays(xp.reshape(positive, (-1,)), flat, weight, True, dtype, acc)


def _class_totals(inputs: ClassScores) -> Any:
    """The (weighted) number of samples of each class, in the accumulation dtype."""
    xp = inputs.xp
    totals = bin_sums(
        xp,
        inputs.indices(),
        inputs.n_classes,
        [inputs.weight],
        dtype=inputs.acc,
        device=inputs.device,
    )
    return xp.astype(totals[:, 0], inputs.acc)


@dataclass(frozen=True, kw_only=True)
class ClassScores(InputRows):
    """Labels of K classes and a row of K scores per sample, checked, on one device.

    Attributes
    ----------
    y_true : array of shape (n_samples,)
        The labels as given.
    score : float array of shape (n_samples, n_classes)
        The scores in their compute dtype; column ``k`` scores ``classes[k]``.
    classes : tuple
        The class of each column, sorted.
    dtype
        The float dtype of the results (the scores' compute dtype).
    weighted : bool
        Whether sample weights were given.
    xp, device, weight, acc, n_samples, rows
        As in :class:`~._base.InputRows`.
    """

    y_true: Any
    score: Any
    classes: tuple
    dtype: Any
    weighted: bool

    @classmethod
    def of_arrays(
        cls, y_true: Any, score: Any, weight: Any, classes: tuple, dtype: Any, acc: Any
    ) -> ClassScores:
        """Inputs of checked arrays; ``score`` and ``weight`` (or None) are cast to ``dtype``
        and ``acc`` unless they are already."""
        xp = array_namespace(y_true, score)
        score, weight = cast_scores(score, weight, xp=xp, dtype=dtype, acc=acc)
        settings = {"classes": tuple(classes), "dtype": dtype, "acc": acc}
        return cls._around(
            score,
            y_true=y_true,
            score=score,
            weight=weight,
            weighted=weight is not None,
            **settings,
        )

    @property
    def n_classes(self) -> int:
        """The number of classes (columns of the scores)."""
        return len(self.classes)

    def result(self, value: Any) -> Any:
        """``value`` as a result array: the scores' dtype, on their device."""
        return to_result(self.xp, value, self.dtype, self.device)

    def indices(self, rows: slice | None = None) -> Any:
        """The column of the true class of each sample (of ``rows``), in memory."""
        y_true = self.y_true if rows is None else self.y_true[rows]
        return class_indices(self.xp, y_true, self.classes)

    def class_totals(self) -> Any:
        """The (weighted) number of samples of each class, shape (n_classes,)."""
        return self.summed(_class_totals)

    def _binary(self, build: Any, *args: Any, n_samples: int | None = None) -> BinaryScores:
        settings = (*args, self.classes, self.dtype, self.acc)
        if self.rows is None:
            return build(self.y_true, self.score, self.weight, *settings)
        rows = dataclasses.replace(self.rows, build=build, build_args=settings)
        return BinaryScores(
            xp=self.xp,
            device=self.device,
            weight=None,
            acc=self.acc,
            n_samples=self.n_samples if n_samples is None else n_samples,
            rows=rows,
            positive=None,
            score=None,
            dtype=self.dtype,
            weighted=self.weighted,
        )

    def one_vs_rest(self, k: int) -> BinaryScores:
        """Class ``k`` (a column) against the others, as binary inputs."""
        return self._binary(_column, k)

    def top_label(self) -> BinaryScores:
        """Each sample's highest score, positive where that class is its true class."""
        return self._binary(_top_label)

    def flattened(self) -> BinaryScores:
        """The n × K (sample, class) pairs as binary samples (the micro average's inputs)."""
        return self._binary(_flattened, n_samples=self.n_samples * self.n_classes)


class ClassScoreStats(NamedTuple):
    """What the checks of labels and rows of class scores need to know of the data.

    Attributes
    ----------
    labels : LabelSummary
        The distinct labels.
    score_range : tuple of float
        The lowest and the highest score (NaN if a score is NaN).
    sum_error : float
        The largest ``|row sum − 1|`` over the rows.
    weight_range : tuple of float or None
        The lowest weight and the total weight; None without weights.
    """

    labels: LabelSummary
    score_range: tuple
    sum_error: float
    weight_range: tuple | None


def class_score_stats(
    y_true: Any, score: Any, weight: Any, *, xp: ModuleType, acc: Any
) -> ClassScoreStats:
    """Summarize labels, scores and weights (``None``) in two transfers."""
    labels = label_summary(y_true, xp=xp)
    if y_true.shape[0] == 0:
        inf = float("inf")
        return ClassScoreStats(labels, (inf, -inf), 0.0, None if weight is None else (inf, 0.0))
    sums = xp.sum(xp.astype(score, acc, copy=False), axis=1)
    summary = [
        xp.astype(xp.min(score), acc),
        xp.astype(xp.max(score), acc),
        xp.max(xp.abs(sums - 1.0)),
    ]
    weights = [] if weight is None else weight_range(weight, xp=xp)
    lowest, highest, sum_error, *rest = host_floats(xp, *summary, *weights)
    return ClassScoreStats(labels, (lowest, highest), sum_error, tuple(rest) if rest else None)


class ClassScoreRules(NamedTuple):
    """What labels and class scores are judged by: the settings of
    :func:`~._checks.check_class_scores`, which describes each.

    Attributes
    ----------
    labels : list or None
        The classes of the columns, as ``labels=`` gave them.
    score_name : str
        The name of the scores in the caller's signature, for messages.
    probabilities : bool
        Whether the scores must lie in [0, 1].
    sum_tolerance : callable or None
        How far a row's sum may be from one, as a function of the machine
        epsilon of the scores' dtype; None: no such check.
    """

    labels: list | None
    score_name: str
    probabilities: bool
    sum_tolerance: Callable[[float], float] | None


def judge_class_scores(
    stats: ClassScoreStats, rules: ClassScoreRules, n_columns: int, eps: float
) -> list:
    """Judge the summary of labels and ``n_columns`` columns of class scores, of a dtype
    of machine epsilon ``eps``, by ``rules``; return the classes.

    Raises
    ------
    ValueError
        As :func:`~._checks.check_class_scores` says.
    """
    labels, score_name, probabilities, sum_tolerance = rules
    found = judge_classes(stats.labels, "y_true")
    classes = classes_of(found, labels, "y_true")
    if labels is not None and labels != sorted(labels):
        raise ValueError(
            f"labels must be sorted, got {labels}: the columns of {score_name} are the "
            "classes in sorted order"
        )
    if len(classes) != n_columns:
        where = "labels lists" if labels is not None else "y_true holds"
        hint = "" if labels is not None else "; pass every class with labels="
        raise ValueError(
            f"{where} {len(classes)} classes {classes} but {score_name} has {n_columns} "
            f"columns{hint}"
        )
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
    tolerance = None if sum_tolerance is None else sum_tolerance(eps)
    if tolerance is not None and not stats.sum_error <= tolerance:
        raise ValueError(
            f"the rows of {score_name} must sum to one (within {tolerance:.3g}), got a row "
            f"{stats.sum_error:.3g} away"
        )
    return classes


def class_score_arrays(
    y_true: Any, y_score: Any, sample_weight: Any, *, xp: ModuleType, device: Any, score_name: str
) -> tuple:
    """The checks of labels, class scores and weights that need no pass over the data.

    Returns
    -------
    y_true, score, weight
        The arrays as given (``weight`` None without weights).
    dtype, acc
        The scores' compute dtype and the accumulation dtype.

    Raises
    ------
    ValueError
        On empty labels, scores that are not 2-D with two columns or more, or
        lengths that differ.
    """
    y_true = nonempty_vector(y_true, "y_true", xp=xp, device=device)
    n_samples = y_true.shape[0]
    score = as_array(y_score, xp=xp, device=device, name=score_name)
    if score.ndim != 2 or score.shape[1] < 2:
        raise ValueError(
            f"{score_name} must be of shape (n_samples, n_classes) with two classes or more, "
            f"got shape {tuple(score.shape)}"
        )
    if score.shape[0] != n_samples:
        raise ValueError(
            f"{score_name} has {score.shape[0]} rows but y_true has {n_samples} entries"
        )
    dtype = compute_dtype(xp, device, score.dtype, name=score_name)
    acc = accumulation_dtype(xp, device)
    weight = weight_vector(sample_weight, xp=xp, device=device, n_samples=n_samples, acc=acc)
    return y_true, score, weight, dtype, acc


def in_memory_class_scores(
    y_true: Any, y_score: Any, sample_weight: Any, rules: ClassScoreRules
) -> ClassScores:
    """:func:`~._checks.check_class_scores` of arrays in memory."""
    score_name = rules.score_name
    xp, device = resolve(y_true=y_true, **{score_name: y_score}, sample_weight=sample_weight)
    y_true, score, weight, dtype, acc = class_score_arrays(
        y_true, y_score, sample_weight, xp=xp, device=device, score_name=score_name
    )
    score, weight = cast_scores(score, weight, xp=xp, dtype=dtype, acc=acc)
    stats = class_score_stats(y_true, score, weight, xp=xp, acc=acc)
    classes = judge_class_scores(stats, rules, score.shape[1], float(xp.finfo(dtype).eps))
    return ClassScores.of_arrays(y_true, score, weight, tuple(classes), dtype, acc)
