"""Fits on a Dask array on a local cluster, against the same fit in memory and scikit-learn's.

``LogisticRegression`` fits a Dask array of float64 NumPy row chunks on a
``distributed.LocalCluster`` of worker processes with one thread each, once
with 2 workers and once with 1 (each cluster started once for the module, not
per round), with ``solver="newton"`` and ``"lbfgs"``, tol=1e-8 on the
gradient max-norm and C=1. The same NumPy data is fitted in memory in this
process by xlogreg (same solver, same tol) and by scikit-learn
(``newton-cholesky`` and ``lbfgs``), in the same run.

``X`` and ``y`` are persisted on the workers before the clock starts (the
time it took is a note); each timed Dask fit still includes the fit's own
checking pass over the chunks. Every solver evaluation is one round trip
through the scheduler: the rows record the solver's iterations and the
graphs the scheduler received during one more, untimed, fit (a scheduler
plugin counts them), so the per-iteration cost shows.

The workers run NumPy's BLAS with one thread each (``distributed`` sets
``OMP_NUM_THREADS=1`` and friends in its worker processes); the in-memory fits
use the process's BLAS threads (2 on the 2-core machine). After the timed fit
each solution's objective is computed once, in float64 NumPy with
scikit-learn's formula, for the "objective gap" column.

``--quick`` fits a much smaller problem.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning as SkConvergenceWarning
from sklearn.linear_model import LogisticRegression as SkLogisticRegression

from xlogreg import LogisticRegression

from clusters import local_cluster
from problems import make_problem
from report import NOTES

distributed = pytest.importorskip("distributed")
da = pytest.importorskip("dask.array")

TOL = 1e-8
C = 1.0
SKLEARN_MAX_ITER = 10_000
SOLVERS = ("newton", "lbfgs")
SKLEARN_SOLVERS = ("newton-cholesky", "lbfgs")
WORKERS = (2, 1)
# mode: (group name, n_samples, n_features, rows per chunk)
PROBLEMS = {
    "full": ("dask 1M x 32, 8 chunks of 125k rows", 1_000_000, 32, 125_000),
    "quick": ("dask 100k x 16, 8 chunks of 12.5k rows", 100_000, 16, 12_500),
}
GRAPH_COUNTER = "xlogreg-benchmark-graphs"


class _GraphCounter(distributed.diagnostics.plugin.SchedulerPlugin):
    """Counts the graphs the scheduler receives: one per compute or persist call."""

    name = GRAPH_COUNTER

    def __init__(self) -> None:
        self.graphs = 0

    def update_graph(self, scheduler, **kwargs) -> None:
        self.graphs += 1


def _graphs(dask_scheduler) -> int:
    return dask_scheduler.plugins[GRAPH_COUNTER].graphs


class Problem:
    """A well-conditioned binary problem in NumPy, and its group name and chunk size."""

    def __init__(self, name: str, n_samples: int, n_features: int, chunk_rows: int) -> None:
        self.name, self.chunk_rows = name, chunk_rows
        self.X, self.y = make_problem(n_samples, n_features, ill_conditioned=False)

    def objective(self, coef, intercept) -> float:
        """scikit-learn's objective at a solution, in float64 NumPy."""
        coef = np.asarray(coef, dtype=np.float64).reshape(-1)
        intercept = float(np.asarray(intercept, dtype=np.float64).reshape(-1)[0])
        z = self.X @ coef + intercept
        n = self.X.shape[0]
        return float(np.mean(np.logaddexp(0.0, z) - self.y * z) + coef @ coef / (2 * C * n))


@pytest.fixture(scope="module")
def problem(request) -> Problem:
    quick = request.config.getoption("--quick", default=False)
    return Problem(*PROBLEMS["quick" if quick else "full"])


class OnCluster:
    """A ``LocalCluster``, its client, and the problem's ``X`` and ``y`` persisted on it."""

    def __init__(self, client, workers: int, problem: Problem) -> None:
        self.client, self.workers = client, workers
        chunks = (problem.chunk_rows, -1)
        start = time.perf_counter()
        with warnings.catch_warnings():  # the NumPy arrays travel inside the graph, once
            warnings.filterwarnings("ignore", message=".*[Ll]arge graph.*")
            X = da.from_array(problem.X, chunks=chunks).persist()
            y = da.from_array(problem.y, chunks=chunks[:1]).persist()
            distributed.wait([X, y])
        seconds = time.perf_counter() - start
        self.X, self.y = X, y
        mib = (problem.X.nbytes + problem.y.nbytes) / 2**20
        NOTES.append(
            f"{problem.name}: sending X and y ({mib:.0f} MiB) to {_workers(workers)}"
            f" and persisting them took {seconds:.2f} s, once, before the timed fits"
        )
        client.register_plugin(_GraphCounter())

    def graphs(self) -> int:
        return self.client.run_on_scheduler(_graphs)


def _workers(n: int) -> str:
    return f"{n} worker{'s' if n > 1 else ''}"


@pytest.fixture(scope="module", params=WORKERS, ids=lambda n: _workers(n).replace(" ", "-"))
def on_cluster(request, problem):
    workers = request.param
    with local_cluster(workers) as client:
        yield OnCluster(client, workers, problem)


def _details(problem: Problem, model) -> dict:
    return {
        "objective": problem.objective(model.coef_, model.intercept_),
        "n_iter": int(np.max(np.asarray(model.n_iter_))),
    }


@pytest.mark.parametrize("solver", SOLVERS)
def test_dask(timed, problem, on_cluster, solver):
    estimator = LogisticRegression(solver=solver, tol=TOL, C=C)
    model = timed(
        problem.name,
        f"xlogreg {solver} dask, {_workers(on_cluster.workers)}",
        estimator.fit,
        on_cluster.X,
        on_cluster.y,
        kind="dask",
        package="xlogreg",
        solver=solver,
        library="dask",
        workers=on_cluster.workers,
        threads_per_worker=1,
    )
    assert model.converged_, f"xlogreg {solver} on Dask did not converge on {problem.name}"
    before = on_cluster.graphs()
    LogisticRegression(solver=solver, tol=TOL, C=C).fit(on_cluster.X, on_cluster.y)
    timed.record(
        **_details(problem, model),
        converged=True,
        round_trips=on_cluster.graphs() - before,
    )


@pytest.mark.parametrize("solver", SOLVERS)
def test_numpy(timed, problem, solver):
    estimator = LogisticRegression(solver=solver, tol=TOL, C=C)
    model = timed(
        problem.name,
        f"xlogreg {solver} numpy",
        estimator.fit,
        problem.X,
        problem.y,
        kind="dask",
        package="xlogreg",
        solver=solver,
        library="numpy",
    )
    assert model.converged_, f"xlogreg {solver} did not converge on {problem.name}"
    timed.record(**_details(problem, model), converged=True)


@pytest.mark.parametrize("solver", SKLEARN_SOLVERS)
def test_sklearn(timed, problem, solver):
    estimator = SkLogisticRegression(solver=solver, tol=TOL, C=C, max_iter=SKLEARN_MAX_ITER)

    def fit(X, y):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SkConvergenceWarning)
            return estimator.fit(X, y)

    model = timed(
        problem.name,
        f"sklearn {solver} numpy",
        fit,
        problem.X,
        problem.y,
        kind="dask",
        package="sklearn",
        solver=solver,
        library="numpy",
        reference=True,
    )
    details = _details(problem, model)
    converged = details["n_iter"] < SKLEARN_MAX_ITER
    timed.record(**details, converged=converged, note="" if converged else "did not converge")
