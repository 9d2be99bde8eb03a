"""RidgeCV: generalized (leave-one-out) and k-fold cross-validation equal scikit-learn's on real
and wide data, with weights, intercepts, scorers and several targets; every backend;
float32; bad input.

References: scikit-learn 1.9's ``RidgeCV`` (its ``_RidgeGCV`` for ``cv=None``, and
``GridSearchCV`` over ``Ridge`` for ``cv`` given)."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_diabetes
from sklearn.linear_model import RidgeCV as SkRidgeCV
from sklearn.model_selection import KFold

from tests.backends import BACKEND_PARAMS, assert_on_backend, backend_row, rtol_for
from xlogreg._backend import to_numpy
from xlogreg.linear_model._ridge_cv import RidgeCV

ALPHAS = np.logspace(-4, 2, 13)


def _diabetes():
    return load_diabetes(return_X_y=True)


def _wide(seed=1):
    """30 rows, 60 features: fewer rows than features (the eigendecomposition of ZZᵀ)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((30, 60)) * np.linspace(0.5, 2.0, 60) + 1.0
    return X, X[:, :5] @ rng.standard_normal(5) + 3.0 + rng.standard_normal(30)


def _weights(n, seed=3):
    return np.random.default_rng(seed).uniform(0.5, 2.0, n)


def _relative(actual, expected):
    actual, expected = np.asarray(actual, float), np.asarray(expected, float)
    assert actual.shape == expected.shape
    return np.abs(actual - expected).max() / np.abs(expected).max()


def _assert_matches(model, reference, *, rtol=1e-8):
    np.testing.assert_array_equal(model.alpha_, reference.alpha_)
    np.testing.assert_allclose(model.best_score_, reference.best_score_, rtol=rtol)
    assert _relative(model.coef_, reference.coef_) <= rtol
    np.testing.assert_allclose(model.intercept_, reference.intercept_, rtol=rtol, atol=1e-12)
    if hasattr(reference, "cv_results_"):
        assert _relative(model.cv_results_, reference.cv_results_) <= rtol


def _both(X, y, weight, **params):
    model = RidgeCV(**params).fit(X, y, sample_weight=weight)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # GridSearchCV on a callable without sample_weight
        reference = SkRidgeCV(**params).fit(X, y, sample_weight=weight)
    return model, reference


