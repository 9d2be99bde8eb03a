"""Data files on the command line: every file that cannot be read fails in one line,
``error: <file>: <problem>``, with exit status 1 and never a traceback; a byte-order mark is
not part of a column name; arrays are never unpickled, and no memory is set aside for more
data than the file holds."""

import codecs
import csv
import io
import os
import pickle
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import xlogreg
from tests.cli_helpers import assert_fails, invoke, run_console
from xlogreg.cli import _data as data_module
from xlogreg.cli._data import MAX_CSV_LINE, read_table

ROWS = [[0.5, 1.0, 0], [1.5, -2.0, 1], [2.5, 0.25, 0], [-1.0, 3.0, 1]]
CSV_TEXT = "a,b,y\n" + "".join(f"{a},{b},{y}\n" for a, b, y in ROWS)


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    """A classifier of the features ``a`` and ``b``, for predict and evaluate."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 2))
    y = (X[:, 0] + 0.5 * rng.standard_normal(60) > 0).astype(np.int64)
    path = tmp_path_factory.mktemp("model") / "model.safetensors"
    xlogreg.LogisticRegression().fit(X, y, feature_names=["a", "b"]).save(path)
    return path


def _command(kind, data, model, tmp_path):
    """The words that make ``kind`` (fit, predict or evaluate) read ``data``."""
    return {
        "fit": ["fit", data, "--target", "y", "--model-out", tmp_path / "out.safetensors"],
        "predict": ["predict", model, data, "--out", tmp_path / "out.csv"],
        "evaluate": ["evaluate", model, data, "--target", "y", "--report-dir", tmp_path / "r"],
    }[kind]


def _npy(array, **kwargs):
    buffer = io.BytesIO()
    np.save(buffer, array, **kwargs)
    return buffer.getvalue()


def _npy_header(shape, descr="<f8"):
    """An .npy header alone, declaring ``shape`` of ``descr``: no data behind it."""
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buffer, {"descr": descr, "fortran_order": False, "shape": shape}
    )
    return buffer.getvalue()


def _npz(members, compression=zipfile.ZIP_STORED):
    """An archive of raw members (name to bytes), as ``np.savez`` lays them out, with a good
    ``y.npy`` last (the commands that read a target find it)."""
    buffer = io.BytesIO()
    members = {**members, "y.npy": _npy(np.array([0, 1]))}
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _good_npz(compression=zipfile.ZIP_STORED):
    X = np.array([row[:2] for row in ROWS])
    y = np.array([row[2] for row in ROWS], dtype=np.int64)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        archive.writestr("X.npy", _npy(X))
        archive.writestr("y.npy", _npy(y))
    return buffer.getvalue()


def _declaring(size, data):
    """An archive whose member ``X.npy`` (deflated, first) says it holds ``size`` bytes,
    whatever ``data`` holds: its local header and its central directory entry say so."""
    raw = bytearray(_npz({"X.npy": data}, zipfile.ZIP_DEFLATED))
    local = raw.index(b"PK\x03\x04")
    raw[local + 22 : local + 26] = size.to_bytes(4, "little")
    central = raw.index(b"PK\x01\x02")
    raw[central + 24 : central + 28] = size.to_bytes(4, "little")
    return bytes(raw)


def _bad_crc():
    raw = bytearray(_good_npz())
    data = raw.index(b"\x93NUMPY") + 128  # X's first value, behind its 128-byte header
    raw[data] ^= 0xFF
    return bytes(raw)


def _bzip2_npz():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_BZIP2) as archive:
        archive.writestr("X.npy", _npy(np.ones((2, 2))))
        archive.writestr("y.npy", _npy(np.array([0, 1])))
    return buffer.getvalue()


LIMIT = csv.field_size_limit()
LATIN1 = ("a,b,y\n1,2,0\n3,4,caf\u00e9\n").encode("latin-1")

# (file name, its bytes, the problem after "error: <file>: ").
CORRUPT = [
    (
        "long-field.csv",
        ("a,b,y\n" + "1" * (LIMIT + 1) + ",2,0\n3,4,1\n").encode(),
        f"line 2 has a field longer than {LIMIT:,} characters (the CSV reader's limit); "
        "is this a CSV file of numbers?",
    ),
    (
        "latin1.csv",
        LATIN1,
        f"not UTF-8 text: byte 0xe9 at line 3 (byte offset {LATIN1.index(0xE9)}); "
        "save the file as UTF-8",
    ),
    (
        "utf16.csv",
        CSV_TEXT.encode("utf-16"),
        "not UTF-8 text: byte 0xff at line 1 (byte offset 0); save the file as UTF-8",
    ),
    ("empty.csv", b"", "needs a header row and at least one data row"),
    ("empty.npy", b"", "not a NumPy array file (EOF: reading magic string"),
    ("text.npy", CSV_TEXT.encode(), "not a NumPy array file (the magic string is not correct"),
    (
        "truncated.npy",
        _npy(np.ones((4, 3)))[:-10],
        "its header declares shape (4, 3) of float64 (96 bytes), the file holds 86: "
        "truncated or corrupt",
    ),
    (
        "objects.npy",
        _npy(np.array([{"a": 1}, None], dtype=object), allow_pickle=True),
        "holds Python objects (dtype object), which are never loaded",
    ),
    (
        "huge.npy",
        _npy_header((10**12, 10)),
        "its header declares shape (1000000000000, 10) of float64 (80,000,000,000,000 bytes), "
        "the file holds 0: truncated or corrupt",
    ),
    ("empty.npz", b"", "not a readable .npz archive (File is not a zip file)"),
    ("text.npz", CSV_TEXT.encode(), "not a readable .npz archive (File is not a zip file)"),
    ("truncated.npz", _good_npz()[:300], "not a readable .npz archive (File is not a zip file)"),
    ("bad-crc.npz", _bad_crc(), "not a readable .npz archive (Bad CRC-32 for file 'X.npy')"),
    (
        "objects.npz",
        _npz({"X.npy": _npy(np.array([[None]], dtype=object), allow_pickle=True)}),
        "member 'X.npy': holds Python objects (dtype object), which are never loaded",
    ),
    (
        "text-member.npz",
        _npz({"X.npy": b"1,2\n3,4\n"}),
        "member 'X.npy': not a NumPy array file (the magic string is not correct",
    ),
    (
        "inflated.npz",
        _declaring(2**32 - 1, _npy_header((2**28,))),
        "member 'X.npy' declares 4,294,967,295 bytes, more than its",
    ),
    ("bzip2.npz", _bzip2_npz(), "member 'X.npy' uses compression method 12"),
    ("no-x.npz", _npz({"Z.npy": _npy(np.ones((2, 2)))}), "a .npz file must hold an array named"),
    ("empty.parquet", b"", "not a readable Parquet file ("),
    ("text.parquet", CSV_TEXT.encode(), "not a readable Parquet file ("),
]


def _one_line_naming(outcome, path, problem):
    assert_fails(outcome, problem)
    assert outcome.stderr.startswith(f"error: {path}: "), outcome.stderr


@pytest.mark.parametrize("kind", ["fit", "predict", "evaluate"])
@pytest.mark.parametrize(("name", "data", "problem"), CORRUPT, ids=[c[0] for c in CORRUPT])
def test_a_file_that_cannot_be_read_fails_in_one_line_naming_it(
    tmp_path, model, kind, name, data, problem
):
    path = tmp_path / name
    path.write_bytes(data)
    outcome = invoke(*_command(kind, path, model, tmp_path))
    _one_line_naming(outcome, path, problem)


@pytest.mark.parametrize("kind", ["fit", "predict", "evaluate"])
def test_paths_that_are_not_data_files(tmp_path, model, kind):
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    fifo = tmp_path / "fifo.csv"
    os.mkfifo(fifo)  # opening one with no writer would block forever
    for path, problem in [
        (folder, "is a folder, not a data file"),
        (fifo, "not a regular file"),
        (tmp_path / "missing.csv", "no such file"),
    ]:
        outcome = invoke(*_command(kind, path, model, tmp_path))
        assert outcome.stderr == f"error: {path}: {problem}\n"
        assert outcome.code == 1


def test_an_unreadable_file_names_itself(tmp_path, model, monkeypatch):
    path = tmp_path / "secret.csv"
    path.write_text(CSV_TEXT)
    path.chmod(0)
    if os.access(path, os.R_OK):
        # root (as CI runs) or a system without permission bits reads any file: opening
        # it fails as it would for any other user, so the test runs instead of skipping.
        opener = Path.open

        def refuse(self, *args, **kwargs):
            if self == path:
                raise PermissionError(13, "Permission denied", str(self))
            return opener(self, *args, **kwargs)

        monkeypatch.setattr(Path, "open", refuse)
    outcome = invoke(*_command("predict", path, model, tmp_path))
    assert outcome.stderr == f"error: {path}: cannot be read (Permission denied)\n"


def test_the_issue_files_print_no_traceback_in_a_real_process(tmp_path, model):
    """The two files of the report, through the console script: one line each."""
    for name, data, problem in [c for c in CORRUPT if c[0] in ("long-field.csv", "truncated.npz")]:
        path = tmp_path / name
        path.write_bytes(data)
        done = run_console(*_command("predict", path, model, tmp_path))
        assert (done.returncode, done.stdout) == (1, "")
        assert done.stderr == f"error: {path}: {problem}\n"


def test_a_byte_order_mark_is_not_part_of_the_first_name(tmp_path, model):
    path = tmp_path / "excel.csv"
    path.write_bytes(codecs.BOM_UTF8 + CSV_TEXT.encode())
    table = read_table(path, target="y")
    assert table.feature_names == ("a", "b")
    assert table.X.tolist() == [row[:2] for row in ROWS]
    # The model's feature "a" is found by name.
    outcome = invoke("predict", model, path, "--out", tmp_path / "out.csv")
    assert outcome.code == 0, outcome


class _Touch:
    """Unpickling this creates ``marker``: proof that a payload ran."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (Path(self.marker),))


