"""Model files as bytes: the checks a file passes before anything in it is decoded.

:func:`read` never reads more than the file holds, and reads the tensor data
only after the header has shown that it describes exactly the bytes present:
a FIFO, a device or a directory is refused before it is read (a FIFO without
a writer would block, ``/dev/zero`` never ends), the header's length is
checked against the file's size and :data:`HEADER_LIMIT` before the header is
read, and every tensor's dtype, shape and offsets are checked against the
file's size before its data is read.
"""

from __future__ import annotations

import json
import math
import os
import stat
import struct
from collections.abc import Callable
from typing import Any

import safetensors
import safetensors.numpy

from xlogreg.exceptions import ModelFileError

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "CONTAINERS_EXTRA",
    "CONTAINER_BYTES",
    "HEADER_LIMIT",
    "MAX_DIMENSIONS",
    "METADATA_KEY",
    "TENSOR_DTYPES",
    "check_shape",
    "header_problem",
    "naturals",
    "read",
]

FORMAT = "xlogreg-model"
FORMAT_VERSION = 1
METADATA_KEY = "xlogreg"
DOCUMENT_KEYS = (
    "format",
    "format_version",
    "library_version",
    "estimator",
    "params",
    "state",
    "arrays",
)
#: The largest header a model file may have, in bytes: safetensors' own limit.
HEADER_LIMIT = 100_000_000
#: A header may open one JSON list or object per this many bytes of the file...
CONTAINER_BYTES = 16
#: ... plus this many (see :func:`header_problem`).
CONTAINERS_EXTRA = 4096
#: The most dimensions an array in a model file may have (NumPy 1's limit).
MAX_DIMENSIONS = 32
#: The safetensors dtypes that xlogreg writes, with their item sizes in bytes.
TENSOR_DTYPES = {
    "BOOL": 1,
    "U8": 1,
    "I8": 1,
    "U16": 2,
    "I16": 2,
    "F16": 2,
    "U32": 4,
    "I32": 4,
    "F32": 4,
    "U64": 8,
    "I64": 8,
    "F64": 8,
}
_TENSOR_KEYS = ["data_offsets", "dtype", "shape"]
# O_NONBLOCK: opening a FIFO without a writer returns at once (and is then refused).
_READ = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)

Fail = Callable[[str], ModelFileError]


def read(path: str) -> tuple[dict[str, Any], dict[str, Any], int]:
    """Read and check a model file: its metadata document, its tensors (NumPy) and its size.

    Memory: the file's bytes once for the header and once for the data,
    plus the tensors and the parsed JSON; nothing is read before the checks
    that bound it.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ModelFileError
        Naming ``path`` and the problem: not a regular file, a foreign or
        truncated file, bytes after the data, a header too large, tensors of
        a dtype xlogreg never writes or whose shapes disagree with their
        offsets, metadata that is missing, invalid, of another format or of
        a newer version, or an index that disagrees with the tensors.
    """

    def fail(problem: str) -> ModelFileError:
        return ModelFileError(f"{path}: {problem}")

    _check_regular(os.stat(path), fail)  # before opening: opening a device may act
    with open(os.open(path, _READ), "rb") as file:
        info = os.fstat(file.fileno())
        _check_regular(info, fail)  # the path may have changed since
        size = info.st_size
        head = _read_exactly(file, min(size, 9), fail)
        # safetensors: an 8-byte little-endian header length, then a JSON object.
        if len(head) < 9 or head[8:9] != b"{":
            raise fail(f"not an xlogreg model file: {_foreign(head, size)}")
        (header_size,) = struct.unpack_from("<Q", head)
        if header_size < 2:  # not even "{}"
            raise fail("not an xlogreg model file: not in the safetensors format (no JSON header)")
        if 8 + header_size > size:
            raise fail(f"truncated: {size} bytes, but the header alone announces {8 + header_size}")
        if header_size > HEADER_LIMIT:
            raise fail(
                f"the header announces {header_size} bytes, more than the {HEADER_LIMIT} "
                "that a model file's header may hold"
            )
        header = head[8:] + _read_exactly(file, header_size - 1, fail)
        problem = header_problem(header, size)
        if problem is not None:
            raise fail(problem)
        header = _parse_header(header, fail)
        metadata = header.pop("__metadata__", None)
        end = 8 + header_size + _check_tensors(header, size, fail)
        if size < end:
            raise fail(f"truncated: {size} bytes where the header announces {end}")
        if size > end:
            raise fail(
                f"{size - end} unexpected bytes after the {end} bytes of the model "
                "(data appended to the file?)"
            )
        document = _parse_metadata(metadata, fail)
        _check_document(document, fail)
        file.seek(0)
        data = _read_exactly(file, size, fail)
    try:
        tensors = safetensors.numpy.load(data)
    except (safetensors.SafetensorError, ValueError, TypeError, KeyError) as error:
        raise fail(f"corrupt tensor data ({error})") from None
    _check_index(document["arrays"], tensors, fail)
    return document, tensors, size


