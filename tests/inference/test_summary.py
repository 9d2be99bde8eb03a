"""Standard errors, statistics, p-values and intervals against statsmodels, on every backend."""

import warnings

import numpy as np
import pytest
import statsmodels.api as sm
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.linear_model import Ridge

from tests.backends import RAISIN_CSV, assert_on_backend
from xlogreg import (
    ConvergenceWarning,
    LinearRegression,
    LogisticRegression,
    NotFittedError,
    Summary,
)
from xlogreg._backend import to_numpy

FIELDS = ("coef", "stderr", "statistic", "p_value", "ci_lower", "ci_upper")


def _design(n=500, seed=0):
    """Features of different scales and offsets, a logistic and a linear response."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4)) * [1.0, 2.0, 0.5, 3.0] + [0.0, 1.0, -2.0, 5.0]
    z = X @ np.array([0.8, -0.5, 1.2, 0.1]) - 0.3
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-z))).astype(int)
    target = X @ np.array([1.0, -0.2, 0.5, 0.05]) + 2.0 + rng.normal(size=n)
    return X, y, target


def _reference(result):
    """statsmodels' results as Summary fields, the intercept first as with add_constant."""
    interval = np.asarray(result.conf_int())
    return {
        "coef": np.asarray(result.params),
        "stderr": np.asarray(result.bse),
        "statistic": np.asarray(result.tvalues),
        "p_value": np.asarray(result.pvalues),
        "ci_lower": interval[:, 0],
        "ci_upper": interval[:, 1],
    }


def _logit(X, y, **fit):
    exog = sm.add_constant(X) if fit.pop("constant", True) else X
    return sm.Logit(y, exog).fit(method="newton", tol=1e-12, maxiter=100, disp=0, **fit)


def _assert_matches(summary, expected, backend, *, rtol, float32=None):
    """Every field on the backend, equal to ``expected`` to ``rtol`` (float64 rows).

    ``float32(field, values, expected)`` checks the float32 rows instead.
    """
    for field in FIELDS:
        actual = getattr(summary, field)
        assert_on_backend(actual, backend)
        if backend.has_float64:
            np.testing.assert_allclose(to_numpy(actual), expected[field], rtol=rtol, err_msg=field)
        elif float32 is not None:
            float32(field, to_numpy(actual).astype(np.float64), expected)


def _float32_check(field, actual, expected):
    """Float32 rows: the Hessian and its inverse round in float32 (κ ≈ 50 here:
    errors near 1e-6, measured 2e-6); a p-value's relative error is its z's
    times z², and p-values below float32's smallest normal are not compared."""
    if field == "p_value":
        z = expected["statistic"]
        shown = expected["p_value"] > 1e-30
        error = np.abs(actual[shown] - expected["p_value"][shown]) / expected["p_value"][shown]
        assert np.all(error <= 2e-5 * (1.0 + z[shown] ** 2)), field
    else:
        np.testing.assert_allclose(actual, expected[field], rtol=2e-5, err_msg=field)


def test_binary_logistic_matches_statsmodels_logit(backend):
    X, y, _ = _design()
    model = LogisticRegression(C=float("inf"), solver="newton", tol=1e-12, inference=True)
    model.fit(backend.asarray(X), backend.asarray(y))
    summary = model.summary()
    assert isinstance(summary, Summary)
    assert summary.names == ("intercept", "x0", "x1", "x2", "x3")
    assert summary.df_resid is None and summary.penalty is None and summary.outputs is None
    _assert_matches(summary, _reference(_logit(X, y)), backend, rtol=1e-9, float32=_float32_check)