@pytest.mark.parametrize("suffix", [".npy", ".npz"])
def test_a_pickle_payload_never_runs(tmp_path, model, suffix):
    marker = tmp_path / "ran"
    payload = np.array([[_Touch(marker)]], dtype=object)
    pickle.loads(pickle.dumps(payload))  # the payload works...
    assert marker.exists()
    marker.unlink()
    path = tmp_path / f"payload{suffix}"
    data = _npy(payload, allow_pickle=True)
    path.write_bytes(data if suffix == ".npy" else _npz({"X.npy": data}))
    outcome = invoke(*_command("predict", path, model, tmp_path))
    _one_line_naming(outcome, path, "holds Python objects (dtype object), which are never loaded")
    assert not marker.exists()  # ...but never here


@pytest.mark.parametrize(
    ("name", "data"),
    [
        # 1 GiB declared, nothing behind the header.
        ("lying.npy", _npy_header((2**27,))),
        # 1 GiB declared by the header and by the archive, from a 200-byte deflate stream.
        ("lying.npz", _declaring(2**30 + 128, _npy_header((2**27,)))),
    ],
)
def test_no_memory_is_set_aside_for_data_the_file_does_not_hold(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    tracemalloc.start()  # NumPy reports its array buffers to tracemalloc
    try:
        with pytest.raises(ValueError) as raised:
            read_table(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2**20  # NumPy alone set aside the 1 GiB declared, then found no data
    assert str(raised.value).startswith(f"{path}: ")


def test_complex_features_are_refused_not_truncated(tmp_path):
    path = tmp_path / "complex.npy"
    path.write_bytes(_npy(np.array([[1 + 2j, 3.0]])))
    with pytest.raises(ValueError, match=r"column 'x0' holds complex numbers \(dtype complex128\)"):
        read_table(path)


def test_an_array_without_rows_is_refused(tmp_path):
    path = tmp_path / "none.npy"
    path.write_bytes(_npy(np.ones((0, 3))))
    with pytest.raises(ValueError, match=f"^{path}: no data rows$"):
        read_table(path)


def test_valid_archives_still_read(tmp_path):
    for compression in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        path = tmp_path / "good.npz"
        path.write_bytes(_good_npz(compression))
        table = read_table(path, target="y")
        assert table.X.tolist() == [row[:2] for row in ROWS]
        assert table.y.tolist() == [row[2] for row in ROWS]
    path = tmp_path / "saved.npz"
    np.savez_compressed(path, X=np.arange(6.0).reshape(3, 2), feature_names=np.array(["p", "q"]))
    assert read_table(path).feature_names == ("p", "q")
    path = tmp_path / "fortran.npy"
    np.save(path, np.asfortranarray(np.arange(6.0).reshape(2, 3)))
    assert read_table(path).X.tolist() == [[0, 1, 2], [3, 4, 5]]


def _parquet():
    pq = pytest.importorskip("pyarrow.parquet")
    import pyarrow

    buffer = io.BytesIO()
    table = pyarrow.table({name: [row[j] for row in ROWS] for j, name in enumerate("aby")})
    pq.write_table(table, buffer)
    return buffer.getvalue()


SEEDS = {
    ".csv": CSV_TEXT.encode(),
    ".npy": _npy(np.array(ROWS)),
    ".npz": _good_npz(),
    ".npz-deflated": _good_npz(zipfile.ZIP_DEFLATED),
    ".parquet": None,  # built in the test: pyarrow is optional
}
_mutation = st.one_of(
    st.tuples(st.just("flip"), st.floats(0, 1, exclude_max=True), st.integers(1, 255)),
    st.tuples(st.just("cut"), st.floats(0, 1, exclude_max=True), st.just(0)),
    st.tuples(st.just("insert"), st.floats(0, 1), st.integers(0, 255)),
)


@pytest.mark.parametrize("kind", list(SEEDS))
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(mutations=st.lists(_mutation, min_size=1, max_size=4))
def test_mutated_files_read_or_fail_naming_the_file(tmp_path, kind, mutations):
    """Bytes flipped, cut or inserted anywhere in a good file: it reads, or fails with a
    one-line ValueError that names it; nothing else escapes (no zipfile, zlib, pyarrow or
    csv exception, no EOFError that the command line would report as 'aborted')."""
    data = bytearray(_parquet() if kind == ".parquet" else SEEDS[kind])
    for action, where, value in mutations:
        at = int(where * len(data))
        if action == "flip":
            data[at] ^= value
        elif action == "cut":
            del data[at:]
        else:
            data.insert(at, value)
        if not data:
            break
    path = tmp_path / f"mutated{kind.split('-')[0]}"
    path.write_bytes(bytes(data))
    try:
        read_table(path, target=None if kind == ".npy" else "y")
    except ValueError as error:
        assert str(error).startswith(f"{path}: ") and "\n" not in str(error), str(error)


def test_an_endless_line_is_refused_before_it_is_held(tmp_path):
    """One line of 64 Mi characters: refused at the cap, without holding the line."""
    path = tmp_path / "endless.csv"
    with path.open("w") as file:
        file.write("a,b,y\n")
        for _ in range(4):
            file.write("1" * MAX_CSV_LINE)
        file.write(",2,0\n")
    tracemalloc.start()
    try:
        with pytest.raises(ValueError) as raised:
            read_table(path, target="y")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert str(raised.value) == (
        f"{path}: line 2 is longer than 16,777,216 characters; is this a CSV file of numbers?"
    )
    assert peak < 3 * MAX_CSV_LINE  # measured: 2 (one line of ASCII text, and its reading)


def test_a_line_as_long_as_the_cap_reads(tmp_path, monkeypatch):
    monkeypatch.setattr(data_module, "MAX_CSV_LINE", 8)
    path = tmp_path / "short.csv"
    path.write_text("a,b,y\n1.5,2,0\n1.25,2,1")  # the last line: 8 characters, no newline
    assert read_table(path, target="y").X.tolist() == [[1.5, 2.0], [1.25, 2.0]]
    path.write_text("a,b,y\n1.5,2,0\n1.25,2,10")
    with pytest.raises(ValueError, match=r"line 3 is longer than 8 characters"):
        read_table(path, target="y")
