"""Metrics of hard predictions of any number of classes: the confusion matrix and the scores
built on it.

Each function checks its inputs, counts the K × K confusion matrix on the
device (:meth:`~._predictions.Predictions.confusion`: one pass, no host copy of
the labels; on Dask arrays one matrix per chunk, summed) and returns a 0-d
array in the accumulation dtype (float64, or float32 on devices without it).
The precision, recall and F-scores are in :mod:`._fscores`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from array_api_compat import device as device_of

from xlogreg._backend import host_floats
from xlogreg._validation import check_bool, check_choice
from xlogreg.metrics._arithmetic import divide
from xlogreg.metrics._checks import check_predictions
from xlogreg.metrics._labels import classes_of, given_classes
from xlogreg.metrics._predictions import Predictions

__all__ = [
    "accuracy_score",
    "balanced_accuracy_score",
    "checked_confusion",
    "cohen_kappa_score",
    "confusion_matrix",
    "diagonal",
    "matthews_corrcoef",
]

_NORMALIZE = (None, "true", "pred", "all")
_KAPPA_WEIGHTS = (None, "linear", "quadratic")


def checked_confusion(
    y_true: Any,
    y_pred: Any,
    *,
    sample_weight: Any,
    classes: Any = None,
    float_counts: bool = True,
) -> tuple[Predictions, list, Any]:
    """Check the inputs; return them, the classes counted, and the K × K confusion matrix.

    ``classes(found)`` turns the sorted labels found into the classes to count
    (by default those found); ``float_counts`` casts the matrix to the
    accumulation dtype.
    """
    data = check_predictions(y_true, y_pred, sample_weight=sample_weight)
    counted = data.labels if classes is None else classes(data.labels)
    matrix = data.confusion(counted)
    if float_counts:
        matrix = data.xp.astype(matrix, data.acc)
    return data, counted, matrix


def diagonal(xp: Any, matrix: Any) -> Any:
    """The diagonal of a square matrix (the array API has it only in ``linalg``)."""
    n = matrix.shape[0]
    flat = xp.reshape(matrix, (-1,))
    return xp.take(flat, xp.arange(0, n * n, n + 1, device=device_of(matrix)))


def confusion_matrix(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Sequence | None = None,
    sample_weight: Any = None,
    normalize: str | None = None,
) -> Any:
    """The K × K confusion matrix: entry ``[i, j]`` counts samples of class ``i`` predicted ``j``.

    scikit-learn's layout (``[[tn, fp], [fn, tp]]`` for two classes).

    Parameters
    ----------
    y_true, y_pred : arrays of shape (n_samples,)
        True and predicted labels (numbers on any backend, strings on NumPy).
    labels : sequence of labels, optional
        The classes, in the order of the rows and columns; they must hold
        every label of ``y_true`` and ``y_pred`` and may add absent ones. By
        default the labels present in either, sorted.
    sample_weight : array of shape (n_samples,), optional
        Non-negative weights.
    normalize : {None, "true", "pred", "all"}, default None
        Divide by the row sums (true classes), the column sums (predicted
        classes) or the total; rows or columns without samples give 0.

    Returns
    -------
    matrix : array of shape (n_classes, n_classes)
        int64 counts (int32 on a device without int64); sums of weights
        (accumulation dtype) with ``sample_weight`` or ``normalize``.

    Raises
    ------
    ValueError
        If a label of ``y_true`` or ``y_pred`` is not in ``labels``, besides
        the checks every metric makes.

    Examples
    --------
    >>> import numpy as np
    >>> from xlogreg.metrics import confusion_matrix
    >>> confusion_matrix(np.array([0, 0, 1, 1, 1]), np.array([0, 1, 1, 1, 0]))
    array([[1, 1],
           [1, 2]])
    >>> confusion_matrix(np.array(["a", "b", "c", "c"]), np.array(["a", "c", "c", "b"]))
    array([[1, 0, 0],
           [0, 0, 1],
           [0, 1, 1]])
    """
    check_choice(normalize, "normalize", _NORMALIZE)
    order = given_classes(labels)
    data, _, matrix = checked_confusion(
        y_true,
        y_pred,
        sample_weight=sample_weight,
        classes=lambda found: classes_of(found, order),
        float_counts=normalize is not None,
    )
    xp = data.xp
    if normalize == "true":
        return divide(xp, matrix, xp.sum(matrix, axis=1, keepdims=True), 0.0)
    if normalize == "pred":
        return divide(xp, matrix, xp.sum(matrix, axis=0, keepdims=True), 0.0)
    if normalize == "all":
        return divide(xp, matrix, xp.sum(matrix), 0.0)
    return matrix


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
    data = check_predictions(y_true, y_pred, sample_weight=sample_weight, labeled=False)
    hits, total = data.hits()
    return data.result(hits / total if normalize else hits)


def balanced_accuracy_score(
    y_true: Any, y_pred: Any, *, sample_weight: Any = None, adjusted: bool = False
) -> Any:
    """The mean recall of the classes present in ``y_true`` (with weight).

    Parameters
    ----------
    y_true, y_pred : arrays of shape (n_samples,)
        True and predicted labels.
    sample_weight : array of shape (n_samples,), optional
        Non-negative weights.
    adjusted : bool, default False
        Rescale so that chance (``1 / K`` for K classes present) scores 0 and
        perfect predictions 1.

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
    >>> balanced_accuracy_score(np.array([0, 1, 2, 2]), np.array([0, 2, 2, 1]))
    array(0.5)
    """
    check_bool(adjusted, "adjusted")
    data, _, matrix = checked_confusion(y_true, y_pred, sample_weight=sample_weight)
    xp = data.xp
    support = xp.sum(matrix, axis=1)
    present = support > 0
    recalls = divide(xp, diagonal(xp, matrix), support, 0.0)
    n_present = xp.sum(xp.astype(present, data.acc))
    score = xp.sum(recalls) / n_present
    if adjusted:
        (classes,) = host_floats(xp, n_present)
        if classes < 2:
            raise ValueError(
                "balanced_accuracy_score(adjusted=True) needs two classes or more in y_true"
            )
        chance = 1.0 / classes
        score = (score - chance) / (1.0 - chance)
    return data.result(score)


def matthews_corrcoef(y_true: Any, y_pred: Any, *, sample_weight: Any = None) -> Any:
    """Matthews correlation coefficient of true and predicted labels (Gorodkin's K-class form).

    In [-1, 1]; 0 when either the truth or the prediction is constant
    (scikit-learn's convention for the undefined 0/0).

    Parameters
    ----------
    y_true, y_pred : arrays of shape (n_samples,)
        True and predicted labels.
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
    data, _, matrix = checked_confusion(y_true, y_pred, sample_weight=sample_weight)
    xp = data.xp
    true_sums, pred_sums = xp.sum(matrix, axis=1), xp.sum(matrix, axis=0)
    n = xp.sum(true_sums)
    covariance = xp.sum(diagonal(xp, matrix)) * n - xp.vecdot(true_sums, pred_sums)
    pred_spread = n**2 - xp.vecdot(pred_sums, pred_sums)
    true_spread = n**2 - xp.vecdot(true_sums, true_sums)
    return data.result(divide(xp, covariance, xp.sqrt(pred_spread * true_spread), 0.0))


def _check_undefined(value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        if math.isnan(value) or -1.0 <= value <= 1.0:
            return float(value)
    raise ValueError(f"replace_undefined_by must be NaN or a number in [-1, 1], got {value!r}")


def cohen_kappa_score(
    y1: Any,
    y2: Any,
    *,
    labels: Sequence | None = None,
    weights: str | None = None,
    sample_weight: Any = None,
    replace_undefined_by: float = math.nan,
) -> Any:
    """Cohen's kappa: the agreement of two labelings beyond the agreement expected by chance.

    ``κ = 1 − Σ w·C / Σ w·E`` over the K × K confusion matrix ``C`` and the
    matrix ``E`` its margins would give by chance, with disagreement weights
    ``w`` (scikit-learn's definition).

    Parameters
    ----------
    y1, y2 : arrays of shape (n_samples,)
        The two labelings.
    labels : sequence of labels, optional
        The classes, in order (the order matters for ``weights``); they must
        hold every label of ``y1`` and ``y2``. By default those present, sorted.
    weights : {None, "linear", "quadratic"}, default None
        Disagreement weights: 1 off the diagonal, ``|i − j|`` or ``(i − j)²``.
    sample_weight : array of shape (n_samples,), optional
        Non-negative weights.
    replace_undefined_by : NaN or float in [-1, 1], default NaN
        The value when kappa is undefined (both labelings are one and the
        same single class).

    Returns
    -------
    kappa : 0-d array

    Examples
    --------
    >>> import numpy as np
    >>> from xlogreg.metrics import cohen_kappa_score
    >>> cohen_kappa_score(np.array([0, 1, 2, 2, 1]), np.array([0, 1, 2, 1, 1]))
    array(0.6875)
    """
    check_choice(weights, "weights", _KAPPA_WEIGHTS)
    undefined = _check_undefined(replace_undefined_by)
    order = given_classes(labels)
    data, _, matrix = checked_confusion(
        y1,
        y2,
        sample_weight=sample_weight,
        classes=lambda found: classes_of(found, order, "y1 or y2"),
    )
    xp = data.xp
    n_classes = matrix.shape[0]
    expected = xp.sum(matrix, axis=1)[:, None] * xp.sum(matrix, axis=0)[None, :]
    expected = expected / xp.sum(matrix)
    index = xp.arange(n_classes, device=data.device)
    distance = xp.astype(index[:, None] - index[None, :], data.acc)
    if weights is None:
        disagreement = xp.astype(distance != 0, data.acc)
    elif weights == "linear":
        disagreement = xp.abs(distance)
    else:
        disagreement = distance**2
    chance = xp.sum(disagreement * expected)
    kappa = 1.0 - divide(xp, xp.sum(disagreement * matrix), chance, math.nan)
    return data.result(xp.where(chance == 0, undefined, kappa))
