"""Objectives: values against their formulas, derivatives against finite differences."""

import numpy as np
import pytest

from tests.backends import assert_close, assert_on_backend, rtol_for
from xlogreg._backend import to_numpy
from xlogreg.objectives import Binomial, Multinomial, SquaredError, _binomial, _gram


def _data(seed=0, n=50, d=4, scale=1.0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) * scale
    y = (rng.random(n) < 0.5).astype(float)
    weight = rng.uniform(0.2, 2.0, n)
    return X, y, weight


def _objective(backend, X, y, weight, *, l2, fit_intercept):
    return Binomial(
        backend.asarray(X),
        backend.asarray(y),
        backend.asarray(weight),
        l2=l2,
        fit_intercept=fit_intercept,
        xp=backend.xp,
    )


def _formula(X, y, weight, w, *, l2, fit_intercept):
    """The issue's definition, in NumPy float64."""
    coef, intercept = (w[:-1], w[-1]) if fit_intercept else (w, 0.0)
    z = X @ coef + intercept
    mean_loss = np.sum(weight * (np.logaddexp(0.0, z) - y * z)) / weight.sum()
    return mean_loss + l2 * (coef @ coef) / (2.0 * weight.sum())


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("l2", [0.0, 0.7])
def test_loss_matches_the_formula(backend, l2, fit_intercept):
    X, y, weight = _data()
    objective = _objective(backend, X, y, weight, l2=l2, fit_intercept=fit_intercept)
    w = np.random.default_rng(1).standard_normal(objective.n_params)
    value, grad = objective.loss_grad(backend.asarray(w))
    assert_on_backend(value, backend)
    assert_on_backend(grad, backend)
    rtol = 1e-13 if backend.has_float64 else 1e-5
    expected = _formula(X, y, weight, w, l2=l2, fit_intercept=fit_intercept)
    np.testing.assert_allclose(float(to_numpy(value)), expected, rtol=rtol)
    np.testing.assert_allclose(
        float(to_numpy(objective.loss(backend.asarray(w)))), expected, rtol=rtol
    )


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_gradient_equals_central_differences(backend64, fit_intercept):
    X, y, weight = _data(seed=2)
    objective = _objective(backend64, X, y, weight, l2=0.3, fit_intercept=fit_intercept)
    w = np.random.default_rng(3).standard_normal(objective.n_params)
    _, grad = objective.loss_grad(backend64.asarray(w))
    eps = 1e-6
    numeric = [
        (
            _formula(X, y, weight, w + eps * e, l2=0.3, fit_intercept=fit_intercept)
            - _formula(X, y, weight, w - eps * e, l2=0.3, fit_intercept=fit_intercept)
        )
        / (2 * eps)
        for e in np.eye(objective.n_params)
    ]
    np.testing.assert_allclose(to_numpy(grad), numeric, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_hessian_equals_differences_of_the_gradient(backend64, fit_intercept):
    X, y, weight = _data(seed=4)
    objective = _objective(backend64, X, y, weight, l2=0.3, fit_intercept=fit_intercept)
    w = np.random.default_rng(5).standard_normal(objective.n_params)
    hessian = objective.hessian(backend64.asarray(w))
    assert_on_backend(hessian, backend64)
    eps = 1e-6
    columns = [
        (
            to_numpy(objective.loss_grad(backend64.asarray(w + eps * e))[1])
            - to_numpy(objective.loss_grad(backend64.asarray(w - eps * e))[1])
        )
        / (2 * eps)
        for e in np.eye(objective.n_params)
    ]
    np.testing.assert_allclose(to_numpy(hessian), np.array(columns).T, rtol=1e-6, atol=1e-9)


def test_hessian_vector_product_equals_the_hessian_times_the_vector(backend):
    X, y, weight = _data(seed=6)
    objective = _objective(backend, X, y, weight, l2=0.3, fit_intercept=True)
    rng = np.random.default_rng(7)
    w = backend.asarray(rng.standard_normal(objective.n_params))
    v = backend.asarray(rng.standard_normal(objective.n_params))
    product = objective.hessp(w, v)
    assert_on_backend(product, backend)
    rtol = 1e-12 if backend.has_float64 else 1e-5
    np.testing.assert_allclose(
        to_numpy(product), to_numpy(objective.hessian(w) @ v), rtol=rtol, atol=rtol
    )


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_hessian_diagonal_is_the_diagonal_of_the_hessian(backend, fit_intercept):
    X, y, weight = _data(seed=10, scale=np.logspace(-2, 2, 4))
    objective = _objective(backend, X, y, weight, l2=0.3, fit_intercept=fit_intercept)
    w = backend.asarray(np.random.default_rng(11).standard_normal(objective.n_params))
    diagonal = objective.hessian_diagonal(w)
    assert_on_backend(diagonal, backend)
    rtol = 1e-12 if backend.has_float64 else 1e-5
    np.testing.assert_allclose(
        to_numpy(diagonal), np.diag(to_numpy(objective.hessian(w))), rtol=rtol
    )


def test_intercept_is_an_unpenalized_column_of_ones(backend64):
    X, y, weight = _data(seed=8)
    with_intercept = _objective(backend64, X, y, weight, l2=0.0, fit_intercept=True)
    ones_column = _objective(
        backend64, np.c_[X, np.ones(len(X))], y, weight, l2=0.0, fit_intercept=False
    )
    w = backend64.asarray(np.random.default_rng(9).standard_normal(X.shape[1] + 1))
    for a, b in zip(with_intercept.loss_grad(w), ones_column.loss_grad(w), strict=True):
        np.testing.assert_allclose(to_numpy(a), to_numpy(b), rtol=1e-13)
    penalized = _objective(backend64, X, y, weight, l2=5.0, fit_intercept=True)
    # The penalty's gradient l2·w/Σs touches the coefficients only.
    difference = to_numpy(penalized.loss_grad(w)[1] - with_intercept.loss_grad(w)[1])
    np.testing.assert_allclose(difference[:-1], 5.0 * to_numpy(w)[:-1] / weight.sum(), rtol=1e-12)
    assert difference[-1] == 0.0


def test_loss_is_finite_for_logits_of_a_thousand(backend):
    X = np.array([[1000.0], [-1000.0], [1000.0], [-1000.0]])
    y = np.array([0.0, 1.0, 1.0, 0.0])  # two confidently wrong rows, two right
    objective = _objective(backend, X, y, np.ones(4), l2=0.0, fit_intercept=False)
    value, grad = objective.loss_grad(backend.asarray([1.0]))
    np.testing.assert_allclose(float(to_numpy(value)), 500.0, rtol=1e-6)
    np.testing.assert_allclose(to_numpy(grad), [500.0], rtol=1e-6)


# Objectives with one parameter row per output: softmax classes, regression targets.


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
    X, _, weight = _data(seed=seed)
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
def test_tiled_passes_equal_the_single_pass(backend, monkeypatch, fit_intercept):
    X, y, weight = _data(seed=13, n=101)
    whole = _objective(backend, X, y, weight, l2=0.4, fit_intercept=fit_intercept)
    monkeypatch.setattr(_binomial, "tile_rows", lambda xp, device, n_features: 7)
    tiled = _objective(backend, X, y, weight, l2=0.4, fit_intercept=fit_intercept)
    assert len(tiled._tiles) == 15 and len(whole._tiles) == 1
    w = backend.asarray(np.random.default_rng(14).standard_normal(whole.n_params))
    rtol = rtol_for(backend, float64=1e-12, float32=1e-5)
    for part, expected in zip(tiled.loss_grad(w), whole.loss_grad(w), strict=True):
        assert_close(part, to_numpy(expected), backend, rtol=rtol, atol=rtol * 1e-3)
    assert_close(
        tiled.hessian_diagonal(w),
        np.diag(to_numpy(whole.hessian(w))),
        backend,
        rtol=rtol,
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
    X, y, weight = _data(seed=21, n=50)
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
