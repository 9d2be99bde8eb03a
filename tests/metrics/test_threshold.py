"""metrics/_threshold.py against a direct computation on drawn scores: the cost sweep and the
threshold it selects."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from tests.metrics.strategies import MANY, Scored, check, scored_cases
from xlogreg import metrics as xm


def brute_force_counts(
    positive: np.ndarray, p: np.ndarray, weight: np.ndarray | None, t: float
) -> tuple[float, float, float, float]:
    """``tp, fp, fn, tn`` of the rule ``p >= t``, by masks."""
    w = np.ones_like(p) if weight is None else weight
    flagged = p >= t
    return tuple(
        float(w[m].sum())
        for m in (
            flagged & positive,
            flagged & ~positive,
            ~flagged & positive,
            ~flagged & ~positive,
        )
    )


def _ratio(numerator: float, denominator: float, zero_division: float) -> float:
    return zero_division if denominator == 0 else numerator / denominator


COSTS = st.one_of(st.sampled_from([0.0, 1.0, 18.0, 120.0]), st.floats(0.0, 100.0))


@MANY
@given(
    data=st.data(),
    case=scored_cases(probabilities=False),
    cost_fp=COSTS,
    cost_fn=COSTS,
    zero_division=st.sampled_from([0.0, 1.0, math.nan]),
    explicit=st.booleans(),
)
def test_threshold_sweep(
    data: st.DataObject,
    case: Scored,
    cost_fp: float,
    cost_fn: float,
    zero_division: float,
    explicit: bool,
) -> None:
    kept = np.ones_like(case.score, dtype=bool) if case.weight is None else case.weight > 0
    if explicit:
        thresholds = np.array(
            data.draw(
                st.lists(
                    st.one_of(
                        st.sampled_from(case.score.tolist()),
                        st.floats(-60.0, 60.0),
                        st.sampled_from([math.inf, -math.inf, 0.0, 1.0]),
                    ),
                    min_size=1,
                    max_size=8,
                )
            )
        )
    else:
        # +inf, then every distinct score that carries weight, decreasing.
        thresholds = np.concatenate([[math.inf], np.unique(case.score[kept])[::-1]])
    sweep = xm.threshold_sweep(
        case.y,
        case.score,
        thresholds if explicit else None,
        cost_fp=cost_fp,
        cost_fn=cost_fn,
        pos_label=case.pos_label,
        sample_weight=case.weight,
        zero_division=zero_division,
    )
    counts = np.array(
        [brute_force_counts(case.positive, case.score, case.weight, t) for t in thresholds]
    )
    tp, fp, fn, tn = counts.T
    count_dtype = np.int64 if case.weight is None else np.float64
    check(sweep.thresholds, thresholds, exact=True)
    for got, want in ((sweep.tp, tp), (sweep.fp, fp), (sweep.fn, fn), (sweep.tn, tn)):
        check(got, want.astype(count_dtype), dtype=count_dtype)
    zd = zero_division
    check(sweep.precision, [_ratio(a, a + b, zd) for a, b in zip(tp, fp, strict=True)])
    check(sweep.recall, [_ratio(a, a + c, zd) for a, c in zip(tp, fn, strict=True)])
    check(sweep.f1, [_ratio(2 * a, 2 * a + b + c, zd) for a, b, c in zip(tp, fp, fn, strict=True)])
    check(sweep.cost, cost_fp * fp + cost_fn * fn)


@MANY
@given(case=scored_cases(probabilities=False, dyadic=True), cost_fp=COSTS, cost_fn=COSTS)
def test_select_threshold(case: Scored, cost_fp: float, cost_fn: float) -> None:
    # Every candidate, highest first, so the first minimum is the highest threshold.
    candidates = [math.inf, *np.unique(case.score)[::-1]]
    costs = []
    for t in candidates:
        _, fp, fn, _ = brute_force_counts(case.positive, case.score, case.weight, t)
        costs.append(cost_fp * fp + cost_fn * fn)
    best = min(range(len(candidates)), key=lambda i: (costs[i], -candidates[i]))
    choice = xm.select_threshold(
        case.y,
        case.score,
        cost_fp=cost_fp,
        cost_fn=cost_fn,
        pos_label=case.pos_label,
        sample_weight=case.weight,
    )
    check(choice.threshold, np.float64(candidates[best]), exact=True)
    check(choice.cost, np.float64(costs[best]))
