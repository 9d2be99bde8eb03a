"""BatchedLogistic (objectives/_batched.py): each model of the batch is the Binomial or
Multinomial of its fold's weights and its L2 strength, evaluated alone: loss, gradient and
Hessians (exact, sampled, on a working set of features), on every backend row, for any
subset of the models in any order.

References: xlogreg's Binomial and Multinomial (tested against their formulas and finite
differences in test_binomial.py and test_multinomial.py) built per model in NumPy float64,
on standardized rows of breast cancer (two classes) and iris (three)."""

import functools

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.preprocessing import StandardScaler

from tests.backends import assert_on_backend, rtol_for
from xlogreg._backend import to_numpy
from xlogreg.objectives import BatchedLogistic, Binomial, Multinomial

# Each model's fold (a column of the fold weights) and L2 strength: folds repeat, one
# model is unpenalized (the multinomial Hessian then adds its gauge curvature).
FOLDS = [0, 2, 1, 0, 2]
L2 = [0.0, 0.5, 3.0, 10.0, 0.5]


@functools.cache
def _problem(kind):
    """Standardized real rows, their targets (0/1, or one-hot) and three folds' weights:
    two that leave a third of the rows out, and all the rows."""
    if kind == "binary":
        X, y = load_breast_cancer(return_X_y=True)
        X, y = X[::6, :5], y[::6]
        target = y.astype(float)
    else:
        X, y = load_iris(return_X_y=True)
        X, y = X[::2], y[::2]
        target = np.eye(3)[y]
    X = StandardScaler().fit_transform(X)
    weight = np.random.default_rng(0).uniform(0.2, 2.0, len(y))
    rows = np.arange(len(y))
    folds = np.stack([weight * (rows % 3 != 0), weight * (rows % 3 != 1), weight], axis=1)
    return X, target, folds


def _batched(backend, kind, *, fit_intercept):
    X, target, folds = _problem(kind)
    return BatchedLogistic(
        backend.asarray(X),
        backend.asarray(target),
        backend.asarray(folds),
        folds=FOLDS,
        l2=L2,
        fit_intercept=fit_intercept,
        xp=backend.xp,
    )


def _alone(kind, model, *, fit_intercept):
    """Model ``model`` of the batch on its own, in NumPy float64."""
    X, target, folds = _problem(kind)
    build = Binomial if kind == "binary" else Multinomial
    return build(
        X,
        target,
        folds[:, FOLDS[model]],
        l2=L2[model],
        fit_intercept=fit_intercept,
        xp=np,
    )


def _parameters(objective):
    rng = np.random.default_rng(1)
    return 0.7 * rng.standard_normal((len(FOLDS), objective.n_params))


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("kind", ["binary", "three classes"])
def test_loss_and_gradient_are_each_model_alone(backend, kind, fit_intercept):
    objective = _batched(backend, kind, fit_intercept=fit_intercept)
    W = _parameters(objective)
    rtol = rtol_for(backend, float64=1e-13, float32=2e-5)
    for models in [(0, 1, 2, 3, 4), (3, 1)]:
        rows = W[list(models)]
        loss, grad = objective.loss_grad(backend.asarray(rows), models=models)
        alone_loss = objective.loss(backend.asarray(rows), models=models)
        for value in (loss, grad, alone_loss):
            assert_on_backend(value, backend)
        assert grad.shape == rows.shape
        for k, m in enumerate(models):
            expected_loss, expected_grad = _alone(kind, m, fit_intercept=fit_intercept).loss_grad(
                rows[k]
            )
            np.testing.assert_allclose(to_numpy(loss)[k], expected_loss, rtol=rtol)
            np.testing.assert_allclose(to_numpy(alone_loss)[k], expected_loss, rtol=rtol)
            scale = np.abs(expected_grad).max()
            np.testing.assert_allclose(to_numpy(grad)[k], expected_grad, rtol=0, atol=rtol * scale)


@pytest.mark.parametrize(("max_rows", "features"), [(None, None), (12, (1, 2, 4))])
@pytest.mark.parametrize("kind", ["binary", "three classes"])
def test_hessians_are_each_model_alone(backend, kind, max_rows, features):
    """Exact, estimated from evenly spaced rows, and on a working set of features."""
    objective = _batched(backend, kind, fit_intercept=True)
    W = _parameters(objective)
    if features is not None and kind != "binary":  # iris has four features
        features = tuple(j for j in features if j < 4)
    models = (4, 0, 2, 1)
    rows = W[list(models)]
    hessians = objective.hessians(
        backend.asarray(rows), models=models, max_rows=max_rows, features=features
    )
    assert_on_backend(hessians, backend)
    rtol = rtol_for(backend, float64=1e-13, float32=2e-5)
    for k, m in enumerate(models):
        expected = _alone(kind, m, fit_intercept=True).hessian(
            rows[k], max_rows=max_rows, features=features
        )
        assert hessians.shape[1:] == expected.shape
        scale = np.abs(expected).max()
        np.testing.assert_allclose(to_numpy(hessians)[k], expected, rtol=0, atol=rtol * scale)


def test_penalty_strengths_are_averaged_over_each_folds_weights():
    objective = _batched_numpy("binary")
    _, _, folds = _problem("binary")
    sums = folds.sum(axis=0)
    models = (3, 0, 1)
    expected = [L2[m] / sums[FOLDS[m]] for m in models]
    np.testing.assert_allclose(objective.penalty_strengths(models), expected, rtol=1e-15)
    l1 = [0.1, 0.2, 0.3, 0.4, 0.5]
    expected = [l1[m] / sums[FOLDS[m]] for m in models]
    np.testing.assert_allclose(objective.averaged(l1, models), expected, rtol=1e-15)


def _batched_numpy(kind):
    X, target, folds = _problem(kind)
    return BatchedLogistic(X, target, folds, folds=FOLDS, l2=L2, fit_intercept=True, xp=np)


def test_a_fold_missing_from_the_sampled_rows_gets_its_exact_hessian():
    """Evenly spaced rows (every 4th) that all fall in a fold's test rows: that model's
    Hessian is its exact one, as Binomial's falls back to all the rows, not 0/0."""
    X, target, _ = _problem("binary")
    rows = np.arange(len(target))
    odd = np.stack([(rows % 2 == 1).astype(float), np.ones(len(rows))], axis=1)
    objective = BatchedLogistic(
        X, target, odd, folds=[0, 1], l2=[1.0, 1.0], fit_intercept=True, xp=np
    )
    W = _parameters(objective)[:2]
    max_rows = -(-len(rows) // 4)
    hessians = objective.hessians(W, models=(0, 1), max_rows=max_rows)
    assert np.all(np.isfinite(hessians))
    alone = Binomial(X, target, odd[:, 0], l2=1.0, fit_intercept=True, xp=np)
    np.testing.assert_allclose(hessians[0], alone.hessian(W[0]), rtol=1e-13)
    np.testing.assert_allclose(hessians[0], alone.hessian(W[0], max_rows=max_rows), rtol=1e-13)