@pytest.mark.parametrize("scoring", [None, "neg_mean_absolute_error"])
@pytest.mark.parametrize("gcv_mode", [None, "svd"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_generalized_cross_validation_matches_scikit_learn(
    fit_intercept, weighted, gcv_mode, scoring
):
    """Diabetes, more rows than features. Measured: cv_results_ 2e-14, coef_ 2.5e-14."""
    X, y = _diabetes()
    weight = _weights(len(y)) if weighted else None
    params = {"alphas": ALPHAS, "fit_intercept": fit_intercept, "gcv_mode": gcv_mode}
    model, reference = _both(X, y, weight, scoring=scoring, store_cv_results=True, **params)
    _assert_matches(model, reference)
    assert model.cv_results_.shape == (len(y), len(ALPHAS))
    assert model.coef_.shape == (10,) and model.intercept_.shape == ()


@pytest.mark.parametrize("gcv_mode", [None, "svd"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_generalized_cross_validation_of_a_wide_design(fit_intercept, weighted, gcv_mode):
    """Fewer rows than features; centring leaves ZZᵀ singular. Measured: cv_results_ 3.5e-10."""
    X, y = _wide()
    weight = _weights(len(y)) if weighted else None
    params = {"alphas": ALPHAS, "fit_intercept": fit_intercept, "gcv_mode": gcv_mode}
    model, reference = _both(X, y, weight, store_cv_results=True, **params)
    _assert_matches(model, reference)


@pytest.mark.parametrize("scoring", [None, "r2"])
def test_several_targets_and_an_alpha_per_target(scoring):
    X, y = _diabetes()
    Y = np.c_[y, np.sqrt(y) * 10.0]
    weight = _weights(len(y))
    for per_target in (False, True):
        params = {"alphas": ALPHAS, "scoring": scoring, "alpha_per_target": per_target}
        model, reference = _both(X, Y, weight, store_cv_results=True, **params)
        _assert_matches(model, reference)
        assert model.coef_.shape == (2, 10) and model.cv_results_.shape == (len(y), 2, 13)
    assert model.alpha_[0] != model.alpha_[1]  # the targets want different alphas


def test_a_callable_scoring_scores_the_leave_one_out_predictions():
    X, y = _diabetes()

    def cubed(estimator, X, y):
        return -np.mean(np.abs(estimator.predict(X) - y) ** 3)

    model, reference = _both(X, y, None, alphas=ALPHAS, scoring=cubed)
    _assert_matches(model, reference)


@pytest.mark.parametrize("targets", [1, 2])
@pytest.mark.parametrize("scoring", [None, "neg_mean_squared_error"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("cv", [5, KFold(5, shuffle=True, random_state=0)], ids=["5", "shuffled"])
def test_k_fold_matches_scikit_learn(cv, weighted, scoring, targets):
    """scikit-learn's GridSearchCV over Ridge: weighted fits and weighted test scores (R² by
    default). Measured: best_score_ 1e-15, coef_ 2e-14."""
    X, y = _diabetes()
    y = y if targets == 1 else np.c_[y, np.sqrt(y) * 10.0]
    weight = _weights(len(X)) if weighted else None
    model, reference = _both(X, y, weight, alphas=ALPHAS, cv=cv, scoring=scoring)
    _assert_matches(model, reference)


def test_k_fold_with_a_callable_scoring():
    X, y = _diabetes()

    def cubed(estimator, X, y, sample_weight=None):
        return -np.average(np.abs(estimator.predict(X) - y) ** 3, weights=sample_weight)

    model, reference = _both(X, y, _weights(len(y)), alphas=ALPHAS, cv=3, scoring=cubed)
    _assert_matches(model, reference)


NOT_JAX = [row for row in BACKEND_PARAMS if not row.id.startswith("jax")]


@pytest.mark.parametrize("cv", [None, 3])
@pytest.mark.parametrize("row", NOT_JAX)
def test_every_backend_finds_the_numpy_model(row, cv):
    """(JAX compiles each eager operation anew, seconds a row: its rows run the batched
    path of tests/solvers/test_batched_lasso.py.)"""
    X, y = _wide(seed=2)
    X, y = X[:, :8], y
    weight = _weights(len(y))
    expected = RidgeCV(alphas=ALPHAS, cv=cv).fit(X, y, sample_weight=weight)
    with backend_row(row) as backend:
        model = RidgeCV(alphas=ALPHAS, cv=cv).fit(
            backend.asarray(X), backend.asarray(y), sample_weight=backend.asarray(weight)
        )
        assert_on_backend(model.coef_, backend)
        assert_on_backend(model.intercept_, backend)
        assert model.alpha_ == expected.alpha_
        rtol = rtol_for(backend, float64=1e-10, float32=1e-4)
        assert _relative(to_numpy(model.coef_), expected.coef_) <= rtol
        np.testing.assert_allclose(model.best_score_, expected.best_score_, rtol=rtol)
        assert_on_backend(model.predict(backend.asarray(X)), backend)


def test_float32_stays_float32():
    """Generalized cross-validation computes in float64, as scikit-learn's, and returns float32."""
    X, y = _diabetes()
    expected = RidgeCV(alphas=ALPHAS, store_cv_results=True).fit(X, y)
    model = RidgeCV(alphas=ALPHAS, store_cv_results=True)
    model.fit(X.astype(np.float32), y.astype(np.float32))
    assert model.coef_.dtype == np.float32 and model.cv_results_.dtype == np.float32
    assert model.alpha_ == expected.alpha_
    assert _relative(model.coef_, expected.coef_) <= 1e-5


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"alphas": []}, ValueError, "alphas must hold at least one value"),
        ({"alphas": [1.0, 0.0]}, ValueError, r"alphas\[1\] must be > 0"),
        ({"alphas": -1.0}, ValueError, "alphas must be > 0"),
        ({"alphas": "many"}, TypeError, "alphas must be a positive number"),
        ({"gcv_mode": "qr"}, ValueError, "gcv_mode must be one of"),
        ({"cv": 1}, ValueError, "cv=1: cross-validation needs at least 2 folds"),
        ({"cv": 3, "store_cv_results": True}, ValueError, "store_cv_results=True are incompatible"),
        ({"cv": 3, "alpha_per_target": True}, ValueError, "alpha_per_target=True are incompatible"),
        ({"scoring": "accuracy"}, ValueError, "scoring='accuracy' is a classifier's score"),
        ({"fit_intercept": 1}, TypeError, "fit_intercept must be True or False"),
    ],
)
def test_bad_parameters_raise_before_work(params, error, match):
    """Raised before the data are read (they hold a NaN, which would be an error too)."""
    X, y = _diabetes()
    X = X.copy()
    X[0, 0] = np.nan
    with pytest.raises(error, match=match):
        RidgeCV(**params).fit(X, y)
