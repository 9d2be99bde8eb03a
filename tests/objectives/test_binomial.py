"""Binomial (objectives/_binomial.py): loss, gradient, Hessian(-vector) and diagonal against
their formulas and finite differences, the unpenalized intercept, stable logits, and tiled
passes equal to one pass."""

import numpy as np
import pytest

from tests.backends import assert_close, assert_on_backend, rtol_for
from tests.objectives.problems import data
from xlogreg._backend import to_numpy
from xlogreg.objectives import Binomial, _binomial


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
    X, y, weight = data()
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
    X, y, weight = data(seed=2)
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
    X, y, weight = data(seed=4)
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
    X, y, weight = data(seed=6)
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
    X, y, weight = data(seed=10, scale=np.logspace(-2, 2, 4))
    objective = _objective(backend, X, y, weight, l2=0.3, fit_intercept=fit_intercept)
    w = backend.asarray(np.random.default_rng(11).standard_normal(objective.n_params))
    diagonal = objective.hessian_diagonal(w)
    assert_on_backend(diagonal, backend)
    rtol = 1e-12 if backend.has_float64 else 1e-5
    np.testing.assert_allclose(
        to_numpy(diagonal), np.diag(to_numpy(objective.hessian(w))), rtol=rtol
    )


def test_intercept_is_an_unpenalized_column_of_ones(backend64):
    X, y, weight = data(seed=8)
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


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_tiled_passes_equal_the_single_pass(backend, monkeypatch, fit_intercept):
    X, y, weight = data(seed=13, n=101)
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
