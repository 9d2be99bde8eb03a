"""Normal and Student t tails and quantiles against SciPy, on every backend."""

import numpy as np
import pytest
from scipy import stats

from tests.backends import assert_on_backend
from xlogreg._backend import to_numpy
from xlogreg.inference._distributions import (
    normal_quantile,
    normal_two_sided,
    student_t_quantile,
    student_t_two_sided,
)

# Statistics from 0 to where the tails underflow, with negatives for symmetry.
STATISTICS = np.concatenate(
    [np.linspace(0.0, 5.0, 1001), np.linspace(5.0, 400.0, 1581), -np.linspace(0.0, 3.0, 31)]
)
# From below one degree of freedom to far past the switch to Hill's expansion (1e4).
DEGREES = [0.01, 0.5, 1.0, 2.0, 3.0, 4.5, 10.0, 25.0, 100.0, 199.0, 201.0, 1e3, 9999.0, 1e4 + 1]
DEGREES += [1e6, 1e12]


def _relative_error(actual, expected):
    normal = expected >= np.finfo(actual.dtype).tiny
    return np.abs(actual[normal] - expected[normal]) / expected[normal], normal


@pytest.mark.parametrize("df", DEGREES)
def test_student_t_two_sided_matches_scipy(backend, df):
    t = backend.asarray(STATISTICS)
    got = student_t_two_sided(t, df, xp=backend.xp)
    assert_on_backend(got, backend)
    t_host = to_numpy(t).astype(np.float64)
    error, normal = _relative_error(to_numpy(got), 2.0 * stats.t.sf(np.abs(t_host), df))
    if backend.has_float64:
        # The continued fraction's round-off grows like eps·df: 1.1e-12 just below 1e4.
        assert error.max() <= 2e-12
    else:
        # Float32 (devices without float64): the exponent of the tail rounds with
        # a relative error of t²·eps, and 128 Lentz steps accumulate ~30 eps.
        eps = np.finfo(np.float32).eps
        assert np.all(error <= 64 * eps * (1.0 + t_host[normal] ** 2))


def test_normal_two_sided_matches_scipy(backend):
    z = backend.asarray(STATISTICS)
    got = normal_two_sided(z, xp=backend.xp)
    assert_on_backend(got, backend)
    z_host = to_numpy(z).astype(np.float64)
    error, normal = _relative_error(to_numpy(got), 2.0 * stats.norm.sf(np.abs(z_host)))
    # SciPy's ndtr rounds x² before exponentiating (up to 5.7e-14; erfc itself
    # is checked at 4e-15 in test_math.py).
    eps = np.finfo(to_numpy(z).dtype).eps
    limit = 1e-13 if backend.has_float64 else 4 * eps * (1.0 + z_host[normal] ** 2)
    assert np.all(error <= limit)


@pytest.mark.parametrize("df", [0.3, 1.0, 2.5, 5.0, 30.0, 1e4, 1e7])
@pytest.mark.parametrize("probability", [0.9, 0.975, 0.995, 0.9995])
def test_student_t_quantile_matches_scipy(df, probability):
    np.testing.assert_allclose(
        student_t_quantile(probability, df), stats.t.ppf(probability, df), rtol=1e-13
    )


def test_normal_quantile_matches_scipy():
    for probability in (0.9, 0.975, 0.995, 0.9995):
        np.testing.assert_allclose(
            normal_quantile(probability), stats.norm.ppf(probability), rtol=1e-15
        )
