"""L1 and elastic-net LogisticRegression: parity with the best of scikit-learn's saga and
glum, the optimality (KKT) conditions on every backend, honest convergence, Dask."""

import warnings

import numpy as np
import pytest
from glum import GeneralizedLinearRegressor
from scipy.special import log_softmax, logsumexp
from sklearn.datasets import load_breast_cancer, load_iris, load_wine
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.preprocessing import StandardScaler as SkStandardScaler

from tests.backends import RAISIN_CSV, assert_on_backend, rtol_for
from xlogreg import ConvergenceWarning, LogisticRegression
from xlogreg._backend import to_numpy


def _standardized(loader):
    X, y = loader(return_X_y=True)
    return SkStandardScaler().fit_transform(X), y


def _synthetic(n=400, d=12, n_classes=2, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) * np.linspace(0.5, 2.0, d)
    coef = np.zeros((n_classes, d))
    coef[:, :4] = 2.0 * rng.standard_normal((n_classes, 4))
    logits = X @ coef.T + rng.gumbel(size=(n, n_classes))
    return X, np.argmax(logits, axis=1), rng.uniform(0.0, 3.0, n)


def _raisin():
    data = np.genfromtxt(RAISIN_CSV, delimiter=",", skip_header=1, dtype=str)
    return data[:, :-1].astype(float), (data[:, -1] == data[0, -1]).astype(int)


def _rows(y, coef, intercept):
    """Coefficients and intercepts as one row per softmax class (two rows for two classes)."""
    coef, intercept = np.atleast_2d(coef), np.atleast_1d(intercept)
    if len(np.unique(y)) == 2:
        return np.vstack([np.zeros_like(coef), coef]), np.r_[0.0, intercept]
    return coef, intercept


def _objective(X, y, weight, coef, intercept, *, C, l1_ratio):
    """scikit-learn's objective divided by C·Σs, in float64."""
    weight = np.ones(len(y)) if weight is None else weight
    rows, offsets = _rows(y, np.asarray(coef, float), np.asarray(intercept, float))
    labels = np.searchsorted(np.unique(y), y)
    logits = X @ rows.T + offsets
    loss = weight @ (logsumexp(logits, axis=1) - logits[np.arange(len(y)), labels])
    penalty = l1_ratio * np.abs(coef).sum() + 0.5 * (1.0 - l1_ratio) * np.sum(np.square(coef))
    return (loss + penalty / C) / weight.sum()


def _kkt_violation(X, y, weight, coef, intercept, *, C, l1_ratio):
    """The max-norm of the minimum-norm subgradient of :func:`_objective`, in float64."""
    weight = np.ones(len(y)) if weight is None else weight
    coef = np.atleast_2d(np.asarray(coef, float))
    rows, offsets = _rows(y, coef, np.asarray(intercept, float))
    labels = np.searchsorted(np.unique(y), y)
    p = np.exp(log_softmax(X @ rows.T + offsets, axis=1))
    residual = weight[:, None] * (p - np.eye(rows.shape[0])[labels]) / weight.sum()
    grad = residual.T @ X
    grad_intercept = residual.sum(axis=0)
    if rows.shape[0] != coef.shape[0]:  # binary: the positive class's row
        grad, grad_intercept = grad[1:], grad_intercept[1:]
    strength = 1.0 / (C * weight.sum())
    grad = grad + (1.0 - l1_ratio) * strength * coef
    cut = l1_ratio * strength
    on_zero = np.maximum(np.abs(grad) - cut, 0.0)
    violation = np.where(coef == 0.0, on_zero, np.abs(grad + cut * np.sign(coef)))
    return max(violation.max(), np.abs(grad_intercept).max())


def _saga(X, y, weight, *, C, l1_ratio):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = SkLogisticRegression(
            C=C, l1_ratio=l1_ratio, solver="saga", tol=1e-12, max_iter=100_000
        ).fit(X, y, sample_weight=weight)
    return model.coef_, model.intercept_


def _glum(X, y, weight, *, C, l1_ratio):
    total = len(y) if weight is None else weight.sum()
    model = GeneralizedLinearRegressor(
        family="binomial",
        alpha=1.0 / (C * total),
        l1_ratio=l1_ratio,
        gradient_tol=1e-12,
        max_iter=1000,
    ).fit(X, y == np.max(y), sample_weight=weight)
    return model.coef_[None, :], np.atleast_1d(model.intercept_)


