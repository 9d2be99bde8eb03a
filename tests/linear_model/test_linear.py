"""LinearRegression: seed 003's numbers, rank deficiency, ridge, scikit-learn parity, errors."""

import warnings
from contextlib import nullcontext

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LinearRegression as SkLinearRegression
from sklearn.linear_model import Ridge as SkRidge

from tests.backends import assert_close, assert_on_backend, rtol_for
from tests.linear_model.problems import SEED_X, SEED_Y
from xlogreg import ConvergenceWarning, LinAlgWarning, LinearRegression, NotFittedError
from xlogreg._backend import to_numpy
from xlogreg.metrics import mean_squared_error
from xlogreg.objectives import SquaredError

# Seed 003's printed gradient-descent trace (learning rate 0.05, from zeros): loss and
# (intercept, slope) after steps 1, 100 and 1000.
SEED_GD_TRACE = {1: (2194.80, [16.0, 52.0]), 100: (49.09, [84.05, 24.42]), 1000: (2.80, [100, 20])}
# Its diverging run (learning rate 0.2): the loss before each of the first five steps.
SEED_DIVERGING_LOSSES = [26402.8, 349474.8, 4852473.8, 67584328.5, 941482657.6]


def _seed(backend, columns=("x",)):
    """Seed 003's data on a backend; ``columns`` from "1", "x", "2x"."""
    make = {"1": np.ones_like(SEED_X), "x": SEED_X, "2x": 2 * SEED_X}
    X = np.stack([make[c] for c in columns], axis=1)
    return X, backend.asarray(X), backend.asarray(SEED_Y)


def _rounded(values, decimals):
    """Host floats rounded as the seed prints them (Python's round: float32 stays exact)."""
    return [round(float(v), decimals) for v in np.ravel(to_numpy(values))]


def _rounded_weights(model):
    """Seed 003's (intercept, slope), rounded as it prints them."""
    return _rounded(np.r_[to_numpy(model.intercept_), to_numpy(model.coef_)], 2)


# --- seed 003 ------------------------------------------------------------------------------


@pytest.mark.parametrize("solver", ["auto", "lstsq", "cholesky"])
def test_seed_003_direct_solvers(backend, solver):
    _, X, y = _seed(backend)
    model = LinearRegression(solver=solver).fit(X, y)
    rtol = rtol_for(backend, float64=1e-12, float32=1e-5)
    assert_close(model.coef_, [20.0], backend, rtol=rtol)
    assert_close(model.intercept_, 100.0, backend, rtol=rtol)
    assert model.intercept_.ndim == 0
    pred = model.predict(X)
    assert_close(pred, [120.0, 140.0, 160.0, 180.0, 200.0], backend, rtol=rtol)
    mse = mean_squared_error(y, pred)
    assert_on_backend(mse, backend)
    assert round(float(to_numpy(mse)), 1) == 2.8
    assert round(model.score(X, y), 4) == 0.9965
    assert model.n_iter_ is None and model.converged_
    if solver == "cholesky":
        assert model.solver_ == "cholesky" and model.rank_ is None and model.singular_ is None
    else:
        assert model.solver_ == "lstsq" and model.rank_ == 1
        assert_close(model.singular_, [np.sqrt(10.0)], backend, rtol=rtol)
    # x = 6: fixed overhead plus 20 ms per 100 tokens.
    assert_close(model.predict(backend.asarray([[6.0]])), [220.0], backend, rtol=rtol)


def test_seed_003_without_intercept_is_forced_through_zero(backend):
    _, X, y = _seed(backend)
    model = LinearRegression(fit_intercept=False).fit(X, y)
    assert _rounded(model.coef_, 2) == [47.27]
    assert float(to_numpy(model.intercept_)) == 0.0
    assert_on_backend(model.intercept_, backend)
    mse = mean_squared_error(y, model.predict(X))
    assert round(float(to_numpy(mse)), 2) == 1820.98


