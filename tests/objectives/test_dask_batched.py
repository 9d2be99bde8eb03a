"""ChunkedBatchedLogistic (objectives/_dask_batched.py): the batch of models summed over a
Dask array's row chunks equals BatchedLogistic on the rows in memory: values, gradients,
exact and working-set Hessians, and sampled Hessians whose samples cover every row.

Reference: BatchedLogistic on the same NumPy rows (tested model by model against Binomial
and Multinomial in test_batched.py), on standardized breast cancer and iris rows, in
uneven chunks, one of which holds no row of a fold."""

import itertools

import dask.array as da
import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.preprocessing import StandardScaler

from xlogreg._backend import RowChunks
from xlogreg.objectives import BatchedLogistic, ChunkedBatchedLogistic

FOLDS = [0, 2, 1, 0, 2]
L2 = [0.0, 0.5, 3.0, 10.0, 0.5]
CHUNKS = (7, 20, 13, 30)  # fold 0 leaves out rows 0 .. 6: the first chunk holds none of it


def _problem(kind):
    if kind == "binary":
        X, y = load_breast_cancer(return_X_y=True)
        X, y = X[::8, :5], y[::8]
        target = y.astype(float)
    else:
        X, y = load_iris(return_X_y=True)
        X, y = X[::2], y[::2]
        target = np.eye(3)[y]
    X = StandardScaler().fit_transform(X)[:70]
    target = target[:70]
    weight = np.random.default_rng(0).uniform(0.2, 2.0, 70)
    rows = np.arange(70)
    folds = np.stack([weight * (rows >= 7), weight * (rows % 3 != 1), weight], axis=1)
    return X, target, folds


def _chunked(X, target, folds, *, fit_intercept):
    return ChunkedBatchedLogistic(
        RowChunks.of(da.from_array(X, chunks=(CHUNKS, -1)), target, folds),
        folds.sum(axis=0),
        folds=FOLDS,
        l2=L2,
        fit_intercept=fit_intercept,
        n_features=X.shape[1],
        n_outputs=1 if target.ndim == 1 else target.shape[1],
        dtype=np.float64,
    )


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("kind", ["binary", "three classes"])
def test_chunks_sum_to_the_batch_in_memory(kind, fit_intercept):
    X, target, folds = _problem(kind)
    chunked = _chunked(X, target, folds, fit_intercept=fit_intercept)
    whole = BatchedLogistic(
        X, target, folds, folds=FOLDS, l2=L2, fit_intercept=fit_intercept, xp=np
    )
    W = 0.7 * np.random.default_rng(1).standard_normal((3, whole.n_params))
    models = (4, 0, 2)
    for got, expected in zip(
        chunked.loss_grad(W, models=models), whole.loss_grad(W, models=models), strict=True
    ):
        np.testing.assert_allclose(got, expected, rtol=1e-13, atol=1e-15)
    for options in ({}, {"features": (1, 3)}, {"max_rows": 70}):
        np.testing.assert_allclose(
            chunked.hessians(W, models=models, **options),
            whole.hessians(W, models=models, **options),
            rtol=1e-12,
            atol=1e-15,
        )
    np.testing.assert_allclose(
        chunked.averaged([1.0] * 5, models), whole.averaged([1.0] * 5, models), rtol=1e-15
    )


def test_sampled_hessians_weigh_each_chunks_sample_by_its_share():
    """Each chunk samples its share of the rows (every ``step``-th), and its sample's
    weighted mean of ``p(1 − p) x̃x̃ᵀ`` counts for its share of each fold's weight."""
    X, target, folds = _problem("binary")
    chunked = _chunked(X, target, folds, fit_intercept=True)
    W = 0.3 * np.random.default_rng(2).standard_normal((5, chunked.n_params))
    sampled = chunked.hessians(W, models=range(5), max_rows=35)
    design = np.hstack([X, np.ones((70, 1))])
    ridge = np.diag([1.0] * X.shape[1] + [0.0])
    starts = np.cumsum((0, *CHUNKS))
    for m, fold in enumerate(FOLDS):
        p = 1.0 / (1.0 + np.exp(-design @ W[m]))
        expected = L2[m] / folds[:, fold].sum() * ridge
        for start, stop in itertools.pairwise(starts):
            share = folds[start:stop, fold].sum() / folds[:, fold].sum()
            if share == 0.0:
                continue
            rows = np.arange(start, stop)[:: -(-(stop - start) // -(-35 * (stop - start) // 70))]
            s = folds[rows, fold] * p[rows] * (1.0 - p[rows])
            mean = (design[rows].T * s) @ design[rows] / folds[rows, fold].sum()
            expected = expected + share * mean
        np.testing.assert_allclose(sampled[m], expected, rtol=1e-12, atol=1e-15)
    exact = chunked.hessians(W, models=range(5))
    assert not np.allclose(sampled, exact, rtol=1e-3)  # a sample, not every row
