"""Mini-batch training (solver="sgd"/"adam"): the full-batch optimum, determinism, early
stopping, streaming from host arrays and memory maps to another library, bad parameters.

Tolerances: with ``tol=1e-8`` on these standardized problems, SGD and Adam end within
about 1e-3 (relative) of Newton's coefficients and 3e-7 of its objective; the
convergence test asserts 5e-3 and 2e-6, the others (fewer rows, other settings) 1e-2.
"""

import importlib.util

import array_api_compat
import numpy as np
import pytest

from tests.backends import assert_on_backend, jax_x64
from xlogreg import LogisticRegression
from xlogreg._backend import host_generator, library_devices, to_numpy
from xlogreg.exceptions import ConvergenceWarning
from xlogreg.objectives import Binomial, Multinomial
from xlogreg.solvers._stochastic import BatchPlan

# Initial steps that suit standardized features: SGD's is measured in gradient
# units, Adam's in coefficient units per step.
STEPS = {"sgd": 0.5, "adam": 0.05}


def _problem(n_classes, *, n=1200, d=4, seed=0, weighted=True):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    W = rng.standard_normal((n_classes, d))
    if n_classes == 2:
        p = 1.0 / (1.0 + np.exp(-(X @ W[0] + 0.3)))
        y = (rng.random(n) < p).astype(np.int64)
    else:
        logits = X @ W.T
        p = np.exp(logits - logits.max(axis=1, keepdims=True))
        cumulative = np.cumsum(p / p.sum(axis=1, keepdims=True), axis=1)
        y = (rng.random((n, 1)) > cumulative).sum(axis=1)
    weight = rng.uniform(0.0, 2.0, n) if weighted else None
    return X, y, weight


def _params(model):
    return np.c_[to_numpy(model.coef_), to_numpy(model.intercept_)]


def _objective(X, y, weight, params, C=1.0):
    """The full-batch objective at fitted parameters, in NumPy float64."""
    xp = array_api_compat.array_namespace(X)
    weight = np.ones(len(y)) if weight is None else weight
    classes = np.unique(y)
    one_hot = (y[:, None] == classes[None, :]).astype(float)
    if len(classes) == 2:
        f = Binomial(X, one_hot[:, 1], weight, l2=1 / C, fit_intercept=True, xp=xp)
        return float(f.loss(params[0]))
    f = Multinomial(X, one_hot, weight, l2=1 / C, fit_intercept=True, xp=xp)
    return float(f.loss(params.reshape(-1)))


def _minibatch(solver, **params):
    settings = {
        "solver": solver,
        "learning_rate": STEPS[solver],
        "batch_size": 64,
        "tol": 1e-8,
        "random_state": 0,
    }
    return LogisticRegression(**{**settings, **params})


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_converges_to_the_full_batch_optimum_with_sample_weights(solver, n_classes):
    X, y, weight = _problem(n_classes)
    exact = LogisticRegression(solver="newton", tol=1e-10).fit(X, y, sample_weight=weight)
    model = _minibatch(solver).fit(X, y, sample_weight=weight)
    assert model.converged_
    expected, fitted = _params(exact), _params(model)
    assert np.linalg.norm(fitted - expected) <= 5e-3 * np.linalg.norm(expected)
    gap = _objective(X, y, weight, fitted) - _objective(X, y, weight, expected)
    assert 0.0 <= gap <= 2e-6
    assert len(model.loss_history_) == model.n_iter_
    assert model.validation_loss_history_ is None


