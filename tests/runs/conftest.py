"""Runs folders for the run-record tests (test_records.py, test_record_files.py): two runs
recorded once per module, and a fresh copy of them for each test."""

import pytest

from tests.runs.folders import fit_run


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    """A good run (every feature) and a worse one (Extent alone), in a module-wide folder."""
    runs_dir = tmp_path_factory.mktemp("two") / "runs"
    good = fit_run(runs_dir)
    worse = fit_run(runs_dir, "--features", "Extent")
    return runs_dir, good, worse


@pytest.fixture
def fresh(two_runs, tmp_path):
    """A copy of the two runs, without a registry, that a test may promote in."""
    import shutil

    runs_dir, good, worse = two_runs
    copy = tmp_path / "runs"
    shutil.copytree(runs_dir, copy)
    return copy, good, worse
