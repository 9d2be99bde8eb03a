"""The class weights of LogisticRegression (xlogreg/linear_model/_class_weight.py): a
class_weight dict fits as the same sample_weight, and class weights that leave no weight, or
whose total overflows, are refused by name."""

import numpy as np
import pytest

from tests.linear_model.problems import synthetic
from tests.validation_inputs import X, Y
from xlogreg import LogisticRegression


def test_class_weight_equals_the_same_sample_weight():
    X, y, _, _ = synthetic("plain")
    by_class = LogisticRegression(class_weight={0: 2.0, 1: 0.5}, tol=1e-10).fit(X, y)
    by_sample = LogisticRegression(tol=1e-10).fit(X, y, sample_weight=np.where(y == 1, 0.5, 2.0))
    np.testing.assert_allclose(by_class.coef_, by_sample.coef_, rtol=1e-10)


def test_class_weights_that_leave_no_weight_are_refused():
    weight = np.where(Y == 1, 0.0, 1.0)  # the positive class weighs nothing
    with pytest.raises(
        ValueError,
        match=r"'balanced' needs a positive sample_weight sum in every class; classes \[1\]",
    ):
        LogisticRegression(class_weight="balanced").fit(X, Y, sample_weight=weight)
    with pytest.raises(ValueError, match="class_weight gives every sample a weight of zero"):
        LogisticRegression(class_weight={0: 0.0}).fit(X, Y, sample_weight=weight)


def test_class_weights_whose_total_overflows_are_refused():
    with pytest.raises(ValueError, match="class_weight times sample_weight sums to more"):
        LogisticRegression(class_weight={0: 1e300, 1: 1e300}).fit(X, Y, np.full(6, 1e10))
