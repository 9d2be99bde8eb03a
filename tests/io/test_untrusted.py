"""Model files from untrusted hands: bounded reads, refused dtypes and shapes, and states
that ``fit`` would never have written.

Every refusal is a ``ModelFileError`` naming the file and the problem. Memory
is measured with tracemalloc (Python's allocations, NumPy arrays included):
``load`` stays under ``MEMORY_PER_BYTE`` times the file's size plus
``MEMORY_EXTRA``, the bound that the README states.
"""

import os
import struct
import subprocess
import sys
import threading

import numpy as np
import pytest

from tests.cli_helpers import invoke
from tests.model_files import MEMORY_EXTRA, MEMORY_PER_BYTE, peak_memory, rewritten, save_unchecked
from xlogreg import (
    CalibratedClassifier,
    LinearRegression,
    LogisticRegression,
    ModelFileError,
    StandardScaler,
    load,
)
from xlogreg.io import HEADER_LIMIT


def _data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 3))
    return X, (X[:, 0] + rng.standard_normal(60) > 0).astype(np.int64)


@pytest.fixture
def saved(tmp_path):
    """A fitted binary model's file: its bytes and its path."""
    X, y = _data()
    path = str(tmp_path / "model.safetensors")
    LogisticRegression(standardize=True).fit(X, y).save(path)
    with open(path, "rb") as file:
        return file.read(), path


def _text_label_model(tmp_path):
    """The path and bytes of a saved model whose classes are strings (a text array)."""
    X, y = _data()
    path = str(tmp_path / "model.safetensors")
    LogisticRegression().fit(X, np.array(["no", "yes"])[y]).save(path)
    with open(path, "rb") as file:
        return path, file.read()


def _write(path, data):
    with open(path, "wb") as file:
        file.write(data)


def _refused(path, message):
    """Load ``path``, expecting a ModelFileError that names it and matches ``message``;
    return the peak memory of the attempt."""
    with peak_memory() as peak, pytest.raises(ModelFileError, match=message) as error:
        load(path)
    assert str(error.value).startswith(f"{path}: ")
    return peak[0]


# Item 2: reads are bounded by the file, and by what its first bytes announce.


def test_fifo_without_writer_is_refused_without_blocking(tmp_path):
    fifo = str(tmp_path / "model.safetensors")
    os.mkfifo(fifo)
    outcome = []

    def attempt():
        try:
            load(fifo)
        except Exception as error:
            outcome.append(error)

    reader = threading.Thread(target=attempt, daemon=True)
    reader.start()
    reader.join(timeout=60)
    blocked = reader.is_alive()
    if blocked:  # release the reader: a writer that closes at once
        os.close(os.open(fifo, os.O_WRONLY))
        reader.join()
    assert not blocked, "load blocked on a FIFO that has no writer"
    assert isinstance(outcome[0], ModelFileError)
    assert str(outcome[0]) == (
        f"{fifo}: not a regular file but a FIFO (named pipe): a model is read from a "
        "regular file only"
    )


def test_directories_are_refused_as_model_files(tmp_path):
    _refused(str(tmp_path), "not a regular file but a directory")


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero here")
def test_endless_device_is_refused_before_reading():
    """Run with a 1 GiB address-space limit: reading /dev/zero would end in MemoryError."""
    code = (
        "import resource, xlogreg\n"
        "resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30))\n"
        "try:\n"
        "    xlogreg.load('/dev/zero')\n"
        "except Exception as error:\n"
        "    print(type(error).__name__, error)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.stdout == (
        "ModelFileError /dev/zero: not a regular file but a character device: a model is "
        "read from a regular file only\n"
    ), done.stderr


def test_large_file_of_zeros_is_refused_from_its_first_bytes(tmp_path):
    path = str(tmp_path / "zeros.safetensors")
    with open(path, "wb") as file:
        file.truncate(2**28)  # sparse: 256 MiB of zeros that take no disk
    peak = _refused(path, rf"not in the safetensors format \({2**28} bytes\)")
    assert peak < 2**20


