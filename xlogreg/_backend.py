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
import sys
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import array_api_compat

__all__ = [
    "ArrayContext",
    "RowChunks",
    "accumulation_dtype",
    "as_array",
    "as_numeric",
    "compute_dtype",
    "contiguous",
    "count_missing",
    "dataframe_rows",
    "describe",
    "has_float64",
    "chunk_namespace",
    "host_bool",
    "host_floats",
    "resolve",
    "from_numpy",
    "host_list",
    "integer_dtype",
    "is_chunked",
    "known_rows",
    "library_devices",
    "map_row_chunks",
    "native_bincount",
    "quiet_overflow",
    "tile_rows",
    "split_dataframe",
    "sum_of_squares",
    "synchronize",
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
    if array_api_compat.is_jax_array(x):
        return f"jax array on {array_api_compat.device(x)}"
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
        If the arrays come from different libraries, or one is sparse.
    ValueError
        If the arrays live on different devices, or one is a torch tensor on
        the ``meta`` device (a shape without data).
    """
    for name, a in arrays.items():
        _refuse_sparse(a, name)
        _refuse_meta(a, name)
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
    if _is_array(x):
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


# (module, class) of the DataFrame types whose columns name the features.
_DATAFRAMES = (("pandas", "DataFrame"), ("polars", "DataFrame"))


def dataframe_rows(X: Any, rows: Any) -> Any:
    """The rows ``rows`` (host integer indices) of a pandas or polars DataFrame ``X``.

    ``None`` when ``X`` is not a DataFrame (recognized as in
    :func:`split_dataframe`): an estimator fitted on the rows keeps the
    frame's column names.

    Examples
    --------
    >>> import pandas as pd
    >>> from xlogreg._backend import dataframe_rows
    >>> dataframe_rows(pd.DataFrame({"a": [1.0, 2.0, 3.0]}), [2, 0])["a"].tolist()
    [3.0, 1.0]
    >>> dataframe_rows([[1.0]], [0]) is None
    True
    """
    for module, kind in _DATAFRAMES:
        library = sys.modules.get(module)
        if library is not None and isinstance(X, getattr(library, kind)):
            return X[list(rows)] if module == "polars" else X.iloc[list(rows)]
    return None


def split_dataframe(X: Any, *, name: str = "X") -> tuple[Any, list | None]:
    """A pandas or polars DataFrame as a C-ordered NumPy array and its column labels.

    Anything else is returned unchanged with ``None``. A DataFrame is
    recognized by its type only when its library is already imported (looked
    up in ``sys.modules``, as einops does), so pandas and polars are never
    imported here. The rows are made contiguous because the row-blocked
    kernels read ``X`` block of rows by block of rows, and ``to_numpy()``
    usually hands back a column-major array.

    Columns of NumPy numbers and booleans convert as they are. Any other
    column (pandas' nullable ``Int64``, ``boolean`` and ``Float64``, objects,
    categories, polars' strings) is converted to float64 on its own, so that
    a column that cannot be is named: where it holds a missing value, or
    values that are not numbers.

    Raises
    ------
    ValueError
        If a column holds missing values (``pd.NA``, ``None``, a polars null,
        or NaN in a column that is converted on its own).
    TypeError
        If a column holds dates, times or durations, or values that do not
        convert to float64.

    Examples
    --------
    >>> import pandas as pd
    >>> from xlogreg._backend import split_dataframe
    >>> split_dataframe(pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0]}))
    (array([[1., 3.],
           [2., 4.]]), ['a', 'b'])
    >>> split_dataframe([[1.0, 3.0]])
    ([[1.0, 3.0]], None)
    """
    for module, kind in _DATAFRAMES:
        library = sys.modules.get(module)
        if library is not None and isinstance(X, getattr(library, kind)):
            import numpy as np

            columns = list(X.columns)
            if module == "polars":
                series = [X.to_series(j) for j in range(len(columns))]
                missing = [s.null_count() for s in series]
            else:
                series = [X.iloc[:, j] for j in range(len(columns))]
                missing = [None] * len(columns)  # counted only for columns converted alone
            dtypes = [s.dtype for s in series] if module == "pandas" else []
            if not any(missing) and all(
                isinstance(d, np.dtype) and d.kind in "biuf" for d in dtypes
            ):
                values = X.to_numpy()
                if values.dtype.kind in "biuf":
                    return np.ascontiguousarray(values), columns
            values = [
                _numeric_column(s, label, count, name=name)
                for s, label, count in zip(series, columns, missing, strict=True)
            ]
            return np.stack(values, axis=1) if values else X.to_numpy(), columns
    return X, None


def _numeric_column(series: Any, label: Any, missing: int | None, *, name: str) -> Any:
    """One DataFrame column as float64 NumPy numbers, or an error naming it."""
    import numpy as np

    where = f"{name}'s column {label!r}"
    if missing is None:
        missing = int(series.isna().sum())
    if missing:
        raise ValueError(
            f"{where} holds {missing} missing value(s) (NA, None or NaN) in {len(series)} rows; "
            "fill or drop them first"
        )
    raw = series.to_numpy()
    if getattr(series.dtype, "kind", None) in ("m", "M") or raw.dtype.kind in ("m", "M"):
        raise TypeError(
            f"{where} holds {series.dtype} values, not numbers; convert them to numbers first "
            "(seconds since a reference time, say)"
        )
    try:
        return np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"{where} (dtype {series.dtype}) must hold real numbers; converting it failed: {error}"
        ) from None


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


def syncs_cheaply(xp: ModuleType, device: Any) -> bool:
    """Whether reading a scalar back is cheap (the data already lives on the host).

    On accelerators every read waits for the queued kernels, so iterative
    solvers check their stopping rule less often there.
    """
    if array_api_compat.is_cupy_namespace(xp):
        return False
    if array_api_compat.is_torch_namespace(xp):
        return getattr(device, "type", device) == "cpu"
    if array_api_compat.is_jax_namespace(xp):
        return device.platform == "cpu"
    return True


def synchronize(xp: ModuleType, device: Any) -> None:
    """Wait until the work queued on ``device`` is done (a no-op on the host).

    GPU libraries return from a call as soon as its kernels are queued: a
    wall-clock timing must wait for them, or it measures only the launches.
    """
    if array_api_compat.is_cupy_namespace(xp):
        device.synchronize()
    elif array_api_compat.is_torch_namespace(xp):
        import torch

        kind = getattr(device, "type", device)
        if kind == "cuda":
            torch.cuda.synchronize(device)
        elif kind == "mps":
            torch.mps.synchronize()
    elif array_api_compat.is_jax_namespace(xp):
        # A device runs its computations in order: once a new one is done, so is the rest.
        (xp.zeros((), device=device) + 1).block_until_ready()


# Elements of X per row block on a CPU: 4 MB in float64, so that a block read
# from memory for ``X_b @ w`` is still in cache for ``X_bᵀ r_b``.
_CPU_TILE_ELEMENTS = 2**19


def tile_rows(xp: ModuleType, device: Any, n_features: int) -> int | None:
    """Rows per block for single-pass gradients over ``X``, or ``None`` for one block.

    On the host, a full-batch gradient computed block by block reads ``X``
    from memory once instead of twice (measured 1.6× faster on a 1M × 64
    float64 epoch with NumPy). Accelerators take ``X`` whole: their memory
    bandwidth is high and each block would cost kernel launches.
    """
    if array_api_compat.is_numpy_namespace(xp) or array_api_compat.is_array_api_strict_namespace(
        xp
    ):
        return max(1, _CPU_TILE_ELEMENTS // n_features)
    return None


# Samples per chunk of elementwise work over long per-sample arrays on the host.
# A temporary spanning millions of samples is fresh memory each time (the C
# allocator hands large freed blocks back to the system), so every operation
# on it pays a page fault per 4 KiB: on torch CPU `s * p - y` over 1M doubles
# takes 7.4 ms whole and 1.0 ms in chunks of 2¹⁸.
_HOST_TILE = 2**18


def host_tile(xp: ModuleType, device: Any) -> int | None:
    """Samples per chunk for elementwise work on long per-sample arrays, or ``None``.

    On the host (NumPy, array-api-strict, torch CPU) long elementwise chains
    are cheaper a chunk at a time, their temporaries reused from the
    allocator; accelerators keep freed memory in their own pools and pay per
    kernel launch, so they take arrays whole (``None``).
    """
    if (
        array_api_compat.is_numpy_namespace(xp)
        or array_api_compat.is_array_api_strict_namespace(xp)
        or (array_api_compat.is_torch_namespace(xp) and getattr(device, "type", None) == "cpu")
    ):
        return _HOST_TILE
    return None


def native_bincount(xp: ModuleType) -> Callable[[Any, Any, int], Any] | None:
    """The library's own weighted ``bincount(ids, weights, length)``, or ``None``.

    The array API has no scatter-add; generic code sums per bin with a one-hot
    matrix product instead, which costs a comparison per sample and bin. NumPy,
    PyTorch, CuPy and JAX count natively in one pass (scikit-learn's
    ``calibration_curve`` does so too). ``weights=None`` counts; the result has
    ``length`` entries, in float64 for weights given in float64.
    """
    if array_api_compat.is_numpy_namespace(xp):
        import numpy as np

        return lambda ids, weights, length: np.bincount(ids, weights=weights, minlength=length)
    if array_api_compat.is_cupy_namespace(xp):
        import cupy

        return lambda ids, weights, length: cupy.bincount(ids, weights=weights, minlength=length)
    if array_api_compat.is_torch_namespace(xp):
        import torch

        return lambda ids, weights, length: torch.bincount(ids, weights=weights, minlength=length)
    if array_api_compat.is_jax_namespace(xp):
        return lambda ids, weights, length: xp.bincount(ids, weights=weights, length=length)
    return None


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


def sum_of_squares(x: Any, *, xp: ModuleType) -> Any:
    """The sum of the squares of every element of ``x``, in its dtype, as a 0-d array.

    One read of ``x``: a NumPy, CuPy or torch array laid out in one block is
    flattened without a copy and dotted with itself (BLAS; NumPy's dot takes
    half the time of its ``sum``), any other through ``vector_norm``. A sum
    that overflows is infinite (a library that scales its norm agrees: the
    square of a norm beyond the square root of the dtype's maximum overflows).

    Examples
    --------
    >>> import array_api_strict as xp
    >>> from xlogreg._backend import sum_of_squares
    >>> sum_of_squares(xp.asarray([[0.0, 3.0], [4.0, 0.0]]), xp=xp)
    Array(25., dtype=array_api_strict.float64)
    """
    if array_api_compat.is_numpy_array(x) or array_api_compat.is_cupy_array(x):
        if x.flags.c_contiguous or x.flags.f_contiguous:
            flat = x.ravel(order="K")
            return xp.asarray(flat @ flat)
    elif array_api_compat.is_torch_array(x) and x.is_contiguous():
        flat = x.reshape(-1)
        return flat @ flat
    norm = xp.linalg.vector_norm(x)
    return xp.multiply(norm, norm)


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


def library_devices(only: str | None = None) -> list[tuple[str, str]]:
    """The (library, device) pairs installed and usable here, NumPy first.

    ``only`` restricts the answer to one library, and the probe to it:
    importing torch and asking CUDA for its devices takes seconds.

    Examples
    --------
    >>> from xlogreg._backend import library_devices
    >>> library_devices()[0], library_devices("numpy")
    (('numpy', 'cpu'), [('numpy', 'cpu')])
    """
    import importlib.util

    found = [("numpy", "cpu")] if only in (None, "numpy") else []
    if only in (None, "torch") and importlib.util.find_spec("torch") is not None:
        import torch

        found.append(("torch", "cpu"))
        if torch.cuda.is_available():
            found.append(("torch", "cuda"))
        if torch.backends.mps.is_available():
            found.append(("torch", "mps"))
    if only in (None, "cupy") and importlib.util.find_spec("cupy") is not None:
        import cupy

        try:
            if cupy.cuda.runtime.getDeviceCount() > 0:
                found.append(("cupy", "cuda"))
        except cupy.cuda.runtime.CUDARuntimeError:
            pass
    if only in (None, "jax") and importlib.util.find_spec("jax") is not None:
        found.append(("jax", "cpu"))
        if _jax_devices("gpu"):
            found.append(("jax", "cuda"))
    return found


def _jax_devices(platform: str) -> list:
    """JAX's devices of ``platform`` ("cpu" or "gpu"), none where it has no such backend."""
    import jax

    try:
        return jax.devices(platform)
    except RuntimeError:
        return []


def from_numpy(a: Any, library: str, device: str) -> Any:
    """Copy a NumPy array into ``library`` on ``device`` (float64 becomes float32 on devices
    without it: MPS, JAX without x64). ``device`` is a name of :func:`library_devices`.

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


# Mini-batch streaming: host random numbers, host row gathers, copies to a device.


def check_random_state(random_state: Any) -> None:
    """Check a ``random_state`` argument: ``None``, an integer ``>= 0`` or a NumPy ``Generator``.

    Raises
    ------
    TypeError
        If it is none of those.
    ValueError
        If it is a negative integer.
    """
    import numbers

    if random_state is None:
        return
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        if random_state < 0:
            raise ValueError(f"random_state must be >= 0, got {random_state!r}")
        return
    import numpy as np

    if not isinstance(random_state, np.random.Generator):
        raise TypeError(
            "random_state must be None, a non-negative integer or a numpy.random.Generator, "
            f"got {random_state!r}"
        )


def host_generator(random_state: Any) -> Any:
    """The NumPy ``Generator`` behind host-side shuffling: same seed, same draws everywhere.

    ``None`` seeds a fresh generator from the operating system, an integer
    seeds one deterministically, and a ``Generator`` is used as it is (so two
    fits with it draw different numbers, as in scikit-learn).

    Examples
    --------
    >>> from xlogreg._backend import host_generator
    >>> host_generator(0).permutation(4).tolist() == host_generator(0).permutation(4).tolist()
    True
    """
    import numpy as np

    check_random_state(random_state)
    if isinstance(random_state, np.random.Generator):
        return random_state
    return np.random.default_rng(random_state)


def parse_device(spec: str) -> tuple[str, str]:
    """Split a compute-device name such as ``"torch:cuda:1"`` into library and device.

    Accepted: ``"numpy"``, ``"torch:cpu"``, ``"torch:cuda"``, ``"torch:cuda:N"``,
    ``"torch:mps"``, ``"cupy"``, ``"cupy:N"``, ``"jax:cpu"``, ``"jax:gpu"`` and
    ``"jax:gpu:N"``. Nothing is imported.

    Raises
    ------
    ValueError
        If ``spec`` is not one of those forms.

    Examples
    --------
    >>> from xlogreg._backend import parse_device
    >>> parse_device("torch:cuda:1"), parse_device("cupy"), parse_device("numpy")
    (('torch', 'cuda:1'), ('cupy', '0'), ('numpy', 'cpu'))
    >>> parse_device("jax:gpu"), parse_device("jax:cpu")
    (('jax', 'gpu:0'), ('jax', 'cpu'))
    """
    library, _, where = spec.partition(":") if isinstance(spec, str) else ("", "", "")
    valid = (
        (library == "numpy" and where == "")
        or (library == "torch" and where in ("cpu", "mps", "cuda"))
        or (library == "torch" and where.startswith("cuda:") and where[5:].isdigit())
        or (library == "cupy" and (where == "" or where.isdigit()))
        or (library == "jax" and where in ("cpu", "gpu"))
        or (library == "jax" and where.startswith("gpu:") and where[4:].isdigit())
    )
    if not valid:
        raise ValueError(
            "device must be None, 'numpy', 'torch:cpu', 'torch:cuda', 'torch:cuda:N', "
            f"'torch:mps', 'cupy', 'cupy:N', 'jax:cpu', 'jax:gpu' or 'jax:gpu:N', got {spec!r}"
        )
    if library == "numpy":
        return library, "cpu"
    if library == "cupy":
        return library, where or "0"
    if where == "gpu":
        return library, "gpu:0"
    return library, where


def compute_target(spec: str) -> tuple[ModuleType, Any]:
    """The namespace and device that a compute-device name (see :func:`parse_device`) means.

    The library is imported here, because the caller asked for it by name.

    Raises
    ------
    ValueError
        If the name is malformed, the library is not installed or the device
        is not present.
    """
    import importlib

    library, where = parse_device(spec)
    if library == "numpy":
        return resolve()
    try:
        module = importlib.import_module(library)
    except ImportError:
        raise ValueError(f"device={spec!r} needs {library}, which is not installed") from None
    if library == "torch":
        kind = where.partition(":")[0]
        present = {
            "cpu": True,
            "cuda": module.cuda.is_available()
            and int(where.partition(":")[2] or 0) < module.cuda.device_count(),
            "mps": module.backends.mps.is_available(),
        }[kind]
        if not present:
            raise ValueError(f"device={spec!r}: torch has no {where} device here")
        # The device tensors actually report: torch.device("cuda") != "cuda:0".
        device = module.empty(0, device=where).device
        return array_api_compat.array_namespace(module.empty(0, device=device)), device
    if library == "jax":
        platform, _, index = where.partition(":")
        devices = _jax_devices(platform)
        if int(index or 0) >= len(devices):
            raise ValueError(f"device={spec!r}: jax sees {len(devices)} {platform} device(s)")
        device = devices[int(index or 0)]
        return array_api_compat.array_namespace(module.numpy.zeros(0)), device
    try:
        count = module.cuda.runtime.getDeviceCount()
    except module.cuda.runtime.CUDARuntimeError:
        count = 0
    if int(where) >= count:
        raise ValueError(f"device={spec!r}: cupy sees {count} CUDA device(s)")
    device = module.cuda.Device(int(where))
    with device:
        return array_api_compat.array_namespace(module.empty(0)), device


def host_take(a: Any, rows: Any) -> Any:
    """Rows ``rows`` of a NumPy array or memory map, as a plain in-memory array.

    Sorted ``rows`` read a memory-mapped file front to back.
    """
    import numpy as np

    return np.asarray(np.take(a, rows, axis=0))


def device_dtype(host_dtype: Any, xp: ModuleType, device: Any) -> Any:
    """The dtype of ``xp`` on ``device`` that :func:`to_device` turns a host float dtype into."""
    import numpy as np

    if np.dtype(host_dtype) == np.float64 and has_float64(xp, device):
        return xp.float64
    return xp.float32


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


# --- Dask: row blocks that live on a cluster ---------------------------------
#
# A Dask array is row blocks of NumPy or CuPy arrays, possibly on the workers
# of a dask.distributed cluster. The numerics never see one: they run on the
# blocks, one block at a time, where the blocks live (``RowChunks.map``), and
# only small per-block results are summed and returned (``RowChunks.reduce``).

# Partial results summed per task of the reduction tree.
_FAN_IN = 8


def is_chunked(x: Any) -> bool:
    """Whether ``x`` is a Dask array (row blocks, possibly on a cluster)."""
    return array_api_compat.is_dask_array(x)


def chunk_namespace(x: Any) -> tuple[ModuleType, Any]:
    """The namespace and device of the blocks of a Dask array (NumPy's, or CuPy's)."""
    meta = x._meta
    return array_api_compat.array_namespace(meta), array_api_compat.device(meta)


def _as_dask(a: Any, rows: tuple[int, ...]) -> Any:
    """``a`` (a Dask or NumPy array) as a Dask array cut into the row blocks ``rows``."""
    import dask.array as da

    chunks = (rows, *(-1 for _ in range(a.ndim - 1)))
    if not is_chunked(a):
        a = da.from_array(a, chunks=chunks)
    return a.rechunk(chunks)


def known_rows(x: Any) -> Any:
    """The Dask array ``x`` with the sizes of its row blocks known.

    Sizes are unknown (NaN) for arrays made from a DataFrame or by boolean
    indexing; they are then computed, without moving the blocks.
    """
    if any(n != n for n in x.chunks[0]):
        return x.compute_chunk_sizes()
    return x


def _concat_pieces(*pieces: tuple) -> tuple:
    """Items of the pieces concatenated along the first axis, item by item (``None`` stays)."""
    items = []
    for group in zip(*pieces, strict=True):
        if group[0] is None:
            items.append(None)
        else:
            xp = array_api_compat.array_namespace(*group)
            items.append(xp.concat(list(group), axis=0))
    return tuple(items)


def _n_rows(a: Any) -> int:
    return int(a.shape[0])


def _add_parts(parts: list) -> Any:
    """The sum of per-block results: arrays, or tuples of arrays summed entry by entry."""
    total = parts[0]
    for part in parts[1:]:
        if isinstance(total, tuple):
            total = tuple(a + b for a, b in zip(total, part, strict=True))
        else:
            total = total + part
    return total


class RowChunks:
    """Arrays cut into the same row blocks, held where they live: map-reduce over them.

    Built by :meth:`of` from Dask arrays (or NumPy arrays, cut into the first
    array's blocks), which are persisted once: on a ``dask.distributed``
    cluster each block stays in a worker's memory. :meth:`map` runs a
    function on every block where it lives and keeps the results there;
    :meth:`reduce` sums a function's per-block results in a tree of tasks and
    returns only the sum; :meth:`collect` returns each block's (small) result;
    :meth:`regroup` moves rows between blocks (by value ranges, say), from
    worker to worker.
    Functions receive the block's items (``None`` stays ``None``), then the
    call's ``args``; array arguments are shipped once per call, not per block.

    Attributes
    ----------
    rows : tuple of int
        The number of rows of each block.
    xp : module
        The namespace of the blocks (NumPy's or CuPy's).
    device : object
        The device of the blocks.
    """

    def __init__(
        self,
        parts: list[tuple],
        rows: tuple[int, ...],
        xp: ModuleType,
        device: Any,
        held: tuple = (),
    ) -> None:
        self._parts = parts
        self._held = held  # persisted collections: their blocks stay while these live
        self.rows = rows
        self.xp = xp
        self.device = device

    @classmethod
    def of(cls, X: Any, *others: Any) -> RowChunks:
        """``X`` (all its columns in each block) and ``others`` in one set of row blocks, persisted.

        The blocks are those of the first Dask array among ``X`` and
        ``others`` (``X`` itself, usually); the other arguments may be
        ``None`` (each block then gets ``None``), NumPy arrays or Dask arrays
        with as many rows, 1-D or 2-D.
        """
        import dask

        arrays = [a if a is None or not is_chunked(a) else known_rows(a) for a in (X, *others)]
        lead = next(a for a in arrays if a is not None and is_chunked(a))
        xp, device = chunk_namespace(lead)
        rows = tuple(int(n) for n in lead.chunks[0])
        arrays = [a if a is None else _as_dask(a, rows) for a in arrays]
        present = dask.persist(*(a for a in arrays if a is not None))
        stored = iter(present)
        arrays = [a if a is None else next(stored) for a in arrays]
        columns = [
            [None] * len(rows) if a is None else list(a.to_delayed().reshape(len(rows)))
            for a in arrays
        ]
        parts = [tuple(part) for part in zip(*columns, strict=True)]
        return cls(parts, rows, xp, device, held=present)

    def _calls(self, function: Callable, args: tuple, per_block: list | None, nout: Any) -> list:
        import dask

        shared = [dask.delayed(a) if _is_array(a) else a for a in args]
        call = dask.delayed(function, pure=False, nout=nout)
        extra = per_block if per_block is not None else [()] * len(self._parts)
        return [call(*part, *own, *shared) for part, own in zip(self._parts, extra, strict=True)]

    def map(
        self,
        function: Callable,
        *args: Any,
        per_block: list[tuple] | None = None,
        nout: int | None = None,
    ) -> RowChunks:
        """``function(*block, *per_block[b], *args)`` on every block, kept where it ran.

        With ``nout``, the function returns a tuple of that many items, which
        become the blocks' items.
        """
        import dask

        results = dask.persist(*self._calls(function, args, per_block, nout))
        parts = [tuple(r) if nout is not None else (r,) for r in results]
        return RowChunks(parts, self.rows, self.xp, self.device)

    def reduce(self, function: Callable, *args: Any, per_block: list[tuple] | None = None) -> Any:
        """The sum over blocks of ``function(*block, *per_block[b], *args)``, on the caller.

        Results may be arrays or tuples of arrays (summed entry by entry); they
        are added in a tree of tasks next to the blocks, so one sum is
        transferred, whatever the number of blocks.
        """
        import dask

        parts = self._calls(function, args, per_block, None)
        add = dask.delayed(_add_parts, pure=False)
        while len(parts) > 1:
            parts = [add(parts[i : i + _FAN_IN]) for i in range(0, len(parts), _FAN_IN)]
        (total,) = dask.compute(parts[0])
        return total

    def collect(self, function: Callable, *args: Any, per_block: list[tuple] | None = None) -> list:
        """``[function(*block, *per_block[b], *args) for each block b]``, computed and returned
        to the caller: for small per-block results."""
        import dask

        return list(dask.compute(*self._calls(function, args, per_block, None)))

    def regroup(self, function: Callable, *args: Any, groups: int) -> RowChunks:
        """Rows moved between blocks: block ``g`` of the result gathers group ``g`` of every block.

        ``function(*block, *args)`` returns a sequence of ``groups`` tuples,
        one per group, each holding that block's rows of the group (one array
        per item, or ``None``). Each group's pieces are concatenated along the
        first axis by a task on the cluster: rows move between workers, never
        to the caller; only the number of rows of each new block comes back.
        The pieces are freed once the new blocks are held.
        """
        import dask

        split = dask.delayed(function, pure=False, nout=groups)
        shared = [dask.delayed(a) if _is_array(a) else a for a in args]
        pieces = [split(*part, *shared) for part in self._parts]
        n_items = len(self._parts[0])
        join = dask.delayed(_concat_pieces, pure=False, nout=n_items)
        blocks = [join(*(piece[g] for piece in pieces)) for g in range(groups)]
        held = dask.persist(*(item for block in blocks for item in block))
        parts = [tuple(held[g * n_items : (g + 1) * n_items]) for g in range(groups)]
        count = dask.delayed(_n_rows, pure=True)
        rows = tuple(dask.compute(*(count(part[0]) for part in parts)))
        return RowChunks(parts, rows, self.xp, self.device)

    def subset(self, keep: list[bool]) -> RowChunks:
        """The blocks whose entry of ``keep`` is true."""
        parts = [p for p, k in zip(self._parts, keep, strict=True) if k]
        rows = tuple(r for r, k in zip(self.rows, keep, strict=True) if k)
        return RowChunks(parts, rows, self.xp, self.device, held=self._held)


def map_row_chunks(function: Callable[[Any], Any], X: Any) -> Any:
    """``function`` applied to each row block of the Dask array ``X``, lazily.

    ``function`` maps a block of rows (all columns) to an array with one entry
    or one row per input row; the result is a Dask array with ``X``'s row
    blocks, computed only when asked for. Its type and shape are those of
    ``function`` on one row of zeros.
    """
    xp, device = chunk_namespace(X)
    X = X.rechunk({1: -1})
    one = function(xp.zeros((1, X.shape[1]), dtype=X.dtype, device=device))
    meta = one[:0, ...]
    if one.ndim == 1:
        return X.map_blocks(function, drop_axis=1, dtype=one.dtype, meta=meta)
    chunks = (X.chunks[0], *((n,) for n in one.shape[1:]))
    return X.map_blocks(function, chunks=chunks, dtype=one.dtype, meta=meta)
