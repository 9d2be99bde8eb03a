"""metrics/_probabilistic.py against scikit-learn 1.9 on drawn probabilities: log loss and the
Brier score, of 1-D probabilities and of rows of K class probabilities, and the K-class inputs
they refuse."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn import metrics as skm

from tests.metrics.strategies import (
    PROPERTY,
    ClassScored,
    Scored,
    check,
    class_cases,
    indicator,
    scored_cases,
)
from xlogreg import metrics as xm


@PROPERTY
@given(case=scored_cases(), normalize=st.booleans())
def test_log_loss(case: Scored, normalize: bool) -> None:
    actual = xm.log_loss(
        case.y,
        case.score,
        normalize=normalize,
        sample_weight=case.weight,
        pos_label=case.pos_label,
    )
    expected = skm.log_loss(
        indicator(case.y, case.pos),
        y_proba=case.score,
        normalize=normalize,
        sample_weight=case.weight,
        labels=[0, 1],
    )
    check(actual, expected)


@PROPERTY
@given(case=scored_cases())
def test_brier_score_loss(case: Scored) -> None:
    kwargs = {"sample_weight": case.weight, "pos_label": case.pos_label}
    actual = xm.brier_score_loss(case.y, case.score, **kwargs)
    expected = skm.brier_score_loss(case.y, case.score, **kwargs)
    check(actual, expected)


@PROPERTY
@given(case=class_cases(), normalize=st.booleans())
def test_class_log_loss(case: ClassScored, normalize: bool) -> None:
    kwargs = {"normalize": normalize, "sample_weight": case.weight, "labels": case.labels}
    actual = xm.log_loss(case.y, case.score, **kwargs)
    expected = skm.log_loss(case.y, case.score, **kwargs)
    check(actual, expected)


@PROPERTY
@given(case=class_cases(), scale_by_half=st.sampled_from(["auto", True, False]))
def test_class_brier_score_loss(case: ClassScored, scale_by_half: bool | str) -> None:
    kwargs = {"sample_weight": case.weight, "labels": case.labels, "scale_by_half": scale_by_half}
    actual = xm.brier_score_loss(case.y, case.score, **kwargs)
    expected = skm.brier_score_loss(case.y, case.score, **kwargs)
    check(actual, expected)


@PROPERTY
@given(
    case=class_cases(max_classes=2, labels=False),
    normalize=st.booleans(),
    scale_by_half=st.sampled_from(["auto", True, False]),
)
def test_two_columns_are_binary(
    case: ClassScored, normalize: bool, scale_by_half: bool | str
) -> None:
    """Rows of two probabilities score as the probability of the second class alone."""
    positive, p = case.classes[1], case.score[:, 1]
    log_loss = xm.log_loss(case.y, case.score, normalize=normalize, sample_weight=case.weight)
    binary = xm.log_loss(
        case.y, p, normalize=normalize, sample_weight=case.weight, pos_label=positive
    )
    expected = skm.log_loss(
        indicator(case.y, positive),
        p,
        normalize=normalize,
        sample_weight=case.weight,
        labels=[0, 1],
    )
    check(log_loss, expected)
    check(binary, expected)
    kwargs = {"sample_weight": case.weight, "scale_by_half": scale_by_half}
    brier = xm.brier_score_loss(case.y, case.score, **kwargs)
    binary = xm.brier_score_loss(case.y, p, pos_label=positive, **kwargs)
    expected = skm.brier_score_loss(indicator(case.y, positive), p, **kwargs)
    check(brier, expected)
    check(binary, expected)


Y3 = np.array(["a", "b", "c", "c"])


P3 = np.array([[0.5, 0.25, 0.25], [0.25, 0.5, 0.25], [0.0, 0.25, 0.75], [0.5, 0.0, 0.5]])


BAD_INPUTS = {
    "rows not summing to one": ((Y3, P3 * 0.9), {}, "rows of y_prob must sum to one"),
    "negative probability": (
        (Y3, P3 + np.array([-0.25, 0.0, 0.25])),
        {},
        r"y_prob must hold probabilities in \[0, 1\]",
    ),
    "probability above one": (
        (Y3, P3 + np.array([0.75, -0.5, -0.25])),
        {},
        r"y_prob must hold probabilities in \[0, 1\]",
    ),
    "one column": ((Y3, P3[:, :1]), {}, r"y_prob must be of shape \(n_samples, n_classes\)"),
    "fewer classes than columns": (
        (np.array(["a", "b", "b", "a"]), P3),
        {},
        "y_prob has 3 columns",
    ),
    "labels not sorted": ((Y3, P3), {"labels": ["a", "c", "b"]}, "labels must be sorted"),
    "label not in labels": (
        (np.array(["a", "b", "d", "c"]), P3),
        {"labels": ["a", "b", "c"]},
        r"y_true holds labels \['d'\] that are not in labels=",
    ),
    "pos_label": ((Y3, P3), {"pos_label": "c"}, "pos_label is for probabilities"),
}


@pytest.mark.parametrize("metric", [xm.log_loss, xm.brier_score_loss])
@pytest.mark.parametrize(("args", "kwargs", "match"), BAD_INPUTS.values(), ids=BAD_INPUTS)
def test_bad_class_probabilities(metric: Any, args: tuple, kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        metric(*args, **kwargs)
