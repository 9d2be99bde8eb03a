"""LogisticRegression: parity with scikit-learn, cross-backend agreement, estimator behaviour."""

import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning as SkConvergenceWarning
from sklearn.linear_model import LogisticRegression as SkLogisticRegression

from tests.backends import RAISIN_CSV, assert_on_backend, rtol_for
from tests.linear_model.problems import synthetic
from xlogreg import LogisticRegression
from xlogreg._backend import to_numpy
from xlogreg.objectives import Binomial

PROBLEMS = [
    "plain",
    "sample-weight",
    "imbalanced-balanced",
    "class-weight-dict",
    "weights-and-balanced",
    "no-penalty",
    "no-intercept",
    "badly-scaled",
]


def _reference(X, y, weight, params):
    sk = SkLogisticRegression(solver="newton-cholesky", tol=1e-12, max_iter=1000, **params)
    sk.fit(X, y, sample_weight=weight)
    return np.r_[sk.coef_[0], sk.intercept_]


def _params(model):
    return np.r_[to_numpy(model.coef_)[0], to_numpy(model.intercept_)]


def _relative_error(actual, expected):
    return np.linalg.norm(actual - expected) / np.linalg.norm(expected)


def _fit_on(backend, model, X, y, weight):
    return model.fit(
        backend.asarray(X),
        backend.asarray(y),
        sample_weight=None if weight is None else backend.asarray(weight),
    )


@pytest.mark.parametrize("solver", ["lbfgs", "newton", "auto"])
@pytest.mark.parametrize("problem", PROBLEMS)
def test_parity_with_scikit_learn(backend, problem, solver):
    X, y, weight, params = synthetic(problem)
    expected = _reference(X, y, weight, params)
    # float32 resolves gradients to about 1e-7: converged_ promises tol, so float32 asks 1e-6.
    tol = 1e-10 if backend.has_float64 else 1e-6
    model = _fit_on(backend, LogisticRegression(solver=solver, tol=tol, **params), X, y, weight)
    assert_on_backend(model.coef_, backend)
    assert_on_backend(model.intercept_, backend)
    assert model.converged_
    limit = rtol_for(backend, float64=1e-6, float32=1e-3)
    assert _relative_error(_params(model), expected) <= limit


@pytest.mark.parametrize(
    ("solver", "extra"),
    [("lbfgs", {}), ("newton", {}), ("gd", {"learning_rate": 1.0, "momentum": 0.5})],
)
def test_same_fit_on_every_float64_backend(backend64, solver, extra):
    X, y, weight, params = synthetic("sample-weight", seed=3)
    kwargs = {"solver": solver, "tol": 1e-11, "max_iter": 20000, **extra, **params}
    on_numpy = LogisticRegression(**kwargs).fit(X, y, sample_weight=weight)
    here = LogisticRegression(**kwargs).fit(
        backend64.asarray(X), backend64.asarray(y), sample_weight=backend64.asarray(weight)
    )
    np.testing.assert_allclose(_params(here), _params(on_numpy), rtol=1e-8, atol=1e-10)


def test_predictions_stay_on_the_input_backend(backend):
    X, y, _, _ = synthetic("plain")
    tol = 1e-10 if backend.has_float64 else 1e-5
    model = LogisticRegression(tol=tol).fit(backend.asarray(X), backend.asarray(y))
    Xb = backend.asarray(X)
    reference = SkLogisticRegression(solver="newton-cholesky", tol=1e-12).fit(X, y)
    rtol = rtol_for(backend, float64=1e-6, float32=1e-3)

    z = model.decision_function(Xb)
    assert_on_backend(z, backend)
    np.testing.assert_allclose(to_numpy(z), reference.decision_function(X), rtol=rtol, atol=rtol)
    proba = model.predict_proba(Xb)
    assert_on_backend(proba, backend)
    assert proba.shape == (X.shape[0], 2)
    np.testing.assert_allclose(to_numpy(proba), reference.predict_proba(X), rtol=rtol, atol=rtol)
    log_proba = model.predict_log_proba(Xb)
    assert_on_backend(log_proba, backend)
    np.testing.assert_allclose(np.exp(to_numpy(log_proba)), to_numpy(proba), rtol=rtol)
    labels = model.predict(Xb)
    assert_on_backend(labels, backend, dtype=model.classes_.dtype)
    np.testing.assert_array_equal(to_numpy(labels), reference.predict(X))
    assert model.score(Xb, backend.asarray(y)) == pytest.approx(reference.score(X, y))


