"""Compute devices: which are installed, their names, and waiting for their work.

A compute-device name such as ``"torch:cuda:1"`` (:func:`parse_device`)
becomes a namespace and device (:func:`compute_target`);
:func:`library_devices` lists the pairs usable here. On accelerators, reading
a scalar back waits for the queued kernels (:func:`syncs_cheaply`,
:func:`synchronize`).
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import array_api_compat

from xlogreg._backend.namespace import resolve


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


def compiles_per_shape(xp: ModuleType) -> bool:
    """Whether the library compiles each operation anew for every new shape (JAX's eager
    mode): a loop over batches of changing size then pays a compilation per size, and
    is better run at one size.

    Examples
    --------
    >>> import array_api_strict as xp
    >>> compiles_per_shape(xp)
    False
    """
    return array_api_compat.is_jax_namespace(xp)


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