def _best_reference(X, y, weight, *, C, l1_ratio):
    """The reference with the lower objective among saga and (two classes) glum."""
    candidates = [_saga(X, y, weight, C=C, l1_ratio=l1_ratio)]
    if len(np.unique(y)) == 2:
        candidates.append(_glum(X, y, weight, C=C, l1_ratio=l1_ratio))
    return min(candidates, key=lambda r: _objective(X, y, weight, *r, C=C, l1_ratio=l1_ratio))


CASES = {
    "breast-cancer C=0.05 lasso": (lambda: _standardized(load_breast_cancer), 0.05, 1.0, False),
    # saga runs out of 100,000 iterations here: glum is the reference.
    "breast-cancer C=1 lasso": (lambda: _standardized(load_breast_cancer), 1.0, 1.0, False),
    "breast-cancer C=1 elastic net": (lambda: _standardized(load_breast_cancer), 1.0, 0.5, False),
    "wine C=0.05 lasso": (lambda: _standardized(load_wine), 0.05, 1.0, False),
    "wine C=1 elastic net": (lambda: _standardized(load_wine), 1.0, 0.5, False),
    "iris C=1 lasso": (lambda: _standardized(load_iris), 1.0, 1.0, False),
    "synthetic weighted binary": (lambda: _synthetic(), 0.1, 1.0, True),
    "synthetic weighted 4 classes": (lambda: _synthetic(n_classes=4), 0.1, 0.7, True),
}


@pytest.mark.parametrize("case", list(CASES))
def test_matches_the_best_reference(case):
    load, C, l1_ratio, weighted = CASES[case]
    X, y, *rest = load()
    weight = rest[0] if weighted else None
    model = LogisticRegression(C=C, l1_ratio=l1_ratio, tol=1e-10).fit(X, y, sample_weight=weight)
    assert model.converged_
    coef, intercept = _best_reference(X, y, weight, C=C, l1_ratio=l1_ratio)
    ours = _objective(X, y, weight, model.coef_, model.intercept_, C=C, l1_ratio=l1_ratio)
    theirs = _objective(X, y, weight, coef, intercept, C=C, l1_ratio=l1_ratio)
    assert ours <= theirs + 1e-14 * abs(theirs)
    assert np.abs(model.coef_ - coef).max() <= 1e-6 * np.abs(coef).max()
    np.testing.assert_array_equal(model.coef_ != 0.0, np.abs(coef) > 1e-10)
    # Intercepts of the softmax are defined up to a common shift.
    shift = np.mean(intercept - model.intercept_) if len(intercept) > 1 else 0.0
    np.testing.assert_allclose(model.intercept_ + shift, intercept, atol=1e-6, rtol=1e-6)
    violation = _kkt_violation(X, y, weight, model.coef_, model.intercept_, C=C, l1_ratio=l1_ratio)
    assert violation <= 1e-9


def test_badly_scaled_real_data_with_standardize():
    """Raisin's columns span 1e-1 to 1e5: standardize=True fits on standardized columns and
    reports original-scale coefficients, those of glum fitted on sklearn-standardized data."""
    X, y = _raisin()
    model = LogisticRegression(C=0.1, l1_ratio=1.0, standardize=True, tol=1e-10).fit(X, y)
    scaler = SkStandardScaler().fit(X)
    coef, _ = _glum(scaler.transform(X), y, None, C=0.1, l1_ratio=1.0)
    scaled = model.coef_ * scaler.scale_
    assert np.abs(scaled - coef).max() <= 1e-6 * np.abs(coef).max()
    np.testing.assert_array_equal(model.coef_ != 0.0, np.abs(coef) > 1e-10)
    assert 0 < np.count_nonzero(model.coef_) < X.shape[1]


@pytest.mark.parametrize("n_classes", [2, 3])
def test_optimality_conditions_hold_on_every_backend(backend, n_classes):
    X, y, weight = _synthetic(n=300, d=8, n_classes=n_classes, seed=2)
    C, l1_ratio = 0.05, 0.8
    tol = 1e-10 if backend.has_float64 else 1e-5
    model = LogisticRegression(C=C, l1_ratio=l1_ratio, tol=tol).fit(
        backend.asarray(X), backend.asarray(y), sample_weight=backend.asarray(weight)
    )
    assert model.converged_
    assert_on_backend(model.coef_, backend)
    assert_on_backend(model.intercept_, backend)
    coef, intercept = to_numpy(model.coef_), to_numpy(model.intercept_)
    violation = _kkt_violation(X, y, weight, coef, intercept, C=C, l1_ratio=l1_ratio)
    assert violation <= rtol_for(backend, float64=1e-9, float32=1e-4)
    expected = LogisticRegression(C=C, l1_ratio=l1_ratio, tol=1e-10).fit(X, y, weight)
    # Exact zeros where the float64 NumPy fit has them, in every dtype.
    np.testing.assert_array_equal(coef == 0.0, expected.coef_ == 0.0)
    assert 0 < np.count_nonzero(coef) < coef.size


