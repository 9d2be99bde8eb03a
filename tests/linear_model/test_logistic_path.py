"""logistic_regression_path: every model of the path equals LogisticRegression fitted alone,
and scikit-learn's converged fits, on every backend row; bad grids refused before any work.

References: xlogreg's LogisticRegression (tested against scikit-learn elsewhere) fitted
one C at a time to tol=1e-12, and scikit-learn 1.9's LogisticRegression
(solver="newton-cholesky", tol=1e-12) on standardized breast cancer and wine."""

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_wine
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.preprocessing import StandardScaler

from tests.backends import assert_on_backend, rtol_for
from xlogreg import ConvergenceWarning, LogisticRegression
from xlogreg._backend import to_numpy
from xlogreg.linear_model import logistic_regression_path

CS = [0.01, 0.3, 10.0]


def _data(loader, step=None):
    """Standardized data; with ``step``, every ``step``-th row and six features (every class)."""
    X, y = loader(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    return (X, y) if step is None else (X[::step, :6], y[::step])


@pytest.mark.parametrize("loader", [load_breast_cancer, load_wine])
def test_path_equals_scikit_learn(loader):
    X, y = _data(loader)
    coefs, Cs, n_iter = logistic_regression_path(X, y, Cs=CS, tol=1e-12)
    np.testing.assert_array_equal(Cs, CS)
    assert n_iter.shape == (len(CS),)
    for k, C in enumerate(CS):
        reference = SkLogisticRegression(C=C, solver="newton-cholesky", tol=1e-12).fit(X, y)
        expected = np.concatenate([reference.coef_, reference.intercept_[:, None]], axis=1)
        scale = np.abs(expected).max()
        np.testing.assert_allclose(coefs[k], expected, rtol=0, atol=1e-7 * scale)


def test_integer_grid_and_order_of_cs():
    X, y = _data(load_breast_cancer)
    _, Cs, _ = logistic_regression_path(X, y, Cs=3)
    np.testing.assert_allclose(Cs, np.logspace(-4, 4, 3))
    shuffled = [10.0, 0.01, 0.3]
    coefs, _, _ = logistic_regression_path(X, y, Cs=shuffled, tol=1e-10)
    ordered, _, _ = logistic_regression_path(X, y, Cs=sorted(shuffled), tol=1e-10)
    np.testing.assert_allclose(coefs, ordered[[2, 0, 1]], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("loader", [load_breast_cancer, load_wine])
def test_batched_equals_one_at_a_time(backend, loader):
    """Each model of the batch is the model fitted alone, on every backend row."""
    X, y = _data(loader, step=4 if loader is load_breast_cancer else 2)
    weight = np.linspace(0.5, 2.0, y.size)
    Xb, yb, wb = backend.asarray(X), backend.asarray(y), backend.asarray(weight)
    tol = 1e-12 if backend.has_float64 else 1e-6
    # Two models: JAX compiles every operation of a new shape, 10-30 s per row here.
    grid = [0.05, 5.0]
    coefs, Cs, n_iter = logistic_regression_path(Xb, yb, Cs=grid, sample_weight=wb, tol=tol)
    assert_on_backend(coefs, backend)
    assert_on_backend(Cs, backend)
    assert tuple(n_iter.shape) == (len(grid),)
    rtol = rtol_for(backend, float64=1e-10, float32=2e-3)
    for k, C in enumerate(grid):
        alone = LogisticRegression(C=C, tol=tol).fit(Xb, yb, sample_weight=wb)
        expected = np.concatenate(
            [to_numpy(alone.coef_), to_numpy(alone.intercept_)[:, None]], axis=1
        )
        got = to_numpy(coefs)[k]
        np.testing.assert_allclose(got, expected, rtol=0, atol=rtol * np.abs(expected).max())


def test_l1_path_has_exact_zeros_and_equals_single_fits():
    X, y = _data(load_breast_cancer)
    coefs, _, _ = logistic_regression_path(X, y, Cs=[0.05, 0.5], l1_ratio=1.0, tol=1e-10)
    for k, C in enumerate([0.05, 0.5]):
        alone = LogisticRegression(C=C, l1_ratio=1.0, tol=1e-12).fit(X, y)
        np.testing.assert_array_equal(coefs[k, 0, :-1] == 0.0, alone.coef_[0] == 0.0)
        np.testing.assert_allclose(coefs[k, 0, :-1], alone.coef_[0], rtol=0, atol=1e-7)
    assert (coefs[0, 0, :-1] == 0.0).sum() > (coefs[1, 0, :-1] == 0.0).sum()


def test_standardize_reports_original_scale():
    X, y = load_breast_cancer(return_X_y=True)
    coefs, _, _ = logistic_regression_path(X, y, Cs=[0.1], standardize=True, tol=1e-10)
    alone = LogisticRegression(C=0.1, standardize=True, tol=1e-12).fit(X, y)
    np.testing.assert_allclose(coefs[0, 0, :-1], alone.coef_[0], rtol=1e-7)
    np.testing.assert_allclose(coefs[0, 0, -1], alone.intercept_[0], rtol=1e-7)


def test_unconverged_models_are_named_once():
    X, y = _data(load_breast_cancer)
    with pytest.warns(ConvergenceWarning) as caught:
        logistic_regression_path(X, y, Cs=[0.01, 100.0], max_iter=1, tol=1e-12)
    messages = [str(w.message) for w in caught if issubclass(w.category, ConvergenceWarning)]
    assert len(messages) == 1
    assert "2 of the 2 models" in messages[0] and "C=100" in messages[0]


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"Cs": []}, "Cs"),
        ({"Cs": [0.1, -1.0]}, "Cs"),
        ({"Cs": 0}, "Cs"),
        ({"l1_ratio": 1.5}, "l1_ratio"),
        ({"tol": -1.0}, "tol"),
        ({"max_iter": 0}, "max_iter"),
    ],
)
def test_bad_grid_is_refused(kwargs, name):
    X, y = _data(load_breast_cancer, step=10)
    with pytest.raises(ValueError, match=name):
        logistic_regression_path(X, y, **kwargs)
