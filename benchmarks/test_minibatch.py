"""Mini-batch training (SGD, Adam) against full-batch fits, on data that fits in memory.

Mini-batch training exists for data larger than the device (``device=`` streams
row batches from host NumPy arrays or memory maps); on data that fits, the
question is what it costs. Every contender fits the same standardized binary
problem with C=1: full-batch Newton and L-BFGS to tol=1e-8 on the gradient,
SGD (``learning_rate=0.5``) and Adam (``learning_rate=0.05``) with batches of
4096 rows (and Adam with 256) until their training loss stops improving by
1e-6 (their stopping rule), with ``random_state=0``. The streaming contenders
read a memory-mapped ``.npy`` and compute on torch (CPU here; CUDA where
present). scikit-learn's ``SGDClassifier`` on the same objective (log loss,
``alpha = 1/(C·n)``) is the reference of the ratios; its default "optimal"
step schedule stops far from the minimizer at this small ``alpha``.

torch on a CPU shared with other busy processes can take milliseconds per
small operation (its thread pool waits for a core): compare torch rows only
from a quiet machine.

After the timed fit, each solution's objective is compared once with Newton's
optimum: a note per contender gives its epochs, the relative objective gap and
the relative distance of its coefficients.

``--quick`` runs a smaller problem with fewer rounds.
"""

from __future__ import annotations

import warnings

import array_api_compat
import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning as SkConvergenceWarning
from sklearn.linear_model import SGDClassifier

from xlogreg import LogisticRegression

from devices import gpu
from report import NOTES

C = 1.0
STEPS = {"sgd": 0.5, "adam": 0.05}
MINIBATCH_TOL = 1e-6
# name: (n_samples, n_features, rounds)
PROBLEMS = {
    "full": ("minibatch 200k x 32", 200_000, 32, 3),
    "quick": ("minibatch 20k x 16", 20_000, 16, 1),
}


def _quick(config) -> bool:
    # The conftest defines --quick; read it defensively, so this file runs without it too.
    return bool(config.getoption("--quick", default=False))


class Problem:
    """A standardized Gaussian problem, its exact optimum, and a memory map of its X."""

    def __init__(self, name, n_samples, n_features, rounds, directory):
        rng = np.random.default_rng(0)
        self.name, self.rounds = name, rounds
        self.X = rng.standard_normal((n_samples, n_features))
        w = rng.standard_normal(n_features) / np.sqrt(n_features)
        self.y = (rng.random(n_samples) < 1.0 / (1.0 + np.exp(-(self.X @ w + 0.2)))).astype(
            np.int64
        )
        exact = LogisticRegression(solver="newton", tol=1e-10, C=C).fit(self.X, self.y)
        self.optimum = np.r_[exact.coef_[0], exact.intercept_]
        self.best = self.objective(self.optimum)
        path = directory / "X.npy"
        np.save(path, self.X)
        self.path = path

    def memory_map(self):
        return np.load(self.path, mmap_mode="r")

    def objective(self, params) -> float:
        """scikit-learn's objective, mean log loss + ‖coef‖²/(2·C·n), in float64 NumPy."""
        z = self.X @ params[:-1] + params[-1]
        penalty = params[:-1] @ params[:-1] / (2 * C * self.X.shape[0])
        return float(np.mean(np.logaddexp(0.0, z) - self.y * z) + penalty)


@pytest.fixture(scope="module")
def problem(request, tmp_path_factory):
    name, n, d, rounds = PROBLEMS["quick" if _quick(request.config) else "full"]
    return Problem(name, n, d, rounds, tmp_path_factory.mktemp("minibatch"))


def _host(a) -> np.ndarray:
    if array_api_compat.is_torch_array(a):
        a = a.detach().cpu().numpy()
    elif array_api_compat.is_cupy_array(a):
        a = a.get()
    return np.asarray(a, dtype=np.float64).reshape(-1)


