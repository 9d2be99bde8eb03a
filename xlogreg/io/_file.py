"""Model files as bytes: the checks a file passes before it is decoded; atomic writes (see
:mod:`xlogreg.io._atomic`)."""

from __future__ import annotations

import json
import struct
from collections.abc import Callable
from typing import Any

import safetensors
import safetensors.numpy

from xlogreg.exceptions import ModelFileError
from xlogreg.io._atomic import write_atomically

__all__ = ["FORMAT", "FORMAT_VERSION", "METADATA_KEY", "naturals", "parse", "write_atomically"]

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

Fail = Callable[[str], ModelFileError]


def parse(data: bytes, path: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Check a model file's bytes; return its metadata document and its tensors (NumPy).

    Raises
    ------
    ModelFileError
        Naming ``path`` and the problem: a foreign or truncated file, bytes
        after the data, metadata that is missing, invalid, of another format
        or of a newer version, or an index that disagrees with the tensors.
    """

    def fail(problem: str) -> ModelFileError:
        return ModelFileError(f"{path}: {problem}")

    # safetensors: an 8-byte little-endian header length, then a JSON object.
    if len(data) < 9 or data[8:9] != b"{":
        raise fail(f"not an xlogreg model file: {_foreign(data)}")
    (size,) = struct.unpack_from("<Q", data)
    if 8 + size > len(data):
        raise fail(f"truncated: {len(data)} bytes, but the header alone announces {8 + size}")
    try:
        header = json.loads(data[8 : 8 + size].decode("utf-8"), parse_constant=_refuse)
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError included
        header = None
    if not isinstance(header, dict):
        raise fail("not an xlogreg model file: not in the safetensors format (no JSON header)")
    metadata = header.pop("__metadata__", None)
    end = 8 + size + _data_length(header, fail)
    if len(data) < end:
        raise fail(f"truncated: {len(data)} bytes where the header announces {end}")
    if len(data) > end:
        raise fail(
            f"{len(data) - end} unexpected bytes after the {end} bytes of the model "
            "(data appended to the file?)"
        )
    if not (isinstance(metadata, dict) and isinstance(metadata.get(METADATA_KEY), str)):
        raise fail(f"a safetensors file, but not an xlogreg model (no {METADATA_KEY!r} metadata)")
    try:
        document = json.loads(metadata[METADATA_KEY], parse_constant=_refuse)
    except (ValueError, RecursionError):
        raise fail("the xlogreg metadata is not valid JSON") from None
    _check_document(document, fail)
    try:
        tensors = safetensors.numpy.load(data)
    except safetensors.SafetensorError as error:
        raise fail(f"corrupt tensor data ({error})") from None
    _check_index(document["arrays"], tensors, fail)
    return document, tensors


def naturals(values: Any) -> bool:
    """Whether ``values`` is a JSON list of integers ``>= 0`` (a shape, offsets)."""
    return isinstance(values, list) and all(
        type(v) is int and v >= 0  # JSON true is no length
        for v in values
    )


def _foreign(data: bytes) -> str:
    if data.startswith(b"PK\x03\x04"):
        return "a zip archive (as NumPy's .npz and torch.save write)"
    if data[:1] == b"\x80" and data[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        return "a pickle, which xlogreg never loads"
    return f"not in the safetensors format ({len(data)} bytes)"


def _refuse(constant: str) -> None:
    raise ValueError(f"{constant} is not strict JSON")


def _data_length(header: dict[str, Any], fail: Fail) -> int:
    """Bytes of tensor data that the safetensors header announces."""
    ends = []
    for name, entry in header.items():
        offsets = entry.get("data_offsets") if isinstance(entry, dict) else None
        if not (naturals(offsets) and len(offsets) == 2):
            raise fail(f"corrupt safetensors header: tensor {name!r} has no valid data_offsets")
        ends.append(offsets[1])
    return max(ends, default=0)


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
            raise fail(f"malformed metadata: index entry of array {name!r} is {entry!r}")
        dtype, shape = str(tensors[name].dtype), list(tensors[name].shape)
        if [entry["dtype"], entry["shape"]] != [dtype, shape]:
            raise fail(
                f"the metadata says array {name!r} is {entry['dtype']} of shape "
                f"{entry['shape']}, but the file holds {dtype} of shape {shape}"
            )
