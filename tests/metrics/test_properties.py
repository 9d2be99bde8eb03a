"""Property-based checks of :mod:`xlogreg.metrics` against scikit-learn, on NumPy float64.

Random binary labels (both orientations: 0/1, -1/1 and the positive label
written first), scores with heavy ties, constant scores and predictions,
sample weights with zeros, and inputs of one or two samples. Every metric
scikit-learn also has must agree with it to 1e-10; the expected calibration
error and the threshold helpers, which scikit-learn lacks, are checked against
plain NumPy loops written here.
"""

from __future__ import annotations

import math
import warnings
from typing import Any, NamedTuple

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn import calibration as sk_calibration
from sklearn import metrics as skm
from sklearn.exceptions import UndefinedMetricWarning

from xlogreg import metrics as xm
from xlogreg._backend import to_numpy

RTOL = 1e-10
ATOL = 1e-12

PROPERTY = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
MANY = settings(PROPERTY, max_examples=150)

BOTH = ("positive", "negative")
# (negative label, positive label): both orientations of 0/1 and -1/1.
LABEL_PAIRS = [(0, 1), (-1, 1), (1, 0), (1, -1)]
TIES = (0.0, 0.25, 0.5, 1.0)
NORMALIZE = [None, "true", "pred", "all"]
ZERO_DIVISION = [0, 1, 0.0, 1.0, math.nan]
BETAS = [0.0, 0.1, 0.5, 1.0, 2.0, 3.7, math.inf]


# --------------------------------------------------------------------------- helpers


def check(actual: Any, expected: Any, *, exact: bool = False, dtype: Any = None) -> None:
    """``actual`` (an xlogreg result) is a NumPy array equal to ``expected``.

    Shapes must match (0-d for scalars) and so must dtypes (``expected``'s,
    or ``dtype``); NaN equals NaN. ``exact`` compares bit for bit (thresholds,
    counts), otherwise to ``RTOL``/``ATOL``.
    """
    assert isinstance(actual, np.ndarray), type(actual)
    got = to_numpy(actual)
    want = np.asarray(expected)
    assert got.shape == want.shape, f"shape {got.shape} != expected {want.shape}"
    assert got.dtype == (want.dtype if dtype is None else dtype), (got.dtype, want.dtype)
    if exact:
        np.testing.assert_array_equal(got, want)
    else:
        np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL, equal_nan=True)


def indicator(y: np.ndarray, pos: int) -> np.ndarray:
    """``y == pos`` as 0/1 ints, for scikit-learn functions that take no ``pos_label``."""
    return (y == pos).astype(np.int64)


# --------------------------------------------------------------------------- strategies


def _rounded(decimals: int) -> st.SearchStrategy[float]:
    return st.floats(0.0, 1.0).map(lambda v: round(v, decimals))


PROBABILITY_ELEMENTS = {
    "ties": st.sampled_from(TIES),
    "round1": _rounded(1),
    "round2": _rounded(2),
    "continuous": st.floats(0.0, 1.0),
}
REAL_ELEMENTS = {
    **PROBABILITY_ELEMENTS,
    "integers": st.integers(-3, 3).map(float),
    "real": st.floats(-50.0, 50.0),
}
# Zeros are common; positive weights are never tiny (no underflowing sums).
WEIGHT_ELEMENTS = st.one_of(
    st.sampled_from([0.0, 0.0, 0.5, 1.0, 2.0, 3.0]), st.floats(0.01, 10.0), st.just(0.0)
)
# Dyadic weights keep every sum exact, so ties in cost are ties in both computations.
DYADIC_WEIGHT_ELEMENTS = st.sampled_from([0.0, 0.0, 0.25, 0.5, 1.0, 2.0, 3.0])


@st.composite
def score_vectors(draw: Any, n: int, *, probabilities: bool = True) -> np.ndarray:
    """Scores of one kind: tiny tie set, rounded, continuous, (real), or constant."""
    elements = PROBABILITY_ELEMENTS if probabilities else REAL_ELEMENTS
    kind = draw(st.sampled_from([*sorted(elements), "constant"]))
    if kind == "constant":
        value = draw(st.one_of(st.sampled_from(TIES), elements["continuous"]))
        return np.full(n, value, dtype=np.float64)
    return np.array(draw(st.lists(elements[kind], min_size=n, max_size=n)), dtype=np.float64)


@st.composite
def weight_vectors(draw: Any, n: int, *, dyadic: bool = False) -> np.ndarray | None:
    """None, or non-negative weights with zeros, never all zero."""
    if draw(st.booleans()):
        return None
    elements = DYADIC_WEIGHT_ELEMENTS if dyadic else WEIGHT_ELEMENTS
    weight = np.array(draw(st.lists(elements, min_size=n, max_size=n)), dtype=np.float64)
    if not weight.any():
        weight[draw(st.integers(0, n - 1))] = 1.0
    return weight


def _boolean_vector(draw: Any, n: int) -> np.ndarray:
    kind = draw(st.sampled_from(["random", "random", "all", "none"]))
    if kind == "all":
        return np.ones(n, dtype=bool)
    if kind == "none":
        return np.zeros(n, dtype=bool)
    return np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)