def test_stderr_attributes_have_the_shapes_of_the_coefficients(backend):
    X, y, target = _design(n=200)
    for model, response in (
        (LogisticRegression(C=float("inf"), inference=True), y),
        (LinearRegression(inference=True), target),
    ):
        model.fit(backend.asarray(X), backend.asarray(response))
        stderr, intercept = model.coef_stderr_, model.intercept_stderr_
        assert_on_backend(stderr, backend)
        assert_on_backend(intercept, backend)
        assert stderr.shape == model.coef_.shape
        assert intercept.shape == model.intercept_.shape
        covariance = to_numpy(model.coef_covariance_)
        assert covariance.shape == (5, 5)
        np.testing.assert_allclose(covariance, covariance.T)
        summary_stderr = to_numpy(model.summary().stderr)
        np.testing.assert_array_equal(summary_stderr[1:], to_numpy(stderr).reshape(-1))
        np.testing.assert_array_equal(summary_stderr[0], to_numpy(intercept).reshape(-1)[0])
        np.testing.assert_allclose(np.sqrt(np.diag(covariance)), summary_stderr, rtol=1e-6)


def _raisin():
    X = np.genfromtxt(RAISIN_CSV, delimiter=",", skip_header=1, usecols=range(7))
    labels = np.genfromtxt(RAISIN_CSV, delimiter=",", skip_header=1, usecols=7, dtype=str)
    return X, (labels == "Kecimen").astype(int)


@pytest.mark.parametrize("solver", ["newton", "auto"])
def test_raisin_standardized_fit_matches_statsmodels_on_the_raw_data(backend64, solver):
    """Seed 004's data: features up to 1e5; we standardize, statsmodels does not,
    and both report on the original features."""
    X, y = _raisin()
    model = LogisticRegression(
        C=float("inf"), solver=solver, tol=1e-12, standardize=True, inference=True
    )
    model.fit(backend64.asarray(X), backend64.asarray(y))
    # "auto" stops at the gradient tolerance (coefficients within 1.5e-9 of
    # statsmodels', which z² amplifies in the smallest p-value); Newton finishes.
    _assert_matches(model.summary(), _reference(_logit(X, y)), backend64, rtol=1e-7)


def test_raisin_raw_fit_matches_statsmodels(backend64):
    X, y = _raisin()
    model = LogisticRegression(C=float("inf"), solver="newton", tol=1e-12, inference=True)
    model.fit(backend64.asarray(X), backend64.asarray(y))
    _assert_matches(model.summary(), _reference(_logit(X, y)), backend64, rtol=1e-8)


def test_standardized_synthetic_fit_matches_statsmodels(backend):
    X, y, target = _design()
    logistic = LogisticRegression(
        C=float("inf"), solver="newton", tol=1e-12, standardize=True, inference=True
    ).fit(backend.asarray(X), backend.asarray(y))
    _assert_matches(
        logistic.summary(), _reference(_logit(X, y)), backend, rtol=1e-9, float32=_float32_check
    )
    linear = LinearRegression(standardize=True, inference=True)
    linear.fit(backend.asarray(X), backend.asarray(target))
    reference = _reference(sm.OLS(target, sm.add_constant(X)).fit())
    _assert_matches(linear.summary(), reference, backend, rtol=1e-11, float32=_float32_check)


def test_without_intercept(backend64):
    X, y, target = _design()
    for standardize in (False, True):
        model = LogisticRegression(
            C=float("inf"),
            solver="newton",
            tol=1e-12,
            fit_intercept=False,
            standardize=standardize,
            inference=True,
        ).fit(backend64.asarray(X), backend64.asarray(y))
        summary = model.summary()
        assert summary.names == ("x0", "x1", "x2", "x3")
        assert np.all(to_numpy(model.intercept_stderr_) == 0.0)
        _assert_matches(summary, _reference(_logit(X, y, constant=False)), backend64, rtol=1e-9)
        linear = LinearRegression(fit_intercept=False, standardize=standardize, inference=True)
        linear.fit(backend64.asarray(X), backend64.asarray(target))
        reference = _reference(sm.OLS(target, X).fit())
        _assert_matches(linear.summary(), reference, backend64, rtol=1e-11)


