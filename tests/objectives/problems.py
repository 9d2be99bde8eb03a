"""Data and objectives shared by the objectives' test modules: random weighted rows, and
Multinomial or SquaredError on them with their NumPy formulas."""

import numpy as np

from xlogreg.objectives import Multinomial, SquaredError


def data(seed=0, n=50, d=4, scale=1.0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) * scale
    y = (rng.random(n) < 0.5).astype(float)
    weight = rng.uniform(0.2, 2.0, n)
    return X, y, weight


def _softmax_formula(X, Y, weight, w, *, l2, fit_intercept):
    rows = w.reshape(Y.shape[1], -1)
    coef, intercept = (rows[:, :-1], rows[:, -1]) if fit_intercept else (rows, 0.0)
    z = X @ coef.T + intercept
    log_normalizer = np.log(np.exp(z - z.max(axis=1, keepdims=True)).sum(axis=1)) + z.max(axis=1)
    mean_loss = np.sum(weight * (log_normalizer - np.sum(Y * z, axis=1))) / weight.sum()
    return mean_loss + l2 * np.sum(coef * coef) / (2.0 * weight.sum())


def _squares_formula(X, Y, weight, w, *, l2, fit_intercept):
    rows = w.reshape(Y.shape[1], -1)
    coef, intercept = (rows[:, :-1], rows[:, -1]) if fit_intercept else (rows, 0.0)
    r = X @ coef.T + intercept - Y
    return (np.sum(weight[:, None] * r * r) + l2 * np.sum(coef * coef)) / weight.sum()


def output_objective(kind, backend, *, l2, fit_intercept, seed=0):
    """A per-output objective on random data, with its NumPy formula."""
    X, _, weight = data(seed=seed)
    rng = np.random.default_rng(seed + 100)
    if kind == "multinomial":
        Y = np.eye(3)[rng.integers(0, 3, len(X))]
        objective = Multinomial(
            backend.asarray(X),
            backend.asarray(Y),
            backend.asarray(weight),
            l2=l2,
            fit_intercept=fit_intercept,
            xp=backend.xp,
        )
        formula = _softmax_formula
    else:
        Y = rng.standard_normal((len(X), 1 if kind == "squared" else 2))
        y = Y[:, 0] if kind == "squared" else Y
        objective = SquaredError(
            backend.asarray(X),
            backend.asarray(y),
            backend.asarray(weight),
            alpha=l2,
            fit_intercept=fit_intercept,
            xp=backend.xp,
        )
        formula = _squares_formula
    w = rng.standard_normal(objective.n_params)

    def value(at):
        return formula(X, Y, weight, at, l2=l2, fit_intercept=fit_intercept)

    return objective, w, value
