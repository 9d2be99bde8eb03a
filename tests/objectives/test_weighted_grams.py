"""objectives/_weighted_grams.py: the statistics of several weightings in one pass equal those
computed from each fold's copy of the rows, in row tiles too; fold rows become counts."""

import numpy as np
import pytest
import statsmodels.api as sm

from tests.backends import assert_close
from xlogreg.objectives import _weighted_grams
from xlogreg.objectives._weighted_grams import row_counts, weighted_grams


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
