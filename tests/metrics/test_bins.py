"""metrics/_bins.py: the library's own bincount, the one-hot products and the sort-based
counts give the same sums per bin on every backend, and equal NumPy's bincount."""

import numpy as np
import pytest

from tests.backends import assert_on_backend
from xlogreg._backend import to_numpy
from xlogreg.metrics._bins import _one_hot_sums, _sorted_sums, bin_sums

RNG = np.random.default_rng(3)
N = 1000


@pytest.mark.parametrize("n_bins", [1, 7, 16, 17, 100])
@pytest.mark.parametrize("weighted", [False, True])
def test_every_way_of_summing_per_bin_agrees(backend, n_bins, weighted):
    ids = RNG.integers(0, n_bins, N)
    ids[:3] = n_bins - 1  # the last bin is never empty
    weight = RNG.random(N) * (RNG.random(N) > 0.2)
    xp = backend.xp
    ids_b = backend.asarray(ids)
    acc = backend.widest_float
    columns = [None, backend.asarray(weight, dtype=acc) if weighted else None]
    sums = bin_sums(xp, ids_b, n_bins, columns, dtype=acc, device=backend.device)
    assert sums.shape == (n_bins, 2)
    floats = [xp.astype(xp.ones_like(ids_b), acc) if c is None else c for c in columns]
    # Sorting sums as differences of running totals: accurate to the dtype's
    # precision times the total, not times each bin's sum.
    tol = 1e-12 if acc == xp.float64 else 1e-5
    atol = tol * (float(np.sum(weight)) if weighted else N)
    for generic in (_one_hot_sums, _sorted_sums):
        other = generic(xp, ids_b, n_bins, floats, dtype=acc, device=backend.device)
        assert_on_backend(other, backend, dtype=acc)
        np.testing.assert_allclose(
            to_numpy(sums).astype(float), to_numpy(other), rtol=tol, atol=atol
        )
    np.testing.assert_array_equal(to_numpy(sums)[:, 0], np.bincount(ids, minlength=n_bins))
    expected = np.bincount(ids, weights=weight if weighted else None, minlength=n_bins)
    np.testing.assert_allclose(to_numpy(sums)[:, 1], expected, rtol=tol, atol=atol)


def test_counts_alone_are_exact_integers(backend):
    ids = backend.asarray(RNG.integers(0, 40, N))
    counts = bin_sums(
        backend.xp, ids, 40, [None], dtype=backend.widest_float, device=backend.device
    )
    assert backend.xp.isdtype(counts.dtype, "integral")
    assert int(to_numpy(counts).sum()) == N
