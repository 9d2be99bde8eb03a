"""Walks the public API: every estimator keeps namespace, device and dtype on every backend."""

import inspect

import numpy as np
import pytest

import xlogreg

from backends import assert_on_backend

ESTIMATORS = [
    obj
    for name in xlogreg.__all__
    if inspect.isclass(obj := getattr(xlogreg, name)) and hasattr(obj, "fit")
]
# Methods of a fitted classifier that return arrays of the input's float dtype.
FLOAT_OUTPUTS = ("decision_function", "predict_proba", "predict_log_proba")


def test_public_names_exist_and_are_documented():
    for name in xlogreg.__all__:
        obj = getattr(xlogreg, name)
        assert name == "__version__" or inspect.getdoc(obj), name


def _data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 3))
    return X, (X[:, 0] + 0.5 * rng.standard_normal(60) > 0).astype(int)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: e.__name__)
def test_outputs_stay_in_the_input_namespace_device_and_dtype(backend, estimator):
    X, y = _data()
    model = estimator().fit(backend.asarray(X), backend.asarray(y))
    for attribute in ("coef_", "intercept_"):
        assert_on_backend(getattr(model, attribute), backend)
    Xb = backend.asarray(X)
    for method in FLOAT_OUTPUTS:
        assert_on_backend(getattr(model, method)(Xb), backend)
    assert_on_backend(model.predict(Xb), backend, dtype=model.classes_.dtype)
    assert isinstance(model.score(Xb, backend.asarray(y)), float)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: e.__name__)
def test_docstrings_list_every_parameter(estimator):
    doc = inspect.getdoc(estimator)
    for name in inspect.signature(estimator.__init__).parameters:
        if name != "self":
            assert f"{name} :" in doc, f"{estimator.__name__} does not document {name}"
