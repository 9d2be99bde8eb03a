"""The GPU check's benchmark (``benchmarks/gpu-check.sh``): big fits, epochs and metrics on
every GPU library, with scikit-learn on the host's CPU in the same run.

Runs only with ``--gpu-check`` (the script passes it); ``--gpu-check-smoke`` shrinks
every size a hundredfold, to try the module on a machine without a GPU.

- **Fits**: ``auto`` and ``lbfgs`` to ``tol=1e-6`` (``C=1``) and 100 iterations of
  ``gd`` (``learning_rate=1``, reported per iteration) on 10M x 128 float32, on torch
  CUDA, CuPy and JAX (x64 off); xlogreg on NumPy and scikit-learn's ``lbfgs`` on the
  same float32 data on the CPU. Every solution's objective is computed once on the
  host, so the table's "objective gap" compares them.
- **Epochs**: one ``Binomial.loss_grad(w)`` against one ``X @ v`` and one streaming
  read of X (the library's own ``sum``) on the device.
- **Metrics**: ``roc_auc_score``, ``average_precision_score``, ``log_loss`` and the
  expected calibration error (scikit-learn: ``calibration_curve``) on 100M float32
  scores.

The data is drawn once on the host (NumPy, seed 0) and copied to each library in
turn, one library's copy on the device at a time. The GPU rows run first; a deadline
(``--gpu-check-seconds``) skips what would start after it, so the run always ends
with its JSON, and the script within its time.
"""

from __future__ import annotations

import time
import warnings

import array_api_compat
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression as SkLogisticRegression

from xlogreg import ConvergenceWarning, LogisticRegression
from xlogreg._backend import to_numpy
from xlogreg.objectives import Binomial

import problems
from devices import GPU_LIBRARIES, gpu

SIZES = {
    "full": {"rows": 10_000_000, "features": 128, "scores": 100_000_000},
    "smoke": {"rows": 100_000, "features": 128, "scores": 1_000_000},
}
TOL = 1e-6
C = 1.0
GD_ITERATIONS = 100
SOLVERS = ("auto", "lbfgs", "gd")
ROUNDS = 3
METRICS = {
    name: problems.METRICS[name]
    for name in (
        "roc_auc_score",
        "average_precision_score",
        "log_loss",
        "expected_calibration_error (10 bins)",
    )
}
# xlogreg on NumPy runs in the smoke run only: the full run's budget goes to the GPU.
CONTENDERS = (*GPU_LIBRARIES, "numpy")

pytestmark = pytest.mark.skipif(
    "not config.getoption('gpu_check')", reason="runs in benchmarks/gpu-check.sh (--gpu-check)"
)


def _size(config) -> dict[str, int]:
    return SIZES["smoke" if config.getoption("gpu_check_smoke") else "full"]


@pytest.fixture(scope="session")
def deadline(request) -> float:
    return time.monotonic() + request.config.getoption("gpu_check_seconds")


@pytest.fixture(autouse=True)
def _within_budget(deadline):
    if time.monotonic() > deadline:
        pytest.skip("the GPU check's time budget is spent")


@pytest.fixture(scope="session")
def problem(request):
    """X (float32), y and the host's float64 view of the objective, drawn once."""
    size = _size(request.config)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((size["rows"], size["features"]), dtype=np.float32)
    w = (rng.standard_normal(size["features"]) / np.sqrt(size["features"])).astype(np.float32)
    z = X @ w
    y = (rng.random(size["rows"]) < 1 / (1 + np.exp(-z))).astype(np.int32)
    return X, y


@pytest.fixture(scope="session")
def scored(request):
    n = _size(request.config)["scores"]
    rng = np.random.default_rng(1)
    y_prob = rng.random(n, dtype=np.float32)
    y_true = (rng.random(n, dtype=np.float32) < y_prob).astype(np.int32)
    return y_true, y_prob


class _OnDevice:
    """The arrays of the last library asked for; asking for another frees them first."""

    def __init__(self, smoke: bool) -> None:
        self.smoke = smoke
        self.key, self.arrays = None, None

    def __call__(self, library: str, name: str, host: tuple):
        if self.key != (library, name):
            self.key, self.arrays = None, None
            to_device, synchronize = self._library(library)
            self.arrays = (tuple(to_device(a) for a in host), synchronize)
            synchronize()
            self.key = (library, name)
        return self.arrays

    def _library(self, library: str):
        if library != "numpy":
            return gpu(library)
        if not self.smoke:
            pytest.skip("xlogreg on NumPy runs in the smoke run only")
        return np.asarray, lambda: None


@pytest.fixture(scope="session")
def on_device(request):
    return _OnDevice(request.config.getoption("gpu_check_smoke"))


def _rows_label(n: int) -> str:
    return f"{n // 1_000_000}M" if n >= 1_000_000 else f"{n // 1000}k"


def _objective(X, y, coef, intercept) -> float:
    """scikit-learn's objective at a solution, on the host (X @ coef in float32)."""
    coef = _host(coef).reshape(-1)
    intercept = float(_host(intercept).reshape(-1)[0])
    z = (X @ coef.astype(np.float32)).astype(np.float64) + intercept
    return float(np.mean(np.logaddexp(0.0, z) - y * z) + coef @ coef / (2 * C * X.shape[0]))


