"""metrics/_classification.py against scikit-learn 1.9 on drawn inputs: confusion matrices,
precision, recall, F-scores, zero division, accuracy, balanced accuracy, Matthews' coefficient."""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn import metrics as skm

from tests.metrics.strategies import (
    BOTH,
    LABEL_PAIRS,
    PROPERTY,
    boolean_vector,
    check,
    ensure_classes,
    weight_vectors,
)
from xlogreg import metrics as xm

NORMALIZE = [None, "true", "pred", "all"]


ZERO_DIVISION = [0, 1, 0.0, 1.0, math.nan]


BETAS = [0.0, 0.1, 0.5, 1.0, 2.0, 3.7, math.inf]


class Predicted(NamedTuple):
    """True and predicted binary labels."""

    y_true: np.ndarray
    y_pred: np.ndarray
    neg: int
    pos: int
    weight: np.ndarray | None


@st.composite
def predicted_cases(
    draw: Any, *, min_n: int = 1, max_n: int = 30, need: tuple[str, ...] = ()
) -> Predicted:
    neg, pos = draw(st.sampled_from(LABEL_PAIRS))
    n = draw(st.integers(max(min_n, len(need)), max_n))
    truth = boolean_vector(draw, n)
    weight = draw(weight_vectors(n))
    ensure_classes(draw, truth, weight, need)
    kind = draw(st.sampled_from(["random", "equal", "flipped", "constant"]))
    if kind == "equal":
        predicted = truth.copy()
    elif kind == "flipped":
        predicted = ~truth
    elif kind == "constant":
        predicted = np.full(n, draw(st.booleans()))
    else:
        predicted = boolean_vector(draw, n)
    y_true = np.where(truth, pos, neg).astype(np.int64)
    y_pred = np.where(predicted, pos, neg).astype(np.int64)
    return Predicted(y_true, y_pred, neg, pos, weight)


@PROPERTY
@given(
    case=predicted_cases(),
    normalize=st.sampled_from(NORMALIZE),
    explicit_labels=st.booleans(),
)
def test_confusion_matrix(case: Predicted, normalize: str | None, explicit_labels: bool) -> None:
    order = [case.neg, case.pos] if explicit_labels else None
    actual = xm.confusion_matrix(
        case.y_true,
        case.y_pred,
        labels=order,
        sample_weight=case.weight,
        normalize=normalize,
    )
    expected = skm.confusion_matrix(
        case.y_true, case.y_pred, labels=order, sample_weight=case.weight, normalize=normalize
    )
    check(actual, expected, exact=case.weight is None and normalize is None)


@PROPERTY
@given(
    case=predicted_cases(),
    name=st.sampled_from(["precision_score", "recall_score", "f1_score"]),
    zero_division=st.sampled_from(ZERO_DIVISION),
)
def test_precision_recall_f1(case: Predicted, name: str, zero_division: float) -> None:
    kwargs = {"pos_label": case.pos, "sample_weight": case.weight, "zero_division": zero_division}
    actual = getattr(xm, name)(case.y_true, case.y_pred, **kwargs)
    expected = getattr(skm, name)(case.y_true, case.y_pred, **kwargs)
    check(actual, expected)


@PROPERTY
@given(
    case=predicted_cases(),
    beta=st.sampled_from(BETAS),
    zero_division=st.sampled_from(ZERO_DIVISION),
)
def test_fbeta_score(case: Predicted, beta: float, zero_division: float) -> None:
    kwargs = {"pos_label": case.pos, "sample_weight": case.weight, "zero_division": zero_division}
    actual = xm.fbeta_score(case.y_true, case.y_pred, beta=beta, **kwargs)
    expected = skm.fbeta_score(case.y_true, case.y_pred, beta=beta, **kwargs)
    check(actual, expected)


def test_zero_division_is_used_when_denominators_vanish() -> None:
    """Nothing predicted positive (precision 0/0) and no positive at all (recall, F1 0/0)."""
    y_true, y_pred = np.array([0, 1, 0]), np.array([0, 0, 0])
    nothing = np.zeros(3, dtype=np.int64)
    for zero_division in (0, 1, math.nan):
        for name, (t, p) in {
            "precision_score": (y_true, y_pred),
            "recall_score": (nothing, y_pred),
            "f1_score": (nothing, nothing),
        }.items():
            actual = getattr(xm, name)(t, p, zero_division=zero_division)
            expected = getattr(skm, name)(t, p, zero_division=zero_division)
            assert np.isnan(expected) if math.isnan(zero_division) else expected == zero_division
            check(actual, expected)


@PROPERTY
@given(case=predicted_cases(), normalize=st.booleans())
def test_accuracy_score(case: Predicted, normalize: bool) -> None:
    actual = xm.accuracy_score(
        case.y_true, case.y_pred, normalize=normalize, sample_weight=case.weight
    )
    expected = skm.accuracy_score(
        case.y_true, case.y_pred, normalize=normalize, sample_weight=case.weight
    )
    check(actual, expected)


@pytest.mark.filterwarnings("ignore:y_pred contains classes not in y_true:UserWarning")
@pytest.mark.filterwarnings("ignore:A single label was found:UserWarning")
@PROPERTY
@given(data=st.data(), adjusted=st.booleans())
def test_balanced_accuracy_score(data: st.DataObject, adjusted: bool) -> None:
    case = data.draw(predicted_cases(need=BOTH if adjusted else ()))
    actual = xm.balanced_accuracy_score(
        case.y_true, case.y_pred, sample_weight=case.weight, adjusted=adjusted
    )
    expected = skm.balanced_accuracy_score(
        case.y_true, case.y_pred, sample_weight=case.weight, adjusted=adjusted
    )
    check(actual, expected)


@pytest.mark.filterwarnings("ignore:A single label was found:UserWarning")
@PROPERTY
@given(case=predicted_cases())
def test_matthews_corrcoef(case: Predicted) -> None:
    actual = xm.matthews_corrcoef(case.y_true, case.y_pred, sample_weight=case.weight)
    expected = skm.matthews_corrcoef(case.y_true, case.y_pred, sample_weight=case.weight)
    if math.isnan(expected):
        # scikit-learn computes the variances as differences of weighted sums:
        # with a constant truth or prediction they can round to a tiny negative
        # number and its sqrt gives NaN. The defined value there is 0.
        kept = np.ones(case.y_true.shape, dtype=bool) if case.weight is None else case.weight > 0
        assert np.unique(case.y_true[kept]).size < 2 or np.unique(case.y_pred[kept]).size < 2
        expected = 0.0
    check(actual, expected)