@pytest.mark.filterwarnings("ignore::xlogreg.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_every_backend_takes_numpys_steps(backend, solver):
    # The batches are drawn on the host, so every backend sees the same ones:
    # a few epochs give NumPy's coefficients up to round-off.
    X, y, weight = _problem(3, n=400)
    params = {"max_iter": 4, "early_stopping": True, "momentum": 0.5}
    same_dtype = X.astype(np.float64 if backend.has_float64 else np.float32)
    on_numpy = _minibatch(solver, **params).fit(same_dtype, y, sample_weight=weight)
    here = _minibatch(solver, **params).fit(
        backend.asarray(X), backend.asarray(y), sample_weight=backend.asarray(weight)
    )
    assert_on_backend(here.coef_, backend)
    assert_on_backend(here.intercept_, backend)
    assert here.n_iter_ == on_numpy.n_iter_
    rtol = 1e-9 if backend.has_float64 else 1e-4
    np.testing.assert_allclose(_params(here), _params(on_numpy), rtol=rtol, atol=rtol)
    np.testing.assert_allclose(
        here.validation_loss_history_, on_numpy.validation_loss_history_, rtol=rtol
    )


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_float32_comes_close_too(solver):
    X, y, _ = _problem(2, weighted=False)
    exact = LogisticRegression(solver="newton", tol=1e-10).fit(X, y)
    model = _minibatch(solver, tol=1e-6).fit(X.astype(np.float32), y)
    assert model.coef_.dtype == np.float32
    expected = _params(exact)
    assert np.linalg.norm(_params(model) - expected) <= 1e-2 * np.linalg.norm(expected)


def test_class_weights_and_zero_weight_batches_mean_what_they_mean_for_full_batch():
    X, y, weight = _problem(2, seed=1)
    weight[: len(y) // 2] = 0.0  # whole batches without weight
    params = {"class_weight": {0: 3.0, 1: 0.5}, "C": 0.5}
    exact = LogisticRegression(solver="newton", tol=1e-10, **params).fit(X, y, weight)
    model = _minibatch("adam", **params).fit(X, y, sample_weight=weight)
    expected = _params(exact)
    assert np.linalg.norm(_params(model) - expected) <= 1e-2 * np.linalg.norm(expected)


def test_no_penalty_no_intercept():
    X, y, _ = _problem(2, weighted=False, seed=2)
    params = {"C": float("inf"), "fit_intercept": False}
    exact = LogisticRegression(solver="newton", tol=1e-10, **params).fit(X, y)
    model = _minibatch("sgd", **params).fit(X, y)
    np.testing.assert_array_equal(model.intercept_, [0.0])
    expected = _params(exact)
    assert np.linalg.norm(_params(model) - expected) <= 1e-2 * np.linalg.norm(expected)


@pytest.mark.filterwarnings("ignore::xlogreg.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_same_seed_same_coefficients_other_seed_others(solver):
    X, y, weight = _problem(3, n=600)
    fits = [
        _minibatch(solver, random_state=seed, max_iter=5).fit(X, y, weight) for seed in (7, 7, 8)
    ]
    np.testing.assert_array_equal(_params(fits[0]), _params(fits[1]))
    assert fits[0].loss_history_ == fits[1].loss_history_
    assert not np.allclose(_params(fits[0]), _params(fits[2]), rtol=1e-6, atol=0.0)


@pytest.mark.filterwarnings("error")
def test_a_generator_as_random_state_draws_anew_at_every_fit():
    X, y, _ = _problem(2, n=300, weighted=False)
    model = _minibatch("sgd", random_state=np.random.default_rng(0), tol=1e-2)
    first = _params(model.fit(X, y))
    assert not np.array_equal(first, _params(model.fit(X, y)))


def test_early_stopping_stops_and_keeps_the_best_epoch():
    # Few rows, many features, no penalty: the validation loss turns up while the
    # training loss still falls.
    rng = np.random.default_rng(3)
    X = rng.standard_normal((200, 40))
    y = (X[:, 0] + rng.standard_normal(200) > 0).astype(int)
    params = {"C": float("inf"), "batch_size": 16, "learning_rate": 0.2, "tol": 0.0}
    model = _minibatch(
        "adam", early_stopping=True, validation_fraction=0.25, n_iter_no_change=3, **params
    ).fit(X, y)
    history = model.validation_loss_history_
    assert model.converged_ and model.n_iter_ == len(history) < 1000
    best = int(np.argmin(history))
    assert model.n_iter_ == best + 1 + 3  # three epochs without a new best, then stop
    assert history[-1] > history[best]
    # The same run cut short at the best epoch ends on the coefficients kept.
    with pytest.warns(ConvergenceWarning, match=f"max_iter={best + 1} epochs"):
        cut = _minibatch(
            "adam",
            early_stopping=True,
            validation_fraction=0.25,
            n_iter_no_change=3,
            max_iter=best + 1,
            **params,
        ).fit(X, y)
    np.testing.assert_array_equal(_params(cut), _params(model))


def test_early_stopping_on_weighted_multinomial_data_reaches_a_good_fit():
    X, y, weight = _problem(3, n=2000)
    model = _minibatch("sgd", early_stopping=True, tol=1e-4).fit(X, y, sample_weight=weight)
    assert model.converged_
    exact = LogisticRegression(solver="newton").fit(X, y, sample_weight=weight)
    assert model.score(X, y, weight) >= exact.score(X, y, weight) - 0.02


def test_memory_map_streams_to_torch_as_the_in_memory_array_does(tmp_path):
    torch = pytest.importorskip("torch")
    X, y, weight = _problem(3, n=500)
    np.save(tmp_path / "X.npy", X)
    X_map = np.load(tmp_path / "X.npy", mmap_mode="r")

    def fit(X, y, weight, device=None):
        estimator = _minibatch("adam", max_iter=30, tol=1e-6, early_stopping=True, device=device)
        return estimator.fit(X, y, sample_weight=weight)

    in_memory = fit(X, y, weight)
    expected = _params(in_memory)
    # NumPy computing on the memory map, read a batch ahead: the very same fit.
    np.testing.assert_array_equal(_params(fit(X_map, y, weight)), expected)
    streamed = fit(X_map, y, weight, device="torch:cpu")
    assert isinstance(streamed.coef_, torch.Tensor) and streamed.coef_.dtype == torch.float64
    assert isinstance(streamed.classes_, torch.Tensor)
    np.testing.assert_allclose(_params(streamed), expected, rtol=1e-9, atol=1e-12)
    assert streamed.n_iter_ == in_memory.n_iter_
    # torch sees the same batches from the array in memory and from tensors.
    copied = fit(X, y, weight, device="torch:cpu")
    np.testing.assert_array_equal(_params(copied), _params(streamed))
    on_torch = fit(torch.from_numpy(X), torch.from_numpy(y), torch.from_numpy(weight))
    np.testing.assert_array_equal(_params(on_torch), _params(streamed))


@pytest.mark.filterwarnings("ignore::xlogreg.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("x64", [True, False], ids=["x64", "no-x64"])
def test_a_memory_map_streams_to_jax_as_to_numpy(tmp_path, x64):
    """``device="jax:cpu"``: JAX sees NumPy's batches; without x64 it computes in float32."""
    jax = pytest.importorskip("jax")
    X, y, weight = _problem(3, n=400)
    np.save(tmp_path / "X.npy", X)
    params = {"max_iter": 4, "early_stopping": True, "momentum": 0.5}
    host = X if x64 else X.astype(np.float32)
    on_numpy = _minibatch("adam", **params).fit(host, y, sample_weight=weight)
    with jax_x64(x64):
        streamed = _minibatch("adam", device="jax:cpu", **params).fit(
            np.load(tmp_path / "X.npy", mmap_mode="r"), y, sample_weight=weight
        )
        assert isinstance(streamed.coef_, jax.Array)
        assert streamed.coef_.dtype == (jax.numpy.float64 if x64 else jax.numpy.float32)
    assert streamed.n_iter_ == on_numpy.n_iter_
    rtol = 1e-9 if x64 else 1e-4
    np.testing.assert_allclose(_params(streamed), _params(on_numpy), rtol=rtol, atol=rtol)


def test_a_model_streamed_to_torch_predicts_on_torch_and_on_numpy(tmp_path):
    torch = pytest.importorskip("torch")
    X, y, _ = _problem(2, n=400, weighted=False)
    X32 = X.astype(np.float32)
    np.save(tmp_path / "X.npy", X32)
    model = _minibatch("sgd", device="torch:cpu", tol=1e-4).fit(
        np.load(tmp_path / "X.npy", mmap_mode="r"), y
    )
    assert model.coef_.dtype == torch.float32
    on_numpy = model.predict_proba(X32)
    assert isinstance(on_numpy, np.ndarray) and on_numpy.dtype == np.float32
    on_torch = model.predict_proba(torch.from_numpy(X32))
    assert isinstance(on_torch, torch.Tensor)
    # Two libraries' float32 products round differently: a few ulps of the logit, which a
    # probability far from 1/2 carries relative to itself times |logit| (about 6 here).
    np.testing.assert_allclose(on_numpy, on_torch.numpy(), rtol=1e-5)
    labels = model.predict(X32)
    assert isinstance(labels, np.ndarray)
    np.testing.assert_array_equal(labels, model.predict(torch.from_numpy(X32)).numpy())
    assert model.score(X32, y) == pytest.approx(
        model.score(torch.from_numpy(X32), torch.from_numpy(y))
    )
    assert model.score(X32, y) > 0.7


@pytest.mark.gpu
@pytest.mark.parametrize("device", ["torch:cuda", "torch:mps", "cupy", "jax:gpu"])
def test_streaming_to_a_gpu(device):
    library = device.partition(":")[0]
    module = pytest.importorskip(library)
    if library == "jax" and not library_devices("jax")[1:]:
        pytest.skip("jax has no GPU device here")
    if library == "torch" and device.endswith("cuda") and not module.cuda.is_available():
        pytest.skip("torch has no CUDA device here")
    if library == "torch" and device.endswith("mps") and not module.backends.mps.is_available():
        pytest.skip("torch has no MPS device here")
    if library == "cupy":
        try:
            if module.cuda.runtime.getDeviceCount() < 1:
                pytest.skip("cupy sees no CUDA device")
        except module.cuda.runtime.CUDARuntimeError:
            pytest.skip("cupy sees no CUDA device")
    X, y, weight = _problem(3)
    X = X.astype(np.float32)
    on_host = _minibatch("adam", tol=1e-6).fit(X, y, sample_weight=weight)
    streamed = _minibatch("adam", tol=1e-6, device=device).fit(X, y, sample_weight=weight)
    assert array_api_compat.device(streamed.coef_) != "cpu"
    expected = _params(on_host)
    assert np.linalg.norm(_params(streamed) - expected) <= 1e-2 * np.linalg.norm(expected)
    assert np.mean(streamed.predict(X) == on_host.predict(X)) >= 0.99


def test_max_iter_epochs_run_out_with_a_warning():
    X, y, _ = _problem(2, n=300, weighted=False)
    with pytest.warns(ConvergenceWarning, match=r"sgd did not converge: reached max_iter=3 epochs"):
        model = _minibatch("sgd", max_iter=3).fit(X, y)
    assert not model.converged_ and model.n_iter_ == 3 == len(model.loss_history_)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NumPy's overflows on the way
def test_a_diverging_epoch_is_undone_with_half_the_step():
    X, y, _ = _problem(2, n=300, weighted=False)
    with pytest.warns(ConvergenceWarning, match="non-finite.*learning_rate 1e\\+30 too large"):
        model = _minibatch("sgd", learning_rate=1e30, max_iter=50).fit(X * 1e150, y)
    assert np.all(np.isfinite(model.coef_))
    assert not model.converged_


def test_a_too_large_step_recovers():
    X, y, _ = _problem(2, weighted=False)
    exact = LogisticRegression(solver="newton", tol=1e-10).fit(X, y)
    model = _minibatch("sgd", learning_rate=200.0).fit(X, y)
    assert model.converged_
    expected = _params(exact)
    assert np.linalg.norm(_params(model) - expected) <= 2e-2 * np.linalg.norm(expected)


def test_warm_start_continues_from_the_previous_fit():
    X, y, _ = _problem(2, weighted=False)
    model = _minibatch("adam", warm_start=True, tol=1e-3).fit(X, y)
    first_epochs = model.n_iter_
    model.set_params(learning_rate=1e-3).fit(X, y)
    assert model.loss_history_[0] < 1.01 * min(model.loss_history_)
    assert first_epochs >= 1


def test_standardize_with_minibatches_reports_raw_coefficients():
    X, y, _ = _problem(2, weighted=False)
    X = X * np.array([1.0, 10.0, 100.0, 0.1]) + 5.0
    exact = LogisticRegression(solver="newton", tol=1e-10, standardize=True).fit(X, y)
    model = _minibatch("adam", standardize=True).fit(X, y)
    expected = _params(exact)
    assert np.linalg.norm(_params(model) - expected) <= 1e-2 * np.linalg.norm(expected)


def test_batch_plan_covers_every_training_row_once_per_epoch():
    plan = BatchPlan(1000, 64, validation_fraction=0.1, rng=host_generator(0))
    held = plan.validation_rows
    assert len(held) == 4 * 25  # 25 of 250 segments of 4 rows
    for _ in range(2):
        rows = plan.epoch()
        assert len(rows) == plan.n_train == 900
        assert len(np.intersect1d(rows, held)) == 0
        np.testing.assert_array_equal(np.sort(np.r_[rows, held]), np.arange(1000))
        batches = plan.batches(rows)
        assert [len(b) for b in batches] == [64] * 14 + [4]
        assert all(np.all(np.diff(b) > 0) for b in batches)
    assert not np.array_equal(plan.epoch(), plan.epoch())


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"batch_size": 0}, ValueError, "batch_size must be >= 1"),
        ({"batch_size": 2.5}, TypeError, "batch_size must be an integer"),
        ({"validation_fraction": 0.0}, ValueError, "validation_fraction must be > 0"),
        ({"validation_fraction": 1.0}, ValueError, "validation_fraction must be < 1"),
        ({"n_iter_no_change": 0}, ValueError, "n_iter_no_change must be >= 1"),
        ({"early_stopping": 1}, TypeError, "early_stopping must be True or False"),
        ({"random_state": -1}, ValueError, "random_state must be >= 0"),
        ({"random_state": "seed"}, TypeError, "random_state must be None, a non-negative"),
        ({"device": "gpu"}, ValueError, "device must be None, 'numpy', 'torch:cpu'"),
        ({"device": "torch:cuda:x"}, ValueError, "device must be None"),
        ({"solver": "lbfgs", "device": "torch:cpu"}, ValueError, "device='torch:cpu' applies to"),
        ({"solver": "newton", "early_stopping": True}, ValueError, "early_stopping=True applies"),
        ({"solver": "rmsprop"}, ValueError, "solver must be one of .*'sgd', 'adam'"),
        ({"learning_rate": 0.0}, ValueError, "learning_rate must be > 0"),
    ],
)
def test_bad_parameters_name_the_argument(params, error, match):
    X, y, _ = _problem(2, n=50, weighted=False)
    with pytest.raises(error, match=match):
        LogisticRegression(**{"solver": "sgd", **params}).fit(X, y)


