"""Seed 000's lesson reproduced on every backend: the printed numbers are the spec."""

import numpy as np
import pytest

from tests.backends import assert_on_backend
from xlogreg import ConvergenceWarning, LogisticRegression, metrics
from xlogreg._backend import to_numpy
from xlogreg.objectives import Binomial

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


# --- Held-out evaluation: threshold cost, ranking and calibration -----------------------------
# The validation slice's scores and labels as the lesson prints them.
P_VAL = np.array([0.061, 0.169, 0.595, 0.624, 0.971, 0.325, 0.990, 0.244])
Y_VAL = np.array([0, 0, 1, 0, 1, 0, 1, 1])
COSTS = {"cost_fp": 18, "cost_fn": 120}


def test_training_metrics_at_half(backend):
    model = _seed_gd_fit(backend)
    X, y = backend.asarray(X_WITH_ONES), backend.asarray(Y)
    predicted = model.predict(X, threshold=0.5)
    matrix = metrics.confusion_matrix(y, predicted)
    assert_on_backend(matrix, backend, dtype=backend.integer_dtype)
    assert to_numpy(matrix).tolist() == [[3, 1], [1, 3]]
    for score in (metrics.precision_score, metrics.recall_score, metrics.f1_score):
        assert round(float(score(y, predicted)), 3) == 0.75
    ece, _ = metrics.expected_calibration_error(y, model.predict_proba(X)[:, 1], n_bins=4)
    assert round(float(ece), 3) == 0.268


def test_validation_auc_is_13_of_16_pairs(backend):
    auc = metrics.roc_auc_score(backend.asarray(Y_VAL), backend.asarray(P_VAL))
    assert_on_backend(auc, backend)
    assert auc.shape == ()
    np.testing.assert_allclose(float(auc), 13 / 16, rtol=1e-7)


def test_validation_ece_and_reliability_bins(backend):
    ece, bins = metrics.expected_calibration_error(
        backend.asarray(Y_VAL), backend.asarray(P_VAL), n_bins=4
    )
    assert_on_backend(ece, backend)
    assert round(float(ece), 3) == 0.139
    # The lesson prints three decimals: half a unit of the last place, plus float32's rounding
    # (the second bin's mean, 0.6095, prints as 0.609 in float64 and 0.610 in float32).
    printed = 5e-4 + (1e-12 if backend.has_float64 else 1e-6)
    table = np.c_[to_numpy(bins.count), to_numpy(bins.mean_score), to_numpy(bins.positive_rate)]
    np.testing.assert_allclose(
        table,
        [[3, 0.158, 0.333], [1, 0.325, 0.0], [2, 0.609, 0.5], [2, 0.980, 1.0]],
        rtol=0,
        atol=printed,
    )
    np.testing.assert_allclose(
        to_numpy(bins.contribution), [0.066, 0.041, 0.027, 0.005], rtol=0, atol=printed
    )
    np.testing.assert_allclose(to_numpy(bins.lower), [0.0, 0.25, 0.5, 0.75])


def test_validation_threshold_costs(backend):
    sweep = metrics.threshold_sweep(
        backend.asarray(Y_VAL), backend.asarray(P_VAL), [0.20, 0.50, 0.80], **COSTS
    )
    assert_on_backend(sweep.cost, backend)
    assert to_numpy(sweep.cost).tolist() == [36, 138, 240]
    counts = np.c_[to_numpy(sweep.tp), to_numpy(sweep.fp), to_numpy(sweep.fn), to_numpy(sweep.tn)]
    assert counts.tolist() == [[4, 2, 0, 2], [3, 1, 1, 3], [2, 0, 2, 4]]
    np.testing.assert_allclose(to_numpy(sweep.precision).round(3), [0.667, 0.75, 1.0])
    np.testing.assert_allclose(to_numpy(sweep.recall), [1.0, 0.75, 0.5])
    np.testing.assert_allclose(to_numpy(sweep.f1).round(3), [0.8, 0.75, 0.667])


def test_cost_minimising_threshold_over_every_score(backend):
    choice = metrics.select_threshold(backend.asarray(Y_VAL), backend.asarray(P_VAL), **COSTS)
    assert_on_backend(choice.threshold, backend)
    # Flagging every score >= 0.244 catches all four reviews for two extra queue items ($36);
    # 0.244 is the highest threshold at that cost.
    np.testing.assert_allclose(float(choice.threshold), 0.244, rtol=1e-7)
    assert float(choice.cost) == 36


def test_one_flipped_label_moves_f1_and_ece(backend):
    flipped = Y_VAL.copy()
    flipped[3] = 1
    y, p = backend.asarray(flipped), backend.asarray(P_VAL)
    predicted = backend.xp.astype(p >= 0.5, backend.integer_dtype)
    assert round(float(metrics.f1_score(y, predicted)), 3) == 0.889
    ece, _ = metrics.expected_calibration_error(y, p, n_bins=4)
    assert round(float(ece), 3) == 0.209
