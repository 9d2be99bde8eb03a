"""The proximal solvers (solvers/proximal_newton.py, fista.py, _coordinate_descent.py) and
minimize's ``penalty``: the inner lasso against a brute-force minimizer, the outer solvers
against each other and scikit-learn's coordinate descent, their statuses and warnings."""

import itertools
import warnings

import numpy as np
import pytest
from sklearn.linear_model import Lasso as SkLasso

from tests.backends import assert_on_backend, rtol_for
from tests.solvers.problems import binomial
from xlogreg import ConvergenceWarning
from xlogreg._backend import to_numpy
from xlogreg.objectives import Binomial, SquaredError
from xlogreg.objectives._penalty import L1
from xlogreg.solvers import minimize
from xlogreg.solvers._coordinate_descent import quadratic_lasso, scatter
from xlogreg.solvers.fista import fista
from xlogreg.solvers.proximal_newton import proximal_newton


def _model_value(H, g, u0, thresholds, u):
    step = u - u0
    return g @ step + 0.5 * step @ H @ step + thresholds @ np.abs(u)


def _brute_force(H, g, u0, thresholds):
    """The model's minimizer by trying every support and sign pattern (small m only)."""
    m = len(g)
    best, best_value = u0 * 0.0, _model_value(H, g, u0, thresholds, u0 * 0.0)
    for signs in itertools.product((-1, 0, 1), repeat=m):
        support = [j for j in range(m) if signs[j] != 0]
        if not support:
            continue
        s = np.asarray(signs, float)
        block = H[np.ix_(support, support)]
        outside = np.where(s != 0, 0.0, -u0)
        rhs = -(g + thresholds * s + H @ outside)[support]
        u = np.zeros(m)
        u[support] = u0[support] + np.linalg.solve(block, rhs)
        if np.all(np.sign(u[support]) == s[support]):
            value = _model_value(H, g, u0, thresholds, u)
            if value < best_value:
                best, best_value = u, value
    return best


@pytest.mark.parametrize("seed", range(4))
def test_inner_lasso_finds_the_brute_force_minimizer(backend, seed):
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((8, 4)) * np.array([1.0, 3.0, 0.3, 1.0])
    H = A.T @ A / 8
    g, u0 = rng.standard_normal(4), rng.standard_normal(4) * (rng.random(4) < 0.5)
    thresholds = np.array([0.3, 0.0, 0.5, 1.0])  # the second is unpenalized
    expected = _brute_force(H, g, u0, thresholds)
    tol = rtol_for(backend, float64=1e-12, float32=1e-5)
    result = quadratic_lasso(
        *(backend.asarray(a) for a in (H, g, u0, thresholds)),
        tol=tol,
        max_sweeps=1000,
        xp=backend.xp,
    )
    assert result.converged and result.measure <= tol
    assert_on_backend(result.u, backend)
    u = to_numpy(result.u)
    np.testing.assert_array_equal(u == 0.0, expected == 0.0)
    np.testing.assert_allclose(u, expected, atol=rtol_for(backend, float64=1e-10, float32=1e-4))


def test_inner_lasso_reports_an_unfinished_problem():
    rng = np.random.default_rng(5)
    A = rng.standard_normal((50, 6))
    A[:, 1] = A[:, 0] + 1e-3 * A[:, 1]  # nearly collinear: slow coordinate descent
    H = A.T @ A
    result = quadratic_lasso(
        H, rng.standard_normal(6), np.zeros(6), np.full(6, 1e-3), tol=1e-14, max_sweeps=1, xp=np
    )
    assert not result.converged and result.sweeps == 1 and result.measure > 1e-14


def test_scatter_places_values_without_writing_in_place():
    import jax.numpy as jnp

    values = jnp.asarray([5.0, 7.0])
    np.testing.assert_array_equal(np.asarray(scatter(values, (3, 0), 4, xp=jnp)), [7, 0, 0, 5])


def _lasso_problem(seed=0, n=200, d=10, spread=1.0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) * np.logspace(-spread, spread, d)
    y = X[:, :3] @ np.array([1.0, -2.0, 0.5]) + 0.1 * rng.standard_normal(n)
    return X, y


