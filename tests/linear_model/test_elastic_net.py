"""ElasticNet and Lasso: parity with scikit-learn's on real and synthetic data, the optimality
(KKT) conditions on every backend, honest convergence, Dask, warm starts, bad input.

References: scikit-learn 1.9's ``ElasticNet`` and ``Lasso`` (coordinate descent run to
``tol=1e-12``), and its ``make_pipeline(StandardScaler(), ...)`` for ``standardize=True``;
the KKT conditions computed here in NumPy float64."""

import os
import warnings

import numpy as np
import pytest
import statsmodels.api as sm
from sklearn.base import clone
from sklearn.datasets import load_diabetes, load_linnerud
from sklearn.linear_model import ElasticNet as SkElasticNet
from sklearn.linear_model import Lasso as SkLasso
from sklearn.linear_model import Ridge as SkRidge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler as SkStandardScaler

from tests.backends import assert_on_backend, rtol_for
from xlogreg import ConvergenceWarning, ElasticNet, Lasso, LinearRegression, load
from xlogreg._backend import to_numpy


def _diabetes():
    return load_diabetes(return_X_y=True)


def _linnerud():
    """Three exercises against three physiological measurements: real 2-D targets."""
    return load_linnerud(return_X_y=True)


def _synthetic(n=300, d=15, n_targets=None, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) * np.linspace(0.5, 3.0, d) + np.linspace(-1.0, 2.0, d)
    coef = np.zeros((d, n_targets or 1))
    coef[:5] = 3.0 * rng.standard_normal((5, n_targets or 1))
    y = X @ coef + 5.0 + rng.standard_normal((n, n_targets or 1))
    return X, (y[:, 0] if n_targets is None else y)


def _rows(coef, intercept):
    return np.atleast_2d(np.asarray(coef, float)), np.atleast_1d(np.asarray(intercept, float))


def _objective(X, y, weight, coef, intercept, *, alpha, l1_ratio):
    """scikit-learn's objective, summed over the targets, in float64."""
    weight = np.ones(len(X)) if weight is None else weight
    coef, intercept = _rows(coef, intercept)
    r = y.reshape(len(X), -1) - X @ coef.T - intercept
    data = np.sum(weight[:, None] * r * r) / (2.0 * weight.sum())
    l1 = alpha * l1_ratio * np.abs(coef).sum()
    return data + l1 + 0.5 * alpha * (1.0 - l1_ratio) * np.sum(coef * coef)


def _kkt_violation(X, y, weight, coef, intercept, *, alpha, l1_ratio, fit_intercept=True):
    """The max-norm of the minimum-norm subgradient of twice :func:`_objective` (``tol``'s
    scale), in float64: zero exactly at the minimizer."""
    weight = np.ones(len(X)) if weight is None else weight
    coef, intercept = _rows(coef, intercept)
    r = y.reshape(len(X), -1) - X @ coef.T - intercept
    residual = weight[:, None] * r / weight.sum()
    grad = -2.0 * residual.T @ X + 2.0 * alpha * (1.0 - l1_ratio) * coef
    cut = 2.0 * alpha * l1_ratio
    on_zero = np.maximum(np.abs(grad) - cut, 0.0)
    violation = np.where(coef == 0.0, on_zero, np.abs(grad + cut * np.sign(coef))).max()
    if fit_intercept:
        violation = max(violation, np.abs(2.0 * residual.sum(axis=0)).max())
    return violation


