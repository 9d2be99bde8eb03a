"""Arrays between the host and the devices: read back, copied there, written to files.

Small results are read back as Python numbers (:func:`host_floats`,
:func:`host_bool`, :func:`host_list`); whole arrays become NumPy arrays
(:func:`to_numpy`, :func:`host_copy`); host arrays are copied onto a device
(:func:`to_device`, :func:`from_numpy`), as mini-batch streaming does with
rows gathered on the host (:func:`host_take`).
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import array_api_compat

from xlogreg._backend.devices import compute_target
from xlogreg._backend.dtypes import has_float64

# Small results read back on the host, and whole arrays copied there.


def to_numpy(x: Any) -> Any:
    """Copy an array of any supported library to a NumPy array on the host."""
    import numpy as np

    if array_api_compat.is_torch_array(x):
        return x.detach().cpu().numpy()
    if array_api_compat.is_cupy_array(x):
        return x.get()
    if array_api_compat.is_array_api_strict_namespace(array_api_compat.array_namespace(x)):
        import array_api_strict

        x = x.to_device(array_api_strict.Device("CPU_DEVICE"))
    return np.asarray(x)


def host_floats(xp: ModuleType, *scalars: Any) -> tuple[float, ...]:
    """Read 0-d arrays back as Python floats in one transfer."""
    stacked = xp.stack([xp.reshape(s, ()) for s in scalars])
    return tuple(float(v) for v in to_numpy(stacked))


def host_bool(x: Any) -> bool:
    """Read a 0-d boolean array back as a Python bool."""
    return bool(to_numpy(x))


def host_list(x: Any) -> list:
    """Read a small array (class labels, say) back as a Python list."""
    return to_numpy(x).tolist()


# Host arrays copied onto a device; mini-batch streaming gathers its rows on the host.


def to_device(a: Any, xp: ModuleType, device: Any) -> Any:
    """Copy a host NumPy array into namespace ``xp`` on ``device``.

    float64 becomes float32 on devices without it (MPS). Torch copies from
    pageable memory; from a background thread that copy overlaps the caller's
    computation.
    """
    if array_api_compat.is_numpy_namespace(xp):
        return a
    if array_api_compat.is_torch_namespace(xp):
        import torch

        tensor = torch.from_numpy(a)
        if tensor.is_floating_point() and not has_float64(xp, device):
            tensor = tensor.to(torch.float32)
        return tensor.to(device)
    if array_api_compat.is_cupy_namespace(xp):
        import cupy

        with device:
            return cupy.asarray(a)
    if a.dtype.name == "float64" and not has_float64(xp, device):
        a = a.astype("float32")  # array-api-strict's no_float64 device refuses float64
    return xp.asarray(a, device=device)


def from_numpy(a: Any, library: str, device: str) -> Any:
    """Copy a NumPy array into ``library`` on ``device`` (float64 becomes float32 on devices
    without it: MPS, JAX without x64). ``device`` is a device name of
    :func:`~xlogreg._backend.library_devices`.

    Examples
    --------
    >>> import numpy as np
    >>> from xlogreg._backend import from_numpy
    >>> from_numpy(np.arange(3.0), "numpy", "cpu")
    array([0., 1., 2.])
    """
    if library == "numpy":
        return a
    if library == "torch":
        import torch

        tensor = torch.from_numpy(a)
        if device == "mps" and tensor.dtype == torch.float64:
            tensor = tensor.to(torch.float32)
        return tensor.to(device)
    if library == "cupy":
        import cupy

        return cupy.asarray(a)
    if library == "jax":
        return to_device(a, *compute_target("jax:gpu" if device == "cuda" else "jax:cpu"))
    raise ValueError(f"library must be 'numpy', 'torch', 'cupy' or 'jax', got {library!r}")


def host_take(a: Any, rows: Any) -> Any:
    """Rows ``rows`` of a NumPy array or memory map, as a plain in-memory array.

    Sorted ``rows`` read a memory-mapped file front to back.
    """
    import numpy as np

    return np.asarray(np.take(a, rows, axis=0))


def is_memory_map(x: Any) -> bool:
    """Whether ``x`` is a NumPy memory map (``numpy.load(path, mmap_mode="r")``), read from disk."""
    if not array_api_compat.is_numpy_array(x):
        return False
    import numpy as np

    return isinstance(x, np.memmap)


# Model files: arrays as host buffers that file formats can read.


def host_copy(x: Any) -> Any:
    """A C-contiguous NumPy copy of an array of any supported library, for writing to a file.

    safetensors reads an array's memory from its data pointer, ignoring its
    strides: a strided view (``coef_`` sliced out of the solver's solution,
    say) would otherwise be written as the wrong elements.
    """
    import numpy as np

    return np.asarray(to_numpy(x), order="C")  # ascontiguousarray would make 0-d arrays 1-d


def host_text(x: Any) -> tuple[str, list] | None:
    """The dtype and flat elements of a NumPy array of strings or objects; ``None`` otherwise.

    Such arrays (string class labels, say) exist on NumPy alone and have no
    binary form in tensor file formats.

    Examples
    --------
    >>> import numpy as np
    >>> from xlogreg._backend import host_text
    >>> host_text(np.array([["a", "bc"]])), host_text(np.arange(2))
    (('<U2', ['a', 'bc']), None)
    """
    if not array_api_compat.is_numpy_array(x) or x.dtype.kind not in "UO":
        return None
    return x.dtype.str, x.reshape(-1).tolist()


def text_array(values: list, shape: tuple[int, ...], dtype: str) -> Any:
    """The NumPy array that :func:`host_text` described: ``values`` in ``dtype``, reshaped.

    Examples
    --------
    >>> from xlogreg._backend import text_array
    >>> text_array(["a", "bc"], (1, 2), "<U2")
    array([['a', 'bc']], dtype='<U2')
    """
    import numpy as np

    return np.array(values, dtype=dtype).reshape(shape)