@pytest.mark.parametrize("solver", ["newton", "fista"])
def test_squared_loss_with_l1_is_scikit_learns_lasso(solver):
    """SquaredError plus L1(2·alpha) is twice scikit-learn's Lasso objective. FISTA, a
    first-order method, gets columns of one scale (on columns 100 times apart in scale it
    stalls at a measure of 3e-7, where its objective values stop telling iterates apart)."""
    X, y = _lasso_problem(spread=1.0 if solver == "newton" else 0.0)
    alpha = 0.05
    reference = SkLasso(alpha=alpha, tol=1e-14, max_iter=100_000).fit(X, y)
    objective = SquaredError(X, y, np.ones(len(y)), alpha=0.0, fit_intercept=True, xp=np)
    penalty = L1(2.0 * alpha, layout=objective.layout, dtype=np.float64, device="cpu")
    tol = 1e-10 if solver == "newton" else 1e-8
    result = minimize(
        objective, np.zeros(11), method=solver, tol=tol, max_iter=100_000, penalty=penalty
    )
    assert result.converged
    coef = result.x[:10]
    np.testing.assert_array_equal(coef == 0.0, reference.coef_ == 0.0)
    np.testing.assert_allclose(coef, reference.coef_, atol=1e-6 * np.abs(reference.coef_).max())
    assert result.x[10] == pytest.approx(reference.intercept_, abs=1e-6)


def test_proximal_newton_and_fista_agree_on_every_backend(backend):
    X, y = binomial(seed=3)
    arrays = [backend.asarray(a) for a in (X, y, np.ones(len(y)))]
    objective = Binomial(*arrays, l2=0.0, fit_intercept=True, xp=backend.xp)
    w0 = backend.xp.zeros(6, dtype=backend.dtype, device=backend.device)
    penalty = L1(0.05, layout=objective.layout, dtype=backend.dtype, device=backend.device)
    tol = rtol_for(backend, float64=1e-8, float32=1e-4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # FISTA may stall in float32
        results = [
            proximal_newton(objective, penalty, w0, tol=tol, max_iter=100),
            fista(objective, w0, tol=tol, max_iter=50_000, penalty=penalty),
        ]
    newton_result, fista_result = results
    assert newton_result.converged and newton_result.grad_norm <= tol
    assert fista_result.status in ("converged", "stalled")
    assert_on_backend(newton_result.x, backend)
    a, b = to_numpy(newton_result.x), to_numpy(fista_result.x)
    np.testing.assert_allclose(a, b, atol=rtol_for(backend, float64=1e-6, float32=5e-3))
    assert 0 < np.count_nonzero(a[:5]) < 5


def test_everything_zero_below_the_smallest_penalty_that_selects():
    """Above ``max |∂f(0)|`` no feature enters: the working set holds the intercept only."""
    X, y = binomial(seed=4)
    objective = Binomial(X, y, np.ones(len(y)), l2=0.0, fit_intercept=True, xp=np)
    _, grad = objective.loss_grad(np.zeros(6))
    largest = np.abs(grad[:5]).max()
    penalty = L1(1.01 * largest, layout=objective.layout, dtype=np.float64, device="cpu")
    result = proximal_newton(objective, penalty, np.zeros(6), tol=1e-10, max_iter=20)
    assert result.converged
    np.testing.assert_array_equal(result.x[:5], 0.0)
    assert result.x[5] == pytest.approx(np.log(y.mean() / (1 - y.mean())), abs=1e-9)


def test_fista_reports_a_stall_at_the_precision_floor():
    X, y = binomial(seed=5)
    objective = Binomial(
        X.astype(np.float32),
        y.astype(np.float32),
        np.ones(300, np.float32),
        l2=0.0,
        fit_intercept=True,
        xp=np,
    )
    penalty = L1(0.01, layout=objective.layout, dtype=np.float32, device="cpu")
    result = fista(objective, np.zeros(6, np.float32), tol=1e-12, max_iter=100_000, penalty=penalty)
    assert result.status == "stalled" and result.n_iter < 100_000
    assert "no decrease left at this precision" in result.message


def test_minimize_refuses_a_smooth_method_with_a_penalty():
    X, y = binomial()
    objective = Binomial(X, y, np.ones(300), l2=0.0, fit_intercept=True, xp=np)
    penalty = L1(0.1, layout=objective.layout, dtype=np.float64, device="cpu")
    with pytest.raises(ValueError, match=r"method must be one of \('auto', 'newton', 'fista'\)"):
        minimize(objective, np.zeros(6), method="lbfgs", penalty=penalty)


def test_minimize_warns_with_the_subgradient_measure():
    X, y = binomial()
    objective = Binomial(X, y, np.ones(300), l2=0.0, fit_intercept=True, xp=np)
    penalty = L1(0.01, layout=objective.layout, dtype=np.float64, device="cpu")
    with pytest.warns(ConvergenceWarning, match="proximal newton did not converge.*subgradient"):
        result = minimize(objective, np.zeros(6), tol=1e-12, max_iter=1, penalty=penalty)
    assert result.status == "max_iter" and result.n_iter == 1
