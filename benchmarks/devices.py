"""The GPU libraries a benchmark can run on, skipping cleanly where there is no GPU."""

from __future__ import annotations

import pytest

from xlogreg._backend import compute_target, synchronize, to_device

GPU_LIBRARIES = ("torch-cuda", "cupy", "jax-cuda")


def gpu(library):
    """``(to_device, synchronize)`` for a GPU library, or skip where it has no device.

    JAX runs as it starts, without x64: float64 data lands as float32 (and int64 labels
    as int32), the JAX user's default.
    """
    if library == "torch-cuda":
        torch = pytest.importorskip("torch")
        if not torch.cuda.is_available():
            pytest.skip("torch has no CUDA device here")
        return (lambda a: torch.from_numpy(a).to("cuda")), torch.cuda.synchronize
    if library == "jax-cuda":
        pytest.importorskip("jax")
        try:
            xp, device = compute_target("jax:gpu")
        except ValueError:
            pytest.skip("jax has no GPU device here")
        return (lambda a: to_device(a, xp, device)), (lambda: synchronize(xp, device))
    cupy = pytest.importorskip("cupy")
    try:
        if cupy.cuda.runtime.getDeviceCount() < 1:
            pytest.skip("cupy sees no CUDA device")
    except cupy.cuda.runtime.CUDARuntimeError:
        pytest.skip("cupy sees no CUDA device")
    return cupy.asarray, cupy.cuda.Device().synchronize
