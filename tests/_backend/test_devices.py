"""_backend/devices.py: device names, installed devices, which syncs are costly, and waiting
for queued work."""

import array_api_compat
import numpy as np
import pytest

from xlogreg import _backend


def test_jax_devices_have_names():
    pytest.importorskip("jax")
    assert _backend.parse_device("jax:gpu:1") == ("jax", "gpu:1")
    with pytest.raises(ValueError, match="'jax:gpu:N', got 'jax:tpu'"):
        _backend.parse_device("jax:tpu")
    xp, device = _backend.compute_target("jax:cpu")
    assert array_api_compat.is_jax_namespace(xp) and device.platform == "cpu"
    assert ("jax", "cpu") in _backend.library_devices("jax")
    if ("jax", "cuda") not in _backend.library_devices("jax"):
        with pytest.raises(ValueError, match=r"device='jax:gpu': jax sees 0 gpu device\(s\)"):
            _backend.compute_target("jax:gpu")
    host = np.arange(3.0)
    assert _backend.to_numpy(_backend.from_numpy(host, "jax", "cpu")).tolist() == [0.0, 1.0, 2.0]


def test_only_accelerators_have_costly_syncs(backend):
    assert _backend.syncs_cheaply(backend.xp, backend.device) == (
        backend.library != "cupy" and str(backend.device).split(":")[0] not in ("cuda", "mps")
    )


def test_synchronize_returns_once_the_queued_work_is_done(backend):
    total = backend.xp.sum(backend.asarray(np.arange(1000.0)))
    assert _backend.synchronize(backend.xp, backend.device) is None
    assert _backend.host_floats(backend.xp, total) == (499500.0,)