def test_sample_weights_are_frequency_weights(backend64):
    """Integer weights give the results of the data with each row repeated that often."""
    X, y, target = _design(n=300)
    weight = np.random.default_rng(1).integers(0, 4, size=len(y))
    repeated = np.repeat(np.arange(len(y)), weight)
    model = LogisticRegression(C=float("inf"), solver="newton", tol=1e-12, inference=True)
    model.fit(backend64.asarray(X), backend64.asarray(y), sample_weight=backend64.asarray(weight))
    reference = _reference(_logit(X[repeated], y[repeated]))
    _assert_matches(model.summary(), reference, backend64, rtol=1e-9)
    linear = LinearRegression(inference=True).fit(
        backend64.asarray(X), backend64.asarray(target), sample_weight=backend64.asarray(weight)
    )
    reference = _reference(sm.OLS(target[repeated], sm.add_constant(X[repeated])).fit())
    _assert_matches(linear.summary(), reference, backend64, rtol=1e-11)
    assert linear.summary().df_resid == weight.sum() - 5


def test_multinomial_matches_statsmodels_mnlogit_after_changing_the_reference(backend64):
    """MNLogit estimates γ_k = θ_k − θ_0 against class 0; ours are the centred θ_k.

    The map is linear, so the covariances must agree: ``R Σ Rᵀ``.
    """
    rng = np.random.default_rng(2)
    X = rng.normal(size=(600, 3)) * [1.0, 3.0, 0.5] + [0.0, 2.0, -1.0]
    logits = X @ rng.normal(size=(3, 3)) + rng.normal(size=3)
    cumulative = np.cumsum(np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True), axis=1)
    y = (rng.random((600, 1)) > cumulative).sum(axis=1)
    reference = sm.MNLogit(y, sm.add_constant(X)).fit(
        method="newton", tol=1e-12, maxiter=100, disp=0
    )
    for standardize in (False, True):
        model = LogisticRegression(
            C=float("inf"), solver="newton", tol=1e-12, standardize=standardize, inference=True
        ).fit(backend64.asarray(X), backend64.asarray(y))
        summary = model.summary()
        assert summary.outputs == ("class 0", "class 1", "class 2")
        theta = to_numpy(summary.coef)
        covariance = to_numpy(model.coef_covariance_)
        assert covariance.shape == (3, 4, 3, 4)
        np.testing.assert_allclose(theta.sum(axis=0), 0.0, atol=1e-12)
        np.testing.assert_allclose(theta[1:] - theta[0], reference.params.T, rtol=1e-9)
        against_first = np.kron(np.c_[-np.ones((2, 1)), np.eye(2)], np.eye(4))
        gamma_cov = against_first @ covariance.reshape(12, 12) @ against_first.T
        np.testing.assert_allclose(gamma_cov, reference.cov_params(), rtol=1e-9, atol=1e-15)
        np.testing.assert_allclose(
            to_numpy(summary.stderr), np.sqrt(np.diag(covariance.reshape(12, 12))).reshape(3, 4)
        )
        assert to_numpy(model.coef_stderr_).shape == (3, 3)


def test_penalized_logistic_uses_the_sandwich_covariance(backend64):
    """H_λ⁻¹ H H_λ⁻¹ on the sum scale, H_λ = H + I/C on the coefficients, by hand
    at scikit-learn's solution."""
    X, y, _ = _design()
    C = 0.05
    model = LogisticRegression(C=C, solver="newton", tol=1e-12, inference=True)
    model.fit(backend64.asarray(X), backend64.asarray(y))
    sk = SkLogisticRegression(C=C, solver="newton-cholesky", tol=1e-12).fit(X, y)
    design = sm.add_constant(X)
    w = np.r_[sk.intercept_, sk.coef_[0]]
    p = 1.0 / (1.0 + np.exp(-design @ w))
    hessian = design.T @ (design * (p * (1.0 - p))[:, None])
    penalized = hessian + np.diag([0.0, 1, 1, 1, 1]) / C
    inverse = np.linalg.inv(penalized)
    expected = inverse @ hessian @ inverse
    np.testing.assert_allclose(to_numpy(model.coef_covariance_), expected, rtol=1e-8)
    summary = model.summary()
    assert summary.penalty == "C=0.05"
    assert "valid only unpenalized" in str(summary)


