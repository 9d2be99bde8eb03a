"""Scoring rules of probabilistic predictions: log loss (from probabilities or logits), Brier.

Binary metrics take the probability of the positive class, shape (n_samples,);
the log loss and the Brier score also take a row of K class probabilities per
sample, shape (n_samples, K), as scikit-learn does. Sums over samples run a
tile at a time (:meth:`~._base.InputRows.mean`), so no n × K temporary is made
beyond the tile's.
"""

from __future__ import annotations

from typing import Any

from xlogreg._math import softplus
from xlogreg._validation import check_bool
from xlogreg.metrics._checks import (
    check_binary_scores,
    check_class_probabilities,
    check_probabilities,
)
from xlogreg.metrics._class_scores import (
    ClassScores,
    has_class_columns,
)
from xlogreg.metrics._inputs import BinaryScores

__all__ = ["brier_score_loss", "log_loss", "log_loss_from_logits"]


def _clipped_log_losses(inputs: BinaryScores, rows: slice) -> Any:
    """``-log p`` of the probability ``p`` given to the true class, clipped to ``[eps, 1 - eps]``:
    one logarithm per sample, not two."""
    xp = inputs.xp
    eps = xp.finfo(inputs.dtype).eps
    p = inputs.score[rows]
    return -xp.log(xp.clip(xp.where(inputs.positive[rows], p, 1 - p), eps, 1 - eps))


def _logit_losses(inputs: BinaryScores, rows: slice) -> Any:
    """``softplus(z) − y·z`` of the logits ``z``, as ``softplus(±z)``."""
    xp = inputs.xp
    z = inputs.score[rows]
    return softplus(xp.where(inputs.positive[rows], -z, z), xp=xp)


def _class_log_losses(inputs: ClassScores, rows: slice) -> Any:
    """``-log p`` of the probability ``p`` of the true class, clipped to ``[eps, 1 - eps]``."""
    xp = inputs.xp
    eps = xp.finfo(inputs.dtype).eps
    picked = xp.take_along_axis(inputs.score[rows, :], inputs.indices(rows)[:, None], axis=1)
    return -xp.log(xp.clip(picked[:, 0], eps, 1 - eps))


def _class_squared_errors(inputs: ClassScores, rows: slice) -> Any:
    """``Σ_k (y_k − p_k)²`` of the one-hot outcome ``y`` and the probabilities ``p``."""
    xp = inputs.xp
    indices = inputs.indices(rows)
    columns = xp.arange(inputs.n_classes, dtype=indices.dtype, device=inputs.device)
    outcome = xp.astype(indices[:, None] == columns, inputs.dtype)
    return xp.sum((outcome - inputs.score[rows, :]) ** 2, axis=1)


def _squared_errors(inputs: BinaryScores, rows: slice) -> Any:
    """``(y − p)²`` of the outcome ``y`` in {0, 1} and the probability ``p``."""
    xp = inputs.xp
    return (xp.astype(inputs.positive[rows], inputs.dtype) - inputs.score[rows]) ** 2


def log_loss(
    y_true: Any,
    y_prob: Any,
    *,
    normalize: bool = True,
    sample_weight: Any = None,
    pos_label: Any = None,
    labels: Any = None,
) -> Any:
    """Cross-entropy of predicted probabilities: ``-log`` of the probability of the true class.

    Probabilities are clipped to ``[eps, 1 - eps]`` (``eps`` of their dtype),
    as scikit-learn does, so a confident mistake costs a large finite loss.
    From a model's logits, :func:`log_loss_from_logits` is exact and stable.

    Parameters
    ----------
    y_true : array of shape (n_samples,)
        Labels: binary for 1-D probabilities.
    y_prob : array of shape (n_samples,) or (n_samples, n_classes)
        Probabilities of the positive class, in [0, 1]; or of each class, rows
        summing to one (within ``sqrt(eps)``, scikit-learn's tolerance),
        column ``j`` for the ``j``-th class in sorted order.
    normalize : bool, default True
        Return the (weighted) mean; with False, the (weighted) sum.
    sample_weight : array of shape (n_samples,), optional
        Non-negative weights.
    pos_label : label, optional
        The positive label of 1-D probabilities; may be left out for labels
        0/1 or -1/1.
    labels : sequence, optional
        The classes of the columns of (n_samples, K) probabilities, sorted; by
        default the labels of ``y_true``.

    Returns
    -------
    loss : 0-d array
        In the probabilities' dtype, on their device.

    Examples
    --------
    >>> import numpy as np
    >>> from xlogreg.metrics import log_loss
    >>> log_loss(np.array([0, 1, 1]), np.array([0.1, 0.9, 0.6]))
    array(0.24051555)
    >>> proba = np.array([[0.8, 0.1, 0.1], [0.2, 0.2, 0.6], [0.3, 0.5, 0.2]])
    >>> log_loss(np.array(["a", "c", "b"]), proba)
    array(0.47570545)
    """
    check_bool(normalize, "normalize")
    if has_class_columns(y_prob):
        scores = check_class_probabilities(
            y_true, y_prob, sample_weight=sample_weight, labels=labels, pos_label=pos_label
        )
        return scores.result(scores.mean(_class_log_losses, normalize=normalize))
    inputs = check_probabilities(y_true, y_prob, sample_weight=sample_weight, pos_label=pos_label)
    return inputs.result(inputs.mean(_clipped_log_losses, normalize=normalize))


