"""metrics/_calibration.py against scikit-learn 1.9 (calibration_curve) and a direct computation
(expected_calibration_error, of binary and of K-class probabilities) on drawn scores."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn import calibration as sk_calibration

from tests.metrics.strategies import (
    MANY,
    PROPERTY,
    ClassScored,
    Scored,
    check,
    class_cases,
    scored_cases,
)
from xlogreg import metrics as xm


@MANY
@given(
    case=scored_cases(weighted=False),
    n_bins=st.integers(1, 12),
    strategy=st.sampled_from(["uniform", "quantile"]),
)
def test_calibration_curve(case: Scored, n_bins: int, strategy: str) -> None:
    kwargs = {"pos_label": case.pos_label, "n_bins": n_bins, "strategy": strategy}
    prob_true, prob_pred = xm.calibration_curve(case.y, case.score, **kwargs)
    sk_true, sk_pred = sk_calibration.calibration_curve(case.y, case.score, **kwargs)
    check(prob_true, sk_true)
    check(prob_pred, sk_pred)


def reference_ece(
    positive: np.ndarray,
    p: np.ndarray,
    weight: np.ndarray | None,
    n_bins: int,
    strategy: str,
    norm: str,
) -> tuple[float, dict[str, np.ndarray]]:
    """Seed 000's binning, by a loop over the bins.

    Bins are ``[lo, hi)``, the last one closed: for uniform edges that is the
    seed's ``(p < hi) if hi < 1.0 else (p <= hi)``; for quantile edges the
    last edge is ``max(p)``, which the last bin must hold too.
    """
    w = np.ones_like(p) if weight is None else weight
    y = positive.astype(np.float64)
    fractions = np.linspace(0, 1, n_bins + 1)
    edges = fractions if strategy == "uniform" else np.percentile(p, fractions * 100)
    rows = []
    for i in range(n_bins):
        lo, hi = edges[i], edges[i + 1]
        below = (p <= hi) if i == n_bins - 1 else (p < hi)
        mask = (p >= lo) & below
        total = w[mask].sum()
        if total <= 0:
            continue
        mean_score = (w[mask] * p[mask]).sum() / total
        positive_rate = (w[mask] * y[mask]).sum() / total
        rows.append((lo, hi, mask.sum(), mean_score, positive_rate, total))
    lower, upper, count, mean_score, positive_rate, total = (
        np.array(c) for c in zip(*rows, strict=True)
    )
    share = total / w.sum()
    gap = np.abs(mean_score - positive_rate)
    if norm == "l1":
        contribution = share * gap
        ece = contribution.sum()
    elif norm == "l2":
        contribution = share * gap**2
        ece = math.sqrt(contribution.sum())
    else:
        contribution = gap
        ece = gap.max()
    table = {
        "lower": lower,
        "upper": upper,
        "count": count.astype(np.int64),
        "mean_score": mean_score,
        "positive_rate": positive_rate,
        "contribution": contribution,
    }
    return ece, table


def check_bins(bins: Any, table: dict[str, np.ndarray]) -> None:
    """An xlogreg ReliabilityBins equals a table of :func:`reference_ece` (edges and
    counts bit for bit)."""
    for field, column in table.items():
        check(getattr(bins, field), column, exact=field in ("lower", "upper", "count"))


@MANY
@given(
    case=scored_cases(),
    n_bins=st.integers(1, 12),
    strategy=st.sampled_from(["uniform", "quantile"]),
    norm=st.sampled_from(["l1", "l2", "max"]),
)
def test_expected_calibration_error(case: Scored, n_bins: int, strategy: str, norm: str) -> None:
    ece, bins = xm.expected_calibration_error(
        case.y,
        case.score,
        n_bins=n_bins,
        strategy=strategy,
        norm=norm,
        sample_weight=case.weight,
        pos_label=case.pos_label,
    )
    expected, table = reference_ece(case.positive, case.score, case.weight, n_bins, strategy, norm)
    check_bins(bins, table)
    check(ece, expected)


BINNING = {
    "n_bins": st.integers(1, 12),
    "strategy": st.sampled_from(["uniform", "quantile"]),
    "norm": st.sampled_from(["l1", "l2", "max"]),
}


@PROPERTY
@given(case=class_cases(), **BINNING)
def test_top_label_expected_calibration_error(
    case: ClassScored, n_bins: int, strategy: str, norm: str
) -> None:
    """The binary ECE of each sample's highest probability (the first of ties) against
    whether its class is the true one."""
    kwargs = {"n_bins": n_bins, "strategy": strategy, "norm": norm, "sample_weight": case.weight}
    ece, bins = xm.expected_calibration_error(
        case.y, case.score, labels=case.labels, multiclass="top_label", **kwargs
    )
    correct = np.argmax(case.score, axis=1) == case.index
    top = np.max(case.score, axis=1)
    binary = xm.expected_calibration_error(correct.astype(np.int64), top, pos_label=1, **kwargs)
    expected, table = reference_ece(correct, top, case.weight, n_bins, strategy, norm)
    check_bins(bins, table)
    check_bins(binary.bins, table)
    check(ece, expected)
    check(binary.ece, expected)


@PROPERTY
@given(case=class_cases(), **BINNING)
def test_classwise_expected_calibration_error(
    case: ClassScored, n_bins: int, strategy: str, norm: str
) -> None:
    """The mean over the classes of the binary ECE of the class's column against its
    samples, with one table per class."""
    kwargs = {"n_bins": n_bins, "strategy": strategy, "norm": norm, "sample_weight": case.weight}
    ece, bins = xm.expected_calibration_error(
        case.y, case.score, labels=case.labels, multiclass="classwise", **kwargs
    )
    assert isinstance(bins, tuple)
    assert len(bins) == len(case.classes)
    errors = []
    for k, class_bins in enumerate(bins):
        positive, p = case.index == k, case.score[:, k]
        binary = xm.expected_calibration_error(positive.astype(np.int64), p, pos_label=1, **kwargs)
        expected, table = reference_ece(positive, p, case.weight, n_bins, strategy, norm)
        check_bins(class_bins, table)
        check(binary.ece, expected)
        errors.append(expected)
    check(ece, np.mean(errors))


Y3 = np.array([0, 1, 2, 2])


P3 = np.array([[0.5, 0.25, 0.25], [0.25, 0.5, 0.25], [0.0, 0.25, 0.75], [0.5, 0.0, 0.5]])


BAD_INPUTS = {
    "rows not summing to one": ((Y3, P3 * 0.9), {}, "rows of y_prob must sum to one"),
    "probability outside [0, 1]": (
        (Y3, P3 + np.array([-0.25, 0.0, 0.25])),
        {},
        r"y_prob must hold probabilities in \[0, 1\]",
    ),
    "one column": ((Y3, P3[:, :1]), {}, r"y_prob must be of shape \(n_samples, n_classes\)"),
    "fewer classes than columns": ((np.array([0, 1, 1, 0]), P3), {}, "y_prob has 3 columns"),
    "labels not sorted": ((Y3, P3), {"labels": [1, 0, 2]}, "labels must be sorted"),
    "label not in labels": (
        (np.array([0, 1, 5, 2]), P3),
        {"labels": [0, 1, 2]},
        r"y_true holds labels \[5\] that are not in labels=",
    ),
    "pos_label": ((Y3, P3), {"pos_label": 2}, "pos_label is for probabilities"),
    "unknown multiclass": ((Y3, P3), {"multiclass": "ovr"}, "multiclass must be one of"),
}


@pytest.mark.parametrize(("args", "kwargs", "match"), BAD_INPUTS.values(), ids=BAD_INPUTS)
def test_bad_class_probabilities(args: tuple, kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        xm.expected_calibration_error(*args, **kwargs)