def test_seed_003_first_gradient_step(backend):
    _, X, y = _seed(backend)
    xp = backend.xp
    ones = xp.ones(5, dtype=backend.dtype, device=backend.device)
    objective = SquaredError(X, y, ones, alpha=0.0, fit_intercept=True, xp=xp)
    loss, grad = objective.loss_grad(xp.zeros(2, dtype=backend.dtype, device=backend.device))
    # The flat layout is (slope, intercept); the seed prints (intercept, slope).
    assert_close(xp.stack([grad[1], grad[0]]), [-320.0, -1040.0], backend, rtol=1e-6)
    assert_close(loss, 26402.8, backend, rtol=1e-6)

    with pytest.warns(ConvergenceWarning, match="max_iter=1"):
        model = LinearRegression(solver="gd", learning_rate=0.05, max_iter=1).fit(X, y)
    assert model.n_iter_ == 1 and not model.converged_
    assert_close(model.intercept_, 16.0, backend, rtol=1e-6)
    assert_close(model.coef_, [52.0], backend, rtol=1e-6)
    np.testing.assert_allclose(model.loss_history_, [26402.8, 2194.8], rtol=1e-6)


def test_seed_003_gradient_descent_trace(backend):
    """1000 steps at lr 0.05 reach [100, 20] but not the default tol: the gradient
    max-norm is still about 1.2e-6 > 1e-6 (float64), so the fit says so."""
    _, X, y = _seed(backend)
    with pytest.warns(ConvergenceWarning, match="max_iter=1000"):
        model = LinearRegression(solver="gd", learning_rate=0.05).fit(X, y)
    assert model.n_iter_ == 1000 and not model.converged_ and model.solver_ == "gd"
    assert model.rank_ is None and model.singular_ is None
    assert len(model.loss_history_) == 1001
    for step, (loss, _) in SEED_GD_TRACE.items():
        assert round(model.loss_history_[step], 2) == pytest.approx(loss, abs=0.0051), step
    assert _rounded_weights(model) == [100.0, 20.0]
    assert_on_backend(model.coef_, backend)
    assert_on_backend(model.intercept_, backend)
    assert round(float(to_numpy(mean_squared_error(y, model.predict(X)))), 1) == 2.8
    assert round(model.score(X, y), 4) == 0.9965

    with pytest.warns(ConvergenceWarning, match="max_iter=100"):
        early = LinearRegression(solver="gd", learning_rate=0.05, max_iter=100).fit(X, y)
    np.testing.assert_allclose(_rounded_weights(early), SEED_GD_TRACE[100][1], atol=0.011)


def test_seed_003_gradient_descent_meets_a_looser_tol_early(backend64):
    _, X, y = _seed(backend64)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = LinearRegression(solver="gd", learning_rate=0.05, tol=1e-5).fit(X, y)
    assert model.converged_ and model.n_iter_ < 1000
    assert _rounded_weights(model) == [100.0, 20.0]


# NumPy also reports the overflow that ends the run.
@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
def test_seed_003_divergence_is_reported_with_finite_weights(backend):
    _, X, y = _seed(backend)
    with pytest.warns(ConvergenceWarning, match="non-finite"):
        model = LinearRegression(solver="gd", learning_rate=0.2).fit(X, y)
    assert not model.converged_ and model.n_iter_ < 1000
    for attribute in (model.coef_, model.intercept_):
        assert_on_backend(attribute, backend)
        assert np.all(np.isfinite(to_numpy(attribute)))
    assert np.all(np.isfinite(model.loss_history_))
    np.testing.assert_allclose(model.loss_history_[:5], SEED_DIVERGING_LOSSES, rtol=1e-5)
    assert model.loss_history_[-1] > model.loss_history_[0]


# --- rank deficiency -----------------------------------------------------------------------