def test_extreme_logits_give_finite_log_probabilities():
    model = LogisticRegression().fit(np.array([[0.0], [1.0], [2.0], [3.0]]), [0, 1, 0, 1])
    far = np.array([[1e6], [-1e6]])
    log_proba = model.predict_log_proba(far)
    assert np.all(np.isfinite(log_proba))
    np.testing.assert_allclose(np.exp(log_proba).sum(axis=1), 1.0)


def test_string_labels_and_threshold():
    X, y, _, _ = synthetic("plain")
    names = np.array(["approve", "review"])[y]
    model = LogisticRegression().fit(X, names)
    assert model.classes_.tolist() == ["approve", "review"]
    p_review = model.predict_proba(X)[:, 1]
    for threshold in (0.2, 0.5, 0.8):
        expected = np.where(p_review >= threshold, "review", "approve")
        np.testing.assert_array_equal(model.predict(X, threshold=threshold), expected)
    np.testing.assert_array_equal(model.predict(X, threshold=0.0), "review")


def test_labels_other_than_zero_one_give_the_same_model():
    X, y, _, _ = synthetic("plain")
    on_01 = LogisticRegression(tol=1e-10).fit(X, y)
    on_pm = LogisticRegression(tol=1e-10).fit(X, np.where(y == 1, 7, -7))
    np.testing.assert_allclose(on_pm.coef_, on_01.coef_, rtol=1e-12)
    np.testing.assert_array_equal(on_pm.predict(X), np.where(on_01.predict(X) == 1, 7, -7))


def test_integer_features_compute_in_the_default_float(backend):
    X = backend.xp.asarray([[0, 1], [1, 0], [2, 1], [3, 3], [1, 2]], device=backend.device)
    y = backend.asarray([0, 1, 0, 1, 1])
    model = LogisticRegression().fit(X, y)
    # Integers compute in float64, or in float32 on a device without float64.
    assert model.coef_.dtype == backend.widest_float


def test_requires_grad_inputs_build_no_graph():
    torch = pytest.importorskip("torch")
    X, y, _, _ = synthetic("plain")
    Xt = torch.tensor(X, requires_grad=True)
    model = LogisticRegression().fit(Xt, torch.tensor(y))
    for result in (
        model.coef_,
        model.intercept_,
        model.predict_proba(Xt),
        model.decision_function(Xt),
    ):
        assert not result.requires_grad
        assert result.grad_fn is None
    assert Xt.grad is None


def test_warm_start_resumes_from_the_previous_solution():
    X, y, _, _ = synthetic("plain")
    cold = LogisticRegression(solver="lbfgs", tol=1e-10).fit(X, y)
    warm = LogisticRegression(solver="lbfgs", tol=1e-10, warm_start=True).fit(X, y)
    warm.fit(X, y)
    assert warm.n_iter_ <= 1 < cold.n_iter_
    np.testing.assert_allclose(warm.coef_, cold.coef_, rtol=1e-8)


def test_warm_start_ignores_a_model_of_another_width():
    X, y, _, _ = synthetic("plain")
    model = LogisticRegression(warm_start=True).fit(X[:, :3], y)
    model.fit(X, y)
    assert model.coef_.shape == (1, X.shape[1])


