"""_backend/dask_chunks.py: RowChunks regroups rows between workers and hands each chunk its
arguments."""

import numpy as np
import pytest

from xlogreg import _backend


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
