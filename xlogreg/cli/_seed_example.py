"""Seed 000's lesson, ``xlogreg demo --seed-example``: eight access-change requests.

A request needs human review (label 1) or may be processed automatically
(0); its features are an ambiguity score and the support of the automatic
policy. The lesson fits logistic regression by gradient descent on eight
training requests, then chooses a threshold by cost, and audits ranking and
calibration on eight validation requests. :func:`seed_lesson` recomputes
every printed number with xlogreg on the chosen library and device, and
prints it in the lesson's own format.
"""

from __future__ import annotations

import warnings

import array_api_compat
import numpy as np

from xlogreg import ConvergenceWarning, LogisticRegression, metrics
from xlogreg._backend import host_floats, host_list, to_numpy
from xlogreg.cli._costs import COST_FN, COST_FP
from xlogreg.cli._options import Target

__all__ = ["seed_lesson"]

# [ambiguity, auto-policy support] of the training requests R1..R8, and whether each needed review.
_TRAIN = np.array(
    [[1.0, 1.0], [1.5, 2.0], [2.0, 3.0], [3.5, 6.0], [4.0, 7.0], [4.5, 5.0], [2.8, 4.0], [3.2, 8.0]]
)
_TRAIN_REVIEW = np.array([0, 0, 1, 1, 1, 1, 0, 0])
_VALIDATION = np.array(
    [[1.2, 2.0], [2.1, 4.0], [2.4, 3.0], [3.0, 5.0], [3.6, 4.0], [3.2, 7.0], [4.2, 5.0], [2.8, 6.0]]
)
_VALIDATION_REVIEW = np.array([0, 0, 1, 0, 1, 0, 1, 1])
# The lesson prints its gradient-descent run after these epochs.
_EPOCHS = (1, 201, 501, 1001, 3000)


def _design(features: np.ndarray) -> np.ndarray:
    """The lesson's design matrix: a column of ones (the intercept, w0), then the features."""
    return np.c_[np.ones(len(features)), features]


def _gradient_descent(X: object, y: object, epochs: int) -> LogisticRegression:
    model = LogisticRegression(
        C=float("inf"), fit_intercept=False, solver="gd", learning_rate=0.2, max_iter=epochs
    )
    with warnings.catch_warnings():
        # A fixed number of epochs stops short of the optimum, as the lesson means to.
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y)


def _rounded(values: object) -> np.ndarray:
    """Host float64 values rounded to three decimals, printed as the lesson's NumPy prints them."""
    return np.round(to_numpy(values).astype(np.float64), 3)


def seed_lesson(target: Target, *, cost_fp: float = COST_FP, cost_fn: float = COST_FN) -> list[str]:
    """Seed 000's printed numbers, recomputed with xlogreg on ``target``.

    Parameters
    ----------
    target : Target
        The library, device and dtype to compute with.
    cost_fp, cost_fn : float
        The cost of an unnecessary review and of a missed one (the lesson's
        $18 and $120).

    Returns
    -------
    list of str
        The lines to print.

    Examples
    --------
    >>> from xlogreg.cli._options import Target
    >>> lines = seed_lesson(Target("numpy", "cpu", "float64"))
    >>> print("\\n".join(line for line in lines if line.startswith("t=")))
    t=0.20 precision=0.667 recall=1.000 f1=0.800 cost=$36
    t=0.50 precision=0.750 recall=0.750 f1=0.750 cost=$138
    t=0.80 precision=1.000 recall=0.500 f1=0.667 cost=$240
    """
    X, y = target.array(_design(_TRAIN)), target.array(_TRAIN_REVIEW, floating=False)
    lines = [
        f"seed 000: should an access-change request go to human review? ({target.describe()})",
        "8 training requests [1, ambiguity, auto-policy support]; gradient descent, "
        "learning rate 0.2, from w = 0:",
    ]
    for epochs in _EPOCHS:
        model = _gradient_descent(X, y, epochs)
        lines.append(
            f"after_epoch={epochs:4d} loss={model.loss_history_[-1]:.4f} "
            f"w={_rounded(model.coef_[0, :])}"
        )
    lines += _training_audit(model, X, y)
    exact = LogisticRegression(C=float("inf"), fit_intercept=False, tol=1e-10).fit(X, y)
    lines.append(
        f"exact optimum ({exact.n_iter_} iterations): w = {_rounded(exact.coef_[0, :])}; "
        "the lesson's scikit-learn lbfgs stops short at [-4.914  3.414 -0.964]"
    )
    lines.append("")
    lines += _validation_audit(model, target, cost_fp=cost_fp, cost_fn=cost_fn)
    return lines


