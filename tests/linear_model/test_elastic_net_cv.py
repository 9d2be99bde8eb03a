"""LassoCV, ElasticNetCV, enet_path and lasso_path: parity with scikit-learn's on real data with
the same folds, every backend, float32, one warning for unconverged models, bad input.

References: scikit-learn 1.9's ``LassoCV``, ``ElasticNetCV``, ``enet_path`` and
``lasso_path`` run to ``tol=1e-12`` (xlogreg's searches to the same duality-gap
tolerance), on diabetes and on NIST's Longley data (columns from 1e1 to 4e5)."""

import warnings

import numpy as np
import pytest
import statsmodels.api as sm
from sklearn.datasets import load_diabetes
from sklearn.linear_model import ElasticNetCV as SkElasticNetCV
from sklearn.linear_model import LassoCV as SkLassoCV
from sklearn.linear_model import enet_path as sk_enet_path
from sklearn.model_selection import KFold
from sklearn.preprocessing import StandardScaler as SkStandardScaler

from tests.backends import BACKEND_PARAMS, assert_on_backend, backend_row, rtol_for
from xlogreg import ConvergenceWarning, Lasso
from xlogreg._backend import to_numpy
from xlogreg.linear_model._elastic_net_cv import ElasticNetCV, LassoCV
from xlogreg.linear_model._enet_path import enet_path, lasso_path

TIGHT = {"tol": 1e-12, "max_iter": 10**6}


def _weights(n, seed=3):
    return np.random.default_rng(seed).uniform(0.5, 2.0, n)


def _longley():
    data = sm.datasets.longley.load_pandas()
    return data.exog.to_numpy(), data.endog.to_numpy()


