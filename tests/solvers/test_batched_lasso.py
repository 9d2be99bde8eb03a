"""solvers/batched_lasso.py: the batched elastic-net path on Gram matrices equals each model
fitted alone, on every backend; its duality gap is scikit-learn's and bounds the
suboptimality; unfinished models are kept and flagged, finished ones frozen.

References: xlogreg's ``ElasticNet`` fitted alone on the same weighted rows (proximal
Newton, a different algorithm, to a subgradient of 1e-13), scikit-learn's
``ElasticNet`` run to ``tol=1e-12``, and the objective computed here in NumPy."""

import functools
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_diabetes
from sklearn.linear_model import ElasticNet as SkElasticNet

from tests.backends import assert_on_backend, rtol_for
from xlogreg import ElasticNet
from xlogreg._backend import to_numpy
from xlogreg.objectives._weighted_grams import weighted_grams
from xlogreg.solvers.batched_lasso import elastic_net_gram_path, gram_duality_gap

L1_RATIOS = [1.0, 0.4]


def _problem():
    """30 rows, 4 features on different scales; two folds and the whole data as weights."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 4)) * np.array([1.0, 3.0, 0.5, 2.0]) + np.array([1, -2, 0, 5])
    y = X @ np.array([1.5, 0.0, -2.0, 0.3]) + 4.0 + rng.standard_normal(30)
    weight = rng.uniform(0.2, 2.0, 30)
    train = np.ones((30, 3))
    train[:15, 0] = 0.0
    train[15:, 1] = 0.0
    return X, y, weight[:, None] * train


def _alphas(X, y, weights):
    """Three alphas per l1_ratio from the whole data's alpha_max down (scikit-learn's grid)."""
    w = weights[:, 2]
    xc, yc = X - np.average(X, axis=0, weights=w), y - np.average(y, weights=w)
    alpha_max = np.abs(xc.T @ (w * yc)).max() / w.sum()
    return np.array([np.geomspace(alpha_max, alpha_max / 50, 3) / r for r in L1_RATIOS])


@functools.cache
def _one_at_a_time():
    """coef and intercept of each (alpha, l1_ratio, problem) fitted alone in float64."""
    X, y, weights = _problem()
    alphas = _alphas(X, y, weights)
    coef = np.empty((3, 2, 3, 4))
    intercept = np.empty((3, 2, 3))
    for a in range(3):
        for r, ratio in enumerate(L1_RATIOS):
            for p in range(3):
                model = ElasticNet(alpha=alphas[r, a], l1_ratio=ratio, tol=1e-13, max_iter=10_000)
                model.fit(X, y, sample_weight=weights[:, p])
                assert model.converged_
                coef[a, r, p], intercept[a, r, p] = model.coef_, model.intercept_
    return coef, intercept


def test_batched_models_equal_each_model_fitted_alone(backend):
    X, y, weights = _problem()
    xp = backend.xp
    stats = weighted_grams(
        backend.asarray(X), backend.asarray(y), backend.asarray(weights), center=True, xp=xp
    )
    tight = backend.has_float64
    path = elastic_net_gram_path(
        stats.gram,
        stats.xy,
        stats.yy,
        backend.asarray(_alphas(X, y, weights)),
        backend.asarray(L1_RATIOS),
        tol=1e-15 if tight else 1e-6,
        max_iter=1000,
        xp=xp,
    )
    assert bool(xp.all(path.converged))
    assert_on_backend(path.coefs, backend)
    assert path.coefs.shape == (3, 2, 3, 4)
    coef = to_numpy(path.coefs)
    intercept = to_numpy(stats.y_mean) - np.sum(to_numpy(stats.x_mean) * coef, axis=-1)
    expected_coef, expected_intercept = _one_at_a_time()
    # Measured (NumPy, strict, torch): 2.5e-15 (float64 rows), 1.1e-7 to 1.9e-7 (float32) of
    # the largest coefficient.
    scale = np.abs(expected_coef).max()
    assert (
        np.abs(coef - expected_coef).max() <= rtol_for(backend, float64=1e-10, float32=2e-5) * scale
    )
    np.testing.assert_allclose(
        intercept, expected_intercept, rtol=rtol_for(backend, float64=1e-10, float32=2e-5)
    )
    if tight:
        np.testing.assert_array_equal(coef == 0.0, expected_coef == 0.0)
    # The first alpha is the whole data's alpha_max: its lasso starts, and stays, at zero.
    assert np.all(coef[0, 0, 2] == 0.0) and int(path.n_iter[0, 0, 2]) == 0


def _diabetes():
    X, y = load_diabetes(return_X_y=True)
    return X - X.mean(axis=0), y - y.mean()


def _objective(X, y, coef, *, l1, l2):
    r = y - X @ coef
    return r @ r / (2 * len(y)) + l1 * np.abs(coef).sum() + 0.5 * l2 * coef @ coef


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5, 0.0])
def test_the_gap_is_scikit_learns_and_bounds_the_suboptimality(l1_ratio):
    """At scikit-learn's solution (tol=1e-12) the gap is below 1e-12·yy; at other points it
    is at least the objective's excess over the minimum."""
    X, y = _diabetes()
    alpha = 0.05
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # l1_ratio=0 advises Ridge
        reference = SkElasticNet(
            alpha=alpha, l1_ratio=l1_ratio, fit_intercept=False, tol=1e-12, max_iter=10**6
        ).fit(X, y)
    n = len(y)
    gram, c, yy = X.T @ X / n, X.T @ y / n, y @ y / n
    l1, l2 = np.asarray(alpha * l1_ratio), np.asarray(alpha * (1 - l1_ratio))

    def gap(coef):
        return float(gram_duality_gap(coef, c - gram @ coef, c, yy, l1, l2, xp=np))

    best = reference.coef_
    assert abs(gap(best)) <= 1e-12 * yy  # rounding leaves it a hair below zero, too
    np.testing.assert_allclose(gap(best), reference.dual_gap_, atol=1e-12 * yy)
    minimum = _objective(X, y, best, l1=l1, l2=l2)
    rng = np.random.default_rng(1)
    for scale in (0.0, 1.0, 10.0, 100.0):
        point = best + scale * rng.standard_normal(best.shape)
        excess = _objective(X, y, point, l1=l1, l2=l2) - minimum
        assert gap(point) >= excess - 1e-9 * yy


