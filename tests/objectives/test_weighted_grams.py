"""objectives/_weighted_grams.py: the statistics of several weightings in one pass equal those
computed from each fold's copy of the rows, in row tiles too; fold rows become counts."""

import numpy as np
import pytest
import statsmodels.api as sm

from tests.backends import assert_close
from xlogreg.objectives import _weighted_grams
from xlogreg.objectives._weighted_grams import fold_grams, row_counts, weighted_grams


def _copies(X, y, weight, *, center):
    """The statistics of one weighting from the rows it keeps, centred explicitly."""
    keep = weight > 0
    X, y, weight = X[keep], y[keep], weight[keep]
    x_mean = np.average(X, axis=0, weights=weight) if center else np.zeros(X.shape[1])
    y_mean = np.average(y, weights=weight) if center else 0.0
    Xc, yc = X - x_mean, y - y_mean
    total = weight.sum()
    return {
        "gram": (Xc * weight[:, None]).T @ Xc / total,
        "xy": Xc.T @ (weight * yc) / total,
        "yy": weight @ (yc * yc) / total,
        "x_mean": x_mean,
        "y_mean": y_mean,
        "weight_sum": total,
    }


@pytest.mark.parametrize("center", [True, False])
@pytest.mark.parametrize("cache_rows", [7, None])
def test_one_pass_equals_each_folds_copy(monkeypatch, center, cache_rows):
    """In NumPy (tests/solvers/test_batched_lasso.py runs it on every backend, against fits
    of each fold alone)."""
    monkeypatch.setattr(_weighted_grams, "tile_rows", lambda xp, device, width: cache_rows)
    rng = np.random.default_rng(3)
    X = rng.standard_normal((40, 3)) * [1.0, 10.0, 0.1] + [100.0, -3.0, 0.0]
    y = X @ [0.5, 0.1, 2.0] + rng.standard_normal(40)
    counts = np.stack([np.arange(40) % 3 != k for k in range(3)] + [np.ones(40)], axis=1)
    weights = rng.uniform(0.5, 2.0, 40)[:, None] * counts
    stats = weighted_grams(X, y, weights, center=center, xp=np)
    for p in range(weights.shape[1]):
        expected = _copies(X, y, weights[:, p], center=center)
        for name, value in expected.items():
            actual = getattr(stats, name)[p, ...]
            np.testing.assert_allclose(actual, value, rtol=0.0, atol=1e-12 * np.abs(value).max())


def test_several_targets_give_one_column_each():
    rng = np.random.default_rng(4)
    X = rng.standard_normal((25, 3))
    Y = np.c_[X @ [1.0, 2.0, 0.0], rng.standard_normal(25) + 7.0]
    weights = np.stack([np.arange(25) < 15, np.ones(25)], axis=1) * rng.uniform(0.5, 2.0, (25, 1))
    stats = weighted_grams(X, Y, weights, center=True, xp=np)
    assert stats.xy.shape == (2, 3, 2) and stats.yy.shape == (2, 2) and stats.y_mean.shape == (2, 2)
    for t in range(2):
        alone = weighted_grams(X, Y[:, t], weights, center=True, xp=np)
        np.testing.assert_allclose(stats.xy[:, :, t], alone.xy, rtol=1e-13)
        np.testing.assert_allclose(stats.yy[:, t], alone.yy, rtol=1e-13)
        np.testing.assert_allclose(stats.y_mean[:, t], alone.y_mean, rtol=1e-13)
        np.testing.assert_allclose(stats.gram, alone.gram, rtol=1e-13)


def test_centring_keeps_the_digits_of_badly_scaled_columns():
    """Longley's columns have means up to 3e5 against spreads of 1e4 (and 1954 ± 5 for the
    year): the centred Gram around the pooled mean keeps float64's digits, where
    subtracting x̄x̄ᵀ from the raw Gram would cancel up to six of them."""
    data = sm.datasets.longley.load_pandas()
    X, y = data.exog.to_numpy(), data.endog.to_numpy()
    weights = np.stack([np.arange(16) % 2 == 0, np.ones(16)], axis=1).astype(float)
    stats = weighted_grams(X, y, weights, center=True, xp=np)
    for p in range(2):
        expected = _copies(X, y, weights[:, p], center=True)
        np.testing.assert_allclose(stats.gram[p], expected["gram"], rtol=1e-12)
        np.testing.assert_allclose(stats.xy[p], expected["xy"], rtol=1e-12)


def test_rows_listed_twice_count_twice(backend):
    counts = row_counts([4, 0, 4, 2], 6, dtype=backend.dtype, xp=backend.xp, device=backend.device)
    assert_close(counts, [1.0, 0.0, 1.0, 0.0, 2.0, 0.0], backend, rtol=0.0)


@pytest.mark.parametrize("center", [True, False])
def test_k_fold_moments_by_difference_equal_the_weighted_pass(monkeypatch, center):
    """k-fold splits take the gathered-rows path (the whole data's moments less each test
    fold's); it equals the weighting of every fold's training rows."""
    monkeypatch.setattr(_weighted_grams, "tile_rows", lambda xp, device, width: 7)
    X, y = _longley_scaled()
    weight = np.random.default_rng(6).uniform(0.5, 2.0, len(y))
    order = np.random.default_rng(7).permutation(len(y))
    tests = [sorted(order[k::4].tolist()) for k in range(4)]
    folds = [(sorted(set(range(len(y))) - set(test)), test) for test in tests]
    calls = []
    monkeypatch.setattr(
        _weighted_grams,
        "_partition_grams",
        lambda *args, **kwargs: calls.append(1) or partition(*args, **kwargs),
    )
    stats = fold_grams(X, y, weight, folds, center=center, xp=np)
    assert calls == [1]
    trains = np.stack([np.isin(np.arange(len(y)), train) for train, _ in folds], axis=1)
    weights = np.c_[trains, np.ones(len(y))] * weight[:, None]
    expected = weighted_grams(X, y, weights, center=center, xp=np)
    for name in ("gram", "xy", "yy", "x_mean", "y_mean", "weight_sum"):
        actual, value = getattr(stats, name), getattr(expected, name)
        np.testing.assert_allclose(actual, value, rtol=0.0, atol=1e-11 * np.abs(value).max())


partition = _weighted_grams._partition_grams


def _longley_scaled():
    data = sm.datasets.longley.load_pandas()
    return data.exog.to_numpy(), data.endog.to_numpy()


def test_other_splits_are_weights_and_empty_folds_are_refused():
    X, y = _longley_scaled()
    # A bootstrap-like fold (row 0 twice) and one that leaves rows out of both sides.
    folds = [([0, 0, 1, 2, 3, 4, 5, 6], [7, 8, 9]), (list(range(8, 16)), [0, 1])]
    stats = fold_grams(X, y, np.ones(16), folds, center=True, xp=np)
    expected = weighted_grams(
        X[[0, 0, 1, 2, 3, 4, 5, 6]],
        y[[0, 0, 1, 2, 3, 4, 5, 6]],
        np.ones((8, 1)),
        center=True,
        xp=np,
    )
    np.testing.assert_allclose(stats.gram[0], expected.gram[0], rtol=1e-12)
    assert stats.weight_sum.tolist() == [8.0, 8.0, 16.0]
    weight = np.ones(16)
    weight[8:] = 0.0
    with pytest.raises(ValueError, match="cv: the training rows of fold 1 have zero total"):
        fold_grams(X, y, weight, folds, center=True, xp=np)
