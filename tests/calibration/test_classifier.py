"""CalibratedClassifier: parity with scikit-learn and SciPy, every backend, bad input.

Also the objectives calibration relies on: Binomial with soft targets (Platt)
and Temperature.
"""

import copy
import warnings

import numpy as np
import pytest
from array_api_compat import array_namespace
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax as np_log_softmax
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression as SkLogisticRegression

from tests.backends import assert_close, assert_on_backend, rtol_for
from xlogreg import (
    CalibratedClassifier,
    LinearRegression,
    LogisticRegression,
    NotFittedError,
    StandardScaler,
)
from xlogreg._backend import host_generator, to_numpy
from xlogreg._splits import stratified_split
from xlogreg.calibration._calibrators import Scores, calibrated_proba
from xlogreg.metrics import expected_calibration_error
from xlogreg.objectives import Binomial, Temperature

METHODS = ["platt", "temperature", "isotonic"]
SK_METHODS = {"platt": "sigmoid", "temperature": "temperature", "isotonic": "isotonic"}


def _data(n, n_classes=2, seed=0):
    """Rows of a true logistic (or softmax) model, so a fitted model is nearly calibrated."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 4))
    if n_classes == 2:
        logits = X @ np.array([1.5, -1.0, 0.5, 0.0]) + 0.2
        y = (rng.random(n) < 1.0 / (1.0 + np.exp(-logits))).astype(int)
    else:
        B = np.array([[1.0, -0.5, 0.0, 0.3], [-0.8, 1.2, 0.4, 0.0], [0.0, 0.0, -1.0, 0.6]])
        y = np.argmax(X @ B[:n_classes].T + rng.gumbel(size=(n, n_classes)), axis=1)
    return X, y


def _overconfident(X, y, backend=None, factor=3.0):
    """A model fitted on (X, y) (NumPy, or moved to ``backend``), its logits then × ``factor``."""
    if backend is not None:
        X, y = backend.asarray(X), backend.asarray(y)
    model = LogisticRegression().fit(X, y)
    model.coef_ = factor * model.coef_
    model.intercept_ = factor * model.intercept_
    return model


def _sk_twin(model):
    """A scikit-learn LogisticRegression with our model's coefficients (same decision function)."""
    X = np.zeros((model.classes_.shape[0], model.coef_.shape[1]))
    sk = SkLogisticRegression().fit(X, to_numpy(model.classes_))
    sk.coef_, sk.intercept_ = to_numpy(model.coef_).copy(), to_numpy(model.intercept_).copy()
    return sk


def _sk_calibrated(model, method, X, y, weight=None):
    with warnings.catch_warnings():
        # FrozenEstimator takes no weights: scikit-learn warns that only the calibrator uses them.
        warnings.simplefilter("ignore", UserWarning)
        return CalibratedClassifierCV(FrozenEstimator(_sk_twin(model)), method=method).fit(
            X, y, sample_weight=weight
        )


def _ece(y, proba):
    """Positive-class ECE for two classes, top-label ECE otherwise (NumPy in, float out)."""
    if proba.shape[1] == 2:
        return float(expected_calibration_error(y == 1, proba[:, 1]).ece)
    hit = np.argmax(proba, axis=1) == y
    return float(expected_calibration_error(hit, np.max(proba, axis=1)).ece)


# --- objectives -------------------------------------------------------------------------------


def test_binomial_takes_soft_targets(backend):
    """Platt fits Binomial on targets inside (0, 1): loss softplus(z) − t·z and its gradient."""
    rng = np.random.default_rng(0)
    f = rng.standard_normal(40)
    t = rng.uniform(0.05, 0.95, 40)
    weight = rng.uniform(0.2, 2.0, 40)
    w = np.array([0.7, -0.3])
    objective = Binomial(
        backend.asarray(f[:, None]),
        backend.asarray(t),
        backend.asarray(weight),
        l2=0.0,
        fit_intercept=True,
        xp=backend.xp,
    )
    loss, grad = objective.loss_grad(backend.asarray(w))
    z = w[0] * f + w[1]
    s = weight / weight.sum()
    residual = s * (1.0 / (1.0 + np.exp(-z)) - t)
    rtol = rtol_for(backend, float64=1e-13, float32=2e-6)
    assert_close(loss, s @ (np.logaddexp(0.0, z) - t * z), backend, rtol=rtol)
    assert_close(grad, [residual @ f, residual.sum()], backend, rtol=rtol, atol=rtol * 1e-2)


