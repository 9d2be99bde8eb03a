"""LassoCV, ElasticNetCV, RidgeCV, enet_path and lasso_path on Dask arrays: each equals the same
search on the NumPy arrays, its sums formed where the chunks live, and only small statistics
reach the client.

Uneven row chunks: some inside one fold, others straddling folds (diabetes's ``KFold(5)``
test folds end at rows 89, 178, 266, 354 and 442; Longley's ``KFold(4)`` at 4, 8, 12, 16).
Measured, float64, Dask against NumPy: LassoCV/ElasticNetCV mse_path_ <= 3e-15 and coef_
<= 4e-15 (both data sets); RidgeCV coef_ <= 6e-14 on diabetes. On Longley (columns from
1e1 to 4e5) RidgeCV's squared Gram matrix loses digits either way: generalized
cross-validation's coef_ differs by 8.5e-8 and best_score_ by 7.5e-7 (the in-memory
search is itself 3.7e-8 and 3.3e-7 from scikit-learn's SVD mode, the Dask one 4.8e-8 and
4.3e-7), k-fold's coef_ by 2e-8 (the refit from the summed moments, not LinearRegression).
"""

import numpy as np
import pytest
import statsmodels.api as sm
from sklearn.datasets import load_diabetes
from sklearn.metrics import root_mean_squared_error
from sklearn.model_selection import KFold

from xlogreg.linear_model._elastic_net_cv import ElasticNetCV, LassoCV
from xlogreg.linear_model._enet_path import enet_path, lasso_path
from xlogreg.linear_model._ridge_cv import RidgeCV

da = pytest.importorskip("dask.array")

ALPHAS = [1e-4, 1e-3, 0.01, 0.1, 1.0, 10.0, 100.0, 1000.0]
# Tolerances, relative to the largest entry: float64 (the sums' order differs), float32
# (the in-memory float32 searches' own tolerances against float64).
TOLERANCE = {np.float64: 1e-12, np.float32: 1e-3}


def _data(name, dtype=np.float64):
    if name == "diabetes":
        X, y = load_diabetes(return_X_y=True)
        chunks = (50, 37, 120, 235)
    else:
        longley = sm.datasets.longley.load_pandas()
        X, y = longley.exog.to_numpy(), longley.endog.to_numpy()
        chunks = (3, 2, 5, 6)
    return X.astype(dtype), y.astype(dtype), chunks


def _weights(n, weighted):
    return np.random.default_rng(3).uniform(0.5, 2.0, n) if weighted else None


def _relative(actual, expected):
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape
    return np.abs(actual - expected).max() / max(np.abs(expected).max(), 1e-300)


def _both(estimator, X, y, chunks, weight):
    on_dask = estimator.fit(da.from_array(X, chunks=(chunks, -1)), y, weight)
    in_memory = type(estimator)(**estimator.get_params()).fit(X, y, weight)
    assert type(on_dask.coef_) is np.ndarray and on_dask.coef_.dtype == X.dtype
    return on_dask, in_memory


SEARCHES = {
    "lasso": lambda tol: LassoCV(cv=5, **tol),
    "elastic net": lambda tol: ElasticNetCV(l1_ratio=[0.3, 1.0], cv=4, **tol),
    "standardized": lambda tol: ElasticNetCV(l1_ratio=[0.5, 1.0], cv=3, standardize=True, **tol),
}


