"""io/_file.py: what load reads before trusting a file: pickles, foreign and truncated files,
metadata that lies or is not strict JSON, nesting, and the format documented well enough to
read a file without xlogreg."""

import functools
import json
import math
import os
import pickle
import struct

import numpy as np
import pytest
import safetensors.numpy

import xlogreg
from tests.io.files import model_data
from tests.model_files import read_header, rewritten
from xlogreg import (
    LogisticRegression,
    ModelFileError,
    load,
)


def test_file_is_readable_from_its_documentation_alone(tmp_path):
    X, targets = model_data()
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
