"""Seed 000's lesson reproduced on every backend: the printed numbers are the spec."""

import numpy as np
import pytest

from xlogreg import ConvergenceWarning, LogisticRegression
from xlogreg._backend import to_numpy
from xlogreg.objectives import Binomial

from backends import assert_on_backend

# Eight historical access-change requests: [ambiguity, auto-policy support].
X_RAW = np.array(
    [[1.0, 1.0], [1.5, 2.0], [2.0, 3.0], [3.5, 6.0], [4.0, 7.0], [4.5, 5.0], [2.8, 4.0], [3.2, 8.0]]
)
Y = np.array([0, 0, 1, 1, 1, 1, 0, 0])
X_WITH_ONES = np.c_[np.ones(len(X_RAW)), X_RAW]


def _seed_gd_fit(backend):
    model = LogisticRegression(
        C=float("inf"), fit_intercept=False, solver="gd", learning_rate=0.2, max_iter=3000
    )
    # 3000 epochs stop short of the optimum, exactly as in the lesson.
    with pytest.warns(ConvergenceWarning, match="max_iter=3000"):
        model.fit(backend.asarray(X_WITH_ONES), backend.asarray(Y))
    return model


def test_gradient_descent_reproduces_printed_weights_and_loss(backend):
    model = _seed_gd_fit(backend)
    assert_on_backend(model.coef_, backend)
    np.testing.assert_allclose(to_numpy(model.coef_)[0], [-4.894, 3.399, -0.959], atol=1e-3)
    assert model.n_iter_ == 3000
    assert round(model.loss_history_[1], 4) == 0.6830
    assert round(model.loss_history_[-1], 4) == 0.4072


def test_training_confusion_at_half(backend):
    model = _seed_gd_fit(backend)
    predicted = to_numpy(model.predict(backend.asarray(X_WITH_ONES), threshold=0.5))
    tp = int(np.sum((predicted == 1) & (Y == 1)))
    fp = int(np.sum((predicted == 1) & (Y == 0)))
    fn = int(np.sum((predicted == 0) & (Y == 1)))
    tn = int(np.sum((predicted == 0) & (Y == 0)))
    assert (tp, fp, fn, tn) == (3, 1, 1, 3)


def test_first_full_batch_gradient_and_update(backend):
    xp = backend.xp
    objective = Binomial(
        backend.asarray(X_WITH_ONES),
        backend.asarray(Y.astype(float)),
        xp.ones(8, dtype=backend.dtype, device=backend.device),
        l2=0.0,
        fit_intercept=False,
        xp=xp,
    )
    _, grad = objective.loss_grad(xp.zeros(3, dtype=backend.dtype, device=backend.device))
    # The lesson's heatmap: g = [0, -0.344, -0.375], so w1 = -0.2 g = [0, 0.069, 0.075].
    np.testing.assert_allclose(to_numpy(grad), [0.0, -0.34375, -0.375], atol=1e-7)
    np.testing.assert_allclose(to_numpy(-0.2 * grad), [0.0, 0.06875, 0.075], atol=1e-7)


def test_single_row_gradient_matches_finite_differences(backend):
    """Seed 000's check on R4 (x = [1, 3.5, 6], y = 1, w = 0): analytic [-0.5, -1.75, -3]."""
    xp = backend.xp
    row = backend.asarray(X_WITH_ONES[3:4])
    objective = Binomial(
        row,
        backend.asarray([1.0]),
        backend.asarray([1.0]),
        l2=0.0,
        fit_intercept=False,
        xp=xp,
    )
    w = np.zeros(3)
    _, grad = objective.loss_grad(backend.asarray(w))
    eps = 1e-6 if backend.has_float64 else 1e-2
    numeric = [
        (
            float(objective.loss(backend.asarray(w + eps * e)))
            - float(objective.loss(backend.asarray(w - eps * e)))
        )
        / (2 * eps)
        for e in np.eye(3)
    ]
    np.testing.assert_allclose(to_numpy(grad), [-0.5, -1.75, -3.0], rtol=1e-7)
    np.testing.assert_allclose(
        numeric, [-0.5, -1.75, -3.0], rtol=1e-6 if backend.has_float64 else 1e-3
    )


def test_unpenalized_optimum_matches_scikit_learn():
    """The lesson's scikit-learn comparison, at the true optimum rather than lbfgs's default tol."""
    from sklearn.linear_model import LogisticRegression as SkLogisticRegression

    reference = SkLogisticRegression(
        C=np.inf, solver="newton-cholesky", tol=1e-12, fit_intercept=False
    ).fit(X_WITH_ONES, Y)
    model = LogisticRegression(C=float("inf"), fit_intercept=False, tol=1e-10).fit(X_WITH_ONES, Y)
    np.testing.assert_allclose(model.coef_, reference.coef_, rtol=1e-7)
    np.testing.assert_allclose(np.round(model.coef_[0], 2), [-4.92, 3.41, -0.96])
