"""_backend/native.py: each library's own way of an operation equals the generic one."""

import numpy as np

from tests.backends import assert_on_backend
from xlogreg._backend import scaled_sum, to_numpy


def test_scaled_sum_equals_the_generic_expression(backend):
    """torch's fused ``add(b, a, alpha=k)`` and the other libraries' ``a * k + b``."""
    rng = np.random.default_rng(0)
    a, b = rng.integers(0, 7, 1000), rng.integers(0, 7, 1000)
    result = scaled_sum(backend.xp, backend.asarray(a), backend.asarray(b), 7)
    assert_on_backend(result, backend, dtype=backend.asarray(a).dtype)
    np.testing.assert_array_equal(to_numpy(result), a * 7 + b)