def _temperature_problem(n_classes, seed=0):
    rng = np.random.default_rng(seed)
    Z = 3.0 * rng.standard_normal((60, n_classes))
    y = np.argmax(Z / 3.0 + rng.gumbel(size=Z.shape), axis=1)
    return Z, np.eye(n_classes)[y], rng.uniform(0.2, 2.0, 60)


def _temperature_loss(beta, Z, Y, weight):
    return weight @ -np.sum(Y * np_log_softmax(beta * Z, axis=1), axis=1) / weight.sum()


@pytest.mark.parametrize("n_classes", [2, 3])
def test_temperature_loss_and_derivatives(backend, n_classes):
    Z, Y, weight = _temperature_problem(n_classes)
    objective = Temperature(
        backend.asarray(Z), backend.asarray(Y), backend.asarray(weight), xp=backend.xp
    )
    beta, h = 0.7, 1e-5
    loss, grad = objective.loss_grad(backend.asarray([beta]))
    rtol = rtol_for(backend, float64=1e-12, float32=1e-5)
    assert_close(loss, _temperature_loss(beta, Z, Y, weight), backend, rtol=rtol)
    assert_close(objective.loss(backend.asarray([beta])), float(to_numpy(loss)), backend, rtol=0)
    if not backend.has_float64:
        return  # finite differences need float64
    central = _temperature_loss(beta + h, Z, Y, weight) - _temperature_loss(beta - h, Z, Y, weight)
    assert_close(grad, [central / (2 * h)], backend, rtol=1e-8)
    slope = [
        float(to_numpy(objective.loss_grad(backend.asarray([beta + d]))[1])[0]) for d in (h, -h)
    ]
    hessian = objective.hessian(backend.asarray([beta]))
    assert hessian.shape == (1, 1)
    assert_close(hessian, [[(slope[0] - slope[1]) / (2 * h)]], backend, rtol=1e-7)
    assert_close(
        objective.hessian_diagonal(backend.asarray([beta])), to_numpy(hessian)[0], backend, rtol=0
    )


@pytest.mark.parametrize("n_classes", [2, 3])
def test_temperature_matches_scipy_minimize_scalar(backend64, n_classes):
    """The fitted T minimizes the weighted log loss of softmax(z / T), as SciPy finds it."""
    X, y = _data(3000, n_classes, seed=1)
    model = _overconfident(X[:1000], y[:1000], backend64, factor=2.0)
    weight = np.random.default_rng(2).uniform(0.2, 2.0, 2000)
    calibrated = CalibratedClassifier(model, "temperature").fit(
        backend64.asarray(X[1000:]), backend64.asarray(y[1000:]), backend64.asarray(weight)
    )
    logits = to_numpy(model.decision_function(backend64.asarray(X[1000:])))
    if n_classes == 2:
        logits = np.c_[np.zeros_like(logits), logits]
    Y = np.eye(n_classes)[y[1000:]]
    best = minimize_scalar(
        lambda T: _temperature_loss(1.0 / T, logits, Y, weight),
        bounds=(0.1, 20.0),
        method="bounded",
        options={"xatol": 1e-12},
    )
    assert_on_backend(calibrated.temperature_, backend64)
    assert calibrated.temperature_.shape == ()
    np.testing.assert_allclose(float(to_numpy(calibrated.temperature_)), best.x, rtol=1e-6)