def _training_audit(model: LogisticRegression, X: object, y: object) -> list[str]:
    """The lesson's checks on the training requests, at threshold 0.5."""
    proba = model.predict_proba(X)[:, 1]
    predicted = model.predict(X, threshold=0.5)
    (tn, fp), (fn, tp) = host_list(metrics.confusion_matrix(y, predicted))
    *scores, ece = host_floats(
        array_api_compat.array_namespace(proba),
        metrics.precision_score(y, predicted),
        metrics.recall_score(y, predicted),
        metrics.f1_score(y, predicted),
        metrics.expected_calibration_error(y, proba, n_bins=4).ece,
    )
    return [
        f"Final weights (w0, w1, w2): {_rounded(model.coef_[0, :])}",
        f"Probabilities: {_rounded(proba)}",
        f"Confusion @ 0.5: { {'tp': tp, 'fp': fp, 'fn': fn, 'tn': tn} }",
        f"Precision / recall / F1: {tuple(round(v, 3) for v in scores)}",
        f"Training ECE (4 bins): {round(ece, 3)}",
    ]


def _validation_audit(
    model: LogisticRegression, target: Target, *, cost_fp: float, cost_fn: float
) -> list[str]:
    """Threshold costs, ranking and calibration on the validation requests."""
    X = target.array(_design(_VALIDATION))
    y = target.array(_VALIDATION_REVIEW, floating=False)
    # The lesson audits the scores as it prints them, to three decimals (its
    # calibration bins depend on it: (0.595 + 0.624) / 2 prints as 0.609).
    printed = _rounded(model.predict_proba(X)[:, 1])
    proba = target.array(printed)
    xp = array_api_compat.array_namespace(proba)
    sweep = metrics.threshold_sweep(y, proba, [0.2, 0.5, 0.8], cost_fp=cost_fp, cost_fn=cost_fn)
    lines = [
        f"8 validation requests: a missed review (FN) costs ${cost_fn:g}, "
        f"an unnecessary one (FP) ${cost_fp:g}",
        f"validation scores: {printed}",
    ]
    for t, precision, recall, f1, cost in zip(
        *(host_list(column) for column in (sweep.thresholds, sweep.precision, sweep.recall)),
        host_list(sweep.f1),
        host_list(sweep.cost),
        strict=True,
    ):
        lines.append(
            f"t={t:.2f} precision={precision:.3f} recall={recall:.3f} f1={f1:.3f} cost=${cost:g}"
        )
    choice = metrics.select_threshold(y, proba, cost_fp=cost_fp, cost_fn=cost_fn)
    threshold, cost, auc = host_floats(
        xp, choice.threshold, choice.cost, metrics.roc_auc_score(y, proba)
    )
    lines.append(f"cost-optimal threshold over every score: t={threshold:.3f} cost=${cost:g}")
    lines.append(f"validation AUC: {round(auc, 3)} (16 positive-negative pairs)")
    ece, bins = metrics.expected_calibration_error(y, proba, n_bins=4)
    for lower, upper, count, mean_score, rate in zip(
        *(host_list(column) for column in bins[:5]), strict=True
    ):
        lines.append(
            f"[{lower:.2f}, {upper:.2f}) n={count} avg_p={mean_score:.3f} frac_pos={rate:.3f}"
        )
    lines.append(f"validation ECE: {round(host_floats(xp, ece)[0], 3)}")
    # One disputed label moves both numbers: eight requests are arithmetic, not evidence.
    flipped = target.array(np.where(np.arange(8) == 3, 1, _VALIDATION_REVIEW), floating=False)
    for name, labels in (("base", y), ("one flip", flipped)):
        f1, labels_ece = host_floats(
            xp,
            metrics.threshold_sweep(labels, proba, [0.5]).f1[0],
            metrics.expected_calibration_error(labels, proba, n_bins=4).ece,
        )
        lines.append(f"{name:8s} f1={f1:.3f} ece={labels_ece:.3f}")
    return lines
