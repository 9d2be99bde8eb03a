"""The backend matrix every test module reuses: (namespace, device, dtype) rows.

Rows for torch CUDA/MPS and CuPy appear automatically and skip cleanly where
the library or the device is missing. ``XLOGREG_BACKENDS=numpy,torch`` keeps
only the named libraries (the nox sessions per backend use it).
"""

from __future__ import annotations

import contextlib
import importlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import array_api_compat
import numpy as np
import pytest

from xlogreg._backend import has_float64, integer_dtype, to_numpy

RAISIN_CSV = Path(__file__).resolve().parents[2] / "shared" / "data" / "raisin.csv"


@dataclass(frozen=True)
class Backend:
    """One row of the matrix: an array namespace, a device and a float dtype."""

    library: str
    xp: Any
    device: Any
    dtype: Any

    @property
    def has_float64(self) -> bool:
        return self.dtype == self.xp.float64

    @property
    def widest_float(self) -> Any:
        """The widest float of the row's device: float64, or float32 (MPS, JAX without x64)."""
        return self.xp.float64 if has_float64(self.xp, self.device) else self.xp.float32

    @property
    def integer_dtype(self) -> Any:
        """The widest integer of the row's device: int64, or int32 (JAX without x64)."""
        return integer_dtype(self.xp, self.device)

    def asarray(self, a: Any, *, dtype: Any = None) -> Any:
        """Move host data onto this row: floats become the row's dtype, others keep theirs."""
        a = np.asarray(a)
        if dtype is None and np.issubdtype(a.dtype, np.floating):
            dtype = self.dtype
        return self.xp.asarray(a, dtype=dtype, device=self.device)


def _torch_device(kind: str) -> Any:
    import torch

    available = {
        "cpu": True,
        "cuda": torch.cuda.is_available(),
        "mps": getattr(torch.backends, "mps", None) is not None
        and torch.backends.mps.is_available(),
    }
    if not available[kind]:
        pytest.skip(f"torch has no {kind} device here")
    # The device tensors actually land on: torch.device("cuda") != torch.device("cuda:0"),
    # and every CUDA/MPS tensor reports an indexed device.
    return torch.empty(0, device=kind).device


def _strict_device(name: str) -> Any:
    import array_api_strict

    return array_api_strict.Device(name)


def _jax_device(kind: str) -> Any:
    import jax

    try:
        return jax.devices(kind)[0]
    except RuntimeError:
        pytest.skip(f"jax has no {kind} device here")


def _cupy_device(_: str) -> Any:
    import cupy

    try:
        if cupy.cuda.runtime.getDeviceCount() < 1:
            pytest.skip("cupy sees no CUDA device")
    except cupy.cuda.runtime.CUDARuntimeError:
        pytest.skip("cupy sees no CUDA device")
    return cupy.cuda.Device(0)


# (id, module to import, device factory, device name, dtype name, needs a GPU)
_ROWS = [
    ("numpy-float64", "numpy", lambda _: "cpu", "cpu", "float64", False),
    ("numpy-float32", "numpy", lambda _: "cpu", "cpu", "float32", False),
    (
        "strict-float64",
        "array_api_strict",
        _strict_device,
        "CPU_DEVICE",
        "float64",
        False,
    ),
    (
        "strict-float32",
        "array_api_strict",
        _strict_device,
        "CPU_DEVICE",
        "float32",
        False,
    ),
    (
        "strict-device1-float64",
        "array_api_strict",
        _strict_device,
        "device1",
        "float64",
        False,
    ),
    (
        "strict-no_float64-float32",
        "array_api_strict",
        _strict_device,
        "no_float64",
        "float32",
        False,
    ),
    ("torch-cpu-float64", "torch", _torch_device, "cpu", "float64", False),
    ("torch-cpu-float32", "torch", _torch_device, "cpu", "float32", False),
    ("torch-cuda-float64", "torch", _torch_device, "cuda", "float64", True),
    ("torch-cuda-float32", "torch", _torch_device, "cuda", "float32", True),
    ("torch-mps-float32", "torch", _torch_device, "mps", "float32", True),
    # JAX computes in float64 only with x64 enabled: its float32 rows run with it
    # disabled, a device without float64 like MPS (see ``jax_x64``).
    ("jax-cpu-float64", "jax.numpy", _jax_device, "cpu", "float64", False),
    ("jax-cpu-float32", "jax.numpy", _jax_device, "cpu", "float32", False),
    ("jax-gpu-float64", "jax.numpy", _jax_device, "gpu", "float64", True),
    ("jax-gpu-float32", "jax.numpy", _jax_device, "gpu", "float32", True),
    ("cupy-float64", "cupy", _cupy_device, "cuda", "float64", True),
    ("cupy-float32", "cupy", _cupy_device, "cuda", "float32", True),
]

_SHORT_NAMES = {"array_api_strict": "strict", "jax.numpy": "jax"}


def _selected(module: str) -> bool:
    wanted = os.environ.get("XLOGREG_BACKENDS")
    if not wanted:
        return True
    return _SHORT_NAMES.get(module, module) in {w.strip() for w in wanted.split(",")}


BACKEND_PARAMS = [
    pytest.param(row, id=row[0], marks=[pytest.mark.gpu] if row[5] else [])
    for row in _ROWS
    if _selected(row[1])
]


@contextlib.contextmanager
def jax_x64(enabled: bool) -> Iterator[None]:
    """JAX's global ``jax_enable_x64`` switched to ``enabled``, and back on exit."""
    import jax

    before = jax.config.read("jax_enable_x64")
    jax.config.update("jax_enable_x64", enabled)
    try:
        yield
    finally:
        jax.config.update("jax_enable_x64", before)


@contextlib.contextmanager
def backend_row(row: tuple) -> Iterator[Backend]:
    """The :class:`Backend` of a row, with JAX's x64 switch set for it while in use.

    JAX has float64 only with x64 enabled, a process-wide switch: its float64
    rows run with it on, its float32 rows with it off, as a user who never
    turned it on would (a device without float64, like MPS).
    """
    _, module, device_factory, device_name, dtype_name, _ = row
    try:
        library = importlib.import_module(module)
    except ImportError:
        pytest.skip(f"{module} is not installed")
    x64 = jax_x64(dtype_name == "float64") if module == "jax.numpy" else contextlib.nullcontext()
    with x64:
        device = device_factory(device_name)
        xp = array_api_compat.array_namespace(library.asarray([0.0]))
        yield Backend(_SHORT_NAMES.get(module, module), xp, device, getattr(xp, dtype_name))


def assert_on_backend(x: Any, backend: Backend, *, dtype: Any = None) -> None:
    """Assert that ``x`` lives in the row's namespace and device, with ``dtype``."""
    assert array_api_compat.array_namespace(x) is backend.xp, type(x)
    assert array_api_compat.device(x) == backend.device
    assert x.dtype == (backend.dtype if dtype is None else dtype)


def assert_close(
    actual: Any,
    expected: Any,
    backend: Backend,
    *,
    rtol: float,
    atol: float = 0.0,
    dtype: Any = None,
) -> None:
    """Check namespace, device and dtype, then values against a NumPy reference."""
    assert_on_backend(actual, backend, dtype=dtype)
    np.testing.assert_allclose(to_numpy(actual), expected, rtol=rtol, atol=atol)


def rtol_for(backend: Backend, *, float64: float, float32: float) -> float:
    return float64 if backend.has_float64 else float32


def leaves(result: Any) -> list:
    """The arrays of a result: itself, or the fields of a (nested) tuple."""
    if isinstance(result, tuple):
        return [leaf for part in result for leaf in leaves(part)]
    return [result]