def _sklearn(X, y, weight, *, alpha, l1_ratio, fit_intercept=True):
    model = SkElasticNet(
        alpha=alpha, l1_ratio=l1_ratio, fit_intercept=fit_intercept, tol=1e-12, max_iter=10**6
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # l1_ratio=0 and near-zero alphas warn
        return model.fit(X, y, sample_weight=weight)


def _assert_matches(model, reference, *, rtol=1e-6):
    """coef_ and intercept_ within ``rtol`` of the largest reference entry, the same support."""
    coef, expected = np.asarray(model.coef_), reference.coef_
    assert coef.shape == expected.shape
    assert np.abs(coef - expected).max() <= rtol * np.abs(expected).max()
    np.testing.assert_allclose(model.intercept_, reference.intercept_, rtol=rtol, atol=0.0)
    np.testing.assert_array_equal(coef != 0.0, expected != 0.0)


# name -> (data, alpha, l1_ratio, weighted, fit_intercept)
CASES = {
    "diabetes lasso alpha=0.03": (_diabetes, 0.03, 1.0, False, True),
    "diabetes lasso alpha=1": (_diabetes, 1.0, 1.0, False, True),
    "diabetes elastic net weighted": (_diabetes, 0.1, 0.5, True, True),
    "diabetes elastic net l1_ratio=0.2": (_diabetes, 0.01, 0.2, False, True),
    "linnerud 2-D lasso": (_linnerud, 5.0, 1.0, False, True),
    "linnerud 2-D elastic net weighted": (_linnerud, 10.0, 0.7, True, True),
    "synthetic weighted lasso": (_synthetic, 0.2, 1.0, True, True),
    "synthetic 2-D elastic net weighted": (lambda: _synthetic(n_targets=3), 0.3, 0.6, True, True),
    "synthetic no intercept": (_synthetic, 0.5, 0.9, False, False),
}


@pytest.mark.parametrize("case", list(CASES))
def test_matches_scikit_learn(case):
    load_data, alpha, l1_ratio, weighted, fit_intercept = CASES[case]
    X, y = load_data()
    weight = np.random.default_rng(3).uniform(0.0, 3.0, len(X)) if weighted else None
    model = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, fit_intercept=fit_intercept, tol=1e-10)
    model.fit(X, y, sample_weight=weight)
    assert model.converged_
    reference = _sklearn(X, y, weight, alpha=alpha, l1_ratio=l1_ratio, fit_intercept=fit_intercept)
    _assert_matches(model, reference)
    if l1_ratio > 0.5:  # these alphas leave some coefficients out
        assert 0 < np.count_nonzero(model.coef_) < model.coef_.size
    params = {"alpha": alpha, "l1_ratio": l1_ratio}
    ours = _objective(X, y, weight, model.coef_, model.intercept_, **params)
    theirs = _objective(X, y, weight, reference.coef_, reference.intercept_, **params)
    assert ours <= theirs * (1.0 + 1e-14)
    violation = _kkt_violation(
        X, y, weight, model.coef_, model.intercept_, **params, fit_intercept=fit_intercept
    )
    assert violation <= 1e-10


@pytest.mark.parametrize("alpha", [0.05, 0.5])
def test_lasso_is_the_elastic_net_of_l1_ratio_one(alpha):
    X, y = _diabetes()
    model = Lasso(alpha=alpha, tol=1e-10).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = SkLasso(alpha=alpha, tol=1e-12, max_iter=10**6).fit(X, y)
    _assert_matches(model, reference)
    elastic = ElasticNet(alpha=alpha, l1_ratio=1.0, tol=1e-10).fit(X, y)
    np.testing.assert_array_equal(model.coef_, elastic.coef_)
    assert "l1_ratio" not in model.get_params()
    assert clone(model).get_params() == model.get_params()


def test_alpha_above_alpha_max_gives_the_intercept_only_model():
    """scikit-learn's alpha_max = max|Xᵀ(y − ȳ)|/(n·l1_ratio): at and above it every
    coefficient is zero, the intercept the mean, and the start is the solution."""
    X, y = _diabetes()
    alpha_max = np.abs(X.T @ (y - y.mean())).max() / len(y)
    model = Lasso(alpha=alpha_max).fit(X, y)
    assert model.converged_ and model.n_iter_ == 0
    np.testing.assert_array_equal(model.coef_, 0.0)
    np.testing.assert_allclose(model.intercept_, y.mean(), rtol=1e-14)
    assert np.count_nonzero(Lasso(alpha=0.99 * alpha_max).fit(X, y).coef_) == 1


