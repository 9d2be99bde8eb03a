"""solvers/_minimize.py: every method through minimize (and auto's hand-overs) reaches the
optimum and says when it cannot."""

import numpy as np
import pytest
from scipy.optimize import minimize as scipy_minimize
from sklearn.linear_model import LogisticRegression as SkLogisticRegression

from tests.backends import assert_on_backend
from tests.solvers.problems import binomial
from xlogreg import ConvergenceWarning, LogisticRegression
from xlogreg._backend import to_numpy
from xlogreg.objectives import Binomial
from xlogreg.solvers import auto_plan, minimize


class Quadratic:
    """f(w) = ½ wᵀAw − bᵀw on any backend: a solver test that knows no loss."""

    def __init__(self, A, b, backend):
        self.xp = backend.xp
        self.A, self.b = backend.asarray(A), backend.asarray(b)
        self.n_samples, self.n_params = 10_000, len(b)

    def loss_grad(self, w):
        Aw = self.A @ w
        return 0.5 * (w @ Aw) - self.b @ w, Aw - self.b

    def hessian(self, w):
        return self.A


def _quadratic(backend, condition=100.0):
    rng = np.random.default_rng(0)
    q, _ = np.linalg.qr(rng.standard_normal((6, 6)))
    A = q @ np.diag(np.geomspace(1.0, condition, 6)) @ q.T
    b = rng.standard_normal(6)
    return Quadratic(A, b, backend), np.linalg.solve(A, b)


@pytest.mark.parametrize(
    ("method", "extra"),
    [("lbfgs", {}), ("newton", {}), ("gd", {"learning_rate": 0.01, "momentum": 0.9})],
)
def test_every_method_solves_a_quadratic(backend, method, extra):
    objective, solution = _quadratic(backend)
    w0 = backend.xp.zeros(6, dtype=backend.dtype, device=backend.device)
    tol = 1e-10 if backend.has_float64 else 1e-4
    result = minimize(objective, w0, method=method, tol=tol, max_iter=5000, **extra)
    assert result.converged
    assert_on_backend(result.x, backend)
    np.testing.assert_allclose(to_numpy(result.x), solution, rtol=1e-3 if tol > 1e-6 else 1e-8)


def test_binomial_optimum_matches_scipy():
    X, y = binomial()
    import array_api_compat

    xp = array_api_compat.array_namespace(X)
    objective = Binomial(X, y, np.ones(300), l2=1.0, fit_intercept=True, xp=xp)
    # SciPy's L-BFGS-B ends ABNORMAL here 3e-6 away; its exact-Hessian
    # trust-region method is a reference that actually converges.
    reference = scipy_minimize(
        lambda w: tuple(np.asarray(v) for v in objective.loss_grad(w)),
        np.zeros(6),
        jac=True,
        hess=objective.hessian,
        method="trust-exact",
        options={"gtol": 1e-12},
    ).x
    for method in ("lbfgs", "newton"):
        result = minimize(objective, np.zeros(6), method=method, tol=1e-10)
        np.testing.assert_allclose(result.x, reference, rtol=1e-6)
        history = np.array(result.loss_history)
        # Descent, up to the loss's round-off that approximate-Wolfe steps allow.
        allowance = 1e3 * np.finfo(np.float64).eps * history[:-1]
        assert np.all(np.diff(history) <= allowance), method


def test_max_iter_reached_warns_with_the_gradient_norm():
    X, y = binomial()
    with pytest.warns(
        ConvergenceWarning, match=r"lbfgs did not converge: reached max_iter=2; .*max-norm"
    ):
        model = LogisticRegression(solver="lbfgs", max_iter=2).fit(X, y)
    assert not model.converged_ and model.n_iter_ == 2


def test_auto_lets_newton_follow_lbfgs_up_to_2048_parameters():
    # After 10 L-BFGS iterations on tall problems of at most 200 parameters, after 100 otherwise.
    assert auto_plan(1_000_000, 65) == ("lbfgs", "newton")
    assert auto_plan(1_000_000, 65, condition=1.3) == ("lbfgs", "newton")
    assert auto_plan(1_000_000, 201) == ("lbfgs", "newton")
    assert auto_plan(1_000_000, 201, condition=1e6) == ("lbfgs", "newton")
    assert auto_plan(100, 150) == ("lbfgs", "newton")
    assert auto_plan(1_797, 650) == ("lbfgs", "newton")
    assert auto_plan(1_000_000, 2049) == ("lbfgs",)


def test_auto_subsamples_newton_on_ill_conditioned_data_with_many_rows_per_parameter():
    assert auto_plan(200_000, 33, condition=30.0) == ("subsampled newton", "newton")
    # 256 rows per parameter would leave out fewer than half of the rows: exact Hessians.
    assert auto_plan(16_000, 33, condition=30.0) == ("lbfgs", "newton")


def test_unknown_method_is_refused():
    objective, _ = _quadratic_numpy()
    with pytest.raises(ValueError, match="method must be one of"):
        minimize(objective, np.zeros(6), method="bfgs")


def _quadratic_numpy():
    import array_api_compat

    class NumpyRow:
        xp = array_api_compat.array_namespace(np.empty(0))
        device, dtype = "cpu", np.float64

        def asarray(self, a):
            return np.asarray(a, dtype=float)

    return _quadratic(NumpyRow())


def test_callback_sees_every_iteration():
    objective, _ = _quadratic_numpy()
    seen = []
    result = minimize(
        objective, np.zeros(6), method="newton", tol=1e-12, callback=lambda *a: seen.append(a)
    )
    assert [s[0] for s in seen] == list(range(result.n_iter + 1))


