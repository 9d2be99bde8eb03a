"""The GPU libraries a benchmark can run on, skipping cleanly where there is no GPU."""

from __future__ import annotations

import pytest

GPU_LIBRARIES = ("torch-cuda", "cupy")


def gpu(library):
    """``(to_device, synchronize)`` for a GPU library, or skip where it has no device."""
    if library == "torch-cuda":
        torch = pytest.importorskip("torch")
        if not torch.cuda.is_available():
            pytest.skip("torch has no CUDA device here")
        return (lambda a: torch.from_numpy(a).to("cuda")), torch.cuda.synchronize
    cupy = pytest.importorskip("cupy")
    try:
        if cupy.cuda.runtime.getDeviceCount() < 1:
            pytest.skip("cupy sees no CUDA device")
    except cupy.cuda.runtime.CUDARuntimeError:
        pytest.skip("cupy sees no CUDA device")
    return cupy.asarray, cupy.cuda.Device().synchronize


def any_gpu():
    """Whether at least one GPU library has a device here."""
    for library in GPU_LIBRARIES:
        try:
            gpu(library)
        except pytest.skip.Exception:
            continue
        return True
    return False
