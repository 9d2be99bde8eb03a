"""The benchmarks' logistic-regression problems, the same data for every contender."""

from __future__ import annotations

import numpy as np


def make_problem(n_samples, n_features, *, ill_conditioned, seed=0):
    """Gaussian ``X`` and labels drawn from a logistic model, both NumPy.

    ``ill_conditioned`` makes the columns correlated, with scales from 1e-2
    to 1e3 (the true coefficients scaled inversely, so every column matters).
    """
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, n_features))
    if ill_conditioned:
        X = (X + 0.9 * rng.standard_normal((n_samples, 1))) * np.logspace(-2, 3, n_features)
    w = (
        rng.standard_normal(n_features)
        / np.sqrt(n_features)
        / (np.logspace(-2, 3, n_features) if ill_conditioned else 1.0)
    )
    y = (rng.random(n_samples) < 1 / (1 + np.exp(-(X @ w)))).astype(np.int64)
    return X, y
