"""save and load (io/__init__.py): round trips on every backend, cross-backend loads, warm
starts and summaries of loaded models, and the arguments load takes.

References: the saved model itself (same backend: every attribute and every
prediction bitwise equal) and NumPy float64 (other backends: 1e-12 relative in
float64, float32 rounding otherwise)."""

import math
import os
import re
import tempfile

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import xlogreg
from tests.backends import assert_on_backend, rtol_for
from tests.io.files import (
    CASES,
    assert_same,
    fit,
    is_array,
    model_data,
    round_trip,
)
from xlogreg import (
    LogisticRegression,
    ModelFileError,
    NotFittedError,
    load,
)
from xlogreg._backend import has_float64, to_numpy
from xlogreg.base import BaseEstimator

# Methods whose outputs a round trip must reproduce, where an estimator has them.
OUTPUTS = (
    "decision_function",
    "predict_proba",
    "predict_log_proba",
    "predict",
    "transform",
    "inverse_transform",
)


def _outputs(model, X):
    return {name: getattr(model, name)(X) for name in OUTPUTS if hasattr(model, name)}


def _arrays(value, where="model"):
    """Every array in a fitted state, by dotted path."""
    if isinstance(value, BaseEstimator):
        for name, item in vars(value).items():
            yield from _arrays(item, f"{where}.{name}")
    elif isinstance(value, (tuple, list)):
        for i, item in enumerate(value):
            yield from _arrays(item, f"{where}.{i}")
    elif is_array(value):
        yield where, value


@pytest.mark.parametrize("case", CASES)
def test_round_trip_on_the_same_backend_is_exact(backend, case, tmp_path):
    model, X = fit(case, backend.asarray)
    loaded = round_trip(model, tmp_path, like=X)
    assert_same(loaded, model)
    for name, output in _outputs(model, X).items():
        assert_on_backend(loaded_output := getattr(loaded, name)(X), backend, dtype=output.dtype)
        np.testing.assert_array_equal(to_numpy(loaded_output), to_numpy(output), err_msg=name)
    if hasattr(model, "score"):
        _, targets = model_data()
        y = backend.asarray(targets[CASES[case][1]])
        assert loaded.score(X, y) == model.score(X, y)


@pytest.mark.parametrize("case", CASES)
def test_model_from_every_backend_loads_into_numpy(backend, case, tmp_path):
    """A model trained anywhere (CUDA included, where present) loads on the host."""
    model, X = fit(case, backend.asarray)
    loaded = round_trip(model, tmp_path)
    for where, array in _arrays(loaded):
        original = dict(_arrays(model))[where]
        assert isinstance(array, np.ndarray), where
        assert array.dtype == to_numpy(original).dtype, where
    host_X = to_numpy(X)
    rtol = rtol_for(backend, float64=1e-12, float32=1e-5)
    for name, output in _outputs(model, X).items():
        np.testing.assert_allclose(
            getattr(loaded, name)(host_X), to_numpy(output), rtol=rtol, atol=rtol, err_msg=name
        )


def _device_name(backend):
    """The ``device=`` name of a backend row, or None (array-api-strict has none)."""
    if backend.library == "numpy":
        return "numpy"
    if backend.library == "torch":  # "torch:cuda:0", but "torch:mps" for torch's "mps:0"
        return "torch:mps" if backend.device.type == "mps" else f"torch:{backend.device}"
    if backend.library == "cupy":
        return f"cupy:{backend.device.id}"
    if backend.library == "jax":  # "jax:cpu", "jax:gpu:0"
        return "jax:cpu" if backend.device.platform == "cpu" else f"jax:gpu:{backend.device.id}"
    return None