def _ensure_classes(
    draw: Any, positive: np.ndarray, weight: np.ndarray | None, need: tuple[str, ...]
) -> None:
    """Give every class in ``need`` a sample (distinct ones) and a positive weight."""
    n = positive.shape[0]
    slots = draw(
        st.lists(st.integers(0, n - 1), min_size=len(need), max_size=len(need), unique=True)
    )
    for cls, i in zip(need, slots, strict=True):
        positive[i] = cls == "positive"
    if weight is not None:
        for cls, i in zip(need, slots, strict=True):
            if weight[positive == (cls == "positive")].sum() <= 0:
                weight[i] = 1.0


def _pos_label_argument(draw: Any, neg: int, pos: int) -> int | None:
    """``None`` where the default (1 for 0/1 and -1/1) is right, sometimes; else ``pos``."""
    if pos == 1 and neg in (0, -1) and draw(st.booleans()):
        return None
    return pos


class Scored(NamedTuple):
    """Binary labels with one score per sample."""

    y: np.ndarray
    positive: np.ndarray
    neg: int
    pos: int
    pos_label: int | None
    score: np.ndarray
    weight: np.ndarray | None


@st.composite
def scored_cases(
    draw: Any,
    *,
    min_n: int = 1,
    max_n: int = 30,
    need: tuple[str, ...] = (),
    probabilities: bool = True,
    weighted: bool = True,
    dyadic: bool = False,
) -> Scored:
    neg, pos = draw(st.sampled_from(LABEL_PAIRS))
    n = draw(st.integers(max(min_n, len(need)), max_n))
    positive = _boolean_vector(draw, n)
    weight = draw(weight_vectors(n, dyadic=dyadic)) if weighted else None
    _ensure_classes(draw, positive, weight, need)
    score = draw(score_vectors(n, probabilities=probabilities))
    y = np.where(positive, pos, neg).astype(np.int64)
    return Scored(y, positive, neg, pos, _pos_label_argument(draw, neg, pos), score, weight)


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
    truth = _boolean_vector(draw, n)
    weight = draw(weight_vectors(n))
    _ensure_classes(draw, truth, weight, need)
    kind = draw(st.sampled_from(["random", "equal", "flipped", "constant"]))
    if kind == "equal":
        predicted = truth.copy()
    elif kind == "flipped":
        predicted = ~truth
    elif kind == "constant":
        predicted = np.full(n, draw(st.booleans()))
    else:
        predicted = _boolean_vector(draw, n)
    y_true = np.where(truth, pos, neg).astype(np.int64)
    y_pred = np.where(predicted, pos, neg).astype(np.int64)
    return Predicted(y_true, y_pred, neg, pos, weight)


class Targets(NamedTuple):
    """Regression targets, 1-D or 2-D."""

    y_true: np.ndarray
    y_pred: np.ndarray
    weight: np.ndarray | None


REGRESSION_ELEMENTS = [
    st.sampled_from([0.0, 1.0, 2.5]),
    st.floats(-10.0, 10.0).map(lambda v: round(v, 1)),
    st.floats(-1e3, 1e3),
]


@st.composite
def regression_cases(draw: Any, *, min_n: int = 1, max_n: int = 20) -> Targets:
    n = draw(st.integers(min_n, max_n))
    outputs = draw(st.sampled_from([None, 1, 2, 3]))
    shape = (n,) if outputs is None else (n, outputs)
    size = int(np.prod(shape))
    element = draw(st.sampled_from(REGRESSION_ELEMENTS))
    y_true = np.array(draw(st.lists(element, min_size=size, max_size=size))).reshape(shape)
    if draw(st.booleans()):
        # A constant target (every output, or the first one) for force_finite.
        if y_true.ndim == 1 or draw(st.booleans()):
            y_true[...] = y_true.flat[0]
        else:
            y_true[:, 0] = y_true[0, 0]
    kind = draw(st.sampled_from(["random", "equal", "constant", "shifted"]))
    if kind == "equal":
        y_pred = y_true.copy()
    elif kind == "constant":
        y_pred = np.full(shape, draw(element))
    elif kind == "shifted":
        y_pred = y_true + draw(st.sampled_from([0.5, -1.0, 1e-3]))
    else:
        y_pred = np.array(draw(st.lists(element, min_size=size, max_size=size))).reshape(shape)
    return Targets(y_true.astype(np.float64), y_pred.astype(np.float64), draw(weight_vectors(n)))


# --------------------------------------------------------------------------- label metrics


