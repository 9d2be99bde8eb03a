"""The checks of the target and the sample weights (xlogreg/_target_validation.py): the labels
are the sorted distinct values on every backend, bad labels (complex, missing, unsortable) are
named, and weights whose sum overflows say so."""

import numpy as np
import pytest

from tests.backends import assert_on_backend
from tests.validation_inputs import X, Y, changed
from xlogreg import LogisticRegression
from xlogreg._backend import to_numpy


@pytest.mark.parametrize(
    "labels",
    [
        [1, 0, 1, 1],
        [-3, 7, 7, -3],
        [0.5, 0.25, 0.5, 0.25],
        [2, 2, 2, 2],
        [2, 0, 1, 0],
        [5.0, -1.0, 2.5, 5.0],
        [True, False, True, True],
        [9, -4, 0, 3, 9, 120, -4],
        [70_000, 0, 5, 70_000, 3],
    ],
)
def test_labels_are_the_sorted_distinct_values_on_every_backend(backend, labels):
    """Binary targets take a min/max fast path, integers of a small span the library's own
    bincount (NumPy, PyTorch, CuPy, JAX; a span of 70 000 does not), anything else
    ``unique_values``: the labels equal ``np.unique`` each way."""
    from xlogreg._target_validation import sorted_labels

    y = backend.asarray(labels)
    classes = sorted_labels(y, xp=backend.xp)
    assert_on_backend(classes, backend, dtype=y.dtype)
    np.testing.assert_array_equal(to_numpy(classes), np.unique(labels))


@pytest.mark.parametrize(
    ("y_bad", "error", "match"),
    [
        (Y + 0j, ValueError, r"y must hold real numbers, got dtype complex128: Complex data"),
        ([0, 1, 0, 1, None, 0], ValueError, r"y holds 1 missing label\(s\) \(None, NaN or NA\)"),
        (["a", "b", None, "a", "b", "a"], ValueError, r"y holds 1 missing label"),
        (np.array([0, 1, np.nan, 1, 1, 0], dtype=object), ValueError, "y holds 1 missing"),
        (
            np.array([0, "a", 0, "a", 0, "a"], dtype=object),
            TypeError,
            r"y mixes labels that cannot be sorted together \(int, str\)",
        ),
    ],
)
def test_bad_labels_are_named(y_bad, error, match):
    with pytest.raises(error, match=match):
        LogisticRegression().fit(X, y_bad)


def test_weights_whose_sum_overflows_say_so(backend):
    huge = float(backend.xp.finfo(backend.dtype).max) / 4
    weight = backend.asarray(np.full(6, huge))
    with pytest.raises(ValueError, match=r"sample_weight sums to more than float(32|64) holds"):
        LogisticRegression().fit(backend.asarray(X), backend.asarray(Y), weight)
    # An infinite weight is still called one.
    with pytest.raises(ValueError, match="sample_weight contains NaN or infinity"):
        LogisticRegression().fit(X, Y, changed(np.ones(6), 2, np.inf))