def header_problem(header: bytes, file_size: int) -> str | None:
    """What makes ``header`` too large for a model file of ``file_size`` bytes, or ``None``.

    A header holds at most :data:`HEADER_LIMIT` bytes, and at most one JSON
    list or object (counted as the ``[`` and ``{`` it holds, strings
    included) per :data:`CONTAINER_BYTES` bytes of the file, plus
    :data:`CONTAINERS_EXTRA`: parsed, a list or an object takes about a
    hundred bytes of memory however short its text (``[]``), which would
    make a small file costly to read. xlogreg writes a few dozen.
    """
    if len(header) > HEADER_LIMIT:
        return (
            f"its header takes {len(header)} bytes, more than the {HEADER_LIMIT} that a "
            "model file's header may hold"
        )
    containers = header.count(b"[") + header.count(b"{")
    allowed = file_size // CONTAINER_BYTES + CONTAINERS_EXTRA
    if containers > allowed:
        return (
            f"its header opens {containers} JSON lists and objects, more than the {allowed} "
            f"that a {file_size}-byte model file may (one per {CONTAINER_BYTES} bytes of "
            f"file, plus {CONTAINERS_EXTRA})"
        )
    return None


def check_shape(shape: Any, what: str, *, limit: int, fail: Fail) -> tuple[int, ...]:
    """``shape`` as a tuple: a JSON list of up to :data:`MAX_DIMENSIONS` integers in [0, ``limit``].

    ``limit`` is the file's size: no dimension of an array that a file of
    that many bytes describes is larger, even that of an empty array.
    """
    if not naturals(shape):
        raise fail(f"{what} has an invalid shape {_shown(shape)}")
    if len(shape) > MAX_DIMENSIONS:
        raise fail(f"{what} has {len(shape)} dimensions; at most {MAX_DIMENSIONS} are allowed")
    if any(n > limit for n in shape):
        raise fail(
            f"{what} has shape {_shown(shape)}, with a dimension larger than the "
            f"{limit} bytes of the file"
        )
    return tuple(shape)


def naturals(values: Any) -> bool:
    """Whether ``values`` is a JSON list of integers ``>= 0`` (a shape, offsets)."""
    return isinstance(values, list) and all(
        type(v) is int and v >= 0  # JSON true is no length
        for v in values
    )


def _check_regular(info: os.stat_result, fail: Fail) -> None:
    if not stat.S_ISREG(info.st_mode):
        kind = next((kind for test, kind in _KINDS if test(info.st_mode)), "a special file")
        raise fail(f"not a regular file but {kind}: a model is read from a regular file only")


def _read_exactly(file: Any, count: int, fail: Fail) -> bytes:
    data = file.read(count)
    if len(data) != count:
        raise fail(f"the file changed while it was read ({len(data)} bytes where {count} were)")
    return data