@pytest.mark.parametrize("case", CASES)
def test_float64_numpy_model_loads_onto_every_backend(backend, case, tmp_path):
    """By ``like=`` and by device name; float64 becomes float32 on devices without it."""
    model, X = fit(case, np.asarray)
    like = backend.asarray(np.zeros(1))
    loaded = round_trip(model, tmp_path, like=like)
    name = _device_name(backend)
    if name is not None:
        assert_same(load(os.path.join(tmp_path, "model.safetensors"), device=name), loaded)
    float_dtype = (
        backend.xp.float64 if has_float64(backend.xp, backend.device) else backend.xp.float32
    )
    for where, array in _arrays(loaded):
        original = dict(_arrays(model))[where]
        if original.dtype == np.float64:
            expected = float_dtype
        elif original.dtype == np.int64:
            expected = backend.integer_dtype
        else:
            expected = getattr(backend.xp, str(original.dtype))
        assert_on_backend(array, backend, dtype=expected)
    rtol = rtol_for(backend, float64=1e-12, float32=1e-5)
    Xb = backend.asarray(to_numpy(X))
    for method, output in _outputs(model, X).items():
        np.testing.assert_allclose(
            to_numpy(getattr(loaded, method)(Xb)), output, rtol=rtol, atol=rtol, err_msg=method
        )


def test_string_classes_round_trip_on_numpy_and_refuse_other_libraries(tmp_path):
    X, targets = model_data()
    for labels in (
        np.array(["no", "yes"])[targets["binary"]],
        np.array(["ant", "bee", "cat"], dtype=object)[targets["multinomial"]],
    ):
        model = LogisticRegression().fit(X, labels)
        loaded = round_trip(model, tmp_path)
        assert_same(loaded, model)
        np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
        assert loaded.score(X, labels) == model.score(X, labels)
        with pytest.raises(ValueError, match=r"classes_ holds strings .* only NumPy arrays"):
            load(os.path.join(tmp_path, "model.safetensors"), device="torch:cpu")


def test_model_streamed_to_another_library_keeps_its_host_copies(tmp_path):
    """``device=`` fits keep NumPy copies for NumPy inputs; a load keeps them NumPy."""
    torch = pytest.importorskip("torch")
    X, targets = model_data()
    model = LogisticRegression(
        solver="adam", device="torch:cpu", random_state=0, max_iter=20, tol=1e-3
    ).fit(X, targets["multinomial"])
    path = os.path.join(tmp_path, "model.safetensors")
    model.save(path)
    on_torch = load(path, device="torch:cpu")
    assert_same(on_torch, model)
    on_host = load(path)
    assert all(isinstance(a, np.ndarray) for _, a in _arrays(on_host))
    X_torch = torch.from_numpy(X)
    for name, output in _outputs(model, X).items():
        assert isinstance(output, np.ndarray)
        np.testing.assert_array_equal(getattr(on_host, name)(X), output, err_msg=name)
        np.testing.assert_array_equal(getattr(on_torch, name)(X), output, err_msg=name)
        np.testing.assert_array_equal(
            getattr(on_torch, name)(X_torch).numpy(), getattr(model, name)(X_torch).numpy()
        )


def test_loaded_model_refits_with_warm_start_like_the_original(tmp_path):
    X, targets = model_data()
    y = targets["multinomial"]
    model = LogisticRegression(warm_start=True, max_iter=3, solver="lbfgs")
    with pytest.warns(xlogreg.ConvergenceWarning):
        model.fit(X, y)
    loaded = round_trip(model, tmp_path)
    loaded.set_params(max_iter=100)
    model.set_params(max_iter=100)
    assert_same(loaded.fit(X, y), model.fit(X, y))
    # Both started from the saved solution, not from zero.
    assert model.loss_history_[0] < LogisticRegression(solver="lbfgs").fit(X, y).loss_history_[0]


def test_unfitted_estimator_saves_its_parameters_and_loads_unfitted(tmp_path):
    model = LogisticRegression(C=0.1, solver="newton", class_weight="balanced")
    loaded = round_trip(model, tmp_path)
    assert_same(loaded, model)
    with pytest.raises(NotFittedError):
        loaded.predict(np.zeros((1, 3)))
    X, targets = model_data()
    np.testing.assert_array_equal(
        loaded.fit(X, targets["binary"]).coef_, model.fit(X, targets["binary"]).coef_
    )


