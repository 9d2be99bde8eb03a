"""metrics/_ranking.py against scikit-learn 1.9 on drawn scores with ties and weights: ROC, AUC
(with max_fpr), precision-recall, average precision, DET."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from sklearn import metrics as skm

from tests.metrics.strategies import BOTH, MANY, Scored, check, indicator, scored_cases
from xlogreg import metrics as xm


@MANY
@given(case=scored_cases(need=BOTH, probabilities=False), drop_intermediate=st.booleans())
def test_roc_curve(case: Scored, drop_intermediate: bool) -> None:
    kwargs = {
        "pos_label": case.pos_label,
        "sample_weight": case.weight,
        "drop_intermediate": drop_intermediate,
    }
    fpr, tpr, thresholds = xm.roc_curve(case.y, case.score, **kwargs)
    sk_fpr, sk_tpr, sk_thresholds = skm.roc_curve(case.y, case.score, **kwargs)
    check(thresholds, sk_thresholds, exact=True)
    check(fpr, sk_fpr)
    check(tpr, sk_tpr)


MAX_FPR = st.one_of(
    st.none(), st.just(1.0), st.sampled_from([0.25, 0.5, 0.75]), st.floats(0.001, 0.999)
)


@MANY
@given(case=scored_cases(need=BOTH, probabilities=False), max_fpr=MAX_FPR)
def test_roc_auc_score(case: Scored, max_fpr: float | None) -> None:
    # xlogreg's default positive is the greater label, scikit-learn's only choice.
    pos_label = case.pos if case.pos < case.neg else case.pos_label
    actual = xm.roc_auc_score(
        case.y, case.score, sample_weight=case.weight, max_fpr=max_fpr, pos_label=pos_label
    )
    expected = skm.roc_auc_score(
        indicator(case.y, case.pos), case.score, sample_weight=case.weight, max_fpr=max_fpr
    )
    check(actual, expected)


@MANY
@given(case=scored_cases(need=("positive",), probabilities=False), drop_intermediate=st.booleans())
def test_precision_recall_curve(case: Scored, drop_intermediate: bool) -> None:
    kwargs = {
        "pos_label": case.pos_label,
        "sample_weight": case.weight,
        "drop_intermediate": drop_intermediate,
    }
    precision, recall, thresholds = xm.precision_recall_curve(case.y, case.score, **kwargs)
    sk_precision, sk_recall, sk_thresholds = skm.precision_recall_curve(
        case.y, case.score, **kwargs
    )
    check(thresholds, sk_thresholds, exact=True)
    check(precision, sk_precision)
    check(recall, sk_recall)


@MANY
@given(case=scored_cases(need=("positive",), probabilities=False))
def test_average_precision_score(case: Scored) -> None:
    actual = xm.average_precision_score(
        case.y, case.score, pos_label=case.pos, sample_weight=case.weight
    )
    expected = skm.average_precision_score(
        case.y, case.score, pos_label=case.pos, sample_weight=case.weight
    )
    check(actual, expected)


@MANY
@given(case=scored_cases(need=BOTH, probabilities=False), drop_intermediate=st.booleans())
def test_det_curve(case: Scored, drop_intermediate: bool) -> None:
    kwargs = {
        "pos_label": case.pos_label,
        "sample_weight": case.weight,
        "drop_intermediate": drop_intermediate,
    }
    fpr, fnr, thresholds = xm.det_curve(case.y, case.score, **kwargs)
    sk_fpr, sk_fnr, sk_thresholds = skm.det_curve(case.y, case.score, **kwargs)
    check(thresholds, sk_thresholds, exact=True)
    check(fpr, sk_fpr)
    check(fnr, sk_fnr)