def test_bad_streaming_requests_are_refused_before_any_work():
    torch = pytest.importorskip("torch")
    X, y, _ = _problem(2, n=50, weighted=False)
    with pytest.raises(ValueError, match="streams NumPy arrays from the host, but X is a torch"):
        _minibatch("sgd", device="torch:cpu").fit(torch.from_numpy(X), torch.from_numpy(y))
    with pytest.raises(ValueError, match="standardize=True is not supported with device"):
        _minibatch("sgd", device="torch:cpu", standardize=True).fit(X, y)
    with pytest.raises(ValueError, match="labels must be numbers or booleans"):
        _minibatch("sgd", device="torch:cpu").fit(X, np.array(["no", "yes"])[y])
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="torch has no cuda device here"):
            _minibatch("sgd", device="torch:cuda").fit(X, y)
    if importlib.util.find_spec("cupy") is None:
        with pytest.raises(ValueError, match="device='cupy' needs cupy, which is not installed"):
            _minibatch("sgd", device="cupy").fit(X, y)
    if importlib.util.find_spec("jax") is not None and not library_devices("jax")[1:]:
        with pytest.raises(ValueError, match=r"device='jax:gpu': jax sees 0 gpu device\(s\)"):
            _minibatch("sgd", device="jax:gpu").fit(X, y)
    with pytest.raises(ValueError, match="early_stopping needs a validation split"):
        _minibatch("sgd", early_stopping=True, batch_size=1000).fit(X[:10], y[:10])
