"""Time to solution: xlogreg's solvers against scikit-learn's, same data, same run.

Every contender fits the same problem to the same tolerance (tol=1e-8 on the
gradient max-norm, scikit-learn's criterion too, with C=1). After the timed
fit, its solution's objective is computed once, in float64 NumPy, with
scikit-learn's formula (mean log loss + ‖coef‖²/(2·C·n)); the table reports
each one's relative gap to the best, so "equal final objective" can be read
off. Medians are reported as ratios to scikit-learn's faster solver on NumPy
float64 that converged.

Contenders: xlogreg on NumPy float64 (``auto``, ``newton``, ``lbfgs``, and
``gd`` with ``learning_rate=1`` on the well-conditioned problems small enough
for it), NumPy float32 and torch CPU float64/float32 (``auto``, ``lbfgs``),
and on a GPU torch CUDA and CuPy (skipped without one); scikit-learn's
``lbfgs`` and ``newton-cholesky`` on NumPy float64, and its array-API
``lbfgs`` on the same torch float64 tensors as xlogreg's (CPU, and CUDA where
present). On the ill-conditioned problems scikit-learn's L-BFGS would take
10,000 iterations (minutes) and still miss the optimum: it runs capped at its
default ``max_iter=100`` and is marked as not converged. float32 contenders
are compared with scikit-learn in float64, on the same data rounded.

``--quick`` runs three of the problems.
"""

from __future__ import annotations

import warnings

import array_api_compat
import numpy as np
import pytest
import sklearn
from sklearn.exceptions import ConvergenceWarning as SkConvergenceWarning
from sklearn.linear_model import LogisticRegression as SkLogisticRegression

from xlogreg import LogisticRegression

from devices import gpu
from problems import make_problem

TOL = 1e-8
C = 1.0
SKLEARN_MAX_ITER = 10_000
# scikit-learn's default: where its L-BFGS cannot converge it runs only this far.
SKLEARN_CAPPED_MAX_ITER = 100
# Gradient descent only where it is sensible: well-conditioned, at most this many entries of X.
GD_MAX_ENTRIES = 16_000_000
# From this many entries of X on, a fit takes seconds: 3 rounds without a warm-up
# (first-call costs were paid by the smaller problems before), not a timed first call.
LARGE_ENTRIES = 20_000_000
GD_LEARNING_RATE = 1.0

# name: (n_samples, n_features, ill-conditioned)
PROBLEMS = {
    "small 1k x 8": (1_000, 8, False),
    "well-conditioned 100k x 32": (100_000, 32, False),
    "well-conditioned 10k x 1024": (10_000, 1024, False),
    "well-conditioned 1M x 64": (1_000_000, 64, False),
    "well-conditioned 4M x 8": (4_000_000, 8, False),
    "ill-conditioned 50k x 16": (50_000, 16, True),
    "ill-conditioned 200k x 32": (200_000, 32, True),
}
QUICK = ("small 1k x 8", "well-conditioned 100k x 32", "ill-conditioned 50k x 16")


class Problem:
    """One problem's data, with its float32 copy made once, when first asked for."""

    def __init__(self, name: str) -> None:
        n, d, ill = PROBLEMS[name]
        self.name, self.ill_conditioned = name, ill
        self.X, self.y = make_problem(n, d, ill_conditioned=ill)
        self._float32 = None

    def numpy(self, dtype: str) -> np.ndarray:
        if dtype == "float64":
            return self.X
        if self._float32 is None:
            self._float32 = self.X.astype(np.float32)
        return self._float32

    def gd_is_sensible(self) -> bool:
        return not self.ill_conditioned and self.X.size <= GD_MAX_ENTRIES

    def rounds(self) -> dict:
        """``timed``'s round options for this problem's size."""
        return {"rounds": 3, "warmup": False} if self.X.size >= LARGE_ENTRIES else {}

    def objective(self, coef, intercept) -> float:
        """scikit-learn's objective at a solution, in float64 NumPy on the float64 data."""
        coef = _host(coef).reshape(-1)
        intercept = float(_host(intercept).reshape(-1)[0])
        z = self.X @ coef + intercept
        n = self.X.shape[0]
        return float(np.mean(np.logaddexp(0.0, z) - self.y * z) + coef @ coef / (2 * C * n))


def _host(a) -> np.ndarray:
    """A float64 NumPy copy of an array from any library and device."""
    if array_api_compat.is_torch_array(a):
        a = a.detach().cpu().numpy()
    elif array_api_compat.is_cupy_array(a):
        a = a.get()
    return np.asarray(a, dtype=np.float64)


def pytest_generate_tests(metafunc):
    if "problem" in metafunc.fixturenames:
        names = QUICK if metafunc.config.getoption("quick") else list(PROBLEMS)
        metafunc.parametrize("problem", names, indirect=True, scope="module")


@pytest.fixture(scope="module")
def problem(request):
    return Problem(request.param)


