"""Fixtures over the backend matrix of :mod:`backends`."""

from __future__ import annotations

import pytest

from backends import BACKEND_PARAMS, Backend, make_backend


@pytest.fixture(params=BACKEND_PARAMS)
def backend(request: pytest.FixtureRequest) -> Backend:
    """Every row of the matrix."""
    return make_backend(request.param)


@pytest.fixture(params=[p for p in BACKEND_PARAMS if p.id.endswith("float64")])
def backend64(request: pytest.FixtureRequest) -> Backend:
    """The float64 rows, for comparisons at tight tolerances."""
    return make_backend(request.param)
