"""Which dtypes a device has, and which one to compute, count and accumulate in.

:func:`accumulation_dtype` is the one definition of the dtype in which sums,
counts and moments accumulate.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import array_api_compat


def has_float64(xp: ModuleType, device: Any) -> bool:
    """Whether ``device`` can hold float64 arrays (Apple MPS cannot)."""
    if array_api_compat.is_torch_namespace(xp) and getattr(device, "type", device) == "mps":
        return False
    info = xp.__array_namespace_info__()
    return "float64" in info.dtypes(device=device, kind="real floating")


def accumulation_dtype(xp: ModuleType, device: Any) -> Any:
    """The widest float of ``device``: sums, counts and moments accumulate in it.

    Examples
    --------
    >>> import numpy as np
    >>> from xlogreg._backend import accumulation_dtype
    >>> accumulation_dtype(np, "cpu")
    <class 'numpy.float64'>
    """
    return xp.float64 if has_float64(xp, device) else xp.float32


def integer_dtype(xp: ModuleType, device: Any) -> Any:
    """The widest signed integer dtype of ``device``: int64, or int32 where it has none.

    Counts and indices are exact in it. JAX without ``jax_enable_x64`` has no
    64-bit types at all, and asking for one truncates it with a warning.

    Examples
    --------
    >>> import array_api_strict as xp
    >>> from xlogreg._backend import integer_dtype
    >>> integer_dtype(xp, xp.Device("no_float64"))
    array_api_strict.int64
    """
    info = xp.__array_namespace_info__()
    return xp.int64 if "int64" in info.dtypes(device=device, kind="signed integer") else xp.int32


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
    ValueError
        If ``dtype`` is complex.
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
        return accumulation_dtype(xp, device)
    if xp.isdtype(dtype, "complex floating"):
        # A ValueError with scikit-learn's wording, as its estimator checks expect.
        raise ValueError(
            f"{name} must hold real numbers, got dtype {dtype}: Complex data not supported"
        )
    raise TypeError(f"{name} must hold real numbers, got dtype {dtype}")


def device_dtype(host_dtype: Any, xp: ModuleType, device: Any) -> Any:
    """The dtype of ``xp`` on ``device`` that :func:`~xlogreg._backend.to_device` turns a host
    float dtype into: float64 becomes the :func:`accumulation_dtype`, any other float32."""
    import numpy as np

    if np.dtype(host_dtype) == np.float64:
        return accumulation_dtype(xp, device)
    return xp.float32
