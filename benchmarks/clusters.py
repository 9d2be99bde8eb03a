"""A local ``dask.distributed`` cluster for the Dask rows, leaving this process's
environment as the run started."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import pytest


def _restore(environ: dict[str, str]) -> None:
    for name in set(os.environ) - set(environ):
        del os.environ[name]
    os.environ.update(environ)


@contextlib.contextmanager
def local_cluster(workers: int) -> Iterator[object]:
    """A ``LocalCluster`` of ``workers`` processes, one thread each, and its client.

    A Nanny sets OMP_NUM_THREADS=1 (and MKL's, OpenBLAS's, ...) in this
    process's environment before it spawns its worker, and leaves them: the
    modules imported later (torch reads OMP_NUM_THREADS) and the machine's
    description must see the variables the run started with.
    """
    distributed = pytest.importorskip("distributed")
    environ = dict(os.environ)
    try:
        with (
            distributed.LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            _restore(environ)
            yield client
    finally:
        _restore(environ)
