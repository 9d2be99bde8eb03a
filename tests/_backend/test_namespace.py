"""_backend/namespace.py: the namespace and device of a call's inputs, array conversion, and how
an input is described in messages."""

import array_api_compat
import numpy as np
import pytest

from tests.backends import assert_on_backend
from xlogreg import _backend


def test_no_arrays_means_numpy_on_the_cpu():
    xp, device = _backend.resolve(X=[[1.0]], y=None)
    assert array_api_compat.is_numpy_namespace(xp)
    assert device == "cpu"


def test_resolve_returns_the_namespace_and_device_of_the_inputs(backend):
    x = backend.asarray([[1.0, 2.0]])
    xp, device = _backend.resolve(X=x, y=backend.asarray([1.0]), sample_weight=None)
    assert xp is backend.xp
    assert device == backend.device


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


def test_describe_names_library_and_device(backend):
    assert _backend.describe(np.zeros(1)) == "numpy array"
    assert _backend.describe([1]) == "list"
    described = _backend.describe(backend.asarray([1.0]))
    assert str(backend.device) in described or backend.library == "numpy"
    assert described.startswith(
        {"strict": "array_api_strict"}.get(backend.library, backend.library)
    )