def test_duplicated_column_gives_numpy_lstsq_minimum_norm(backend):
    X_host, X, y = _seed(backend, ("1", "x", "2x"))
    expected, _, rank, singular = np.linalg.lstsq(X_host, SEED_Y, rcond=None)
    np.testing.assert_allclose(expected, [100.0, 4.0, 8.0], rtol=1e-12)
    model = LinearRegression(fit_intercept=False, solver="lstsq").fit(X, y)
    rtol = rtol_for(backend, float64=1e-10, float32=1e-4)
    assert model.rank_ == rank == 2
    assert_close(model.coef_, expected, backend, rtol=rtol)
    assert_close(model.predict(X), X_host @ expected, backend, rtol=rtol)
    assert_close(model.singular_[:2], singular[:2], backend, rtol=rtol)
    assert round(float(to_numpy(mean_squared_error(y, model.predict(X)))), 2) == 2.8


def test_duplicated_column_with_intercept_reveals_rank_one(backend):
    X_host, X, y = _seed(backend, ("x", "2x"))
    with_ones = np.c_[np.ones(5), X_host]
    expected, *_ = np.linalg.lstsq(with_ones, SEED_Y, rcond=None)
    model = LinearRegression().fit(X, y)
    rtol = rtol_for(backend, float64=1e-10, float32=1e-4)
    assert model.rank_ == 1 and model.solver_ == "lstsq"
    assert_close(model.predict(X), with_ones @ expected, backend, rtol=rtol)
    # Minimum norm of the centered problem: the slope 20 split as 4·x + 8·(2x).
    assert_close(model.coef_, [4.0, 8.0], backend, rtol=rtol)
    assert_close(model.intercept_, 100.0, backend, rtol=rtol)


@pytest.mark.parametrize(
    ("columns", "fit_intercept", "rank"), [(("x", "2x"), True, 1), (("1", "x", "2x"), False, 2)]
)
def test_cholesky_on_a_singular_gram_warns_and_falls_back(backend, columns, fit_intercept, rank):
    _, X, y = _seed(backend, columns)
    with pytest.warns(LinAlgWarning, match="singular"):
        model = LinearRegression(solver="cholesky", fit_intercept=fit_intercept).fit(X, y)
    reference = LinearRegression(solver="lstsq", fit_intercept=fit_intercept).fit(X, y)
    assert model.solver_ == "lstsq" and model.rank_ == rank
    rtol = rtol_for(backend, float64=1e-12, float32=1e-6)
    assert_close(model.coef_, to_numpy(reference.coef_), backend, rtol=rtol)
    assert_close(model.intercept_, to_numpy(reference.intercept_), backend, rtol=rtol)


def test_constant_feature_gets_zero_weight_and_lowers_the_rank(backend):
    rng = np.random.default_rng(4)
    # Centering leaves round-off, not zeros, in a constant column; more so for a large constant.
    X_host = np.c_[rng.standard_normal((30, 2)), np.full(30, 3.0), np.full(30, 1e6)]
    y_host = X_host[:, 0] - 2 * X_host[:, 1] + 0.1 * rng.standard_normal(30)
    X, y = backend.asarray(X_host), backend.asarray(y_host)
    model = LinearRegression().fit(X, y)
    assert model.rank_ == 2
    assert to_numpy(model.coef_)[2:].tolist() == [0.0, 0.0]
    with pytest.warns(LinAlgWarning):
        fallback = LinearRegression(solver="cholesky").fit(X, y)
    assert fallback.rank_ == 2
    np.testing.assert_allclose(to_numpy(fallback.coef_), to_numpy(model.coef_), rtol=1e-12)
    # Rows without weight do not count: the column is constant where it matters.
    X_host[:3, 2] = [1.0, 2.0, 5.0]
    weight = backend.asarray(np.r_[np.zeros(3), np.ones(27)])
    weighted = LinearRegression().fit(backend.asarray(X_host), y, sample_weight=weight)
    assert weighted.rank_ == 2
    assert to_numpy(weighted.coef_)[2:].tolist() == [0.0, 0.0]