def test_badly_scaled_real_data_with_standardize_matches_a_pipeline():
    """Longley's columns span 1e1 to 4e5 (and the target 6e4): standardize=True reports
    original-scale coefficients, those of make_pipeline(StandardScaler(), ElasticNet)."""
    data = sm.datasets.longley.load_pandas()
    X, y = data.exog.to_numpy(), data.endog.to_numpy()
    for alpha, l1_ratio in [(50.0, 1.0), (10.0, 0.5)]:
        model = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, standardize=True, tol=1e-10)
        model.fit(X, y)
        assert model.converged_
        pipeline = make_pipeline(
            SkStandardScaler(),
            SkElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=1e-12, max_iter=10**6),
        ).fit(X, y)
        scale = pipeline[0].scale_
        reference = pipeline[-1]
        scaled = model.coef_ * scale
        assert np.abs(scaled - reference.coef_).max() <= 1e-6 * np.abs(reference.coef_).max()
        np.testing.assert_array_equal(model.coef_ != 0.0, reference.coef_ != 0.0)
        np.testing.assert_allclose(model.predict(X), pipeline.predict(X), rtol=1e-9)
        assert 0 < np.count_nonzero(model.coef_) < X.shape[1] or l1_ratio < 1.0


def test_weighted_standardize_on_badly_scaled_columns():
    """Diabetes with its columns scaled by 1e-3 to 1e4 and weights: the standardized fit
    equals scikit-learn's on the same weighted standardization."""
    X, y = _diabetes()
    X = X * np.logspace(-3, 4, X.shape[1])
    weight = np.random.default_rng(4).uniform(0.5, 2.0, len(y))
    model = ElasticNet(alpha=0.05, l1_ratio=0.8, standardize=True, tol=1e-10)
    model.fit(X, y, sample_weight=weight)
    mean = np.average(X, axis=0, weights=weight)
    scale = np.sqrt(np.average((X - mean) ** 2, axis=0, weights=weight))
    reference = _sklearn((X - mean) / scale, y, weight, alpha=0.05, l1_ratio=0.8)
    assert (
        np.abs(model.coef_ * scale - reference.coef_).max() <= 1e-6 * np.abs(reference.coef_).max()
    )
    np.testing.assert_array_equal(model.coef_ != 0.0, reference.coef_ != 0.0)


def test_without_an_l1_part_it_is_least_squares_or_ridge():
    X, y = _synthetic(seed=5)
    weight = np.random.default_rng(5).uniform(0.5, 2.0, len(y))
    ols = ElasticNet(alpha=0.0, tol=1e-10).fit(X, y, sample_weight=weight)
    expected = LinearRegression().fit(X, y, sample_weight=weight)
    np.testing.assert_allclose(ols.coef_, expected.coef_, rtol=1e-9)
    ridge = ElasticNet(alpha=0.3, l1_ratio=0.0, tol=1e-10).fit(X, y, sample_weight=weight)
    reference = SkRidge(alpha=0.3 * weight.sum()).fit(X, y, sample_weight=weight)
    np.testing.assert_allclose(ridge.coef_, reference.coef_, rtol=1e-9)
    np.testing.assert_allclose(ridge.intercept_, reference.intercept_, rtol=1e-9)


def test_optimality_conditions_hold_on_every_backend(backend):
    """Two targets with weights (one target is the NumPy parity tests' case, and
    tests/test_common.py checks both shapes on every backend)."""
    X, y = _synthetic(n=200, d=8, n_targets=2, seed=2)
    weight = np.random.default_rng(2).uniform(0.0, 2.0, len(y))
    alpha, l1_ratio = 0.3, 0.8
    tol = rtol_for(backend, float64=1e-10, float32=1e-5)
    model = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=tol).fit(
        backend.asarray(X), backend.asarray(y), sample_weight=backend.asarray(weight)
    )
    assert model.converged_
    assert_on_backend(model.coef_, backend)
    assert_on_backend(model.intercept_, backend)
    assert model.coef_.shape == (2, 8)
    coef, intercept = to_numpy(model.coef_), to_numpy(model.intercept_)
    violation = _kkt_violation(X, y, weight, coef, intercept, alpha=alpha, l1_ratio=l1_ratio)
    # Measured in float64: 1e-15 for the float64 rows, 4e-7 to 6e-7 for the float32
    # ones (their solution rounded to float32: eps·|X|·|residual| ~ 1e-6).
    assert violation <= rtol_for(backend, float64=1e-10, float32=1e-5)
    expected = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=1e-10).fit(X, y, weight)
    # Exact zeros where the float64 NumPy fit has them, in every dtype.
    np.testing.assert_array_equal(coef == 0.0, expected.coef_ == 0.0)
    assert 0 < np.count_nonzero(coef) < coef.size
    predicted = model.predict(backend.asarray(X))
    assert_on_backend(predicted, backend)