class _Flat:
    """A loss that never changes while its gradient says it should: no step helps."""

    def __init__(self):
        import array_api_compat

        self.xp = array_api_compat.array_namespace(np.empty(0))
        self.n_samples, self.n_params = 10, 2

    def loss_grad(self, w):
        return np.asarray(1.0), np.asarray([1.0, -1.0])


def test_a_stall_above_the_precision_floor_is_reported():
    with pytest.warns(ConvergenceWarning, match="no decrease left at this precision while"):
        result = minimize(_Flat(), np.zeros(2), method="lbfgs")
    assert result.status == "stalled" and not result.converged and result.n_iter == 0


def test_auto_hands_an_ill_conditioned_fit_from_lbfgs_to_newton():
    rng = np.random.default_rng(5)
    scales = np.logspace(-2, 3, 8)
    X = (rng.standard_normal((2000, 8)) + 0.9 * rng.standard_normal((2000, 1))) * scales
    y = (rng.random(2000) < 1 / (1 + np.exp(-(X @ (rng.standard_normal(8) / scales))))).astype(int)
    objective = Binomial(X, y.astype(float), np.ones(2000), l2=1.0, fit_intercept=True, xp=np)
    result = _auto_reporting_every_iteration(objective)
    assert result.converged and result.n_iter > 10
    assert "Newton after 10 L-BFGS iterations" in result.message
    assert len(result.loss_history) == result.n_iter + 1
    _assert_scikit_learns_optimum(result, X, y)


def _auto_reporting_every_iteration(objective):
    """``minimize(method="auto")`` from zero, asserting that the callback saw every iterate."""
    steps = []
    result = minimize(
        objective,
        np.zeros(objective.n_params),
        method="auto",
        tol=1e-10,
        callback=lambda n_iter, loss, grad_norm: steps.append(n_iter),
    )
    assert steps == list(range(result.n_iter + 1))
    return result


def _assert_scikit_learns_optimum(result, X, y):
    reference = SkLogisticRegression(solver="newton-cholesky", tol=1e-12).fit(X, y)
    np.testing.assert_allclose(result.x, np.r_[reference.coef_[0], reference.intercept_], rtol=1e-7)


def _ill_conditioned(n_samples, n_features, seed=5):
    """Columns of scales 1e-2…1e3 sharing a strong common factor: the Hessian
    scaled to a unit diagonal has a condition number near 30."""
    rng = np.random.default_rng(seed)
    scales = np.logspace(-2, 3, n_features)
    shared = 2.0 * rng.standard_normal((n_samples, 1))
    X = (rng.standard_normal((n_samples, n_features)) + shared) * scales
    w = rng.standard_normal(n_features) / scales
    y = (rng.random(n_samples) < 1 / (1 + np.exp(-(X @ w)))).astype(int)
    return X, y


class _HessianSpy:
    """Binomial with a record of the ``max_rows`` of every Hessian asked for, and an
    optional factor on the sampled estimates (to make them useless)."""

    def __init__(self, objective, sampled_factor=1.0):
        self._objective, self.sampled_factor, self.max_rows = objective, sampled_factor, []

    def __getattr__(self, name):
        return getattr(self._objective, name)

    def hessian(self, w, *, max_rows=None):
        self.max_rows.append(max_rows)
        h = self._objective.hessian(w, max_rows=max_rows)
        return h if max_rows is None or max_rows < 1000 else self.sampled_factor * h


def test_auto_runs_subsampled_newton_on_an_ill_conditioned_tall_problem():
    X, y = _ill_conditioned(20_000, 8)
    objective = _HessianSpy(
        Binomial(X, y.astype(float), np.ones(20_000), l2=1.0, fit_intercept=True, xp=np)
    )
    result = _auto_reporting_every_iteration(objective)
    # One estimate of 32 rows per parameter measures the conditioning; every
    # Newton step then uses 256 rows per parameter, never the full Hessian.
    assert objective.max_rows[0] == 32 * 9
    assert set(objective.max_rows[1:]) == {256 * 9}
    assert result.converged and "Newton after" not in result.message
    _assert_scikit_learns_optimum(result, X, y)


def test_auto_hands_a_stalled_subsampled_newton_to_exact_newton():
    X, y = _ill_conditioned(20_000, 8)
    # Estimates 1e6 times too large: steps a millionth of Newton's, progress stalls.
    objective = _HessianSpy(
        Binomial(X, y.astype(float), np.ones(20_000), l2=1.0, fit_intercept=True, xp=np),
        sampled_factor=1e6,
    )
    result = minimize(objective, np.zeros(9), method="auto", tol=1e-10)
    assert result.converged
    assert "subsampled Newton iterations" in result.message
    assert None in objective.max_rows  # exact Hessians took over
    _assert_scikit_learns_optimum(result, X, y)


def test_auto_without_an_eigensolver_falls_back_to_lbfgs_then_newton(monkeypatch):
    """torch on MPS has no ``eigvalsh``: the conditioning is then unknown, and
    ``auto`` takes its path for well-conditioned data."""
    X, y = _ill_conditioned(20_000, 8)
    objective = Binomial(X, y.astype(float), np.ones(20_000), l2=1.0, fit_intercept=True, xp=np)

    def no_eigensolver(*args, **kwargs):
        raise NotImplementedError("eigvalsh is not implemented on this device")

    monkeypatch.setattr(np.linalg, "eigvalsh", no_eigensolver)
    result = _auto_reporting_every_iteration(objective)
    assert result.converged and "Newton after 10 L-BFGS iterations" in result.message
    _assert_scikit_learns_optimum(result, X, y)
