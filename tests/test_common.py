"""Walks the public API: every estimator keeps namespace, device and dtype on every backend.

Estimators are grouped by what they offer: classifiers (``predict_proba``),
regressors (``predict`` without it) and transformers (``transform``). Each group
has its own checks; every group also checks that every learned array attribute
(the arrays of a named tuple such as ``training_profile_`` included) lives in the
input's namespace and device, with the input's float dtype, and that the
explanations and drift reports of the estimators offering them do too.
"""

import importlib
import inspect
import pkgutil

import array_api_compat
import numpy as np
import pytest

import xlogreg
from tests.backends import assert_on_backend

ESTIMATORS = [
    obj
    for name in xlogreg.__all__
    if inspect.isclass(obj := getattr(xlogreg, name)) and hasattr(obj, "fit")
]
CLASSIFIERS = [e for e in ESTIMATORS if hasattr(e, "predict_proba")]
REGRESSORS = [e for e in ESTIMATORS if hasattr(e, "predict") and e not in CLASSIFIERS]
TRANSFORMERS = [e for e in ESTIMATORS if hasattr(e, "transform") and not hasattr(e, "predict")]
# Methods of a fitted classifier that return arrays of the input's float dtype.
FLOAT_OUTPUTS = ("decision_function", "predict_proba", "predict_log_proba")
# Methods of a fitted model that return named tuples of arrays, and their float fields.
REPORTS = {"explain": ("contributions", "intercept"), "drift": ("z_shift", "score")}


# The searches with small grids: each of their models runs every operation once more,
# and JAX compiles each new shape (a default LogisticRegressionCV took 50 s per JAX row).
SMALL_GRIDS = {
    xlogreg.LogisticRegressionCV: {"Cs": 3, "cv": 3},
    xlogreg.LassoCV: {"alphas": 5, "cv": 3},
    xlogreg.ElasticNetCV: {"alphas": 5, "cv": 3},
}


def _small(estimator):
    """An instance of ``estimator``, with a small grid if it is a search."""
    return estimator(**SMALL_GRIDS.get(estimator, {}))


def _ids(estimators):
    return pytest.mark.parametrize("estimator", estimators, ids=lambda e: e.__name__)


def test_public_names_exist_and_are_documented():
    for name in xlogreg.__all__:
        obj = getattr(xlogreg, name)
        assert name == "__version__" or inspect.getdoc(obj), name


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_the_estimator_registries_cover_every_estimator():
    """Every estimator class in the package is exported, walked here on every backend,
    and run through scikit-learn's checks (tests/test_sklearn.py)."""
    from tests.test_sklearn import ESTIMATORS as SKLEARN_CHECKED
    from xlogreg.base import BaseEstimator

    for module in pkgutil.walk_packages(xlogreg.__path__, "xlogreg."):
        importlib.import_module(module.name)
    defined = {cls for cls in _subclasses(BaseEstimator) if cls.__module__.startswith("xlogreg")}
    assert defined == set(ESTIMATORS)
    assert defined == {type(estimator) for estimator in SKLEARN_CHECKED}


def test_every_estimator_is_a_classifier_regressor_or_transformer():
    assert {"LinearRegression", "LogisticRegression"} <= {e.__name__ for e in ESTIMATORS}
    for estimator in ESTIMATORS:
        groups = [estimator in g for g in (CLASSIFIERS, REGRESSORS, TRANSFORMERS)]
        assert sum(groups) == 1, estimator.__name__


def _data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 3))
    return X, (X[:, 0] + 0.5 * rng.standard_normal(60) > 0).astype(int)


def _regression_targets(X):
    rng = np.random.default_rng(1)
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.1 * rng.standard_normal(len(X))
    return {"1-D": y, "2-D": np.c_[y, 3.0 - y]}


