"""The checks every metric calls first: arrays in memory or Dask arrays, decided here.

Each ``check_*`` function looks at its arrays once: Dask arrays go to the
checks over their chunks (:mod:`._dask`), anything else to the in-memory
checks (:func:`~._inputs.in_memory_scores`, :func:`~._predictions.in_memory_predictions`,
:func:`~._targets.in_memory_targets`). Both paths judge the same summaries and
raise the same errors, and both return the same checked inputs
(:class:`~._inputs.BinaryScores`, ...), which hold either arrays or the chunks
those arrays live in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from xlogreg._backend import is_chunked
from xlogreg._validation import check_choice
from xlogreg.metrics._class_scores import (
    ClassScoreRules,
    ClassScores,
    in_memory_class_scores,
    probability_rows_tolerance,
)
from xlogreg.metrics._dask import (
    chunked_class_scores,
    chunked_predictions,
    chunked_scores,
    chunked_targets,
)
from xlogreg.metrics._inputs import BinaryScores, ScoreRules, in_memory_scores
from xlogreg.metrics._labels import given_classes
from xlogreg.metrics._predictions import Predictions, in_memory_predictions
from xlogreg.metrics._targets import Targets, in_memory_targets

__all__ = [
    "any_chunked",
    "check_binary_scores",
    "check_class_probabilities",
    "check_class_scores",
    "check_predictions",
    "check_probabilities",
    "check_targets",
    "refuse_chunked",
]


def any_chunked(*arrays: Any) -> bool:
    """Whether any of ``arrays`` is a Dask array (the metric then runs on its row chunks)."""
    return any(a is not None and is_chunked(a) for a in arrays)


def refuse_chunked(metric: str, reason: str, *arrays: Any) -> None:
    """Refuse Dask arrays for ``metric``, saying why (``reason``) and what to do instead.

    Raises
    ------
    TypeError
        If any of ``arrays`` is a Dask array.
    """
    if any_chunked(*arrays):
        raise TypeError(
            f"{metric} does not take Dask arrays: {reason}. If the data fit in memory, "
            "call it on computed arrays (e.g. y_score.compute())"
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
        The positive label; see :func:`~._labels.resolve_pos_label` (and ``greater``).
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
    rules = ScoreRules(pos_label, greater, score_name, probabilities, needs)
    check = chunked_scores if any_chunked(y_true, y_score, sample_weight) else in_memory_scores
    return check(y_true, y_score, sample_weight, rules)


def check_class_scores(
    y_true: Any,
    y_score: Any,
    *,
    sample_weight: Any = None,
    labels: Any = None,
    score_name: str = "y_score",
    probabilities: bool = False,
    sum_tolerance: Callable[[float], float] | None = None,
) -> ClassScores:
    """Check labels of K classes and their (n_samples, K) scores; return them on their device.

    Parameters
    ----------
    y_true : array of shape (n_samples,)
        Labels.
    y_score : array of shape (n_samples, n_classes)
        A row of scores per sample; column ``k`` scores the ``k``-th class in
        sorted order.
    sample_weight : array of shape (n_samples,), optional
        Non-negative weights.
    labels : sequence, optional
        The classes of the columns, sorted; by default the labels of ``y_true``.
    score_name : str
        The name of ``y_score`` in the caller's signature, for messages.
    probabilities : bool
        Whether the scores must lie in [0, 1].
    sum_tolerance : callable, optional
        How far each row's sum may be from one, given the machine epsilon of
        the scores' dtype; None: rows need not sum to one.

    Raises
    ------
    ValueError
        On empty input, scores that are not 2-D with two columns or more,
        lengths that differ, NaN or infinite labels or scores, probabilities
        outside [0, 1], rows that do not sum to one, labels of ``y_true`` that
        are not in ``labels``, unsorted ``labels``, a number of classes that
        differs from the number of columns, or negative weights.
    TypeError
        On inputs from different libraries or non-numeric scores.
    """
    rules = ClassScoreRules(given_classes(labels), score_name, probabilities, sum_tolerance)
    chunked = any_chunked(y_true, y_score, sample_weight)
    check = chunked_class_scores if chunked else in_memory_class_scores
    return check(y_true, y_score, sample_weight, rules)


def check_class_probabilities(
    y_true: Any,
    y_prob: Any,
    *,
    sample_weight: Any = None,
    labels: Any = None,
    pos_label: Any = None,
) -> ClassScores:
    """:func:`check_class_scores` for (n_samples, K) probabilities, named ``y_prob``: in
    [0, 1], rows summing to one within scikit-learn's tolerance
    (:func:`~._class_scores.probability_rows_tolerance`).

    Raises
    ------
    ValueError
        If ``pos_label`` is given (it is for 1-D probabilities), besides the
        checks of :func:`check_class_scores`.
    """
    if pos_label is not None:
        raise ValueError(
            "pos_label is for probabilities of shape (n_samples,); with (n_samples, n_classes) "
            "every class has its column"
        )
    return check_class_scores(
        y_true,
        y_prob,
        sample_weight=sample_weight,
        labels=labels,
        score_name="y_prob",
        probabilities=True,
        sum_tolerance=probability_rows_tolerance,
    )


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


def check_predictions(
    y_true: Any, y_pred: Any, *, sample_weight: Any = None, labeled: bool = True
) -> Predictions:
    """Check true and predicted labels; return them, on device, with the labels present
    (unless ``labeled=False``: then the labels are not read).

    Raises
    ------
    ValueError
        On empty input, lengths that differ, NaN or infinite labels, more than
        :data:`~._labels.MAX_CLASSES` labels, or negative weights.
    TypeError
        On inputs from different libraries.
    """
    check = (
        chunked_predictions if any_chunked(y_true, y_pred, sample_weight) else in_memory_predictions
    )
    return check(y_true, y_pred, sample_weight, labeled=labeled)


def check_targets(
    y_true: Any, y_pred: Any, sample_weight: Any, multioutput: Any, averages: tuple[str, ...]
) -> Targets:
    """Check shapes, finiteness and weights of regression targets.

    Raises
    ------
    ValueError
        On empty targets, shapes that differ, NaN or infinity, an unknown
        ``multioutput`` or negative weights.
    """
    check_choice(multioutput, "multioutput", averages)
    check = chunked_targets if any_chunked(y_true, y_pred, sample_weight) else in_memory_targets
    return check(y_true, y_pred, sample_weight, multioutput)