def test_header_length_is_checked_before_the_header_is_read(tmp_path):
    path = str(tmp_path / "model.safetensors")
    for announced, message in (
        (2**63, rf"truncated: {2**28} bytes, but the header alone announces {8 + 2**63}"),
        (HEADER_LIMIT + 1, f"the header announces {HEADER_LIMIT + 1} bytes, more than the"),
    ):
        with open(path, "wb") as file:
            file.write(struct.pack("<Q", announced) + b"{")
            file.truncate(2**28)
        assert _refused(path, message) < 2**20


def test_declared_text_array_larger_than_the_file_costs_nothing(tmp_path):
    """The issue's 2,776-byte file whose labels declare ``<U100000000`` cost 800 MB."""
    path, data = _text_label_model(tmp_path)

    def declare(dtype):
        def edit(header, document):
            document["state"]["classes_"]["text_array"]["dtype"] = dtype

        return edit

    for dtype, message in (
        ("<U100000000", r"classes_: a text array of 2 items of 100000000 characters would "),
        ("<U1000000000", "a text array of 2 items of 1000000000 characters"),
        ("<U2", "classes_: a text array of 2-character items holds one of 3"),
        ("<U" + "9" * 5000, r"malformed metadata at classes_"),
    ):
        _write(path, rewritten(data, declare(dtype)))
        assert _refused(path, message) < MEMORY_PER_BYTE * len(data) + MEMORY_EXTRA


def test_text_arrays_share_one_allowance(saved, tmp_path):
    """Many text arrays, each within the file's allowance, would exceed it together."""
    data, path = saved
    node = {"dtype": "<U2000", "shape": [8], "values": ["a"] * 8, "host": False}

    def add(header, document):
        for i in range(200):
            document["state"][f"labels{i}_"] = {"text_array": node}

    _write(path, rewritten(data, add))
    size = os.path.getsize(path)
    message = f"labels\\d+_: a text array of 8 items of 2000 characters .* this {size}-byte"
    assert _refused(path, message) < MEMORY_PER_BYTE * size + MEMORY_EXTRA


def test_metadata_made_of_empty_lists_is_refused_before_parsing(saved):
    """``[]`` is 3 bytes of text and 64 of memory: a million of them cost 43 times the file."""
    data, path = saved

    def junk(header, document):
        document["state"]["junk_"] = [[] for _ in range(10**6)]

    _write(path, rewritten(data, junk))
    size = os.path.getsize(path)
    peak = _refused(path, "its header opens 10000\\d\\d JSON lists and objects, more than the")
    assert peak <= 3 * size


@pytest.mark.parametrize(
    "junk",
    [
        [["ab", "cd"] for _ in range(100_000)],  # lists as dense as allowed, of short strings
        ["ab"] * 500_000,
        [0.5 + i for i in range(500_000)],
        {"dict": [[f"k{i}", "ab"] for i in range(100_000)]},
        {"text_array": {"dtype": "|O", "shape": [500_000], "values": [0] * 500_000, "host": False}},
    ],
    ids=["dense-lists", "strings", "floats", "dict", "object-array"],
)
def test_memory_of_load_is_bounded_by_the_file_size(saved, junk):
    """The metadata that costs the most memory per byte of file, accepted: the bound holds."""
    data, path = saved

    def add(header, document):
        document["state"]["junk_"] = junk

    _write(path, rewritten(data, add))
    size = os.path.getsize(path)
    with peak_memory() as peak:
        load(path)
    assert peak[0] <= MEMORY_PER_BYTE * size + MEMORY_EXTRA
    assert peak[0] > 3 * size  # the measure sees the parsed metadata


