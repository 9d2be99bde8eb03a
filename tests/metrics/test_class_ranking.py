"""metrics/_class_ranking.py against scikit-learn 1.9 on drawn (n_samples, K) scores: one-vs-rest
and one-vs-one ROC AUC, average precision of K classes, top-k accuracy, and the inputs they
refuse."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn import metrics as skm

from tests.metrics.strategies import PROPERTY, ClassScored, check, class_cases, indicator
from xlogreg import metrics as xm


@PROPERTY
@given(
    case=class_cases(min_classes=3, absent=False, weight_each=True),
    average=st.sampled_from(["macro", "weighted", "micro", None]),
)
def test_roc_auc_score_ovr(case: ClassScored, average: str | None) -> None:
    kwargs = {
        "multi_class": "ovr",
        "average": average,
        "sample_weight": case.weight,
        "labels": case.labels,
    }
    actual = xm.roc_auc_score(case.y, case.score, **kwargs)
    expected = skm.roc_auc_score(case.y, case.score, **kwargs)
    check(actual, expected)


@PROPERTY
@given(
    case=class_cases(min_classes=3, absent=False, weighted=False),
    average=st.sampled_from(["macro", "weighted"]),
)
def test_roc_auc_score_ovo(case: ClassScored, average: str) -> None:
    kwargs = {"multi_class": "ovo", "average": average, "labels": case.labels}
    actual = xm.roc_auc_score(case.y, case.score, **kwargs)
    expected = skm.roc_auc_score(case.y, case.score, **kwargs)
    check(actual, expected)


@PROPERTY
@given(
    case=class_cases(max_classes=2, absent=False, weight_each=True),
    multi_class=st.sampled_from(["ovr", "ovo"]),
    average=st.sampled_from(["macro", "weighted"]),
)
def test_roc_auc_score_two_columns_is_binary(
    case: ClassScored, multi_class: str, average: str
) -> None:
    """Both one-vs-rest AUCs (and the one pair) of two classes are the AUC of column 1:
    scikit-learn takes only 1-D scores for binary labels."""
    weight = case.weight if multi_class == "ovr" else None
    actual = xm.roc_auc_score(
        case.y,
        case.score,
        multi_class=multi_class,
        average=average,
        sample_weight=weight,
        labels=case.labels,
    )
    positive = case.classes[1]
    binary = xm.roc_auc_score(case.y, case.score[:, 1], sample_weight=weight, pos_label=positive)
    expected = skm.roc_auc_score(
        indicator(case.y, positive), case.score[:, 1], sample_weight=weight
    )
    check(actual, expected)
    check(binary, expected)


@pytest.mark.filterwarnings("ignore:No positive class found in y_true:UserWarning")
@PROPERTY
@given(
    case=class_cases(min_classes=3, labels=False, probabilities=False),
    average=st.sampled_from(["macro", "weighted", "micro", None]),
)
def test_average_precision_score(case: ClassScored, average: str | None) -> None:
    """Every class has a sample, though maybe no weight: its AP is then 0."""
    kwargs = {"average": average, "sample_weight": case.weight}
    actual = xm.average_precision_score(case.y, case.score, **kwargs)
    expected = skm.average_precision_score(case.y, case.score, **kwargs)
    check(actual, expected)


@pytest.mark.filterwarnings("ignore:'k' .* will result in a perfect score")
@PROPERTY
@given(
    data=st.data(),
    case=class_cases(min_classes=3, probabilities=False),
    normalize=st.booleans(),
)
def test_top_k_accuracy_score(data: st.DataObject, case: ClassScored, normalize: bool) -> None:
    """Ties among the scores are broken as scikit-learn's reversed stable argsort breaks them."""
    k = data.draw(st.integers(1, len(case.classes)), label="k")
    kwargs = {
        "k": k,
        "normalize": normalize,
        "sample_weight": case.weight,
        "labels": case.labels,
    }
    actual = xm.top_k_accuracy_score(case.y, case.score, **kwargs)
    expected = skm.top_k_accuracy_score(case.y, case.score, **kwargs)
    check(actual, np.float64(expected))


Y3 = np.array([0, 1, 2, 2])


P3 = np.array([[0.5, 0.25, 0.25], [0.25, 0.5, 0.25], [0.0, 0.25, 0.75], [0.5, 0.0, 0.5]])


BAD_INPUTS = {
    "rows not summing to one": (
        xm.roc_auc_score,
        (Y3, P3 * 0.9),
        {"multi_class": "ovr"},
        "rows of y_score must sum to one",
    ),
    "fewer classes than columns": (
        xm.roc_auc_score,
        (np.array([0, 1, 1, 0]), P3),
        {"multi_class": "ovr"},
        "y_score has 3 columns",
    ),
    "more classes than columns": (
        xm.top_k_accuracy_score,
        (np.array([0, 1, 2, 3]), P3),
        {},
        "y_score has 3 columns",
    ),
    "labels not sorted": (
        xm.roc_auc_score,
        (Y3, P3),
        {"multi_class": "ovr", "labels": [2, 1, 0]},
        "labels must be sorted",
    ),
    "labels not sorted (top-k)": (
        xm.top_k_accuracy_score,
        (Y3, P3),
        {"labels": [0, 2, 1]},
        "labels must be sorted",
    ),
    "label not in labels": (
        xm.roc_auc_score,
        (np.array([0, 1, 5, 2]), P3),
        {"multi_class": "ovr", "labels": [0, 1, 2]},
        r"y_true holds labels \[5\] that are not in labels=",
    ),
    "label not in labels (top-k)": (
        xm.top_k_accuracy_score,
        (np.array([0, 1, 5, 2]), P3),
        {"labels": [0, 1, 2]},
        r"y_true holds labels \[5\] that are not in labels=",
    ),
    "class without samples (ovr)": (
        xm.roc_auc_score,
        (np.array([0, 1, 1, 0]), P3),
        {"multi_class": "ovr", "labels": [0, 1, 2]},
        r"y_true has no samples \(with weight\) of the classes \[2\]",
    ),
    "class without weight (ovr)": (
        xm.roc_auc_score,
        (Y3, P3),
        {"multi_class": "ovr", "sample_weight": np.array([1.0, 0.0, 1.0, 1.0])},
        r"y_true has no samples \(with weight\) of the classes \[1\]",
    ),
    "multi_class left out": (xm.roc_auc_score, (Y3, P3), {}, "multi_class must be"),
    "ovo with weights": (
        xm.roc_auc_score,
        (Y3, P3),
        {"multi_class": "ovo", "sample_weight": np.ones(4)},
        "sample_weight is not supported",
    ),
    "ovo micro": (
        xm.roc_auc_score,
        (Y3, P3),
        {"multi_class": "ovo", "average": "micro"},
        "average must be one of",
    ),
    "max_fpr": (
        xm.roc_auc_score,
        (Y3, P3),
        {"multi_class": "ovr", "max_fpr": 0.5},
        "max_fpr",
    ),
    "pos_label of average precision": (
        xm.average_precision_score,
        (Y3, P3),
        {"pos_label": 0},
        "pos_label is fixed to 1",
    ),
    "one column": (
        xm.top_k_accuracy_score,
        (Y3, P3[:, :1]),
        {},
        r"y_score must be of shape \(n_samples, n_classes\)",
    ),
}


@pytest.mark.parametrize(("metric", "args", "kwargs", "match"), BAD_INPUTS.values(), ids=BAD_INPUTS)
def test_bad_inputs(metric: Any, args: tuple, kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        metric(*args, **kwargs)