def test_clone_and_params_round_trip():
    model = LogisticRegression(C=0.3, solver="gd", class_weight={0: 2.0}, max_iter=7)
    params = model.get_params()
    assert params["C"] == 0.3 and params["class_weight"] == {0: 2.0} and params["max_iter"] == 7
    twin = clone(model)
    assert twin is not model and twin.get_params() == params
    assert model.set_params(C=2.0, tol=1e-3) is model
    assert model.C == 2.0 and model.tol == 1e-3
    assert repr(model) == (
        "LogisticRegression(C=2.0, class_weight={0: 2.0}, max_iter=7, solver='gd', tol=0.001)"
    )
    with pytest.raises(ValueError, match="'alpha' is not a parameter of LogisticRegression"):
        model.set_params(alpha=1.0)


def test_failed_fit_keeps_the_earlier_fitted_state():
    X, y, _, _ = synthetic("plain")
    model = LogisticRegression().fit(X, y)
    coef, intercept, classes = model.coef_.copy(), model.intercept_.copy(), model.classes_.copy()
    bad = X.copy()
    bad[5, 2] = np.nan
    with pytest.raises(ValueError, match="X contains NaN"):
        model.fit(bad, y)
    with pytest.raises(ValueError, match="single class"):
        model.fit(X, np.zeros(len(y)))
    with pytest.raises(ValueError, match="C must be > 0"):
        model.set_params(C=-1.0).fit(X, y)
    np.testing.assert_array_equal(model.coef_, coef)
    np.testing.assert_array_equal(model.intercept_, intercept)
    np.testing.assert_array_equal(model.classes_, classes)


def _bad_fits(X, y):
    """Fits that must fail before work (issue 17): (parameters, X, y, sample_weight, match)."""
    huge = np.where(X > 0, 1e200, -1e200)
    return [
        ({"standardize": True}, huge, y, None, "the variance of column 0 overflows float64"),
        ({}, huge, y, None, r"X's values are too large for float64: column 0 reaches 1e\+200"),
        ({"class_weight": {0: np.inf}}, X, y, None, r"class_weight\[0\] must be finite"),
        ({"tol": np.inf}, X, y, None, "tol must be finite"),
        ({}, X, y + 0j, None, "Complex data not supported"),
        ({}, X, np.where(y == 1, 1, None), None, "y holds .* missing label"),
        ({}, X, y, np.full(len(y), 1e308), "sample_weight sums to more than float64 holds"),
    ]


@pytest.mark.parametrize("case", range(7))
def test_bad_fits_raise_before_work_and_keep_the_earlier_state(case):
    X, y, _, _ = synthetic("plain")
    model = LogisticRegression().fit(X, y)
    before = {name: getattr(model, name) for name in vars(model) if name.endswith("_")}
    copies = {
        name: np.array(value, copy=True)
        for name, value in before.items()
        if isinstance(value, np.ndarray)
    }
    params, X_bad, y_bad, weight, match = _bad_fits(X, y)[case]
    with pytest.raises(ValueError, match=match):
        model.set_params(**params).fit(X_bad, y_bad, sample_weight=weight)
    assert all(getattr(model, name) is value for name, value in before.items())
    for name, value in copies.items():
        np.testing.assert_array_equal(getattr(model, name), value)


def test_a_solution_that_is_not_finite_is_never_stored(monkeypatch):
    """The guard behind the checks: a solver result of NaN raises instead of becoming coef_."""
    import dataclasses

    import xlogreg.linear_model._logistic_fit as logistic

    X, y, _, _ = synthetic("plain")
    model = LogisticRegression().fit(X, y)
    coef = model.coef_.copy()
    solve = logistic.minimize

    def overflowing(*args, **kwargs):
        result = solve(*args, **kwargs)
        return dataclasses.replace(result, x=result.x * np.nan)

    monkeypatch.setattr(logistic, "minimize", overflowing)
    with pytest.raises(ValueError, match="LogisticRegression's solution is not finite"):
        model.fit(X, y)
    np.testing.assert_array_equal(model.coef_, coef)


