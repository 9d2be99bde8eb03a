"""Undefined inputs across xlogreg.metrics (one class, a class without weight, one sample):
where scikit-learn warns and returns NaN (or raises), xlogreg raises ValueError."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn import metrics as skm
from sklearn.exceptions import UndefinedMetricWarning

from xlogreg import metrics as xm


def _one_class() -> tuple[np.ndarray, np.ndarray]:
    return np.zeros(4, dtype=np.int64), np.array([0.1, 0.4, 0.35, 0.8])


UNDEFINED = {
    "roc_auc_score one class": (
        lambda m: m.roc_auc_score(*_one_class()),
        lambda: skm.roc_auc_score(*_one_class()),
    ),
    "roc_auc_score class without weight": (
        lambda m: m.roc_auc_score(
            np.array([0, 1, 0, 1]), _one_class()[1], sample_weight=np.array([1.0, 0, 2, 0])
        ),
        lambda: skm.roc_auc_score(
            np.array([0, 1, 0, 1]), _one_class()[1], sample_weight=np.array([1.0, 0, 2, 0])
        ),
    ),
    "roc_curve one class": (
        lambda m: m.roc_curve(*_one_class()),
        lambda: skm.roc_curve(*_one_class())[1],
    ),
    "precision_recall_curve no positive": (
        lambda m: m.precision_recall_curve(*_one_class()),
        lambda: skm.precision_recall_curve(*_one_class()),
    ),
    "average_precision_score no positive": (
        lambda m: m.average_precision_score(*_one_class()),
        lambda: skm.average_precision_score(*_one_class()),
    ),
    "det_curve one class": (
        lambda m: m.det_curve(*_one_class()),
        lambda: skm.det_curve(*_one_class()),
    ),
    "balanced_accuracy_score adjusted one class": (
        lambda m: m.balanced_accuracy_score(
            np.array([0, 0, 0]), np.array([0, 1, 0]), adjusted=True
        ),
        lambda: skm.balanced_accuracy_score(
            np.array([0, 0, 0]), np.array([0, 1, 0]), adjusted=True
        ),
    ),
    "r2_score one sample": (
        lambda m: m.r2_score(np.array([1.0]), np.array([2.0])),
        lambda: skm.r2_score(np.array([1.0]), np.array([2.0])),
    ),
}


@pytest.mark.parametrize("name", list(UNDEFINED))
def test_undefined_cases_raise(name: str) -> None:
    """Where scikit-learn warns and returns NaN (or raises), xlogreg raises ValueError."""
    ours, theirs = UNDEFINED[name]
    with pytest.raises(ValueError):
        ours(xm)
    # scikit-learn: an error, a warning, or a value that is not a finite score.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            value = theirs()
        except ValueError:
            return
    parts = value if isinstance(value, tuple) else (value,)
    finite = all(np.all(np.isfinite(np.asarray(v, dtype=float))) for v in parts)
    assert caught or not finite, f"scikit-learn gave {value!r} without a warning"
    assert all(
        issubclass(w.category, (UndefinedMetricWarning, RuntimeWarning, UserWarning))
        for w in caught
    )
