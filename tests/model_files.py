"""Helpers of the model-file tests: rewrite a header, write what ``save`` refuses, measure."""

from __future__ import annotations

import json
import struct
import tracemalloc
from collections.abc import Callable
from contextlib import contextmanager
from typing import Any

from xlogreg.base import BaseEstimator

# The bound on load's memory that the README states: this many bytes per byte of file,
# plus MEMORY_EXTRA.
MEMORY_PER_BYTE = 24
MEMORY_EXTRA = 16 * 2**20


def read_header(data: bytes) -> tuple[dict[str, Any], int]:
    """The safetensors header of a file, read as the format's documentation says, and
    where the tensor data begin."""
    (size,) = struct.unpack("<Q", data[:8])
    return json.loads(data[8 : 8 + size]), 8 + size


def with_header(header: dict[str, Any], data: bytes) -> bytes:
    """The file ``data`` with its safetensors header replaced by ``header``."""
    encoded = json.dumps(header).encode()
    return struct.pack("<Q", len(encoded)) + encoded + data[read_header(data)[1] :]


def rewritten(data: bytes, edit: Callable[[dict, dict], Any]) -> bytes:
    """The file with its header or metadata document changed by ``edit(header, document)``."""
    header, _ = read_header(data)
    document = json.loads(header["__metadata__"]["xlogreg"])
    edit(header, document)
    header["__metadata__"]["xlogreg"] = json.dumps(document)
    return with_header(header, data)


def save_unchecked(estimator: BaseEstimator, path: str, monkeypatch: Any) -> None:
    """Save ``estimator`` without the checks of its parameters and state, as xlogreg
    did before it had them: the files an older xlogreg, or a forger, may write."""
    with monkeypatch.context() as patch:
        patch.setattr(BaseEstimator, "_check_state", lambda self: None)
        estimator.save(path)


@contextmanager
def peak_memory() -> Any:
    """Measure the peak of Python's allocations (NumPy arrays included) in the block;
    the list it yields holds that peak, in bytes, after the block."""
    peak: list[int] = []
    tracemalloc.start()
    try:
        yield peak
    finally:
        peak.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
