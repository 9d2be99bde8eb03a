"""The hyper-parameters of the linear models (xlogreg/linear_model/_params.py): each bad
value of LogisticRegression's and LinearRegression's parameters is refused at fit, naming the
parameter, and those that must be finite refuse infinity."""

import pytest

from tests.linear_model.problems import SEED_X, SEED_Y
from tests.validation_inputs import X, Y
from xlogreg import LinearRegression, LogisticRegression


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"C": 0.0}, ValueError, "C must be > 0"),
        ({"C": -1.0}, ValueError, "C must be > 0"),
        ({"C": float("nan")}, ValueError, "C must not be NaN"),
        ({"C": "big"}, TypeError, "C must be a real number"),
        ({"l1_ratio": -0.1}, ValueError, "l1_ratio must be >= 0"),
        ({"l1_ratio": 1.5}, ValueError, "l1_ratio must be <= 1"),
        ({"l1_ratio": float("nan")}, ValueError, "l1_ratio must not be NaN"),
        (
            {"l1_ratio": 0.5, "solver": "lbfgs"},
            ValueError,
            r"solver='lbfgs' does not support an L1 penalty \(l1_ratio=0.5\)",
        ),
        (
            {"l1_ratio": 1.0, "solver": "sgd"},
            ValueError,
            r"solver='sgd' does not support an L1 penalty",
        ),
        (
            {"l1_ratio": 1.0, "inference": True},
            ValueError,
            "inference=True is not available with an L1 penalty",
        ),
        ({"fit_intercept": "yes"}, TypeError, "fit_intercept must be True or False"),
        (
            {"solver": "sag"},
            ValueError,
            r"solver must be one of \('auto', 'gd', 'lbfgs', 'newton', 'fista'\)",
        ),
        ({"tol": -1e-3}, ValueError, "tol must be >= 0"),
        ({"max_iter": 0}, ValueError, "max_iter must be >= 1"),
        ({"max_iter": 10.5}, TypeError, "max_iter must be an integer"),
        ({"max_iter": True}, TypeError, "max_iter must be an integer"),
        ({"learning_rate": 0.0}, ValueError, "learning_rate must be > 0"),
        ({"momentum": 1.0}, ValueError, "momentum must be < 1"),
        ({"class_weight": "auto"}, ValueError, "class_weight must be None, 'balanced' or a dict"),
        (
            {"class_weight": {2: 1.0}},
            ValueError,
            r"class_weight has labels \[2\] that are not in y",
        ),
        ({"class_weight": {1: -1.0}}, ValueError, r"class_weight\[1\] must be >= 0"),
        ({"warm_start": 1}, TypeError, "warm_start must be True or False"),
        ({"verbose": -1}, ValueError, "verbose must be >= 0"),
    ],
)
def test_bad_hyper_parameters_are_refused(params, error, match):
    with pytest.raises(error, match=match):
        LogisticRegression(**params).fit(X, Y)


def test_parameters_that_must_be_finite_refuse_infinity_by_name():
    for params, match in [
        ({"tol": float("inf")}, "tol must be finite, got inf"),
        ({"learning_rate": float("inf")}, "learning_rate must be finite, got inf"),
        ({"class_weight": {0: float("inf")}}, r"class_weight\[0\] must be finite, got inf"),
        ({"class_weight": {1: float("nan")}}, r"class_weight\[1\] must not be NaN"),
    ]:
        with pytest.raises(ValueError, match=match):
            LogisticRegression(**params).fit(X, Y)
    LogisticRegression(C=float("inf"))._validate_params()  # C=inf stays "no penalty"


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"alpha": -1.0}, ValueError, "alpha must be >= 0"),
        ({"alpha": float("inf")}, ValueError, "alpha must be finite"),
        ({"alpha": float("nan")}, ValueError, "alpha must not be NaN"),
        ({"alpha": "1"}, TypeError, "alpha must be a real number"),
        ({"solver": "svd"}, ValueError, "solver must be one of"),
        ({"fit_intercept": 1}, TypeError, "fit_intercept must be True or False"),
        ({"tol": -1.0}, ValueError, "tol must be >= 0"),
        ({"max_iter": 0}, ValueError, "max_iter must be >= 1"),
        ({"max_iter": 2.5}, TypeError, "max_iter must be an integer"),
        ({"learning_rate": 0.0}, ValueError, "learning_rate must be > 0"),
        ({"learning_rate": float("inf")}, ValueError, "learning_rate must be finite"),
    ],
)
def test_bad_hyper_parameters_raise_before_work(params, error, match):
    with pytest.raises(error, match=match):
        LinearRegression(**params).fit(SEED_X[:, None], SEED_Y)
