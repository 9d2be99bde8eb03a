"""objectives/_gram.py: weighted squares and the augmented Gram matrix [X, 1]ᵀ S [X, 1], taken
over row tiles, equal the direct products."""

import numpy as np
import pytest

from tests.backends import assert_close, rtol_for
from xlogreg.objectives import _gram


@pytest.mark.parametrize("cache_rows", [3, None])  # host cache tiles; 16 tiles elsewhere
@pytest.mark.parametrize("n_outputs", [None, 3])
def test_weighted_squares_over_row_tiles_equal_the_direct_sum(
    backend, monkeypatch, n_outputs, cache_rows
):
    monkeypatch.setattr(_gram, "tile_rows", lambda xp, device, n_features: cache_rows)
    rng = np.random.default_rng(12)
    X = rng.standard_normal((50, 4))
    weight = rng.uniform(0.0, 2.0, 50 if n_outputs is None else (50, n_outputs))
    result = _gram.weighted_squares(backend.asarray(X), backend.asarray(weight), xp=backend.xp)
    assert_close(
        result,
        weight.T @ (X * X),
        backend,
        rtol=rtol_for(backend, float64=1e-13, float32=1e-5),
    )


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("cache_rows", [1, None])  # host tiles of 8 rows per feature; 16 tiles
def test_augmented_gram_over_row_tiles_equals_the_direct_product(
    backend, monkeypatch, cache_rows, fit_intercept
):
    monkeypatch.setattr(_gram, "tile_rows", lambda xp, device, n_features: cache_rows)
    rng = np.random.default_rng(15)
    X = rng.standard_normal((70, 3))
    weight = rng.uniform(0.0, 2.0, 70)
    result = _gram.augmented_gram(
        backend.asarray(X),
        backend.asarray(weight),
        fit_intercept=fit_intercept,
        l2=0.5,
        xp=backend.xp,
    )
    design = np.c_[X, np.ones(70)] if fit_intercept else X
    expected = design.T @ (weight[:, None] * design)
    expected[np.arange(3), np.arange(3)] += 0.5
    assert_close(result, expected, backend, rtol=rtol_for(backend, float64=1e-13, float32=1e-5))
