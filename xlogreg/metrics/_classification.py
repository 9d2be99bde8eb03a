"""Metrics of hard binary predictions: the confusion matrix and the scores built on it.

Each function checks its inputs, counts the four cells of the confusion matrix
on the device (one pass per cell, no host copy of the labels) and returns a
0-d array in the accumulation dtype (float64, or float32 on devices without
it). ``zero_division`` replaces a 0/0 ratio with 0 (default), 1 or NaN, as in
scikit-learn, without a warning.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from xlogreg._backend import host_floats, host_list
from xlogreg._validation import check_bool, check_number
from xlogreg.metrics._arithmetic import divide
from xlogreg.metrics._base import check_zero_division
from xlogreg.metrics._checks import check_predictions
from xlogreg.metrics._labels import resolve_pos_label
from xlogreg.metrics._predictions import Predictions

__all__ = [
    "accuracy_score",
    "balanced_accuracy_score",
    "confusion_matrix",
    "f1_score",
    "fbeta_score",
    "matthews_corrcoef",
    "precision_score",
    "recall_score",
]

_NORMALIZE = (None, "true", "pred", "all")


def _label_order(found: list, labels: Sequence | None) -> tuple[Any, Any]:
    """Return the (negative, positive) labels of a 2×2 confusion matrix."""
    if labels is not None:
        labels = host_list(labels) if hasattr(labels, "shape") else list(labels)
        if len(labels) != 2 or labels[0] == labels[1]:
            raise ValueError(
                f"labels must be two distinct labels [negative, positive], got {labels}"
            )
        unknown = [v for v in found if v not in labels]
        if unknown:
            raise ValueError(f"y_true or y_pred holds labels {unknown} that are not in {labels}")
        return labels[0], labels[1]
    if len(found) == 2:
        return found[0], found[1]
    if found[0] in (0, 1):
        return 0, 1
    if found[0] == -1:
        return -1, 1
    raise ValueError(
        f"only the label {found[0]!r} is present; pass labels=[negative, positive] to place it"
    )


def confusion_matrix(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Sequence | None = None,
    sample_weight: Any = None,
    normalize: str | None = None,
) -> Any:
    """The 2×2 confusion matrix ``[[tn, fp], [fn, tp]]`` (scikit-learn's layout).

    Parameters
    ----------
    y_true, y_pred : arrays of shape (n_samples,)
        True and predicted binary labels.
    labels : sequence of two labels, optional
        ``[negative, positive]``; by default the two labels present, sorted
        (0/1 or -1/1 when only one is present).
    sample_weight : array of shape (n_samples,), optional
        Non-negative weights.
    normalize : {None, "true", "pred", "all"}, default None
        Divide by the row sums (true classes), the column sums (predicted
        classes) or the total; rows or columns without samples give 0.

    Returns
    -------
    matrix : array of shape (2, 2)
        int64 counts; sums of weights (accumulation dtype) with ``sample_weight``
        or ``normalize``.

    Examples
    --------
    >>> import numpy as np
    >>> from xlogreg.metrics import confusion_matrix
    >>> confusion_matrix(np.array([0, 0, 1, 1, 1]), np.array([0, 1, 1, 1, 0]))
    array([[1, 1],
           [1, 2]])
    """
    if normalize not in _NORMALIZE:
        raise ValueError(f"normalize must be one of {_NORMALIZE}, got {normalize!r}")
    data = check_predictions(y_true, y_pred, sample_weight=sample_weight)
    xp = data.xp
    _, positive = _label_order(data.labels, labels)
    matrix = xp.reshape(xp.stack(data.confusion(positive)), (2, 2))
    if normalize is None:
        return matrix
    matrix = xp.astype(matrix, data.acc)
    if normalize == "true":
        return divide(xp, matrix, xp.sum(matrix, axis=1, keepdims=True), 0.0)
    if normalize == "pred":
        return divide(xp, matrix, xp.sum(matrix, axis=0, keepdims=True), 0.0)
    return matrix / xp.sum(matrix)


def _cells(
    y_true: Any, y_pred: Any, *, sample_weight: Any, pos_label: Any = None, symmetric: bool = False
) -> tuple[Predictions, Any, Any, Any, Any]:
    """Check the inputs; return them with ``tn, fp, fn, tp`` in the accumulation dtype.

    ``symmetric`` metrics do not depend on which label is positive: the
    greater one is taken and ``pos_label`` is ignored.
    """
    data = check_predictions(y_true, y_pred, sample_weight=sample_weight)
    if symmetric:
        label = data.labels[-1]
    else:
        label = resolve_pos_label(data.labels, pos_label, "y_true and y_pred")
    cells = (data.xp.astype(c, data.acc) for c in data.confusion(label))
    return (data, *cells)


def precision_score(
    y_true: Any,
    y_pred: Any,
    *,
    pos_label: Any = 1,
    sample_weight: Any = None,
    zero_division: float = 0.0,
) -> Any:
    """Precision ``tp / (tp + fp)``: the share of predicted positives that are positive.

    Parameters
    ----------
    y_true, y_pred : arrays of shape (n_samples,)
        True and predicted binary labels.
    pos_label : label, default 1
        The positive label.
    sample_weight : array of shape (n_samples,), optional
        Non-negative weights.
    zero_division : {0, 1, nan}, default 0
        The value when nothing is predicted positive.

    Returns
    -------
    precision : 0-d array

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
        pos_label=pos_label,
        sample_weight=sample_weight,
        zero_division=zero_division,
    )