def test_cholesky_ignores_feature_scales(backend):
    """Columns in very different units are not collinear: no fallback."""
    rng = np.random.default_rng(5)
    X_host = rng.standard_normal((50, 3)) * np.array([1e-3, 1.0, 1e3])
    y_host = X_host @ np.array([1e3, 1.0, 1e-3]) + rng.standard_normal(50)
    with warnings.catch_warnings():
        warnings.simplefilter("error", LinAlgWarning)
        model = LinearRegression(solver="cholesky").fit(
            backend.asarray(X_host), backend.asarray(y_host)
        )
    assert model.solver_ == "cholesky"
    expected = SkLinearRegression().fit(X_host, y_host)
    rtol = rtol_for(backend, float64=1e-10, float32=1e-4)
    assert_close(model.coef_, expected.coef_, backend, rtol=rtol)


def test_wide_design_gives_the_minimum_norm_solution(backend64):
    rng = np.random.default_rng(6)
    X_host, y_host = rng.standard_normal((4, 7)), rng.standard_normal(4)
    expected, _, rank, singular = np.linalg.lstsq(X_host, y_host, rcond=None)
    model = LinearRegression(fit_intercept=False).fit(
        backend64.asarray(X_host), backend64.asarray(y_host)
    )
    assert model.rank_ == rank == 4
    assert model.singular_.shape == (4,)
    assert_close(model.coef_, expected, backend64, rtol=1e-10)
    assert_close(model.singular_, singular, backend64, rtol=1e-10)


# --- ridge, weights, several targets -------------------------------------------------------


def _regression(seed=0, n=80, d=5, n_targets=None):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) @ rng.standard_normal((d, d)) + rng.uniform(-3, 3, d)
    coef_shape, y_shape = ((d,), (n,)) if n_targets is None else ((d, n_targets), (n, n_targets))
    y = X @ rng.standard_normal(coef_shape) + 1.5 + 0.3 * rng.standard_normal(y_shape)
    return X, y, rng.uniform(0.0, 3.0, n)


def _closed_form(X, y, weight, alpha, fit_intercept):
    """(XᵀSX + αI)⁻¹ XᵀSy on the weighted-centered data, and the intercept from the means."""
    Y = y.reshape(len(y), -1)
    x_mean = weight @ X / weight.sum() if fit_intercept else np.zeros(X.shape[1])
    y_mean = weight @ Y / weight.sum() if fit_intercept else np.zeros(Y.shape[1])
    Xc, Yc = X - x_mean, Y - y_mean
    coef = np.linalg.solve(
        Xc.T @ (weight[:, None] * Xc) + alpha * np.eye(X.shape[1]), Xc.T @ (weight[:, None] * Yc)
    ).T
    intercept = y_mean - coef @ x_mean
    return (coef[0], intercept[0]) if y.ndim == 1 else (coef, intercept)