def test_memory_of_load_with_large_tensors(tmp_path):
    """Tensors cost their bytes a few times: the file's, safetensors' copy, the arrays."""
    path = str(tmp_path / "scaler.safetensors")
    StandardScaler().fit(np.random.default_rng(0).standard_normal((3, 300_000))).save(path)
    size = os.path.getsize(path)
    with peak_memory() as peak:
        load(path)
    assert size < peak[0] <= 5 * size + MEMORY_EXTRA


# Item 3: dtypes and shapes that xlogreg never writes are ModelFileErrors, checked before
# safetensors or NumPy see them.


def _tensor(name, **entry):
    def edit(header, document):
        header[name].update(entry)

    return edit


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            _tensor("coef_", dtype="BF16"),
            r"tensor 'coef_' has dtype 'BF16', which xlogreg never writes \(it writes BOOL, U8",
        ),
        (_tensor("coef_", dtype="F8_E4M3"), "tensor 'coef_' has dtype 'F8_E4M3', which xlogreg"),
        (_tensor("coef_", dtype="F8_E5M2"), "tensor 'coef_' has dtype 'F8_E5M2', which xlogreg"),
        (_tensor("coef_", dtype=7), "tensor 'coef_' has dtype 7, which xlogreg never writes"),
        (
            _tensor("coef_", shape=[1] * 62 + [1, 3, 1]),
            "tensor 'coef_' has 65 dimensions; at most 32 are allowed",
        ),
        (
            _tensor("coef_", shape=[0, 10**18]),
            r"tensor 'coef_' has shape \[0, 1000000000000000000\], with a dimension larger",
        ),
        (_tensor("coef_", shape=[-1, -3]), r"tensor 'coef_' has an invalid shape \[-1, -3\]"),
        (
            _tensor("coef_", shape=[2**40, 2**40]),
            "tensor 'coef_' has shape .* with a dimension larger than the",
        ),
        (
            _tensor("coef_", data_offsets=[8, 32]),
            "tensor 'coef_' starts at byte 8 of the data where 16 was expected",
        ),
        (_tensor("coef_", extra=1), r"corrupt safetensors header: tensor 'coef_' is \{"),
    ],
    ids=[
        "BF16",
        "F8_E4M3",
        "F8_E5M2",
        "dtype-number",
        "65-dimensions",
        "zero-by-10**18",
        "negative",
        "overflowing",
        "gap",
        "extra-key",
    ],
)
def test_tensor_dtypes_and_shapes_xlogreg_never_writes_are_model_file_errors(saved, edit, message):
    data, path = saved
    _write(path, rewritten(data, edit))
    _refused(path, message)


def test_text_array_shapes_are_checked_like_tensor_shapes(tmp_path):
    path, data = _text_label_model(tmp_path)
    for shape, message in (([0, 10**30], "with a dimension larger"), ([1] * 65, "65 dimensions")):

        def edit(header, document, shape=shape):
            document["state"]["classes_"]["text_array"].update(shape=shape, values=[])

        _write(path, rewritten(data, edit))
        _refused(path, f"classes_ has .*{message}")


def test_cli_prints_one_line_naming_the_file(saved):
    data, path = saved
    _write(path, rewritten(data, _tensor("coef_", dtype="BF16")))
    rows = os.path.join(os.path.dirname(path), "rows.csv")
    with open(rows, "w") as file:
        file.write("x0,x1,x2\n1,2,3\n")
    outcome = invoke("predict", path, rows, "--out", os.path.join(os.path.dirname(path), "p.csv"))
    assert outcome.code == 1
    assert outcome.stderr == (
        f"error: {path}: tensor 'coef_' has dtype 'BF16', which xlogreg never writes "
        "(it writes BOOL, U8, I8, U16, I16, F16, U32, I32, F32, U64, I64, F64)\n"
    )


# Item 4: parameters and fitted state are checked as fit would have left them.


