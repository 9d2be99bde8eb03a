"""Fixtures over the backend matrix of :mod:`backends`, and Hypothesis profiles.

Property tests are derandomized by default, so CI runs the same examples every
time; ``pytest --hypothesis-profile=explore`` draws fresh ones.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

# scikit-learn's array-API estimator checks (test_sklearn.py) run only with SciPy's
# array-API mode, which SciPy reads once, at its import: set it before any test imports SciPy.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

import pytest
from hypothesis import settings

from tests.backends import BACKEND_PARAMS, Backend, backend_row

settings.register_profile("deterministic", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile("deterministic")


@pytest.fixture(params=BACKEND_PARAMS)
def backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    """Every row of the matrix."""
    with backend_row(request.param) as row:
        yield row


@pytest.fixture(params=[p for p in BACKEND_PARAMS if p.id.endswith("float64")])
def backend64(request: pytest.FixtureRequest) -> Iterator[Backend]:
    """The float64 rows, for comparisons at tight tolerances."""
    with backend_row(request.param) as row:
        yield row


@pytest.fixture(scope="session")
def dask_client():
    """A ``dask.distributed`` client of two worker processes, one thread each (CI's two cores)."""
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


@pytest.fixture
def gathered(monkeypatch):
    """The sizes of what the client receives from the cluster, gather by gather."""
    distributed = pytest.importorskip("distributed")
    from dask.sizeof import sizeof

    sizes = []
    gather = distributed.Client.gather

    def recording(self, futures, *args, **kwargs):
        result = gather(self, futures, *args, **kwargs)
        sizes.append(sizeof(result))
        return result

    monkeypatch.setattr(distributed.Client, "gather", recording)
    return sizes


@pytest.fixture
def saved(tmp_path):
    """A fitted model's file, its bytes and its path (for the model-file tests)."""
    from tests.io.files import model_data
    from xlogreg import LogisticRegression

    X, targets = model_data()
    path = os.path.join(tmp_path, "model.safetensors")
    LogisticRegression(standardize=True).fit(X, targets["binary"]).save(path)
    with open(path, "rb") as file:
        return file.read(), path
