"""Stable elementwise kernels against NumPy float64 references, on every backend."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from scipy.special import expit, log_expit

from xlogreg._backend import to_numpy
from xlogreg._math import log_sigmoid, sigmoid, softplus, softplus_and_sigmoid

from backends import assert_close, rtol_for

Z = np.array([-1e4, -1000.0, -50.0, -3.0, -1e-8, 0.0, 1e-8, 0.5, 3.0, 50.0, 1000.0, 1e4])


def test_sigmoid(backend):
    rtol = rtol_for(backend, float64=1e-15, float32=1e-6)
    assert_close(sigmoid(backend.asarray(Z), xp=backend.xp), expit(Z), backend, rtol=rtol)


def test_log_sigmoid(backend):
    rtol = rtol_for(backend, float64=1e-15, float32=1e-6)
    assert_close(log_sigmoid(backend.asarray(Z), xp=backend.xp), log_expit(Z), backend, rtol=rtol)


def test_softplus(backend):
    rtol = rtol_for(backend, float64=1e-15, float32=1e-6)
    assert_close(
        softplus(backend.asarray(Z), xp=backend.xp), np.logaddexp(0.0, Z), backend, rtol=rtol
    )


def test_softplus_and_sigmoid_share_one_exponential_and_agree(backend):
    z = backend.asarray(Z)
    both = softplus_and_sigmoid(z, xp=backend.xp)
    np.testing.assert_array_equal(to_numpy(both[0]), to_numpy(softplus(z, xp=backend.xp)))
    np.testing.assert_array_equal(to_numpy(both[1]), to_numpy(sigmoid(z, xp=backend.xp)))


def test_extreme_logits_stay_finite(backend):
    z = backend.asarray([-1e4, -1000.0, 1000.0, 1e4])
    for f in (sigmoid, log_sigmoid, softplus):
        assert np.all(np.isfinite(to_numpy(f(z, xp=backend.xp))))


@given(st.floats(min_value=-700, max_value=700, allow_nan=False))
def test_identities(z):
    import array_api_compat

    xp = array_api_compat.array_namespace(np.empty(0))
    a = np.asarray([z])
    np.testing.assert_allclose(sigmoid(a, xp=xp) + sigmoid(-a, xp=xp), 1.0, rtol=1e-15)
    np.testing.assert_allclose(
        log_sigmoid(a, xp=xp) - log_sigmoid(-a, xp=xp), a, rtol=1e-12, atol=1e-12
    )
    np.testing.assert_allclose(softplus(a, xp=xp) - softplus(-a, xp=xp), a, rtol=1e-12, atol=1e-12)
