"""Fits and predictions on Dask arrays, on a two-process ``dask.distributed`` cluster.

Every fit is compared with the same estimator fitted on the same data in
NumPy: the map-reduce over row chunks must reach the in-memory solution, in as
many iterations, and never bring the data to the client.
"""

from __future__ import annotations

import numpy as np
import pytest

from xlogreg import LinearRegression, LogisticRegression, StandardScaler
from xlogreg.exceptions import NotFittedError

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")

pytestmark = pytest.mark.usefixtures("dask_client")

# Uneven row chunks: 7 of 300 rows and one of 100.
_ROWS = 2200
_CHUNK_ROWS = 300
_SOLVERS = ("lbfgs", "newton", "gd", "auto")


def _chunked(a: np.ndarray, name: str | None = None) -> da.Array:
    array = da.from_array(a, chunks=(_CHUNK_ROWS, *a.shape[1:]))
    return array if name is None else array.map_blocks(np.copy, name=name)


def _classification(n_classes: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(_ROWS, 4)) * [1.0, 2.0, 0.5, 1.0] + [0.0, 1.0, -1.0, 0.0]
    logits = X @ rng.normal(size=(4, n_classes)) + rng.gumbel(size=(_ROWS, n_classes))
    return X, np.argmax(logits, axis=1), rng.uniform(0.5, 2.0, _ROWS)


def _logistic(solver: str, **params) -> LogisticRegression:
    if solver == "gd":  # with momentum, about 160 steps on these well-scaled features
        params = dict(tol=1e-5, learning_rate=1.0, momentum=0.9, **params)
    else:
        params = dict(tol=1e-8, **params)
    return LogisticRegression(solver=solver, max_iter=1000, C=10.0, **params)


def _assert_same_fit(dask_model, numpy_model, atol: float = 1e-8) -> None:
    np.testing.assert_allclose(dask_model.coef_, numpy_model.coef_, rtol=0, atol=atol)
    np.testing.assert_allclose(dask_model.intercept_, numpy_model.intercept_, rtol=0, atol=atol)
    assert dask_model.n_iter_ == numpy_model.n_iter_
    assert type(dask_model.coef_) is np.ndarray


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("solver", _SOLVERS)
def test_logistic_fit_on_dask_equals_numpy_fit(solver, n_classes):
    X, y, weight = _classification(n_classes)
    on_dask = _logistic(solver).fit(_chunked(X), _chunked(y), _chunked(weight))
    in_memory = _logistic(solver).fit(X, y, weight)
    _assert_same_fit(on_dask, in_memory)
    np.testing.assert_array_equal(on_dask.classes_, in_memory.classes_)
    assert on_dask.converged_
    np.testing.assert_allclose(on_dask.loss_history_, in_memory.loss_history_, rtol=1e-12)


@pytest.mark.parametrize("class_weight", ["balanced", {"b": 3.0}])
def test_logistic_class_weights_and_string_labels(class_weight):
    X, y, weight = _classification(3, seed=1)
    labels = np.array(["a", "b", "c"])[y]
    on_dask = _logistic("lbfgs", class_weight=class_weight).fit(_chunked(X), labels, weight)
    in_memory = _logistic("lbfgs", class_weight=class_weight).fit(X, labels, weight)
    _assert_same_fit(on_dask, in_memory)
    np.testing.assert_array_equal(on_dask.classes_, ["a", "b", "c"])


def test_chunks_of_one_class_and_of_zero_weight():
    """Labels are merged over chunks that each hold one class; chunks without weight drop out."""
    X, y, weight = _classification(2, seed=2)
    order = np.argsort(y, kind="stable")
    X, y, weight = X[order], y[order], weight[order]
    weight[:_CHUNK_ROWS] = 0.0
    on_dask = _logistic("newton").fit(_chunked(X), _chunked(y), _chunked(weight))
    _assert_same_fit(on_dask, _logistic("newton").fit(X, y, weight))