# float32 Longley's standardized search stops on rounding (in memory too): not compared.
CASES = [
    pytest.param(search, name, dtype, id=f"{search}-{name}-{dtype.__name__}")
    for search in SEARCHES
    for name in ("diabetes", "longley")
    for dtype in (np.float64, np.float32)
    if (search, name, dtype) != ("standardized", "longley", np.float32)
]


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize(("search", "name", "dtype"), CASES)
def test_elastic_net_searches_on_dask_equal_numpy(search, name, weighted, dtype):
    X, y, chunks = _data(name, dtype)
    tight = {"tol": 1e-12, "max_iter": 10**5} if (name, dtype) == ("longley", np.float64) else {}
    on_dask, in_memory = _both(SEARCHES[search](tight), X, y, chunks, _weights(len(y), weighted))
    rtol = TOLERANCE[dtype]
    assert _relative(on_dask.alphas_, in_memory.alphas_) <= min(rtol, 1e-6)
    assert _relative(on_dask.mse_path_, in_memory.mse_path_) <= rtol
    grid = np.asarray(in_memory.alphas_).ravel()
    assert np.argmin(np.abs(grid - on_dask.alpha_)) == np.argmin(np.abs(grid - in_memory.alpha_))
    assert getattr(on_dask, "l1_ratio_", None) == getattr(in_memory, "l1_ratio_", None)
    assert _relative(on_dask.coef_, in_memory.coef_) <= rtol
    np.testing.assert_allclose(on_dask.intercept_, in_memory.intercept_, rtol=rtol)
    if dtype == np.float64:
        if search != "standardized":  # the scalers' statistics differ in the last bits
            assert on_dask.n_iter_ == in_memory.n_iter_
        assert on_dask.dual_gap_ == pytest.approx(in_memory.dual_gap_, abs=1e-12 * np.var(y))
    np.testing.assert_allclose(
        on_dask.training_profile_.mean,
        in_memory.training_profile_.mean,
        rtol=rtol,
        atol=rtol * np.abs(X).max(),
    )


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("name", ["diabetes", "longley"])
def test_paths_on_dask_equal_numpy(name, weighted, dtype):
    X, y, chunks = _data(name, dtype)
    weight = _weights(len(y), weighted)
    X_dask = da.from_array(X, chunks=(chunks, -1))
    rtol = TOLERANCE[dtype]
    for path, params in ((enet_path, {"l1_ratio": 0.7}), (lasso_path, {})):
        params = dict(params, alphas=20, sample_weight=weight, return_n_iter=True)
        on_dask = path(X_dask, y, **params)
        in_memory = path(X, y, **params)
        assert type(on_dask[1]) is np.ndarray and on_dask[1].dtype == X.dtype
        assert _relative(on_dask[0], in_memory[0]) <= min(rtol, 1e-6)
        assert _relative(on_dask[1], in_memory[1]) <= rtol
        # The gaps at convergence are round-off, in units of the uncentred mean of y²
        # (Longley's: 4e9; both paths' gaps there reach ±256 in float64).
        noise = (1e-6 if dtype == np.float64 else 1e-3) * np.mean(y.astype(np.float64) ** 2)
        np.testing.assert_allclose(on_dask[2], in_memory[2], rtol=0, atol=noise)
        if dtype == np.float64:
            assert on_dask[3] == in_memory[3]
    start = in_memory[1][:, 10]
    warm = lasso_path(X_dask, y, alphas=[in_memory[0][11]], coef_init=start, sample_weight=weight)
    expected = lasso_path(X, y, alphas=[in_memory[0][11]], coef_init=start, sample_weight=weight)
    assert _relative(warm[1], expected[1]) <= rtol


RIDGE_SEARCHES = {
    "gcv": {},
    "gcv, no intercept": {"fit_intercept": False},
    "5-fold": {"cv": 5},
    "4-fold, mae": {"cv": 4, "scoring": "neg_mean_absolute_error"},
    "3-fold, no intercept, rmse": {
        "cv": 3,
        "fit_intercept": False,
        "scoring": "neg_root_mean_squared_error",
    },
}
# Longley, float64: see the module's notes (the squared Gram matrix of columns 1e1 .. 4e5).
LONGLEY_RIDGE = {"coef": 1e-6, "score": 1e-5}


@pytest.mark.parametrize(
    ("name", "dtype"),
    [("diabetes", np.float64), ("diabetes", np.float32), ("longley", np.float64)],
    ids=["diabetes-float64", "diabetes-float32", "longley-float64"],
)
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("search", list(RIDGE_SEARCHES))
def test_ridge_cv_on_dask_equals_numpy(search, weighted, name, dtype):
    """(float32 Longley: the in-memory float32 refit is itself 97% from float64's.)"""
    X, y, chunks = _data(name, dtype)
    model = RidgeCV(alphas=ALPHAS, **RIDGE_SEARCHES[search])
    on_dask, in_memory = _both(model, X, y, chunks, _weights(len(y), weighted))
    coef_rtol = score_rtol = 1e-12 if dtype == np.float64 else 1e-4
    if name == "longley":
        coef_rtol, score_rtol = LONGLEY_RIDGE["coef"], LONGLEY_RIDGE["score"]
    assert on_dask.alpha_ == in_memory.alpha_
    assert on_dask.best_score_ == pytest.approx(in_memory.best_score_, rel=score_rtol)
    assert _relative(on_dask.coef_, in_memory.coef_) <= coef_rtol
    np.testing.assert_allclose(on_dask.intercept_, in_memory.intercept_, rtol=coef_rtol, atol=1e-12)


@pytest.mark.parametrize("per_target", [False, True])
def test_ridge_gcv_of_two_targets_on_dask(per_target):
    X, y, chunks = _data("diabetes")
    Y = np.c_[y, np.sqrt(y) * 10.0]
    model = RidgeCV(alphas=ALPHAS, alpha_per_target=per_target)
    on_dask, in_memory = _both(model, X, Y, chunks, _weights(len(y), True))
    np.testing.assert_array_equal(on_dask.alpha_, in_memory.alpha_)
    np.testing.assert_allclose(on_dask.best_score_, in_memory.best_score_, rtol=1e-12)
    assert on_dask.coef_.shape == (2, 10)
    assert _relative(on_dask.coef_, in_memory.coef_) <= 1e-12
    np.testing.assert_allclose(on_dask.intercept_, in_memory.intercept_, rtol=1e-12)


