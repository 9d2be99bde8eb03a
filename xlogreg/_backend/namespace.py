"""Which library and device the inputs of a call live on, and the inputs as arrays of it.

:func:`resolve` finds the namespace and device shared by a public call's
arrays (refusing sparse matrices and torch's ``meta`` device);
:func:`as_array` and :func:`as_numeric` turn array-likes and NumPy object
arrays into arrays of that namespace, and :func:`count_missing` counts the
missing values of an object array.
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any

import array_api_compat


def is_array(x: Any) -> bool:
    """Whether ``x`` is an array of a supported library (not a list, nor a Python number)."""
    return array_api_compat.is_array_api_obj(x) and not isinstance(x, (int, float))


def describe(x: Any) -> str:
    """Name the library and device of an array, for error messages."""
    if array_api_compat.is_torch_array(x):
        return f"torch tensor on {array_api_compat.device(x)}"
    if array_api_compat.is_cupy_array(x):
        return f"cupy array on {array_api_compat.device(x)}"
    if array_api_compat.is_jax_array(x):
        return f"jax array on {array_api_compat.device(x)}"
    if array_api_compat.is_numpy_array(x):
        return "numpy array"
    if is_array(x):
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
        If the arrays come from different libraries, or one is sparse.
    ValueError
        If the arrays live on different devices, or one is a torch tensor on
        the ``meta`` device (a shape without data).
    """
    for name, a in arrays.items():
        _refuse_sparse(a, name)
        _refuse_meta(a, name)
    given = {name: a for name, a in arrays.items() if a is not None and is_array(a)}
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


def _refuse_sparse(x: Any, name: str) -> None:
    """Raise if ``x`` is a SciPy sparse matrix or array, or a sparse torch tensor."""
    scipy_sparse = sys.modules.get("scipy.sparse")
    sparse = (scipy_sparse is not None and scipy_sparse.issparse(x)) or (
        array_api_compat.is_torch_array(x) and x.layout != _torch_strided()
    )
    if sparse:
        raise TypeError(
            f"{name} is a sparse {type(x).__name__}; sparse input is not supported: pass a "
            f"dense array ({name}.toarray() or {name}.to_dense()) if it fits in memory"
        )


def _refuse_meta(x: Any, name: str) -> None:
    """Raise if ``x`` is a torch tensor on the ``meta`` device, which holds no values."""
    if array_api_compat.is_torch_array(x) and x.device.type == "meta":
        raise ValueError(
            f"{name} is a torch tensor on the meta device, which holds no data (only a shape "
            "and a dtype); create it on a device that holds its values, such as 'cpu' or 'cuda'"
        )


def _torch_strided() -> Any:
    import torch

    return torch.strided


def as_numeric(X: Any, *, name: str = "X") -> Any:
    """A NumPy array of dtype ``object`` as float64, when every element is a number.

    Mixed-type DataFrame columns and lists of ``Decimal`` arrive as object
    arrays; scikit-learn's ``check_array`` converts them the same way. Any
    other array is returned as it is.

    Raises
    ------
    TypeError
        If an element is not a number (a string, a dict, ``None``).
    """
    if not (array_api_compat.is_numpy_array(X) and X.dtype.kind == "O"):
        return X
    import numpy as np

    try:
        return X.astype(np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must hold real numbers; converting it failed: {error}") from None


def as_array(x: Any, *, xp: ModuleType, device: Any, name: str = "the input") -> Any:
    """Return ``x`` as an array of ``xp`` on ``device``, outside any autograd graph.

    Arrays are returned as they are (torch tensors detached, so a fit never
    builds a graph and results never require grad); array-likes such as lists,
    tuples or DataFrames are converted.

    Raises
    ------
    ValueError
        If ``x`` is a nested sequence that is not rectangular (rows of
        different lengths), naming it ``name``.
    """
    if is_array(x):
        return x.detach() if array_api_compat.is_torch_array(x) else x
    try:
        if array_api_compat.is_numpy_namespace(xp):
            import numpy as np

            return np.asarray(x)
        return xp.asarray(x, device=device)
    except ValueError as error:
        lengths = sorted({len(row) for row in x if hasattr(row, "__len__")}) if _is_list(x) else []
        what = f"({', '.join(map(str, lengths[:5]))} values)" if len(lengths) > 1 else "or depths"
        raise ValueError(
            f"{name} is not rectangular: its rows have different lengths {what}; every "
            f"row needs as many values ({error})"
        ) from None


def _is_list(x: Any) -> bool:
    return isinstance(x, (list, tuple))


def count_missing(x: Any) -> int:
    """The number of missing values (``None``, NaN, pandas' ``NA`` or ``NaT``) in a
    NumPy array of objects, read on the host; 0 for any other array."""
    if not (array_api_compat.is_numpy_array(x) and x.dtype.kind == "O"):
        return 0
    return sum(
        value is None
        or type(value).__name__ in ("NAType", "NaTType")
        or (isinstance(value, float) and value != value)
        for value in x.ravel().tolist()
    )
