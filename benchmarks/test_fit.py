"""Time to solution: xlogreg's solvers against scikit-learn's, same data, same run.

Every contender is fitted to the same tolerance (tol=1e-8 on the gradient
max-norm, which is scikit-learn's criterion too); the summary at the end of
``nox -s bench`` prints each median as a ratio to scikit-learn's faster solver.
scikit-learn's L-BFGS is left out of the ill-conditioned problem: it does not
converge there in thousands of iterations. Ours, scaled by the Hessian's
diagonal, does.

The GPU contenders (torch CUDA, CuPy) get their data on the device before the
clock starts, and each timed call waits for the device to finish. They skip
where there is no GPU, and so does the large problem, which only they and
scikit-learn run.
"""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression as SkLogisticRegression

from xlogreg import LogisticRegression

from devices import any_gpu, gpu

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
    "large 1M x 64 (GPU only)": (1_000_000, 64, False),
}


def _gpu_only(name):
    return "GPU only" in name


@pytest.fixture(scope="module", params=list(PROBLEMS))
def problem(request):
    if _gpu_only(request.param) and not any_gpu():
        pytest.skip("the large problem runs only where there is a GPU")
    n, d, ill = PROBLEMS[request.param]
    return request.param, *_problem(n, d, ill_conditioned=ill)


def _skip_gpu_only(name):
    if _gpu_only(name):
        pytest.skip("the large problem is for GPU contenders and scikit-learn only")


def _skip_lbfgs_where_it_cannot_converge(name, solver):
    if solver == "lbfgs" and name.startswith("ill-conditioned"):
        pytest.skip("scikit-learn's L-BFGS does not converge on the ill-conditioned problem")


@pytest.mark.parametrize("solver", ["auto", "newton", "lbfgs"])
def test_xlogreg_numpy(timed, problem, solver):
    name, X, y = problem
    _skip_gpu_only(name)
    model = timed(
        name, f"xlogreg {solver} numpy", LogisticRegression(solver=solver, tol=TOL).fit, X, y
    )
    assert model.converged_


@pytest.mark.parametrize("solver", ["auto", "lbfgs"])
def test_xlogreg_torch(timed, problem, solver):
    torch = pytest.importorskip("torch")
    name, X, y = problem
    _skip_gpu_only(name)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    model = timed(
        name, f"xlogreg {solver} torch-cpu", LogisticRegression(solver=solver, tol=TOL).fit, Xt, yt
    )
    assert model.converged_


@pytest.mark.parametrize("solver", ["auto", "lbfgs"])
@pytest.mark.parametrize(
    ("library", "dtype"),
    [("torch-cuda", "float64"), ("torch-cuda", "float32"), ("cupy", "float64")],
)
def test_xlogreg_gpu(timed, problem, solver, library, dtype):
    to_device, synchronize = gpu(library)
    name, X, y = problem
    Xd, yd = to_device(X.astype(dtype, copy=False)), to_device(y)
    synchronize()
    estimator = LogisticRegression(solver=solver, tol=TOL)

    def fit_and_wait(X, y):
        model = estimator.fit(X, y)
        synchronize()
        return model

    suffix = "" if dtype == "float64" else f" {dtype}"
    model = timed(name, f"xlogreg {solver} {library}{suffix}", fit_and_wait, Xd, yd)
    assert model.converged_


@pytest.mark.parametrize("solver", ["lbfgs", "newton-cholesky"])
def test_sklearn(timed, problem, solver):
    name, X, y = problem
    _skip_lbfgs_where_it_cannot_converge(name, solver)
    estimator = SkLogisticRegression(solver=solver, tol=TOL, max_iter=10_000)
    timed(name, f"sklearn {solver}", estimator.fit, X, y)