def test_unfinished_models_are_kept_and_flagged():
    X, y = _diabetes()
    n = len(y)
    stats_args = (X.T @ X / n)[None], (X.T @ y / n)[None], np.array([y @ y / n])
    alpha_max = np.abs(X.T @ y).max() / n
    alphas = np.array([[alpha_max, alpha_max / 100, alpha_max / 1000]])
    path = elastic_net_gram_path(*stats_args, alphas, np.array([1.0]), tol=1e-12, max_iter=2, xp=np)
    converged = path.converged[:, 0, 0]
    np.testing.assert_array_equal(converged, [True, False, False])
    np.testing.assert_array_equal(path.n_iter[:, 0, 0], [0, 2, 2])
    assert np.all(np.isfinite(path.coefs)) and np.all(path.gaps[1:, 0, 0] > 1e-12 * y @ y / n)
    # Warm-started from the unfinished model, the next alpha goes on from it.
    assert np.count_nonzero(path.coefs[2, 0, 0]) > 0


def test_finished_models_are_frozen_while_others_go_on():
    """A model that meets the criterion before its first sweep (its alpha at alpha_max: zero)
    is not moved by the sweeps of the model beside it, which ends where it would alone."""
    X, y = _diabetes()
    n = len(y)
    gram, c, yy = (X.T @ X / n)[None], (X.T @ y / n)[None], np.array([y @ y / n])
    alpha_max = np.abs(c).max()
    alphas = np.array([[alpha_max], [0.01]])
    both = elastic_net_gram_path(
        gram, c, yy, alphas, np.array([1.0, 0.5]), tol=1e-12, max_iter=10**4, xp=np
    )
    assert both.n_iter[0, 0, 0] == 0 and np.all(both.coefs[0, 0, 0] == 0.0)
    assert both.n_iter[0, 1, 0] > 1 and np.all(both.converged)
    alone = elastic_net_gram_path(
        gram, c, yy, alphas[1:], np.array([0.5]), tol=1e-12, max_iter=10**4, xp=np
    )
    np.testing.assert_allclose(both.coefs[0, 1], alone.coefs[0, 0], rtol=1e-12)