# --- every backend ----------------------------------------------------------------------------


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("method", METHODS)
def test_fit_and_predict_stay_in_the_input_namespace_device_and_dtype(backend, method, n_classes):
    X, y = _data(900, n_classes)
    model = _overconfident(X[:300], y[:300], backend)
    Xc, yc = backend.asarray(X[300:600]), backend.asarray(y[300:600])
    calibrated = CalibratedClassifier(model, method).fit(Xc, yc)
    assert calibrated.estimator_ is model
    Xt = backend.asarray(X[600:])
    proba = calibrated.predict_proba(Xt)
    assert_on_backend(proba, backend)
    assert proba.shape == (300, n_classes)
    p = to_numpy(proba)
    assert p.min() >= 0.0 and p.max() <= 1.0
    np.testing.assert_allclose(
        p.sum(axis=1), 1.0, rtol=rtol_for(backend, float64=1e-14, float32=1e-6)
    )
    for name in ("ece_before_", "ece_after_", *_parameter_names(method)):
        assert_on_backend(getattr(calibrated, name), backend)
    labels = calibrated.predict(Xt)
    assert_on_backend(labels, backend, dtype=model.classes_.dtype)
    np.testing.assert_array_equal(to_numpy(labels), np.argmax(p, axis=1))
    accuracy = calibrated.score(Xt, backend.asarray(y[600:]))
    assert accuracy == pytest.approx(np.mean(np.argmax(p, axis=1) == y[600:]))
    assert calibrated.n_features_in_ == 4


def _parameter_names(method):
    return {
        "platt": ("a_", "b_"),
        "temperature": ("temperature_",),
        "isotonic": ("thresholds_x_", "thresholds_y_"),
    }[method]


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("method", METHODS)
def test_calibration_lowers_the_ece_of_an_overconfident_model(backend, method, n_classes):
    """Logits scaled ×3: the ECE on fresh data falls by far, for every method.

    Two classes: the positive class's ECE; three: the top-label one.
    """
    X, y = _data(12_000, n_classes, seed=3)
    model = _overconfident(X[:2000], y[:2000], backend)
    calibrated = CalibratedClassifier(model, method).fit(
        backend.asarray(X[2000:7000]), backend.asarray(y[2000:7000])
    )
    Xt = backend.asarray(X[7000:])
    before = _ece(y[7000:], to_numpy(model.predict_proba(Xt)))
    after = _ece(y[7000:], to_numpy(calibrated.predict_proba(Xt)))
    assert before > 0.08
    assert after < 0.25 * before
    # On the calibration rows, the recorded numbers say the same.
    assert float(to_numpy(calibrated.ece_after_)) < 0.25 * float(to_numpy(calibrated.ece_before_))


def test_temperature_undoes_a_known_overconfidence(backend):
    """The true model's logits times 3 get T ≈ 3 back, on 20 000 calibration rows."""
    X, y = _data(20_000, seed=4)
    model = _overconfident(X[:10], y[:10], backend)  # only to have a fitted model to overwrite
    coef, intercept = np.array([[1.5, -1.0, 0.5, 0.0]]), np.array([0.2])
    model.coef_, model.intercept_ = backend.asarray(3 * coef), backend.asarray(3 * intercept)
    calibrated = CalibratedClassifier(model, "temperature").fit(
        backend.asarray(X), backend.asarray(y)
    )
    assert abs(float(to_numpy(calibrated.temperature_)) - 3.0) < 0.1


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("method", ["platt", "temperature"])
def test_the_scale_of_the_logits_does_not_matter(method, n_classes):
    """Logits ×1e-3 or ×1e5 calibrate to the same probabilities: at ×1e5 every raw
    probability is 0 or 1, where the loss in T (started at T = 1) has no curvature."""
    X, y = _data(1500, n_classes, seed=19)
    calibrated = {}
    for factor in (1e-3, 1.0, 1e5):
        model = _overconfident(X[:500], y[:500], factor=factor)
        calibrated[factor] = CalibratedClassifier(model, method).fit(X[500:1000], y[500:1000])
    expected = calibrated[1.0].predict_proba(X[1000:])
    for factor in (1e-3, 1e5):
        np.testing.assert_allclose(
            calibrated[factor].predict_proba(X[1000:]), expected, rtol=1e-7, atol=1e-12
        )
    if method == "temperature":
        temperature = float(calibrated[1.0].temperature_)
        np.testing.assert_allclose(
            float(calibrated[1e5].temperature_), 1e5 * temperature, rtol=1e-7
        )


