"""solvers/batched_newton.py: every model of a batch reaches the minimizer that
xlogreg.solvers.minimize finds for it alone (Newton; proximal Newton with an L1 part); a
model that converges early is frozen with its own count of iterations; max_iter stops
exactly the unfinished ones. (Every backend row runs it in test_logistic_cv.py, through
LogisticRegressionCV's grid.)

References: ``minimize(method="newton")`` on each model's Binomial or Multinomial (its
fold's weights, its L2, its L1 penalty averaged over the weights), itself tested against
scikit-learn and glum through LogisticRegression; standardized rows of breast cancer (two
classes) and wine (three)."""

import functools

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_wine
from sklearn.preprocessing import StandardScaler

from xlogreg.objectives import BatchedLogistic, Binomial, Multinomial
from xlogreg.objectives._penalty import L1
from xlogreg.solvers import minimize
from xlogreg.solvers.batched_newton import batched_newton

# Three folds (two leave a third of the rows out, one is all of them) and, per model,
# its fold, 1/C for its L2 part and its L1 part: weak to strong penalties.
FOLDS = [0, 1, 2, 0, 1, 2]
CS = [0.01, 0.01, 0.1, 1.0, 10.0, 10.0]


@functools.cache
def _problem(kind):
    if kind == "binary":
        X, y = load_breast_cancer(return_X_y=True)
        X, y = X[::3, :8], y[::3]
        target = y.astype(float)
    else:
        X, y = load_wine(return_X_y=True)
        X, y = X[:, :6], y
        target = np.eye(3)[y]
    X = StandardScaler().fit_transform(X)
    weight = np.random.default_rng(0).uniform(0.2, 2.0, len(y))
    rows = np.arange(len(y))
    folds = np.stack([weight * (rows % 3 != 0), weight * (rows % 3 != 1), weight], axis=1)
    return X, target, folds


def _intercepts_centred(kind, W):
    """With three classes, the intercepts minus their mean over the classes: the softmax
    and the penalties do not see a shift common to every class's intercept, which
    proximal Newton's coordinate descent does not keep at zero (Newton's steps do)."""
    W = np.asarray(W, dtype=np.float64)
    if kind == "binary":
        return W
    rows = W.reshape(W.shape[0], 3, -1).copy()
    rows[:, :, -1] -= rows[:, :, -1].mean(axis=1, keepdims=True)
    return rows.reshape(W.shape)


def _strengths(l1_ratio):
    """Each model's (L2, L1) strengths: (1 - l1_ratio)/C and l1_ratio/C."""
    return [(1.0 - l1_ratio) / C for C in CS], [l1_ratio / C for C in CS]


def _batched(kind, l1_ratio, *, models=None):
    X, target, folds = _problem(kind)
    models = range(len(FOLDS)) if models is None else models
    l2, _ = _strengths(l1_ratio)
    return BatchedLogistic(
        X,
        target,
        folds,
        folds=[FOLDS[m] for m in models],
        l2=[l2[m] for m in models],
        fit_intercept=True,
        xp=np,
    )


@functools.cache
def _alone(kind, l1_ratio):
    """Each model minimized alone by minimize(method="newton"), to tol=1e-13."""
    X, target, folds = _problem(kind)
    l2, l1 = _strengths(l1_ratio)
    build = Binomial if kind == "binary" else Multinomial
    solutions, values = [], []
    for m, fold in enumerate(FOLDS):
        objective = build(X, target, folds[:, fold], l2=l2[m], fit_intercept=True, xp=np)
        penalty = None
        if l1_ratio > 0.0:
            penalty = L1(l1[m], layout=objective.layout, dtype=np.float64, device="cpu")
            penalty = penalty.averaged(objective.weight_sum)
        result = minimize(
            objective,
            np.zeros(objective.n_params),
            method="newton",
            tol=1e-13,
            max_iter=200,
            penalty=penalty,
        )
        assert result.converged, result.message
        solutions.append(result.x)
        values.append(result.fun)
    return np.stack(solutions), np.array(values)


