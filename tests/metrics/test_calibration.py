"""metrics/_calibration.py against scikit-learn 1.9 (calibration_curve) and a direct computation
(expected_calibration_error) on drawn scores."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from sklearn import calibration as sk_calibration

from tests.metrics.strategies import MANY, Scored, check, scored_cases
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
    for field, column in table.items():
        check(getattr(bins, field), column, exact=field in ("lower", "upper", "count"))
    check(ece, expected)