def _fitted(kind):
    X, y = _data()
    y3 = np.digitize(X[:, 0], [-0.5, 0.5])
    if kind == "binary":
        return LogisticRegression(standardize=True, inference=True).fit(X, y)
    if kind == "multinomial":
        return LogisticRegression().fit(X, y3)
    if kind == "linear":
        return LinearRegression(standardize=True).fit(X, X @ [1.0, 2.0, 3.0])
    if kind == "scaler":
        return StandardScaler().fit(X)
    method = {"platt": "platt", "isotonic": "isotonic", "temperature": "temperature"}[kind]
    return CalibratedClassifier(method=method, random_state=0).fit(X, y3)


def _set(**attributes):
    def edit(model):
        for name, value in attributes.items():
            target = model
            *path, last = name.split(".")
            for part in path:
                target = getattr(target, part)
            if value is _DELETE:
                delattr(target, last)
            else:
                setattr(target, last, value(getattr(target, last)) if callable(value) else value)

    return edit


_DELETE = object()
_NAN = float("nan")

BAD_STATES = {
    "three-classes-binary": (
        "binary",
        _set(classes_=np.array([0, 1, 2])),
        r"coef_ has shape \(1, 3\), expected \(3, 3\)",
    ),
    "duplicate-classes": (
        "binary",
        _set(classes_=np.array([1, 1])),
        r"classes_ must not repeat a class; repeated: \[1\]",
    ),
    "one-class": ("binary", _set(classes_=np.array([1])), "at least two classes"),
    "nan-classes": ("binary", _set(classes_=np.array([0.0, _NAN])), "classes_ contains NaN"),
    "nan-coef": ("binary", _set(coef_=lambda c: c * _NAN), "coef_ contains NaN or infinity"),
    "inf-intercept": (
        "binary",
        _set(intercept_=lambda b: b + np.inf),
        "intercept_ contains NaN or infinity",
    ),
    "int64-coef": (
        "binary",
        _set(coef_=lambda c: c.view(np.int64)),
        "coef_ must hold real floating numbers, got dtype int64",
    ),
    "float32-intercept": (
        "binary",
        _set(intercept_=lambda b: b.astype(np.float32)),
        "intercept_ has dtype float32, but coef_ float64",
    ),
    "threshold-7": ("binary", _set(threshold=7.0), r"threshold must be <= 1\.0, got 7\.0"),
    "threshold-multinomial": (
        "multinomial",
        _set(threshold=0.5),
        "threshold=0.5 applies to two classes",
    ),
    "solver": ("binary", _set(solver="magic"), "solver must be one of"),
    "negative-C": ("binary", _set(C=-1.0), "C must be > 0.0, got -1.0"),
    "width": (
        "binary",
        _set(n_features_in_=4),
        "feature_names_in_ holds 3 names, but n_features_in_ is 4",
    ),
    "names": (
        "multinomial",
        _set(feature_names_in_=("a", "a", "b")),
        r"feature_names_in_: feature_names must be unique; repeated: \['a'\]",
    ),
    "intercept-shape": (
        "multinomial",
        _set(intercept_=lambda b: b[:2]),
        r"intercept_ has shape \(2,\), expected \(3,\)",
    ),
    "incomplete": ("binary", _set(intercept_=_DELETE), r"incomplete: \['intercept_'\] missing"),
    "profile": (
        "binary",
        _set(training_profile_=lambda p: p._replace(mean=p.mean[:2])),
        r"training_profile_.mean has shape \(2,\), expected \(3,\)",
    ),
    "stderr": (
        "binary",
        _set(_inference=lambda r: r._replace(stderr=r.stderr[:, :2])),
        r"_inference.stderr has shape \(1, 2\), expected \(1, 4\)",
    ),
    "zero-scale": (
        "binary",
        _set(**{"scaler_.scale_": lambda s: s * 0.0}),
        r"scale_ must be > 0\.0 everywhere",
    ),
    "scaler-width": (
        "binary",
        _set(scaler_=StandardScaler().fit(np.ones((2, 2)))),
        "scaler_ is not fitted on the model's 3 features",
    ),
    "linear-nan": ("linear", _set(coef_=lambda c: c * _NAN), "coef_ contains NaN"),
    "linear-3d": (
        "linear",
        _set(coef_=lambda c: c.reshape(1, 1, 3)),
        r"coef_ must have shape \(n_features,\) or \(n_targets, n_features\)",
    ),
    "linear-intercept": (
        "linear",
        _set(intercept_=lambda b: np.reshape(b, (1,))),
        r"intercept_ has shape \(1,\), expected \(\)",
    ),
    "negative-variance": ("scaler", _set(var_=lambda v: -v), r"var_ must be >= 0\.0"),
    "scaler-mean-missing": ("scaler", _set(mean_=None), "mean_ must be an array, got None"),
    "scaler-count": ("scaler", _set(n_samples_seen_=-1), r"n_samples_seen_ must be >= 0\.0"),
    "calibrated-classes": (
        "platt",
        _set(classes_=np.array([0, 1, 5])),
        "classes_ differ from estimator_.classes_",
    ),
    "platt-shape": ("platt", _set(a_=lambda a: a[:1]), r"a_ has shape \(1,\), expected \(3,\)"),
    "temperature": (
        "temperature",
        _set(temperature_=np.array(-1.0)),
        r"temperature_ must be > 0\.0",
    ),
    "isotonic-counts": (
        "isotonic",
        _set(n_thresholds_=(1, 2)),
        "n_thresholds_ must be 3 counts",
    ),
    "calibrated-inner": (
        "platt",
        _set(**{"estimator_.coef_": lambda c: c * _NAN}),
        "coef_ contains NaN",
    ),
}