@pytest.mark.parametrize("solver", ["newton", "fista"])
def test_solvers_reach_the_same_minimizer(solver):
    X, y = _synthetic(seed=6)
    # FISTA needs well-scaled columns (on these raw ones it stalls above 1e-7), and
    # detects progress by decreases of the objective: within round-off of it below ~1e-8.
    params = {"alpha": 0.2, "l1_ratio": 0.9, "standardize": True}
    expected = ElasticNet(**params, tol=1e-10).fit(X, y)
    model = ElasticNet(**params, solver=solver, tol=1e-7, max_iter=50_000).fit(X, y)
    assert model.converged_
    # The error is at most the subgradient over the smallest curvature (about 1 here).
    np.testing.assert_allclose(model.coef_, expected.coef_, atol=1e-6)
    np.testing.assert_array_equal(model.coef_ == 0.0, expected.coef_ == 0.0)


def test_tol_bounds_the_subgradient_of_twice_scikit_learns_objective():
    X, y = _diabetes()
    for tol in (1.0, 1e-2):
        model = Lasso(alpha=0.05, tol=tol).fit(X, y)
        assert model.converged_
        violation = _kkt_violation(
            X, y, None, model.coef_, model.intercept_, alpha=0.05, l1_ratio=1
        )
        assert violation <= tol
    # The loss history is on the same scale: twice scikit-learn's objective.
    twice = 2.0 * _objective(X, y, None, model.coef_, model.intercept_, alpha=0.05, l1_ratio=1)
    np.testing.assert_allclose(model.loss_history_[-1], twice, rtol=1e-12)


def test_unfinished_fit_warns_with_the_subgradient():
    X, y = _diabetes()
    with pytest.warns(ConvergenceWarning, match=r"final subgradient max-norm [0-9.e+-]+"):
        model = ElasticNet(alpha=1e-4, l1_ratio=0.5, solver="fista", max_iter=3).fit(X, y)
    assert not model.converged_
    assert model.n_iter_ == 3


def test_warm_start_continues_from_the_previous_solution():
    X, y = _synthetic(n_targets=2, seed=7)
    model = ElasticNet(alpha=0.2, tol=1e-10, warm_start=True, standardize=True).fit(X, y)
    first = model.coef_.copy()
    model.fit(X, y)
    assert model.n_iter_ == 0
    np.testing.assert_array_equal(model.coef_, first)
    model.set_params(alpha=0.1).fit(X, y)  # a path step: from the last solution
    cold = ElasticNet(alpha=0.1, tol=1e-10, standardize=True).fit(X, y)
    np.testing.assert_allclose(model.coef_, cold.coef_, atol=1e-9)
    np.testing.assert_array_equal(model.coef_ == 0.0, cold.coef_ == 0.0)
    model.fit(X[:, :5], y)  # another shape: from the intercept-only start
    assert model.coef_.shape == (2, 5)


@pytest.mark.parametrize(("standardize", "n_targets"), [(False, 2), (True, None)])
def test_dask_fit_equals_the_in_memory_fit(standardize, n_targets):
    da = pytest.importorskip("dask.array")
    X, y = _synthetic(n=500, n_targets=n_targets, seed=8)
    weight = np.random.default_rng(8).uniform(0.0, 2.0, len(y))
    weight[:170] = 0.0  # a chunk that weighs nothing
    params = {"alpha": 0.2, "l1_ratio": 0.7, "standardize": standardize, "tol": 1e-10}
    expected = ElasticNet(**params).fit(X, y, weight)
    model = ElasticNet(**params).fit(
        da.from_array(X, chunks=(170, -1)), da.from_array(y, chunks=(170, *y.shape[1:])), weight
    )
    assert model.converged_
    assert isinstance(model.coef_, np.ndarray)
    np.testing.assert_allclose(model.coef_, expected.coef_, atol=1e-9)
    np.testing.assert_allclose(model.intercept_, expected.intercept_, rtol=1e-10)
    np.testing.assert_array_equal(model.coef_ == 0.0, expected.coef_ == 0.0)


