"""Model files: round trips on every backend, cross-backend loads, the documented format,
corrupt and foreign files, and atomic writes.

References: the saved model itself (same backend: every attribute and every
prediction bitwise equal) and NumPy float64 (other backends: 1e-12 relative in
float64, float32 rounding otherwise).
"""

import functools
import json
import math
import os
import pickle
import re
import stat
import struct
import subprocess
import sys
import tempfile
import time
from typing import NamedTuple

import array_api_compat
import numpy as np
import pytest
import safetensors.numpy
from hypothesis import given
from hypothesis import strategies as st

import xlogreg
from tests.backends import assert_on_backend, rtol_for
from tests.model_files import read_header, rewritten
from xlogreg import (
    CalibratedClassifier,
    LinearRegression,
    LogisticRegression,
    ModelFileError,
    NotFittedError,
    StandardScaler,
    load,
)
from xlogreg._backend import has_float64, to_numpy
from xlogreg.base import BaseEstimator
from xlogreg.io import _registry

# Methods whose outputs a round trip must reproduce, where an estimator has them.
OUTPUTS = (
    "decision_function",
    "predict_proba",
    "predict_log_proba",
    "predict",
    "transform",
    "inverse_transform",
)


def _data(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((60, 3)) * [1.0, 3.0, 0.5] + [0.0, 2.0, -1.0]
    targets = {
        "binary": (X[:, 0] + rng.standard_normal(60) > 0).astype(np.int64),
        "multinomial": np.argmax(X[:, :3] + rng.standard_normal((60, 3)), axis=1),
        "1-D": X @ [1.0, -2.0, 0.5] + 0.1 * rng.standard_normal(60),
        "weights": rng.uniform(0.5, 2.0, 60),
        # Balanced classes, so that a calibration split holds out some of each.
        "3-class": np.digitize(X[:, 0] + 0.5 * rng.standard_normal(60), [-0.5, 0.5]),
    }
    targets["2-D"] = np.c_[targets["1-D"], 3.0 - targets["1-D"]]
    return X, targets


# name -> (estimator, target name, fit with sample weights)
CASES = {
    "logistic-binary": (lambda: LogisticRegression(C=0.5), "binary", False),
    "logistic-multinomial": (lambda: LogisticRegression(), "multinomial", True),
    "logistic-standardize": (lambda: LogisticRegression(standardize=True), "binary", False),
    "logistic-no-intercept": (
        lambda: LogisticRegression(fit_intercept=False, class_weight={0: 2.0, 1: 1.0}),
        "binary",
        False,
    ),
    "linear-1-D": (lambda: LinearRegression(), "1-D", False),
    "linear-2-D-ridge-standardize": (
        lambda: LinearRegression(alpha=0.5, standardize=True),
        "2-D",
        True,
    ),
    "scaler-weighted": (lambda: StandardScaler(), None, True),
    "logistic-threshold": (lambda: LogisticRegression(threshold=0.3), "binary", False),
    "logistic-inference": (lambda: LogisticRegression(C=2.0, inference=True), "binary", True),
    "logistic-multinomial-inference": (
        lambda: LogisticRegression(inference=True),
        "3-class",
        False,
    ),
    "linear-2-D-inference": (lambda: LinearRegression(inference=True), "2-D", False),
    # Unfitted estimators: the calibrated classifier fits a copy on a split.
    "calibrated-platt": (
        lambda: CalibratedClassifier(LogisticRegression(), "platt", random_state=0),
        "binary",
        True,
    ),
    "calibrated-temperature-multinomial": (
        lambda: CalibratedClassifier(LogisticRegression(), "temperature", random_state=1),
        "3-class",
        False,
    ),
    "calibrated-isotonic-multinomial": (
        lambda: CalibratedClassifier(LogisticRegression(C=0.1), "isotonic", random_state=2),
        "3-class",
        True,
    ),
}


def _fit(case, asarray):
    """The case's estimator fitted on data moved by ``asarray`` (a row's, or NumPy's), and X."""
    make, target, weighted = CASES[case]
    X, targets = _data()
    X = asarray(X)
    args = [] if target is None else [asarray(targets[target])]
    weight = asarray(targets["weights"]) if weighted else None
    return make().fit(X, *args, sample_weight=weight), X


def _outputs(model, X):
    return {name: getattr(model, name)(X) for name in OUTPUTS if hasattr(model, name)}


def _round_trip(model, folder, **where):
    path = os.path.join(folder, "model.safetensors")
    model.save(path)
    return load(path, **where)


def _is_array(x):
    return array_api_compat.is_array_api_obj(x) and not isinstance(x, (int, float))


def _arrays(value, where="model"):
    """Every array in a fitted state, by dotted path."""
    if isinstance(value, BaseEstimator):
        for name, item in vars(value).items():
            yield from _arrays(item, f"{where}.{name}")
    elif isinstance(value, (tuple, list)):
        for i, item in enumerate(value):
            yield from _arrays(item, f"{where}.{i}")
    elif _is_array(value):
        yield where, value


def _assert_same(actual, expected, where="model"):
    """Equal type, structure and values; arrays in the same library, device and dtype, bitwise."""
    assert type(actual) is type(expected), where
    if isinstance(expected, BaseEstimator):
        assert vars(actual).keys() == vars(expected).keys(), where
        for name, item in vars(expected).items():
            _assert_same(vars(actual)[name], item, f"{where}.{name}")
    elif _is_array(expected):
        assert array_api_compat.array_namespace(actual) is array_api_compat.array_namespace(
            expected
        ), where
        assert array_api_compat.device(actual) == array_api_compat.device(expected), where
        assert actual.dtype == expected.dtype and actual.shape == expected.shape, where
        np.testing.assert_array_equal(to_numpy(actual), to_numpy(expected), err_msg=where)
    elif isinstance(expected, (tuple, list)):
        assert len(actual) == len(expected), where
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            _assert_same(a, e, f"{where}.{i}")
    elif isinstance(expected, dict):
        assert list(actual) == list(expected), where
        for key, item in expected.items():
            _assert_same(actual[key], item, f"{where}[{key!r}]")
    elif isinstance(expected, float) and math.isnan(expected):
        assert math.isnan(actual), where
    else:
        assert actual == expected, where
        if isinstance(expected, float):
            assert math.copysign(1.0, actual) == math.copysign(1.0, expected), where


# Round trips.


@pytest.mark.parametrize("case", CASES)
def test_round_trip_on_the_same_backend_is_exact(backend, case, tmp_path):
    model, X = _fit(case, backend.asarray)
    loaded = _round_trip(model, tmp_path, like=X)
    _assert_same(loaded, model)
    for name, output in _outputs(model, X).items():
        assert_on_backend(loaded_output := getattr(loaded, name)(X), backend, dtype=output.dtype)
        np.testing.assert_array_equal(to_numpy(loaded_output), to_numpy(output), err_msg=name)
    if hasattr(model, "score"):
        _, targets = _data()
        y = backend.asarray(targets[CASES[case][1]])
        assert loaded.score(X, y) == model.score(X, y)


@pytest.mark.parametrize("case", CASES)
def test_model_from_every_backend_loads_into_numpy(backend, case, tmp_path):
    """A model trained anywhere (CUDA included, where present) loads on the host."""
    model, X = _fit(case, backend.asarray)
    loaded = _round_trip(model, tmp_path)
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
    model, X = _fit(case, np.asarray)
    like = backend.asarray(np.zeros(1))
    loaded = _round_trip(model, tmp_path, like=like)
    name = _device_name(backend)
    if name is not None:
        _assert_same(load(os.path.join(tmp_path, "model.safetensors"), device=name), loaded)
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
    X, targets = _data()
    for labels in (
        np.array(["no", "yes"])[targets["binary"]],
        np.array(["ant", "bee", "cat"], dtype=object)[targets["multinomial"]],
    ):
        model = LogisticRegression().fit(X, labels)
        loaded = _round_trip(model, tmp_path)
        _assert_same(loaded, model)
        np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
        assert loaded.score(X, labels) == model.score(X, labels)
        with pytest.raises(ValueError, match=r"classes_ holds strings .* only NumPy arrays"):
            load(os.path.join(tmp_path, "model.safetensors"), device="torch:cpu")


def test_model_streamed_to_another_library_keeps_its_host_copies(tmp_path):
    """``device=`` fits keep NumPy copies for NumPy inputs; a load keeps them NumPy."""
    torch = pytest.importorskip("torch")
    X, targets = _data()
    model = LogisticRegression(
        solver="adam", device="torch:cpu", random_state=0, max_iter=20, tol=1e-3
    ).fit(X, targets["multinomial"])
    path = os.path.join(tmp_path, "model.safetensors")
    model.save(path)
    on_torch = load(path, device="torch:cpu")
    _assert_same(on_torch, model)
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
    X, targets = _data()
    y = targets["multinomial"]
    model = LogisticRegression(warm_start=True, max_iter=3, solver="lbfgs")
    with pytest.warns(xlogreg.ConvergenceWarning):
        model.fit(X, y)
    loaded = _round_trip(model, tmp_path)
    loaded.set_params(max_iter=100)
    model.set_params(max_iter=100)
    _assert_same(loaded.fit(X, y), model.fit(X, y))
    # Both started from the saved solution, not from zero.
    assert model.loss_history_[0] < LogisticRegression(solver="lbfgs").fit(X, y).loss_history_[0]


def test_unfitted_estimator_saves_its_parameters_and_loads_unfitted(tmp_path):
    model = LogisticRegression(C=0.1, solver="newton", class_weight="balanced")
    loaded = _round_trip(model, tmp_path)
    _assert_same(loaded, model)
    with pytest.raises(NotFittedError):
        loaded.predict(np.zeros((1, 3)))
    X, targets = _data()
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
            _assert_same(_round_trip(model, folder), model)


class Profile(NamedTuple):
    """Stands for a NamedTuple that a new feature adds to a fitted state."""

    mean: object
    count: int


class Wrapper(BaseEstimator):
    """Stands for an estimator that wraps another (a calibrated classifier, say)."""

    def __init__(self, estimator=None, *, method="sigmoid"):
        self.estimator = estimator
        self.method = method


@pytest.fixture
def registered(monkeypatch):
    monkeypatch.setitem(_registry.NAMED_TUPLES, "Profile", Profile)
    monkeypatch.setitem(_registry.ESTIMATORS, "Wrapper", Wrapper)


def test_any_attribute_of_supported_types_survives(backend, registered, tmp_path):
    """New fitted state needs no change to the file format, whatever its type."""
    model, X = _fit("logistic-binary", backend.asarray)
    model.feature_names_in_ = ("age", "height", "weight")
    model.profile_ = Profile(mean=backend.asarray([1.5, -0.0, 2.0]), count=60)
    model.flags_ = [True, None, -(2**63), 2**80, "text", [], ()]
    model.floats_ = (0.1, -0.0, math.inf, -math.inf, math.nan, 1e-308, 5e-324)
    model.table_ = {3: "int key", "x": [1.0, math.nan], None: {"nested": (1, 2)}, 2.5: False}
    model.scalar_ = backend.asarray(np.float32(1.25), dtype=backend.xp.float32)  # 0-d float32
    model.counts_ = backend.asarray(np.arange(6, dtype=np.int32).reshape(2, 3))
    model.mask_ = backend.asarray(np.array([[True], [False]]))
    model.empty_ = backend.asarray(np.zeros((0, 3)))
    model._private = {"host": np.array([["a", "bc"]]), "objects": np.array([1, "x", None, 2.5])}
    loaded = _round_trip(model, tmp_path, like=X)
    _assert_same(loaded, model)
    assert loaded.scalar_.shape == () and loaded.scalar_.dtype == backend.xp.float32


def test_nested_estimators_survive_as_parameters_and_as_state(registered, tmp_path):
    X, targets = _data()
    inner = LogisticRegression(C=0.3, standardize=True)
    wrapper = Wrapper(inner, method="isotonic")
    wrapper.estimator_ = LogisticRegression(C=0.3, standardize=True).fit(X, targets["binary"])
    wrapper.thresholds_ = np.linspace(0.0, 1.0, 5)
    loaded = _round_trip(wrapper, tmp_path)
    _assert_same(loaded, wrapper)
    assert loaded.estimator is not loaded.estimator_
    np.testing.assert_array_equal(
        loaded.estimator_.predict_proba(X), wrapper.estimator_.predict_proba(X)
    )


class Unregistered(NamedTuple):
    value: int


class MyLogisticRegression(LogisticRegression):
    pass


def _object_array(*items):
    array = np.empty(len(items), dtype=object)
    array[:] = items
    return array


UNSUPPORTED = [
    ("generator_", np.random.default_rng(0), "'generator_', a numpy.random.*Generator"),
    ("ids_", {1, 2}, "'ids_', a builtins.set: it has no portable form"),
    ("profile_", Unregistered(1), "'profile_', .*register its NamedTuple"),
    ("nested_", [1, {"a": (2, object())}], r"'nested_\.1\.0\.1', a builtins.object"),
    ("keys_", {(1, 2): 3}, r"'keys_\[\(1, 2\)\]', a builtins.tuple: dict keys"),
    ("complex_", np.array([1j]), "arrays of dtype complex128 cannot be saved"),
    ("objects_", _object_array("a", np.zeros(2)), "an object array may hold scalars only"),
    ("scaler_", MyLogisticRegression(), "'scaler_', a .*MyLogisticRegression: only the"),
]


@pytest.mark.parametrize(
    ("attribute", "value", "message"), [pytest.param(*row, id=row[0]) for row in UNSUPPORTED]
)
def test_unsupported_values_raise_at_save_naming_them(attribute, value, message, tmp_path):
    model = LogisticRegression()
    setattr(model, attribute, value)
    with pytest.raises(TypeError, match=message):
        model.save(os.path.join(tmp_path, "model.safetensors"))
    assert os.listdir(tmp_path) == []


def test_unsupported_parameter_raises_naming_it(tmp_path):
    model = LogisticRegression(random_state=np.random.default_rng(0))
    with pytest.raises(TypeError, match=r"cannot save 'random_state', a numpy\.random"):
        model.save(os.path.join(tmp_path, "model.safetensors"))


# The documented format.


def test_file_is_readable_from_its_documentation_alone(tmp_path):
    X, targets = _data()
    model = LogisticRegression(standardize=True, C=math.inf).fit(X, targets["multinomial"])
    path = os.path.join(tmp_path, "model.safetensors")
    model.save(path)
    with open(path, "rb") as file:
        data = file.read()
    header, start = read_header(data)
    document = json.loads(header.pop("__metadata__")["xlogreg"])
    assert list(document) == [
        "format",
        "format_version",
        "library_version",
        "estimator",
        "params",
        "state",
        "arrays",
    ]
    assert document["format"] == "xlogreg-model" and document["format_version"] == 1
    assert document["library_version"] == xlogreg.__version__
    assert document["estimator"] == "LogisticRegression"
    assert document["params"]["C"] == {"float": "inf"}
    assert document["params"]["class_weight"] is None
    assert document["state"]["n_features_in_"] == 3
    assert document["state"]["coef_"] == {"array": "coef_"}
    assert document["state"]["scaler_"]["estimator"]["estimator"] == "StandardScaler"
    assert document["state"]["loss_history_"]["tuple"] == list(model.loss_history_)
    assert sorted(document["arrays"]) == sorted(header)
    codes = {"float64": ("F64", "<f8"), "int64": ("I64", "<i8")}
    for name, entry in document["arrays"].items():
        assert entry["host"] is False
        code, dtype = codes[entry["dtype"]]
        assert header[name]["dtype"] == code and header[name]["shape"] == entry["shape"]
        begin, end = header[name]["data_offsets"]
        array = np.frombuffer(data[start + begin : start + end], dtype=dtype)
        expected = functools.reduce(getattr, name.split("."), model)  # "scaler_.mean_"
        np.testing.assert_array_equal(array.reshape(entry["shape"]), expected)
    assert len(data) == start + max(entry["data_offsets"][1] for entry in header.values())


def test_same_model_gives_the_same_bytes(tmp_path):
    X, targets = _data()
    model = LogisticRegression().fit(X, targets["binary"])
    paths = [os.path.join(tmp_path, name) for name in ("a", "b")]
    for path in paths:
        model.save(path)
    with open(paths[0], "rb") as a, open(paths[1], "rb") as b:
        assert a.read() == b.read()


def test_strided_arrays_are_written_in_logical_order(tmp_path):
    """safetensors reads raw memory: a sliced view must be made contiguous first."""
    model = StandardScaler().fit(np.arange(12.0).reshape(4, 3))
    model.mean_ = np.arange(12.0).reshape(3, 4)[:, 1]
    model.scale_ = np.arange(1.0, 7.0)[::2]
    _assert_same(_round_trip(model, tmp_path), model)


# Corrupt, foreign and malicious files.


@pytest.fixture
def saved(tmp_path):
    """A fitted model's file, its bytes and its path."""
    X, targets = _data()
    path = os.path.join(tmp_path, "model.safetensors")
    LogisticRegression(standardize=True).fit(X, targets["binary"]).save(path)
    with open(path, "rb") as file:
        return file.read(), path


def _write(path, data):
    with open(path, "wb") as file:
        file.write(data)


def _assert_refused(path, data, message):
    _write(path, data)
    with pytest.raises(ModelFileError, match=message) as error:
        load(path)
    assert path in str(error.value)


class Payload:
    """Unpickling this makes a folder: proof that code ran."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.mkdir, (self.marker,)


def test_pickles_are_refused_and_never_run(saved, tmp_path):
    data, path = saved
    marker = os.path.join(tmp_path, "pwned")
    payload = pickle.dumps(Payload(marker))
    _assert_refused(path, payload, "not an xlogreg model file: a pickle, which xlogreg never loads")
    _assert_refused(path, data + payload, rf"{len(payload)} unexpected bytes after the")
    assert not os.path.exists(marker)


def test_foreign_files_are_refused(saved, tmp_path):
    _, path = saved
    npz = os.path.join(tmp_path, "arrays.npz")
    np.savez(npz, coef_=np.zeros(3))
    with open(npz, "rb") as file:
        _assert_refused(path, file.read(), "not an xlogreg model file: a zip archive")
    _assert_refused(path, b"", r"not an xlogreg model file: not in the safetensors format \(0")
    _assert_refused(path, b"coef_,intercept_\n1.0,2.0\n", "not in the safetensors format")
    _assert_refused(path, b"\x10\x00\x00\x00\x00\x00\x00\x00{not json}      ", "no JSON header")
    foreign = safetensors.numpy.save({"coef_": np.zeros(3)}, metadata={"framework": "x"})
    _assert_refused(path, foreign, "a safetensors file, but not an xlogreg model")


def test_truncated_files_are_refused(saved):
    data, path = saved
    header_end = read_header(data)[1]
    for size in (5, 8, 20, header_end - 1, header_end, len(data) - 1):
        message = "not an xlogreg model file" if size < 9 else "truncated"
        _assert_refused(path, data[:size], message)


def _set(*keys, value):
    def edit(header, document):
        target = document if keys[0] != "header" else header
        for key in keys[int(keys[0] == "header") : -1]:
            target = target[key]
        target[keys[-1]] = value

    return edit


def _drop_state(name):
    def edit(header, document):
        del document["state"][name]

    return edit


BAD_METADATA = {
    "format": (_set("format", value="other-model"), "format 'other-model', expected"),
    "newer-version": (
        _set("format_version", value=2),
        r"format version 2 \(written by xlogreg '0.1.0'\) is newer .* upgrade xlogreg",
    ),
    "version-as-text": (_set("format_version", value="1"), "invalid format_version '1'"),
    "version-zero": (_set("format_version", value=0), "invalid format_version 0"),
    "extra-key": (_set("comment", value="hi"), "malformed metadata: keys"),
    "unknown-estimator": (
        _set("estimator", value="os.system"),
        r"unknown estimator class 'os.system' at the top; this xlogreg loads \['Calibrated",
    ),
    "unknown-nested-estimator": (
        _set("state", "scaler_", "estimator", "estimator", value="Pipeline"),
        "unknown estimator class 'Pipeline' at scaler_",
    ),
    "unknown-parameter": (
        _set("params", "penalty", value="l1"),
        r"LogisticRegression has no parameters \['penalty'\]",
    ),
    "method-name-as-state": (_set("state", "predict", value=1), "invalid attribute name 'predict'"),
    "dunder-state": (_set("state", "__class__", value=1), "invalid attribute name '__class__'"),
    "parameter-as-state": (_set("state", "C", value=1), "invalid attribute name 'C'"),
    "unknown-tag": (_set("state", "n_iter_", value={"code": "x"}), "malformed metadata at n_iter_"),
    "bad-float": (_set("params", "C", value={"float": "1e400"}), "malformed metadata at C"),
    "unknown-namedtuple": (
        _set("state", "profile_", value={"namedtuple": {"type": "Popen", "fields": {}}}),
        "unknown NamedTuple type 'Popen' at profile_",
    ),
    "index-lies-about-shape": (
        _set("arrays", "coef_", "shape", value=[3, 1]),
        r"metadata says array 'coef_' is float64 of shape \[3, 1\], but the file holds "
        r"float64 of shape \[1, 3\]",
    ),
    "index-lies-about-dtype": (
        _set("arrays", "coef_", "dtype", value="float32"),
        "metadata says array 'coef_' is float32",
    ),
    "index-misses-an-array": (
        lambda header, document: document["arrays"].pop("intercept_"),
        r"the metadata lists arrays \[.*\], but the file holds",
    ),
    "array-used-twice": (
        _set("state", "intercept_", value={"array": "coef_"}),
        "intercept_ refers to array 'coef_', missing or already used",
    ),
    "array-unused": (_drop_state("coef_"), r"holds arrays \['coef_'\] that no attribute uses"),
    "header-lies-about-shape": (
        _set("header", "coef_", "shape", value=[2, 3]),
        r"tensor 'coef_' of dtype F64 and shape \[2, 3\] takes 48 bytes, but its data_offsets "
        "span 24",
    ),
    "header-shape-consistent-but-different": (
        _set("header", "coef_", "shape", value=[3, 1]),
        r"metadata says array 'coef_' is float64 of shape \[1, 3\]",
    ),
    "header-offsets": (
        _set("header", "coef_", "data_offsets", value=[0, True]),
        "corrupt safetensors header: tensor 'coef_' has no valid data_offsets",
    ),
    "text-array-shape": (
        _set(
            "state",
            "classes_",
            value={"text_array": {"dtype": "<U1", "shape": [3], "values": ["a"], "host": False}},
        ),
        "malformed metadata at classes_",
    ),
    "text-array-dtype": (
        _set(
            "state",
            "classes_",
            value={"text_array": {"dtype": "V8", "shape": [1], "values": ["a"], "host": False}},
        ),
        "malformed metadata at classes_",
    ),
}


@pytest.mark.parametrize("case", BAD_METADATA)
def test_metadata_that_lies_or_is_malformed_is_refused(saved, case):
    data, path = saved
    edit, message = BAD_METADATA[case]
    _assert_refused(path, rewritten(data, edit), message)


def test_metadata_must_be_strict_json(saved):
    data, path = saved
    header, start = read_header(data)
    for text in ('{"format": NaN}', "{'format': 1}", "[1, 2"):
        header["__metadata__"]["xlogreg"] = text
        encoded = json.dumps(header).encode()
        bad = struct.pack("<Q", len(encoded)) + encoded + data[start:]
        _assert_refused(path, bad, "the xlogreg metadata is not valid JSON")


def test_deeply_nested_metadata_is_refused(saved):
    data, path = saved
    header, start = read_header(data)
    document = header["__metadata__"]["xlogreg"]
    for depth, message in (
        (500, "nested too deeply"),
        (3000, "not valid JSON"),  # too deep for the parser
        (10**6, r"its header opens 10000\d\d JSON lists and objects, more than the"),
    ):
        nested = document.replace('"C":1.0', '"C":' + "[" * depth + "]" * depth)
        assert nested != document
        header["__metadata__"]["xlogreg"] = nested
        encoded = json.dumps(header).encode()
        bad = struct.pack("<Q", len(encoded)) + encoded + data[start:]
        _assert_refused(path, bad, message)


def test_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        load(os.path.join(tmp_path, "nothing.safetensors"))


def test_model_file_error_is_a_value_error():
    assert issubclass(ModelFileError, ValueError)
    assert {"ModelFileError", "load"} <= set(xlogreg.__all__)


# Atomic writes.


def _fail(error):
    def fail(*args, **kwargs):
        raise error

    return fail


@pytest.mark.parametrize(
    ("step", "error"),
    [("fsync", OSError("disk full")), ("replace", KeyboardInterrupt())],
    ids=["write-fails", "interrupted-before-rename"],
)
def test_failed_save_leaves_the_previous_file_intact(saved, monkeypatch, step, error):
    data, path = saved
    X, targets = _data()
    newer = LogisticRegression(C=0.01).fit(X, targets["multinomial"])
    monkeypatch.setattr(os, step, _fail(error))
    with pytest.raises(type(error)):
        newer.save(path)
    monkeypatch.undo()
    with open(path, "rb") as file:
        assert file.read() == data
    assert os.listdir(os.path.dirname(path)) == ["model.safetensors"]
    newer.save(path)
    _assert_same(load(path), newer)


def test_serialization_error_never_touches_the_disk(saved):
    data, path = saved
    model = LogisticRegression()
    model.bad_ = {1, 2}
    with pytest.raises(TypeError):
        model.save(path)
    with open(path, "rb") as file:
        assert file.read() == data
    assert os.listdir(os.path.dirname(path)) == ["model.safetensors"]


def test_save_into_a_missing_folder_raises(tmp_path):
    with pytest.raises(FileNotFoundError):
        LogisticRegression().save(os.path.join(tmp_path, "missing", "model.safetensors"))
    assert os.listdir(tmp_path) == []


@pytest.mark.skipif(os.name == "nt", reason="POSIX permission bits")
def test_replacing_a_file_keeps_its_permissions(tmp_path):
    path = os.path.join(tmp_path, "model.safetensors")
    for mode in (0o600, 0o640, 0o444):
        LogisticRegression().save(path)
        os.chmod(path, mode)
        LogisticRegression(C=2.0).save(path)
        assert stat.S_IMODE(os.stat(path).st_mode) == mode
        assert load(path).C == 2.0
        os.remove(path)
    umask = os.umask(0o027)
    try:
        LogisticRegression().save(path)
    finally:
        os.umask(umask)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640


# A save that announces itself once its temporary file is written and flushed, then
# waits for a line on its standard input (or a SIGKILL) before renaming it.
_PAUSED_SAVE = """
import os, sys
import numpy as np
from xlogreg import StandardScaler

path, offset = sys.argv[1], float(sys.argv[2])
model = StandardScaler().fit(np.arange(12.0).reshape(4, 3) + offset)
flush = os.fsync

def fsync(descriptor):
    flush(descriptor)
    print("written", flush=True)
    sys.stdin.readline()

os.fsync = fsync
model.save(path)
print("saved", flush=True)
"""


def _paused_save(path, offset):
    """A process saving a scaler fitted on ``arange(12) + offset`` to ``path``, paused
    between writing its temporary file and renaming it."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(xlogreg.__file__)))
    env = {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")}
    writer = subprocess.Popen(
        [sys.executable, "-c", _PAUSED_SAVE, path, str(offset)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert writer.stdout.readline() == "written\n"
    return writer


def _temporaries(folder):
    return sorted(name for name in os.listdir(folder) if name.endswith(".tmp"))


def _scaler_mean(path):
    return load(path).mean_.tolist()


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL")
def test_killed_save_leaves_a_temporary_that_the_next_save_removes(tmp_path):
    path = os.path.join(tmp_path, "model.safetensors")
    StandardScaler().fit(np.arange(12.0).reshape(4, 3)).save(path)
    left = []
    for offset in (10.0, 20.0):
        writer = _paused_save(path, offset)
        writer.kill()  # SIGKILL: no handler, no cleanup
        writer.wait()
        # Each save removed the one that the previous killed save left.
        left.append(_temporaries(tmp_path))
        assert len(left[-1]) == 1
        assert _scaler_mean(path) == [4.5, 5.5, 6.5]  # the target is intact
    assert left[0] != left[1]
    StandardScaler().fit(np.arange(12.0).reshape(4, 3) + 1.0).save(path)
    assert _temporaries(tmp_path) == []
    assert _scaler_mean(path) == [5.5, 6.5, 7.5]


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL")
def test_a_live_writers_temporary_is_never_removed(tmp_path):
    path = os.path.join(tmp_path, "model.safetensors")
    writer = _paused_save(path, 10.0)
    try:
        (temporary,) = _temporaries(tmp_path)
        StandardScaler().fit(np.arange(12.0).reshape(4, 3)).save(path)
        assert _temporaries(tmp_path) == [temporary]
        assert _scaler_mean(path) == [4.5, 5.5, 6.5]
    finally:
        remaining, _ = writer.communicate("go\n", timeout=120)
    assert (writer.returncode, remaining) == (0, "saved\n")
    assert _temporaries(tmp_path) == []
    assert _scaler_mean(path) == [14.5, 15.5, 16.5]  # the last rename wins


# Saves a large scaler to a path over and over, until killed.
_SAVE_FOREVER = """
import sys
import numpy as np
from xlogreg import StandardScaler

model = StandardScaler().fit(np.arange(2_000_000.0).reshape(2, -1))
print("fitted", flush=True)
while True:
    model.save(sys.argv[1])
"""


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL")
def test_saves_killed_at_random_moments_never_leave_an_unloadable_target(tmp_path):
    path = os.path.join(tmp_path, "model.safetensors")
    StandardScaler().fit(np.zeros((2, 3))).save(path)
    root = os.path.dirname(os.path.dirname(os.path.abspath(xlogreg.__file__)))
    env = {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")}
    rng = np.random.default_rng(17)
    for _ in range(6):
        writer = subprocess.Popen(
            [sys.executable, "-c", _SAVE_FOREVER, path], stdout=subprocess.PIPE, text=True, env=env
        )
        stale = set(_temporaries(tmp_path))
        assert writer.stdout.readline() == "fitted\n"
        while not set(_temporaries(tmp_path)) - stale:  # a save is writing: kill it soon
            assert writer.poll() is None, "the saving process ended on its own"
            time.sleep(0.001)
        time.sleep(rng.uniform(0.0, 0.02))
        writer.kill()
        writer.wait()
        writer.stdout.close()
        assert load(path).n_features_in_ in (3, 1_000_000)
    StandardScaler().fit(np.zeros((2, 3))).save(path)
    assert _temporaries(tmp_path) == []
    assert load(path).n_features_in_ == 3


# Arguments.


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
    model, _ = _fit("logistic-inference", np.asarray)
    loaded = _round_trip(model, tmp_path)
    assert str(loaded.summary(alpha=0.1)) == str(model.summary(alpha=0.1))
    np.testing.assert_array_equal(loaded.coef_stderr_, model.coef_stderr_)


def test_feature_names_threshold_and_profile_survive(tmp_path):
    """The artifact carries what serving needs: names, the operating threshold, the profile."""
    X, targets = _data()
    model = LogisticRegression(threshold=0.7).fit(
        X, targets["binary"], feature_names=["area", "perimeter", "extent"]
    )
    loaded = _round_trip(model, tmp_path)
    assert loaded.feature_names_in_ == ("area", "perimeter", "extent")
    assert loaded.threshold == 0.7
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    for actual, expected in zip(loaded.training_profile_, model.training_profile_, strict=True):
        np.testing.assert_array_equal(actual, expected)
    shifted = X + X.std(axis=0)
    np.testing.assert_array_equal(loaded.drift(shifted).z_shift, model.drift(shifted).z_shift)
