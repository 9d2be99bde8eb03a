"""Models and files shared by the model-file tests (tests/io/, tests/test_atomic_write.py)."""

import math
import os

import array_api_compat
import numpy as np

from xlogreg import (
    CalibratedClassifier,
    LinearRegression,
    LogisticRegression,
    StandardScaler,
    load,
)
from xlogreg._backend import to_numpy
from xlogreg.base import BaseEstimator


def model_data(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((60, 3)) * [1.0, 3.0, 0.5] + [0.0, 2.0, -1.0]
    targets = {
        "binary": (X[:, 0] + rng.standard_normal(60) > 0).astype(np.int64),
        "multinomial": np.argmax(X[:, :3] + rng.standard_normal((60, 3)), axis=1),
        "1-D": X @ [1.0, -2.0, 0.5] + 0.1 * rng.standard_normal(60),
        "weights": rng.uniform(0.5, 2.0, 60),
        # Balanced classes, so that a calibration split holds out some of each.
        "3-class": np.digitize(X[:, 0] + 0.5 * rng.standard_normal(60), [-0.5, 0.5]),
    }
    targets["2-D"] = np.c_[targets["1-D"], 3.0 - targets["1-D"]]
    return X, targets


# name -> (estimator, target name, fit with sample weights)
CASES = {
    "logistic-binary": (lambda: LogisticRegression(C=0.5), "binary", False),
    "logistic-multinomial": (lambda: LogisticRegression(), "multinomial", True),
    "logistic-standardize": (lambda: LogisticRegression(standardize=True), "binary", False),
    "logistic-no-intercept": (
        lambda: LogisticRegression(fit_intercept=False, class_weight={0: 2.0, 1: 1.0}),
        "binary",
        False,
    ),
    "linear-1-D": (lambda: LinearRegression(), "1-D", False),
    "linear-2-D-ridge-standardize": (
        lambda: LinearRegression(alpha=0.5, standardize=True),
        "2-D",
        True,
    ),
    "scaler-weighted": (lambda: StandardScaler(), None, True),
    "logistic-threshold": (lambda: LogisticRegression(threshold=0.3), "binary", False),
    "logistic-inference": (lambda: LogisticRegression(C=2.0, inference=True), "binary", True),
    "logistic-multinomial-inference": (
        lambda: LogisticRegression(inference=True),
        "3-class",
        False,
    ),
    "linear-2-D-inference": (lambda: LinearRegression(inference=True), "2-D", False),
    # Unfitted estimators: the calibrated classifier fits a copy on a split.
    "calibrated-platt": (
        lambda: CalibratedClassifier(LogisticRegression(), "platt", random_state=0),
        "binary",
        True,
    ),
    "calibrated-temperature-multinomial": (
        lambda: CalibratedClassifier(LogisticRegression(), "temperature", random_state=1),
        "3-class",
        False,
    ),
    "calibrated-isotonic-multinomial": (
        lambda: CalibratedClassifier(LogisticRegression(C=0.1), "isotonic", random_state=2),
        "3-class",
        True,
    ),
}


def fit(case, asarray):
    """The case's estimator fitted on data moved by ``asarray`` (a row's, or NumPy's), and X."""
    make, target, weighted = CASES[case]
    X, targets = model_data()
    X = asarray(X)
    args = [] if target is None else [asarray(targets[target])]
    weight = asarray(targets["weights"]) if weighted else None
    return make().fit(X, *args, sample_weight=weight), X


def round_trip(model, folder, **where):
    path = os.path.join(folder, "model.safetensors")
    model.save(path)
    return load(path, **where)


def is_array(x):
    return array_api_compat.is_array_api_obj(x) and not isinstance(x, (int, float))


def assert_same(actual, expected, where="model"):
    """Equal type, structure and values; arrays in the same library, device and dtype, bitwise."""
    assert type(actual) is type(expected), where
    if isinstance(expected, BaseEstimator):
        assert vars(actual).keys() == vars(expected).keys(), where
        for name, item in vars(expected).items():
            assert_same(vars(actual)[name], item, f"{where}.{name}")
    elif is_array(expected):
        assert array_api_compat.array_namespace(actual) is array_api_compat.array_namespace(
            expected
        ), where
        assert array_api_compat.device(actual) == array_api_compat.device(expected), where
        assert actual.dtype == expected.dtype and actual.shape == expected.shape, where
        np.testing.assert_array_equal(to_numpy(actual), to_numpy(expected), err_msg=where)
    elif isinstance(expected, (tuple, list)):
        assert len(actual) == len(expected), where
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            assert_same(a, e, f"{where}.{i}")
    elif isinstance(expected, dict):
        assert list(actual) == list(expected), where
        for key, item in expected.items():
            assert_same(actual[key], item, f"{where}[{key!r}]")
    elif isinstance(expected, float) and math.isnan(expected):
        assert math.isnan(actual), where
    else:
        assert actual == expected, where
        if isinstance(expected, float):
            assert math.copysign(1.0, actual) == math.copysign(1.0, expected), where