_floats = st.floats(allow_nan=False) | st.sampled_from([math.inf, -math.inf, -0.0])


_keys = st.none() | st.booleans() | st.integers() | st.text(max_size=5)


@given(
    C=_floats,
    tol=_floats,
    max_iter=st.integers(-(2**70), 2**70),
    class_weight=st.none()
    | st.sampled_from(["balanced"])
    | st.dictionaries(_keys, _floats, max_size=3),
    random_state=st.none() | st.integers(0, 2**64),
    device=st.none() | st.sampled_from(["torch:cuda:3", "cupy"]),
    solver=st.text(max_size=8) | st.sampled_from(["lbfgs", "newton", "sgd", "adam"]),
)
def test_valid_parameters_survive_a_round_trip_and_invalid_ones_never_save(**params):
    """A file stores what ``get_params`` returns, with its types, for parameters that
    ``fit`` accepts; parameters that ``fit`` refuses are refused by ``save`` the same way."""
    model = LogisticRegression(**params)
    with tempfile.TemporaryDirectory() as folder:
        try:
            model._validate_params()
        except (TypeError, ValueError) as error:
            with pytest.raises(type(error), match=re.escape(str(error))):
                model.save(os.path.join(folder, "model.safetensors"))
            assert os.listdir(folder) == []
        else:
            assert_same(round_trip(model, folder), model)


def test_model_file_error_is_a_value_error():
    assert issubclass(ModelFileError, ValueError)
    assert {"ModelFileError", "load"} <= set(xlogreg.__all__)


def test_bad_arguments_are_refused_before_reading(saved):
    _, path = saved
    with pytest.raises(ValueError, match="give like= or device=, not both"):
        load(path, like=np.zeros(1), device="numpy")
    with pytest.raises(TypeError, match="like must be an array, got list"):
        load(path, like=[0.0])
    with pytest.raises(ValueError, match="device must be None, 'numpy'"):
        load(path, device="gpu")
    with pytest.raises(TypeError, match=r"path must be a str or os\.PathLike, got int"):
        load(3)
    with pytest.raises(TypeError, match=r"path must be a str or os\.PathLike, got NoneType"):
        LogisticRegression().save(None)
    with pytest.raises(TypeError, match=r"cannot save a builtins\.dict: only the estimators"):
        xlogreg.io.save({}, path)


def test_paths_may_be_path_objects(tmp_path):
    model = LogisticRegression(C=3.0)
    model.save(tmp_path / "model.safetensors")
    assert load(tmp_path / "model.safetensors").C == 3.0


def test_loaded_model_reports_the_same_inference_summary(tmp_path):
    """Standard errors live in the fitted state: a loaded model's table is the same."""
    model, _ = fit("logistic-inference", np.asarray)
    loaded = round_trip(model, tmp_path)
    assert str(loaded.summary(alpha=0.1)) == str(model.summary(alpha=0.1))
    np.testing.assert_array_equal(loaded.coef_stderr_, model.coef_stderr_)


def test_feature_names_threshold_and_profile_survive(tmp_path):
    """The artifact carries what serving needs: names, the operating threshold, the profile."""
    X, targets = model_data()
    model = LogisticRegression(threshold=0.7).fit(
        X, targets["binary"], feature_names=["area", "perimeter", "extent"]
    )
    loaded = round_trip(model, tmp_path)
    assert loaded.feature_names_in_ == ("area", "perimeter", "extent")
    assert loaded.threshold == 0.7
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    for actual, expected in zip(loaded.training_profile_, model.training_profile_, strict=True):
        np.testing.assert_array_equal(actual, expected)
    shifted = X + X.std(axis=0)
    np.testing.assert_array_equal(loaded.drift(shifted).z_shift, model.drift(shifted).z_shift)