# --- parity with scikit-learn -----------------------------------------------------------------


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("method", METHODS)
def test_matches_scikit_learn_calibrated_classifier_cv(backend64, method, n_classes, weighted):
    """The same decision function calibrated by CalibratedClassifierCV(FrozenEstimator(...))."""
    X, y = _data(2500, n_classes, seed=5)
    model = _overconfident(X[:500], y[:500], backend64)
    weight = np.random.default_rng(6).uniform(0.0, 2.0, 1000) if weighted else None
    Xc, yc = X[500:1500], y[500:1500]
    ours = CalibratedClassifier(model, method).fit(
        backend64.asarray(Xc),
        backend64.asarray(yc),
        None if weight is None else backend64.asarray(weight),
    )
    reference = _sk_calibrated(model, SK_METHODS[method], Xc, yc, weight)
    Xt = X[1500:]
    tolerance = {"platt": 1e-6, "temperature": 1e-6, "isotonic": 1e-10}[method]
    assert_close(
        ours.predict_proba(backend64.asarray(Xt)),
        reference.predict_proba(Xt),
        backend64,
        rtol=0,
        atol=tolerance,
    )
    calibrators = reference.calibrated_classifiers_[0].calibrators
    if method == "platt":
        slopes = [c.a_ for c in calibrators]
        assert_close(ours.a_, slopes, backend64, rtol=1e-6)
        assert_close(ours.b_, [c.b_ for c in calibrators], backend64, rtol=1e-6, atol=1e-8)
    elif method == "isotonic":
        for k, calibrator in enumerate(calibrators):
            n = ours.n_thresholds_[k]
            # The thresholds are decision values: equal up to the rounding of X @ coef.
            np.testing.assert_allclose(
                to_numpy(ours.thresholds_x_)[k, :n], calibrator.X_thresholds_, rtol=1e-14
            )
            np.testing.assert_allclose(
                to_numpy(ours.thresholds_y_)[k, :n], calibrator.y_thresholds_, rtol=0, atol=1e-12
            )
            # Shorter rows repeat their last threshold.
            for padded in (to_numpy(ours.thresholds_x_)[k], to_numpy(ours.thresholds_y_)[k]):
                assert np.all(padded[n:] == padded[n - 1])
    else:
        # scikit-learn writes a binary f as the logits (−f, f): twice our temperature.
        beta = calibrators[0].beta_
        expected = 0.5 / beta if n_classes == 2 else 1.0 / beta
        assert_close(ours.temperature_, expected, backend64, rtol=1e-6)


def test_isotonic_pools_tied_scores_and_clips_outside_the_range():
    """Ties in the score pool by weighted mean; scores beyond the range get the end values."""
    X, y = _data(600, seed=7)
    model = _overconfident(X[:200], y[:200])
    Xc = np.round(X[200:400], 1)  # many tied decision values
    weight = np.random.default_rng(8).uniform(0.0, 3.0, 200)
    ours = CalibratedClassifier(model, "isotonic").fit(Xc, y[200:400], weight)
    reference = _sk_calibrated(model, "isotonic", Xc, y[200:400], weight)
    Xt = np.r_[10 * X[400:], X[400:]]  # far outside the calibrated range too
    np.testing.assert_allclose(
        ours.predict_proba(Xt), reference.predict_proba(Xt), rtol=0, atol=1e-12
    )


def test_multiclass_rows_every_calibrator_gives_zero_become_uniform(backend):
    """scikit-learn's rule for one-vs-rest normalization, on isotonic maps that reach zero."""
    xp = backend.xp
    scores = Scores(backend.asarray([[0.0, 0.0, 0.0], [1.0, 1.0, 0.0]]), probabilities=True, xp=xp)
    parameters = {
        "thresholds_x_": backend.asarray([[0.0, 1.0]] * 3),
        "thresholds_y_": backend.asarray([[0.0, 0.5]] * 3),
        "n_thresholds_": (2, 2, 2),
    }
    proba = calibrated_proba("isotonic", scores, parameters, xp=xp)
    assert_close(proba, [[1 / 3, 1 / 3, 1 / 3], [0.5, 0.5, 0.0]], backend, rtol=1e-7)