def test_ridge_k_fold_rmse_of_two_targets_is_scikit_learns():
    """scikit-learn's neg_root_mean_squared_error averages each target's RMSE."""
    X, y, chunks = _data("diabetes")
    Y = np.c_[y, np.sqrt(y) * 10.0]
    model = RidgeCV(alphas=[1.0], cv=3, scoring="neg_root_mean_squared_error")
    model.fit(da.from_array(X, chunks=(chunks, -1)), Y)
    scores = []
    for train, test in KFold(3).split(X):
        fold = RidgeCV(alphas=[1.0], cv=3).fit(X[train], Y[train])  # one alpha: Ridge(1.0)
        refit = np.linalg.solve(
            np.cov(X[train].T, bias=True) * len(train) + np.eye(10),
            (X[train] - X[train].mean(0)).T @ (Y[train] - Y[train].mean(0)),
        )
        np.testing.assert_allclose(fold.coef_.T, refit, rtol=1e-10)
        scores.append(-root_mean_squared_error(Y[test], fold.predict(X[test])))
    assert model.best_score_ == pytest.approx(np.mean(scores), rel=1e-12)


def _untouchable(X):
    """A Dask array whose chunks raise when computed: an error other than the one expected
    shows that work began."""

    def boom(block):
        raise AssertionError("a chunk was computed")

    return da.from_array(X, chunks=(100, -1)).map_blocks(boom, dtype=X.dtype)


@pytest.mark.parametrize(
    ("estimator", "match"),
    [
        (LassoCV(cv=KFold(3)), "cv=KFold.*integer cv"),
        (ElasticNetCV(cv=[([0, 1], [2, 3])] * 2), r"cv=\[.*integer cv"),
        (LassoCV(cv=1), "cv=1: cross-validation needs at least 2 folds"),
        (RidgeCV(cv=KFold(3)), "cv=KFold.*integer cv"),
        (RidgeCV(store_cv_results=True), "store_cv_results=True"),
        (RidgeCV(scoring="r2"), "scoring='r2'.*scoring=None"),
        (RidgeCV(gcv_mode="svd"), "gcv_mode='svd'"),
        (RidgeCV(cv=3, scoring=lambda est, X, y: 0.0), "scoring=<function"),
    ],
    ids=[
        "splitter",
        "pairs",
        "one fold",
        "ridge splitter",
        "cv results",
        "gcv scoring",
        "svd",
        "callable",
    ],
)
def test_bad_input_on_dask_raises_before_work(estimator, match):
    X, y, _ = _data("diabetes")
    with pytest.raises(ValueError, match=match):
        estimator.fit(_untouchable(X), y)


def test_ridge_gcv_of_a_wide_dask_array_is_refused_before_work():
    X, y, _ = _data("diabetes")
    with pytest.raises(ValueError, match="cv=None on a Dask X needs more rows than features"):
        RidgeCV().fit(_untouchable(np.tile(X[:8], (1, 2))), y[:8])


def test_only_statistics_reach_the_client(gathered, dask_client):
    """On a cluster: X's chunks are read once (persisted), and the client receives the
    summaries, per-fold statistics and sums, never a chunk."""
    distributed = pytest.importorskip("distributed")
    rng = np.random.default_rng(5)
    X = rng.normal(size=(6000, 8)) * [1.0, 3.0, 1.0, 1.0, 2.0, 0.5, 1.0, 1.0] + 5.0
    y = X @ rng.normal(size=8) + rng.normal(size=6000)
    weight = rng.uniform(0.5, 2.0, 6000)
    chunk_bytes = 1000 * 8 * 8
    for model in (LassoCV(cv=5, alphas=30), RidgeCV(alphas=ALPHAS), RidgeCV(alphas=ALPHAS, cv=5)):
        gathered.clear()
        source = da.from_array(X, chunks=(1000, -1)).map_blocks(np.copy, name="source-rows")
        with distributed.get_task_stream(dask_client) as stream:
            model.fit(source, y, weight)
        keys = [task["key"] for task in stream.data]
        assert sum(isinstance(k, tuple) and k[0] == "source-rows" for k in keys) == 6
        assert gathered and max(gathered) < chunk_bytes / 4
        expected = type(model)(**model.get_params()).fit(X, y, weight)
        assert _relative(model.coef_, expected.coef_) <= 1e-12
