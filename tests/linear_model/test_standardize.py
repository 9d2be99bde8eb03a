"""``standardize=True`` equals a scaler + model pipeline, with coefficients on raw features."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler as SkStandardScaler

from tests.backends import assert_close, assert_on_backend, rtol_for
from xlogreg import LinearRegression, LogisticRegression


def _features(seed=0, n=300):
    """Columns of very different scales and offsets: what standardization is for."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 4)) * np.logspace(-2, 3, 4) + np.array([5.0, -3.0, 0.0, 1e3])
    return X, (X - X.mean(axis=0)) / X.std(axis=0), rng


def _classification(n_classes, seed=0):
    X, Z, rng = _features(seed)
    logits = np.c_[3.0 * Z[:, 0], Z[:, 1] - Z[:, 2], np.zeros(len(X))][:, :n_classes]
    if n_classes == 2:
        logits = np.c_[logits[:, 0], np.zeros(len(X))]
    y = np.argmax(logits + rng.gumbel(size=logits.shape), axis=1)
    return X, y, rng.uniform(0.5, 2.0, len(X))


def _pipeline(model, fit_intercept, X, y, weight):
    pipeline = make_pipeline(SkStandardScaler(with_mean=fit_intercept), model)
    return pipeline.fit(
        X,
        y,
        standardscaler__sample_weight=weight,
        **{f"{pipeline.steps[-1][0]}__sample_weight": weight},
    )


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_logistic_regression_equals_the_pipeline(n_classes, fit_intercept):
    X, y, weight = _classification(n_classes)
    sk = SkLogisticRegression(solver="newton-cholesky", tol=1e-12, fit_intercept=fit_intercept)
    pipeline = _pipeline(sk, fit_intercept, X, y, weight)
    model = LogisticRegression(standardize=True, tol=1e-10, fit_intercept=fit_intercept)
    model.fit(X, y, sample_weight=weight)
    scaler, fitted = pipeline[0], pipeline[-1]
    expected_coef = fitted.coef_ / scaler.scale_
    np.testing.assert_allclose(model.coef_, expected_coef, rtol=1e-7)
    if fit_intercept:
        expected_intercept = fitted.intercept_ - expected_coef @ scaler.mean_
        np.testing.assert_allclose(model.intercept_, expected_intercept, rtol=1e-7, atol=1e-9)
    else:
        assert not model.intercept_.any()
    np.testing.assert_allclose(model.predict_proba(X), pipeline.predict_proba(X), atol=1e-9)
    np.testing.assert_allclose(model.scaler_.scale_, scaler.scale_, rtol=1e-12)


def test_warm_start_resumes_on_the_standardized_scale():
    X, y, weight = _classification(3)
    model = LogisticRegression(standardize=True, warm_start=True, tol=1e-10)
    coef = model.fit(X, y, sample_weight=weight).coef_.copy()
    model.fit(X, y, sample_weight=weight)
    assert model.n_iter_ == 0
    np.testing.assert_allclose(model.coef_, coef, rtol=1e-12)


def test_standardized_fit_stays_on_the_backend(backend):
    X, y, weight = _classification(3, seed=1)
    expected = LogisticRegression(standardize=True, tol=1e-10).fit(X, y, sample_weight=weight)
    model = LogisticRegression(standardize=True, tol=1e-10 if backend.has_float64 else 1e-4)
    model.fit(backend.asarray(X), backend.asarray(y), sample_weight=backend.asarray(weight))
    rtol = rtol_for(backend, float64=1e-8, float32=2e-3)
    assert_close(model.coef_, expected.coef_, backend, rtol=rtol)
    assert_close(model.intercept_, expected.intercept_, backend, rtol=rtol, atol=rtol)
    assert_on_backend(model.scaler_.mean_, backend)


def test_standardize_must_be_a_bool():
    X, y, _ = _classification(2)
    with pytest.raises(TypeError, match="standardize must be True or False, got 'yes'"):
        LogisticRegression(standardize="yes").fit(X, y)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("solver", ["lstsq", "cholesky"])
@pytest.mark.parametrize("n_targets", [1, 2])
def test_ridge_equals_the_pipeline(solver, fit_intercept, n_targets):
    X, Z, rng = _features(seed=2)
    Y = Z @ rng.standard_normal((4, n_targets)) + rng.standard_normal((len(X), n_targets))
    y = Y[:, 0] if n_targets == 1 else Y
    weight = rng.uniform(0.5, 2.0, len(X))
    ridge = Ridge(alpha=3.0, fit_intercept=fit_intercept, solver="svd")
    pipeline = _pipeline(ridge, fit_intercept, X, y, weight)
    model = LinearRegression(
        standardize=True, alpha=3.0, solver=solver, fit_intercept=fit_intercept
    )
    model.fit(X, y, sample_weight=weight)
    scaler, fitted = pipeline[0], pipeline[-1]
    expected_coef = fitted.coef_ / scaler.scale_
    np.testing.assert_allclose(model.coef_, expected_coef, rtol=1e-10)
    if fit_intercept:
        expected_intercept = fitted.intercept_ - expected_coef @ scaler.mean_
        np.testing.assert_allclose(model.intercept_, expected_intercept, rtol=1e-10)
    np.testing.assert_allclose(model.predict(X), pipeline.predict(X), rtol=1e-10, atol=1e-9)


def test_gradient_descent_converges_on_badly_scaled_features_once_standardized():
    X, Z, rng = _features(seed=3)
    y = Z @ np.array([1.0, -2.0, 0.5, 3.0]) + 0.1 * rng.standard_normal(len(X))
    exact = LinearRegression().fit(X, y)
    model = LinearRegression(standardize=True, solver="gd", learning_rate=0.2, tol=1e-10)
    model.fit(X, y)
    assert model.converged_
    np.testing.assert_allclose(model.coef_, exact.coef_, rtol=1e-8)
    np.testing.assert_allclose(model.intercept_, exact.intercept_, rtol=1e-8)


@pytest.mark.parametrize(
    "model",
    [LogisticRegression(standardize=True), LinearRegression(standardize=True, solver="lbfgs")],
    ids=["logistic", "linear"],
)
def test_statistics_that_overflow_name_the_column_before_any_fit(model):
    """±1e200 is finite, but its variance is not: an error naming the column, not a NaN model."""
    X, y, _ = _classification(2)
    X[:, 1] = np.where(X[:, 1] > np.median(X[:, 1]), 1e200, -1e200)
    with pytest.raises(ValueError, match=r"the variance of column 1 overflows float64"):
        model.fit(X, y)
    assert not hasattr(model, "coef_")