def _reference(estimator, X, y, weight, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-learn warns of its own unconverged folds
        return estimator(**params).fit(X, y, sample_weight=weight)


def _relative(actual, expected):
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape
    return np.abs(actual - expected).max() / np.abs(expected).max()


def _assert_matches(model, reference, *, mse=1e-6):
    """alphas_ to 1e-12 (the grid's alpha_max is computed otherwise, to an ulp), mse_path_ to
    ``mse``, the same alpha_ (its index in the grid) and l1_ratio_, the refit to 1e-6."""
    assert _relative(model.alphas_, reference.alphas_) <= 1e-12
    assert _relative(model.mse_path_, reference.mse_path_) <= mse
    grid = np.asarray(reference.alphas_).ravel()
    assert np.argmin(np.abs(grid - model.alpha_)) == np.argmin(np.abs(grid - reference.alpha_))
    np.testing.assert_allclose(model.alpha_, reference.alpha_, rtol=1e-12)
    if hasattr(reference, "l1_ratio_"):
        assert model.l1_ratio_ == reference.l1_ratio_
    assert _relative(model.coef_, reference.coef_) <= 1e-6
    np.testing.assert_array_equal(model.coef_ != 0.0, reference.coef_ != 0.0)
    np.testing.assert_allclose(model.intercept_, reference.intercept_, rtol=1e-6)


SEARCHES = {
    "lasso": (LassoCV, SkLassoCV, {}),
    "elastic net, 3 l1_ratios": (ElasticNetCV, SkElasticNetCV, {"l1_ratio": [0.2, 0.7, 1.0]}),
}


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("cv", [5, KFold(5, shuffle=True, random_state=0)], ids=["5", "shuffled"])
@pytest.mark.parametrize("search", list(SEARCHES))
def test_matches_scikit_learn_on_diabetes(search, cv, weighted):
    """Measured: alphas_ 5e-16, mse_path_ 5e-12, coef_ 6e-11 (scikit-learn's own error at
    tol=1e-12), the same alpha_ and l1_ratio_."""
    estimator, reference_estimator, params = SEARCHES[search]
    X, y = load_diabetes(return_X_y=True)
    weight = _weights(len(y)) if weighted else None
    model = estimator(cv=cv, **params, **TIGHT).fit(X, y, sample_weight=weight)
    reference = _reference(reference_estimator, X, y, weight, cv=cv, **params, **TIGHT)
    _assert_matches(model, reference)
    assert model.mse_path_.shape == ((3, 100, 5) if params else (100, 5))
    assert 0 < np.count_nonzero(model.coef_) <= X.shape[1]
    assert model.dual_gap_ <= 1e-12 * np.var(y) * 2
    np.testing.assert_allclose(model.predict(X), reference.predict(X), rtol=1e-6)


@pytest.mark.parametrize("weighted", [False, True])
def test_matches_scikit_learn_on_badly_scaled_longley(weighted):
    """Raw columns from 1e1 to 4e5 (the whole grid and every fold's errors), and
    standardize=True against scikit-learn on the whole data's standardized columns."""
    X, y = _longley()
    weight = _weights(len(y), seed=4) if weighted else None
    model = LassoCV(cv=4, **TIGHT).fit(X, y, sample_weight=weight)
    reference = _reference(SkLassoCV, X, y, weight, cv=4, **TIGHT)
    assert _relative(model.alphas_, reference.alphas_) <= 1e-12
    assert _relative(model.mse_path_, reference.mse_path_) <= 1e-6
    model = ElasticNetCV(l1_ratio=[0.5, 1.0], cv=4, standardize=True, **TIGHT)
    model.fit(X, y, sample_weight=weight)
    scaler = SkStandardScaler().fit(X, sample_weight=weight)
    reference = _reference(
        SkElasticNetCV, scaler.transform(X), y, weight, l1_ratio=[0.5, 1.0], cv=4, **TIGHT
    )
    standardized = model.coef_ * scaler.scale_
    assert _relative(model.alphas_, reference.alphas_) <= 1e-12
    assert _relative(model.mse_path_, reference.mse_path_) <= 1e-6
    assert model.alpha_ == pytest.approx(reference.alpha_, rel=1e-12)
    assert _relative(standardized, reference.coef_) <= 1e-6
    np.testing.assert_allclose(model.predict(X), reference.predict(scaler.transform(X)), rtol=1e-9)
    assert model.scaler_ is not None


def test_explicit_alphas_and_no_intercept_match_scikit_learn():
    X, y = load_diabetes(return_X_y=True)
    params = {"alphas": [0.01, 1.0, 0.1, 0.3], "fit_intercept": False, "cv": 3, **TIGHT}
    model = ElasticNetCV(l1_ratio=[0.0, 0.5], **params).fit(X, y)
    reference = _reference(SkElasticNetCV, X, y, None, l1_ratio=[0.0, 0.5], **params)
    _assert_matches(model, reference)
    np.testing.assert_array_equal(model.alphas_, [1.0, 0.3, 0.1, 0.01])
    assert float(model.intercept_) == 0.0


def test_float32_stays_float32_and_finds_the_float64_model():
    """The float32 search's choice is as good, on the float64 errors, as the float64 one's
    (the error curve is flat at its minimum: rounding may pick a neighbouring alpha), and
    its refit is the float64 lasso of that alpha."""
    X, y = load_diabetes(return_X_y=True)
    expected = LassoCV(cv=5).fit(X, y)
    model = LassoCV(cv=5).fit(X.astype(np.float32), y.astype(np.float32))
    for name in ("coef_", "intercept_", "alphas_", "mse_path_"):
        assert getattr(model, name).dtype == np.float32, name
    assert _relative(model.alphas_, expected.alphas_) <= 1e-6
    assert _relative(model.mse_path_, expected.mse_path_) <= 1e-3
    mean_errors = expected.mse_path_.mean(axis=1)
    chosen = np.argmin(np.abs(expected.alphas_ - model.alpha_))
    assert mean_errors[chosen] <= mean_errors.min() * (1 + 1e-4)
    refit = Lasso(alpha=float(model.alpha_), tol=1e-10).fit(X, y)
    assert _relative(model.coef_, refit.coef_) <= 1e-3


def _small():
    """The problem of tests/solvers/test_batched_lasso.py."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 4)) * np.array([1.0, 3.0, 0.5, 2.0]) + np.array([1, -2, 0, 5])
    y = X @ np.array([1.5, 0.0, -2.0, 0.3]) + 4.0 + rng.standard_normal(30)
    return X, y, rng.uniform(0.2, 2.0, 30)


# JAX compiles each operation of an eager run anew (some 130 compilations, 10 s a row on
# two cores): its rows run the batched path itself (tests/solvers/test_batched_lasso.py).
NOT_JAX = [row for row in BACKEND_PARAMS if not row.id.startswith("jax")]


@pytest.mark.parametrize("row", NOT_JAX)
def test_every_backend_finds_the_numpy_model(row):
    with backend_row(row) as backend:
        _check_backend(backend)


def _check_backend(backend):
    X, y, weight = _small()
    params = {"l1_ratio": [1.0, 0.4], "alphas": 3, "cv": 2}
    tol = rtol_for(backend, float64=1e-15, float32=1e-6)
    expected = ElasticNetCV(**params, tol=1e-15).fit(X, y, sample_weight=weight)
    model = ElasticNetCV(**params, tol=tol).fit(
        backend.asarray(X), backend.asarray(y), sample_weight=backend.asarray(weight)
    )
    for name in ("coef_", "intercept_", "alphas_", "mse_path_"):
        assert_on_backend(getattr(model, name), backend)
    assert model.mse_path_.shape == (2, 3, 2)
    assert (model.alpha_, model.l1_ratio_) == pytest.approx((expected.alpha_, expected.l1_ratio_))
    rtol = rtol_for(backend, float64=1e-10, float32=1e-4)
    assert _relative(to_numpy(model.coef_), expected.coef_) <= rtol
    assert _relative(to_numpy(model.mse_path_), expected.mse_path_) <= rtol
    assert_on_backend(model.predict(backend.asarray(X)), backend)


def test_one_warning_names_the_unconverged_candidates():
    X, y = load_diabetes(return_X_y=True)
    with pytest.warns(ConvergenceWarning) as record:
        model = LassoCV(cv=3, alphas=5, tol=1e-12, max_iter=1).fit(X, y)
    assert len(record) == 1
    message = str(record[0].message)
    assert "did not converge for" in message and "fold 0" in message
    assert "(alpha=" in message and "l1_ratio=1, " in message and "duality gap" in message
    assert np.all(np.isfinite(model.mse_path_))  # kept and scored


def test_lasso_cv_has_no_l1_ratio():
    X, y = load_diabetes(return_X_y=True)
    model = LassoCV(alphas=5).fit(X, y)
    assert "l1_ratio" not in model.get_params() and not hasattr(model, "l1_ratio_")


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"alphas": []}, "alphas must hold at least one value"),
        ({"alphas": [0.1, 0.0]}, r"alphas\[1\] must be > 0"),
        ({"alphas": [0.1, -1.0]}, r"alphas\[1\] must be > 0"),
        ({"alphas": 0}, "alphas must be >= 1"),
        ({"eps": 0.0}, "eps must be > 0"),
        ({"eps": 1.5}, "eps must be < 1"),
        ({"l1_ratio": 1.5}, "l1_ratio must be <= 1"),
        ({"l1_ratio": [0.5, -0.1]}, r"l1_ratio\[1\] must be >= 0"),
        ({"l1_ratio": [0.0, 0.5]}, "l1_ratio=0 .* has no automatic grid"),
        ({"l1_ratio": []}, "l1_ratio must hold at least one value"),
        ({"cv": 1}, "cv=1: cross-validation needs at least 2 folds"),
        ({"tol": -1.0}, "tol must be >= 0"),
        ({"max_iter": 0}, "max_iter must be >= 1"),
    ],
)
def test_bad_parameters_raise_before_work(params, match):
    """Raised before the data are read (they hold a NaN, which would be an error too)."""
    X, y = load_diabetes(return_X_y=True)
    X = X.copy()
    X[0, 0] = np.nan
    with pytest.raises(ValueError, match=match):
        ElasticNetCV(**params).fit(X, y)


def test_two_targets_are_refused():
    X, y = load_diabetes(return_X_y=True)
    with pytest.raises(ValueError, match="y must be 1-D"):
        LassoCV().fit(X, np.c_[y, y])


def test_enet_path_matches_scikit_learn():
    """On centred diabetes (scikit-learn's path fits no intercept), warm-started from a
    coef_init, and on rows weighted by repeating them (scikit-learn's dense path ignores
    sample_weight)."""
    X, y = load_diabetes(return_X_y=True)
    X, y = X - X.mean(axis=0), y - y.mean()
    for l1_ratio in (1.0, 0.3):
        alphas, coefs, gaps, n_iter = enet_path(
            X, y, l1_ratio=l1_ratio, alphas=20, return_n_iter=True, **TIGHT
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = sk_enet_path(X, y, l1_ratio=l1_ratio, alphas=20, **TIGHT)
        assert _relative(alphas, expected[0]) <= 1e-12
        assert _relative(coefs, expected[1]) <= 1e-6
        assert coefs.shape == (10, 20) and len(n_iter) == 20 and np.all(gaps <= 1e-12 * y @ y)
    repeats = np.random.default_rng(5).integers(1, 4, len(y))
    _, coefs, _ = lasso_path(X, y, alphas=[1.0, 0.1], sample_weight=repeats.astype(float), **TIGHT)
    _, expected, _ = lasso_path(
        np.repeat(X, repeats, axis=0), np.repeat(y, repeats), alphas=[1.0, 0.1], **TIGHT
    )
    assert _relative(coefs, expected) <= 1e-10
    _, cold, _ = lasso_path(X, y, alphas=[1.0, 0.1], **TIGHT)
    _, warm, _ = lasso_path(X, y, alphas=[0.1], coef_init=cold[:, 0], **TIGHT)
    assert _relative(warm[:, 0], cold[:, 1]) <= 1e-10
