"""What the run-record test modules (tests/runs/test_records.py, test_record_files.py and
their fixtures in conftest.py) share: a run of ``xlogreg fit`` on the raisin data, recorded
in a runs folder."""

from tests.backends import RAISIN_CSV
from tests.cli_helpers import invoke


def fit_run(runs_dir, *args):
    """Fit the raisin data with ``xlogreg fit`` (and ``args``) into ``runs_dir``: the run's id."""
    outcome = invoke(
        "fit", RAISIN_CSV, "--target", "Class", "--runs-dir", runs_dir, "--quiet", *args
    )
    assert outcome.code == 0, outcome
    return outcome.stdout.strip()