@pytest.mark.parametrize("solver", ["auto", "lstsq", "cholesky"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("n_targets", [None, 3])
def test_ridge_matches_the_closed_form(backend, solver, fit_intercept, n_targets):
    X, y, weight = _regression(n_targets=n_targets)
    alpha = 2.5
    coef, intercept = _closed_form(X, y, weight, alpha, fit_intercept)
    model = LinearRegression(alpha=alpha, solver=solver, fit_intercept=fit_intercept)
    # The ridge Gram's condition number (unit diagonal) is 430 to 480: above float32's
    # normal-equations bound eps^(-1/3) = 203, where they lose 2 of the SVD's 6.8 digits.
    fallback = not backend.has_float64 and solver != "lstsq"
    with pytest.warns(LinAlgWarning) if fallback and solver == "cholesky" else nullcontext():
        model.fit(backend.asarray(X), backend.asarray(y), sample_weight=backend.asarray(weight))
    assert model.solver_ == ("lstsq" if fallback or solver == "lstsq" else "cholesky")
    rtol = rtol_for(backend, float64=1e-10, float32=2e-4)
    assert_close(model.coef_, coef, backend, rtol=rtol, atol=rtol * np.abs(coef).max())
    assert_close(model.intercept_, intercept, backend, rtol=rtol, atol=rtol * np.abs(y).max())
    assert model.coef_.shape == coef.shape and model.intercept_.shape == np.shape(intercept)
    pred = model.predict(backend.asarray(X))
    assert_on_backend(pred, backend)
    assert pred.shape == y.shape


@pytest.mark.parametrize("alpha", [0.0, 0.7, 30.0])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("n_targets", [None, 2])
@pytest.mark.parametrize("solver", ["lstsq", "cholesky"])
def test_parity_with_scikit_learn(backend, alpha, fit_intercept, n_targets, solver):
    X, y, weight = _regression(seed=1, n_targets=n_targets)
    if alpha == 0.0:
        reference = SkLinearRegression(fit_intercept=fit_intercept)
    else:
        reference = SkRidge(alpha=alpha, fit_intercept=fit_intercept, solver="svd")
    reference.fit(X, y, sample_weight=weight)
    model = LinearRegression(alpha=alpha, fit_intercept=fit_intercept, solver=solver).fit(
        backend.asarray(X), backend.asarray(y), sample_weight=backend.asarray(weight)
    )
    rtol = rtol_for(backend, float64=1e-10, float32=2e-4)
    scale = np.abs(reference.coef_).max()
    assert_close(model.coef_, reference.coef_, backend, rtol=rtol, atol=rtol * scale)
    assert_close(
        model.intercept_, reference.intercept_, backend, rtol=rtol, atol=rtol * np.abs(y).max()
    )
    Xb, yb, wb = backend.asarray(X), backend.asarray(y), backend.asarray(weight)
    expected_score = reference.score(X, y, sample_weight=weight)
    assert model.score(Xb, yb, sample_weight=wb) == pytest.approx(expected_score, rel=rtol)
    if alpha == 0.0 and solver == "lstsq":
        assert model.rank_ == reference.rank_
        assert_close(model.singular_, reference.singular_, backend, rtol=rtol)


def test_gradient_descent_reaches_the_ridge_solution(backend64):
    X, y, weight = _regression(seed=2, n_targets=2)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    coef, intercept = _closed_form(X, y, weight, 1.0, True)
    # A step below 1 / λ_max of the weighted second moments of [x, 1] is stable.
    design = np.c_[X, np.ones(len(X))]
    curvature = np.linalg.eigvalsh(design.T @ (weight[:, None] * design) / weight.sum()).max()
    model = LinearRegression(
        solver="gd", alpha=1.0, learning_rate=0.9 / curvature, tol=1e-10, max_iter=100_000
    ).fit(backend64.asarray(X), backend64.asarray(y), sample_weight=backend64.asarray(weight))
    assert model.converged_
    assert_close(model.coef_, coef, backend64, rtol=1e-8, atol=1e-9)
    assert_close(model.intercept_, intercept, backend64, rtol=1e-8)


@pytest.mark.parametrize("solver", ["lbfgs", "newton"])
@pytest.mark.parametrize("n_targets", [None, 2])
def test_iterative_solvers_reach_the_ridge_solution(backend64, solver, n_targets):
    X, y, weight = _regression(seed=3, n_targets=n_targets)
    coef, intercept = _closed_form(X, y, weight, 2.0, True)
    model = LinearRegression(solver=solver, alpha=2.0, tol=1e-10).fit(
        backend64.asarray(X), backend64.asarray(y), sample_weight=backend64.asarray(weight)
    )
    assert model.converged_ and model.solver_ == solver and model.rank_ is None
    assert model.n_iter_ <= (2 if solver == "newton" else 100)  # Newton: one step, then a check
    assert_close(model.coef_, coef, backend64, rtol=1e-9, atol=1e-10 * np.abs(coef).max())
    assert_close(model.intercept_, intercept, backend64, rtol=1e-9)


def test_zero_weights_drop_samples(backend64):
    X, y, weight = _regression(seed=3)
    weight[::3] = 0.0
    kept = weight > 0
    on_subset = LinearRegression().fit(X[kept], y[kept], sample_weight=weight[kept])
    weighted = LinearRegression().fit(
        backend64.asarray(X), backend64.asarray(y), sample_weight=backend64.asarray(weight)
    )
    assert_close(weighted.coef_, on_subset.coef_, backend64, rtol=1e-10)
    assert_close(weighted.intercept_, on_subset.intercept_, backend64, rtol=1e-10)


def test_scalar_and_uniform_weights_change_nothing():
    X, y, _ = _regression(seed=4)
    plain = LinearRegression(alpha=1.0).fit(X, y)
    for weight in (3.0, np.full(len(y), 0.5)):
        weighted = LinearRegression(alpha=1.0).fit(X, y, sample_weight=weight)
        # Ridge's penalty is not normalized by the weights (scikit-learn's Ridge):
        # scaling every weight by c acts like alpha / c.
        c = weight if np.isscalar(weight) else weight[0]
        rescaled = LinearRegression(alpha=1.0 / c).fit(X, y)
        np.testing.assert_allclose(weighted.coef_, rescaled.coef_, rtol=1e-10)
    np.testing.assert_allclose(
        LinearRegression().fit(X, y, sample_weight=2.0).coef_,
        LinearRegression().fit(X, y).coef_,
        rtol=1e-10,
    )
    assert plain.coef_.shape == (X.shape[1],)


def test_single_column_2d_target_keeps_its_dimension():
    X, y, _ = _regression(seed=5)
    model = LinearRegression().fit(X, y[:, None])
    assert model.coef_.shape == (1, X.shape[1]) and model.intercept_.shape == (1,)
    assert model.predict(X).shape == (len(y), 1)
    np.testing.assert_allclose(model.coef_[0], LinearRegression().fit(X, y).coef_, rtol=1e-12)


def test_integer_inputs_compute_in_the_default_float(backend):
    xp = backend.xp
    X = xp.asarray([[1], [2], [3], [4], [5]], device=backend.device)
    y = xp.asarray([118, 141, 162, 181, 198], device=backend.device)
    model = LinearRegression().fit(X, y)
    assert model.coef_.dtype == backend.widest_float
    assert model.predict(X).dtype == model.coef_.dtype


def test_requires_grad_inputs_build_no_graph():
    torch = pytest.importorskip("torch")
    X = torch.tensor(SEED_X[:, None], requires_grad=True)
    model = LinearRegression().fit(X, torch.tensor(SEED_Y))
    assert not model.coef_.requires_grad and not model.predict(X).requires_grad


# --- estimator behaviour and errors --------------------------------------------------------


def test_clone_and_params_round_trip():
    model = LinearRegression(alpha=0.5, solver="gd", learning_rate=0.02, max_iter=10)
    copy = clone(model)
    assert copy.get_params() == model.get_params()
    assert (
        repr(model) == "LinearRegression(alpha=0.5, learning_rate=0.02, max_iter=10, solver='gd')"
    )
    assert model.set_params(alpha=1.0) is model and model.alpha == 1.0
    with pytest.raises(ValueError, match="not a parameter"):
        model.set_params(C=1.0)


def test_bad_targets_raise_clear_errors(backend):
    X = backend.asarray(SEED_X[:, None])
    cases = [
        (backend.asarray([118.0, np.nan, 162.0, 181.0, 198.0]), "y contains NaN or infinity"),
        (backend.asarray([118.0, np.inf, 162.0, 181.0, 198.0]), "y contains NaN or infinity"),
        (backend.asarray(SEED_Y[:4]), "y has 4 samples but X has 5"),
        (backend.asarray(np.zeros((5, 1, 1))), "y must be 1-D .* or 2-D"),
        (backend.asarray(np.zeros((5, 0))), "y has no targets"),
        (backend.asarray(np.float64(1.0)), "y must be 1-D .* or 2-D"),
    ]
    for y, match in cases:
        with pytest.raises(ValueError, match=match):
            LinearRegression().fit(X, y)


def test_non_numeric_target_and_mixed_libraries_raise_type_errors():
    with pytest.raises(TypeError, match="y must hold real numbers"):
        LinearRegression().fit(SEED_X[:, None], np.array(list("abcde")))
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError, match="mix array libraries"):
        LinearRegression().fit(SEED_X[:, None], torch.tensor(SEED_Y))


def test_predict_checks_fit_and_width():
    with pytest.raises(NotFittedError):
        LinearRegression().predict(SEED_X[:, None])
    model = LinearRegression().fit(SEED_X[:, None], SEED_Y)
    with pytest.raises(
        ValueError, match="X has 2 features, but LinearRegression is expecting 1 features"
    ):
        model.predict(np.c_[SEED_X, SEED_X])


def test_failed_fit_keeps_the_earlier_fitted_state():
    model = LinearRegression().fit(SEED_X[:, None], SEED_Y)
    coef = model.coef_.copy()
    with pytest.raises(ValueError):
        model.fit(SEED_X[:, None], np.r_[SEED_Y[:4], np.nan])
    np.testing.assert_array_equal(model.coef_, coef)
    assert model.rank_ == 1


_HUGE_X = np.where(np.arange(5.0) % 2 == 0, 1e308, -1e308)[:, None]


@pytest.mark.parametrize(
    ("params", "X", "y", "weight", "match"),
    [
        # scikit-learn: LinAlgError "SVD did not converge" here, or garbage coefficients.
        ({"standardize": True}, _HUGE_X, SEED_Y, None, r"X's values are too large for float64"),
        ({}, _HUGE_X, SEED_Y, None, r"column 0 reaches 1e\+308, beyond 8.99e\+307, half"),
        ({}, SEED_X[:, None], _HUGE_X[:, 0], None, r"y's values are too large for float64"),
        ({"alpha": 1.0}, SEED_X[:, None] * 1e160, SEED_Y, None, r"whose square is the largest"),
        ({"solver": "lbfgs"}, SEED_X[:, None], SEED_Y * 1e160, None, "y's values are too large"),
        ({"tol": np.inf}, SEED_X[:, None], SEED_Y, None, "tol must be finite"),
        ({}, SEED_X[:, None], SEED_Y + 1j, None, "Complex data not supported"),
        ({}, SEED_X[:, None], SEED_Y, np.full(5, 1e308), "sample_weight sums to more than"),
        # Every value's square fits, but a column's variance (for the profile) does not.
        ({}, np.c_[SEED_X, np.full(5, 1e155)] * [1.0, -1.0], SEED_Y, None, "variance of column 1"),
    ],
)
def test_overflowing_fits_raise_before_work_and_keep_the_state(params, X, y, weight, match):
    model = LinearRegression().fit(np.c_[SEED_X, SEED_X**2], SEED_Y)
    before = dict(vars(model))
    coef = model.coef_.copy()
    with pytest.raises(ValueError, match=match):
        model.set_params(**params).fit(X, y, sample_weight=weight)
    assert all(getattr(model, name) is value for name, value in before.items() if name[-1] == "_")
    np.testing.assert_array_equal(model.coef_, coef)


def test_large_but_representable_data_still_fit_exactly():
    """The raw-column solves equilibrate: data near 1e150 keep every digit."""
    reference = LinearRegression().fit(SEED_X[:, None], SEED_Y)
    for solver in ("lstsq", "cholesky"):
        model = LinearRegression(solver=solver).fit(SEED_X[:, None] * 1e150, SEED_Y * 1e140)
        np.testing.assert_allclose(model.coef_ * 1e10, reference.coef_, rtol=1e-12)
        np.testing.assert_allclose(model.intercept_ / 1e140, reference.intercept_, rtol=1e-12)
