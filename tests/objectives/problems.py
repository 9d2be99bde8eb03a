"""Data shared by the objectives' test modules."""

import numpy as np


def data(seed=0, n=50, d=4, scale=1.0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) * scale
    y = (rng.random(n) < 0.5).astype(float)
    weight = rng.uniform(0.2, 2.0, n)
    return X, y, weight