def test_float32_chunks_fit_in_float32():
    X, y, _weight = _classification(2, seed=3)
    X32 = X.astype(np.float32)
    model = LogisticRegression(tol=1e-4).fit(_chunked(X32), y)
    assert model.coef_.dtype == np.float32 and model.intercept_.dtype == np.float32
    reference = LogisticRegression(tol=1e-10).fit(X, y)
    # float32 data: the optimum of the rounded data, to float32 precision of the solution.
    np.testing.assert_allclose(model.coef_, reference.coef_, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("solver", [*_SOLVERS[:3], "auto"])
@pytest.mark.parametrize("n_targets", [1, 2])
def test_linear_fit_on_dask_equals_numpy_fit(solver, n_targets):
    rng = np.random.default_rng(4)
    X = rng.normal(size=(_ROWS, 5))
    y = X @ rng.normal(size=(5, n_targets)) + 3.0 + rng.normal(size=(_ROWS, n_targets))
    y = y[:, 0] if n_targets == 1 else y
    weight = rng.uniform(0.0, 2.0, _ROWS)
    params = dict(solver=solver, alpha=5.0, tol=1e-10, max_iter=500, learning_rate=0.3)
    on_dask = LinearRegression(**params).fit(_chunked(X), _chunked(y), weight)
    in_memory_params = dict(params, solver="newton" if solver == "auto" else solver)
    in_memory = LinearRegression(**in_memory_params).fit(X, y, weight)
    _assert_same_fit(on_dask, in_memory)
    assert on_dask.solver_ == in_memory_params["solver"]
    # and the direct solve's answer: the iterative solvers reach the exact minimizer
    exact = LinearRegression(alpha=5.0).fit(X, y, weight)
    np.testing.assert_allclose(on_dask.coef_, exact.coef_, rtol=0, atol=1e-8)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_standardize_on_dask_equals_numpy(fit_intercept):
    """The scaler's weighted moments are merged from the chunks; each chunk is standardized
    where it lives."""
    X, y, weight = _classification(3, seed=14)
    X = X * [1.0, 1e3, 1e-3, 1.0] + [0.0, 5e3, 0.0, 0.0]
    params = dict(standardize=True, fit_intercept=fit_intercept)
    on_dask = _logistic("newton", **params).fit(_chunked(X), y, _chunked(weight))
    in_memory = _logistic("newton", **params).fit(X, y, weight)
    _assert_same_fit(on_dask, in_memory, atol=1e-8 * np.abs(in_memory.coef_).max())
    for name in ("mean_", "var_", "scale_"):
        np.testing.assert_allclose(
            getattr(on_dask.scaler_, name), getattr(in_memory.scaler_, name), rtol=1e-12
        )
    assert on_dask.scaler_.n_samples_seen_ == pytest.approx(in_memory.scaler_.n_samples_seen_)
    target = X @ [1.0, 1e-3, 1e3, 0.0]
    on_dask = LinearRegression(solver="newton", **params).fit(_chunked(X), target, weight)
    in_memory = LinearRegression(solver="newton", **params).fit(X, target, weight)
    _assert_same_fit(on_dask, in_memory)


@pytest.mark.parametrize("weighted", [False, True])
def test_standard_scaler_fits_on_dask(weighted):
    X, _, weight = _classification(2, seed=15)
    weight = weight if weighted else None
    on_dask = StandardScaler().fit(_chunked(X), sample_weight=weight)
    in_memory = StandardScaler().fit(X, sample_weight=weight)
    for name in ("mean_", "var_", "scale_"):
        np.testing.assert_allclose(getattr(on_dask, name), getattr(in_memory, name), rtol=1e-12)
    assert on_dask.n_samples_seen_ == pytest.approx(in_memory.n_samples_seen_, rel=1e-14)
    lazy = StandardScaler().fit_transform(_chunked(X), sample_weight=weight)
    assert isinstance(lazy, da.Array)
    np.testing.assert_allclose(lazy.compute(), in_memory.transform(X), rtol=1e-12, atol=1e-14)


def test_training_profile_over_every_row():
    X, y, _ = _classification(2, seed=5)
    profile = LogisticRegression().fit(_chunked(X), y).training_profile_
    np.testing.assert_allclose(profile.mean, X.mean(axis=0), rtol=1e-13)
    np.testing.assert_allclose(profile.std, X.std(axis=0), rtol=1e-12)
    np.testing.assert_array_equal(profile.min, X.min(axis=0))
    np.testing.assert_array_equal(profile.max, X.max(axis=0))
    assert profile.count == profile.rows == _ROWS


def test_callback_warm_start_and_feature_names():
    X, y, _weight = _classification(2, seed=6)
    seen = []
    model = _logistic("lbfgs", warm_start=True).fit(
        _chunked(X), y, feature_names=list("abcd"), callback=lambda *row: seen.append(row[1])
    )
    np.testing.assert_allclose(seen, model.loss_history_, rtol=0)
    assert model.feature_names_in_ == tuple("abcd")
    refit = model.fit(_chunked(X), y)
    assert refit.n_iter_ <= 1


def test_synchronous_scheduler_without_a_cluster():
    """A Dask-ML user without a cluster: the same fit on Dask's local scheduler."""
    import dask

    X, y, weight = _classification(3, seed=7)
    with dask.config.set(scheduler="synchronous"):
        on_dask = _logistic("newton").fit(_chunked(X), y, weight)
    _assert_same_fit(on_dask, _logistic("newton").fit(X, y, weight))


@pytest.mark.parametrize("solver", ["lbfgs", "newton"])
def test_only_parameter_sized_results_reach_the_client(gathered, dask_client, solver):
    """X (8 chunks) is computed once on the workers; the client receives one
    O(d)-sized result per evaluation (O(d²) for a Hessian), never a chunk."""
    X, y, _weight = _classification(3, seed=8)
    sizes = gathered
    with distributed.get_task_stream(dask_client) as stream:
        model = _logistic(solver).fit(_chunked(X, name="source-rows"), y)
    n_chunks = -(-_ROWS // _CHUNK_ROWS)
    keys = [task["key"] for task in stream.data]
    assert sum(isinstance(k, tuple) and k[0] == "source-rows" for k in keys) == n_chunks
    n_params = model.coef_.size + model.intercept_.size
    assert len(sizes) >= model.n_iter_ + 1  # one transfer per evaluation at least
    chunk_bytes = _CHUNK_ROWS * X.shape[1] * X.itemsize
    assert max(sizes) < chunk_bytes  # the first pass's summaries are the largest
    # After it: a loss and gradient (or a Hessian diagonal); Newton's Hessians.
    per_evaluation = n_params + 1 if solver == "lbfgs" else n_params * (n_params + 1)
    assert max(sizes[1:]) <= 8 * per_evaluation + 512
    # Tasks per evaluation: one per chunk, a sum, the parameters: O(chunks), not O(rows).
    assert len(keys) < (len(sizes) + 2) * (2 * n_chunks + 4)


def test_predictions_are_lazy_and_per_chunk(dask_client):
    X, y, _ = _classification(3, seed=9)
    model = LogisticRegression().fit(X, y)
    with distributed.get_task_stream(dask_client) as stream:
        lazy = {
            name: getattr(model, name)(_chunked(X))
            for name in ("predict", "predict_proba", "predict_log_proba", "decision_function")
        }
    assert stream.data == []  # nothing computed yet
    for name, result in lazy.items():
        assert isinstance(result, da.Array)
        assert result.chunks[0] == _chunked(X).chunks[0]
        np.testing.assert_array_equal(result.compute(), getattr(model, name)(X))
    regression = LinearRegression().fit(X, X @ np.arange(4.0))
    np.testing.assert_array_equal(regression.predict(_chunked(X)).compute(), regression.predict(X))
    binary = LogisticRegression().fit(X, y == 1)
    np.testing.assert_array_equal(
        binary.predict(_chunked(X), threshold=0.3).compute(), binary.predict(X, threshold=0.3)
    )
    scaler = StandardScaler().fit(X)
    for name in ("transform", "inverse_transform"):
        np.testing.assert_array_equal(
            getattr(scaler, name)(_chunked(X)).compute(), getattr(scaler, name)(X)
        )


def test_scores_on_dask_equal_numpy_scores():
    X, y, weight = _classification(3, seed=16)
    model = LogisticRegression().fit(X, y)
    assert model.score(_chunked(X), _chunked(y), _chunked(weight)) == pytest.approx(
        model.score(X, y, weight), rel=1e-14
    )
    target = X @ np.arange(4.0) + np.sin(X[:, 0])
    regression = LinearRegression().fit(X, target)
    assert regression.score(_chunked(X), _chunked(target)) == pytest.approx(
        regression.score(X, target), rel=1e-14
    )


def test_prediction_errors_are_raised_at_the_call():
    X, y, _ = _classification(2, seed=10)
    with pytest.raises(NotFittedError):
        LogisticRegression().predict(_chunked(X))
    model = LogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features, but LogisticRegression is expecting"):
        model.predict(_chunked(X[:, :3]))
    with pytest.raises(ValueError, match="must be 2-D"):
        model.predict(_chunked(X[:, 0]))


def _fitted_once() -> tuple[LogisticRegression, np.ndarray]:
    X, y, _ = _classification(2, seed=11)
    model = LogisticRegression().fit(_chunked(X), y)
    return model, model.coef_.copy()


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (lambda X, y, w: (X[:-1], y, w), ValueError, "y has 2200 entries but X has 2199"),
        (lambda X, y, w: (X, y, w[:-1]), ValueError, "sample_weight has 2199 entries"),
        (lambda X, y, w: (np.where(X > 3.0, np.nan, X), y, w), ValueError, "X contains NaN"),
        (lambda X, y, w: (X, y, -w), ValueError, "sample_weight must be non-negative"),
        (lambda X, y, w: (X, y, 0.0 * w), ValueError, "sample_weight sums to zero"),
        (lambda X, y, w: (X, np.zeros_like(y), w), ValueError, "single class"),
        (lambda X, y, w: (X, np.where(y == 1, np.inf, y), w), ValueError, "y contains NaN"),
        (lambda X, y, w: (X.astype(str), y, w), TypeError, "X must hold real numbers"),
    ],
)
def test_bad_input_errors_and_an_earlier_fit_survives(change, error, message):
    model, coef = _fitted_once()
    X, y, weight = _classification(2, seed=12)
    X, y, weight = change(X, y, weight)
    with pytest.raises(error, match=message):
        model.fit(_chunked(X), _chunked(y), _chunked(weight))
    np.testing.assert_array_equal(model.coef_, coef)


@pytest.mark.parametrize(
    ("estimator", "param"),
    [
        (LogisticRegression(solver="sgd"), "solver='sgd'"),
        (LogisticRegression(inference=True), "inference=True"),
        (LinearRegression(solver="lstsq"), "solver='lstsq'"),
        (LinearRegression(solver="cholesky"), "solver='cholesky'"),
    ],
)
def test_options_that_need_the_whole_matrix_are_refused(estimator, param):
    X, y, _ = _classification(2, seed=13)
    with pytest.raises(ValueError, match=f"^{param} is not available for a Dask array X"):
        estimator.fit(_chunked(X), y)
