"""_backend/host.py: host reads in one transfer, and copies to NumPy from every backend."""

import numpy as np

from xlogreg import _backend


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
