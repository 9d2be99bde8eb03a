"""Cross-validated searches (issue 21): xlogreg's batched LogisticRegressionCV against one
xlogreg fit of the same data and scikit-learn's LogisticRegressionCV, in the same run.

Problems (``--quick``: a tenth of the rows), float64 NumPy (and torch CPU for xlogreg):

- L2: 10 Cs (``logspace(-4, 4, 10)``) × 5 stratified folds on 200k × 64 Gaussian features
  with labels from a logistic model (``problems.make_problem``), ``tol=1e-6`` for both
  libraries, scoring accuracy (scikit-learn's default). The goal: at most 3× one xlogreg
  fit of the same data, and at most 0.1× scikit-learn's search.
- Elastic net: 10 Cs (``logspace(-2, 2, 10)``) × l1_ratios (0.25, 0.5, 1) × 5 folds on
  20k × 32, scoring neg_log_loss, against scikit-learn's ``LogisticRegressionCV(
  solver="saga")`` and the same search fitted fit by fit with glum
  (``GeneralizedLinearRegressor(family="binomial", alpha=1/(C·Σw), l1_ratio)``, one fit per
  (fold, C, l1_ratio), scored by log loss on the fold's test rows).

A Dask row runs the L2 search on 8 chunks on a local cluster of 2 worker processes.
Each row's note gives the chosen C (and l1_ratio). The memory row: one more xlogreg
search of the L2 problem under ``tracemalloc`` (issue 21's goal: extra memory ≤ 0.5× X).
"""

from __future__ import annotations

import gc
import importlib.util
import tracemalloc
import warnings
from importlib import metadata

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegressionCV as SkLogisticRegressionCV
from sklearn.metrics import log_loss
from sklearn.model_selection import StratifiedKFold

from xlogreg import LogisticRegression, LogisticRegressionCV

import report
from clusters import local_cluster
from problems import make_problem
from report import MEMORY

TOL = 1e-6
N_CS = 10
N_FOLDS = 5
L2_SHAPE = ({"full": 200_000, "quick": 20_000}, 64)
EN_SHAPE = ({"full": 20_000, "quick": 4_000}, 32)
EN_CS = np.logspace(-2, 2, 10)
EN_L1_RATIOS = (0.25, 0.5, 1.0)
SAGA_TOL = 1e-4
SKLEARN_MAX_ITER = 1_000
GLUM_TOL = 1e-6
L2_GROUP = "L2 search, {n}k x 64, 10 Cs x 5 folds"
EN_GROUP = "elastic-net search, {n}k x 32, 10 Cs x 3 l1_ratios x 5 folds"
ONE_FIT = "xlogreg LogisticRegression, one fit"


