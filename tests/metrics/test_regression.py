"""metrics/_regression.py against scikit-learn 1.9 on drawn targets: mean squared and absolute
errors, R²."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn import metrics as skm

from tests.metrics.strategies import PROPERTY, check, weight_vectors
from xlogreg import metrics as xm


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