def _assert_learned_arrays_on_backend(model, backend):
    """Every public learned attribute that is an array: namespace, device, float dtype."""
    learned = {
        name: value
        for name, value in vars(model).items()
        if name.endswith("_") and not name.startswith("_")
    }
    assert learned, type(model).__name__
    for name, value in list(learned.items()):
        if isinstance(value, tuple) and hasattr(value, "_fields"):
            learned.update({f"{name}.{field}": getattr(value, field) for field in value._fields})
    for name, value in learned.items():
        if isinstance(value, (bool, int, float, str, tuple)) or value is None:
            continue
        if not array_api_compat.is_array_api_obj(value):
            continue
        assert array_api_compat.array_namespace(value) is backend.xp, name
        assert array_api_compat.device(value) == backend.device, name
        if backend.xp.isdtype(value.dtype, "real floating"):
            assert value.dtype == backend.dtype, name


def _assert_reports_on_backend(model, X, backend):
    """``explain`` and ``drift``, where offered: float fields on the backend, a bool flag."""
    for method, fields in REPORTS.items():
        if not hasattr(model, method):
            continue
        report = getattr(model, method)(X)
        for field in fields:
            assert_on_backend(getattr(report, field), backend)
    if hasattr(model, "drift"):
        assert_on_backend(model.drift(X).drifted, backend, dtype=backend.xp.bool)


@_ids(CLASSIFIERS)
def test_classifier_outputs_stay_in_the_input_namespace_device_and_dtype(backend, estimator):
    X, y = _data()
    model = _small(estimator).fit(backend.asarray(X), backend.asarray(y))
    # A meta-estimator (CalibratedClassifier) holds its coefficients in its fitted model.
    linear = getattr(model, "estimator_", model)
    for attribute in ("coef_", "intercept_"):
        assert_on_backend(getattr(linear, attribute), backend)
    _assert_learned_arrays_on_backend(model, backend)
    Xb = backend.asarray(X)
    for method in FLOAT_OUTPUTS:
        if method == "predict_proba" or hasattr(model, method):
            assert_on_backend(getattr(model, method)(Xb), backend)
    assert_on_backend(model.predict(Xb), backend, dtype=model.classes_.dtype)
    assert isinstance(model.score(Xb, backend.asarray(y)), float)
    _assert_reports_on_backend(model, Xb, backend)


# Regressors and the targets they take: 2-D ones only where the estimator fits several
# targets (scikit-learn's multi_output tag; LassoCV and ElasticNetCV, as scikit-learn's,
# take one).
REGRESSOR_TARGETS = [
    pytest.param(estimator, target, id=f"{target}-{estimator.__name__}")
    for estimator in REGRESSORS
    for target in ("1-D", "2-D")
    if target == "1-D" or estimator().__sklearn_tags__().target_tags.multi_output
]


@pytest.mark.parametrize(("estimator", "target"), REGRESSOR_TARGETS)
def test_regressor_outputs_stay_in_the_input_namespace_device_and_dtype(backend, estimator, target):
    X, _ = _data()
    y = _regression_targets(X)[target]
    Xb, yb = backend.asarray(X), backend.asarray(y)
    model = _small(estimator).fit(Xb, yb)
    _assert_learned_arrays_on_backend(model, backend)
    predicted = model.predict(Xb)
    assert_on_backend(predicted, backend)
    assert predicted.shape == y.shape
    assert isinstance(model.score(Xb, yb), float)
    _assert_reports_on_backend(model, Xb, backend)


@_ids(TRANSFORMERS)
def test_transformer_outputs_stay_in_the_input_namespace_device_and_dtype(backend, estimator):
    X, _ = _data()
    Xb = backend.asarray(X)
    model = estimator().fit(Xb)
    _assert_learned_arrays_on_backend(model, backend)
    transformed = model.transform(Xb)
    assert_on_backend(transformed, backend)
    assert transformed.shape == X.shape
    if hasattr(model, "inverse_transform"):
        assert_on_backend(model.inverse_transform(transformed), backend)


@_ids(ESTIMATORS)
def test_docstrings_list_every_parameter(estimator):
    doc = inspect.getdoc(estimator)
    for name in inspect.signature(estimator.__init__).parameters:
        if name != "self":
            assert f"{name} :" in doc, f"{estimator.__name__} does not document {name}"
