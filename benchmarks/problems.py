"""The benchmarks' logistic-regression problems, the same data for every contender, and
the metrics they time with their scikit-learn counterparts."""

from __future__ import annotations

import numpy as np
from sklearn import calibration as sk_calibration
from sklearn import metrics as skm

from xlogreg import metrics as xm

# name: (xlogreg's metric, scikit-learn's) of (y_true, y_score)
METRICS = {
    "roc_auc_score": (xm.roc_auc_score, skm.roc_auc_score),
    "average_precision_score": (xm.average_precision_score, skm.average_precision_score),
    "roc_curve": (xm.roc_curve, skm.roc_curve),
    "calibration_curve (10 bins)": (
        lambda y, p: xm.calibration_curve(y, p, n_bins=10),
        lambda y, p: sk_calibration.calibration_curve(y, p, n_bins=10),
    ),
    # scikit-learn has no ECE; its calibration_curve does the same binning work.
    "expected_calibration_error (10 bins)": (
        lambda y, p: xm.expected_calibration_error(y, p, n_bins=10),
        lambda y, p: sk_calibration.calibration_curve(y, p, n_bins=10),
    ),
    "log_loss": (xm.log_loss, skm.log_loss),
}

# name: (xlogreg's metric, scikit-learn's, which input) for K classes; the input is
# "y_pred" (the predicted labels) or "y_prob" (the (n, K) probabilities, rows summing to one).
MULTICLASS_METRICS = {
    "confusion_matrix": (xm.confusion_matrix, skm.confusion_matrix, "y_pred"),
    "f1_score (macro)": (
        lambda y, p: xm.f1_score(y, p, average="macro"),
        lambda y, p: skm.f1_score(y, p, average="macro"),
        "y_pred",
    ),
    "precision_recall_fscore_support": (
        xm.precision_recall_fscore_support,
        skm.precision_recall_fscore_support,
        "y_pred",
    ),
    "balanced_accuracy_score": (xm.balanced_accuracy_score, skm.balanced_accuracy_score, "y_pred"),
    "matthews_corrcoef": (xm.matthews_corrcoef, skm.matthews_corrcoef, "y_pred"),
    "cohen_kappa_score": (xm.cohen_kappa_score, skm.cohen_kappa_score, "y_pred"),
    "log_loss": (xm.log_loss, skm.log_loss, "y_prob"),
    "brier_score_loss": (xm.brier_score_loss, skm.brier_score_loss, "y_prob"),
    "top_k_accuracy_score (k=3)": (
        lambda y, p: xm.top_k_accuracy_score(y, p, k=3),
        lambda y, p: skm.top_k_accuracy_score(y, p, k=3),
        "y_prob",
    ),
    "roc_auc_score (ovr)": (
        lambda y, p: xm.roc_auc_score(y, p, multi_class="ovr"),
        lambda y, p: skm.roc_auc_score(y, p, multi_class="ovr"),
        "y_prob",
    ),
    "roc_auc_score (ovo)": (
        lambda y, p: xm.roc_auc_score(y, p, multi_class="ovo"),
        lambda y, p: skm.roc_auc_score(y, p, multi_class="ovo"),
        "y_prob",
    ),
    # scikit-learn binarizes the labels itself for (n, K) scores (one-vs-rest, macro).
    "average_precision_score (macro)": (
        xm.average_precision_score,
        skm.average_precision_score,
        "y_prob",
    ),
}


def make_problem(n_samples, n_features, *, ill_conditioned, seed=0):
    """Gaussian ``X`` and labels drawn from a logistic model, both NumPy.

    ``ill_conditioned`` makes the columns correlated, with scales from 1e-2
    to 1e3 (the true coefficients scaled inversely, so every column matters).
    """
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, n_features))
    if ill_conditioned:
        X = (X + 0.9 * rng.standard_normal((n_samples, 1))) * np.logspace(-2, 3, n_features)
    w = (
        rng.standard_normal(n_features)
        / np.sqrt(n_features)
        / (np.logspace(-2, 3, n_features) if ill_conditioned else 1.0)
    )
    y = (rng.random(n_samples) < 1 / (1 + np.exp(-(X @ w)))).astype(np.int64)
    return X, y
