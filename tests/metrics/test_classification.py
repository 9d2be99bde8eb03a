"""metrics/_classification.py against scikit-learn 1.9 on drawn inputs: confusion matrices,
accuracy, balanced accuracy, Matthews' coefficient and Cohen's kappa, for two classes and for K.

The binary precision, recall and F-scores are checked here too (the first tests, on binary
cases in both label orientations); their averages over K classes are in test_fscores.py."""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from sklearn import metrics as skm

from tests.metrics.label_cases import Labeled, labeled_cases
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

# scikit-learn warns where a matrix or a recall has one class only; its results stand.
pytestmark = [
    pytest.mark.filterwarnings("ignore:A single label was found:UserWarning"),
    pytest.mark.filterwarnings("ignore:y_pred contains classes not in y_true:UserWarning"),
]

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


# --- K classes ---


@PROPERTY
@given(case=labeled_cases(), normalize=st.sampled_from(NORMALIZE), extra=st.booleans())
def test_confusion_matrix_of_k_classes(case: Labeled, normalize: str | None, extra: bool) -> None:
    """The labels present, sorted; or labels= in a drawn order with an absent class added."""
    labels = None
    if extra:
        present = sorted(set(case.y_true) | set(case.y_pred))
        labels = [*present[::-1], "zzz" if isinstance(present[0], str) else 99]
    kwargs = {"labels": labels, "sample_weight": case.weight, "normalize": normalize}
    actual = xm.confusion_matrix(case.y_true, case.y_pred, **kwargs)
    expected = skm.confusion_matrix(case.y_true, case.y_pred, **kwargs)
    check(actual, expected, exact=case.weight is None and normalize is None)


@PROPERTY
@given(data=st.data(), adjusted=st.booleans())
def test_balanced_accuracy_of_k_classes(data: st.DataObject, adjusted: bool) -> None:
    case = data.draw(labeled_cases(min_classes=2 if adjusted else 1))
    if adjusted and case.weight is not None:
        classes_with_weight = {v for v, w in zip(case.y_true, case.weight, strict=True) if w > 0}
        assume(len(classes_with_weight) >= 2)
    kwargs = {"sample_weight": case.weight, "adjusted": adjusted}
    actual = xm.balanced_accuracy_score(case.y_true, case.y_pred, **kwargs)
    check(actual, skm.balanced_accuracy_score(case.y_true, case.y_pred, **kwargs))


@PROPERTY
@given(case=labeled_cases())
def test_matthews_corrcoef_of_k_classes(case: Labeled) -> None:
    actual = xm.matthews_corrcoef(case.y_true, case.y_pred, sample_weight=case.weight)
    expected = skm.matthews_corrcoef(case.y_true, case.y_pred, sample_weight=case.weight)
    check(actual, 0.0 if math.isnan(expected) else expected)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.UndefinedMetricWarning")
@PROPERTY
@given(
    case=labeled_cases(),
    weights=st.sampled_from([None, "linear", "quadratic"]),
    undefined=st.sampled_from([math.nan, 0.0, -1.0, 0.5]),
    reorder=st.booleans(),
)
def test_cohen_kappa_of_k_classes(
    case: Labeled, weights: str | None, undefined: float, reorder: bool
) -> None:
    """labels= in another order changes the linear and quadratic weights."""
    present = sorted(set(case.y_true) | set(case.y_pred))
    kwargs = {
        "labels": present[::-1] if reorder else None,
        "weights": weights,
        "sample_weight": case.weight,
        "replace_undefined_by": undefined,
    }
    actual = xm.cohen_kappa_score(case.y_true, case.y_pred, **kwargs)
    check(actual, skm.cohen_kappa_score(case.y_true, case.y_pred, **kwargs))


@PROPERTY
@given(case=predicted_cases())
def test_two_classes_give_the_binary_results(case: Predicted) -> None:
    """The K-class path on two classes equals scikit-learn's binary results (above)."""
    for name in ("matthews_corrcoef", "balanced_accuracy_score"):
        weight = case.weight
        if weight is not None and not weight.any():
            continue
        actual = getattr(xm, name)(case.y_true, case.y_pred, sample_weight=weight)
        expected = getattr(skm, name)(case.y_true, case.y_pred, sample_weight=weight)
        check(actual, 0.0 if math.isnan(expected) else expected)


def test_the_k_by_k_matrix_counts_each_pair_once() -> None:
    """A hand count: 3 classes, every pair of true and predicted label."""
    y_true = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2])
    y_pred = np.array([0, 1, 2, 1, 1, 0, 2, 2, 1])
    expected = np.zeros((3, 3), dtype=np.int64)
    np.add.at(expected, (y_true, y_pred), 1)
    check(xm.confusion_matrix(y_true, y_pred), expected, exact=True)
