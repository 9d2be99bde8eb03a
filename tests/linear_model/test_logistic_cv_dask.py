"""LogisticRegressionCV and logistic_regression_path on Dask arrays: the same search as on
the rows in memory (folds, scores, choice, every model of the grid, the refit), on a
``dask.distributed`` cluster, with only small results reaching the client; StratifiedKFold's
folds made chunk by chunk; cv refused before any work where it needs the rows in memory.

References: scikit-learn's StratifiedKFold for the folds; xlogreg's LogisticRegressionCV
and logistic_regression_path on the same NumPy rows (tested against scikit-learn, glum and
single fits in test_logistic_cv.py and test_logistic_path.py), on breast cancer and wine,
raw (standardize=True) and weighted, in uneven chunks."""

import dask.array as da
import distributed
import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_wine
from sklearn.model_selection import StratifiedKFold

import xlogreg.linear_model._logistic_cv_chunks as chunks_module
from xlogreg import LogisticRegression, LogisticRegressionCV
from xlogreg.linear_model import logistic_regression_path
from xlogreg.linear_model._logistic_cv_chunks import chunked_search

pytestmark = pytest.mark.usefixtures("dask_client")

CS = [0.01, 0.1, 1.0, 10.0]
CHUNKS = (60, 97, 23, 200)  # uneven; the rest of the rows in one more chunk


def _data(name):
    loader = {"breast_cancer": load_breast_cancer, "wine": load_wine}[name]
    X, y = loader(return_X_y=True)
    weight = np.random.default_rng(0).uniform(0.2, 3.0, len(y))
    return X, y, weight


def _chunked(a):
    rows = [n for n in CHUNKS if n < a.shape[0]]
    rows = [*rows[: len(rows) - (sum(rows) >= a.shape[0])]]
    rows.append(a.shape[0] - sum(rows))
    return da.from_array(a, chunks=(tuple(rows), *a.shape[1:]))


def _relative_error(actual, expected):
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape
    return np.abs(actual - expected).max() / np.abs(expected).max()


@pytest.mark.parametrize(
    ("name", "scoring", "params", "weighted"),
    [
        ("breast_cancer", "neg_log_loss", {}, True),
        ("breast_cancer", "roc_auc", {"class_weight": "balanced"}, False),
        ("wine", "accuracy", {"l1_ratios": (0.0, 0.5)}, True),
        ("wine", "neg_log_loss", {"refit": False}, False),
    ],
    ids=["binary-weighted", "binary-balanced", "elastic-net-weighted", "no-refit"],
)
def test_the_search_equals_the_one_in_memory(name, scoring, params, weighted):
    X, y, weight = _data(name)
    weight = weight if weighted else None
    kwargs = {"Cs": CS, "cv": 3, "standardize": True, "scoring": scoring, "tol": 1e-10, **params}
    expected = LogisticRegressionCV(**kwargs).fit(X, y, sample_weight=weight)
    chunked_weight = None if weight is None else _chunked(weight)
    ours = LogisticRegressionCV(**kwargs).fit(_chunked(X), _chunked(y), chunked_weight)
    assert ours.C_ == expected.C_
    assert ours.l1_ratio_ == expected.l1_ratio_
    for name_ in ("coef_", "scores_", "coefs_paths_", "Cs_", "n_iter_", "classes_"):
        assert isinstance(getattr(ours, name_), np.ndarray), name_
    np.testing.assert_array_equal(ours.classes_, expected.classes_)
    np.testing.assert_allclose(ours.scores_, expected.scores_, rtol=1e-10, atol=1e-13)
    assert _relative_error(ours.coefs_paths_, expected.coefs_paths_) < 1e-8
    assert _relative_error(ours.coef_, expected.coef_) < 1e-8
    assert _relative_error(ours.intercept_, expected.intercept_) < 1e-8
    assert ours.converged_
    np.testing.assert_array_equal(ours.predict(_chunked(X)).compute(), expected.predict(X))


@pytest.mark.parametrize("name", ["breast_cancer", "wine"])
def test_folds_are_stratified_kfolds_made_chunk_by_chunk(name):
    """Classes appear first in another order than sorted (the rows reversed), and some
    chunks hold no row of a class."""
    X, y, _ = _data(name)
    X, y = X[::-1], y[::-1]
    search = chunked_search(LogisticRegression(), _chunked(X), _chunked(y), None, None, n_splits=4)
    for f, (_, test) in enumerate(StratifiedKFold(4).split(X, y)):
        X_test, y_test, weight = search.test_rows(f)
        np.testing.assert_array_equal(X_test.compute(), X[test])
        np.testing.assert_array_equal(y_test.compute(), y[test])
        assert weight is None


def test_path_equals_the_one_in_memory():
    X, y, weight = _data("wine")
    kwargs = {"Cs": 3, "standardize": True, "l1_ratio": 0.3, "tol": 1e-10}
    expected = logistic_regression_path(X, y, sample_weight=weight, **kwargs)
    ours = logistic_regression_path(
        _chunked(X), _chunked(y), sample_weight=_chunked(weight), **kwargs
    )
    assert _relative_error(ours[0], expected[0]) < 1e-8
    np.testing.assert_array_equal(ours[1], expected[1])
    assert isinstance(ours[0], np.ndarray)


def test_only_batch_sized_results_reach_the_client(gathered, dask_client):
    """X's chunks (breast cancer's rows 8 times, 1.1 MB in 5 chunks) are read once, stay
    on the workers, and what comes back per evaluation is the batch's values and
    gradients, or its Hessians, never rows."""
    X, y, _ = _data("breast_cancer")
    X, y = np.tile(X, (8, 1)), np.tile(y, 8)
    sizes = gathered
    source = da.from_array(X, chunks=(1000, -1)).map_blocks(np.copy, name="source-rows")
    with distributed.get_task_stream(dask_client) as stream:
        model = LogisticRegressionCV(Cs=CS, cv=3, standardize=True).fit(
            source, da.from_array(y, chunks=1000)
        )
    keys = [task["key"] for task in stream.data]
    assert sum(isinstance(k, tuple) and k[0] == "source-rows" for k in keys) == 5
    n_models, n_params = len(CS) * 3, X.shape[1] + 1
    assert max(sizes) <= 8 * n_models * n_params * (n_params + 1) + 4096
    assert max(sizes) < X.nbytes / 10
    assert model.converged_


def test_cv_needing_rows_in_memory_is_refused_before_any_work(monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("the data were read")

    monkeypatch.setattr(chunks_module, "chunked_training_data", fail)
    X, y, _ = _data("breast_cancer")
    for cv in (StratifiedKFold(3), [(np.arange(100), np.arange(100, 200))] * 2, 1):
        with pytest.raises(ValueError, match="cv="):
            LogisticRegressionCV(cv=cv).fit(_chunked(X), _chunked(y))


def test_cv_above_the_smallest_class_is_refused_before_any_fit(monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("a model was fitted")

    monkeypatch.setattr(chunks_module, "ChunkedBatchedLogistic", fail)
    X, y, _ = _data("breast_cancer")
    keep = np.concatenate([np.flatnonzero(y == 0)[:3], np.flatnonzero(y == 1)])
    with pytest.raises(ValueError, match="cv=4 is larger than the 3 samples of class 0"):
        LogisticRegressionCV(cv=4).fit(_chunked(X[keep]), _chunked(y[keep]))
