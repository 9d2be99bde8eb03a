"""Stable elementwise kernels against NumPy float64 references, on every backend."""

import warnings

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from scipy.special import expit, log_expit

from tests.backends import assert_close, assert_on_backend, rtol_for
from xlogreg._backend import to_numpy
from xlogreg._math import erfc, log_sigmoid, sigmoid, softplus, softplus_and_sigmoid

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


def _erfc_reference(x):
    """erfc from SciPy's erfcx (the Faddeeva package, within 7e-16 of mpmath on
    [-6, 27]) times exp(-x²), with x² split as in the implementation: SciPy's
    own erfc rounds x² first and is off by up to 5.7e-14 near x = 26."""
    from scipy.special import erfcx

    y = np.abs(x)
    head = np.trunc(16.0 * y) / 16.0
    positive = erfcx(y) * np.exp(-head * head) * np.exp(-(y - head) * (y + head))
    return np.where(x < 0, 2.0 - positive, positive)


# Dense over the whole range where erfc is not zero, with each branch's edges.
ERFC_GRID = np.concatenate(
    [np.linspace(-27.5, 27.5, 110_001), [0.46875, -0.46875, 4.0, -4.0, 1e-300, 5e-324]]
)


def test_erfc_matches_a_reference_over_the_whole_range(backend):
    x = backend.asarray(ERFC_GRID)
    got = erfc(x, xp=backend.xp)
    assert_on_backend(got, backend)
    expected = _erfc_reference(to_numpy(x).astype(np.float64))
    got = to_numpy(got).astype(np.float64)
    tiny = float(np.finfo(to_numpy(x).dtype).tiny)
    normal = expected >= tiny
    # float32: the exponential and the rational function each round in float32.
    rtol = rtol_for(backend, float64=4e-15, float32=1e-6)
    np.testing.assert_allclose(got[normal], expected[normal], rtol=rtol, atol=0.0)
    # Where erfc is subnormal (and then zero), only absolute accuracy exists.
    np.testing.assert_allclose(got[~normal], expected[~normal], rtol=0.0, atol=tiny)


def test_erfc_special_values_without_warnings(backend):
    x = backend.asarray([np.inf, -np.inf, np.nan, 0.0, -0.0, 40.0, -40.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = to_numpy(erfc(x, xp=backend.xp))
    np.testing.assert_array_equal(got, [0.0, 2.0, np.nan, 1.0, 1.0, 0.0, 2.0])


@given(st.floats(min_value=-26.0, max_value=26.0, allow_nan=False))
def test_erfc_reflection(x):
    import array_api_compat

    xp = array_api_compat.array_namespace(np.empty(0))
    a = np.asarray([x, -x])
    both = erfc(a, xp=xp)
    np.testing.assert_allclose(both[0] + both[1], 2.0, rtol=1e-15)
