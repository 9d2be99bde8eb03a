"""Reading data files for the commands: CSV, Parquet, ``.npy`` and ``.npz``, into NumPy.

Every reader returns a :class:`Table`: the feature matrix as float64, the
target column as it was written (numbers or strings), the column names, and
the id columns (which name rows and are never features) as they were written.
Errors name the file and the column or row at fault. A file that cannot be read (not
UTF-8 text, not CSV, a corrupt archive, a Python object where an array belongs) is a
``ValueError`` naming the file and what is wrong with it, never the parser's own exception.
Arrays are never unpickled, and an array's declared size is checked against the bytes the
file holds before any memory is set aside for it.
"""

from __future__ import annotations

import codecs
import csv
import itertools
import math
import tokenize
import warnings
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, NamedTuple

import numpy as np

__all__ = ["FORMATS", "MAX_CSV_LINE", "Table", "read_table"]

FORMATS = (".csv", ".parquet", ".npy", ".npz")


class Table(NamedTuple):
    """Features and (optionally) a target read from one file.

    Attributes
    ----------
    X : float64 array of shape (n_samples, n_features)
    y : array of shape (n_samples,) or None
        The target column (numbers, or strings for class names); None when no
        target was asked for.
    feature_names : tuple of str
    target_name : str or None
    ids : dict of str to list
        Each id column asked for, by name, as Python values in row order
        (strings from a CSV file).
    """

    X: np.ndarray
    y: np.ndarray | None
    feature_names: tuple[str, ...]
    target_name: str | None
    ids: dict[str, list]


def read_table(
    path: str | Path,
    *,
    target: str | None = None,
    features: Sequence[str] | None = None,
    ids: Sequence[str] = (),
) -> Table:
    """Read ``path`` and split it into features and the ``target`` column.

    Parameters
    ----------
    path : str or Path
        A ``.csv`` file with a header row, a ``.parquet`` file (needs
        pyarrow), a ``.npy`` 2-D array (columns named ``x0, x1, ...``) or a
        ``.npz`` archive holding ``X`` and, optionally, ``y`` and
        ``feature_names``.
    target : str, optional
        The column holding the labels (``y`` for a ``.npz`` archive).
    features : sequence of str, optional
        The feature columns, in this order; default every column but the
        target and the id columns.
    ids : sequence of str, default=()
        Columns that name the rows (a customer id, say): never features, kept
        as they were written, whatever their type.

    Returns
    -------
    Table

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        For a path that is not a regular file (a folder, a FIFO), an unknown
        format, a file that cannot be read as its format says (text that is
        not UTF-8, a CSV field longer than the CSV reader's limit, a corrupt
        or truncated archive, an array of Python objects, an array whose
        header declares more bytes than the file holds), an unknown column,
        a non-numeric feature value, an empty file, a ragged row, or an id
        column that is also the target or a feature.
    """
    path = Path(path)
    if not path.is_file():
        if path.is_dir():
            raise ValueError(f"{path}: is a folder, not a data file")
        if path.exists():
            raise ValueError(f"{path}: not a regular file")
        raise FileNotFoundError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"{path}: unknown format {suffix!r}; expected one of {', '.join(FORMATS)}")
    ids = tuple(dict.fromkeys(ids))
    try:
        if suffix == ".npz":
            return _read_npz(path, target=target, features=features, ids=ids)
        read = {".csv": _read_csv, ".parquet": _read_parquet, ".npy": _read_npy}[suffix]
        names, columns = read(path)
    except OSError as error:  # unreadable (permissions, an I/O error): not the parser's fault
        raise ValueError(
            f"{path}: cannot be read ({error.strerror or _first_line(error)})"
        ) from None
    return _split(path, names, columns, target=target, features=features, ids=ids)


# The longest line a CSV file may hold, in characters: a million numbers of 15 digits. The
# text reader holds a whole line before the CSV parser sees it, so without this cap one
# endless line would cost the file's size in memory before its field is found too long.
MAX_CSV_LINE = 2**24


