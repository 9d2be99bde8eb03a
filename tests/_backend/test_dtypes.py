"""_backend/dtypes.py: the compute dtype policy (integers, devices without float64: strict's
no_float64, torch MPS, JAX without x64) and the refusal of non-numeric dtypes."""

import array_api_compat
import numpy as np
import pytest

from tests.backends import jax_x64
from xlogreg import LogisticRegression, _backend


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("float32", "float32"),
        ("float64", "float64"),
        ("int64", "float64"),
        ("bool", "float64"),
        ("int8", "float64"),
        ("float16", "float32"),
    ],
)
def test_compute_dtype_policy_on_numpy(given, expected):
    xp = array_api_compat.array_namespace(np.empty(0))
    assert _backend.compute_dtype(xp, "cpu", np.dtype(given)) == np.dtype(expected)


def test_integers_compute_in_float32_where_float64_is_missing():
    xp = pytest.importorskip("array_api_strict")
    device = xp.Device("no_float64")
    assert not _backend.has_float64(xp, device)
    assert _backend.has_float64(xp, xp.Device("CPU_DEVICE"))
    assert _backend.compute_dtype(xp, device, xp.int64) == xp.float32
    with pytest.raises(TypeError, match=r"X is float64 but device .*no_float64.* has no float64"):
        _backend.compute_dtype(xp, device, xp.float64)


def test_torch_float64_on_mps_is_refused_without_a_mac():
    torch = pytest.importorskip("torch")
    xp = array_api_compat.array_namespace(torch.zeros(1))
    mps = torch.device("mps")
    assert not _backend.has_float64(xp, mps)
    assert _backend.compute_dtype(xp, mps, torch.int64) == torch.float32
    with pytest.raises(TypeError, match="has no float64; convert it to float32"):
        _backend.compute_dtype(xp, mps, torch.float64)


def test_jax_without_x64_follows_the_mps_policy():
    """x64 off: no float64 on the device, integers compute in float32, and a float64
    array made while x64 was on is refused with MPS's message, before any work."""
    jnp = pytest.importorskip("jax.numpy")
    xp = array_api_compat.array_namespace(jnp.zeros(1))
    with jax_x64(True):
        X = jnp.asarray([[0.0], [1.0], [2.0], [3.0]], dtype=jnp.float64)
        assert _backend.has_float64(xp, X.device)
    with jax_x64(False):
        y = jnp.asarray([0, 1, 0, 1])
        device = array_api_compat.device(X)
        assert not _backend.has_float64(xp, device)
        assert _backend.integer_dtype(xp, device) == xp.int32
        assert _backend.compute_dtype(xp, device, xp.int32) == xp.float32
        message = f"X is float64 but device {device} has no float64; convert it to float32"
        with pytest.raises(TypeError, match=message):
            _backend.compute_dtype(xp, device, xp.float64)
        with pytest.raises(TypeError, match="has no float64; convert it to float32"):
            LogisticRegression().fit(X, y)
        integers = LogisticRegression().fit(xp.asarray([[0], [1], [2], [3]]), y)
        assert integers.coef_.dtype == xp.float32


def test_non_numeric_dtypes_are_refused():
    xp = array_api_compat.array_namespace(np.empty(0))
    for dtype in (np.dtype("U3"), np.dtype(object)):
        with pytest.raises(TypeError, match="weights must hold real numbers"):
            _backend.compute_dtype(xp, "cpu", dtype, name="weights")
    with pytest.raises(ValueError, match=r"weights must hold real numbers.*Complex data"):
        _backend.compute_dtype(xp, "cpu", np.dtype(complex), name="weights")
