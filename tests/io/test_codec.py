"""io/_codec.py: a fitted state to JSON and tensors and back: every supported attribute type,
nested estimators, strided arrays, the same bytes for the same model, and unsupported values
named at save."""

import math
import os
from typing import NamedTuple

import numpy as np
import pytest

from tests.io.files import assert_same, fit, model_data, round_trip
from xlogreg import (
    LogisticRegression,
    StandardScaler,
)
from xlogreg.base import BaseEstimator
from xlogreg.io import _registry


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
    model, X = fit("logistic-binary", backend.asarray)
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
    loaded = round_trip(model, tmp_path, like=X)
    assert_same(loaded, model)
    assert loaded.scalar_.shape == () and loaded.scalar_.dtype == backend.xp.float32


def test_nested_estimators_survive_as_parameters_and_as_state(registered, tmp_path):
    X, targets = model_data()
    inner = LogisticRegression(C=0.3, standardize=True)
    wrapper = Wrapper(inner, method="isotonic")
    wrapper.estimator_ = LogisticRegression(C=0.3, standardize=True).fit(X, targets["binary"])
    wrapper.thresholds_ = np.linspace(0.0, 1.0, 5)
    loaded = round_trip(wrapper, tmp_path)
    assert_same(loaded, wrapper)
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


def test_same_model_gives_the_same_bytes(tmp_path):
    X, targets = model_data()
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
    assert_same(round_trip(model, tmp_path), model)