def test_ridge_uses_the_sandwich_covariance(backend64):
    X, _, target = _design()
    alpha = 50.0
    model = LinearRegression(alpha=alpha, inference=True)
    model.fit(backend64.asarray(X), backend64.asarray(target))
    ridge = Ridge(alpha=alpha).fit(X, target)
    design = sm.add_constant(X)
    residuals = target - ridge.predict(X)
    variance = residuals @ residuals / (len(target) - 5)
    gram = design.T @ design
    inverse = np.linalg.inv(gram + np.diag([0.0, 1, 1, 1, 1]) * alpha)
    expected = variance * inverse @ gram @ inverse
    np.testing.assert_allclose(to_numpy(model.coef_covariance_), expected, rtol=1e-10)
    assert model.summary().penalty == "alpha=50.0"


def test_linear_regression_matches_statsmodels_ols(backend):
    X, _, target = _design()
    model = LinearRegression(inference=True).fit(backend.asarray(X), backend.asarray(target))
    summary = model.summary(alpha=0.1)
    ols = sm.OLS(target, sm.add_constant(X)).fit()
    reference = _reference(ols)
    interval = np.asarray(ols.conf_int(alpha=0.1))
    reference["ci_lower"], reference["ci_upper"] = interval[:, 0], interval[:, 1]
    assert summary.df_resid == 495.0 and summary.alpha == 0.1
    _assert_matches(summary, reference, backend, rtol=1e-11, float32=_float32_check)


def test_several_targets_are_separate_regressions(backend64):
    X, _, target = _design()
    targets = np.c_[target, 3.0 * target + np.random.default_rng(3).normal(size=len(target))]
    model = LinearRegression(inference=True)
    model.fit(backend64.asarray(X), backend64.asarray(targets))
    summary = model.summary()
    assert summary.outputs == ("target 0", "target 1")
    assert to_numpy(model.coef_covariance_).shape == (2, 5, 5)
    assert to_numpy(model.coef_stderr_).shape == (2, 4)
    for k in range(2):
        expected = _reference(sm.OLS(targets[:, k], sm.add_constant(X)).fit())
        for field in FIELDS:
            np.testing.assert_allclose(
                to_numpy(getattr(summary, field))[k], expected[field], rtol=1e-11
            )


def test_rank_deficient_designs_raise_and_keep_the_previous_fit(backend64):
    X, y, target = _design(n=200)
    duplicated = np.c_[X, X[:, 1]]
    constant = np.c_[X, np.full(len(y), 3.0)]
    for model, response in (
        (LogisticRegression(C=float("inf"), inference=True), y),
        (LinearRegression(inference=True), target),
        (LogisticRegression(C=float("inf"), standardize=True, inference=True), y),
    ):
        model.fit(backend64.asarray(X), backend64.asarray(response))
        before = to_numpy(model.coef_stderr_).copy(), to_numpy(model.coef_).copy()
        for bad in (duplicated, constant):
            with pytest.raises(ValueError, match=r"x4 is \(nearly\) a linear combination"):
                model.fit(backend64.asarray(bad), backend64.asarray(response))
            np.testing.assert_array_equal(to_numpy(model.coef_stderr_), before[0])
            np.testing.assert_array_equal(to_numpy(model.coef_), before[1])


def test_a_penalty_identifies_a_duplicated_column(backend64):
    X, y, _ = _design(n=200)
    duplicated = np.c_[X, X[:, 1]]
    model = LogisticRegression(C=1.0, inference=True)
    model.fit(backend64.asarray(duplicated), backend64.asarray(y))
    stderr = to_numpy(model.coef_stderr_)[0]
    assert np.all(np.isfinite(stderr)) and stderr[1] == pytest.approx(stderr[4], rel=1e-6)


def test_float32_refuses_what_it_cannot_invert():
    """Raw Raisin: the equilibrated Hessian has relative pivots near 2e-4, above
    float64's sqrt(eps) but below float32's; standardized, it is fine."""
    X, y = _raisin()
    model = LogisticRegression(C=float("inf"), inference=True)
    with pytest.raises(ValueError, match="too ill-conditioned to invert in float32"):
        model.fit(X.astype(np.float32), y)
    model.set_params(standardize=True).fit(X.astype(np.float32), y)
    assert model.coef_stderr_.dtype == np.float32


