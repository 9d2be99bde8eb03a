"""Multinomial and SquaredError against their formulas and finite differences, and every
objective's Hessian (and its diagonal) from evenly spaced rows."""

import numpy as np
import pytest

from tests.backends import assert_close, assert_on_backend, rtol_for
from tests.objectives.problems import data
from xlogreg._backend import to_numpy
from xlogreg.objectives import Binomial, Multinomial, SquaredError


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


def _output_objective(kind, backend, *, l2, fit_intercept, seed=0):
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


OUTPUT_KINDS = ["multinomial", "squared", "squared-2d"]


def _numeric_hessian(objective, backend, w, eps=1e-6):
    return np.array(
        [
            (
                to_numpy(objective.loss_grad(backend.asarray(w + eps * e))[1])
                - to_numpy(objective.loss_grad(backend.asarray(w - eps * e))[1])
            )
            / (2 * eps)
            for e in np.eye(objective.n_params)
        ]
    ).T


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("kind", OUTPUT_KINDS)
def test_output_objectives_match_their_formulas(backend, kind, fit_intercept):
    objective, w, value = _output_objective(kind, backend, l2=0.7, fit_intercept=fit_intercept)
    loss, grad = objective.loss_grad(backend.asarray(w))
    assert_on_backend(loss, backend)
    assert_on_backend(grad, backend)
    rtol = 1e-13 if backend.has_float64 else 1e-5
    np.testing.assert_allclose(float(to_numpy(loss)), value(w), rtol=rtol)
    np.testing.assert_allclose(
        float(to_numpy(objective.loss(backend.asarray(w)))), value(w), rtol=rtol
    )


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("kind", OUTPUT_KINDS)
def test_output_objective_derivatives(backend64, kind, fit_intercept):
    objective, w, value = _output_objective(kind, backend64, l2=0.3, fit_intercept=fit_intercept)
    at = backend64.asarray(w)
    _, grad = objective.loss_grad(at)
    eps = 1e-6
    numeric = [(value(w + eps * e) - value(w - eps * e)) / (2 * eps) for e in np.eye(w.size)]
    np.testing.assert_allclose(to_numpy(grad), numeric, rtol=1e-7, atol=1e-8)

    true_hessian = _numeric_hessian(objective, backend64, w)
    v = np.random.default_rng(1).standard_normal(w.size)
    product = objective.hessp(at, backend64.asarray(v))
    assert_on_backend(product, backend64)
    np.testing.assert_allclose(to_numpy(product), true_hessian @ v, rtol=1e-6, atol=1e-8)
    diagonal = objective.hessian_diagonal(at)
    assert_on_backend(diagonal, backend64)
    np.testing.assert_allclose(to_numpy(diagonal), np.diag(true_hessian), rtol=1e-6, atol=1e-9)

    hessian = objective.hessian(at)
    assert_on_backend(hessian, backend64)
    expected = true_hessian
    if kind == "multinomial":
        # Plus each coordinate's mean curvature along "every class alike", divided among them.
        n_classes = 3
        curvature = np.diag(true_hessian).reshape(n_classes, -1).mean(axis=0)
        expected = true_hessian + np.kron(np.ones((n_classes, n_classes)), np.diag(curvature)) / 3
    np.testing.assert_allclose(to_numpy(hessian), expected, rtol=1e-6, atol=1e-8)


def test_multinomial_hessian_is_regular_where_the_loss_is_flat(backend64):
    objective, w, _ = _output_objective("multinomial", backend64, l2=0.0, fit_intercept=True)
    eigenvalues = np.linalg.eigvalsh(to_numpy(objective.hessian(backend64.asarray(w))))
    assert eigenvalues.min() > 1e-3 * eigenvalues.max()


def test_squared_error_reproduces_seed_003_first_step(backend):
    X = backend.asarray([[1.0], [2.0], [3.0], [4.0], [5.0]])
    y = backend.asarray([118.0, 141.0, 162.0, 181.0, 198.0])
    objective = SquaredError(
        X,
        y,
        backend.xp.ones(5, dtype=backend.dtype, device=backend.device),
        alpha=0.0,
        fit_intercept=True,
        xp=backend.xp,
    )
    loss, grad = objective.loss_grad(backend.asarray([0.0, 0.0]))
    assert_close(loss, 26402.8, backend, rtol=rtol_for(backend, float64=1e-15, float32=1e-6))
    rtol = rtol_for(backend, float64=1e-15, float32=1e-6)
    assert_close(grad, [-1040.0, -320.0], backend, rtol=rtol)  # (slope, intercept)


def _built(kind, backend, X, Y, weight):
    """Objective ``kind`` on the given data, unpenalized, with an intercept."""
    arrays = [backend.asarray(a) for a in (X, Y, weight)]
    if kind == "binomial":
        return Binomial(*arrays, l2=0.0, fit_intercept=True, xp=backend.xp)
    if kind == "multinomial":
        return Multinomial(*arrays, l2=0.0, fit_intercept=True, xp=backend.xp)
    return SquaredError(*arrays, alpha=0.0, fit_intercept=True, xp=backend.xp)


@pytest.mark.parametrize("method", ["hessian_diagonal", "hessian"])
@pytest.mark.parametrize("kind", ["binomial", "multinomial", "squared"])
def test_hessian_from_evenly_spaced_rows(backend, kind, method):
    """``max_rows`` estimates the Hessian (or its diagonal) from every k-th row, its
    weights rescaled to the same total: that of the objective built on those rows
    alone, as subsampled Newton and L-BFGS's scaling use it. With
    ``max_rows`` at least the number of rows, or sampled weights all zero, it is exact."""
    X, y, weight = data(seed=21, n=50)
    labels = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0).astype(int)
    Y = {"binomial": y, "multinomial": np.eye(3)[labels], "squared": X @ np.arange(1.0, 5.0)}[kind]
    full = _built(kind, backend, X, Y, weight)
    w = backend.asarray(np.random.default_rng(22).standard_normal(full.n_params) * 0.3)
    rtol = rtol_for(backend, float64=1e-12, float32=1e-5)

    def estimate(objective, **kwargs):
        return getattr(objective, method)(w, **kwargs)

    def assert_same(actual, reference):
        # Entries that cancel keep the round-off of the largest terms of their sums.
        reference = to_numpy(reference)
        atol = rtol * np.max(np.abs(reference))
        assert_close(actual, reference, backend, rtol=rtol, atol=atol)

    sampled = _built(kind, backend, X[::5], Y[::5], weight[::5])
    assert_same(estimate(full, max_rows=10), estimate(sampled))
    assert_same(estimate(full, max_rows=50), estimate(full))
    weight[::5] = 0.0
    zeroed = _built(kind, backend, X, Y, weight)
    assert_same(estimate(zeroed, max_rows=10), estimate(zeroed))