def test_large_but_representable_data_still_fit():
    """The overflow checks refuse only what overflows: ±1e150 standardized fits as ±1."""
    X, y, _, _ = synthetic("plain")
    reference = LogisticRegression(standardize=True).fit(X, y)
    scaled = LogisticRegression(standardize=True).fit(X * 1e150, y)
    np.testing.assert_allclose(scaled.coef_ * 1e150, reference.coef_, rtol=1e-9)
    np.testing.assert_allclose(scaled.intercept_, reference.intercept_, rtol=1e-9)


def _raisin():
    data = np.genfromtxt(RAISIN_CSV, delimiter=",", skip_header=1, usecols=range(7))
    labels = np.genfromtxt(RAISIN_CSV, delimiter=",", skip_header=1, usecols=7, dtype=str)
    return data, labels


def _raisin_reference(X, y, C):
    reference = SkLogisticRegression(C=C, solver="newton-cholesky", tol=1e-12, max_iter=1000)
    with warnings.catch_warnings():
        # Unscaled, scikit-learn's Newton line search gives up and finishes with lbfgs.
        warnings.simplefilter("ignore", SkConvergenceWarning)
        reference.fit(X, y)
    return np.r_[reference.coef_[0], reference.intercept_]


def test_parity_on_the_unscaled_raisin_data(backend):
    """Seed 004's data as is: seven features spanning five orders of magnitude."""
    X, labels = _raisin()
    y = (labels == "Kecimen").astype(int)
    model = LogisticRegression(tol=1e-10).fit(backend.asarray(X), backend.asarray(y))
    assert model.converged_
    limit = rtol_for(backend, float64=1e-6, float32=1e-3)
    assert _relative_error(_params(model), _raisin_reference(X, y, 1.0)) <= limit


def test_unpenalized_unscaled_raisin_reaches_the_optimum_the_dtype_can_see(backend):
    """Unpenalized, the Hessian's condition number is ~8e13: float32 cannot pin the
    coefficients along Area/ConvexArea (torch lands 1.2e-3 away), but its objective
    is within one float32 rounding of the optimum and its predictions are the same."""
    import array_api_compat

    X, labels = _raisin()
    y = (labels == "Kecimen").astype(int)
    expected = _raisin_reference(X, y, float("inf"))
    model = LogisticRegression(C=float("inf"), tol=1e-10)
    model.fit(backend.asarray(X), backend.asarray(y))
    assert model.converged_
    objective = Binomial(
        X,
        y.astype(float),
        np.ones(len(y)),
        l2=0.0,
        fit_intercept=True,
        xp=array_api_compat.array_namespace(X),
    )
    reference_labels = (X @ expected[:-1] + expected[-1] > 0).astype(int)
    np.testing.assert_array_equal(to_numpy(model.predict(backend.asarray(X))), reference_labels)
    if backend.has_float64:
        assert _relative_error(_params(model), expected) <= 1e-6
    else:
        optimum = float(objective.loss(expected))
        excess = float(objective.loss(_params(model).astype(float))) - optimum
        assert excess <= np.finfo(np.float32).eps * optimum


@pytest.mark.parametrize("C", [1.0, float("inf")])
def test_parity_on_the_standardized_raisin_data(backend, C):
    """Seed 004 standardizes with training statistics before fitting."""
    X, labels = _raisin()
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    y = (labels == "Kecimen").astype(int)
    model = LogisticRegression(C=C, tol=1e-10).fit(backend.asarray(X), backend.asarray(y))
    assert model.converged_
    limit = rtol_for(backend, float64=1e-6, float32=1e-3)
    assert _relative_error(_params(model), _raisin_reference(X, y, C)) <= limit


def test_fit_callback_is_refused_by_minibatch_solvers():
    X, y, _, _ = synthetic("plain")
    with pytest.raises(ValueError, match="callback reports full-batch iterations"):
        LogisticRegression(solver="adam").fit(X, y, callback=print)
