"""The backend layer: namespace and device resolution, dtype policy, host reads."""

import array_api_compat
import numpy as np
import pytest

from tests.backends import assert_on_backend, jax_x64
from xlogreg import LogisticRegression, _backend


def test_no_arrays_means_numpy_on_the_cpu():
    xp, device = _backend.resolve(X=[[1.0]], y=None)
    assert array_api_compat.is_numpy_namespace(xp)
    assert device == "cpu"


def test_resolve_returns_the_namespace_and_device_of_the_inputs(backend):
    x = backend.asarray([[1.0, 2.0]])
    xp, device = _backend.resolve(X=x, y=backend.asarray([1.0]), sample_weight=None)
    assert xp is backend.xp
    assert device == backend.device


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


def test_non_numeric_dtypes_are_refused():
    xp = array_api_compat.array_namespace(np.empty(0))
    for dtype in (np.dtype("U3"), np.dtype(object)):
        with pytest.raises(TypeError, match="weights must hold real numbers"):
            _backend.compute_dtype(xp, "cpu", dtype, name="weights")
    with pytest.raises(ValueError, match=r"weights must hold real numbers.*Complex data"):
        _backend.compute_dtype(xp, "cpu", np.dtype(complex), name="weights")


def test_host_reads_in_one_transfer(backend):
    xp = backend.xp
    a = xp.sum(backend.asarray([1.0, 2.0]))
    b = xp.max(backend.asarray([3.0, -4.0]))
    assert _backend.host_floats(xp, a, b) == (3.0, 3.0)
    assert _backend.host_bool(xp.all(backend.asarray([1.0]) > 0)) is True
    assert _backend.host_list(backend.asarray([0, 1])) == [0, 1]


def test_to_numpy_copies_from_every_backend(backend):
    x = backend.asarray([[1.5, 2.5]])
    out = _backend.to_numpy(x)
    assert isinstance(out, np.ndarray)
    np.testing.assert_array_equal(out, [[1.5, 2.5]])


def test_as_array_detaches_torch_and_converts_array_likes():
    torch = pytest.importorskip("torch")
    xp = array_api_compat.array_namespace(torch.zeros(1))
    leaf = torch.ones(3, requires_grad=True)
    assert not _backend.as_array(leaf, xp=xp, device=leaf.device).requires_grad
    converted = _backend.as_array([1.0, 2.0], xp=xp, device=torch.device("cpu"))
    assert isinstance(converted, torch.Tensor)


def test_as_array_keeps_arrays_where_they_are(backend):
    x = backend.asarray([1.0, 2.0])
    assert_on_backend(_backend.as_array(x, xp=backend.xp, device=backend.device), backend)


def test_only_accelerators_have_costly_syncs(backend):
    assert _backend.syncs_cheaply(backend.xp, backend.device) == (
        backend.library != "cupy" and str(backend.device).split(":")[0] not in ("cuda", "mps")
    )


def test_synchronize_returns_once_the_queued_work_is_done(backend):
    total = backend.xp.sum(backend.asarray(np.arange(1000.0)))
    assert _backend.synchronize(backend.xp, backend.device) is None
    assert _backend.host_floats(backend.xp, total) == (499500.0,)


def test_describe_names_library_and_device(backend):
    assert _backend.describe(np.zeros(1)) == "numpy array"
    assert _backend.describe([1]) == "list"
    described = _backend.describe(backend.asarray([1.0]))
    assert str(backend.device) in described or backend.library == "numpy"
    assert described.startswith(
        {"strict": "array_api_strict"}.get(backend.library, backend.library)
    )


def test_row_chunks_regroup_rows_between_workers(dask_client):
    """Chunks come from the first Dask array, whichever argument it is; regroup gathers
    each group of every chunk into one chunk, and collect hands each chunk its arguments."""
    da = pytest.importorskip("dask.array")
    values = np.arange(50.0)
    chunks = _backend.RowChunks.of(values % 3, da.from_array(values, chunks=12))
    assert chunks.rows == (12, 12, 12, 12, 2)

    def by_remainder(remainder, value):
        return [(remainder[remainder == r], value[remainder == r]) for r in range(3)]

    groups = chunks.regroup(by_remainder, groups=3)
    assert groups.rows == (17, 17, 16)
    sums = groups.collect(
        lambda remainder, value, scale: scale * value.sum(), per_chunk=[(1,), (2,), (3,)]
    )
    np.testing.assert_allclose(sums, [values[values % 3 == r].sum() * (r + 1) for r in range(3)])