def test_perfect_separation_without_penalty_raises(backend):
    rng = np.random.default_rng(4)
    X = rng.normal(size=(100, 2))
    y = (X[:, 0] > 0).astype(int)
    model = LogisticRegression(C=float("inf"), inference=True)
    with pytest.raises(ValueError, match="separable"):
        model.fit(backend.asarray(X), backend.asarray(y))
    model.set_params(C=1.0).fit(backend.asarray(X), backend.asarray(y))
    assert np.all(np.isfinite(to_numpy(model.summary().p_value)))
    y3 = np.digitize(X[:, 0], [-0.5, 0.5])
    with pytest.raises(ValueError, match="separable"):
        LogisticRegression(C=float("inf"), inference=True).fit(
            backend.asarray(X), backend.asarray(y3)
        )


def _iris():
    from sklearn.datasets import load_iris

    X, y = load_iris(return_X_y=True)
    return X, np.array(["setosa", "versicolor", "virginica"])[y]


@pytest.mark.parametrize("standardize", [False, True])
def test_iris_separation_is_named_by_inference_and_by_the_fit(backend, standardize):
    """Setosa is linearly separable from the other two species. The raw design is well
    conditioned (cond(XᵀX) 2.6e3 with a unit diagonal, 1.4e2 standardized): the refusal
    used to blame '(nearly) a linear combination' of columns; now it names separation,
    for the three species and for setosa against the rest."""
    X_host, species = _iris()
    X = backend.asarray(X_host)
    codes = backend.asarray(np.unique(species, return_inverse=True)[1])
    setosa = backend.asarray((species == "setosa").astype(int))
    for y, reason in (
        (codes, "class 0 is linearly separable"),
        (setosa, "the fitted coefficients classify every"),
    ):
        model = LogisticRegression(C=float("inf"), standardize=standardize, inference=True)
        with pytest.raises(ValueError, match=f"classes are separable \\({reason}") as error:
            model.fit(X, y)
        assert "linear combination" not in str(error.value)
        assert "does not exist" in str(error.value)
        with pytest.warns(
            ConvergenceWarning, match=f"C=inf: the classes are separable \\({reason}"
        ):
            model.set_params(inference=False).fit(X, y)
    # String labels are named; a penalty gives finite estimates, without a warning.
    with pytest.raises(ValueError, match="class 'setosa' is linearly separable"):
        LogisticRegression(C=float("inf"), inference=True).fit(X_host, species)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        LogisticRegression(C=1.0, standardize=standardize, inference=True).fit(X, codes)


def test_an_overlapping_class_is_not_called_separated():
    """Virginica against the rest overlaps versicolor: the maximum-likelihood estimate
    exists, and neither the fit nor inference speaks of separation."""
    X, species = _iris()
    y = (species == "virginica").astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = LogisticRegression(C=float("inf"), tol=1e-10, inference=True).fit(X, y)
    reference = sm.Logit(y, sm.add_constant(X)).fit(method="newton", tol=1e-12, disp=0)
    stderr = np.r_[to_numpy(model.intercept_stderr_), to_numpy(model.coef_stderr_)[0]]
    np.testing.assert_allclose(stderr, reference.bse, rtol=1e-6)


def test_quasi_separation_is_named_from_vanishing_curvature():
    """Class 0 (x < 0) is separated from the rest but for ties at x = 0: no hyperplane
    certifies it in the fitted logits. Pushed to tol=1e-10, the curvature weights
    p(1 − p) of the separated samples vanish and the Hessian cannot be inverted, while
    XᵀX is well conditioned (2.0): that signature is named, not the columns."""
    rng = np.random.default_rng(0)
    x = np.r_[rng.uniform(-3, -0.5, 40), np.zeros(40), rng.uniform(0.5, 3, 80)]
    y = np.r_[np.zeros(40, int), rng.integers(0, 2, 40), rng.integers(1, 3, 80)]
    X = np.c_[x, rng.normal(size=x.size)]
    model = LogisticRegression(C=float("inf"), solver="newton", tol=1e-10, inference=True)
    with pytest.raises(ValueError, match=r"curvature weights p\(1−p\) vanish") as error:
        model.fit(X, y)
    assert "(quasi-)separated" in str(error.value) and "a finite C" in str(error.value)


