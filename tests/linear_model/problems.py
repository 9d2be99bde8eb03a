"""Data shared by the linear models' test modules: the synthetic logistic problems and
seed 003's data."""

import numpy as np

# Seed 003: evidence length (hundreds of tokens) against latency (ms).
SEED_X = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
SEED_Y = np.array([118.0, 141.0, 162.0, 181.0, 198.0])


def synthetic(name, seed=0):
    """Synthetic problems: (X, y, sample_weight, estimator parameters)."""
    rng = np.random.default_rng(seed)
    n, d = 400, 6
    X = rng.standard_normal((n, d))
    w = rng.standard_normal(d)
    intercept, weight, params = 0.3, None, {}
    if name == "imbalanced-balanced":
        intercept, params = -2.0, {"class_weight": "balanced"}
    elif name == "class-weight-dict":
        params = {"class_weight": {0: 0.5, 1: 3.0}, "C": 0.5}
    elif name == "sample-weight":
        weight = rng.uniform(0.0, 3.0, n)
    elif name == "weights-and-balanced":
        intercept, weight, params = -1.5, rng.uniform(0.1, 2.0, n), {"class_weight": "balanced"}
    elif name == "no-penalty":
        params = {"C": float("inf")}
    elif name == "no-intercept":
        params = {"fit_intercept": False, "C": 0.1}
    elif name == "badly-scaled":
        X = X * np.logspace(-2, 2, d)
        w = w / np.logspace(-2, 2, d)
        params = {"C": 10.0}
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-(X @ w + intercept)))).astype(int)
    return X, y, weight, params