@pytest.fixture(scope="module")
def data(quick):
    """Both problems, after a first search on a small problem (imports and caches untimed)."""
    size = "quick" if quick else "full"
    X, y = make_problem(L2_SHAPE[0][size], L2_SHAPE[1], ill_conditioned=False)
    X_en, y_en = make_problem(EN_SHAPE[0][size], EN_SHAPE[1], ill_conditioned=False, seed=1)
    LogisticRegressionCV(Cs=3, cv=3).fit(X[:2_000], y[:2_000])
    LogisticRegressionCV(Cs=2, l1_ratios=[0.5], cv=3).fit(X_en[:2_000], y_en[:2_000])
    return {
        "l2": (X, y, L2_GROUP.format(n=X.shape[0] // 1000)),
        "en": (X_en, y_en, EN_GROUP.format(n=X_en.shape[0] // 1000)),
    }


def _on(library, X, y):
    if library == "torch-cpu":
        torch = pytest.importorskip("torch")
        return torch.from_numpy(X), torch.from_numpy(y)
    return X, y


def _choice(model) -> str:
    return f"C_={float(model.C_):.3g}, l1_ratio_={float(model.l1_ratio_):g}"


# ----------------------------------------------------------------------------- L2


@pytest.mark.parametrize("library", ["numpy", "torch-cpu"])
def test_one_fit(timed, data, library):
    X, y, group = data["l2"]
    X, y = _on(library, X, y)
    model = timed(
        group,
        f"{ONE_FIT} ({library})",
        lambda: LogisticRegression(tol=TOL).fit(X, y),
        kind="cv",
        package="xlogreg",
        library=library,
    )
    assert model.converged_
    timed.record(n_iter=int(model.n_iter_), note="C=1, all the rows")


@pytest.mark.parametrize("library", ["numpy", "torch-cpu"])
def test_xlogreg_search(timed, data, library):
    X, y, group = data["l2"]
    X, y = _on(library, X, y)
    model = timed(
        group,
        f"xlogreg LogisticRegressionCV ({library})",
        lambda: LogisticRegressionCV(Cs=N_CS, cv=N_FOLDS, tol=TOL).fit(X, y),
        kind="cv",
        package="xlogreg",
        library=library,
    )
    timings = report.TIMINGS.get(group, {})  # empty under --benchmark-disable
    one_fit = timings.get(f"{ONE_FIT} ({library})")
    search = timings.get(f"xlogreg LogisticRegressionCV ({library})")
    versus = f"; {search / one_fit:.2f}x one xlogreg fit" if one_fit and search else ""
    timed.record(n_iter=int(np.max(np.asarray(model.n_iter_))), note=_choice(model) + versus)


def test_xlogreg_search_on_dask(timed, data):
    """The L2 search on a Dask array of 8 chunks, persisted on a local cluster of 2 worker
    processes (one thread each), against the in-memory NumPy search of the same run."""
    da = pytest.importorskip("dask.array")
    X, y, group = data["l2"]
    rows = -(-X.shape[0] // 8)
    name = "xlogreg LogisticRegressionCV (dask, 2 workers)"
    with local_cluster(2):
        X_chunks = da.from_array(X, chunks=(rows, -1)).persist()
        y_chunks = da.from_array(y, chunks=rows).persist()
        model = timed(
            group,
            name,
            lambda: LogisticRegressionCV(Cs=N_CS, cv=N_FOLDS, tol=TOL).fit(X_chunks, y_chunks),
            kind="cv",
            package="xlogreg",
            library="dask",
        )
    timings = report.TIMINGS.get(group, {})
    in_memory = timings.get("xlogreg LogisticRegressionCV (numpy)")
    search = timings.get(name)
    versus = f"; {search / in_memory:.2f}x the NumPy search" if in_memory and search else ""
    timed.record(n_iter=int(np.max(np.asarray(model.n_iter_))), note=_choice(model) + versus)


def test_sklearn_search(timed, data):
    X, y, group = data["l2"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # its FutureWarnings about 1.10's defaults
        model = timed(
            group,
            "sklearn LogisticRegressionCV (lbfgs)",
            lambda: SkLogisticRegressionCV(
                Cs=N_CS, cv=N_FOLDS, tol=TOL, l1_ratios=(0.0,), use_legacy_attributes=False
            ).fit(X, y),
            kind="cv",
            package="scikit-learn",
            library="numpy",
            settings=f"scikit-learn {metadata.version('scikit-learn')}",
            reference=True,
        )
    timed.record(note=_choice(model))


def test_memory(data):
    """Peak extra memory of the L2 search on NumPy float64, as test_memory.py measures it."""
    X, y, _ = data["l2"]
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        model = LogisticRegressionCV(Cs=N_CS, cv=N_FOLDS, tol=TOL).fit(X, y)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    n, d = X.shape
    MEMORY.append(
        {
            "data": f"{n // 1000}k x {d} numpy float64, LogisticRegressionCV 10 Cs x 5 folds",
            "library": "numpy",
            "dtype": "float64",
            "solver": "batched Newton",
            "x_bytes": int(X.nbytes),
            "extra_bytes": peak - before,
            "note": _choice(model),
        }
    )


# ----------------------------------------------------------------------------- elastic net


@pytest.mark.parametrize("library", ["numpy", "torch-cpu"])
def test_xlogreg_elastic_net_search(timed, data, library):
    X, y, group = data["en"]
    X, y = _on(library, X, y)
    model = timed(
        group,
        f"xlogreg LogisticRegressionCV ({library})",
        lambda: LogisticRegressionCV(
            Cs=list(EN_CS), l1_ratios=EN_L1_RATIOS, cv=N_FOLDS, tol=TOL, scoring="neg_log_loss"
        ).fit(X, y),
        rounds=1,
        kind="cv",
        package="xlogreg",
        library=library,
    )
    timed.record(n_iter=int(np.max(np.asarray(model.n_iter_))), note=_choice(model))


def test_sklearn_saga_search(timed, data):
    X, y, group = data["en"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = timed(
            group,
            "sklearn LogisticRegressionCV (saga)",
            lambda: SkLogisticRegressionCV(
                Cs=list(EN_CS),
                l1_ratios=EN_L1_RATIOS,
                cv=N_FOLDS,
                solver="saga",
                tol=SAGA_TOL,
                max_iter=SKLEARN_MAX_ITER,
                scoring="neg_log_loss",
                use_legacy_attributes=False,
            ).fit(X, y),
            rounds=1,
            kind="cv",
            package="scikit-learn",
            library="numpy",
            settings=f"tol={SAGA_TOL:g}, max_iter={SKLEARN_MAX_ITER}",
            reference=True,
        )
    capped = int(np.sum(np.asarray(model.n_iter_) >= SKLEARN_MAX_ITER))
    timed.record(note=_choice(model) + (f"; {capped} fits hit max_iter" if capped else ""))


def _glum_search(X, y):
    """The same search fit by fit with glum: the best (C, l1_ratio) by mean log loss."""
    from glum import GeneralizedLinearRegressor

    folds = list(StratifiedKFold(N_FOLDS).split(X, y))
    scores = np.zeros((len(EN_CS), len(EN_L1_RATIOS)))  # scikit-learn's order: C major
    for train, test in folds:
        for r, l1_ratio in enumerate(EN_L1_RATIOS):
            for c, C in enumerate(EN_CS):
                model = GeneralizedLinearRegressor(
                    family="binomial",
                    alpha=1.0 / (C * train.size),
                    l1_ratio=l1_ratio,
                    gradient_tol=GLUM_TOL,
                ).fit(X[train], y[train])
                scores[c, r] -= log_loss(y[test], model.predict(X[test]), labels=[0, 1])
    c, r = np.unravel_index(np.argmax(scores), scores.shape)
    return EN_CS[c], EN_L1_RATIOS[r]


def test_glum_fit_by_fit(timed, data):
    if importlib.util.find_spec("glum") is None:
        pytest.skip("glum is not installed (nox -s bench installs it)")
    X, y, group = data["en"]
    C, l1_ratio = timed(
        group,
        "glum, fit by fit",
        _glum_search,
        X,
        y,
        rounds=1,
        kind="cv",
        package="glum",
        library="numpy",
        settings=f"glum {metadata.version('glum')}, gradient_tol={GLUM_TOL:g}",
    )
    timed.record(note=f"C={C:.3g}, l1_ratio={l1_ratio:g}")