@pytest.mark.parametrize("case", BAD_STATES)
def test_state_that_fit_would_not_write_is_refused(case, tmp_path, monkeypatch):
    kind, edit, message = BAD_STATES[case]
    model = _fitted(kind)
    edit(model)
    path = str(tmp_path / "model.safetensors")
    save_unchecked(model, path, monkeypatch)
    _refused(path, message)
    with pytest.raises((TypeError, ValueError), match=message):
        model.save(str(tmp_path / "again.safetensors"))
    assert not os.path.exists(tmp_path / "again.safetensors")


def test_an_invalid_nested_estimator_is_named(tmp_path, monkeypatch):
    model = _fitted("platt")
    model.estimator_.coef_ = model.estimator_.coef_ * _NAN
    path = str(tmp_path / "model.safetensors")
    with pytest.raises(ValueError, match=r"^cannot save 'estimator_': coef_ contains NaN"):
        model.save(path)
    save_unchecked(model, path, monkeypatch)
    _refused(path, "invalid LogisticRegression at estimator_: coef_ contains NaN or infinity$")
    model = _fitted("binary")
    model.scaler_.scale_ = -model.scaler_.scale_
    save_unchecked(model, path, monkeypatch)
    _refused(path, r"invalid StandardScaler at scaler_: scale_ must be > 0\.0 everywhere$")


def test_model_with_an_invalid_threshold_never_saves_so_never_serves(tmp_path):
    model = _fitted("binary").set_params(threshold=7.0)
    path = str(tmp_path / "model.safetensors")
    with pytest.raises(ValueError, match=r"threshold must be <= 1\.0, got 7\.0"):
        model.save(path)
    assert os.listdir(tmp_path) == []


def test_every_fitted_model_passes_its_own_checks(tmp_path):
    """The checks describe what fit writes: each kind of model saves and loads."""
    for kind in ("binary", "multinomial", "linear", "scaler", "platt", "isotonic", "temperature"):
        model = _fitted(kind)
        path = str(tmp_path / f"{kind}.safetensors")
        model.save(path)
        assert type(load(path)) is type(model)