def test_longley_inference_needs_no_standardization(backend64):
    """NIST's Longley, raw (GNP near 5e5 beside the year): the covariance from a QR of
    the centered, equilibrated design keeps 13 digits of the certified standard errors,
    and equals statsmodels' OLS, which keeps 12 (tests/test_nist.py has the floors)."""
    data = pytest.importorskip("statsmodels.datasets.longley").load_pandas().data
    X, y = data.iloc[:, 1:].to_numpy(copy=True), data["TOTEMP"].to_numpy(copy=True)
    model = LinearRegression(inference=True).fit(backend64.asarray(X), backend64.asarray(y))
    ols = sm.OLS(y, sm.add_constant(X)).fit()
    _assert_matches(model.summary(), _reference(ols), backend64, rtol=1e-10)


def test_without_inference_the_accessors_say_how_to_get_it():
    X, y, target = _design(n=100)
    for model, response in ((LogisticRegression(), y), (LinearRegression(), target)):
        with pytest.raises(NotFittedError, match="not fitted yet"):
            model.summary()
        model.fit(X, response)
        for name in ("coef_stderr_", "intercept_stderr_", "coef_covariance_"):
            with pytest.raises(NotFittedError, match="inference=True"):
                getattr(model, name)
            assert not hasattr(model, name)
        with pytest.raises(NotFittedError, match="inference=True"):
            model.summary()
        # A refit without inference drops the standard errors of an earlier one.
        model.set_params(inference=True).fit(X, response)
        assert hasattr(model, "coef_stderr_")
        model.set_params(inference=False).fit(X, response)
        assert not hasattr(model, "coef_stderr_")


def test_invalid_arguments():
    X, y, _ = _design(n=100)
    with pytest.raises(TypeError, match="inference"):
        LogisticRegression(inference="yes").fit(X, y)
    with pytest.raises(ValueError, match="full-batch solver"):
        LogisticRegression(solver="sgd", inference=True).fit(X, y)
    model = LogisticRegression(inference=True).fit(X, y)
    for alpha in (0.0, 1.0, -0.1, float("nan")):
        with pytest.raises(ValueError, match="alpha"):
            model.summary(alpha=alpha)


def test_linear_inference_needs_residual_degrees_of_freedom_and_noise():
    X, _, target = _design(n=100)
    with pytest.raises(ValueError, match="more samples than parameters"):
        LinearRegression(inference=True).fit(X[:5], target[:5])
    with pytest.raises(ValueError, match="fitted exactly"):
        LinearRegression(inference=True).fit(X[:, :1], np.zeros(100))


def test_summary_table_and_feature_names():
    X, y, target = _design(n=200)
    model = LinearRegression(inference=True).fit(X, target)
    table = str(model.summary())
    lines = table.splitlines()
    assert lines[0].split() == ["coef", "std", "err", "t", "P>|t|", "[0.025", "0.975]"]
    assert [line.split()[0] for line in lines[2:7]] == ["intercept", "x0", "x1", "x2", "x3"]
    assert "195 residual degrees of freedom" in table
    first = lines[2].split()
    summary = model.summary()
    for value, field in zip(first[1:], FIELDS, strict=True):
        assert float(value) == pytest.approx(float(to_numpy(getattr(summary, field))[0]), rel=1e-3)
    # Names from fit's feature_names_in_ when the estimator records them.
    model.feature_names_in_ = np.array(["area", "perimeter", "extent", "ratio"])
    assert model.summary().names == ("intercept", "area", "perimeter", "extent", "ratio")
    assert "perimeter" in model.summary().to_string()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        logistic = LogisticRegression(C=float("inf"), inference=True).fit(X, y)
    assert str(logistic.summary(alpha=0.01)).splitlines()[0].split()[-3:] == [
        "P>|z|",
        "[0.005",
        "0.995]",
    ]
