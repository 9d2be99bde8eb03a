"""Time to solution: xlogreg's solvers against scikit-learn's, same data, same run.

Every contender is fitted to the same tolerance (tol=1e-8 on the gradient
max-norm, which is scikit-learn's criterion too); the summary at the end of
``nox -s bench`` prints each median as a ratio to scikit-learn's faster solver.
L-BFGS, ours and scikit-learn's, is left out of the ill-conditioned problem:
neither converges there in thousands of iterations, which is why ``auto``
picks Newton for tall problems.
"""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression as SkLogisticRegression

from xlogreg import LogisticRegression

TOL = 1e-8


def _problem(n_samples, n_features, *, ill_conditioned, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, n_features))
    if ill_conditioned:
        # Correlated columns with scales from 1e-2 to 1e3.
        X = (X + 0.9 * rng.standard_normal((n_samples, 1))) * np.logspace(-2, 3, n_features)
    w = (
        rng.standard_normal(n_features)
        / np.sqrt(n_features)
        / (np.logspace(-2, 3, n_features) if ill_conditioned else 1.0)
    )
    y = (rng.random(n_samples) < 1 / (1 + np.exp(-(X @ w)))).astype(np.int64)
    return X, y


PROBLEMS = {
    "well-conditioned 100k x 32": (100_000, 32, False),
    "ill-conditioned 50k x 16": (50_000, 16, True),
    "small 1k x 8": (1_000, 8, False),
}


@pytest.fixture(scope="module", params=list(PROBLEMS))
def problem(request):
    n, d, ill = PROBLEMS[request.param]
    return request.param, *_problem(n, d, ill_conditioned=ill)


def _skip_lbfgs_where_it_cannot_converge(name, solver):
    if "lbfgs" in solver and name.startswith("ill-conditioned"):
        pytest.skip("L-BFGS does not converge on the ill-conditioned problem")


@pytest.mark.parametrize("solver", ["auto", "newton", "lbfgs"])
def test_xlogreg_numpy(timed, problem, solver):
    name, X, y = problem
    _skip_lbfgs_where_it_cannot_converge(name, solver)
    model = timed(
        name, f"xlogreg {solver} numpy", LogisticRegression(solver=solver, tol=TOL).fit, X, y
    )
    assert model.converged_


@pytest.mark.parametrize("solver", ["auto", "lbfgs"])
def test_xlogreg_torch(timed, problem, solver):
    torch = pytest.importorskip("torch")
    name, X, y = problem
    _skip_lbfgs_where_it_cannot_converge(name, solver)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    model = timed(
        name, f"xlogreg {solver} torch-cpu", LogisticRegression(solver=solver, tol=TOL).fit, Xt, yt
    )
    assert model.converged_


@pytest.mark.parametrize("solver", ["lbfgs", "newton-cholesky"])
def test_sklearn(timed, problem, solver):
    name, X, y = problem
    _skip_lbfgs_where_it_cannot_converge(name, solver)
    estimator = SkLogisticRegression(solver=solver, tol=TOL, max_iter=10_000)
    timed(name, f"sklearn {solver}", estimator.fit, X, y)
