"""What the objectives share: Multinomial and SquaredError (objectives/_multinomial.py,
_squared.py; one parametrization over both, on the data of problems.output_objective) against
their formulas and finite differences, and every objective's Hessian (and its diagonal) from
evenly spaced rows (``max_rows``, through _tiles.sampled_rows) equal to the objective built on
those rows. Each objective's own tests are in test_binomial.py, test_multinomial.py and
test_squared.py."""

import numpy as np
import pytest

from tests.backends import assert_close, assert_on_backend, rtol_for
from tests.objectives.problems import data, output_objective
from xlogreg._backend import to_numpy
from xlogreg.objectives import Binomial, Multinomial, SquaredError

OUTPUT_KINDS = ["multinomial", "squared", "squared-2d"]


class _NumPy:
    """The float64 NumPy reference, in the shape of a backend row."""

    xp = np

    @staticmethod
    def asarray(a):
        return np.asarray(a, dtype=np.float64)


_NUMPY = _NumPy()


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
    objective, w, value = output_objective(kind, backend, l2=0.7, fit_intercept=fit_intercept)
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
    objective, w, value = output_objective(kind, backend64, l2=0.3, fit_intercept=fit_intercept)
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


@pytest.mark.parametrize("features", [(), (2,), (3, 0)])
@pytest.mark.parametrize("kind", ["binomial", "multinomial", "squared"])
def test_hessian_of_a_working_set(backend, kind, features):
    """``hessian(w, features=...)`` is the exact Hessian's block of those coefficients and
    the intercepts (``layout.positions``), without the multinomial's added curvature along
    the shifts: proximal Newton's model on its working set."""
    X, y, weight = data(seed=23, n=60)
    labels = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0).astype(int)
    Y = {"binomial": y, "multinomial": np.eye(3)[labels], "squared": X @ np.arange(1.0, 5.0)}[kind]
    reference = _built(kind, _NUMPY, X, Y, weight)
    w = np.random.default_rng(24).standard_normal(reference.n_params) * 0.3
    positions = list(reference.layout.positions(features))
    expected = _numeric_hessian(reference, _NUMPY, w)[np.ix_(positions, positions)]
    objective = _built(kind, backend, X, Y, weight)
    block = objective.hessian(backend.asarray(w), features=features)
    rtol = rtol_for(backend, float64=1e-6, float32=1e-4)
    assert_close(block, expected, backend, rtol=rtol, atol=rtol * np.abs(expected).max())
