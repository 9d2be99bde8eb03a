"""Problems shared by the solvers' test modules."""

import numpy as np


def binomial(seed=0, scales=(1.0, 10.0, 0.1, 1.0, 3.0)):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((300, 5)) * np.asarray(scales)
    y = (rng.random(300) < 1 / (1 + np.exp(-X @ rng.standard_normal(5)))).astype(float)
    return X, y