def recall_score(
    y_true: Any,
    y_pred: Any,
    *,
    pos_label: Any = 1,
    sample_weight: Any = None,
    zero_division: float = 0.0,
) -> Any:
    """Recall ``tp / (tp + fn)``: the share of positives predicted positive.

    Parameters
    ----------
    y_true, y_pred : arrays of shape (n_samples,)
        True and predicted binary labels.
    pos_label : label, default 1
        The positive label.
    sample_weight : array of shape (n_samples,), optional
        Non-negative weights.
    zero_division : {0, 1, nan}, default 0
        The value when ``y_true`` has no positive.

    Returns
    -------
    recall : 0-d array

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
        pos_label=pos_label,
        sample_weight=sample_weight,
        zero_division=zero_division,
    )


def f1_score(
    y_true: Any,
    y_pred: Any,
    *,
    pos_label: Any = 1,
    sample_weight: Any = None,
    zero_division: float = 0.0,
) -> Any:
    """F1 ``2·tp / (2·tp + fp + fn)``, the harmonic mean of precision and recall.

    Parameters
    ----------
    y_true, y_pred : arrays of shape (n_samples,)
        True and predicted binary labels.
    pos_label : label, default 1
        The positive label.
    sample_weight : array of shape (n_samples,), optional
        Non-negative weights.
    zero_division : {0, 1, nan}, default 0
        The value when there are no positives, true or predicted.

    Returns
    -------
    f1 : 0-d array

    Examples
    --------
    >>> import numpy as np
    >>> from xlogreg.metrics import f1_score
    >>> f1_score(np.array([0, 0, 1, 0, 1, 0, 1, 1]), np.array([0, 0, 1, 1, 1, 1, 1, 1]))
    array(0.8)
    """
    return fbeta_score(
        y_true,
        y_pred,
        beta=1.0,
        pos_label=pos_label,
        sample_weight=sample_weight,
        zero_division=zero_division,
    )


def fbeta_score(
    y_true: Any,
    y_pred: Any,
    *,
    beta: float,
    pos_label: Any = 1,
    sample_weight: Any = None,
    zero_division: float = 0.0,
) -> Any:
    """F-beta ``(1 + β²)·tp / ((1 + β²)·tp + β²·fn + fp)``: recall weighs β times precision.

    Parameters
    ----------
    y_true, y_pred : arrays of shape (n_samples,)
        True and predicted binary labels.
    beta : float >= 0
        0 gives precision, ``inf`` gives recall.
    pos_label : label, default 1
        The positive label.
    sample_weight : array of shape (n_samples,), optional
        Non-negative weights.
    zero_division : {0, 1, nan}, default 0
        The value when the denominator is 0.

    Returns
    -------
    fbeta : 0-d array

    Examples
    --------
    >>> import numpy as np
    >>> from xlogreg.metrics import fbeta_score
    >>> y_true = np.array([0, 0, 1, 0, 1, 0, 1, 1])
    >>> fbeta_score(y_true, np.array([0, 0, 1, 1, 1, 1, 1, 1]), beta=2.0)
    array(0.90909091)
    """
    check_number(beta, "beta", low=0.0)
    zero_division = check_zero_division(zero_division)
    data, _, fp, fn, tp = _cells(y_true, y_pred, pos_label=pos_label, sample_weight=sample_weight)
    xp = data.xp
    if math.isinf(beta):
        score = divide(xp, tp, tp + fn, zero_division)
    elif beta == 0:
        score = divide(xp, tp, tp + fp, zero_division)
    else:
        beta2 = beta**2
        score = divide(xp, (1 + beta2) * tp, (1 + beta2) * tp + beta2 * fn + fp, zero_division)
    return data.result(score)


def accuracy_score(
    y_true: Any, y_pred: Any, *, normalize: bool = True, sample_weight: Any = None
) -> Any:
    """The (weighted) share of samples whose predicted label is the true one.

    Any labels are accepted here, not only binary ones.

    Parameters
    ----------
    y_true, y_pred : arrays of shape (n_samples,)
        True and predicted labels.
    normalize : bool, default True
        Return the share; with False, the (weighted) number of hits.
    sample_weight : array of shape (n_samples,), optional
        Non-negative weights.

    Returns
    -------
    accuracy : 0-d array

    Examples
    --------
    >>> import numpy as np
    >>> from xlogreg.metrics import accuracy_score
    >>> accuracy_score(np.array([0, 1, 2, 2]), np.array([0, 1, 1, 2]))
    array(0.75)
    """
    check_bool(normalize, "normalize")
    data = check_predictions(y_true, y_pred, sample_weight=sample_weight, binary=False)
    hits, total = data.hits()
    return data.result(hits / total if normalize else hits)


def balanced_accuracy_score(
    y_true: Any, y_pred: Any, *, sample_weight: Any = None, adjusted: bool = False
) -> Any:
    """The mean recall of the classes present in ``y_true``.

    Parameters
    ----------
    y_true, y_pred : arrays of shape (n_samples,)
        True and predicted binary labels.
    sample_weight : array of shape (n_samples,), optional
        Non-negative weights.
    adjusted : bool, default False
        Rescale so that chance scores 0 and perfect predictions 1.

    Returns
    -------
    balanced_accuracy : 0-d array

    Raises
    ------
    ValueError
        With ``adjusted=True`` when ``y_true`` holds one class only (chance is
        then perfect and the rescaling undefined).

    Examples
    --------
    >>> import numpy as np
    >>> from xlogreg.metrics import balanced_accuracy_score
    >>> balanced_accuracy_score(np.array([0, 0, 0, 1]), np.array([0, 0, 1, 1]))
    array(0.83333333)
    """
    check_bool(adjusted, "adjusted")
    data, tn, fp, fn, tp = _cells(y_true, y_pred, sample_weight=sample_weight, symmetric=True)
    xp = data.xp
    recalls = divide(xp, tp, tp + fn, 0.0) + divide(xp, tn, tn + fp, 0.0)
    n_present = xp.astype(tp + fn > 0, data.acc) + xp.astype(tn + fp > 0, data.acc)
    score = recalls / n_present
    if adjusted:
        (present,) = host_floats(xp, n_present)
        if present < 2:
            raise ValueError("balanced_accuracy_score(adjusted=True) needs both classes in y_true")
        score = 2.0 * score - 1.0
    return data.result(score)


def matthews_corrcoef(y_true: Any, y_pred: Any, *, sample_weight: Any = None) -> Any:
    """Matthews correlation coefficient of true and predicted labels, in [-1, 1].

    0 when either the truth or the prediction is constant (scikit-learn's
    convention for the undefined 0/0).

    Parameters
    ----------
    y_true, y_pred : arrays of shape (n_samples,)
        True and predicted binary labels.
    sample_weight : array of shape (n_samples,), optional
        Non-negative weights.

    Returns
    -------
    mcc : 0-d array

    Examples
    --------
    >>> import numpy as np
    >>> from xlogreg.metrics import matthews_corrcoef
    >>> matthews_corrcoef(np.array([0, 0, 1, 1]), np.array([0, 1, 1, 1]))
    array(0.57735027)
    """
    data, tn, fp, fn, tp = _cells(y_true, y_pred, sample_weight=sample_weight, symmetric=True)
    xp = data.xp
    true_neg, true_pos = tn + fp, fn + tp
    pred_neg, pred_pos = tn + fn, fp + tp
    n = true_neg + true_pos
    covariance = (tp + tn) * n - (true_neg * pred_neg + true_pos * pred_pos)
    spread = (n**2 - (pred_neg**2 + pred_pos**2)) * (n**2 - (true_neg**2 + true_pos**2))
    return data.result(divide(xp, covariance, xp.sqrt(spread), 0.0))
