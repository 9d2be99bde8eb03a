"""Fuzzing ``load``: mutated bytes, headers, tensor entries, metadata and fitted state.

Whatever the file, ``load`` returns an estimator or raises ``ModelFileError``
(nothing else escapes), its memory stays under the README's bound (24 times
the file's size plus 16 MiB, measured with tracemalloc), and an estimator
that it returns saves again and predicts: what ``load`` accepts is a model
that ``fit`` could have written.

Bounded: a few hundred examples, derandomized (``--hypothesis-profile=explore``
draws fresh ones), under 20 s on two cores.
"""

import functools
import json
import os
import struct
import tempfile
import unittest.mock

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.model_files import MEMORY_EXTRA, MEMORY_PER_BYTE, peak_memory, read_header, with_header
from xlogreg import (
    CalibratedClassifier,
    LinearRegression,
    LogisticRegression,
    ModelFileError,
    StandardScaler,
    load,
)
from xlogreg.base import BaseEstimator


@functools.cache
def _files():
    """The files of a few fitted models (name -> bytes), each kind of state xlogreg writes."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 3))
    y = (X[:, 0] + rng.standard_normal(60) > 0).astype(np.int64)
    y3 = np.digitize(X[:, 0], [-0.5, 0.5])
    models = {
        "binary": LogisticRegression(standardize=True, inference=True, threshold=0.4).fit(X, y),
        "strings": LogisticRegression().fit(X, np.array(["ant", "bee", "cat"])[y3]),
        "linear": LinearRegression(inference=True).fit(X, X[:, :2] + rng.standard_normal((60, 2))),
        "scaler": StandardScaler().fit(X),
        "isotonic": CalibratedClassifier(method="isotonic", random_state=0).fit(X, y),
    }
    return {name: _bytes(model) for name, model in models.items()}


TAGS = ["array", "float", "tuple", "dict", "text_array", "namedtuple", "estimator"]
KEYS = [*TAGS, "dtype", "shape", "values", "host", "type", "fields", "params", "state"]
SPECIAL = st.sampled_from(
    [
        "F64",
        "BF16",
        "F8_E4M3",
        "I64",
        "<U100000000",
        "<U1000000000",
        "<U3",
        "|O",
        "nan",
        "inf",
        "coef_",
        "classes_",
        "LogisticRegression",
        "StandardScaler",
        "TrainingProfile",
        2**63,
        10**18,
        -1,
        [0, 10**18],
        [1] * 65,
        [2**40, 2**40],
    ]
)
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=6)
    | SPECIAL,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=4), children, max_size=4)
    ),
    max_leaves=12,
)


def _paths(value, path=()):
    """Every place in a JSON tree, as a path of keys and indices."""
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _paths(item, (*path, i))


def _replaced(tree, path, value):
    if not path:
        return value
    *parents, last = path
    target = tree
    for key in parents:
        target = target[key]
    target[last] = value
    return tree


@st.composite
def _document_edit(draw, data):
    """The file with one node of its metadata document (its state, parameters, index,
    text arrays...) replaced by a JSON value, or a key added."""
    header, _ = read_header(data)
    document = json.loads(header["__metadata__"]["xlogreg"])
    path = draw(st.sampled_from(list(_paths(document))))
    value = draw(JSON)
    if path and draw(st.booleans()) and isinstance(_get(document, path[:-1]), dict):
        path = (*path[:-1], draw(st.sampled_from(KEYS) | st.text(min_size=1, max_size=6)))
    document = _replaced(document, path, value)
    header["__metadata__"]["xlogreg"] = json.dumps(document)
    return with_header(header, data)


def _get(tree, path):
    for key in path:
        tree = tree[key]
    return tree


@st.composite
def _tensor_edit(draw, data):
    """The file with one tensor's dtype, shape or offsets in the safetensors header changed."""
    header, _ = read_header(data)
    name = draw(st.sampled_from(sorted(key for key in header if key != "__metadata__")))
    key = draw(st.sampled_from(["dtype", "shape", "data_offsets"]))
    header[name][key] = draw(JSON)
    return with_header(header, data)