def _report(timed, problem, name, params, epochs):
    gap = (problem.objective(params) - problem.best) / abs(problem.best)
    error = np.linalg.norm(params - problem.optimum) / np.linalg.norm(problem.optimum)
    NOTES.append(
        f"{problem.name}: {name}: {epochs} epochs/iterations, objective gap {gap:.1e}, "
        f"coefficient error {error:.1e} (relative, vs Newton's optimum)"
    )
    record = getattr(timed, "record", None)  # the conftest's Timer; absent in older ones
    if record is not None:
        record(objective=problem.objective(params), n_iter=int(epochs), converged=True)


def _timed(timed, problem, name, function, *args, **details):
    """``timed`` with the details that newer conftests file, which older ones do not take.

    Newer conftests plan the rounds themselves (``rounds=None``: as many as fit
    in a few seconds, at least 1 in quick mode and 3 in full mode).
    """
    if hasattr(timed, "record"):
        return timed(problem.name, name, function, *args, rounds=None, **details)
    return timed(problem.name, name, function, *args, rounds=problem.rounds)


def _fit(timed, problem, name, estimator, X, y, synchronize=None, **details):
    def fit(X, y):
        model = estimator.fit(X, y)
        if synchronize is not None:
            synchronize()
        return model

    model = _timed(timed, problem, name, fit, X, y, kind="minibatch", package="xlogreg", **details)
    assert model.converged_, f"{name} did not converge on {problem.name}"
    _report(timed, problem, name, np.r_[_host(model.coef_), _host(model.intercept_)], model.n_iter_)


@pytest.mark.parametrize("solver", ["newton", "lbfgs"])
def test_full_batch(timed, problem, solver):
    estimator = LogisticRegression(solver=solver, tol=1e-8, C=C)
    _fit(timed, problem, f"xlogreg {solver} numpy (full batch)", estimator, problem.X, problem.y)


def _minibatch(solver, batch_size, **params):
    return LogisticRegression(
        solver=solver,
        learning_rate=STEPS[solver],
        batch_size=batch_size,
        tol=MINIBATCH_TOL,
        C=C,
        random_state=0,
        **params,
    )


@pytest.mark.parametrize(("solver", "batch_size"), [("sgd", 4096), ("adam", 4096), ("adam", 256)])
def test_minibatch_numpy(timed, problem, solver, batch_size):
    _fit(
        timed,
        problem,
        f"xlogreg {solver} numpy batch {batch_size}",
        _minibatch(solver, batch_size),
        problem.X,
        problem.y,
        solver=solver,
        library="numpy",
    )


def test_minibatch_torch_cpu(timed, problem):
    torch = pytest.importorskip("torch")
    X, y = torch.from_numpy(problem.X), torch.from_numpy(problem.y)
    name = "xlogreg adam torch-cpu batch 4096"
    _fit(timed, problem, name, _minibatch("adam", 4096), X, y, solver="adam", library="torch")


def test_memory_map_streamed_to_torch_cpu(timed, problem):
    pytest.importorskip("torch")
    estimator = _minibatch("adam", 4096, device="torch:cpu")
    name = "xlogreg adam memmap -> torch:cpu batch 4096"
    _fit(timed, problem, name, estimator, problem.memory_map(), problem.y, library="torch")


@pytest.mark.parametrize("source", ["memmap streamed", "on device"])
def test_minibatch_gpu(timed, problem, source):
    to_device, synchronize = gpu("torch-cuda")
    if source == "on device":
        X, y = to_device(problem.X), to_device(problem.y)
        estimator = _minibatch("adam", 65536)
    else:
        X, y = problem.memory_map(), problem.y
        estimator = _minibatch("adam", 65536, device="torch:cuda")
    name = f"xlogreg adam {source} torch-cuda batch 65536"
    _fit(timed, problem, name, estimator, X, y, synchronize, library="torch-cuda")


def test_sklearn_sgd(timed, problem):
    n = problem.X.shape[0]
    estimator = SGDClassifier(
        loss="log_loss", alpha=1.0 / (C * n), tol=MINIBATCH_TOL, max_iter=1000, random_state=0
    )

    def fit(X, y):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SkConvergenceWarning)
            return estimator.fit(X, y)

    name = "sklearn SGDClassifier"
    model = _timed(
        timed, problem, name, fit, problem.X, problem.y, kind="minibatch", package="sklearn"
    )
    _report(timed, problem, name, np.r_[model.coef_[0], model.intercept_], model.n_iter_)
