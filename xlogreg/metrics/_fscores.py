"""Precision, recall and F-scores of any number of classes, per class or averaged.

All come from the K × K confusion matrix (:func:`~._classification.checked_confusion`):
per class, the true positives are its diagonal entry, the predicted ones its
column sum and the actual ones its row sum. ``average`` combines the classes
as scikit-learn does: ``"binary"`` reports ``pos_label`` alone, ``"micro"``
sums the counts first, ``"macro"`` takes the plain mean of the per-class
scores and ``"weighted"`` their mean weighted by support; NaN scores
(``zero_division=nan``) are left out of the means. ``zero_division``
replaces a 0/0 ratio with 0 (default), 1 or NaN, without a warning.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from xlogreg._validation import check_choice, check_number
from xlogreg.metrics._arithmetic import divide
from xlogreg.metrics._base import check_zero_division
from xlogreg.metrics._classification import checked_confusion, diagonal
from xlogreg.metrics._labels import given_classes, resolve_pos_label
from xlogreg.metrics._predictions import Predictions

__all__ = [
    "f1_score",
    "fscores",
    "fbeta_score",
    "precision_recall_fscore_support",
    "precision_score",
    "recall_score",
]

_AVERAGES = ("binary", "micro", "macro", "weighted", None)


def _counted_classes(found: list, order: list | None, average: str | None, pos_label: Any) -> list:
    """The classes to count: ``pos_label``'s first for ``"binary"``, else ``labels`` first,
    then the other labels present (they still count as errors of the others)."""
    if average == "binary":
        if len(found) > 2:
            raise ValueError(
                f"y_true and y_pred together hold {len(found)} labels, so they are not binary: "
                "average='binary' needs two labels at most; choose average= among "
                "'micro', 'macro', 'weighted' or None"
            )
        label = resolve_pos_label(found, pos_label, "y_true and y_pred")
        return [label, *(v for v in found if v != label)]
    if order is None:
        return found
    return order + [v for v in found if v not in order]


def _nan_mean(xp: Any, values: Any, weights: Any) -> Any:
    """The mean of the non-NaN ``values`` (weighted by ``weights`` unless None; unweighted
    if the weights of those values sum to zero); NaN if every value is NaN."""
    kept = xp.logical_not(xp.isnan(values))
    values = xp.where(kept, values, 0.0)
    mean = divide(xp, xp.sum(values), xp.sum(xp.astype(kept, values.dtype)), math.nan)
    if weights is None:
        return mean
    weights = xp.where(kept, weights, 0.0)
    total = xp.sum(weights)
    return xp.where(total == 0, mean, divide(xp, xp.vecdot(values, weights), total, 0.0))


def precision_recall_fscore_support(
    y_true: Any,
    y_pred: Any,
    *,
    beta: float = 1.0,
    labels: Sequence | None = None,
    pos_label: Any = 1,
    average: str | None = None,
    sample_weight: Any = None,
    zero_division: float = 0.0,
) -> tuple[Any, Any, Any, Any]:
    """Precision, recall, F-beta and support of each class, or their averages.

    Parameters
    ----------
    y_true, y_pred : arrays of shape (n_samples,)
        True and predicted labels.
    beta : float >= 0, default 1.0
        Recall weighs ``beta`` times precision in the F-score (0 gives
        precision, ``inf`` recall).
    labels : sequence of labels, optional
        The classes to report, in order; labels present but not listed still
        count as wrong predictions of the listed ones. By default the labels
        present, sorted. Ignored for ``average="binary"``.
    pos_label : label, default 1
        The class reported with ``average="binary"``.
    average : {None, "binary", "micro", "macro", "weighted"}, default None
        None reports every class; the others as the module says.
    sample_weight : array of shape (n_samples,), optional
        Non-negative weights.
    zero_division : {0, 1, nan}, default 0
        The value of a ratio whose denominator is 0.

    Returns
    -------
    precision, recall, fbeta : arrays of shape (n_labels,), or 0-d with ``average``
        In the accumulation dtype.
    support : array of shape (n_labels,), or None with ``average``
        The (weighted) number of samples of each class in ``y_true``.

    Raises
    ------
    ValueError
        With ``average="binary"`` when there are more than two labels or
        ``pos_label`` is not one of two, besides the checks every metric makes.

    Examples
    --------
    >>> import numpy as np
    >>> from xlogreg.metrics import precision_recall_fscore_support
    >>> y_true = np.array([0, 1, 2, 0, 1, 2])
    >>> y_pred = np.array([0, 2, 1, 0, 0, 1])
    >>> precision_recall_fscore_support(y_true, y_pred)
    (array([0.66666667, 0.        , 0.        ]), array([1., 0., 0.]), array([0.8, 0. , 0. ]),
     array([2, 2, 2]))
    >>> precision_recall_fscore_support(y_true, y_pred, average="macro")[2]
    array(0.26666667)
    """
    check_number(beta, "beta", low=0.0)
    check_choice(average, "average", _AVERAGES)
    zero_division = check_zero_division(zero_division)
    order = given_classes(labels)
    data, _, counts = checked_confusion(
        y_true,
        y_pred,
        sample_weight=sample_weight,
        classes=lambda found: _counted_classes(found, order, average, pos_label),
        float_counts=False,
    )
    if average == "binary":
        n_reported = 1
    else:
        n_reported = counts.shape[0] if order is None else len(order)
    return fscores(
        data, counts, n_reported, beta=beta, average=average, zero_division=zero_division
    )


def fscores(
    data: Predictions,
    counts: Any,
    n_reported: int,
    *,
    beta: float,
    average: str | None,
    zero_division: float,
) -> tuple[Any, Any, Any, Any]:
    """:func:`precision_recall_fscore_support` of checked predictions and their K × K
    confusion ``counts``, for the first ``n_reported`` classes."""
    xp = data.xp
    support = xp.sum(counts, axis=1)[:n_reported]
    matrix = xp.astype(counts, data.acc)
    tp = diagonal(xp, matrix)[:n_reported]
    actual = xp.astype(support, data.acc)
    predicted = xp.sum(matrix, axis=0)[:n_reported]
    if average == "micro":
        tp, actual, predicted = (xp.sum(a, keepdims=True) for a in (tp, actual, predicted))
    precision = divide(xp, tp, predicted, zero_division)
    recall = divide(xp, tp, actual, zero_division)
    if math.isinf(beta):
        fbeta = recall
    elif beta == 0:
        fbeta = precision
    else:
        beta2 = beta**2
        fbeta = divide(xp, (1 + beta2) * tp, beta2 * actual + predicted, zero_division)
    if average is None:
        return data.result(precision), data.result(recall), data.result(fbeta), support
    weights = actual if average == "weighted" else None
    scores = (data.result(_nan_mean(xp, s, weights)) for s in (precision, recall, fbeta))
    return (*scores, None)


def fbeta_score(
    y_true: Any,
    y_pred: Any,
    *,
    beta: float,
    labels: Sequence | None = None,
    pos_label: Any = 1,
    average: str | None = "binary",
    sample_weight: Any = None,
    zero_division: float = 0.0,
) -> Any:
    """F-beta ``(1 + β²)·tp / ((1 + β²)·tp + β²·fn + fp)``: recall weighs β times precision.

    Parameters
    ----------
    y_true, y_pred : arrays of shape (n_samples,)
        True and predicted labels.
    beta : float >= 0
        0 gives precision, ``inf`` gives recall.
    labels, pos_label, average, sample_weight, zero_division
        As in :func:`precision_recall_fscore_support`; ``average`` defaults to
        ``"binary"``.

    Returns
    -------
    fbeta : 0-d array, or of shape (n_labels,) with ``average=None``

    Examples
    --------
    >>> import numpy as np
    >>> from xlogreg.metrics import fbeta_score
    >>> y_true = np.array([0, 0, 1, 0, 1, 0, 1, 1])
    >>> fbeta_score(y_true, np.array([0, 0, 1, 1, 1, 1, 1, 1]), beta=2.0)
    array(0.90909091)
    """
    return precision_recall_fscore_support(
        y_true,
        y_pred,
        beta=beta,
        labels=labels,
        pos_label=pos_label,
        average=average,
        sample_weight=sample_weight,
        zero_division=zero_division,
    )[2]


def f1_score(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Sequence | None = None,
    pos_label: Any = 1,
    average: str | None = "binary",
    sample_weight: Any = None,
    zero_division: float = 0.0,
) -> Any:
    """F1 ``2·tp / (2·tp + fp + fn)``, the harmonic mean of precision and recall.

    Parameters
    ----------
    y_true, y_pred : arrays of shape (n_samples,)
        True and predicted labels.
    labels, pos_label, average, sample_weight, zero_division
        As in :func:`precision_recall_fscore_support`; ``average`` defaults to
        ``"binary"``.

    Returns
    -------
    f1 : 0-d array, or of shape (n_labels,) with ``average=None``

    Examples
    --------
    >>> import numpy as np
    >>> from xlogreg.metrics import f1_score
    >>> f1_score(np.array([0, 0, 1, 0, 1, 0, 1, 1]), np.array([0, 0, 1, 1, 1, 1, 1, 1]))
    array(0.8)
    >>> f1_score(np.array([0, 1, 2, 0, 1, 2]), np.array([0, 2, 1, 0, 0, 1]), average="micro")
    array(0.33333333)
    """
    return fbeta_score(
        y_true,
        y_pred,
        beta=1.0,
        labels=labels,
        pos_label=pos_label,
        average=average,
        sample_weight=sample_weight,
        zero_division=zero_division,
    )


def precision_score(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Sequence | None = None,
    pos_label: Any = 1,
    average: str | None = "binary",
    sample_weight: Any = None,
    zero_division: float = 0.0,
) -> Any:
    """Precision ``tp / (tp + fp)``: the share of predictions of a class that are right.

    Parameters
    ----------
    y_true, y_pred : arrays of shape (n_samples,)
        True and predicted labels.
    labels, pos_label, average, sample_weight, zero_division
        As in :func:`precision_recall_fscore_support`; ``average`` defaults to
        ``"binary"``.

    Returns
    -------
    precision : 0-d array, or of shape (n_labels,) with ``average=None``

    Examples
    --------
    Seed 000 at threshold 0.20: TP 4, FP 2.

    >>> import numpy as np
    >>> from xlogreg.metrics import precision_score
    >>> precision_score(np.array([0, 0, 1, 0, 1, 0, 1, 1]), np.array([0, 0, 1, 1, 1, 1, 1, 1]))
    array(0.66666667)
    """
    return fbeta_score(
        y_true,
        y_pred,
        beta=0.0,
        labels=labels,
        pos_label=pos_label,
        average=average,
        sample_weight=sample_weight,
        zero_division=zero_division,
    )


def recall_score(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Sequence | None = None,
    pos_label: Any = 1,
    average: str | None = "binary",
    sample_weight: Any = None,
    zero_division: float = 0.0,
) -> Any:
    """Recall ``tp / (tp + fn)``: the share of a class's samples predicted as that class.

    Parameters
    ----------
    y_true, y_pred : arrays of shape (n_samples,)
        True and predicted labels.
    labels, pos_label, average, sample_weight, zero_division
        As in :func:`precision_recall_fscore_support`; ``average`` defaults to
        ``"binary"``.

    Returns
    -------
    recall : 0-d array, or of shape (n_labels,) with ``average=None``

    Examples
    --------
    >>> import numpy as np
    >>> from xlogreg.metrics import recall_score
    >>> recall_score(np.array([0, 0, 1, 0, 1, 0, 1, 1]), np.array([0, 0, 1, 1, 1, 1, 1, 1]))
    array(1.)
    """
    return fbeta_score(
        y_true,
        y_pred,
        beta=math.inf,
        labels=labels,
        pos_label=pos_label,
        average=average,
        sample_weight=sample_weight,
        zero_division=zero_division,
    )
