"""metrics/_probabilistic.py against scikit-learn 1.9 on drawn probabilities: log loss and the
Brier score."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from sklearn import metrics as skm

from tests.metrics.strategies import PROPERTY, Scored, check, indicator, scored_cases
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