def test_solvers_reach_the_same_minimizer():
    X, y, _ = _synthetic(seed=4)
    # Below 1e-8, FISTA's measure is under what its objective values can tell apart.
    fits = {
        solver: LogisticRegression(C=0.1, l1_ratio=1.0, solver=solver, tol=1e-8, max_iter=20_000)
        for solver in ("auto", "newton", "fista")
    }
    coefs = {solver: model.fit(X, y).coef_ for solver, model in fits.items()}
    for solver in ("newton", "fista"):
        assert fits[solver].converged_
        np.testing.assert_allclose(coefs[solver], coefs["auto"], atol=1e-6)
        np.testing.assert_array_equal(coefs[solver] == 0.0, coefs["auto"] == 0.0)


def test_multinomial_coefficients_are_not_centred():
    """The L1 part is not unchanged by a shift common to the classes: the minimizer is kept."""
    X, y, _ = _synthetic(n_classes=3, seed=5)
    model = LogisticRegression(C=0.2, l1_ratio=1.0, tol=1e-10).fit(X, y)
    centred = model.coef_ - model.coef_.mean(axis=0)
    at_minimizer = _objective(X, y, None, model.coef_, model.intercept_, C=0.2, l1_ratio=1.0)
    at_centred = _objective(X, y, None, centred, model.intercept_, C=0.2, l1_ratio=1.0)
    assert at_minimizer < at_centred
    assert np.count_nonzero(model.coef_ == 0.0) > np.count_nonzero(centred == 0.0)


def test_unfinished_fit_warns_with_the_subgradient():
    X, y = _standardized(load_breast_cancer)
    message = r"final subgradient max-norm [0-9.e-]+ \(tol=1e-12\)"
    with pytest.warns(ConvergenceWarning, match=message):
        model = LogisticRegression(C=1.0, l1_ratio=1.0, tol=1e-12, max_iter=2).fit(X, y)
    assert not model.converged_
    assert model.n_iter_ == 2


def test_warm_start_continues_from_the_previous_solution():
    X, y = _standardized(load_breast_cancer)
    model = LogisticRegression(C=0.5, l1_ratio=1.0, tol=1e-10, warm_start=True).fit(X, y)
    first = model.coef_.copy()
    model.fit(X, y)
    assert model.n_iter_ <= 1
    np.testing.assert_allclose(model.coef_, first, atol=1e-9)


def test_dask_fit_equals_the_in_memory_fit():
    da = pytest.importorskip("dask.array")
    X, y, weight = _synthetic(n=500, n_classes=3, seed=6)
    expected = LogisticRegression(C=0.1, l1_ratio=0.5, tol=1e-10).fit(X, y, weight)
    model = LogisticRegression(C=0.1, l1_ratio=0.5, tol=1e-10).fit(
        da.from_array(X, chunks=(170, -1)), da.from_array(y, chunks=170), weight
    )
    assert model.converged_
    np.testing.assert_allclose(model.coef_, expected.coef_, atol=1e-8)
    np.testing.assert_array_equal(model.coef_ == 0.0, expected.coef_ == 0.0)


def test_infinite_C_ignores_l1_ratio():
    X, y, _ = _synthetic(seed=7)
    expected = LogisticRegression(C=np.inf, tol=1e-10).fit(X, y)
    model = LogisticRegression(C=np.inf, l1_ratio=1.0, tol=1e-10).fit(X, y)
    np.testing.assert_allclose(model.coef_, expected.coef_, rtol=1e-8)


def test_l1_fit_refuses_inference_before_any_work():
    model = LogisticRegression(l1_ratio=1.0, inference=True)
    with pytest.raises(ValueError, match="inference=True is not available with an L1 penalty"):
        model.fit(np.zeros((3, 2)), np.array([0, 1, 0]))
    assert not hasattr(model, "coef_")
