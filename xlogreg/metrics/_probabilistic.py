"""Scoring rules of probabilistic predictions: log loss (from probabilities or logits), Brier."""

from __future__ import annotations

from typing import Any

from xlogreg._math import softplus
from xlogreg._validation import check_bool
from xlogreg.metrics._checks import check_binary_scores, check_probabilities
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
) -> Any:
    """Binary cross-entropy of predicted probabilities.

    Probabilities are clipped to ``[eps, 1 - eps]`` (``eps`` of their dtype),
    as scikit-learn does, so a confident mistake costs a large finite loss.
    From a model's logits, :func:`log_loss_from_logits` is exact and stable.

    Parameters
    ----------
    y_true : array of shape (n_samples,)
        Binary labels.
    y_prob : array of shape (n_samples,)
        Probabilities of the positive class, in [0, 1].
    normalize : bool, default True
        Return the (weighted) mean; with False, the (weighted) sum.
    sample_weight : array of shape (n_samples,), optional
        Non-negative weights.
    pos_label : label, optional
        The positive label; may be left out for labels 0/1 or -1/1.

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
    """
    check_bool(normalize, "normalize")
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
    y_true: Any, y_prob: Any, *, sample_weight: Any = None, pos_label: Any = None
) -> Any:
    """Mean squared difference between the predicted probability and the outcome.

    Parameters
    ----------
    y_true : array of shape (n_samples,)
        Binary labels.
    y_prob : array of shape (n_samples,)
        Probabilities of the positive class, in [0, 1].
    sample_weight : array of shape (n_samples,), optional
        Non-negative weights.
    pos_label : label, optional
        The positive label; may be left out for labels 0/1 or -1/1.

    Returns
    -------
    brier : 0-d array
        In [0, 1], in the probabilities' dtype, on their device.

    Examples
    --------
    >>> import numpy as np
    >>> from xlogreg.metrics import brier_score_loss
    >>> brier_score_loss(np.array([0, 1, 1, 0]), np.array([0.1, 0.9, 0.8, 0.3]))
    array(0.0375)
    """
    inputs = check_probabilities(y_true, y_prob, sample_weight=sample_weight, pos_label=pos_label)
    return inputs.result(inputs.mean(_squared_errors))