def log_loss_from_logits(
    y_true: Any,
    logits: Any,
    *,
    normalize: bool = True,
    sample_weight: Any = None,
    pos_label: Any = None,
) -> Any:
    """Binary cross-entropy of logits, ``softplus(z) − y·z``, without forming probabilities.

    Exact for logits of any size (no clipping): seed 000's
    ``mean(logaddexp(0, z) − y·z)``.

    Parameters
    ----------
    y_true : array of shape (n_samples,)
        Binary labels.
    logits : array of shape (n_samples,)
        Log-odds of the positive class, e.g. ``decision_function(X)``.
    normalize : bool, default True
        Return the (weighted) mean; with False, the (weighted) sum.
    sample_weight : array of shape (n_samples,), optional
        Non-negative weights.
    pos_label : label, optional
        The positive label; may be left out for labels 0/1 or -1/1.

    Returns
    -------
    loss : 0-d array
        In the logits' dtype, on their device.

    Examples
    --------
    >>> import numpy as np
    >>> from xlogreg.metrics import log_loss_from_logits
    >>> log_loss_from_logits(np.array([0, 1]), np.array([1000.0, -1000.0]))
    array(1000.)
    """
    check_bool(normalize, "normalize")
    inputs = check_binary_scores(
        y_true, logits, sample_weight=sample_weight, pos_label=pos_label, score_name="logits"
    )
    return inputs.result(inputs.mean(_logit_losses, normalize=normalize))


def brier_score_loss(
    y_true: Any,
    y_prob: Any,
    *,
    sample_weight: Any = None,
    pos_label: Any = None,
    labels: Any = None,
    scale_by_half: bool | str = "auto",
) -> Any:
    """Mean squared difference between the predicted probabilities and the outcome.

    For K classes, the squared distance between the row of probabilities and
    the one-hot outcome, summed over the classes (scikit-learn 1.9's
    definition); halved when ``scale_by_half``, which ``"auto"`` sets for two
    classes or fewer, so the binary score is the same either way.

    Parameters
    ----------
    y_true : array of shape (n_samples,)
        Labels: binary for 1-D probabilities.
    y_prob : array of shape (n_samples,) or (n_samples, n_classes)
        Probabilities of the positive class, in [0, 1]; or of each class, rows
        summing to one, column ``j`` for the ``j``-th class in sorted order.
    sample_weight : array of shape (n_samples,), optional
        Non-negative weights.
    pos_label : label, optional
        The positive label of 1-D probabilities; may be left out for labels
        0/1 or -1/1.
    labels : sequence, optional
        The classes of the columns of (n_samples, K) probabilities, sorted; by
        default the labels of ``y_true``.
    scale_by_half : bool or "auto", default "auto"
        Halve the K-class sum (so it lies in [0, 1]); ``"auto"``: for 1-D
        probabilities or two columns.

    Returns
    -------
    brier : 0-d array
        In the probabilities' dtype, on their device.

    Examples
    --------
    >>> import numpy as np
    >>> from xlogreg.metrics import brier_score_loss
    >>> brier_score_loss(np.array([0, 1, 1, 0]), np.array([0.1, 0.9, 0.8, 0.3]))
    array(0.0375)
    >>> proba = np.array([[0.8, 0.1, 0.1], [0.2, 0.2, 0.6], [0.3, 0.5, 0.2]])
    >>> brier_score_loss(np.array([0, 2, 1]), proba)
    array(0.22666667)
    """
    if scale_by_half != "auto":
        check_bool(scale_by_half, "scale_by_half")
    if has_class_columns(y_prob):
        scores = check_class_probabilities(
            y_true, y_prob, sample_weight=sample_weight, labels=labels, pos_label=pos_label
        )
        halve = scores.n_classes < 3 if scale_by_half == "auto" else scale_by_half
        return scores.result(scores.mean(_class_squared_errors) * (0.5 if halve else 1.0))
    inputs = check_probabilities(y_true, y_prob, sample_weight=sample_weight, pos_label=pos_label)
    brier = inputs.mean(_squared_errors)
    return inputs.result(brier if scale_by_half in ("auto", True) else 2.0 * brier)