def test_float32_stays_float32():
    X, y = _diabetes()
    model = Lasso(alpha=0.1, tol=1e-4).fit(X.astype(np.float32), y.astype(np.float32))
    assert model.coef_.dtype == np.float32 and model.intercept_.dtype == np.float32
    assert model.predict(X.astype(np.float32)).dtype == np.float32
    expected = Lasso(alpha=0.1, tol=1e-10).fit(X, y)
    np.testing.assert_array_equal(model.coef_ == 0.0, expected.coef_ == 0.0)
    assert np.abs(model.coef_ - expected.coef_).max() <= 1e-4 * np.abs(expected.coef_).max()


def test_save_and_load_round_trip(tmp_path):
    X, y = _linnerud()
    for model in (Lasso(alpha=5.0, standardize=True), ElasticNet(alpha=2.0, l1_ratio=0.3)):
        model.fit(X, y)
        path = os.path.join(tmp_path, f"{type(model).__name__}.safetensors")
        model.save(path)
        loaded = load(path)
        assert type(loaded) is type(model)
        assert loaded.get_params() == model.get_params()
        assert loaded.l1_ratio == model.l1_ratio
        for name in ("coef_", "intercept_", "n_iter_", "converged_", "loss_history_"):
            np.testing.assert_array_equal(getattr(loaded, name), getattr(model, name))
        np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    # Lasso's l1_ratio is its class's, never the file's.
    assert "l1_ratio" not in vars(load(os.path.join(tmp_path, "Lasso.safetensors")))


@pytest.mark.parametrize(
    ("estimator", "params", "error", "match"),
    [
        (ElasticNet, {"alpha": -0.1}, ValueError, "alpha must be >= 0"),
        (Lasso, {"alpha": float("inf")}, ValueError, "alpha must be finite"),
        (ElasticNet, {"l1_ratio": 1.5}, ValueError, "l1_ratio must be <= 1"),
        (ElasticNet, {"l1_ratio": -0.1}, ValueError, "l1_ratio must be >= 0"),
        (ElasticNet, {"l1_ratio": float("nan")}, ValueError, "l1_ratio must not be NaN"),
        (
            ElasticNet,
            {"solver": "lbfgs"},
            ValueError,
            r"solver must be one of \('auto', 'newton', 'fista'\), got 'lbfgs'",
        ),
        (Lasso, {"solver": "cholesky"}, ValueError, "solver must be one of"),
        (ElasticNet, {"tol": -1.0}, ValueError, "tol must be >= 0"),
        (Lasso, {"max_iter": 0}, ValueError, "max_iter must be >= 1"),
        (ElasticNet, {"warm_start": 1}, TypeError, "warm_start must be True or False"),
    ],
)
def test_bad_parameters_raise_before_work(estimator, params, error, match):
    """Raised before the data is read (here it holds a NaN, which would be an error
    too), leaving the earlier fit untouched."""
    X, y = _synthetic(n=50, d=6, seed=9)
    model = estimator(alpha=0.1).fit(X, y)
    coef = model.coef_
    spoiled = X.copy()
    spoiled[0, 0] = np.nan
    with pytest.raises(error, match=match):
        model.set_params(**params).fit(spoiled, y)
    assert model.coef_ is coef


def test_inference_is_not_a_parameter():
    with pytest.raises(TypeError, match="inference"):
        ElasticNet(inference=True)
    with pytest.raises(ValueError, match="'inference' is not a parameter of Lasso"):
        Lasso().set_params(inference=True)
    assert not hasattr(ElasticNet(), "summary")