def test_proba_only_classifier_calibrates_its_probabilities():
    """Without decision_function, predict_proba is calibrated: its log equals the logits
    up to a per-row shift, so temperature scaling finds the same T."""

    class ProbaOnly:
        def __init__(self, model):
            self.classes_, self.predict_proba = model.classes_, model.predict_proba

    X, y = _data(1500, 3, seed=9)
    model = _overconfident(X[:500], y[:500])
    direct = CalibratedClassifier(model, "temperature").fit(X[500:], y[500:])
    wrapped = CalibratedClassifier(ProbaOnly(model), "temperature").fit(X[500:], y[500:])
    np.testing.assert_allclose(wrapped.temperature_, direct.temperature_, rtol=1e-9)
    for method in ("platt", "isotonic"):
        calibrated = CalibratedClassifier(ProbaOnly(model), method).fit(X[500:1000], y[500:1000])
        before = _ece(y[1000:], model.predict_proba(X[1000:]))
        assert _ece(y[1000:], calibrated.predict_proba(X[1000:])) < 0.5 * before


# --- the two ways to fit ----------------------------------------------------------------------


def test_a_fitted_estimator_is_used_as_it_is():
    X, y = _data(600, seed=10)
    model = LogisticRegression().fit(X[:300], y[:300])
    state = {name: copy.deepcopy(v) for name, v in vars(model).items() if name.endswith("_")}
    calibrated = CalibratedClassifier(model).fit(X[300:], y[300:])
    assert calibrated.estimator_ is model and calibrated.estimator is model
    for name, value in vars(model).items():
        if name.endswith("_"):
            # Tuples (feature names, the training profile) compare field by field.
            pairs = (
                zip(value, state[name], strict=True)
                if isinstance(value, tuple)
                else [(value, state[name])]
            )
            for actual, expected in pairs:
                np.testing.assert_array_equal(actual, expected)


def test_split_is_stratified_and_the_same_on_every_backend(backend):
    y = np.r_[np.zeros(50, int), np.ones(11, int), np.full(7, 2)]
    np.random.default_rng(11).shuffle(y)
    yb = backend.asarray(y)
    classes = backend.xp.unique_values(yb)
    train, held = stratified_split(
        yb, classes, 0.2, host_generator(0), xp=backend.xp, device=backend.device
    )
    for rows in (train, held):
        assert_on_backend(rows, backend, dtype=backend.integer_dtype)
    train, held = to_numpy(train), to_numpy(held)
    assert np.all(np.diff(held) > 0) and np.all(np.diff(train) > 0)
    np.testing.assert_array_equal(np.sort(np.r_[train, held]), np.arange(len(y)))
    assert [np.sum(y[held] == k) for k in range(3)] == [10, 2, 1]  # round(0.2·n), at least one
    numpy_rows = stratified_split(
        y, np.unique(y), 0.2, host_generator(0), xp=array_namespace(y), device="cpu"
    )
    np.testing.assert_array_equal(held, numpy_rows[1])


def test_an_unfitted_estimator_is_fitted_on_the_rest_of_a_split(backend):
    X, y = _data(800, 3, seed=12)
    weight = np.random.default_rng(13).uniform(0.5, 2.0, 800)
    template = LogisticRegression(C=0.5)
    Xb, yb, wb = backend.asarray(X), backend.asarray(y), backend.asarray(weight)
    calibrated = CalibratedClassifier(template, "platt", validation_fraction=0.3, random_state=5)
    calibrated.fit(Xb, yb, wb)
    assert not hasattr(template, "coef_")
    assert calibrated.estimator_ is not template and calibrated.estimator_.C == 0.5
    train, held = stratified_split(
        yb,
        backend.xp.unique_values(yb),
        0.3,
        host_generator(5),
        xp=backend.xp,
        device=backend.device,
    )
    train, held = to_numpy(train), to_numpy(held)
    model = LogisticRegression(C=0.5).fit(
        backend.asarray(X[train]), backend.asarray(y[train]), backend.asarray(weight[train])
    )
    assert_close(calibrated.estimator_.coef_, to_numpy(model.coef_), backend, rtol=0)
    prefit = CalibratedClassifier(model, "platt").fit(
        backend.asarray(X[held]), backend.asarray(y[held]), backend.asarray(weight[held])
    )
    for name in ("a_", "b_", "ece_before_", "ece_after_"):
        assert_close(getattr(calibrated, name), to_numpy(getattr(prefit, name)), backend, rtol=0)
    # Same seed, same fit; another seed, another split.
    again = clone(calibrated).fit(Xb, yb, wb)
    assert_close(again.a_, to_numpy(calibrated.a_), backend, rtol=0)
    other = calibrated.set_params(random_state=6).fit(Xb, yb, wb)
    assert not np.array_equal(to_numpy(other.a_), to_numpy(again.a_))


