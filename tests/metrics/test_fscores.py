"""metrics/_fscores.py against scikit-learn 1.9 on drawn inputs of K classes: precision, recall
and F-beta per class and averaged (micro, macro, weighted), labels= subsets and orders, and
zero division. The binary cases (average="binary") are in test_classification.py."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn import metrics as skm

from tests.metrics.label_cases import Labeled, labeled_cases
from tests.metrics.strategies import PROPERTY, check
from xlogreg import metrics as xm

AVERAGES = ["micro", "macro", "weighted", None]
ZERO_DIVISION = [0, 1, math.nan]
BETAS = [0.0, 0.5, 1.0, 2.0]

# scikit-learn warns when a label asked for is absent; its results stand.
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


@st.composite
def label_subsets(draw, case: Labeled) -> list | None:
    """None, or some of the drawn classes (present or not) in a drawn order."""
    if draw(st.booleans()):
        return None
    return draw(st.permutations(case.classes).map(lambda order: order[: max(1, len(order) - 1)]))


@PROPERTY
@given(
    data=st.data(),
    average=st.sampled_from(AVERAGES),
    beta=st.sampled_from(BETAS),
    zero_division=st.sampled_from(ZERO_DIVISION),
)
def test_precision_recall_fscore_support(data, average, beta, zero_division) -> None:
    case = data.draw(labeled_cases())
    labels = data.draw(label_subsets(case))
    kwargs = {
        "beta": beta,
        "labels": labels,
        "average": average,
        "sample_weight": case.weight,
        "zero_division": zero_division,
    }
    actual = xm.precision_recall_fscore_support(case.y_true, case.y_pred, **kwargs)
    expected = skm.precision_recall_fscore_support(case.y_true, case.y_pred, **kwargs)
    for got, want in zip(actual[:3], expected[:3], strict=True):
        check(got, want)
    if average is None:
        check(actual[3], expected[3], exact=case.weight is None)
    else:
        assert actual[3] is None and expected[3] is None


@PROPERTY
@given(
    case=labeled_cases(),
    name=st.sampled_from(["precision_score", "recall_score", "f1_score"]),
    average=st.sampled_from(AVERAGES),
)
def test_precision_recall_f1_averaged(case: Labeled, name: str, average: str | None) -> None:
    kwargs = {"average": average, "sample_weight": case.weight, "zero_division": 0}
    actual = getattr(xm, name)(case.y_true, case.y_pred, **kwargs)
    check(actual, getattr(skm, name)(case.y_true, case.y_pred, **kwargs))


def test_binary_average_refuses_more_than_two_labels() -> None:
    with pytest.raises(ValueError, match=r"hold 3 labels, so they are not binary.*average="):
        xm.f1_score(np.array([0, 1, 2]), np.array([0, 1, 1]))


def test_unknown_averages_are_refused() -> None:
    with pytest.raises(ValueError, match="average must be one of"):
        xm.precision_score(np.array([0, 1, 2]), np.array([0, 1, 1]), average="samples")


def test_labels_must_be_distinct_and_not_empty() -> None:
    y = np.array([0, 1, 2])
    with pytest.raises(ValueError, match="labels must be distinct"):
        xm.recall_score(y, y, labels=[1, 1], average="macro")
    with pytest.raises(ValueError, match="labels is empty"):
        xm.recall_score(y, y, labels=[], average="macro")