def _xlogreg(solver: str) -> LogisticRegression:
    if solver == "gd":
        return LogisticRegression(solver="gd", learning_rate=GD_LEARNING_RATE, tol=TOL, C=C)
    return LogisticRegression(solver=solver, tol=TOL, C=C)


def _fit_xlogreg(timed, problem, solver, library, dtype, X, y, synchronize=None):
    estimator = _xlogreg(solver)

    def fit(X, y):
        model = estimator.fit(X, y)
        if synchronize is not None:
            synchronize()
        return model

    note = f"learning_rate={GD_LEARNING_RATE}" if solver == "gd" else ""
    model = timed(
        problem.name,
        f"xlogreg {solver} {library} {dtype}",
        fit,
        X,
        y,
        **problem.rounds(),
        kind="fit",
        package="xlogreg",
        solver=solver,
        library=library,
        dtype=dtype,
        note=note,
    )
    assert model.converged_, f"xlogreg {solver} did not converge on {problem.name}"
    timed.record(
        objective=problem.objective(model.coef_, model.intercept_),
        n_iter=int(model.n_iter_),
        converged=True,
    )


@pytest.mark.parametrize(
    ("solver", "dtype"),
    [
        ("auto", "float64"),
        ("newton", "float64"),
        ("lbfgs", "float64"),
        ("gd", "float64"),
        ("auto", "float32"),
        ("lbfgs", "float32"),
    ],
)
def test_xlogreg_numpy(timed, problem, solver, dtype):
    if solver == "gd" and not problem.gd_is_sensible():
        pytest.skip("gd runs only on well-conditioned problems of at most 16M entries")
    _fit_xlogreg(timed, problem, solver, "numpy", dtype, problem.numpy(dtype), problem.y)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("solver", ["auto", "lbfgs"])
def test_xlogreg_torch_cpu(timed, problem, solver, dtype):
    torch = pytest.importorskip("torch")
    X, y = torch.from_numpy(problem.numpy(dtype)), torch.from_numpy(problem.y)
    _fit_xlogreg(timed, problem, solver, "torch-cpu", dtype, X, y)


@pytest.mark.parametrize("solver", ["auto", "lbfgs"])
@pytest.mark.parametrize(
    ("library", "dtype"),
    [("torch-cuda", "float64"), ("torch-cuda", "float32"), ("cupy", "float64")],
)
def test_xlogreg_gpu(timed, problem, solver, library, dtype):
    to_device, synchronize = gpu(library)
    X, y = to_device(problem.numpy(dtype)), to_device(problem.y)
    synchronize()
    _fit_xlogreg(timed, problem, solver, library, dtype, X, y, synchronize)


def _fit_sklearn(timed, problem, solver, library, X, y, synchronize=None):
    capped = solver == "lbfgs" and problem.ill_conditioned
    max_iter = SKLEARN_CAPPED_MAX_ITER if capped else SKLEARN_MAX_ITER
    estimator = SkLogisticRegression(solver=solver, tol=TOL, C=C, max_iter=max_iter)
    array_api = library != "numpy"

    def fit(X, y):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SkConvergenceWarning)
            with sklearn.config_context(array_api_dispatch=array_api):
                model = estimator.fit(X, y)
        if synchronize is not None:
            synchronize()
        return model

    prefix = "sklearn array-API" if array_api else "sklearn"
    model = timed(
        problem.name,
        f"{prefix} {solver} {library} float64",
        fit,
        X,
        y,
        # A capped fit's time says only that it takes long: one call is enough.
        **({"rounds": 1, "warmup": False} if capped else problem.rounds()),
        kind="fit",
        package="sklearn",
        solver=solver,
        library=library,
        dtype="float64",
        reference=not array_api,
    )
    n_iter = int(np.max(_host(model.n_iter_)))
    timed.record(
        objective=problem.objective(model.coef_, model.intercept_),
        n_iter=n_iter,
        converged=n_iter < max_iter,
        note="" if n_iter < max_iter else f"did not converge: capped at max_iter={max_iter}",
    )


@pytest.mark.parametrize("solver", ["lbfgs", "newton-cholesky"])
def test_sklearn(timed, problem, solver):
    _fit_sklearn(timed, problem, solver, "numpy", problem.X, problem.y)


def _array_api_dispatch_unavailable() -> str | None:
    try:
        with sklearn.config_context(array_api_dispatch=True):
            pass
    except (ImportError, RuntimeError) as error:
        return str(error)
    return None


@pytest.mark.parametrize("library", ["torch-cpu", "torch-cuda"])
def test_sklearn_array_api(timed, problem, library):
    torch = pytest.importorskip("torch")
    reason = _array_api_dispatch_unavailable()
    if reason:
        pytest.skip(f"scikit-learn's array-API dispatch is unavailable: {reason}")
    synchronize = None
    if library == "torch-cuda":
        to_device, synchronize = gpu(library)
        X, y = to_device(problem.X), to_device(problem.y)
        synchronize()
    else:
        X, y = torch.from_numpy(problem.X), torch.from_numpy(problem.y)
    _fit_sklearn(timed, problem, "lbfgs", library, X, y, synchronize)
