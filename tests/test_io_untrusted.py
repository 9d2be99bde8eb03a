"""Model files from untrusted hands: bounded reads, refused dtypes and shapes.

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

from xlogreg import LogisticRegression, ModelFileError, StandardScaler, load
from xlogreg.io import HEADER_LIMIT

from cli_helpers import invoke
from model_files import peak_memory, rewritten

MEMORY_PER_BYTE = 24
MEMORY_EXTRA = 16 * 2**20


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
    X, y = _data()
    path = str(tmp_path / "model.safetensors")
    LogisticRegression().fit(X, np.array(["no", "yes"])[y]).save(path)
    with open(path, "rb") as file:
        data = file.read()

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
    X, y = _data()
    path = str(tmp_path / "model.safetensors")
    LogisticRegression().fit(X, np.array(["no", "yes"])[y]).save(path)
    with open(path, "rb") as file:
        data = file.read()
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