def _foreign(head: bytes, size: int) -> str:
    if head.startswith(b"PK\x03\x04"):
        return "a zip archive (as NumPy's .npz and torch.save write)"
    if head[:1] == b"\x80" and head[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        return "a pickle, which xlogreg never loads"
    return f"not in the safetensors format ({size} bytes)"


def _refuse(constant: str) -> None:
    raise ValueError(f"{constant} is not strict JSON")


def _shown(value: Any, *, text: bool = False) -> str:
    """``value``'s repr (its str with ``text``), cut to 80 characters."""
    shown = str(value) if text else repr(value)
    return shown if len(shown) <= 80 else shown[:77] + "..."


def _parse_header(data: bytes, fail: Fail) -> dict[str, Any]:
    try:
        header = json.loads(data.decode("utf-8"), parse_constant=_refuse)
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError included
        header = None
    if not isinstance(header, dict):
        raise fail("not an xlogreg model file: not in the safetensors format (no JSON header)")
    return header


def _check_tensors(header: dict[str, Any], size: int, fail: Fail) -> int:
    """Check every tensor's entry in the safetensors header; the bytes of data they announce.

    Each dtype must be one that xlogreg writes; each shape, times the item
    size, must be the length of its ``data_offsets``; the tensors must
    follow each other from offset 0, without gaps or overlaps.
    """
    spans = []
    for name, entry in header.items():
        what = f"tensor {name!r}"
        if not (isinstance(entry, dict) and sorted(entry) == _TENSOR_KEYS):
            raise fail(f"corrupt safetensors header: {what} is {_shown(entry)}")
        offsets = entry["data_offsets"]
        if not (naturals(offsets) and len(offsets) == 2 and offsets[0] <= offsets[1]):
            raise fail(f"corrupt safetensors header: {what} has no valid data_offsets")
        dtype = entry["dtype"]
        if not (isinstance(dtype, str) and dtype in TENSOR_DTYPES):
            raise fail(
                f"{what} has dtype {_shown(dtype)}, which xlogreg never writes "
                f"(it writes {', '.join(TENSOR_DTYPES)})"
            )
        shape = check_shape(entry["shape"], what, limit=size, fail=fail)
        needed = math.prod(shape) * TENSOR_DTYPES[dtype]
        begin, end = offsets
        if end - begin != needed:
            raise fail(
                f"corrupt safetensors header: {what} of dtype {dtype} and shape "
                f"{list(shape)} takes {needed} bytes, but its data_offsets span {end - begin}"
            )
        spans.append((begin, end, name))
    position = 0
    for begin, end, name in sorted(spans):
        if begin != position:
            raise fail(
                f"corrupt safetensors header: tensor {name!r} starts at byte {begin} of the "
                f"data where {position} was expected (tensors follow each other, no gaps)"
            )
        position = end
    return position


def _parse_metadata(metadata: Any, fail: Fail) -> Any:
    if not (isinstance(metadata, dict) and isinstance(metadata.get(METADATA_KEY), str)):
        raise fail(f"a safetensors file, but not an xlogreg model (no {METADATA_KEY!r} metadata)")
    if not all(isinstance(value, str) for value in metadata.values()):
        raise fail("corrupt safetensors header: __metadata__ must map names to strings")
    try:
        return json.loads(metadata[METADATA_KEY], parse_constant=_refuse)
    except (ValueError, RecursionError):
        raise fail("the xlogreg metadata is not valid JSON") from None


def _check_document(document: Any, fail: Fail) -> None:
    found = document.get("format") if isinstance(document, dict) else None
    if found != FORMAT:
        raise fail(f"not an xlogreg model file (format {found!r}, expected {FORMAT!r})")
    version = document.get("format_version")
    if type(version) is not int or version < 1:
        raise fail(f"invalid format_version {version!r}")
    if version > FORMAT_VERSION:
        import xlogreg  # the package imports this module

        raise fail(
            f"format version {version} (written by xlogreg "
            f"{document.get('library_version')!r}) is newer than this xlogreg "
            f"{xlogreg.__version__} reads (up to {FORMAT_VERSION}): upgrade xlogreg"
        )
    if sorted(document) != sorted(DOCUMENT_KEYS):
        raise fail(f"malformed metadata: keys {sorted(document)}, expected {sorted(DOCUMENT_KEYS)}")


def _check_index(index: Any, tensors: dict[str, Any], fail: Fail) -> None:
    """The metadata's index of arrays must describe exactly the tensors in the file."""
    if not isinstance(index, dict):
        raise fail("malformed metadata: 'arrays' is not an object")
    if set(index) != set(tensors):
        raise fail(
            f"the metadata lists arrays {sorted(index)}, but the file holds {sorted(tensors)}"
        )
    for name, entry in index.items():
        if not (
            isinstance(entry, dict)
            and sorted(entry) == ["dtype", "host", "shape"]
            and isinstance(entry["host"], bool)
        ):
            raise fail(f"malformed metadata: index entry of array {name!r} is {_shown(entry)}")
        dtype, shape = str(tensors[name].dtype), list(tensors[name].shape)
        if [entry["dtype"], entry["shape"]] != [dtype, shape]:
            raise fail(
                f"the metadata says array {name!r} is {_shown(entry['dtype'], text=True)} of shape "
                f"{_shown(entry['shape'])}, but the file holds {dtype} of shape {shape}"
            )