def _host(a) -> np.ndarray:
    return np.asarray(to_numpy(a), np.float64)


def _estimator(solver: str) -> LogisticRegression:
    if solver == "gd":
        return LogisticRegression(solver="gd", learning_rate=1.0, max_iter=GD_ITERATIONS, C=C)
    return LogisticRegression(solver=solver, tol=TOL, C=C)


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("library", CONTENDERS)
def test_fit(timed, problem, on_device, library, solver):
    (X, y), synchronize = on_device(library, "problem", problem)
    estimator = _estimator(solver)

    def fit(X, y):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # gd stops at its iterations
            model = estimator.fit(X, y)
        synchronize()
        return model

    n, d = problem[0].shape
    note = f"{GD_ITERATIONS} iterations, learning_rate=1" if solver == "gd" else ""
    model = timed(
        f"GPU check: fit {_rows_label(n)} x {d} float32",
        f"xlogreg {solver} {library}",
        fit,
        X,
        y,
        rounds=ROUNDS,
        kind="fit",
        package="xlogreg",
        solver=solver,
        library=library,
        dtype="float32",
        note=note,
    )
    assert solver == "gd" or model.converged_, f"xlogreg {solver} did not converge on {library}"
    timed.record(
        objective=_objective(*problem, model.coef_, model.intercept_),
        n_iter=int(model.n_iter_),
        converged=bool(model.converged_),
    )


def test_sklearn_fit(timed, problem):
    X, y = problem
    n, d = X.shape
    model = timed(
        f"GPU check: fit {_rows_label(n)} x {d} float32",
        "sklearn lbfgs numpy (CPU)",
        SkLogisticRegression(solver="lbfgs", tol=TOL, C=C, max_iter=10_000).fit,
        X,
        y,
        rounds=1,
        warmup=False,
        kind="fit",
        package="sklearn",
        solver="lbfgs",
        library="numpy",
        dtype="float32",
        reference=True,
    )
    timed.record(
        objective=_objective(X, y, model.coef_, model.intercept_),
        n_iter=int(np.max(model.n_iter_)),
        converged=True,
    )


EPOCH_OPERATIONS = {
    "loss_grad": "Binomial.loss_grad(w)",
    "gemv": "X @ v (gemv)",
    "stream": "sum(X) (streaming read)",
}


@pytest.mark.parametrize("operation", list(EPOCH_OPERATIONS))
@pytest.mark.parametrize("library", CONTENDERS)
def test_epoch(timed, problem, on_device, library, operation):
    (X, y), synchronize = on_device(library, "problem", problem)
    xp, device = array_api_compat.array_namespace(X), array_api_compat.device(X)
    d = X.shape[1]
    w = xp.asarray(np.linspace(-1.0, 1.0, d + 1, dtype=np.float32), device=device)
    if operation == "loss_grad":
        ones = xp.ones(X.shape[0], dtype=X.dtype, device=device)
        objective = Binomial(X, xp.astype(y, X.dtype), ones, l2=1.0, fit_intercept=True, xp=xp)
        call = lambda: (objective.loss_grad(w), synchronize())  # noqa: E731
    elif operation == "gemv":
        call = lambda: (X @ w[:-1], synchronize())  # noqa: E731
    else:
        call = lambda: (xp.sum(X), synchronize())  # noqa: E731
    n = X.shape[0]
    timed(
        f"GPU check: epoch {_rows_label(n)} x {d} {library} float32",
        EPOCH_OPERATIONS[operation],
        call,
        kind="epoch",
        operation=operation,
        library=library,
        dtype="float32",
        reference=operation == "gemv",
        stream=operation == "stream",
    )


def _time_metric(timed, scored, metric, package, library, function, *arrays, rounds):
    timed(
        f"GPU check: {metric} on {_rows_label(scored[0].shape[0])} float32 scores",
        "sklearn (CPU)" if package == "sklearn" else f"xlogreg {library}",
        function,
        *arrays,
        rounds=rounds,
        warmup=package != "sklearn",
        kind="metric",
        package=package,
        library=library,
        reference=package == "sklearn",
    )


@pytest.mark.parametrize("metric", list(METRICS))
@pytest.mark.parametrize("library", CONTENDERS)
def test_metric(timed, scored, on_device, library, metric):
    (y_true, y_prob), synchronize = on_device(library, "scored", scored)

    def evaluate_and_wait(y_true, y_prob):
        result = METRICS[metric][0](y_true, y_prob)
        synchronize()
        return result

    _time_metric(
        timed, scored, metric, "xlogreg", library, evaluate_and_wait, y_true, y_prob, rounds=ROUNDS
    )


@pytest.mark.parametrize("metric", list(METRICS))
def test_sklearn_metric(timed, scored, metric):
    _time_metric(timed, scored, metric, "sklearn", "numpy", METRICS[metric][1], *scored, rounds=1)