@st.composite
def _byte_edit(draw, data):
    """The file with bytes overwritten, cut or appended, or its header length changed."""
    kind = draw(st.sampled_from(["overwrite", "truncate", "append", "length"]))
    if kind == "overwrite":
        at = draw(st.integers(0, len(data) - 1))
        return data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at + 8 :]
    if kind == "truncate":
        return data[: draw(st.integers(0, len(data) - 1))]
    if kind == "append":
        return data + draw(st.binary(min_size=1, max_size=16))
    length = draw(st.sampled_from([0, 1, 7, len(data), 2**31, 2**63, 2**64 - 1]))
    return struct.pack("<Q", length) + data[8:]


@st.composite
def _value_edit(draw, data):
    """The file with one float of its tensor data set to a special value (NaN, infinity,
    zero, a huge or negative number): the state checks must see it."""
    _, start = read_header(data)
    count = (len(data) - start) // 8
    at = start + 8 * draw(st.integers(0, count - 1))
    value = draw(st.sampled_from([np.nan, np.inf, -np.inf, 0.0, -1.0, 1e308, 2.0**-1074]))
    return data[:at] + struct.pack("<d", value) + data[at + 8 :]


def _array(dtype, shape, fill):
    # NaN or infinity cast to an integer dtype is the point of some draws: no warning.
    with np.errstate(invalid="ignore"):
        return np.full(shape, fill).astype(dtype)


ARRAYS = st.builds(
    _array,
    dtype=st.sampled_from(["float64", "float32", "float16", "int64", "uint8", "bool"]),
    shape=st.lists(st.integers(0, 4), max_size=3).map(tuple),
    fill=st.sampled_from([0.0, 1.0, -1.0, 0.5, 3.0, np.nan, np.inf]),
)
VALUES = (
    ARRAYS
    | st.none()
    | st.booleans()
    | st.integers(-3, 5)
    | st.floats()
    | st.text(max_size=3)
    | st.tuples(st.text(max_size=2), st.text(max_size=2))
    | st.lists(st.integers(0, 3), max_size=3)
)


def _places(value, found):
    """The estimators and NamedTuples in a model, whose fields a mutation may change."""
    if isinstance(value, BaseEstimator):
        found.append(value)
        for item in vars(value).values():
            _places(item, found)
    return found


@st.composite
def _state_edit(draw, data):
    """The file of the model with one attribute or parameter (of it, of an estimator or
    a NamedTuple inside it) set to another value, written without the checks of save:
    an array of another shape, dtype or value, a number, a string, None..."""
    model = _loaded(data)
    target = draw(st.sampled_from(_places(model, [])))
    name = draw(st.sampled_from(sorted(vars(target))))
    value = draw(VALUES)
    current = getattr(target, name)
    if isinstance(current, tuple) and hasattr(type(current), "_fields") and draw(st.booleans()):
        field = draw(st.sampled_from(current._fields))
        value = current._replace(**{field: value})
    setattr(target, name, value)
    with unittest.mock.patch.object(BaseEstimator, "_check_state", lambda self: None):
        return _bytes(model)


def _loaded(data):
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.safetensors")
        with open(path, "wb") as file:
            file.write(data)
        return load(path)


def _bytes(model):
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.safetensors")
        model.save(path)
        with open(path, "rb") as file:
            return file.read()


EDITS = [_document_edit, _tensor_edit, _byte_edit, _value_edit, _state_edit]


@st.composite
def _mutated(draw):
    name = draw(st.sampled_from(sorted(_files())))
    data = _files()[name]
    return draw(draw(st.sampled_from(EDITS))(data))


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


def _use(model, width):
    """Predict (or transform) two rows with a loaded fitted model."""
    X = np.zeros((2, width))
    with np.errstate(all="ignore"):  # a tiny scale_, say, overflows as it would after fit
        for method in ("predict", "predict_proba", "transform"):
            if hasattr(model, method):
                getattr(model, method)(X)


@settings(
    max_examples=250,
    deadline=5000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=_mutated())
def test_load_raises_only_model_file_errors_within_the_memory_bound(folder, data):
    path = str(folder / "model.safetensors")
    with open(path, "wb") as file:
        file.write(data)
    with peak_memory() as peak:
        try:
            model = load(path)
        except ModelFileError as error:
            assert str(error).startswith(f"{path}: ")
            model = None
    assert peak[0] <= MEMORY_PER_BYTE * len(data) + MEMORY_EXTRA
    if model is None:
        return
    model.save(str(folder / "again.safetensors"))
    width = getattr(model, "n_features_in_", None)
    if width is not None:
        _use(model, width)