def test_default_estimator_and_string_labels():
    X, y = _data(400, seed=14)
    labels = np.array(["no", "yes"])[y]
    calibrated = CalibratedClassifier(method="isotonic", random_state=0).fit(X, labels)
    assert isinstance(calibrated.estimator_, LogisticRegression)
    assert calibrated.classes_.tolist() == ["no", "yes"]
    assert set(calibrated.predict(X).tolist()) <= {"no", "yes"}
    prefit = CalibratedClassifier(calibrated.estimator_, "platt").fit(X[:100], labels[:100])
    assert prefit.predict(X[:5]).dtype == labels.dtype


# --- estimator behaviour ----------------------------------------------------------------------


def test_predict_uses_the_threshold_on_the_calibrated_probability():
    X, y = _data(900, seed=15)
    model = _overconfident(X[:300], y[:300])
    calibrated = CalibratedClassifier(model).fit(X[300:600], y[300:600])
    positive = calibrated.predict_proba(X[600:])[:, 1]
    np.testing.assert_array_equal(calibrated.predict(X[600:], threshold=0.3), positive >= 0.3)
    np.testing.assert_array_equal(calibrated.predict(X[600:]), positive > 0.5)
    model.threshold = 0.7  # a model's own operating point applies when predict has none
    np.testing.assert_array_equal(calibrated.predict(X[600:]), positive >= 0.7)
    np.testing.assert_array_equal(calibrated.predict(X[600:], threshold=0.3), positive >= 0.3)


def test_params_repr_and_clone():
    calibrated = CalibratedClassifier(LogisticRegression(C=2.0), "isotonic", random_state=3)
    assert repr(calibrated) == (
        "CalibratedClassifier(estimator=LogisticRegression(C=2.0), method='isotonic', "
        "random_state=3)"
    )
    assert calibrated.get_params() == {
        "estimator": calibrated.estimator,
        "method": "isotonic",
        "random_state": 3,
        "validation_fraction": 0.2,
    }
    twin = clone(calibrated)
    assert twin.estimator is not calibrated.estimator and twin.estimator.C == 2.0
    assert twin.set_params(method="platt").method == "platt"


def test_refitting_with_another_method_drops_the_old_parameters():
    X, y = _data(600, seed=16)
    model = LogisticRegression().fit(X[:300], y[:300])
    calibrated = CalibratedClassifier(model, "isotonic").fit(X[300:], y[300:])
    isotonic = calibrated.predict_proba(X[:5])
    calibrated.set_params(method="temperature")
    # Until refitted, predictions are still those of the isotonic fit.
    np.testing.assert_array_equal(calibrated.predict_proba(X[:5]), isotonic)
    calibrated.fit(X[300:], y[300:])
    assert not hasattr(calibrated, "thresholds_x_") and hasattr(calibrated, "temperature_")
    assert not np.allclose(calibrated.predict_proba(X[:5]), isotonic)


def _fitted(n_classes=2, seed=17):
    """A fitted model and held-out rows to calibrate it on."""
    X, y = _data(600, n_classes, seed=seed)
    model = LogisticRegression().fit(X[:300], y[:300])
    return model, X[300:], y[300:]


