"""Hypothesis strategies, tolerances and settings shared by the metrics' property tests
(tests/metrics/test_<module>.py).

The property tests check :mod:`xlogreg.metrics` against scikit-learn, on NumPy float64 with
random binary labels (both orientations: 0/1, -1/1 and the positive label
written first), scores with heavy ties, constant scores and predictions,
sample weights with zeros, and inputs of one or two samples. Every metric
scikit-learn also has must agree with it to 1e-10; the expected calibration
error and the threshold helpers, which scikit-learn lacks, are checked against
plain NumPy loops written here. K-class cases (:func:`class_cases`) draw 2 to 6
classes (ints or strings), rows of probabilities with heavy ties, weights with
zeros and classes missing from ``y_true`` where ``labels=`` is given.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

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


def rounded(decimals: int) -> st.SearchStrategy[float]:
    return st.floats(0.0, 1.0).map(lambda v: round(v, decimals))


PROBABILITY_ELEMENTS = {
    "ties": st.sampled_from(TIES),
    "round1": rounded(1),
    "round2": rounded(2),
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


def boolean_vector(draw: Any, n: int) -> np.ndarray:
    kind = draw(st.sampled_from(["random", "random", "all", "none"]))
    if kind == "all":
        return np.ones(n, dtype=bool)
    if kind == "none":
        return np.zeros(n, dtype=bool)
    return np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)


def ensure_classes(
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


def pos_label_argument(draw: Any, neg: int, pos: int) -> int | None:
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
    positive = boolean_vector(draw, n)
    weight = draw(weight_vectors(n, dyadic=dyadic)) if weighted else None
    ensure_classes(draw, positive, weight, need)
    score = draw(score_vectors(n, probabilities=probabilities))
    y = np.where(positive, pos, neg).astype(np.int64)
    return Scored(y, positive, neg, pos, pos_label_argument(draw, neg, pos), score, weight)


class ClassScored(NamedTuple):
    """Labels of K classes with a row of K scores per sample.

    ``classes`` are the labels of the columns, sorted; ``index`` is the column
    of each sample's class; ``labels`` is the ``labels=`` argument to pass
    (None, or ``classes``).
    """

    y: np.ndarray
    index: np.ndarray
    classes: list
    score: np.ndarray
    weight: np.ndarray | None
    labels: list | None


# Probability rows are small integer counts divided by their sum: heavy ties,
# zeros and ones (clipping), and no two distinct rationals rounding to one float.
COUNT_ROWS = {"binary": 1, "few": 2, "eighths": 8, "fine": 1000}


@st.composite
def class_labels(draw: Any, n_classes: int) -> list:
    """Sorted labels: 0..K-1, ints that need not start at 0, or strings."""
    kind = draw(st.sampled_from(["range", "integers", "strings"]))
    if kind == "range":
        return list(range(n_classes))
    if kind == "integers":
        values = st.integers(-10, 10)
    else:
        values = st.text("abcxyz", min_size=1, max_size=3)
    return sorted(draw(st.lists(values, min_size=n_classes, max_size=n_classes, unique=True)))


def count_rows(draw: Any, n: int, n_classes: int, high: int) -> np.ndarray:
    counts = draw(
        st.lists(
            st.lists(st.integers(0, high), min_size=n_classes, max_size=n_classes),
            min_size=n,
            max_size=n,
        )
    )
    counts = np.array(counts, dtype=np.float64).reshape(n, n_classes)
    counts[counts.sum(axis=1) == 0] = 1.0
    return counts / counts.sum(axis=1, keepdims=True)


@st.composite
def class_score_rows(draw: Any, n: int, n_classes: int, *, probabilities: bool = True) -> Any:
    """Rows of class probabilities summing to one (counts over their sum, one-hot, uniform,
    one row repeated); with ``probabilities=False`` also integer and real scores."""
    kinds = [*COUNT_ROWS, "one_hot", "uniform", "repeated"]
    if not probabilities:
        kinds += ["integers", "real"]
    kind = draw(st.sampled_from(kinds))
    if kind in COUNT_ROWS:
        return count_rows(draw, n, n_classes, COUNT_ROWS[kind])
    if kind == "one_hot":
        hot = draw(st.lists(st.integers(0, n_classes - 1), min_size=n, max_size=n))
        return np.eye(n_classes, dtype=np.float64)[hot]
    if kind == "uniform":
        return np.full((n, n_classes), 1.0 / n_classes)
    if kind == "repeated":
        row = count_rows(draw, 1, n_classes, draw(st.sampled_from(sorted(COUNT_ROWS.values()))))
        return np.repeat(row, n, axis=0)
    elements = REAL_ELEMENTS[kind]
    values = draw(st.lists(elements, min_size=n * n_classes, max_size=n * n_classes))
    return np.array(values, dtype=np.float64).reshape(n, n_classes)


@st.composite
def class_cases(
    draw: Any,
    *,
    min_classes: int = 2,
    max_classes: int = 6,
    max_n: int = 40,
    labels: bool = True,
    absent: bool = True,
    weight_each: bool = False,
    weighted: bool = True,
    probabilities: bool = True,
) -> ClassScored:
    """K-class cases. ``labels``: ``labels=`` is sometimes given, and then (with
    ``absent``) classes may be missing from ``y_true``; otherwise every class
    has a sample, and with ``weight_each`` a positive (total) weight."""
    n_classes = draw(st.integers(min_classes, max_classes))
    classes = draw(class_labels(n_classes))
    given = labels and draw(st.booleans())
    ensure = not (given and absent)
    n = draw(st.integers(n_classes if ensure else 1, max_n))
    present = list(range(n_classes))
    if not ensure:
        present = draw(st.lists(st.sampled_from(present), min_size=1, unique=True))
    index = np.array(
        draw(st.lists(st.sampled_from(present), min_size=n, max_size=n)), dtype=np.int64
    )
    weight = draw(weight_vectors(n)) if weighted else None
    if ensure:
        slots = draw(
            st.lists(st.integers(0, n - 1), min_size=n_classes, max_size=n_classes, unique=True)
        )
        index[slots] = np.arange(n_classes)
        if weight_each and weight is not None:
            for k, i in enumerate(slots):
                if weight[index == k].sum() <= 0:
                    weight[i] = 1.0
    score = draw(class_score_rows(n, n_classes, probabilities=probabilities))
    y = np.array(classes)[index]
    return ClassScored(y, index, classes, score, weight, classes if given else None)