@PROPERTY
@given(
    case=predicted_cases(),
    normalize=st.sampled_from(NORMALIZE),
    explicit_labels=st.booleans(),
)
def test_confusion_matrix(case: Predicted, normalize: str | None, explicit_labels: bool) -> None:
    order = [case.neg, case.pos] if explicit_labels else sorted([case.neg, case.pos])
    actual = xm.confusion_matrix(
        case.y_true,
        case.y_pred,
        labels=order if explicit_labels else None,
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


# --------------------------------------------------------------------------- ranking metrics


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


# --------------------------------------------------------------------------- probabilistic


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


# --------------------------------------------------------------------------- regression


@PROPERTY
@given(
    case=regression_cases(),
    name=st.sampled_from(["mean_squared_error", "mean_absolute_error"]),
    multioutput=st.sampled_from(["uniform_average", "raw_values"]),
)
def test_mean_errors(case: Targets, name: str, multioutput: str) -> None:
    kwargs = {"sample_weight": case.weight, "multioutput": multioutput}
    actual = getattr(xm, name)(case.y_true, case.y_pred, **kwargs)
    expected = getattr(skm, name)(case.y_true, case.y_pred, **kwargs)
    check(actual, expected)


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
@pytest.mark.filterwarnings("ignore:divide by zero encountered:RuntimeWarning")
@PROPERTY
@given(
    case=regression_cases(min_n=2),
    multioutput=st.sampled_from(["uniform_average", "raw_values", "variance_weighted"]),
    force_finite=st.booleans(),
)
def test_r2_score(case: Targets, multioutput: str, force_finite: bool) -> None:
    kwargs = {
        "sample_weight": case.weight,
        "multioutput": multioutput,
        "force_finite": force_finite,
    }
    actual = xm.r2_score(case.y_true, case.y_pred, **kwargs)
    expected = skm.r2_score(case.y_true, case.y_pred, **kwargs)
    check(actual, expected)


@pytest.mark.parametrize("name", ["mean_squared_error", "mean_absolute_error", "r2_score"])
def test_raw_values_of_1d_targets_have_one_entry(name: str) -> None:
    """scikit-learn returns shape (1,) for 1-D targets with multioutput="raw_values"."""
    y_true, y_pred = np.array([3.0, -0.5, 2.0, 7.0]), np.array([2.5, 0.0, 2.0, 8.0])
    actual = getattr(xm, name)(y_true, y_pred, multioutput="raw_values")
    expected = getattr(skm, name)(y_true, y_pred, multioutput="raw_values")
    assert np.shape(expected) == (1,)
    check(actual, expected)


# --------------------------------------------------------------------------- undefined cases


def _one_class() -> tuple[np.ndarray, np.ndarray]:
    return np.zeros(4, dtype=np.int64), np.array([0.1, 0.4, 0.35, 0.8])


UNDEFINED = {
    "roc_auc_score one class": (
        lambda m: m.roc_auc_score(*_one_class()),
        lambda: skm.roc_auc_score(*_one_class()),
    ),
    "roc_auc_score class without weight": (
        lambda m: m.roc_auc_score(
            np.array([0, 1, 0, 1]), _one_class()[1], sample_weight=np.array([1.0, 0, 2, 0])
        ),
        lambda: skm.roc_auc_score(
            np.array([0, 1, 0, 1]), _one_class()[1], sample_weight=np.array([1.0, 0, 2, 0])
        ),
    ),
    "roc_curve one class": (
        lambda m: m.roc_curve(*_one_class()),
        lambda: skm.roc_curve(*_one_class())[1],
    ),
    "precision_recall_curve no positive": (
        lambda m: m.precision_recall_curve(*_one_class()),
        lambda: skm.precision_recall_curve(*_one_class()),
    ),
    "average_precision_score no positive": (
        lambda m: m.average_precision_score(*_one_class()),
        lambda: skm.average_precision_score(*_one_class()),
    ),
    "det_curve one class": (
        lambda m: m.det_curve(*_one_class()),
        lambda: skm.det_curve(*_one_class()),
    ),
    "balanced_accuracy_score adjusted one class": (
        lambda m: m.balanced_accuracy_score(
            np.array([0, 0, 0]), np.array([0, 1, 0]), adjusted=True
        ),
        lambda: skm.balanced_accuracy_score(
            np.array([0, 0, 0]), np.array([0, 1, 0]), adjusted=True
        ),
    ),
    "r2_score one sample": (
        lambda m: m.r2_score(np.array([1.0]), np.array([2.0])),
        lambda: skm.r2_score(np.array([1.0]), np.array([2.0])),
    ),
}


@pytest.mark.parametrize("name", list(UNDEFINED))
def test_undefined_cases_raise(name: str) -> None:
    """Where scikit-learn warns and returns NaN (or raises), xlogreg raises ValueError."""
    ours, theirs = UNDEFINED[name]
    with pytest.raises(ValueError):
        ours(xm)
    # scikit-learn: an error, a warning, or a value that is not a finite score.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            value = theirs()
        except ValueError:
            return
    parts = value if isinstance(value, tuple) else (value,)
    finite = all(np.all(np.isfinite(np.asarray(v, dtype=float))) for v in parts)
    assert caught or not finite, f"scikit-learn gave {value!r} without a warning"
    assert all(
        issubclass(w.category, (UndefinedMetricWarning, RuntimeWarning, UserWarning))
        for w in caught
    )


# --------------------------------------------------------------------------- ECE vs NumPy


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


# --------------------------------------------------------------------------- thresholds


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
