"""The one module that knows which concrete array libraries exist.

Everything else receives an array namespace ``xp`` (from ``array_api_compat``)
and arrays, and computes with those alone. This module answers the questions
that need a concrete library: which namespace and device the inputs live on,
which dtype to compute in, whether a device has float64, and how to read a few
scalars back to the host.

Concrete libraries are imported lazily, inside functions, so importing
``xlogreg`` never imports torch or cupy.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import array_api_compat

__all__ = [
    "ArrayContext",
    "as_array",
    "compute_dtype",
    "contiguous",
    "describe",
    "has_float64",
    "host_bool",
    "host_floats",
    "resolve",
    "from_numpy",
    "host_list",
    "library_devices",
    "quiet_overflow",
    "syncs_cheaply",
    "to_numpy",
]


@dataclass(frozen=True)
class ArrayContext:
    """Where a computation runs: namespace, device and compute dtype."""

    xp: ModuleType
    device: Any
    dtype: Any


def _is_array(x: Any) -> bool:
    return array_api_compat.is_array_api_obj(x) and not isinstance(x, (int, float))


def describe(x: Any) -> str:
    """Name the library and device of an array, for error messages."""
    if array_api_compat.is_torch_array(x):
        return f"torch tensor on {array_api_compat.device(x)}"
    if array_api_compat.is_cupy_array(x):
        return f"cupy array on {array_api_compat.device(x)}"
    if array_api_compat.is_numpy_array(x):
        return "numpy array"
    if _is_array(x):
        return f"{type(x).__module__}.{type(x).__name__} on {array_api_compat.device(x)}"
    return type(x).__name__


def resolve(**arrays: Any) -> tuple[ModuleType, Any]:
    """Return the namespace and device shared by the array arguments.

    Parameters
    ----------
    **arrays
        The inputs of a public call, by argument name. ``None`` and array-likes
        that are not arrays (lists, tuples, scalars) are ignored; when no
        argument is an array, NumPy on the CPU is chosen.

    Returns
    -------
    xp : module
        The ``array_api_compat`` namespace of the inputs.
    device : object
        Their device.

    Raises
    ------
    TypeError
        If the arrays come from different libraries.
    ValueError
        If the arrays live on different devices.
    """
    given = {name: a for name, a in arrays.items() if a is not None and _is_array(a)}
    if not given:
        import numpy as np

        return array_api_compat.array_namespace(np.empty(0)), "cpu"
    try:
        xp = array_api_compat.array_namespace(*given.values())
    except TypeError:
        kinds = ", ".join(f"{name} is a {describe(a)}" for name, a in given.items())
        raise TypeError(
            f"inputs mix array libraries ({kinds}); pass all of them from one "
            "library, e.g. convert with that library's asarray"
        ) from None
    devices = {name: array_api_compat.device(a) for name, a in given.items()}
    first = next(iter(devices.values()))
    if any(d != first for d in devices.values()):
        where = ", ".join(f"{name} on {d}" for name, d in devices.items())
        raise ValueError(f"inputs live on different devices ({where}); move them to one")
    return xp, first


def as_array(x: Any, *, xp: ModuleType, device: Any) -> Any:
    """Return ``x`` as an array of ``xp`` on ``device``, outside any autograd graph.

    Arrays are returned as they are (torch tensors detached, so a fit never
    builds a graph and results never require grad); array-likes such as lists,
    tuples or DataFrames are converted.
    """
    if _is_array(x):
        return x.detach() if array_api_compat.is_torch_array(x) else x
    if array_api_compat.is_numpy_namespace(xp):
        import numpy as np

        return np.asarray(x)
    return xp.asarray(x, device=device)


def contiguous(x: Any) -> Any:
    """Return ``x`` with its elements contiguous in memory, copying only if they are not.

    Torch kernels such as ``searchsorted`` copy (and warn about) strided inputs,
    e.g. a column of ``predict_proba``; other libraries need nothing.
    """
    if array_api_compat.is_torch_array(x):
        return x.contiguous()
    return x


def has_float64(xp: ModuleType, device: Any) -> bool:
    """Whether ``device`` can hold float64 arrays (Apple MPS cannot)."""
    if array_api_compat.is_torch_namespace(xp) and getattr(device, "type", device) == "mps":
        return False
    info = xp.__array_namespace_info__()
    return "float64" in info.dtypes(device=device, kind="real floating")


def compute_dtype(xp: ModuleType, device: Any, dtype: Any, *, name: str = "X") -> Any:
    """Choose the floating dtype to compute in for an input of ``dtype``.

    float32 stays float32 and float64 stays float64; half precisions compute
    in float32; integers and booleans compute in float64 where the device has
    it and float32 where it does not (MPS).

    Raises
    ------
    TypeError
        If ``dtype`` is not a real numeric dtype, or is float64 on a device
        without float64.
    """
    if xp.isdtype(dtype, "real floating"):
        if dtype == xp.float64:
            if not has_float64(xp, device):
                raise TypeError(
                    f"{name} is float64 but device {device} has no float64; convert it to float32"
                )
            return dtype
        return xp.float32
    if xp.isdtype(dtype, ("integral", "bool")):
        return xp.float64 if has_float64(xp, device) else xp.float32
    raise TypeError(f"{name} must hold real numbers, got dtype {dtype}")


def syncs_cheaply(xp: ModuleType, device: Any) -> bool:
    """Whether reading a scalar back is cheap (the data already lives on the host).

    On accelerators every read waits for the queued kernels, so iterative
    solvers check their stopping rule less often there.
    """
    if array_api_compat.is_cupy_namespace(xp):
        return False
    if array_api_compat.is_torch_namespace(xp):
        return getattr(device, "type", device) == "cpu"
    return True


def quiet_overflow(xp: ModuleType) -> contextlib.AbstractContextManager:
    """A context in which overflows (and infinities meeting) pass without a warning.

    For computations that test the result themselves (a sum that may overflow,
    say): NumPy, and array-api-strict which computes with it, would otherwise
    print a ``RuntimeWarning``; other libraries are silent.
    """
    if array_api_compat.is_numpy_namespace(xp) or array_api_compat.is_array_api_strict_namespace(
        xp
    ):
        import numpy as np

        return np.errstate(over="ignore", invalid="ignore")
    return contextlib.nullcontext()


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


def library_devices() -> list[tuple[str, str]]:
    """The (library, device) pairs installed and usable here, NumPy first.

    Examples
    --------
    >>> from xlogreg._backend import library_devices
    >>> library_devices()[0]
    ('numpy', 'cpu')
    """
    import importlib.util

    found = [("numpy", "cpu")]
    if importlib.util.find_spec("torch") is not None:
        import torch

        found.append(("torch", "cpu"))
        if torch.cuda.is_available():
            found.append(("torch", "cuda"))
        if torch.backends.mps.is_available():
            found.append(("torch", "mps"))
    if importlib.util.find_spec("cupy") is not None:
        import cupy

        try:
            if cupy.cuda.runtime.getDeviceCount() > 0:
                found.append(("cupy", "cuda"))
        except cupy.cuda.runtime.CUDARuntimeError:
            pass
    return found


def from_numpy(a: Any, library: str, device: str) -> Any:
    """Copy a NumPy array into ``library`` on ``device`` (float64 becomes float32 on MPS).

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
    raise ValueError(f"library must be 'numpy', 'torch' or 'cupy', got {library!r}")
