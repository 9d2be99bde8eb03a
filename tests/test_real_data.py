"""Parity on real data that ships inside scikit-learn and statsmodels (no downloads).

Binary (breast cancer: 30 features of scales 1e-3 to 4e3, unstandardized),
multinomial (wine: 3 classes, 13 features of scales 0.1 to 1e3), linear
regression (diabetes) and inference (statsmodels' Spector logit, its anes96
multinomial logit and stack-loss regression), on every row of the backend matrix, against
scikit-learn and statsmodels at tight tolerances. float32 tolerances are
float32's rounding times the problems' conditioning, measured: the worst
row reaches about a tenth of each bound.
"""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine
from sklearn.linear_model import LinearRegression as SkLinearRegression
from sklearn.linear_model import LogisticRegression as SkLogisticRegression

from tests.backends import assert_on_backend, rtol_for
from xlogreg import LinearRegression, LogisticRegression
from xlogreg._backend import to_numpy


def _relative_error(actual, expected) -> float:
    return float(np.abs(to_numpy(actual) - expected).max() / np.abs(expected).max())


def _scikit_learn_logistic(X, y):
    return SkLogisticRegression(solver="newton-cholesky", tol=1e-12, max_iter=1000).fit(X, y)


def _tol(backend) -> float:
    return 1e-10 if backend.has_float64 else 1e-6


@pytest.mark.parametrize(
    ("load", "float32_rtol"),
    [(load_breast_cancer, 2e-4), (load_wine, 2e-5)],
    ids=["breast-cancer", "wine"],
)
def test_logistic_matches_scikit_learn(backend, load, float32_rtol):
    X, y = load(return_X_y=True)
    reference = _scikit_learn_logistic(X, y)
    model = LogisticRegression(tol=_tol(backend)).fit(backend.asarray(X), backend.asarray(y))
    assert model.converged_
    assert_on_backend(model.coef_, backend)
    rtol = rtol_for(backend, float64=1e-8, float32=float32_rtol)
    assert _relative_error(model.coef_, reference.coef_) <= rtol
    assert _relative_error(model.intercept_, reference.intercept_) <= rtol
    np.testing.assert_array_equal(to_numpy(model.predict(backend.asarray(X))), reference.predict(X))


def test_linear_regression_matches_scikit_learn_on_diabetes(backend):
    X, y = load_diabetes(return_X_y=True)
    reference = SkLinearRegression().fit(X, y)
    model = LinearRegression().fit(backend.asarray(X), backend.asarray(y))
    assert_on_backend(model.coef_, backend)
    rtol = rtol_for(backend, float64=1e-10, float32=2e-6)
    assert _relative_error(model.coef_, reference.coef_) <= rtol
    assert _relative_error(model.intercept_, np.asarray(reference.intercept_)) <= rtol


def _assert_summary_matches(summary, reference, rtol):
    for field, expected in (("coef", reference.params), ("stderr", reference.bse)):
        assert _relative_error(getattr(summary, field), np.asarray(expected)) <= rtol, field


def test_logit_inference_matches_statsmodels_on_spector(backend):
    data = sm.datasets.spector.load_pandas()
    # Copies: statsmodels hands out read-only arrays, which torch warns about.
    X, y = np.array(data.exog, dtype=float), np.array(data.endog, dtype=float)
    reference = sm.Logit(y, sm.add_constant(X)).fit(method="newton", tol=1e-12, disp=0)
    model = LogisticRegression(C=float("inf"), solver="newton", tol=_tol(backend), inference=True)
    model.fit(backend.asarray(X), backend.asarray(y))
    _assert_summary_matches(
        model.summary(), reference, rtol_for(backend, float64=1e-8, float32=1e-3)
    )


def test_ols_inference_matches_statsmodels_on_stack_loss(backend):
    data = sm.datasets.stackloss.load_pandas()
    X, y = np.array(data.exog, dtype=float), np.array(data.endog, dtype=float)
    reference = sm.OLS(y, sm.add_constant(X)).fit()
    model = LinearRegression(inference=True).fit(backend.asarray(X), backend.asarray(y))
    _assert_summary_matches(
        model.summary(), reference, rtol_for(backend, float64=1e-10, float32=1e-4)
    )


def test_multinomial_inference_matches_statsmodels_mnlogit_on_anes96(backend):
    """statsmodels' MNLogit example: party identification (7 classes) on 944 voters.
    MNLogit estimates γ_k = θ_k − θ_0 against class 0; ours are the centred θ_k, so
    the covariances compare through that linear map."""
    data = sm.datasets.anes96.load_pandas().data
    X = np.array(data[["logpopul", "selfLR", "age", "educ", "income"]], dtype=float)
    y = np.array(data["PID"], dtype=int)
    reference = sm.MNLogit(y, sm.add_constant(X)).fit(method="newton", tol=1e-12, disp=0)
    model = LogisticRegression(C=float("inf"), solver="newton", tol=_tol(backend), inference=True)
    model.fit(backend.asarray(X), backend.asarray(y))
    theta = to_numpy(model.summary().coef).astype(float)
    n_classes, n_params = theta.shape
    against_first = np.kron(
        np.c_[-np.ones((n_classes - 1, 1)), np.eye(n_classes - 1)], np.eye(n_params)
    )
    covariance = to_numpy(model.coef_covariance_).astype(float).reshape(against_first.shape[1], -1)
    stderr = np.sqrt(np.diag(against_first @ covariance @ against_first.T))
    rtol = rtol_for(backend, float64=1e-9, float32=1e-4)
    assert _relative_error(theta[1:] - theta[0], np.asarray(reference.params).T) <= rtol
    assert (
        _relative_error(stderr.reshape(n_classes - 1, n_params), np.asarray(reference.bse).T)
        <= rtol
    )
