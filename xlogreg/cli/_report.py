"""The evaluation report of a classifier: its numbers, as plain Python values.

Every number comes from :mod:`xlogreg.metrics`, computed on the model's
library and device; only results (scalars and small tables) come back to the
host, as plain Python values ready for ``json.dumps`` and for rich tables
(:mod:`xlogreg.cli._report_tables` prints them).
Binary models get seed 000's evaluation: probabilistic scores, the confusion
matrix at the model's threshold, ranking (ROC AUC, average precision),
calibration (ECE with its bins) and the cost of a handful of thresholds,
the cost-optimal one included. Models of three or more classes get the K × K
confusion matrix, log loss, accuracy and balanced accuracy, precision, recall,
F1 and one-vs-rest ROC AUC per class and their macro and weighted averages.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import array_api_compat
import numpy as np

from xlogreg import metrics
from xlogreg._backend import host_floats, host_list, integer_dtype, to_numpy
from xlogreg.cli._costs import COST_FN, COST_FP, check_costs

__all__ = [
    "AVERAGES",
    "CALIBRATION_BINS",
    "PER_CLASS_SCORES",
    "Curves",
    "Outputs",
    "Report",
    "average_key",
    "classifier_report",
    "decision_rule",
    "encode_labels",
    "model_outputs",
]

# The thresholds every binary report prices, besides the cost-optimal one.
_THRESHOLDS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
# The reliability bins of the calibration table and plot.
CALIBRATION_BINS = 10
# How a multinomial report scores each class, and averages the scores over the classes.
PER_CLASS_SCORES = ("precision", "recall", "f1", "roc_auc")
AVERAGES = ("macro", "weighted")


def average_key(score: str, average: str) -> str:
    """The name in a multinomial report's metrics of a per-class score's average.

    Examples
    --------
    >>> average_key("f1", "macro"), average_key("roc_auc", "weighted")
    ('f1_macro', 'roc_auc_ovr_weighted')
    """
    return f"{score}_ovr_{average}" if score == "roc_auc" else f"{score}_{average}"


def encode_labels(y: np.ndarray, classes: list, *, source: str) -> np.ndarray:
    """Positions of the labels ``y`` in the model's ``classes`` (int64, on the host).

    Labels read from a file as numbers match classes that are numbers, and
    strings match strings; a model with string classes also matches labels
    read as numbers by their text (a CSV column of ``0``/``1``).

    Raises
    ------
    ValueError
        Naming ``source`` and the labels the model does not know.

    Examples
    --------
    >>> import numpy as np
    >>> encode_labels(np.array(["b", "a", "b"]), ["a", "b"], source="data.csv").tolist()
    [1, 0, 1]
    """
    known = np.asarray(classes)
    if (known.dtype.kind == "U") != (y.dtype.kind == "U"):
        known, y = known.astype(str), y.astype(str)
    position = np.clip(np.searchsorted(known, y), 0, len(known) - 1)
    unknown = y != known[position]
    if np.any(unknown):
        strangers = sorted({str(label) for label in y[unknown]})[:5]
        raise ValueError(
            f"{source}: labels {strangers} are not classes of the model "
            f"(classes: {', '.join(map(str, classes))})"
        )
    return position.astype(np.int64)


@dataclass(frozen=True)
class Curves:
    """What the plots draw, on the host: ROC and precision-recall curves and the scores.

    Attributes
    ----------
    fpr, tpr : float arrays
        The ROC curve (:func:`xlogreg.metrics.roc_curve`).
    precision, recall : float arrays
        The precision-recall curve (:func:`xlogreg.metrics.precision_recall_curve`).
    scores : float array of shape (n_samples,)
        Probability of the positive class.
    positive : bool array of shape (n_samples,)
        Whether each sample is of the positive class.
    """

    fpr: np.ndarray
    tpr: np.ndarray
    precision: np.ndarray
    recall: np.ndarray
    scores: np.ndarray
    positive: np.ndarray


@dataclass(frozen=True)
class Report:
    """The numbers of an evaluation, as plain Python values.

    Attributes
    ----------
    kind : {"binary", "multinomial"}
    n_samples : int
    classes : list
        The model's classes; for two, the second is the positive one.
    metrics : dict of str to float
        Binary: ``log_loss``, ``brier``, ``accuracy``, ``precision``,
        ``recall``, ``f1``, ``roc_auc``, ``average_precision``, ``ece``.
        Multinomial: ``log_loss``, ``accuracy``, ``balanced_accuracy``, and
        for each of :data:`AVERAGES` the averages over the classes
        ``precision_<average>``, ``recall_<average>``, ``f1_<average>`` and
        ``roc_auc_ovr_<average>`` (see :func:`average_key`; the ROC AUCs are
        None unless every class is among the true labels).
    confusion : list of lists of int
        Rows are true classes, columns predicted ones, both in ``classes``
        order (scikit-learn's layout).
    threshold : float or None
        The model's threshold (``None``: a positive logit, p > 0.5).
    calibration : list of dict or None
        Binary: the non-empty reliability bins (``lower``, ``upper``,
        ``count``, ``mean_score``, ``positive_rate``, ``contribution``).
    thresholds : list of dict or None
        Binary: one row per threshold (``threshold``, ``tp``, ``fp``, ``fn``,
        ``tn``, ``precision``, ``recall``, ``f1``, ``cost``, ``note``).
    costs : dict or None
        Binary: ``{"fp": ..., "fn": ...}``.
    per_class : list of dict or None
        Multinomial: ``class``, ``support``, ``precision``, ``recall``,
        ``f1`` and one-vs-rest ``roc_auc`` (None unless every class is among
        the true labels).
    curves : Curves or None
        Binary: what the plots draw (left out of :meth:`to_dict`).
    """

    kind: str
    n_samples: int
    classes: list
    metrics: dict[str, float]
    confusion: list[list[int]]
    threshold: float | None
    calibration: list[dict[str, Any]] | None = None
    thresholds: list[dict[str, Any]] | None = None
    costs: dict[str, float] | None = None
    per_class: list[dict[str, Any]] | None = None
    curves: Curves | None = None

    def to_dict(self) -> dict[str, Any]:
        """Everything but the curves, JSON-ready (an infinite threshold as ``"inf"``)."""
        fields = {
            "kind": self.kind,
            "n_samples": self.n_samples,
            "classes": self.classes,
            "metrics": self.metrics,
            "confusion_matrix": self.confusion,
            "model_threshold": self.threshold,
        }
        if self.kind == "binary":
            fields["calibration_bins"] = self.calibration
            fields["costs"] = self.costs
            fields["threshold_table"] = [
                {**row, "threshold": _json_float(row["threshold"])} for row in self.thresholds
            ]
        else:
            fields["per_class"] = self.per_class
        return fields


def decision_rule(report: Report) -> str:
    """How the report's predictions were made, for the confusion matrix's title.

    Examples
    --------
    >>> decision_rule(Report("binary", 4, [0, 1], {}, [[2, 0], [0, 2]], threshold=0.35))
    'threshold 0.35'
    """
    if report.threshold is not None:
        return f"threshold {report.threshold:.4g}"
    return "p > 0.5" if report.kind == "binary" else "most probable class"


def _json_float(value: float) -> float | str:
    return value if math.isfinite(value) else str(value)


@dataclass(frozen=True)
class Outputs:
    """A classifier's outputs on some rows, on their library and device.

    Attributes
    ----------
    proba : array of shape (n_samples, n_classes)
        ``predict_proba``.
    logits : array of shape (n_samples,) or None
        ``decision_function`` of a binary model that has one (a calibrated
        model has probabilities only).
    predicted : integer array of shape (n_samples,)
        Positions in ``classes_`` of ``predict``: the model's own decision
        rule, its threshold included.
    """

    proba: Any
    logits: Any
    predicted: Any


def model_outputs(model: Any, X: Any) -> Outputs:
    """Predict once what a report needs: probabilities, logits and labels.

    Parameters
    ----------
    model : LogisticRegression or CalibratedClassifier
        Fitted, in the library and on the device of ``X``.
    X : array of shape (n_samples, n_features)
        The features, in the library and dtype to compute with.

    Returns
    -------
    Outputs
    """
    xp = array_api_compat.array_namespace(X)
    proba = model.predict_proba(X)
    binary = proba.shape[1] == 2
    logits = model.decision_function(X) if binary and hasattr(model, "decision_function") else None
    index = integer_dtype(xp, array_api_compat.device(X))
    predicted = xp.astype(xp.searchsorted(model.classes_, model.predict(X)), index)
    return Outputs(proba, logits, predicted)


def classifier_report(
    model: Any, outputs: Outputs, y: Any, *, cost_fp: float = COST_FP, cost_fn: float = COST_FN
) -> Report:
    """Evaluate a fitted classifier's outputs against the true labels, on their device.

    Parameters
    ----------
    model : LogisticRegression or CalibratedClassifier
        The fitted model (its classes and threshold).
    outputs : Outputs
        :func:`model_outputs` of the model on the rows to evaluate.
    y : int64 array of shape (n_samples,)
        Positions of the true labels in ``model.classes_`` (see
        :func:`encode_labels`), on the outputs' device.
    cost_fp, cost_fn : float
        Costs of a false positive and a false negative, for the threshold table.

    Returns
    -------
    Report

    Examples
    --------
    Seed 000's eight training requests:

    >>> import numpy as np
    >>> from xlogreg import LogisticRegression
    >>> X = np.array([[1.0, 1.0], [1.5, 2.0], [2.0, 3.0], [3.5, 6.0],
    ...               [4.0, 7.0], [4.5, 5.0], [2.8, 4.0], [3.2, 8.0]])
    >>> y = np.array([0, 0, 1, 1, 1, 1, 0, 0])
    >>> model = LogisticRegression().fit(X, y)
    >>> report = classifier_report(model, model_outputs(model, X), y)
    >>> report.confusion, round(report.metrics["roc_auc"], 4)
    ([[3, 1], [1, 3]], 0.875)
    """
    check_costs(cost_fp, cost_fn)
    if outputs.proba.shape[1] == 2:
        return _binary_report(model, outputs, y, cost_fp=cost_fp, cost_fn=cost_fn)
    return _multinomial_report(model, outputs, y)


def _model_threshold(model: Any) -> float | None:
    """The threshold ``predict`` applies: the model's, or its calibrated estimator's."""
    threshold = getattr(model, "threshold", None)
    if threshold is None:
        threshold = getattr(getattr(model, "estimator_", None), "threshold", None)
    return threshold


def _binary_report(
    model: Any, outputs: Outputs, y: Any, *, cost_fp: float, cost_fn: float
) -> Report:
    proba, predicted = outputs.proba[:, 1], outputs.predicted
    xp = array_api_compat.array_namespace(proba)
    # The exact, unclipped log loss where the model has logits.
    if outputs.logits is not None:
        log_loss = metrics.log_loss_from_logits(y, outputs.logits)
    else:
        log_loss = metrics.log_loss(y, proba)
    ece, bins = metrics.expected_calibration_error(y, proba, n_bins=CALIBRATION_BINS)
    choice = metrics.select_threshold(y, proba, cost_fp=cost_fp, cost_fn=cost_fn)
    names = ("log_loss", "brier", "accuracy", "precision", "recall", "f1", "roc_auc")
    values = host_floats(
        xp,
        log_loss,
        metrics.brier_score_loss(y, proba),
        metrics.accuracy_score(y, predicted),
        metrics.precision_score(y, predicted),
        metrics.recall_score(y, predicted),
        metrics.f1_score(y, predicted),
        metrics.roc_auc_score(y, proba),
        metrics.average_precision_score(y, proba),
        ece,
        choice.threshold,
    )
    scores = dict(zip((*names, "average_precision", "ece"), values[:-1], strict=True))
    threshold = _model_threshold(model)
    optimal = values[-1]
    priced = sorted({*_THRESHOLDS, optimal, *([threshold] if threshold is not None else [])})
    sweep = metrics.threshold_sweep(y, proba, priced, cost_fp=cost_fp, cost_fn=cost_fn)
    fpr, tpr, _ = metrics.roc_curve(y, proba)
    precision, recall, _ = metrics.precision_recall_curve(y, proba)
    return Report(
        kind="binary",
        n_samples=int(proba.shape[0]),
        classes=host_list(model.classes_),
        metrics=scores,
        confusion=host_list(metrics.confusion_matrix(y, predicted, labels=[0, 1])),
        threshold=threshold,
        calibration=_columns_to_rows(bins._asdict()),
        thresholds=_threshold_rows(priced, sweep, optimal=optimal, model_threshold=threshold),
        costs={"fp": float(cost_fp), "fn": float(cost_fn)},
        curves=Curves(
            fpr=to_numpy(fpr),
            tpr=to_numpy(tpr),
            precision=to_numpy(precision),
            recall=to_numpy(recall),
            scores=to_numpy(proba),
            positive=to_numpy(y) == 1,
        ),
    )


def _columns_to_rows(columns: dict[str, Any]) -> list[dict[str, Any]]:
    """Arrays of one length, by name, as one dict per entry of host numbers."""
    values = {name: host_list(column) for name, column in columns.items()}
    return [dict(zip(values, entry, strict=True)) for entry in zip(*values.values(), strict=True)]


def _threshold_rows(
    priced: list[float],
    sweep: metrics.ThresholdSweep,
    *,
    optimal: float,
    model_threshold: float | None,
) -> list[dict[str, Any]]:
    """One row per threshold, named as asked (the sweep holds them in the scores' dtype)."""
    rows = _columns_to_rows(sweep._asdict())
    for threshold, row in zip(priced, rows, strict=True):
        del row["thresholds"]
        row["threshold"] = threshold
        notes = []
        if row["threshold"] == optimal:
            notes.append("cost-optimal")
        if model_threshold is not None and row["threshold"] == model_threshold:
            notes.append("model")
        row["note"] = ", ".join(notes)
    return rows


def _multinomial_report(model: Any, outputs: Outputs, y: Any) -> Report:
    proba, predicted = outputs.proba, outputs.predicted
    xp = array_api_compat.array_namespace(proba)
    n_samples, n_classes = (int(n) for n in proba.shape)
    labels = list(range(n_classes))
    confusion = host_list(metrics.confusion_matrix(y, predicted, labels=labels))
    support = [sum(row) for row in confusion]
    # One-vs-rest ranking needs every class among the true labels (a class
    # absent, or alone, leaves a one-class problem): scikit-learn raises there.
    ranked = 0 not in support
    scores = {
        "log_loss": metrics.log_loss(y, proba, labels=labels),
        "accuracy": metrics.accuracy_score(y, predicted),
        "balanced_accuracy": metrics.balanced_accuracy_score(y, predicted),
    }
    for average in AVERAGES:
        fscores = metrics.precision_recall_fscore_support(
            y, predicted, labels=labels, average=average
        )[:3]
        auc = _ovr_auc(y, proba, labels, average) if ranked else None
        for name, value in zip(PER_CLASS_SCORES, (*fscores, auc), strict=True):
            scores[average_key(name, average)] = value
    computed = {name: value for name, value in scores.items() if value is not None}
    values = dict(zip(computed, host_floats(xp, *computed.values()), strict=True))
    columns = metrics.precision_recall_fscore_support(y, predicted, labels=labels)[:3]
    if ranked:
        columns = (*columns, _ovr_auc(y, proba, labels, None))
    by_score = host_list(xp.stack(columns))
    if not ranked:
        by_score.append([None] * n_classes)
    classes = host_list(model.classes_)
    return Report(
        kind="multinomial",
        n_samples=n_samples,
        classes=classes,
        metrics={name: values.get(name) for name in scores},
        confusion=confusion,
        threshold=None,
        per_class=[
            {"class": label, "support": count, **dict(zip(PER_CLASS_SCORES, row, strict=True))}
            for label, count, *row in zip(classes, support, *by_score, strict=True)
        ],
    )


def _ovr_auc(y: Any, proba: Any, labels: list[int], average: str | None) -> Any:
    return metrics.roc_auc_score(y, proba, multi_class="ovr", average=average, labels=labels)