def _read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    # utf-8-sig: a byte-order mark (Excel writes one) is not part of the first column's name.
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(_lines(path, handle))
            try:
                rows = [row for row in reader if row]
            except csv.Error as error:
                raise ValueError(_csv_problem(path, reader.line_num, error)) from None
    except UnicodeDecodeError:
        raise ValueError(_not_utf8(path)) from None
    if len(rows) < 2:
        raise ValueError(f"{path}: needs a header row and at least one data row")
    names, body = [name.strip() for name in rows[0]], rows[1:]
    for number, row in enumerate(body, start=2):
        if len(row) != len(names):
            raise ValueError(
                f"{path}: line {number} has {len(row)} fields, the header has {len(names)}"
            )
    return names, [list(column) for column in zip(*body, strict=True)]


def _lines(path: Path, handle: IO[str]) -> Iterator[str]:
    """The lines of ``handle``, none longer than :data:`MAX_CSV_LINE` characters."""
    for number in itertools.count(1):
        line = handle.readline(MAX_CSV_LINE)
        if not line:
            return
        if len(line) == MAX_CSV_LINE and line[-1] not in "\r\n" and handle.read(1):
            raise ValueError(
                f"{path}: line {number} is longer than {MAX_CSV_LINE:,} characters; "
                "is this a CSV file of numbers?"
            )
        yield line


def _csv_problem(path: Path, line: int, error: csv.Error) -> str:
    limit = csv.field_size_limit()
    if "field limit" in str(error):
        # The reader stops a field at its limit (its line is at most MAX_CSV_LINE long); no
        # number needs a field that long.
        return (
            f"{path}: line {line} has a field longer than {limit:,} characters "
            "(the CSV reader's limit); is this a CSV file of numbers?"
        )
    return f"{path}: line {line} is not valid CSV ({error})"


def _not_utf8(path: Path) -> str:
    """Where the first byte that is not UTF-8 is (read again, on this failure only: the text
    reader decodes ahead of the CSV parser, so the line it stopped at is not the one at fault)."""
    data = path.read_bytes()
    start = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        data[start:].decode("utf-8")
    except UnicodeDecodeError as error:
        offset = start + error.start
    else:  # changed since the first read
        return f"{path}: not UTF-8 text"
    line = data.count(b"\n", 0, offset) + 1
    return (
        f"{path}: not UTF-8 text: byte 0x{data[offset]:02x} at line {line} (byte offset "
        f"{offset}); save the file as UTF-8"
    )


def _read_parquet(path: Path) -> tuple[list[str], list[list]]:
    try:
        import pyarrow
        import pyarrow.parquet as pq
    except ImportError:
        raise ValueError(
            f"{path}: reading Parquet needs pyarrow (pip install 'xlogreg[parquet]')"
        ) from None
    try:
        table = pq.read_table(path)
        names = list(table.column_names)  # decoded here: a corrupt name is not UTF-8
        return names, [table.column(name).to_pylist() for name in names]
    except (pyarrow.ArrowException, OSError, UnicodeDecodeError) as error:
        # pyarrow's I/O errors are OSErrors, its other errors ArrowExceptions.
        raise ValueError(f"{path}: not a readable Parquet file ({_first_line(error)})") from None


def _read_npy(path: Path) -> tuple[list[str], list[np.ndarray]]:
    with path.open("rb") as handle:
        array = _read_array(path, handle, path.stat().st_size)
    if array.ndim != 2:
        raise ValueError(f"{path}: expected a 2-D array, got shape {array.shape}")
    return [f"x{j}" for j in range(array.shape[1])], list(array.T)


# The most a deflate stream can expand (1032:1, RFC 1951's longest match per 258 bytes),
# and room for its headers: an .npz member that declares more is corrupt.
_DEFLATE_RATIO, _DEFLATE_SLACK = 1032, 1024