@pytest.mark.parametrize("l1_ratio", [0.0, 0.5, 1.0])
@pytest.mark.parametrize("kind", ["binary", "three classes"])
def test_each_model_reaches_its_minimizer_alone(kind, l1_ratio):
    objective = _batched(kind, l1_ratio)
    _, l1 = _strengths(l1_ratio)
    result = batched_newton(
        objective,
        np.zeros((len(FOLDS), objective.n_params)),
        tol=1e-12,
        max_iter=100,
        l1=l1 if l1_ratio > 0.0 else None,
    )
    assert result.converged == (True,) * len(FOLDS), result.message
    expected, values = _alone(kind, l1_ratio)
    np.testing.assert_allclose(result.fun, values, rtol=1e-13)
    expected = _intercepts_centred(kind, expected)
    scale = np.abs(expected).max(axis=1, keepdims=True)
    assert np.all(np.abs(_intercepts_centred(kind, result.x) - expected) <= 1e-10 * scale)
    if l1_ratio > 0.0:
        np.testing.assert_array_equal(result.x == 0.0, expected == 0.0)
        assert np.any(result.x == 0.0)  # the strong penalties leave features out


def _solve(kind, l1_ratio, models, *, max_iter, W0=None):
    objective = _batched(kind, l1_ratio, models=models)
    _, l1 = _strengths(l1_ratio)
    W0 = np.zeros((len(models), objective.n_params)) if W0 is None else W0
    return batched_newton(
        objective,
        W0,
        tol=1e-12,
        max_iter=max_iter,
        l1=[l1[m] for m in models] if l1_ratio > 0.0 else None,
    )


@pytest.mark.parametrize("l1_ratio", [0.0, 1.0])
@pytest.mark.parametrize("kind", ["binary", "three classes"])
def test_a_model_that_converges_early_is_frozen_with_its_own_iterations(kind, l1_ratio):
    """The strongest penalty converges in fewer iterations than the weakest: in one batch
    each keeps the iterations and the solution it has alone."""
    fast, slow = 0, 5
    together = _solve(kind, l1_ratio, (fast, slow), max_iter=100)
    alone = [_solve(kind, l1_ratio, (m,), max_iter=100) for m in (fast, slow)]
    assert together.converged == (True, True)
    assert together.n_iter == (alone[0].n_iter[0], alone[1].n_iter[0])
    assert together.n_iter[0] < together.n_iter[1]
    for k in range(2):
        scale = np.abs(alone[k].x[0]).max()
        np.testing.assert_allclose(together.x[k], alone[k].x[0], rtol=0, atol=1e-12 * scale)


@pytest.mark.parametrize("l1_ratio", [0.0, 1.0])
@pytest.mark.parametrize("kind", ["binary", "three classes"])
def test_max_iter_stops_exactly_the_unfinished_models(kind, l1_ratio):
    """max_iter = the fast model's iterations: it converges, every other model stops at
    max_iter. Newton's iterates are those of each model alone; proximal Newton's steps
    solve each model's subproblem on the batch's working set (the features that some
    model can move), so its unfinished iterates differ from a lone model's."""
    models = (0, 3, 5)
    full = _solve(kind, l1_ratio, models, max_iter=100)
    max_iter = full.n_iter[0]
    assert all(n > max_iter for n in full.n_iter[1:])
    stopped = _solve(kind, l1_ratio, models, max_iter=max_iter)
    assert stopped.status == ("converged", "max_iter", "max_iter")
    assert stopped.n_iter == (max_iter,) * 3
    assert stopped.message[1:] == (f"reached max_iter={max_iter}",) * 2
    assert all(norm > 1e-12 for norm in stopped.grad_norm[1:])
    for k, m in enumerate(models):
        alone = _solve(kind, l1_ratio, (m,), max_iter=max_iter)
        assert alone.status[0] == stopped.status[k]
        if l1_ratio > 0.0 and k > 0:
            continue
        scale = np.abs(alone.x[0]).max()
        np.testing.assert_allclose(stopped.x[k], alone.x[0], rtol=0, atol=1e-12 * scale)


def test_a_converged_start_takes_no_iteration():
    """Started at their minimizers, the models stop before any step."""
    expected, _ = _alone("binary", 0.0)
    result = _solve("binary", 0.0, tuple(range(len(FOLDS))), max_iter=100, W0=expected)
    assert result.n_iter == (0,) * len(FOLDS)
    assert result.converged == (True,) * len(FOLDS)