# (id, parameters set before the failing fit, fit's arguments from (model, X, y), error, match)
BAD_FITS = [
    ("unknown method", {"method": "beta"}, lambda m, X, y: (X, y), ValueError, "method must be"),
    (
        "validation_fraction",
        {"estimator": LogisticRegression(), "validation_fraction": 1.0},
        lambda m, X, y: (X, y),
        ValueError,
        "validation_fraction must be < 1",
    ),
    ("random_state", {"random_state": "a"}, lambda m, X, y: (X, y), TypeError, "random_state"),
    (
        "a regressor",
        {"estimator": LinearRegression()},
        lambda m, X, y: (X, y),
        TypeError,
        "estimator must be a classifier with predict_proba",
    ),
    (
        "a transformer",
        {"estimator": StandardScaler()},
        lambda m, X, y: (X, y),
        TypeError,
        "estimator must be a classifier",
    ),
    (
        "wrong width",
        {},
        lambda m, X, y: (X[:, :3], y),
        ValueError,
        "X has 3 features, but LogisticRegression is expecting 4 features",
    ),
    ("y too short", {}, lambda m, X, y: (X, y[:-1]), ValueError, "y has 299 entries but X has 300"),
    (
        "a label the model never saw",
        {},
        lambda m, X, y: (X, np.where(y == 1, 2, y)),
        ValueError,
        r"y holds labels \[2\] that the fitted estimator does not know",
    ),
    (
        "one class",
        {"method": "isotonic"},
        lambda m, X, y: (X, np.ones_like(y)),
        ValueError,
        r"y has no samples of classes \[0\]",
    ),
    ("NaN in X", {}, lambda m, X, y: (np.where(X > 2, np.nan, X), y), ValueError, "X contains NaN"),
    (
        "negative weight",
        {},
        lambda m, X, y: (X, y, -np.ones(len(y))),
        ValueError,
        "sample_weight must be non-negative",
    ),
    (
        "a class too small to split",
        {"estimator": LogisticRegression()},
        lambda m, X, y: (X, np.r_[1, np.zeros(len(y) - 1, int)]),
        ValueError,
        "class 1 has 1 sample in y",
    ),
]


@pytest.mark.parametrize(
    ("params", "args", "error", "match"),
    [case[1:] for case in BAD_FITS],
    ids=[case[0] for case in BAD_FITS],
)
def test_bad_input_raises_and_keeps_the_fitted_state(params, args, error, match):
    model, X, y = _fitted()
    calibrated = CalibratedClassifier(model, "platt").fit(X, y)
    state = dict(vars(calibrated))
    calibrated.set_params(**params)
    with pytest.raises(error, match=match):
        calibrated.fit(*args(model, X, y))
    learned = {name: value for name, value in vars(calibrated).items() if name.endswith("_")}
    assert learned.keys() == {name for name in state if name.endswith("_")}
    assert all(value is state[name] for name, value in learned.items())


def test_threshold_and_unfitted_use_are_refused():
    model, X, y = _fitted(n_classes=3)
    with pytest.raises(NotFittedError, match="CalibratedClassifier instance is not fitted"):
        CalibratedClassifier(model).predict_proba(X)
    multiclass = CalibratedClassifier(model, "temperature").fit(X, y)
    with pytest.raises(ValueError, match="threshold applies to two classes only"):
        multiclass.predict(X, threshold=0.5)
    model, X, y = _fitted()
    binary = CalibratedClassifier(model).fit(X, y)
    with pytest.raises(ValueError, match=r"threshold must be <= 1\.0"):
        binary.predict(X, threshold=2.0)


def test_temperature_refuses_scores_worse_than_chance():
    model, X, y = _fitted(seed=18)
    with pytest.raises(ValueError, match="found no positive temperature"):
        CalibratedClassifier(model, "temperature").fit(X, 1 - y)


@pytest.mark.parametrize("library", ["pandas", "polars"])
def test_a_dataframe_fit_keeps_its_column_names_for_the_fitted_copy(library):
    """The copy of the estimator is fitted on the frame's rows, so the same frame predicts."""
    frames = pytest.importorskip(library)
    X, y = _dataframe_problem()
    frame = frames.DataFrame({"a": X[:, 0], "b": X[:, 1], "c": X[:, 2]})
    model = CalibratedClassifier(LogisticRegression(), random_state=0).fit(frame, y)
    assert tuple(model.estimator_.feature_names_in_) == ("a", "b", "c")
    plain = CalibratedClassifier(LogisticRegression(), random_state=0).fit(X, y)
    np.testing.assert_array_equal(model.predict_proba(frame), plain.predict_proba(X))


def _dataframe_problem():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((300, 3))
    y = (X[:, 0] - X[:, 2] + rng.standard_normal(300) > 0).astype(int)
    return X, y