def _read_npz(
    path: Path, *, target: str | None, features: Sequence[str] | None, ids: Sequence[str]
) -> Table:
    with path.open("rb") as file:  # opened here: an OSError below is the archive's
        try:
            with zipfile.ZipFile(file) as archive:
                members = {_array_name(name): name for name in archive.namelist()}
                if "X" not in members:
                    raise ValueError(f"{path}: a .npz file must hold an array named 'X'")
                if target is not None and (target != "y" or "y" not in members):
                    raise ValueError(
                        f"{path}: the target of a .npz file is its array 'y' (--target y)"
                    )
                wanted = ["X", *(["y"] if target is not None else [])]
                wanted += ["feature_names"] if "feature_names" in members else []
                arrays = {name: _read_member(path, archive, members[name]) for name in wanted}
        except (
            zipfile.BadZipFile,
            zlib.error,
            EOFError,
            NotImplementedError,
            OSError,
            UnicodeDecodeError,
        ) as error:
            # zipfile's ways of saying the archive is corrupt or truncated (EOFError: a
            # compressed stream that ends early; NotImplementedError: a compression zipfile
            # cannot read; OSError: an offset before the file's start; UnicodeDecodeError: a
            # member name flagged UTF-8 that is not).
            reason = _first_line(error) if str(error) else "its compressed data ends early"
            raise ValueError(f"{path}: not a readable .npz archive ({reason})") from None
    X, y = arrays["X"], arrays.get("y")
    if X.ndim != 2:
        raise ValueError(f"{path}: X must be 2-D, got shape {X.shape}")
    if "feature_names" in arrays:
        if arrays["feature_names"].ndim != 1:
            shape = arrays["feature_names"].shape
            raise ValueError(f"{path}: feature_names must be 1-D, got shape {shape}")
        names = [str(name) for name in arrays["feature_names"]]
    else:
        names = [f"x{j}" for j in range(X.shape[1])]
    if y is not None and y.dtype.kind not in "biufUS":
        raise ValueError(f"{path}: y must hold numbers or strings, got dtype {y.dtype}")
    if len(names) != X.shape[1]:
        raise ValueError(f"{path}: {len(names)} feature_names for {X.shape[1]} columns")
    table = _split(path, names, list(X.T), target=None, features=features, ids=ids)
    if y is not None and y.shape != (X.shape[0],):
        raise ValueError(f"{path}: y has shape {y.shape}, expected ({X.shape[0]},)")
    return table._replace(y=y, target_name=target)


def _array_name(member: str) -> str:
    """The key NumPy gives an archive member: its name without ``.npy``."""
    return member.removesuffix(".npy")


def _read_member(path: Path, archive: zipfile.ZipFile, member: str) -> np.ndarray:
    info = archive.getinfo(member)
    where = f"{path}: member {member!r}"
    if info.flag_bits & 0x1:
        raise ValueError(f"{where} is encrypted")
    if info.compress_type == zipfile.ZIP_STORED:
        honest = info.file_size == info.compress_size
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        honest = info.file_size <= _DEFLATE_RATIO * info.compress_size + _DEFLATE_SLACK
    else:
        raise ValueError(
            f"{where} uses compression method {info.compress_type}; an .npz archive's members "
            "are stored or deflated (np.savez, np.savez_compressed)"
        )
    if not honest:
        raise ValueError(
            f"{where} declares {info.file_size:,} bytes, more than its "
            f"{info.compress_size:,} compressed bytes can hold: the archive is corrupt"
        )
    with archive.open(info) as handle:
        return _read_array(where, handle, info.file_size)


def _read_array(where: object, handle: IO[bytes], size: int) -> np.ndarray:
    """The ``.npy`` array ``handle`` holds in ``size`` bytes, its header checked before any
    data is read: numbers or strings, never Python objects (nothing is unpickled), and exactly
    as many data bytes as the shape and dtype declare, so that no memory is set aside for
    data the file does not hold."""
    try:
        with warnings.catch_warnings():
            # A header NumPy must tidy first (Python 2 wrote them) reads all the same.
            warnings.filterwarnings("ignore", "Reading `.npy`", UserWarning)
            version = np.lib.format.read_magic(handle)
            # Version 3.0 differs from 2.0 only in a UTF-8 header, which only the field names
            # of a structured dtype need (refused below); latin-1 reads its ASCII alike.
            if version == (1, 0):
                shape, fortran_order, dtype = np.lib.format.read_array_header_1_0(handle)
            elif version in ((2, 0), (3, 0)):
                shape, fortran_order, dtype = np.lib.format.read_array_header_2_0(handle)
            else:
                raise ValueError(f"unknown .npy format version {version[0]}.{version[1]}")
    except (ValueError, SyntaxError, tokenize.TokenError) as error:
        # NumPy parses the header as a Python literal, tokenizing it first when that fails.
        reason = error.args[0] if isinstance(error, tokenize.TokenError) else _first_line(error)
        raise ValueError(f"{where}: not a NumPy array file ({reason})") from None
    if dtype.hasobject:
        raise ValueError(f"{where}: holds Python objects (dtype {dtype}), which are never loaded")
    if dtype.fields is not None or dtype.subdtype is not None:
        raise ValueError(f"{where}: holds records (dtype {dtype}), not numbers or strings")
    if any(length < 0 for length in shape):
        raise ValueError(f"{where}: invalid shape {shape}")
    declared = math.prod(shape) * dtype.itemsize
    held = size - handle.tell()
    if declared != held:
        raise ValueError(
            f"{where}: its header declares shape {shape} of {dtype} ({declared:,} bytes), "
            f"the file holds {held:,}: truncated or corrupt"
        )
    # Read in pieces: memory follows the data that is there, even where a deflated member
    # ends before its declared size.
    data = bytearray()
    while len(data) < declared:
        piece = handle.read(min(declared - len(data), 2**24))
        if not piece:
            raise ValueError(f"{where}: the data ends after {len(data):,} of {declared:,} bytes")
        data += piece
    array = np.frombuffer(data, dtype=dtype)
    return array.reshape(shape[::-1]).T if fortran_order else array.reshape(shape)


def _first_line(error: BaseException) -> str:
    return (str(error).splitlines() or [type(error).__name__])[0]


def _split(
    path: Path,
    names: list[str],
    columns: list,
    *,
    target: str | None,
    features: Sequence[str] | None,
    ids: Sequence[str],
) -> Table:
    if len(set(names)) != len(names):
        repeated = sorted({name for name in names if names.count(name) > 1})
        raise ValueError(f"{path}: repeated column names {repeated}")
    index = {name: j for j, name in enumerate(names)}
    for name in [*([target] if target is not None else []), *ids]:
        if name not in index:
            raise ValueError(f"{path}: no column {name!r} (columns: {', '.join(names)})")
    if target in ids:
        raise ValueError(f"{path}: the target {target!r} cannot also be an id column")
    chosen = list(features) if features else [n for n in names if n != target and n not in ids]
    unknown = [name for name in chosen if name not in index]
    if unknown:
        raise ValueError(f"{path}: no column {unknown[0]!r} (columns: {', '.join(names)})")
    if target is not None and target in chosen:
        raise ValueError(f"{path}: the target {target!r} cannot also be a feature")
    both = [name for name in ids if name in chosen]
    if both:
        raise ValueError(f"{path}: the id column {both[0]!r} cannot also be a feature")
    if not chosen:
        raise ValueError(f"{path}: no feature columns")
    X = np.column_stack([_numeric(path, name, columns[index[name]]) for name in chosen])
    if X.shape[0] == 0:
        raise ValueError(f"{path}: no data rows")
    y = None if target is None else _labels(columns[index[target]])
    kept = {name: _as_list(columns[index[name]]) for name in ids}
    return Table(X, y, tuple(chosen), target, kept)


def _as_list(column: Sequence) -> list:
    """A column as Python values (NumPy's scalars become Python's)."""
    return column.tolist() if isinstance(column, np.ndarray) else list(column)


def _numeric(path: Path, name: str, column: Sequence) -> np.ndarray:
    if isinstance(column, np.ndarray) and column.dtype.kind == "c":
        # NumPy would drop the imaginary parts with only a warning.
        raise ValueError(f"{path}: column {name!r} holds complex numbers (dtype {column.dtype})")
    try:
        values = np.asarray(column, dtype=np.float64)
    except (TypeError, ValueError):
        for row, value in enumerate(column, start=1):
            try:
                float(value)
            except (TypeError, ValueError):
                raise ValueError(
                    f"{path}: column {name!r} row {row} is not a number: {value!r}"
                ) from None
        raise
    if not np.all(np.isfinite(values)):
        row = int(np.flatnonzero(~np.isfinite(values))[0]) + 1
        raise ValueError(f"{path}: column {name!r} row {row} is not finite: {values[row - 1]}")
    return values


def _labels(column: Sequence) -> np.ndarray:
    """Numbers when every value is one (``"0"``, ``"1"``...), else the strings."""
    try:
        values = np.asarray(column, dtype=np.float64)
    except (TypeError, ValueError):
        return np.asarray([str(value).strip() for value in column])
    integral = np.all(values == np.round(values))
    return values.astype(np.int64) if integral else values
